//! BatchWriteItem and BatchGetItem across two tables, and DynamoDB's
//! batch limits (25 writes, 100 keys) as the SDK's ValidationException.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};

use crate::harness::{create_table, item, n, s, Server};

fn put(i: HashMap<String, AttributeValue>) -> WriteRequest {
    WriteRequest::builder()
        .put_request(
            PutRequest::builder()
                .set_item(Some(i))
                .build()
                .expect("PutRequest"),
        )
        .build()
}

fn delete(k: HashMap<String, AttributeValue>) -> WriteRequest {
    WriteRequest::builder()
        .delete_request(
            DeleteRequest::builder()
                .set_key(Some(k))
                .build()
                .expect("DeleteRequest"),
        )
        .build()
}

fn keys(table_keys: Vec<HashMap<String, AttributeValue>>) -> KeysAndAttributes {
    KeysAndAttributes::builder()
        .set_keys(Some(table_keys))
        .build()
        .expect("KeysAndAttributes")
}

#[tokio::test]
async fn batch_write_then_batch_get_across_tables() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Orders", false).await;
    create_table(&client, "Lines", true).await;

    // 4 batches of 25 puts: 60 orders, 40 lines.
    let mut writes: Vec<(&str, WriteRequest)> = Vec::new();
    for i in 0..60 {
        writes.push((
            "Orders",
            put(item([("pk", s(&format!("o{i}"))), ("total", n(i))])),
        ));
    }
    for i in 0..40 {
        writes.push((
            "Lines",
            put(item([("pk", s("o1")), ("sk", n(i)), ("qty", n(i % 3))])),
        ));
    }
    for chunk in writes.chunks(25) {
        let mut by_table: HashMap<String, Vec<WriteRequest>> = HashMap::new();
        for (table, w) in chunk {
            by_table
                .entry(table.to_string())
                .or_default()
                .push(w.clone());
        }
        let out = client
            .batch_write_item()
            .set_request_items(Some(by_table))
            .send()
            .await
            .expect("BatchWriteItem");
        assert!(out.unprocessed_items().is_none_or(|u| u.is_empty()));
    }

    // Mixed puts and deletes in one batch.
    let mut mixed: HashMap<String, Vec<WriteRequest>> = HashMap::new();
    mixed.insert(
        "Orders".into(),
        vec![
            delete(item([("pk", s("o0"))])),
            put(item([("pk", s("o1")), ("total", n(1000))])),
        ],
    );
    mixed.insert(
        "Lines".into(),
        (30..40)
            .map(|i| delete(item([("pk", s("o1")), ("sk", n(i))])))
            .collect(),
    );
    client
        .batch_write_item()
        .set_request_items(Some(mixed))
        .send()
        .await
        .expect("mixed BatchWriteItem");

    // 100 keys in one BatchGetItem: 60 orders (o0 now gone) and 40 lines
    // (10 gone), with a projection on one table.
    let order_keys = (0..60)
        .map(|i| item([("pk", s(&format!("o{i}")))]))
        .collect();
    let line_keys = (0..40)
        .map(|i| item([("pk", s("o1")), ("sk", n(i))]))
        .collect();
    let out = client
        .batch_get_item()
        .request_items("Orders", keys(order_keys))
        .request_items(
            "Lines",
            KeysAndAttributes::builder()
                .set_keys(Some(line_keys))
                .projection_expression("sk")
                .build()
                .expect("KeysAndAttributes"),
        )
        .send()
        .await
        .expect("BatchGetItem");
    assert!(out.unprocessed_keys().is_none_or(|u| u.is_empty()));
    let responses = out.responses().expect("Responses");
    let orders = &responses["Orders"];
    assert_eq!(orders.len(), 59);
    let o1 = orders
        .iter()
        .find(|i| i.get("pk") == Some(&s("o1")))
        .expect("o1");
    assert_eq!(o1.get("total"), Some(&n(1000)));
    let lines = &responses["Lines"];
    assert_eq!(lines.len(), 30);
    assert!(lines.iter().all(|l| l.len() == 1 && l.contains_key("sk")));
}

#[tokio::test]
async fn batch_limits_are_validation_errors() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Limits", false).await;

    let too_many: Vec<WriteRequest> = (0..26)
        .map(|i| put(item([("pk", s(&format!("k{i}")))])))
        .collect();
    let err = client
        .batch_write_item()
        .request_items("Limits", too_many)
        .send()
        .await
        .expect_err("26 writes")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"), "{err:?}");

    let too_many: Vec<_> = (0..101)
        .map(|i| item([("pk", s(&format!("k{i}")))]))
        .collect();
    let err = client
        .batch_get_item()
        .request_items("Limits", keys(too_many))
        .send()
        .await
        .expect_err("101 keys")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"), "{err:?}");

    let err = client
        .batch_get_item()
        .request_items(
            "Limits",
            keys(vec![item([("pk", s("dup"))]), item([("pk", s("dup"))])]),
        )
        .send()
        .await
        .expect_err("duplicate keys")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
    assert!(
        err.message().is_some_and(|m| m.contains("duplicates")),
        "{err:?}"
    );
}
