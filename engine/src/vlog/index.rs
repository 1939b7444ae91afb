//! Spec: format-spec/value-log.md#blob-index
//!
//! [`BlobIndex`]: where a separated value lives. It is the value of every
//! entry of kind [`crate::key::ValueKind::ValueBlob`], in the WAL, the
//! memtable and tables alike.

use crate::coding::{put_fixed32, put_varint32, put_varint64, Decoder};

use super::format::{record_len, FILE_HEADER_LEN};

/// The location and identity of one blob record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobIndex {
    /// The blob file: `{file_number:06}.blob`.
    pub file_number: u64,
    /// Offset of the record's first byte in the file (at least 12).
    pub offset: u64,
    /// Length of the value in bytes.
    pub value_len: u32,
    /// The checksum stored in the record's header, whatever it is under
    /// the blob file's version (masked CRC-32 in 1, the low 32 bits of
    /// XXH3-64 in 2): a read checks that it found this very record, not
    /// another of the same key.
    pub crc: u32,
}

/// Longest encoding: 10 + 10 + 5 + 4 bytes.
pub const MAX_BLOB_INDEX_LEN: usize = 29;

impl BlobIndex {
    /// Appends the encoding to `dst`.
    pub fn encode(&self, dst: &mut Vec<u8>) {
        put_varint64(dst, self.file_number);
        put_varint64(dst, self.offset);
        put_varint32(dst, self.value_len);
        put_fixed32(dst, self.crc);
    }

    /// The encoding as a new vector.
    pub fn encoded(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(MAX_BLOB_INDEX_LEN);
        self.encode(&mut v);
        v
    }

    /// Decodes an index that must fill `data` exactly. `Err` says what is
    /// wrong; the caller names the file and offset the bytes came from.
    pub fn decode(data: &[u8]) -> Result<BlobIndex, &'static str> {
        let mut d = Decoder::new(data);
        let file_number = d.varint64().ok_or("blob index: truncated file number")?;
        let offset = d.varint64().ok_or("blob index: truncated offset")?;
        let value_len = d.varint32().ok_or("blob index: truncated value length")?;
        let crc = d.fixed32().ok_or("blob index: truncated checksum")?;
        if !d.is_empty() {
            return Err("blob index: bytes after the checksum");
        }
        if offset < FILE_HEADER_LEN as u64 {
            return Err("blob index: offset inside the blob file header");
        }
        Ok(BlobIndex {
            file_number,
            offset,
            value_len,
            crc,
        })
    }

    /// Bytes the record occupies, given the length of its user key.
    pub fn record_len(&self, key_len: usize) -> u64 {
        record_len(key_len, self.value_len as usize)
    }

    /// The offset just past the record, given the length of its user key.
    pub fn record_end(&self, key_len: usize) -> u64 {
        self.offset.saturating_add(self.record_len(key_len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{decode_hex_vector, encode_hex_vector};
    use proptest::prelude::*;

    const VECTOR: &str = include_str!("../../../format-spec/vectors/blob-index.hex");

    fn vector_index() -> BlobIndex {
        BlobIndex {
            file_number: 9,
            offset: 300,
            value_len: 102_400,
            crc: 0xa9f4_5c27,
        }
    }

    #[test]
    fn vector_decodes() {
        let bytes = decode_hex_vector(VECTOR);
        assert_eq!(BlobIndex::decode(&bytes), Ok(vector_index()));
        assert_eq!(
            vector_index().encoded(),
            bytes,
            "encoder output differs from vector; current encoding:\n{}",
            encode_hex_vector(&vector_index().encoded())
        );
    }

    #[test]
    fn malformed_indexes_are_rejected() {
        let bytes = vector_index().encoded();
        for cut in 0..bytes.len() {
            assert!(BlobIndex::decode(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            BlobIndex::decode(&long),
            Err("blob index: bytes after the checksum")
        );
        let inside_header = BlobIndex {
            offset: 11,
            ..vector_index()
        };
        assert!(BlobIndex::decode(&inside_header.encoded()).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(f in any::<u64>(), o in 12u64.., l in any::<u32>(), c in any::<u32>()) {
            let i = BlobIndex { file_number: f, offset: o, value_len: l, crc: c };
            let e = i.encoded();
            prop_assert!(e.len() <= MAX_BLOB_INDEX_LEN);
            prop_assert_eq!(BlobIndex::decode(&e), Ok(i));
        }

        #[test]
        fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = BlobIndex::decode(&data);
        }
    }
}
