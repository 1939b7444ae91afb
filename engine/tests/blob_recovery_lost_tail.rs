//! Recovery of separated values whose blob bytes are gone
//! (format-spec/value-log.md, "Recovery"): in the newest WAL, a suffix of
//! writes whose values never reached the blob file — the file cut short,
//! or zero-filled from a sector boundary to its end — is dropped like a
//! torn tail, with or without strict recovery, earlier writes kept; a
//! damaged record followed by an intact one is corruption (synced bytes
//! were damaged), and so is a missing blob file.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::blobs::{blob_options, files_with_suffix, value};
use siltdb::fs::{Fs, MemFs};
use siltdb::{Db, Error, Options, WriteBatch, WriteOptions};

const DIR: &str = "/db";
const BIG: usize = 3000;

/// A closed database whose only WAL holds: a synced small put, three
/// unsynced separated puts `k1..k3` and an unsynced small put `after`, all
/// in one blob file. Returns the file system, the blob file's path and the
/// offsets of the three records.
fn setup() -> (MemFs, String, [u64; 3]) {
    let fs = MemFs::new();
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("open");
    let mut b = WriteBatch::new();
    b.put(b"s1", b"small");
    db.write_opt(b, WriteOptions { sync: true }).expect("put");
    for k in [b"k1", b"k2", b"k3"] {
        db.put(k, &value(k, 0, BIG)).expect("put");
    }
    db.put(b"after", b"small").expect("put");
    db.close().expect("close");
    drop(db);
    let blobs = files_with_suffix(&fs, DIR, ".blob");
    assert_eq!(blobs.len(), 1, "{blobs:?}");
    // Header 12, then records of 12 + 2-byte key + BIG-byte value.
    let rec = 12 + 2 + BIG as u64;
    (
        fs,
        format!("{DIR}/{}", blobs[0]),
        [12, 12 + rec, 12 + 2 * rec],
    )
}

fn get(db: &Db, k: &[u8]) -> Option<Vec<u8>> {
    db.get(k).expect("get")
}

#[test]
fn a_lost_suffix_of_the_newest_wal_is_dropped() {
    let (fs, blob, offsets) = setup();
    // The bytes of k2 and k3 never reached the disk (cut mid-record).
    fs.truncate(Path::new(&blob), offsets[1] + 100)
        .expect("truncate");
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("reopen");
    assert_eq!(get(&db, b"s1"), Some(b"small".to_vec()));
    assert_eq!(get(&db, b"k1"), Some(value(b"k1", 0, BIG)));
    assert_eq!(get(&db, b"k2"), None);
    assert_eq!(get(&db, b"k3"), None);
    // Written after the lost value: never acknowledged as durable either.
    assert_eq!(get(&db, b"after"), None);
    // The recovered state is durable and clean.
    db.put(b"k2", &value(b"k2", 1, BIG)).expect("put");
    db.close().expect("close");
    drop(db);
    let report = siltdb::low_level::inspect::check_dir(&fs, Path::new(DIR)).expect("check");
    assert!(report.is_clean(), "{report}");
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("reopen");
    assert_eq!(get(&db, b"k1"), Some(value(b"k1", 0, BIG)));
    assert_eq!(get(&db, b"k2"), Some(value(b"k2", 1, BIG)));
}

#[test]
fn a_zero_filled_suffix_is_dropped_like_a_cut_one() {
    for strict_recovery in [true, false] {
        let (fs, blob, offsets) = setup();
        // The file system recorded the file's length, but the data from
        // the sector holding k2's 1000th byte on never landed: it reads as
        // zeros.
        let len = fs.file_size(Path::new(&blob)).expect("size");
        let from = (offsets[1] + 1000) / 512 * 512;
        let data = fs.read_all(Path::new(&blob)).expect("read");
        for (at, byte) in data.iter().enumerate().skip(from as usize) {
            if *byte != 0 {
                fs.corrupt_byte(Path::new(&blob), at as u64, *byte)
                    .expect("zero");
            }
        }
        assert_eq!(fs.file_size(Path::new(&blob)).expect("size"), len);
        let opts = Options {
            strict_recovery,
            ..blob_options(Arc::new(fs.clone()))
        };
        let db = Db::open(DIR, opts).expect("reopen");
        assert_eq!(get(&db, b"s1"), Some(b"small".to_vec()));
        assert_eq!(get(&db, b"k1"), Some(value(b"k1", 0, BIG)));
        assert_eq!(get(&db, b"k2"), None);
        assert_eq!(get(&db, b"k3"), None);
        assert_eq!(get(&db, b"after"), None);
        let dropped = &db.recovery_report().dropped;
        assert_eq!(dropped.len(), 1, "{}", db.recovery_report());
        assert!(dropped[0].file.ends_with(".log"), "{dropped:?}");
    }
}

#[test]
fn a_damaged_record_before_an_intact_one_is_corruption() {
    let (fs, blob, offsets) = setup();
    fs.corrupt_byte(Path::new(&blob), offsets[1] + 40, 0x01)
        .expect("flip");
    match Db::open(DIR, blob_options(Arc::new(fs))) {
        Err(Error::Corruption {
            file,
            offset,
            reason,
        }) => {
            assert!(blob.ends_with(&file), "{file}");
            assert_eq!(offset, offsets[1]);
            assert!(reason.contains("checksum"), "{reason}");
        }
        Err(e) => panic!("expected corruption, got {e}"),
        Ok(_) => panic!("expected corruption, the database opened"),
    }
}

#[test]
fn a_missing_blob_file_is_corruption() {
    let (fs, blob, _) = setup();
    fs.remove(Path::new(&blob)).expect("remove");
    match Db::open(DIR, blob_options(Arc::new(fs))) {
        Err(Error::Corruption { file, reason, .. }) => {
            assert!(blob.ends_with(&file), "{file}");
            assert!(reason.contains("missing"), "{reason}");
        }
        Err(e) => panic!("expected corruption, got {e}"),
        Ok(_) => panic!("expected corruption, the database opened"),
    }
}
