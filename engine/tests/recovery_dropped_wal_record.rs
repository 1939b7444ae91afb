//! A complete final WAL record that fails its checksum (format-spec/wal.md,
//! "Recovery"): by default open drops it and recovers to
//! the record before it, and says so in its recovery report (file, offset,
//! bytes dropped); `check` reports it as not clean; with strict recovery
//! open refuses instead, changing nothing. A record the file ends inside
//! (what a crash mid-append leaves) is dropped under both.

mod common;

use std::path::Path;

use common::disk::{corruption, key, scan, value, Disk, DIR};
use siltdb::fs::Fs;
use siltdb::low_level::inspect::{check_dir, FileStatus};
use siltdb::low_level::wal::TornKind;
use siltdb::{Db, Options};

const N: u32 = 20;

/// A closed database whose `N` synced puts are in one WAL; the WAL's name
/// and the start of its final record.
fn writes_in_the_wal() -> (Disk, String, u64) {
    let disk = Disk::new();
    let db = disk.open().expect("open");
    let mut last_start = 0;
    for i in 0..N {
        last_start = db.stats().wal_bytes;
        db.put(&key(i), &value(i)).expect("put");
    }
    db.close().expect("close");
    drop(db);
    let wal = disk
        .named(".log")
        .into_iter()
        .find(|n| disk.mem.file_size(&disk.path(n)).expect("size") > 0)
        .expect("a WAL with the writes");
    (disk, wal, last_start)
}

fn strict(disk: &Disk) -> Options {
    Options {
        strict_recovery: true,
        ..disk.options()
    }
}

#[test]
fn a_bad_checksum_in_the_final_record_is_dropped_and_reported() {
    let (disk, wal, start) = writes_in_the_wal();
    let len = disk.mem.file_size(&disk.path(&wal)).expect("size");
    disk.mem
        .corrupt_byte(&disk.path(&wal), len - 2, 0x01)
        .expect("flip a byte of the last value");

    let report = check_dir(&disk.mem, Path::new(DIR)).expect("check");
    assert!(
        !report.is_clean(),
        "check must not call this clean:\n{report}"
    );
    match report.file(&wal).map(|f| &f.status) {
        Some(FileStatus::Dropped(d)) => {
            assert_eq!((d.offset, d.bytes), (start, len - start));
            assert_eq!(d.kind, TornKind::ChecksumMismatch);
        }
        other => panic!("{wal}: {other:?}\n{report}"),
    }
    assert!(
        report.to_string().contains("FINAL RECORD DROPPED"),
        "{report}"
    );

    let db = disk.open().expect("point-in-time recovery is the default");
    let dropped = db.recovery_report().dropped.clone();
    assert_eq!(dropped.len(), 1, "{}", db.recovery_report());
    assert_eq!(dropped[0].file, wal);
    assert_eq!((dropped[0].offset, dropped[0].bytes), (start, len - start));
    assert_eq!(dropped[0].kind, TornKind::ChecksumMismatch);
    assert!(db.recovery_report().dropped_a_complete_record());
    let got = scan(&db);
    assert_eq!(
        got.len(),
        (N - 1) as usize,
        "the database as of the record before"
    );
    assert_eq!(got.get(&key(N - 1)), None);
}

#[test]
fn strict_recovery_refuses_it_and_changes_nothing() {
    let (disk, wal, start) = writes_in_the_wal();
    let len = disk.mem.file_size(&disk.path(&wal)).expect("size");
    disk.mem
        .corrupt_byte(&disk.path(&wal), len - 2, 0x01)
        .expect("flip");
    let before = disk.contents();
    let (offset, reason) = corruption(Db::open(DIR, strict(&disk)), &wal);
    assert_eq!(offset, start);
    assert!(reason.contains("strict recovery"), "{reason}");
    assert_eq!(disk.contents(), before);
}

#[test]
fn a_record_the_file_ends_inside_is_dropped_even_when_strict() {
    let (disk, wal, start) = writes_in_the_wal();
    // Past the record's 13-byte header: a file that ends inside a header
    // reads as a clean end (format-spec/wal.md, "Reading" step 1a).
    disk.mem
        .truncate(&disk.path(&wal), start + 20)
        .expect("cut the last record");
    let report = check_dir(&disk.mem, Path::new(DIR)).expect("check");
    assert!(
        report.is_clean(),
        "a torn append is what a crash leaves:\n{report}"
    );
    let db = Db::open(DIR, strict(&disk)).expect("opens");
    let dropped = &db.recovery_report().dropped;
    assert_eq!(dropped.len(), 1);
    assert_eq!((dropped[0].offset, dropped[0].bytes), (start, 20));
    assert_eq!(dropped[0].kind, TornKind::Truncated);
    assert!(!db.recovery_report().dropped_a_complete_record());
    assert_eq!(scan(&db).len(), (N - 1) as usize);
}

#[test]
fn a_clean_reopen_drops_nothing() {
    let (disk, wal, _) = writes_in_the_wal();
    let db = Db::open(DIR, strict(&disk)).expect("opens");
    let r = db.recovery_report();
    assert!(r.dropped.is_empty(), "{r}");
    assert_eq!(r.wals_replayed, vec![wal]);
    assert!(!r.created);
    assert_eq!(scan(&db).len(), N as usize);
}
