//! File names in a database directory. Spec: format-spec/manifest.md#file-naming.

use std::path::{Path, PathBuf};

/// What a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `NNNNNN.log`
    Wal(u64),
    /// `NNNNNN.sst`
    Table(u64),
    /// `NNNNNN.blob`
    Blob(u64),
    /// `MANIFEST-NNNNNN`
    Manifest(u64),
    /// `CURRENT`
    Current,
    /// `LOCK`
    Lock,
    /// `*.tmp`
    Temp,
}

/// Parses a directory entry name; `None` for files that are not ours.
pub fn parse(name: &str) -> Option<FileKind> {
    match name {
        "CURRENT" => return Some(FileKind::Current),
        "LOCK" => return Some(FileKind::Lock),
        _ => {}
    }
    if name.ends_with(".tmp") {
        return Some(FileKind::Temp);
    }
    if let Some(n) = name.strip_prefix("MANIFEST-") {
        return n.parse().ok().map(FileKind::Manifest);
    }
    if let Some(n) = name.strip_suffix(".log") {
        return n.parse().ok().map(FileKind::Wal);
    }
    if let Some(n) = name.strip_suffix(".sst") {
        return n.parse().ok().map(FileKind::Table);
    }
    if let Some(n) = name.strip_suffix(".blob") {
        return n.parse().ok().map(FileKind::Blob);
    }
    None
}

/// `NNNNNN.log`
pub fn wal_name(n: u64) -> String {
    format!("{n:06}.log")
}
/// `NNNNNN.sst`
pub fn table_name(n: u64) -> String {
    format!("{n:06}.sst")
}
/// `NNNNNN.blob`
pub fn blob_name(n: u64) -> String {
    crate::vlog::blob_file_name(n)
}
/// `MANIFEST-NNNNNN`
pub fn manifest_name(n: u64) -> String {
    format!("MANIFEST-{n:06}")
}

/// `dir/name`
pub fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(parse(&wal_name(7)), Some(FileKind::Wal(7)));
        assert_eq!(parse(&table_name(1234567)), Some(FileKind::Table(1234567)));
        assert_eq!(parse(&manifest_name(3)), Some(FileKind::Manifest(3)));
        assert_eq!(parse(&blob_name(42)), Some(FileKind::Blob(42)));
        assert_eq!(blob_name(42), "000042.blob");
        assert_eq!(parse("CURRENT"), Some(FileKind::Current));
        assert_eq!(parse("CURRENT.tmp"), Some(FileKind::Temp));
        assert_eq!(parse("notes.txt"), None);
        assert_eq!(parse("x.sst"), None);
    }
}
