//! Spec: format-spec/value-log.md#writing
//!
//! [`BlobWriter`]: appends records to one blob file. Records are encoded into
//! a buffer and handed to the file in one append per
//! [`BlobWriter::write_buffered`] call: the write path calls it once per
//! group commit (before the group's WAL record), compaction whenever the
//! buffer passes its chunk size.

use crate::error::{Error, Result};
use crate::fs::WritableFile;
use crate::ratelimit::Pacer;

use super::format::{encode_file_header, encode_record, BlobVersion};
use super::BlobIndex;

/// Buffers larger than this are released after an append instead of kept.
const KEEP_BUFFER_CAPACITY: usize = 4 << 20;

/// Writes one blob file, in [`BlobVersion::CURRENT`].
///
/// After an append or sync fails the writer refuses further work with
/// [`Error::Poisoned`]: the file's tail is unknown and a retried fsync cannot
/// be trusted.
pub struct BlobWriter {
    file: Box<dyn WritableFile>,
    name: String,
    number: u64,
    buf: Vec<u8>,
    /// File length including the buffered bytes: the offset of the next record.
    len: u64,
    /// Bytes handed to the file.
    appended: u64,
    /// Bytes known durable.
    synced: u64,
    records: u64,
    pacer: Option<Pacer>,
    /// The failure that made the file unusable (what it holds is unknown).
    failed: Option<Error>,
}

impl std::fmt::Debug for BlobWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobWriter")
            .field("name", &self.name)
            .field("len", &self.len)
            .field("appended", &self.appended)
            .field("synced", &self.synced)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl BlobWriter {
    /// Starts the blob file `name` (number `number`) in the freshly created,
    /// empty `file`; the header is buffered with the first records.
    /// `pacer`, if given, is asked for every byte before it is appended and
    /// before every sync (background writers only).
    pub fn new(
        file: Box<dyn WritableFile>,
        name: String,
        number: u64,
        pacer: Option<Pacer>,
    ) -> BlobWriter {
        let mut buf = Vec::new();
        encode_file_header(&mut buf, BlobVersion::CURRENT);
        BlobWriter {
            file,
            name,
            number,
            len: buf.len() as u64,
            buf,
            appended: 0,
            synced: 0,
            records: 0,
            pacer,
            failed: None,
        }
    }

    /// The file's number.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Length of the file once the buffer is written.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True if no record was added.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// Records added so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Bytes buffered but not yet handed to the file.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// True if some appended or buffered byte is not yet durable.
    pub fn needs_sync(&self) -> bool {
        self.synced < self.len
    }

    /// Buffers a record of `key` and `value` and returns its index. Nothing
    /// reaches the file until [`BlobWriter::write_buffered`] or
    /// [`BlobWriter::sync`].
    ///
    /// REQUIRES: `key` and `value` each at most `u32::MAX` bytes.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "REQUIRES: value below 2^32 (a write batch holds at most 2^30 bytes)"
    )]
    pub fn add(&mut self, key: &[u8], value: &[u8]) -> Result<BlobIndex> {
        self.check_usable()?;
        let offset = self.len;
        let before = self.buf.len();
        let crc = encode_record(&mut self.buf, BlobVersion::CURRENT, key, value);
        self.len += (self.buf.len() - before) as u64;
        self.records += 1;
        Ok(BlobIndex {
            file_number: self.number,
            offset,
            value_len: value.len() as u32,
            crc,
        })
    }

    /// Hands every buffered byte to the file in one append; returns the bytes
    /// written.
    pub fn write_buffered(&mut self) -> Result<u64> {
        self.check_usable()?;
        if self.buf.is_empty() {
            return Ok(0);
        }
        let n = self.buf.len() as u64;
        if let Some(p) = &self.pacer {
            p.request(n);
        }
        let r = self.file.append(&self.buf);
        if self.buf.capacity() > KEEP_BUFFER_CAPACITY {
            self.buf = Vec::new();
        } else {
            self.buf.clear();
        }
        match r {
            Ok(()) => {
                self.appended += n;
                Ok(n)
            }
            Err(e) => {
                self.failed = Some(e.duplicate());
                Err(e)
            }
        }
    }

    /// Writes the buffer and has the OS start writing the file's unsynced
    /// bytes to the device without waiting
    /// ([`WritableFile::start_write_back`]); [`BlobWriter::sync`] still
    /// makes them durable.
    pub fn start_sync(&mut self) -> Result<()> {
        self.write_buffered()?;
        if self.synced == self.appended {
            return Ok(());
        }
        self.file.start_write_back().inspect_err(|e| {
            self.failed = Some(e.duplicate());
        })
    }

    /// Writes the buffer and makes the whole file durable (fdatasync).
    pub fn sync(&mut self) -> Result<()> {
        self.write_buffered()?;
        if self.synced == self.appended {
            return Ok(());
        }
        if let Some(p) = &self.pacer {
            p.before_sync();
        }
        self.file.sync().inspect_err(|e| {
            self.failed = Some(e.duplicate());
        })?;
        self.synced = self.appended;
        Ok(())
    }

    fn check_usable(&self) -> Result<()> {
        match &self.failed {
            Some(e) => Err(Error::Poisoned(Box::new(e.duplicate()))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use std::path::Path;

    use super::*;
    use crate::fs::{FaultFs, Fs, MemFs};
    use crate::vlog::{BlobReader, BlobScanner};

    #[test]
    fn records_land_at_their_indexes_and_survive_only_once_synced() {
        let fs = MemFs::new();
        let path = Path::new("000003.blob");
        let file = fs.create(path).expect("create");
        fs.sync_dir(Path::new("")).expect("sync dir");
        let mut w = BlobWriter::new(file, "000003.blob".into(), 3, None);
        assert!(w.is_empty() && w.needs_sync());
        let a = w.add(b"a", b"one").expect("add");
        let b = w.add(b"b", &[7u8; 5000]).expect("add");
        assert_eq!(a.offset, 12);
        assert_eq!(b.offset, a.record_end(1));
        assert_eq!(w.write_buffered().expect("append"), w.len());
        let reader = BlobReader::open(fs.open_random(path).expect("open"), "000003.blob".into(), 3)
            .expect("header");
        assert_eq!(reader.read_value(&b, b"b").expect("read"), vec![7u8; 5000]);
        w.sync().expect("sync");
        assert!(!w.needs_sync());
        let c = w.add(b"c", b"unsynced").expect("add");
        w.write_buffered().expect("append");
        fs.crash();
        let data = fs.read_all(path).expect("read");
        let mut s = BlobScanner::new(&data, "000003.blob", data.len() as u64).expect("header");
        let mut keys = Vec::new();
        while let Some(r) = s.next_record().expect("record") {
            keys.push(r.key.to_vec());
        }
        assert_eq!(keys, vec![b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(data.len() as u64, c.offset);
    }

    #[test]
    fn failed_append_or_sync_poisons() {
        let mem = MemFs::new();
        let fault = FaultFs::new(Arc::new(mem.clone()));
        let file = fault.create(Path::new("000004.blob")).expect("create");
        let mut w = BlobWriter::new(file, "000004.blob".into(), 4, None);
        w.add(b"k", b"v").expect("add");
        fault.fail_sync_after(0);
        assert!(matches!(w.sync(), Err(Error::Io { .. })));
        fault.clear();
        assert!(matches!(w.sync(), Err(Error::Poisoned(_))));
        assert!(matches!(w.add(b"k", b"v"), Err(Error::Poisoned(_))));
    }
}
