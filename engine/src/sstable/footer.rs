//! Spec: format-spec/sstable.md#footer
//!
//! The fixed-size footer at the end of every table, and block handles.

use super::DecodeError;
use crate::coding::{
    get_fixed32, get_fixed64, get_varint64, masked_crc, put_fixed32, put_fixed64, put_varint64,
};

/// Size of the footer in bytes. Never change.
pub const FOOTER_LEN: usize = 64;

/// The table magic number: the ASCII bytes `siltdbST` read as a
/// little-endian u64, so the file ends with those 8 characters. Never change.
pub const TABLE_MAGIC: u64 = u64::from_le_bytes(*b"siltdbST");

/// The only table format version defined so far.
pub const FORMAT_VERSION: u32 = 1;

/// Where a block lives: its offset in the file and its size without trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockHandle {
    /// File offset of the first byte of the block.
    pub offset: u64,
    /// Size of the block contents, excluding the 5-byte trailer.
    pub size: u64,
}

impl BlockHandle {
    /// Appends the varint encoding (`varint64 offset | varint64 size`) used
    /// in index entries.
    pub fn encode_to(&self, dst: &mut Vec<u8>) {
        put_varint64(dst, self.offset);
        put_varint64(dst, self.size);
    }

    /// Decodes a varint-encoded handle at the start of `src`:
    /// `(handle, bytes consumed)`.
    pub fn decode(src: &[u8]) -> Option<(BlockHandle, usize)> {
        let (offset, n1) = get_varint64(src)?;
        let (size, n2) = get_varint64(src.get(n1..)?)?;
        Some((BlockHandle { offset, size }, n1 + n2))
    }

    /// True for the all-zero handle, which marks an absent block.
    pub fn is_null(&self) -> bool {
        self.offset == 0 && self.size == 0
    }
}

/// The decoded footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footer {
    /// The index block.
    pub index: BlockHandle,
    /// The filter block; the null handle (0, 0) when the table has no filter.
    pub filter: BlockHandle,
    /// The properties block.
    pub properties: BlockHandle,
    /// Format version; readers reject any value they do not know.
    pub format_version: u32,
}

impl Footer {
    /// Encodes the footer (exactly [`FOOTER_LEN`] bytes).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FOOTER_LEN);
        for h in [self.index, self.filter, self.properties] {
            put_fixed64(&mut out, h.offset);
            put_fixed64(&mut out, h.size);
        }
        put_fixed32(&mut out, self.format_version);
        let crc = masked_crc(&out);
        put_fixed32(&mut out, crc);
        put_fixed64(&mut out, TABLE_MAGIC);
        debug_assert_eq!(out.len(), FOOTER_LEN);
        out
    }

    /// Decodes and checks a footer: magic first, then checksum, then version.
    /// Error offsets are relative to the footer's first byte.
    pub fn decode(src: &[u8]) -> Result<Footer, DecodeError> {
        if src.len() != FOOTER_LEN {
            return Err(DecodeError::new(
                0,
                format!("footer is {} bytes, expected {FOOTER_LEN}", src.len()),
            ));
        }
        let field64 = |at: usize| src.get(at..).and_then(get_fixed64).unwrap_or(0);
        let magic = field64(56);
        if magic != TABLE_MAGIC {
            return Err(DecodeError::new(
                56,
                format!("bad magic {magic:#018x}, expected {TABLE_MAGIC:#018x} (not an sstable?)"),
            ));
        }
        let stored = src.get(52..).and_then(get_fixed32).unwrap_or(0);
        let actual = src.get(..52).map(masked_crc).unwrap_or(0);
        if stored != actual {
            return Err(DecodeError::new(
                52,
                format!("footer checksum mismatch: stored {stored:#010x}, computed {actual:#010x}"),
            ));
        }
        let format_version = src.get(48..).and_then(get_fixed32).unwrap_or(0);
        if format_version != FORMAT_VERSION {
            return Err(DecodeError::new(
                48,
                format!("unsupported table format version {format_version}"),
            ));
        }
        let handle = |at: usize| BlockHandle {
            offset: field64(at),
            size: field64(at + 8),
        };
        Ok(Footer {
            index: handle(0),
            filter: handle(16),
            properties: handle(32),
            format_version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Footer {
        Footer {
            index: BlockHandle {
                offset: 1000,
                size: 77,
            },
            filter: BlockHandle {
                offset: 500,
                size: 300,
            },
            properties: BlockHandle {
                offset: 805,
                size: 190,
            },
            format_version: FORMAT_VERSION,
        }
    }

    #[test]
    fn round_trip() {
        let f = sample();
        let enc = f.encode();
        assert_eq!(enc.len(), FOOTER_LEN);
        assert_eq!(&enc[56..], b"siltdbST");
        assert_eq!(Footer::decode(&enc), Ok(f));
    }

    #[test]
    fn bad_magic_version_checksum_length() {
        let enc = sample().encode();
        let mut bad = enc.clone();
        bad[60] ^= 1;
        let e = Footer::decode(&bad).unwrap_err();
        assert_eq!(e.offset, 56);
        assert!(e.reason.contains("magic"));

        // A well-checksummed footer of an unknown version.
        let enc2 = Footer {
            format_version: 2,
            ..sample()
        }
        .encode();
        let e = Footer::decode(&enc2).unwrap_err();
        assert_eq!(e.offset, 48);
        assert!(e.reason.contains("version"));

        let mut bad = enc.clone();
        bad[3] ^= 0x10;
        let e = Footer::decode(&bad).unwrap_err();
        assert_eq!(e.offset, 52);
        assert!(Footer::decode(&enc[1..]).is_err());

        let err = e.at("000007.sst", 4000);
        match err {
            crate::Error::Corruption { file, offset, .. } => {
                assert_eq!((file.as_str(), offset), ("000007.sst", 4052))
            }
            other => panic!("expected corruption, got {other}"),
        }
    }

    #[test]
    fn varint_handle_round_trip() {
        for h in [
            BlockHandle::default(),
            BlockHandle {
                offset: 1 << 40,
                size: 4096,
            },
            BlockHandle {
                offset: u64::MAX,
                size: u64::MAX,
            },
        ] {
            let mut b = Vec::new();
            h.encode_to(&mut b);
            assert_eq!(BlockHandle::decode(&b), Some((h, b.len())));
            assert_eq!(BlockHandle::decode(&b[..b.len() - 1]), None);
        }
    }
}
