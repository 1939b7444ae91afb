//! The torn-final-MANIFEST-record rule (format-spec/manifest.md,
//! "Recovery", step 3): a damaged final record is dropped only if the state
//! without it names no missing file. A compaction's edit whose input tables
//! are already deleted was synced and acted on; dropping it would leave a
//! version naming missing tables, so it is `Corruption` at the record's
//! offset in the MANIFEST, at open and in `check`, and nothing is deleted.
//! The same edit torn before anything acted on it (inputs still there) is
//! dropped, and the database is as before the compaction.

mod common;

use std::path::Path;

use common::disk::{corruption, key, log_records, scan, Disk, DIR};
use siltdb::low_level::inspect::{check_dir, FileStatus};

/// A closed database whose MANIFEST ends with a compaction's edit.
struct Compacted {
    disk: Disk,
    /// The MANIFEST's name.
    manifest: String,
    /// The compaction's input tables, with their contents.
    inputs: Vec<(String, Vec<u8>)>,
    /// (offset, length) of the MANIFEST's final record.
    last: (u64, u64),
}

fn compacted() -> Compacted {
    let disk = Disk::new();
    let db = disk.open().expect("open");
    for round in 0..2u32 {
        for i in 0..100 {
            db.put(&key(i), format!("round {round}").as_bytes())
                .expect("put");
        }
        db.flush().expect("flush");
    }
    let inputs: Vec<(String, Vec<u8>)> = disk
        .contents()
        .into_iter()
        .filter(|(n, _)| n.ends_with(".sst"))
        .collect();
    assert_eq!(inputs.len(), 2, "two L0 tables");
    db.compact_range(None, None).expect("compact");
    db.close().expect("close");
    drop(db);
    for (name, _) in &inputs {
        assert!(!disk.names().contains(name), "input {name} was deleted");
    }
    let manifest = disk.named("MANIFEST-").pop().expect("MANIFEST");
    let recs = log_records(&disk.contents()[&manifest]);
    let last = *recs.last().expect("records");
    Compacted {
        disk,
        manifest,
        inputs,
        last,
    }
}

#[test]
fn a_torn_edit_that_was_acted_on_is_corruption_naming_the_manifest() {
    let Compacted {
        disk,
        manifest,
        inputs,
        last: (start, len),
    } = compacted();
    let data = disk.contents()[&manifest].clone();
    for cut in [start + 1, start + len / 2, start + len - 1] {
        disk.write(&manifest, &data[..cut as usize]);
        let before = disk.contents();
        let (offset, reason) = corruption(disk.open(), &manifest);
        assert_eq!(offset, start, "cut at {cut}: the dropped record's offset");
        assert!(
            reason.contains(&inputs[0].0),
            "names a missing input: {reason}"
        );
        assert!(reason.contains("a synced edit was lost"), "{reason}");
        assert_eq!(disk.contents(), before, "cut at {cut}: nothing deleted");

        let report = check_dir(&disk.mem, Path::new(DIR)).expect("check");
        match report.file(&manifest).map(|f| &f.status) {
            Some(FileStatus::Corrupt(c)) => {
                assert_eq!((c.file.as_str(), c.offset), (manifest.as_str(), start))
            }
            other => panic!("cut at {cut}: MANIFEST should be corrupt, got {other:?}\n{report}"),
        }
        assert!(!report.is_clean());
    }
}

#[test]
fn a_torn_edit_nothing_acted_on_is_dropped() {
    let Compacted {
        disk,
        manifest,
        inputs,
        last: (start, _),
    } = compacted();
    let data = disk.contents()[&manifest].clone();
    // As if the crash came while the compaction's edit was being appended:
    // its inputs are still there.
    for (name, bytes) in &inputs {
        disk.write(name, bytes);
    }
    disk.write(&manifest, &data[..start as usize + 5]);
    let report = check_dir(&disk.mem, Path::new(DIR)).expect("check");
    assert!(report.is_clean(), "{report}");
    let db = disk.open().expect("the torn edit is dropped");
    let dropped = &db.recovery_report().dropped;
    assert_eq!(dropped.len(), 1);
    assert_eq!(
        (dropped[0].file.as_str(), dropped[0].offset),
        (manifest.as_str(), start)
    );
    let got = scan(&db);
    assert_eq!(got.len(), 100);
    for i in 0..100 {
        assert_eq!(got.get(&key(i)).map(Vec::as_slice), Some(&b"round 1"[..]));
    }
}
