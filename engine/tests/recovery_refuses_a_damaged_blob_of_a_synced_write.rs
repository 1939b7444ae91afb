//! A separated value whose write was synced, and whose WAL record reads
//! intact, but whose blob record was damaged on disk afterwards
//! (format-spec/value-log.md, "Recovery"): the record lies wholly inside
//! the blob file and its bytes are not zeros, which no power cut can leave
//! (it takes only what was appended after the last sync, as a cut or as
//! zeros). Open refuses with corruption naming the blob file and the
//! record's offset — with and without strict recovery — and changes
//! nothing: the WAL and the blob file stay, and once the damage is undone
//! the write reads back. `check` reports the blob record.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::blobs::{blob_options, files_with_suffix, value};
use siltdb::fs::MemFs;
use siltdb::low_level::inspect::{check_dir, FileStatus};
use siltdb::{Db, Error, Options, WriteBatch, WriteOptions};

const DIR: &str = "/db";
const BIG: usize = 3000;
/// The first record of a blob file starts after its 12-byte header.
const FIRST_RECORD: u64 = 12;

/// A cleanly closed database whose only write, a synced put of a
/// separated value under `k`, is in its WAL and blob file (not in a
/// table). Returns the file system and the blob file's name.
fn synced_separated_write() -> (MemFs, String) {
    let fs = MemFs::new();
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("open");
    let mut b = WriteBatch::new();
    b.put(b"k", &value(b"k", 0, BIG));
    db.write_opt(b, WriteOptions { sync: true }).expect("put");
    db.close().expect("close");
    drop(db);
    assert!(
        files_with_suffix(&fs, DIR, ".sst").is_empty(),
        "not flushed"
    );
    let blobs = files_with_suffix(&fs, DIR, ".blob");
    assert_eq!(blobs.len(), 1, "{blobs:?}");
    (fs, blobs[0].clone())
}

fn expect_refused(r: Result<Db, Error>, blob: &str) {
    match r {
        Err(Error::Corruption {
            file,
            offset,
            reason,
        }) => {
            assert_eq!((file.as_str(), offset), (blob, FIRST_RECORD), "{reason}");
            assert!(reason.contains("checksum"), "{reason}");
        }
        Err(e) => panic!("expected corruption in {blob}, got {e}"),
        Ok(db) => panic!(
            "expected corruption in {blob}, the database opened: {}",
            db.recovery_report()
        ),
    }
}

#[test]
fn a_flipped_byte_in_the_blob_record_of_a_synced_write_refuses_open() {
    let (fs, blob) = synced_separated_write();
    let path = Path::new(DIR).join(&blob);
    let flip_at = FIRST_RECORD + 12 + 1 + 500;
    fs.corrupt_byte(&path, flip_at, 0x20).expect("flip");
    let before = fs.file_names();

    expect_refused(Db::open(DIR, blob_options(Arc::new(fs.clone()))), &blob);
    let strict = Options {
        strict_recovery: true,
        ..blob_options(Arc::new(fs.clone()))
    };
    expect_refused(Db::open(DIR, strict), &blob);
    assert_eq!(fs.file_names(), before, "a refused open deletes nothing");

    let report = check_dir(&fs, Path::new(DIR)).expect("check");
    assert!(!report.is_clean(), "{report}");
    let damaged: Vec<_> = report
        .corruptions()
        .map(|c| (c.file.as_str(), c.offset))
        .collect();
    assert!(
        damaged.contains(&(blob.as_str(), FIRST_RECORD)),
        "check names the blob record: {damaged:?}\n{report}"
    );
    assert!(
        report
            .files
            .iter()
            .any(|f| f.name.ends_with(".log") && matches!(f.status, FileStatus::Corrupt(_))),
        "the WAL pointing at it is reported:\n{report}"
    );

    // Nothing was lost: undo the damage and the write is there.
    fs.corrupt_byte(&path, flip_at, 0x20).expect("flip back");
    let db = Db::open(DIR, blob_options(Arc::new(fs.clone()))).expect("reopen");
    assert_eq!(db.get(b"k").expect("get"), Some(value(b"k", 0, BIG)));
}
