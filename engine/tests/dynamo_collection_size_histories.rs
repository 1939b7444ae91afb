//! Item collection sizes are kept in size records (format-spec/keys.md,
//! "Item collection sizes"), not measured per write: after any history of
//! PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, TTL
//! deletions and reopens, every non-empty collection's record equals its
//! size recomputed from the table's items (by the rule, not the engine's
//! code), empty collections have none, and a write fails with
//! `ItemCollectionSizeLimitExceededException` exactly when it would grow a
//! collection past the (here small) limit.
//!
//! `PROPTEST_CASES` overrides the number of random histories (default 48).

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::collections::{recomputed, recorded, records};
use common::*;
use index_check::*;
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError, TestRunner};
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType::S;
use siltdb::dynamo::{item_size, DynamoDb, DynamoError, DynamoOptions, ManualClock};
use siltdb::fs::MemFs;
use siltdb::{Db, Item, Options};

const TABLE: &str = "Threads";
const PARTITIONS: u8 = 3;
const SORT_KEYS: u8 = 5;
/// The item collection size limit of the histories: a partition of five
/// items with long bodies passes it, so some writes are refused.
const LIMIT: u64 = 1500;
/// The clock the histories start at (TTL expiry is against it), in ms.
const T0: i64 = 1_700_000_000_000;

fn open(mem: &MemFs, clock: &Arc<ManualClock>, limit: u64) -> DynamoDb {
    open_mem(
        mem,
        DynamoOptions {
            clock: Arc::clone(clock) as _,
            ttl_sweep_interval: None,
            item_collection_size_limit: limit,
            ..Default::default()
        },
    )
}

/// `Threads`: pk/sk, a local index on `a` projecting ALL and one on `b`
/// projecting KEYS_ONLY, TTL on `exp`.
fn create_table(db: &DynamoDb) {
    db.create_table(CreateTableInput {
        table_name: TABLE.into(),
        attribute_definitions: vec![def("pk", S), def("sk", S), def("a", S), def("b", S)],
        key_schema: vec![ks("pk", KeyType::Hash), ks("sk", KeyType::Range)],
        billing_mode: Some(BillingMode::PayPerRequest),
        local_secondary_indexes: Some(vec![
            lsi("byA", "a"),
            LocalSecondaryIndex {
                index_name: "byB".into(),
                key_schema: vec![ks("pk", KeyType::Hash), ks("b", KeyType::Range)],
                projection: projection(ProjectionType::KeysOnly, None),
            },
        ]),
        ..Default::default()
    })
    .expect("create");
    db.update_time_to_live(UpdateTimeToLiveInput {
        table_name: TABLE.into(),
        time_to_live_specification: TimeToLiveSpecification {
            enabled: true,
            attribute_name: "exp".into(),
        },
    })
    .expect("ttl");
}

/// The bytes `item` adds to its collection, computed here from the rule
/// (Developer Guide, "Item collection size limit"): the item, plus for each
/// local index it is in, the entry's projected attributes and 100 bytes.
fn weight(item: &Item) -> u64 {
    let mut size = item_size(item) as u64;
    if item.contains_key("a") {
        // ALL: the entry is the whole item.
        size += item_size(item) as u64 + 100;
    }
    if item.contains_key("b") {
        // KEYS_ONLY: the table's keys and the index's.
        let keys: Item = item
            .iter()
            .filter(|(k, _)| ["pk", "sk", "b"].contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        size += item_size(&keys) as u64 + 100;
    }
    size
}

fn sizes(db: &DynamoDb) -> BTreeMap<String, u64> {
    recomputed(db, TABLE, "pk", &weight)
}

/// Every non-empty collection's record is its recomputed size, and there
/// are no other records.
fn check_records(db: &DynamoDb, sizes: &BTreeMap<String, u64>) -> Result<(), TestCaseError> {
    let id = table_meta(db, TABLE).id;
    for p in 0..PARTITIONS {
        let pk = format!("p{p}");
        prop_assert_eq!(
            recorded(db, id, &pk),
            sizes.get(&pk).copied(),
            "partition {}",
            pk
        );
    }
    prop_assert_eq!(records(db, id), sizes.len(), "stray size records");
    Ok(())
}

/// One write of a BatchWriteItem: (partition, sort key, put (with a or
/// else b, body length) or delete).
type BatchWrite = (u8, u8, Option<(bool, u16)>);

#[derive(Debug, Clone)]
enum Op {
    /// Put (partition, sort key, with a, with b, body length, expiring).
    Put(u8, u8, bool, bool, u16, bool),
    SetBody(u8, u8, u16),
    RemoveA(u8, u8),
    Delete(u8, u8),
    Batch(Vec<BatchWrite>),
    Transact(Vec<(u8, u8, Option<u16>)>),
    Sweep,
    Reopen,
}

fn key((p, k): (u8, u8)) -> Item {
    item(&[("pk", s(&format!("p{p}"))), ("sk", s(&format!("k{k}")))])
}

fn new_item(p: u8, k: u8, with_a: bool, with_b: bool, body: u16, expired: bool) -> Item {
    let mut it = key((p, k));
    it.insert("body".into(), s(&"x".repeat(usize::from(body))));
    if with_a {
        it.insert("a".into(), s(&format!("a{k}")));
    }
    if with_b {
        it.insert("b".into(), s(&format!("b{body}")));
    }
    if expired {
        // In the past once the clock moves on (see `Op::Sweep`).
        it.insert("exp".into(), n(T0 / 1000 + 1));
    }
    it
}

fn op() -> impl Strategy<Value = Op> {
    let p = 0..PARTITIONS;
    let k = 0..SORT_KEYS;
    prop_oneof![
        4 => (p.clone(), k.clone(), any::<bool>(), any::<bool>(), 0u16..300, prop::bool::weighted(0.2))
            .prop_map(|(p, k, a, b, body, e)| Op::Put(p, k, a, b, body, e)),
        2 => (p.clone(), k.clone(), 0u16..300).prop_map(|(p, k, b)| Op::SetBody(p, k, b)),
        1 => (p.clone(), k.clone()).prop_map(|(p, k)| Op::RemoveA(p, k)),
        2 => (p.clone(), k.clone()).prop_map(|(p, k)| Op::Delete(p, k)),
        1 => prop::collection::btree_map(
                (p.clone(), k.clone()),
                prop::option::of((any::<bool>(), 0u16..200)),
                1..6,
            )
            .prop_map(|m| Op::Batch(m.into_iter().map(|((p, k), w)| (p, k, w)).collect())),
        1 => prop::collection::btree_map((p, k), prop::option::of(0u16..200), 1..5)
            .prop_map(|m| Op::Transact(m.into_iter().map(|((p, k), w)| (p, k, w)).collect())),
        1 => Just(Op::Sweep),
        1 => Just(Op::Reopen),
    ]
}

/// Runs `op`; `Ok(false)` when it was refused for growing a collection
/// past the limit.
fn apply(db: &DynamoDb, clock: &ManualClock, op: &Op) -> bool {
    let result: Result<(), DynamoError> = match op {
        Op::Put(p, k, a, b, body, e) => db
            .put_item(PutItemInput {
                table_name: TABLE.into(),
                item: new_item(*p, *k, *a, *b, *body, *e),
                return_item_collection_metrics: (k % 2 == 0)
                    .then_some(ReturnItemCollectionMetrics::Size),
                ..Default::default()
            })
            .map(drop),
        Op::SetBody(p, k, b) => db
            .update_item(UpdateItemInput {
                table_name: TABLE.into(),
                key: key((*p, *k)),
                update_expression: Some("SET body = :b".into()),
                expression_attribute_values: values(&[(":b", s(&"y".repeat(usize::from(*b))))]),
                ..Default::default()
            })
            .map(drop),
        Op::RemoveA(p, k) => db
            .update_item(UpdateItemInput {
                table_name: TABLE.into(),
                key: key((*p, *k)),
                update_expression: Some("REMOVE a".into()),
                condition_expression: Some("attribute_exists(pk)".into()),
                ..Default::default()
            })
            .map(drop),
        Op::Delete(p, k) => db
            .delete_item(DeleteItemInput {
                table_name: TABLE.into(),
                key: key((*p, *k)),
                ..Default::default()
            })
            .map(drop),
        Op::Batch(writes) => db
            .batch_write_item(BatchWriteItemInput {
                request_items: [(
                    TABLE.to_string(),
                    writes
                        .iter()
                        .map(|(p, k, w)| match w {
                            Some((a, b)) => WriteRequest::Put(PutRequest {
                                item: new_item(*p, *k, *a, !*a, *b, false),
                            }),
                            None => WriteRequest::Delete(DeleteRequest { key: key((*p, *k)) }),
                        })
                        .collect(),
                )]
                .into(),
                ..Default::default()
            })
            .map(drop),
        Op::Transact(writes) => db
            .transact_write_items(TransactWriteItemsInput {
                transact_items: writes
                    .iter()
                    .map(|(p, k, w)| match w {
                        Some(b) => TransactWriteItem::Put(Put {
                            table_name: TABLE.into(),
                            item: new_item(*p, *k, true, true, *b, false),
                            ..Default::default()
                        }),
                        None => TransactWriteItem::Delete(Delete {
                            table_name: TABLE.into(),
                            key: key((*p, *k)),
                            ..Default::default()
                        }),
                    })
                    .collect(),
                return_item_collection_metrics: Some(ReturnItemCollectionMetrics::Size),
                ..Default::default()
            })
            .map(drop),
        Op::Sweep => {
            clock.advance_millis(10_000);
            db.sweep_expired_now().map(drop)
        }
        Op::Reopen => Ok(()),
    };
    match result {
        Ok(()) => true,
        // A RemoveA of an absent item fails its condition: nothing changes.
        Err(DynamoError::ConditionalCheckFailedException { .. }) => true,
        Err(DynamoError::ItemCollectionSizeLimitExceededException(_)) => false,
        Err(DynamoError::TransactionCanceledException { reasons, .. })
            if reasons
                .iter()
                .any(|r| r.code.as_deref() == Some("ItemCollectionSizeLimitExceeded")) =>
        {
            false
        }
        Err(e) => panic!("{op:?}: {e}"),
    }
}

/// What a PutItem does to its collection: its size after, and whether the
/// put grows it (then it must be refused past the limit).
fn put_outcome(before: &BTreeMap<String, u64>, db: &DynamoDb, op: &Op) -> Option<(u64, bool)> {
    let Op::Put(p, k, a, b, body, e) = op else {
        return None;
    };
    let old = get(db, TABLE, key((*p, *k))).map_or(0, |it| weight(&it));
    let new = weight(&new_item(*p, *k, *a, *b, *body, *e));
    let size = before.get(&format!("p{p}")).copied().unwrap_or(0);
    Some((size - old + new, new > old))
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

#[test]
fn sizes_stay_exact_across_every_write_path_and_reopen() {
    let config = ProptestConfig {
        cases: cases(),
        max_shrink_iters: 500,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/dynamo_collection_size_histories.txt",
        ))),
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let refused = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&prop::collection::vec(op(), 1..60), |ops| {
            let mem = MemFs::new();
            let clock = Arc::new(ManualClock::new(T0));
            let mut db = open(&mem, &clock, LIMIT);
            create_table(&db);
            let mut before = sizes(&db);
            for op in &ops {
                if let Op::Reopen = op {
                    drop(db);
                    db = open(&mem, &clock, LIMIT);
                    check_records(&db, &before)?;
                    continue;
                }
                let expected = put_outcome(&before, &db, op);
                let done = apply(&db, &clock, op);
                let after = sizes(&db);
                if let Some((size, grows)) = expected {
                    prop_assert_eq!(done, !(grows && size > LIMIT), "{:?} to size {}", op, size);
                }
                if done {
                    // Nothing grew past the limit.
                    for (pk, size) in &after {
                        prop_assert!(
                            *size <= LIMIT || *size <= before.get(pk).copied().unwrap_or(0),
                            "{:?} grew {} to {}",
                            op,
                            pk,
                            size
                        );
                    }
                } else {
                    refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    prop_assert_eq!(&after, &before, "a refused write changed nothing");
                }
                check_records(&db, &after)?;
                before = after;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(refused.into_inner() > 0, "no history reached the limit");
}

#[test]
fn concurrent_writers_to_one_collection_keep_it_exact() {
    // On disk, with every commit synced: commits are slow enough that
    // writers of one partition overlap.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = DynamoDb::with_db(
        Db::open(dir.path(), Options::default()).expect("open"),
        DynamoOptions::default(),
    )
    .expect("dynamo");
    create_table(&db);
    // Four threads write and delete different items of one partition at
    // once: each write changes the same size record.
    std::thread::scope(|scope| {
        for t in 0..4u8 {
            let db = &db;
            scope.spawn(move || {
                for i in 0..50u8 {
                    let mut it = new_item(0, 0, i % 3 != 0, i % 2 == 0, u16::from(i), false);
                    it.insert("sk".into(), s(&format!("t{t}-{i}")));
                    put(db, TABLE, it);
                    if i % 5 == 0 {
                        db.delete_item(DeleteItemInput {
                            table_name: TABLE.into(),
                            key: item(&[("pk", s("p0")), ("sk", s(&format!("t{t}-{}", i / 2)))]),
                            ..Default::default()
                        })
                        .expect("delete");
                    }
                }
            });
        }
    });
    let id = table_meta(&db, TABLE).id;
    let sizes = sizes(&db);
    assert!(sizes["p0"] > 0);
    assert_eq!(recorded(&db, id, "p0"), Some(sizes["p0"]));
}
