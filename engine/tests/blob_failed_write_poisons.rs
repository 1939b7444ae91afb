//! A failed append or sync of a blob file poisons the database like a
//! failed WAL write: the write that hit it fails, every later write is
//! refused with `Error::Poisoned`, separated values acknowledged before
//! still read, and a reopen after a power cut recovers every synced write.

mod common;

use std::sync::Arc;

use common::blobs::{blob_options, value};
use siltdb::fs::{FaultFs, MemFs};
use siltdb::{Db, Error, Options, WriteBatch, WriteOptions};

const DIR: &str = "/db";
const BIG: usize = 5000;
const SYNC: WriteOptions = WriteOptions { sync: true };

fn options(fault: &FaultFs) -> Options {
    blob_options(Arc::new(fault.clone()))
}

fn put(db: &Db, k: &[u8], v: &[u8]) -> siltdb::Result<()> {
    let mut b = WriteBatch::new();
    b.put(k, v);
    db.write_opt(b, SYNC)
}

fn check_poisoned_then_recover(mem: &MemFs, fault: &FaultFs, db: Db, what: &str) {
    assert!(
        matches!(put(&db, b"later", b"x"), Err(Error::Poisoned(_))),
        "{what}: a later small write is refused"
    );
    assert!(
        matches!(
            put(&db, b"later", &value(b"later", 0, BIG)),
            Err(Error::Poisoned(_))
        ),
        "{what}: a later separated write is refused"
    );
    assert_eq!(
        db.get(b"ok").expect("read"),
        Some(value(b"ok", 0, BIG)),
        "{what}: acknowledged values still read"
    );
    fault.fail_write_after(0);
    fault.fail_sync_after(0);
    drop(db);
    mem.crash();
    fault.clear();
    let db = Db::open(DIR, options(fault)).expect("reopen");
    assert_eq!(
        db.get(b"ok").expect("get"),
        Some(value(b"ok", 0, BIG)),
        "{what}"
    );
}

#[test]
fn a_failed_blob_sync_poisons() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, options(&fault)).expect("open");
    put(&db, b"ok", &value(b"ok", 0, BIG)).expect("put");
    // The blob file is synced first: the next sync is the blob file's.
    fault.fail_sync_after(0);
    let r = put(&db, b"bad", &value(b"bad", 0, BIG));
    assert!(matches!(r, Err(Error::Io { .. })), "{r:?}");
    fault.clear();
    check_poisoned_then_recover(&mem, &fault, db, "failed blob sync");
}

#[test]
fn a_failed_blob_append_poisons() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, options(&fault)).expect("open");
    put(&db, b"ok", &value(b"ok", 0, BIG)).expect("put");
    // The blob append comes before the WAL append.
    fault.fail_write_after(0);
    let r = put(&db, b"bad", &value(b"bad", 0, BIG));
    assert!(matches!(r, Err(Error::Io { .. })), "{r:?}");
    fault.clear();
    check_poisoned_then_recover(&mem, &fault, db, "failed blob append");
}
