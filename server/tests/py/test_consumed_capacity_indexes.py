"""ReturnConsumedCapacity on writes counts the units every secondary index
the write touched consumed (API Reference, ConsumedCapacity; Developer
Guide, the write cost of global and local secondary indexes): TOTAL adds
them to CapacityUnits, INDEXES lists them under GlobalSecondaryIndexes and
LocalSecondaryIndexes beside the table's own Table units — for PutItem,
UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems."""

import pytest

from conftest import unique


@pytest.fixture
def indexed(ddb):
    """pk/sk table; byG: global on g, all attributes; byL: local on l, keys only."""
    name = unique("cap")
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g", "l")
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "byL",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    return name


def item(sk, **attrs):
    return {"pk": {"S": "p"}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attrs.items()}}


KEY = {"pk": {"S": "p"}, "sk": {"S": "1"}}


def test_put_update_delete_report_each_index(ddb, indexed):
    out = ddb.put_item(TableName=indexed, Item=item("1", g="x", l="y"), ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {
        "TableName": indexed,
        "CapacityUnits": 3.0,
        "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 1.0}},
        "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 1.0}},
    }
    # TOTAL: the same aggregate, nothing per index.
    out = ddb.put_item(TableName=indexed, Item=item("2", g="x", l="y"), ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == {"TableName": indexed, "CapacityUnits": 3.0}

    # The global key changes: delete and put in byG; byL's keys-only entry
    # is untouched.
    out = ddb.update_item(
        TableName=indexed,
        Key=KEY,
        UpdateExpression="SET g = :g",
        ExpressionAttributeValues={":g": {"S": "z"}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert out["ConsumedCapacity"] == {
        "TableName": indexed,
        "CapacityUnits": 3.0,
        "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 2.0}},
    }

    # A projected attribute grows past 1 KB: the table and byG pay for the
    # larger item.
    out = ddb.update_item(
        TableName=indexed,
        Key=KEY,
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "v" * 1500}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert out["ConsumedCapacity"] == {
        "TableName": indexed,
        "CapacityUnits": 4.0,
        "Table": {"CapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 2.0}},
    }

    # The item leaves both indexes.
    out = ddb.delete_item(TableName=indexed, Key=KEY, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {
        "TableName": indexed,
        "CapacityUnits": 5.0,
        "Table": {"CapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 2.0}},
        "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 1.0}},
    }

    # In no index: the table alone.
    out = ddb.put_item(TableName=indexed, Item=item("3"), ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {"TableName": indexed, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}


def test_batch_write_sums_each_index(ddb, indexed):
    out = ddb.batch_write_item(
        RequestItems={
            indexed: [
                {"PutRequest": {"Item": item("1", g="x", l="y")}},
                {"PutRequest": {"Item": item("2", g="x")}},
                {"PutRequest": {"Item": item("3")}},
            ]
        },
        ReturnConsumedCapacity="INDEXES",
    )
    assert out["ConsumedCapacity"] == [
        {
            "TableName": indexed,
            "CapacityUnits": 6.0,
            "Table": {"CapacityUnits": 3.0},
            "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 2.0}},
            "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 1.0}},
        }
    ]
    out = ddb.batch_write_item(
        RequestItems={indexed: [{"DeleteRequest": {"Key": KEY}}]}, ReturnConsumedCapacity="TOTAL"
    )
    assert out["ConsumedCapacity"] == [{"TableName": indexed, "CapacityUnits": 3.0}]


def test_transact_write_reports_index_writes(ddb, indexed):
    out = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": indexed, "Item": item("1", g="x", l="y")}}],
        ReturnConsumedCapacity="INDEXES",
    )
    assert out["ConsumedCapacity"] == [
        {
            "TableName": indexed,
            "CapacityUnits": 4.0,
            "WriteCapacityUnits": 4.0,
            "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
            "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
            "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
        }
    ]
    out = ddb.transact_write_items(
        TransactItems=[{"Delete": {"TableName": indexed, "Key": KEY}}], ReturnConsumedCapacity="TOTAL"
    )
    assert out["ConsumedCapacity"] == [{"TableName": indexed, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}]


def test_an_index_pays_only_when_its_entry_changes(ddb):
    # byInc: global on g projecting only `proj`; byAll: local on l, all
    # attributes. Each step starts from the same item.
    name = unique("ladder")
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g", "l")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byInc",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["proj"]},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "byAll",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    seed = item("1", g="g", l="l", proj="p", extra="o")

    def arms(cc):
        return (
            cc["CapacityUnits"],
            cc["Table"]["CapacityUnits"],
            cc.get("GlobalSecondaryIndexes", {}).get("byInc", {}).get("CapacityUnits"),
            cc.get("LocalSecondaryIndexes", {}).get("byAll", {}).get("CapacityUnits"),
        )

    def update(expression, values=None):
        ddb.put_item(TableName=name, Item=seed)
        args = dict(TableName=name, Key=KEY, UpdateExpression=expression, ReturnConsumedCapacity="INDEXES")
        if values:
            args["ExpressionAttributeValues"] = values
        return arms(ddb.update_item(**args)["ConsumedCapacity"])

    ddb.put_item(TableName=name, Item=seed)
    # The same item again: both entries stay as they are.
    assert arms(ddb.put_item(TableName=name, Item=seed, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]) == (1, 1, None, None)
    # Not projected by byInc; byAll holds everything.
    assert update("SET extra = :v", {":v": {"S": "o2"}}) == (2, 1, None, 1)
    assert update("SET proj = :v", {":v": {"S": "p2"}}) == (3, 1, 1, 1)
    assert update("SET g = :v", {":v": {"S": "g2"}}) == (4, 1, 2, 1)
    assert update("REMOVE g") == (3, 1, 1, 1)
    assert update("SET l = :v", {":v": {"S": "l2"}}) == (3, 1, None, 2)
