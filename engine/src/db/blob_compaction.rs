//! What a compaction does with separated values (format-spec/value-log.md,
//! "Garbage accounting" and "Garbage collection"): it counts the blob record
//! of every entry it drops as garbage, copies the values of entries pointing
//! into garbage-collection candidates to a new blob file (same key, same
//! sequence number, new index), and records which blob files each output
//! table points into. Live values in other blob files are never copied.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::{lock, DbInner};
use crate::error::Result;
use crate::key::{ParsedKey, ValueKind};
use crate::manifest::{BlobFileMeta, TableBlobRefs, Version, VersionEdit};
use crate::ratelimit::{IoClass, Pacer};
use crate::recovery::FileKind;
use crate::stats::Counters;
use crate::vlog::format::FILE_HEADER_LEN;
use crate::vlog::{decode_entry_index, BlobRefTally, BlobWriter};

/// Where a compaction input entry came from, for errors.
const SOURCE: &str = "compaction input";

/// The blob side of one compaction.
pub(super) struct BlobCompaction<'a> {
    db: &'a DbInner,
    /// Blob files whose live values this compaction moves out.
    candidates: BTreeSet<u64>,
    /// The blob file receiving moved values, created on the first one.
    writer: Option<BlobWriter>,
    /// Records of dropped or moved entries: garbage added by this compaction.
    garbage: BlobRefTally,
    /// What the output table being written points to.
    table: BlobRefTally,
    /// References of the finished output tables.
    refs: Vec<TableBlobRefs>,
    /// Bytes of values read to be moved.
    moved_bytes: u64,
}

impl<'a> BlobCompaction<'a> {
    /// A compaction that moves the live values out of `candidates`.
    pub fn new(db: &'a DbInner, candidates: BTreeSet<u64>) -> BlobCompaction<'a> {
        BlobCompaction {
            db,
            candidates,
            writer: None,
            garbage: BlobRefTally::new(),
            table: BlobRefTally::new(),
            refs: Vec::new(),
            moved_bytes: 0,
        }
    }

    /// The entry `p` (with `value`) is dropped: its blob record, if any,
    /// becomes garbage.
    pub fn dropped(&mut self, p: &ParsedKey<'_>, value: &[u8]) -> Result<()> {
        if p.kind == ValueKind::ValueBlob {
            let idx = decode_entry_index(value, SOURCE, 0)?;
            self.garbage.note(&idx, p.user_key.len());
        }
        Ok(())
    }

    /// The entry `p` (with `value`) goes to the output table: the value to
    /// write for it. An entry pointing into a candidate gets its value
    /// copied to this compaction's blob file and a new index; `pending`
    /// receives that file's number when it is created.
    pub fn kept<'v>(
        &mut self,
        p: &ParsedKey<'_>,
        value: &'v [u8],
        pending: &mut Vec<u64>,
    ) -> Result<Cow<'v, [u8]>> {
        if p.kind != ValueKind::ValueBlob {
            return Ok(Cow::Borrowed(value));
        }
        let idx = decode_entry_index(value, SOURCE, 0)?;
        if !self.candidates.contains(&idx.file_number) {
            self.table.note(&idx, p.user_key.len());
            return Ok(Cow::Borrowed(value));
        }
        // The checked record as read: its value is copied once, into the
        // new file's buffer, not first moved to the front of its own.
        let record = self
            .db
            .blobs
            .get(idx.file_number)?
            .read_record(&idx, p.user_key)?;
        let data = record.value();
        self.moved_bytes += data.len() as u64;
        let w = match &mut self.writer {
            Some(w) => w,
            None => {
                let n = {
                    let mut st = lock(&self.db.state);
                    let n = st.versions.new_file_number();
                    st.pending_outputs.insert(n);
                    n
                };
                pending.push(n);
                let kind = FileKind::Blob(n);
                let file = self.db.fs.create(&kind.path(&self.db.dir))?;
                let pacer = self
                    .db
                    .limiter
                    .clone()
                    .map(|l| Pacer::new(l, IoClass::Compaction));
                self.writer
                    .insert(BlobWriter::new(file, kind.name(), n, pacer))
            }
        };
        let moved = w.add(p.user_key, data)?;
        if w.buffered() >= self.db.opts.table.write_chunk {
            w.write_buffered()?;
        }
        self.garbage.note(&idx, p.user_key.len());
        self.table.note(&moved, p.user_key.len());
        Ok(Cow::Owned(moved.encoded()))
    }

    /// Output table `number` is finished: it points into what was counted
    /// since the previous one.
    pub fn table_done(&mut self, number: u64) {
        let t = self.table.take();
        if !t.is_empty() {
            self.refs.push(TableBlobRefs {
                table: number,
                blobs: t.file_numbers(),
            });
        }
    }

    /// Makes the moved values durable. REQUIRES: before the edit is logged.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(w) = &mut self.writer {
            w.sync()?;
            Counters::add(&self.db.stats.blob_gc_bytes_written, w.len());
            Counters::add(&self.db.stats.blob_gc_bytes_read, self.moved_bytes);
        }
        Ok(())
    }

    /// Adds the blob fields to the compaction's `edit`: the new blob file,
    /// the garbage, the blob files that became all garbage in `version` (the
    /// current one: only compactions add garbage, and they run one at a
    /// time), and the output tables' references.
    pub fn add_to_edit(&mut self, edit: &mut VersionEdit, version: &Version) {
        if let Some(w) = &self.writer {
            edit.new_blob_files.push(BlobFileMeta {
                number: w.number(),
                records: w.records(),
                record_bytes: w.len().saturating_sub(FILE_HEADER_LEN as u64),
                size: w.len(),
            });
        }
        for (number, c) in self.garbage.iter() {
            if let Some(s) = version.blobs.files.get(&number) {
                if s.garbage_records.saturating_add(c.records) >= s.meta.records {
                    edit.deleted_blob_files.push(number);
                }
            }
        }
        edit.blob_garbage.extend(self.garbage.to_garbage());
        edit.table_blob_refs.append(&mut self.refs);
    }
}
