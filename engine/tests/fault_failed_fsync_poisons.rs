//! A failed fsync poisons the database: the failing operation reports the
//! error, every later write is refused with `Error::Poisoned` (never retried:
//! after a failed fsync the kernel may have dropped the dirty pages), reads
//! keep working, and reopening recovers every write acknowledged before.

use std::sync::Arc;

use siltdb::fs::{FaultFs, MemFs};
use siltdb::{Db, Error, Options, WriteBatch, WriteOptions};

const DIR: &str = "/db";

fn opts(fault: &FaultFs, sync: bool) -> Options {
    Options {
        fs: Arc::new(fault.clone()),
        sync,
        ..Options::default()
    }
}

fn key(i: u32) -> Vec<u8> {
    format!("key{i:06}").into_bytes()
}

fn value(i: u32) -> Vec<u8> {
    format!("value-{i}").into_bytes()
}

/// Asserts `r` is `Error::Poisoned` whose message tells the user to reopen.
fn assert_poisoned(r: siltdb::Result<()>, what: &str) {
    match r {
        Err(e @ Error::Poisoned(_)) => {
            let msg = e.to_string();
            assert!(
                msg.contains("reopen"),
                "{what}: Poisoned message should say to reopen: {msg}"
            );
        }
        other => panic!("{what}: expected Error::Poisoned, got {other:?}"),
    }
}

/// Every later kind of write is refused, and reads still answer.
fn assert_refuses_writes_but_reads(db: &Db, acked: u32) {
    assert_poisoned(db.put(b"later", b"x"), "put after failed sync");
    assert_poisoned(db.delete(&key(0)), "delete after failed sync");
    let mut b = WriteBatch::new();
    b.put(b"batch", b"y");
    assert_poisoned(
        db.write_opt(b, WriteOptions { sync: false }),
        "unsynced batch after failed sync",
    );
    assert_poisoned(db.flush(), "flush after failed sync");
    // Still refused on the next attempt: nothing retries and carries on.
    assert_poisoned(db.put(b"later2", b"x"), "second put after failed sync");

    for i in 0..acked {
        assert_eq!(
            db.get(&key(i)).expect("reads work on a poisoned db"),
            Some(value(i)),
            "key {i} readable after poisoning"
        );
    }
    assert_eq!(db.get(b"later").expect("get"), None);
    let mut it = db.iter().expect("iter on a poisoned db");
    it.seek_to_first().expect("seek");
    let mut n = 0;
    while it.valid() {
        n += 1;
        it.next().expect("next");
    }
    assert_eq!(n, acked as usize, "iteration sees the acknowledged writes");
}

fn assert_recovered(fault: &FaultFs, acked: u32, absent: &[&[u8]]) {
    let db = Db::open(DIR, opts(fault, true)).expect("reopen after clearing the fault");
    for i in 0..acked {
        assert_eq!(
            db.get(&key(i)).expect("get"),
            Some(value(i)),
            "acknowledged key {i} lost"
        );
    }
    for k in absent {
        assert_eq!(
            db.get(k).expect("get"),
            None,
            "refused write {:?} appeared after reopen",
            String::from_utf8_lossy(k)
        );
    }
    db.put(b"after-reopen", b"ok")
        .expect("writes work again after reopen");
    db.close().expect("close");
}

#[test]
fn failed_wal_sync_fails_the_write_and_poisons() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, opts(&fault, true)).expect("open");
    const ACKED: u32 = 50;
    for i in 0..ACKED {
        db.put(&key(i), &value(i)).expect("synced put");
    }

    fault.fail_sync_after(0);
    let err = db
        .put(b"doomed", b"v")
        .expect_err("a write whose WAL sync fails must not be acknowledged");
    assert!(
        matches!(err, Error::Io { .. }),
        "the failing write reports the I/O error, got {err:?}"
    );
    assert!(
        err.to_string().contains("injected fsync failure"),
        "error names the failed sync: {err}"
    );
    assert_eq!(
        db.get(b"doomed").expect("get"),
        None,
        "an unacknowledged write must not become visible"
    );

    // Lift the fault: the database must still refuse, not retry the sync.
    fault.clear();
    assert_refuses_writes_but_reads(&db, ACKED);
    assert!(
        db.sync_wal().is_err(),
        "sync_wal after a failed sync must fail"
    );
    drop(db);

    mem.crash();
    assert_recovered(&fault, ACKED, &[b"later", b"batch", b"later2"]);
}

#[test]
fn failed_wal_sync_without_crash_still_recovers_acknowledged_writes() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, opts(&fault, true)).expect("open");
    const ACKED: u32 = 20;
    for i in 0..ACKED {
        db.put(&key(i), &value(i)).expect("synced put");
    }
    fault.fail_sync_after(0);
    db.put(b"doomed", b"v").expect_err("sync fails");
    assert_poisoned(db.put(b"later", b"x"), "put after failed sync");
    // close() on a poisoned database does not try to sync again.
    db.close().expect("close of a poisoned db");
    fault.clear();
    // The failed write's bytes are still in the (uncrashed) file: it may come
    // back or not, but everything acknowledged must.
    assert_recovered(&fault, ACKED, &[b"later"]);
}

#[test]
fn failed_table_sync_during_flush_poisons() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, opts(&fault, false)).expect("open");
    const ACKED: u32 = 500;
    for i in 0..ACKED {
        db.put(&key(i), &value(i)).expect("unsynced put");
    }
    // flush() first switches memtables: a directory sync for the new WAL and
    // one of the MANIFEST edit recording it (the old WAL, holding only
    // unsynced writes, is not synced). Let those two through, fail the
    // table's sync.
    fault.fail_sync_after(2);
    let err = db
        .flush()
        .expect_err("flush must report the failed table sync");
    assert_poisoned(Err(err), "flush with a failed table sync");
    fault.clear();
    assert_refuses_writes_but_reads(&db, ACKED);
    drop(db);

    // The writes were unsynced and their flush failed: none was made
    // durable, and none reached the disk before the power cut (nothing
    // synced the WAL). The database recovers as of before them.
    mem.crash();
    assert_recovered(&fault, 0, &[b"later", b"batch", &key(0), &key(ACKED - 1)]);
}

#[test]
fn failed_sync_while_switching_memtables_for_flush_poisons() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, opts(&fault, true)).expect("open");
    const ACKED: u32 = 30;
    for i in 0..ACKED {
        db.put(&key(i), &value(i)).expect("synced put");
    }
    // The first sync of the switch (directory, for the new WAL) fails.
    fault.fail_sync_after(0);
    let err = db
        .flush()
        .expect_err("flush must report the failed sync of its memtable switch");
    assert!(
        err.to_string().contains("injected fsync failure"),
        "flush error names the failed sync: {err}"
    );
    fault.clear();
    assert_refuses_writes_but_reads(&db, ACKED);
    drop(db);
    mem.crash();
    assert_recovered(&fault, ACKED, &[b"later", b"batch"]);
}

#[test]
fn failed_old_wal_sync_while_switching_memtables_poisons() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, opts(&fault, false)).expect("open");
    const SYNCED: u32 = 30;
    for i in 0..SYNCED {
        db.put(&key(i), &value(i)).expect("put");
    }
    db.sync_wal().expect("sync_wal");
    for i in SYNCED..SYNCED + 10 {
        db.put(&key(i), &value(i)).expect("put");
    }
    // Directory sync passes, the old WAL's sync fails.
    fault.fail_sync_after(1);
    db.flush()
        .expect_err("flush must report the failed sync of the old WAL");
    fault.clear();
    assert_refuses_writes_but_reads(&db, SYNCED + 10);
    drop(db);
    mem.crash();
    // Only the writes made durable by sync_wal are guaranteed.
    assert_recovered(&fault, SYNCED, &[b"later", b"batch"]);
}
