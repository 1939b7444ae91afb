//! Values of at least `min_blob_size` bytes are written to blob files and
//! read back unchanged from the memtable, from tables after a flush, after a
//! reopen and after a full compaction — point reads and iterators both ways;
//! smaller values stay in the tree, and the WAL carries blob indexes, not
//! the large values.

mod common;

use std::sync::Arc;

use common::blobs::{assert_contents, blob_options, files_with_suffix, value, Model, MIN_BLOB};
use siltdb::fs::MemFs;
use siltdb::Db;

const DIR: &str = "/db";

#[test]
fn separated_values_read_back_everywhere() {
    let fs = MemFs::new();
    let opts = || blob_options(Arc::new(fs.clone()));
    let db = Db::open(DIR, opts()).expect("open");
    let mut model = Model::new();
    let sizes = [10, MIN_BLOB - 1, MIN_BLOB, 5000, 20_000];
    let mut separated = 0u64;
    for i in 0..150u32 {
        let k = format!("key{i:04}").into_bytes();
        let len = sizes[i as usize % sizes.len()];
        let v = value(&k, 0, len);
        if len >= MIN_BLOB {
            separated += v.len() as u64;
        }
        db.put(&k, &v).expect("put");
        model.insert(k, v);
    }
    assert_contents(&db, &model, "memtable");
    let s = db.stats();
    assert!(s.blob_bytes >= separated, "{s}");
    assert!(
        s.wal_bytes < separated / 10,
        "the WAL carries the large values: {s}"
    );
    assert!(!files_with_suffix(&fs, DIR, ".blob").is_empty());

    db.flush().expect("flush");
    assert_contents(&db, &model, "after flush");
    assert!(db.stats().blob_files > 0);

    db.close().expect("close");
    drop(db);
    let db = Db::open(DIR, opts()).expect("reopen");
    assert_contents(&db, &model, "after reopen");

    db.compact_range(None, None).expect("compact");
    assert_contents(&db, &model, "after compaction");
    let s = db.stats();
    assert_eq!(s.blob_garbage_bytes, 0, "nothing was overwritten: {s}");
    assert!(s.blob_live_bytes >= separated, "{s}");
}

#[test]
fn snapshot_reads_see_their_separated_values() {
    let fs = MemFs::new();
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("open");
    db.put(b"k", &value(b"k", 1, 4000)).expect("put");
    let snap = db.snapshot();
    db.put(b"k", &value(b"k", 2, 6000)).expect("put");
    assert_eq!(snap.get(b"k").expect("get"), Some(value(b"k", 1, 4000)));
    assert_eq!(db.get(b"k").expect("get"), Some(value(b"k", 2, 6000)));
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact");
    assert_eq!(snap.get(b"k").expect("get"), Some(value(b"k", 1, 4000)));
    let mut it = snap.iter().expect("iter");
    it.seek(b"k").expect("seek");
    assert_eq!(it.value(), value(b"k", 1, 4000).as_slice());
}
