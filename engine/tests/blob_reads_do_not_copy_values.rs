//! A separated value is read into its record buffer once and then served
//! from there: `get_pinned`, a snapshot's `get_pinned` and an iterator all
//! hand out the value inside the buffer the block cache keeps, not a copy
//! of it (format-spec/value-log.md, "Reading a value"; the read path's
//! copies are counted in benches/RESULTS.md).

mod common;

use std::sync::Arc;

use common::blobs::{blob_options, value, MIN_BLOB};
use siltdb::fs::MemFs;
use siltdb::Db;

#[test]
fn readers_share_the_cached_record_buffer() {
    let fs = MemFs::new();
    let db = Db::open("/db", blob_options(Arc::new(fs))).expect("open");
    let v = value(b"big", 1, MIN_BLOB * 20);
    db.put(b"big", &v).expect("put");
    db.put(b"small", b"inline").expect("put");
    db.flush().expect("flush");

    let first = db.get_pinned(b"big").expect("get").expect("found");
    assert_eq!(&*first, &v[..]);
    let again = db.get_pinned(b"big").expect("get").expect("found");
    assert_eq!(again.as_ptr(), first.as_ptr(), "served from the cache");

    let snapshot = db.snapshot();
    let s = snapshot.get_pinned(b"big").expect("get").expect("found");
    assert_eq!(
        s.as_ptr(),
        first.as_ptr(),
        "a snapshot's read is not copied"
    );
    assert_eq!(snapshot.get(b"big").expect("get"), Some(v.clone()));

    let mut it = db.iter().expect("iter");
    it.seek(b"big").expect("seek");
    assert!(it.valid());
    assert_eq!(it.value(), &v[..]);
    assert_eq!(
        it.value().as_ptr(),
        first.as_ptr(),
        "an iterator's separated value is not copied"
    );
    it.next().expect("next");
    assert_eq!((it.key(), it.value()), (&b"small"[..], &b"inline"[..]));
    // A value taken out of the shared buffer is a copy of its own.
    assert_eq!(db.get(b"big").expect("get"), Some(v));
}
