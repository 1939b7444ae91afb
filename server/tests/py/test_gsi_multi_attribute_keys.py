"""Global secondary indexes with multi-attribute keys (DynamoDB, November
2025) through boto3, whose model (botocore >= 1.41) sends a GSI KeySchema of
up to four HASH and four RANGE attributes: CreateTable's and UpdateTable's
checks in DynamoDB's words, DescribeTable echoing the key schema, Query with
an equality on every HASH attribute and RANGE attributes left to right, in
the order of the sort key attributes compared one after another, paging by
a LastEvaluatedKey holding every key attribute, and a backfilled index."""

import time

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique

INVALID = "One or more parameter values were invalid: "


def key_schema(hashes, ranges):
    return [{"AttributeName": a, "KeyType": "HASH"} for a in hashes] + [
        {"AttributeName": a, "KeyType": "RANGE"} for a in ranges
    ]


def defs(types):
    return [{"AttributeName": a, "AttributeType": t} for a, t in types]


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def games(ddb):
    """Table pk (S) / sk (N) with index byEvent: HASH event (S), team (S);
    RANGE stage (S), score (N); and its games."""
    name = unique("games")
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=defs(
            [("pk", "S"), ("sk", "N"), ("event", "S"), ("team", "S"), ("stage", "S"), ("score", "N")]
        ),
        KeySchema=key_schema(["pk"], ["sk"]),
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byEvent",
                "KeySchema": key_schema(["event", "team"], ["stage", "score"]),
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    rows = [
        ("g1", 1, "A", "semi", 20),
        ("g2", 1, "A", "semi", 3),
        ("g3", 1, "A", "final", 7),
        ("g4", 1, "A", "group", 100),
        ("g5", 1, "B", "semi", 1),
        ("g1", 2, "A", "semi", 20),
    ]
    for pk, sk, team, stage, score in rows:
        ddb.put_item(
            TableName=name,
            Item={
                "pk": {"S": pk},
                "sk": {"N": str(sk)},
                "event": {"S": "cup"},
                "team": {"S": team},
                "stage": {"S": stage},
                "score": {"N": str(score)},
            },
        )
    # No score: not in the index.
    ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "g6"}, "sk": {"N": "1"}, "event": {"S": "cup"}, "team": {"S": "A"}, "stage": {"S": "semi"}},
    )
    return name


def query_all(ddb, table, condition="", values=None, **kwargs):
    """Every page of a query of byEvent's partition (cup, A); returns
    pk:sk of each item and the LastEvaluatedKeys seen."""
    vals = {":e": {"S": "cup"}, ":t": {"S": "A"}, **(values or {})}
    out, leks, start = [], [], None
    while True:
        args = dict(
            TableName=table,
            IndexName="byEvent",
            KeyConditionExpression="event = :e AND team = :t" + condition,
            ExpressionAttributeValues=vals,
            **kwargs,
        )
        if start:
            args["ExclusiveStartKey"] = start
        page = ddb.query(**args)
        out += [f"{i['pk']['S']}:{i['sk']['N']}" for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return out, leks
        leks.append(start)


def test_describe_table_echoes_the_key_schema(ddb, games):
    g = ddb.describe_table(TableName=games)["Table"]["GlobalSecondaryIndexes"][0]
    assert g["KeySchema"] == key_schema(["event", "team"], ["stage", "score"])
    assert g["IndexStatus"] == "ACTIVE"


def test_query_orders_by_each_sort_key_attribute_in_turn(ddb, games):
    want = ["g3:1", "g4:1", "g2:1", "g1:1", "g1:2"]
    assert query_all(ddb, games)[0] == want
    assert query_all(ddb, games, ScanIndexForward=False)[0] == want[::-1]
    got, leks = query_all(ddb, games, Limit=2)
    assert got == want
    assert leks and all(set(k) == {"pk", "sk", "event", "team", "stage", "score"} for k in leks)
    assert query_all(ddb, games, " AND stage = :s", {":s": {"S": "semi"}})[0] == ["g2:1", "g1:1", "g1:2"]
    assert query_all(
        ddb, games, " AND stage = :s AND score < :n", {":s": {"S": "semi"}, ":n": {"N": "20"}}
    )[0] == ["g2:1"]
    assert query_all(ddb, games, " AND begins_with(stage, :p)", {":p": {"S": "g"}})[0] == ["g4:1"]


def test_query_errors_name_the_rule(ddb, games):
    cases = [
        ("event = :e", {":e": {"S": "cup"}}, "Query condition missed key schema element: team"),
        (
            "event = :e AND team = :t AND score = :n",
            {":e": {"S": "cup"}, ":t": {"S": "A"}, ":n": {"N": "1"}},
            "RANGE key attributes stage must have equality conditions specified in the query "
            "because a condition is present on key attribute score",
        ),
        (
            "event = :e AND team = :t AND stage > :s AND score = :n",
            {":e": {"S": "cup"}, ":t": {"S": "A"}, ":s": {"S": "a"}, ":n": {"N": "1"}},
            "RANGE key attributes stage must have equality conditions specified in the query "
            "because a condition is present on key attribute score",
        ),
        ("event = :e AND team > :t", {":e": {"S": "cup"}, ":t": {"S": "A"}}, "Query key condition not supported"),
    ]
    for condition, values, message in cases:
        with pytest.raises(ClientError) as e:
            ddb.query(
                TableName=games,
                IndexName="byEvent",
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        assert error(e) == ("ValidationException", message), condition


def test_create_table_refuses_bad_key_schemas(ddb):
    attrs = [(f"a{i}", "S") for i in range(9)]
    cases = [
        (key_schema([f"a{i}" for i in range(5)], []), INVALID + "The KeySchema exceeds the maximum allowed number of HASH key attributes"),
        (key_schema(["a0"], [f"a{i}" for i in range(1, 6)]), INVALID + "The KeySchema exceeds the maximum allowed number of RANGE key attributes"),
        (
            key_schema(["a0"], ["a1"]) + key_schema(["a2"], []),
            INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema",
        ),
        (key_schema([], ["a0", "a1"]), "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
        (key_schema(["a0", "a1", "a0"], []), "The KeySchema contains multiple key attributes with the same name"),
    ]
    for schema, message in cases:
        used = {k["AttributeName"] for k in schema}
        with pytest.raises(ClientError) as e:
            ddb.create_table(
                TableName=unique("bad"),
                AttributeDefinitions=defs([("pk", "S")] + [a for a in attrs if a[0] in used]),
                KeySchema=key_schema(["pk"], []),
                BillingMode="PAY_PER_REQUEST",
                GlobalSecondaryIndexes=[
                    {"IndexName": "gsi", "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}
                ],
            )
        assert error(e) == ("ValidationException", message), schema


def test_a_new_index_is_backfilled(ddb):
    name = create_table(ddb, unique("later"))
    for i in range(6):
        ddb.put_item(
            TableName=name,
            Item={"pk": {"S": f"p{i}"}, "a": {"S": "x"}, "b": {"N": str(i % 2)}, "c": {"N": str(-i)}},
        )
    ddb.update_table(
        TableName=name,
        AttributeDefinitions=defs([("a", "S"), ("b", "N"), ("c", "N")]),
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "byAB",
                    "KeySchema": key_schema(["a", "b"], ["c"]),
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            }
        ],
    )
    deadline = time.time() + 30
    while True:
        g = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
        if g["IndexStatus"] == "ACTIVE":
            break
        assert time.time() < deadline
        time.sleep(0.05)
    assert g["KeySchema"] == key_schema(["a", "b"], ["c"])
    items = ddb.query(
        TableName=name,
        IndexName="byAB",
        KeyConditionExpression="a = :a AND b = :b",
        ExpressionAttributeValues={":a": {"S": "x"}, ":b": {"N": "1"}},
    )["Items"]
    assert [i["pk"]["S"] for i in items] == ["p5", "p3", "p1"]


def test_legacy_key_conditions_name_every_key_attribute(ddb, games):
    # KeyConditions take one condition per attribute of a multi-attribute
    # key, under the same rules as KeyConditionExpression.
    def kc(**conds):
        return {
            name: {"ComparisonOperator": op, "AttributeValueList": [value]}
            for name, (op, value) in conds.items()
        }

    def query(conds, **kwargs):
        out = ddb.query(TableName=games, IndexName="byEvent", KeyConditions=conds, **kwargs)
        return [f"{i['pk']['S']}:{i['sk']['N']}" for i in out["Items"]]

    both = dict(event=("EQ", {"S": "cup"}), team=("EQ", {"S": "A"}))
    assert query(kc(**both)) == ["g3:1", "g4:1", "g2:1", "g1:1", "g1:2"]
    assert query(kc(**both, stage=("EQ", {"S": "semi"}), score=("LT", {"N": "20"}))) == ["g2:1"]
    assert query(kc(**both, stage=("BEGINS_WITH", {"S": "g"}))) == ["g4:1"]
    with pytest.raises(ClientError) as e:
        query(kc(**both, score=("EQ", {"N": "1"})))
    assert error(e) == (
        "ValidationException",
        "RANGE key attributes stage must have equality conditions specified in the query "
        "because a condition is present on key attribute score",
    )
    with pytest.raises(ClientError) as e:
        query(kc(event=("EQ", {"S": "cup"})))
    assert error(e) == ("ValidationException", "Query condition missed key schema element: team")
    # On the table, whose key has two attributes, still one or two.
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=games, KeyConditions=kc(pk=("EQ", {"S": "g1"}), sk=("EQ", {"N": "1"}), team=("EQ", {"S": "A"})))
    assert error(e) == ("ValidationException", "Conditions can be of length 1 or 2 only")


def test_update_table_checks_a_new_index_as_create_table_does(ddb):
    name = create_table(ddb, unique("updbad"))
    with pytest.raises(ClientError) as e:
        ddb.update_table(
            TableName=name,
            AttributeDefinitions=defs([("a", "S"), ("b", "S"), ("c", "S")]),
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": "bad",
                        "KeySchema": key_schema(["a"], ["b"]) + key_schema(["c"], []),
                        "Projection": {"ProjectionType": "ALL"},
                    }
                }
            ],
        )
    assert error(e) == (
        "ValidationException",
        INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema",
    )


def test_stream_records_carry_the_table_key_only(ddb, endpoint):
    import boto3

    name = unique("mstream")
    arn = ddb.create_table(
        TableName=name,
        AttributeDefinitions=defs([("pk", "S"), ("a", "S"), ("b", "N")]),
        KeySchema=key_schema(["pk"], []),
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        GlobalSecondaryIndexes=[
            {"IndexName": "byAB", "KeySchema": key_schema(["a", "b"], []), "Projection": {"ProjectionType": "ALL"}}
        ],
    )["TableDescription"]["LatestStreamArn"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "a": {"S": "x"}, "b": {"N": "1"}})
    s = boto3.client(
        "dynamodbstreams",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )
    shard = s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = s.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    (record,) = s.get_records(ShardIterator=it)["Records"]
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "k"}}
