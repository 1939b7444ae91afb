"""Operations one node can serve, through boto3: DescribeLimits,
DescribeEndpoints, resource-based policies (Put/Get/DeleteResourcePolicy,
ResourcePolicy on CreateTable), Contributor Insights (Describe/Update/List),
and the messages of operations siltdb does not serve."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import SiltdbProcess, make_client, unique

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "dynamodb:GetItem", "Resource": "*"}
        ],
    }
)


def new_table(ddb, gsi=False, **extra):
    name = unique("ops")
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if gsi:
        attrs.append({"AttributeName": "g", "AttributeType": "S"})
    args = dict(
        TableName=name,
        AttributeDefinitions=attrs,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    if gsi:
        args["GlobalSecondaryIndexes"] = [
            {"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}
        ]
    desc = ddb.create_table(**args)["TableDescription"]
    return name, desc["TableArn"]


def code_and_message(e):
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_describe_limits_answers_dynamodbs_default_quotas(ddb):
    out = ddb.describe_limits()
    assert out["AccountMaxReadCapacityUnits"] == 80000
    assert out["AccountMaxWriteCapacityUnits"] == 80000
    assert out["TableMaxReadCapacityUnits"] == 40000
    assert out["TableMaxWriteCapacityUnits"] == 40000


def test_describe_endpoints_names_this_server(ddb, server):
    out = ddb.describe_endpoints()
    assert out["Endpoints"] == [{"Address": f"{server.host}:{server.port}", "CachePeriodInMinutes": 1440}]


def test_resource_policy_put_get_delete_and_revisions(ddb):
    name, arn = new_table(ddb)
    with pytest.raises(ClientError) as e:
        ddb.get_resource_policy(ResourceArn=arn)
    assert code_and_message(e) == (
        "PolicyNotFoundException",
        f"Resource-based policy not found for the provided ResourceArn: {arn}",
    )
    rev = ddb.put_resource_policy(ResourceArn=arn, Policy=POLICY, ExpectedRevisionId="NO_POLICY")["RevisionId"]
    got = ddb.get_resource_policy(ResourceArn=arn)
    assert (got["Policy"], got["RevisionId"]) == (POLICY, rev)
    # Idempotent: the same document keeps its revision.
    assert ddb.put_resource_policy(ResourceArn=arn, Policy=POLICY)["RevisionId"] == rev
    with pytest.raises(ClientError) as e:
        ddb.put_resource_policy(ResourceArn=arn, Policy=POLICY, ExpectedRevisionId="NO_POLICY")
    assert code_and_message(e) == (
        "PolicyNotFoundException",
        "Resource-based policy not found for the provided ResourceArn: Requested policy update expecting none "
        f"to be present for table {name}, but a policy exists with revision id {rev}.",
    )
    other = POLICY.replace("GetItem", "Query")
    with pytest.raises(ClientError) as e:
        ddb.put_resource_policy(ResourceArn=arn, Policy=other, ExpectedRevisionId="123")
    assert code_and_message(e) == (
        "PolicyNotFoundException",
        "Resource-based policy not found for the provided ResourceArn: Requested update for policy with "
        f"revision id 123, but the policy associated to target table {name} has revision id {rev}.",
    )
    rev2 = ddb.put_resource_policy(ResourceArn=arn, Policy=other, ExpectedRevisionId=rev)["RevisionId"]
    assert int(rev2) > int(rev)
    with pytest.raises(ClientError) as e:
        ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=rev)
    assert code_and_message(e)[0] == "PolicyNotFoundException"
    assert ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=rev2)["RevisionId"] == rev2
    with pytest.raises(ClientError) as e:
        ddb.delete_resource_policy(ResourceArn=arn)
    assert code_and_message(e)[0] == "PolicyNotFoundException"


def test_resource_policy_must_be_json_and_the_table_must_exist(ddb):
    _, arn = new_table(ddb)
    for bad in ("not json", "[]", '{"Version": }'):
        with pytest.raises(ClientError) as e:
            ddb.put_resource_policy(ResourceArn=arn, Policy=bad)
        code, message = code_and_message(e)
        assert code == "ValidationException"
        assert message.startswith("One or more parameter values were invalid: Invalid policy document: "), message
    with pytest.raises(ClientError) as e:
        ddb.put_resource_policy(ResourceArn=arn, Policy='{"a": "' + "x" * 20480 + '"}')
    assert code_and_message(e)[0] == "ValidationException"
    missing = arn.rsplit("/", 1)[0] + "/nosuchtable"
    with pytest.raises(ClientError) as e:
        ddb.get_resource_policy(ResourceArn=missing)
    assert code_and_message(e) == ("ResourceNotFoundException", "Requested resource not found: Table: nosuchtable not found")


def test_create_table_resource_policy_is_stored_and_survives_restart(tmp_path):
    data = str(tmp_path / "d")
    s = SiltdbProcess("--data-dir", data)
    try:
        ddb = make_client(s.endpoint)
        _, arn = new_table(ddb, ResourcePolicy=POLICY)
        rev = ddb.get_resource_policy(ResourceArn=arn)["RevisionId"]
        ddb.update_contributor_insights(TableName=arn, ContributorInsightsAction="ENABLE")
    finally:
        assert s.stop() == 0
    s = SiltdbProcess("--data-dir", data)
    try:
        ddb = make_client(s.endpoint)
        got = ddb.get_resource_policy(ResourceArn=arn)
        assert (got["Policy"], got["RevisionId"]) == (POLICY, rev)
        assert ddb.describe_contributor_insights(TableName=arn)["ContributorInsightsStatus"] == "ENABLED"
    finally:
        assert s.stop() == 0

def test_create_table_refuses_a_policy_that_is_not_json(ddb):
    with pytest.raises(ClientError) as e:
        new_table(ddb, ResourcePolicy="{")
    assert code_and_message(e)[0] == "ValidationException"


def test_contributor_insights_state_per_table_and_index(ddb):
    name, arn = new_table(ddb, gsi=True)
    out = ddb.describe_contributor_insights(TableName=name)
    assert out["ContributorInsightsStatus"] == "DISABLED"
    assert "ContributorInsightsRuleList" not in out
    out = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    assert (out["TableName"], out["ContributorInsightsStatus"]) == (name, "ENABLING")
    assert out["ContributorInsightsMode"] == "ACCESSED_AND_THROTTLED_KEYS"
    out = ddb.describe_contributor_insights(TableName=name)
    assert out["ContributorInsightsStatus"] == "ENABLED"
    assert f"DynamoDBContributorInsights-PKC-{name}" in out["ContributorInsightsRuleList"]
    assert "LastUpdateDateTime" in out
    # The index is separate.
    assert ddb.describe_contributor_insights(TableName=name, IndexName="byG")["ContributorInsightsStatus"] == "DISABLED"
    out = ddb.update_contributor_insights(
        TableName=arn, IndexName="byG", ContributorInsightsAction="ENABLE", ContributorInsightsMode="THROTTLED_KEYS"
    )
    assert (out["IndexName"], out["ContributorInsightsStatus"]) == ("byG", "ENABLING")
    out = ddb.describe_contributor_insights(TableName=name, IndexName="byG")
    assert (out["ContributorInsightsStatus"], out["ContributorInsightsMode"]) == ("ENABLED", "THROTTLED_KEYS")
    summaries = ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"]
    assert summaries == [
        {"TableName": name, "ContributorInsightsStatus": "ENABLED", "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"},
        {"TableName": name, "IndexName": "byG", "ContributorInsightsStatus": "ENABLED", "ContributorInsightsMode": "THROTTLED_KEYS"},
    ]
    out = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="DISABLE")
    assert out["ContributorInsightsStatus"] == "DISABLING"
    assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "DISABLED"
    with pytest.raises(ClientError) as e:
        ddb.describe_contributor_insights(TableName=name, IndexName="nope")
    assert code_and_message(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        ddb.describe_contributor_insights(TableName="missing-table")
    assert code_and_message(e) == ("ResourceNotFoundException", "Requested resource not found: Table: missing-table not found")


def test_list_contributor_insights_pages():
    s = SiltdbProcess("--in-memory")
    try:
        ddb = make_client(s.endpoint)
        names = sorted(new_table(ddb)[0] for _ in range(3))
        page = ddb.list_contributor_insights(MaxResults=2)
        assert [x["TableName"] for x in page["ContributorInsightsSummaries"]] == names[:2]
        page = ddb.list_contributor_insights(MaxResults=2, NextToken=page["NextToken"])
        assert [x["TableName"] for x in page["ContributorInsightsSummaries"]] == names[2:]
        assert "NextToken" not in page
    finally:
        assert s.stop() == 0


@pytest.mark.parametrize(
    "call, says",
    [
        (lambda d: d.describe_kinesis_streaming_destination(TableName="t-x"), "DynamoDB Streams"),
        (lambda d: d.list_global_tables(), "one region"),
        (lambda d: d.list_bulk_operations(), "does not implement"),
    ],
)
def test_operations_siltdb_does_not_serve_say_so(ddb, call, says):
    with pytest.raises(ClientError) as e:
        call(ddb)
    code, message = code_and_message(e)
    assert code == "UnknownOperationException"
    assert e.value.operation_name in message
    assert says in message


def test_every_operation_siltdb_does_not_serve_names_itself(server):
    # Every operation in botocore's model (the newest ones included): served,
    # or UnknownOperationException with a message that names it.
    import botocore.session

    from test_http_edges import post, target

    model = botocore.session.get_session().get_service_model("dynamodb")
    unknown = []
    for op in model.operation_names:
        status, _, body = post(server, b"{}", target(op))
        answer = json.loads(body)
        if answer.get("__type", "").endswith("#UnknownOperationException"):
            assert status == 400
            assert op in answer["message"], answer
            unknown.append(op)
    # Global tables and Kinesis destinations at
    # least; and never a served operation.
    assert {"CreateGlobalTable", "EnableKinesisStreamingDestination"} <= set(unknown)
    assert not {"CreateTable", "DescribeLimits", "ListContributorInsights", "GetResourcePolicy"} & set(unknown)
