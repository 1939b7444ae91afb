//! A background failure keeps its kind end to end: when a compaction runs
//! out of disk space, later writes fail with `Error::Poisoned` whose cause is
//! the `StorageFull` I/O error (file named), not a message blaming a failed
//! sync; the failure is counted in `Stats::background_errors`; and after the
//! space comes back a reopen has every acknowledged write.

mod common;

use std::time::{Duration, Instant};

use common::disk::{key, scan, Disk};
use siltdb::CompactionOptions;
use siltdb::{Db, Error, Options};

fn options(disk: &Disk, l0_compaction_trigger: usize) -> Options {
    Options {
        sync: false,
        compaction: CompactionOptions {
            l0_compaction_trigger,
            ..CompactionOptions::default()
        },
        ..disk.options()
    }
}

/// Two rounds over the same keys, each flushed to L0.
fn two_flushes(db: &Db) {
    for round in 0..2u32 {
        for i in 0..500 {
            db.put(&key(i), format!("round {round} {i:-<200}").as_bytes())
                .expect("put");
        }
        db.flush().expect("flush");
    }
}

#[test]
fn a_compaction_that_fills_the_disk_poisons_with_storage_full() {
    // How many bytes the two rounds and their flushes write, without the
    // compaction (trigger out of reach).
    let dry = Disk::new();
    let db = Db::open(common::disk::DIR, options(&dry, 100)).expect("open");
    two_flushes(&db);
    let needed = dry.fault.bytes_appended();
    drop(db);

    // The same with the compaction the second flush triggers, on a disk
    // with room for the rest but not for the compaction's output.
    let disk = Disk::new();
    disk.fault.set_space_limit(Some(needed + 100));
    let db = Db::open(common::disk::DIR, options(&disk, 2)).expect("open");
    two_flushes(&db);
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.stats().background_errors == 0 {
        assert!(Instant::now() < deadline, "the compaction never failed");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(db.stats().compactions, 0);
    let err = db.put(b"later", b"x").expect_err("writes are refused");
    let Error::Poisoned(cause) = &err else {
        panic!("expected Poisoned, got {err:?}");
    };
    assert!(err.is_storage_full(), "{err:?}");
    match cause.as_ref() {
        Error::Io { context, source } => {
            assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);
            assert!(context.contains(".sst"), "names the table: {context}");
        }
        other => panic!("the cause is the I/O error, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("no space left on device"), "{msg}");
    assert!(!msg.contains("failed sync"), "does not blame a sync: {msg}");
    assert!(db.stats().to_string().contains("background errors"));

    disk.fault.clear();
    drop(db);
    let db = disk.open().expect("reopen once there is room");
    let got = scan(&db);
    assert_eq!(got.len(), 500);
    assert!(got.values().all(|v| v.starts_with(b"round 1")));
}
