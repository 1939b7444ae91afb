"""OnDemandThroughput and WarmThroughput of a global secondary index,
through boto3: accepted on CreateTable's GlobalSecondaryIndexes and on
UpdateTable's GlobalSecondaryIndexUpdates (Create and Update), read as the
table's own are, kept in the catalog over a restart, and echoed in each
GlobalSecondaryIndexes entry of CreateTable, UpdateTable and DescribeTable
(WarmThroughput with its Status)."""

import pytest
from botocore.exceptions import ClientError

from conftest import SiltdbProcess, make_client, unique

DEFS = [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "g", "AttributeType": "S"},
    {"AttributeName": "h", "AttributeType": "N"},
]
BASE_WARM = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}


def gsi(name, attr, **extra):
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": attr, "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
        **extra,
    }


def create(ddb, name):
    return ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=DEFS[:2],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            gsi(
                "byG",
                "g",
                OnDemandThroughput={"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50},
                WarmThroughput={"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000},
            )
        ],
    )["TableDescription"]


def index(desc, name):
    (entry,) = [g for g in desc["GlobalSecondaryIndexes"] if g["IndexName"] == name]
    return entry


def test_create_table_echoes_each_index_setting(ddb):
    name = unique("gsi-settings")
    created = create(ddb, name)
    for desc in (created, ddb.describe_table(TableName=name)["Table"]):
        g = index(desc, "byG")
        assert g["OnDemandThroughput"] == {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}
        assert g["WarmThroughput"] == {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000, "Status": "ACTIVE"}


def test_an_index_without_settings_shows_the_base_warm_throughput(ddb):
    name = unique("gsi-defaults")
    desc = ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=DEFS[:2],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[gsi("byG", "g")],
    )["TableDescription"]
    g = index(desc, "byG")
    assert "OnDemandThroughput" not in g
    assert g["WarmThroughput"] == BASE_WARM


def test_update_table_sets_them_on_an_existing_and_a_new_index(ddb):
    name = unique("gsi-update")
    create(ddb, name)
    out = ddb.update_table(
        TableName=name,
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "byG", "OnDemandThroughput": {"MaxReadRequestUnits": 7}}}
        ],
    )["TableDescription"]
    # MaxWriteRequestUnits keeps its value; the read maximum changes.
    assert index(out, "byG")["OnDemandThroughput"] == {"MaxReadRequestUnits": 7, "MaxWriteRequestUnits": 50}
    out = ddb.update_table(
        TableName=name,
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "byG", "WarmThroughput": {"ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 1}}}
        ],
    )["TableDescription"]
    # Warm throughput only rises.
    assert index(out, "byG")["WarmThroughput"] == {"ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 5000, "Status": "ACTIVE"}
    out = ddb.update_table(
        TableName=name,
        AttributeDefinitions=DEFS,
        GlobalSecondaryIndexUpdates=[
            {
                "Create": gsi(
                    "byH",
                    "h",
                    OnDemandThroughput={"MaxWriteRequestUnits": 9},
                    WarmThroughput={"WriteUnitsPerSecond": 4500},
                )
            }
        ],
    )["TableDescription"]
    h = index(out, "byH")
    assert h["OnDemandThroughput"] == {"MaxWriteRequestUnits": 9}
    assert h["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4500, "Status": "ACTIVE"}
    described = ddb.describe_table(TableName=name)["Table"]
    assert index(described, "byH")["OnDemandThroughput"] == {"MaxWriteRequestUnits": 9}
    assert index(described, "byG")["WarmThroughput"]["ReadUnitsPerSecond"] == 20000


def test_a_provisioned_update_is_still_refused_on_an_on_demand_table(ddb):
    name = unique("gsi-ppr")
    create(ddb, name)
    with pytest.raises(ClientError) as e:
        ddb.update_table(
            TableName=name,
            GlobalSecondaryIndexUpdates=[
                {"Update": {"IndexName": "byG", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}
            ],
        )
    assert e.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: The only Updates for index: byG when TableThroughputMode "
        "is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput"
    )


def test_members_are_read_as_the_tables_own_are(endpoint):
    raw = make_client(endpoint, parameter_validation=False, retries={"total_max_attempts": 1})
    for where in ("OnDemandThroughput", "WarmThroughput"):
        member = "MaxReadRequestUnits" if where == "OnDemandThroughput" else "ReadUnitsPerSecond"
        for table_level in (True, False):
            bad = {where: {member: "many"}}
            with pytest.raises(ClientError) as e:
                raw.create_table(
                    TableName=unique("gsi-bad"),
                    BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=DEFS[:2],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    GlobalSecondaryIndexes=[gsi("byG", "g", **({} if table_level else bad))],
                    **(bad if table_level else {}),
                )
            assert e.value.response["Error"]["Code"] == "SerializationException"
            assert e.value.response["Error"]["Message"] == "STRING_VALUE cannot be converted to Long"


def test_index_settings_survive_a_restart(tmp_path):
    data = str(tmp_path / "data")
    s = SiltdbProcess("--data-dir", data)
    try:
        ddb = make_client(s.endpoint)
        create(ddb, "kept")
        before = index(ddb.describe_table(TableName="kept")["Table"], "byG")
    finally:
        assert s.stop() == 0
    s = SiltdbProcess("--data-dir", data)
    try:
        after = index(make_client(s.endpoint).describe_table(TableName="kept")["Table"], "byG")
    finally:
        assert s.stop() == 0
    assert after == before
    assert after["OnDemandThroughput"] == {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}
    assert after["WarmThroughput"]["WriteUnitsPerSecond"] == 5000
