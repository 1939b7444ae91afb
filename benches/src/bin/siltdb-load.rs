//! `siltdb-load`: PutItem / GetItem / Query load on a DynamoDB endpoint
//! (`siltdb serve`) over HTTP, from N concurrent connections; requests/s
//! and latency percentiles per operation.
//!
//! ```text
//! cargo run --release -p siltdb-server -- serve --data-dir /tmp/loaddata &
//! cargo run --release -p siltdb-benches --bin siltdb-load -- \
//!     --endpoint http://127.0.0.1:8000 --connections 32 --requests 200000 --ops put,get,query
//! ```
//!
//! Conventions (key scheme, phases, what latency covers) are in
//! `siltdb_benches::load`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use siltdb_benches::load::{self, Endpoint, Limit, LoadConfig, Op, PhaseReport};

/// HTTP load driver for siltdb's DynamoDB endpoint.
#[derive(Parser, Debug)]
#[command(name = "siltdb-load", version, about, long_about = None)]
struct Args {
    /// The server, `http://host:port`.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    endpoint: String,
    /// Concurrent connections, each with one request in flight.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Requests per operation (over all connections).
    #[arg(long, conflicts_with = "duration")]
    requests: Option<u64>,
    /// Seconds per operation, instead of --requests.
    #[arg(long)]
    duration: Option<f64>,
    /// Operations, run one after another: put, get, query.
    #[arg(long, value_delimiter = ',', default_value = "put,get,query")]
    ops: Vec<String>,
    /// Bytes of the non-key attribute of each item.
    #[arg(long, default_value_t = 100)]
    item_bytes: usize,
    /// Items per partition key (what one Query returns).
    #[arg(long, default_value_t = 10)]
    per_partition: u64,
    /// Key space of get and query when no put runs first (the items an
    /// earlier run put).
    #[arg(long, default_value_t = 100_000)]
    keys: u64,
    /// Table to use; created if missing.
    #[arg(long, default_value = "siltdb-load")]
    table: String,
    /// Client threads (the driver shares the machine with the server).
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("siltdb-load: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let ops = args
        .ops
        .iter()
        .map(|s| Op::parse(s.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    let limit = match (args.requests, args.duration) {
        (_, Some(secs)) if secs > 0.0 && secs.is_finite() => {
            Limit::Duration(Duration::from_secs_f64(secs))
        }
        (_, Some(secs)) => return Err(format!("--duration {secs}: must be positive")),
        (Some(n), None) => Limit::Requests(n),
        (None, None) => Limit::Requests(100_000),
    };
    if args.connections == 0 {
        return Err("--connections must be at least 1".into());
    }
    let config = LoadConfig {
        endpoint: Endpoint::parse(&args.endpoint)?,
        table: args.table,
        connections: args.connections,
        limit,
        item_bytes: args.item_bytes,
        per_partition: args.per_partition.max(1),
        keys: args.keys,
    };
    println!(
        "siltdb-load: {} table {}, {} connections, {} client threads, {}-byte items, {} per partition, {}",
        args.endpoint,
        config.table,
        config.connections,
        args.threads,
        config.item_bytes,
        config.per_partition,
        match limit {
            Limit::Requests(n) => format!("{n} requests per op"),
            Limit::Duration(d) => format!("{:.1} s per op", d.as_secs_f64()),
        }
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async {
        load::ensure_table(&config).await?;
        println!("{}", PhaseReport::HEADER);
        let mut keys = config.keys;
        for op in ops {
            let report = load::run_phase(&config, op, keys).await?;
            if op == Op::Put {
                keys = report.requests;
            }
            println!("{report}");
        }
        Ok(())
    })
}
