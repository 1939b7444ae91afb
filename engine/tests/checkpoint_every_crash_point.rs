//! Every crash point of `Db::checkpoint` (LevelDB's fault_injection_test,
//! for every k): a database with tables, blob files and a WAL tail takes a
//! checkpoint; the disk stops after the checkpoint's k-th file operation
//! (its flush, links or copies, WAL, MANIFEST, CURRENT, rename, directory
//! syncs) and loses power. For every k: the target directory is absent or
//! opens holding exactly the source's writes (all synced, so all of them);
//! the source reopens with every write; a new checkpoint to the same target
//! then succeeds (clearing what the interrupted one left). Run with links
//! and, again, with links refused (copies).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::disk::{scan, Disk, DIR};
use common::workload::options;
use siltdb::fs::Fs;
use siltdb::low_level::inspect::check_dir;
use siltdb::Db;

const TARGET: &str = "/backups/cp";

/// Fills the source: two flushed rounds (one compacted), separated and
/// inline values, deletes, and a tail left in the WAL. Returns the model.
fn fill(db: &Db) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut model = BTreeMap::new();
    for round in 0..3u32 {
        for i in 0..12u32 {
            let k = format!("k{:03}", (i * 5 + round) % 20).into_bytes();
            if i % 6 == 5 {
                db.delete(&k).expect("delete");
                model.remove(&k);
            } else {
                let v = format!("r{round}i{i}-").repeat(if i % 2 == 0 { 40 } else { 2 });
                db.put(&k, v.as_bytes()).expect("put");
                model.insert(k, v.into_bytes());
            }
        }
        if round < 2 {
            db.flush().expect("flush");
        }
        if round == 1 {
            db.compact_range(None, None).expect("compact");
        }
    }
    model
}

/// Walks every crash point; returns how many there were.
fn every_crash_point(refuse_links: bool) -> u64 {
    let mut k = 1;
    let mut completed_at = None;
    loop {
        let disk = Disk::new();
        disk.fault.refuse_links(refuse_links);
        let db = disk.open().expect("open");
        let model = fill(&db);
        let start = disk.fault.file_ops();
        disk.fault.fail_ops_from(start + k + 1);
        let result = db.checkpoint(TARGET);
        let reached = disk.fault.file_ops() > start + k;
        if let Err(e) = &result {
            assert!(
                matches!(e.root(), siltdb::Error::Io { .. }),
                "crash after op {k}: only the stopped disk fails, got {e:?}"
            );
        }
        drop(db);
        disk.fault.clear();
        disk.mem.crash();
        let ctx = format!("crash after checkpoint op {k} (links refused: {refuse_links})");

        if disk.mem.exists(Path::new(TARGET)) {
            let report = check_dir(&disk.mem, Path::new(TARGET)).expect("check");
            assert!(
                report.is_clean(),
                "{ctx}: check of the checkpoint:\n{report}"
            );
            let copy = Db::open(TARGET, options(&disk))
                .unwrap_or_else(|e| panic!("{ctx}: the checkpoint does not open: {e}"));
            assert_eq!(scan(&copy), model, "{ctx}: checkpoint contents");
        } else {
            assert!(
                result.is_err(),
                "{ctx}: a checkpoint that returned is durable"
            );
        }
        let source = Db::open(DIR, options(&disk))
            .unwrap_or_else(|e| panic!("{ctx}: the source does not open: {e}"));
        assert_eq!(scan(&source), model, "{ctx}: source contents");
        if !disk.mem.exists(Path::new(TARGET)) {
            source
                .checkpoint(TARGET)
                .unwrap_or_else(|e| panic!("{ctx}: a checkpoint after the interrupted one: {e}"));
            let copy = Db::open(TARGET, options(&disk)).expect("open retried checkpoint");
            assert_eq!(scan(&copy), model, "{ctx}: retried checkpoint contents");
        }
        if result.is_ok() && completed_at.is_none() {
            completed_at = Some(k);
        }
        if !reached {
            assert!(result.is_ok(), "{ctx}: no fault reached, yet it failed");
            return k;
        }
        k += 1;
    }
}

#[test]
fn every_crash_point_of_a_checkpoint_with_links() {
    let points = every_crash_point(false);
    println!("crashed at {points} points");
    assert!(points > 10, "flush, links, WAL, MANIFEST, CURRENT, rename");
}

#[test]
fn every_crash_point_of_a_checkpoint_with_copies() {
    let points = every_crash_point(true);
    println!("crashed at {points} points");
    assert!(points > 10);
}
