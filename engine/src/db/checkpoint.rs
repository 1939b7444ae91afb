//! Checkpoints: a consistent copy of the database as of one sequence
//! number, in a directory of its own. Spec: format-spec/manifest.md
//! ("Checkpoints").
//!
//! Order, each step durable before the next:
//! 1. flush, then, at a moment no memtable awaits flush, take the current
//!    version (the `Arc` pins its tables and blob files: obsolete-file
//!    deletion keeps every file a handed-out version lists) and the
//!    sequence number it holds every write up to;
//! 2. in a temporary directory beside the target, hard-link (or copy) every
//!    table and blob file of that version;
//! 3. write an empty WAL and a MANIFEST naming exactly those files, then
//!    `CURRENT` (recovery's own writer);
//! 4. rename the temporary directory to the target and sync its parent.
//!
//! A crash before step 4 is durable leaves no target (and a temporary
//! directory the next checkpoint to the same target clears); after it, a
//! complete database. Flushing first, rather than copying the WAL tail, is
//! the choice: a WAL holds writes past any chosen sequence number and may
//! point into a blob file still being written, so a copied tail would need
//! cutting at a record boundary and its blob file copying; the flush costs
//! one memtable's write, which any later open would pay anyway.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Db, DbInner};
use crate::error::{Error, Result};
use crate::fs::Fs;
use crate::manifest::{Version, VersionEdit};
use crate::options::Options;
use crate::recovery::{self, FileKind, ManifestState};
use crate::wal::LogWriter;

/// Bytes read per call when a file is copied rather than linked.
const COPY_CHUNK: usize = 1 << 20;

/// What [`crate::Db::checkpoint`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The checkpoint holds exactly the writes with sequence numbers up to
    /// this one.
    pub sequence: u64,
    /// Tables and blob files in the checkpoint.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// How many of them were copied because a hard link was not possible
    /// (another file system).
    pub copied: usize,
}

/// The directory a checkpoint to `target` is built in before it is renamed.
fn temporary_dir(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".checkpoint-tmp");
    target.with_file_name(name)
}

impl Db {
    /// The directory the database lives in.
    pub fn path(&self) -> &Path {
        &self.inner.dir
    }

    /// The options the database was opened with.
    pub fn options(&self) -> &Options {
        &self.inner.opts
    }

    /// Opens the checkpoint in `dir` (made by [`Db::checkpoint`]) as a
    /// database of its own, with this database's options; refuses a
    /// directory that holds no database.
    pub fn open_checkpoint(&self, dir: &Path) -> Result<Db> {
        let opts = Options {
            create_if_missing: false,
            ..self.inner.opts.clone()
        };
        Db::open(dir, opts)
    }

    /// Names of the entries of `parent` (checkpoints, and the temporary
    /// directories of interrupted ones, `<name>.checkpoint-tmp`); none if
    /// `parent` does not exist.
    pub fn checkpoint_names(&self, parent: &Path) -> Result<Vec<String>> {
        let fs = self.inner.fs.as_ref();
        if !fs.exists(parent) {
            return Ok(Vec::new());
        }
        fs.list(parent)
    }

    /// Removes the checkpoint `dir` and the temporary directory of an
    /// interrupted checkpoint to it, whichever exist: `CURRENT` first (so a
    /// crash part way leaves a directory open refuses), then every other
    /// file, then the directory. Refuses, removing nothing, a directory
    /// holding a file that is not a database file.
    pub fn remove_checkpoint(&self, dir: &Path) -> Result<()> {
        let fs = self.inner.fs.as_ref();
        for d in [dir.to_path_buf(), temporary_dir(dir)] {
            if fs.exists(&d) {
                remove_database_dir(fs, &d)?;
            }
        }
        Ok(())
    }
}

/// Removes the database directory `dir` (see [`Db::remove_checkpoint`]).
fn remove_database_dir(fs: &dyn Fs, dir: &Path) -> Result<()> {
    let mut names = fs.list(dir)?;
    if let Some(foreign) = names.iter().find(|n| FileKind::parse(n).is_none()) {
        return Err(Error::InvalidArgument(format!(
            "{} holds {foreign}, which is not a database file; nothing removed",
            dir.display()
        )));
    }
    // CURRENT first, then the rest.
    names.sort_by_key(|n| FileKind::parse(n) != Some(FileKind::Current));
    for name in &names {
        fs.remove(&dir.join(name))?;
        if FileKind::parse(name) == Some(FileKind::Current) {
            fs.sync_dir(dir)?;
        }
    }
    fs.sync_dir(dir)?;
    fs.remove_dir(dir)?;
    fs.sync_dir(dir.parent().unwrap_or(Path::new("")))
}

impl DbInner {
    pub(super) fn checkpoint(&self, target: &Path) -> Result<Checkpoint> {
        let fs = self.fs.as_ref();
        if target.file_name().is_none() {
            return Err(Error::InvalidArgument(format!(
                "a checkpoint needs a directory name, not {}",
                target.display()
            )));
        }
        if fs.exists(target) {
            return Err(Error::InvalidArgument(format!(
                "checkpoint target {} already exists",
                target.display()
            )));
        }
        let parent = target.parent().unwrap_or(Path::new(""));
        let tmp = temporary_dir(target);
        let (version, sequence, manifest_number) = self.flush_then(|st| {
            // A number no file of the version has (every one is below the
            // counter); the checkpoint's WAL and MANIFEST take it and the next.
            let number = st.versions.next_file_number;
            (st.versions.current(), st.mem_base_seq, number)
        })?;
        clear_leftover(fs, &tmp)?;
        fs.create_dir_all(&tmp)?;

        let mut done = Checkpoint {
            sequence,
            files: 0,
            bytes: 0,
            copied: 0,
        };
        for kind in files_of(&version) {
            let copied = place(fs, &kind.path(&self.dir), &kind.path(&tmp))?;
            done.files += 1;
            done.copied += usize::from(copied);
            done.bytes += fs.file_size(&kind.path(&tmp))?;
        }

        let wal = FileKind::Wal(manifest_number);
        fs.create(&wal.path(&tmp))?.sync()?;
        let manifest = ManifestState {
            version: Arc::clone(&version),
            log_number: manifest_number,
            next_file_number: manifest_number + 2,
            last_sequence: sequence,
            live_wals: Some([manifest_number].into_iter().collect()),
            // A copy as of one sequence number has no history to keep.
            history: Vec::new(),
        };
        write_manifest(fs, &tmp, manifest_number + 1, &manifest.to_edit()?)?;
        // The links, the WAL and the MANIFEST are durable entries before
        // CURRENT can name the MANIFEST (write_current syncs the directory
        // again for CURRENT itself).
        fs.sync_dir(&tmp)?;
        recovery::write_current(fs, &tmp, manifest_number + 1)?;
        fs.rename_dir(&tmp, target)?;
        fs.sync_dir(parent)?;
        // Held to here: the files stay pinned until the copy is complete.
        drop(version);
        Ok(done)
    }
}

/// Every table and blob file `version` names.
fn files_of(version: &Version) -> Vec<FileKind> {
    let tables = version
        .levels
        .iter()
        .flatten()
        .map(|f| FileKind::Table(f.number));
    let blobs = version.blobs.files.keys().map(|&n| FileKind::Blob(n));
    tables.chain(blobs).collect()
}

/// Empties a temporary directory an interrupted checkpoint left (every
/// entry in it is a link or copy that checkpoint made: nothing else names
/// that directory).
fn clear_leftover(fs: &dyn Fs, tmp: &Path) -> Result<()> {
    if !fs.exists(tmp) {
        return Ok(());
    }
    for name in fs.list(tmp)? {
        fs.remove(&tmp.join(&name))?;
    }
    fs.sync_dir(tmp)
}

/// Hard-links `from` as `to`, or copies it (synced) when a link is not
/// possible; true if it copied. The source is already durable: tables and
/// blob files are synced before a version lists them.
fn place(fs: &dyn Fs, from: &Path, to: &Path) -> Result<bool> {
    match fs.link(from, to) {
        Ok(()) => Ok(false),
        Err(Error::Io { source, .. })
            if matches!(
                source.kind(),
                ErrorKind::CrossesDevices | ErrorKind::Unsupported
            ) =>
        {
            copy(fs, from, to)?;
            Ok(true)
        }
        Err(e) => Err(e),
    }
}

/// Copies the file `from` to `to` and syncs the copy.
fn copy(fs: &dyn Fs, from: &Path, to: &Path) -> Result<()> {
    let src = fs.open_random(from)?;
    let len = src.len();
    let mut dst = fs.create(to)?;
    let mut buf = vec![0u8; COPY_CHUNK];
    let mut offset = 0u64;
    while offset < len {
        let n = usize::try_from(len - offset).map_or(COPY_CHUNK, |left| left.min(COPY_CHUNK));
        let chunk = buf
            .get_mut(..n)
            .ok_or_else(|| Error::InvalidArgument("copy chunk larger than its buffer".into()))?;
        src.read_exact_at(offset, chunk)?;
        dst.append(chunk)?;
        offset += n as u64;
    }
    dst.sync()
}

/// Writes MANIFEST `number` in `dir` holding `edit` as its one record, synced.
fn write_manifest(fs: &dyn Fs, dir: &Path, number: u64, edit: &VersionEdit) -> Result<()> {
    let kind = FileKind::Manifest(number);
    let mut w = LogWriter::new(fs.create(&kind.path(dir))?, kind.name());
    w.add_record(&edit.encoded())?;
    w.sync()
}
