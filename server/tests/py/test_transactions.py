"""Transactions: all or nothing; boto3's modeled
`TransactionCanceledException` with `CancellationReasons` (and the old item
where asked); TransactGetItems; idempotent retries by ClientRequestToken."""

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique


def transfer(table, src, dst, amount):
    return [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": src}},
                "UpdateExpression": "SET balance = balance - :a",
                "ConditionExpression": "balance >= :a",
                "ExpressionAttributeValues": {":a": {"N": str(amount)}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": dst}},
                "UpdateExpression": "SET balance = balance + :a",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":a": {"N": str(amount)}},
            }
        },
    ]


def balances(ddb, table):
    out = ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": table, "Key": {"pk": {"S": k}}}} for k in ("alice", "bob", "nobody")]
    )
    return [r.get("Item", {}).get("balance", {}).get("N") for r in out["Responses"]]


@pytest.fixture
def accounts(ddb):
    table = create_table(ddb, unique("accounts"))
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "alice"}, "balance": {"N": "100"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "bob"}, "balance": {"N": "0"}}}},
        ]
    )
    return table


def test_commit_and_cancel(ddb, accounts):
    audit = create_table(ddb, unique("audit"))
    ddb.transact_write_items(
        TransactItems=transfer(accounts, "alice", "bob", 70)
        + [{"Put": {"TableName": audit, "Item": {"pk": {"S": "t1"}}}}]
    )
    assert balances(ddb, accounts) == ["30", "70", None]

    with pytest.raises(ddb.exceptions.TransactionCanceledException) as e:
        ddb.transact_write_items(
            TransactItems=transfer(accounts, "alice", "bob", 70)
            + [{"Put": {"TableName": audit, "Item": {"pk": {"S": "t2"}}}}]
        )
    r = e.value.response
    assert r["Error"]["Code"] == "TransactionCanceledException"
    assert r["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ConditionalCheckFailed, None, None]"
    )
    assert r["CancellationReasons"] == [
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {"pk": {"S": "alice"}, "balance": {"N": "30"}},
        },
        {"Code": "None"},
        {"Code": "None"},
    ]
    assert balances(ddb, accounts) == ["30", "70", None]
    assert "Item" not in ddb.get_item(TableName=audit, Key={"pk": {"S": "t2"}})


def test_condition_check_and_delete(ddb, accounts):
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as e:
        ddb.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": accounts, "Key": {"pk": {"S": "bob"}}}},
                {
                    "ConditionCheck": {
                        "TableName": accounts,
                        "Key": {"pk": {"S": "alice"}},
                        "ConditionExpression": "balance = :z",
                        "ExpressionAttributeValues": {":z": {"N": "0"}},
                    }
                },
            ]
        )
    assert [c["Code"] for c in e.value.response["CancellationReasons"]] == ["None", "ConditionalCheckFailed"]
    assert balances(ddb, accounts) == ["100", "0", None]
    ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": accounts, "Key": {"pk": {"S": "bob"}}}}])
    assert balances(ddb, accounts) == ["100", None, None]


def test_two_actions_on_one_item_is_a_validation_error(ddb, accounts):
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": accounts, "Item": {"pk": {"S": "alice"}}}},
                {"Delete": {"TableName": accounts, "Key": {"pk": {"S": "alice"}}}},
            ]
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_client_request_token_makes_retries_idempotent(ddb, accounts):
    for _ in range(3):
        ddb.transact_write_items(TransactItems=transfer(accounts, "alice", "bob", 10), ClientRequestToken="tok-1")
    assert balances(ddb, accounts) == ["90", "10", None]
    # The same token with different content.
    with pytest.raises(ddb.exceptions.IdempotentParameterMismatchException):
        ddb.transact_write_items(TransactItems=transfer(accounts, "alice", "bob", 20), ClientRequestToken="tok-1")
