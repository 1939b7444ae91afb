"""A RequestItems key of BatchGetItem or BatchWriteItem that breaks the
TableName pattern (3-255 characters of [a-zA-Z0-9_.-]) is a
ValidationException in DynamoDB's words before any table is looked up —
not a ResourceNotFoundException. Order as recorded against DynamoDB
(nubo-db/dynamodb-conformance, validation-ordering/batchOperations,
2026-10-09): BatchGetItem lists it before an invalid
ReturnConsumedCapacity; BatchWriteItem reports the enum alone over it."""

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique

KEYS_RULE = (
    "failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
    "Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"
)
ENUM_RCC = (
    "Value 'BOGUS' at 'returnConsumedCapacity' failed to satisfy constraint: "
    "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
)


def refusal(call):
    with pytest.raises(ClientError) as e:
        call()
    assert e.value.response["Error"]["Code"] == "ValidationException"
    return e.value.response["Error"]["Message"]


@pytest.mark.parametrize("name", ["bad!name", "ab", "x" * 256])
def test_batch_get_refuses_a_malformed_table_name(ddb, name):
    msg = refusal(lambda: ddb.batch_get_item(RequestItems={name: {"Keys": [{"pk": {"S": "a"}}]}}))
    assert msg == (
        f"1 validation error detected: Value '{{\"{name}\":{{\"Keys\":[{{\"pk\":{{\"S\":\"a\"}}}}]}}}}' "
        f"at 'requestItems' {KEYS_RULE}"
    )


def test_batch_get_lists_the_name_before_return_consumed_capacity(ddb):
    msg = refusal(
        lambda: ddb.batch_get_item(
            RequestItems={"bad!name": {"Keys": [{"pk": {"S": "a"}}]}}, ReturnConsumedCapacity="BOGUS"
        )
    )
    assert msg == (
        "2 validation errors detected: "
        f"Value '{{\"bad!name\":{{\"Keys\":[{{\"pk\":{{\"S\":\"a\"}}}}]}}}}' at 'requestItems' {KEYS_RULE}; {ENUM_RCC}"
    )


def test_batch_write_refuses_a_malformed_table_name_before_any_write(ddb):
    good = create_table(ddb, unique("bw-good"))
    items = {
        good: [{"PutRequest": {"Item": {"pk": {"S": "written?"}}}}],
        "bad!name": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}],
    }
    msg = refusal(lambda: ddb.batch_write_item(RequestItems=items))
    assert msg.startswith("1 validation error detected: Value '{")
    assert msg.endswith(f"' at 'requestItems' {KEYS_RULE}")
    assert '"bad!name":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}]' in msg
    assert "Item" not in ddb.get_item(TableName=good, Key={"pk": {"S": "written?"}}, ConsistentRead=True)


def test_batch_write_reports_return_consumed_capacity_alone_over_the_name(ddb):
    msg = refusal(
        lambda: ddb.batch_write_item(
            RequestItems={"bad!name": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]}, ReturnConsumedCapacity="BOGUS"
        )
    )
    assert msg == f"1 validation error detected: {ENUM_RCC}"


def test_a_table_arn_is_still_a_valid_key(ddb):
    name = create_table(ddb, unique("bw-arn"))
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.batch_write_item(RequestItems={arn: [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]})
    got = ddb.batch_get_item(RequestItems={arn: {"Keys": [{"pk": {"S": "a"}}]}})["Responses"]
    assert list(got.values()) == [[{"pk": {"S": "a"}}]]
