//! siltdb — DynamoDB you can embed.
//!
//! This crate holds the storage engine: a log-structured merge tree (WAL,
//! memtable, SSTables, manifest, leveled compaction) with its on-disk format
//! documented byte by byte in `format-spec/`.
//!
//! Applications use [`Db`] (a key-value store) or [`DynamoDb`] (DynamoDB's
//! API); everything they name is re-exported here, with the option types
//! [`Options`] nests, the request and response types in [`dynamo::api`],
//! and the file systems in [`fs`] (real files, an in-memory disk, a
//! fault-injecting one). Fuzz targets, benches and offline tools that work
//! below that use [`low_level`].
#![warn(missing_docs)]

mod batch;
mod cache;
mod coding;
mod compaction;
mod db;
pub mod dynamo;
mod error;
pub mod fs;
mod inspect;
mod iter;
mod key;
pub mod low_level;
mod manifest;
mod memtable;
mod options;
mod ratelimit;
mod recovery;
mod sstable;
mod stats;
mod vlog;
mod waiters;
mod wal;

#[cfg(test)]
mod datadriven;
#[cfg(test)]
mod testutil;

pub use batch::WriteBatch;
pub use compaction::CompactionOptions;
pub use db::{Checkpoint, Commit, Db, DbIterator, OnCommitted, PinnedValue, Snapshot};
pub use dynamo::{AttributeValue, DynamoDb, DynamoError, DynamoOptions, Item, Number};
pub use error::{Error, Result};
pub use manifest::HistoryRange;
pub use options::{Options, WriteOptions};
pub use recovery::RecoveryReport;
pub use sstable::TableOptions;
pub use stats::{LevelStats, Stats};
pub use vlog::BlobOptions;
