"""Every operation whose TableName is the API model's TableArn shape (a
name, or the table's ARN) accepts the ARN — CreateTable included — and so
do BatchGetItem's and BatchWriteItem's RequestItems keys and the table
names inside TransactWriteItems and TransactGetItems. The list of
operations is read from botocore's model, so a new one cannot be missed."""

import botocore.session
import pytest

from conftest import unique

# Operations siltdb answers with UnknownOperationException (another AWS
# service or region; see test_api_operations.py).
NOT_SERVED = {
    "DescribeContinuousBackups",
    "UpdateContinuousBackups",
    "DescribeKinesisStreamingDestination",
    "EnableKinesisStreamingDestination",
    "DisableKinesisStreamingDestination",
    "UpdateKinesisStreamingDestination",
    "DescribeTableReplicaAutoScaling",
    "UpdateTableReplicaAutoScaling",
    "SearchVectors",
    "StartBulkPutItems",
}


def arn_operations():
    model = botocore.session.get_session().get_service_model("dynamodb")
    out = set()
    for op in model.operation_names:
        shape = model.operation_model(op).input_shape
        if shape and "TableName" in shape.members and shape.members["TableName"].name == "TableArn":
            out.add(op)
    return out - NOT_SERVED


def test_every_table_name_may_be_an_arn(ddb):
    name = unique("arn")
    arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    calls = {
        "CreateTable": lambda: ddb.create_table(
            TableName=arn,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        ),
        "DescribeTable": lambda: ddb.describe_table(TableName=arn),
        "UpdateTable": lambda: ddb.update_table(TableName=arn, TableClass="STANDARD"),
        "PutItem": lambda: ddb.put_item(TableName=arn, Item={"pk": {"S": "a"}}),
        "GetItem": lambda: ddb.get_item(TableName=arn, Key={"pk": {"S": "a"}}),
        "UpdateItem": lambda: ddb.update_item(
            TableName=arn, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "1"}}
        ),
        "Query": lambda: ddb.query(
            TableName=arn, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}
        ),
        "Scan": lambda: ddb.scan(TableName=arn),
        "DeleteItem": lambda: ddb.delete_item(TableName=arn, Key={"pk": {"S": "zz"}}),
        "DescribeTimeToLive": lambda: ddb.describe_time_to_live(TableName=arn),
        "UpdateTimeToLive": lambda: ddb.update_time_to_live(
            TableName=arn, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
        ),
        "CreateBackup": lambda: ddb.create_backup(TableName=arn, BackupName="viaarn"),
        "ListBackups": lambda: ddb.list_backups(TableName=arn),
        "DescribeContributorInsights": lambda: ddb.describe_contributor_insights(TableName=arn),
        "UpdateContributorInsights": lambda: ddb.update_contributor_insights(
            TableName=arn, ContributorInsightsAction="ENABLE"
        ),
        "ListContributorInsights": lambda: ddb.list_contributor_insights(TableName=arn),
        "DeleteTable": lambda: ddb.delete_table(TableName=arn),
    }
    assert set(calls) == arn_operations()
    answers = {}
    for op, call in calls.items():
        if op == "DeleteTable":
            # The map members first, while the table exists.
            ddb.batch_write_item(RequestItems={arn: [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]})
            got = ddb.batch_get_item(RequestItems={arn: {"Keys": [{"pk": {"S": "b"}}]}})["Responses"]
            assert got == {arn: [{"pk": {"S": "b"}}]}
            ddb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": arn, "Item": {"pk": {"S": "c"}}}},
                    {"ConditionCheck": {"TableName": arn, "Key": {"pk": {"S": "b"}}, "ConditionExpression": "attribute_exists(pk)"}},
                ]
            )
            items = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": arn, "Key": {"pk": {"S": "c"}}}}])
            assert items["Responses"] == [{"Item": {"pk": {"S": "c"}}}]
        answers[op] = call()
    assert answers["CreateTable"]["TableDescription"]["TableName"] == name
    assert answers["CreateTable"]["TableDescription"]["TableArn"] == arn
    assert answers["GetItem"]["Item"] == {"pk": {"S": "a"}}
    assert answers["Query"]["Count"] == 1
    assert answers["ListBackups"]["BackupSummaries"][0]["TableName"] == name
    assert [s["TableName"] for s in answers["ListContributorInsights"]["ContributorInsightsSummaries"]] == [name]
    assert answers["DeleteTable"]["TableDescription"]["TableName"] == name
    assert name not in ddb.list_tables()["TableNames"]


def test_a_bad_name_inside_an_arn_is_not_a_table(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName="arn:aws:dynamodb:us-east-1:000000000000:table/no-such-table")
