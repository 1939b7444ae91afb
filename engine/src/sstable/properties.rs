//! Spec: format-spec/sstable.md#properties-block
//!
//! Table statistics, encoded as tagged records so later versions can add
//! fields that older readers skip.

use super::DecodeError;
use crate::coding::{get_varint64, put_varint32, put_varint64, Decoder};

/// Record tags. On-disk values: never change.
mod tag {
    pub const NUM_ENTRIES: u32 = 1;
    pub const NUM_DELETIONS: u32 = 2;
    pub const RAW_KEY_BYTES: u32 = 3;
    pub const RAW_VALUE_BYTES: u32 = 4;
    pub const SMALLEST_SEQ: u32 = 5;
    pub const LARGEST_SEQ: u32 = 6;
    pub const NUM_DATA_BLOCKS: u32 = 7;
    pub const BLOOM_BITS_PER_KEY: u32 = 8;
    pub const SMALLEST_KEY: u32 = 9;
    pub const LARGEST_KEY: u32 = 10;
    pub const CREATION_TIME: u32 = 11;
    /// Tags 1..=10 must all be present.
    pub const LAST_REQUIRED: u32 = 10;
}

/// Statistics about a table, stored in its properties block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Properties {
    /// Number of entries (values and deletions).
    pub num_entries: u64,
    /// Number of deletion entries.
    pub num_deletions: u64,
    /// Sum of internal key lengths.
    pub raw_key_bytes: u64,
    /// Sum of value lengths.
    pub raw_value_bytes: u64,
    /// Smallest sequence number of any entry.
    pub smallest_seq: u64,
    /// Largest sequence number of any entry.
    pub largest_seq: u64,
    /// Number of data blocks.
    pub num_data_blocks: u64,
    /// Bloom filter bits per key the table was built with (0 = no filter).
    pub bloom_bits_per_key: u32,
    /// Smallest internal key in the table.
    pub smallest_key: Vec<u8>,
    /// Largest internal key in the table.
    pub largest_key: Vec<u8>,
    /// Creation time in seconds since the Unix epoch, if recorded.
    pub creation_time: Option<u64>,
}

fn put_record(dst: &mut Vec<u8>, tag: u32, payload: &[u8]) {
    put_varint32(dst, tag);
    // The varint64 the length is: a varint32's bytes up to u32::MAX, and a
    // longer one is rejected by the reader instead of truncated.
    put_varint64(dst, payload.len() as u64);
    dst.extend_from_slice(payload);
}

fn put_u64_record(dst: &mut Vec<u8>, tag: u32, v: u64) {
    let mut p = Vec::with_capacity(10);
    put_varint64(&mut p, v);
    put_record(dst, tag, &p);
}

impl Properties {
    /// Encodes the properties block contents (records in ascending tag order).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_u64_record(&mut out, tag::NUM_ENTRIES, self.num_entries);
        put_u64_record(&mut out, tag::NUM_DELETIONS, self.num_deletions);
        put_u64_record(&mut out, tag::RAW_KEY_BYTES, self.raw_key_bytes);
        put_u64_record(&mut out, tag::RAW_VALUE_BYTES, self.raw_value_bytes);
        put_u64_record(&mut out, tag::SMALLEST_SEQ, self.smallest_seq);
        put_u64_record(&mut out, tag::LARGEST_SEQ, self.largest_seq);
        put_u64_record(&mut out, tag::NUM_DATA_BLOCKS, self.num_data_blocks);
        put_u64_record(
            &mut out,
            tag::BLOOM_BITS_PER_KEY,
            u64::from(self.bloom_bits_per_key),
        );
        put_record(&mut out, tag::SMALLEST_KEY, &self.smallest_key);
        put_record(&mut out, tag::LARGEST_KEY, &self.largest_key);
        if let Some(t) = self.creation_time {
            put_u64_record(&mut out, tag::CREATION_TIME, t);
        }
        out
    }

    /// Decodes properties block contents. Unknown tags are skipped; a known
    /// tag twice, a missing required tag or a malformed record is an error.
    pub fn decode(src: &[u8]) -> Result<Properties, DecodeError> {
        let mut p = Properties::default();
        let mut seen = 0u64; // bit per known tag
        let mut d = Decoder::new(src);
        while !d.is_empty() {
            let at = d.position();
            let (Some(t), Some(payload)) = (d.varint32(), d.length_prefixed()) else {
                return Err(DecodeError::new(at, "malformed properties record"));
            };
            if !(1..=tag::CREATION_TIME).contains(&t) {
                continue;
            }
            if seen & (1 << t) != 0 {
                return Err(DecodeError::new(at, format!("properties tag {t} repeated")));
            }
            seen |= 1 << t;
            let int = || match get_varint64(payload) {
                Some((v, n)) if n == payload.len() => Ok(v),
                _ => Err(DecodeError::new(
                    at,
                    format!("properties tag {t}: payload is not one varint"),
                )),
            };
            match t {
                tag::NUM_ENTRIES => p.num_entries = int()?,
                tag::NUM_DELETIONS => p.num_deletions = int()?,
                tag::RAW_KEY_BYTES => p.raw_key_bytes = int()?,
                tag::RAW_VALUE_BYTES => p.raw_value_bytes = int()?,
                tag::SMALLEST_SEQ => p.smallest_seq = int()?,
                tag::LARGEST_SEQ => p.largest_seq = int()?,
                tag::NUM_DATA_BLOCKS => p.num_data_blocks = int()?,
                tag::BLOOM_BITS_PER_KEY => {
                    p.bloom_bits_per_key = u32::try_from(int()?).map_err(|_| {
                        DecodeError::new(at, "bloom bits per key does not fit in 32 bits")
                    })?
                }
                tag::SMALLEST_KEY => p.smallest_key = payload.to_vec(),
                tag::LARGEST_KEY => p.largest_key = payload.to_vec(),
                _ => p.creation_time = Some(int()?),
            }
        }
        let required = ((1u64 << (tag::LAST_REQUIRED + 1)) - 1) & !1;
        if seen & required != required {
            let missing = (1..=tag::LAST_REQUIRED)
                .find(|t| seen & (1 << t) == 0)
                .unwrap_or(0);
            return Err(DecodeError::new(
                src.len(),
                format!("properties block lacks required tag {missing}"),
            ));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Properties {
        Properties {
            num_entries: 3,
            num_deletions: 1,
            raw_key_bytes: 27,
            raw_value_bytes: 4,
            smallest_seq: 1,
            largest_seq: 3,
            num_data_blocks: 2,
            bloom_bits_per_key: 10,
            smallest_key: b"a\x01\x03\0\0\0\0\0\0".to_vec(),
            largest_key: b"c\x01\x01\0\0\0\0\0\0".to_vec(),
            creation_time: None,
        }
    }

    #[test]
    fn round_trip_with_and_without_optional() {
        let p = sample();
        assert_eq!(Properties::decode(&p.encode()), Ok(p.clone()));
        let p2 = Properties {
            creation_time: Some(1_700_000_000),
            ..p
        };
        assert_eq!(Properties::decode(&p2.encode()), Ok(p2));
    }

    #[test]
    fn skips_unknown_rejects_missing_repeated_malformed() {
        let mut enc = sample().encode();
        put_record(&mut enc, 99, b"future");
        assert_eq!(Properties::decode(&enc), Ok(sample()));

        let mut rep = sample().encode();
        put_u64_record(&mut rep, tag::NUM_ENTRIES, 5);
        assert!(Properties::decode(&rep).is_err());

        let mut missing = Vec::new();
        put_u64_record(&mut missing, tag::NUM_ENTRIES, 5);
        assert!(Properties::decode(&missing)
            .unwrap_err()
            .reason
            .contains("tag 2"));

        let enc = sample().encode();
        for cut in 0..enc.len() {
            assert!(Properties::decode(&enc[..cut]).is_err(), "cut at {cut}");
        }
        let mut bad = Vec::new();
        put_record(&mut bad, tag::NUM_ENTRIES, &[0x80, 0x80]);
        assert!(Properties::decode(&bad).is_err());
    }
}
