"""Query and Scan paging through boto3's paginators: Limit pages, the 1 MB
page limit, descending ranges, filters after Limit, parallel scan segments."""

import pytest

from conftest import create_table, unique

SMALL, BIG, BIG_BYTES = 50, 24, 100_000


@pytest.fixture(scope="module")
def events(ddb):
    name = create_table(ddb, unique("events"), "sk")
    for i in range(SMALL):
        ddb.put_item(TableName=name, Item={"pk": {"S": "small"}, "sk": {"N": str(i)}, "even": {"BOOL": i % 2 == 0}})
    payload = "x" * BIG_BYTES
    for i in range(BIG):
        ddb.put_item(TableName=name, Item={"pk": {"S": "big"}, "sk": {"N": str(i)}, "payload": {"S": payload}})
    return name


def sks(items):
    return [int(i["sk"]["N"]) for i in items]


def test_query_pages_by_limit(ddb, events):
    pages = list(
        ddb.get_paginator("query").paginate(
            TableName=events,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "small"}},
            PaginationConfig={"PageSize": 7},
        )
    )
    assert [p["Count"] for p in pages] == [7] * 7 + [1]
    assert all("LastEvaluatedKey" in p for p in pages[:-1])
    assert "LastEvaluatedKey" not in pages[-1]
    assert sks(i for p in pages for i in p["Items"]) == list(range(SMALL))


def test_query_descending_range(ddb, events):
    it = ddb.get_paginator("query").paginate(
        TableName=events,
        KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={":p": {"S": "small"}, ":lo": {"N": "10"}, ":hi": {"N": "29"}},
        ScanIndexForward=False,
        PaginationConfig={"PageSize": 6},
    )
    assert sks(i for p in it for i in p["Items"]) == list(range(29, 9, -1))


def test_query_pages_end_at_one_megabyte(ddb, events):
    pages = list(
        ddb.get_paginator("query").paginate(
            TableName=events,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "big"}},
        )
    )
    assert len(pages) >= 3
    # A page ends with the item that brings it to 1 MB.
    assert all((p["Count"] - 1) * BIG_BYTES < 1 << 20 <= p["Count"] * (BIG_BYTES + 100) for p in pages[:-1])
    assert sks(i for p in pages for i in p["Items"]) == list(range(BIG))


def test_scan_paginator_filter_and_segments(ddb, events):
    items = [
        i
        for p in ddb.get_paginator("scan").paginate(
            TableName=events, ProjectionExpression="pk, sk", PaginationConfig={"PageSize": 9}
        )
        for i in p["Items"]
    ]
    keys = {(i["pk"]["S"], int(i["sk"]["N"])) for i in items}
    assert len(items) == len(keys) == SMALL + BIG

    pages = list(
        ddb.get_paginator("scan").paginate(
            TableName=events,
            FilterExpression="even = :t",
            ExpressionAttributeValues={":t": {"BOOL": True}},
            PaginationConfig={"PageSize": 10},
        )
    )
    assert sum(p["Count"] for p in pages) == 25
    assert sum(p["ScannedCount"] for p in pages) == SMALL + BIG

    seen = []
    for segment in range(3):
        for p in ddb.get_paginator("scan").paginate(
            TableName=events,
            Segment=segment,
            TotalSegments=3,
            ProjectionExpression="pk, sk",
            PaginationConfig={"PageSize": 5},
        ):
            seen += [(i["pk"]["S"], int(i["sk"]["N"])) for i in p["Items"]]
    assert len(seen) == SMALL + BIG
    assert set(seen) == keys


def test_select_count(ddb, events):
    out = ddb.query(
        TableName=events,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "small"}},
        Select="COUNT",
    )
    assert out["Count"] == SMALL and "Items" not in out
