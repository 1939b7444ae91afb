//! [`RecoveryReport`]: what an open found and did, for the embedder (and
//! the server, which logs it) to see.

use std::fmt;

use super::replay::DroppedTail;
use super::wal::IgnoredRecords;
use crate::wal::TornKind;

/// A file open removed, and why it was proved garbage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedFile {
    /// The file's name.
    pub name: String,
    /// Why it was garbage (format-spec/manifest.md, "Garbage").
    pub reason: String,
}

/// What [`crate::Db::open`] found in the directory and did about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// True if the directory held no database and a new one was created.
    pub created: bool,
    /// The MANIFEST recovery replayed (`None` for a new database).
    pub manifest: Option<String>,
    /// The WALs replayed, oldest first.
    pub wals_replayed: Vec<String>,
    /// Final records dropped as torn, from WALs and the MANIFEST: the
    /// database is as of the last record before each.
    pub dropped: Vec<DroppedTail>,
    /// Complete WAL records not replayed because an earlier WAL lost its
    /// unsynced tail (point-in-time recovery across WALs: none of them was
    /// synced; format-spec/wal.md, "Recovery").
    pub ignored: Vec<IgnoredRecords>,
    /// Files removed as garbage once the new MANIFEST was durable.
    pub removed: Vec<RemovedFile>,
}

impl RecoveryReport {
    /// True if a dropped record was complete but failed its checksum: the
    /// unacknowledged tail of a crash, or an acknowledged write damaged on
    /// disk — the bytes cannot tell. Worth a look ([`crate::Options::strict_recovery`]
    /// refuses to open instead).
    pub fn dropped_a_complete_record(&self) -> bool {
        self.dropped
            .iter()
            .any(|d| d.kind == TornKind::ChecksumMismatch)
    }
}

/// One line per fact:
///
/// ```text
/// replayed MANIFEST-000002; WALs 000006.log
/// dropped final record fails its checksum at offset 391 of 000006.log (57 bytes)
/// ignored 3 complete records (180 bytes) from offset 0 of 000007.log not replayed: ...
/// removed 000009.sst: a table numbered at or above next_file_number 8: ...
/// ```
impl fmt::Display for RecoveryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.created {
            f.write_str("created a new database")?;
        } else {
            write!(
                f,
                "replayed {}; WALs {}",
                self.manifest.as_deref().unwrap_or("-"),
                if self.wals_replayed.is_empty() {
                    "none".to_string()
                } else {
                    self.wals_replayed.join(", ")
                }
            )?;
        }
        for d in &self.dropped {
            write!(f, "\ndropped {d}")?;
        }
        for i in &self.ignored {
            write!(f, "\nignored {i}")?;
        }
        for r in &self.removed {
            write!(f, "\nremoved {}: {}", r.name, r.reason)?;
        }
        Ok(())
    }
}
