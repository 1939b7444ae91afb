//! A blob file leaves the directory only when nothing can read it: an
//! iterator or snapshot opened before its values were overwritten and
//! collected still reads them, the memtable's own (unregistered) blob file
//! survives every obsolete-file sweep, and once the readers are gone the
//! emptied file is deleted at the next version change.

mod common;

use std::sync::Arc;

use common::blobs::{blob_options, files_with_suffix, value};
use siltdb::fs::MemFs;
use siltdb::Db;

const DIR: &str = "/db";
const BIG: usize = 3000;

fn keys() -> impl Iterator<Item = Vec<u8>> {
    (0..8).map(|i| format!("key{i}").into_bytes())
}

#[test]
fn emptied_blob_files_wait_for_their_readers() {
    let fs = MemFs::new();
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("open");
    for k in keys() {
        db.put(&k, &value(&k, 0, BIG)).expect("put");
    }
    db.flush().expect("flush");
    let first = files_with_suffix(&fs, DIR, ".blob");
    assert_eq!(first.len(), 1);
    let mut it = db.iter().expect("iter");
    let snap = db.snapshot();
    // Every value overwritten: the first blob file becomes all garbage once
    // compaction drops the old entries (after the snapshot is released).
    for k in keys() {
        db.put(&k, &value(&k, 1, BIG)).expect("put");
    }
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact");
    // The snapshot still sees generation 0, so nothing was dropped.
    assert!(files_with_suffix(&fs, DIR, ".blob").contains(&first[0]));
    assert_eq!(
        snap.get(b"key3").expect("get"),
        Some(value(b"key3", 0, BIG))
    );
    drop(snap);
    // A third generation meets both older ones in the next compaction,
    // which drops them: the first blob file is all garbage and leaves the
    // version, but the iterator pins it.
    for k in keys() {
        db.put(&k, &value(&k, 2, BIG)).expect("put");
    }
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact");
    assert_eq!(db.stats().blob_files, 1, "{}", db.stats());
    assert!(files_with_suffix(&fs, DIR, ".blob").contains(&first[0]));
    it.seek_to_first().expect("seek");
    for k in keys() {
        assert_eq!(it.key(), k.as_slice());
        assert_eq!(it.value(), value(&k, 0, BIG).as_slice());
        it.next().expect("next");
    }
    drop(it);
    // A separated write starts the new memtable's blob file; the sweep that
    // follows the next compaction must leave it, and delete the first one.
    db.put(b"fresh", &value(b"fresh", 3, BIG)).expect("put");
    db.compact_range(Some(b"key0"), Some(b"key9"))
        .expect("compact");
    let now = files_with_suffix(&fs, DIR, ".blob");
    assert!(!now.contains(&first[0]), "{now:?}");
    assert_eq!(
        db.get(b"fresh").expect("get"),
        Some(value(b"fresh", 3, BIG))
    );
    for k in keys() {
        assert_eq!(db.get(&k).expect("get"), Some(value(&k, 2, BIG)));
    }
}
