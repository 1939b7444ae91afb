//! Benchmarks for siltdb.
//!
//! Two parts:
//!
//! * criterion micro-benchmarks in `benches/` (`memtable_insert`,
//!   `block_build_seek`, `bloom_probe`), run with `cargo bench -p siltdb-benches`;
//! * `siltdb-bench`, a workload driver modelled on RocksDB's `db_bench`
//!   (`src/bin/siltdb-bench.rs`), whose building blocks live in this library:
//!   a fast PRNG ([`rng`]), db_bench-style keys ([`keys`]), a latency
//!   histogram ([`histogram`]) and the workloads themselves ([`driver`]);
//! * `siltdb-load`, a load driver for `siltdb serve` over HTTP
//!   (`src/bin/siltdb-load.rs`, workload in [`load`]).
#![warn(missing_docs)]

pub mod driver;
pub mod histogram;
pub mod keys;
pub mod load;
pub mod rng;
