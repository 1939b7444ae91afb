//! Reads the records of a log file held in memory.
//! Spec: format-spec/wal.md

use crate::coding::get_fixed32;
use crate::error::{Error, Result};

use super::{
    log_tag, record_crc, recyclable_record_crc, HEADER_LEN, MAX_RECORD_LEN, RECORD_TYPE_FULL,
    RECORD_TYPE_RECYCLABLE, RECYCLABLE_HEADER_LEN,
};

/// What to do with a bad ending that a torn final write could have left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailPolicy {
    /// Treat a torn final record as the end of the log (for the newest log
    /// after a crash). [`LogReader::torn_tail`] reports where it began.
    DropTornTail,
    /// Treat a torn final record as corruption (for logs that were closed
    /// cleanly, such as older WALs).
    Strict,
}

/// What a dropped torn tail looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TornKind {
    /// The file ends inside the record (its header or payload is cut
    /// short), or the record fails its checksum, only zeros follow it, and
    /// zeros where its bytes should be leave open that the written data ends
    /// inside it (a preallocated file): what an append interrupted by a
    /// crash leaves.
    Truncated,
    /// The record is complete but its checksum fails. An interrupted append
    /// leaves this on a file system that extends a file before its data
    /// lands; a synced record damaged on disk looks the same.
    ChecksumMismatch,
}

/// Iterates over the records of one log file.
///
/// Never panics, whatever the bytes. After an error, `next_record` keeps
/// returning the same error.
#[derive(Debug, Clone)]
pub struct LogReader<'a> {
    data: &'a [u8],
    file_name: String,
    policy: TailPolicy,
    /// The tag of the WAL being read ([`super::log_tag`] of its number), if
    /// it is one: RECYCLABLE records are then read, and one naming another
    /// log ends it. `None` (a MANIFEST) takes type 2 as unknown.
    log: Option<u32>,
    /// True once a RECYCLABLE record of this log was read: bytes of an
    /// earlier use of the file may follow the last record.
    recyclable: bool,
    pos: usize,
    /// Offset of the payload of the record returned last.
    payload_at: usize,
    /// True if the log ended at a record of an earlier use of the file.
    stale_end: bool,
    /// Where a dropped torn tail began, how many bytes of it the file
    /// holds, and what it looked like.
    torn_tail: Option<(u64, u64, TornKind)>,
}

impl<'a> LogReader<'a> {
    /// Reads the records in `data`, the whole contents of the file
    /// `file_name` (used in errors).
    pub fn new(data: &'a [u8], file_name: &str, policy: TailPolicy) -> LogReader<'a> {
        LogReader {
            data,
            file_name: file_name.to_string(),
            policy,
            log: None,
            recyclable: false,
            pos: 0,
            payload_at: 0,
            stale_end: false,
            torn_tail: None,
        }
    }

    /// Reads the file as WAL `number`: RECYCLABLE records (type 2) are
    /// records of this log when they name it, and the end of the log when
    /// they name another (format-spec/wal.md, "Reading").
    pub fn of_wal(mut self, number: u64) -> LogReader<'a> {
        self.log = Some(log_tag(number));
        self
    }

    /// The next record's payload, `Ok(None)` at the end of the log (a clean
    /// end, or a dropped torn tail under [`TailPolicy::DropTornTail`]), or
    /// [`Error::Corruption`] at the offset where the bad record starts.
    pub fn next_record(&mut self) -> Result<Option<&'a [u8]>> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        if rest.iter().all(|&b| b == 0) {
            return Ok(None);
        }
        if self.recyclable && !self.header_names_this_log(rest) {
            // After a record of this log, a header that does not name it —
            // or too few bytes to hold one — is where an earlier use of the
            // file shows through: the end, unless records of this log
            // follow (then it is damage).
            if self.valid_record_after(self.pos + 1) {
                return Err(self.corruption(
                    "record header does not name this log, but intact records of it follow"
                        .to_string(),
                ));
            }
            if let Some(record_len) = self.checksums_as_ours(rest) {
                // The checksum covers the type and log bytes, and one of
                // this log's matches: a record of this log whose header was
                // damaged after it was written. Like a final record that
                // fails its checksum, it is reported and dropped, or
                // refused under the strict policy; never read as the end.
                return self.torn_record(
                    TornKind::ChecksumMismatch,
                    record_len,
                    "final record's type or log field does not name this log, but its \
                     checksum is that of a record of this log (the field is damaged)"
                        .to_string(),
                );
            }
            self.stale_end = true;
            return Ok(None);
        }
        let record_type = rest.get(8).copied().unwrap_or(0);
        let names_log = record_type == RECORD_TYPE_RECYCLABLE && self.log.is_some();
        let header_len = if names_log {
            RECYCLABLE_HEADER_LEN
        } else {
            HEADER_LEN
        };
        if rest.len() < header_len {
            return self.torn(
                TornKind::Truncated,
                format!(
                    "truncated record header: {} bytes remain at end of file",
                    rest.len()
                ),
            );
        }
        let (Some(crc), Some(len)) = (get_fixed32(rest), rest.get(4..).and_then(get_fixed32))
        else {
            return Err(self.corruption("truncated record header".to_string()));
        };
        let log_le: [u8; 4] = rest
            .get(HEADER_LEN..RECYCLABLE_HEADER_LEN)
            .and_then(|b| b.try_into().ok())
            .unwrap_or_default();
        let ours = names_log && Some(u32::from_le_bytes(log_le)) == self.log;
        let end = (len as usize).checked_add(header_len);
        let Some(payload) = end.and_then(|end| rest.get(header_len..end)) else {
            let eof = self.data.len();
            if self.valid_record_after(self.pos + 1) {
                // A torn write can only cut the last record; intact records
                // after this one mean its length field itself is damaged.
                return Err(self.corruption(format!(
                    "record length {len} runs past end of file at {eof}, but intact records follow"
                )));
            }
            return self.torn(
                TornKind::Truncated,
                format!("record length {len} runs past end of file at {eof}"),
            );
        };
        let expected = if names_log {
            recyclable_record_crc(len.to_le_bytes(), log_le, payload)
        } else {
            record_crc(len.to_le_bytes(), record_type, payload)
        };
        if expected != crc {
            return self.bad_checksum(rest, header_len + payload.len(), names_log);
        }
        if names_log && !ours {
            // Written to this file by an earlier log it was reused from.
            self.stale_end = true;
            return Ok(None);
        }
        if record_type != RECORD_TYPE_FULL && !names_log {
            return Err(self.corruption(format!("unknown record type {record_type}")));
        }
        if payload.len() > MAX_RECORD_LEN {
            return Err(self.corruption(format!(
                "record length {len} exceeds the maximum of {MAX_RECORD_LEN}"
            )));
        }
        self.recyclable |= names_log;
        self.payload_at = self.pos + header_len;
        self.pos += header_len + payload.len();
        Ok(Some(payload))
    }

    /// Step 4 of the spec's "Reading": the record of `record_len` bytes at
    /// the start of `rest` fails its checksum. `names_log`: it is a
    /// RECYCLABLE record of a WAL.
    fn bad_checksum(
        &mut self,
        rest: &'a [u8],
        record_len: usize,
        names_log: bool,
    ) -> Result<Option<&'a [u8]>> {
        let after = rest.get(record_len..).unwrap_or(&[]);
        if after.is_empty() {
            return self.torn_record(
                TornKind::ChecksumMismatch,
                record_len,
                "checksum mismatch in final record".to_string(),
            );
        }
        if after.iter().all(|&b| b == 0) {
            let record = rest.get(..record_len).unwrap_or(&[]);
            if written_to_its_end(self.pos, record) {
                return self.torn_record(
                    TornKind::ChecksumMismatch,
                    record_len,
                    format!(
                        "checksum mismatch in final record, before {} zero bytes",
                        after.len()
                    ),
                );
            }
            return self.torn_record(
                TornKind::Truncated,
                record_len,
                format!(
                    "checksum mismatch in final record, before {} zero bytes \
                     (a preallocated file's written data may end inside it)",
                    after.len()
                ),
            );
        }
        if (names_log || self.recyclable) && !self.valid_record_after(self.pos + 1) {
            // A reused file: what follows the last record written to it is
            // what its earlier use left, so an append cut short leaves
            // other bytes after it, not zeros.
            return self.torn_record(
                TornKind::Truncated,
                record_len,
                format!(
                    "checksum mismatch in final record, before {} bytes that hold no \
                     record of this log (a reused file's written data may end inside it)",
                    after.len()
                ),
            );
        }
        Err(self.corruption("checksum mismatch".to_string()))
    }

    /// Offset of the next record to read (after an error: of the bad record;
    /// after a torn tail: where the tail began).
    pub fn offset(&self) -> u64 {
        self.pos as u64
    }

    /// Offset of the payload of the record [`LogReader::next_record`]
    /// returned last (its record's offset plus its header's length).
    pub fn payload_offset(&self) -> u64 {
        self.payload_at as u64
    }

    /// True if the log ended at a record of an earlier use of the file (a
    /// RECYCLABLE record naming another log): a clean end.
    pub fn ended_at_earlier_use(&self) -> bool {
        self.stale_end
    }

    /// Where the dropped torn tail began, if [`TailPolicy::DropTornTail`]
    /// ended the log at one.
    pub fn torn_tail(&self) -> Option<u64> {
        self.torn_tail.map(|(at, _, _)| at)
    }

    /// How many bytes of the dropped torn tail the file holds: the whole
    /// record when its length fits in the file (zeros after it are not part
    /// of it), else everything from where it began to the end of the file.
    pub fn torn_bytes(&self) -> Option<u64> {
        self.torn_tail.map(|(_, bytes, _)| bytes)
    }

    /// What the dropped torn tail looked like, if one was dropped.
    pub fn torn_kind(&self) -> Option<TornKind> {
        self.torn_tail.map(|(_, _, kind)| kind)
    }

    /// True if a record with a valid checksum starts anywhere at or after
    /// `from`: a FULL record, or, in a WAL, a RECYCLABLE record naming this
    /// log (one naming another is what an earlier use of the file left).
    /// Used only on the failure path, to tell a damaged record (records
    /// follow) from a torn final write (nothing follows).
    fn valid_record_after(&self, from: usize) -> bool {
        let data = self.data;
        let mut p = from;
        while p + HEADER_LEN <= data.len() {
            let Some(rest) = data.get(p..) else {
                break;
            };
            if self.intact_record_at(rest) {
                return true;
            }
            p += 1;
        }
        false
    }

    /// True if `rest` starts with a whole RECYCLABLE header naming this
    /// log.
    fn header_names_this_log(&self, rest: &[u8]) -> bool {
        let tag = self.log.map(u32::to_le_bytes);
        rest.get(8) == Some(&RECORD_TYPE_RECYCLABLE)
            && tag.is_some_and(|t| rest.get(HEADER_LEN..RECYCLABLE_HEADER_LEN) == Some(&t[..]))
    }

    /// If `rest`, read as a RECYCLABLE record of this log whatever its type
    /// and log bytes say, has a length that fits and a matching checksum
    /// (a record of this log whose type or log field is damaged), its
    /// length with its header.
    fn checksums_as_ours(&self, rest: &[u8]) -> Option<usize> {
        let (Some(tag), Some(crc), Some(len)) = (
            self.log,
            get_fixed32(rest),
            rest.get(4..).and_then(get_fixed32),
        ) else {
            return None;
        };
        let end = (len as usize).checked_add(RECYCLABLE_HEADER_LEN)?;
        let payload = rest.get(RECYCLABLE_HEADER_LEN..end)?;
        (recyclable_record_crc(len.to_le_bytes(), tag.to_le_bytes(), payload) == crc).then_some(end)
    }

    /// True if `rest` starts with an intact record of this log.
    fn intact_record_at(&self, rest: &[u8]) -> bool {
        let (Some(&record_type), Some(crc), Some(len)) = (
            rest.get(8),
            get_fixed32(rest),
            rest.get(4..).and_then(get_fixed32),
        ) else {
            return false;
        };
        let payload_of = |header_len: usize| {
            (len as usize)
                .checked_add(header_len)
                .and_then(|end| rest.get(header_len..end))
        };
        match (record_type, self.log) {
            (RECORD_TYPE_FULL, _) => payload_of(HEADER_LEN)
                .is_some_and(|p| record_crc(len.to_le_bytes(), RECORD_TYPE_FULL, p) == crc),
            (RECORD_TYPE_RECYCLABLE, Some(tag)) => {
                let log_le = tag.to_le_bytes();
                rest.get(HEADER_LEN..RECYCLABLE_HEADER_LEN) == Some(&log_le[..])
                    && payload_of(RECYCLABLE_HEADER_LEN)
                        .is_some_and(|p| recyclable_record_crc(len.to_le_bytes(), log_le, p) == crc)
            }
            _ => false,
        }
    }

    /// A bad ending a torn final write could have caused, running to the
    /// end of the file.
    fn torn(&mut self, kind: TornKind, reason: String) -> Result<Option<&'a [u8]>> {
        let to_eof = self.data.len().saturating_sub(self.pos);
        self.torn_record(kind, to_eof, reason)
    }

    /// A bad final record of `bytes` bytes a torn write could have caused.
    fn torn_record(
        &mut self,
        kind: TornKind,
        bytes: usize,
        reason: String,
    ) -> Result<Option<&'a [u8]>> {
        match self.policy {
            TailPolicy::DropTornTail => {
                self.torn_tail = Some((self.pos as u64, bytes as u64, kind));
                Ok(None)
            }
            TailPolicy::Strict => Err(self.corruption(reason)),
        }
    }

    fn corruption(&self, reason: String) -> Error {
        Error::corruption(self.file_name.clone(), self.pos as u64, reason)
    }
}

/// The unit in which a device writes atomically, at the least: a crash
/// leaves each aligned sector of an append either written or as it was.
const SECTOR: usize = 512;

/// True if `record`, found at file offset `at` and followed only by zeros,
/// shows that its append reached the device to its end: its last byte is
/// not zero, and no aligned sector it spans holds only zeros of it. A zero
/// there leaves open that the write stopped before it (the file's
/// preallocated zeros still in place), so the record may be torn rather
/// than damaged.
fn written_to_its_end(at: usize, record: &[u8]) -> bool {
    if record.last().is_none_or(|&b| b == 0) {
        return false;
    }
    let mut start = 0;
    while start < record.len() {
        let sector_end = (at + start) / SECTOR * SECTOR + SECTOR - at;
        let end = sector_end.min(record.len());
        let part = record.get(start..end).unwrap_or(&[]);
        if part.iter().all(|&b| b == 0) {
            return false;
        }
        start = end;
    }
    true
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::cast_possible_truncation,
        reason = "offsets and lengths here are of test data held in memory, far below u32::MAX"
    )]
    use super::*;
    use crate::batch::WriteBatch;
    use crate::key::ValueKind;
    use crate::testutil::{decode_hex_vector, encode_hex_vector};
    use crate::wal::encode_record;
    use proptest::prelude::*;

    const FILE: &str = "000009.log";

    /// Reads until the end or an error: the payloads read, and the error.
    fn read(data: &[u8], policy: TailPolicy) -> (Vec<Vec<u8>>, Option<Error>, LogReader<'_>) {
        drain_all(LogReader::new(data, FILE, policy))
    }

    /// Reads with `r` until the end or an error: the payloads read, and the
    /// error.
    fn drain_all(mut r: LogReader<'_>) -> (Vec<Vec<u8>>, Option<Error>, LogReader<'_>) {
        let mut out = Vec::new();
        loop {
            match r.next_record() {
                Ok(Some(p)) => out.push(p.to_vec()),
                Ok(None) => return (out, None, r),
                Err(e) => return (out, Some(e), r),
            }
        }
    }

    /// A log of `payloads`, and the start offset of each record.
    fn build(payloads: &[&[u8]]) -> (Vec<u8>, Vec<usize>) {
        let mut data = Vec::new();
        let mut starts = Vec::new();
        for p in payloads {
            starts.push(data.len());
            encode_record(&mut data, p).expect("encode");
        }
        (data, starts)
    }

    fn corruption_at(e: Option<Error>) -> (u64, String) {
        match e {
            Some(Error::Corruption {
                file,
                offset,
                reason,
            }) => {
                assert_eq!(file, FILE);
                (offset, reason)
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    const PAYLOADS: [&[u8]; 3] = [b"first record", b"", b"the last record, long enough"];

    fn owned(p: &[&[u8]]) -> Vec<Vec<u8>> {
        p.iter().map(|p| p.to_vec()).collect()
    }

    #[test]
    fn empty_and_all_zero_files_end_cleanly() {
        for len in [0usize, 1, 8, 9, 100] {
            let data = vec![0u8; len];
            for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
                let (recs, err, r) = read(&data, policy);
                assert!(recs.is_empty() && err.is_none(), "len {len}");
                assert_eq!(r.torn_tail(), None);
                assert_eq!(r.offset(), 0);
            }
        }
    }

    #[test]
    fn zero_tail_is_a_clean_end() {
        let (mut data, _) = build(&PAYLOADS);
        let end = data.len() as u64;
        for extra in [0usize, 1, 5, 9, 4096] {
            data.resize(end as usize + extra, 0);
            for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
                let (recs, err, r) = read(&data, policy);
                assert_eq!(recs, owned(&PAYLOADS));
                assert!(err.is_none());
                assert_eq!(r.torn_tail(), None);
                assert_eq!(r.offset(), end);
            }
        }
        // Zeros followed by anything else are not a zero tail.
        data.push(1);
        for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
            let (recs, err, _) = read(&data, policy);
            assert_eq!(recs, owned(&PAYLOADS));
            let (offset, reason) = corruption_at(err);
            assert_eq!(offset, end);
            assert_eq!(reason, "checksum mismatch");
        }
    }

    #[test]
    fn torn_final_record_is_dropped_or_corruption() {
        let (data, starts) = build(&PAYLOADS);
        let last = starts[2];
        // A cut exactly at a record boundary is a clean end.
        let (recs, err, r) = read(&data[..last], TailPolicy::Strict);
        assert_eq!((recs, err.is_none()), (owned(&PAYLOADS[..2]), true));
        assert_eq!(r.torn_tail(), None);
        for cut in last + 1..data.len() {
            let torn = &data[..cut];
            let all_zero = torn[last..].iter().all(|&b| b == 0);
            let (recs, err, r) = read(torn, TailPolicy::DropTornTail);
            assert_eq!(recs, owned(&PAYLOADS[..2]), "cut {cut}");
            assert!(err.is_none(), "cut {cut}: {err:?}");
            let want_torn = if all_zero { None } else { Some(last as u64) };
            assert_eq!(r.torn_tail(), want_torn, "cut {cut}");
            let want_kind = want_torn.map(|_| TornKind::Truncated);
            assert_eq!(r.torn_kind(), want_kind, "cut {cut}");
            assert_eq!(r.offset(), last as u64);

            let (recs, err, _) = read(torn, TailPolicy::Strict);
            assert_eq!(recs, owned(&PAYLOADS[..2]), "cut {cut}");
            if !all_zero {
                let (offset, reason) = corruption_at(err);
                assert_eq!(offset, last as u64);
                let want = if cut - last < HEADER_LEN {
                    format!("truncated record header: {} bytes remain", cut - last)
                } else {
                    format!(
                        "record length {} runs past end of file at {cut}",
                        PAYLOADS[2].len()
                    )
                };
                assert!(reason.starts_with(&want), "{reason:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn checksum_mismatch_in_final_record() {
        let (data, starts) = build(&PAYLOADS);
        let last = starts[2];
        for i in last..data.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = data.clone();
                bad[i] ^= flip;
                let length_field = (last + 4..last + 8).contains(&i);
                let (recs, err, r) = read(&bad, TailPolicy::DropTornTail);
                assert_eq!(recs, owned(&PAYLOADS[..2]), "byte {i}");
                assert!(err.is_none(), "byte {i}: {err:?}");
                assert_eq!(r.torn_tail(), Some(last as u64), "byte {i}");
                if !length_field {
                    assert_eq!(r.torn_kind(), Some(TornKind::ChecksumMismatch), "byte {i}");
                }
                let (_, err, _) = read(&bad, TailPolicy::Strict);
                let (offset, reason) = corruption_at(err);
                assert_eq!(offset, last as u64);
                if !length_field {
                    assert_eq!(reason, "checksum mismatch in final record");
                }
            }
        }
    }

    /// Every single-byte change to a record that is not the last is
    /// corruption at that record's start, under both policies — including a
    /// changed length that now runs past the end of the file, because intact
    /// records follow it.
    #[test]
    fn flipping_any_byte_of_a_non_final_record_is_corruption() {
        let (data, starts) = build(&PAYLOADS);
        for rec in 0..2 {
            let start = starts[rec];
            for i in start..starts[rec + 1] {
                for flip in [0x01u8, 0x10, 0x80, 0xff] {
                    let mut bad = data.clone();
                    bad[i] ^= flip;
                    let (recs, err, _) = read(&bad, TailPolicy::Strict);
                    assert_eq!(recs, owned(&PAYLOADS[..rec]), "byte {i} flip {flip:#x}");
                    let (offset, _) = corruption_at(err);
                    assert_eq!(offset, start as u64, "byte {i} flip {flip:#x}");

                    let (recs, err, _) = read(&bad, TailPolicy::DropTornTail);
                    assert_eq!(recs, owned(&PAYLOADS[..rec]), "byte {i} flip {flip:#x}");
                    assert_eq!(
                        corruption_at(err).0,
                        start as u64,
                        "byte {i} flip {flip:#x}"
                    );
                }
            }
        }
    }

    #[test]
    fn unknown_record_type_is_corruption_even_at_the_tail() {
        // A checksum-valid record of type 7: what a newer format might write.
        let payload = b"future";
        let length_le = (payload.len() as u32).to_le_bytes();
        let mut rec = Vec::new();
        crate::coding::put_fixed32(&mut rec, record_crc(length_le, 7, payload));
        rec.extend_from_slice(&length_le);
        rec.push(7);
        rec.extend_from_slice(payload);
        let (mut data, starts) = build(&PAYLOADS[..1]);
        let at = data.len() as u64;
        data.extend_from_slice(&rec);
        for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
            let (recs, err, r) = read(&data, policy);
            assert_eq!(recs, owned(&PAYLOADS[..1]));
            assert_eq!(
                corruption_at(err),
                (at, "unknown record type 7".to_string())
            );
            assert_eq!(r.torn_tail(), None);
            assert_eq!(starts, vec![0]);
        }
        // Type 0 (a zeroed header in front of non-zero bytes) likewise.
        let mut zero_type = data[..at as usize].to_vec();
        let mut r0 = Vec::new();
        crate::coding::put_fixed32(&mut r0, record_crc(0u32.to_le_bytes(), 0, b""));
        r0.extend_from_slice(&[0, 0, 0, 0, 0]);
        zero_type.extend_from_slice(&r0);
        let (_, err, _) = read(&zero_type, TailPolicy::DropTornTail);
        assert_eq!(
            corruption_at(err),
            (at, "unknown record type 0".to_string())
        );
    }

    #[test]
    fn errors_are_sticky() {
        let (mut data, _) = build(&PAYLOADS);
        data[3] ^= 1;
        let mut r = LogReader::new(&data, FILE, TailPolicy::Strict);
        assert!(r.next_record().is_err());
        assert!(r.next_record().is_err());
        assert_eq!(r.offset(), 0);
    }

    fn two_records_log() -> Vec<u8> {
        let mut a = WriteBatch::new();
        a.set_sequence(1);
        a.put(b"a", b"1");
        a.delete(b"b");
        let mut b = WriteBatch::new();
        b.set_sequence(3);
        b.put(b"key", b"value");
        let (data, _) = build(&[a.data(), b.data()]);
        data
    }

    type Ops = Vec<(u64, ValueKind, Vec<u8>, Vec<u8>)>;

    /// Decodes every record as a write batch: `(sequence, kind, key, value)`.
    fn batch_ops(records: &[Vec<u8>]) -> Ops {
        let mut out = Vec::new();
        for rec in records {
            let b = WriteBatch::from_data(rec.clone(), FILE, 0).expect("valid batch");
            for (i, op) in b.iter().enumerate() {
                out.push((
                    b.sequence() + i as u64,
                    op.kind,
                    op.key.to_vec(),
                    op.value.to_vec(),
                ));
            }
        }
        out
    }

    fn expected_ops() -> Ops {
        vec![
            (1, ValueKind::Value, b"a".to_vec(), b"1".to_vec()),
            (2, ValueKind::Deletion, b"b".to_vec(), vec![]),
            (3, ValueKind::Value, b"key".to_vec(), b"value".to_vec()),
        ]
    }

    #[test]
    fn vector_two_records() {
        let data = decode_hex_vector(include_str!(
            "../../../format-spec/vectors/wal-two-records.hex"
        ));
        assert_eq!(data, two_records_log());
        for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
            let (recs, err, r) = read(&data, policy);
            assert!(err.is_none());
            assert_eq!(recs.len(), 2);
            assert_eq!(batch_ops(&recs), expected_ops());
            assert_eq!(r.offset(), 61);
        }
    }

    #[test]
    fn vector_zero_tail() {
        let data = decode_hex_vector(include_str!(
            "../../../format-spec/vectors/wal-zero-tail.hex"
        ));
        assert_eq!(&data[..61], &two_records_log()[..]);
        for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
            let (recs, err, r) = read(&data, policy);
            assert!(err.is_none());
            assert_eq!(batch_ops(&recs), expected_ops());
            assert_eq!((r.offset(), r.torn_tail()), (61, None));
        }
    }

    #[test]
    fn vector_torn_tail() {
        let data = decode_hex_vector(include_str!(
            "../../../format-spec/vectors/wal-torn-tail.hex"
        ));
        assert_eq!(&data[..], &two_records_log()[..48]);
        let (recs, err, r) = read(&data, TailPolicy::DropTornTail);
        assert!(err.is_none());
        assert_eq!(batch_ops(&recs), expected_ops()[..2].to_vec());
        assert_eq!(r.torn_tail(), Some(29));
        let (recs, err, _) = read(&data, TailPolicy::Strict);
        assert_eq!(recs.len(), 1);
        assert_eq!(
            corruption_at(err),
            (
                29,
                "record length 23 runs past end of file at 48".to_string()
            )
        );
    }

    #[test]
    fn vector_torn_before_zeros() {
        let data = decode_hex_vector(include_str!(
            "../../../format-spec/vectors/wal-torn-before-zeros.hex"
        ));
        let mut want = two_records_log();
        want[48..].fill(0);
        want.resize(80, 0);
        assert_eq!(data, want);
        let (recs, err, r) = read(&data, TailPolicy::DropTornTail);
        assert!(err.is_none());
        assert_eq!(batch_ops(&recs), expected_ops()[..2].to_vec());
        assert_eq!(
            (r.torn_tail(), r.torn_kind()),
            (Some(29), Some(TornKind::Truncated))
        );
        let (recs, err, _) = read(&data, TailPolicy::Strict);
        assert_eq!(recs.len(), 1);
        let (at, reason) = corruption_at(err);
        assert_eq!(at, 29);
        assert!(
            reason.starts_with("checksum mismatch in final record, before 19 zero bytes"),
            "{reason}"
        );
        // A non-zero byte after the zeros: not a tail, corruption.
        let mut later = data.clone();
        later[79] = 1;
        for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
            let (recs, err, _) = read(&later, policy);
            assert_eq!(recs.len(), 1);
            assert_eq!(corruption_at(err), (29, "checksum mismatch".to_string()));
        }
    }

    /// `two_records_log()` with the byte at `at` changed from `from` to `to`.
    fn two_records_changed(at: usize, from: u8, to: u8) -> Vec<u8> {
        let mut log = two_records_log();
        assert_eq!(log[at], from);
        log[at] = to;
        log
    }

    #[test]
    fn vector_damaged_before_zeros() {
        let data = decode_hex_vector(include_str!(
            "../../../format-spec/vectors/wal-damaged-before-zeros.hex"
        ));
        let mut want = two_records_changed(56, b'v', b'w');
        want.resize(80, 0);
        assert_eq!(data, want);
        let (recs, err, r) = read(&data, TailPolicy::DropTornTail);
        assert!(err.is_none());
        assert_eq!(batch_ops(&recs), expected_ops()[..2].to_vec());
        assert_eq!(
            (r.torn_tail(), r.torn_bytes(), r.torn_kind()),
            (Some(29), Some(32), Some(TornKind::ChecksumMismatch))
        );
        let (recs, err, _) = read(&data, TailPolicy::Strict);
        assert_eq!(recs.len(), 1);
        assert_eq!(
            corruption_at(err),
            (
                29,
                "checksum mismatch in final record, before 19 zero bytes".to_string()
            )
        );
    }

    /// A damaged final record before zeros is taken as complete only when
    /// its last byte is not zero and every sector it spans holds a non-zero
    /// byte of it; otherwise the write may have stopped inside it.
    #[test]
    fn a_record_before_zeros_is_complete_only_if_written_to_its_end() {
        // A log whose final record puts `value`, then 4096 zeros; the final
        // record's offset and length.
        let log = |value: &[u8]| {
            let mut batch = WriteBatch::new();
            batch.put(b"k", value);
            batch.set_sequence(1);
            let (mut data, starts) = build(&[b"first", batch.data()]);
            let (last, len) = (starts[1], data.len() - starts[1]);
            data.resize(data.len() + 4096, 0);
            data[last + 100] ^= 0x01;
            (data, len as u64)
        };
        let kind = |data: &[u8], want: TornKind, len: u64| {
            let (recs, err, r) = read(data, TailPolicy::DropTornTail);
            assert_eq!((recs.len(), err.is_none()), (1, true));
            assert_eq!((r.torn_kind(), r.torn_bytes()), (Some(want), Some(len)));
        };
        let (complete, len) = log(&[7u8; 1500]);
        kind(&complete, TornKind::ChecksumMismatch, len);

        // A whole sector of the record still zero: possibly torn.
        let mut hole = complete.clone();
        hole[512..1024].fill(0);
        kind(&hole, TornKind::Truncated, len);

        // The same zeros inside one sector, not covering it: complete.
        let mut partial = complete.clone();
        partial[513..1024].fill(0);
        kind(&partial, TornKind::ChecksumMismatch, len);

        // The record's last byte zero: possibly torn.
        let mut value = vec![7u8; 1500];
        value.push(0);
        let (data, len) = log(&value);
        kind(&data, TornKind::Truncated, len);
    }

    #[test]
    fn vector_bad_checksum() {
        let data = decode_hex_vector(include_str!(
            "../../../format-spec/vectors/wal-bad-checksum.hex"
        ));
        assert_eq!(data, two_records_changed(25, b'1', b'2'));
        for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
            let (recs, err, _) = read(&data, policy);
            assert!(recs.is_empty());
            assert_eq!(corruption_at(err), (0, "checksum mismatch".to_string()));
        }
    }

    #[test]
    #[ignore = "prints the vector bodies; run by hand when regenerating"]
    fn print_wal_vectors() {
        let log = two_records_log();
        println!("two-records\n{}", encode_hex_vector(&log));
        let mut zero = log.clone();
        zero.resize(log.len() + 19, 0);
        println!("zero-tail\n{}", encode_hex_vector(&zero));
        println!("torn-tail\n{}", encode_hex_vector(&log[..48]));
        let mut bad = log.clone();
        bad[25] = b'2';
        println!("bad-checksum\n{}", encode_hex_vector(&bad));
        println!("recycled\n{}", encode_hex_vector(&recycled_vector()));
    }

    // ---- RECYCLABLE records and reused files ----

    /// A log of `payloads` as RECYCLABLE records naming WAL `number`.
    fn build_named(number: u64, payloads: &[&[u8]]) -> (Vec<u8>, Vec<usize>) {
        let mut data = Vec::new();
        let mut starts = Vec::new();
        for p in payloads {
            starts.push(data.len());
            crate::wal::encode_record_of(&mut data, p, Some(crate::wal::log_tag(number)))
                .expect("encode");
        }
        (data, starts)
    }

    /// Reads `data` as WAL `number`.
    fn read_wal(
        data: &[u8],
        number: u64,
        policy: TailPolicy,
    ) -> (Vec<Vec<u8>>, Option<Error>, LogReader<'_>) {
        drain_all(LogReader::new(data, FILE, policy).of_wal(number))
    }

    /// The bytes of WAL `old` (records of 1 to 60 bytes), overwritten
    /// from the start by WAL `new`'s `payloads`: a reused file.
    fn reused(old: u64, new: u64, payloads: &[&[u8]]) -> (Vec<u8>, Vec<usize>, usize) {
        let earlier: Vec<Vec<u8>> = (1..60u8).map(|n| vec![n; usize::from(n)]).collect();
        let earlier: Vec<&[u8]> = earlier.iter().map(Vec::as_slice).collect();
        let (mut data, _) = build_named(old, &earlier);
        let (written, starts) = build_named(new, payloads);
        data[..written.len()].copy_from_slice(&written);
        (data, starts, written.len())
    }

    #[test]
    fn recyclable_records_are_read_as_records_of_the_wal_they_name() {
        let (data, starts) = build_named(9, &PAYLOADS);
        assert_eq!(starts, [0, 25, 38], "13-byte headers");
        for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
            let (recs, err, r) = read_wal(&data, 9, policy);
            assert_eq!(recs, owned(&PAYLOADS));
            assert!(err.is_none() && !r.ended_at_earlier_use());
            assert_eq!(r.payload_offset(), 38 + 13);
            // Read as another WAL: its first record is an earlier use.
            let (recs, err, r) = read_wal(&data, 8, policy);
            assert!(recs.is_empty() && err.is_none() && r.ended_at_earlier_use());
            assert_eq!(r.offset(), 0);
            // A MANIFEST has no type 2.
            let (_, err, _) = read(&data, policy);
            assert!(matches!(err, Some(Error::Corruption { .. })), "{err:?}");
        }
        // Only the low 32 bits name the log.
        let (recs, _, _) = read_wal(&data, 9 + (1 << 32), TailPolicy::Strict);
        assert_eq!(recs.len(), 3);
    }

    #[test]
    fn a_reused_file_ends_where_its_earlier_use_shows_through() {
        // Every length of the new records, so their end falls at every
        // offset of the earlier records, on a boundary or not.
        for n in 0..80usize {
            let payload = vec![0xabu8; n];
            let payloads: [&[u8]; 2] = [b"first", &payload];
            let (data, _, end) = reused(5, 9, &payloads);
            for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
                let (recs, err, r) = read_wal(&data, 9, policy);
                assert_eq!(recs, owned(&payloads), "n {n}");
                assert!(err.is_none(), "n {n}: {err:?}");
                assert!(r.ended_at_earlier_use(), "n {n}");
                assert_eq!((r.offset(), r.torn_tail()), (end as u64, None), "n {n}");
            }
        }
    }

    #[test]
    fn a_few_bytes_of_an_earlier_use_after_the_last_record_are_a_clean_end() {
        let payloads: [&[u8]; 2] = [b"one", b"two"];
        let (data, _, end) = reused(5, 9, &payloads);
        for extra in 1..=crate::wal::RECYCLABLE_HEADER_LEN + 2 {
            let file = &data[..end + extra];
            for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
                let (recs, err, r) = read_wal(file, 9, policy);
                assert_eq!(recs, owned(&payloads), "extra {extra}");
                assert!(err.is_none(), "extra {extra}: {err:?}");
                assert!(
                    r.ended_at_earlier_use() && r.torn_tail().is_none(),
                    "extra {extra}"
                );
            }
        }
    }

    #[test]
    fn a_torn_append_to_a_reused_file_ends_the_log_before_it() {
        let last: &[u8] = b"the last record, the one a crash cuts short";
        let payloads: [&[u8]; 3] = [b"one", b"two", last];
        let (data, starts, end) = reused(5, 9, &payloads);
        let (earlier, _, _) = reused(5, 9, &[]);
        // The crash left the last record's first `cut` bytes, then the
        // bytes its earlier use had there.
        for cut in 0..end - starts[2] {
            let mut torn = earlier.clone();
            torn[..starts[2] + cut].copy_from_slice(&data[..starts[2] + cut]);
            let (recs, err, r) = read_wal(&torn, 9, TailPolicy::DropTornTail);
            assert_eq!(recs, owned(&payloads[..2]), "cut {cut}");
            assert!(err.is_none(), "cut {cut}: {err:?}");
            assert_eq!(r.offset(), starts[2] as u64, "cut {cut}");
            // Header not (fully) written: the earlier use shows through.
            // Written: a torn record.
            let header_written = cut >= crate::wal::RECYCLABLE_HEADER_LEN;
            assert_eq!(r.torn_tail().is_some(), header_written, "cut {cut}");
            assert_eq!(r.ended_at_earlier_use(), !header_written, "cut {cut}");
        }
    }

    #[test]
    fn damage_before_later_records_of_the_log_is_corruption_in_a_reused_file() {
        let payloads: [&[u8]; 3] = [b"one", b"two", b"three"];
        let (data, starts, _) = reused(5, 9, &payloads);
        for rec in 0..2 {
            for i in starts[rec]..starts[rec + 1] {
                let mut bad = data.clone();
                bad[i] ^= 0x40;
                for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
                    let (recs, err, _) = read_wal(&bad, 9, policy);
                    assert_eq!(recs, owned(&payloads[..rec]), "byte {i}");
                    let (offset, _) = corruption_at(err);
                    assert_eq!(offset, starts[rec] as u64, "byte {i}");
                }
            }
        }
    }

    /// Damage there is not a clean end (an earlier use showing through):
    /// the record is dropped as a torn tail whose checksum fails, or is
    /// corruption under the strict policy.
    #[test]
    fn a_damaged_type_or_log_byte_in_the_last_record_is_a_failed_checksum() {
        let payloads: [&[u8]; 3] = [b"one", b"two", b"the last record"];
        let (fresh, starts) = build_named(9, &payloads);
        let (reused, reused_starts, _) = reused(5, 9, &payloads);
        assert_eq!(starts, reused_starts);
        let last = starts[2];
        // Bytes 8..13 of a RECYCLABLE header: the type, then the log.
        for i in last + 8..last + crate::wal::RECYCLABLE_HEADER_LEN {
            for to in [0x00, 0x01, 0x02, 0x03, 0xff] {
                for (name, file) in [("fresh", &fresh), ("reused", &reused)] {
                    let mut bad = file.clone();
                    if bad[i] == to {
                        continue;
                    }
                    bad[i] = to;
                    let ctx = format!("{name} byte {i} -> {to}");
                    let (recs, err, r) = read_wal(&bad, 9, TailPolicy::Strict);
                    assert_eq!(recs, owned(&payloads[..2]), "{ctx}");
                    let (offset, reason) = corruption_at(err);
                    assert_eq!(offset, last as u64, "{ctx}");
                    assert!(reason.contains("type or log field"), "{reason}");

                    let (recs, err, r2) = read_wal(&bad, 9, TailPolicy::DropTornTail);
                    assert_eq!(recs, owned(&payloads[..2]), "{ctx}");
                    assert!(err.is_none(), "{ctx}: {err:?}");
                    assert!(!r.ended_at_earlier_use() && !r2.ended_at_earlier_use());
                    assert_eq!(r2.torn_tail(), Some(last as u64), "{ctx}");
                    assert_eq!(r2.torn_kind(), Some(TornKind::ChecksumMismatch), "{ctx}");
                    let record = crate::wal::RECYCLABLE_HEADER_LEN + payloads[2].len();
                    assert_eq!(r2.torn_bytes(), Some(record as u64), "{ctx}");
                }
            }
        }
    }

    #[test]
    fn vector_recycled() {
        let data = decode_hex_vector(include_str!(
            "../../../format-spec/vectors/wal-recycled.hex"
        ));
        assert_eq!(data, recycled_vector());
        for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
            let (recs, err, r) = read_wal(&data, 9, policy);
            assert!(err.is_none() && r.ended_at_earlier_use());
            assert_eq!(r.offset(), 32);
            assert_eq!(
                batch_ops(&recs),
                vec![(4, ValueKind::Value, b"k".to_vec(), b"new".to_vec())]
            );
            // Under its earlier name the file holds nothing of WAL 5 now.
            let (recs, err, r) = read_wal(&data, 5, policy);
            assert!(recs.is_empty() && err.is_none() && r.ended_at_earlier_use());
        }
    }

    /// WAL 5's two records (two_records_log's batches), then WAL 9's one
    /// record written over its start.
    fn recycled_vector() -> Vec<u8> {
        let mut data = Vec::new();
        let mut b = WriteBatch::new();
        b.put(b"a", b"1");
        b.delete(b"b");
        b.set_sequence(1);
        crate::wal::encode_record_of(&mut data, b.data(), Some(5)).expect("encode");
        let mut b = WriteBatch::new();
        b.put(b"key", b"value");
        b.set_sequence(3);
        crate::wal::encode_record_of(&mut data, b.data(), Some(5)).expect("encode");
        let mut new = Vec::new();
        let mut b = WriteBatch::new();
        b.put(b"k", b"new");
        b.set_sequence(4);
        crate::wal::encode_record_of(&mut new, b.data(), Some(9)).expect("encode");
        data[..new.len()].copy_from_slice(&new);
        data
    }

    fn drain(data: &[u8], policy: TailPolicy) {
        let mut r = LogReader::new(data, FILE, policy);
        let mut last = 0;
        while let Ok(Some(p)) = r.next_record() {
            assert!(r.offset() > last);
            assert!(r.offset() as usize <= data.len());
            assert!(p.len() + HEADER_LEN <= (r.offset() - last) as usize);
            last = r.offset();
        }
    }

    proptest! {
        #[test]
        fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            drain(&data, TailPolicy::Strict);
            drain(&data, TailPolicy::DropTornTail);
        }

        #[test]
        fn mutated_logs_never_panic(
            payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..5),
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
            cut in any::<usize>(),
        ) {
            let refs: Vec<&[u8]> = payloads.iter().map(|p| &p[..]).collect();
            let (mut data, _) = build(&refs);
            let (recs, err, _) = read(&data, TailPolicy::Strict);
            prop_assert!(err.is_none());
            prop_assert_eq!(&recs, &payloads);
            if !data.is_empty() {
                for (at, b) in edits {
                    let n = data.len();
                    data[at % n] = b;
                }
                data.truncate(cut % (data.len() + 1));
            }
            drain(&data, TailPolicy::Strict);
            drain(&data, TailPolicy::DropTornTail);
        }
    }
}
