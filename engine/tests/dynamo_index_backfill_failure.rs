//! A global secondary index backfill that fails (here: the disk fills up)
//! is heard: DescribeTable shows the index still `CREATING` with the
//! reason, and the backfill starts again — and finishes — at the next open.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use index_check::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType::S;
use siltdb::dynamo::{DynamoDb, DynamoOptions};
use siltdb::fs::{FaultFs, MemFs};
use siltdb::{Db, Options};

const TABLE: &str = "Music";

fn open(fs: &FaultFs) -> DynamoDb {
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
            backfill_batch_items: 100,
            ..Default::default()
        },
    )
    .expect("dynamo")
}

#[test]
fn a_failed_backfill_shows_in_describe_table_and_resumes_at_open() {
    let fs = FaultFs::new(Arc::new(MemFs::new()));
    let db = open(&fs);
    create(&db, TABLE, Some(("sk", S)));
    for i in 0..300 {
        put(
            &db,
            TABLE,
            item(&[
                ("pk", s(&format!("p{}", i % 7))),
                ("sk", s(&i.to_string())),
                ("c", s(&format!("c{}", i % 5))),
            ]),
        );
    }
    // Room for UpdateTable's catalog write, not for a batch of 100 entries.
    fs.set_space_limit(Some(fs.bytes_appended() + 2048));
    db.update_table(create_gsi(TABLE, "byC", "c"))
        .expect("create index");
    let deadline = Instant::now() + Duration::from_secs(60);
    let g = loop {
        let g = global_index(&db, TABLE, "byC").expect("listed");
        if g.backfill_error.is_some() {
            break g;
        }
        assert!(Instant::now() < deadline, "the failure never showed");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(g.index_status, IndexStatus::Creating);
    assert_eq!(db.background_failures().index_backfills, 1);
    let error = g.backfill_error.unwrap_or_default();
    assert!(error.contains("storage"), "{error}");
    // The index is not readable while it is CREATING.
    assert!(db
        .query(QueryInput {
            table_name: TABLE.into(),
            index_name: Some("byC".into()),
            key_condition_expression: Some("c = :c".into()),
            expression_attribute_values: values(&[(":c", s("c1"))]),
            ..Default::default()
        })
        .is_err());

    fs.clear();
    drop(db);
    let db = open(&fs);
    wait_active(&db, TABLE, "byC");
    let g = global_index(&db, TABLE, "byC").expect("listed");
    assert_eq!(g.backfill_error, None);
    assert_eq!(g.item_count, 300);
}
