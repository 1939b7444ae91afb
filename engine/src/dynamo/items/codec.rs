//! The compact binary encoding of a DynamoDB item, the engine value of every
//! stored item. Spec: format-spec/items.md.
//!
//! One item has exactly one encoding: the encoder walks `BTreeMap`s and
//! `BTreeSet`s in order and writes minimal varints and canonical numbers, and
//! the decoder rejects every byte string the encoder would not write. So
//! `decode_item(b)` succeeding implies `encode_item_to_vec(&decoded) == b`,
//! and equal items are equal bytes.
//!
//! The decoder trusts nothing: it never panics, bounds recursion at
//! [`MAX_NESTING_DEPTH`] levels of `M`/`L`, and allocates no more than the
//! input's length (no capacity is taken from a count it has not checked
//! against the bytes left).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::coding::{get_varint32, put_varint32, Decoder};

use crate::dynamo::items::number::{Number, MIN_ADJUSTED_EXPONENT};
use crate::dynamo::items::validate::MAX_NESTING_DEPTH;
use crate::dynamo::items::value::{item_size, AttributeValue, Item};

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;

/// The item format version this code writes and the only one it reads.
/// Never changes meaning; a new layout takes a new number.
const FORMAT_VERSION: u8 = 0x01;

// Value tags (format-spec/items.md, "Values"). Never change; a retired tag
// keeps its line, marked retired, and is never reused. 0x00 is never a tag,
// so zero-filled bytes are not a value.
/// `S`: varint32 length, UTF-8 bytes.
const TAG_S: u8 = 0x01;
/// `N`: a number body.
const TAG_N: u8 = 0x02;
/// `B`: varint32 length, bytes.
const TAG_B: u8 = 0x03;
/// `BOOL` false: no payload.
const TAG_FALSE: u8 = 0x04;
/// `BOOL` true: no payload.
const TAG_TRUE: u8 = 0x05;
/// `NULL`: no payload.
const TAG_NULL: u8 = 0x06;
/// `M`: varint32 count, then (name, value) pairs, names strictly increasing.
const TAG_M: u8 = 0x07;
/// `L`: varint32 count, then values.
const TAG_L: u8 = 0x08;
/// `SS`: varint32 count ≥ 1, then strings, strictly increasing.
const TAG_SS: u8 = 0x09;
/// `NS`: varint32 count ≥ 1, then number bodies, strictly increasing.
const TAG_NS: u8 = 0x0A;
/// `BS`: varint32 count ≥ 1, then binaries, strictly increasing.
const TAG_BS: u8 = 0x0B;

/// Number header bit: the number is negative.
const NUMBER_NEGATIVE: u8 = 0x80;
/// Number header bits: byte length of the coefficient (1..=16).
const NUMBER_LEN_MASK: u8 = 0x1F;
/// Bias added to the adjusted exponent (-130..=125 → 0..=255).
const EXPONENT_BIAS: i32 = -MIN_ADJUSTED_EXPONENT;
/// Coefficients are below 10^38 (at most 38 digits).
const COEFFICIENT_LIMIT: u128 = 10u128.pow(38);

/// Error decoding stored item bytes: byte offset and reason.
///
/// The caller knows which file and record held the bytes and turns this into
/// [`crate::Error::Corruption`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCodecError {
    /// Offset into the decoded slice of the element that is wrong.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

impl fmt::Display for ItemCodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad item encoding at byte {}: {}",
            self.offset, self.reason
        )
    }
}

impl std::error::Error for ItemCodecError {}

fn bad(offset: usize, reason: &'static str) -> ItemCodecError {
    ItemCodecError { offset, reason }
}

// ---------------------------------------------------------------- encode --

/// Appends the encoding of `item`: version byte, attribute count, then each
/// (name, value) in name order.
///
/// REQUIRES: `item` passes [`crate::dynamo::items::validate::validate_item`]'s value
/// rules (no empty set, nesting ≤ 32 levels) and every length fits a `u32`.
/// The encoder does not check; [`decode_item`] rejects what breaks them.
pub fn encode_item(item: &Item, out: &mut Vec<u8>) {
    out.push(FORMAT_VERSION);
    encode_map(item, out);
}

/// [`encode_item`] into a new vector, sized for it up front: the item's
/// DynamoDB size plus a few bytes of tags and length prefixes per
/// top-level attribute (nested ones may grow it once more). Grown from
/// empty, a 150-byte item's vector was reallocated five times.
pub fn encode_item_to_vec(item: &Item) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + item_size(item) + 8 * item.len());
    encode_item(item, &mut out);
    out
}

/// Appends the encoding of one value: its tag byte and payload (no version
/// byte — the container that holds values carries the version).
///
/// REQUIRES: as [`encode_item`].
pub fn encode_value(v: &AttributeValue, out: &mut Vec<u8>) {
    match v {
        AttributeValue::S(s) => {
            out.push(TAG_S);
            put_bytes(s.as_bytes(), out);
        }
        AttributeValue::N(n) => {
            out.push(TAG_N);
            encode_number(n, out);
        }
        AttributeValue::B(b) => {
            out.push(TAG_B);
            put_bytes(b, out);
        }
        AttributeValue::Bool(false) => out.push(TAG_FALSE),
        AttributeValue::Bool(true) => out.push(TAG_TRUE),
        AttributeValue::Null => out.push(TAG_NULL),
        AttributeValue::M(m) => {
            out.push(TAG_M);
            encode_map(m, out);
        }
        AttributeValue::L(l) => {
            out.push(TAG_L);
            put_count(l.len(), out);
            for v in l {
                encode_value(v, out);
            }
        }
        AttributeValue::Ss(s) => {
            out.push(TAG_SS);
            put_count(s.len(), out);
            for m in s {
                put_bytes(m.as_bytes(), out);
            }
        }
        AttributeValue::Ns(s) => {
            out.push(TAG_NS);
            put_count(s.len(), out);
            for m in s {
                encode_number(m, out);
            }
        }
        AttributeValue::Bs(s) => {
            out.push(TAG_BS);
            put_count(s.len(), out);
            for m in s {
                put_bytes(m, out);
            }
        }
    }
}

fn encode_map(m: &BTreeMap<String, AttributeValue>, out: &mut Vec<u8>) {
    put_count(m.len(), out);
    for (name, v) in m {
        put_bytes(name.as_bytes(), out);
        encode_value(v, out);
    }
}

/// Counts and lengths are varint32; the REQUIRES of [`encode_item`] keeps
/// them in range (items are at most 400 KB).
#[expect(
    clippy::cast_possible_truncation,
    reason = "items are at most 400 KB (validated before encoding), so every count and length fits in u32"
)]
fn put_count(n: usize, out: &mut Vec<u8>) {
    put_varint32(out, n as u32);
}

fn put_bytes(b: &[u8], out: &mut Vec<u8>) {
    put_count(b.len(), out);
    out.extend_from_slice(b);
}

/// Zero is `00`. Otherwise a header byte (sign bit, coefficient byte length
/// 1..=16), the adjusted exponent + 130, and the coefficient's minimal
/// little-endian bytes.
#[expect(
    clippy::cast_possible_truncation,
    reason = "len is 1..=16 and the biased exponent of a valid number 0..=255, as the comments below say"
)]
fn encode_number(n: &Number, out: &mut Vec<u8>) {
    let c = n.coefficient();
    if c == 0 {
        out.push(0);
        return;
    }
    // c != 0, so 1 <= len <= 16.
    let len = 16 - (c.leading_zeros() / 8) as usize;
    let sign = if n.is_negative() { NUMBER_NEGATIVE } else { 0 };
    out.push(sign | len as u8);
    // The adjusted exponent of a valid number is in -130..=125.
    out.push((n.adjusted_exponent() + EXPONENT_BIAS) as u8);
    out.extend(c.to_le_bytes().into_iter().take(len));
}

// ---------------------------------------------------------------- decode --

/// Decodes a whole [`encode_item`] output.
///
/// Rejects, with the offset of the offending element: an unknown version or
/// tag, truncation, bytes after the item, invalid UTF-8, non-minimal varints,
/// non-canonical or out-of-range numbers, names / map keys / set members not
/// strictly increasing, empty sets, and `M`/`L` nested deeper than 32 levels
/// (an `M` or `L` attribute value is level 1). Never panics.
pub fn decode_item(bytes: &[u8]) -> Result<Item, ItemCodecError> {
    let mut r = Reader::new(bytes);
    let at = r.pos();
    match r.u8()? {
        FORMAT_VERSION => {}
        _ => return Err(bad(at, "unknown item format version")),
    }
    let item = r.map(0)?;
    if !r.is_empty() {
        return Err(bad(r.pos(), "bytes after the end of the item"));
    }
    Ok(item)
}

/// Decodes one [`encode_value`] output at the start of `bytes`:
/// `(value, bytes consumed)`. Bytes after the value are the caller's.
///
/// Rejects as [`decode_item`] does; an `M` or `L` at the top is level 1.
pub fn decode_value(bytes: &[u8]) -> Result<(AttributeValue, usize), ItemCodecError> {
    let mut r = Reader::new(bytes);
    let v = r.value(0)?;
    Ok((v, r.pos()))
}

/// Bounds-checked reads with error offsets.
struct Reader<'a> {
    d: Decoder<'a>,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader {
            d: Decoder::new(bytes),
        }
    }

    fn pos(&self) -> usize {
        self.d.position()
    }

    fn is_empty(&self) -> bool {
        self.d.is_empty()
    }

    fn u8(&mut self) -> Result<u8, ItemCodecError> {
        let at = self.pos();
        self.d.u8().ok_or(bad(at, "truncated"))
    }

    /// A minimal varint32.
    fn varint(&mut self) -> Result<u32, ItemCodecError> {
        let at = self.pos();
        let rest = self.d.remaining();
        let (v, n) = get_varint32(rest).ok_or(if rest.len() < 5 {
            bad(at, "truncated")
        } else {
            bad(at, "bad varint")
        })?;
        // Minimal: one byte, or a last byte that carries bits.
        if n > 1 && rest.get(n - 1) == Some(&0) {
            return Err(bad(at, "varint is not minimal"));
        }
        self.d.bytes(n).ok_or(bad(at, "truncated"))?;
        Ok(v)
    }

    /// A count of elements that each take at least one byte: more than the
    /// bytes left is truncation, caught before any loop or allocation.
    fn count(&mut self) -> Result<usize, ItemCodecError> {
        let at = self.pos();
        let n = self.varint()? as usize;
        if n > self.d.remaining().len() {
            return Err(bad(at, "truncated: count exceeds the bytes left"));
        }
        Ok(n)
    }

    /// A non-zero set count.
    fn set_count(&mut self) -> Result<usize, ItemCodecError> {
        let at = self.pos();
        match self.count()? {
            0 => Err(bad(at, "empty set")),
            n => Ok(n),
        }
    }

    fn bytes(&mut self) -> Result<&'a [u8], ItemCodecError> {
        let len = self.varint()? as usize;
        let at = self.pos();
        self.d.bytes(len).ok_or(bad(at, "truncated"))
    }

    fn string(&mut self) -> Result<String, ItemCodecError> {
        let at = self.pos();
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| bad(at, "string is not UTF-8"))
    }

    fn number(&mut self) -> Result<Number, ItemCodecError> {
        let at = self.pos();
        let head = self.u8()?;
        if head == 0 {
            return Ok(Number::ZERO);
        }
        let negative = head & NUMBER_NEGATIVE != 0;
        let len = usize::from(head & NUMBER_LEN_MASK);
        if head & !(NUMBER_NEGATIVE | NUMBER_LEN_MASK) != 0 || !(1..=16).contains(&len) {
            return Err(bad(at, "bad number header"));
        }
        let adjusted = i32::from(self.u8()?) - EXPONENT_BIAS;
        let c_at = self.pos();
        let raw = self.d.bytes(len).ok_or(bad(c_at, "truncated"))?;
        if raw.last() == Some(&0) {
            return Err(bad(c_at, "number coefficient is not minimal"));
        }
        let mut le = [0u8; 16];
        le.get_mut(..len)
            .ok_or(bad(at, "bad number header"))?
            .copy_from_slice(raw);
        let c = u128::from_le_bytes(le);
        if c.is_multiple_of(10) {
            return Err(bad(c_at, "number coefficient ends in a zero digit"));
        }
        if c >= COEFFICIENT_LIMIT {
            return Err(bad(c_at, "number has more than 38 digits"));
        }
        // c != 0 here, and c < 10^38: 1..=38 digits.
        let digits = c.ilog10() as i32 + 1;
        let n = Number::from_parts(negative, c, adjusted - digits + 1)
            .map_err(|_| bad(at, "number out of range"))?;
        // from_parts keeps a coefficient without trailing zeros as it is.
        debug_assert_eq!(n.coefficient(), c);
        Ok(n)
    }

    /// A count and that many (name, value) pairs, names strictly increasing.
    /// `depth` is the nesting level of the map itself (0 for an item).
    fn map(&mut self, depth: usize) -> Result<BTreeMap<String, AttributeValue>, ItemCodecError> {
        let n = self.count()?;
        let mut m = BTreeMap::new();
        for _ in 0..n {
            let at = self.pos();
            let name = self.string()?;
            if m.last_key_value().is_some_and(|(last, _)| *last >= name) {
                return Err(bad(at, "names out of order or repeated"));
            }
            let v = self.value(depth)?;
            m.insert(name, v);
        }
        Ok(m)
    }

    /// One tagged value inside a container at nesting level `depth`.
    fn value(&mut self, depth: usize) -> Result<AttributeValue, ItemCodecError> {
        let at = self.pos();
        let tag = self.u8()?;
        if matches!(tag, TAG_M | TAG_L) && depth >= MAX_NESTING_DEPTH {
            return Err(bad(at, "lists and maps nested deeper than 32 levels"));
        }
        Ok(match tag {
            TAG_S => AttributeValue::S(self.string()?),
            TAG_N => AttributeValue::N(self.number()?),
            TAG_B => AttributeValue::B(self.bytes()?.to_vec()),
            TAG_FALSE => AttributeValue::Bool(false),
            TAG_TRUE => AttributeValue::Bool(true),
            TAG_NULL => AttributeValue::Null,
            TAG_M => AttributeValue::M(self.map(depth + 1)?),
            TAG_L => {
                let n = self.count()?;
                // count() checked n against the bytes left.
                let mut l = Vec::with_capacity(n);
                for _ in 0..n {
                    l.push(self.value(depth + 1)?);
                }
                AttributeValue::L(l)
            }
            TAG_SS => AttributeValue::Ss(self.set(Reader::string)?),
            TAG_NS => AttributeValue::Ns(self.set(Reader::number)?),
            TAG_BS => AttributeValue::Bs(self.set(|r| r.bytes().map(<[u8]>::to_vec))?),
            _ => return Err(bad(at, "unknown value tag")),
        })
    }

    /// A non-zero count and that many members, strictly increasing.
    fn set<T: Ord>(
        &mut self,
        member: impl Fn(&mut Self) -> Result<T, ItemCodecError>,
    ) -> Result<BTreeSet<T>, ItemCodecError> {
        let n = self.set_count()?;
        let mut s = BTreeSet::new();
        for _ in 0..n {
            let at = self.pos();
            let m = member(self)?;
            if s.last().is_some_and(|last| *last >= m) {
                return Err(bad(at, "set members out of order or repeated"));
            }
            s.insert(m);
        }
        Ok(s)
    }
}
