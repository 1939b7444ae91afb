//! The workloads of `siltdb-bench`, modelled on RocksDB's `db_bench`, run
//! against any [`Engine`] through the same key generator, value bytes and
//! timing loop.
//!
//! Conventions (where they differ from db_bench, it says so):
//!
//! * `--num` is the **total** number of operations of a write benchmark,
//!   split evenly across `--threads` (db_bench gives every thread `--num`).
//!   Likewise `--reads` is the total for read benchmarks.
//! * The database of engine E lives in `<--db>/E`. `fillseq`, `fillrandom`
//!   and `fillsync_during_compaction` start from an empty database (that
//!   directory is removed and reopened) unless `--use_existing_db`; the
//!   other benchmarks use the database as it is.
//! * Random keys are drawn uniformly from `0..num` with replacement, as in
//!   db_bench, so after `fillrandom` about 63% of the key space exists and
//!   `readrandom` reports `(found/requested)`.
//! * Before the first read benchmark after any write benchmark, when
//!   `--compact true`, the driver flushes and compacts the whole key range
//!   and prints how long it took (db_bench's `waitforcompaction`, but a
//!   full compaction). `settle` instead waits for the engine's own
//!   background work to stop, without forcing any.
//! * `micros/op` is wall time divided by total operations (the inverse of
//!   ops/sec); per-operation latency is in the p50/p99/max figures, which
//!   come from per-thread histograms merged at the end.
//! * Write amplification is bytes written to storage per key + value byte
//!   the benchmark wrote: from the OS (`/proc/self/io` write_bytes −
//!   cancelled_write_bytes of this process, all threads), and for siltdb
//!   also from its [`siltdb::Stats`] (WAL, blob, flush, compaction and
//!   blob GC bytes). A
//!   benchmark's own figure leaves out work still queued when it ends;
//!   `settle` reports the cumulative figure since the fill began, after
//!   flushing the memtable and waiting until no flush or compaction is
//!   queued or running.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use crate::engine::{self, Engine, EngineKind};
use crate::histogram::Histogram;
use crate::keys::format_key;
use crate::procfs::{self, IoCounters, Memory};
use crate::report::{EngineWriteAmp, Report, WriteAmp};
use crate::rng::SplitMix64;
use crate::values::Values;

/// Errors the driver reports.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The benchmarks [`Runner::run`] knows, in the order they are usually run.
pub const BENCHMARKS: &[&str] = &[
    "fillseq",
    "fillrandom",
    "overwrite",
    "settle",
    "readrandom",
    "readseq",
    "seekrandom",
    "readwhilewriting",
    "fillsync_during_compaction",
    "syncwhilesettling",
    "syncwhilecompacting",
];

/// The file in a `--db` directory that says siltdb-bench made it, so a
/// fill may remove the engine directories inside.
pub const MARKER: &str = ".siltdb-bench";

/// Everything the driver is told on the command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// The engine to drive.
    pub engine: EngineKind,
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
    /// fdatasync the log on every write.
    pub sync: bool,
    /// Threads running each benchmark.
    pub threads: usize,
    /// Directory holding one database directory per engine; `None` means a
    /// fresh temporary directory.
    pub db: Option<PathBuf>,
    /// Do not wipe the database before fill benchmarks.
    pub use_existing_db: bool,
    /// Memtable size in bytes (`None`: siltdb's default, for every engine
    /// but fjall, which keeps its own).
    pub write_buffer_size: Option<usize>,
    /// Target size of L1 in bytes (`None`: each engine's default).
    pub max_bytes_for_level_base: Option<u64>,
    /// siltdb's dynamic level sizing (`None`: the engine's default; RocksDB
    /// always runs with it, fjall has none).
    pub dynamic_level_bytes: Option<bool>,
    /// siltdb's L0 compaction trigger in files (`None`: the engine's).
    pub l0_compaction_trigger: Option<usize>,
    /// siltdb's compaction output file size (`None`: the engine's).
    pub target_file_size: Option<u64>,
    /// Bloom filter bits per key (0: no filter); fjall keeps its own.
    pub bloom_bits: u32,
    /// siltdb only: values of at least this many bytes go to blob files
    /// (`None`: the engine default; `usize::MAX` keeps every value in the
    /// tree).
    pub min_blob_size: Option<usize>,
    /// siltdb only: bytes of zeros kept ahead of a synced WAL's records
    /// (`None`: the engine default; 0 off).
    pub wal_preallocate_bytes: Option<u64>,
    /// siltdb only: obsolete synced WAL files kept for reuse (`None`: the
    /// engine default; 0 off).
    pub wal_recycle_files: Option<usize>,
    /// Flush and compact everything after writes, before reads.
    pub compact: bool,
    /// Seed of the key and value generators.
    pub seed: u64,
    /// Print the engine's statistics after each benchmark.
    pub statistics: bool,
    /// `settle`: how long background work must stay stopped.
    pub settle_quiet: Duration,
    /// `settle`: give up (with an error) after this long.
    pub settle_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            engine: EngineKind::Siltdb,
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
            dynamic_level_bytes: None,
            l0_compaction_trigger: None,
            target_file_size: None,
            bloom_bits: 10,
            min_blob_size: None,
            wal_preallocate_bytes: None,
            wal_recycle_files: None,
            compact: true,
            seed: 0x005e_ed0f_5117,
            statistics: false,
            settle_quiet: Duration::from_secs(1),
            settle_timeout: Duration::from_secs(3600),
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
    #[inline]
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

    fn into_report(self, engine: EngineKind, name: &str, elapsed: Duration) -> Report {
        Report {
            ops: self.ops,
            elapsed,
            bytes: self.bytes,
            hist: self.hist,
            ..Report::new(engine, name)
        }
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

/// Sets a flag when dropped, so a failing writer still stops its peers.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Where writes were counted from: the OS counters, siltdb's stats and the
/// user bytes written so far, when a span began.
#[derive(Debug, Clone)]
struct Mark {
    io: Option<IoCounters>,
    stats: Option<siltdb::Stats>,
    user_bytes: u64,
}

/// Runs the configured benchmarks against one engine's database.
pub struct Runner {
    cfg: Config,
    /// `--db` (or the temporary directory).
    root: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    engine: Option<Box<dyn Engine>>,
    /// Writes happened since the last compaction step.
    dirty: bool,
    values: Values,
    /// Benchmarks run so far (varies the seeds between them).
    round: u64,
    /// Key + value bytes written by benchmarks of this run.
    user_bytes: u64,
    /// Where the current database's fill began.
    fill_mark: Option<Mark>,
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
        if !cfg.engine.available() {
            return Err(format!(
                "engine {} is not in this binary: build with \
                 `cargo build --release -p siltdb-benches --features peers`",
                cfg.engine
            )
            .into());
        }
        let (root, tmp) = match &cfg.db {
            Some(d) => {
                prepare_root(d, cfg.use_existing_db)?;
                (d.clone(), None)
            }
            None => {
                if cfg.use_existing_db {
                    return Err("--use_existing_db needs --db".into());
                }
                let t = tempfile::Builder::new().prefix("siltdb-bench-").tempdir()?;
                std::fs::write(t.path().join(MARKER), b"")?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        let values = Values::new(cfg.seed ^ 0xa11ce, cfg.value_size);
        Ok(Runner {
            cfg,
            root,
            _tmp: tmp,
            engine: None,
            dirty: true,
            values,
            round: 0,
            user_bytes: 0,
            fill_mark: None,
        })
    }

    /// The engine's database directory: `<--db>/<engine>`.
    pub fn dir(&self) -> PathBuf {
        self.root.join(self.cfg.engine.name())
    }

    /// The header db_bench prints before the results.
    pub fn header(&self) -> String {
        let c = &self.cfg;
        let entry = (c.key_size + c.value_size) as f64;
        let sysctl = |name: &str| {
            std::fs::read_to_string(format!("/proc/sys/vm/{name}"))
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "n/a".into())
        };
        format!(
            "siltdb-bench --engine {}\n\
             Keys:       {} bytes each (zero-padded decimal)\n\
             Values:     {}\n\
             Entries:    {}\n\
             RawSize:    {:.1} MB (estimated)\n\
             Threads:    {} (--num/--reads are totals split across threads)\n\
             Sync:       {} (false: each write handed to the OS; true: log fdatasynced before the write returns)\n\
             Bloom bits: {}\n\
             Blob from:  {}\n\
             Compact:    {}\n\
             DB path:    [{}]\n\
             Load:       {}\n\
             Kernel:     dirty_expire_centisecs {}, dirty_background_ratio {}, dirty_ratio {}\n\
             ------------------------------------------------",
            c.engine,
            c.key_size,
            self.values.describe(),
            c.num,
            entry * c.num as f64 / 1e6,
            c.threads,
            c.sync,
            c.bloom_bits,
            blob_text(c.engine, c.min_blob_size),
            c.compact,
            self.dir().display(),
            load_text(procfs::load_average()),
            sysctl("dirty_expire_centisecs"),
            sysctl("dirty_background_ratio"),
            sysctl("dirty_ratio"),
        )
    }

    /// Opens the database (if not yet) and describes the engine's
    /// configuration as it reports it.
    pub fn describe_engine(&mut self) -> Result<String, BoxError> {
        self.engine()?.describe()
    }

    /// Closes the engine if open, and wipes its directory when `fresh`.
    fn reopen(&mut self, fresh: bool) -> Result<(), BoxError> {
        if let Some(e) = self.engine.take() {
            e.close()?;
        }
        let dir = self.dir();
        if fresh && !self.cfg.use_existing_db && dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        self.engine = Some(engine::open(self.cfg.engine, &dir, &self.cfg)?);
        self.dirty = true;
        Ok(())
    }

    fn engine(&mut self) -> Result<&dyn Engine, BoxError> {
        if self.engine.is_none() {
            self.reopen(false)?;
        }
        self.engine
            .as_deref()
            .ok_or_else(|| "engine not open".into())
    }

    /// Closes the database, reporting a failed final sync.
    pub fn close(&mut self) -> Result<(), BoxError> {
        match self.engine.take() {
            Some(e) => e.close(),
            None => Ok(()),
        }
    }

    /// Runs every configured benchmark, printing one line each.
    pub fn run(&mut self) -> Result<Vec<Report>, BoxError> {
        self.run_with(|_| Ok(()))
    }

    /// Like [`Runner::run`], handing each report to `on_report` as soon as
    /// its benchmark ends (so results survive a later failure).
    pub fn run_with(
        &mut self,
        mut on_report: impl FnMut(&Report) -> Result<(), BoxError>,
    ) -> Result<Vec<Report>, BoxError> {
        let mut reports = Vec::new();
        for name in self.cfg.benchmarks.clone() {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            let report = self.run_one(name)?;
            println!("{report}");
            if self.cfg.statistics {
                if let Some(e) = &self.engine {
                    print!("{}", e.statistics()?);
                }
            }
            on_report(&report)?;
            reports.push(report);
        }
        Ok(reports)
    }

    /// Runs one benchmark by name.
    pub fn run_one(&mut self, name: &str) -> Result<Report, BoxError> {
        self.round += 1;
        match name {
            "fillseq" | "fillrandom" | "fillsync_during_compaction" => {
                self.reopen(true)?;
            }
            "readrandom" | "readseq" | "seekrandom" | "readwhilewriting" => {
                self.before_reads()?;
            }
            "overwrite" | "settle" | "syncwhilesettling" | "syncwhilecompacting" => {
                self.engine()?;
            }
            other => {
                return Err(format!(
                    "unknown benchmark {other:?}; known: {}",
                    BENCHMARKS.join(",")
                )
                .into())
            }
        }
        let writes = !name.starts_with("read") && name != "seekrandom" && name != "settle";
        if writes && (self.fill_mark.is_none() || name.starts_with("fill")) {
            self.fill_mark = Some(self.mark());
        }
        let reset = procfs::reset_peak_rss();
        let before = self.mark();
        let mut report = match name {
            "fillseq" => self.fill(name, true),
            "fillrandom" | "overwrite" => self.fill(name, false),
            "settle" => self.settle(name),
            "readrandom" => self.read_random(name),
            "readseq" => self.read_seq(name),
            "seekrandom" => self.seek_random(name),
            "readwhilewriting" => self.read_while_writing(name),
            "syncwhilesettling" => self.sync_while_settling(name),
            "syncwhilecompacting" => self.sync_while_compacting(name),
            _ => self.fillsync_during_compaction(name),
        }?;
        self.user_bytes += report.user_bytes_written;
        if writes {
            self.dirty = true;
            report.write_amp = Some(self.write_amp_since(&before));
        }
        report.peak_rss = Memory::now().map(|m| m.peak_rss);
        if !reset && report.peak_rss.is_some() {
            report.extra += if report.extra.is_empty() { "" } else { "; " };
            report.extra += "peak RSS is since process start (VmHWM reset refused)";
        }
        report.load = procfs::load_average();
        Ok(report)
    }

    fn mark(&self) -> Mark {
        Mark {
            io: IoCounters::now(),
            stats: self.engine.as_ref().and_then(|e| e.siltdb_stats()),
            user_bytes: self.user_bytes,
        }
    }

    fn write_amp_since(&self, m: &Mark) -> WriteAmp {
        let now = self.mark();
        let user_bytes = now.user_bytes.saturating_sub(m.user_bytes);
        WriteAmp {
            user_bytes,
            device_bytes: match (now.io, m.io) {
                (Some(a), Some(b)) => Some(a.device_bytes_since(&b)),
                _ => None,
            },
            engine: match (&m.stats, &now.stats) {
                (Some(b), Some(a)) => EngineWriteAmp::between(b, a, user_bytes),
                _ => None,
            },
        }
    }

    /// The `waitforcompaction` step: flush and compact everything once after
    /// writes, so reads see a settled tree.
    fn before_reads(&mut self) -> Result<(), BoxError> {
        let compact = self.cfg.compact;
        let dirty = self.dirty;
        let engine = self.engine()?;
        if compact && dirty {
            let start = Instant::now();
            engine.compact_all()?;
            println!(
                "{:<12} : {:>11.3} s (flush + compact everything); {}",
                "compact",
                start.elapsed().as_secs_f64(),
                engine.shape()?
            );
        }
        self.dirty = false;
        Ok(())
    }

    fn open_engine(&self) -> Result<&dyn Engine, BoxError> {
        self.engine
            .as_deref()
            .ok_or_else(|| "engine not open".into())
    }

    fn seed(&self, thread: usize) -> u64 {
        self.cfg.seed ^ self.round.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (thread as u64) << 48
    }

    fn reads(&self) -> u64 {
        self.cfg.reads.unwrap_or(self.cfg.num)
    }

    /// fillseq / fillrandom / overwrite.
    fn fill(&self, name: &str, sequential: bool) -> Result<Report, BoxError> {
        let engine = self.open_engine()?;
        let cfg = &self.cfg;
        let (r, elapsed) = run_threads(cfg.threads, |t| {
            let n = share(cfg.num, cfg.threads, t);
            let first: u64 = (0..t).map(|i| share(cfg.num, cfg.threads, i)).sum();
            let mut rng = SplitMix64::new(self.seed(t));
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
                engine.put(&key, self.values.pick(&mut rng), cfg.sync)?;
                res.lap(&mut t0);
            }
            res.ops = n;
            res.bytes = n * (cfg.key_size + cfg.value_size) as u64;
            Ok(res)
        })?;
        let mut report = r.into_report(engine.kind(), name, elapsed);
        report.user_bytes_written = report.bytes;
        report.extra = engine.shape()?;
        Ok(report)
    }

    /// Flushes the memtable, then waits until the engine reports no flush
    /// or compaction queued or running for `--settle_quiet` in a row;
    /// reports the time that took and the write amplification since the
    /// fill began.
    fn settle(&self, name: &str) -> Result<Report, BoxError> {
        let engine = self.open_engine()?;
        let cfg = &self.cfg;
        let start = Instant::now();
        engine.flush()?;
        let idle_at = wait_until_quiet(engine, cfg, start, name)?;
        let mut report = Report::new(engine.kind(), name);
        report.elapsed = idle_at - start;
        report.cumulative = self.fill_mark.as_ref().map(|m| self.write_amp_since(m));
        report.extra = format!("{}; {}", engine.shape()?, engine.background()?.detail);
        Ok(report)
    }

    fn read_random(&self, name: &str) -> Result<Report, BoxError> {
        let engine = self.open_engine()?;
        let cfg = &self.cfg;
        let total = self.reads();
        let (r, elapsed) = run_threads(cfg.threads, |t| {
            self.random_gets(engine, share(total, cfg.threads, t), t, None)
        })?;
        let found = Some((r.found, r.ops));
        Ok(Report {
            found,
            ..r.into_report(engine.kind(), name, elapsed)
        })
    }

    /// `n` random point reads, stopping early once `stop` is set.
    fn random_gets(
        &self,
        engine: &dyn Engine,
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
            if let Some(len) = engine.get(&key)? {
                res.found += 1;
                res.bytes += (key.len() + len) as u64;
            }
            res.ops += 1;
            res.lap(&mut t0);
        }
        Ok(res)
    }

    fn read_seq(&self, name: &str) -> Result<Report, BoxError> {
        let engine = self.open_engine()?;
        let cfg = &self.cfg;
        let total = self.reads();
        let (r, elapsed) = run_threads(cfg.threads, |t| {
            let n = share(total, cfg.threads, t);
            let mut c = engine.cursor()?;
            let mut res = ThreadResult::default();
            let mut t0 = Instant::now();
            c.seek_to_first()?;
            while res.ops < n {
                let Some((k, v)) = c.current() else {
                    break;
                };
                res.bytes += (k.len() + v.len()) as u64;
                res.ops += 1;
                c.next()?;
                res.lap(&mut t0);
            }
            res.found = res.ops;
            Ok(res)
        })?;
        Ok(r.into_report(engine.kind(), name, elapsed))
    }

    fn seek_random(&self, name: &str) -> Result<Report, BoxError> {
        let engine = self.open_engine()?;
        let cfg = &self.cfg;
        let total = self.reads();
        let (r, elapsed) = run_threads(cfg.threads, |t| {
            let n = share(total, cfg.threads, t);
            let mut rng = SplitMix64::new(self.seed(t));
            let mut key = vec![0u8; cfg.key_size];
            let mut c = engine.cursor()?;
            let mut res = ThreadResult::default();
            let mut t0 = Instant::now();
            for _ in 0..n {
                format_key(rng.below(cfg.num), &mut key);
                c.seek(&key)?;
                if let Some((k, v)) = c.current() {
                    res.bytes += (k.len() + v.len()) as u64;
                    if k == key.as_slice() {
                        res.found += 1;
                    }
                }
                res.ops += 1;
                res.lap(&mut t0);
            }
            Ok(res)
        })?;
        let found = Some((r.found, r.ops));
        Ok(Report {
            found,
            ..r.into_report(engine.kind(), name, elapsed)
        })
    }

    /// `--threads` readers do readrandom while one extra thread overwrites
    /// random keys until they finish. Reports the readers; the writer's
    /// count is appended (and its bytes are what write-amp divides by).
    fn read_while_writing(&self, name: &str) -> Result<Report, BoxError> {
        let engine = self.open_engine()?;
        let cfg = &self.cfg;
        let total = self.reads();
        let readers = cfg.threads;
        let stop = AtomicBool::new(false);
        let writes = AtomicU64::new(0);
        let writer_seed = self.seed(readers);
        let (r, elapsed) = run_threads(readers + 1, |t| {
            if t == readers {
                let mut rng = SplitMix64::new(writer_seed);
                let mut key = vec![0u8; cfg.key_size];
                while !stop.load(Ordering::Relaxed) {
                    format_key(rng.below(cfg.num), &mut key);
                    engine.put(&key, self.values.pick(&mut rng), cfg.sync)?;
                    writes.fetch_add(1, Ordering::Relaxed);
                }
                return Ok(ThreadResult::default());
            }
            let _stop = SetOnDrop(&stop);
            self.random_gets(engine, share(total, readers, t), t, None)
        })?;
        let found = Some((r.found, r.ops));
        let writes = writes.load(Ordering::Relaxed);
        Ok(Report {
            found,
            user_bytes_written: writes * (cfg.key_size + cfg.value_size) as u64,
            extra: format!("{writes} writes by the writer thread meanwhile"),
            ..r.into_report(engine.kind(), name, elapsed)
        })
    }

    /// `--threads` threads do synced random writes while the background
    /// work the writes before left (flushes, compactions) runs, until the
    /// engine has reported none queued or running for `--settle_quiet` in
    /// a row: the synced-write latency while that work runs and nothing
    /// else writes (`fillsync_during_compaction` adds an unsynced writer).
    fn sync_while_settling(&self, name: &str) -> Result<Report, BoxError> {
        let cfg = &self.cfg;
        self.synced_writes_while(name, &|engine| {
            let start = Instant::now();
            let idle_at = wait_until_quiet(engine, cfg, start, name)?;
            Ok(format!(
                "background work ran for {:.1} s",
                (idle_at - start).as_secs_f64()
            ))
        })
    }

    /// `--threads` threads do synced random writes while one more thread
    /// flushes and compacts the whole key range (`compact_all`, as
    /// `--compact true` does before reads): the synced-write latency while
    /// a large compaction runs and nothing else writes.
    fn sync_while_compacting(&self, name: &str) -> Result<Report, BoxError> {
        self.synced_writes_while(name, &|engine| {
            let start = Instant::now();
            engine.compact_all()?;
            Ok(format!(
                "the full compaction took {:.1} s",
                start.elapsed().as_secs_f64()
            ))
        })
    }

    /// `--threads` threads do synced random writes until `work`, run on one
    /// more thread, returns; reports the synced writes, with `work`'s text.
    fn synced_writes_while(
        &self,
        name: &str,
        work: &(dyn Fn(&dyn Engine) -> Result<String, BoxError> + Sync),
    ) -> Result<Report, BoxError> {
        let engine = self.open_engine()?;
        let cfg = &self.cfg;
        let measured = cfg.threads;
        let done = AtomicBool::new(false);
        let what = Mutex::new(String::new());
        let (r, elapsed) = run_threads(measured + 1, |t| {
            if t == measured {
                let _done = SetOnDrop(&done);
                *what.lock().unwrap_or_else(|p| p.into_inner()) = work(engine)?;
                return Ok(ThreadResult::default());
            }
            let mut rng = SplitMix64::new(self.seed(t));
            let mut key = vec![0u8; cfg.key_size];
            let mut res = ThreadResult::default();
            let mut t0 = Instant::now();
            while !done.load(Ordering::Relaxed) {
                format_key(rng.below(cfg.num), &mut key);
                engine.put(&key, self.values.pick(&mut rng), true)?;
                res.lap(&mut t0);
                res.ops += 1;
                res.bytes += (cfg.key_size + cfg.value_size) as u64;
            }
            Ok(res)
        })?;
        let what = what.into_inner().unwrap_or_else(|p| p.into_inner());
        let synced = r.ops;
        Ok(Report {
            user_bytes_written: r.bytes,
            extra: format!(
                "{synced} synced writes by {measured} thread(s) while {what}; {}",
                engine.shape()?
            ),
            ..r.into_report(engine.kind(), name, elapsed)
        })
    }

    /// One background thread does `--num` unsynced random writes (keeping
    /// flush and compaction busy) while `--threads` measured threads do
    /// synced writes until it finishes. Reports the synced writes.
    fn fillsync_during_compaction(&self, name: &str) -> Result<Report, BoxError> {
        let cfg = &self.cfg;
        let mut report = self.synced_writes_while(name, &|engine| {
            let start = Instant::now();
            let mut rng = SplitMix64::new(self.seed(cfg.threads));
            let mut key = vec![0u8; cfg.key_size];
            for _ in 0..cfg.num {
                format_key(rng.below(cfg.num), &mut key);
                engine.put(&key, self.values.pick(&mut rng), false)?;
            }
            Ok(format!(
                "{} unsynced writes ran ({:.0} ops/sec)",
                cfg.num,
                cfg.num as f64 / start.elapsed().as_secs_f64().max(1e-9)
            ))
        })?;
        report.user_bytes_written += cfg.num * (cfg.key_size + cfg.value_size) as u64;
        Ok(report)
    }
}

/// Waits until `engine` has reported no flush or compaction queued or
/// running for `--settle_quiet` in a row; returns when that quiet began.
/// Fails after `--settle_timeout` from `start`; says how things stand every
/// 10 s (`what` names the benchmark).
fn wait_until_quiet(
    engine: &dyn Engine,
    cfg: &Config,
    start: Instant,
    what: &str,
) -> Result<Instant, BoxError> {
    let mut idle_since: Option<Instant> = None;
    let mut last_progress = start;
    loop {
        let bg = engine.background()?;
        let now = Instant::now();
        if bg.idle {
            let since = *idle_since.get_or_insert(now);
            if now - since >= cfg.settle_quiet {
                return Ok(since);
            }
        } else {
            idle_since = None;
        }
        if now - start > cfg.settle_timeout {
            return Err(format!(
                "{what}: background work still going after {:.0} s: {}",
                cfg.settle_timeout.as_secs_f64(),
                bg.detail
            )
            .into());
        }
        if now - last_progress >= Duration::from_secs(10) {
            eprintln!(
                "{what}: {:.0} s: {}",
                (now - start).as_secs_f64(),
                bg.detail
            );
            last_progress = now;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The header's `Blob from:` text: which values go to blob files.
fn blob_text(engine: EngineKind, min_blob_size: Option<usize>) -> String {
    if engine != EngineKind::Siltdb {
        return "never (the peers keep every value in the tree)".into();
    }
    match min_blob_size {
        Some(usize::MAX) => "never (values stay in the tree)".into(),
        Some(b) => format!("{b} bytes"),
        None => format!(
            "{} bytes (engine default)",
            engine::siltdb_default_min_blob_size()
        ),
    }
}

/// `uptime`-style load text.
pub fn load_text(load: Option<[f64; 3]>) -> String {
    match load {
        Some([a, b, c]) => format!("load average: {a:.2}, {b:.2}, {c:.2}"),
        None => "load average: n/a".into(),
    }
}

/// Makes `dir` usable as a `--db` root: created with the marker if new or
/// empty; refused if it holds anything without the marker (so a mistyped
/// `--db` cannot have its contents removed by a fill), unless nothing will
/// be removed (`use_existing`).
fn prepare_root(dir: &Path, use_existing: bool) -> Result<(), BoxError> {
    std::fs::create_dir_all(dir)?;
    if dir.join(MARKER).exists() {
        return Ok(());
    }
    let empty = std::fs::read_dir(dir)?.next().is_none();
    if empty {
        std::fs::write(dir.join(MARKER), b"")?;
        return Ok(());
    }
    if use_existing {
        return Ok(());
    }
    Err(format!(
        "refusing to use {} as --db: it is not empty and has no {MARKER} file \
         (siltdb-bench keeps each engine's database in <db>/<engine> and \
         removes it before a fill); pass a new or empty directory",
        dir.display()
    )
    .into())
}
