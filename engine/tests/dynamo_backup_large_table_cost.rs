//! The cost of CreateBackup and RestoreTableFromBackup on a large table, on
//! real files: time, and the bytes the backup holds that the database does
//! not share (hard links). A measurement, not a check of speed: ignored in
//! the default run.
//!
//! ```text
//! SILTDB_BACKUP_MB=1024 cargo test -p siltdb --release \
//!     --test dynamo_backup_large_table_cost -- --ignored --nocapture
//! ```

#![cfg(unix)]

mod common;

use std::time::{Duration, Instant};

use common::du::sizes;
use common::{create, item, n, s};
use siltdb::dynamo::api::{
    BatchWriteItemInput, CreateBackupInput, DescribeTableInput, PutRequest,
    RestoreTableFromBackupInput, TableStatus, WriteRequest,
};
use siltdb::dynamo::{AttributeValue, DynamoDb};
use siltdb::Options;

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn backup_and_restore_cost_of_a_large_table() {
    let mb: u64 = std::env::var("SILTDB_BACKUP_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("db");
    let db = DynamoDb::open(
        &dir,
        Options {
            sync: false,
            ..Options::default()
        },
    )
    .expect("open");
    create(&db, "Big", None);
    // Items of about 1,000 bytes: a key and a 980-byte payload.
    let payload = AttributeValue::S("x".repeat(980));
    let items = mb * 1000;
    let t = Instant::now();
    for chunk in 0..items / 25 {
        let writes = (0..25)
            .map(|i| {
                WriteRequest::Put(PutRequest {
                    item: item(&[
                        ("pk", s(&format!("item{:010}", chunk * 25 + i))),
                        ("payload", payload.clone()),
                        ("n", n(i)),
                    ]),
                })
            })
            .collect();
        let out = db
            .batch_write_item(BatchWriteItemInput {
                request_items: [("Big".to_string(), writes)].into(),
                ..Default::default()
            })
            .expect("BatchWriteItem");
        assert!(out.unprocessed_items.is_empty());
    }
    db.engine().flush().expect("flush");
    let (db_bytes, _) = sizes(&dir);
    println!(
        "loaded {items} items (~1,000 bytes) in {:.1?}; database directory {db_bytes} bytes",
        t.elapsed()
    );

    // DescribeTable computes the table's size and item count (a scan,
    // cached until the next write); CreateBackup reports them too.
    let t = Instant::now();
    db.describe_table(DescribeTableInput {
        table_name: "Big".into(),
    })
    .expect("DescribeTable");
    println!("DescribeTable (sizes not cached): {:.1?}", t.elapsed());

    let t = Instant::now();
    let backup = db
        .create_backup(CreateBackupInput {
            table_name: "Big".into(),
            backup_name: "big-backup".into(),
        })
        .expect("CreateBackup")
        .backup_details;
    let backup_time = t.elapsed();
    let (total, own) = sizes(&dir.join("backups"));
    println!(
        "CreateBackup (sizes cached): {backup_time:.1?}; BackupSizeBytes {:?}; backups/ {total} bytes, {own} bytes not shared with the database",
        backup.backup_size_bytes
    );

    let t = Instant::now();
    db.restore_table_from_backup(RestoreTableFromBackupInput {
        target_table_name: "BigRestored".into(),
        backup_arn: backup.backup_arn.clone(),
        ..Default::default()
    })
    .expect("RestoreTableFromBackup");
    loop {
        let status = db
            .describe_table(DescribeTableInput {
                table_name: "BigRestored".into(),
            })
            .expect("DescribeTable")
            .table
            .table_status;
        if status == TableStatus::Active {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "RestoreTableFromBackup to ACTIVE: {:.1?} ({:.0} items/s)",
        t.elapsed(),
        items as f64 / t.elapsed().as_secs_f64()
    );
}
