//! Item collection sizes are kept in size records (format-spec/keys.md,
//! "Item collection sizes"), not measured per write: after any history of
//! PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, TTL
//! deletions and reopens, every partition's record equals the size
//! recomputed from its items; and a database written before the records
//! existed (a frozen fixture) opens, and each collection is measured once
//! and then kept.
//!
//! `PROPTEST_CASES` overrides the number of random histories (default 32).

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use common::*;
use index_check::*;
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError, TestRunner};
use siltdb::dynamo::api::*;
use siltdb::dynamo::keycodec::ScalarAttributeType::S;
use siltdb::dynamo::layout::collection_size_key;
use siltdb::dynamo::{item_size, DynamoDb, DynamoError, DynamoOptions, ManualClock};
use siltdb::fs::MemFs;
use siltdb::{Db, Item, Options};

const TABLE: &str = "Threads";
const PARTITIONS: u8 = 3;
const SORT_KEYS: u8 = 5;
/// The clock the histories start at (TTL expiry is against it), in ms.
const T0: i64 = 1_700_000_000_000;

fn open(mem: &MemFs, clock: &Arc<ManualClock>) -> DynamoDb {
    DynamoDb::with_db(
        Db::open(
            "/db",
            Options {
                fs: Arc::new(mem.clone()),
                ..Options::default()
            },
        )
        .expect("open"),
        DynamoOptions {
            clock: Arc::clone(clock) as _,
            ttl_sweep_interval: None,
            ..Default::default()
        },
    )
    .expect("dynamo")
}

/// `Threads`: pk/sk, a local index on `a` projecting ALL, TTL on `exp`.
fn create_table(db: &DynamoDb) {
    db.create_table(CreateTableInput {
        table_name: TABLE.into(),
        attribute_definitions: vec![def("pk", S), def("sk", S), def("a", S)],
        key_schema: vec![ks("pk", KeyType::Hash), ks("sk", KeyType::Range)],
        billing_mode: Some(BillingMode::PayPerRequest),
        local_secondary_indexes: Some(vec![lsi("byA", "a")]),
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
/// (not the engine's code): the item, plus — if it is in the local index —
/// the index entry (every attribute projected) and 100 bytes of overhead.
fn weight(item: &Item) -> u64 {
    let size = item_size(item) as u64;
    if item.contains_key("a") {
        2 * size + 100
    } else {
        size
    }
}

/// Every partition's collection size, recomputed from a scan of the table.
fn recomputed(db: &DynamoDb) -> BTreeMap<String, u64> {
    let mut sizes = BTreeMap::new();
    let mut start = None;
    loop {
        let page = db
            .scan(ScanInput {
                table_name: TABLE.into(),
                exclusive_start_key: start,
                consistent_read: Some(true),
                ..Default::default()
            })
            .expect("scan");
        for it in page.items.unwrap_or_default() {
            let Some(siltdb::AttributeValue::S(pk)) = it.get("pk") else {
                panic!("item without pk");
            };
            *sizes.entry(pk.clone()).or_insert(0) += weight(&it);
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            return sizes;
        }
    }
}

/// The size record of partition `pk`, decoded by hand from the spec:
/// `01` then the size as u64 little-endian; `None` when there is none.
fn recorded(db: &DynamoDb, table_id: u32, pk: &str) -> Option<u64> {
    let key = collection_size_key(table_id, &s(pk)).expect("key");
    let v = db.engine().get(&key).expect("get")?;
    assert_eq!(v.len(), 9, "record of {pk}: {v:?}");
    assert_eq!(v[0], 1, "layout version");
    Some(u64::from_le_bytes(v[1..].try_into().expect("8 bytes")))
}

/// Checks that every partition's record is its recomputed size (and that
/// empty partitions have none).
fn check_sizes(db: &DynamoDb) -> Result<(), TestCaseError> {
    let id = table_meta(db, TABLE).id;
    let sizes = recomputed(db);
    for p in 0..PARTITIONS {
        let pk = format!("p{p}");
        prop_assert_eq!(
            recorded(db, id, &pk),
            sizes.get(&pk).copied(),
            "partition {}",
            pk
        );
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Op {
    Put(u8, u8, bool, u16, bool),
    SetBody(u8, u8, u16),
    RemoveA(u8, u8),
    Delete(u8, u8),
    Batch(Vec<(u8, u8, Option<(bool, u16)>)>),
    Transact(Vec<(u8, u8, Option<u16>)>),
    Sweep,
    Reopen,
}

fn key((p, k): (u8, u8)) -> Item {
    item(&[("pk", s(&format!("p{p}"))), ("sk", s(&format!("k{k}")))])
}

fn new_item(p: u8, k: u8, with_a: bool, body: u16, expired: bool) -> Item {
    let mut it = key((p, k));
    it.insert("body".into(), s(&"x".repeat(usize::from(body))));
    if with_a {
        it.insert("a".into(), s(&format!("a{k}")));
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
        4 => (p.clone(), k.clone(), any::<bool>(), 0u16..300, prop::bool::weighted(0.2))
            .prop_map(|(p, k, a, b, e)| Op::Put(p, k, a, b, e)),
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

fn apply(db: &DynamoDb, clock: &ManualClock, op: &Op) {
    let result: Result<(), DynamoError> = match op {
        Op::Put(p, k, a, b, e) => db
            .put_item(PutItemInput {
                table_name: TABLE.into(),
                item: new_item(*p, *k, *a, *b, *e),
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
                                item: new_item(*p, *k, *a, *b, false),
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
                            item: new_item(*p, *k, true, *b, false),
                            ..Default::default()
                        }),
                        None => TransactWriteItem::Delete(Delete {
                            table_name: TABLE.into(),
                            key: key((*p, *k)),
                            ..Default::default()
                        }),
                    })
                    .collect(),
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
        Ok(()) => {}
        // A RemoveA of an absent item fails its condition: nothing changes.
        Err(DynamoError::ConditionalCheckFailedException { .. }) => {}
        Err(e) => panic!("{op:?}: {e}"),
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

#[test]
fn sizes_stay_exact_across_every_write_path_and_reopen() {
    let config = ProptestConfig {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    runner
        .run(&prop::collection::vec(op(), 1..40), |ops| {
            let mem = MemFs::new();
            let clock = Arc::new(ManualClock::new(T0));
            let mut db = open(&mem, &clock);
            create_table(&db);
            for op in &ops {
                if let Op::Reopen = op {
                    drop(db);
                    db = open(&mem, &clock);
                } else {
                    apply(&db, &clock, op);
                }
                check_sizes(&db)?;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Copies the files of directory `from` into `to`.
fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("fixture") {
        let entry = entry.expect("entry");
        if entry.file_name() == "README.md" {
            continue;
        }
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

#[test]
fn a_database_from_before_size_records_measures_each_collection_once() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../format-spec/fixtures/dynamo-lsi-before-collection-sizes");
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture, dir.path());
    let db = DynamoDb::open(dir.path(), Options::default()).expect("open the old database");
    let id = table_meta(&db, TABLE).id;
    let sizes = recomputed(&db);
    // The fixture (see its README): p1 holds items 1, 2, 3, p2 items 1, 2.
    assert_eq!(sizes.len(), 2);
    assert_eq!(recorded(&db, id, "p1"), None, "written before the records");
    assert_eq!(recorded(&db, id, "p2"), None);

    // The first write to p1 measures it and records the exact size.
    let extra = item(&[("pk", s("p1")), ("sk", s("9")), ("a", s("a9"))]);
    put(&db, TABLE, extra.clone());
    let p1 = sizes["p1"] + weight(&extra);
    assert_eq!(recorded(&db, id, "p1"), Some(p1));
    assert_eq!(recorded(&db, id, "p2"), None, "untouched collections wait");
    assert_eq!(recomputed(&db)["p1"], p1);
    drop(db);

    // From then on the record is what the limit is checked against: with
    // a limit of exactly p1's size, p1 cannot grow, can shrink, and p2 (much
    // smaller; its first write measures it) has room.
    assert!(sizes["p2"] + 200 < p1, "{sizes:?}");
    let db = DynamoDb::with_db(
        Db::open(dir.path(), Options::default()).expect("reopen"),
        DynamoOptions {
            item_collection_size_limit: p1,
            ..Default::default()
        },
    )
    .expect("dynamo");
    let small = |pk: &str| item(&[("pk", s(pk)), ("sk", s("new")), ("body", s("b"))]);
    let grown = db.put_item(PutItemInput {
        table_name: TABLE.into(),
        item: small("p1"),
        ..Default::default()
    });
    assert!(
        matches!(
            grown,
            Err(DynamoError::ItemCollectionSizeLimitExceededException(_))
        ),
        "{grown:?}"
    );
    db.delete_item(DeleteItemInput {
        table_name: TABLE.into(),
        key: key_of(&extra),
        ..Default::default()
    })
    .expect("shrink");
    assert_eq!(recorded(&db, id, "p1"), Some(sizes["p1"]));
    put(&db, TABLE, small("p2"));
    assert_eq!(recorded(&db, id, "p2"), Some(recomputed(&db)["p2"]));
    assert_eq!(
        recorded(&db, id, "p2"),
        Some(sizes["p2"] + weight(&small("p2")))
    );
}

/// The primary key of `it`.
fn key_of(it: &Item) -> Item {
    it.iter()
        .filter(|(k, _)| *k == "pk" || *k == "sk")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn concurrent_writers_to_one_collection_keep_it_exact() {
    // On disk, with every commit synced: commits are slow enough that
    // writers of one partition overlap.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = DynamoDb::open(dir.path(), Options::default()).expect("open");
    create_table(&db);
    // Four threads write different items of one partition at once: each
    // write changes the same size record, one after the other.
    std::thread::scope(|scope| {
        for t in 0..4u8 {
            let db = &db;
            scope.spawn(move || {
                for i in 0..50u8 {
                    let k = t * 50 + i;
                    let it = new_item(0, k, i % 3 != 0, u16::from(i), false);
                    let mut it = it;
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
    assert_eq!(recorded(&db, id, "p0"), recomputed(&db).get("p0").copied());
}
