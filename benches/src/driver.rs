//! The workloads of `siltdb-bench`, modelled on RocksDB's `db_bench`.
//!
//! Conventions (where they differ from db_bench, it says so):
//!
//! * `--num` is the **total** number of operations of a write benchmark,
//!   split evenly across `--threads` (db_bench gives every thread `--num`).
//!   Likewise `--reads` is the total for read benchmarks.
//! * `fillseq`, `fillrandom` and `fillsync_during_compaction` start from an
//!   empty database (the directory is wiped and reopened) unless
//!   `--use_existing_db`; the other benchmarks use the database as it is.
//! * Random keys are drawn uniformly from `0..num` with replacement, as in
//!   db_bench, so after `fillrandom` about 63% of the key space exists and
//!   `readrandom` reports `(found/requested)`.
//! * Before the first read benchmark after any write benchmark, when
//!   `--compact true`, the driver runs `compact_range(None, None)` (which
//!   flushes first) and prints how long it took: a `waitforcompaction` step.
//! * `micros/op` is wall time divided by total operations (the inverse of
//!   ops/sec); per-operation latency is in the p50/p99 figures, which come
//!   from per-thread histograms merged at the end.
//! * write-amp is measured over the benchmark only, from [`Stats`] deltas:
//!   (WAL + blob + flush + compaction + blob GC bytes written) / user bytes, then in brackets
//!   tables only (flush + compaction). Work still queued when the benchmark
//!   ends (the last memtable, pending compactions) is not counted.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use siltdb::compaction::CompactionOptions;
use siltdb::sstable::TableOptions;
use siltdb::vlog::BlobOptions;
use siltdb::{Db, Options, Stats, WriteBatch, WriteOptions};

use crate::histogram::Histogram;
use crate::keys::format_key;
use crate::rng::SplitMix64;

/// Errors the driver reports.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The benchmarks [`Runner::run`] knows, in the order they are usually run.
pub const BENCHMARKS: &[&str] = &[
    "fillseq",
    "fillrandom",
    "overwrite",
    "readrandom",
    "readseq",
    "seekrandom",
    "readwhilewriting",
    "fillsync_during_compaction",
];

/// Everything the driver is told on the command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// Benchmarks to run, in order.
    pub benchmarks: Vec<String>,
    /// Total operations of a write benchmark (and key space size).
    pub num: u64,
    /// Total operations of a read benchmark (default `num`).
    pub reads: Option<u64>,
    /// Key size in bytes.
    pub key_size: usize,
    /// Value size in bytes.
    pub value_size: usize,
    /// fdatasync the WAL on every write.
    pub sync: bool,
    /// Threads running each benchmark.
    pub threads: usize,
    /// Database directory; `None` means a fresh temporary directory.
    pub db: Option<PathBuf>,
    /// Do not wipe the database before fill benchmarks.
    pub use_existing_db: bool,
    /// Memtable size in bytes (`None`: the engine default).
    pub write_buffer_size: Option<usize>,
    /// Target size of L1 in bytes (`None`: the engine default).
    pub max_bytes_for_level_base: Option<u64>,
    /// Bloom filter bits per key (0: no filter).
    pub bloom_bits: u32,
    /// Values of at least this many bytes go to blob files (`None`: the
    /// engine default; `usize::MAX` keeps every value in the tree).
    pub min_blob_size: Option<usize>,
    /// Run `compact_range` after writes, before reads.
    pub compact: bool,
    /// Seed of the key and value generators.
    pub seed: u64,
    /// Print the engine's statistics after every benchmark.
    pub statistics: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            benchmarks: [
                "fillseq",
                "fillrandom",
                "overwrite",
                "readrandom",
                "readseq",
            ]
            .map(String::from)
            .to_vec(),
            num: 1_000_000,
            reads: None,
            key_size: 16,
            value_size: 100,
            sync: false,
            threads: 1,
            db: None,
            use_existing_db: false,
            write_buffer_size: None,
            max_bytes_for_level_base: None,
            bloom_bits: 10,
            min_blob_size: None,
            compact: true,
            seed: 0x005e_ed0f_5117,
            statistics: false,
        }
    }
}

/// What one thread did during a benchmark.
#[derive(Debug, Default)]
struct ThreadResult {
    ops: u64,
    found: u64,
    bytes: u64,
    hist: Histogram,
}

impl ThreadResult {
    /// Records the latency since `t0` and restarts the clock for the next op.
    fn lap(&mut self, t0: &mut Instant) {
        let t1 = Instant::now();
        self.hist.record((t1 - *t0).as_nanos() as u64);
        *t0 = t1;
    }

    fn merge(&mut self, o: &ThreadResult) {
        self.ops += o.ops;
        self.found += o.found;
        self.bytes += o.bytes;
        self.hist.merge(&o.hist);
    }
}

/// Write amplification over one benchmark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WriteAmp {
    /// (WAL + blob + flush + compaction + blob GC bytes) / user bytes.
    pub total: f64,
    /// (flush + compaction bytes) / user bytes.
    pub tables: f64,
}

impl WriteAmp {
    /// Write amplification of the work done between `before` and `after`;
    /// `None` if no user bytes were written in between.
    pub fn between(before: &Stats, after: &Stats) -> Option<WriteAmp> {
        let user = after.user_bytes.saturating_sub(before.user_bytes);
        if user == 0 {
            return None;
        }
        let d = |a: u64, b: u64| a.saturating_sub(b) as f64;
        let tables = d(after.flush_bytes, before.flush_bytes)
            + d(
                after.compaction_bytes_written,
                before.compaction_bytes_written,
            );
        let wal = d(after.wal_bytes, before.wal_bytes);
        let blobs = d(after.blob_bytes, before.blob_bytes)
            + d(after.blob_gc_bytes_written, before.blob_gc_bytes_written);
        Some(WriteAmp {
            total: (wal + blobs + tables) / user as f64,
            tables: tables / user as f64,
        })
    }
}

/// The result line of one benchmark.
#[derive(Debug)]
pub struct Report {
    /// Benchmark name.
    pub name: String,
    /// Operations measured.
    pub ops: u64,
    /// Wall time of the measured operations.
    pub elapsed: Duration,
    /// Key + value bytes moved by the measured operations.
    pub bytes: u64,
    /// Latency of the measured operations, in nanoseconds.
    pub hist: Histogram,
    /// `(found, requested)` for reads.
    pub found: Option<(u64, u64)>,
    /// Write amplification over the benchmark, for writes.
    pub write_amp: Option<WriteAmp>,
    /// Anything else worth a mention, appended to the line.
    pub extra: String,
}

impl Report {
    /// A report of a run's merged thread results, nothing else filled in.
    fn of(name: &str, r: ThreadResult, elapsed: Duration) -> Report {
        Report {
            name: name.to_string(),
            ops: r.ops,
            elapsed,
            bytes: r.bytes,
            hist: r.hist,
            found: None,
            write_amp: None,
            extra: String::new(),
        }
    }

    /// Operations per second.
    pub fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let micros_per_op = if self.ops == 0 {
            0.0
        } else {
            secs * 1e6 / self.ops as f64
        };
        write!(
            f,
            "{:<12} : {:>11.3} micros/op {:.0} ops/sec; {:6.1} MB/s; p50 {:.1} us p99 {:.1} us",
            self.name,
            micros_per_op,
            self.ops_per_sec(),
            self.bytes as f64 / 1048576.0 / secs,
            self.hist.percentile(50.0) / 1000.0,
            self.hist.percentile(99.0) / 1000.0,
        )?;
        if let Some(w) = self.write_amp {
            write!(f, "; write-amp {:.2} (tables {:.2})", w.total, w.tables)?;
        }
        if let Some((found, req)) = self.found {
            write!(f, "; ({found} of {req} found)")?;
        }
        if !self.extra.is_empty() {
            write!(f, "; {}", self.extra)?;
        }
        Ok(())
    }
}

/// How many of `total` operations thread `t` of `n` does.
fn share(total: u64, n: usize, t: usize) -> u64 {
    let n = n as u64;
    let t = t as u64;
    total / n + u64::from(t < total % n)
}

/// Runs `f(thread_index)` on `n` threads started together; returns the
/// merged result and the wall time from the common start to the last finish.
fn run_threads<F>(n: usize, f: F) -> Result<(ThreadResult, Duration), BoxError>
where
    F: Fn(usize) -> Result<ThreadResult, BoxError> + Sync,
{
    let barrier = Barrier::new(n + 1);
    let (results, elapsed) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|t| {
                let f = &f;
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    f(t)
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("benchmark thread panicked".into()))
            })
            .collect();
        (results, start.elapsed())
    });
    let mut total = ThreadResult::default();
    for r in results {
        total.merge(&r?);
    }
    Ok((total, elapsed))
}

/// Runs the configured benchmarks against one database.
pub struct Runner {
    cfg: Config,
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    db: Option<Db>,
    /// Writes happened since the last compaction step.
    dirty: bool,
    /// Random bytes values are sliced from.
    values: Vec<u8>,
    /// Benchmarks run so far (varies the seeds between them).
    round: u64,
}

impl Runner {
    /// Prepares the directory (a fresh temporary one unless `--db`).
    pub fn new(cfg: Config) -> Result<Runner, BoxError> {
        if cfg.threads == 0 {
            return Err("--threads must be at least 1".into());
        }
        if cfg.key_size == 0 {
            return Err("--key_size must be at least 1".into());
        }
        let (dir, tmp) = match &cfg.db {
            Some(d) => (d.clone(), None),
            None => {
                if cfg.use_existing_db {
                    return Err("--use_existing_db needs --db".into());
                }
                let t = tempfile::Builder::new().prefix("siltdb-bench-").tempdir()?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        let mut values = vec![0u8; (1 << 20).max(cfg.value_size * 2)];
        SplitMix64::new(cfg.seed ^ 0xa11ce).fill(&mut values);
        Ok(Runner {
            cfg,
            dir,
            _tmp: tmp,
            db: None,
            dirty: true,
            values,
            round: 0,
        })
    }

    /// The database directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The header db_bench prints before the results.
    pub fn header(&self) -> String {
        let c = &self.cfg;
        let entry = (c.key_size + c.value_size) as f64;
        format!(
            "siltdb-bench\n\
             Keys:       {} bytes each\n\
             Values:     {} bytes each\n\
             Entries:    {}\n\
             RawSize:    {:.1} MB (estimated)\n\
             Threads:    {} (--num/--reads are totals split across threads)\n\
             Sync:       {}\n\
             WriteBuffer:{}\n\
             Bloom bits: {}\n\
             Blob from:  {}\n\
             Compact:    {}\n\
             DB path:    [{}]\n\
             ------------------------------------------------",
            c.key_size,
            c.value_size,
            c.num,
            entry * c.num as f64 / 1048576.0,
            c.threads,
            c.sync,
            match c.write_buffer_size {
                Some(b) => format!(" {b} bytes"),
                None => " engine default".to_string(),
            },
            c.bloom_bits,
            match c.min_blob_size {
                Some(usize::MAX) => " never (values stay in the tree)".to_string(),
                Some(b) => format!(" {b} bytes"),
                None => " engine default".to_string(),
            },
            c.compact,
            self.dir.display()
        )
    }

    fn options(&self) -> Options {
        let defaults = Options::default();
        Options {
            sync: self.cfg.sync,
            write_buffer_size: self
                .cfg
                .write_buffer_size
                .unwrap_or(defaults.write_buffer_size),
            table: TableOptions {
                bloom_bits_per_key: self.cfg.bloom_bits,
                ..TableOptions::default()
            },
            compaction: CompactionOptions {
                base_level_bytes: self
                    .cfg
                    .max_bytes_for_level_base
                    .unwrap_or(defaults.compaction.base_level_bytes),
                ..CompactionOptions::default()
            },
            blob: BlobOptions {
                min_blob_size: self
                    .cfg
                    .min_blob_size
                    .unwrap_or(defaults.blob.min_blob_size),
                ..defaults.blob.clone()
            },
            ..defaults
        }
    }

    /// Closes the database if open, and wipes its directory when `fresh`.
    fn reopen(&mut self, fresh: bool) -> Result<(), BoxError> {
        if let Some(db) = self.db.take() {
            db.close()?;
        }
        if fresh && !self.cfg.use_existing_db {
            wipe_db_dir(&self.dir)?;
        }
        std::fs::create_dir_all(&self.dir)?;
        self.db = Some(Db::open(&self.dir, self.options())?);
        self.dirty = true;
        Ok(())
    }

    fn db(&mut self) -> Result<&Db, BoxError> {
        if self.db.is_none() {
            self.reopen(false)?;
        }
        Ok(self.db.as_ref().expect("just opened"))
    }

    /// Runs every configured benchmark, printing one line each.
    pub fn run(&mut self) -> Result<Vec<Report>, BoxError> {
        let mut reports = Vec::new();
        for name in self.cfg.benchmarks.clone() {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            let report = self.run_one(name)?;
            println!("{report}");
            if self.cfg.statistics {
                if let Some(db) = &self.db {
                    print!("{}", db.stats());
                }
            }
            reports.push(report);
        }
        Ok(reports)
    }

    /// Runs one benchmark by name.
    pub fn run_one(&mut self, name: &str) -> Result<Report, BoxError> {
        self.round += 1;
        match name {
            "fillseq" => {
                self.reopen(true)?;
                self.fill(name, true)
            }
            "fillrandom" => {
                self.reopen(true)?;
                self.fill(name, false)
            }
            "overwrite" => {
                self.db()?;
                self.fill(name, false)
            }
            "readrandom" => {
                self.before_reads()?;
                self.read_random(name)
            }
            "readseq" => {
                self.before_reads()?;
                self.read_seq(name)
            }
            "seekrandom" => {
                self.before_reads()?;
                self.seek_random(name)
            }
            "readwhilewriting" => {
                self.before_reads()?;
                self.read_while_writing(name)
            }
            "fillsync_during_compaction" => {
                self.reopen(true)?;
                self.fillsync_during_compaction(name)
            }
            other => Err(format!(
                "unknown benchmark {other:?}; known: {}",
                BENCHMARKS.join(",")
            )
            .into()),
        }
    }

    /// The `waitforcompaction` step: flush and compact everything once after
    /// writes, so reads see a settled tree.
    fn before_reads(&mut self) -> Result<(), BoxError> {
        let compact = self.cfg.compact;
        let dirty = self.dirty;
        let db = self.db()?;
        if compact && dirty {
            let start = Instant::now();
            db.compact_range(None, None)?;
            let levels: Vec<String> = db
                .stats()
                .levels
                .iter()
                .enumerate()
                .filter(|(_, l)| l.files > 0)
                .map(|(i, l)| {
                    format!(
                        "L{i} {} files {:.1} MB",
                        l.files,
                        l.bytes as f64 / 1048576.0
                    )
                })
                .collect();
            println!(
                "{:<12} : {:>11.3} s (flush + compact_range); {}",
                "compact",
                start.elapsed().as_secs_f64(),
                levels.join(", ")
            );
        }
        self.dirty = false;
        Ok(())
    }

    fn seed(&self, thread: usize) -> u64 {
        self.cfg.seed ^ self.round.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (thread as u64) << 48
    }

    fn value<'a>(&'a self, rng: &mut SplitMix64) -> &'a [u8] {
        let vs = self.cfg.value_size;
        let off = rng.below((self.values.len() - vs) as u64) as usize;
        &self.values[off..off + vs]
    }

    /// fillseq / fillrandom / overwrite.
    fn fill(&mut self, name: &str, sequential: bool) -> Result<Report, BoxError> {
        self.db()?;
        let this = &*self;
        let db = this.db.as_ref().expect("open");
        let cfg = &this.cfg;
        let before = db.stats();
        let wo = WriteOptions { sync: cfg.sync };
        let (r, elapsed) = run_threads(cfg.threads, |t| {
            let n = share(cfg.num, cfg.threads, t);
            let first: u64 = (0..t).map(|i| share(cfg.num, cfg.threads, i)).sum();
            let mut rng = SplitMix64::new(this.seed(t));
            let mut key = vec![0u8; cfg.key_size];
            let mut res = ThreadResult::default();
            let mut t0 = Instant::now();
            for i in 0..n {
                let idx = if sequential {
                    first + i
                } else {
                    rng.below(cfg.num)
                };
                format_key(idx, &mut key);
                let mut b = WriteBatch::new();
                b.put(&key, this.value(&mut rng));
                db.write_opt(b, wo)?;
                res.lap(&mut t0);
            }
            res.ops = n;
            res.bytes = n * (cfg.key_size + cfg.value_size) as u64;
            Ok(res)
        })?;
        let after = db.stats();
        self.dirty = true;
        Ok(Report {
            write_amp: WriteAmp::between(&before, &after),
            extra: phase_extra(&before, &after),
            ..Report::of(name, r, elapsed)
        })
    }

    fn reads(&self) -> u64 {
        self.cfg.reads.unwrap_or(self.cfg.num)
    }

    fn read_random(&mut self, name: &str) -> Result<Report, BoxError> {
        self.db()?;
        let this = &*self;
        let db = this.db.as_ref().expect("open");
        let cfg = &this.cfg;
        let total = this.reads();
        let (r, elapsed) = run_threads(cfg.threads, |t| {
            this.random_gets(db, share(total, cfg.threads, t), t, None)
        })?;
        Ok(Report {
            found: Some((r.found, r.ops)),
            ..Report::of(name, r, elapsed)
        })
    }

    /// `n` random point reads (or until `stop` is set, if given and `n` is
    /// `u64::MAX`).
    fn random_gets(
        &self,
        db: &Db,
        n: u64,
        t: usize,
        stop: Option<&AtomicBool>,
    ) -> Result<ThreadResult, BoxError> {
        let cfg = &self.cfg;
        let mut rng = SplitMix64::new(self.seed(t));
        let mut key = vec![0u8; cfg.key_size];
        let mut res = ThreadResult::default();
        let mut t0 = Instant::now();
        for _ in 0..n {
            if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                break;
            }
            format_key(rng.below(cfg.num), &mut key);
            if let Some(v) = db.get(&key)? {
                res.found += 1;
                res.bytes += (key.len() + v.len()) as u64;
            }
            res.ops += 1;
            res.lap(&mut t0);
        }
        Ok(res)
    }

    fn read_seq(&mut self, name: &str) -> Result<Report, BoxError> {
        self.db()?;
        let this = &*self;
        let db = this.db.as_ref().expect("open");
        let cfg = &this.cfg;
        let total = this.reads();
        let (r, elapsed) = run_threads(cfg.threads, |t| {
            let n = share(total, cfg.threads, t);
            let mut it = db.iter()?;
            let mut res = ThreadResult::default();
            let mut t0 = Instant::now();
            it.seek_to_first()?;
            while it.valid() && res.ops < n {
                res.bytes += (it.key().len() + it.value().len()) as u64;
                res.ops += 1;
                it.next()?;
                res.lap(&mut t0);
            }
            res.found = res.ops;
            Ok(res)
        })?;
        Ok(Report {
            ..Report::of(name, r, elapsed)
        })
    }

    fn seek_random(&mut self, name: &str) -> Result<Report, BoxError> {
        self.db()?;
        let this = &*self;
        let db = this.db.as_ref().expect("open");
        let cfg = &this.cfg;
        let total = this.reads();
        let (r, elapsed) = run_threads(cfg.threads, |t| {
            let n = share(total, cfg.threads, t);
            let mut rng = SplitMix64::new(this.seed(t));
            let mut key = vec![0u8; cfg.key_size];
            let mut it = db.iter()?;
            let mut res = ThreadResult::default();
            let mut t0 = Instant::now();
            for _ in 0..n {
                format_key(rng.below(cfg.num), &mut key);
                it.seek(&key)?;
                if it.valid() {
                    res.bytes += (it.key().len() + it.value().len()) as u64;
                    if it.key() == key.as_slice() {
                        res.found += 1;
                    }
                }
                res.ops += 1;
                res.lap(&mut t0);
            }
            Ok(res)
        })?;
        Ok(Report {
            found: Some((r.found, r.ops)),
            ..Report::of(name, r, elapsed)
        })
    }

    /// `--threads` readers do readrandom while one extra thread overwrites
    /// random keys until they finish. Reports the readers; the writer's
    /// count is appended.
    fn read_while_writing(&mut self, name: &str) -> Result<Report, BoxError> {
        self.db()?;
        let this = &*self;
        let db = this.db.as_ref().expect("open");
        let cfg = &this.cfg;
        let total = this.reads();
        let readers = cfg.threads;
        let stop = AtomicBool::new(false);
        let before = db.stats();
        let writer_seed = this.seed(readers);
        let (r, elapsed) = run_threads(readers + 1, |t| {
            if t == readers {
                // The writer; its writes are counted from the engine's stats.
                let mut rng = SplitMix64::new(writer_seed);
                let mut key = vec![0u8; cfg.key_size];
                let wo = WriteOptions { sync: cfg.sync };
                while !stop.load(Ordering::Relaxed) {
                    format_key(rng.below(cfg.num), &mut key);
                    let mut b = WriteBatch::new();
                    b.put(&key, this.value(&mut rng));
                    db.write_opt(b, wo)?;
                }
                return Ok(ThreadResult::default());
            }
            let res = this.random_gets(db, share(total, readers, t), t, None);
            stop.store(true, Ordering::Relaxed);
            res
        })?;
        let after = db.stats();
        let writes = after.writes.saturating_sub(before.writes);
        self.dirty = true;
        Ok(Report {
            found: Some((r.found, r.ops)),
            extra: format!("{writes} writes by the writer thread meanwhile"),
            ..Report::of(name, r, elapsed)
        })
    }

    /// One background thread does `--num` unsynced random writes (keeping
    /// flush and compaction busy) while `--threads` measured threads do
    /// synced writes until it finishes. Reports the synced writes.
    fn fillsync_during_compaction(&mut self, name: &str) -> Result<Report, BoxError> {
        self.db()?;
        self.dirty = true;
        let this = &*self;
        let db = this.db.as_ref().expect("open");
        let cfg = &this.cfg;
        let measured = cfg.threads;
        let done = AtomicBool::new(false);
        let before = db.stats();
        let bg_start = Instant::now();
        let bg_elapsed = std::sync::Mutex::new(Duration::ZERO);
        let (r, elapsed) = run_threads(measured + 1, |t| {
            let mut rng = SplitMix64::new(this.seed(t));
            let mut key = vec![0u8; cfg.key_size];
            if t == measured {
                struct SetOnDrop<'a>(&'a AtomicBool);
                impl Drop for SetOnDrop<'_> {
                    fn drop(&mut self) {
                        self.0.store(true, Ordering::Relaxed);
                    }
                }
                let _done = SetOnDrop(&done);
                let wo = WriteOptions { sync: false };
                for _ in 0..cfg.num {
                    format_key(rng.below(cfg.num), &mut key);
                    let mut b = WriteBatch::new();
                    b.put(&key, this.value(&mut rng));
                    db.write_opt(b, wo)?;
                }
                *bg_elapsed.lock().unwrap_or_else(|p| p.into_inner()) = bg_start.elapsed();
                return Ok(ThreadResult::default());
            }
            let wo = WriteOptions { sync: true };
            let mut res = ThreadResult::default();
            let mut t0 = Instant::now();
            while !done.load(Ordering::Relaxed) {
                format_key(rng.below(cfg.num), &mut key);
                let mut b = WriteBatch::new();
                b.put(&key, this.value(&mut rng));
                db.write_opt(b, wo)?;
                res.lap(&mut t0);
                res.ops += 1;
                res.bytes += (cfg.key_size + cfg.value_size) as u64;
            }
            Ok(res)
        })?;
        let after = db.stats();
        let max_us = r.hist.max() as f64 / 1000.0;
        let bg = *bg_elapsed.lock().unwrap_or_else(|p| p.into_inner());
        Ok(Report {
            write_amp: WriteAmp::between(&before, &after),
            extra: format!(
                "{} synced writes by {measured} thread(s) while {} unsynced writes ran ({:.0} ops/sec); max {:.1} us; {}",
                r.ops,
                cfg.num,
                cfg.num as f64 / bg.as_secs_f64().max(1e-9),
                max_us,
                phase_extra(&before, &after)
            ),
            ..Report::of(name, r, elapsed)
        })
    }
}

/// Counters that moved during a phase, for the end of a report line.
fn phase_extra(before: &Stats, after: &Stats) -> String {
    let d = |a: u64, b: u64| a.saturating_sub(b);
    let mut s = format!(
        "{} flushes, {} compactions, {} trivial moves",
        d(after.flushes, before.flushes),
        d(after.compactions, before.compactions),
        d(after.trivial_moves, before.trivial_moves),
    );
    let groups = d(after.write_groups, before.write_groups);
    let writes = d(after.writes, before.writes);
    let syncs = d(after.wal_syncs, before.wal_syncs);
    if syncs > 0 {
        s += &format!(", {syncs} WAL syncs");
    }
    if groups > 0 && writes > groups {
        s += &format!(", {:.2} writes/group", writes as f64 / groups as f64);
    }
    let stall = d(after.stall_micros, before.stall_micros);
    if stall > 0 {
        s += &format!(", stalled {:.3} s", stall as f64 / 1e6);
    }
    s
}

/// Wipes a database directory so a fill starts empty. Refuses a directory
/// holding files that are not a siltdb database's, so a mistyped `--db`
/// cannot delete unrelated data.
fn wipe_db_dir(dir: &Path) -> Result<(), BoxError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut ours = Vec::new();
    for e in entries {
        let e = e?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        let known = name == "CURRENT"
            || name == "LOCK"
            || name.starts_with("MANIFEST-")
            || name.ends_with(".log")
            || name.ends_with(".sst")
            || name.ends_with(".blob")
            || name.ends_with(".tmp");
        if !known || !e.file_type()?.is_file() {
            return Err(format!(
                "refusing to wipe {}: {name:?} is not a siltdb file",
                dir.display()
            )
            .into());
        }
        ours.push(e.path());
    }
    for p in ours {
        std::fs::remove_file(p)?;
    }
    Ok(())
}
