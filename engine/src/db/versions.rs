//! The version set and the MANIFEST log. Spec: format-spec/manifest.md.
//!
//! [`VersionSet`] (under the state mutex) holds what the MANIFEST records —
//! a [`ManifestState`], changed only through [`ManifestState::apply`], the
//! fold recovery replays with — plus the live counters and every version
//! handed out. [`ManifestLog`] (under its own mutex, never the state mutex)
//! owns the open MANIFEST file. `DbInner::log_and_apply` joins them the way
//! LevelDB's `VersionSet::LogAndApply` does: prepare the edit under the
//! state mutex, write and sync it (or a new MANIFEST and CURRENT) with the
//! mutex released, then install the result under the mutex again. The
//! MANIFEST mutex, held throughout, orders edits.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Weak};

use crate::error::{Error, Result};
use crate::fs::Fs;
use crate::manifest::{Version, VersionEdit};
use crate::recovery::{self, FileKind, ManifestState, Replayed};
use crate::wal::LogWriter;

/// The MANIFEST's state in memory, the live counters and the versions
/// handed out.
pub(crate) struct VersionSet {
    /// What the MANIFEST records (as of the last installed edit).
    recorded: ManifestState,
    current: Arc<Version>,
    /// Every version handed out, so obsolete-file deletion can see which
    /// files readers still hold.
    handed_out: Vec<Weak<Version>>,
    /// The next unused file number (ahead of the recorded one: numbers are
    /// allocated without an edit).
    pub next_file_number: u64,
    /// The last sequence number given to a write (ahead of the recorded one).
    pub last_sequence: u64,
    /// The MANIFEST `CURRENT` names.
    pub manifest_number: u64,
}

/// An edit ready to be written: counters filled in, and the state it leads to.
pub(crate) struct Prepared {
    edit: VersionEdit,
    next: ManifestState,
    /// `Some(n)`: write a new MANIFEST `n` holding `next` and switch
    /// `CURRENT` to it, instead of appending `edit`.
    pub new_manifest: Option<u64>,
}

impl VersionSet {
    /// State for a brand-new database (nothing written yet). Its WALs are
    /// tracked from the first edit on.
    pub fn empty() -> VersionSet {
        VersionSet {
            recorded: ManifestState {
                live_wals: Some(Default::default()),
                ..ManifestState::default()
            },
            current: Arc::new(Version::new()),
            handed_out: Vec::new(),
            next_file_number: 1,
            last_sequence: 0,
            manifest_number: 0,
        }
    }

    /// State recovered from a replayed MANIFEST. A format-1 MANIFEST's WALs
    /// are tracked from the next edit on (recovery replays and retires them
    /// all, and the first edit records the new WAL).
    pub fn recovered(r: &Replayed) -> VersionSet {
        let mut recorded = r.state.clone();
        recorded.live_wals.get_or_insert_with(Default::default);
        VersionSet {
            current: Arc::clone(&recorded.version),
            next_file_number: recorded.next_file_number,
            last_sequence: recorded.last_sequence,
            manifest_number: r.number,
            recorded,
            handed_out: Vec::new(),
        }
    }

    /// The current version; the returned Arc pins its files.
    pub fn current(&mut self) -> Arc<Version> {
        let v = Arc::clone(&self.current);
        self.handed_out.push(Arc::downgrade(&v));
        v
    }

    /// The current version, for a decision made under the state lock (does
    /// not pin its files beyond the borrow).
    pub fn current_ref(&self) -> &Version {
        &self.current
    }

    /// What the MANIFEST records.
    pub fn recorded(&self) -> &ManifestState {
        &self.recorded
    }

    /// Allocates a file number.
    pub fn new_file_number(&mut self) -> u64 {
        let n = self.next_file_number;
        self.next_file_number += 1;
        n
    }

    /// Fills in `edit`'s counters and computes the state it leads to; with
    /// `roll`, allocates the number of a new MANIFEST to write it to.
    /// Retires (tag 7) every live WAL below the edit's `log_number`, so the
    /// recorded live WALs are exactly those that may hold writes no table
    /// holds. No I/O; nothing changes but the counters until
    /// [`VersionSet::install`].
    pub fn prepare(&mut self, mut edit: VersionEdit, roll: bool) -> Result<Prepared> {
        let new_manifest = roll.then(|| self.new_file_number());
        edit.next_file_number = Some(self.next_file_number);
        edit.last_sequence = Some(self.last_sequence);
        let log_number = *edit.log_number.get_or_insert(self.recorded.log_number);
        for &n in self.recorded.live_wals.iter().flatten() {
            if n < log_number && !edit.deleted_wals.contains(&n) {
                edit.deleted_wals.push(n);
            }
        }
        let mut next = self.recorded.clone();
        next.apply(&edit, &FileKind::Manifest(self.manifest_number).name(), 0)?;
        Ok(Prepared {
            edit,
            next,
            new_manifest,
        })
    }

    /// Makes a written edit current.
    pub fn install(&mut self, p: Prepared) {
        if let Some(n) = p.new_manifest {
            self.manifest_number = n;
        }
        self.current = Arc::clone(&p.next.version);
        self.recorded = p.next;
    }

    /// Blob file numbers some live version still lists.
    pub fn live_blob_files(&mut self) -> HashSet<u64> {
        self.handed_out.retain(|w| w.strong_count() > 0);
        let mut live: HashSet<u64> = self.current.blobs.files.keys().copied().collect();
        for w in &self.handed_out {
            if let Some(v) = w.upgrade() {
                live.extend(v.blobs.files.keys().copied());
            }
        }
        live
    }

    /// Table numbers some live version still references.
    pub fn live_tables(&mut self) -> HashSet<u64> {
        self.handed_out.retain(|w| w.strong_count() > 0);
        let mut live: HashSet<u64> = self.current.all_file_numbers().into_iter().collect();
        for w in &self.handed_out {
            if let Some(v) = w.upgrade() {
                live.extend(v.all_file_numbers());
            }
        }
        live
    }
}

/// The open MANIFEST file.
pub(crate) struct ManifestLog {
    dir: PathBuf,
    fs: Arc<dyn Fs>,
    /// `None` until the first edit, which starts a new MANIFEST: a
    /// recovered database never appends to a MANIFEST that may end in a
    /// torn record.
    writer: Option<LogWriter>,
    /// Start a new MANIFEST once the current one is this long.
    roll_bytes: u64,
    /// Set by [`ManifestLog::close`]: the directory lock is about to be
    /// released, so nothing may be written any more.
    closed: bool,
}

impl ManifestLog {
    pub fn new(dir: PathBuf, fs: Arc<dyn Fs>, roll_bytes: u64) -> ManifestLog {
        ManifestLog {
            dir,
            fs,
            writer: None,
            roll_bytes,
            closed: false,
        }
    }

    /// Refuses every later write with [`Error::Closed`] (called by
    /// `Db::close` before it releases the directory lock, so a write racing
    /// the close cannot touch a directory another process may then open).
    pub fn close(&mut self) {
        self.closed = true;
        self.writer = None;
    }

    /// True if the next edit must start a new MANIFEST.
    pub fn needs_roll(&self) -> bool {
        self.writer
            .as_ref()
            .is_none_or(|w| w.len() >= self.roll_bytes)
    }

    /// Makes `p` durable: appends and syncs its edit, or writes a new
    /// MANIFEST holding its state as one base edit, syncs it and switches
    /// `CURRENT` to it. After an error the MANIFEST's tail (or which
    /// MANIFEST `CURRENT` names) is unknown: the caller must poison the
    /// database.
    pub fn write(&mut self, p: &Prepared) -> Result<()> {
        if self.closed {
            return Err(Error::Closed);
        }
        let mut buf = Vec::new();
        match (p.new_manifest, self.writer.as_mut()) {
            (None, Some(w)) => {
                p.edit.encode(&mut buf);
                w.add_record(&buf)?;
                w.sync()
            }
            (None, None) => Err(Error::InvalidArgument(
                "an edit prepared without a new MANIFEST while none is open".into(),
            )),
            (Some(number), _) => {
                let kind = FileKind::Manifest(number);
                p.next.to_edit()?.encode(&mut buf);
                let file = self.fs.create(&kind.path(&self.dir))?;
                let mut w = LogWriter::new(file, kind.name());
                w.add_record(&buf)?;
                w.sync()?;
                // The new MANIFEST's entry is durable before CURRENT can
                // name it.
                self.fs.sync_dir(&self.dir)?;
                recovery::write_current(self.fs.as_ref(), &self.dir, number)?;
                self.writer = Some(w);
                Ok(())
            }
        }
    }
}
