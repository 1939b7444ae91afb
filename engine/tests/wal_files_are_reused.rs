//! Obsolete WAL files that were synced are kept and reused for new WALs
//! (`Options::wal_recycle_files`; format-spec/wal.md, "Reusing a WAL
//! file"): the new WAL's records overwrite the file from its start, and
//! recovery stops where the file's earlier use shows through. Power cuts
//! at any point of a run that reuses files lose no acknowledged write and
//! bring back nothing from a file's earlier use.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::disk::{scan, Disk, DIR};
use siltdb::fs::{Fs, OsFs};
use siltdb::{Db, Options, WriteBatch, WriteOptions};

fn options(disk: &Disk) -> Options {
    Options {
        write_buffer_size: 4 << 10,
        ..disk.options()
    }
}

fn key(round: u32, i: u32) -> Vec<u8> {
    format!("r{round:03}-k{i:05}").into_bytes()
}

fn value(round: u32, i: u32) -> Vec<u8> {
    format!("value {round} {i} {}", "x".repeat((i % 7) as usize * 20)).into_bytes()
}

fn put(db: &Db, k: &[u8], v: &[u8], sync: bool) {
    let mut b = WriteBatch::new();
    b.put(k, v);
    db.write_opt(b, WriteOptions { sync }).expect("write");
}

/// Waits until the background flushes have caught up (so obsolete WALs
/// reach the pool).
fn settle(db: &Db) {
    for _ in 0..2000 {
        let s = db.stats();
        if s.immutable_memtables == 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// Puts keys `0..n` of round 0 (synced if `sync`), letting the flushes
/// catch up every `settle_every` writes; returns what was written.
fn put_round(db: &Db, n: u32, sync: bool, settle_every: u32) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut model = BTreeMap::new();
    for i in 0..n {
        let (k, v) = (key(0, i), value(0, i));
        put(db, &k, &v, sync);
        model.insert(k, v);
        if i % settle_every == 0 {
            settle(db);
        }
    }
    model
}

#[test]
fn synced_wals_are_reused_and_every_write_reads_back_after_reopen() {
    let disk = Disk::new();
    let db = Db::open(DIR, options(&disk)).expect("open");
    let model = put_round(&db, 600, true, 50);
    let recycled = db.stats().wals_recycled;
    assert!(recycled >= 3, "WAL files reused: {recycled}");
    assert!(
        disk.named(".log").len() <= 2 + 2 + 1,
        "live WALs plus at most 2 kept: {:?}",
        disk.named(".log")
    );
    assert_eq!(scan(&db), model);
    settle(&db);
    db.close().expect("close");
    drop(db);
    assert_eq!(disk.named(".log").len(), 1, "close removes the kept files");
    let db = Db::open(DIR, options(&disk)).expect("reopen");
    assert_eq!(scan(&db), model);
    assert!(
        db.recovery_report().dropped.is_empty(),
        "{}",
        db.recovery_report()
    );
}

#[test]
fn reuse_is_off_with_zero_files_and_for_wals_never_synced() {
    for (recycle, sync) in [(0, true), (2, false)] {
        let disk = Disk::new();
        let opts = Options {
            wal_recycle_files: recycle,
            ..options(&disk)
        };
        let db = Db::open(DIR, opts).expect("open");
        put_round(&db, 400, sync, 50);
        assert_eq!(
            db.stats().wals_recycled,
            0,
            "recycle {recycle}, sync {sync}"
        );
        assert!(db.stats().flushes > 3);
    }
}

/// Rounds of synced writes with unsynced ones between, each ended by a
/// power cut at a different moment; after each, every synced write (and
/// every write before it) is there, and nothing else but a prefix of the
/// unsynced writes after the last synced one.
#[test]
fn a_power_cut_in_a_reused_wal_loses_no_synced_write() {
    let disk = Disk::new();
    let mut durable: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut recycled = 0;
    for round in 0..12u32 {
        let db = Db::open(DIR, options(&disk)).expect("open");
        assert_eq!(scan(&db), durable, "round {round}: after the power cut");
        // Every round writes a different number of records, so the cut
        // falls at a different place of a reused file each time.
        let n = 150 + round * 37;
        let mut unsynced_tail = Vec::new();
        for i in 0..n {
            let (k, v) = (key(round, i), value(round, i));
            let sync = i % 3 == 0 || i + 1 == n - 5;
            put(&db, &k, &v, sync);
            unsynced_tail.push((k, v));
            if sync {
                durable.extend(unsynced_tail.drain(..));
            }
            if i % 40 == 0 {
                settle(&db);
            }
        }
        recycled += db.stats().wals_recycled;
        disk.mem.crash();
        drop(db);
        let db = Db::open(DIR, options(&disk)).expect("reopen after the power cut");
        let got = scan(&db);
        // A prefix of the unsynced tail may have survived.
        let mut want = durable.clone();
        let mut matched = got == want;
        for (k, v) in &unsynced_tail {
            want.insert(k.clone(), v.clone());
            matched |= got == want;
        }
        assert!(matched, "round {round}: not the database as of one moment");
        durable = got;
        db.close().expect("close");
    }
    assert!(recycled >= 10, "WAL files reused: {recycled}");
}

/// On real files: WALs are reused, at most the kept ones lie around, and
/// the database reads back after a reopen.
#[test]
fn wal_files_are_reused_on_a_real_file_system() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = || Options {
        fs: Arc::new(OsFs::new()),
        write_buffer_size: 16 << 10,
        ..Options::default()
    };
    let db = Db::open(dir.path(), opts()).expect("open");
    let model = put_round(&db, 2000, true, 100);
    assert!(
        db.stats().wals_recycled >= 3,
        "{:?}",
        db.stats().wals_recycled
    );
    let fs = OsFs::new();
    let wals: Vec<String> = fs
        .list(dir.path())
        .expect("list")
        .into_iter()
        .filter(|n| n.ends_with(".log"))
        .collect();
    assert!(!wals.is_empty() && wals.len() <= 5, "{wals:?}");
    db.close().expect("close");
    drop(db);
    let db = Db::open(dir.path(), opts()).expect("reopen");
    assert_eq!(scan(&db), model);
    assert!(
        db.recovery_report().dropped.is_empty(),
        "{}",
        db.recovery_report()
    );
}
