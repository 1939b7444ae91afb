"""aws-cli (v1, its own bundled botocore) as a user runs it: JSON and text
output, a condition failure's exit status and message, a transaction, and
the paginating `scan` that aws-cli drives itself."""

import json

import pytest

from conftest import aws, unique


@pytest.fixture
def music(endpoint):
    name = unique("Music")
    aws(
        endpoint,
        "create-table",
        "--table-name", name,
        "--attribute-definitions", "AttributeName=Artist,AttributeType=S", "AttributeName=Song,AttributeType=S",
        "--key-schema", "AttributeName=Artist,KeyType=HASH", "AttributeName=Song,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST",
    )  # fmt: skip
    aws(endpoint, "wait", "table-exists", "--table-name", name)
    return name


def test_items_conditions_and_transactions(endpoint, music):
    item = {"Artist": {"S": "Arvo Pärt"}, "Song": {"S": "Für Alina"}, "Year": {"N": "1976"}}
    aws(endpoint, "put-item", "--table-name", music, "--item", json.dumps(item))
    r = aws(
        endpoint,
        "put-item", "--table-name", music, "--item", json.dumps(item),
        "--condition-expression", "attribute_not_exists(Artist)",
        check=False,
    )  # fmt: skip
    assert r.returncode == 255
    assert (
        "An error occurred (ConditionalCheckFailedException) when calling the PutItem operation: "
        "The conditional request failed" in r.stderr
    )

    key = {"Artist": {"S": "Arvo Pärt"}, "Song": {"S": "Für Alina"}}
    out = json.loads(
        aws(
            endpoint,
            "update-item", "--table-name", music, "--key", json.dumps(key),
            "--update-expression", "SET Plays = if_not_exists(Plays, :z) + :one",
            "--expression-attribute-values", '{":z": {"N": "0"}, ":one": {"N": "1"}}',
            "--return-values", "UPDATED_NEW",
        ).stdout
    )  # fmt: skip
    assert out["Attributes"] == {"Plays": {"N": "1"}}

    transact = [
        {"Put": {"TableName": music, "Item": {"Artist": {"S": "Arvo Pärt"}, "Song": {"S": "Fratres"}}}},
        {
            "ConditionCheck": {
                "TableName": music,
                "Key": key,
                "ConditionExpression": "Plays > :n",
                "ExpressionAttributeValues": {":n": {"N": "5"}},
            }
        },
    ]
    r = aws(endpoint, "transact-write-items", "--transact-items", json.dumps(transact), check=False)
    assert r.returncode == 255
    assert "TransactionCanceledException" in r.stderr
    assert "[None, ConditionalCheckFailed]" in r.stderr

    r = aws(
        endpoint,
        "get-item", "--table-name", music, "--key", json.dumps(key),
        "--projection-expression", "Plays",
        output="text",
    )  # fmt: skip
    assert r.stdout.split() == ["PLAYS", "1"]


def test_scan_paginates_itself(endpoint, music):
    puts = [{"PutRequest": {"Item": {"Artist": {"S": "A"}, "Song": {"S": f"s{i:02}"}}}} for i in range(23)]
    out = json.loads(aws(endpoint, "batch-write-item", "--request-items", json.dumps({music: puts})).stdout)
    assert out["UnprocessedItems"] == {}
    # --page-size 5: aws-cli follows LastEvaluatedKey through 5 pages.
    out = json.loads(aws(endpoint, "scan", "--table-name", music, "--page-size", "5").stdout)
    assert out["Count"] == 23
    assert sorted(i["Song"]["S"] for i in out["Items"]) == [f"s{i:02}" for i in range(23)]
    # --max-items stops early and hands back a NextToken.
    out = json.loads(aws(endpoint, "scan", "--table-name", music, "--max-items", "10").stdout)
    assert len(out["Items"]) == 10 and "NextToken" in out
