//! The MANIFEST: the durable history of which tables make up the database.
//! Spec: format-spec/manifest.md.
//!
//! `VersionSet` owns the current [`Version`], the open MANIFEST log, and the
//! counters that edits persist (next file number, last sequence, log number).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use super::filenames;
use crate::error::{Error, Result};
use crate::fs::Fs;
use crate::manifest::{Version, VersionEdit};
use crate::wal::{LogReader, LogWriter, TailPolicy};

/// The manifest and the current version.
pub(crate) struct VersionSet {
    dir: PathBuf,
    fs: Arc<dyn Fs>,
    manifest: Option<LogWriter>,
    current: Arc<Version>,
    /// Every version handed out, so obsolete-file deletion can see which
    /// files readers still hold.
    handed_out: Vec<Weak<Version>>,
    pub next_file_number: u64,
    pub last_sequence: u64,
    /// WAL files numbered below this are fully reflected in tables.
    pub log_number: u64,
    pub manifest_number: u64,
}

/// Replace the MANIFEST with a fresh snapshot once it grows past this.
const MANIFEST_ROLL_BYTES: u64 = 64 << 20;

impl VersionSet {
    /// State for a brand-new database (nothing written yet).
    pub fn empty(dir: &Path, fs: Arc<dyn Fs>) -> VersionSet {
        VersionSet {
            dir: dir.to_path_buf(),
            fs,
            manifest: None,
            current: Arc::new(Version::new()),
            handed_out: Vec::new(),
            next_file_number: 1,
            last_sequence: 0,
            log_number: 0,
            manifest_number: 0,
        }
    }

    /// Reads CURRENT and replays the MANIFEST it names.
    pub fn recover(dir: &Path, fs: Arc<dyn Fs>) -> Result<VersionSet> {
        let current_path = filenames::path(dir, "CURRENT");
        let current = fs.read_all(&current_path)?;
        let name = std::str::from_utf8(&current)
            .ok()
            .and_then(|s| s.strip_suffix('\n'))
            .ok_or_else(|| {
                Error::corruption("CURRENT", 0, "CURRENT is not a file name and a newline")
            })?;
        let Some(filenames::FileKind::Manifest(number)) = filenames::parse(name) else {
            return Err(Error::corruption(
                "CURRENT",
                0,
                format!("CURRENT names {name:?}, which is not a MANIFEST file"),
            ));
        };
        let data = fs
            .read_all(&filenames::path(dir, name))
            .map_err(|e| match e {
                Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                    Error::corruption(name, 0, "MANIFEST named by CURRENT is missing")
                }
                other => other,
            })?;
        let mut reader = LogReader::new(&data, name, TailPolicy::DropTornTail);
        let mut version = Version::new();
        let mut vs = VersionSet::empty(dir, fs);
        let mut saw_any = false;
        loop {
            let offset = reader.offset();
            let Some(record) = reader.next_record()? else {
                break;
            };
            let edit = VersionEdit::decode(record, name, offset)?;
            version = version.apply(&edit).map_err(|e| match e {
                Error::Corruption { reason, .. } => Error::corruption(name, offset, reason),
                other => other,
            })?;
            if let Some(n) = edit.next_file_number {
                vs.next_file_number = n;
            }
            if let Some(s) = edit.last_sequence {
                vs.last_sequence = s;
            }
            if let Some(l) = edit.log_number {
                vs.log_number = l;
            }
            saw_any = true;
        }
        if !saw_any {
            return Err(Error::corruption(name, 0, "MANIFEST holds no version edit"));
        }
        // A dropped tail is only safe if its edit was never acted on. Every
        // edit is synced before the WAL its log number retires is deleted,
        // so if that WAL is gone the dropped record was a synced edit damaged
        // on disk, not a torn append: replaying without it would silently
        // lose (and then delete) the tables it added.
        if let Some(torn_at) = reader.torn_tail() {
            let wal = filenames::wal_name(vs.log_number);
            if !vs.fs.exists(&filenames::path(dir, &wal)) {
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
        vs.manifest_number = number;
        vs.next_file_number = vs.next_file_number.max(number + 1);
        for n in version
            .all_file_numbers()
            .into_iter()
            .chain(version.blob_file_numbers())
        {
            vs.next_file_number = vs.next_file_number.max(n + 1);
        }
        vs.current = Arc::new(version);
        Ok(vs)
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

    /// Allocates a file number.
    pub fn new_file_number(&mut self) -> u64 {
        let n = self.next_file_number;
        self.next_file_number += 1;
        n
    }

    /// Applies `edit` to the current version and makes it durable in the
    /// MANIFEST. On error nothing changed in memory; the caller must treat the
    /// database as failed (the MANIFEST tail is unknown).
    pub fn log_and_apply(&mut self, mut edit: VersionEdit) -> Result<()> {
        edit.next_file_number = Some(self.next_file_number);
        edit.last_sequence = Some(self.last_sequence);
        if edit.log_number.is_none() {
            edit.log_number = Some(self.log_number);
        }
        let next = self.current.apply(&edit)?;
        let roll = match &self.manifest {
            None => true,
            Some(m) => m.len() >= MANIFEST_ROLL_BYTES,
        };
        if roll {
            self.write_new_manifest(&next, &edit)?;
        } else if let Some(m) = self.manifest.as_mut() {
            let mut buf = Vec::new();
            edit.encode(&mut buf);
            m.add_record(&buf)?;
            m.sync()?;
        }
        if let Some(l) = edit.log_number {
            self.log_number = l;
        }
        self.current = Arc::new(next);
        Ok(())
    }

    /// Writes a new MANIFEST holding `version` as one snapshot edit, then
    /// switches CURRENT to it: write, fsync, write CURRENT.tmp, fsync,
    /// rename, fsync the directory.
    fn write_new_manifest(&mut self, version: &Version, edit: &VersionEdit) -> Result<()> {
        let number = self.new_file_number();
        let name = filenames::manifest_name(number);
        let mut snapshot = version.to_edit();
        snapshot.next_file_number = Some(self.next_file_number);
        snapshot.last_sequence = Some(self.last_sequence);
        snapshot.log_number = edit.log_number.or(Some(self.log_number));
        let mut buf = Vec::new();
        snapshot.encode(&mut buf);
        let file = self.fs.create(&filenames::path(&self.dir, &name))?;
        let mut w = LogWriter::new(file, name.clone());
        w.add_record(&buf)?;
        w.sync()?;
        let tmp = filenames::path(&self.dir, "CURRENT.tmp");
        let mut f = self.fs.create(&tmp)?;
        f.append(format!("{name}\n").as_bytes())?;
        f.sync()?;
        drop(f);
        self.fs
            .rename(&tmp, &filenames::path(&self.dir, "CURRENT"))?;
        self.fs.sync_dir(&self.dir)?;
        self.manifest = Some(w);
        self.manifest_number = number;
        Ok(())
    }

    /// Forces the next edit to start a new MANIFEST (used once at open, so a
    /// recovered database never appends to a MANIFEST with a torn tail).
    pub fn start_new_manifest_on_next_edit(&mut self) {
        self.manifest = None;
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
