"""Point-in-time recovery through boto3: DescribeContinuousBackups before
and after UpdateContinuousBackups, RestoreTableToPointInTime to a past
second and to the latest restorable time (CREATING with a RestoreSummary,
then ACTIVE, its index rebuilt), and the exceptions boto3 models for them."""

import datetime
import time

import pytest
from botocore.exceptions import ClientError

from test_backups import error_code, make_source, scan, wait_active
from conftest import unique


def enable(ddb, name: str, days: int | None = None) -> dict:
    spec = {"PointInTimeRecoveryEnabled": True}
    if days is not None:
        spec["RecoveryPeriodInDays"] = days
    return ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=spec)[
        "ContinuousBackupsDescription"
    ]


def test_describe_and_update_continuous_backups(ddb):
    src = unique("Pitr")
    make_source(ddb, src, 3)
    d = ddb.describe_continuous_backups(TableName=src)["ContinuousBackupsDescription"]
    assert d == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }
    before = datetime.datetime.now(datetime.timezone.utc)
    d = enable(ddb, src, 7)["PointInTimeRecoveryDescription"]
    assert d["PointInTimeRecoveryStatus"] == "ENABLED"
    assert d["RecoveryPeriodInDays"] == 7
    assert isinstance(d["EarliestRestorableDateTime"], datetime.datetime)
    assert abs((d["EarliestRestorableDateTime"] - before).total_seconds()) < 5
    assert d["LatestRestorableDateTime"] >= d["EarliestRestorableDateTime"]
    d = ddb.describe_continuous_backups(TableName=src)["ContinuousBackupsDescription"]
    assert d["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 7
    # Default period: 35 days.
    other = unique("Pitr")
    make_source(ddb, other, 1)
    assert enable(ddb, other)["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 35
    d = ddb.update_continuous_backups(
        TableName=src, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )["ContinuousBackupsDescription"]
    assert d["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}


def test_restore_to_a_past_second_and_to_the_latest_time(ddb):
    src = unique("PitrSrc")
    make_source(ddb, src, 0)
    enable(ddb, src, 1)
    # Start in a fresh second so the first batch shares no second with
    # the enabling.
    time.sleep(1.1)
    first = [{"pk": {"S": f"a{i}"}, "g": {"S": "old"}} for i in range(20)]
    for item in first:
        ddb.put_item(TableName=src, Item=item)
    middle = time.time()
    # The second batch is written in a later second than `middle`'s.
    time.sleep(max(0.0, int(middle) + 1.2 - time.time()))
    for i in range(20):
        ddb.put_item(TableName=src, Item={"pk": {"S": f"a{i}"}, "g": {"S": "new"}})
    ddb.delete_item(TableName=src, Key={"pk": {"S": "a0"}})

    target = unique("PitrOld")
    out = ddb.restore_table_to_point_in_time(
        SourceTableName=src,
        TargetTableName=target,
        RestoreDateTime=datetime.datetime.fromtimestamp(middle, datetime.timezone.utc),
    )
    summary = out["TableDescription"]["RestoreSummary"]
    assert summary["RestoreInProgress"] is True
    assert summary["SourceTableArn"].endswith(f":table/{src}")
    assert "SourceBackupArn" not in summary
    assert out["TableDescription"]["TableStatus"] == "CREATING"
    t = wait_active(ddb, target)
    assert t["RestoreSummary"]["RestoreInProgress"] is False
    assert scan(ddb, target) == sorted(first, key=lambda i: i["pk"]["S"])
    got = ddb.query(
        TableName=target,
        IndexName="ByG",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "old"}},
    )
    assert got["Count"] == 20

    latest = unique("PitrNow")
    arn = ddb.describe_table(TableName=src)["Table"]["TableArn"]
    ddb.restore_table_to_point_in_time(
        SourceTableArn=arn, TargetTableName=latest, UseLatestRestorableTime=True
    )
    wait_active(ddb, latest)
    assert scan(ddb, latest) == scan(ddb, src)


def test_restore_to_point_in_time_errors(ddb):
    src = unique("PitrErr")
    make_source(ddb, src, 2)
    with pytest.raises(ddb.exceptions.PointInTimeRecoveryUnavailableException):
        ddb.restore_table_to_point_in_time(
            SourceTableName=src, TargetTableName=unique("X"), UseLatestRestorableTime=True
        )
    enable(ddb, src, 1)
    with pytest.raises(ddb.exceptions.InvalidRestoreTimeException):
        ddb.restore_table_to_point_in_time(
            SourceTableName=src,
            TargetTableName=unique("X"),
            RestoreDateTime=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1),
        )
    with pytest.raises(ddb.exceptions.InvalidRestoreTimeException):
        ddb.restore_table_to_point_in_time(
            SourceTableName=src,
            TargetTableName=unique("X"),
            RestoreDateTime=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1),
        )
    with pytest.raises(ddb.exceptions.TableAlreadyExistsException):
        ddb.restore_table_to_point_in_time(
            SourceTableName=src, TargetTableName=src, UseLatestRestorableTime=True
        )
    with pytest.raises(ddb.exceptions.TableNotFoundException):
        ddb.restore_table_to_point_in_time(
            SourceTableName=unique("Missing"), TargetTableName=unique("X"), UseLatestRestorableTime=True
        )
    with pytest.raises(ddb.exceptions.TableNotFoundException):
        ddb.describe_continuous_backups(TableName=unique("Missing"))
    with pytest.raises(ddb.exceptions.TableNotFoundException):
        ddb.update_continuous_backups(
            TableName=unique("Missing"),
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    with pytest.raises(ClientError) as e:
        ddb.update_continuous_backups(
            TableName=src,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 36},
        )
    assert error_code(e.value) == "ValidationException"
