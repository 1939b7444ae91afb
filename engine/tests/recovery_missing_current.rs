//! A directory whose `CURRENT` is lost is never turned into an empty
//! database: open refuses, names what is there and how to recover, and
//! deletes nothing; `check` says so too; `repair` points `CURRENT` at the
//! newest MANIFEST that recovers, deleting nothing, after which every write
//! is back. A directory whose creation was interrupted before `CURRENT`
//! existed (no data anywhere) is still a place to create a database.

mod common;

use std::path::Path;

use common::disk::{corruption, key, scan, value, Disk, DIR};
use siltdb::fs::Fs;
use siltdb::low_level::inspect::check_dir;
use siltdb::low_level::recovery::repair;
use siltdb::Db;

const N: u32 = 300;

/// A closed database with tables and writes still in its WAL.
fn database() -> Disk {
    Disk::with_database(N, 20)
}

fn assert_all_there(db: &Db) {
    let got = scan(db);
    assert_eq!(got.len(), (N + 20) as usize);
    for i in 0..N + 20 {
        assert_eq!(got.get(&key(i)), Some(&value(i)), "key {i}");
    }
}

#[test]
fn open_refuses_a_directory_with_tables_but_no_current_and_deletes_nothing() {
    let disk = database();
    assert!(!disk.named(".sst").is_empty(), "a table was flushed");
    disk.remove("CURRENT");
    let before = disk.contents();

    let (offset, reason) = corruption(disk.open(), "CURRENT");
    assert_eq!(offset, 0);
    assert!(reason.contains("CURRENT is missing"), "{reason}");
    for table in disk.named(".sst") {
        assert!(reason.contains(&table), "names {table}: {reason}");
    }
    assert!(
        reason.contains(&format!("siltdb repair --data-dir {DIR}")),
        "says how to recover: {reason}"
    );
    assert_eq!(disk.contents(), before, "a refused open changes nothing");

    let report = check_dir(&disk.mem, Path::new(DIR)).expect("check");
    assert!(!report.is_clean(), "{report}");
    assert_eq!(report.missing[0].name, "CURRENT");
    assert!(
        report.missing[0].reason.contains("siltdb repair"),
        "{report}"
    );
}

#[test]
fn data_only_in_the_wal_is_data_too() {
    let disk = Disk::new();
    let db = disk.open().expect("open");
    db.put(b"only", b"in the WAL").expect("put");
    db.close().expect("close");
    assert!(disk.named(".sst").is_empty());
    disk.remove("CURRENT");
    let before = disk.contents();
    let (_, reason) = corruption(disk.open(), "CURRENT");
    assert!(reason.contains(".log"), "names the WAL: {reason}");
    assert_eq!(disk.contents(), before);
}

#[test]
fn repair_restores_current_and_every_write_comes_back() {
    let disk = database();
    let manifest = disk.named("MANIFEST-").pop().expect("a MANIFEST");
    disk.remove("CURRENT");
    let before = disk.names();

    let r = repair(&disk.mem, Path::new(DIR)).expect("repair");
    assert!(r.changed);
    assert_eq!(r.chosen, manifest);
    assert_eq!(r.previous, None);
    let after = disk.names();
    assert!(after.is_superset(&before), "repair deletes nothing");
    assert_eq!(
        after.difference(&before).collect::<Vec<_>>(),
        ["CURRENT"],
        "repair writes CURRENT only"
    );
    assert!(check_dir(&disk.mem, Path::new(DIR))
        .expect("check")
        .is_clean());

    let db = disk.open().expect("opens after repair");
    assert_all_there(&db);
}

#[test]
fn repair_passes_over_a_manifest_that_does_not_recover() {
    let disk = database();
    let good = disk.named("MANIFEST-").pop().expect("a MANIFEST");
    // A newer MANIFEST naming a table that does not exist.
    let mut m = disk.contents()[&good].clone();
    let edit = siltdb::low_level::manifest::VersionEdit {
        new_files: vec![(
            5,
            siltdb::low_level::manifest::FileMeta {
                number: 900_000,
                size: 10,
                smallest: siltdb::low_level::key::make_internal_key(
                    b"zz1",
                    1,
                    siltdb::low_level::key::ValueKind::Value,
                ),
                largest: siltdb::low_level::key::make_internal_key(
                    b"zz2",
                    1,
                    siltdb::low_level::key::ValueKind::Value,
                ),
                smallest_seq: 1,
                largest_seq: 1,
                num_entries: 1,
                num_deletions: 0,
            },
        )],
        next_file_number: Some(900_002),
        ..Default::default()
    };
    siltdb::low_level::wal::encode_record(&mut m, &edit.encoded()).expect("record");
    disk.write("MANIFEST-900001", &m);
    disk.remove("CURRENT");

    let r = repair(&disk.mem, Path::new(DIR)).expect("repair");
    assert_eq!(r.chosen, good);
    assert_eq!(r.skipped.len(), 1, "{r}");
    assert_eq!(r.skipped[0].0, "MANIFEST-900001");
    assert!(r.skipped[0].1.contains("900000.sst"), "{r}");
    let db = disk.open().expect("opens after repair");
    assert_all_there(&db);
}

#[test]
fn repair_leaves_a_current_that_recovers_alone() {
    let disk = database();
    let before = disk.contents();
    let r = repair(&disk.mem, Path::new(DIR)).expect("repair");
    assert!(!r.changed, "{r}");
    assert_eq!(disk.contents(), before);
}

#[test]
fn repair_refuses_while_the_database_is_open() {
    let disk = database();
    let db = disk.open().expect("open");
    assert!(matches!(
        repair(&disk.mem, Path::new(DIR)),
        Err(siltdb::Error::Locked(_))
    ));
    drop(db);
}

#[test]
fn an_interrupted_creation_is_no_database_and_open_creates_one() {
    let disk = Disk::new();
    // What a crash during the very first open can leave: an empty WAL and a
    // CURRENT.tmp, but no CURRENT.
    disk.mem.create_dir_all(Path::new(DIR)).expect("mkdir");
    disk.write("000001.log", b"");
    disk.write("CURRENT.tmp", b"MANIFEST-000002\n");
    let db = disk
        .open()
        .expect("an interrupted creation is not a database");
    assert!(db.recovery_report().created);
    db.put(b"a", b"b").expect("put");
    db.close().expect("close");
    drop(db);
    assert!(!disk.names().contains("CURRENT.tmp"));
    let db = disk.open().expect("reopen");
    assert_eq!(db.get(b"a").expect("get"), Some(b"b".to_vec()));
}
