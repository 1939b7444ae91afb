//! The DynamoDB layer on the library API: PutItem, GetItem, Query of 100
//! items of one partition, UpdateItem with a condition, and PutItem
//! replacing items that are on disk, not in the memtable.
//!
//! The database lives in a temporary directory on disk with `sync: false`,
//! so the figures are the CPU cost of the DynamoDB layer plus the engine,
//! not the device's fsync latency (which `siltdb-bench --sync true`
//! measures).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::{AttributeValue, Item, Number, Options};
use siltdb_benches::rng::SplitMix64;

const ITEMS: u64 = 100_000;
/// Items of the table whose items are all flushed before PutItem replaces
/// them, one each, in an order that visits no item twice in a million puts.
const FLUSHED_ITEMS: u64 = 1_000_000;
/// A step coprime with [`FLUSHED_ITEMS`]: `i * STRIDE % FLUSHED_ITEMS`
/// visits every item once per [`FLUSHED_ITEMS`] puts, scattered.
const STRIDE: u64 = 999_983;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(Number::from(v))
}

/// A ~200-byte item like a typical user record.
fn record(pk: &str, sk: u64) -> Item {
    [
        ("pk".to_string(), s(pk)),
        ("sk".to_string(), n(sk)),
        ("name".to_string(), s("Ada Lovelace")),
        ("email".to_string(), s("ada@example.com")),
        ("visits".to_string(), n(sk * 7)),
        ("bio".to_string(), s(&"x".repeat(120))),
    ]
    .into_iter()
    .collect()
}

fn open(dir: &std::path::Path) -> DynamoDb {
    let db = DynamoDb::open(
        dir,
        Options {
            sync: false,
            ..Options::default()
        },
    )
    .expect("open");
    create(&db, "bench");
    db
}

/// A table keyed by `pk` (S) and `sk` (N), without indexes or a stream.
fn create(db: &DynamoDb, name: &str) {
    db.create_table(CreateTableInput {
        table_name: name.into(),
        attribute_definitions: vec![
            AttributeDefinition {
                attribute_name: "pk".into(),
                attribute_type: ScalarAttributeType::S,
            },
            AttributeDefinition {
                attribute_name: "sk".into(),
                attribute_type: ScalarAttributeType::N,
            },
        ],
        key_schema: vec![
            KeySchemaElement {
                attribute_name: "pk".into(),
                key_type: KeyType::Hash,
            },
            KeySchemaElement {
                attribute_name: "sk".into(),
                key_type: KeyType::Range,
            },
        ],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })
    .expect("create");
}

fn pk(i: u64) -> String {
    format!("user#{:08}", i / 100)
}

fn dynamo_items(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = open(dir.path());
    for i in 0..ITEMS {
        db.put_item(PutItemInput {
            table_name: "bench".into(),
            item: record(&pk(i), i % 100),
            ..Default::default()
        })
        .expect("load");
    }
    let mut g = c.benchmark_group("dynamo");
    g.throughput(Throughput::Elements(1));
    let mut rng = SplitMix64::new(7);
    g.bench_function("put_item", |b| {
        b.iter(|| {
            let i = rng.below(ITEMS);
            db.put_item(PutItemInput {
                table_name: "bench".into(),
                item: record(&pk(i), i % 100),
                ..Default::default()
            })
            .expect("put")
        })
    });
    g.bench_function("get_item", |b| {
        b.iter(|| {
            let i = rng.below(ITEMS);
            let key: Item = [
                ("pk".to_string(), s(&pk(i))),
                ("sk".to_string(), n(i % 100)),
            ]
            .into_iter()
            .collect();
            black_box(
                db.get_item(GetItemInput {
                    table_name: "bench".into(),
                    key,
                    ..Default::default()
                })
                .expect("get"),
            )
        })
    });
    g.bench_function("update_item_conditional", |b| {
        b.iter(|| {
            let i = rng.below(ITEMS);
            let key: Item = [
                ("pk".to_string(), s(&pk(i))),
                ("sk".to_string(), n(i % 100)),
            ]
            .into_iter()
            .collect();
            db.update_item(UpdateItemInput {
                table_name: "bench".into(),
                key,
                update_expression: Some("SET visits = visits + :one".into()),
                condition_expression: Some("attribute_exists(pk)".into()),
                expression_attribute_values: Some(
                    [(":one".to_string(), n(1))].into_iter().collect(),
                ),
                ..Default::default()
            })
            .expect("update")
        })
    });
    g.finish();
    put_item_over_flushed(c, &db);
    let mut g = c.benchmark_group("dynamo_query");
    g.throughput(Throughput::Elements(100));
    g.bench_function("query_100_items_one_partition", |b| {
        b.iter(|| {
            let i = rng.below(ITEMS);
            let out = db
                .query(QueryInput {
                    table_name: "bench".into(),
                    key_condition_expression: Some("pk = :p".into()),
                    expression_attribute_values: Some(
                        [(":p".to_string(), s(&pk(i)))].into_iter().collect(),
                    ),
                    ..Default::default()
                })
                .expect("query");
            assert_eq!(out.count, 100);
            black_box(out)
        })
    });
    g.finish();
}

/// PutItem replacing items that are all in table files: a million items
/// are loaded and flushed, then each put replaces a different one (the
/// run stays under a million puts), so no put finds its item in the
/// memtable.
fn put_item_over_flushed(c: &mut Criterion, db: &DynamoDb) {
    create(db, "flushed");
    let requests: Vec<WriteRequest> = (0..FLUSHED_ITEMS)
        .map(|i| {
            WriteRequest::Put(PutRequest {
                item: record(&pk(i), i % 100),
            })
        })
        .collect();
    for chunk in requests.chunks(25) {
        db.batch_write_item(BatchWriteItemInput {
            request_items: [("flushed".to_string(), chunk.to_vec())].into(),
            ..Default::default()
        })
        .expect("load");
    }
    db.engine().flush().expect("flush");
    let mut g = c.benchmark_group("dynamo");
    g.throughput(Throughput::Elements(1));
    g.warm_up_time(std::time::Duration::from_secs(1));
    g.measurement_time(std::time::Duration::from_secs(3));
    let mut next = 0u64;
    g.bench_function("put_item_over_flushed", |b| {
        b.iter(|| {
            let i = next * STRIDE % FLUSHED_ITEMS;
            next += 1;
            db.put_item(PutItemInput {
                table_name: "flushed".into(),
                item: record(&pk(i), i % 100),
                ..Default::default()
            })
            .expect("put")
        })
    });
    g.finish();
}

criterion_group!(benches, dynamo_items);
criterion_main!(benches);
