//! Crash debris (format-spec/manifest.md, "Garbage"): tables, WALs and
//! MANIFESTs numbered at or above the MANIFEST's `next_file_number`, maybe
//! truncated or full of garbage, are named by no durable edit. A reader
//! ignores them — a debris WAL is not replayed, even if its bytes look like
//! records — and open removes them, saying why in its recovery report.

mod common;

use std::path::Path;

use common::disk::{key, scan, value, Disk, DIR};
use siltdb::low_level::inspect::{check_dir, FileStatus};
use siltdb::low_level::wal::encode_record;
use siltdb::WriteBatch;

const N: u32 = 200;

/// A WAL holding one well-formed record: a put of `key` that no one
/// acknowledged.
fn plausible_wal(key: &[u8]) -> Vec<u8> {
    let mut b = WriteBatch::new();
    b.put(key, b"never acknowledged");
    b.set_sequence(1_000_000);
    let mut data = Vec::new();
    encode_record(&mut data, b.data()).expect("record");
    data
}

#[test]
fn debris_is_ignored_by_check_and_removed_by_open() {
    let disk = Disk::with_database(N, 0);
    let table = disk.named(".sst").pop().expect("a table");
    let half = disk.contents()[&table][..100].to_vec();
    let debris = [
        ("900001.sst", half),
        ("900002.log", plausible_wal(b"ghost")),
        ("900003.log", b"\xde\xad\xbe\xef garbage".to_vec()),
        ("MANIFEST-900004", b"half a manifest".to_vec()),
    ];
    for (name, data) in &debris {
        disk.write(name, data);
    }
    disk.write("notes.txt", b"not ours: never touched");

    let report = check_dir(&disk.mem, Path::new(DIR)).expect("check");
    assert!(report.is_clean(), "{report}");
    for (name, _) in &debris {
        match report.file(name).map(|f| &f.status) {
            Some(FileStatus::Orphan(why)) => {
                assert!(why.starts_with("crash debris: "), "{name}: {why}")
            }
            other => panic!("{name}: {other:?}\n{report}"),
        }
    }

    let db = disk.open().expect("debris does not stop open");
    let removed: Vec<&str> = db
        .recovery_report()
        .removed
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    for (name, _) in &debris {
        assert!(removed.contains(name), "{name} removed: {removed:?}");
        assert!(!disk.names().contains(*name), "{name} is gone");
    }
    for r in &db.recovery_report().removed {
        if r.name.starts_with("9000") || r.name.starts_with("MANIFEST-9000") {
            assert!(
                r.reason.contains("next_file_number"),
                "{}: {}",
                r.name,
                r.reason
            );
        }
    }
    assert!(disk.names().contains("notes.txt"), "foreign files stay");
    assert_eq!(
        db.get(b"ghost").expect("get"),
        None,
        "debris WAL not replayed"
    );
    let got = scan(&db);
    assert_eq!(got.len(), N as usize);
    for i in 0..N {
        assert_eq!(got.get(&key(i)), Some(&value(i)));
    }
    // New files are numbered past the debris: nothing reuses a name.
    db.put(b"after", b"open").expect("put");
    db.flush().expect("flush");
    drop(db);
    let db = disk.open().expect("reopen");
    assert_eq!(db.get(b"after").expect("get"), Some(b"open".to_vec()));
}
