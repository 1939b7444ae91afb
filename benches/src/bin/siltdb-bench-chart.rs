//! `siltdb-bench-chart`: draws the results files `siltdb-bench --results`
//! wrote as one SVG, engines side by side per workload.
//!
//! ```text
//! siltdb-bench-chart --results benches/results/baseline/baseline.jsonl --output benches/baseline.svg
//! siltdb-bench-chart --results benches/results/baseline/baseline.jsonl --markdown
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
    output: Option<PathBuf>,
    /// Print the figures as a Markdown table (engines side by side, runs
    /// separated by " / ", siltdb's ratio to each peer run by run).
    #[arg(long)]
    markdown: bool,
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
    if a.markdown {
        print!(
            "{}\n{}",
            chart::markdown(&records),
            chart::rss_markdown(&records)
        );
    }
    if let Some(out) = &a.output {
        if let Err(e) = chart::draw(&records, out, &a.title) {
            eprintln!("siltdb-bench-chart: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
