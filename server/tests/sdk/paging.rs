//! Query and Scan paging through the SDK's paginators: `Limit` pages, the
//! 1 MB page limit, descending queries, filters, and parallel scan segments
//! that together return every item once.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::{AttributeValue, Select};
use aws_sdk_dynamodb::Client;

use crate::harness::{create_table, item, n, s, Server};

const SMALL: i64 = 50;
const BIG: i64 = 24;
const BIG_BYTES: usize = 100_000;

async fn fill(client: &Client) {
    create_table(client, "Events", true).await;
    for i in 0..SMALL {
        client
            .put_item()
            .table_name("Events")
            .set_item(Some(item([
                ("pk", s("small")),
                ("sk", n(i)),
                ("even", AttributeValue::Bool(i % 2 == 0)),
            ])))
            .send()
            .await
            .expect("PutItem small");
    }
    let payload = "x".repeat(BIG_BYTES);
    for i in 0..BIG {
        client
            .put_item()
            .table_name("Events")
            .set_item(Some(item([
                ("pk", s("big")),
                ("sk", n(i)),
                ("payload", s(&payload)),
            ])))
            .send()
            .await
            .expect("PutItem big");
    }
}

fn sk(i: &std::collections::HashMap<String, AttributeValue>) -> i64 {
    i.get("sk")
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .expect("numeric sk")
}

#[tokio::test]
async fn query_pages_by_limit_and_by_size() {
    let server = Server::start();
    let client = server.client();
    fill(&client).await;

    let pages = client
        .query()
        .table_name("Events")
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", s("small"))
        .limit(7)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("Query pages");
    assert_eq!(pages.len(), 8, "7 full pages of 7, then 1");
    assert!(pages[..7].iter().all(|p| p.count() == 7));
    assert!(pages[7].last_evaluated_key().is_none());
    let sks: Vec<i64> = pages
        .iter()
        .flat_map(|p| p.items().iter().map(sk))
        .collect();
    assert_eq!(sks, (0..SMALL).collect::<Vec<_>>());

    // Descending, with a range on the sort key, item by item.
    let items = client
        .query()
        .table_name("Events")
        .key_condition_expression("pk = :p AND sk BETWEEN :lo AND :hi")
        .expression_attribute_values(":p", s("small"))
        .expression_attribute_values(":lo", n(10))
        .expression_attribute_values(":hi", n(29))
        .scan_index_forward(false)
        .limit(6)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("Query items");
    let sks: Vec<i64> = items.iter().map(sk).collect();
    assert_eq!(sks, (10..30).rev().collect::<Vec<_>>());

    // No Limit: 24 items of ~100 KB cannot come back in one 1 MB page.
    let pages = client
        .query()
        .table_name("Events")
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", s("big"))
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("Query big pages");
    assert!(pages.len() >= 3, "{} pages", pages.len());
    // A page ends with the item that brings it to 1 MB (DynamoDB's rule).
    assert!(pages
        .iter()
        .all(|p| (p.count() as usize - 1) * BIG_BYTES < 1024 * 1024));
    let sks: Vec<i64> = pages
        .iter()
        .flat_map(|p| p.items().iter().map(sk))
        .collect();
    assert_eq!(sks, (0..BIG).collect::<Vec<_>>());

    // Select COUNT pages too.
    let pages = client
        .query()
        .table_name("Events")
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", s("small"))
        .select(Select::Count)
        .limit(20)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("Query COUNT");
    assert_eq!(pages.iter().map(|p| p.count()).sum::<i32>(), SMALL as i32);
    assert!(pages.iter().all(|p| p.items().is_empty()));
}

#[tokio::test]
async fn scan_pages_filters_and_segments() {
    let server = Server::start();
    let client = server.client();
    fill(&client).await;

    let items = client
        .scan()
        .table_name("Events")
        .projection_expression("pk, sk")
        .limit(9)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("Scan items");
    assert_eq!(items.len() as i64, SMALL + BIG);
    let keys: BTreeSet<(String, i64)> = items
        .iter()
        .map(|i| {
            let pk = i.get("pk").and_then(|v| v.as_s().ok()).cloned();
            (pk.expect("pk"), sk(i))
        })
        .collect();
    assert_eq!(keys.len() as i64, SMALL + BIG, "no item twice");

    // A filter applies after Limit: pages may hold fewer than Limit items.
    let pages = client
        .scan()
        .table_name("Events")
        .filter_expression("even = :t")
        .expression_attribute_values(":t", AttributeValue::Bool(true))
        .limit(10)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("filtered Scan");
    assert_eq!(pages.iter().map(|p| p.count()).sum::<i32>(), 25);
    assert_eq!(
        pages.iter().map(|p| p.scanned_count()).sum::<i32>(),
        (SMALL + BIG) as i32
    );

    // Four parallel segments partition the table.
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for segment in 0..4 {
        let items = client
            .scan()
            .table_name("Events")
            .segment(segment)
            .total_segments(4)
            .projection_expression("pk, sk")
            .limit(5)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .expect("segment Scan");
        total += items.len();
        for i in &items {
            let pk = i.get("pk").and_then(|v| v.as_s().ok()).cloned();
            seen.insert((pk.expect("pk"), sk(i)));
        }
    }
    assert_eq!(total as i64, SMALL + BIG);
    assert_eq!(seen, keys);
}
