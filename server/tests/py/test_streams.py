"""DynamoDB Streams through boto3's `dynamodbstreams` client: enable a
stream, write, and read the records back with every call a stream consumer
makes (ListStreams, DescribeStream, GetShardIterator, GetRecords)."""

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import unique


@pytest.fixture(scope="module")
def streams(endpoint):
    return boto3.client(
        "dynamodbstreams",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )


def read_all(streams, arn):
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    it = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = []
    while it:
        out = streams.get_records(ShardIterator=it, Limit=2)
        records.extend(out["Records"])
        if not out["Records"]:
            break
        it = out.get("NextShardIterator")
    return records


def test_a_consumer_reads_every_change(ddb, streams):
    name = unique("s")
    created = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    arn = created["LatestStreamArn"]
    assert created["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "1"}})  # no change
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}})

    listed = streams.list_streams(TableName=name)["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamStatus"] == "ENABLED"
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]

    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["dynamodb"]["OldImage"] == {"pk": {"S": "a"}, "n": {"N": "1"}}
    assert records[1]["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "n": {"N": "2"}}
    assert "NewImage" not in records[2]["dynamodb"]
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs)
    # boto3 parses ApproximateCreationDateTime as a timestamp.
    assert records[0]["dynamodb"]["ApproximateCreationDateTime"].year >= 2024

    # Disabling closes the shard: it is read to its end, then ends.
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in desc["Shards"][0]["SequenceNumberRange"]
    assert len(read_all(streams, arn)) == 3


def test_errors_come_back_as_dynamodb_streams_errors(ddb, streams):
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator="not-an-iterator")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as e:
        streams.describe_stream(
            StreamArn="arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2026-01-01T00:00:00.000"
        )
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
