"""Export to and import from S3 through boto3, with `siltdb serve
--s3-root DIR` standing for S3: ExportTableToPointInTime (DynamoDB's
layout under the bucket and prefix), DescribeExport, ListExports,
ImportTable (reading that export back, and CSV), DescribeImport,
ListImports, and their errors: ImportConflictException,
ImportNotFoundException, ExportNotFoundException, ResourceInUseException
for an existing table, a missing bucket; a server without --s3-root
refuses; an export survives a restart; a table without point-in-time
recovery is refused (PointInTimeRecoveryUnavailableException); an
ExportTime in the past exports the table as it was then, one outside the
recovery window is InvalidExportTimeException; an INCREMENTAL_EXPORT in
ION of a real 20-minute period (the server's clock moved by libfaketime),
read through its manifest with Amazon's own Ion reader."""

import datetime
import gzip
import json
import os
import time
from decimal import Decimal
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import SiltdbProcess, make_client, unique

# Debian's libfaketime (`apt-get install faketime`; .ci/run installs it),
# or $FAKETIME_LIB.
FAKETIME_LIBS = [
    os.environ.get("FAKETIME_LIB", ""),
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
]


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    root = tmp_path_factory.mktemp("s3")
    (root / "bucket").mkdir()
    return root


@pytest.fixture(scope="module")
def served(s3, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    p = SiltdbProcess("--data-dir", str(data), "--s3-root", str(s3))
    yield p, data
    assert p.stop() == 0, "".join(p.log)


@pytest.fixture(scope="module")
def ddb(served):
    return make_client(served[0].endpoint)


def enable_pitr(ddb, name):
    """ExportTableToPointInTime requires point-in-time recovery."""
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )


def make_table(ddb, name, n, pitr=True):
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    if pitr:
        enable_pitr(ddb, name)
    items = []
    for i in range(n):
        item = {
            "pk": {"S": f"k{i:03}"},
            "g": {"S": f"g{i % 3}"},
            "n": {"N": str(i)},
            "b": {"B": bytes([i % 256])},
            "ss": {"SS": ["a", f"s{i}"]},
            "m": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": True}]}}},
        }
        ddb.put_item(TableName=name, Item=item)
        items.append(item)
    return items


def scan(ddb, name):
    return sorted(
        (i for page in ddb.get_paginator("scan").paginate(TableName=name) for i in page["Items"]),
        key=lambda i: i["pk"]["S"],
    )


def wait_export(ddb, arn):
    for _ in range(600):
        d = ddb.describe_export(ExportArn=arn)["ExportDescription"]
        if d["ExportStatus"] != "IN_PROGRESS":
            return d
        time.sleep(0.05)
    raise AssertionError(f"export stuck: {d}")


def wait_import(ddb, arn):
    for _ in range(600):
        d = ddb.describe_import(ImportArn=arn)["ImportTableDescription"]
        if d["ImportStatus"] != "IN_PROGRESS":
            return d
        time.sleep(0.05)
    raise AssertionError(f"import stuck: {d}")


def creation(name, gsi=False):
    p = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if gsi:
        p["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        p["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "ByG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    return p


def test_export_then_import_round_trip(ddb, s3):
    src = unique("src")
    items = make_table(ddb, src, 40)
    arn = ddb.describe_table(TableName=src)["Table"]["TableArn"]
    started = ddb.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="bucket", S3Prefix="exp", ExportFormat="DYNAMODB_JSON"
    )["ExportDescription"]
    assert started["ExportStatus"] == "IN_PROGRESS"
    assert started["ExportArn"].startswith(arn + "/export/")
    done = wait_export(ddb, started["ExportArn"])
    assert done["ExportStatus"] == "COMPLETED"
    assert done["ItemCount"] == 40
    assert done["ExportType"] == "FULL_EXPORT"
    export_id = started["ExportArn"].rsplit("/", 1)[1]
    base = s3 / "bucket" / "exp" / "AWSDynamoDB" / export_id
    assert (base / "_started").exists()
    summary = json.loads((base / "manifest-summary.json").read_text())
    assert summary["itemCount"] == 40 and summary["outputFormat"] == "DYNAMODB_JSON"
    assert done["ExportManifest"] == f"exp/AWSDynamoDB/{export_id}/manifest-summary.json"
    lines = []
    for entry in (base / "manifest-files.json").read_text().splitlines():
        f = json.loads(entry)
        data = (s3 / "bucket" / f["dataFileS3Key"]).read_bytes()
        lines += gzip.decompress(data).decode().splitlines()
        assert set(f) == {"itemCount", "md5Checksum", "etag", "dataFileS3Key"}
    assert len(lines) == 40 and all(json.loads(l).keys() == {"Item"} for l in lines)

    listed = ddb.list_exports(TableArn=arn)["ExportSummaries"]
    assert {"ExportArn": started["ExportArn"], "ExportStatus": "COMPLETED", "ExportType": "FULL_EXPORT"} in listed

    copy = unique("copy")
    imp = ddb.import_table(
        S3BucketSource={"S3Bucket": "bucket", "S3KeyPrefix": f"exp/AWSDynamoDB/{export_id}/data/"},
        InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP",
        TableCreationParameters=creation(copy, gsi=True),
    )["ImportTableDescription"]
    assert imp["ImportStatus"] == "IN_PROGRESS"
    done = wait_import(ddb, imp["ImportArn"])
    assert done["ImportStatus"] == "COMPLETED", done
    assert (done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == (40, 40, 0)
    assert scan(ddb, copy) == sorted(items, key=lambda i: i["pk"]["S"])
    got = ddb.query(
        TableName=copy, IndexName="ByG", KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "g1"}},
    )["Items"]
    assert len(got) == len([i for i in items if i["g"]["S"] == "g1"])
    summaries = ddb.list_imports(TableArn=done["TableArn"])["ImportSummaryList"]
    assert [s["ImportArn"] for s in summaries] == [imp["ImportArn"]]


def test_ion_export_round_trip(ddb):
    src = unique("ion")
    items = make_table(ddb, src, 12)
    arn = ddb.describe_table(TableName=src)["Table"]["TableArn"]
    e = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", ExportFormat="ION")["ExportDescription"]
    assert wait_export(ddb, e["ExportArn"])["ExportStatus"] == "COMPLETED"
    export_id = e["ExportArn"].rsplit("/", 1)[1]
    copy = unique("ioncopy")
    imp = ddb.import_table(
        S3BucketSource={"S3Bucket": "bucket", "S3KeyPrefix": f"AWSDynamoDB/{export_id}/data/"},
        InputFormat="ION",
        InputCompressionType="GZIP",
        TableCreationParameters=creation(copy),
    )["ImportTableDescription"]
    assert wait_import(ddb, imp["ImportArn"])["ImportStatus"] == "COMPLETED"
    assert scan(ddb, copy) == sorted(items, key=lambda i: i["pk"]["S"])


def test_csv_import_counts_bad_rows(ddb, s3):
    (s3 / "bucket" / "csv").mkdir(exist_ok=True)
    (s3 / "bucket" / "csv" / "rows.csv").write_text("pk,city\na,Paris\nb,Lyon,extra\nc,Nice\n")
    name = unique("csv")
    imp = ddb.import_table(
        S3BucketSource={"S3Bucket": "bucket", "S3KeyPrefix": "csv/"},
        InputFormat="CSV",
        TableCreationParameters=creation(name),
    )["ImportTableDescription"]
    done = wait_import(ddb, imp["ImportArn"])
    assert done["ImportStatus"] == "FAILED"
    assert done["FailureCode"] == "ItemValidationError"
    assert (done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == (3, 2, 1)
    assert [i["city"]["S"] for i in scan(ddb, name)] == ["Paris", "Nice"]


def test_import_errors(ddb):
    name = unique("exists")
    make_table(ddb, name, 1, pitr=False)
    with pytest.raises(ClientError) as e:
        ddb.import_table(
            S3BucketSource={"S3Bucket": "bucket"}, InputFormat="CSV", TableCreationParameters=creation(name)
        )
    assert e.value.response["Error"]["Code"] == "ResourceInUseException"
    assert e.value.response["Error"]["Message"] == f"Table already exists: {name}"

    token = unique("tok")
    first = ddb.import_table(
        ClientToken=token, S3BucketSource={"S3Bucket": "bucket", "S3KeyPrefix": "csv/"},
        InputFormat="CSV", TableCreationParameters=creation(unique("tok")),
    )["ImportTableDescription"]
    with pytest.raises(ClientError) as e:
        ddb.import_table(
            ClientToken=token, S3BucketSource={"S3Bucket": "bucket", "S3KeyPrefix": "other/"},
            InputFormat="CSV", TableCreationParameters=creation(unique("tok")),
        )
    assert e.value.response["Error"]["Code"] == "ImportConflictException"
    wait_import(ddb, first["ImportArn"])

    with pytest.raises(ClientError) as e:
        ddb.describe_import(ImportArn=first["ImportArn"][:-8] + "00000000")
    assert e.value.response["Error"]["Code"] == "ImportNotFoundException"

    missing = unique("nobucket")
    d = ddb.import_table(
        S3BucketSource={"S3Bucket": "no-such-bucket"}, InputFormat="CSV", TableCreationParameters=creation(missing)
    )["ImportTableDescription"]
    d = wait_import(ddb, d["ImportArn"])
    assert (d["ImportStatus"], d["FailureCode"]) == ("FAILED", "S3NoSuchBucket")
    assert missing not in ddb.list_tables()["TableNames"]


def test_export_errors(ddb):
    with pytest.raises(ClientError) as e:
        ddb.describe_export(ExportArn="arn:aws:dynamodb:us-east-1:000000000000:table/x/export/01234567890123-a1b2c3d4")
    assert e.value.response["Error"]["Code"] == "ExportNotFoundException"
    with pytest.raises(ClientError) as e:
        ddb.export_table_to_point_in_time(
            TableArn="arn:aws:dynamodb:us-east-1:000000000000:table/nope", S3Bucket="bucket"
        )
    assert e.value.response["Error"]["Code"] == "TableNotFoundException"
    plain = unique("nopitr")
    make_table(ddb, plain, 1, pitr=False)
    plain_arn = ddb.describe_table(TableName=plain)["Table"]["TableArn"]
    with pytest.raises(ClientError) as e:
        ddb.export_table_to_point_in_time(TableArn=plain_arn, S3Bucket="bucket")
    assert e.value.response["Error"]["Code"] == "PointInTimeRecoveryUnavailableException"
    assert e.value.response["Error"]["Message"] == (
        "Point in time recovery has not yet been enabled for this source table."
    )
    assert ddb.list_exports(TableArn=plain_arn)["ExportSummaries"] == []
    name = unique("inc")
    make_table(ddb, name, 1)
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    with pytest.raises(ClientError) as e:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", ExportType="INCREMENTAL_EXPORT")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "ExportFromTime is required" in e.value.response["Error"]["Message"]
    # Before point-in-time recovery was enabled, or in the future.
    for when in (time.time() - 86400, time.time() + 3600):
        with pytest.raises(ClientError) as e:
            ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", ExportTime=when)
        assert e.value.response["Error"]["Code"] == "InvalidExportTimeException"
        assert e.value.response["Error"]["Message"].startswith(
            "The specified ExportTime is outside of the point in time recovery window"
        )


def read_export(s3, manifest_key):
    """Every line of the data files of the export whose summary is
    `manifest_key`, parsed."""
    summary = json.loads((s3 / "bucket" / manifest_key).read_text())
    lines = []
    for entry in (s3 / "bucket" / summary["manifestFilesS3Key"]).read_text().splitlines():
        data = (s3 / "bucket" / json.loads(entry)["dataFileS3Key"]).read_bytes()
        lines += [json.loads(l) for l in gzip.decompress(data).decode().splitlines()]
    return summary, lines


def test_export_of_a_past_second(ddb, s3):
    name = unique("past")
    make_table(ddb, name, 0)
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    # Writes in a later second than the enabling, and than `middle`.
    time.sleep(1.1)
    for i in range(10):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"a{i}"}, "v": {"S": "old"}})
    middle = time.time()
    time.sleep(max(0.0, int(middle) + 1.2 - time.time()))
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"a{i}"}, "v": {"S": "new"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a9"}})
    e = ddb.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="bucket", S3Prefix="past", ExportTime=middle
    )["ExportDescription"]
    assert abs(e["ExportTime"].timestamp() - middle) < 0.002
    done = wait_export(ddb, e["ExportArn"])
    assert done["ExportStatus"] == "COMPLETED", done
    _, lines = read_export(s3, done["ExportManifest"])
    assert sorted((l["Item"]["pk"]["S"], l["Item"]["v"]["S"]) for l in lines) == [
        (f"a{i}", "old") for i in range(10)
    ]


def test_paging(ddb):
    name = unique("pages")
    make_table(ddb, name, 1)
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    arns = [
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket")["ExportDescription"]["ExportArn"]
        for _ in range(3)
    ]
    seen, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = ddb.list_exports(TableArn=arn, MaxResults=2, **kw)
        seen += [s["ExportArn"] for s in page["ExportSummaries"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == arns
    for a in arns:
        wait_export(ddb, a)


def test_without_s3_root_refused():
    p = SiltdbProcess("--in-memory")
    try:
        c = make_client(p.endpoint)
        with pytest.raises(ClientError) as e:
            c.list_imports()
        assert e.value.response["Error"]["Code"] == "ValidationException"
        assert "--s3-root" in e.value.response["Error"]["Message"]
    finally:
        assert p.stop() == 0


def test_records_survive_a_restart(s3, tmp_path):
    data = tmp_path / "data"
    p = SiltdbProcess("--data-dir", str(data), "--s3-root", str(s3))
    c = make_client(p.endpoint)
    make_table(c, "Tab", 3)
    arn = c.describe_table(TableName="Tab")["Table"]["TableArn"]
    e = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket")["ExportDescription"]
    wait_export(c, e["ExportArn"])
    assert p.stop() == 0
    p = SiltdbProcess("--data-dir", str(data), "--s3-root", str(s3))
    try:
        c = make_client(p.endpoint)
        d = c.describe_export(ExportArn=e["ExportArn"])["ExportDescription"]
        assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == 3
    finally:
        assert p.stop() == 0


def test_incremental_export_requests_are_checked(ddb):
    """An incremental export's period and window are checked before anything
    starts (exports of real periods: s3_incremental_export.rs, which moves
    an injected clock, and test_incremental_ion_export_read_through_its_manifest,
    which moves the server's under libfaketime)."""
    name = unique("incr")
    make_table(ddb, name, 1)
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    now = time.time()

    def export(start, end, **kw):
        spec = {"ExportFromTime": start, "ExportViewType": "NEW_IMAGE"}
        if end is not None:
            spec["ExportToTime"] = end
        return ddb.export_table_to_point_in_time(
            TableArn=arn, S3Bucket="bucket", ExportType="INCREMENTAL_EXPORT",
            IncrementalExportSpecification=spec, **kw,
        )

    for start, end, code, words in [
        (now - 600, now, "ValidationException", "at least 15 minutes"),
        (now - 26 * 3600, now - 3600, "ValidationException", "at most 24 hours"),
        (now, now - 1800, "ValidationException", "must be before ExportToTime"),
        # Before point-in-time recovery was enabled on the table.
        (now - 1800, None, "InvalidExportTimeException", "point in time recovery window"),
    ]:
        with pytest.raises(ClientError) as e:
            export(start, end)
        assert e.value.response["Error"]["Code"] == code, (start, end)
        assert words in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        export(now - 1800, None, ExportTime=now)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    plain = unique("incrplain")
    make_table(ddb, plain, 1, pitr=False)
    with pytest.raises(ClientError) as e:
        ddb.export_table_to_point_in_time(
            TableArn=ddb.describe_table(TableName=plain)["Table"]["TableArn"], S3Bucket="bucket",
            ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification={"ExportFromTime": now - 1800},
        )
    assert e.value.response["Error"]["Code"] == "PointInTimeRecoveryUnavailableException"
    assert ddb.list_exports(TableArn=arn)["ExportSummaries"] == []


def server_now(ddb, name):
    """The server's clock: LatestRestorableDateTime is now (README,
    "Differences from DynamoDB")."""
    d = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    return d["PointInTimeRecoveryDescription"]["LatestRestorableDateTime"]


def test_incremental_ion_export_read_through_its_manifest(s3, tmp_path):
    """An INCREMENTAL_EXPORT with ExportFormat ION of a 20-minute period:
    its data files, found through manifest-files.json in the shared
    AWSDynamoDB/data/ folder, parse with amazon.ion into lines of the
    DynamoDB JSON line's shape (Keys, Metadata.WriteTimestampMicros,
    NewImage, OldImage) holding the period's changes, every value typed
    by the Ion mapping. A period is at least 15 minutes inside the
    recovery window, which starts when recovery is enabled: the server runs
    under libfaketime, its clock 40 minutes behind, then moved 21 minutes
    on by rewriting the offset file it reads (at most once a second)."""
    lib = next((l for l in FAKETIME_LIBS if l and Path(l).exists()), None)
    if lib is None:
        pytest.fail("libfaketime not found: apt-get install faketime, or set FAKETIME_LIB")
    from amazon.ion import simpleion
    from amazon.ion.core import IonType

    offset = tmp_path / "faketime"
    offset.write_text("-40m\n")
    env = {
        "LD_PRELOAD": lib,
        "FAKETIME_TIMESTAMP_FILE": str(offset),
        "FAKETIME_CACHE_DURATION": "1",
        # Timers and timeouts keep real time; only the wall clock moves.
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }
    p = SiltdbProcess("--data-dir", str(tmp_path / "data"), "--s3-root", str(s3), env=env)
    try:
        c = make_client(p.endpoint)
        name = "Inc"
        make_table(c, name, 0)
        assert abs(server_now(c, name).timestamp() - (time.time() - 2400)) < 120, "clock not moved"
        for i in range(4):
            c.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"N": str(i)}})
        time.sleep(1.1)
        start = server_now(c, name)
        rich = {
            "n": {"N": "-1.5E-7"},
            "b": {"B": bytes([0, 1, 255])},
            "ss": {"SS": ["a", "b"]},
            "ns": {"NS": ["1", "2.5"]},
            "bs": {"BS": [bytes([9])]},
            "m": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": True}, {"S": "x"}]}}},
        }
        c.put_item(TableName=name, Item={"pk": {"S": "k0"}, "v": {"N": "100"}, **rich})
        c.delete_item(TableName=name, Key={"pk": {"S": "k1"}})
        c.put_item(TableName=name, Item={"pk": {"S": "new"}, "v": {"N": "7"}})
        offset.write_text("-19m\n")
        time.sleep(2.1)
        end = server_now(c, name)
        assert (end - start).total_seconds() >= 21 * 60, (start, end)
        arn = c.describe_table(TableName=name)["Table"]["TableArn"]
        e = c.export_table_to_point_in_time(
            TableArn=arn, S3Bucket="bucket", S3Prefix="inc-ion", ExportFormat="ION",
            ExportType="INCREMENTAL_EXPORT",
            IncrementalExportSpecification={
                "ExportFromTime": start, "ExportToTime": end, "ExportViewType": "NEW_AND_OLD_IMAGES",
            },
        )["ExportDescription"]
        assert (e["ExportFormat"], e["ExportType"]) == ("ION", "INCREMENTAL_EXPORT")
        done = wait_export(c, e["ExportArn"])
        assert done["ExportStatus"] == "COMPLETED", done
        assert done["ItemCount"] == 3

        summary = json.loads((s3 / "bucket" / done["ExportManifest"]).read_text())
        assert (summary["outputFormat"], summary["exportType"]) == ("ION", "INCREMENTAL_EXPORT")
        lines = {}
        for entry in (s3 / "bucket" / summary["manifestFilesS3Key"]).read_text().splitlines():
            key = json.loads(entry)["dataFileS3Key"]
            assert key.startswith("inc-ion/AWSDynamoDB/data/") and key.endswith(".ion.gz"), key
            text = gzip.decompress((s3 / "bucket" / key).read_bytes()).decode()
            for line in text.splitlines():
                assert line.startswith("$ion_1_0 {"), line
                value = simpleion.loads(line)
                lines[value["Keys"]["pk"]] = value
        assert sorted(lines) == ["k0", "k1", "new"]
        # ExportToTime (exclusive) less a microsecond: siltdb keeps no
        # write times (format-spec/transfers.md).
        to = datetime.datetime.fromisoformat(summary["exportToTime"].replace("Z", "+00:00"))
        assert abs((to - end).total_seconds()) < 0.002
        micros = round(to.timestamp() * 1000) * 1000 - 1
        for l in lines.values():
            assert dict(l["Metadata"]) == {"WriteTimestampMicros": Decimal(micros)}
        assert set(lines["k0"]) == {"Keys", "Metadata", "NewImage", "OldImage"}
        assert set(lines["k1"]) == {"Keys", "Metadata", "OldImage"}
        assert set(lines["new"]) == {"Keys", "Metadata", "NewImage"}
        assert dict(lines["k0"]["OldImage"]) == {"pk": "k0", "v": Decimal(0)}
        assert dict(lines["k1"]["OldImage"]) == {"pk": "k1", "v": Decimal(1)}
        assert dict(lines["new"]["NewImage"]) == {"pk": "new", "v": Decimal(7)}
        new = lines["k0"]["NewImage"]
        assert (new["v"], new["n"], new["b"]) == (Decimal(100), Decimal("-1.5E-7"), bytes([0, 1, 255]))
        for attr, annotation, elements in [
            ("ss", "$dynamodb_SS", ["a", "b"]),
            ("ns", "$dynamodb_NS", [Decimal(1), Decimal("2.5")]),
            ("bs", "$dynamodb_BS", [bytes([9])]),
        ]:
            assert [a.text for a in new[attr].ion_annotations] == [annotation]
            assert sorted(new[attr]) == elements
        l = new["m"]["l"]
        assert [v.ion_type for v in l] == [IonType.NULL, IonType.BOOL, IonType.STRING]
        assert list(l[1:]) == [True, "x"]
    finally:
        assert p.stop() == 0, "".join(p.log)
