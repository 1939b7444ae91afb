//! Spec: format-spec/value-log.md#reading-a-value
//!
//! [`BlobReader`]: point reads of separated values, one positional read per
//! value.

use std::sync::Arc;

use crate::coding::get_fixed32;
use crate::error::{Error, Result};
use crate::fs::RandomAccessFile;

use super::format::{check_file_header, BlobVersion, FILE_HEADER_LEN, RECORD_HEADER_LEN};
use super::BlobIndex;

/// An open blob file, shared by every reader of it.
pub struct BlobReader {
    file: Arc<dyn RandomAccessFile>,
    name: String,
    number: u64,
    /// Read from the header once, at open: it says which checksum every
    /// record of the file carries.
    version: BlobVersion,
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("name", &self.name)
            .field("number", &self.number)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// True for the I/O error of a read that ran past the end of a file.
fn is_short_read(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::UnexpectedEof)
}

impl BlobReader {
    /// Wraps the blob file `name` (number `number`), reading and checking its
    /// header, and keeping its format version for every later read. The
    /// file may still be growing (the memtable's own blob file): reads are
    /// positional and never consult a cached length. The header is written
    /// with the first records, before any entry can point into the file, and
    /// never changes.
    pub fn open(file: Arc<dyn RandomAccessFile>, name: String, number: u64) -> Result<BlobReader> {
        let mut header = [0u8; FILE_HEADER_LEN];
        match file.read_exact_at(0, &mut header) {
            Ok(()) => {}
            Err(e) if is_short_read(&e) => {
                return Err(Error::corruption(
                    &name,
                    0,
                    format!("blob file is shorter than its {FILE_HEADER_LEN}-byte header"),
                ))
            }
            Err(e) => return Err(e),
        }
        let version = check_file_header(&header, &name)?;
        Ok(BlobReader {
            file,
            name,
            number,
            version,
        })
    }

    /// The file's name, used in errors.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's number.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The file's format version, read from its header at open.
    pub fn version(&self) -> BlobVersion {
        self.version
    }

    /// Reads the value `index` points to, which must belong to `user_key`:
    /// one positional read of the whole record, then every check of the
    /// spec, the record checksum being the one of the file's version. Any
    /// mismatch is [`Error::Corruption`] at the record's offset.
    pub fn read_value(&self, index: &BlobIndex, user_key: &[u8]) -> Result<Vec<u8>> {
        self.read_record(index, user_key).map(BlobValue::into_value)
    }

    /// [`BlobReader::read_value`], returning the checked record as it was
    /// read (the value inside it), for a cache to keep without a copy.
    pub fn read_record(&self, index: &BlobIndex, user_key: &[u8]) -> Result<BlobValue> {
        self.read_record_into(index, user_key, Vec::new())
    }

    /// [`BlobReader::read_record`] into `buf`, whatever it holds: the record
    /// overwrites it, and only bytes past its length are zeroed first (so
    /// a recycled buffer of the right size costs no extra pass).
    pub fn read_record_into(
        &self,
        index: &BlobIndex,
        user_key: &[u8],
        mut buf: Vec<u8>,
    ) -> Result<BlobValue> {
        let corrupt = |reason: String| Error::corruption(&self.name, index.offset, reason);
        if index.file_number != self.number {
            return Err(corrupt(format!(
                "blob index names file {} but was resolved against this file",
                index.file_number
            )));
        }
        let len = usize::try_from(index.record_len(user_key.len()))
            .map_err(|_| corrupt("blob record does not fit in memory".into()))?;
        if buf.capacity() >= len {
            buf.resize(len, 0);
        } else {
            // Zeroed by the allocator (lazily for large sizes), so a length
            // from a damaged index costs no pass over memory before the
            // read fails.
            buf = vec![0u8; len];
        }
        match self.file.read_exact_at(index.offset, &mut buf) {
            Ok(()) => {}
            Err(e) if is_short_read(&e) => {
                return Err(corrupt(format!(
                    "blob record of {len} bytes runs past the end of the file"
                )))
            }
            Err(e) => return Err(e),
        }
        let stored = get_fixed32(&buf).unwrap_or(0);
        let key_len = buf.get(4..).and_then(get_fixed32).unwrap_or(u32::MAX);
        let value_len = buf.get(8..).and_then(get_fixed32).unwrap_or(u32::MAX);
        if stored != index.crc {
            return Err(corrupt(format!(
                "blob record checksum {stored:#010x} is not the {:#010x} its index names",
                index.crc
            )));
        }
        if key_len as usize != user_key.len() || value_len != index.value_len {
            return Err(corrupt(format!(
                "blob record holds a {key_len}-byte key and {value_len}-byte value, \
                 its index names {} and {}",
                user_key.len(),
                index.value_len
            )));
        }
        let key_end = RECORD_HEADER_LEN + user_key.len();
        let (Some(key), Some(body)) = (buf.get(RECORD_HEADER_LEN..key_end), buf.get(4..)) else {
            return Err(corrupt("blob record shorter than its header says".into()));
        };
        let actual = self.version.record_checksum(body);
        if actual != stored {
            return Err(corrupt(format!(
                "blob record checksum mismatch: stored {stored:#010x}, computed {actual:#010x}"
            )));
        }
        if key != user_key {
            return Err(corrupt(
                "blob record belongs to another key than the entry pointing to it".into(),
            ));
        }
        Ok(BlobValue {
            record: buf,
            value_start: key_end,
        })
    }
}

/// A checked blob record as read from its file: the value is its tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobValue {
    record: Vec<u8>,
    value_start: usize,
}

impl BlobValue {
    /// The value.
    pub fn value(&self) -> &[u8] {
        self.record.get(self.value_start..).unwrap_or_default()
    }

    /// The value, moved to the front of the record's buffer.
    pub fn into_value(mut self) -> Vec<u8> {
        self.record.drain(..self.value_start.min(self.record.len()));
        self.record
    }

    /// True if this record is the one `index`, found in an entry of
    /// `user_key`, names: the checksum, value length and key of its header
    /// (checked when it was read) match. A cached record that does not is
    /// read again from its file, which reports the mismatch.
    pub fn matches(&self, index: &BlobIndex, user_key: &[u8]) -> bool {
        get_fixed32(&self.record) == Some(index.crc)
            && self.record.get(8..).and_then(get_fixed32) == Some(index.value_len)
            && self.record.get(RECORD_HEADER_LEN..self.value_start) == Some(user_key)
    }

    /// The whole record's buffer, to reuse.
    pub fn into_record(self) -> Vec<u8> {
        self.record
    }

    /// Bytes held (what a cache charges for it).
    pub fn charge(&self) -> usize {
        self.record.len()
    }
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::cast_possible_truncation,
        reason = "test values are a few bytes long"
    )]
    use std::path::Path;

    use super::*;
    use crate::fs::{Fs, MemFs};
    use crate::vlog::format::{encode_file_header, encode_record};

    const BOTH: [BlobVersion; 2] = [BlobVersion::V1, BlobVersion::V2];

    /// Blob file 000005.blob of `version` holding `records`, and their
    /// indexes.
    fn file_with(version: BlobVersion, records: &[(&[u8], &[u8])]) -> (MemFs, Vec<BlobIndex>) {
        let fs = MemFs::new();
        let mut data = Vec::new();
        encode_file_header(&mut data, version);
        let mut out = Vec::new();
        for (k, v) in records {
            let offset = data.len() as u64;
            let crc = encode_record(&mut data, version, k, v);
            out.push(BlobIndex {
                file_number: 5,
                offset,
                value_len: v.len() as u32,
                crc,
            });
        }
        let mut f = fs.create(Path::new("000005.blob")).expect("create");
        f.append(&data).expect("append");
        (fs, out)
    }

    fn open(fs: &MemFs) -> BlobReader {
        let f = fs.open_random(Path::new("000005.blob")).expect("open");
        BlobReader::open(f, "000005.blob".into(), 5).expect("header")
    }

    fn reason(r: Result<Vec<u8>>) -> String {
        match r {
            Err(Error::Corruption { reason, .. }) => reason,
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn reads_values_and_checks_identity() {
        for version in BOTH {
            reads_values_and_checks_identity_in(version);
        }
    }

    fn reads_values_and_checks_identity_in(version: BlobVersion) {
        let (fs, idx) = file_with(version, &[(b"a", b"first"), (b"a", b"second"), (b"b", b"")]);
        let r = open(&fs);
        assert_eq!(r.version(), version);
        assert_eq!(r.read_value(&idx[0], b"a").expect("read"), b"first");
        assert_eq!(r.read_value(&idx[1], b"a").expect("read"), b"second");
        assert_eq!(r.read_value(&idx[2], b"b").expect("read"), b"");
        // The same key's other record: the crc in the index tells them apart.
        let swapped = BlobIndex {
            crc: idx[0].crc,
            ..idx[1]
        };
        assert!(reason(r.read_value(&swapped, b"a")).contains("not the"));
        // Another key of the same length at the right place.
        assert!(reason(r.read_value(&idx[2], b"c")).contains("another key"));
        // Another key length.
        assert!(reason(r.read_value(&idx[0], b"ab")).contains("holds a 1-byte key"));
        // Past the end.
        let past = BlobIndex {
            value_len: 500,
            ..idx[2]
        };
        assert!(reason(r.read_value(&past, b"b")).contains("runs past the end"));
        // Wrong file.
        let other = BlobIndex {
            file_number: 6,
            ..idx[0]
        };
        assert!(reason(r.read_value(&other, b"a")).contains("names file 6"));
    }

    #[test]
    fn a_recycled_buffer_is_overwritten_whatever_it_held() {
        let (fs, idx) = file_with(BlobVersion::CURRENT, &[(b"a", b"first"), (b"b", b"")]);
        let r = open(&fs);
        for stale in [vec![0xEEu8; 100], vec![0xEEu8; 3], Vec::with_capacity(50)] {
            let v = r.read_record_into(&idx[0], b"a", stale).expect("read");
            assert_eq!(v.value(), b"first");
            assert_eq!(v.charge(), 12 + 1 + 5);
            let v = r
                .read_record_into(&idx[1], b"b", v.into_record())
                .expect("read");
            assert_eq!(v.into_value(), b"");
        }
    }

    #[test]
    fn damaged_record_is_corruption_at_its_offset() {
        let long = vec![0x5a; 300];
        for version in BOTH {
            // A value byte of either record: the checksum of the file's
            // version catches it.
            for (i, key, at) in [(0, &b"a"[..], 14), (1, b"b", 200)] {
                let (fs, idx) = file_with(version, &[(b"a", b"first"), (b"b", &long)]);
                fs.corrupt_byte(Path::new("000005.blob"), idx[i].offset + at, 0x01)
                    .expect("flip");
                match open(&fs).read_value(&idx[i], key) {
                    Err(Error::Corruption {
                        file,
                        offset,
                        reason,
                    }) => {
                        assert_eq!((file.as_str(), offset), ("000005.blob", idx[i].offset));
                        assert!(
                            reason.contains("checksum mismatch"),
                            "{version:?}: {reason}"
                        );
                    }
                    other => panic!("{version:?}: expected corruption, got {other:?}"),
                }
            }
        }
    }

    #[test]
    fn unknown_version_is_refused_at_open() {
        for version in [0u32, 3, 7] {
            let fs = MemFs::new();
            let mut data = b"siltdbVL".to_vec();
            data.extend_from_slice(&version.to_le_bytes());
            fs.create(Path::new("000005.blob"))
                .and_then(|mut f| f.append(&data))
                .expect("write");
            let file = fs.open_random(Path::new("000005.blob")).expect("open");
            match BlobReader::open(file, "000005.blob".into(), 5) {
                Err(Error::Corruption { offset, reason, .. }) => {
                    assert_eq!(offset, 8);
                    assert!(reason.contains("knows 1 and 2"), "{reason}");
                }
                other => panic!("version {version}: expected corruption, got {other:?}"),
            }
        }
    }

    #[test]
    fn bad_or_short_header_is_corruption() {
        let fs = MemFs::new();
        let mut f = fs.create(Path::new("000005.blob")).expect("create");
        f.append(b"siltdb").expect("append");
        let file = fs.open_random(Path::new("000005.blob")).expect("open");
        assert!(BlobReader::open(file, "000005.blob".into(), 5)
            .unwrap_err()
            .is_corruption());
        f.append(b"XX\x01\x00\x00\x00").expect("append");
        let file = fs.open_random(Path::new("000005.blob")).expect("open");
        assert!(BlobReader::open(file, "000005.blob".into(), 5)
            .unwrap_err()
            .to_string()
            .contains("magic"));
    }
}
