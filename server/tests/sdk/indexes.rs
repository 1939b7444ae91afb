//! Secondary indexes through the SDK: a table created with a global and a
//! local secondary index, Query and Scan with `IndexName` (sparse, projected,
//! paged by `Limit` and `ExclusiveStartKey`), a global index added to a
//! populated table by UpdateTable and backfilled, then deleted, and
//! DynamoDB's errors for a missing index or a consistent read of a global
//! one as the SDK parses them.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeValue, BillingMode, CreateGlobalSecondaryIndexAction,
    DeleteGlobalSecondaryIndexAction, GlobalSecondaryIndex, GlobalSecondaryIndexUpdate,
    IndexStatus, KeyType, LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType,
    Select,
};
use aws_sdk_dynamodb::Client;

use crate::harness::{attr, create_table, item, key, n, s, Server};

type Item = HashMap<String, AttributeValue>;

/// Orders keyed by customer (`pk`) and order number (`sk`), with a global
/// index `byStatus` (`status`, `placed`) projecting `total` besides the keys,
/// and a local index `byTotal` (`pk`, `total`) projecting everything.
async fn create_orders(client: &Client) {
    let by_status = GlobalSecondaryIndex::builder()
        .index_name("byStatus")
        .key_schema(key("status", KeyType::Hash))
        .key_schema(key("placed", KeyType::Range))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::Include)
                .non_key_attributes("total")
                .build(),
        )
        .build()
        .expect("GlobalSecondaryIndex");
    let by_total = LocalSecondaryIndex::builder()
        .index_name("byTotal")
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("total", KeyType::Range))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .expect("LocalSecondaryIndex");
    let created = client
        .create_table()
        .table_name("Orders")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .attribute_definitions(attr("sk", ScalarAttributeType::N))
        .attribute_definitions(attr("status", ScalarAttributeType::S))
        .attribute_definitions(attr("placed", ScalarAttributeType::N))
        .attribute_definitions(attr("total", ScalarAttributeType::N))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(by_status)
        .local_secondary_indexes(by_total)
        .send()
        .await
        .expect("CreateTable with indexes");
    let desc = created.table_description().expect("TableDescription");
    let gsi = &desc.global_secondary_indexes()[0];
    assert_eq!(gsi.index_name(), Some("byStatus"));
    assert_eq!(gsi.index_status(), Some(&IndexStatus::Active));
    assert_eq!(
        gsi.projection().and_then(|p| p.projection_type()),
        Some(&ProjectionType::Include)
    );
    assert_eq!(
        gsi.projection().map(|p| p.non_key_attributes()),
        Some(&["total".to_string()][..])
    );
    assert!(gsi
        .index_arn()
        .is_some_and(|a| a.ends_with(":table/Orders/index/byStatus")));
    let lsi = &desc.local_secondary_indexes()[0];
    assert_eq!(lsi.index_name(), Some("byTotal"));
    assert_eq!(lsi.key_schema()[1].attribute_name(), "total");
}

/// Order `i`: customer `c{i % 2}`, placed at `100 - i`, total `10 * i`; its
/// status is absent for every third order (so `byStatus` is sparse), else
/// "open" or "shipped".
fn order(i: i64) -> Item {
    let mut o = item([
        ("pk", s(&format!("c{}", i % 2))),
        ("sk", n(i)),
        ("placed", n(100 - i)),
        ("total", n(10 * i)),
        ("note", s(&format!("note {i}"))),
    ]);
    match i % 3 {
        1 => o.insert("status".into(), s("open")),
        2 => o.insert("status".into(), s("shipped")),
        _ => None,
    };
    o
}

async fn fill_orders(client: &Client) {
    create_orders(client).await;
    for i in 0..12 {
        client
            .put_item()
            .table_name("Orders")
            .set_item(Some(order(i)))
            .send()
            .await
            .expect("PutItem");
    }
}

fn num(i: &Item, name: &str) -> i64 {
    i.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("numeric {name} in {i:?}"))
}

fn names(i: &Item) -> BTreeSet<&str> {
    i.keys().map(String::as_str).collect()
}

#[tokio::test]
async fn global_index_query_is_sparse_projected_and_paged() {
    let server = Server::start();
    let client = server.client();
    fill_orders(&client).await;

    // The open orders (1, 4, 7, 10) in `placed` order, three a page; the
    // start key is the LastEvaluatedKey handed back unchanged.
    let query = || {
        client
            .query()
            .table_name("Orders")
            .index_name("byStatus")
            .key_condition_expression("#s = :s")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":s", s("open"))
            .limit(3)
    };
    let first = query().send().await.expect("Query byStatus page 1");
    assert_eq!(first.count(), 3);
    let sks: Vec<i64> = first.items().iter().map(|i| num(i, "sk")).collect();
    assert_eq!(sks, [10, 7, 4], "ascending by the index sort key");
    let lek = first.last_evaluated_key().expect("LastEvaluatedKey");
    assert_eq!(
        lek.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        BTreeSet::from(["status", "placed", "pk", "sk"]),
        "index key and table key of the last item"
    );
    assert_eq!(lek.get("sk"), Some(&n(4)));
    assert_eq!(lek.get("placed"), Some(&n(96)));
    // INCLUDE projection: the table and index keys and `total`, not `note`.
    for i in first.items() {
        assert_eq!(
            names(i),
            BTreeSet::from(["pk", "sk", "status", "placed", "total"]),
            "{i:?}"
        );
    }

    let second = query()
        .set_exclusive_start_key(Some(lek.clone()))
        .send()
        .await
        .expect("Query byStatus page 2");
    let sks: Vec<i64> = second.items().iter().map(|i| num(i, "sk")).collect();
    assert_eq!(sks, [1]);
    assert!(second.last_evaluated_key().is_none());

    // The SDK's paginator walks the same pages, newest placement first.
    let pages = client
        .query()
        .table_name("Orders")
        .index_name("byStatus")
        .key_condition_expression("#s = :s AND placed BETWEEN :lo AND :hi")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":s", s("shipped"))
        .expression_attribute_values(":lo", n(90))
        .expression_attribute_values(":hi", n(95))
        .scan_index_forward(false)
        .limit(1)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("Query byStatus pages");
    let sks: Vec<i64> = pages
        .iter()
        .flat_map(|p| p.items().iter().map(|i| num(i, "sk")))
        .collect();
    assert_eq!(sks, [5, 8], "placed 98 and 89 are out of range");

    let counted = client
        .query()
        .table_name("Orders")
        .index_name("byStatus")
        .key_condition_expression("#s = :s")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":s", s("shipped"))
        .select(Select::Count)
        .send()
        .await
        .expect("Query byStatus COUNT");
    assert_eq!(counted.count(), 4);
    assert!(counted.items().is_empty());

    // A Scan of the index holds only the orders that have a status.
    let scanned = client
        .scan()
        .table_name("Orders")
        .index_name("byStatus")
        .send()
        .await
        .expect("Scan byStatus");
    let mut sks: Vec<i64> = scanned.items().iter().map(|i| num(i, "sk")).collect();
    sks.sort_unstable();
    assert_eq!(sks, [1, 2, 4, 5, 7, 8, 10, 11]);
    assert_eq!(scanned.scanned_count(), 8);

    // The index follows writes: an order gains a status, another loses it.
    client
        .update_item()
        .table_name("Orders")
        .key("pk", s("c0"))
        .key("sk", n(0))
        .update_expression("SET #s = :s")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":s", s("open"))
        .send()
        .await
        .expect("UpdateItem adds status");
    client
        .update_item()
        .table_name("Orders")
        .key("pk", s("c0"))
        .key("sk", n(4))
        .update_expression("REMOVE #s")
        .expression_attribute_names("#s", "status")
        .send()
        .await
        .expect("UpdateItem removes status");
    let open = client
        .query()
        .table_name("Orders")
        .index_name("byStatus")
        .key_condition_expression("#s = :s")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":s", s("open"))
        .send()
        .await
        .expect("Query byStatus after updates");
    let sks: Vec<i64> = open.items().iter().map(|i| num(i, "sk")).collect();
    assert_eq!(sks, [10, 7, 1, 0]);
}

#[tokio::test]
async fn local_index_query_orders_by_the_alternate_sort_key() {
    let server = Server::start();
    let client = server.client();
    fill_orders(&client).await;

    // Customer c1's orders (1, 3, 5, 7, 9, 11) by total, from 50 down.
    let out = client
        .query()
        .table_name("Orders")
        .index_name("byTotal")
        // TOTAL is a reserved word, so the key condition names it by `#t`.
        .key_condition_expression("pk = :c AND #t >= :t")
        .expression_attribute_names("#t", "total")
        .expression_attribute_values(":c", s("c1"))
        .expression_attribute_values(":t", n(50))
        .scan_index_forward(false)
        .consistent_read(true)
        .send()
        .await
        .expect("Query byTotal");
    let totals: Vec<i64> = out.items().iter().map(|i| num(i, "total")).collect();
    assert_eq!(totals, [110, 90, 70, 50]);
    // ALL projection: the whole item, `note` included.
    assert_eq!(out.items()[0], order(11));

    // Paged with a start key holding the table key and the index sort key.
    let first = client
        .query()
        .table_name("Orders")
        .index_name("byTotal")
        .key_condition_expression("pk = :c")
        .expression_attribute_values(":c", s("c0"))
        .limit(4)
        .send()
        .await
        .expect("Query byTotal page 1");
    let lek = first.last_evaluated_key().expect("LastEvaluatedKey");
    assert_eq!(
        lek.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        BTreeSet::from(["pk", "sk", "total"])
    );
    let rest = client
        .query()
        .table_name("Orders")
        .index_name("byTotal")
        .key_condition_expression("pk = :c")
        .expression_attribute_values(":c", s("c0"))
        .set_exclusive_start_key(Some(lek.clone()))
        .send()
        .await
        .expect("Query byTotal page 2");
    let totals: Vec<i64> = first
        .items()
        .iter()
        .chain(rest.items())
        .map(|i| num(i, "total"))
        .collect();
    assert_eq!(totals, [0, 20, 40, 60, 80, 100]);
}

/// Polls DescribeTable until `index` has status `want` (or, for `None`, is
/// gone), for at most 10 s.
async fn wait_for_index(client: &Client, table: &str, index: &str, want: Option<IndexStatus>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let described = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .expect("DescribeTable");
        let status = described
            .table()
            .map(|t| t.global_secondary_indexes())
            .unwrap_or_default()
            .iter()
            .find(|g| g.index_name() == Some(index))
            .map(|g| g.index_status().cloned());
        let done = match &want {
            Some(w) => status.as_ref().is_some_and(|s| s.as_ref() == Some(w)),
            None => status.is_none(),
        };
        if done {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "index {index} still {status:?} after 10 s, want {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn global_index_added_to_a_populated_table_is_backfilled() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Paints", false).await;
    let colors = ["red", "green", "blue"];
    for i in 0..30 {
        client
            .put_item()
            .table_name("Paints")
            .set_item(Some(item([
                ("pk", s(&format!("p{i:02}"))),
                ("color", s(colors[i % 3])),
                ("litres", n(i)),
            ])))
            .send()
            .await
            .expect("PutItem");
    }

    let create = CreateGlobalSecondaryIndexAction::builder()
        .index_name("byColor")
        .key_schema(key("color", KeyType::Hash))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::KeysOnly)
                .build(),
        )
        .build()
        .expect("CreateGlobalSecondaryIndexAction");
    let updated = client
        .update_table()
        .table_name("Paints")
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .attribute_definitions(attr("color", ScalarAttributeType::S))
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder().create(create).build(),
        )
        .send()
        .await
        .expect("UpdateTable creates byColor");
    let gsi = &updated
        .table_description()
        .expect("TableDescription")
        .global_secondary_indexes()[0];
    assert_eq!(gsi.index_name(), Some("byColor"));
    assert_eq!(gsi.index_status(), Some(&IndexStatus::Creating));

    wait_for_index(&client, "Paints", "byColor", Some(IndexStatus::Active)).await;
    let red = client
        .query()
        .table_name("Paints")
        .index_name("byColor")
        .key_condition_expression("color = :c")
        .expression_attribute_values(":c", s("red"))
        .send()
        .await
        .expect("Query byColor");
    let pks: BTreeSet<String> = red
        .items()
        .iter()
        .map(|i| {
            assert_eq!(names(i), BTreeSet::from(["pk", "color"]), "KEYS_ONLY");
            i["pk"].as_s().expect("S pk").clone()
        })
        .collect();
    let want: BTreeSet<String> = (0..30).step_by(3).map(|i| format!("p{i:02}")).collect();
    assert_eq!(pks, want, "every red paint written before the index");

    // Deleting it: the index goes away and reads of it are refused.
    let delete = DeleteGlobalSecondaryIndexAction::builder()
        .index_name("byColor")
        .build()
        .expect("DeleteGlobalSecondaryIndexAction");
    client
        .update_table()
        .table_name("Paints")
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder().delete(delete).build(),
        )
        .send()
        .await
        .expect("UpdateTable deletes byColor");
    wait_for_index(&client, "Paints", "byColor", None).await;
    let err = client
        .query()
        .table_name("Paints")
        .index_name("byColor")
        .key_condition_expression("color = :c")
        .expression_attribute_values(":c", s("red"))
        .send()
        .await
        .expect_err("deleted index")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
}

#[tokio::test]
async fn index_errors_as_the_sdk_sees_them() {
    let server = Server::start();
    let client = server.client();
    fill_orders(&client).await;

    let err = client
        .query()
        .table_name("Orders")
        .index_name("nope")
        .key_condition_expression("pk = :c")
        .expression_attribute_values(":c", s("c0"))
        .send()
        .await
        .expect_err("missing index")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some("The table does not have the specified index: nope")
    );

    let err = client
        .scan()
        .table_name("Orders")
        .index_name("nope")
        .send()
        .await
        .expect_err("missing index")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some("The table does not have the specified index: nope")
    );

    let err = client
        .query()
        .table_name("Orders")
        .index_name("byStatus")
        .key_condition_expression("#s = :s")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":s", s("open"))
        .consistent_read(true)
        .send()
        .await
        .expect_err("consistent read of a global index")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some("Consistent reads are not supported on global secondary indexes")
    );

    // A global index that does not project everything cannot return items
    // whole.
    let err = client
        .query()
        .table_name("Orders")
        .index_name("byStatus")
        .key_condition_expression("#s = :s")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":s", s("open"))
        .select(Select::AllAttributes)
        .send()
        .await
        .expect_err("ALL_ATTRIBUTES of an INCLUDE global index")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not \
             supported for global secondary index byStatus because its projection type is not ALL"
        )
    );
}
