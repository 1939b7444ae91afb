//! Offline inspection of a database directory: [`check_dir`] (is every file
//! intact?), [`dump_file`] (what does one file hold, in the spec's terms?)
//! and [`dir_stats`] (how big is each level?). They back the `siltdb check`,
//! `siltdb dump` and `siltdb stats` commands.
//! Spec: format-spec/README.md and the documents it lists.
//!
//! Contract shared by all three:
//! - **Read-only.** Every byte goes through [`Fs`]; nothing is created,
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

mod blobs;
mod check;
mod dump;
mod stats;

#[cfg(test)]
mod blob_tests;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

pub use check::{
    check_dir, CheckReport, Corruption, FileReport, FileStatus, LiveTable, ManifestSummary,
    MissingFile,
};
pub use dump::{dump_file, dump_file_with, DumpOptions};
pub use stats::{dir_stats, DirStats, LevelSummary};

use crate::error::{Error, Result};
use crate::fs::Fs;
use crate::key::{parse_internal_key, ValueKind};
use crate::manifest::{parse_current, ManifestState, VersionEdit, CURRENT_FILE};
use crate::wal::{LogReader, TailPolicy, HEADER_LEN};

/// What a directory entry is, by its name (format-spec/manifest.md, "Files in
/// the database directory").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// `NNNNNN.log`: a write-ahead log.
    Wal,
    /// `NNNNNN.sst`: a table.
    Sst,
    /// `NNNNNN.blob`: a blob file (separated values).
    Blob,
    /// `MANIFEST-NNNNNN`.
    Manifest,
    /// `CURRENT`.
    Current,
    /// Anything else: `LOCK`, `CURRENT.tmp`, files that are not siltdb's.
    Other,
}

impl FileKind {
    /// The kind of the directory entry `name`.
    pub fn of(name: &str) -> FileKind {
        parse_name(name).0
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Wal => "wal",
            FileKind::Sst => "sst",
            FileKind::Blob => "blob",
            FileKind::Manifest => "manifest",
            FileKind::Current => "current",
            FileKind::Other => "other",
        })
    }
}

/// Splits a directory entry name into its kind and file number.
///
/// Mirrors `db::filenames::parse` (private to the DB): a number is one or
/// more ASCII digits; `x.sst` or `MANIFEST-` without digits is not ours.
fn parse_name(name: &str) -> (FileKind, Option<u64>) {
    fn number(digits: &str) -> Option<u64> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }
    if name == CURRENT_FILE {
        return (FileKind::Current, None);
    }
    let parsed = if let Some(n) = name.strip_prefix("MANIFEST-") {
        number(n).map(|n| (FileKind::Manifest, n))
    } else if let Some(n) = name.strip_suffix(".log") {
        number(n).map(|n| (FileKind::Wal, n))
    } else if let Some(n) = name.strip_suffix(".sst") {
        number(n).map(|n| (FileKind::Sst, n))
    } else if let Some(n) = name.strip_suffix(".blob") {
        number(n).map(|n| (FileKind::Blob, n))
    } else {
        None
    };
    match parsed {
        Some((kind, n)) => (kind, Some(n)),
        None => (FileKind::Other, None),
    }
}

/// `NNNNNN.log`, as the DB names it.
fn wal_name(n: u64) -> String {
    format!("{n:06}.log")
}

/// `NNNNNN.sst`, as the DB names it.
fn table_name(n: u64) -> String {
    format!("{n:06}.sst")
}

/// True for an I/O error saying the file does not exist.
fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

/// Reads `CURRENT` in `dir` and returns the MANIFEST name it holds.
///
/// A missing `CURRENT` is the I/O error of the read; bad contents are
/// corruption of `CURRENT` (format-spec/manifest.md, "CURRENT").
fn read_current(fs: &dyn Fs, dir: &Path) -> Result<String> {
    let data = fs.read_all(&dir.join(CURRENT_FILE))?;
    parse_current(&data)
}

/// The result of replaying a MANIFEST the way recovery does.
#[derive(Debug, Clone)]
struct Replayed {
    /// The MANIFEST's file name.
    name: String,
    /// File set and counters after the last edit.
    state: ManifestState,
    /// Edits replayed.
    edits: usize,
    /// Where a dropped torn final record began, if one was dropped.
    torn_tail: Option<u64>,
    /// Size of the file in bytes.
    size: u64,
}

/// Replays the MANIFEST `name` in `dir` by the rules of
/// format-spec/manifest.md, "Recovery": a torn final record is dropped only
/// if the WAL numbered by the resulting `log_number` still exists; any other
/// bad record, an edit that fails to decode or apply, a counter never set, or
/// a `next_file_number` not above every live file and the MANIFEST itself is
/// corruption.
///
/// A missing MANIFEST is corruption naming it, as at open.
fn replay_manifest(fs: &dyn Fs, dir: &Path, name: &str) -> Result<Replayed> {
    let (kind, number) = parse_name(name);
    let number = match (kind, number) {
        (FileKind::Manifest, Some(n)) => n,
        _ => {
            return Err(Error::corruption(
                name,
                0,
                "not a MANIFEST-NNNNNN file name",
            ))
        }
    };
    let data = fs.read_all(&dir.join(name)).map_err(|e| {
        if is_not_found(&e) {
            Error::corruption(name, 0, "MANIFEST named by CURRENT is missing")
        } else {
            e
        }
    })?;
    let mut reader = LogReader::new(&data, name, TailPolicy::DropTornTail);
    let mut state = ManifestState::default();
    let mut edits = 0usize;
    let (mut log_set, mut next_set, mut seq_set) = (false, false, false);
    loop {
        let offset = reader.offset();
        let Some(record) = reader.next_record()? else {
            break;
        };
        let edit = VersionEdit::decode(record, name, offset.saturating_add(HEADER_LEN as u64))?;
        state.apply(&edit, name, offset)?;
        log_set |= edit.log_number.is_some();
        next_set |= edit.next_file_number.is_some();
        seq_set |= edit.last_sequence.is_some();
        edits += 1;
    }
    if edits == 0 {
        return Err(Error::corruption(name, 0, "MANIFEST holds no version edit"));
    }
    if let Some(torn_at) = reader.torn_tail() {
        let wal = wal_name(state.log_number);
        if !fs.exists(&dir.join(&wal)) {
            return Err(Error::corruption(
                name,
                torn_at,
                format!(
                    "damaged final record, and {wal} (the log number before it) is gone: \
                     a synced edit was lost"
                ),
            ));
        }
    }
    let unset: Vec<&str> = [
        (log_set, "log_number"),
        (next_set, "next_file_number"),
        (seq_set, "last_sequence"),
    ]
    .iter()
    .filter(|(set, _)| !set)
    .map(|(_, what)| *what)
    .collect();
    if !unset.is_empty() {
        return Err(Error::corruption(
            name,
            0,
            format!("no edit sets {}", unset.join(", ")),
        ));
    }
    let highest = state
        .version
        .all_file_numbers()
        .into_iter()
        .chain([number])
        .max()
        .unwrap_or(number);
    if state.next_file_number <= highest {
        return Err(Error::corruption(
            name,
            0,
            format!(
                "next_file_number {} does not exceed file number {highest} already in use",
                state.next_file_number
            ),
        ));
    }
    Ok(Replayed {
        name: name.to_string(),
        state,
        edits,
        torn_tail: reader.torn_tail(),
        size: data.len() as u64,
    })
}

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
