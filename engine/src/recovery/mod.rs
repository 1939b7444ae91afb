//! What a database directory holds and how it recovers: the one module
//! [`crate::Db::open`], [`crate::inspect::check_dir`], [`repair`] and the
//! fuzz targets share, so each applies the same rules.
//! Spec: format-spec/manifest.md ("Files in the database directory",
//! "Recovery", "Garbage"), format-spec/wal.md ("Reading").
//!
//! - [`filenames`]: the one parser and speller of file names.
//! - [`replay`]: `CURRENT`, and the one fold of version edits
//!   ([`ManifestState::apply`]) that replay and the running database share.
//! - [`layout`]: every entry's [`Role`] given the MANIFEST's state, the
//!   files that state needs and the directory lacks, and the torn-MANIFEST
//!   tail rule. Pure functions over a [`Listing`].
//! - [`wal`]: the one loop that reads a WAL's records as write batches.
//! - [`examine`]: the decision open makes before changing anything — no
//!   database, or a database with this MANIFEST state and these WALs to
//!   replay — or the corruption that forbids opening.
//! - [`repair`]: restores a lost `CURRENT`, never deleting anything.
//!
//! Blob files (format-spec/value-log.md) are one more [`FileKind`]: live
//! while the MANIFEST lists them or while the WAL of the same number is
//! live (a memtable's blob file takes its WAL's number), missing when the
//! MANIFEST lists them and the directory lacks them, and otherwise garbage
//! by the same rules as tables.
//!
//! Recovery never deletes a file it has not proved garbage (see
//! [`layout::role`]); open removes garbage only after its new MANIFEST is
//! durable.
// Bytes read here come from disk or the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

pub mod filenames;
pub mod layout;
mod repair;
pub mod replay;
mod report;
pub mod wal;

use std::path::Path;

pub use filenames::FileKind;
pub use layout::{Entry, Listing, MissingFile, Role};
pub use repair::{repair, RepairReport};
pub use replay::{
    parse_current, read_current, replay_manifest, DroppedTail, ManifestState, Replayed,
};
pub use report::{RecoveryReport, RemovedFile};

use crate::error::{Error, Result};
use crate::fs::{Fs, WritableFile};
use crate::manifest::VersionEdit;
use crate::wal::{LogReader, TailPolicy, TornKind};

/// What [`examine`] found.
#[derive(Debug)]
pub enum Found {
    /// No `CURRENT`, and no file that holds data: an empty directory, or
    /// one whose creation was interrupted before `CURRENT` existed. Open
    /// may create a database here.
    NoDatabase,
    /// A database: `CURRENT`, its MANIFEST replayed, every file it needs
    /// present.
    Database(Plan),
}

/// How a database directory recovers.
#[derive(Debug)]
pub struct Plan {
    /// The MANIFEST `CURRENT` names, replayed. A dropped torn tail in it has
    /// passed [`layout::check_dropped_manifest_tail`].
    pub manifest: Replayed,
    /// The WALs to replay, oldest first, through one [`wal::WalChain`].
    pub wals: Vec<u64>,
}

/// Decides what the directory `listing` describes holds, reading
/// `CURRENT`, the MANIFEST it names and (without `CURRENT`) whatever could
/// hold data. Read-only.
///
/// Errors: a directory with files that hold data but no `CURRENT` (so a
/// lost `CURRENT` never turns into an empty database: see [`repair`]); a
/// bad `CURRENT` or MANIFEST; a torn final MANIFEST record that was acted
/// on; a table, blob file or live WAL the MANIFEST names that is missing.
/// All are [`Error::Corruption`] naming the file.
pub fn examine(fs: &dyn Fs, dir: &Path, listing: &Listing) -> Result<Found> {
    if !listing.has(FileKind::Current) {
        let data = files_holding_data(fs, dir, listing);
        if data.is_empty() {
            return Ok(Found::NoDatabase);
        }
        return Err(missing_current(dir, &data));
    }
    let manifest = replay::read_manifest(fs, dir, read_current(fs, dir)?)?;
    let missing = layout::missing_files(listing, &manifest);
    layout::check_dropped_manifest_tail(listing, &manifest, &missing)?;
    if let Some(m) = missing.first() {
        let what = match FileKind::parse(&m.name) {
            Some(FileKind::Wal(_)) => "live WAL named by the MANIFEST is missing",
            Some(FileKind::Blob(_)) => "blob file named by the MANIFEST is missing",
            _ => "table file named by the MANIFEST is missing",
        };
        return Err(Error::corruption(
            m.name.clone(),
            0,
            format!("{what} ({})", m.reason),
        ));
    }
    let wals = wals_to_replay(listing, &manifest);
    Ok(Found::Database(Plan { manifest, wals }))
}

/// The WALs recovery replays, oldest first: the directory's WALs whose
/// [`Role`] is [`Role::LiveWal`] — the MANIFEST's live WALs from its
/// `log_number` on, or, for a MANIFEST that does not track WALs (format
/// version 1), every WAL from its `log_number` on.
pub fn wals_to_replay(listing: &Listing, manifest: &Replayed) -> Vec<u64> {
    let mut wals: Vec<u64> = layout::roles(listing, manifest)
        .into_iter()
        .filter_map(|(e, role)| match (role, e.kind) {
            (Role::LiveWal, Some(FileKind::Wal(n))) => Some(n),
            _ => None,
        })
        .collect();
    wals.sort_unstable();
    wals
}

/// Refuses, under strict recovery, a dropped final record that was
/// complete but failed its checksum: it may be an acknowledged write
/// damaged on disk rather than the tail of an interrupted append
/// (format-spec/wal.md, "Recovery").
pub fn accept_dropped_tail(tail: &DroppedTail, strict: bool) -> Result<()> {
    if strict && tail.kind == TornKind::ChecksumMismatch {
        return Err(tail.to_corruption(
            "refused by strict recovery: a complete record that fails its checksum may be \
             an acknowledged write damaged on disk (open without strict recovery to drop it)",
        ));
    }
    Ok(())
}

/// Refuses, under strict recovery, complete WAL records that point-in-time
/// recovery would leave unreplayed after an earlier WAL lost its tail: the
/// loss they follow may be damage to synced bytes rather than a crash's
/// unsynced tail (format-spec/wal.md, "Recovery").
pub fn accept_ignored_records(ignored: &wal::IgnoredRecords, strict: bool) -> Result<()> {
    if strict {
        return Err(ignored.to_corruption());
    }
    Ok(())
}

/// Points `CURRENT` at MANIFEST `number`: write `CURRENT.tmp`, fsync it,
/// rename it over `CURRENT`, fsync the directory (format-spec/manifest.md,
/// "CURRENT and switching manifests"). After an error `CURRENT` names the
/// old MANIFEST or the new one; which is not known until the directory is
/// read again.
pub fn write_current(fs: &dyn Fs, dir: &Path, number: u64) -> Result<()> {
    let tmp = FileKind::CurrentTmp.path(dir);
    let mut f: Box<dyn WritableFile> = fs.create(&tmp)?;
    f.append(format!("{}\n", FileKind::Manifest(number).name()).as_bytes())?;
    f.sync()?;
    drop(f);
    fs.rename(&tmp, &FileKind::Current.path(dir))?;
    fs.sync_dir(dir)
}

/// The engine's files in `listing` that hold (or may hold) data: every
/// table and blob file, every WAL with a byte that is not zero, every MANIFEST with an
/// edit that adds a table or that cannot be read cleanly. What an
/// interrupted creation leaves — an empty WAL, a MANIFEST naming no table,
/// `CURRENT.tmp` — is not data.
fn files_holding_data(fs: &dyn Fs, dir: &Path, listing: &Listing) -> Vec<String> {
    let mut data = Vec::new();
    for (entry, kind) in listing.files() {
        let holds = match kind {
            FileKind::Table(_) | FileKind::Blob(_) => true,
            FileKind::Wal(_) => match fs.read_all(&dir.join(&entry.name)) {
                Ok(bytes) => bytes.iter().any(|&b| b != 0),
                Err(_) => true,
            },
            FileKind::Manifest(_) => match fs.read_all(&dir.join(&entry.name)) {
                Ok(bytes) => manifest_may_name_tables(&bytes, &entry.name),
                Err(_) => true,
            },
            FileKind::Current | FileKind::CurrentTmp | FileKind::Lock => false,
        };
        if holds {
            data.push(entry.name.clone());
        }
    }
    data
}

/// True unless every record of the MANIFEST `bytes` reads and decodes and
/// none adds a table.
fn manifest_may_name_tables(bytes: &[u8], name: &str) -> bool {
    let mut reader = LogReader::new(bytes, name, TailPolicy::DropTornTail);
    loop {
        match reader.next_record() {
            Ok(None) => return false,
            Ok(Some(record)) => match VersionEdit::decode(record, name, 0) {
                Ok(edit) if edit.new_files.is_empty() => {}
                _ => return true,
            },
            Err(_) => return true,
        }
    }
}

/// The error for a directory with data but no `CURRENT`.
fn missing_current(dir: &Path, data: &[String]) -> Error {
    const SHOWN: usize = 8;
    let mut list = data
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if data.len() > SHOWN {
        list.push_str(&format!(" and {} more", data.len() - SHOWN));
    }
    Error::corruption(
        FileKind::Current.name(),
        0,
        format!(
            "CURRENT is missing, but {} holds database files ({list}); open refuses to \
             start an empty database over them and changed nothing. Run `siltdb repair \
             --data-dir {}` to point CURRENT at the newest MANIFEST that replays cleanly \
             with every file it names present",
            dir.display(),
            dir.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;
    use crate::wal::encode_record;

    fn write(fs: &MemFs, name: &str, data: &[u8]) {
        let mut f = fs.create(&Path::new("/d").join(name)).unwrap();
        f.append(data).unwrap();
    }

    fn found(fs: &MemFs) -> Result<Found> {
        let listing = Listing::read(fs, Path::new("/d")).unwrap();
        examine(fs, Path::new("/d"), &listing)
    }

    #[test]
    fn without_current_only_dataless_leftovers_make_no_database() {
        let fs = MemFs::new();
        fs.create_dir_all(Path::new("/d")).unwrap();
        assert!(matches!(found(&fs), Ok(Found::NoDatabase)));
        // An interrupted creation: LOCK, an empty (or zero-filled) WAL, a
        // MANIFEST naming no table, CURRENT.tmp; foreign files are ignored.
        write(&fs, "LOCK", b"");
        write(&fs, "000001.log", &[0; 64]);
        let mut m = Vec::new();
        let base = VersionEdit {
            log_number: Some(1),
            next_file_number: Some(3),
            last_sequence: Some(0),
            new_wals: vec![1],
            ..Default::default()
        };
        encode_record(&mut m, &base.encoded()).unwrap();
        write(&fs, "MANIFEST-000002", &m);
        write(&fs, "CURRENT.tmp", b"MANIFEST-000002\n");
        write(&fs, "notes.txt", b"mine");
        assert!(matches!(found(&fs), Ok(Found::NoDatabase)));

        // A WAL with a record is data.
        write(&fs, "000001.log", b"\x01");
        match found(&fs) {
            Err(Error::Corruption { file, reason, .. }) => {
                assert_eq!(file, "CURRENT");
                assert!(reason.contains("000001.log"), "{reason}");
                assert!(reason.contains("siltdb repair --data-dir /d"), "{reason}");
            }
            other => panic!("expected corruption, got {other:?}"),
        }
        write(&fs, "000001.log", b"");
        // So is a table, and a MANIFEST that cannot be read cleanly.
        write(&fs, "000007.sst", b"x");
        assert!(found(&fs).is_err());
        fs.remove(Path::new("/d/000007.sst")).unwrap();
        write(&fs, "MANIFEST-000002", &m[..m.len() - 1]);
        assert!(matches!(found(&fs), Ok(Found::NoDatabase)), "torn: no edit");
        let mut bad = m.clone();
        bad.extend_from_slice(&m);
        bad[3] ^= 1;
        write(&fs, "MANIFEST-000002", &bad);
        assert!(
            found(&fs).is_err(),
            "a damaged MANIFEST might have named tables"
        );
    }
}
