"""SIGKILL of `siltdb serve --s3-root` during an export and during an
import: after a restart, an interrupted export or import is FAILED, never
COMPLETED; a COMPLETED export has every file its manifests name, with the
MD5 they give; a COMPLETED import has every item."""

import base64
import hashlib
import json
import time

from conftest import SiltdbProcess, make_client


def fill(c, name, n):
    c.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    # ExportTableToPointInTime requires point-in-time recovery.
    c.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    pad = "x" * 2000
    for start in range(0, n, 25):
        c.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {"pk": {"S": f"k{i:06}"}, "pad": {"S": pad}}}}
                    for i in range(start, min(n, start + 25))
                ]
            }
        )


def check_export_files(s3, bucket, summary_key):
    summary = json.loads((s3 / bucket / summary_key).read_text())
    total = 0
    for line in (s3 / bucket / summary["manifestFilesS3Key"]).read_text().splitlines():
        f = json.loads(line)
        data = (s3 / bucket / f["dataFileS3Key"]).read_bytes()
        assert base64.b64encode(hashlib.md5(data).digest()).decode() == f["md5Checksum"]
        total += f["itemCount"]
    assert total == summary["itemCount"]


def test_sigkill_during_export_and_import(tmp_path):
    s3 = tmp_path / "s3"
    (s3 / "bucket").mkdir(parents=True)
    data = tmp_path / "data"
    args = ("--data-dir", str(data), "--s3-root", str(s3))
    p = SiltdbProcess(*args)
    c = make_client(p.endpoint)
    n = 4000
    fill(c, "Big", n)
    arn = c.describe_table(TableName="Big")["Table"]["TableArn"]
    first = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", S3Prefix="done")["ExportDescription"]
    while c.describe_export(ExportArn=first["ExportArn"])["ExportDescription"]["ExportStatus"] == "IN_PROGRESS":
        time.sleep(0.05)
    killed = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", S3Prefix="killed")["ExportDescription"]
    p.proc.kill()
    p.proc.wait()

    p = SiltdbProcess(*args)
    c = make_client(p.endpoint)
    d = c.describe_export(ExportArn=killed["ExportArn"])["ExportDescription"]
    print("export after kill:", d["ExportStatus"])
    assert d["ExportStatus"] in ("FAILED", "COMPLETED"), d
    if d["ExportStatus"] == "COMPLETED":
        check_export_files(s3, "bucket", d["ExportManifest"])
    # Whatever summary exists leads to complete files.
    for summary in (s3 / "bucket").rglob("manifest-summary.json"):
        check_export_files(s3, "bucket", str(summary.relative_to(s3 / "bucket")))
    done = c.describe_export(ExportArn=first["ExportArn"])["ExportDescription"]
    assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == n

    export_id = first["ExportArn"].rsplit("/", 1)[1]
    imp = c.import_table(
        S3BucketSource={"S3Bucket": "bucket", "S3KeyPrefix": f"done/AWSDynamoDB/{export_id}/data/"},
        InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP",
        TableCreationParameters={
            "TableName": "Copy",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )["ImportTableDescription"]
    time.sleep(0.2)
    p.proc.kill()
    p.proc.wait()

    p = SiltdbProcess(*args)
    try:
        c = make_client(p.endpoint)
        d = c.describe_import(ImportArn=imp["ImportArn"])["ImportTableDescription"]
        print("import after kill:", d["ImportStatus"])
        assert d["ImportStatus"] in ("FAILED", "COMPLETED"), d
        if d["ImportStatus"] == "COMPLETED":
            count = c.scan(TableName="Copy", Select="COUNT")
            total = count["Count"]
            while "LastEvaluatedKey" in count:
                count = c.scan(TableName="Copy", Select="COUNT", ExclusiveStartKey=count["LastEvaluatedKey"])
                total += count["Count"]
            assert total == n
        else:
            assert d["FailureCode"] == "InternalServerError"
    finally:
        assert p.stop() == 0
