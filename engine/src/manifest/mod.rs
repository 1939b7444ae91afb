//! Spec: format-spec/manifest.md
//!
//! The manifest: which table files make up the database, at which level.
//!
//! A MANIFEST file is a sequence of WAL-framed records, each holding one
//! encoded [`VersionEdit`]; replaying them in order with
//! [`crate::recovery::ManifestState::apply`] rebuilds the current
//! [`Version`]. Reading MANIFESTs and `CURRENT` is [`crate::recovery`]'s
//! job, writing them the DB's; this module owns the edit encoding and the
//! in-memory file set.
// Bytes read here come from disk: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod blobs;
mod edit;
pub mod history;
mod version;
#[cfg(test)]
mod version_tests;

pub use blobs::{BlobFileMeta, BlobFileState, BlobGarbage, BlobSet, TableBlobRefs};
pub use edit::{FileMeta, VersionEdit};
pub use history::HistoryRange;
pub use version::Version;

/// Number of levels in the LSM tree (L0 through L6).
pub const NUM_LEVELS: usize = 7;
