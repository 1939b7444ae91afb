"""PartiQL as boto3 and aws-cli send it: execute_statement (parameters,
paging through NextToken, RETURNING, the modeled DuplicateItemException and
ConditionalCheckFailedException), batch_execute_statement with
per-statement errors, execute_transaction with cancellation reasons and
idempotent retries, and aws-cli's `execute-statement`."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import aws, create_table, unique


def test_statements_read_and_write(ddb, sorted_table):
    for sk in range(1, 6):
        ddb.execute_statement(
            Statement=f'INSERT INTO "{sorted_table}" VALUE {{\'pk\': ?, \'sk\': ?, \'tags\': <<\'a\'>>}}',
            Parameters=[{"S": "band"}, {"N": str(sk)}],
        )
    with pytest.raises(ddb.exceptions.DuplicateItemException) as e:
        ddb.execute_statement(Statement=f"INSERT INTO \"{sorted_table}\" VALUE {{'pk': 'band', 'sk': 1}}")
    assert e.value.response["Error"]["Message"] == "Duplicate primary key exists in table"

    seen, kwargs = [], {}
    while True:
        page = ddb.execute_statement(
            Statement=f"SELECT sk FROM \"{sorted_table}\" WHERE pk = 'band' AND sk >= 2 ORDER BY sk DESC",
            Limit=2,
            **kwargs,
        )
        seen += [i["sk"]["N"] for i in page["Items"]]
        if "NextToken" not in page:
            break
        assert "LastEvaluatedKey" in page
        kwargs = {"NextToken": page["NextToken"]}
    assert seen == ["5", "4", "3", "2"]

    out = ddb.execute_statement(
        Statement=f"UPDATE \"{sorted_table}\" SET tags = set_add(tags, <<'b'>>) SET plays = 1 "
        "WHERE pk = 'band' AND sk = 3 RETURNING MODIFIED NEW *"
    )
    assert out["Items"] == [{"tags": {"SS": ["a", "b"]}, "plays": {"N": "1"}}]

    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as e:
        ddb.execute_statement(
            Statement=f"UPDATE \"{sorted_table}\" SET plays = 2 WHERE pk = 'band' AND sk = 3 AND plays > 5",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert e.value.response["Item"]["plays"] == {"N": "1"}

    out = ddb.execute_statement(
        Statement=f"DELETE FROM \"{sorted_table}\" WHERE pk = 'band' AND sk = 1 RETURNING ALL OLD *"
    )
    assert out["Items"][0]["sk"] == {"N": "1"}
    out = ddb.execute_statement(
        Statement=f"SELECT * FROM \"{sorted_table}\" WHERE pk = ? AND sk = 1", Parameters=[{"S": "band"}]
    )
    assert out["Items"] == []


def test_statement_errors(ddb, table):
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="SELECTT * FROMM x")
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert err["Message"] == "Statement wasn't well formed, can't be processed: Expected data manipulation"
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement=f"UPDATE \"{table}\" SET a = 1")
    assert e.value.response["Error"]["Message"] == (
        "Where clause does not contain a mandatory equality on all key attributes"
    )
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.execute_statement(Statement="SELECT * FROM \"no-such-table\" WHERE pk = 'x'")


def test_batch_execute_statement(ddb, table):
    out = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'n': 1}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?}}", "Parameters": [{"S": "b"}]},
            {"Statement": f"UPDATE \"{table}\" SET n = 2 WHERE pk = 'zzz'"},
            {"Statement": "NOT SQL"},
        ]
    )
    responses = out["Responses"]
    assert "Error" not in responses[0] and "Error" not in responses[1]
    assert responses[0]["TableName"] == table
    assert responses[2]["Error"]["Code"] == "ConditionalCheckFailed"
    assert responses[3]["Error"] == {
        "Code": "ValidationError",
        "Message": "Statement wasn't well formed, can't be processed: Expected data manipulation",
    }
    out = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"SELECT n FROM \"{table}\" WHERE pk = 'a'"},
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'nobody'"},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert out["Responses"][0]["Item"] == {"n": {"N": "1"}}
    assert "Item" not in out["Responses"][1]
    assert out["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 1.0}]
    with pytest.raises(ClientError) as e:
        ddb.batch_execute_statement(
            Statements=[
                {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a'"},
                {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 'a'"},
            ]
        )
    assert e.value.response["Error"]["Message"] == (
        "Read and write requests together in the same batch is not supported."
    )


def test_execute_transaction(ddb):
    table = create_table(ddb, unique("tx"))
    ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'alice', 'balance': 100}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'bob', 'balance': 0}}"},
        ]
    )

    def transfer(amount, token=None):
        kwargs = {"ClientRequestToken": token} if token else {}
        return ddb.execute_transaction(
            TransactStatements=[
                {
                    "Statement": f"UPDATE \"{table}\" SET balance = balance - ? WHERE pk = 'alice' AND balance >= ?",
                    "Parameters": [{"N": str(amount)}, {"N": str(amount)}],
                },
                {
                    "Statement": f"UPDATE \"{table}\" SET balance = balance + ? WHERE pk = 'bob'",
                    "Parameters": [{"N": str(amount)}],
                },
            ],
            **kwargs,
        )

    token = str(uuid.uuid4())
    transfer(60, token)
    transfer(60, token)  # the same request again: not applied twice
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as e:
        transfer(60)
    reasons = e.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ConditionalCheckFailed", "None"]
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as e:
        ddb.execute_transaction(
            TransactStatements=[{"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'bob'}}"}]
        )
    assert e.value.response["CancellationReasons"][0]["Code"] == "DuplicateItem"

    out = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"SELECT balance FROM \"{table}\" WHERE pk = 'alice'"},
            {"Statement": f"SELECT balance FROM \"{table}\" WHERE pk = 'bob'"},
            {"Statement": f"SELECT balance FROM \"{table}\" WHERE pk = 'carol'"},
        ]
    )
    assert out["Responses"] == [
        {"Item": {"balance": {"N": "40"}}},
        {"Item": {"balance": {"N": "60"}}},
        {},
    ]


def test_awscli_execute_statement(endpoint, table):
    aws(
        endpoint,
        "execute-statement",
        "--statement", f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'year': 1978}}",
        "--parameters", '[{"S": "Spiegel im Spiegel"}]',
    )  # fmt: skip
    out = json.loads(aws(endpoint, "execute-statement", "--statement", f"SELECT * FROM \"{table}\"").stdout)
    assert out["Items"] == [{"pk": {"S": "Spiegel im Spiegel"}, "year": {"N": "1978"}}]
    r = aws(
        endpoint,
        "execute-statement",
        "--statement", f"INSERT INTO \"{table}\" VALUE {{'pk': 'Spiegel im Spiegel'}}",
        check=False,
    )  # fmt: skip
    assert r.returncode == 255
    assert (
        "An error occurred (DuplicateItemException) when calling the ExecuteStatement operation: "
        "Duplicate primary key exists in table" in r.stderr
    )
