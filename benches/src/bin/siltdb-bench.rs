//! `siltdb-bench`: a db_bench-style workload driver for siltdb and, built
//! with `--features peers`, RocksDB and fjall side by side.
//!
//! ```text
//! siltdb-bench --engine siltdb --benchmarks fillrandom,settle,readrandom \
//!     --num 10000000 --reads 1000000 --compact false --results results.jsonl
//! ```
//!
//! `--num` and `--reads` are totals split across `--threads` (db_bench gives
//! each thread `--num`); see `siltdb_benches::driver` for every convention.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgAction, Parser};
use siltdb_benches::driver::{load_text, Config, Runner, BENCHMARKS};
use siltdb_benches::engine::EngineKind;
use siltdb_benches::results;

/// db_bench-style benchmarks for siltdb (and its peers with `--features peers`).
#[derive(Parser, Debug)]
#[command(name = "siltdb-bench", version, about, long_about = None)]
struct Args {
    /// Engine to run: siltdb, or (built with --features peers) rocksdb or fjall.
    #[arg(long, default_value = "siltdb")]
    engine: EngineKind,
    /// Comma-separated benchmarks, run in order: fillseq, fillrandom,
    /// overwrite, settle, readrandom, readseq, seekrandom, readwhilewriting,
    /// fillsync_during_compaction, syncwhilesettling, syncwhilecompacting.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "fillseq,fillrandom,overwrite,readrandom,readseq,seekrandom"
    )]
    benchmarks: Vec<String>,
    /// Total write operations (split across threads) and the key space size.
    #[arg(long, default_value_t = 1_000_000)]
    num: u64,
    /// Total read operations (split across threads); default --num.
    #[arg(long)]
    reads: Option<u64>,
    /// Key size in bytes (zero-padded decimal key index).
    #[arg(long = "key_size", default_value_t = 16)]
    key_size: usize,
    /// Value size in bytes.
    #[arg(long = "value_size", default_value_t = 100)]
    value_size: usize,
    /// fdatasync the log on every write (every engine).
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_value_t = false,
          default_missing_value = "true")]
    sync: bool,
    /// Threads per benchmark.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Directory holding one database per engine (DB/ENGINE); default: a
    /// fresh temporary directory, removed at exit. Fill benchmarks wipe
    /// DB/ENGINE unless --use_existing_db.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Keep the database in --db as it is, even for fill benchmarks.
    #[arg(long = "use_existing_db", action = ArgAction::Set, num_args = 0..=1,
          default_value_t = false, default_missing_value = "true")]
    use_existing_db: bool,
    /// Memtable size in bytes (default: siltdb's, also given to RocksDB;
    /// fjall keeps its default).
    #[arg(long = "write_buffer_size")]
    write_buffer_size: Option<usize>,
    /// Target size of L1 in bytes (default: each engine's).
    #[arg(long = "max_bytes_for_level_base")]
    max_bytes_for_level_base: Option<u64>,
    /// siltdb only: dynamic level sizing on or off (default: the engine's).
    /// RocksDB always runs with it; fjall has no such option.
    #[arg(long = "dynamic_level_bytes")]
    dynamic_level_bytes: Option<bool>,
    /// siltdb only: L0 file count that triggers an L0 compaction (default:
    /// the engine's). RocksDB keeps its default (4).
    #[arg(long = "level0_file_num_compaction_trigger")]
    level0_file_num_compaction_trigger: Option<usize>,
    /// siltdb only: size at which compaction outputs are split (default:
    /// the engine's). RocksDB keeps its default (64 MiB).
    #[arg(long = "target_file_size_base")]
    target_file_size_base: Option<u64>,
    /// Bloom filter bits per key (0: no filter); fjall keeps its default.
    #[arg(long = "bloom_bits", default_value_t = 10)]
    bloom_bits: u32,
    /// siltdb only: values of at least this many bytes go to blob files
    /// (default: the engine's; 18446744073709551615 keeps every value in the
    /// tree). The peers keep every value in their trees.
    #[arg(long = "min_blob_size")]
    min_blob_size: Option<usize>,
    /// siltdb only: bytes of zeros kept written ahead of a synced WAL's
    /// records, so a synced write's fdatasync commits no file metadata
    /// (default: the engine's; 0 turns it off)
    #[arg(long = "wal_preallocate_bytes")]
    wal_preallocate_bytes: Option<u64>,
    /// siltdb only: obsolete synced WAL files kept and reused for new WALs,
    /// so a synced write overwrites blocks the file already has (default:
    /// the engine's; 0 turns it off)
    #[arg(long = "wal_recycle_files")]
    wal_recycle_files: Option<usize>,
    /// Flush and compact everything after writes, before the next read benchmark.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_value_t = true,
          default_missing_value = "true")]
    compact: bool,
    /// Seed of the key and value generators.
    #[arg(long, default_value_t = Config::default().seed)]
    seed: u64,
    /// Print the engine's statistics after each benchmark.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_value_t = false,
          default_missing_value = "true")]
    statistics: bool,
    /// settle: milliseconds background work must stay stopped.
    #[arg(long = "settle_quiet_ms", default_value_t = 1000)]
    settle_quiet_ms: u64,
    /// settle: give up after this many seconds.
    #[arg(long = "settle_timeout_s", default_value_t = 3600)]
    settle_timeout_s: u64,
    /// Append one JSON object per benchmark to this file (for siltdb-bench-chart).
    #[arg(long)]
    results: Option<PathBuf>,
    /// Workload label stored with the results (e.g. "10M x 100 B").
    #[arg(long, default_value = "")]
    label: String,
    /// Run name stored with the results (runs of a label are drawn side by side).
    #[arg(long, default_value = "1")]
    run: String,
}

fn main() -> ExitCode {
    let a = Args::parse();
    for b in &a.benchmarks {
        if !b.trim().is_empty() && !BENCHMARKS.contains(&b.trim()) {
            eprintln!("unknown benchmark {b:?}; known: {}", BENCHMARKS.join(","));
            return ExitCode::from(2);
        }
    }
    let cfg = Config {
        engine: a.engine,
        benchmarks: a.benchmarks,
        num: a.num,
        reads: a.reads,
        key_size: a.key_size,
        value_size: a.value_size,
        sync: a.sync,
        threads: a.threads,
        db: a.db,
        use_existing_db: a.use_existing_db,
        write_buffer_size: a.write_buffer_size,
        max_bytes_for_level_base: a.max_bytes_for_level_base,
        dynamic_level_bytes: a.dynamic_level_bytes,
        l0_compaction_trigger: a.level0_file_num_compaction_trigger,
        target_file_size: a.target_file_size_base,
        bloom_bits: a.bloom_bits,
        min_blob_size: a.min_blob_size,
        wal_preallocate_bytes: a.wal_preallocate_bytes,
        wal_recycle_files: a.wal_recycle_files,
        compact: a.compact,
        seed: a.seed,
        statistics: a.statistics,
        settle_quiet: Duration::from_millis(a.settle_quiet_ms),
        settle_timeout: Duration::from_secs(a.settle_timeout_s),
    };
    match run(cfg.clone(), &a.results, &a.label, &a.run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("siltdb-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    cfg: Config,
    results_file: &Option<PathBuf>,
    label: &str,
    run: &str,
) -> Result<(), siltdb_benches::driver::BoxError> {
    let mut runner = Runner::new(cfg.clone())?;
    println!("{}", runner.header());
    println!(
        "Engine:     {}",
        runner.describe_engine()?.replace('\n', "\n            ")
    );
    println!("------------------------------------------------");
    runner.run_with(|report| match results_file {
        Some(path) => results::append(path, &[results::record(label, run, &cfg, report)]),
        None => Ok(()),
    })?;
    runner.close()?;
    println!("end: {}", load_text(siltdb_benches::procfs::load_average()));
    Ok(())
}
