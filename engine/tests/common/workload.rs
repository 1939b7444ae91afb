//! The fixed workload of the exhaustive crash and failure tests: synced
//! puts and deletes, flushes, compactions, MANIFEST rolls (a tiny
//! `max_manifest_size`) and reopens, all from one thread so the k-th file
//! operation is (nearly) the same in every run. About half the values are
//! separated into blob files, which the workload's compactions
//! garbage-collect (a blob file under 90% live is rewritten; one all garbage
//! is deleted). It tracks every write in order and which are durable, so a
//! verifier can demand the database as of one moment between the last
//! durable write and the last attempted one (point-in-time recovery).
//!
//! A variant ([`steps_with_unsynced`], [`small_memtable_options`]) mixes in
//! unsynced puts and memtable switches by size, so a crash can leave an
//! older WAL without its unsynced tail while a newer one holds records.

use std::collections::BTreeMap;
use std::path::Path;

use super::disk::{scan, Disk, DIR};
use siltdb::low_level::inspect::check_dir;
use siltdb::low_level::sstable::TableOptions;
use siltdb::low_level::vlog::BlobOptions;
use siltdb::CompactionOptions;
use siltdb::{Db, Error, Options, RecoveryReport, WriteBatch, WriteOptions};

/// The keys and values of a database.
pub type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// One step of the workload.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// Synced put of key `k` with a value tagged by the step's index.
    Put(u32),
    /// Synced delete of key `k`.
    Delete(u32),
    /// Unsynced put of key `k` (`WriteOptions { sync: false }`).
    PutUnsynced(u32),
    /// `Db::flush`.
    Flush,
    /// `Db::compact_range(None, None)`.
    Compact,
    /// Close and open again.
    Reopen,
}

/// The workload: `rounds` rounds of writes, each ending in a flush, a
/// compaction every other round and a reopen every third.
pub fn steps(rounds: u32, writes_per_round: u32) -> Vec<Step> {
    let mut out = Vec::new();
    for r in 0..rounds {
        for i in 0..writes_per_round {
            let k = (r * 7 + i * 3) % (writes_per_round * 2);
            out.push(if (r + i) % 5 == 4 {
                Step::Delete(k)
            } else {
                Step::Put(k)
            });
        }
        out.push(Step::Flush);
        if r % 2 == 1 {
            out.push(Step::Compact);
        }
        if r % 3 == 2 {
            out.push(Step::Reopen);
        }
    }
    // A tail left in the WAL.
    for i in 0..3 {
        out.push(Step::Put(1000 + i));
    }
    out
}

/// [`steps`] with two writes in three unsynced puts, for
/// [`small_memtable_options`].
pub fn steps_with_unsynced(rounds: u32, writes_per_round: u32) -> Vec<Step> {
    steps(rounds, writes_per_round)
        .into_iter()
        .enumerate()
        .map(|(i, s)| match s {
            Step::Put(k) | Step::Delete(k) if i % 3 != 0 => Step::PutUnsynced(k),
            other => other,
        })
        .collect()
}

/// [`options`] with a memtable of 1 KiB, so memtables switch (and flush in
/// the background) every few writes.
pub fn small_memtable_options(disk: &Disk) -> Options {
    Options {
        write_buffer_size: 1 << 10,
        ..options(disk)
    }
}

/// Options for the workload on `disk`: synced writes, no automatic
/// compaction (the workload compacts), small tables, a MANIFEST that rolls
/// every few edits, values of [`MIN_BLOB_SIZE`] bytes or more in small blob
/// files, and eager blob garbage collection.
pub fn options(disk: &Disk) -> Options {
    Options {
        sync: true,
        max_manifest_size: 256,
        compaction: CompactionOptions {
            l0_compaction_trigger: 1000,
            l0_slowdown_trigger: 2000,
            l0_stop_trigger: 3000,
            target_file_size: 2 << 10,
            ..CompactionOptions::default()
        },
        table: TableOptions {
            block_size: 256,
            ..TableOptions::default()
        },
        blob: BlobOptions {
            min_blob_size: MIN_BLOB_SIZE,
            file_size: 4 << 10,
            gc_live_fraction: 0.9,
            // Collected by the workload's compactions only: no file
            // operation from a background thread.
            background_gc: false,
        },
        ..disk.options()
    }
}

/// Values at least this long are separated: [`value`] makes about half of
/// them so.
pub const MIN_BLOB_SIZE: usize = 128;

fn key(k: u32) -> Vec<u8> {
    format!("k{k:05}").into_bytes()
}

fn value(k: u32, step: usize) -> Vec<u8> {
    format!("v{k}-step{step}-{}", "x".repeat((k % 13) as usize * 20)).into_bytes()
}

/// What a run of the workload did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every write attempted, in order: key and value (`None`: delete). The
    /// last may have returned an error: it may or may not be durable.
    pub history: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// How many writes of `history` are durable: those up to the last
    /// acknowledged synced write, flush, compaction or close.
    pub durable: usize,
    /// The errors returned, with the step that returned each.
    pub errors: Vec<(usize, Error)>,
    /// True if every step ran and the database closed cleanly.
    pub completed: bool,
    /// After the first error: whether a write to the same handle was then
    /// refused (a poisoned or closed database). If it was accepted, it is
    /// in `acked`.
    pub refused_after_error: Option<bool>,
    /// Bytes written to blob files by writes, over every open of the run.
    pub blob_bytes: u64,
    /// Bytes blob garbage collection copied to new blob files.
    pub blob_gc_bytes: u64,
    /// New WALs that reused an obsolete WAL's file, over every open.
    pub wals_recycled: u64,
}

impl Outcome {
    fn note_stats(&mut self, db: &Db) {
        let s = db.stats();
        self.blob_bytes += s.blob_bytes;
        self.blob_gc_bytes += s.blob_gc_bytes_written;
        self.wals_recycled += s.wals_recycled;
    }

    /// The states the database may be in after a crash: as of one moment
    /// between the last durable write and the last attempted one.
    pub fn allowed(&self) -> Vec<Model> {
        let mut m = Model::new();
        let mut out = Vec::new();
        for (i, (k, v)) in self.history.iter().enumerate() {
            if i >= self.durable {
                out.push(m.clone());
            }
            match v {
                Some(v) => m.insert(k.clone(), v.clone()),
                None => m.remove(k),
            };
        }
        out.push(m);
        out
    }

    /// The durable state: every write up to [`Outcome::durable`].
    pub fn acked(&self) -> Model {
        let mut m = Model::new();
        for (k, v) in &self.history[..self.durable] {
            match v {
                Some(v) => m.insert(k.clone(), v.clone()),
                None => m.remove(k),
            };
        }
        m
    }
}

/// Runs `steps` on `disk` with [`options`] until the first error (after
/// which, in these tests, the disk has stopped or the database is
/// poisoned).
pub fn run(disk: &Disk, steps: &[Step]) -> Outcome {
    run_with(disk, steps, options)
}

/// [`run`] with the options `opts` gives.
pub fn run_with(disk: &Disk, steps: &[Step], opts: fn(&Disk) -> Options) -> Outcome {
    let mut out = Outcome::default();
    let mut db = match Db::open(DIR, opts(disk)) {
        Ok(db) => db,
        Err(e) => {
            out.errors.push((0, e));
            // No handle: nothing can be written.
            out.refused_after_error = Some(true);
            return out;
        }
    };
    for (i, step) in steps.iter().enumerate() {
        let r = match *step {
            Step::Put(k) => {
                let v = value(k, i);
                out.history.push((key(k), Some(v.clone())));
                db.put(&key(k), &v)
            }
            Step::PutUnsynced(k) => {
                let v = value(k, i);
                out.history.push((key(k), Some(v.clone())));
                let mut b = WriteBatch::new();
                b.put(&key(k), &v);
                db.write_opt(b, WriteOptions { sync: false })
            }
            Step::Delete(k) => {
                out.history.push((key(k), None));
                db.delete(&key(k))
            }
            Step::Flush => db.flush(),
            Step::Compact => db.compact_range(None, None),
            Step::Reopen => db.close().and_then(|()| {
                out.note_stats(&db);
                drop(std::mem::replace(&mut db, Db::open(DIR, opts(disk))?));
                Ok(())
            }),
        };
        if r.is_ok() && !matches!(step, Step::PutUnsynced(_)) {
            out.durable = out.history.len();
        }
        if let Err(e) = r {
            out.errors.push((i, e));
            let probe = db.put(b"zz-probe", b"after the error");
            if probe.is_ok() {
                out.history
                    .push((b"zz-probe".to_vec(), Some(b"after the error".to_vec())));
                out.durable = out.history.len();
            }
            out.refused_after_error = Some(probe.is_err());
            return out;
        }
    }
    match db.close() {
        Ok(()) => {
            out.note_stats(&db);
            out.durable = out.history.len();
            out.completed = true;
        }
        Err(e) => {
            out.errors.push((steps.len(), e));
            out.refused_after_error = Some(db.put(b"zz-probe", b"x").is_err());
        }
    }
    out
}

/// Checks the directory on `disk` as recovery will find it: `check` is
/// clean (or there is no database yet, and nothing was acknowledged), the
/// database opens, holds one of `outcome`'s allowed states, takes a write,
/// and closes leaving a clean directory with no garbage. Returns what the
/// open reported.
pub fn verify(disk: &Disk, outcome: &Outcome, ctx: &str) -> RecoveryReport {
    let has_current = disk.names().contains("CURRENT");
    if has_current {
        let report = check_dir(&disk.mem, Path::new(DIR)).expect("check");
        assert!(report.is_clean(), "{ctx}: check before reopen:\n{report}");
    } else {
        assert!(
            outcome.acked().is_empty(),
            "{ctx}: no CURRENT, but writes were acknowledged"
        );
    }
    let db = Db::open(DIR, options(disk))
        .unwrap_or_else(|e| panic!("{ctx}: reopen failed: {e}\nfiles {:?}", disk.names()));
    let got = scan(&db);
    let allowed = outcome.allowed();
    let acked = outcome.acked();
    assert!(
        allowed.contains(&got),
        "{ctx}: recovered {} keys; durable {}; not durable {:?}; missing {:?}; extra {:?}\n{}",
        got.len(),
        acked.len(),
        outcome.history[outcome.durable..]
            .iter()
            .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
            .collect::<Vec<_>>(),
        acked
            .iter()
            .filter(|(k, v)| got.get(*k) != Some(*v))
            .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
            .collect::<Vec<_>>(),
        got.keys()
            .filter(|k| !acked.contains_key(*k))
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect::<Vec<_>>(),
        db.recovery_report(),
    );
    let recovered = db.recovery_report().clone();
    db.put(b"zz-after-recovery", b"1")
        .unwrap_or_else(|e| panic!("{ctx}: write after recovery: {e}"));
    db.close()
        .unwrap_or_else(|e| panic!("{ctx}: close after recovery: {e}"));
    drop(db);
    let report = check_dir(&disk.mem, Path::new(DIR)).expect("check");
    assert!(report.is_clean(), "{ctx}: check after reopen:\n{report}");
    assert_eq!(
        report.orphans().count(),
        0,
        "{ctx}: open left garbage:\n{report}"
    );
    recovered
}
