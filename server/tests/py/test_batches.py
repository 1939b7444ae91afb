"""BatchWriteItem and BatchGetItem: boto3's batch_writer, two tables in one
call, and the batch limits as ValidationException."""

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique


def test_batch_writer_and_batch_get(ddb, resource):
    orders = create_table(ddb, unique("orders"))
    lines = create_table(ddb, unique("lines"), "sk")
    with resource.Table(orders).batch_writer() as w:  # chunks of 25
        for i in range(60):
            w.put_item(Item={"pk": f"o{i}", "total": i})
    with resource.Table(lines).batch_writer() as w:
        for i in range(40):
            w.put_item(Item={"pk": "o1", "sk": i, "qty": i % 3})

    out = ddb.batch_write_item(
        RequestItems={
            orders: [
                {"DeleteRequest": {"Key": {"pk": {"S": "o0"}}}},
                {"PutRequest": {"Item": {"pk": {"S": "o1"}, "total": {"N": "1000"}}}},
            ],
            lines: [{"DeleteRequest": {"Key": {"pk": {"S": "o1"}, "sk": {"N": str(i)}}}} for i in range(30, 40)],
        }
    )
    assert out["UnprocessedItems"] == {}

    out = ddb.batch_get_item(
        RequestItems={
            orders: {"Keys": [{"pk": {"S": f"o{i}"}} for i in range(60)]},
            lines: {
                "Keys": [{"pk": {"S": "o1"}, "sk": {"N": str(i)}} for i in range(40)],
                "ProjectionExpression": "sk",
            },
        }
    )
    assert out["UnprocessedKeys"] == {}
    got_orders = {i["pk"]["S"]: i for i in out["Responses"][orders]}
    assert len(got_orders) == 59 and "o0" not in got_orders
    assert got_orders["o1"]["total"] == {"N": "1000"}
    assert sorted(int(i["sk"]["N"]) for i in out["Responses"][lines]) == list(range(30))
    assert all(set(i) == {"sk"} for i in out["Responses"][lines])


def test_batch_limits(ddb, table):
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(26)]}
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(101)]}})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": "d"}}, {"pk": {"S": "d"}}]}})
    assert e.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Provided list of item keys contains duplicates",
    }
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.batch_get_item(RequestItems={"no-such-table": {"Keys": [{"pk": {"S": "x"}}]}})
