//! The MANIFEST records which WALs must exist (tags 6 and 7), so a deleted
//! live WAL — which may hold acknowledged writes no table holds — is
//! `Corruption` naming it at open and in `check`, never a silent loss.

mod common;

use std::path::Path;

use common::disk::{corruption, key, value, Disk, DIR};
use siltdb::fs::Fs;
use siltdb::low_level::inspect::check_dir;

const N: u32 = 600;

/// A crashed database whose acknowledged (synced) writes are only in its
/// WAL, and that WAL's name.
fn writes_only_in_the_wal() -> (Disk, String) {
    let disk = Disk::new();
    let db = disk.open().expect("open");
    for i in 0..N {
        db.put(&key(i), &value(i)).expect("synced put");
    }
    // Power cut: nothing is flushed.
    disk.fault.fail_write_after(0);
    disk.fault.fail_sync_after(0);
    drop(db);
    disk.mem.crash();
    disk.fault.clear();
    let wals: Vec<String> = disk
        .named(".log")
        .into_iter()
        .filter(|n| disk.mem.file_size(&disk.path(n)).expect("size") > 0)
        .collect();
    assert_eq!(wals.len(), 1, "one WAL holds the writes: {wals:?}");
    (disk, wals[0].clone())
}

#[test]
fn the_wal_holds_the_writes() {
    let (disk, _) = writes_only_in_the_wal();
    let db = disk.open().expect("open");
    for i in (0..N).step_by(37) {
        assert_eq!(db.get(&key(i)).expect("get"), Some(value(i)));
    }
}

#[test]
fn a_deleted_live_wal_is_corruption_at_open() {
    let (disk, wal) = writes_only_in_the_wal();
    disk.remove(&wal);
    let before = disk.contents();
    let (_, reason) = corruption(disk.open(), &wal);
    assert!(reason.contains("live WAL"), "{reason}");
    assert_eq!(disk.contents(), before, "a refused open changes nothing");
}

#[test]
fn a_deleted_live_wal_is_reported_by_check() {
    let (disk, wal) = writes_only_in_the_wal();
    assert!(check_dir(&disk.mem, Path::new(DIR))
        .expect("check")
        .is_clean());
    disk.remove(&wal);
    let report = check_dir(&disk.mem, Path::new(DIR)).expect("check");
    assert!(!report.is_clean(), "{report}");
    assert_eq!(report.missing.len(), 1, "{report}");
    assert_eq!(report.missing[0].name, wal);
    assert!(
        report
            .to_string()
            .contains(&format!("missing {wal}: a live WAL")),
        "{report}"
    );
}

/// The older of two live WALs (a switch happened, its flush did not) is
/// needed as much as the newest.
#[test]
fn a_deleted_older_live_wal_is_corruption() {
    let disk = Disk::new();
    let db = disk.open().expect("open");
    for i in 0..N {
        db.put(&key(i), &value(i)).expect("put");
    }
    let old_wal = disk.named(".log").pop().expect("a WAL");
    // The switch to a new WAL (create, MANIFEST append) succeeds; the
    // flush cannot create its table.
    disk.fault.fail_write_after(2);
    db.flush().expect_err("the flush fails");
    drop(db);
    disk.fault.clear();
    assert_eq!(disk.named(".log").len(), 2);
    disk.remove(&old_wal);
    corruption(disk.open(), &old_wal);
}
