//! Spec: format-spec/manifest.md
//!
//! The manifest: which table files make up the database, at which level.
//!
//! A MANIFEST file is a sequence of WAL-framed records, each holding one
//! encoded [`VersionEdit`]; replaying them in order with
//! [`ManifestState::apply`] rebuilds the current [`Version`]. Reading and
//! writing the files themselves (and `CURRENT`) is the DB's job; this module
//! owns the edit encoding and the in-memory file set.

mod blobs;
mod edit;
mod version;

pub use blobs::{BlobFileMeta, BlobFileState, BlobGarbage, BlobSet, TableBlobRefs};
pub use edit::{FileMeta, VersionEdit};
pub use version::Version;

use crate::{Error, Result};

/// Number of levels in the LSM tree (L0 through L6).
pub const NUM_LEVELS: usize = 7;

/// Name of the file that names the current MANIFEST.
pub const CURRENT_FILE: &str = "CURRENT";

/// Name of the MANIFEST file with the given number: `MANIFEST-NNNNNN`.
pub fn manifest_file_name(number: u64) -> String {
    format!("MANIFEST-{number:06}")
}

/// Parses the contents of `CURRENT`: a MANIFEST file name followed by `\n`.
///
/// Returns the manifest's file name. Anything else is corruption.
pub fn parse_current(contents: &[u8]) -> Result<String> {
    let bad = |reason: &str| Error::corruption(CURRENT_FILE, 0, reason);
    let name = contents
        .strip_suffix(b"\n")
        .ok_or_else(|| bad("CURRENT does not end with a newline"))?;
    let digits = name
        .strip_prefix(b"MANIFEST-")
        .ok_or_else(|| bad("CURRENT does not name a MANIFEST-NNNNNN file"))?;
    if digits.len() < 6 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad("CURRENT does not name a MANIFEST-NNNNNN file"));
    }
    // All ASCII digits, so this is valid UTF-8.
    String::from_utf8(name.to_vec()).map_err(|_| bad("CURRENT is not UTF-8"))
}

/// The state recovered by replaying a MANIFEST: the file set plus the
/// counters, each taking the last value any edit set.
#[derive(Debug, Clone, Default)]
pub struct ManifestState {
    /// The current file set.
    pub version: Version,
    /// Last `log_number` seen (0 if none).
    pub log_number: u64,
    /// Last `next_file_number` seen (0 if none).
    pub next_file_number: u64,
    /// Last `last_sequence` seen (0 if none).
    pub last_sequence: u64,
}

impl ManifestState {
    /// Applies one replayed edit; `file`/`offset` locate its record for errors.
    pub fn apply(&mut self, edit: &VersionEdit, file: &str, offset: u64) -> Result<()> {
        self.version = self.version.apply_at(edit, file, offset)?;
        if let Some(v) = edit.log_number {
            self.log_number = v;
        }
        if let Some(v) = edit.next_file_number {
            self.next_file_number = v;
        }
        if let Some(v) = edit.last_sequence {
            self.last_sequence = v;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_file_parsing() {
        assert_eq!(manifest_file_name(12), "MANIFEST-000012");
        assert_eq!(
            parse_current(b"MANIFEST-000012\n").unwrap(),
            "MANIFEST-000012"
        );
        assert_eq!(
            parse_current(b"MANIFEST-1234567\n").unwrap(),
            "MANIFEST-1234567"
        );
        for bad in [
            &b"MANIFEST-000012"[..],
            b"MANIFEST-12\n",
            b"000012.log\n",
            b"",
            b"MANIFEST-00001x\n",
        ] {
            assert!(parse_current(bad).unwrap_err().is_corruption());
        }
    }

    #[test]
    fn replay_takes_last_values() {
        let mut s = ManifestState::default();
        let e1 = VersionEdit {
            log_number: Some(3),
            next_file_number: Some(4),
            last_sequence: Some(10),
            ..Default::default()
        };
        let e2 = VersionEdit {
            last_sequence: Some(20),
            ..Default::default()
        };
        s.apply(&e1, "MANIFEST-000001", 0).unwrap();
        s.apply(&e2, "MANIFEST-000001", 30).unwrap();
        assert_eq!(
            (s.log_number, s.next_file_number, s.last_sequence),
            (3, 4, 20)
        );
        let bad = VersionEdit {
            deleted_files: vec![(2, 99)],
            ..Default::default()
        };
        match s.apply(&bad, "MANIFEST-000001", 60) {
            Err(Error::Corruption { file, offset, .. }) => {
                assert_eq!((file.as_str(), offset), ("MANIFEST-000001", 60))
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }
}
