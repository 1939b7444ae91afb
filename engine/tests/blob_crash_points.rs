//! Crash at every point of a workload with separated values: for every k,
//! the k-th file append (or create) fails and the disk freezes there, then
//! the power is cut; separately, the k-th sync fails. After each, the
//! reopened database holds the history up to some write no earlier than the
//! last one acknowledged as durable: no synced write lost, no torn batch,
//! no dangling blob index (every value reads back), and check_dir finds the
//! closed directory clean.
//!
//! The workload mixes synced and unsynced puts of small and separated
//! values, overwrites (blob garbage), flushes, 8 KiB blob files (switches)
//! and full compactions (blob GC), so the crash points fall in blob
//! appends, blob syncs, blob file creation, WAL appends, flushes and blob
//! rewrites.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::blobs::{blob_options, value, Model};
use siltdb::fs::{FaultFs, MemFs};
use siltdb::low_level::inspect::check_dir;
use siltdb::{Db, Options, WriteBatch, WriteOptions};

const DIR: &str = "/db";

fn options(fault: &FaultFs) -> Options {
    let mut o = blob_options(Arc::new(fault.clone()));
    o.blob.file_size = 8 << 10;
    o.write_buffer_size = 16 << 10;
    o
}

/// One step of the workload.
enum Step {
    Put { key: u32, len: usize, sync: bool },
    Flush,
    Compact,
}

fn workload() -> Vec<Step> {
    let mut steps = Vec::new();
    for i in 0..48u32 {
        steps.push(Step::Put {
            key: i % 12,
            len: if i % 3 == 0 {
                40
            } else {
                1500 + 700 * (i % 4) as usize
            },
            sync: i % 5 == 0,
        });
        if i % 16 == 15 {
            steps.push(Step::Flush);
        }
        if i % 24 == 23 {
            steps.push(Step::Compact);
        }
    }
    steps
}

fn key(k: u32) -> Vec<u8> {
    format!("key{k:02}").into_bytes()
}

/// Runs the workload until a step fails. Returns the model after each
/// acknowledged write (index 0: empty) and the index of the last durable one.
fn run(db: &Db) -> (Vec<Model>, usize) {
    let mut states = vec![Model::new()];
    let mut durable = 0;
    for (i, s) in workload().iter().enumerate() {
        match s {
            Step::Put { key: k, len, sync } => {
                let (k, v) = (key(*k), value(&key(*k), i as u32, *len));
                let mut b = WriteBatch::new();
                b.put(&k, &v);
                if db.write_opt(b, WriteOptions { sync: *sync }).is_err() {
                    break;
                }
                let mut m = states.last().cloned().unwrap_or_default();
                m.insert(k, v);
                states.push(m);
                if *sync {
                    durable = states.len() - 1;
                }
            }
            Step::Flush => {
                if db.flush().is_err() {
                    break;
                }
                durable = states.len() - 1;
            }
            Step::Compact => {
                if db.compact_range(None, None).is_err() {
                    break;
                }
                durable = states.len() - 1;
            }
        }
    }
    (states, durable)
}

fn contents(db: &Db) -> Model {
    let mut it = db.iter().expect("iter");
    it.seek_to_first().expect("seek_to_first");
    let mut m = Model::new();
    while it.valid() {
        m.insert(it.key().to_vec(), it.value().to_vec());
        it.next().expect("next");
    }
    m
}

/// Runs the workload with `arm` applied to a fresh disk, cuts the power,
/// and checks the recovered database. Returns false once the fault was never
/// reached (the whole workload ran).
fn crash_case(what: &str, arm: impl Fn(&FaultFs)) -> bool {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, options(&fault)).expect("open");
    arm(&fault);
    let (states, durable) = run(&db);
    let completed = states.len()
        == workload()
            .iter()
            .filter(|s| matches!(s, Step::Put { .. }))
            .count()
            + 1;
    // Freeze the disk, then cut the power.
    fault.fail_write_after(0);
    fault.fail_sync_after(0);
    drop(db);
    mem.crash();
    fault.clear();

    let db = Db::open(DIR, options(&fault)).unwrap_or_else(|e| panic!("{what}: reopen: {e}"));
    let got = contents(&db);
    let Some(at) = states.iter().rposition(|m| *m == got) else {
        panic!("{what}: recovered contents match no prefix of the history");
    };
    assert!(
        at >= durable,
        "{what}: recovered the state after write {at}, but write {durable} was durable"
    );
    for (k, v) in &got {
        assert_eq!(db.get(k).expect("get").as_ref(), Some(v), "{what}: get");
    }
    db.close().expect("close");
    drop(db);
    let report = check_dir(&mem, Path::new(DIR)).expect("check_dir");
    assert!(report.is_clean(), "{what}: check_dir:\n{report}");
    !completed
}

#[test]
fn every_failed_append_then_power_cut_keeps_the_durable_history() {
    let mut k = 0;
    while crash_case(&format!("append {k} fails"), |f| f.fail_write_after(k)) {
        k += 1;
    }
    eprintln!("{k} append crash points");
    assert!(k > 50, "the workload made only {k} appends");
}

#[test]
fn every_failed_sync_then_power_cut_keeps_the_durable_history() {
    let mut k = 0;
    while crash_case(&format!("sync {k} fails"), |f| f.fail_sync_after(k)) {
        k += 1;
    }
    eprintln!("{k} sync crash points");
    assert!(k > 10, "the workload made only {k} syncs");
}
