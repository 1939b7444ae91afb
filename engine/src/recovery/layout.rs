//! What a directory holds: every entry's role given the MANIFEST's state,
//! the files that state needs and the directory lacks, and the rule for a
//! torn final MANIFEST record. Pure functions over a [`Listing`], so open,
//! `check`, `repair` and the running database's obsolete-file deletion
//! decide alike.
//! Spec: format-spec/manifest.md, "Recovery" and "Garbage".

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use super::filenames::FileKind;
use super::replay::{ManifestState, Replayed};
use crate::error::{Error, Result};
use crate::fs::Fs;

/// One directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry's name.
    pub name: String,
    /// What the name says it is; `None` for names that are not siltdb's.
    pub kind: Option<FileKind>,
    /// Its size, or the error that stat gave.
    pub size: std::result::Result<u64, String>,
}

/// The entries of a directory, by name.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    entries: BTreeMap<String, Entry>,
}

impl Listing {
    /// Lists `dir` and stats every entry. Only a failure to list is an
    /// error; a failed stat is kept in [`Entry::size`].
    pub fn read(fs: &dyn Fs, dir: &Path) -> Result<Listing> {
        let mut entries = BTreeMap::new();
        for name in fs.list(dir)? {
            let size = fs.file_size(&dir.join(&name)).map_err(|e| e.to_string());
            let kind = FileKind::parse(&name);
            entries.insert(name.clone(), Entry { name, kind, size });
        }
        Ok(Listing { entries })
    }

    /// A listing of `names` (sizes unknown, given as 0); for tests and for
    /// callers that already listed the directory.
    pub fn of_names<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Listing {
        let entries = names
            .into_iter()
            .map(|n| {
                let name = n.as_ref().to_string();
                let kind = FileKind::parse(&name);
                (
                    name.clone(),
                    Entry {
                        name,
                        kind,
                        size: Ok(0),
                    },
                )
            })
            .collect();
        Listing { entries }
    }

    /// Every entry, by name.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// True if the directory holds the file `kind` names.
    pub fn has(&self, kind: FileKind) -> bool {
        self.entries.contains_key(&kind.name())
    }

    /// The engine's files (entries whose names it spells), with their kinds.
    pub fn files(&self) -> impl Iterator<Item = (&Entry, FileKind)> {
        self.entries.values().filter_map(|e| e.kind.map(|k| (e, k)))
    }

    /// The highest file number any entry carries.
    pub fn highest_number(&self) -> Option<u64> {
        self.files().filter_map(|(_, k)| k.number()).max()
    }
}

/// What recovery makes of one directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// `CURRENT`.
    Current,
    /// `LOCK`.
    Lock,
    /// The MANIFEST `CURRENT` names.
    LiveManifest,
    /// A table the MANIFEST's version names.
    LiveTable,
    /// A blob file the MANIFEST's version lists, or the blob file of a live
    /// WAL (same number: the WAL's records point into it).
    LiveBlob,
    /// A WAL recovery replays.
    LiveWal,
    /// A file a running database is writing (its number is allocated and
    /// no edit names it yet). Only a running database has these.
    InFlight,
    /// Proved unneeded: nothing the MANIFEST's state names, and numbered
    /// below its `next_file_number`. Removed by the next open. The text
    /// says why it is garbage.
    Obsolete(String),
    /// Crash debris: numbered at or above the MANIFEST's
    /// `next_file_number`, so created after the MANIFEST's last edit and
    /// named by none. Removed by the next open. The text says what left it.
    Debris(String),
    /// Not a siltdb file: never read, never removed.
    Foreign,
}

impl Role {
    /// True for garbage open removes ([`Role::Obsolete`], [`Role::Debris`]).
    pub fn is_garbage(&self) -> bool {
        matches!(self, Role::Obsolete(_) | Role::Debris(_))
    }
}

/// Which WALs are live.
#[derive(Debug, Clone, Copy)]
pub enum WalLiveness<'a> {
    /// The MANIFEST records WALs (format version 2): these are live.
    Tracked(&'a BTreeSet<u64>),
    /// It does not (format version 1): every WAL at or above `log_number`.
    Untracked,
}

/// What is live, as a MANIFEST's state (or a running database) says.
#[derive(Debug, Clone, Copy)]
pub struct Live<'a> {
    /// Tables some version names.
    pub tables: &'a HashSet<u64>,
    /// Blob files some version lists (and, for a running database, the
    /// blob file of every memtable a reader may still hold).
    pub blobs: &'a HashSet<u64>,
    /// Live WALs.
    pub wals: WalLiveness<'a>,
    /// WALs below this are fully in tables.
    pub log_number: u64,
    /// The MANIFEST `CURRENT` names.
    pub manifest: u64,
    /// Numbers of files being written (a running database's).
    pub pending: &'a HashSet<u64>,
    /// The next unused file number.
    pub next_file_number: u64,
}

/// The role of the engine's file `kind` given what is `live`. The one
/// place that decides which files are garbage: recovery, `check`, `repair`
/// and the running database's deletion all ask here.
///
/// Proofs (format-spec/manifest.md, "Garbage"): every file a MANIFEST
/// names was numbered before the edit that names it, and each edit
/// records the counter's value when it was written, so a file numbered at
/// or above the final `next_file_number` is named by no durable edit.
/// A table no version names is read by nobody. A blob file is read
/// through the entries that point into it: those of tables (which the
/// version's blob files cover: every blob file a live table points into is
/// listed) and those of WALs (the blob file of WAL `n` is `n`, so it is
/// live while that WAL is). A WAL of a tracking
/// MANIFEST that is not live was retired (its writes are in tables) or was
/// never recorded, and the engine appends to a WAL only after the edit
/// recording it is synced.
pub fn role(kind: FileKind, live: &Live<'_>) -> Role {
    let number = kind.number();
    if number.is_some_and(|n| live.pending.contains(&n)) {
        return Role::InFlight;
    }
    let debris = |n: u64| n >= live.next_file_number;
    match kind {
        FileKind::Current => Role::Current,
        FileKind::Lock => Role::Lock,
        FileKind::CurrentTmp => Role::Obsolete(
            "a CURRENT.tmp left by an interrupted switch of CURRENT: never read".into(),
        ),
        FileKind::Table(n) if live.tables.contains(&n) => Role::LiveTable,
        FileKind::Table(n) if debris(n) => Role::Debris(format!(
            "a table numbered at or above next_file_number {}: the output of a flush \
             or compaction that never reached the MANIFEST",
            live.next_file_number
        )),
        FileKind::Table(_) => Role::Obsolete(
            "not in the MANIFEST: merged away by a compaction, or the output of one \
             that never reached the MANIFEST"
                .into(),
        ),
        FileKind::Wal(n) => match live.wals {
            WalLiveness::Tracked(wals) if wals.contains(&n) && n >= live.log_number => {
                Role::LiveWal
            }
            WalLiveness::Tracked(wals) if wals.contains(&n) => Role::Obsolete(format!(
                "below the MANIFEST's log number {}: already in tables",
                live.log_number
            )),
            WalLiveness::Tracked(_) if debris(n) => Role::Debris(format!(
                "a WAL numbered at or above next_file_number {}: created after the \
                 MANIFEST's last edit, so no write was acknowledged in it",
                live.next_file_number
            )),
            WalLiveness::Tracked(_) => Role::Obsolete(
                "not a live WAL of the MANIFEST: retired (already in tables), or never \
                 recorded (no write reached it)"
                    .into(),
            ),
            WalLiveness::Untracked if n >= live.log_number => Role::LiveWal,
            WalLiveness::Untracked => Role::Obsolete(format!(
                "below the MANIFEST's log number {}: already in tables",
                live.log_number
            )),
        },
        FileKind::Blob(n) if live.blobs.contains(&n) => Role::LiveBlob,
        FileKind::Blob(n) if role(FileKind::Wal(n), live) == Role::LiveWal => Role::LiveBlob,
        FileKind::Blob(n) if debris(n) => Role::Debris(format!(
            "a blob file numbered at or above next_file_number {}: the output of a \
             garbage collection that never reached the MANIFEST, or the blob file of a \
             WAL created after the MANIFEST's last edit",
            live.next_file_number
        )),
        FileKind::Blob(_) => Role::Obsolete(
            "not listed by the MANIFEST and not the blob file of a live WAL: entirely \
             garbage, or the output of a garbage collection that never reached the \
             MANIFEST, or written by a WAL whose records no table points at"
                .into(),
        ),
        FileKind::Manifest(n) if n == live.manifest => Role::LiveManifest,
        FileKind::Manifest(n) if debris(n) => Role::Debris(format!(
            "a MANIFEST numbered at or above next_file_number {}: written by an \
             interrupted switch that CURRENT never reached",
            live.next_file_number
        )),
        FileKind::Manifest(_) => Role::Obsolete("not named by CURRENT: superseded".into()),
    }
}

/// The live sets of a replayed MANIFEST, for [`role`].
pub struct LiveSets {
    tables: HashSet<u64>,
    blobs: HashSet<u64>,
    pending: HashSet<u64>,
}

impl LiveSets {
    /// The live tables of `state` (nothing pending: a directory at rest).
    pub fn of(state: &ManifestState) -> LiveSets {
        LiveSets {
            tables: state.version.all_file_numbers().into_iter().collect(),
            blobs: state.version.blob_file_numbers().into_iter().collect(),
            pending: HashSet::new(),
        }
    }

    /// What is live according to `replayed`.
    pub fn live<'a>(&'a self, replayed: &'a Replayed) -> Live<'a> {
        let s = &replayed.state;
        Live {
            tables: &self.tables,
            blobs: &self.blobs,
            wals: match &s.live_wals {
                Some(w) => WalLiveness::Tracked(w),
                None => WalLiveness::Untracked,
            },
            log_number: s.log_number,
            manifest: replayed.number,
            pending: &self.pending,
            next_file_number: s.next_file_number,
        }
    }
}

/// The role of every entry of `listing` under `replayed`.
pub fn roles(listing: &Listing, replayed: &Replayed) -> Vec<(Entry, Role)> {
    let sets = LiveSets::of(&replayed.state);
    let live = sets.live(replayed);
    listing
        .entries()
        .map(|e| {
            let r = e.kind.map_or(Role::Foreign, |k| role(k, &live));
            (e.clone(), r)
        })
        .collect()
}

/// A file the replayed state needs that the directory does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFile {
    /// The file's name.
    pub name: String,
    /// Who needs it, e.g. "level 1 of MANIFEST-000007".
    pub reason: String,
}

/// The files `replayed` names that `listing` lacks: every table and blob
/// file of its version, and every WAL recovery would replay from a
/// tracking MANIFEST.
pub fn missing_files(listing: &Listing, replayed: &Replayed) -> Vec<MissingFile> {
    let manifest = replayed.name();
    let mut missing = Vec::new();
    for (level, files) in replayed.state.version.levels.iter().enumerate() {
        for f in files {
            let kind = FileKind::Table(f.number);
            if !listing.has(kind) {
                missing.push(MissingFile {
                    name: kind.name(),
                    reason: format!("level {level} of {manifest}"),
                });
            }
        }
    }
    for n in replayed.state.version.blob_file_numbers() {
        let kind = FileKind::Blob(n);
        if !listing.has(kind) {
            missing.push(MissingFile {
                name: kind.name(),
                reason: format!("a blob file of {manifest}: live tables point into it"),
            });
        }
    }
    for n in replayed.state.tracked_wals_to_replay().unwrap_or_default() {
        let kind = FileKind::Wal(n);
        if !listing.has(kind) {
            missing.push(MissingFile {
                name: kind.name(),
                reason: format!(
                    "a live WAL of {manifest}: it may hold acknowledged writes that are in no table"
                ),
            });
        }
    }
    missing
}

/// The rule for a torn final MANIFEST record (format-spec/manifest.md,
/// "Recovery", step 3): it may be dropped only if the state without it
/// names no missing file (and, for a MANIFEST that does not track WALs, the
/// WAL numbered by its `log_number` exists). The engine removes a file only
/// after the edit that makes it unneeded is synced, so a missing file means
/// the dropped record was synced and acted on — it was damaged on disk,
/// not torn by a crash — and dropping it would lose data: corruption at
/// the offset where it began.
pub fn check_dropped_manifest_tail(
    listing: &Listing,
    replayed: &Replayed,
    missing: &[MissingFile],
) -> Result<()> {
    let Some(tail) = &replayed.dropped else {
        return Ok(());
    };
    let mut gone: Vec<String> = missing.iter().map(|m| m.name.clone()).collect();
    if replayed.state.live_wals.is_none() {
        let wal = FileKind::Wal(replayed.state.log_number);
        if !listing.has(wal) {
            gone.push(wal.name());
        }
    }
    if gone.is_empty() {
        return Ok(());
    }
    Err(Error::corruption(
        tail.file.clone(),
        tail.offset,
        format!(
            "damaged final record, and {} (named by the MANIFEST without it) {} gone: \
             a synced edit was lost (files are removed only after the edit retiring \
             them is synced, so the record was acted on, not torn by a crash)",
            gone.join(", "),
            if gone.len() == 1 { "is" } else { "are" }
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::VersionEdit;
    use crate::recovery::replay::replay_manifest;
    use crate::testutil::file_meta;
    use crate::wal::encode_record;

    fn replayed(edits: &[VersionEdit], number: u64) -> Replayed {
        let mut data = Vec::new();
        for e in edits {
            encode_record(&mut data, &e.encoded()).unwrap();
        }
        replay_manifest(&data, number).unwrap()
    }

    fn base(wals: Option<Vec<u64>>) -> VersionEdit {
        VersionEdit {
            log_number: Some(8),
            next_file_number: Some(11),
            last_sequence: Some(9),
            new_files: vec![(0, file_meta(5, "a", "b", 9, 100))],
            new_wals: wals.unwrap_or_default(),
            ..Default::default()
        }
    }

    fn role_of(r: &Replayed, name: &str) -> Role {
        roles(&Listing::of_names([name]), r)
            .pop()
            .map(|(_, role)| role)
            .unwrap()
    }

    #[test]
    fn roles_of_a_tracking_manifest() {
        let r = replayed(&[base(Some(vec![8]))], 9);
        assert_eq!(role_of(&r, "CURRENT"), Role::Current);
        assert_eq!(role_of(&r, "LOCK"), Role::Lock);
        assert_eq!(role_of(&r, "MANIFEST-000009"), Role::LiveManifest);
        assert_eq!(role_of(&r, "000005.sst"), Role::LiveTable);
        assert_eq!(role_of(&r, "000008.log"), Role::LiveWal);
        for garbage in ["000004.sst", "000007.log", "MANIFEST-000003", "CURRENT.tmp"] {
            assert!(
                matches!(role_of(&r, garbage), Role::Obsolete(_)),
                "{garbage}"
            );
        }
        for debris in ["000011.sst", "000012.log", "MANIFEST-000013", "000099.sst"] {
            assert!(matches!(role_of(&r, debris), Role::Debris(_)), "{debris}");
        }
        for foreign in ["+5.log", "5.log", "notes.txt", "x.tmp"] {
            assert_eq!(role_of(&r, foreign), Role::Foreign, "{foreign}");
        }
    }

    #[test]
    fn roles_of_blob_files() {
        use crate::manifest::{BlobFileMeta, TableBlobRefs};
        let mut e = base(Some(vec![8]));
        e.new_blob_files.push(BlobFileMeta {
            number: 6,
            records: 1,
            record_bytes: 100,
            size: 112,
        });
        e.table_blob_refs.push(TableBlobRefs {
            table: 5,
            blobs: vec![6],
        });
        let r = replayed(&[e], 9);
        // Listed by the version; the blob file of the live WAL 8.
        assert_eq!(role_of(&r, "000006.blob"), Role::LiveBlob);
        assert_eq!(role_of(&r, "000008.blob"), Role::LiveBlob);
        // Of a retired WAL, or numbered as a table: no entry points into it.
        for garbage in ["000007.blob", "000005.blob", "000003.blob"] {
            assert!(
                matches!(role_of(&r, garbage), Role::Obsolete(_)),
                "{garbage}"
            );
        }
        assert!(matches!(role_of(&r, "000011.blob"), Role::Debris(_)));
        assert_eq!(role_of(&r, "5.blob"), Role::Foreign);
        // A listed blob file that is gone is missing, like a table.
        let listing = Listing::of_names(["000005.sst", "000008.log"]);
        let missing = missing_files(&listing, &r);
        let names: Vec<&str> = missing.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["000006.blob"]);
    }

    #[test]
    fn an_untracking_manifest_keeps_every_wal_from_its_log_number() {
        let r = replayed(&[base(None)], 9);
        assert_eq!(role_of(&r, "000008.log"), Role::LiveWal);
        // A format-1 WAL is created without an edit: even one numbered past
        // next_file_number may hold acknowledged writes.
        assert_eq!(role_of(&r, "000020.log"), Role::LiveWal);
        assert!(matches!(role_of(&r, "000007.log"), Role::Obsolete(_)));
    }

    #[test]
    fn missing_tables_and_live_wals() {
        let r = replayed(&[base(Some(vec![8]))], 9);
        let listing = Listing::of_names(["CURRENT", "MANIFEST-000009"]);
        let missing = missing_files(&listing, &r);
        let names: Vec<&str> = missing.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["000005.sst", "000008.log"]);
        assert_eq!(missing[0].reason, "level 0 of MANIFEST-000009");
        assert!(check_dropped_manifest_tail(&listing, &r, &missing).is_ok());
    }

    #[test]
    fn a_torn_tail_may_drop_only_what_was_not_acted_on() {
        let mut data = Vec::new();
        encode_record(&mut data, &base(Some(vec![8])).encoded()).unwrap();
        let at = data.len() as u64;
        let compaction = VersionEdit {
            deleted_files: vec![(0, 5)],
            new_files: vec![(1, file_meta(10, "a", "b", 9, 100))],
            next_file_number: Some(11),
            ..Default::default()
        };
        encode_record(&mut data, &compaction.encoded()).unwrap();
        let torn = replay_manifest(&data[..data.len() - 2], 9).unwrap();
        assert_eq!(torn.dropped.as_ref().map(|d| d.offset), Some(at));
        // The compaction's input is still there: it was never acted on.
        let listing = Listing::of_names(["000005.sst", "000008.log", "000010.sst"]);
        let missing = missing_files(&listing, &torn);
        assert!(missing.is_empty());
        assert!(check_dropped_manifest_tail(&listing, &torn, &missing).is_ok());
        // Its input is gone: the record was synced and acted on.
        let listing = Listing::of_names(["000008.log", "000010.sst"]);
        let missing = missing_files(&listing, &torn);
        match check_dropped_manifest_tail(&listing, &torn, &missing) {
            Err(Error::Corruption {
                file,
                offset,
                reason,
            }) => {
                assert_eq!((file.as_str(), offset), ("MANIFEST-000009", at));
                assert!(reason.contains("000005.sst"), "{reason}");
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }
}
