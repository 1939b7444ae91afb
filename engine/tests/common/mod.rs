//! Shared helpers for the integration tests: the DynamoDB layer's here and
//! in `streams.rs`, the storage engine's on an in-memory disk in `disk.rs`,
//! the frozen fixtures of released format versions in `fixtures.rs`, item
//! collection sizes in `collections.rs`.
#![allow(dead_code)]

pub mod blobs;
pub mod collections;
pub mod disk;
#[cfg(unix)]
pub mod du;
pub mod executor;
pub mod fixtures;
pub mod streams;
pub mod workload;

use std::collections::HashMap;

use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions};
use siltdb::fs::MemFs;
use siltdb::low_level::dynamo::layout::range_prefix;
use siltdb::{AttributeValue, Db, Item, Number, Options};

/// `S`.
pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

/// `N`, from anything that prints as a DynamoDB number (`5`, `"-1.5E3"`).
pub fn n(v: impl std::fmt::Display) -> AttributeValue {
    let text = v.to_string();
    AttributeValue::N(Number::parse(&text).unwrap_or_else(|e| panic!("test number {text:?}: {e}")))
}

/// The integer value of an `N` attribute.
pub fn num(v: Option<&AttributeValue>) -> i64 {
    match v {
        Some(AttributeValue::N(x)) => x.to_string().parse().expect("integer"),
        other => panic!("not a number: {other:?}"),
    }
}

/// An item from pairs.
pub fn item(pairs: &[(&str, AttributeValue)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// `ExpressionAttributeValues` from pairs.
pub fn values(pairs: &[(&str, AttributeValue)]) -> Option<AttributeValues> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// `ExpressionAttributeNames` from pairs.
pub fn names(pairs: &[(&str, &str)]) -> Option<HashMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// A table `name` keyed by `pk` (S) and, if given, `sk` of type `sk_type`.
pub fn create(db: &DynamoDb, name: &str, sk: Option<(&str, ScalarAttributeType)>) {
    let mut defs = vec![AttributeDefinition {
        attribute_name: "pk".into(),
        attribute_type: ScalarAttributeType::S,
    }];
    let mut ks = vec![KeySchemaElement {
        attribute_name: "pk".into(),
        key_type: KeyType::Hash,
    }];
    if let Some((sk, ty)) = sk {
        defs.push(AttributeDefinition {
            attribute_name: sk.into(),
            attribute_type: ty,
        });
        ks.push(KeySchemaElement {
            attribute_name: sk.into(),
            key_type: KeyType::Range,
        });
    }
    db.create_table(CreateTableInput {
        table_name: name.into(),
        attribute_definitions: defs,
        key_schema: ks,
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })
    .expect("create table");
}

/// A DynamoDB database in `/db` on the in-memory disk `mem`, with `opts`.
pub fn open_mem(mem: &MemFs, opts: DynamoOptions) -> DynamoDb {
    let db = Db::open(
        "/db",
        Options {
            fs: std::sync::Arc::new(mem.clone()),
            ..Options::default()
        },
    )
    .expect("open");
    DynamoDb::with_db(db, opts).expect("dynamo")
}

/// How many engine keys start with `table_id ++ index_id`.
pub fn keys_in(db: &DynamoDb, table_id: u32, index_id: u8) -> usize {
    let prefix = range_prefix(table_id, index_id);
    let mut it = db.engine().iter().expect("iter");
    it.seek(&prefix).expect("seek");
    let mut count = 0;
    while it.valid() && it.key().starts_with(&prefix) {
        count += 1;
        it.next().expect("next");
    }
    count
}

/// Puts an item, panicking on error.
pub fn put(db: &DynamoDb, table: &str, it: Item) {
    db.put_item(PutItemInput {
        table_name: table.into(),
        item: it,
        ..Default::default()
    })
    .expect("put");
}

/// Gets an item by key.
pub fn get(db: &DynamoDb, table: &str, key: Item) -> Option<Item> {
    db.get_item(GetItemInput {
        table_name: table.into(),
        key,
        consistent_read: Some(true),
        ..Default::default()
    })
    .expect("get")
    .item
}

/// The message of a ValidationException, panicking on anything else.
pub fn validation<T: std::fmt::Debug>(r: Result<T, DynamoError>) -> String {
    match r {
        Err(DynamoError::ValidationException(m)) => m,
        other => panic!("expected ValidationException, got {other:?}"),
    }
}
