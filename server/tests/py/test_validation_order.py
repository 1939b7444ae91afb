"""When several model constraints fail, PutItem, DeleteItem, Query and Scan
list them in the order DynamoDB listed them for dynalite's test suite
(test/putItem.js, deleteItem.js, query.js, scan.js, "incorrect attributes":
the service's answers pasted; UpdateItem's order, recorded again in 2026,
is in test_constraint_messages.py and agrees where they overlap). The
requests are dynalite's, sent through boto3 with its own parameter checks
off; DynamoDB lists at most ten."""

import pytest
from botocore.exceptions import ClientError

from conftest import make_client

RCC = "Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
TABLE = "Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
RETURN_VALUES = (
    "Value 'hi' at 'returnValues' failed to satisfy constraint: "
    "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
)
RICM = "Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]"
SELECT = (
    "Value 'hi' at 'select' failed to satisfy constraint: "
    "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
)
INDEX = "Value 'abc;' at 'indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
OPERATOR = "Value 'AN' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]"
COMPARISON = (
    "Member must satisfy enum value set: "
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
)
NOT_NULL = "failed to satisfy constraint: Member must not be null"
LIMIT = "Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"


@pytest.fixture(scope="module")
def raw(endpoint):
    return make_client(endpoint, parameter_validation=False, retries={"total_max_attempts": 1})


def violations(call):
    with pytest.raises(ClientError) as e:
        call()
    assert e.value.response["Error"]["Code"] == "ValidationException"
    message = e.value.response["Error"]["Message"]
    head, _, listed = message.partition(" detected: ")
    found = listed.split("; ")
    assert head == f"{len(found)} validation error{'s' if len(found) > 1 else ''}"
    return found


def test_put_item(raw):
    assert violations(
        lambda: raw.put_item(TableName="abc;", ReturnConsumedCapacity="hi", ReturnItemCollectionMetrics="hi", ReturnValues="hi")
    ) == [RCC, TABLE, f"Value null at 'item' {NOT_NULL}", RETURN_VALUES, RICM]


def test_delete_item(raw):
    assert violations(
        lambda: raw.delete_item(TableName="abc;", ReturnConsumedCapacity="hi", ReturnItemCollectionMetrics="hi", ReturnValues="hi")
    ) == [RCC, TABLE, RETURN_VALUES, RICM, f"Value null at 'key' {NOT_NULL}"]


def test_query(raw):
    assert violations(
        lambda: raw.query(
            TableName="abc;",
            ReturnConsumedCapacity="hi",
            AttributesToGet=[],
            IndexName="abc;",
            Select="hi",
            Limit=-1,
            KeyConditions={"a": {}, "b": {"ComparisonOperator": ""}},
            ConditionalOperator="AN",
            QueryFilter={"a": {}, "b": {"ComparisonOperator": ""}},
        )
    ) == [
        SELECT,
        INDEX,
        RCC,
        f"Value null at 'queryFilter.a.member.comparisonOperator' {NOT_NULL}",
        f"Value '' at 'queryFilter.b.member.comparisonOperator' failed to satisfy constraint: {COMPARISON}",
        TABLE,
        OPERATOR,
        "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1",
        LIMIT,
        f"Value null at 'keyConditions.a.member.comparisonOperator' {NOT_NULL}",
    ]


def test_scan(raw):
    assert violations(
        lambda: raw.scan(
            TableName="abc;",
            ReturnConsumedCapacity="hi",
            AttributesToGet=[],
            IndexName="abc;",
            Segment=-1,
            TotalSegments=-1,
            Select="hi",
            Limit=-1,
            ScanFilter={"a": {}, "b": {"ComparisonOperator": ""}},
            ConditionalOperator="AN",
        )
    ) == [
        SELECT,
        INDEX,
        "Value '-1' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1",
        RCC,
        TABLE,
        OPERATOR,
        f"Value null at 'scanFilter.a.member.comparisonOperator' {NOT_NULL}",
        f"Value '' at 'scanFilter.b.member.comparisonOperator' failed to satisfy constraint: {COMPARISON}",
        "Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0",
        LIMIT,
    ]
