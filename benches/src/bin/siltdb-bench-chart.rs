//! `siltdb-bench-chart`: draws the results files `siltdb-bench --results`
//! wrote as one SVG, engines side by side per workload.
//!
//! ```text
//! siltdb-bench-chart --results benches/results/baseline.jsonl --output benches/baseline.svg
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use siltdb_benches::{chart, results};

/// Draws siltdb-bench results as an SVG chart.
#[derive(Parser, Debug)]
#[command(name = "siltdb-bench-chart", version, about, long_about = None)]
struct Args {
    /// Results files (JSON Lines from siltdb-bench --results), read in order.
    #[arg(long, required = true, num_args = 1..)]
    results: Vec<PathBuf>,
    /// SVG file to write.
    #[arg(long)]
    output: PathBuf,
    /// Chart title.
    #[arg(
        long,
        default_value = "siltdb-bench: siltdb, RocksDB and fjall side by side"
    )]
    title: String,
}

fn main() -> ExitCode {
    let a = Args::parse();
    let mut records = Vec::new();
    for path in &a.results {
        match results::read(path) {
            Ok(r) => records.extend(r),
            Err(e) => {
                eprintln!("siltdb-bench-chart: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    match chart::draw(&records, &a.output, &a.title) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("siltdb-bench-chart: {e}");
            ExitCode::FAILURE
        }
    }
}
