//! A synced WAL on real files carries zeros written ahead of its records
//! (so a synced write's fdatasync commits no file metadata), an unsynced one
//! none; a copy of the directory taken while the database is open — the
//! files as a crash would leave them, zero tail included — opens with every
//! synced write and nothing reported dropped or ignored.

use std::fs;
use std::path::Path;

use siltdb::{Db, Options, WriteOptions};

fn wal_sizes(dir: &Path) -> Vec<u64> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .map(|e| e.metadata().expect("stat").len())
        .collect();
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("list") {
        let e = e.expect("entry");
        if e.file_name() != "LOCK" {
            fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

#[test]
fn synced_wal_has_a_zero_tail_that_recovers_cleanly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, image) = (tmp.path().join("db"), tmp.path().join("image"));
    let opts = Options {
        wal_preallocate_bytes: 256 << 10,
        ..Options::default()
    };
    let db = Db::open(&dir, opts.clone()).expect("open");
    let sync = WriteOptions { sync: true };
    for i in 0..200u32 {
        let mut b = siltdb::WriteBatch::new();
        b.put(format!("k{i:04}").as_bytes(), &[i as u8; 100]);
        db.write_opt(b, sync).expect("write");
    }
    let appended = db.stats().wal_bytes;
    assert!(appended < 64 << 10, "{appended}");
    // At least half a step of zeros past the records, at most a step.
    let sizes = wal_sizes(&dir);
    assert_eq!(sizes.len(), 1);
    assert!(
        (appended + (128 << 10)..=appended + (256 << 10)).contains(&sizes[0]),
        "{sizes:?} for {appended} bytes of records"
    );
    copy_dir(&dir, &image);
    drop(db);

    let copy = Db::open(&image, opts).expect("open the crash image");
    let report = copy.recovery_report();
    assert!(report.dropped.is_empty(), "{report:?}");
    assert!(report.ignored.is_empty(), "{report:?}");
    for i in 0..200u32 {
        assert_eq!(
            copy.get(format!("k{i:04}").as_bytes()).expect("get"),
            Some(vec![i as u8; 100])
        );
    }
}

#[test]
fn an_unsynced_wal_gets_no_zeros() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Db::open(
        tmp.path(),
        Options {
            sync: false,
            ..Options::default()
        },
    )
    .expect("open");
    for i in 0..200u32 {
        db.put(format!("k{i:04}").as_bytes(), &[1; 100])
            .expect("put");
    }
    assert_eq!(wal_sizes(tmp.path()), vec![db.stats().wal_bytes]);
}
