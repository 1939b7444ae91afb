//! File names in a database directory: the one place they are parsed and
//! spelled. Spec: format-spec/manifest.md, "Files in the database directory".
//!
//! A name is the engine's only if it is exactly how the engine spells it:
//! `parse(name)` succeeds iff `FileKind::name()` of the result gives `name`
//! back. So `5.log`, `+5.log`, `0000005.log` and `x.sst` are not siltdb
//! files, and the engine never reads, counts or removes them.
//!
//! A numbered file kind is one variant of [`FileKind`], one row in the
//! `NUMBERED` table, and its arm in [`super::layout::role`], which decides
//! what recovery does with it.

use std::fmt;
use std::path::{Path, PathBuf};

/// `CURRENT`: names the live MANIFEST.
pub const CURRENT: &str = "CURRENT";
/// `CURRENT.tmp`: a `CURRENT` being written (renamed over `CURRENT`).
pub const CURRENT_TMP: &str = "CURRENT.tmp";
/// `LOCK`: the advisory lock an open database holds.
pub const LOCK: &str = "LOCK";

/// What a directory entry of the engine's is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// `NNNNNN.log`: a write-ahead log.
    Wal(u64),
    /// `NNNNNN.sst`: a table.
    Table(u64),
    /// `NNNNNN.blob`: a blob (value-log) file of separated values.
    Blob(u64),
    /// `MANIFEST-NNNNNN`: a log of version edits.
    Manifest(u64),
    /// `CURRENT`.
    Current,
    /// `CURRENT.tmp`.
    CurrentTmp,
    /// `LOCK`.
    Lock,
}

/// How one numbered kind is spelled: prefix, zero-padded number, suffix,
/// and the kind.
type Spelling = (&'static str, &'static str, fn(u64) -> FileKind);

/// How each numbered kind is spelled. The numbers come from one counter
/// shared by every kind (a memtable's blob file takes its WAL's number).
const NUMBERED: [Spelling; 4] = [
    ("", ".log", FileKind::Wal),
    ("", ".sst", FileKind::Table),
    ("", ".blob", FileKind::Blob),
    ("MANIFEST-", "", FileKind::Manifest),
];

/// Digits of a file number: at least 6, zero-padded to 6, never a leading
/// zero beyond the padding — exactly what `{:06}` prints.
fn canonical_number(digits: &str) -> Option<u64> {
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    (format!("{n:06}") == digits).then_some(n)
}

impl FileKind {
    /// The kind of the directory entry `name`; `None` for names the engine
    /// never writes (they are not siltdb's and are left alone).
    pub fn parse(name: &str) -> Option<FileKind> {
        match name {
            CURRENT => return Some(FileKind::Current),
            CURRENT_TMP => return Some(FileKind::CurrentTmp),
            LOCK => return Some(FileKind::Lock),
            _ => {}
        }
        NUMBERED.iter().find_map(|(prefix, suffix, kind)| {
            let digits = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
            canonical_number(digits).map(kind)
        })
    }

    /// The entry's name, as the engine spells it.
    pub fn name(&self) -> String {
        match *self {
            FileKind::Current => CURRENT.to_string(),
            FileKind::CurrentTmp => CURRENT_TMP.to_string(),
            FileKind::Lock => LOCK.to_string(),
            FileKind::Wal(n) | FileKind::Table(n) | FileKind::Blob(n) | FileKind::Manifest(n) => {
                let (prefix, suffix) = NUMBERED
                    .iter()
                    .find(|(_, _, kind)| kind(n) == *self)
                    .map_or(("", ""), |(p, s, _)| (*p, *s));
                format!("{prefix}{n:06}{suffix}")
            }
        }
    }

    /// `dir/name`.
    pub fn path(&self, dir: &Path) -> PathBuf {
        dir.join(self.name())
    }

    /// The file number of a numbered kind.
    pub fn number(&self) -> Option<u64> {
        match *self {
            FileKind::Wal(n) | FileKind::Table(n) | FileKind::Blob(n) | FileKind::Manifest(n) => {
                Some(n)
            }
            FileKind::Current | FileKind::CurrentTmp | FileKind::Lock => None,
        }
    }

    /// A short label for reports: `wal`, `sst`, `blob`, `manifest`,
    /// `current`, `other` (`CURRENT.tmp` and `LOCK`).
    pub fn label(&self) -> &'static str {
        match self {
            FileKind::Wal(_) => "wal",
            FileKind::Table(_) => "sst",
            FileKind::Blob(_) => "blob",
            FileKind::Manifest(_) => "manifest",
            FileKind::Current => "current",
            FileKind::CurrentTmp | FileKind::Lock => "other",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// `NNNNNN.log`.
pub fn wal_name(n: u64) -> String {
    FileKind::Wal(n).name()
}

/// `NNNNNN.sst`.
pub fn table_name(n: u64) -> String {
    FileKind::Table(n).name()
}

/// `NNNNNN.blob`.
pub fn blob_name(n: u64) -> String {
    FileKind::Blob(n).name()
}

/// `MANIFEST-NNNNNN`.
pub fn manifest_name(n: u64) -> String {
    FileKind::Manifest(n).name()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in [
            FileKind::Wal(7),
            FileKind::Table(1_234_567),
            FileKind::Blob(42),
            FileKind::Manifest(3),
            FileKind::Wal(0),
            FileKind::Table(u64::MAX),
            FileKind::Current,
            FileKind::CurrentTmp,
            FileKind::Lock,
        ] {
            assert_eq!(FileKind::parse(&kind.name()), Some(kind), "{kind}");
        }
        assert_eq!(wal_name(7), "000007.log");
        assert_eq!(table_name(1_234_567), "1234567.sst");
        assert_eq!(manifest_name(12), "MANIFEST-000012");
        assert_eq!(blob_name(42), "000042.blob");
        assert_eq!(FileKind::Wal(7).number(), Some(7));
        assert_eq!(FileKind::Current.number(), None);
    }

    /// Names the engine never writes are not its files, whichever way a
    /// number parser would have read them (`"+5.log"` was a WAL to the
    /// engine and not to `check` before there was one parser).
    #[test]
    fn only_canonical_spellings_are_ours() {
        for name in [
            "+5.log",
            "+00005.log",
            "5.log",
            "00005.log",
            "0000005.log",
            "000005.LOG",
            "x.sst",
            ".sst",
            "5.blob",
            "0000005.blob",
            "000005.BLOB",
            "000005.sst.tmp",
            "MANIFEST-",
            "MANIFEST-5",
            "MANIFEST-0000005",
            "MANIFEST--00005",
            "MANIFEST-00000x",
            "000001.log ",
            "99999999999999999999.sst",
            "current",
            "CURRENT.tmp2",
            "other.tmp",
            "notes.txt",
            "",
        ] {
            assert_eq!(FileKind::parse(name), None, "{name:?}");
        }
    }
}
