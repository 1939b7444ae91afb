//! Compaction never turns a damaged separated value into a missing one: an
//! entry a compaction keeps keeps its pointer, so the read still fails with
//! corruption naming the blob file and the record's offset (never `None`,
//! never another value) and `check` still reports it; a garbage collection
//! that must move the damaged value fails with that corruption (and, as
//! every failed compaction, poisons the database) instead of dropping or
//! rewriting it, and the value is still reported after a reopen.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::blobs::{blob_options, files_with_suffix, value};
use siltdb::fs::MemFs;
use siltdb::low_level::inspect::check_dir;
use siltdb::{Db, Error, Options};

const DIR: &str = "/db";
const BIG: usize = 3000;
/// Each record: a 12-byte header, the 2-byte key, the value.
const RECORD: u64 = 12 + 2 + BIG as u64;
/// Where `k2`'s record starts, after the 12-byte file header.
const K2_AT: u64 = 12 + 2 * RECORD;

fn options(fs: &MemFs, background_gc: bool) -> Options {
    let mut o = blob_options(Arc::new(fs.clone()));
    o.blob.background_gc = background_gc;
    o
}

/// A closed database whose keys `k0..k4` hold separated values in one
/// table, `k2`'s record damaged; the blob file's name and the table's.
fn damaged_k2() -> (MemFs, String, String) {
    let fs = MemFs::new();
    let db = Db::open(DIR, options(&fs, false)).expect("open");
    for i in 0..5u8 {
        let k = [b'k', b'0' + i];
        db.put(&k, &value(&k, 0, BIG)).expect("put");
    }
    db.flush().expect("flush");
    db.close().expect("close");
    drop(db);
    let blobs = files_with_suffix(&fs, DIR, ".blob");
    let tables = files_with_suffix(&fs, DIR, ".sst");
    assert_eq!((blobs.len(), tables.len()), (1, 1), "{blobs:?} {tables:?}");
    fs.corrupt_byte(&Path::new(DIR).join(&blobs[0]), K2_AT + 700, 0x04)
        .expect("flip");
    (fs, blobs[0].clone(), tables[0].clone())
}

fn expect_k2_corruption<T: std::fmt::Debug>(r: Result<T, Error>, blob: &str) {
    match r {
        Err(Error::Corruption { file, offset, .. }) => {
            assert_eq!((file.as_str(), offset), (blob, K2_AT));
        }
        other => panic!("expected corruption in {blob} at {K2_AT}, got {other:?}"),
    }
}

fn expect_check_names_k2(fs: &MemFs, blob: &str) {
    let report = check_dir(fs, Path::new(DIR)).expect("check");
    assert!(!report.is_clean(), "{report}");
    assert!(
        report
            .corruptions()
            .any(|c| (c.file.as_str(), c.offset) == (blob, K2_AT)),
        "{report}"
    );
}

#[test]
fn a_compaction_keeps_the_pointer_to_a_damaged_value() {
    let (fs, blob, table) = damaged_k2();
    let db = Db::open(DIR, options(&fs, false)).expect("open");
    // Inside the table's key range, so the compaction merges (a table
    // whose range overlaps nothing would move down whole).
    db.put(b"k1x", b"small").expect("put");
    db.flush().expect("flush");
    db.compact_range(None, None)
        .expect("the pointer is copied, not read");
    assert!(
        !files_with_suffix(&fs, DIR, ".sst").contains(&table),
        "{table} was compacted away"
    );
    expect_k2_corruption(db.get(b"k2"), &blob);
    for k in [b"k0", b"k1", b"k3", b"k4"] {
        assert_eq!(db.get(k).expect("get"), Some(value(k, 0, BIG)));
    }
    db.close().expect("close");
    drop(db);
    expect_check_names_k2(&fs, &blob);
}

#[test]
fn moving_a_damaged_value_fails_the_garbage_collection() {
    let (fs, blob, _) = damaged_k2();
    let db = Db::open(DIR, options(&fs, true)).expect("open");
    for k in [b"k0", b"k1", b"k3", b"k4"] {
        db.delete(k).expect("delete");
    }
    db.flush().expect("flush");
    // Drops the four deleted values: the blob file is 20% live, so the
    // background picker rewrites the table pointing into it, which must
    // read k2's value to move it (it may fail before compact_range has
    // walked every level: then compact_range reports the poisoning).
    match db.compact_range(None, None) {
        Ok(()) => {}
        Err(Error::Poisoned(e)) => expect_k2_corruption(Err::<(), _>(*e), &blob),
        Err(e) => panic!("unexpected {e}"),
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let poisoned = loop {
        match db.put(b"x", b"y") {
            Err(e @ Error::Poisoned(_)) => break e,
            Ok(()) => {}
            Err(e) => panic!("unexpected {e}"),
        }
        assert!(Instant::now() < deadline, "no GC failure: {}", db.stats());
        std::thread::sleep(Duration::from_millis(10));
    };
    expect_k2_corruption(Err::<(), _>(poisoned.root().duplicate()), &blob);
    expect_k2_corruption(db.get(b"k2"), &blob);
    assert_eq!(
        files_with_suffix(&fs, DIR, ".blob"),
        vec![blob.clone()],
        "nothing was moved"
    );
    db.close().expect("close");
    drop(db);

    let db = Db::open(DIR, options(&fs, false)).expect("reopen");
    expect_k2_corruption(db.get(b"k2"), &blob);
    assert_eq!(db.get(b"k0").expect("get"), None);
    db.close().expect("close");
    drop(db);
    expect_check_names_k2(&fs, &blob);
}
