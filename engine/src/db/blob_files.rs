//! Blob files as the database uses them (format-spec/value-log.md): the
//! cache of open readers, reading a separated value, moving a group's large
//! values into the memtable's blob file before the group's WAL record is
//! written, and turning what a new table points to into MANIFEST fields.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use super::{DbInner, PinnedValue};
use crate::batch::WriteBatch;
use crate::cache::BlockCache;
use crate::error::{Error, Result};
use crate::fs::Fs;
use crate::key::{self, ValueKind};
use crate::manifest::{TableBlobRefs, VersionEdit};
use crate::memtable::MemTable;
use crate::recovery::FileKind;
use crate::stats::Counters;
use crate::vlog::index::MAX_BLOB_INDEX_LEN;
use crate::vlog::{decode_entry_index, BlobOptions, BlobReader, BlobRefTally, BlobWriter};
use crate::wal::LogWriter;

/// Keeps every blob file the database has opened for reading, by number,
/// and reads values through the block cache.
pub(crate) struct BlobCache {
    dir: PathBuf,
    fs: Arc<dyn Fs>,
    open: RwLock<HashMap<u64, Arc<BlobReader>>>,
    values: Arc<BlockCache>,
}

impl BlobCache {
    /// Blob files of the database in `dir`; values read through
    /// [`BlobCache::read_pinned`] are kept in `values`.
    pub fn new(dir: PathBuf, fs: Arc<dyn Fs>, values: Arc<BlockCache>) -> BlobCache {
        BlobCache {
            dir,
            fs,
            open: RwLock::new(HashMap::new()),
            values,
        }
    }

    /// The reader of blob file `number`, opening it (and checking its
    /// header) on first use. A missing file is corruption: every blob file an
    /// entry can point to is live until no reader can reach the entry.
    pub fn get(&self, number: u64) -> Result<Arc<BlobReader>> {
        if let Some(r) = self
            .open
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&number)
        {
            return Ok(Arc::clone(r));
        }
        let kind = FileKind::Blob(number);
        let name = kind.name();
        let file = self
            .fs
            .open_random(&kind.path(&self.dir))
            .map_err(|e| match e {
                Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                    Error::corruption(&name, 0, "blob file an entry points into is missing")
                }
                other => other,
            })?;
        let reader = Arc::new(BlobReader::open(file, name, number)?);
        let mut open = self.open.write().unwrap_or_else(|p| p.into_inner());
        Ok(Arc::clone(open.entry(number).or_insert(reader)))
    }

    /// The value `index` (the encoded blob index of an entry of `user_key`
    /// found in `source`) points to: from the block cache, or read from its
    /// file (one positional read) and cached.
    pub fn read_pinned(&self, index: &[u8], user_key: &[u8], source: &str) -> Result<PinnedValue> {
        let idx = decode_entry_index(index, source, 0)?;
        if let Some(cached) = self.values.get_blob(idx.file_number, idx.offset) {
            if cached.matches(&idx, user_key) {
                return Ok(PinnedValue::blob(cached));
            }
        }
        let len = usize::try_from(idx.record_len(user_key.len())).unwrap_or(usize::MAX);
        let buf = self.values.take_buffer(len);
        let record = Arc::new(
            self.get(idx.file_number)?
                .read_record_into(&idx, user_key, buf)?,
        );
        if self.values.would_keep(record.charge()) {
            self.values
                .insert_blob(idx.file_number, idx.offset, Arc::clone(&record));
        }
        Ok(PinnedValue::blob(record))
    }

    /// Forgets a deleted blob file.
    pub fn evict(&self, number: u64) {
        self.open
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&number);
    }
}

/// Counts, in `tally`, the blob record an entry found in `source` points to
/// (nothing for other kinds). A malformed internal key or blob index is
/// corruption in `source`.
pub(super) fn note_blob_ref(
    ikey: &[u8],
    value: &[u8],
    source: &str,
    tally: &mut BlobRefTally,
) -> Result<()> {
    let Some(p) = key::parse_internal_key(ikey) else {
        return Err(Error::corruption(source, 0, "malformed internal key"));
    };
    if p.kind == ValueKind::ValueBlob {
        tally.note(&decode_entry_index(value, source, 0)?, p.user_key.len());
    }
    Ok(())
}

/// Adds to `edit` what flushing entries counted in `tally` into table
/// `table` means: the blob files they point into join the version (each
/// memtable's blob file is registered by its flush), and the table's
/// references.
pub(super) fn register_flushed_blobs(edit: &mut VersionEdit, table: u64, tally: &BlobRefTally) {
    if tally.is_empty() {
        return;
    }
    edit.new_blob_files.extend(tally.to_new_blob_files());
    edit.table_blob_refs.push(TableBlobRefs {
        table,
        blobs: tally.file_numbers(),
    });
}

/// The batch to log for `batch`: every put whose value `opts` separates is
/// appended to `w` (buffered) and replaced by a `ValueBlob` op holding its
/// blob index; everything else is copied as it is.
fn separate_batch(
    batch: &WriteBatch,
    w: &mut BlobWriter,
    opts: &BlobOptions,
) -> Result<WriteBatch> {
    let mut out = WriteBatch::with_capacity(batch.approximate_size().min(1 << 20));
    out.set_sequence(batch.sequence());
    let mut idx = Vec::with_capacity(MAX_BLOB_INDEX_LEN);
    for op in batch.iter() {
        match op.kind {
            ValueKind::Value if opts.separates(op.value.len()) => {
                idx.clear();
                w.add(op.key, op.value)?.encode(&mut idx);
                out.put_blob_index(op.key, &idx);
            }
            ValueKind::Value => out.put(op.key, op.value),
            ValueKind::Deletion => out.delete(op.key),
            ValueKind::ValueBlob => {
                return Err(Error::InvalidArgument(
                    "a write batch may not hold blob indexes".into(),
                ))
            }
        }
    }
    Ok(out)
}

impl DbInner {
    /// The blob writer of `mem`'s blob file, creating the file (header
    /// buffered, directory synced so the entry outlives a crash before any
    /// WAL record can point into it) on the memtable's first separated write.
    /// REQUIRES: group leader; `mem.blob_number()` set.
    fn blob_writer_for<'a>(
        &self,
        slot: &'a mut Option<BlobWriter>,
        mem: &MemTable,
    ) -> Result<&'a mut BlobWriter> {
        let number = mem
            .blob_number()
            .ok_or_else(|| Error::InvalidArgument("memtable has no blob file".into()))?;
        if slot.as_ref().map(BlobWriter::number) != Some(number) {
            if let Some(old) = slot.as_mut() {
                // Not reached (a memtable switch seals the old file first);
                // if it were, the old file's tail must not be left unsynced.
                old.sync()?;
            }
            let kind = FileKind::Blob(number);
            let file = self.fs.create(&kind.path(&self.dir))?;
            self.fs.sync_dir(&self.dir)?;
            let name = kind.name();
            *slot = Some(BlobWriter::new(file, name, number, None));
        }
        slot.as_mut()
            .ok_or_else(|| Error::InvalidArgument("blob writer vanished".into()))
    }

    /// Write path, before the WAL append: moves the separated values of
    /// `batch` into `mem`'s blob file with one append and returns the batch
    /// to log and apply. REQUIRES: group leader, holding the blob writer slot.
    pub(super) fn separate_values(
        &self,
        slot: &mut Option<BlobWriter>,
        batch: &WriteBatch,
        mem: &MemTable,
    ) -> Result<WriteBatch> {
        let w = self.blob_writer_for(slot, mem)?;
        let out = separate_batch(batch, w, &self.opts.blob)?;
        let n = w.write_buffered()?;
        mem.add_blob_bytes(n);
        Counters::add(&self.stats.blob_bytes, n);
        Ok(out)
    }

    /// Makes the blob file in `slot` durable if it has unsynced bytes.
    pub(super) fn sync_blob_writer(&self, slot: &mut Option<BlobWriter>) -> Result<()> {
        if let Some(w) = slot.as_mut() {
            if w.needs_sync() {
                w.sync()?;
                Counters::add(&self.stats.blob_syncs, 1);
            }
        }
        Ok(())
    }

    /// Makes the frozen logs durable (oldest first), then the WAL and the
    /// blob file in `slot`, and returns when both are. The blob file's
    /// writeback is started first ([`BlobWriter::start_sync`]), so the
    /// device writes its bytes while the WAL is synced; the blob file's own
    /// fdatasync then finds them under way or written. A write is
    /// acknowledged only after this, so no acknowledged WAL record points
    /// at blob bytes a power cut can take. (Which file reaches the disk
    /// first does not matter: recovery drops a WAL tail whose blob bytes
    /// are lost, and such a tail was never acknowledged.)
    pub(super) fn sync_wal_and_blob(
        &self,
        slot: &mut Option<BlobWriter>,
        wal: &mut LogWriter,
    ) -> Result<()> {
        // Compactions hold their writes and syncs back meanwhile.
        let _foreground = self.limiter.as_ref().map(|l| l.foreground_sync());
        // Every earlier write first: a synced write is never durable while
        // an earlier one is not (frozen_logs).
        self.sync_frozen_logs()?;
        let blob = slot.as_mut().filter(|w| w.needs_sync());
        let (blob_synced, wal_synced) = match blob {
            None => (Ok(false), wal.sync()),
            Some(w) => {
                let started = w.start_sync();
                let wal_synced = wal.sync();
                (started.and_then(|()| w.sync()).map(|()| true), wal_synced)
            }
        };
        if blob_synced? {
            Counters::add(&self.stats.blob_syncs, 1);
        }
        wal_synced?;
        Counters::add(&self.stats.wal_syncs, 1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::fs::MemFs;

    impl BlobCache {
        /// [`BlobCache::read_pinned`], in a buffer of its own.
        fn read_value(&self, index: &[u8], user_key: &[u8], source: &str) -> Result<Vec<u8>> {
            self.read_pinned(index, user_key, source)
                .map(PinnedValue::into_vec)
        }
    }

    /// A blob file 000002.blob holding one record of `key`, and the
    /// encoded index of it.
    fn one_record(fs: &MemFs, key: &[u8], value: &[u8]) -> Vec<u8> {
        let file = fs.create(Path::new("000002.blob")).expect("create");
        let mut w = BlobWriter::new(file, "000002.blob".into(), 2, None);
        let idx = w.add(key, value).expect("add");
        w.write_buffered().expect("write");
        idx.encoded()
    }

    #[test]
    fn values_read_are_kept_in_the_block_cache() {
        let fs = MemFs::new();
        let value = vec![7u8; 5000];
        let idx = one_record(&fs, b"k", &value);
        let cache = |bytes| {
            let blocks = Arc::new(BlockCache::new(bytes));
            let fs: Arc<dyn Fs> = Arc::new(fs.clone());
            (
                BlobCache::new(PathBuf::new(), fs, Arc::clone(&blocks)),
                blocks,
            )
        };
        let (cached, blocks) = cache(1 << 20);
        let (uncached, _) = cache(0);
        for c in [&cached, &uncached] {
            assert_eq!(c.read_value(&idx, b"k", "t").expect("read"), value);
        }
        assert!(blocks.usage() > 5000);
        // The file's copy is damaged now: only a cached value still reads.
        fs.corrupt_byte(Path::new("000002.blob"), 12 + 12 + 1 + 100, 0x01)
            .expect("flip");
        assert_eq!(cached.read_value(&idx, b"k", "t").expect("cached"), value);
        assert!(uncached
            .read_value(&idx, b"k", "t")
            .unwrap_err()
            .is_corruption());
        // An entry of another key naming the same record is not served from
        // the cache: the file read reports it.
        let err = cached.read_value(&idx, b"x", "t").unwrap_err();
        assert!(err.is_corruption(), "{err}");
    }

    #[test]
    fn only_values_at_the_threshold_are_separated() {
        let fs = MemFs::new();
        let file = fs.create(Path::new("000002.blob")).expect("create");
        let mut w = BlobWriter::new(file, "000002.blob".into(), 2, None);
        let opts = BlobOptions {
            min_blob_size: 4,
            ..BlobOptions::default()
        };
        let mut b = WriteBatch::new();
        b.set_sequence(7);
        b.put(b"small", b"abc");
        b.put(b"big", b"abcd");
        b.delete(b"gone");
        let out = separate_batch(&b, &mut w, &opts).expect("separate");
        assert_eq!(out.sequence(), 7);
        let ops: Vec<_> = out.iter().map(|op| (op.kind, op.key.to_vec())).collect();
        assert_eq!(
            ops,
            vec![
                (ValueKind::Value, b"small".to_vec()),
                (ValueKind::ValueBlob, b"big".to_vec()),
                (ValueKind::Deletion, b"gone".to_vec()),
            ]
        );
        assert_eq!(w.records(), 1);
        let mut bad = WriteBatch::new();
        bad.put_blob_index(b"k", b"whatever");
        assert!(matches!(
            separate_batch(&bad, &mut w, &opts),
            Err(Error::InvalidArgument(_))
        ));
    }
}
