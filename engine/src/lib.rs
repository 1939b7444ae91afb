//! siltdb — DynamoDB you can embed.
//!
//! This crate holds the storage engine: a log-structured merge tree (WAL,
//! memtable, SSTables, manifest, leveled compaction) with its on-disk format
//! documented byte by byte in `format-spec/`.
//!
//! The low-level modules (`wal`, `sstable`, `vlog`, `manifest`, `recovery`,
//! `batch`, `key`, `coding`, `fs`) are public so fuzz targets, benches and
//! tools can drive the decoders and the recovery decisions directly;
//! applications use [`Db`].
#![warn(missing_docs)]

pub mod batch;
pub mod cache;
pub mod coding;
pub mod compaction;
mod db;
pub mod dynamo;
pub mod error;
pub mod fs;
pub mod inspect;
pub mod iter;
pub mod key;
pub mod manifest;
mod memtable;
mod options;
pub mod ratelimit;
pub mod recovery;
pub mod sstable;
mod stats;
pub mod vlog;
pub mod wal;

#[cfg(test)]
mod testutil;

pub use batch::WriteBatch;
pub use db::{Checkpoint, Commit, Db, DbIterator, OnCommitted, PinnedValue, Snapshot};
pub use dynamo::{AttributeValue, DynamoError, Item, Number};
pub use error::{Error, Result};
pub use manifest::HistoryRange;
pub use options::{Options, WriteOptions};
pub use recovery::RecoveryReport;
pub use stats::{LevelStats, Stats};
