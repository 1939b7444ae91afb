//! Every crash point (LevelDB's fault_injection_test, for every k): a fixed
//! workload with flushes, compactions, MANIFEST rolls and reopens runs on
//! the in-memory disk; the disk stops after its k-th file operation (write,
//! sync, directory sync, rename, create, delete) and loses power. For every
//! k up to the end of the workload: the directory checks clean, the
//! database opens, holds every acknowledged (synced) write and nothing else
//! but perhaps the one in flight, accepts a write, and leaves no garbage.
//!
//! About half the values are separated into blob files, and compactions
//! garbage-collect them, so every crash point of the value log (blob
//! appends and syncs, GC output, blob deletions) is covered too.
//!
//! The default run is a small workload; `every_crash_point_long` (ignored)
//! runs a bigger one.

mod common;

use common::disk::Disk;
use common::workload::{run, steps, verify, Step};

fn every_crash_point(steps: &[Step]) -> u64 {
    let clean = Disk::new();
    let full = run(&clean, steps);
    assert!(
        full.completed,
        "the workload runs without faults: {:?}",
        full.errors
    );
    assert!(
        full.blob_bytes > 0 && full.blob_gc_bytes > 0,
        "the workload separates values and garbage-collects blob files: {full:?}"
    );
    let total = clean.fault.file_ops();
    let mut k = 1;
    loop {
        let disk = Disk::new();
        disk.fault.fail_ops_from(k + 1);
        let outcome = run(&disk, steps);
        let reached = disk.fault.file_ops() > k;
        for (_, e) in &outcome.errors {
            assert!(
                matches!(e.root(), siltdb::Error::Io { .. }),
                "crash after op {k}: only the stopped disk fails, got {e:?}"
            );
        }
        disk.fault.clear();
        disk.mem.crash();
        verify(
            &disk,
            &outcome,
            &format!("crash after file op {k} of {total}"),
        );
        if !reached {
            // The workload ended before operation k + 1: every point is done.
            return k;
        }
        k += 1;
    }
}

#[test]
fn every_crash_point_of_a_small_workload() {
    let points = every_crash_point(&steps(12, 15));
    println!("crashed at {points} points");
    assert!(
        points > 200,
        "the workload does flushes, compactions, rolls and reopens"
    );
}

#[test]
#[ignore = "long: run with --ignored"]
fn every_crash_point_long() {
    let points = every_crash_point(&steps(40, 40));
    println!("crashed at {points} points");
}
