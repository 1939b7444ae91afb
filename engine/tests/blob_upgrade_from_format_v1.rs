//! A database of format version 1 (the frozen fixture, written before value
//! separation) opens under value separation, takes separated values beside
//! its inline ones, compacts them together, and reopens with everything
//! intact and `check_dir` clean.

mod common;

use std::collections::BTreeMap;

use common::blobs::value;
use common::fixtures::{fixtures, scratch_copy};
use siltdb::fs::OsFs;
use siltdb::low_level::inspect::check_dir;
use siltdb::{Db, Options};

fn contents(db: &Db) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut it = db.iter().expect("iter");
    it.seek_to_first().expect("seek");
    let mut m = BTreeMap::new();
    while it.valid() {
        m.insert(it.key().to_vec(), it.value().to_vec());
        it.next().expect("next");
    }
    m
}

#[test]
fn a_v1_database_takes_separated_values() {
    let dir = scratch_copy(&fixtures().join("v1/engine"));
    let opts = || Options {
        create_if_missing: false,
        ..Options::default()
    };
    let db = Db::open(dir.path(), opts()).expect("open v1");
    let mut model = contents(&db);
    assert!(model.len() > 500, "the fixture holds its keys");
    let big = Options::default().blob.min_blob_size + 100;
    // Overwrite every 5th old key and add new ones, all separated.
    let old: Vec<Vec<u8>> = model.keys().step_by(5).cloned().collect();
    for (i, k) in old
        .iter()
        .chain(&[b"new-a".to_vec(), b"new-b".to_vec()])
        .enumerate()
    {
        let v = value(k, i as u32, big);
        db.put(k, &v).expect("put");
        model.insert(k.clone(), v);
    }
    assert!(db.stats().blob_bytes > 0, "values were separated");
    db.compact_range(None, None).expect("compact");
    assert_eq!(contents(&db), model, "after compaction");
    db.close().expect("close");
    drop(db);
    let report = check_dir(&OsFs::new(), dir.path()).expect("check");
    assert!(report.is_clean(), "{report}");
    let db = Db::open(dir.path(), opts()).expect("reopen");
    assert_eq!(contents(&db), model, "after reopen");
    assert!(db.stats().blob_files > 0);
}
