//! Spec: format-spec/value-log.md#blob-file
//!
//! The bytes of a blob file: the 12-byte file header and the records that
//! follow it, the record checksum of each [`BlobVersion`], and
//! [`BlobScanner`], which walks a whole file held in memory (for `check`,
//! `dump` and the fuzz target; the read path uses [`super::BlobReader`]).

use xxhash_rust::xxh3::xxh3_64;

use crate::coding::{get_fixed32, get_fixed64, masked_crc, put_fixed32, put_fixed64};
use crate::error::{Error, Result};

/// Magic number opening every blob file (never change): the ASCII bytes
/// `siltdbVL` ("siltdb value log") read as a little-endian u64, the scheme of
/// the table magic `siltdbST`.
pub const BLOB_MAGIC: u64 = u64::from_le_bytes(*b"siltdbVL");

/// A blob file format version this reader knows. The layout of every
/// version is the same; only the record checksum differs. Numbers and
/// meanings never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlobVersion {
    /// `1`: the record checksum is the masked CRC-32 of the record's bytes
    /// after it. Read, checked and collected; no longer written.
    V1,
    /// `2`: the record checksum is the low 32 bits of XXH3-64 (seed 0) of
    /// the same bytes, not masked. Every new blob file.
    V2,
}

impl BlobVersion {
    /// The version new blob files are written in (memtable blob files and
    /// garbage collection output alike).
    pub const CURRENT: BlobVersion = BlobVersion::V2;

    /// The number stored in the file header.
    pub const fn number(self) -> u32 {
        match self {
            BlobVersion::V1 => 1,
            BlobVersion::V2 => 2,
        }
    }

    /// The version stored as `number`, if this reader knows it.
    pub fn from_number(number: u32) -> Option<BlobVersion> {
        match number {
            1 => Some(BlobVersion::V1),
            2 => Some(BlobVersion::V2),
            _ => None,
        }
    }

    /// The checksum a record header of this version stores, computed over
    /// `body`: the record's bytes after the checksum field (key length,
    /// value length, key, value), which are contiguous, so one call.
    pub fn record_checksum(self, body: &[u8]) -> u32 {
        match self {
            BlobVersion::V1 => masked_crc(body),
            BlobVersion::V2 => xxh3_low32(body),
        }
    }
}

/// The low 32 bits of XXH3-64 (seed 0) of `data`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "the low 32 bits are the checksum (format-spec/value-log.md)"
)]
fn xxh3_low32(data: &[u8]) -> u32 {
    xxh3_64(data) as u32
}

/// The version new blob files are written in: [`BlobVersion::CURRENT`].
pub const BLOB_FORMAT_VERSION: u32 = BlobVersion::CURRENT.number();

/// Bytes of the file header: magic (8) and format version (4).
pub const FILE_HEADER_LEN: usize = 12;

/// Bytes of a record header: checksum (4), key length (4), value length (4).
pub const RECORD_HEADER_LEN: usize = 12;

/// Appends the header of a blob file of `version` to `dst`.
pub fn encode_file_header(dst: &mut Vec<u8>, version: BlobVersion) {
    put_fixed64(dst, BLOB_MAGIC);
    put_fixed32(dst, version.number());
}

/// Checks the first bytes of the blob file `file`: the magic, then the
/// version, which it returns. Anything else is corruption at offset 0
/// (magic) or 8 (version).
pub fn check_file_header(header: &[u8], file: &str) -> Result<BlobVersion> {
    let magic = get_fixed64(header).ok_or_else(|| {
        Error::corruption(
            file,
            0,
            format!(
                "blob file is {} bytes, shorter than its {FILE_HEADER_LEN}-byte header",
                header.len()
            ),
        )
    })?;
    if magic != BLOB_MAGIC {
        return Err(Error::corruption(
            file,
            0,
            format!("bad blob file magic {magic:#018x} (want {BLOB_MAGIC:#018x}, \"siltdbVL\")"),
        ));
    }
    let version = header.get(8..).and_then(get_fixed32).ok_or_else(|| {
        Error::corruption(
            file,
            8,
            format!("blob file is shorter than its {FILE_HEADER_LEN}-byte header"),
        )
    })?;
    BlobVersion::from_number(version).ok_or_else(|| {
        Error::corruption(
            file,
            8,
            format!("unknown blob file format version {version} (this reader knows 1 and 2)"),
        )
    })
}

/// Bytes a record of a `key_len`-byte key and `value_len`-byte value occupies.
pub fn record_len(key_len: usize, value_len: usize) -> u64 {
    RECORD_HEADER_LEN as u64 + key_len as u64 + value_len as u64
}

/// Appends one record of a blob file of `version` to `dst` and returns its
/// checksum. The checksum is computed over the encoded bytes after it, in
/// one call, and written into its field.
///
/// REQUIRES: `key` and `value` are each at most `u32::MAX` bytes (the write
/// batch and compaction inputs they come from guarantee it).
#[expect(
    clippy::cast_possible_truncation,
    reason = "REQUIRES: lengths below 2^32 (a write batch holds at most 2^30 bytes)"
)]
pub fn encode_record(dst: &mut Vec<u8>, version: BlobVersion, key: &[u8], value: &[u8]) -> u32 {
    debug_assert!(u32::try_from(key.len()).is_ok() && u32::try_from(value.len()).is_ok());
    let start = dst.len();
    dst.reserve(RECORD_HEADER_LEN + key.len() + value.len());
    put_fixed32(dst, 0);
    put_fixed32(dst, key.len() as u32);
    put_fixed32(dst, value.len() as u32);
    dst.extend_from_slice(key);
    dst.extend_from_slice(value);
    let checksum = version.record_checksum(dst.get(start + 4..).unwrap_or_default());
    if let Some(field) = dst.get_mut(start..start + 4) {
        field.copy_from_slice(&checksum.to_le_bytes());
    }
    checksum
}

/// One record found by [`BlobScanner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobRecord<'a> {
    /// File offset of the record's first byte (what a blob index names).
    pub offset: u64,
    /// The checksum stored in the record header (checked): under the
    /// file's [`BlobVersion`], a masked CRC-32 (1) or the low 32 bits of
    /// XXH3-64 (2).
    pub crc: u32,
    /// The user key the value belongs to.
    pub key: &'a [u8],
    /// The value.
    pub value: &'a [u8],
}

impl BlobRecord<'_> {
    /// Bytes the record occupies in the file.
    pub fn len(&self) -> u64 {
        record_len(self.key.len(), self.value.len())
    }

    /// Never true: a record has at least its 12-byte header.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Walks the records of a blob file held in memory, checking each one.
///
/// Never panics, whatever the bytes. Records must follow the header back to
/// back up to `end` (the region the database vouches for: the MANIFEST's
/// `size`, or the file length); the first record that runs past `end` or
/// fails its checksum is [`Error::Corruption`] at that record's offset, and
/// every later call reports the same error.
#[derive(Debug)]
pub struct BlobScanner<'a> {
    data: &'a [u8],
    file: String,
    version: BlobVersion,
    pos: usize,
    end: usize,
    error: Option<Error>,
}

impl<'a> BlobScanner<'a> {
    /// Checks the header of `data`, the contents of blob file `file`, and
    /// starts after it. `end` (clamped to the data) bounds the records read.
    pub fn new(data: &'a [u8], file: &str, end: u64) -> Result<BlobScanner<'a>> {
        let version = check_file_header(data, file)?;
        let end = usize::try_from(end).unwrap_or(usize::MAX).min(data.len());
        Ok(BlobScanner {
            data,
            file: file.to_string(),
            version,
            pos: FILE_HEADER_LEN,
            end: end.max(FILE_HEADER_LEN),
            error: None,
        })
    }

    /// The file's format version (its header's).
    pub fn version(&self) -> BlobVersion {
        self.version
    }

    /// Offset of the next record (after the last one returned).
    pub fn offset(&self) -> u64 {
        self.pos as u64
    }

    /// The next record, `Ok(None)` exactly at `end`, or the corruption that
    /// stops the walk.
    pub fn next_record(&mut self) -> Result<Option<BlobRecord<'a>>> {
        if let Some(e) = &self.error {
            return Err(e.duplicate());
        }
        if self.pos >= self.end {
            return Ok(None);
        }
        match self.decode_at(self.pos) {
            Ok(r) => {
                // A record decoded from the data fits in it, so in usize.
                let len = usize::try_from(r.len()).unwrap_or(usize::MAX);
                self.pos = self.pos.saturating_add(len);
                Ok(Some(r))
            }
            Err(reason) => {
                let e = Error::corruption(&self.file, self.pos as u64, reason);
                self.error = Some(e.duplicate());
                Err(e)
            }
        }
    }

    fn decode_at(&self, pos: usize) -> std::result::Result<BlobRecord<'a>, String> {
        let region = self.data.get(pos..self.end).unwrap_or(&[]);
        let (Some(crc), Some(key_len), Some(value_len)) = (
            get_fixed32(region),
            region.get(4..).and_then(get_fixed32),
            region.get(8..).and_then(get_fixed32),
        ) else {
            return Err(format!(
                "truncated blob record header: {} bytes remain before offset {}",
                region.len(),
                self.end
            ));
        };
        let key_end = RECORD_HEADER_LEN.checked_add(key_len as usize);
        let value_end = key_end.and_then(|k| k.checked_add(value_len as usize));
        let (Some(key_end), Some(value_end)) = (key_end, value_end) else {
            return Err("blob record length overflows".to_string());
        };
        let (Some(key), Some(value), Some(body)) = (
            region.get(RECORD_HEADER_LEN..key_end),
            region.get(key_end..value_end),
            region.get(4..value_end),
        ) else {
            return Err(format!(
                "blob record of {} bytes (key {key_len}, value {value_len}) runs past offset {}",
                value_end, self.end
            ));
        };
        let actual = self.version.record_checksum(body);
        if actual != crc {
            return Err(format!(
                "blob record checksum mismatch: stored {crc:#010x}, computed {actual:#010x}"
            ));
        }
        Ok(BlobRecord {
            offset: pos as u64,
            crc,
            key,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{decode_hex_vector, encode_hex_vector};

    const VECTOR_V1: &str = include_str!("../../../format-spec/vectors/blob-file.hex");
    const VECTOR_V2: &str = include_str!("../../../format-spec/vectors/blob-file-v2.hex");
    const BOTH: [BlobVersion; 2] = [BlobVersion::V1, BlobVersion::V2];

    /// The file of the spec's vectors, in `version`.
    fn vector_file(version: BlobVersion) -> Vec<u8> {
        let mut f = Vec::new();
        encode_file_header(&mut f, version);
        encode_record(&mut f, version, b"k1", b"hello");
        encode_record(&mut f, version, b"key2", b"");
        f
    }

    /// Decodes `vector`, checks it is what the encoder writes in `version`,
    /// and scans it: the two records, with the checksums the spec shows.
    fn check_vector(vector: &str, version: BlobVersion, checksums: [u32; 2]) {
        let bytes = decode_hex_vector(vector);
        assert_eq!(
            bytes,
            vector_file(version),
            "encoder output differs from the {version:?} vector; current encoding:\n{}",
            encode_hex_vector(&vector_file(version))
        );
        let mut s = BlobScanner::new(&bytes, "000009.blob", bytes.len() as u64).expect("header");
        assert_eq!(s.version(), version);
        let r = s.next_record().expect("record").expect("some");
        assert_eq!((r.offset, r.key, r.value), (12, &b"k1"[..], &b"hello"[..]));
        assert_eq!(r.crc, checksums[0], "checksum of the first record");
        let r = s.next_record().expect("record").expect("some");
        assert_eq!((r.offset, r.key, r.value), (31, &b"key2"[..], &b""[..]));
        assert_eq!(r.crc, checksums[1], "checksum of the second record");
        assert_eq!(s.next_record().expect("end"), None);
        assert_eq!(s.offset(), bytes.len() as u64);
    }

    #[test]
    fn v1_vector_decodes_record_by_record() {
        check_vector(VECTOR_V1, BlobVersion::V1, [0xa9f4_5c27, 0xd250_c45c]);
    }

    #[test]
    fn v2_vector_decodes_record_by_record() {
        check_vector(VECTOR_V2, BlobVersion::V2, [0xf789_9ef4, 0xf30e_a306]);
    }

    #[test]
    fn each_version_has_its_checksum() {
        let body = b"\x02\x00\x00\x00\x05\x00\x00\x00k1hello";
        assert_eq!(BlobVersion::V1.record_checksum(body), masked_crc(body));
        assert_eq!(
            BlobVersion::V2.record_checksum(body),
            u32::from_le_bytes(xxh3_64(body).to_le_bytes()[..4].try_into().unwrap())
        );
        assert_eq!(BlobVersion::CURRENT.number(), BLOB_FORMAT_VERSION);
        for v in BOTH {
            assert_eq!(BlobVersion::from_number(v.number()), Some(v));
        }
        // A record's checksum is the one its file's header says: the
        // records of one version under the other's header fail.
        for (data, other) in [
            (vector_file(BlobVersion::V1), BlobVersion::V2),
            (vector_file(BlobVersion::V2), BlobVersion::V1),
        ] {
            let mut f = data;
            f[8..12].copy_from_slice(&other.number().to_le_bytes());
            let mut s = BlobScanner::new(&f, "x.blob", f.len() as u64).expect("header");
            match s.next_record() {
                Err(Error::Corruption { offset, reason, .. }) => {
                    assert_eq!(offset, 12);
                    assert!(reason.contains("checksum mismatch"), "{reason}");
                }
                other => panic!("expected corruption, got {other:?}"),
            }
        }
    }

    #[test]
    fn bad_header_is_corruption() {
        let mut f = vector_file(BlobVersion::CURRENT);
        f[0] ^= 1;
        let e = BlobScanner::new(&f, "x.blob", 100).unwrap_err();
        assert!(e.to_string().contains("magic"), "{e}");
        for version in [0u32, 3, 0x0100_0002, u32::MAX] {
            let mut f = vector_file(BlobVersion::CURRENT);
            f[8..12].copy_from_slice(&version.to_le_bytes());
            match BlobScanner::new(&f, "x.blob", 100) {
                Err(Error::Corruption { offset, reason, .. }) => {
                    assert_eq!(offset, 8);
                    assert!(
                        reason.contains(&format!("version {version} "))
                            && reason.contains("knows 1 and 2"),
                        "{reason}"
                    );
                }
                other => panic!("version {version}: expected corruption, got {other:?}"),
            }
        }
        let f = vector_file(BlobVersion::CURRENT);
        assert!(BlobScanner::new(&f[..5], "x.blob", 100)
            .unwrap_err()
            .is_corruption());
    }

    #[test]
    fn every_truncation_and_flip_is_reported_at_the_record() {
        for version in BOTH {
            let f = vector_file(version);
            for cut in FILE_HEADER_LEN..f.len() {
                let data = &f[..cut];
                let mut s = BlobScanner::new(data, "x.blob", data.len() as u64).expect("header");
                let mut n = 0;
                let err = loop {
                    match s.next_record() {
                        Ok(Some(_)) => n += 1,
                        Ok(None) => break None,
                        Err(e) => break Some(e),
                    }
                };
                match (cut, err) {
                    (12 | 31, None) => {}
                    (_, Some(Error::Corruption { offset, .. })) => {
                        assert_eq!(offset, if n == 0 { 12 } else { 31 }, "cut {cut}");
                    }
                    (cut, other) => panic!("{version:?} cut {cut}: {other:?}"),
                }
            }
            for i in FILE_HEADER_LEN..f.len() {
                let mut g = f.clone();
                g[i] ^= 0x10;
                let mut s = BlobScanner::new(&g, "x.blob", g.len() as u64).expect("header");
                let mut saw_error = false;
                for _ in 0..4 {
                    match s.next_record() {
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                        Err(e) => {
                            assert!(e.is_corruption());
                            saw_error = true;
                            // The same error again.
                            assert_eq!(s.next_record().unwrap_err().to_string(), e.to_string());
                            break;
                        }
                    }
                }
                assert!(saw_error, "{version:?}: flip at {i} went unnoticed");
            }
        }
    }

    #[test]
    fn end_bounds_the_walk() {
        let f = vector_file(BlobVersion::CURRENT);
        let mut s = BlobScanner::new(&f, "x.blob", 31).expect("header");
        assert!(s.next_record().expect("ok").is_some());
        assert_eq!(s.next_record().expect("end"), None);
    }
}
