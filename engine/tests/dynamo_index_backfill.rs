//! A global secondary index added to a table with items: the backfill races
//! writers on every write path and still ends with exactly one correct entry
//! per item; a crash during the backfill (or during the reclaim of a deleted
//! index) is finished after reopen.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use index_check::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType::S;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions};
use siltdb::fs::{FaultFs, MemFs};
use siltdb::low_level::dynamo::{catalog, layout};
use siltdb::{Db, Options};

const TABLE: &str = "Music";

fn open(fs: &FaultFs, batch_items: usize) -> DynamoDb {
    DynamoDb::with_db(
        Db::open(
            "/db",
            Options {
                fs: Arc::new(fs.clone()),
                ..Options::default()
            },
        )
        .expect("open"),
        DynamoOptions {
            backfill_batch_items: batch_items,
            ..Default::default()
        },
    )
    .expect("dynamo")
}

/// `count` items `p{i % 97}`/`{i}`, two of three with a `c`.
fn fill(db: &DynamoDb, count: u64) {
    for chunk in (0..count).collect::<Vec<_>>().chunks(25) {
        let requests = chunk
            .iter()
            .map(|i| {
                let mut it = item(&[
                    ("pk", s(&format!("p{}", i % 97))),
                    ("sk", s(&i.to_string())),
                    ("v", n(i.to_string())),
                ]);
                if i % 3 != 0 {
                    it.insert("c".into(), s(&format!("c{}", i % 11)));
                }
                WriteRequest::Put(PutRequest { item: it })
            })
            .collect();
        db.batch_write_item(BatchWriteItemInput {
            request_items: [(TABLE.to_string(), requests)].into(),
            ..Default::default()
        })
        .expect("fill");
    }
}

/// A cheap deterministic random sequence.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Items the race test starts with; its writers write the same keys, so
/// they meet the backfill often.
const RACE_ITEMS: u64 = 2000;

/// One random write through one of the write paths, on the keys [`fill`]
/// wrote.
fn random_write(db: &DynamoDb, rng: &mut u64) {
    let key = |r: u64| {
        let i = r % RACE_ITEMS;
        (format!("p{}", i % 97), i.to_string())
    };
    let (pk, sk) = key(next(rng));
    let c = format!("c{}", next(rng) % 11);
    let r = match next(rng) % 6 {
        0 => db
            .put_item(PutItemInput {
                table_name: TABLE.into(),
                item: item(&[("pk", s(&pk)), ("sk", s(&sk)), ("c", s(&c))]),
                ..Default::default()
            })
            .map(|_| ()),
        1 => db
            .update_item(UpdateItemInput {
                table_name: TABLE.into(),
                key: item(&[("pk", s(&pk)), ("sk", s(&sk))]),
                update_expression: Some("SET c = :c, w = :c".into()),
                expression_attribute_values: values(&[(":c", s(&c))]),
                ..Default::default()
            })
            .map(|_| ()),
        2 => db
            .update_item(UpdateItemInput {
                table_name: TABLE.into(),
                key: item(&[("pk", s(&pk)), ("sk", s(&sk))]),
                update_expression: Some("REMOVE c".into()),
                ..Default::default()
            })
            .map(|_| ()),
        3 => db
            .delete_item(DeleteItemInput {
                table_name: TABLE.into(),
                key: item(&[("pk", s(&pk)), ("sk", s(&sk))]),
                ..Default::default()
            })
            .map(|_| ()),
        4 => {
            let (pk2, sk2) = key(next(rng));
            let mut requests = vec![WriteRequest::Put(PutRequest {
                item: item(&[("pk", s(&pk)), ("sk", s(&sk)), ("c", s(&c))]),
            })];
            if (pk2.as_str(), sk2.as_str()) != (pk.as_str(), sk.as_str()) {
                requests.push(WriteRequest::Delete(DeleteRequest {
                    key: item(&[("pk", s(&pk2)), ("sk", s(&sk2))]),
                }));
            }
            db.batch_write_item(BatchWriteItemInput {
                request_items: [(TABLE.to_string(), requests)].into(),
                ..Default::default()
            })
            .map(|_| ())
        }
        _ => db
            .transact_write_items(TransactWriteItemsInput {
                transact_items: vec![TransactWriteItem::Update(Update {
                    table_name: TABLE.into(),
                    key: item(&[("pk", s(&pk)), ("sk", s(&sk))]),
                    update_expression: "SET c = :c".into(),
                    expression_attribute_values: values(&[(":c", s(&c))]),
                    ..Default::default()
                })],
                ..Default::default()
            })
            .map(|_| ()),
    };
    match r {
        Ok(()) | Err(DynamoError::TransactionCanceledException { .. }) => {}
        Err(e) => panic!("write failed: {e}"),
    }
}

#[test]
fn backfill_races_four_writers_and_ends_consistent() {
    // Several rounds: a lost race shows up as a stray or stale entry in
    // most rounds, not in every one.
    for round in 0..4 {
        race_round(round);
    }
}

fn race_round(round: u64) {
    let mem = MemFs::new();
    let fs = FaultFs::new(Arc::new(mem));
    // Small batches: the backfill takes many steps, writers cut in between.
    let db = Arc::new(open(&fs, 16));
    create(&db, TABLE, Some(("sk", S)));
    fill(&db, RACE_ITEMS);

    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..4u64)
        .map(|t| {
            let db = Arc::clone(&db);
            let stop = Arc::clone(&stop);
            let writes = Arc::clone(&writes);
            std::thread::spawn(move || {
                let mut rng = 0x9E37_79B9_7F4A_7C15 ^ (t + 1) ^ (round << 32);
                while !stop.load(Ordering::Relaxed) {
                    random_write(&db, &mut rng);
                    writes.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // Let the writers get going, then add the index under them.
    while writes.load(Ordering::Relaxed) < 200 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let before = writes.load(Ordering::Relaxed);
    let d = db
        .update_table(create_gsi(TABLE, "byC", "c"))
        .expect("create index")
        .table_description;
    assert_eq!(
        d.global_secondary_indexes.expect("listed")[0].index_status,
        IndexStatus::Creating
    );
    wait_active(&db, TABLE, "byC");
    let during = writes.load(Ordering::Relaxed) - before;
    // Some more writes on the ACTIVE index, then stop.
    let target = writes.load(Ordering::Relaxed) + 200;
    while writes.load(Ordering::Relaxed) < target {
        std::thread::sleep(Duration::from_millis(1));
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().expect("writer");
    }
    assert!(during > 0, "no write ran during the backfill");
    let entries = assert_index_consistent(&db, TABLE, "byC");
    assert!(entries > 500, "only {entries} entries");
    let g = global_index(&db, TABLE, "byC").expect("byC");
    assert_eq!(g.item_count, entries as i64);
}

#[test]
fn deleting_an_index_while_it_backfills_cancels_it() {
    let fs = FaultFs::new(Arc::new(MemFs::new()));
    let db = open(&fs, 1);
    create(&db, TABLE, Some(("sk", S)));
    fill(&db, 2000);
    db.update_table(create_gsi(TABLE, "byC", "c"))
        .expect("create index");
    let meta = table_meta(&db, TABLE);
    let id = meta.index("byC").expect("byC").id;
    let d = db
        .update_table(delete_gsi(TABLE, "byC"))
        .expect("delete while creating")
        .table_description;
    assert_eq!(
        d.global_secondary_indexes.expect("listed")[0].index_status,
        IndexStatus::Deleting
    );
    assert_eq!(global_index(&db, TABLE, "byC"), None);
    wait_empty(&db, &layout::range_prefix(meta.id, id));
    wait_empty(&db, &catalog::retired_index_key(meta.id, id));
    // Nothing re-creates entries after the reclaim.
    std::thread::sleep(Duration::from_millis(20));
    assert!(raw_range(&db, &layout::range_prefix(meta.id, id)).is_empty());
    // The table can be deleted now.
    db.delete_table(DeleteTableInput {
        table_name: TABLE.into(),
    })
    .expect("delete table");
}

/// Crashes the database in `fs` (whose disk is frozen first) and reopens it.
fn crash_and_reopen(db: DynamoDb, mem: &MemFs, fs: &FaultFs, batch_items: usize) -> DynamoDb {
    fs.fail_write_after(0);
    fs.fail_sync_after(0);
    drop(db);
    mem.crash();
    fs.clear();
    open(fs, batch_items)
}

#[test]
fn a_crash_during_the_backfill_is_finished_after_reopen() {
    for syncs in [0u64, 1, 2, 3, 5, 8] {
        let mem = MemFs::new();
        let fs = FaultFs::new(Arc::new(mem.clone()));
        let db = open(&fs, 50);
        create(&db, TABLE, Some(("sk", S)));
        fill(&db, 2000);
        // The UpdateTable write takes one sync, each backfill batch (of 40)
        // one more: the backfill cannot finish before the crash.
        fs.fail_sync_after(syncs);
        let created = db.update_table(create_gsi(TABLE, "byC", "c"));
        if syncs == 0 {
            assert!(created.is_err(), "the catalog write cannot succeed");
            let db = crash_and_reopen(db, &mem, &fs, 50);
            assert_eq!(global_index(&db, TABLE, "byC"), None);
            continue;
        }
        created.expect("create index");
        let g = global_index(&db, TABLE, "byC").expect("listed");
        assert_eq!(g.index_status, IndexStatus::Creating);
        assert_eq!(g.backfilling, Some(true));
        // One index change at a time; no DeleteTable while it is CREATING.
        match db.update_table(create_gsi(TABLE, "byD", "c")) {
            Err(DynamoError::LimitExceededException(m)) => assert_eq!(
                m,
                "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
            ),
            other => panic!("{other:?}"),
        }
        match db.delete_table(DeleteTableInput {
            table_name: TABLE.into(),
        }) {
            Err(DynamoError::ResourceInUseException(m)) => assert_eq!(
                m,
                "Attempt to change a resource which is still in use: Cannot delete table while indexes are being created, updated, or deleted."
            ),
            other => panic!("{other:?}"),
        }
        let db = crash_and_reopen(db, &mem, &fs, 50);
        wait_active(&db, TABLE, "byC");
        assert_eq!(assert_index_consistent(&db, TABLE, "byC"), 1333);
        // Writable and maintained after the recovery.
        put(
            &db,
            TABLE,
            item(&[("pk", s("p0")), ("sk", s("0")), ("c", s("new"))]),
        );
        assert_eq!(assert_index_consistent(&db, TABLE, "byC"), 1334);
    }
}

#[test]
fn a_crash_during_the_reclaim_of_a_deleted_index_is_finished_after_reopen() {
    let mem = MemFs::new();
    let fs = FaultFs::new(Arc::new(mem.clone()));
    let db = open(&fs, 256);
    create(&db, TABLE, Some(("sk", S)));
    fill(&db, 3000);
    db.update_table(create_gsi(TABLE, "byC", "c"))
        .expect("create index");
    wait_active(&db, TABLE, "byC");
    let meta = table_meta(&db, TABLE);
    let id = meta.index("byC").expect("byC").id;
    let prefix = layout::range_prefix(meta.id, id);
    assert_eq!(raw_range(&db, &prefix).len(), 2000);
    // The deletion is durable; the reclaimer's first batch is not.
    fs.fail_sync_after(1);
    db.update_table(delete_gsi(TABLE, "byC"))
        .expect("delete index");
    let db = crash_and_reopen(db, &mem, &fs, 256);
    assert_eq!(global_index(&db, TABLE, "byC"), None);
    wait_empty(&db, &prefix);
    wait_empty(&db, &catalog::retired_index_key(meta.id, id));
    assert_eq!(table_meta(&db, TABLE).next_index_id, id + 1);
}
