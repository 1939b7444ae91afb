//! Spec: format-spec/manifest.md ("History ranges", tag 14)
//!
//! [`HistoryRange`]: a key range whose old versions compaction keeps, as if
//! a snapshot at the range's `floor` were held for it alone — the engine
//! half of point-in-time recovery (format-spec/pitr.md).

use crate::coding::{put_length_prefixed, put_varint32, put_varint64, Decoder};

/// A key range `[begin, end)` (user keys) whose every version newer than
/// `floor` (and the newest version at or below it) compaction keeps, so
/// the range can be read as of any sequence number `>= floor`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HistoryRange {
    /// First user key of the range.
    pub begin: Vec<u8>,
    /// The first user key after the range (exclusive).
    pub end: Vec<u8>,
    /// The oldest sequence number the range can be read at.
    pub floor: u64,
}

impl HistoryRange {
    /// True if `user_key` lies in `[begin, end)`.
    pub fn contains(&self, user_key: &[u8]) -> bool {
        self.begin.as_slice() <= user_key && user_key < self.end.as_slice()
    }
}

/// The horizon compaction must respect for `user_key`: the smaller of
/// `smallest_snapshot` and the floor of every range holding the key.
pub fn horizon_for(ranges: &[HistoryRange], user_key: &[u8], smallest_snapshot: u64) -> u64 {
    ranges
        .iter()
        .filter(|r| r.contains(user_key))
        .map(|r| r.floor)
        .fold(smallest_snapshot, u64::min)
}

/// Appends the tag-14 payload: varint32 count, then per range varint64
/// floor, length-prefixed begin, length-prefixed end.
#[expect(
    clippy::cast_possible_truncation,
    reason = "history ranges are one per table with PITR on; far below 2^32"
)]
pub(crate) fn encode_ranges(ranges: &[HistoryRange], dst: &mut Vec<u8>) {
    put_varint32(dst, ranges.len() as u32);
    for r in ranges {
        put_varint64(dst, r.floor);
        put_length_prefixed(dst, &r.begin);
        put_length_prefixed(dst, &r.end);
    }
}

/// Decodes a tag-14 payload; `Err(reason)` names the bad field.
pub(crate) fn decode_ranges(
    d: &mut Decoder<'_>,
) -> std::result::Result<Vec<HistoryRange>, &'static str> {
    let count = d.varint32().ok_or("truncated range count")?;
    let mut out = Vec::new();
    for _ in 0..count {
        let floor = d.varint64().ok_or("truncated floor")?;
        let begin = d.length_prefixed().ok_or("truncated begin key")?;
        let end = d.length_prefixed().ok_or("truncated end key")?;
        if begin >= end {
            return Err("range begin does not sort before its end");
        }
        out.push(HistoryRange {
            begin: begin.to_vec(),
            end: end.to_vec(),
            floor,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(begin: &[u8], end: &[u8], floor: u64) -> HistoryRange {
        HistoryRange {
            begin: begin.to_vec(),
            end: end.to_vec(),
            floor,
        }
    }

    #[test]
    fn horizon_is_the_lowest_floor_holding_the_key() {
        let ranges = [r(b"a", b"c", 10), r(b"b", b"d", 5)];
        assert_eq!(horizon_for(&ranges, b"a", 100), 10);
        assert_eq!(horizon_for(&ranges, b"bb", 100), 5);
        assert_eq!(horizon_for(&ranges, b"c", 100), 5);
        assert_eq!(horizon_for(&ranges, b"d", 100), 100);
        assert_eq!(horizon_for(&ranges, b"a", 3), 3);
    }

    #[test]
    fn a_range_whose_begin_is_not_before_its_end_is_refused() {
        let mut buf = Vec::new();
        encode_ranges(&[r(b"b", b"b", 1)], &mut buf);
        assert!(decode_ranges(&mut Decoder::new(&buf)).is_err());
    }
}
