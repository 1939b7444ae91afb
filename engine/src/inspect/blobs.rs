//! What [`super::check_dir`] verifies about separated values.
//! Spec: format-spec/value-log.md ("Blob file", "Blob index", "Recovery",
//! "Garbage accounting").
//!
//! - Every blob file the MANIFEST lists is read from its header to its
//!   registered `size`, record by record (checksums); bytes after `size`
//!   are an interrupted append, noted, not read.
//! - Every entry of a live table that points into a blob file must name one
//!   the MANIFEST lists and the table's references include, and the record
//!   must read back intact for that key (no dangling pointers).
//! - When every live table was read, the entries pointing into each blob
//!   file must add up to exactly the live records and bytes the MANIFEST
//!   accounts for it (records minus garbage).
//! - Live WALs: every separated value they point to is read, with the rule
//!   recovery applies ([`crate::vlog::replay::wal_blob_replay_end`]); each
//!   points into the WAL's own blob file (same number), which
//!   [`crate::recovery::layout::role`] keeps live while the WAL is. A
//!   damaged record there (one no crash leaves:
//!   [`crate::vlog::replay::BlobTail::classify`]) is reported on the WAL
//!   and on the blob file.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use super::{internal_key, DEFAULT_WIDTH};
use crate::error::{Error, Result};
use crate::fs::Fs;
use crate::iter::InternalIterator;
use crate::key::{parse_internal_key, ValueKind};
use crate::manifest::BlobFileState;
use crate::recovery::FileKind;
use crate::sstable::Table;
use crate::vlog::replay::wal_blob_replay_end;
use crate::vlog::{decode_entry_index, BlobIndex, BlobReader, BlobRefTally, BlobScanner};

/// The blob side of one `check_dir` run.
pub(super) struct BlobCheck<'a> {
    fs: &'a dyn Fs,
    dir: &'a Path,
    /// Blob files the MANIFEST lists (empty without a MANIFEST).
    live: BTreeMap<u64, BlobFileState>,
    readers: HashMap<u64, Arc<BlobReader>>,
    /// What the entries of the live tables read so far point to.
    pub pointed: BlobRefTally,
    /// Blob files not in the MANIFEST in which a live WAL's check found a
    /// damaged record, with the damage.
    damaged: BTreeMap<u64, Error>,
}

impl<'a> BlobCheck<'a> {
    pub fn new(fs: &'a dyn Fs, dir: &'a Path, live: BTreeMap<u64, BlobFileState>) -> Self {
        BlobCheck {
            fs,
            dir,
            live,
            readers: HashMap::new(),
            pointed: BlobRefTally::new(),
            damaged: BTreeMap::new(),
        }
    }

    /// The blob files the MANIFEST lists.
    pub fn live(&self) -> &BTreeMap<u64, BlobFileState> {
        &self.live
    }

    fn reader(&mut self, number: u64) -> Result<Arc<BlobReader>> {
        if let Some(r) = self.readers.get(&number) {
            return Ok(Arc::clone(r));
        }
        let name = FileKind::Blob(number).name();
        let file = self.fs.open_random(&self.dir.join(&name)).map_err(|e| {
            if matches!(&e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound) {
                Error::corruption(&name, 0, "blob file is missing")
            } else {
                e
            }
        })?;
        let r = Arc::new(BlobReader::open(file, name, number)?);
        self.readers.insert(number, Arc::clone(&r));
        Ok(r)
    }

    /// Reads every separated value live table `table` (file `name`) points
    /// to; `refs` are the table's blob references in the MANIFEST.
    pub fn scan_table(&mut self, table: &Arc<Table>, name: &str, refs: &[u64]) -> Result<()> {
        let mut it = table.iter();
        it.seek_to_first()?;
        while it.valid() {
            let Some(p) = parse_internal_key(it.key()) else {
                return Err(Error::corruption(name, 0, "malformed internal key"));
            };
            if p.kind == ValueKind::ValueBlob {
                let entry = internal_key(it.key(), DEFAULT_WIDTH);
                let idx = decode_entry_index(it.value(), name, 0)?;
                let blob = FileKind::Blob(idx.file_number).name();
                if !self.live.contains_key(&idx.file_number) {
                    return Err(Error::corruption(
                        name,
                        0,
                        format!(
                            "entry {entry} points into {blob}, which the MANIFEST does not list"
                        ),
                    ));
                }
                if !refs.contains(&idx.file_number) {
                    return Err(Error::corruption(
                        name,
                        0,
                        format!(
                            "entry {entry} points into {blob}, which the table's blob references \
                             in the MANIFEST leave out"
                        ),
                    ));
                }
                self.reader(idx.file_number)?
                    .read_record(&idx, p.user_key)?;
                self.pointed.note(&idx, p.user_key.len());
            }
            it.next()?;
        }
        Ok(())
    }

    /// Reads every separated value live WAL `number` points to, by the
    /// rule recovery applies; returns where replay would stop, if early.
    pub fn check_wal(&mut self, data: &[u8], number: u64) -> Result<Option<u64>> {
        let name = FileKind::Wal(number).name();
        let (fs, dir) = (self.fs, self.dir);
        let check = |idx: &BlobIndex, key: &[u8], offset: u64| {
            let blob = FileKind::Blob(idx.file_number).name();
            if self.live.contains_key(&idx.file_number) {
                return Err(Error::corruption(
                    &name,
                    offset,
                    format!("record points into {blob}, which the MANIFEST already lists"),
                ));
            }
            if !self.fs.exists(&self.dir.join(&blob)) {
                return Err(Error::corruption(
                    &blob,
                    0,
                    format!("blob file is missing; {name} at offset {offset} points into it"),
                ));
            }
            match self
                .reader(idx.file_number)
                .and_then(|r| r.read_record(idx, key))
            {
                Ok(_) => Ok(Ok(())),
                Err(e) if e.is_corruption() => Ok(Err(e)),
                Err(e) => Err(e),
            }
        };
        let r = wal_blob_replay_end(data, number, check, || {
            fs.open_random(&dir.join(FileKind::Blob(number).name()))
        });
        // The damage is the blob file's too: its own row reports it.
        if let Err(e @ Error::Corruption { file, .. }) = &r {
            if let Some(FileKind::Blob(n)) = FileKind::parse(file) {
                self.damaged.insert(n, e.duplicate());
            }
        }
        r
    }

    /// Checks blob file `name` (number `number`, contents `data`). `Err` is
    /// the damage found; `Ok` carries notes.
    pub fn check_file(&self, data: &[u8], name: &str, number: u64) -> Result<Vec<String>> {
        if let Some(e) = self.damaged.get(&number) {
            return Err(e.duplicate());
        }
        let Some(state) = self.live.get(&number) else {
            // Not in the MANIFEST: a live WAL's (or, without a MANIFEST, of
            // unknown standing). Its end may be an append a crash cut short,
            // even inside the header (the file is created, and the directory
            // synced, before its first append): only records a WAL points to
            // must read, and the WAL check reads those.
            let mut s = match BlobScanner::new(data, name, data.len() as u64) {
                Ok(s) => s,
                Err(e) => {
                    return Ok(vec![format!(
                        "not in the MANIFEST yet, and no record readable ({e}); the WAL \
                         check says whether a WAL points into it"
                    )])
                }
            };
            let mut records = 0u64;
            let tail = loop {
                match s.next_record() {
                    Ok(Some(_)) => records += 1,
                    Ok(None) => break None,
                    Err(e) => break Some(e),
                }
            };
            let mut notes = vec![format!(
                "{records} records; not in the MANIFEST yet: it holds values of WALs not yet flushed"
            )];
            if let Some(e) = tail {
                notes.push(format!(
                    "records from offset {} on unreadable ({e}); the WAL check says whether a \
                     WAL points to any, and whether a crash took it or it is damaged",
                    s.offset()
                ));
            }
            return Ok(notes);
        };
        let meta = &state.meta;
        if (data.len() as u64) < meta.size {
            return Err(Error::corruption(
                name,
                data.len() as u64,
                format!(
                    "blob file is {} bytes, shorter than the {} the MANIFEST registered",
                    data.len(),
                    meta.size
                ),
            ));
        }
        let mut s = BlobScanner::new(data, name, meta.size)?;
        let mut records = 0u64;
        while s.next_record()?.is_some() {
            records += 1;
        }
        let mut notes = vec![format!(
            "{records} records; {} referenced when registered, {} live ({} of {} bytes live, {:.0}%)",
            meta.records,
            state.live_records(),
            state.live_bytes(),
            meta.record_bytes,
            state.live_fraction() * 100.0
        )];
        let extra = (data.len() as u64).saturating_sub(meta.size);
        if extra > 0 {
            notes.push(format!(
                "{extra} bytes after the registered size {}: an append a crash cut short, never read",
                meta.size
            ));
        }
        Ok(notes)
    }

    /// When every live table was read: the entries pointing into blob file
    /// `number` must be exactly the live records the MANIFEST accounts for.
    pub fn check_accounting(&self, name: &str, number: u64) -> Result<()> {
        let Some(state) = self.live.get(&number) else {
            return Ok(());
        };
        let (records, bytes) = self
            .pointed
            .iter()
            .find(|(n, _)| *n == number)
            .map_or((0, 0), |(_, c)| (c.records, c.record_bytes));
        if records != state.live_records() || bytes != state.live_bytes() {
            return Err(Error::corruption(
                name,
                0,
                format!(
                    "the MANIFEST accounts {} live records ({} bytes) here, but the tables point \
                     to {records} ({bytes} bytes)",
                    state.live_records(),
                    state.live_bytes()
                ),
            ));
        }
        Ok(())
    }
}
