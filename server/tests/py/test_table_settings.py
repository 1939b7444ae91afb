"""Table settings a DynamoDB user sets and reads back, through boto3:
DeletionProtectionEnabled, TableClass / TableClassSummary,
OnDemandThroughput, WarmThroughput, SSESpecification / SSEDescription,
BillingModeSummary, a stable TableId, IndexArn, a TableName given as an
ARN — echoed by CreateTable, UpdateTable and DescribeTable, and kept over a
restart."""

import re

import pytest
from botocore.exceptions import ClientError

from conftest import SiltdbProcess, make_client, unique

KEYS = dict(
    AttributeDefinitions=[
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "g", "AttributeType": "S"},
    ],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
)
GSI = [
    {
        "IndexName": "byG",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }
]


def create(ddb, name, **extra):
    return ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=GSI, **KEYS, **extra
    )["TableDescription"]


def test_settings_are_echoed_by_create_and_describe(ddb):
    name = unique("settings")
    created = create(
        ddb,
        name,
        TableClass="STANDARD_INFREQUENT_ACCESS",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
        OnDemandThroughput={"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50},
        WarmThroughput={"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 4000},
    )
    for desc in (created, ddb.describe_table(TableName=name)["Table"]):
        assert desc["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
        sse = desc["SSEDescription"]
        assert (sse["Status"], sse["SSEType"]) == ("ENABLED", "KMS")
        assert sse["KMSMasterKeyArn"].endswith(":key/1234abcd-12ab-34cd-56ef-1234567890ab")
        assert desc["OnDemandThroughput"] == {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}
        assert desc["WarmThroughput"] == {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", desc["TableId"])
        assert desc["GlobalSecondaryIndexes"][0]["IndexArn"] == desc["TableArn"] + "/index/byG"
    assert created["TableId"] == ddb.describe_table(TableName=name)["Table"]["TableId"]


def test_defaults_show_warm_throughput_and_no_class_or_encryption(ddb):
    name = unique("defaults")
    desc = create(ddb, name)
    assert "TableClassSummary" not in desc
    assert "SSEDescription" not in desc
    assert "OnDemandThroughput" not in desc
    # Developer Guide: a new on-demand table starts at 12,000 / 4,000.
    assert desc["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "LastUpdateToPayPerRequestDateTime" in desc["BillingModeSummary"]


def test_update_table_changes_each_setting(ddb):
    name = unique("upd")
    create(ddb, name)
    out = ddb.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")["TableDescription"]
    summary = out["TableClassSummary"]
    assert summary["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    assert "LastUpdateDateTime" in summary
    out = ddb.update_table(TableName=name, SSESpecification={"Enabled": True})["TableDescription"]
    assert out["SSEDescription"]["KMSMasterKeyArn"].startswith("arn:aws:kms:")
    out = ddb.update_table(TableName=name, OnDemandThroughput={"MaxReadRequestUnits": 7})["TableDescription"]
    assert out["OnDemandThroughput"] == {"MaxReadRequestUnits": 7}
    out = ddb.update_table(TableName=name, WarmThroughput={"WriteUnitsPerSecond": 9000})["TableDescription"]
    assert out["WarmThroughput"]["WriteUnitsPerSecond"] == 9000
    # Warm throughput is never lowered.
    out = ddb.update_table(TableName=name, WarmThroughput={"WriteUnitsPerSecond": 5000})["TableDescription"]
    assert out["WarmThroughput"]["WriteUnitsPerSecond"] == 9000
    out = ddb.update_table(TableName=name, SSESpecification={"Enabled": False})["TableDescription"]
    assert "SSEDescription" not in out
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=name, TableClass="GLACIER")
    assert e.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'GLACIER' at 'tableClass' failed to satisfy constraint: "
        "Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]"
    )


def test_deletion_protection_refuses_delete_until_disabled(ddb):
    name = unique("protected")
    desc = create(ddb, name, DeletionProtectionEnabled=True)
    assert desc["DeletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as e:
        ddb.delete_table(TableName=name)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"] == (
        "Resource cannot be deleted as it is currently protected against deletion. "
        f"Disable deletion protection first. Table: {name}"
    )
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=name)


def test_table_name_may_be_an_arn(ddb):
    name = unique("byarn")
    arn = create(ddb, name)["TableArn"]
    assert ddb.describe_table(TableName=arn)["Table"]["TableName"] == name
    ddb.put_item(TableName=arn, Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    assert ddb.get_item(TableName=arn, Key={"pk": {"S": "a"}})["Item"]["g"] == {"S": "x"}
    assert ddb.query(
        TableName=arn, IndexName="byG", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "x"}}
    )["Count"] == 1
    ddb.update_table(TableName=arn, TableClass="STANDARD")
    ddb.delete_table(TableName=arn)


def test_settings_survive_a_restart(tmp_path):
    data = str(tmp_path / "data")
    s = SiltdbProcess("--data-dir", data)
    try:
        ddb = make_client(s.endpoint)
        create(
            ddb,
            "kept",
            TableClass="STANDARD_INFREQUENT_ACCESS",
            SSESpecification={"Enabled": True},
            OnDemandThroughput={"MaxWriteRequestUnits": 10},
            WarmThroughput={"ReadUnitsPerSecond": 20000},
            DeletionProtectionEnabled=True,
        )
        before = ddb.describe_table(TableName="kept")["Table"]
    finally:
        assert s.stop() == 0
    s = SiltdbProcess("--data-dir", data)
    try:
        after = make_client(s.endpoint).describe_table(TableName="kept")["Table"]
    finally:
        assert s.stop() == 0
    for k in ("TableId", "TableClassSummary", "SSEDescription", "OnDemandThroughput", "WarmThroughput", "DeletionProtectionEnabled"):
        assert after[k] == before[k], k
    assert after["WarmThroughput"]["ReadUnitsPerSecond"] == 20000


def test_switch_to_pay_per_request_is_dated_and_kept_over_a_restart(tmp_path):
    data = str(tmp_path / "data")
    s = SiltdbProcess("--data-dir", data)
    try:
        ddb = make_client(s.endpoint)
        created = ddb.create_table(
            TableName="switched",
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            AttributeDefinitions=KEYS["AttributeDefinitions"][:1],
            KeySchema=KEYS["KeySchema"],
        )["TableDescription"]
        # A table created PROVISIONED never switched: no date yet.
        assert created["BillingModeSummary"] == {"BillingMode": "PROVISIONED"}
        before_switch = ddb.describe_table(TableName="switched")["Table"]["CreationDateTime"]
        updated = ddb.update_table(TableName="switched", BillingMode="PAY_PER_REQUEST")["TableDescription"]
        summary = updated["BillingModeSummary"]
        assert summary["BillingMode"] == "PAY_PER_REQUEST"
        switched_at = summary["LastUpdateToPayPerRequestDateTime"]
        assert switched_at >= before_switch
        described = ddb.describe_table(TableName="switched")["Table"]["BillingModeSummary"]
        assert described == summary
    finally:
        assert s.stop() == 0
    s = SiltdbProcess("--data-dir", data)
    try:
        after = make_client(s.endpoint).describe_table(TableName="switched")["Table"]["BillingModeSummary"]
    finally:
        assert s.stop() == 0
    assert after == {"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": switched_at}
