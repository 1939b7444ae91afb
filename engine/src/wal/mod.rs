//! Log files: a sequence of checksummed records, used for the write-ahead log
//! and the MANIFEST.
//! Spec: format-spec/wal.md
//!
//! The framing knows nothing about what a payload holds. [`LogWriter`]
//! appends one record per call; [`LogReader`] walks the records of a whole
//! file held in memory and decides, by the rules of the spec, whether a bad
//! ending is a torn final write ([`TailPolicy::DropTornTail`]) or corruption.
// Bytes read here come from disk or the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod reader;
mod writer;

pub use reader::{LogReader, TailPolicy, TornKind};
pub use writer::LogWriter;

use crate::coding::{masked_crc_parts, put_fixed32};
use crate::error::{Error, Result};

/// Bytes in a FULL record's header: masked CRC (4), length (4), type (1).
pub const HEADER_LEN: usize = 9;

/// Bytes in a RECYCLABLE record's header: a FULL header, then the low 32
/// bits of the number of the log it was written to (4).
pub const RECYCLABLE_HEADER_LEN: usize = 13;

/// Largest payload a record may hold: 1 GiB.
pub const MAX_RECORD_LEN: usize = 1 << 30;

/// Record type of a complete record. On-disk value: never change it.
pub const RECORD_TYPE_FULL: u8 = 1;

/// Record type of a complete record that names its log, so that a WAL file
/// can be reused: records of the file's earlier use name another log and
/// end it. On-disk value: never change it.
pub const RECORD_TYPE_RECYCLABLE: u8 = 2;

/// The masked CRC stored in a FULL record's header: it covers the 4 length
/// bytes, the type byte and the payload.
pub fn record_crc(length_le: [u8; 4], record_type: u8, payload: &[u8]) -> u32 {
    masked_crc_parts(&[&length_le, &[record_type], payload])
}

/// The masked CRC stored in a RECYCLABLE record's header: it covers the 4
/// length bytes, the type byte, the 4 log-number bytes and the payload.
pub fn recyclable_record_crc(length_le: [u8; 4], log_le: [u8; 4], payload: &[u8]) -> u32 {
    masked_crc_parts(&[&length_le, &[RECORD_TYPE_RECYCLABLE], &log_le, payload])
}

/// The low 32 bits of log file number `number`, as RECYCLABLE records name
/// their log.
pub fn log_tag(number: u64) -> u32 {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the low 32 bits are the tag (format-spec/wal.md, \"Record types\")"
    )]
    let tag = number as u32;
    tag
}

/// Appends one encoded FULL record (header then payload) to `dst`.
///
/// Fails with [`Error::InvalidArgument`] if `payload` is longer than
/// [`MAX_RECORD_LEN`]; `dst` is then unchanged.
pub fn encode_record(dst: &mut Vec<u8>, payload: &[u8]) -> Result<()> {
    encode_record_of(dst, payload, None)
}

/// Appends one encoded record to `dst`: RECYCLABLE naming log `log` (its
/// [`log_tag`]) when given, else FULL.
///
/// Fails with [`Error::InvalidArgument`] if `payload` is longer than
/// [`MAX_RECORD_LEN`]; `dst` is then unchanged.
pub fn encode_record_of(dst: &mut Vec<u8>, payload: &[u8], log: Option<u32>) -> Result<()> {
    if payload.len() > MAX_RECORD_LEN {
        return Err(Error::InvalidArgument(format!(
            "log record payload of {} bytes exceeds the maximum of {MAX_RECORD_LEN} bytes",
            payload.len()
        )));
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "payload.len() <= MAX_RECORD_LEN (1 GiB) < u32::MAX, checked above"
    )]
    let length_le = (payload.len() as u32).to_le_bytes();
    match log {
        None => {
            dst.reserve(HEADER_LEN + payload.len());
            put_fixed32(dst, record_crc(length_le, RECORD_TYPE_FULL, payload));
            dst.extend_from_slice(&length_le);
            dst.push(RECORD_TYPE_FULL);
        }
        Some(tag) => {
            let log_le = tag.to_le_bytes();
            dst.reserve(RECYCLABLE_HEADER_LEN + payload.len());
            put_fixed32(dst, recyclable_record_crc(length_le, log_le, payload));
            dst.extend_from_slice(&length_le);
            dst.push(RECORD_TYPE_RECYCLABLE);
            dst.extend_from_slice(&log_le);
        }
    }
    dst.extend_from_slice(payload);
    Ok(())
}
