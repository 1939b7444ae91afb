//! A blob file that neither the MANIFEST lists nor a live WAL points into
//! (crash debris: the blob file of a compaction that never installed, or of
//! a memtable whose writes never reached its WAL) is deleted at open; blob
//! files the database uses are kept and read.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::blobs::{blob_options, files_with_suffix, value};
use siltdb::fs::{Fs, MemFs};
use siltdb::Db;

const DIR: &str = "/db";

#[test]
fn unreferenced_blob_files_are_deleted_and_used_ones_kept() {
    let fs = MemFs::new();
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("open");
    db.put(b"flushed", &value(b"flushed", 0, 3000))
        .expect("put");
    db.flush().expect("flush");
    db.put(b"in-wal", &value(b"in-wal", 0, 3000)).expect("put");
    db.close().expect("close");
    drop(db);
    let used = files_with_suffix(&fs, DIR, ".blob");
    assert_eq!(used.len(), 2, "one registered, one of the WAL: {used:?}");
    // Garbage below the file counter (numbered as a table: no WAL ever
    // had that number, so no write points into it) and debris above it.
    let table = files_with_suffix(&fs, DIR, ".sst");
    let below: u64 = table
        .first()
        .and_then(|n| n.strip_suffix(".sst"))
        .and_then(|n| n.parse().ok())
        .expect("a table");
    for n in [below, 999_999] {
        let mut f = fs
            .create(&Path::new(DIR).join(format!("{n:06}.blob")))
            .expect("create");
        f.append(b"siltdbVL\x01\x00\x00\x00").expect("append");
    }
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("reopen");
    let now = files_with_suffix(&fs, DIR, ".blob");
    assert_eq!(now, used, "debris deleted, used files kept");
    assert_eq!(
        db.get(b"flushed").expect("get"),
        Some(value(b"flushed", 0, 3000))
    );
    assert_eq!(
        db.get(b"in-wal").expect("get"),
        Some(value(b"in-wal", 0, 3000))
    );
}
