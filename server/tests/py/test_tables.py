"""Control plane through boto3: create (and the table_exists waiter),
describe, list with the paginator, update, delete, and the exceptions
boto3 models for them."""

import pytest
from botocore.exceptions import ClientError

from conftest import SiltdbProcess, create_table, make_client, unique


def test_create_describe_update_delete(ddb):
    name = unique("Music")
    out = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "Artist", "AttributeType": "S"},
            {"AttributeName": "Song", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "Artist", "KeyType": "HASH"},
            {"AttributeName": "Song", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    desc = out["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableArn"].endswith(f":table/{name}")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200

    # The waiter polls DescribeTable until ACTIVE.
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["ItemCount"] == 0
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    out = ddb.update_table(
        TableName=name,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
    )
    pt = out["TableDescription"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (5, 7)

    ddb.delete_table(TableName=name)
    ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as e:
        ddb.describe_table(TableName=name)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_list_tables_paginates():
    # A server of its own, so the listing is exactly these tables.
    s = SiltdbProcess("--in-memory")
    try:
        ddb = make_client(s.endpoint)
        names = [f"list{i:02}" for i in range(12)]
        for n in names:
            create_table(ddb, n)
        pages = list(ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 5}))
        assert [len(p["TableNames"]) for p in pages] == [5, 5, 2]
        assert [n for p in pages for n in p["TableNames"]] == names
        assert "LastEvaluatedTableName" not in pages[-1]
    finally:
        assert s.stop() == 0


def test_duplicate_table_is_resource_in_use(ddb, table):
    with pytest.raises(ddb.exceptions.ResourceInUseException):
        create_table(ddb, table)


def test_validation_errors_are_client_errors_with_the_message(ddb):
    with pytest.raises(ClientError) as e:
        create_table(ddb, "x")
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert "Member must have length greater than or equal to 3" in err["Message"]
