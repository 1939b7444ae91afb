//! The storage engine's and the DynamoDB layer's internals, for tools that
//! work below [`crate::Db`] and [`crate::dynamo::DynamoDb`]: fuzz targets
//! driving the decoders, benches timing a block or a filter, and
//! `siltdb check`, `dump` and `repair` reading a directory offline.
//!
//! Applications do not need this module, and it promises less: its items
//! follow the on-disk format and the engine's structure (each submodule is
//! named for the folder it comes from, and its format is specified in
//! `format-spec/`), so they change when those change.

/// Fixed-width and varint integer coding, masked CRC-32C (`coding.rs`).
pub mod coding {
    pub use crate::coding::*;
}

/// Internal keys: user key, sequence number and kind (`key.rs`).
pub mod key {
    pub use crate::key::*;
}

/// The write-ahead log: record format, writer, reader and its torn-tail
/// policies (`format-spec/wal.md`).
pub mod wal {
    pub use crate::wal::*;
}

/// Sorted tables: blocks, filters, footer, properties, the table reader and
/// builder (`format-spec/sstable.md`).
pub mod sstable {
    pub use crate::sstable::*;
}

/// Value separation: blob files, the blob index the tree stores, blob GC
/// decisions (`format-spec/value-log.md`).
pub mod vlog {
    pub use crate::vlog::*;
}

/// Version edits, versions and the MANIFEST's records
/// (`format-spec/manifest.md`).
pub mod manifest {
    pub use crate::manifest::*;
}

/// What a database directory holds and how it recovers: file names and
/// roles, MANIFEST and WAL replay, repair — the functions `Db::open` calls.
pub mod recovery {
    pub use crate::recovery::*;
}

/// The internal iterator interface the merging iterators are built on.
pub mod iter {
    pub use crate::iter::*;
}

/// Offline readers of a directory: `check`, `dump` and directory stats.
pub mod inspect {
    pub use crate::inspect::*;
}

/// Background I/O pacing.
pub mod ratelimit {
    pub use crate::ratelimit::*;
}

/// The DynamoDB layer's encodings: keys and where everything lives in the
/// key space, items, catalog records, stream records (`format-spec/keys.md`,
/// `items.md`, `streams.md`), and the rules a stored value meets.
pub mod dynamo {
    pub use crate::dynamo::indexes::entries as index;
    pub use crate::dynamo::items::codec as itemcodec;
    pub use crate::dynamo::items::validate;
    pub use crate::dynamo::keys::codec as keycodec;
    pub use crate::dynamo::keys::layout;
    pub use crate::dynamo::streams::record as stream_record;
    pub use crate::dynamo::tables::{catalog, schema};
}
