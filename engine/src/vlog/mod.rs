//! The value log: values of at least [`BlobOptions::min_blob_size`] bytes
//! are written once, when their write commits, to a blob file
//! (`NNNNNN.blob`), and the WAL, the memtable and the tables hold a
//! [`BlobIndex`] in their place, so compaction moves a few bytes per large
//! value instead of the value (WiscKey).
//! Spec: format-spec/value-log.md
//!
//! - [`format`](mod@format): the file header and record encoding, the
//!   record checksum of each [`BlobVersion`] (version 1 masked CRC-32, still
//!   read; version 2 XXH3, written), and [`BlobScanner`], a checked walk
//!   over a whole file (check, dump, fuzzing).
//! - [`index`]: [`BlobIndex`], the value of a `ValueBlob` entry.
//! - [`writer`] / [`reader`]: [`BlobWriter`] appends records; [`BlobReader`]
//!   reads one value with one positional read, as a [`BlobValue`].
//! - [`tally`]: [`BlobRefTally`], per-blob-file counts of the records
//!   entries point to, kept while a table is built or a compaction drops
//!   entries.
//! - [`replay`]: how much of a WAL recovery may replay, given the blob
//!   records it points to.
//! - [`gc`]: pure decisions over a [`crate::manifest::Version`]: which blob
//!   files are worth rewriting, and which table to compact for them.
//!
//! Which blob files exist, their garbage and which tables point into them
//! are version state: [`crate::manifest::BlobSet`].
// Bytes read here come from disk: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

pub mod format;
pub mod gc;
pub mod index;
pub mod reader;
pub mod replay;
pub mod tally;
pub mod writer;

pub use format::{BlobRecord, BlobScanner, BlobVersion, BLOB_FORMAT_VERSION, BLOB_MAGIC};
pub use index::BlobIndex;
pub use reader::{BlobReader, BlobValue};
pub use tally::BlobRefTally;
pub use writer::BlobWriter;

use crate::error::{Error, Result};

/// When values are separated and when blob files are rewritten.
#[derive(Debug, Clone, PartialEq)]
pub struct BlobOptions {
    /// Values of at least this many bytes are written to blob files; smaller
    /// ones stay in the tree. `usize::MAX` turns separation off. Default
    /// 4096, chosen by measurement (benches/RESULTS.md, "Value separation").
    pub min_blob_size: usize,
    /// The memtable is frozen (and a new WAL and blob file started) once its
    /// blob file holds this many bytes. Default 256 MiB.
    pub file_size: u64,
    /// A blob file whose live bytes fall below this fraction of its records
    /// is rewritten: compaction copies its live values to a new blob file.
    /// 0 never rewrites. Default 0.5 (at most one live byte copied per
    /// garbage byte reclaimed).
    pub gc_live_fraction: f64,
    /// When no level needs compacting, the compaction thread rewrites a
    /// table pointing into the emptiest candidate (format-spec/value-log.md,
    /// "Garbage collection"). With `false`, blob files are collected only by
    /// compactions that run anyway (and `Db::compact_range`), so every file
    /// operation comes from a caller's thread. Default true.
    pub background_gc: bool,
}

impl Default for BlobOptions {
    fn default() -> Self {
        BlobOptions {
            min_blob_size: 4096,
            file_size: 256 << 20,
            gc_live_fraction: 0.5,
            background_gc: true,
        }
    }
}

impl BlobOptions {
    /// True if a value of `len` bytes is written to a blob file.
    pub fn separates(&self, len: usize) -> bool {
        len >= self.min_blob_size
    }
}

/// Decodes the blob index stored as the value of a `ValueBlob` entry found
/// in `file` (a table, WAL or memtable name); a malformed index is
/// corruption there.
pub fn decode_entry_index(value: &[u8], file: &str, offset: u64) -> Result<BlobIndex> {
    BlobIndex::decode(value).map_err(|reason| Error::corruption(file, offset, reason))
}
