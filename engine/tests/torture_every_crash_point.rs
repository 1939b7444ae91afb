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
//! appends and syncs, GC output, blob deletions) is covered too; and new
//! WALs reuse the files of obsolete ones (format-spec/wal.md, "Reusing a
//! WAL file"), so the crash points of a reuse (the rename, appends over an
//! earlier use's records) are too.
//!
//! A second workload mixes unsynced writes into the synced ones and
//! switches memtables every few writes (their flushes run in the
//! background, so which operation is the k-th varies a little between
//! runs). Memtable switches do not sync the old WAL, so every crash point
//! is tried twice: a plain power cut, and one where the kernel is taken to
//! have written back the newest WAL (not the older ones) before it: an older WAL loses its unsynced tail
//! while a newer one holds records, which recovery must then ignore. The
//! database must come back as of one moment between the last durable write
//! and the last attempted one, and some recoveries (in one of up to three
//! walks: the background flushes decide which points have an older WAL)
//! must have ignored such
//! records.
//!
//! The default run is a small workload; `every_crash_point_long` (ignored)
//! runs a bigger one.

mod common;

use common::disk::Disk;
use common::workload::{
    options, run_with, small_memtable_options, steps, steps_with_unsynced, verify, Step,
};
use siltdb::Options;

/// Crash points walked, and how many recoveries ignored records of a newer
/// WAL after an older one lost its tail.
struct Walked {
    points: u64,
    ignored: u64,
}

/// Walks every crash point of `steps` run with `opts`; at each, cuts power
/// once per entry of `write_backs`, after writing back the newest WAL if
/// the entry is true. `gc_copies`: the workload's garbage collection must
/// copy blob values (true of the short workloads; the long one's clean run
/// copies none, and is walked for its crash points).
fn every_crash_point(
    steps: &[Step],
    opts: fn(&Disk) -> Options,
    write_backs: &[bool],
    gc_copies: bool,
) -> Walked {
    let clean = Disk::new();
    let full = run_with(&clean, steps, opts);
    assert!(
        full.completed,
        "the workload runs without faults: {:?}",
        full.errors
    );
    assert!(
        full.blob_bytes > 0 && (full.blob_gc_bytes > 0 || !gc_copies),
        "the workload separates values and garbage-collects blob files: {full:?}"
    );
    assert!(
        full.wals_recycled > 0,
        "the workload reuses obsolete WAL files: {full:?}"
    );
    let total = clean.fault.file_ops();
    let mut k = 1;
    let mut ignored = 0;
    loop {
        let mut reached = false;
        for &write_back in write_backs {
            let disk = Disk::new();
            disk.fault.fail_ops_from(k + 1);
            let outcome = run_with(&disk, steps, opts);
            reached |= disk.fault.file_ops() > k;
            for (_, e) in &outcome.errors {
                assert!(
                    matches!(e.root(), siltdb::Error::Io { .. }),
                    "crash after op {k}: only the stopped disk fails, got {e:?}"
                );
            }
            disk.fault.clear();
            let written_back = write_back && write_back_newest_wal(&disk);
            disk.mem.crash();
            let report = verify(
                &disk,
                &outcome,
                &format!(
                    "crash after file op {k} of {total}{}",
                    if written_back {
                        " (newest WAL written back)"
                    } else {
                        ""
                    }
                ),
            );
            if !report.ignored.is_empty() {
                ignored += 1;
            }
        }
        if !reached {
            // The workload ended before operation k + 1: every point is done.
            return Walked { points: k, ignored };
        }
        k += 1;
    }
}

/// Marks every byte of the newest WAL in the directory as written back by
/// the kernel (it survives the power cut unsynced); false if there is none.
fn write_back_newest_wal(disk: &Disk) -> bool {
    let Some(newest) = disk.named(".log").into_iter().max() else {
        return false;
    };
    disk.mem
        .write_back(&disk.path(&newest))
        .expect("write back");
    true
}

#[test]
fn every_crash_point_of_a_small_workload() {
    let walked = every_crash_point(&steps(12, 15), options, &[false], true);
    println!("crashed at {} points", walked.points);
    assert!(
        walked.points > 200,
        "the workload does flushes, compactions, rolls and reopens"
    );
}

/// Walks of the second workload at most, until one has a recovery that
/// ignored records of a newer WAL. Whether an older WAL still exists at a
/// crash point depends on how far its background flush got, so one walk in
/// a few (under a loaded CI machine: 496 points, none) has no such point;
/// every walk still checks every recovery it makes.
const WALKS_FOR_AN_IGNORED_TAIL: usize = 3;

#[test]
fn every_crash_point_with_unsynced_writes_and_written_back_wals() {
    let mut ignored = 0;
    for walk in 1..=WALKS_FOR_AN_IGNORED_TAIL {
        let walked = every_crash_point(
            &steps_with_unsynced(6, 15),
            small_memtable_options,
            &[false, true],
            true,
        );
        println!(
            "walk {walk}: crashed at {} points; {} recoveries ignored records of a newer WAL",
            walked.points, walked.ignored
        );
        assert!(walked.points > 200);
        ignored = walked.ignored;
        if ignored > 0 {
            break;
        }
    }
    assert!(
        ignored > 0,
        "in {WALKS_FOR_AN_IGNORED_TAIL} walks, no crash left an older WAL without its tail and a newer one with records"
    );
}

#[test]
#[ignore = "long: run with --ignored"]
fn every_crash_point_long() {
    let walked = every_crash_point(&steps(40, 40), options, &[false], false);
    println!("crashed at {} points", walked.points);
    let walked = every_crash_point(
        &steps_with_unsynced(40, 40),
        small_memtable_options,
        &[false, true],
        false,
    );
    println!(
        "crashed at {} points; {} recoveries ignored records",
        walked.points, walked.ignored
    );
}
