//! Random operation histories against a `BTreeMap` model: puts, deletes,
//! batches, snapshots, point reads, iteration both ways, flush, compaction,
//! clean reopen and simulated power cuts, on the in-memory file system with
//! buffers small enough that flushes and compactions happen inside a case.
//! Most cases separate values above a random threshold into small blob
//! files, so separated values, blob file switches and blob garbage
//! collection run through the same histories; at every clean close
//! `inspect::check_dir` must find the directory clean (blob garbage
//! accounting included).
//!
//! Crash rule: after a crash the database must equal the model state after
//! some prefix of the writes that is at least as long as the last durable
//! point (a synced write, `sync_wal`, `flush`, `compact_range` or a clean
//! close). The test then continues from the state the database recovered.
//!
//! `PROPTEST_CASES` overrides the number of cases (default 256).

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestRunner};
use siltdb::fs::{FaultFs, MemFs};
use siltdb::low_level::inspect::check_dir;
use siltdb::low_level::sstable::TableOptions;
use siltdb::low_level::vlog::BlobOptions;
use siltdb::CompactionOptions;
use siltdb::{Db, DbIterator, Options, Snapshot, WriteBatch, WriteOptions};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// Bytes that print briefly (keys and values are ASCII here), so a failing
/// case's ops and diffs stay readable.
#[derive(Clone, PartialEq, Eq)]
struct B(Vec<u8>);

impl std::fmt::Debug for B {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = String::from_utf8_lossy(&self.0);
        if s.len() <= 16 {
            write!(f, "{s:?}")
        } else {
            write!(f, "{:?}..(len {})", &s[..12], s.len())
        }
    }
}

type Entries = Vec<(B, B)>;

const DIR: &str = "/db";

/// What the cases exercised, summed over all cases, so the test can check it
/// is not vacuous (buffers too big to flush, no crash, ...).
struct Tally {
    ops: AtomicU64,
    flushes: AtomicU64,
    compactions: AtomicU64,
    trivial_moves: AtomicU64,
    deep_cases: AtomicU64,
    deep_dynamic_cases: AtomicU64,
    reopens: AtomicU64,
    crashes: AtomicU64,
    lost_writes: AtomicU64,
    blob_bytes: AtomicU64,
    blob_gc_bytes: AtomicU64,
}

static TALLY: Tally = Tally {
    ops: AtomicU64::new(0),
    flushes: AtomicU64::new(0),
    compactions: AtomicU64::new(0),
    trivial_moves: AtomicU64::new(0),
    deep_cases: AtomicU64::new(0),
    deep_dynamic_cases: AtomicU64::new(0),
    reopens: AtomicU64::new(0),
    crashes: AtomicU64::new(0),
    lost_writes: AtomicU64::new(0),
    blob_bytes: AtomicU64::new(0),
    blob_gc_bytes: AtomicU64::new(0),
};

fn tally(c: &AtomicU64, n: u64) {
    c.fetch_add(n, Ordering::Relaxed);
}

#[derive(Debug, Clone, Copy)]
enum Move {
    Next,
    Prev,
}

#[derive(Debug, Clone)]
enum Op {
    Put {
        key: B,
        value: B,
        sync: bool,
    },
    Delete {
        key: B,
        sync: bool,
    },
    Batch {
        ops: Vec<(B, Option<B>)>,
        sync: bool,
    },
    TakeSnapshot,
    /// Drops the snapshot at this index (modulo the number held).
    DropSnapshot(usize),
    /// Checks the snapshot at this index against the state it captured.
    CheckSnapshot(usize),
    /// Opens an iterator on the current state and keeps it for later.
    OpenIterator,
    /// Walks the held iterator at this index over its whole range.
    CheckIterator(usize),
    Get(B),
    ScanForward,
    ScanBackward,
    /// `seek` (forward) or `seek_for_prev`, then a walk; on the snapshot at
    /// `snapshot` (modulo the number held) when given and one exists.
    SeekWalk {
        target: B,
        forward: bool,
        moves: Vec<Move>,
        snapshot: Option<usize>,
    },
    /// Puts `count` consecutive wide keys with large values in one unsynced
    /// batch, so tables grow past level 1 within a case.
    Fill {
        start: u32,
        count: u32,
        len: usize,
    },
    SyncWal,
    Flush,
    Compact,
    Reopen,
    Crash,
}

/// Short keys that sort interestingly ("k1" < "k10" < "k2") and collide often.
fn key_strategy() -> impl Strategy<Value = B> {
    prop_oneof![
        8 => 0u32..24,
        2 => 0u32..300,
    ]
    .prop_map(|n| B(format!("k{n}").into_bytes()))
}

/// Values from empty to ~1 KiB, each tagged so different writes differ.
fn value_strategy() -> impl Strategy<Value = B> {
    (
        any::<u16>(),
        prop_oneof![3 => 0usize..32, 2 => 32usize..400, 1 => 400usize..1200],
    )
        .prop_map(|(tag, len)| {
            let mut v = format!("v{tag}:").into_bytes();
            let fill = b'a' + (tag % 26) as u8;
            v.resize(v.len().max(len), fill);
            B(v)
        })
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let batch_op = (
        key_strategy(),
        prop::option::weighted(0.75, value_strategy()),
    );
    let moves = prop::collection::vec(prop_oneof![Just(Move::Next), Just(Move::Prev)], 0..12);
    let target = (key_strategy(), prop::option::of(Just(b"~".to_vec()))).prop_map(|(mut k, s)| {
        if let Some(s) = s {
            k.0.extend_from_slice(&s);
        }
        k
    });
    prop_oneof![
        30 => (key_strategy(), value_strategy(), prop::bool::weighted(0.2))
            .prop_map(|(key, value, sync)| Op::Put { key, value, sync }),
        8 => (key_strategy(), prop::bool::weighted(0.2))
            .prop_map(|(key, sync)| Op::Delete { key, sync }),
        10 => (prop::collection::vec(batch_op, 1..=5), prop::bool::weighted(0.3))
            .prop_map(|(ops, sync)| Op::Batch { ops, sync }),
        3 => Just(Op::TakeSnapshot),
        2 => any::<usize>().prop_map(Op::DropSnapshot),
        3 => any::<usize>().prop_map(Op::CheckSnapshot),
        2 => Just(Op::OpenIterator),
        2 => any::<usize>().prop_map(Op::CheckIterator),
        8 => key_strategy().prop_map(Op::Get),
        2 => Just(Op::ScanForward),
        2 => Just(Op::ScanBackward),
        6 => (target, any::<bool>(), moves, prop::option::of(any::<usize>()))
            .prop_map(|(target, forward, moves, snapshot)| Op::SeekWalk {
                target,
                forward,
                moves,
                snapshot,
            }),
        2 => (0u32..4000, 8u32..64, 200usize..1500)
            .prop_map(|(start, count, len)| Op::Fill { start, count, len }),
        2 => Just(Op::SyncWal),
        2 => Just(Op::Flush),
        2 => Just(Op::Compact),
        1 => Just(Op::Reopen),
        2 => Just(Op::Crash),
    ]
}

/// Per-case tuning: buffer size, the database's default durability, and
/// static or dynamic level sizing (dynamic compacts L0 straight into the
/// last level of a small tree and moves the base level up as it grows), and
/// value separation (threshold, blob file size, GC threshold).
#[derive(Debug, Clone)]
struct Config {
    write_buffer_size: usize,
    default_sync: bool,
    dynamic_levels: bool,
    min_blob_size: usize,
    blob_file_size: u64,
    gc_live_fraction: f64,
}

fn config_strategy() -> impl Strategy<Value = Config> {
    (
        4usize..=16,
        any::<bool>(),
        any::<bool>(),
        prop_oneof![1 => Just(usize::MAX), 2 => 200usize..=600, 1 => 0usize..=64],
        4u64..=32,
        prop_oneof![Just(0.5), Just(0.9)],
    )
        .prop_map(
            |(kib, default_sync, dynamic_levels, min_blob_size, blob_kib, gc_live_fraction)| {
                Config {
                    write_buffer_size: kib << 10,
                    default_sync,
                    dynamic_levels,
                    min_blob_size,
                    blob_file_size: blob_kib << 10,
                    gc_live_fraction,
                }
            },
        )
}

fn options(fs: &FaultFs, cfg: &Config) -> Options {
    Options {
        fs: Arc::new(fs.clone()),
        sync: cfg.default_sync,
        write_buffer_size: cfg.write_buffer_size,
        table: TableOptions {
            block_size: 512,
            write_chunk: 4096,
            bytes_per_sync: 8192,
            ..TableOptions::default()
        },
        compaction: CompactionOptions {
            base_level_bytes: 64 << 10,
            target_file_size: 16 << 10,
            l0_compaction_trigger: 2,
            dynamic_level_bytes: cfg.dynamic_levels,
            ..CompactionOptions::default()
        },
        block_cache_bytes: 32 << 10,
        background_write_rate: 0,
        blob: BlobOptions {
            min_blob_size: cfg.min_blob_size,
            file_size: cfg.blob_file_size,
            gc_live_fraction: cfg.gc_live_fraction,
            ..BlobOptions::default()
        },
        ..Options::default()
    }
}

/// After a clean close: every file of the directory is intact, and the
/// MANIFEST's blob garbage accounting matches the tables' pointers.
fn check_closed_dir(mem: &MemFs, what: &str) -> Result<(), TestCaseError> {
    let report = check_dir(mem, std::path::Path::new(DIR)).expect("check_dir");
    prop_assert!(report.is_clean(), "{}: check_dir:\n{}", what, report);
    Ok(())
}

/// Every entry of `it`, first to last.
fn scan_forward(it: &mut DbIterator) -> Entries {
    let mut out = Vec::new();
    it.seek_to_first().expect("seek_to_first");
    while it.valid() {
        out.push((B(it.key().to_vec()), B(it.value().to_vec())));
        it.next().expect("next");
    }
    out
}

/// Every entry of `it`, last to first.
fn scan_backward(it: &mut DbIterator) -> Entries {
    let mut out = Vec::new();
    it.seek_to_last().expect("seek_to_last");
    while it.valid() {
        out.push((B(it.key().to_vec()), B(it.value().to_vec())));
        it.prev().expect("prev");
    }
    out
}

fn model_entries(m: &Model) -> Entries {
    m.iter()
        .map(|(k, v)| (B(k.clone()), B(v.clone())))
        .collect()
}

fn show(k: &[u8]) -> String {
    String::from_utf8_lossy(k).into_owned()
}

/// Seeks, then applies `moves`, comparing the position with the model after
/// every step. An invalid iterator stays invalid (next/prev are no-ops).
fn check_walk(
    it: &mut DbIterator,
    model: &Model,
    target: &[u8],
    forward: bool,
    moves: &[Move],
    what: &str,
) -> Result<(), TestCaseError> {
    let mut cursor: Option<&Vec<u8>> = if forward {
        it.seek(target).expect("seek");
        model.range(target.to_vec()..).next().map(|(k, _)| k)
    } else {
        it.seek_for_prev(target).expect("seek_for_prev");
        model.range(..=target.to_vec()).next_back().map(|(k, _)| k)
    };
    let check = |it: &DbIterator, cursor: Option<&Vec<u8>>, step: &str| {
        match cursor {
            None => prop_assert!(
                !it.valid(),
                "{what}: after {step} expected an invalid iterator, at {:?}",
                show(it.key())
            ),
            Some(k) => {
                prop_assert!(
                    it.valid(),
                    "{what}: after {step} expected key {:?}",
                    show(k)
                );
                prop_assert_eq!(it.key(), k.as_slice(), "{}: key after {}", what, step);
                prop_assert_eq!(
                    it.value(),
                    model[k].as_slice(),
                    "{}: value after {}",
                    what,
                    step
                );
            }
        }
        Ok(())
    };
    let seek_name = if forward { "seek" } else { "seek_for_prev" };
    check(it, cursor, &format!("{seek_name}({:?})", show(target)))?;
    for (i, m) in moves.iter().enumerate() {
        match m {
            Move::Next => {
                it.next().expect("next");
                cursor = cursor.and_then(|k| {
                    model
                        .range::<Vec<u8>, _>((Bound::Excluded(k), Bound::Unbounded))
                        .next()
                        .map(|(k, _)| k)
                });
            }
            Move::Prev => {
                it.prev().expect("prev");
                cursor =
                    cursor.and_then(|k| model.range::<Vec<u8>, _>(..k).next_back().map(|(k, _)| k));
            }
        }
        check(
            it,
            cursor,
            &format!("{seek_name}({:?}) then move {i} {m:?}", show(target)),
        )?;
    }
    Ok(())
}

/// Compares the whole visible contents of `db` with `model`.
fn check_db_equals(db: &Db, model: &Model, what: &str) -> Result<(), TestCaseError> {
    let mut it = db.iter().expect("iter");
    let got = scan_forward(&mut it);
    prop_assert_eq!(got, model_entries(model), "{}: full scan", what);
    Ok(())
}

/// The whole visible contents of `db`.
fn db_contents(db: &Db) -> Model {
    let mut it = db.iter().expect("iter");
    scan_forward(&mut it)
        .into_iter()
        .map(|(k, v)| (k.0, v.0))
        .collect()
}

struct Harness {
    mem: MemFs,
    fault: FaultFs,
    cfg: Config,
    db: Option<Db>,
    /// The current contents.
    model: Model,
    /// The contents at the last durable point.
    durable: Model,
    /// The contents after each write since the last durable point, in order.
    since_durable: Vec<Model>,
    snapshots: Vec<(Snapshot, Model)>,
    iterators: Vec<(DbIterator, Model)>,
    /// `latest_sequence` before the last clean close.
    last_seq: u64,
    /// Data spread over more than one level: some table reached level 2
    /// or deeper (static sizing), or two levels below L0 held tables at
    /// once (dynamic sizing, whose first level below L0 is the last).
    reached_deep: bool,
}

impl Harness {
    fn new(cfg: Config) -> Harness {
        let mem = MemFs::new();
        let fault = FaultFs::new(Arc::new(mem.clone()));
        let db = Db::open(DIR, options(&fault, &cfg)).expect("open a new db");
        Harness {
            mem,
            fault,
            cfg,
            db: Some(db),
            model: Model::new(),
            durable: Model::new(),
            since_durable: Vec::new(),
            snapshots: Vec::new(),
            iterators: Vec::new(),
            last_seq: 0,
            reached_deep: false,
        }
    }

    /// Adds the open database's counters to the tally (counters restart at
    /// every open).
    fn harvest(&mut self) {
        let st = self.db().stats();
        tally(&TALLY.flushes, st.flushes);
        tally(&TALLY.compactions, st.compactions);
        tally(&TALLY.blob_bytes, st.blob_bytes);
        tally(&TALLY.blob_gc_bytes, st.blob_gc_bytes_written);
        tally(&TALLY.trivial_moves, st.trivial_moves);
        let deep = if self.cfg.dynamic_levels {
            st.levels.iter().skip(1).filter(|l| l.files > 0).count() >= 2
        } else {
            st.levels.iter().skip(2).any(|l| l.files > 0)
        };
        if deep {
            self.reached_deep = true;
        }
    }

    fn db(&self) -> &Db {
        self.db.as_ref().expect("db is open")
    }

    fn mark_durable(&mut self) {
        self.durable = self.model.clone();
        self.since_durable.clear();
    }

    /// Writes `batch` (already applied to the model) through `write` when
    /// `sync` is the default durability, else through `write_opt`.
    fn write(&mut self, batch: WriteBatch, sync: bool) {
        let db = self.db();
        if sync == self.cfg.default_sync {
            db.write(batch).expect("write");
        } else {
            db.write_opt(batch, WriteOptions { sync })
                .expect("write_opt");
        }
        self.wrote(sync);
    }

    /// Records a successful write already applied to the model.
    fn wrote(&mut self, sync: bool) {
        if sync {
            self.mark_durable();
        } else {
            self.since_durable.push(self.model.clone());
        }
    }

    fn reopen(&mut self) {
        self.db = Some(Db::open(DIR, options(&self.fault, &self.cfg)).expect("reopen"));
    }

    fn apply(&mut self, op: &Op, step: usize) -> Result<(), TestCaseError> {
        let what = format!("step {step} ({op:?})");
        match op {
            Op::Put { key, value, sync } => {
                self.model.insert(key.0.clone(), value.0.clone());
                if *sync == self.cfg.default_sync {
                    self.db().put(&key.0, &value.0).expect("put");
                    self.wrote(*sync);
                } else {
                    let mut b = WriteBatch::new();
                    b.put(&key.0, &value.0);
                    self.write(b, *sync);
                }
            }
            Op::Delete { key, sync } => {
                self.model.remove(&key.0);
                if *sync == self.cfg.default_sync {
                    self.db().delete(&key.0).expect("delete");
                    self.wrote(*sync);
                } else {
                    let mut b = WriteBatch::new();
                    b.delete(&key.0);
                    self.write(b, *sync);
                }
            }
            Op::Batch { ops, sync } => {
                let mut b = WriteBatch::new();
                for (k, v) in ops {
                    match v {
                        Some(v) => {
                            b.put(&k.0, &v.0);
                            self.model.insert(k.0.clone(), v.0.clone());
                        }
                        None => {
                            b.delete(&k.0);
                            self.model.remove(&k.0);
                        }
                    }
                }
                self.write(b, *sync);
            }
            Op::Fill { start, count, len } => {
                let mut b = WriteBatch::new();
                for n in *start..start + count {
                    let k = format!("w{n:05}").into_bytes();
                    let mut v = format!("fill{step}:").into_bytes();
                    v.resize(*len, b'f');
                    b.put(&k, &v);
                    self.model.insert(k, v);
                }
                self.write(b, false);
            }
            Op::TakeSnapshot => {
                let s = self.db().snapshot();
                prop_assert_eq!(
                    s.sequence(),
                    self.db().latest_sequence(),
                    "{}: snapshot sequence",
                    what
                );
                self.snapshots.push((s, self.model.clone()));
            }
            Op::DropSnapshot(i) => {
                if !self.snapshots.is_empty() {
                    let i = i % self.snapshots.len();
                    self.snapshots.remove(i);
                }
            }
            Op::CheckSnapshot(i) => {
                if !self.snapshots.is_empty() {
                    let (s, m) = &self.snapshots[i % self.snapshots.len()];
                    for k in m.keys().take(8) {
                        prop_assert_eq!(
                            s.get(k).expect("snapshot get"),
                            Some(m[k].clone()),
                            "{}: snapshot get {:?}",
                            what,
                            show(k)
                        );
                    }
                    for k in self.model.keys().filter(|k| !m.contains_key(*k)).take(8) {
                        prop_assert_eq!(
                            s.get(k).expect("snapshot get"),
                            None,
                            "{}: snapshot get of {:?}, written after it",
                            what,
                            show(k)
                        );
                    }
                    let mut it = s.iter().expect("snapshot iter");
                    prop_assert_eq!(
                        scan_forward(&mut it),
                        model_entries(m),
                        "{}: snapshot scan",
                        what
                    );
                    let mut rev = model_entries(m);
                    rev.reverse();
                    prop_assert_eq!(
                        scan_backward(&mut it),
                        rev,
                        "{}: snapshot reverse scan",
                        what
                    );
                }
            }
            Op::OpenIterator => {
                let it = self.db().iter().expect("iter");
                self.iterators.push((it, self.model.clone()));
                if self.iterators.len() > 4 {
                    self.iterators.remove(0);
                }
            }
            Op::CheckIterator(i) => {
                if !self.iterators.is_empty() {
                    let n = self.iterators.len();
                    let (it, m) = &mut self.iterators[i % n];
                    prop_assert_eq!(
                        scan_forward(it),
                        model_entries(m),
                        "{}: held iterator scan",
                        what
                    );
                    let mut rev = model_entries(m);
                    rev.reverse();
                    prop_assert_eq!(
                        scan_backward(it),
                        rev,
                        "{}: held iterator reverse scan",
                        what
                    );
                }
            }
            Op::Get(B(k)) => {
                prop_assert_eq!(
                    self.db().get(k).expect("get").map(B),
                    self.model.get(k).cloned().map(B),
                    "{}: get {:?}",
                    what,
                    show(k)
                );
            }
            Op::ScanForward => {
                let mut it = self.db().iter().expect("iter");
                prop_assert_eq!(
                    scan_forward(&mut it),
                    model_entries(&self.model),
                    "{}",
                    what
                );
            }
            Op::ScanBackward => {
                let mut it = self.db().iter().expect("iter");
                let mut want = model_entries(&self.model);
                want.reverse();
                prop_assert_eq!(scan_backward(&mut it), want, "{}", what);
            }
            Op::SeekWalk {
                target: B(target),
                forward,
                moves,
                snapshot,
            } => match snapshot {
                Some(i) if !self.snapshots.is_empty() => {
                    let (s, m) = &self.snapshots[i % self.snapshots.len()];
                    let mut it = s.iter().expect("snapshot iter");
                    check_walk(&mut it, m, target, *forward, moves, &what)?;
                }
                _ => {
                    let mut it = self.db().iter().expect("iter");
                    check_walk(&mut it, &self.model, target, *forward, moves, &what)?;
                }
            },
            Op::SyncWal => {
                self.db().sync_wal().expect("sync_wal");
                self.mark_durable();
            }
            Op::Flush => {
                self.db().flush().expect("flush");
                self.mark_durable();
                check_db_equals(self.db(), &self.model, &what)?;
            }
            Op::Compact => {
                self.db().compact_range(None, None).expect("compact_range");
                self.mark_durable();
                check_db_equals(self.db(), &self.model, &what)?;
            }
            Op::Reopen => {
                self.snapshots.clear();
                self.iterators.clear();
                self.harvest();
                tally(&TALLY.reopens, 1);
                let db = self.db.take().expect("db is open");
                let seq = db.latest_sequence();
                db.close().expect("close");
                drop(db);
                check_closed_dir(&self.mem, &what)?;
                self.reopen();
                self.mark_durable();
                prop_assert!(
                    self.db().latest_sequence() >= seq,
                    "{}: latest_sequence went from {} to {} across a clean reopen",
                    what,
                    seq,
                    self.db().latest_sequence()
                );
                prop_assert!(seq >= self.last_seq, "{}: sequence went backwards", what);
                self.last_seq = seq;
                check_db_equals(self.db(), &self.model, &what)?;
            }
            Op::Crash => {
                // Freeze the disk first so the dying database cannot change
                // anything, then cut the power.
                self.harvest();
                tally(&TALLY.crashes, 1);
                self.fault.fail_write_after(0);
                self.fault.fail_sync_after(0);
                self.snapshots.clear();
                self.iterators.clear();
                drop(self.db.take());
                self.mem.crash();
                self.fault.clear();
                self.reopen();
                let got = db_contents(self.db());
                let mut allowed = std::iter::once(&self.durable).chain(self.since_durable.iter());
                let Some(recovered) = allowed.rfind(|m| **m == got).cloned() else {
                    return Err(TestCaseError::fail(format!(
                        "{what}: recovered contents match no allowed prefix of the history \
                         ({} unsynced writes since the last durable point)\n got: {:?}\n durable: {:?}\n latest: {:?}",
                        self.since_durable.len(),
                        got.keys().map(|k| show(k)).collect::<Vec<_>>(),
                        self.durable.keys().map(|k| show(k)).collect::<Vec<_>>(),
                        self.model.keys().map(|k| show(k)).collect::<Vec<_>>(),
                    )));
                };
                for k in recovered.keys().take(16) {
                    prop_assert_eq!(
                        self.db().get(k).expect("get"),
                        Some(recovered[k].clone()),
                        "{}: get {:?} after crash",
                        what,
                        show(k)
                    );
                }
                let lost = self.since_durable.len()
                    - self
                        .since_durable
                        .iter()
                        .rposition(|m| *m == recovered)
                        .map_or(0, |i| i + 1);
                tally(&TALLY.lost_writes, lost as u64);
                self.model = recovered;
                // Recovery rewrote everything into tables and a new MANIFEST.
                self.mark_durable();
                self.last_seq = self.db().latest_sequence();
            }
        }
        Ok(())
    }
}

fn run_history(cfg: Config, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut h = Harness::new(cfg);
    tally(&TALLY.ops, ops.len() as u64);
    for (i, op) in ops.iter().enumerate() {
        h.apply(op, i)?;
    }
    h.harvest();
    if h.reached_deep {
        tally(&TALLY.deep_cases, 1);
        if h.cfg.dynamic_levels {
            tally(&TALLY.deep_dynamic_cases, 1);
        }
    }
    // Finally: everything survives a clean close, and nothing is left over.
    h.snapshots.clear();
    h.iterators.clear();
    let db = h.db.take().expect("db is open");
    db.close().expect("final close");
    drop(db);
    check_closed_dir(&h.mem, "after final close")?;
    h.reopen();
    check_db_equals(h.db(), &h.model, "after final reopen")?;
    for k in h.model.keys() {
        prop_assert_eq!(
            h.db().get(k).expect("get"),
            Some(h.model[k].clone()),
            "final get {:?}",
            show(k)
        );
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

#[test]
fn random_histories_match_the_model() {
    let config = ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2_000,
        // Integration tests have no lib.rs beside them for proptest to find,
        // so name the regressions file outright (relative to `engine/`).
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/model_random_histories.txt",
        ))),
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = (
        config_strategy(),
        prop::collection::vec(op_strategy(), 1..300),
    );
    let started = Instant::now();
    let result = runner.run(&strategy, |(cfg, ops)| run_history(cfg, ops));
    if let Err(e) = result {
        panic!("{e}");
    }
    let c = |a: &AtomicU64| a.load(Ordering::Relaxed);
    eprintln!(
        "{} cases in {:?}: {} ops, {} flushes, {} compactions ({} trivial moves), \
         {} cases spread over several levels ({} of them with dynamic level sizing), \
         {} reopens, {} crashes ({} lost unsynced writes), \
         {} blob bytes written, {} by blob GC",
        cases(),
        started.elapsed(),
        c(&TALLY.ops),
        c(&TALLY.flushes),
        c(&TALLY.compactions),
        c(&TALLY.trivial_moves),
        c(&TALLY.deep_cases),
        c(&TALLY.deep_dynamic_cases),
        c(&TALLY.reopens),
        c(&TALLY.crashes),
        c(&TALLY.lost_writes),
        c(&TALLY.blob_bytes),
        c(&TALLY.blob_gc_bytes),
    );
    if cases() >= 16 {
        assert!(c(&TALLY.flushes) > 0, "no case flushed a memtable");
        assert!(c(&TALLY.compactions) > 0, "no case ran a compaction");
        assert!(c(&TALLY.crashes) > 0, "no case crashed");
        assert!(c(&TALLY.blob_bytes) > 0, "no case separated a value");
        assert!(c(&TALLY.blob_gc_bytes) > 0, "no case rewrote a blob file");
        assert!(
            c(&TALLY.deep_dynamic_cases) > 0,
            "no dynamic-sizing case moved its base level above the last level"
        );
    }
}
