//! `siltdb-bench`: a db_bench-style workload driver for siltdb.
//!
//! ```text
//! siltdb-bench --benchmarks fillseq,fillrandom,overwrite,readrandom,readseq,seekrandom \
//!     --num 1000000 --sync false
//! ```
//!
//! `--num` and `--reads` are totals split across `--threads` (db_bench gives
//! each thread `--num`); see `siltdb_benches::driver` for every convention.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Parser};
use siltdb_benches::driver::{Config, Runner, BENCHMARKS};

/// db_bench-style benchmarks for siltdb.
#[derive(Parser, Debug)]
#[command(name = "siltdb-bench", version, about, long_about = None)]
struct Args {
    /// Comma-separated benchmarks, run in order: fillseq, fillrandom,
    /// overwrite, readrandom, readseq, seekrandom, readwhilewriting,
    /// fillsync_during_compaction.
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
    /// fdatasync the WAL on every write.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_value_t = false,
          default_missing_value = "true")]
    sync: bool,
    /// Threads per benchmark.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Database directory (default: a fresh temporary directory, removed at exit).
    /// Fill benchmarks wipe it unless --use_existing_db.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Keep the database in --db as it is, even for fill benchmarks.
    #[arg(long = "use_existing_db", action = ArgAction::Set, num_args = 0..=1,
          default_value_t = false, default_missing_value = "true")]
    use_existing_db: bool,
    /// Memtable size in bytes (default: the engine's).
    #[arg(long = "write_buffer_size")]
    write_buffer_size: Option<usize>,
    /// Target size of L1 in bytes (default: the engine's).
    #[arg(long = "max_bytes_for_level_base")]
    max_bytes_for_level_base: Option<u64>,
    /// Bloom filter bits per key (0: no filter).
    #[arg(long = "bloom_bits", default_value_t = 10)]
    bloom_bits: u32,
    /// Values of at least this many bytes go to blob files (default: the
    /// engine's; 18446744073709551615 keeps every value in the tree).
    #[arg(long = "min_blob_size")]
    min_blob_size: Option<usize>,
    /// Flush and compact_range(None, None) after writes, before the next read benchmark.
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
        bloom_bits: a.bloom_bits,
        min_blob_size: a.min_blob_size,
        compact: a.compact,
        seed: a.seed,
        statistics: a.statistics,
    };
    let mut runner = match Runner::new(cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("siltdb-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", runner.header());
    match runner.run() {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("siltdb-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
