"""Required-parameter and shape errors in DynamoDB's words, through boto3
with its own parameter checks off (so the request reaches the server as a
client bug would send it): one violation is "1 validation error detected:
...", several are counted and joined with "; " in DynamoDB's order — for
UpdateItem the order recorded against the service (nubo-db's
dynamodb-conformance suite, 2026): returnConsumedCapacity, tableName,
returnValues, conditionalOperator, key."""

import pytest
from botocore.exceptions import ClientError

from conftest import make_client

NULL = "failed to satisfy constraint: Member must not be null"
EMPTY_NAME = "Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1"
NO_KEY = f"Value null at 'key' {NULL}"
UPDATE = dict(UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": {"S": "x"}})


@pytest.fixture(scope="module")
def raw(endpoint):
    return make_client(endpoint, parameter_validation=False, retries={"total_max_attempts": 1})


def message(call):
    with pytest.raises(ClientError) as e:
        call()
    assert e.value.response["Error"]["Code"] == "ValidationException"
    return e.value.response["Error"]["Message"]


def test_a_missing_table_name_is_named(raw):
    assert message(lambda: raw.describe_table()) == f"1 validation error detected: Value null at 'tableName' {NULL}"
    assert message(lambda: raw.get_item()) == (
        f"2 validation errors detected: Value null at 'tableName' {NULL}; Value null at 'key' {NULL}"
    )


def test_update_item_lists_violations_in_dynamodbs_order(raw):
    assert message(lambda: raw.update_item(TableName="", **UPDATE)) == f"2 validation errors detected: {EMPTY_NAME}; {NO_KEY}"
    assert message(
        lambda: raw.update_item(TableName="", ReturnConsumedCapacity="INVALID", ReturnValues="INVALID", **UPDATE)
    ) == (
        "4 validation errors detected: "
        "Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: "
        "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
        f"{EMPTY_NAME}; "
        "Value 'INVALID' at 'returnValues' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "
        f"{NO_KEY}"
    )
    assert message(
        lambda: raw.update_item(
            TableName="no-such-table",
            AttributeUpdates={"x": {"Action": "PUT", "Value": {"S": "1"}}},
            Expected={"a": {"Exists": False}, "b": {"Exists": False}},
            ConditionalOperator="XOR",
        )
    ) == (
        "2 validation errors detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [OR, AND]; {NO_KEY}"
    )
    # The table name alone when the key is there.
    assert message(lambda: raw.update_item(TableName="", Key={})) == f"1 validation error detected: {EMPTY_NAME}"


def test_limits_are_worded_as_dynamodb_words_them(raw):
    for call in (
        lambda: raw.scan(TableName="t-x", Limit=0),
        lambda: raw.query(TableName="t-x", Limit=0, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}),
        lambda: raw.list_tables(Limit=0),
    ):
        assert message(call) == (
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1"
        )
    assert message(lambda: raw.list_tables(Limit=101)) == (
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100"
    )
