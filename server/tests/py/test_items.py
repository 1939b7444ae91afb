"""Items through boto3's client and resource APIs: every type round-trips
(Decimal numbers, bytes, sets), projections, update expressions and
ReturnValues."""

from decimal import Decimal

from boto3.dynamodb.conditions import Attr, Key


def test_every_type_round_trips(ddb, table):
    item = {
        "pk": {"S": "all"},
        "s": {"S": "naïve ☃"},
        "n": {"N": "-12345678901234567890.123456789"},
        "b": {"B": b"\x00\x01\xfe\xff"},
        "bool": {"BOOL": False},
        "null": {"NULL": True},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"x", b"y"]},
        "l": {"L": [{"N": "1"}, {"S": "two"}, {"L": []}]},
        "m": {"M": {"inner": {"M": {"deep": {"N": "42"}}}, "empty": {"S": ""}}},
    }
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "all"}}, ConsistentRead=True)["Item"]
    for k in ("ss", "ns", "bs"):
        (t,) = got[k]
        got[k][t] = sorted(got[k][t])
    assert got == item


def test_numbers_normalise_like_dynamodb(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "n"}, "a": {"N": "1.50"}, "b": {"N": "-0"}, "c": {"N": "1E+2"}})
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "n"}})["Item"]
    assert (got["a"], got["b"], got["c"]) == ({"N": "1.5"}, {"N": "0"}, {"N": "100"})


def test_update_expressions_and_return_values(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "ada"}, "name": {"S": "Ada"}, "visits": {"N": "1"}})
    out = ddb.update_item(
        TableName=table,
        Key={"pk": {"S": "ada"}},
        UpdateExpression="SET visits = visits + :one, langs = list_append(if_not_exists(langs, :empty), :l) "
        "ADD tags :t REMOVE #n",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":empty": {"L": []},
            ":l": {"L": [{"S": "analytical engine"}]},
            ":t": {"SS": ["math"]},
        },
        ReturnValues="ALL_NEW",
    )
    assert out["Attributes"] == {
        "pk": {"S": "ada"},
        "visits": {"N": "2"},
        "langs": {"L": [{"S": "analytical engine"}]},
        "tags": {"SS": ["math"]},
    }
    got = ddb.get_item(
        TableName=table,
        Key={"pk": {"S": "ada"}},
        ProjectionExpression="visits, langs[0]",
    )["Item"]
    assert got == {"visits": {"N": "2"}, "langs": {"L": [{"S": "analytical engine"}]}}
    out = ddb.delete_item(TableName=table, Key={"pk": {"S": "ada"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"]["visits"] == {"N": "2"}
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "ada"}})


def test_resource_api_with_python_types(resource, sorted_table):
    t = resource.Table(sorted_table)
    for i in range(5):
        t.put_item(Item={"pk": "user#1", "sk": i, "score": Decimal("0.5") * i, "tags": {"a", "b"}, "raw": b"\x00"})
    got = t.get_item(Key={"pk": "user#1", "sk": 3})["Item"]
    assert got["score"] == Decimal("1.5")
    assert got["tags"] == {"a", "b"}
    assert got["raw"].value == b"\x00"
    out = t.query(
        KeyConditionExpression=Key("pk").eq("user#1") & Key("sk").gte(2),
        FilterExpression=Attr("score").lt(2),
        ScanIndexForward=False,
    )
    assert [i["sk"] for i in out["Items"]] == [3, 2]
    assert (out["Count"], out["ScannedCount"]) == (2, 3)
