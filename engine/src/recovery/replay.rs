//! Reading `CURRENT` and replaying a MANIFEST: the one fold of version
//! edits into the state a MANIFEST records. The open path, `check`,
//! `repair`, `stats` and the fuzz targets all replay through here, and the
//! running database applies its own edits with the same
//! [`ManifestState::apply`].
//! Spec: format-spec/manifest.md, "CURRENT and switching manifests",
//! "Applying an edit" and "Recovery".

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use super::filenames::{FileKind, CURRENT};
use crate::error::{Error, Result};
use crate::fs::Fs;
use crate::manifest::{HistoryRange, Version, VersionEdit};
use crate::wal::{LogReader, TailPolicy, TornKind, HEADER_LEN};

/// The state a MANIFEST records: the file set, the counters (each the last
/// value an edit set) and the WALs that must exist.
#[derive(Debug, Clone, Default)]
pub struct ManifestState {
    /// The live tables, by level.
    pub version: Arc<Version>,
    /// WALs numbered below this are fully reflected in tables.
    pub log_number: u64,
    /// The next unused value of the shared file-number counter.
    pub next_file_number: u64,
    /// The highest sequence number recorded.
    pub last_sequence: u64,
    /// The WALs the database created and has not retired (tags 6 and 7):
    /// each must exist. `None` for a MANIFEST that never recorded a WAL
    /// (format version 1), whose WALs are found by listing the directory.
    pub live_wals: Option<BTreeSet<u64>>,
    /// The key ranges whose history compaction keeps (tag 14; the last
    /// set recorded).
    pub history: Vec<HistoryRange>,
}

impl ManifestState {
    /// Applies one edit; `file`/`offset` locate its record for errors.
    ///
    /// Files are applied as [`Version::apply_at`] applies them; then WALs,
    /// retirements first: retiring a WAL that is not live, or adding one
    /// that is, is corruption. On error `self` is unchanged.
    pub fn apply(&mut self, edit: &VersionEdit, file: &str, offset: u64) -> Result<()> {
        let version = self.version.apply_at(edit, file, offset)?;
        let mut wals = self.live_wals.clone();
        if !edit.deleted_wals.is_empty() || !edit.new_wals.is_empty() {
            let live = wals.get_or_insert_with(BTreeSet::new);
            for &n in &edit.deleted_wals {
                if !live.remove(&n) {
                    return Err(Error::corruption(
                        file,
                        offset,
                        format!("edit retires WAL {}, which is not live", FileKind::Wal(n)),
                    ));
                }
            }
            for &n in &edit.new_wals {
                if !live.insert(n) {
                    return Err(Error::corruption(
                        file,
                        offset,
                        format!("edit adds WAL {}, which is already live", FileKind::Wal(n)),
                    ));
                }
            }
        }
        self.version = Arc::new(version);
        self.live_wals = wals;
        if let Some(v) = edit.log_number {
            self.log_number = v;
        }
        if let Some(v) = edit.next_file_number {
            self.next_file_number = v;
        }
        if let Some(v) = edit.last_sequence {
            self.last_sequence = v;
        }
        if let Some(h) = &edit.history_ranges {
            self.history = h.clone();
        }
        Ok(())
    }

    /// The base edit of a new MANIFEST holding this state: every live table
    /// as a new file, every live WAL, and all three counters.
    ///
    /// A base edit says that its MANIFEST tracks WALs by naming one (tag 6;
    /// format-spec/manifest.md, "MANIFEST file"), so a state that tracks WALs
    /// with none live has no base edit: written without one, it would read
    /// back as a MANIFEST that does not track WALs and recover by other
    /// rules. A database always has a live WAL, so the writer never holds
    /// such a state; a MANIFEST whose edits retire every WAL can only be
    /// damaged or crafted, and this refuses to rewrite it.
    pub fn to_edit(&self) -> Result<VersionEdit> {
        if self.live_wals.as_ref().is_some_and(BTreeSet::is_empty) {
            return Err(Error::InvalidArgument(
                "a MANIFEST that tracks WALs with none live has no base edit \
                 (a database always has a live WAL)"
                    .into(),
            ));
        }
        let mut edit = self.version.to_edit();
        edit.log_number = Some(self.log_number);
        edit.next_file_number = Some(self.next_file_number);
        edit.last_sequence = Some(self.last_sequence);
        edit.new_wals = self.live_wals.iter().flatten().copied().collect();
        edit.history_ranges = (!self.history.is_empty()).then(|| self.history.clone());
        Ok(edit)
    }

    /// The WALs recovery replays: the live WALs numbered at or above
    /// `log_number`, oldest first. `None` if the MANIFEST does not track
    /// WALs (format version 1): then every WAL at or above `log_number` in
    /// the directory is replayed.
    pub fn tracked_wals_to_replay(&self) -> Option<Vec<u64>> {
        self.live_wals
            .as_ref()
            .map(|live| live.range(self.log_number..).copied().collect())
    }
}

/// A final record a log reader dropped as torn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedTail {
    /// The log file.
    pub file: String,
    /// Where the dropped record began.
    pub offset: u64,
    /// Bytes dropped: the record's length when it fits in the file (zeros
    /// after it are not counted), else from `offset` to the end of the file.
    pub bytes: u64,
    /// What the record looked like.
    pub kind: TornKind,
}

impl DroppedTail {
    /// The tail `reader` dropped from `file` (`len` bytes long), if any.
    pub fn of(reader: &LogReader<'_>, file: &str, len: u64) -> Option<DroppedTail> {
        let offset = reader.torn_tail()?;
        Some(DroppedTail {
            file: file.to_string(),
            offset,
            bytes: reader
                .torn_bytes()
                .unwrap_or_else(|| len.saturating_sub(offset)),
            kind: reader.torn_kind().unwrap_or(TornKind::Truncated),
        })
    }

    /// The tail as [`Error::Corruption`], for a caller that must refuse it
    /// (strict recovery, or a tail whose edit was acted on).
    pub fn to_corruption(&self, why: &str) -> Error {
        Error::corruption(self.file.clone(), self.offset, format!("{self}: {why}"))
    }
}

impl fmt::Display for DroppedTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TornKind::Truncated => {
                "torn final record (the written data ends, or may end, inside it)"
            }
            TornKind::ChecksumMismatch => "final record fails its checksum",
        };
        write!(
            f,
            "{what} at offset {} of {} ({} bytes)",
            self.offset, self.file, self.bytes
        )
    }
}

/// The result of replaying one MANIFEST.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The MANIFEST's number (its file is `MANIFEST-NNNNNN`).
    pub number: u64,
    /// The state after the last edit.
    pub state: ManifestState,
    /// Edits replayed.
    pub edits: usize,
    /// The file's size in bytes.
    pub size: u64,
    /// The torn final record the replay dropped, if any. Recovery may
    /// accept it only if nothing the resulting state names is missing
    /// (see [`super::layout::check_dropped_manifest_tail`]).
    pub dropped: Option<DroppedTail>,
}

impl Replayed {
    /// The MANIFEST's file name.
    pub fn name(&self) -> String {
        FileKind::Manifest(self.number).name()
    }
}

/// Parses the contents of `CURRENT`: a MANIFEST file name followed by
/// `\n`, and nothing else. Returns the MANIFEST's number.
pub fn parse_current(contents: &[u8]) -> Result<u64> {
    let bad = |reason: &str| Error::corruption(CURRENT, 0, reason);
    let name = contents
        .strip_suffix(b"\n")
        .ok_or_else(|| bad("CURRENT does not end with a newline"))?;
    match std::str::from_utf8(name).ok().and_then(FileKind::parse) {
        Some(FileKind::Manifest(n)) => Ok(n),
        _ => Err(bad("CURRENT does not name a MANIFEST-NNNNNN file")),
    }
}

/// Reads `CURRENT` in `dir`: the number of the MANIFEST it names. A missing
/// `CURRENT` is the I/O error of the read.
pub fn read_current(fs: &dyn Fs, dir: &Path) -> Result<u64> {
    parse_current(&fs.read_all(&FileKind::Current.path(dir))?)
}

/// Replays MANIFEST `number` held in `data`: every record under
/// [`TailPolicy::DropTornTail`], each decoded and applied in order.
///
/// Corruption: a bad record other than a torn final one, an edit that fails
/// to decode or apply, no edit at all, a counter no edit sets, or a
/// `next_file_number` not above every live table, every live blob file,
/// every live WAL and the MANIFEST itself. A dropped torn tail is returned in
/// [`Replayed::dropped`] for the caller to judge against the directory.
pub fn replay_manifest(data: &[u8], number: u64) -> Result<Replayed> {
    let name = FileKind::Manifest(number).name();
    let mut reader = LogReader::new(data, &name, TailPolicy::DropTornTail);
    let mut state = ManifestState::default();
    let mut edits = 0usize;
    let (mut log_set, mut next_set, mut seq_set) = (false, false, false);
    loop {
        let offset = reader.offset();
        let Some(record) = reader.next_record()? else {
            break;
        };
        let edit = VersionEdit::decode(record, &name, offset.saturating_add(HEADER_LEN as u64))?;
        state.apply(&edit, &name, offset)?;
        log_set |= edit.log_number.is_some();
        next_set |= edit.next_file_number.is_some();
        seq_set |= edit.last_sequence.is_some();
        edits += 1;
    }
    if edits == 0 {
        return Err(Error::corruption(name, 0, "MANIFEST holds no version edit"));
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
    let in_use = state
        .version
        .all_file_numbers()
        .into_iter()
        .chain(state.version.blob_file_numbers())
        .chain(state.live_wals.iter().flatten().copied())
        .chain([number])
        .max()
        .unwrap_or(number);
    if state.next_file_number <= in_use {
        return Err(Error::corruption(
            name,
            0,
            format!(
                "next_file_number {} does not exceed file number {in_use} already in use",
                state.next_file_number
            ),
        ));
    }
    let size = data.len() as u64;
    Ok(Replayed {
        number,
        dropped: DroppedTail::of(&reader, &name, size),
        state,
        edits,
        size,
    })
}

/// Reads and replays MANIFEST `number` in `dir` ([`replay_manifest`]). A
/// missing MANIFEST is corruption naming it.
pub fn read_manifest(fs: &dyn Fs, dir: &Path, number: u64) -> Result<Replayed> {
    let kind = FileKind::Manifest(number);
    let data = fs.read_all(&kind.path(dir)).map_err(|e| match e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            Error::corruption(kind.name(), 0, "MANIFEST named by CURRENT is missing")
        }
        other => other,
    })?;
    replay_manifest(&data, number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::file_meta;
    use crate::wal::encode_record;

    #[test]
    fn current_file_parsing() {
        assert_eq!(parse_current(b"MANIFEST-000012\n").unwrap(), 12);
        assert_eq!(parse_current(b"MANIFEST-1234567\n").unwrap(), 1_234_567);
        for bad in [
            &b"MANIFEST-000012"[..],
            b"MANIFEST-12\n",
            b"MANIFEST-0000012\n",
            b"000012.log\n",
            b"",
            b"\n",
            b"MANIFEST-00001x\n",
            b"MANIFEST-000012\n\n",
            b"\xffMANIFEST-000012\n",
        ] {
            assert!(parse_current(bad).unwrap_err().is_corruption(), "{bad:?}");
        }
    }

    #[test]
    fn apply_takes_last_values_and_tracks_wals() {
        let mut s = ManifestState::default();
        let e1 = VersionEdit {
            log_number: Some(3),
            next_file_number: Some(4),
            last_sequence: Some(10),
            ..Default::default()
        };
        let e2 = VersionEdit {
            last_sequence: Some(20),
            new_wals: vec![3],
            ..Default::default()
        };
        s.apply(&e1, "MANIFEST-000001", 0).unwrap();
        assert_eq!(s.live_wals, None, "format 1: no WAL recorded yet");
        assert_eq!(s.tracked_wals_to_replay(), None);
        s.apply(&e2, "MANIFEST-000001", 30).unwrap();
        assert_eq!(
            (s.log_number, s.next_file_number, s.last_sequence),
            (3, 4, 20)
        );
        assert_eq!(s.tracked_wals_to_replay(), Some(vec![3]));
        let e3 = VersionEdit {
            log_number: Some(5),
            new_wals: vec![5],
            deleted_wals: vec![3],
            ..Default::default()
        };
        s.apply(&e3, "MANIFEST-000001", 50).unwrap();
        assert_eq!(s.live_wals, Some([5].into()));
        assert_eq!(s.to_edit().unwrap().new_wals, vec![5]);

        for (bad, why) in [
            (
                VersionEdit {
                    deleted_files: vec![(2, 99)],
                    ..Default::default()
                },
                "does not hold it",
            ),
            (
                VersionEdit {
                    deleted_wals: vec![3],
                    ..Default::default()
                },
                "retires WAL 000003.log, which is not live",
            ),
            (
                VersionEdit {
                    new_wals: vec![5],
                    ..Default::default()
                },
                "adds WAL 000005.log, which is already live",
            ),
        ] {
            let before = s.clone();
            match s.apply(&bad, "MANIFEST-000001", 60) {
                Err(Error::Corruption {
                    file,
                    offset,
                    reason,
                }) => {
                    assert_eq!((file.as_str(), offset), ("MANIFEST-000001", 60));
                    assert!(reason.contains(why), "{reason}");
                }
                other => panic!("expected corruption, got {other:?}"),
            }
            assert_eq!(s.live_wals, before.live_wals, "unchanged on error");
        }
    }

    #[test]
    fn a_base_edit_rebuilds_its_state_or_is_refused() {
        let mut s = ManifestState::default();
        let first = VersionEdit {
            log_number: Some(5),
            next_file_number: Some(6),
            last_sequence: Some(1),
            new_wals: vec![5],
            ..Default::default()
        };
        s.apply(&first, "MANIFEST-000001", 0).unwrap();
        let mut again = ManifestState::default();
        again
            .apply(&s.to_edit().unwrap(), "MANIFEST-000002", 0)
            .unwrap();
        assert_eq!(again.live_wals, Some([5].into()));

        // Every WAL retired: the state tracks WALs and has none live, which
        // no base edit can say (one without tag 6 reads as format 1).
        let retire = VersionEdit {
            deleted_wals: vec![5],
            ..Default::default()
        };
        s.apply(&retire, "MANIFEST-000001", 30).unwrap();
        assert_eq!(s.live_wals, Some(BTreeSet::new()));
        assert_eq!(s.tracked_wals_to_replay(), Some(vec![]));
        match s.to_edit() {
            Err(Error::InvalidArgument(why)) => assert!(why.contains("none live"), "{why}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn manifest_of(edits: &[VersionEdit]) -> Vec<u8> {
        let mut data = Vec::new();
        for e in edits {
            encode_record(&mut data, &e.encoded()).unwrap();
        }
        data
    }

    fn base(next: u64) -> VersionEdit {
        VersionEdit {
            log_number: Some(4),
            next_file_number: Some(next),
            last_sequence: Some(9),
            new_files: vec![(0, file_meta(3, "a", "b", 9, 100))],
            new_wals: vec![4],
            ..Default::default()
        }
    }

    #[test]
    fn replay_checks_counters_and_reports_a_torn_tail() {
        let r = replay_manifest(&manifest_of(&[base(6)]), 5).unwrap();
        assert_eq!((r.edits, r.dropped.clone()), (1, None));
        assert_eq!(r.state.version.all_file_numbers(), vec![3]);
        assert_eq!(r.name(), "MANIFEST-000005");

        // next_file_number must pass the MANIFEST's own number.
        let e = replay_manifest(&manifest_of(&[base(5)]), 5).unwrap_err();
        assert!(
            e.to_string().contains("does not exceed file number 5"),
            "{e}"
        );
        // ... and every live WAL.
        let mut b = base(6);
        b.new_wals = vec![4, 7];
        let e = replay_manifest(&manifest_of(&[b]), 5).unwrap_err();
        assert!(
            e.to_string().contains("does not exceed file number 7"),
            "{e}"
        );

        let e = replay_manifest(&[], 5).unwrap_err();
        assert!(e.to_string().contains("holds no version edit"), "{e}");
        let mut b = base(6);
        b.last_sequence = None;
        let e = replay_manifest(&manifest_of(&[b]), 5).unwrap_err();
        assert!(e.to_string().contains("no edit sets last_sequence"), "{e}");

        let second = VersionEdit {
            last_sequence: Some(12),
            ..Default::default()
        };
        let data = manifest_of(&[base(6), second]);
        let first_len = manifest_of(&[base(6)]).len() as u64;
        let r = replay_manifest(&data[..data.len() - 1], 5).unwrap();
        assert_eq!(r.edits, 1);
        assert_eq!(r.state.last_sequence, 9);
        assert_eq!(
            r.dropped,
            Some(DroppedTail {
                file: "MANIFEST-000005".into(),
                offset: first_len,
                bytes: data.len() as u64 - 1 - first_len,
                kind: TornKind::Truncated,
            })
        );
    }
}
