//! Damage to values already in tables is reported, never returned as data:
//! a flipped byte in a registered blob file makes the read and the iterator
//! step that reach it fail with corruption naming the blob file and the
//! record's offset (other keys still read), and `check_dir` names the table
//! pointing at it; a registered blob file that is gone makes open fail.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::blobs::{blob_options, files_with_suffix, value};
use siltdb::fs::{Fs, MemFs};
use siltdb::low_level::inspect::{check_dir, FileStatus};
use siltdb::{Db, Error};

const DIR: &str = "/db";
const BIG: usize = 3000;

/// A closed database whose keys `k0..k4` hold separated values in tables.
fn setup() -> (MemFs, String) {
    let fs = MemFs::new();
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("open");
    for i in 0..5u8 {
        let k = [b'k', b'0' + i];
        db.put(&k, &value(&k, 0, BIG)).expect("put");
    }
    db.flush().expect("flush");
    db.close().expect("close");
    drop(db);
    let blobs = files_with_suffix(&fs, DIR, ".blob");
    assert_eq!(blobs.len(), 1, "{blobs:?}");
    (fs, blobs[0].clone())
}

fn expect_blob_corruption<T: std::fmt::Debug>(r: Result<T, Error>, blob: &str, at: u64) {
    match r {
        Err(Error::Corruption { file, offset, .. }) => {
            assert_eq!((file.as_str(), offset), (blob, at));
        }
        other => panic!("expected corruption in {blob} at {at}, got {other:?}"),
    }
}

#[test]
fn a_damaged_value_fails_its_reads_and_check_names_it() {
    let (fs, blob) = setup();
    let rec = 12 + 2 + BIG as u64;
    let k2_at = 12 + 2 * rec;
    fs.corrupt_byte(&Path::new(DIR).join(&blob), k2_at + 500, 0x20)
        .expect("flip");
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("open");
    expect_blob_corruption(db.get(b"k2"), &blob, k2_at);
    assert_eq!(db.get(b"k3").expect("get"), Some(value(b"k3", 0, BIG)));
    let mut it = db.iter().expect("iter");
    it.seek(b"k1").expect("seek");
    assert_eq!(it.key(), b"k1");
    expect_blob_corruption(it.next(), &blob, k2_at);
    assert!(
        !it.valid(),
        "an iterator that failed to read a value is not valid"
    );
    drop(it);
    db.close().expect("close");
    drop(db);

    let report = check_dir(&fs, Path::new(DIR)).expect("check");
    assert!(!report.is_clean());
    let table = report
        .files
        .iter()
        .find(|f| f.name.ends_with(".sst") && f.status != FileStatus::Ok)
        .unwrap_or_else(|| panic!("no table reported:\n{report}"));
    match &table.status {
        FileStatus::Corrupt(c) => assert_eq!((c.file.as_str(), c.offset), (blob.as_str(), k2_at)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_registered_blob_file_fails_open() {
    let (fs, blob) = setup();
    fs.remove(&Path::new(DIR).join(&blob)).expect("remove");
    match Db::open(DIR, blob_options(Arc::new(fs.clone()))) {
        Err(Error::Corruption { file, reason, .. }) => {
            assert_eq!(file, blob);
            assert!(
                reason.contains("named by the MANIFEST is missing"),
                "{reason}"
            );
        }
        Err(e) => panic!("expected corruption, got {e}"),
        Ok(_) => panic!("expected corruption, the database opened"),
    }
    let report = check_dir(&fs, Path::new(DIR)).expect("check");
    assert!(report.missing.iter().any(|m| m.name == blob), "{report}");
}
