"""Conditional writes: boto3 raises its modeled
`ConditionalCheckFailedException`, with the old `Item` when asked through
ReturnValuesOnConditionCheckFailure, and nothing is written."""

import pytest


def test_put_if_absent(ddb, table):
    item = {"pk": {"S": "acct#1"}, "balance": {"N": "100"}}
    ddb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as e:
        ddb.put_item(
            TableName=table,
            Item={"pk": {"S": "acct#1"}, "balance": {"N": "5"}},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    r = e.value.response
    assert r["Error"] == {"Code": "ConditionalCheckFailedException", "Message": "The conditional request failed"}
    assert r["Item"] == item
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400

    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as e:
        ddb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")
    assert "Item" not in e.value.response
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "acct#1"}})["Item"] == item


def test_optimistic_update_and_guarded_delete(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "balance": {"N": "100"}, "version": {"N": "1"}})

    def withdraw(amount, version):
        return ddb.update_item(
            TableName=table,
            Key={"pk": {"S": "a"}},
            UpdateExpression="SET balance = balance - :a, version = version + :one",
            ConditionExpression="balance >= :a AND version = :v",
            ExpressionAttributeValues={":a": {"N": str(amount)}, ":v": {"N": str(version)}, ":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    assert withdraw(60, 1)["Attributes"] == {"balance": {"N": "40"}, "version": {"N": "2"}}
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as e:
        withdraw(10, 1)  # stale version
    assert e.value.response["Item"]["version"] == {"N": "2"}
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        withdraw(60, 2)  # not enough
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(
            TableName=table,
            Key={"pk": {"S": "a"}},
            ConditionExpression="balance = :z",
            ExpressionAttributeValues={":z": {"N": "0"}},
        )
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["balance"] == {"N": "40"}


def test_legacy_expected_parameter(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "x"}, "state": {"S": "new"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(
            TableName=table,
            Item={"pk": {"S": "x"}, "state": {"S": "done"}},
            Expected={"state": {"Value": {"S": "open"}}},
        )
    ddb.put_item(
        TableName=table,
        Item={"pk": {"S": "x"}, "state": {"S": "done"}},
        Expected={"state": {"Value": {"S": "new"}}},
    )
