"""On-demand backups through boto3: CreateBackup, DescribeBackup,
ListBackups (and its paginator), DeleteBackup, RestoreTableFromBackup
(CREATING with a RestoreSummary, then ACTIVE through the table_exists
waiter, indexes rebuilt), the exceptions boto3 models for them, and a
backup that outlives its table and a server restart."""

import time

import pytest
from botocore.exceptions import ClientError

from conftest import SiltdbProcess, make_client, unique


def make_source(ddb, name: str, n: int) -> list[dict]:
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    items = []
    for i in range(n):
        item = {"pk": {"S": f"k{i:03}"}, "g": {"S": f"g{i % 4}"}, "v": {"N": str(i)}}
        ddb.put_item(TableName=name, Item=item)
        items.append(item)
    return items


def scan(ddb, name: str) -> list[dict]:
    pages = ddb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True)
    return sorted((i for p in pages for i in p["Items"]), key=lambda i: i["pk"]["S"])


def wait_active(ddb, name: str) -> dict:
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    for _ in range(300):
        t = ddb.describe_table(TableName=name)["Table"]
        if t["TableStatus"] == "ACTIVE":
            return t
        time.sleep(0.05)
    raise AssertionError(f"{name} never became ACTIVE")


def error_code(e: ClientError) -> str:
    return e.response["Error"]["Code"]


def test_backup_restore_round_trip(ddb):
    src = unique("Src")
    items = make_source(ddb, src, 40)
    details = ddb.create_backup(TableName=src, BackupName="nightly")["BackupDetails"]
    assert details["BackupStatus"] == "AVAILABLE"
    assert details["BackupType"] == "USER"
    assert details["BackupSizeBytes"] > 0
    arn = details["BackupArn"]
    assert f":table/{src}/backup/" in arn

    desc = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert desc["SourceTableDetails"]["TableName"] == src
    assert desc["SourceTableDetails"]["ItemCount"] == 40
    assert desc["SourceTableFeatureDetails"]["GlobalSecondaryIndexes"][0]["IndexName"] == "ByG"

    # Later writes and DeleteTable do not reach the backup.
    ddb.put_item(TableName=src, Item={"pk": {"S": "late"}, "g": {"S": "g0"}})
    ddb.delete_table(TableName=src)

    target = unique("Restored")
    out = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    summary = out["TableDescription"]["RestoreSummary"]
    assert summary["SourceBackupArn"] == arn
    assert summary["SourceTableArn"].endswith(f":table/{src}")
    t = wait_active(ddb, target)
    assert t["RestoreSummary"]["RestoreInProgress"] is False
    assert scan(ddb, target) == sorted(items, key=lambda i: i["pk"]["S"])
    q = ddb.query(
        TableName=target,
        IndexName="ByG",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "g1"}},
    )
    assert q["Count"] == 10

    with pytest.raises(ClientError) as e:
        ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    assert error_code(e.value) == "TableAlreadyExistsException"

    deleted = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    with pytest.raises(ClientError) as e:
        ddb.describe_backup(BackupArn=arn)
    assert error_code(e.value) == "BackupNotFoundException"
    assert e.value.response["Error"]["Message"] == f"Backup not found: {arn}"


def test_list_backups_filters_and_pages(ddb):
    src = unique("Lst")
    make_source(ddb, src, 3)
    arns = [ddb.create_backup(TableName=src, BackupName=f"b-{k}")["BackupDetails"]["BackupArn"] for k in range(3)]
    listed = ddb.list_backups(TableName=src)["BackupSummaries"]
    assert [b["BackupArn"] for b in listed] == arns
    assert all(b["TableName"] == src and b["BackupStatus"] == "AVAILABLE" for b in listed)
    page = ddb.list_backups(TableName=src, Limit=2)
    assert len(page["BackupSummaries"]) == 2
    assert page["LastEvaluatedBackupArn"] == arns[1]
    rest = ddb.list_backups(TableName=src, ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
    assert [b["BackupArn"] for b in rest["BackupSummaries"]] == [arns[2]]
    pages = ddb.get_paginator("list_backups").paginate(TableName=src, PaginationConfig={"PageSize": 1})
    assert [b["BackupArn"] for p in pages for b in p["BackupSummaries"]] == arns
    assert ddb.list_backups(TableName=src, BackupType="SYSTEM")["BackupSummaries"] == []
    with pytest.raises(ClientError) as e:
        ddb.list_backups(Limit=101)
    assert error_code(e.value) == "ValidationException"


def test_backup_errors(ddb):
    with pytest.raises(ClientError) as e:
        ddb.create_backup(TableName=unique("Missing"), BackupName="x-1")
    assert error_code(e.value) == "TableNotFoundException"
    with pytest.raises(ClientError) as e:
        ddb.create_backup(TableName=unique("Missing"), BackupName="bad name")
    assert error_code(e.value) == "ValidationException"
    fake = "arn:aws:dynamodb:us-east-1:000000000000:table/Nope/backup/01733000000000-0a1b2c3d"
    for call in (ddb.describe_backup, ddb.delete_backup):
        with pytest.raises(ClientError) as e:
            call(BackupArn=fake)
        assert error_code(e.value) == "BackupNotFoundException"


def test_restore_with_overrides(ddb):
    src = unique("Ovr")
    make_source(ddb, src, 8)
    arn = ddb.create_backup(TableName=src, BackupName="ovr")["BackupDetails"]["BackupArn"]
    target = unique("NoIdx")
    ddb.restore_table_from_backup(
        TargetTableName=target,
        BackupArn=arn,
        GlobalSecondaryIndexOverride=[],
        BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 4, "WriteCapacityUnits": 2},
        SSESpecificationOverride={"Enabled": False},
    )
    t = wait_active(ddb, target)
    assert "GlobalSecondaryIndexes" not in t
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 4
    assert t["ItemCount"] == 8


def test_backups_survive_a_restart(tmp_path):
    data = str(tmp_path / "data")
    s = SiltdbProcess("--data-dir", data)
    try:
        ddb = make_client(s.endpoint)
        src = unique("Dur")
        items = make_source(ddb, src, 12)
        arn = ddb.create_backup(TableName=src, BackupName="dur")["BackupDetails"]["BackupArn"]
        ddb.delete_table(TableName=src)
    finally:
        assert s.stop() == 0, "".join(s.log)
    s = SiltdbProcess("--data-dir", data)
    try:
        ddb = make_client(s.endpoint)
        assert [b["BackupArn"] for b in ddb.list_backups()["BackupSummaries"]] == [arn]
        ddb.restore_table_from_backup(TargetTableName="again", BackupArn=arn)
        wait_active(ddb, "again")
        assert scan(ddb, "again") == sorted(items, key=lambda i: i["pk"]["S"])
    finally:
        assert s.stop() == 0, "".join(s.log)
