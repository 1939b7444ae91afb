//! Integer and checksum encodings shared by every on-disk format.
//! Spec: format-spec/README.md, "Conventions".
//!
//! Decoders return `None` on short or malformed input; the caller turns that
//! into a `Corruption` naming its file and offset.
// Bytes read here come from disk or the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

/// Appends `v` as 4 little-endian bytes.
pub fn put_fixed32(dst: &mut Vec<u8>, v: u32) {
    dst.extend_from_slice(&v.to_le_bytes());
}

/// Appends `v` as 8 little-endian bytes.
pub fn put_fixed64(dst: &mut Vec<u8>, v: u64) {
    dst.extend_from_slice(&v.to_le_bytes());
}

/// Reads 4 little-endian bytes at the start of `src`.
pub fn get_fixed32(src: &[u8]) -> Option<u32> {
    let b: [u8; 4] = src.get(..4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

/// Reads 8 little-endian bytes at the start of `src`.
pub fn get_fixed64(src: &[u8]) -> Option<u64> {
    let b: [u8; 8] = src.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// Appends `v` as an unsigned LEB128 varint (1–10 bytes).
#[expect(
    clippy::cast_possible_truncation,
    reason = "each byte takes the low 7 bits of what is left: the truncation is the encoding"
)]
pub fn put_varint64(dst: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        dst.push((v as u8) | 0x80);
        v >>= 7;
    }
    dst.push(v as u8);
}

/// Appends `v` as an unsigned LEB128 varint (1–5 bytes).
pub fn put_varint32(dst: &mut Vec<u8>, v: u32) {
    put_varint64(dst, u64::from(v));
}

/// Decodes a varint64 at the start of `src`: `(value, bytes consumed)`.
///
/// Rejects encodings longer than 10 bytes and values that overflow 64 bits.
pub fn get_varint64(src: &[u8]) -> Option<(u64, usize)> {
    let mut result: u64 = 0;
    for (i, &byte) in src.iter().enumerate().take(10) {
        let part = u64::from(byte & 0x7f);
        if i == 9 && part > 1 {
            return None;
        }
        result |= part << (7 * i);
        if byte & 0x80 == 0 {
            return Some((result, i + 1));
        }
    }
    None
}

/// Decodes a varint32 at the start of `src`: `(value, bytes consumed)`.
pub fn get_varint32(src: &[u8]) -> Option<(u32, usize)> {
    let (v, n) = get_varint64(src)?;
    if n > 5 {
        return None;
    }
    Some((u32::try_from(v).ok()?, n))
}

/// Appends a varint32 length followed by the bytes.
///
/// REQUIRES: `data` is at most `u32::MAX` bytes ([`crate::WriteBatch`]
/// bounds keys and values so). A longer one is not truncated: its length
/// is written as the varint64 it is, which every decoder (reading a
/// varint32) rejects as corruption.
pub fn put_length_prefixed(dst: &mut Vec<u8>, data: &[u8]) {
    put_varint64(dst, data.len() as u64);
    dst.extend_from_slice(data);
}

/// Decodes a varint32-length-prefixed slice: `(slice, bytes consumed)`.
pub fn get_length_prefixed(src: &[u8]) -> Option<(&[u8], usize)> {
    let (len, n) = get_varint32(src)?;
    let end = n.checked_add(len as usize)?;
    Some((src.get(n..end)?, end))
}

/// A cursor over a byte slice for decoders: every read is bounds-checked.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    /// Starts decoding at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Decoder { buf, pos: 0 }
    }
    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }
    /// Bytes not yet consumed.
    pub fn remaining(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }
    /// True when every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
    /// Reads one byte.
    pub fn u8(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
    /// Reads a fixed32.
    pub fn fixed32(&mut self) -> Option<u32> {
        let v = get_fixed32(self.remaining())?;
        self.pos += 4;
        Some(v)
    }
    /// Reads a fixed64.
    pub fn fixed64(&mut self) -> Option<u64> {
        let v = get_fixed64(self.remaining())?;
        self.pos += 8;
        Some(v)
    }
    /// Reads a varint32.
    pub fn varint32(&mut self) -> Option<u32> {
        let (v, n) = get_varint32(self.remaining())?;
        self.pos += n;
        Some(v)
    }
    /// Reads a varint64.
    pub fn varint64(&mut self) -> Option<u64> {
        let (v, n) = get_varint64(self.remaining())?;
        self.pos += n;
        Some(v)
    }
    /// Reads `n` raw bytes.
    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    /// Reads a varint32-length-prefixed slice.
    pub fn length_prefixed(&mut self) -> Option<&'a [u8]> {
        let (s, n) = get_length_prefixed(self.remaining())?;
        self.pos += n;
        Some(s)
    }
}

const MASK_DELTA: u32 = 0xa282_ead8;

/// CRC-32 (IEEE 802.3 polynomial, as computed by crc32fast) of `data`, masked.
///
/// Masking (rotate right 15, add a constant) is LevelDB's trick so that the
/// CRC of a string that itself embeds CRCs is not trivially related to them.
pub fn masked_crc(data: &[u8]) -> u32 {
    mask_crc(crc32fast::hash(data))
}

/// Masked CRC of the concatenation of `parts`, without copying them.
pub fn masked_crc_parts(parts: &[&[u8]]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    for p in parts {
        h.update(p);
    }
    mask_crc(h.finalize())
}

/// Applies the mask to a raw CRC.
pub fn mask_crc(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// Reverses [`mask_crc`].
pub fn unmask_crc(masked: u32) -> u32 {
    masked.wrapping_sub(MASK_DELTA).rotate_left(15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trip_and_rejects_overlong() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            put_varint64(&mut b, v);
            assert_eq!(get_varint64(&b), Some((v, b.len())));
        }
        assert_eq!(get_varint64(&[0x80; 11]), None);
        assert_eq!(get_varint64(&[0xff; 9]), None);
        assert_eq!(
            get_varint64(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
            None
        );
        let mut b = Vec::new();
        put_varint64(&mut b, u64::from(u32::MAX) + 1);
        assert_eq!(get_varint32(&b), None);
    }

    #[test]
    fn crc_mask_round_trip() {
        let c = crc32fast::hash(b"siltdb");
        assert_ne!(mask_crc(c), c);
        assert_eq!(unmask_crc(mask_crc(c)), c);
        assert_eq!(masked_crc(b"abcdef"), masked_crc_parts(&[b"abc", b"def"]));
    }

    #[test]
    fn length_prefixed_bounds_checked() {
        let mut b = Vec::new();
        put_length_prefixed(&mut b, b"hello");
        assert_eq!(get_length_prefixed(&b), Some((&b"hello"[..], 6)));
        assert_eq!(get_length_prefixed(&b[..4]), None);
    }
}
