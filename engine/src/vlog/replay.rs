//! Spec: format-spec/value-log.md#recovery
//!
//! The rule deciding how much of a WAL may be replayed, given the blob
//! records its separated values point to: which unreadable record a crash
//! can have taken and which is damage ([`BlobTail::classify`]), and where
//! replay stops ([`wal_blob_replay_end`]). Shared by `Db::open` and
//! `siltdb check`.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::fs::RandomAccessFile;
use crate::key::ValueKind;
use crate::recovery::wal::replay_wal;
use crate::recovery::FileKind;

use super::format::{check_file_header, FILE_HEADER_LEN};
use super::{decode_entry_index, BlobIndex};

/// What reading one blob record found: `Ok` for an intact record, `Err`
/// for one that could not be read (cut short, bad checksum, wrong key, bad
/// file header): [`BlobTail::classify`] decides what that means.
pub type RecordCheck = std::result::Result<(), Error>;

/// The unit in which storage writes, and in which a file system shows data
/// it never wrote as zeros: every sector size in use is a multiple of it.
pub const SECTOR: u64 = 512;

/// Bytes read at a time when looking for the file's trailing zeros.
const ZERO_SCAN_CHUNK: usize = 64 << 10;

/// What recovery needs to know of a blob file to tell a record a crash
/// took from a damaged one: read once per file, so classifying many
/// records costs one backward scan of its trailing zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobTail {
    /// The file's length.
    pub len: u64,
    /// True if the 12-byte file header is intact (magic and version).
    pub header_intact: bool,
    /// Where the run of zero bytes that ends the file starts (`len` if the
    /// last byte is not zero).
    pub zeros_from: u64,
}

impl BlobTail {
    /// Reads the header and the trailing zeros of `file`.
    pub fn read(file: &dyn RandomAccessFile) -> Result<BlobTail> {
        let len = file.len();
        let mut header = [0u8; FILE_HEADER_LEN];
        let header_intact = len >= FILE_HEADER_LEN as u64 && {
            file.read_exact_at(0, &mut header)?;
            check_file_header(&header, "").is_ok()
        };
        let mut zeros_from = len;
        let mut buf = Vec::new();
        while zeros_from > 0 {
            let start = zeros_from.saturating_sub(ZERO_SCAN_CHUNK as u64);
            // At most ZERO_SCAN_CHUNK bytes: fits usize.
            let chunk = usize::try_from(zeros_from - start).unwrap_or(ZERO_SCAN_CHUNK);
            buf.resize(chunk, 0);
            file.read_exact_at(start, &mut buf)?;
            match buf.iter().rposition(|&b| b != 0) {
                Some(i) => return Ok(Self::with(len, header_intact, start + i as u64 + 1)),
                None => zeros_from = start,
            }
        }
        Ok(Self::with(len, header_intact, 0))
    }

    fn with(len: u64, header_intact: bool, zeros_from: u64) -> BlobTail {
        BlobTail {
            len,
            header_intact,
            zeros_from,
        }
    }

    /// Decides what the blob record `idx` of a separated value (user key of
    /// `key_len` bytes), which failed to read with `e`, means for recovery;
    /// `pointer` names the WAL record pointing at it (`"000012.log at
    /// offset 96"`).
    ///
    /// A power cut takes from a blob file only bytes appended after its
    /// last completed sync, and leaves them in one of two shapes
    /// (format-spec/value-log.md, "Recovery", rule 2): the file ends before
    /// the record does (*cut short*), or the file system recorded the
    /// length but not the data, which reads as zeros in whole sectors to
    /// the end of the file (*zero-filled*: every byte from the record's
    /// last [`SECTOR`] boundary, or from its start if that is later, to the
    /// end of the file is zero; from offset 0 when the file header is not
    /// intact). Such a record is `Ok(Err(e))`: lost to a crash. Anything
    /// else — the record lies wholly inside the file and its bytes are not
    /// those zeros — is damage to bytes already written, `Err` (the
    /// corruption `e`, in the blob file at the record's or the header's
    /// offset, saying so), whatever the recovery mode: the write may have
    /// been acknowledged, and dropping it would lose it.
    ///
    /// `e` that is not corruption is returned as it is.
    pub fn classify(
        &self,
        idx: &BlobIndex,
        key_len: usize,
        e: Error,
        pointer: &str,
    ) -> Result<RecordCheck> {
        if !e.is_corruption() {
            return Err(e);
        }
        let end = idx.record_end(key_len);
        if self.len < end {
            return Ok(Err(e));
        }
        let from = if self.header_intact {
            idx.offset.max(end.saturating_sub(1) / SECTOR * SECTOR)
        } else {
            0
        };
        if self.zeros_from <= from {
            return Ok(Err(e));
        }
        Err(match e {
            Error::Corruption {
                file,
                offset,
                reason,
            } => Error::corruption(
                file,
                offset,
                format!(
                    "{reason}; {pointer} points to this record, which lies wholly inside the \
                     file and is not zero-filled: not what a crash leaves, but damage to bytes \
                     already written (the write may have been acknowledged, so recovery \
                     refuses to drop it)"
                ),
            ),
            other => other,
        })
    }
}

/// Checks the blob record of every separated value in WAL `number` (whole
/// contents `data`, read as recovery reads it: [`replay_wal`]) and returns
/// the offset of the first WAL record that must not be replayed, if any
/// (recovery then stops there: [`crate::recovery::wal::WalChain`]).
///
/// `check(index, user_key, wal_offset)` reads one record: `Err` is a failure
/// that is always fatal (an I/O error, a missing blob file); `Ok(Err(e))`
/// is an unreadable record, which [`BlobTail::classify`] sorts into lost
/// and damaged (fatal), reading the WAL's blob file, opened with
/// `open_blob`, once.
///
/// A malformed blob index, or one pointing into a blob file other than the
/// WAL's own (same number: format-spec/value-log.md, "Files"), is
/// corruption. A lost record holds a value appended after the last blob
/// sync (of this WAL's blob file, which is not synced when the next
/// memtable starts: any WAL may lose its tail); no write is acknowledged as
/// durable before a blob sync after it completes, so the WAL record holding
/// it and everything after it were never acknowledged as durable, and
/// replay stops there — provided every separated value after it is lost
/// too. An intact one later means bytes already written were damaged: that
/// is the first lost record's corruption.
pub fn wal_blob_replay_end(
    data: &[u8],
    number: u64,
    mut check: impl FnMut(&BlobIndex, &[u8], u64) -> Result<RecordCheck>,
    mut open_blob: impl FnMut() -> Result<Arc<dyn RandomAccessFile>>,
) -> Result<Option<u64>> {
    let mut tail: Option<BlobTail> = None;
    let name = FileKind::Wal(number).name();
    let mut first_lost: Option<(u64, Error)> = None;
    replay_wal(data, number, |batch, offset, at| {
        if !batch.holds_blob_index() {
            return Ok(());
        }
        for op in batch.iter().filter(|op| op.kind == ValueKind::ValueBlob) {
            let idx = decode_entry_index(op.value, &name, at)?;
            if idx.file_number != number {
                let (own, other) = (FileKind::Blob(number), FileKind::Blob(idx.file_number));
                return Err(Error::corruption(
                    &name,
                    offset,
                    format!("a separated value points into {other}, not into {own}, the WAL's own blob file"),
                ));
            }
            let found = match check(&idx, op.key, offset)? {
                Ok(()) => Ok(()),
                Err(e) => {
                    let t = match tail {
                        Some(t) => t,
                        None => *tail.insert(BlobTail::read(open_blob()?.as_ref())?),
                    };
                    t.classify(&idx, op.key.len(), e, &format!("{name} at offset {offset}"))?
                }
            };
            match (found, &first_lost) {
                (Ok(()), None) => {}
                (Ok(()), Some((_, lost))) => return Err(lost.duplicate()),
                (Err(e), None) => first_lost = Some((offset, e)),
                (Err(_), Some(_)) => {}
            }
        }
        Ok(())
    })?;
    Ok(first_lost.map(|(offset, _)| offset))
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::cast_possible_truncation,
        reason = "offsets and lengths of test files are small"
    )]
    use std::collections::HashSet;

    use super::*;
    use crate::batch::WriteBatch;
    use crate::vlog::format::BlobVersion;
    use crate::vlog::index::MAX_BLOB_INDEX_LEN;
    use crate::wal::encode_record;

    /// A log of `n` batches, batch `i` holding one separated value at blob
    /// offset `12 + i`.
    fn log(n: u64) -> Vec<u8> {
        let mut data = Vec::new();
        for i in 0..n {
            let mut b = WriteBatch::new();
            b.set_sequence(i + 1);
            let mut idx = Vec::with_capacity(MAX_BLOB_INDEX_LEN);
            BlobIndex {
                file_number: 4,
                offset: 12 + i,
                value_len: 1,
                crc: 0,
            }
            .encode(&mut idx);
            b.put_blob_index(b"k", &idx);
            b.put(b"small", b"v");
            encode_record(&mut data, b.data()).expect("record");
        }
        data
    }

    /// A file holding `data`, as `open_random` hands it out.
    fn file_of(data: &[u8]) -> Arc<dyn RandomAccessFile> {
        use crate::fs::{Fs, MemFs};
        use std::path::Path;
        let fs = MemFs::new();
        let path = Path::new("000004.blob");
        fs.create(path)
            .and_then(|mut f| f.append(data))
            .expect("write");
        fs.open_random(path).expect("open")
    }

    /// [`wal_blob_replay_end`] of `data` whose records at the offsets in
    /// `unreadable` fail to read, with a blob file holding `blob`; also
    /// returns how often the blob file was opened.
    fn run_with(
        data: &[u8],
        unreadable: &HashSet<u64>,
        blob: &[u8],
    ) -> (Result<Option<u64>>, usize) {
        let mut opened = 0;
        let r = wal_blob_replay_end(
            data,
            4,
            |idx, _, _| {
                Ok(if unreadable.contains(&idx.offset) {
                    Err(Error::corruption("000004.blob", idx.offset, "gone"))
                } else {
                    Ok(())
                })
            },
            || {
                opened += 1;
                Ok(file_of(blob))
            },
        );
        (r, opened)
    }

    /// [`run_with`] an empty blob file: every unreadable record is cut
    /// short, so lost.
    fn run(data: &[u8], lost: &HashSet<u64>) -> Result<Option<u64>> {
        run_with(data, lost, &[]).0
    }

    fn never_opened() -> Result<Arc<dyn RandomAccessFile>> {
        panic!("no record failed: the blob file is not read")
    }

    #[test]
    fn a_lost_suffix_of_a_log_ends_replay() {
        let data = log(4);
        assert_eq!(run(&data, &HashSet::new()).expect("ok"), None);
        let (end, opened) = run_with(&data, &HashSet::from([14, 15]), &[]);
        // All four records have the same length; replay stops at the third.
        assert_eq!(end.expect("ok"), Some(data.len() as u64 / 4 * 2));
        assert_eq!(opened, 1, "the blob file is read once per WAL");
    }

    #[test]
    fn a_hole_is_corruption() {
        let data = log(4);
        let e = run(&data, &HashSet::from([13])).unwrap_err();
        assert!(matches!(e, Error::Corruption { offset: 13, .. }), "{e}");
    }

    #[test]
    fn a_damaged_final_record_is_corruption() {
        let data = log(4);
        // Record 3 (offset 15, 14 bytes) lies wholly inside a file of
        // non-zero bytes after an intact header.
        let mut blob = Vec::new();
        crate::vlog::format::encode_file_header(&mut blob, BlobVersion::CURRENT);
        blob.resize(100, 7);
        let (r, _) = run_with(&data, &HashSet::from([15]), &blob);
        let e = r.unwrap_err();
        assert!(matches!(e, Error::Corruption { offset: 15, .. }), "{e}");
        assert!(e.to_string().contains("000004.log at offset"), "{e}");
        // The same file zero from the record's sector on: lost.
        blob.iter_mut().skip(12).for_each(|b| *b = 0);
        let (r, _) = run_with(&data, &HashSet::from([15]), &blob);
        assert_eq!(r.expect("lost"), Some(data.len() as u64 / 4 * 3));
    }

    #[test]
    fn a_value_in_another_wals_blob_file_is_corruption() {
        let data = log(1);
        let r = wal_blob_replay_end(&data, 5, |_, _, _| Ok(Ok(())), never_opened);
        let e = r.unwrap_err().to_string();
        assert!(e.contains("000004.blob, not into 000005.blob"), "{e}");
    }

    #[test]
    fn fatal_check_errors_pass_through() {
        let data = log(2);
        let r = wal_blob_replay_end(
            &data,
            4,
            |_, _, _| Err(Error::corruption("000004.blob", 0, "missing")),
            never_opened,
        );
        assert!(r.unwrap_err().to_string().contains("missing"));
    }

    /// A blob file of records `(key, value_len)`, values of `x`; its bytes
    /// and each record's index.
    fn blob_file(records: &[(&[u8], usize)]) -> (Vec<u8>, Vec<BlobIndex>) {
        blob_file_of(BlobVersion::CURRENT, records)
    }

    /// [`blob_file`] in `version`.
    fn blob_file_of(version: BlobVersion, records: &[(&[u8], usize)]) -> (Vec<u8>, Vec<BlobIndex>) {
        let mut data = Vec::new();
        crate::vlog::format::encode_file_header(&mut data, version);
        let idx = records
            .iter()
            .map(|(k, n)| {
                let offset = data.len() as u64;
                let crc =
                    crate::vlog::format::encode_record(&mut data, version, k, &vec![b'x'; *n]);
                BlobIndex {
                    file_number: 4,
                    offset,
                    value_len: *n as u32,
                    crc,
                }
            })
            .collect();
        (data, idx)
    }

    /// [`BlobTail::classify`] of record `idx` (key `k`) in a file holding
    /// `data`: `Some(true)` lost, `Some(false)` damaged, `None` intact.
    fn classify(data: &[u8], idx: &BlobIndex, k: &[u8]) -> Option<bool> {
        let file = file_of(data);
        let read = super::super::BlobReader::open(Arc::clone(&file), "000004.blob".into(), 4)
            .and_then(|r| r.read_value(idx, k));
        let tail = BlobTail::read(file.as_ref()).expect("tail");
        match read {
            Ok(_) => None,
            Err(e) => match tail.classify(idx, k.len(), e, "000004.log at offset 0") {
                Ok(Err(_)) => Some(true),
                Err(e) => {
                    assert!(e.is_corruption(), "{e}");
                    assert!(e.to_string().contains("000004.log at offset 0"), "{e}");
                    Some(false)
                }
                Ok(Ok(())) => panic!("a failed read classified as intact"),
            },
        }
    }

    #[test]
    fn the_tail_is_found_across_scan_chunks() {
        let mut data = vec![1u8; 200_000];
        data.iter_mut().skip(70_001).for_each(|b| *b = 0);
        let t = BlobTail::read(file_of(&data).as_ref()).expect("tail");
        assert_eq!(
            (t.len, t.zeros_from, t.header_intact),
            (200_000, 70_001, false)
        );
        let t = BlobTail::read(file_of(&[0u8; 150_000]).as_ref()).expect("tail");
        assert_eq!(t.zeros_from, 0);
        let t = BlobTail::read(file_of(&[]).as_ref()).expect("tail");
        assert_eq!((t.len, t.zeros_from), (0, 0));
    }

    fn zero(data: &mut [u8], from: usize) {
        data.iter_mut().skip(from).for_each(|b| *b = 0);
    }

    #[test]
    fn a_record_the_file_ends_inside_or_before_is_lost() {
        let (data, idx) = blob_file(&[(b"a", 2000), (b"b", 100)]);
        assert_eq!(classify(&data, &idx[0], b"a"), None);
        let cut = idx[0].offset as usize + 700;
        assert_eq!(classify(&data[..cut], &idx[0], b"a"), Some(true));
        assert_eq!(classify(&data[..cut], &idx[1], b"b"), Some(true));
        // Even inside the header (the file is created before its first
        // append reaches it).
        assert_eq!(classify(&data[..5], &idx[0], b"a"), Some(true));
    }

    #[test]
    fn a_record_zero_filled_from_its_last_sector_to_the_end_is_lost() {
        let (mut data, idx) = blob_file(&[(b"a", 2000), (b"b", 100)]);
        let end = idx[0].record_end(1) as usize;
        // The record's last sector starts at a multiple of 512 below its end.
        let last_sector = (end - 1) / 512 * 512;
        let mut d = data.clone();
        zero(&mut d, last_sector);
        assert_eq!(classify(&d, &idx[0], b"a"), Some(true));
        assert_eq!(classify(&d, &idx[1], b"b"), Some(true));
        // Zeros from inside the last sector only: the written data ended
        // there, not where a sector could have been left unwritten.
        let mut d = data.clone();
        zero(&mut d, last_sector + 1);
        assert_eq!(classify(&d, &idx[0], b"a"), Some(false));
        // A zero-filled record with written bytes after it: damage.
        let mut d = data.clone();
        zero(&mut d, last_sector);
        d[end + 3] = 1;
        assert_eq!(classify(&d, &idx[0], b"a"), Some(false));
        // A whole file of zeros (the header's sector never written either).
        zero(&mut data, 0);
        assert_eq!(classify(&data, &idx[1], b"b"), Some(true));
    }

    #[test]
    fn a_whole_record_that_is_not_zero_filled_is_damage() {
        // In a file of either version: the header says which checksum
        // finds the flip.
        for version in [BlobVersion::V1, BlobVersion::V2] {
            let (data, idx) = blob_file_of(version, &[(b"a", 2000), (b"b", 100)]);
            assert_eq!(classify(&data, &idx[0], b"a"), None, "{version:?}");
            for at in [0, 4, 8, 12, 500, 2012] {
                let mut d = data.clone();
                d[idx[0].offset as usize + at] ^= 0x20;
                let got = classify(&d, &idx[0], b"a");
                assert_eq!(got, Some(false), "{version:?}: flip at {at}");
            }
        }
        let (data, idx) = blob_file(&[(b"a", 2000), (b"b", 100)]);
        // The final record, ending exactly at the end of the file.
        let mut d = data.clone();
        let last = d.len() - 1;
        d[last] ^= 0x01;
        assert_eq!(classify(&d, &idx[1], b"b"), Some(false));
        // A damaged file header with the record intact.
        let mut d = data.clone();
        d[3] ^= 0x01;
        assert_eq!(classify(&d, &idx[1], b"b"), Some(false));
    }

    /// The worked example of format-spec/value-log.md, "Recovery".
    #[test]
    fn the_specs_worked_example() {
        let (data, idx) = blob_file(&[(b"k", 3000)]);
        assert_eq!((data.len(), idx[0].offset), (3025, 12));
        let mut flipped = data.clone();
        flipped[525] ^= 0x20;
        assert_eq!(classify(&flipped, &idx[0], b"k"), Some(false));
        assert_eq!(classify(&data[..2000], &idx[0], b"k"), Some(true));
        let mut d = data.clone();
        zero(&mut d, 2560);
        assert_eq!(classify(&d, &idx[0], b"k"), Some(true));
        let mut d = data.clone();
        zero(&mut d, 2561);
        assert_eq!(classify(&d, &idx[0], b"k"), Some(false));
    }
}
