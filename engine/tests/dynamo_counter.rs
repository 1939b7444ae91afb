//! Conditional read-modify-write updates on one item from many threads
//! lose nothing: the per-item lock makes each UpdateItem atomic.

use std::sync::Arc;

use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::{AttributeValue, DynamoError, Item, Number};

const THREADS: usize = 8;
const INCREMENTS: usize = 200;

fn key() -> Item {
    [("id".to_string(), AttributeValue::S("counter".into()))].into()
}

fn increment(db: &DynamoDb, condition: &str, limit: i64) -> Result<UpdateItemOutput, DynamoError> {
    let mut values = AttributeValues::new();
    values.insert(":one".into(), AttributeValue::N(Number::from(1i64)));
    if condition.contains(":max") {
        values.insert(":max".into(), AttributeValue::N(Number::from(limit)));
    }
    db.update_item(UpdateItemInput {
        table_name: "Counters".into(),
        key: key(),
        update_expression: Some("SET n = n + :one".into()),
        condition_expression: Some(condition.into()),
        expression_attribute_values: Some(values),
        ..Default::default()
    })
}

fn value(db: &DynamoDb) -> i64 {
    let got = db
        .get_item(GetItemInput {
            table_name: "Counters".into(),
            key: key(),
            ..Default::default()
        })
        .expect("get");
    match got.item.as_ref().and_then(|i| i.get("n")) {
        Some(AttributeValue::N(x)) => x.to_string().parse().expect("integer"),
        other => panic!("counter is {other:?}"),
    }
}

fn setup() -> Arc<DynamoDb> {
    let db = DynamoDb::open_in_memory().expect("open");
    db.create_table(CreateTableInput {
        table_name: "Counters".into(),
        attribute_definitions: vec![AttributeDefinition {
            attribute_name: "id".into(),
            attribute_type: ScalarAttributeType::S,
        }],
        key_schema: vec![KeySchemaElement {
            attribute_name: "id".into(),
            key_type: KeyType::Hash,
        }],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })
    .expect("create");
    let mut item = key();
    item.insert("n".into(), AttributeValue::N(Number::from(0i64)));
    db.put_item(PutItemInput {
        table_name: "Counters".into(),
        item,
        ..Default::default()
    })
    .expect("put");
    Arc::new(db)
}

/// Runs `THREADS` × `INCREMENTS` increments; returns how many succeeded.
fn hammer(db: &Arc<DynamoDb>, condition: &'static str, limit: i64) -> usize {
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let db = Arc::clone(db);
            std::thread::spawn(move || {
                let mut ok = 0;
                for _ in 0..INCREMENTS {
                    match increment(&db, condition, limit) {
                        Ok(_) => ok += 1,
                        Err(DynamoError::ConditionalCheckFailedException { .. }) => {}
                        Err(e) => panic!("increment failed: {e}"),
                    }
                }
                ok
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().expect("thread")).sum()
}

#[test]
fn eight_threads_increment_one_item_exactly_1600_times() {
    let db = setup();
    let ok = hammer(&db, "attribute_exists(n)", 0);
    assert_eq!(ok, THREADS * INCREMENTS);
    assert_eq!(value(&db), (THREADS * INCREMENTS) as i64);
}

#[test]
fn a_bounded_counter_stops_exactly_at_its_bound() {
    let db = setup();
    // Room for half of the increments: the condition must see every one.
    let limit = (THREADS * INCREMENTS / 2) as i64;
    let ok = hammer(&db, "n < :max", limit);
    assert_eq!(ok as i64, limit);
    assert_eq!(value(&db), limit);
}
