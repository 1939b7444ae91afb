//! Background work of the DynamoDB layer that fails is counted in
//! `DynamoDb::background_failures` (and logged): a TTL sweep, the reclaim
//! of a deleted table's items and a stream trim, each made to fail by a
//! disk with room for the request that starts the work but not for the
//! work itself. (A failed index backfill: `dynamo_index_backfill_failure.rs`.)

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::{BackgroundFailures, DynamoDb, DynamoOptions, ManualClock};
use siltdb::fs::{FaultFs, MemFs};
use siltdb::{Db, Options};

const TABLE: &str = "Music";
/// 2023-11-14T22:13:20Z, in milliseconds.
const NOW_MS: i64 = 1_700_000_000_000;

fn open(fs: &FaultFs, clock: &Arc<ManualClock>, ttl_sweep: Option<Duration>) -> DynamoDb {
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
            clock: clock.clone(),
            ttl_sweep_interval: ttl_sweep,
            ..Default::default()
        },
    )
    .expect("dynamo")
}

/// Waits until `counted` is true of the failures, and returns them.
fn wait_for(db: &DynamoDb, counted: impl Fn(&BackgroundFailures) -> bool) -> BackgroundFailures {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let f = db.background_failures();
        if counted(&f) {
            return f;
        }
        assert!(Instant::now() < deadline, "never counted: {f}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Puts `n` items into [`TABLE`], each with attribute `extra`.
fn fill(db: &DynamoDb, n: u32, extra: (&str, siltdb::AttributeValue)) {
    for i in 0..n {
        put(
            db,
            TABLE,
            item(&[("pk", s(&format!("p{i}"))), (extra.0, extra.1.clone())]),
        );
    }
}

#[test]
fn a_failed_ttl_sweep_is_counted() {
    let fs = FaultFs::new(Arc::new(MemFs::new()));
    let clock = Arc::new(ManualClock::new(NOW_MS));
    let db = open(&fs, &clock, Some(Duration::from_millis(5)));
    create(&db, TABLE, None);
    db.update_time_to_live(UpdateTimeToLiveInput {
        table_name: TABLE.into(),
        time_to_live_specification: TimeToLiveSpecification {
            enabled: true,
            attribute_name: "exp".into(),
        },
    })
    .expect("enable TTL");
    fill(&db, 50, ("exp", n(NOW_MS / 1000 + 60)));
    assert_eq!(db.background_failures(), BackgroundFailures::default());

    fs.set_space_limit(Some(fs.bytes_appended()));
    clock.advance_millis(120_000);
    let f = wait_for(&db, |f| f.ttl_sweeps > 0);
    assert_eq!(f.total(), f.ttl_sweeps, "{f}");
    assert!(f.to_string().contains("TTL sweeps"), "{f}");
}

#[test]
fn a_failed_reclaim_of_a_deleted_table_is_counted() {
    let fs = FaultFs::new(Arc::new(MemFs::new()));
    let clock = Arc::new(ManualClock::new(NOW_MS));
    let db = open(&fs, &clock, None);
    create(&db, TABLE, None);
    fill(&db, 300, ("body", s(&"x".repeat(100))));
    // Room for DeleteTable's catalog write, not for the 300 deletions of
    // the reclaim.
    fs.set_space_limit(Some(fs.bytes_appended() + 2048));
    db.delete_table(DeleteTableInput {
        table_name: TABLE.into(),
    })
    .expect("delete table");
    let f = wait_for(&db, |f| f.reclaims > 0);
    assert_eq!(f.total(), f.reclaims, "{f}");
}

#[test]
fn a_failed_stream_trim_is_counted() {
    let fs = FaultFs::new(Arc::new(MemFs::new()));
    let clock = Arc::new(ManualClock::new(NOW_MS));
    let db = open(&fs, &clock, None);
    create(&db, TABLE, None);
    db.update_table(UpdateTableInput {
        table_name: TABLE.into(),
        stream_specification: Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(StreamViewType::NewAndOldImages),
        }),
        ..Default::default()
    })
    .expect("enable the stream");
    fill(&db, 300, ("body", s(&"x".repeat(100))));
    // A day later every record is due for the trim; the disk has room for
    // one more small write, not for the trim's 300 deletions.
    clock.advance_millis(25 * 60 * 60 * 1000);
    fs.set_space_limit(Some(fs.bytes_appended() + 2048));
    put(&db, TABLE, item(&[("pk", s("later"))]));
    let f = wait_for(&db, |f| f.stream_trims > 0);
    assert_eq!(f.total(), f.stream_trims, "{f}");
}
