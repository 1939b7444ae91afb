//! Running out of space, or a write torn half way, never loses an
//! acknowledged write: the failing write reports `StorageFull` (or the
//! database is already poisoned by a background write that hit it), later
//! writes are refused, and after the space comes back a reopen finds every
//! acknowledged write and nothing that was refused.

use std::io::ErrorKind;
use std::sync::Arc;

use siltdb::fs::{FaultFs, Fs, MemFs};
use siltdb::{Db, Error, Options};

const DIR: &str = "/db";

fn key(i: u32) -> Vec<u8> {
    format!("key{:08}", i.wrapping_mul(2_654_435_761)).into_bytes()
}

fn value(i: u32) -> Vec<u8> {
    format!("{i:-<100}").into_bytes()
}

fn opts(fault: &FaultFs, write_buffer_size: usize) -> Options {
    let compaction = siltdb::CompactionOptions {
        target_file_size: 64 << 10,
        ..Default::default()
    };
    Options {
        fs: Arc::new(fault.clone()),
        sync: true,
        write_buffer_size,
        compaction,
        background_write_rate: 0,
        ..Options::default()
    }
}

/// True if `e` says the disk is full: an `Io` error of kind `StorageFull`,
/// or `Poisoned` because some earlier (background) write got one.
fn is_disk_full(e: &Error) -> bool {
    match e {
        Error::Io { source, .. } => source.kind() == ErrorKind::StorageFull,
        Error::Poisoned(why) => why.to_string().contains("no space left on device"),
        _ => false,
    }
}

/// Writes distinct keys until one fails; returns how many were acknowledged
/// and the error.
fn write_until_failure(db: &Db, limit: u32) -> (u32, Error) {
    for i in 0..limit {
        if let Err(e) = db.put(&key(i), &value(i)) {
            return (i, e);
        }
    }
    panic!("{limit} writes all succeeded: the space limit never hit");
}

fn assert_all_present(fault: &FaultFs, acked: u32, refused: u32, ctx: &str) {
    let db = Db::open(DIR, opts(fault, 64 << 20)).expect("reopen after space came back");
    for i in 0..acked {
        assert_eq!(
            db.get(&key(i)).expect("get"),
            Some(value(i)),
            "{ctx}: acknowledged write {i} of {acked} lost"
        );
    }
    assert_eq!(
        db.get(&key(refused)).expect("get"),
        None,
        "{ctx}: a write refused with an error is not durable after a crash"
    );
    let mut it = db.iter().expect("iter");
    it.seek_to_first().expect("seek");
    let mut n = 0;
    while it.valid() {
        n += 1;
        it.next().expect("next");
    }
    assert_eq!(n, acked, "{ctx}: exactly the acknowledged keys are present");
    db.put(b"after", b"reopen")
        .expect("writes work after reopen");
    db.close().expect("close");
}

#[test]
fn wal_append_on_full_disk_fails_with_storage_full_and_loses_nothing() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, opts(&fault, 64 << 20)).expect("open");
    fault.set_space_limit(Some(fault.bytes_appended() + 20_000));
    let (acked, err) = write_until_failure(&db, 10_000);
    assert!(acked > 100, "20 kB should hold >100 writes, held {acked}");
    match &err {
        Error::Io { source, .. } => assert_eq!(
            source.kind(),
            ErrorKind::StorageFull,
            "the write that hit the limit reports StorageFull: {err}"
        ),
        other => panic!("expected Error::Io(StorageFull), got {other:?}"),
    }
    for i in 0..3 {
        match db.put(b"later", b"x") {
            Err(Error::Poisoned(why)) => assert!(
                why.to_string().contains("no space left on device"),
                "Poisoned says why: {why}"
            ),
            other => panic!("write {i} after disk full: expected Poisoned, got {other:?}"),
        }
    }
    assert_eq!(
        db.get(&key(acked / 2)).expect("reads work"),
        Some(value(acked / 2))
    );
    fault.clear();
    drop(db);
    mem.crash();
    assert_all_present(&fault, acked, acked, "WAL full");
}

/// Small memtables so flushes, compactions and MANIFEST edits run; the disk
/// fills at many different points, in the foreground or a background thread.
#[test]
fn disk_full_anywhere_loses_no_acknowledged_write() {
    let mut foreground = 0;
    let mut background = 0;
    for extra in (5_000..160_000u64).step_by(7_919) {
        let mem = MemFs::new();
        let fault = FaultFs::new(Arc::new(mem.clone()));
        let db = Db::open(DIR, opts(&fault, 16 << 10)).expect("open");
        fault.set_space_limit(Some(fault.bytes_appended() + extra));
        let (acked, err) = write_until_failure(&db, 100_000);
        assert!(
            is_disk_full(&err),
            "limit +{extra}: after {acked} writes expected StorageFull or Poisoned by it, got {err:?}"
        );
        if matches!(err, Error::Io { .. }) {
            foreground += 1;
        } else {
            background += 1;
        }
        assert!(
            matches!(db.put(b"later", b"x"), Err(Error::Poisoned(_))),
            "limit +{extra}: writes are refused after disk full"
        );
        fault.clear();
        drop(db);
        mem.crash();
        assert_all_present(&fault, acked, acked, &format!("limit +{extra}"));
    }
    println!("disk filled in a foreground write {foreground} times, in background work {background} times");
    assert!(foreground > 0, "some runs fill the disk in a WAL append");
}

#[test]
fn torn_wal_write_then_crash_drops_only_the_unacknowledged_write() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, opts(&fault, 64 << 20)).expect("open");
    const ACKED: u32 = 40;
    for i in 0..ACKED {
        db.put(&key(i), &value(i)).expect("put");
    }
    fault.tear_next_write();
    let err = db
        .put(&key(ACKED), &value(ACKED))
        .expect_err("a torn append is not acknowledged");
    assert!(
        err.to_string().contains("injected torn write"),
        "the error says what happened: {err}"
    );
    assert!(
        matches!(db.put(b"later", b"x"), Err(Error::Poisoned(_))),
        "no record may follow a torn one"
    );
    drop(db);
    mem.crash();
    assert_all_present(&fault, ACKED, ACKED, "torn + crash");
}

#[test]
fn torn_wal_write_without_crash_is_a_dropped_torn_tail() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, opts(&fault, 64 << 20)).expect("open");
    const ACKED: u32 = 40;
    for i in 0..ACKED {
        db.put(&key(i), &value(i)).expect("put");
    }
    let wal_bytes_before = db.stats().wal_bytes;
    fault.tear_next_write();
    db.put(&key(ACKED), &value(ACKED)).expect_err("torn");
    drop(db);
    // No crash: the half record is still in the file, so recovery must
    // recognise it as a torn tail rather than corruption.
    let logs: Vec<_> = mem
        .file_names()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    assert_eq!(logs.len(), 1, "one WAL: {logs:?}");
    let len = mem.file_size(&logs[0]).expect("WAL size");
    assert!(
        len > wal_bytes_before,
        "the half record is in the WAL ({len} > {wal_bytes_before} bytes)"
    );
    assert_all_present(&fault, ACKED, ACKED, "torn, no crash");
}
