"""ARNs and stream records name the region of the request's SigV4
credential scope, and an ARN a client builds from its own region and
account is accepted."""

import boto3

from conftest import unique


def client(endpoint, region):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )


def test_arns_and_stream_records_use_the_request_region(endpoint):
    ddb = client(endpoint, "eu-west-2")
    name = unique("region")
    desc = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )["TableDescription"]
    assert desc["TableArn"] == f"arn:aws:dynamodb:eu-west-2:000000000000:table/{name}"
    assert desc["LatestStreamArn"].startswith(f"arn:aws:dynamodb:eu-west-2:000000000000:table/{name}/stream/")
    # An ARN the client builds from its region and account.
    built = f"arn:aws:dynamodb:eu-west-2:000000000000:table/{name}"
    ddb.tag_resource(ResourceArn=built, Tags=[{"Key": "k", "Value": "v"}])
    assert ddb.list_tags_of_resource(ResourceArn=built)["Tags"] == [{"Key": "k", "Value": "v"}]
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    s = boto3.client(
        "dynamodbstreams",
        endpoint_url=endpoint,
        region_name="eu-west-2",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )
    arn = desc["LatestStreamArn"]
    shard = s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = s.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = s.get_records(ShardIterator=it)["Records"]
    assert records and records[0]["awsRegion"] == "eu-west-2"
    # Another region's client sees the same table under its own region.
    other = client(endpoint, "ap-south-1").describe_table(TableName=name)["Table"]
    assert other["TableArn"] == f"arn:aws:dynamodb:ap-south-1:000000000000:table/{name}"


def test_the_account_id_is_configurable():
    from conftest import SiltdbProcess

    s = SiltdbProcess("--in-memory", "--account-id", "123456789012")
    try:
        ddb = client(s.endpoint, "eu-west-2")
        name = unique("acct")
        desc = ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )["TableDescription"]
        arn = f"arn:aws:dynamodb:eu-west-2:123456789012:table/{name}"
        assert desc["TableArn"] == arn
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
        assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    finally:
        assert s.stop() == 0
