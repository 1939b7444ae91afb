"""Secondary indexes through boto3: a provisioned table created with a global
and a local secondary index, Query and Scan with IndexName (sparse,
projected, paged by Limit and ExclusiveStartKey), a global index added to a
populated table by UpdateTable and backfilled, then deleted, and DynamoDB's
errors for the mistakes a client makes with indexes."""

import time

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique

THROUGHPUT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def order(i: int) -> dict:
    """Order i: customer c{i % 2}, placed at 100 - i, total 10 * i; every
    third order has no status (so byStatus is sparse)."""
    item = {
        "pk": {"S": f"c{i % 2}"},
        "sk": {"N": str(i)},
        "placed": {"N": str(100 - i)},
        "total": {"N": str(10 * i)},
        "note": {"S": f"note {i}"},
    }
    if i % 3:
        item["status"] = {"S": "open" if i % 3 == 1 else "shipped"}
    return item


@pytest.fixture(scope="module")
def orders(ddb):
    """A provisioned table with a global index byStatus (status, placed)
    projecting `total`, and a local index byTotal (pk, total) of keys only."""
    name = unique("orders")
    created = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "placed", "AttributeType": "N"},
            {"AttributeName": "total", "AttributeType": "N"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        ProvisionedThroughput=THROUGHPUT,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byStatus",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "placed", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
                "ProvisionedThroughput": THROUGHPUT,
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "byTotal",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "total", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )["TableDescription"]
    assert [g["IndexName"] for g in created["GlobalSecondaryIndexes"]] == ["byStatus"]
    for i in range(12):
        ddb.put_item(TableName=name, Item=order(i))
    return name


def sks(items):
    return [int(i["sk"]["N"]) for i in items]


def by_status(status: str, **kw) -> dict:
    return dict(
        IndexName="byStatus",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": status}},
        **kw,
    )


def test_describe_table_shows_both_indexes(ddb, orders):
    table = ddb.describe_table(TableName=orders)["Table"]
    (gsi,) = table["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "byStatus"
    assert gsi["IndexStatus"] == "ACTIVE"
    assert gsi["KeySchema"] == [
        {"AttributeName": "status", "KeyType": "HASH"},
        {"AttributeName": "placed", "KeyType": "RANGE"},
    ]
    assert gsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}
    assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert gsi["IndexArn"].endswith(f":table/{orders}/index/byStatus")
    (lsi,) = table["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "byTotal"
    assert lsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert lsi["IndexArn"].endswith(f":table/{orders}/index/byTotal")


def test_global_index_query_pages_with_index_and_table_keys(ddb, orders):
    first = ddb.query(TableName=orders, Limit=3, **by_status("open"))
    # Open orders 1, 4, 7, 10, ascending by `placed` (100 - i).
    assert sks(first["Items"]) == [10, 7, 4]
    lek = first["LastEvaluatedKey"]
    assert lek == {
        "status": {"S": "open"},
        "placed": {"N": "96"},
        "pk": {"S": "c0"},
        "sk": {"N": "4"},
    }
    # INCLUDE: table and index keys plus `total`; `note` is not projected.
    for item in first["Items"]:
        assert set(item) == {"pk", "sk", "status", "placed", "total"}

    second = ddb.query(TableName=orders, Limit=3, ExclusiveStartKey=lek, **by_status("open"))
    assert sks(second["Items"]) == [1]
    assert "LastEvaluatedKey" not in second


def test_global_index_paginator_and_count(ddb, orders):
    pages = ddb.get_paginator("query").paginate(
        TableName=orders,
        IndexName="byStatus",
        KeyConditionExpression="#s = :s AND placed BETWEEN :lo AND :hi",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "shipped"}, ":lo": {"N": "90"}, ":hi": {"N": "95"}},
        ScanIndexForward=False,
        PaginationConfig={"PageSize": 1},
    )
    # Shipped orders 2, 5, 8, 11 are placed at 98, 95, 92, 89.
    assert sks(i for p in pages for i in p["Items"]) == [5, 8]

    counted = ddb.query(TableName=orders, Select="COUNT", **by_status("shipped"))
    assert counted["Count"] == 4
    assert "Items" not in counted


def test_global_index_is_sparse(ddb, orders):
    scanned = ddb.scan(TableName=orders, IndexName="byStatus")
    assert sorted(sks(scanned["Items"])) == [1, 2, 4, 5, 7, 8, 10, 11]
    assert scanned["ScannedCount"] == 8


def test_local_index_query_and_fetches_the_rest_of_the_item(ddb, orders):
    # TOTAL is a reserved word: the key condition names it by #t.
    q = dict(
        TableName=orders,
        IndexName="byTotal",
        KeyConditionExpression="pk = :c AND #t >= :t",
        ExpressionAttributeNames={"#t": "total"},
        ExpressionAttributeValues={":c": {"S": "c1"}, ":t": {"N": "50"}},
        ScanIndexForward=False,
        ConsistentRead=True,
    )
    keys_only = ddb.query(**q)["Items"]
    assert [int(i["total"]["N"]) for i in keys_only] == [110, 90, 70, 50]
    assert all(set(i) == {"pk", "sk", "total"} for i in keys_only)

    # A local index reads what it does not project from the table.
    whole = ddb.query(Select="ALL_ATTRIBUTES", **q)["Items"]
    assert whole == [order(11), order(9), order(7), order(5)]
    noted = ddb.query(ProjectionExpression="note", **q)["Items"]
    assert noted == [{"note": {"S": f"note {i}"}} for i in (11, 9, 7, 5)]

    first = ddb.query(
        TableName=orders,
        IndexName="byTotal",
        KeyConditionExpression="pk = :c",
        ExpressionAttributeValues={":c": {"S": "c0"}},
        Limit=4,
    )
    lek = first["LastEvaluatedKey"]
    assert set(lek) == {"pk", "sk", "total"}
    rest = ddb.query(
        TableName=orders,
        IndexName="byTotal",
        KeyConditionExpression="pk = :c",
        ExpressionAttributeValues={":c": {"S": "c0"}},
        ExclusiveStartKey=lek,
    )
    totals = [int(i["total"]["N"]) for i in first["Items"] + rest["Items"]]
    assert totals == [0, 20, 40, 60, 80, 100]


def index_status(ddb, table: str, index: str):
    """The index's IndexStatus, or None once it is gone."""
    gsis = ddb.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", [])
    return next((g["IndexStatus"] for g in gsis if g["IndexName"] == index), None)


def wait_for(ddb, table: str, index: str, want, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while (status := index_status(ddb, table, index)) != want:
        assert time.monotonic() < deadline, f"{index} still {status} after {seconds} s"
        time.sleep(0.05)


def test_global_index_added_to_a_populated_table_is_backfilled(ddb):
    name = create_table(ddb, unique("paints"))
    colors = ["red", "green", "blue"]
    for i in range(30):
        ddb.put_item(
            TableName=name,
            Item={"pk": {"S": f"p{i:02}"}, "color": {"S": colors[i % 3]}, "litres": {"N": str(i)}},
        )
    updated = ddb.update_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "color", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "byColor",
                    "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            }
        ],
    )["TableDescription"]
    (gsi,) = updated["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "byColor"
    assert gsi["IndexStatus"] == "CREATING"

    wait_for(ddb, name, "byColor", "ACTIVE")
    red = ddb.query(
        TableName=name,
        IndexName="byColor",
        KeyConditionExpression="color = :c",
        ExpressionAttributeValues={":c": {"S": "red"}},
    )["Items"]
    assert all(set(i) == {"pk", "color"} for i in red)
    assert sorted(i["pk"]["S"] for i in red) == [f"p{i:02}" for i in range(0, 30, 3)]

    with pytest.raises(ClientError) as e:
        ddb.update_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "color", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": "byColor",
                        "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                }
            ],
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"] == "Attempting to create an index which already exists"

    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byColor"}}])
    wait_for(ddb, name, "byColor", None)
    with pytest.raises(ClientError) as e:
        ddb.query(
            TableName=name,
            IndexName="byColor",
            KeyConditionExpression="color = :c",
            ExpressionAttributeValues={":c": {"S": "red"}},
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_index_errors(ddb, orders):
    with pytest.raises(ClientError) as e:
        ddb.query(
            TableName=orders,
            IndexName="nope",
            KeyConditionExpression="pk = :c",
            ExpressionAttributeValues={":c": {"S": "c0"}},
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"] == "The table does not have the specified index: nope"

    with pytest.raises(ClientError) as e:
        ddb.query(TableName=orders, ConsistentRead=True, **by_status("open"))
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert (
        e.value.response["Error"]["Message"]
        == "Consistent reads are not supported on global secondary indexes"
    )

    with pytest.raises(ClientError) as e:
        ddb.query(TableName=orders, Select="ALL_ATTRIBUTES", **by_status("open"))
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
        "supported for global secondary index byStatus because its projection type is not ALL"
    )

    # An index key attribute missing from AttributeDefinitions.
    with pytest.raises(ClientError) as e:
        ddb.create_table(
            TableName=unique("bad"),
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "byStatus",
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Some index key attributes are not "
        "defined in AttributeDefinitions. Keys: [status], AttributeDefinitions: [pk]"
    )
