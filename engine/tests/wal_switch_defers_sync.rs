//! A memtable switch does not sync the old WAL (or the memtable's blob
//! file) when it holds only unsynced writes; the next synced write (or
//! `Db::sync_wal`) syncs it first, so a synced write is never durable while
//! an earlier write is not (format-spec/wal.md, "Recovery"). The flush of
//! the frozen memtable is held (its table's create blocks) so the old WAL
//! stays live while the test looks at it.

mod common;

use std::path::{Path, PathBuf};

use common::disk::{key, Disk, DIR};
use siltdb::fs::Fs;
use siltdb::low_level::vlog::BlobOptions;
use siltdb::{Db, Options, WriteBatch, WriteOptions};

fn options(disk: &Disk) -> Options {
    Options {
        sync: false,
        write_buffer_size: 4 << 10,
        blob: BlobOptions {
            min_blob_size: 200,
            ..BlobOptions::default()
        },
        ..disk.options()
    }
}

fn unsynced(db: &Db, i: u32, value_len: usize) {
    let mut b = WriteBatch::new();
    b.put(&key(i), &vec![b'v'; value_len]);
    db.write_opt(b, WriteOptions { sync: false })
        .expect("write");
}

/// Writes unsynced puts (every other one with a separated value) until the
/// memtable switches; returns the frozen WAL and blob file.
fn switch(disk: &Disk, db: &Db) -> (PathBuf, PathBuf) {
    let first = disk.named(".log");
    assert_eq!(first.len(), 1, "{first:?}");
    let mut i = 0;
    while disk.named(".log").len() < 2 {
        unsynced(db, i, if i % 2 == 0 { 300 } else { 40 });
        i += 1;
        assert!(i < 10_000, "no memtable switch");
    }
    let blob = first[0].replace(".log", ".blob");
    (disk.path(&first[0]), disk.path(&blob))
}

fn len(disk: &Disk, p: &Path) -> u64 {
    disk.mem.read_all(p).expect("read").len() as u64
}

#[test]
fn a_synced_write_after_a_switch_syncs_the_older_wal_and_blob_first() {
    let disk = Disk::new();
    let db = Db::open(DIR, options(&disk)).expect("open");
    disk.fault.hold_creates(".sst");
    let (wal, blob) = switch(&disk, &db);
    assert!(len(&disk, &wal) > 0 && len(&disk, &blob) > 0);
    assert_eq!(
        disk.mem.synced_len(&wal).expect("synced"),
        0,
        "the switch left the old WAL unsynced"
    );
    assert!(disk.mem.synced_len(&blob).expect("synced") < len(&disk, &blob));

    let syncs = disk.fault.syncs();
    let wal_syncs = db.stats().wal_syncs;
    let mut b = WriteBatch::new();
    b.put(b"synced", b"write");
    db.write_opt(b, WriteOptions { sync: true })
        .expect("synced write");
    assert_eq!(disk.mem.synced_len(&wal).expect("synced"), len(&disk, &wal));
    assert_eq!(
        disk.mem.synced_len(&blob).expect("synced"),
        len(&disk, &blob)
    );
    // The old WAL, its blob file and the current WAL.
    assert!(
        disk.fault.syncs() - syncs >= 3,
        "{}",
        disk.fault.syncs() - syncs
    );
    assert_eq!(db.stats().wal_syncs - wal_syncs, 2, "old WAL, then current");

    // Synced once, the old WAL is not synced again.
    let syncs = disk.fault.syncs();
    db.sync_wal().expect("sync");
    assert_eq!(disk.fault.syncs() - syncs, 1, "only the current WAL");

    disk.fault.release_creates();
    db.close().expect("close");
}

#[test]
fn sync_wal_syncs_the_older_wal_too_and_a_crash_keeps_everything_before() {
    let disk = Disk::new();
    let db = Db::open(DIR, options(&disk)).expect("open");
    disk.fault.hold_creates(".sst");
    let (wal, _) = switch(&disk, &db);
    unsynced(&db, 100_000, 10);
    db.sync_wal().expect("sync");
    assert_eq!(disk.mem.synced_len(&wal).expect("synced"), len(&disk, &wal));
    let expected = common::disk::scan(&db);
    disk.mem.crash();
    disk.fault.release_creates();
    drop(db);
    let db = Db::open(DIR, options(&disk)).expect("reopen");
    assert_eq!(common::disk::scan(&db), expected);
    assert!(db.recovery_report().ignored.is_empty());
}

#[test]
fn a_flush_syncs_the_blob_file_but_never_the_retired_wal() {
    let disk = Disk::new();
    let db = Db::open(DIR, options(&disk)).expect("open");
    disk.fault.hold_creates(".sst");
    let (wal, blob) = switch(&disk, &db);
    let wal_syncs = db.stats().wal_syncs;
    disk.fault.release_creates();
    db.flush().expect("flush");
    assert!(
        !disk.mem.exists(&wal),
        "the flushed memtable's WAL is deleted"
    );
    assert_eq!(
        disk.mem.synced_len(&blob).expect("synced"),
        len(&disk, &blob)
    );
    assert_eq!(db.stats().wal_syncs, wal_syncs, "no WAL was synced");
    db.close().expect("close");
}
