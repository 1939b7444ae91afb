//! Benchmarks for siltdb.
//!
//! Three parts:
//!
//! * criterion micro-benchmarks in `benches/` (`memtable_insert`,
//!   `block_build_seek`, `bloom_probe`, `dynamo_items`), run with
//!   `cargo bench -p siltdb-benches`;
//! * `siltdb-bench`, a workload driver modelled on RocksDB's `db_bench`
//!   (`src/bin/siltdb-bench.rs`) that runs the same workloads on siltdb
//!   and, built with the `peers` feature, on RocksDB and fjall through one
//!   [`engine::Engine`] interface. Its building blocks live in this
//!   library: a fast PRNG ([`rng`]), db_bench-style keys ([`keys`]), value
//!   bytes ([`values`]), a latency histogram ([`histogram`]), the kernel's
//!   write and memory counters ([`procfs`]), the workloads ([`driver`]),
//!   their results ([`report`], [`results`]) and the chart of a results
//!   file ([`chart`], binary `siltdb-bench-chart`);
//! * `siltdb-load`, a load driver for `siltdb serve` over HTTP
//!   (`src/bin/siltdb-load.rs`, workload in [`load`], its HTTP/1.1 client
//!   in [`http1`]).
#![warn(missing_docs)]

pub mod chart;
pub mod driver;
pub mod engine;
pub mod histogram;
pub mod http1;
pub mod keys;
pub mod load;
pub mod procfs;
pub mod report;
pub mod results;
pub mod rng;
pub mod values;
