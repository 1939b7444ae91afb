//! Every failed I/O: the same fixed workload as the crash-point test, with
//! its k-th file operation failing (once, writing nothing), for every k.
//! Never a panic; the failure comes back as an I/O error (or `Poisoned`
//! holding it) from the call that needed it, after which writes are
//! refused — except a failed removal of a garbage file, which only leaves
//! garbage, and a failed reuse of an obsolete WAL's file, after which a new
//! WAL file is created; and no acknowledged write is lost, whether the database is then
//! reopened as it is or after a power cut. The workload separates values
//! into blob files and garbage-collects them, so blob appends, syncs, GC
//! output and blob deletions fail too.

mod common;

use common::disk::Disk;
use common::workload::{run, steps, verify, Step};
use siltdb::fs::FileOp;

/// Runs the workload failing each operation in turn; returns how many
/// operations there were. `gc_copies`: the workload's garbage collection
/// must copy blob values (true of the short workload; the long one's clean
/// run copies none, and is run for its failure points).
fn every_failed_io(steps: &[Step], gc_copies: bool) -> u64 {
    let clean = Disk::new();
    let full = run(&clean, steps);
    assert!(full.completed);
    assert!(
        full.blob_bytes > 0 && (full.blob_gc_bytes > 0 || !gc_copies),
        "the workload separates values and garbage-collects blob files: {full:?}"
    );
    let total = clean.fault.file_ops();
    let mut k = 1;
    loop {
        for power_cut in [false, true] {
            let disk = Disk::new();
            disk.fault.fail_op(k);
            let outcome = run(&disk, steps);
            let ctx = format!(
                "op {k} of {total} failed{}",
                if power_cut { ", then power cut" } else { "" }
            );
            let failed = disk.fault.injected();
            match (&failed, outcome.errors.first()) {
                (None, None) => assert!(outcome.completed, "{ctx}"),
                (None, Some((_, e))) => panic!("{ctx}: an error with no fault: {e:?}"),
                (Some((FileOp::Remove, path)), err) => assert!(
                    err.is_none() && outcome.completed,
                    "{ctx}: a failed removal of {} must only leave garbage, got {err:?}",
                    path.display()
                ),
                (Some((FileOp::Reuse, path)), err) => assert!(
                    err.is_none() && outcome.completed,
                    "{ctx}: a failed reuse of a WAL file as {} must only create a new one, \
                     got {err:?}",
                    path.display()
                ),
                (Some((op, path)), None) => panic!(
                    "{ctx}: {op:?} of {} failed but no call reported it",
                    path.display()
                ),
                (Some(_), Some((_, e))) => {
                    assert!(
                        e.root()
                            .to_string()
                            .contains(&format!("injected failure of file operation {k}")),
                        "{ctx}: the error is the injected one: {e:?}"
                    );
                    assert!(!e.is_corruption(), "{ctx}: {e:?}");
                }
            }
            if !outcome.errors.is_empty() {
                assert_eq!(
                    outcome.refused_after_error,
                    Some(true),
                    "{ctx}: after the error the database refuses writes"
                );
            }
            disk.fault.clear();
            if power_cut {
                disk.mem.crash();
            }
            verify(&disk, &outcome, &ctx);
        }
        if k >= total {
            return k;
        }
        k += 1;
    }
}

#[test]
fn every_failed_io_of_a_small_workload() {
    let points = every_failed_io(&steps(12, 15), true);
    println!("failed each of {points} operations");
    assert!(points > 200);
}

#[test]
#[ignore = "long: run with --ignored"]
fn every_failed_io_long() {
    let points = every_failed_io(&steps(40, 40), false);
    println!("failed each of {points} operations");
}
