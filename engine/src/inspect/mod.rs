//! Offline inspection of a database directory: [`check_dir`] (is every file
//! intact?), [`dump_file`] (what does one file hold, in the spec's terms?)
//! and [`dir_stats`] (how big is each level?). They back the `siltdb check`,
//! `siltdb dump` and `siltdb stats` commands.
//! Spec: format-spec/README.md and the documents it lists.
//!
//! Contract shared by all three:
//! - **Read-only.** Every byte goes through [`crate::fs::Fs`]; nothing is created,
//!   renamed, removed or locked. A damaged directory is reported, never
//!   repaired.
//! - **Lock-free.** The directory's `LOCK` is not taken, so the tools can
//!   inspect a directory another process holds. They are meant for a
//!   directory that is *not* open: run on a live one, they may report files
//!   in flight (a table being written looks truncated, a WAL being appended
//!   may end in a torn record, a file deleted mid-run is reported missing or
//!   unreadable).
//! - **Never panic**, whatever the bytes: bad bytes are reported as the
//!   engine reports them, [`crate::Error::Corruption`] with file, offset and
//!   reason.
// Bytes read here come from disk or the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod blobs;
mod check;
mod dump;
mod stats;

#[cfg(test)]
mod blob_tests;
#[cfg(test)]
mod tests;

/// File kinds and missing files are [`crate::low_level::recovery`]'s.
pub use crate::recovery::{FileKind, MissingFile};
pub use check::{
    check_dir, CheckReport, Corruption, FileReport, FileStatus, LiveTable, ManifestSummary,
};
pub use dump::{dump_file, dump_file_with, DumpOptions};
pub use stats::{dir_stats, DirStats, LevelSummary};

use std::path::Path;

use crate::key::{parse_internal_key, ValueKind};

/// Bytes shown of a key or value before truncating, by default.
const DEFAULT_WIDTH: usize = 48;

/// Shows `bytes` as a quoted string: printable ASCII as itself (`"` and `\`
/// escaped with a backslash), every other byte as `\xNN`. At most `width`
/// bytes are shown; a longer input ends `"...(+N bytes)`.
fn escape(bytes: &[u8], width: usize) -> String {
    let shown = bytes.get(..width).unwrap_or(bytes);
    let mut s = String::with_capacity(shown.len() + 2);
    s.push('"');
    for &b in shown {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    if shown.len() < bytes.len() {
        s.push_str(&format!("...(+{} bytes)", bytes.len() - shown.len()));
    }
    s
}

/// `put`, `blob` or `del`: the kind as the dump and check output spell it.
fn kind_name(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Value => "put",
        ValueKind::ValueBlob => "blob",
        ValueKind::Deletion => "del",
    }
}

/// An internal key as one token: `"user"@seq:kind`, or the raw bytes with
/// `!bad-internal-key` if it is not one.
fn internal_key(ikey: &[u8], width: usize) -> String {
    match parse_internal_key(ikey) {
        Some(k) => format!(
            "{}@{}:{}",
            escape(k.user_key, width),
            k.seq,
            kind_name(k.kind)
        ),
        None => format!("{}!bad-internal-key", escape(ikey, width)),
    }
}

/// The last component of `path`, for error messages and output headers.
fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
