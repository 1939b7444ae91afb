//! Order-preserving encoding of key attribute values (S, N, B).
//! Spec: format-spec/keys.md, "DynamoDB key encoding".
//!
//! The only code that knows key order. For two values of one type,
//! `encode(a).cmp(&encode(b))` is DynamoDB's order: S by UTF-8 bytes, B by
//! unsigned bytes, N numerically. Every encoding is self-delimiting and no
//! encoding is a proper prefix of another, so `[hash][pk][sk]` byte strings
//! sort by (hash, pk, sk) — and a multi-attribute key's concatenated values
//! (`[hash][pk1]…[pkn][sk1]…[skm]`) by each value in turn.

use std::fmt;

use xxhash_rust::xxh3::xxh3_64;

use crate::dynamo::error::DynamoError;
use crate::dynamo::items::number::{Number, MAX_DIGITS, MIN_ADJUSTED_EXPONENT};
use crate::dynamo::items::value::AttributeValue;

/// Escape for a 0x00 byte inside an S or B value: `00 FF`. Never changes.
const ESCAPED_00: u8 = 0xFF;
/// Second byte of the S/B terminator `00 01`. Never changes.
const TERMINATOR: u8 = 0x01;
/// N tag: negative number. Never changes.
const TAG_NEGATIVE: u8 = 0x01;
/// N tag: zero (the whole encoding). Never changes.
const TAG_ZERO: u8 = 0x02;
/// N tag: positive number. Never changes.
const TAG_POSITIVE: u8 = 0x03;
/// Bias added to the adjusted exponent (-130..=125 → 0..=255).
const EXPONENT_BIAS: i32 = -MIN_ADJUSTED_EXPONENT;

/// Bytes of the hash prefix that [`hash_prefix`] returns.
pub const HASH_PREFIX_LEN: usize = 4;

/// The type of a key attribute (DynamoDB's `ScalarAttributeType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarAttributeType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl ScalarAttributeType {
    /// The key type of `v`, or `None` if `v` cannot be a key attribute.
    pub fn of(v: &AttributeValue) -> Option<ScalarAttributeType> {
        match v {
            AttributeValue::S(_) => Some(ScalarAttributeType::S),
            AttributeValue::N(_) => Some(ScalarAttributeType::N),
            AttributeValue::B(_) => Some(ScalarAttributeType::B),
            _ => None,
        }
    }

    /// `"S"`, `"N"` or `"B"`.
    pub fn name(self) -> &'static str {
        match self {
            ScalarAttributeType::S => "S",
            ScalarAttributeType::N => "N",
            ScalarAttributeType::B => "B",
        }
    }
}

/// Bytes that are not a valid key encoding.
///
/// The caller knows which file and record held them and turns this into
/// [`crate::Error::Corruption`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCodecError {
    /// Offset into the decoded slice where the problem was found.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

impl fmt::Display for KeyCodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad DynamoDB key encoding at byte {}: {}",
            self.offset, self.reason
        )
    }
}

impl std::error::Error for KeyCodecError {}

fn bad(offset: usize, reason: &'static str) -> KeyCodecError {
    KeyCodecError { offset, reason }
}

/// Appends the encoding of an S or B value's bytes: each `00` becomes
/// `00 FF`, then the terminator `00 01`.
pub fn encode_bytes(data: &[u8], out: &mut Vec<u8>) {
    for &b in data {
        out.push(b);
        if b == 0 {
            out.push(ESCAPED_00);
        }
    }
    out.extend_from_slice(&[0, TERMINATOR]);
}

/// Appends the encoding of every S or B value that starts with `prefix`
/// shares: `prefix`'s bytes escaped as in [`encode_bytes`], without the
/// terminator. A value has prefix `p` exactly when its encoding starts
/// with this (an escaped `00` is always `00 FF`, never the terminator's
/// `00 01`), so `begins_with` on a sort key is a byte-prefix range.
pub fn encode_prefix(prefix: &[u8], out: &mut Vec<u8>) {
    for &b in prefix {
        out.push(b);
        if b == 0 {
            out.push(ESCAPED_00);
        }
    }
}

/// Appends the encoding of a number.
///
/// Zero is `02`. A positive number is `03`, then `adjusted exponent + 130`
/// (one byte), then its significant digits in pairs from the leading digit
/// (an odd last digit padded with 0), each pair `p` as the byte `p + 1`,
/// then `00`. A negative number is `01`, then the positive form's exponent
/// byte and pair bytes each complemented (`FF - b`), then `FF`.
pub fn encode_number(n: &Number, out: &mut Vec<u8>) {
    if n.is_zero() {
        out.push(TAG_ZERO);
        return;
    }
    let flip = |b: u8| if n.is_negative() { !b } else { b };
    out.push(if n.is_negative() {
        TAG_NEGATIVE
    } else {
        TAG_POSITIVE
    });
    // adjusted exponent is in -130..=125, so the byte is 0..=255.
    let exponent = u8::try_from(n.adjusted_exponent() + EXPONENT_BIAS).unwrap_or(u8::MAX);
    out.push(flip(exponent));
    let digits = n.coefficient().to_string();
    for pair in digits.as_bytes().chunks(2) {
        // chunks(2) yields one or two decimal digits.
        let hi = pair.first().map_or(0, |d| d - b'0');
        let lo = pair.get(1).map_or(0, |d| d - b'0');
        out.push(flip(hi * 10 + lo + 1));
    }
    out.push(flip(0x00));
}

/// Appends the encoding of a key value; only S, N and B can be keys.
pub fn encode_key_value(v: &AttributeValue, out: &mut Vec<u8>) -> Result<(), DynamoError> {
    match v {
        AttributeValue::S(s) => encode_bytes(s.as_bytes(), out),
        AttributeValue::B(b) => encode_bytes(b, out),
        AttributeValue::N(n) => encode_number(n, out),
        // dynalite's message for a key of the wrong type.
        _ => {
            return Err(DynamoError::validation(
                "The provided key element does not match the schema",
            ))
        }
    }
    Ok(())
}

/// Whether `v` is an empty S or B (not allowed as a key value).
pub(crate) fn is_empty_key(v: &AttributeValue) -> bool {
    matches!(v, AttributeValue::S(s) if s.is_empty())
        || matches!(v, AttributeValue::B(b) if b.is_empty())
}

/// Decodes an S/B body at the start of `input`: `(bytes, length consumed)`.
fn decode_bytes(input: &[u8]) -> Result<(Vec<u8>, usize), KeyCodecError> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        match input.get(i) {
            None => return Err(bad(i, "string/binary key is not terminated")),
            Some(0) => match input.get(i + 1) {
                Some(&ESCAPED_00) => {
                    out.push(0);
                    i += 2;
                }
                Some(&TERMINATOR) => return Ok((out, i + 2)),
                Some(_) => return Err(bad(i + 1, "byte after 00 is neither FF nor 01")),
                None => return Err(bad(i, "string/binary key is not terminated")),
            },
            Some(&b) => {
                out.push(b);
                i += 1;
            }
        }
    }
}

/// Decodes a number at the start of `input`: `(number, length consumed)`.
fn decode_number(input: &[u8]) -> Result<(Number, usize), KeyCodecError> {
    let negative = match input.first() {
        Some(&TAG_ZERO) => return Ok((Number::ZERO, 1)),
        Some(&TAG_NEGATIVE) => true,
        Some(&TAG_POSITIVE) => false,
        Some(_) => return Err(bad(0, "unknown number tag")),
        None => return Err(bad(0, "empty number key")),
    };
    let flip = |b: u8| if negative { !b } else { b };
    let exp_byte = flip(
        *input
            .get(1)
            .ok_or(bad(1, "number key ends before exponent"))?,
    );
    let adjusted = i32::from(exp_byte) - EXPONENT_BIAS;
    let mut coefficient: u128 = 0;
    let mut digits: u32 = 0;
    let mut i = 2;
    loop {
        let b = flip(*input.get(i).ok_or(bad(i, "number key is not terminated"))?);
        if b == 0 {
            break;
        }
        if b > 100 {
            return Err(bad(i, "digit pair byte out of range"));
        }
        if digits >= MAX_DIGITS {
            return Err(bad(i, "more than 38 digits in number key"));
        }
        coefficient = coefficient * 100 + u128::from(b - 1);
        digits += 2;
        i += 1;
    }
    if digits == 0 {
        return Err(bad(i, "number key has no digits"));
    }
    let exponent = adjusted - digits as i32 + 1;
    let n = Number::from_parts(negative, coefficient, exponent)
        .map_err(|_| bad(0, "number key out of DynamoDB's range"))?;
    Ok((n, i + 1))
}

/// Decodes one key value of type `ty` at the start of `input`:
/// `(value, length consumed)`.
///
/// Rejects anything [`encode_key_value`] would not have written —
/// including non-canonical forms, so one value has exactly one encoding.
/// Never panics.
pub fn decode_key_value(
    ty: ScalarAttributeType,
    input: &[u8],
) -> Result<(AttributeValue, usize), KeyCodecError> {
    let (value, used) = match ty {
        ScalarAttributeType::S => {
            let (b, used) = decode_bytes(input)?;
            let s = String::from_utf8(b).map_err(|_| bad(0, "string key is not UTF-8"))?;
            (AttributeValue::S(s), used)
        }
        ScalarAttributeType::B => {
            let (b, used) = decode_bytes(input)?;
            (AttributeValue::B(b), used)
        }
        ScalarAttributeType::N => {
            let (n, used) = decode_number(input)?;
            (AttributeValue::N(n), used)
        }
    };
    let mut canonical = Vec::with_capacity(used);
    // The value is of a key type, so encoding cannot fail.
    encode_key_value(&value, &mut canonical).map_err(|_| bad(0, "not a key type"))?;
    if Some(canonical.as_slice()) != input.get(..used) {
        return Err(bad(0, "non-canonical key encoding"));
    }
    Ok((value, used))
}

/// The scan-spreading prefix of a partition key: the high 32 bits of
/// `xxh3_64(encoded partition key)` (seed 0), big-endian. Never changes —
/// it is part of every stored key.
pub fn hash_prefix(encoded_partition_key: &[u8]) -> [u8; HASH_PREFIX_LEN] {
    ((xxh3_64(encoded_partition_key) >> 32) as u32).to_be_bytes()
}

/// The start of every key of one partition within its table or index
/// range: `hash_prefix(pk) ++ encode(pk)`.
pub fn encode_partition(partition: &AttributeValue) -> Result<Vec<u8>, DynamoError> {
    encode_composite_partition(&[partition])
}

/// The start of every key of one partition of an index whose partition key
/// is `parts` (one value per HASH attribute, in key schema order):
/// `hash_prefix(enc(p1) ++ … ++ enc(pn)) ++ enc(p1) ++ … ++ enc(pn)`. With
/// one value this is [`encode_partition`]'s bytes exactly. Each encoding is
/// self-delimiting and order-preserving, so the concatenation is too, and
/// the hash covers every HASH attribute.
pub fn encode_composite_partition(parts: &[&AttributeValue]) -> Result<Vec<u8>, DynamoError> {
    let mut pk = Vec::new();
    for p in parts {
        encode_key_value(p, &mut pk)?;
    }
    let mut out = Vec::with_capacity(HASH_PREFIX_LEN + pk.len() + 24);
    out.extend_from_slice(&hash_prefix(&pk));
    out.extend_from_slice(&pk);
    Ok(out)
}

/// Appends the encoding of a composite sort key: `enc(s1) ++ … ++ enc(sn)`
/// (one value per RANGE attribute, in key schema order). Byte order is the
/// order of the values compared one after another, each in DynamoDB's
/// order, because no encoding is a proper prefix of another of its type.
pub fn encode_composite_sort(
    parts: &[&AttributeValue],
    out: &mut Vec<u8>,
) -> Result<(), DynamoError> {
    for p in parts {
        encode_key_value(p, out)?;
    }
    Ok(())
}

/// The key of an item within its table or index range:
/// `hash_prefix(pk) ++ encode(pk) ++ encode(sk)?`.
pub fn encode_primary_key(
    partition: &AttributeValue,
    sort: Option<&AttributeValue>,
) -> Result<Vec<u8>, DynamoError> {
    let mut out = encode_partition(partition)?;
    if let Some(sk) = sort {
        encode_key_value(sk, &mut out)?;
    }
    Ok(out)
}

/// Key values decoded from the start of an encoded key.
pub type DecodedKey = (Vec<AttributeValue>, Vec<AttributeValue>);

/// Decodes a composite key at the start of `input`: the hash prefix, one
/// value per type of `partition_types`, then one per type of `sort_types`,
/// checking the hash prefix. Returns the values and the length consumed
/// (bytes may follow: an index entry's table key).
pub fn decode_composite_key(
    partition_types: &[ScalarAttributeType],
    sort_types: &[ScalarAttributeType],
    input: &[u8],
) -> Result<(DecodedKey, usize), KeyCodecError> {
    let hash = input
        .get(..HASH_PREFIX_LEN)
        .ok_or(bad(0, "key shorter than its hash prefix"))?;
    let mut end = HASH_PREFIX_LEN;
    let values = |types: &[ScalarAttributeType], end: &mut usize| {
        let mut out = Vec::with_capacity(types.len());
        for ty in types {
            let rest = input.get(*end..).unwrap_or_default();
            let (v, used) =
                decode_key_value(*ty, rest).map_err(|e| bad(e.offset + *end, e.reason))?;
            *end += used;
            out.push(v);
        }
        Ok::<_, KeyCodecError>(out)
    };
    let pk = values(partition_types, &mut end)?;
    let pk_bytes = input.get(HASH_PREFIX_LEN..end).unwrap_or_default();
    if hash != hash_prefix(pk_bytes) {
        return Err(bad(0, "hash prefix does not match partition key"));
    }
    let sk = values(sort_types, &mut end)?;
    Ok(((pk, sk), end))
}

/// Decodes a whole [`encode_primary_key`] output, checking the hash prefix
/// and that nothing follows the last value.
pub fn decode_primary_key(
    partition_type: ScalarAttributeType,
    sort_type: Option<ScalarAttributeType>,
    input: &[u8],
) -> Result<(AttributeValue, Option<AttributeValue>), KeyCodecError> {
    let ((pk, sk), end) = decode_composite_key(&[partition_type], sort_type.as_slice(), input)?;
    if end != input.len() {
        return Err(bad(end, "bytes after the last key value"));
    }
    let mut pk = pk.into_iter();
    let pk = pk.next().ok_or(bad(0, "no partition key"))?;
    Ok((pk, sk.into_iter().next()))
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use super::*;
    use crate::dynamo::items::number::tests::arb_number;
    use crate::dynamo::testutil::n;
    use crate::testutil::decode_hex_vector;

    fn enc(v: &AttributeValue) -> Vec<u8> {
        let mut out = Vec::new();
        encode_key_value(v, &mut out).expect("key type");
        out
    }

    fn dynamo_order(a: &AttributeValue, b: &AttributeValue) -> Ordering {
        match (a, b) {
            (AttributeValue::S(a), AttributeValue::S(b)) => a.as_bytes().cmp(b.as_bytes()),
            (AttributeValue::B(a), AttributeValue::B(b)) => a.cmp(b),
            (AttributeValue::N(a), AttributeValue::N(b)) => a.cmp(b),
            _ => panic!("mixed types"),
        }
    }

    fn arb_key(ty: ScalarAttributeType) -> BoxedStrategy<AttributeValue> {
        match ty {
            // Small alphabets with 0x00 and 0xFF make prefixes and escapes common.
            ScalarAttributeType::S => proptest::collection::vec(
                prop_oneof![Just('\0'), Just('a'), Just('b'), Just('ÿ'), any::<char>()],
                0..6,
            )
            .prop_map(|c| AttributeValue::S(c.into_iter().collect()))
            .boxed(),
            ScalarAttributeType::B => proptest::collection::vec(
                prop_oneof![Just(0u8), Just(1u8), Just(0xFFu8), any::<u8>()],
                0..6,
            )
            .prop_map(AttributeValue::B)
            .boxed(),
            // Nearby small decimals too, so pairs often share sign and exponent.
            ScalarAttributeType::N => prop_oneof![
                arb_number(),
                (-2000i64..2000, 0i32..4).prop_map(|(v, scale)| {
                    Number::from_parts(v < 0, u128::from(v.unsigned_abs()), -scale)
                        .expect("in range")
                }),
            ]
            .prop_map(AttributeValue::N)
            .boxed(),
        }
    }

    fn arb_type() -> impl Strategy<Value = ScalarAttributeType> {
        prop_oneof![
            Just(ScalarAttributeType::S),
            Just(ScalarAttributeType::N),
            Just(ScalarAttributeType::B)
        ]
    }

    #[test]
    fn worked_examples() {
        assert_eq!(enc(&AttributeValue::S("a".into())), [0x61, 0x00, 0x01]);
        assert_eq!(
            enc(&AttributeValue::B(vec![0x00, 0xFF])),
            [0x00, 0xFF, 0xFF, 0x00, 0x01]
        );
        assert_eq!(enc(&n("0")), [0x02]);
        // 12.5: adjusted exponent 1 → 131 = 0x83; pairs 12, 50 → 0x0D, 0x33.
        assert_eq!(enc(&n("12.5")), [0x03, 0x83, 0x0D, 0x33, 0x00]);
        assert_eq!(enc(&n("-12.5")), [0x01, 0x7C, 0xF2, 0xCC, 0xFF]);
        assert_eq!(enc(&n("1e-130")), [0x03, 0x00, 0x0B, 0x00]);
        assert_eq!(enc(&n("-1e125")), [0x01, 0x00, 0xF4, 0xFF]);
    }

    #[test]
    fn only_scalar_types_are_keys() {
        let mut out = Vec::new();
        assert!(encode_key_value(&AttributeValue::Bool(true), &mut out).is_err());
        assert!(encode_key_value(&AttributeValue::Null, &mut out).is_err());
        assert_eq!(ScalarAttributeType::of(&AttributeValue::L(vec![])), None);
    }

    #[test]
    fn rejects_bad_bytes() {
        use ScalarAttributeType::*;
        for (ty, bytes) in [
            (S, &[0x61][..]),
            (S, &[0x61, 0x00]),
            (S, &[0x00, 0x02]),
            (S, &[0xC3, 0x00, 0x01]), // not UTF-8
            (B, &[]),
            (N, &[]),
            (N, &[0x04]),
            (N, &[0x03]),
            (N, &[0x03, 0x83]),
            (N, &[0x03, 0x83, 0x00]),             // no digits
            (N, &[0x03, 0x83, 0x65, 0x00]),       // pair byte 101
            (N, &[0x03, 0x83, 0x02, 0x00]),       // leading digit 0: "01"
            (N, &[0x03, 0x83, 0x0D, 0x01, 0x00]), // trailing pair "00"
            (N, &[0x01, 0x7C, 0xF2, 0xCC, 0x00]), // negative with positive terminator
        ] {
            assert!(decode_key_value(ty, bytes).is_err(), "{ty:?} {bytes:02x?}");
        }
        // 20 pairs = 40 digits.
        let mut long = vec![0x03, 0x83];
        long.extend(std::iter::repeat_n(0x0C, 20));
        long.push(0x00);
        assert!(decode_key_value(N, &long).is_err());
        assert!(decode_primary_key(S, None, &[1, 2, 3]).is_err());
        let mut key = encode_primary_key(&AttributeValue::S("a".into()), None).expect("ok");
        key[0] ^= 1;
        assert!(decode_primary_key(S, None, &key).is_err());
    }

    #[test]
    fn spec_vectors_decode() {
        use ScalarAttributeType::*;
        let s = decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/dynamo-key-string.hex"
        ));
        assert_eq!(
            decode_key_value(S, &s),
            Ok((AttributeValue::S("a\0b".into()), s.len()))
        );
        let b = decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/dynamo-key-binary.hex"
        ));
        assert_eq!(
            decode_key_value(B, &b),
            Ok((AttributeValue::B(vec![0x00, 0xFF, 0x01]), b.len()))
        );
        let pos = decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/dynamo-key-number.hex"
        ));
        assert_eq!(decode_key_value(N, &pos), Ok((n("1234.5"), pos.len())));
        let neg = decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/dynamo-key-number-negative.hex"
        ));
        assert_eq!(decode_key_value(N, &neg), Ok((n("-0.05"), neg.len())));
        let item = decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/dynamo-key-primary.hex"
        ));
        assert_eq!(
            decode_primary_key(S, Some(N), &item),
            Ok((AttributeValue::S("user#1".into()), Some(n("42"))))
        );
        assert_eq!(
            encode_primary_key(&AttributeValue::S("user#1".into()), Some(&n("42"))),
            Ok(item)
        );
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(v in arb_type().prop_flat_map(arb_key)) {
            let ty = ScalarAttributeType::of(&v).expect("key type");
            let e = enc(&v);
            prop_assert_eq!(decode_key_value(ty, &e), Ok((v, e.len())));
        }

        #[test]
        fn byte_order_is_dynamo_order(
            (a, b) in arb_type().prop_flat_map(|t| (arb_key(t), arb_key(t)))
        ) {
            prop_assert_eq!(enc(&a).cmp(&enc(&b)), dynamo_order(&a, &b));
        }

        #[test]
        fn composite_keys_order_by_pk_then_sk(
            (pk1, sk1, pk2, sk2) in (arb_type(), arb_type()).prop_flat_map(|(p, s)| {
                (arb_key(p), arb_key(s), arb_key(p), arb_key(s))
            })
        ) {
            let cat = |p: &AttributeValue, s: &AttributeValue| {
                let mut out = enc(p);
                out.extend(enc(s));
                out
            };
            let want = dynamo_order(&pk1, &pk2).then(dynamo_order(&sk1, &sk2));
            prop_assert_eq!(cat(&pk1, &sk1).cmp(&cat(&pk2, &sk2)), want);
            let full = encode_primary_key(&pk1, Some(&sk1)).expect("key types");
            let (pt, st) = (ScalarAttributeType::of(&pk1).expect("key"), ScalarAttributeType::of(&sk1).expect("key"));
            prop_assert_eq!(decode_primary_key(pt, Some(st), &full), Ok((pk1, Some(sk1))));
        }

        #[test]
        fn prefix_encoding_is_begins_with(
            a in proptest::collection::vec(prop_oneof![Just(0u8), Just(1u8), Just(0xFFu8), any::<u8>()], 0..6),
            b in proptest::collection::vec(prop_oneof![Just(0u8), Just(1u8), Just(0xFFu8), any::<u8>()], 0..6),
        ) {
            let mut p = Vec::new();
            encode_prefix(&a, &mut p);
            let mut full = Vec::new();
            encode_bytes(&b, &mut full);
            prop_assert_eq!(full.starts_with(&p), b.starts_with(&a));
        }

        #[test]
        fn decode_never_panics(ty in arb_type(), bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok((v, used)) = decode_key_value(ty, &bytes) {
                prop_assert_eq!(enc(&v), &bytes[..used]);
            }
            let _ = decode_primary_key(ty, Some(ty), &bytes);
            let _ = decode_primary_key(ty, None, &bytes);
        }
    }
}
