"""Wire-level fidelity through boto3 and raw HTTP: compressed responses
and requests, CreateTable's CREATING answer, table names checked before any
lookup, the health answer to a GET."""

import gzip
import json
import zlib

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique
from test_http_edges import MAX_REQUEST_BYTES, SIGNED, post


def target(op):
    return {**SIGNED, "X-Amz-Target": f"DynamoDB_20120810.{op}"}


@pytest.fixture
def filled(ddb):
    name = create_table(ddb, unique("wire"))
    for i in range(40):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"S": "x" * 100}})
    return name


def test_large_responses_are_gzipped_when_asked(server, filled):
    body = json.dumps({"TableName": filled}).encode()
    status, headers, raw = post(server, body, {**target("Scan"), "Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert int(headers["x-amz-crc32"]) == zlib.crc32(raw)
    assert json.loads(gzip.decompress(raw))["Count"] == 40
    status, headers, raw = post(server, body, {**target("Scan"), "Accept-Encoding": "deflate"})
    assert headers["content-encoding"] == "deflate"
    assert json.loads(zlib.decompress(raw))["Count"] == 40
    # Not asked, or too small to gain: plain.
    status, headers, raw = post(server, body, target("Scan"))
    assert "content-encoding" not in headers
    assert json.loads(raw)["Count"] == 40
    status, headers, raw = post(server, b"{}", {**target("ListTables"), "Accept-Encoding": "gzip"})
    assert "content-encoding" not in headers


def test_gzip_request_bodies_are_read(server, filled):
    body = gzip.compress(json.dumps({"TableName": filled, "Key": {"pk": {"S": "k1"}}}).encode())
    status, _, raw = post(server, body, {**target("GetItem"), "Content-Encoding": "gzip"})
    assert status == 200, raw
    assert json.loads(raw)["Item"]["pk"] == {"S": "k1"}
    status, _, raw = post(server, b"not gzip", {**target("GetItem"), "Content-Encoding": "gzip"})
    assert status == 400
    assert json.loads(raw)["__type"] == "com.amazon.coral.service#SerializationException"


def test_a_gzip_bomb_is_refused_at_the_16_mib_limit(server):
    bomb = gzip.compress(b" " * (MAX_REQUEST_BYTES + 1))
    assert len(bomb) < 100_000
    status, _, _ = post(server, bomb, {**target("ListTables"), "Content-Encoding": "gzip"})
    assert status == 413


def test_create_table_answers_creating_then_active(ddb):
    name = unique("creating")
    out = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert out["TableDescription"]["TableStatus"] == "CREATING"
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})


@pytest.mark.parametrize(
    "call",
    [
        lambda d, n: d.describe_table(TableName=n),
        lambda d, n: d.get_item(TableName=n, Key={"pk": {"S": "a"}}),
        lambda d, n: d.delete_table(TableName=n),
    ],
)
def test_a_bad_table_name_is_a_validation_error_before_lookup(ddb, call):
    with pytest.raises(ClientError) as e:
        call(ddb, "bad name!")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )
