//! Item codec tests: spec vectors, worked rejections, round-trip and
//! corruption properties over arbitrary nested values.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;
use crate::dynamo::items::number::tests::arb_number;
use crate::dynamo::testutil::{number, s};
use crate::testutil::decode_hex_vector;

fn item<const K: usize>(attrs: [(&str, AttributeValue); K]) -> Item {
    attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn err(offset: usize, reason: &'static str) -> Result<Item, ItemCodecError> {
    Err(ItemCodecError { offset, reason })
}

/// Strings that share prefixes and hit 1-, 2- and 4-byte UTF-8.
fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(
            prop_oneof![Just('a'), Just('b'), Just('\0'), Just('é')],
            0..4
        )
        .prop_map(|c| c.into_iter().collect()),
        any::<String>(),
    ]
}

fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(prop_oneof![Just(0u8), Just(1), Just(0xFF)], 0..4),
        proptest::collection::vec(any::<u8>(), 0..200),
    ]
}

/// Any valid attribute value: every type, sets non-empty, lists and maps
/// nested a few levels.
pub(crate) fn arb_value() -> impl Strategy<Value = AttributeValue> {
    let leaf = prop_oneof![
        arb_string().prop_map(AttributeValue::S),
        arb_number().prop_map(AttributeValue::N),
        arb_bytes().prop_map(AttributeValue::B),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null),
        proptest::collection::btree_set(arb_string(), 1..5).prop_map(AttributeValue::Ss),
        proptest::collection::btree_set(arb_number(), 1..5).prop_map(AttributeValue::Ns),
        proptest::collection::btree_set(arb_bytes(), 1..5).prop_map(AttributeValue::Bs),
    ];
    leaf.prop_recursive(5, 64, 5, |inner| {
        prop_oneof![
            proptest::collection::btree_map(arb_string(), inner.clone(), 0..5)
                .prop_map(AttributeValue::M),
            proptest::collection::vec(inner, 0..5).prop_map(AttributeValue::L),
        ]
    })
}

/// Any item whose values are [`arb_value`]s.
pub(crate) fn arb_item() -> impl Strategy<Value = Item> {
    proptest::collection::btree_map(arb_string(), arb_value(), 0..6)
}

/// `levels` lists and maps nested around a string.
fn nested(levels: usize) -> AttributeValue {
    let mut v = s("leaf");
    for i in 0..levels {
        v = if i % 2 == 0 {
            AttributeValue::L(vec![v])
        } else {
            AttributeValue::M([("k".to_string(), v)].into())
        };
    }
    v
}

#[test]
fn spec_vectors_decode_and_encode() {
    let flat = item([
        ("b", AttributeValue::B(vec![0x00, 0xFF])),
        ("id", s("u1")),
        ("n", AttributeValue::N(number("-1234.5"))),
        ("nil", AttributeValue::Null),
        ("no", AttributeValue::Bool(false)),
        ("yes", AttributeValue::Bool(true)),
    ]);
    let nested = item([
        (
            "doc",
            AttributeValue::M(
                [
                    (
                        "list".to_string(),
                        AttributeValue::L(vec![
                            AttributeValue::N(Number::ZERO),
                            AttributeValue::N(number("0.001")),
                            AttributeValue::M(BTreeMap::new()),
                        ]),
                    ),
                    ("tags".to_string(), AttributeValue::L(vec![])),
                ]
                .into(),
            ),
        ),
        ("pk", s("a")),
    ]);
    let sets = item([
        (
            "bs",
            AttributeValue::Bs([vec![0x00], vec![0x01, 0x02]].into()),
        ),
        (
            "ns",
            AttributeValue::Ns([number("-1.5"), Number::ZERO, number("10")].into()),
        ),
        (
            "ss",
            AttributeValue::Ss(["a".to_string(), "b".to_string()].into()),
        ),
    ]);
    for (text, want) in [
        (
            include_str!("../../../../format-spec/vectors/item-flat.hex"),
            flat,
        ),
        (
            include_str!("../../../../format-spec/vectors/item-nested.hex"),
            nested,
        ),
        (
            include_str!("../../../../format-spec/vectors/item-sets.hex"),
            sets,
        ),
    ] {
        let bytes = decode_hex_vector(text);
        assert_eq!(decode_item(&bytes), Ok(want.clone()));
        assert_eq!(encode_item_to_vec(&want), bytes);
    }
}

#[test]
fn worked_examples() {
    let enc = |v: AttributeValue| {
        let mut out = Vec::new();
        encode_value(&v, &mut out);
        out
    };
    assert_eq!(enc(s("hi")), [0x01, 0x02, b'h', b'i']);
    assert_eq!(enc(AttributeValue::N(Number::ZERO)), [0x02, 0x00]);
    // 1: one coefficient byte, adjusted exponent 0 → 130.
    assert_eq!(
        enc(AttributeValue::N(number("1"))),
        [0x02, 0x01, 0x82, 0x01]
    );
    // -300: coefficient 3, adjusted exponent 2.
    assert_eq!(
        enc(AttributeValue::N(number("-300"))),
        [0x02, 0x81, 0x84, 0x03]
    );
    // Largest: 38 nines × 10^88 — 16 coefficient bytes, exponent byte FF.
    let max = number("9.9999999999999999999999999999999999999E+125");
    let mut want = vec![0x02, 0x10, 0xFF];
    want.extend_from_slice(&(10u128.pow(38) - 1).to_le_bytes());
    assert_eq!(enc(AttributeValue::N(max)), want);
    assert_eq!(
        enc(AttributeValue::N(number("-1e-130"))),
        [0x02, 0x81, 0x00, 0x01]
    );
    assert_eq!(enc(AttributeValue::B(vec![])), [0x03, 0x00]);
    assert_eq!(enc(AttributeValue::Bool(false)), [0x04]);
    assert_eq!(enc(AttributeValue::Bool(true)), [0x05]);
    assert_eq!(enc(AttributeValue::Null), [0x06]);
    assert_eq!(enc(AttributeValue::M(BTreeMap::new())), [0x07, 0x00]);
    assert_eq!(enc(AttributeValue::L(vec![])), [0x08, 0x00]);
    assert_eq!(encode_item_to_vec(&Item::new()), [0x01, 0x00]);
    assert_eq!(decode_item(&[0x01, 0x00]), Ok(Item::new()));
    // A 200-byte string: two-byte length varint C8 01.
    let long = enc(s(&"x".repeat(200)));
    assert_eq!(long[..3], [0x01, 0xC8, 0x01]);
    assert_eq!(decode_value(&long), Ok((s(&"x".repeat(200)), long.len())));
}

#[test]
fn rejects_what_the_encoder_never_writes() {
    // Each case: bytes, offset, reason. `01 01 01 61` starts an item with
    // one attribute named "a".
    let cases: &[(&[u8], usize, &str)] = &[
        (&[], 0, "truncated"),
        (&[0x00, 0x00], 0, "unknown item format version"),
        (&[0x02, 0x00], 0, "unknown item format version"),
        (&[0x01], 1, "truncated"),
        (&[0x01, 0x00, 0x00], 2, "bytes after the end of the item"),
        (&[0x01, 0x80, 0x00], 1, "varint is not minimal"),
        (
            &[0x01, 0x05, 0x01, 0x61, 0x06],
            1,
            "truncated: count exceeds the bytes left",
        ),
        (&[0x01, 0x01, 0x01, 0x61], 4, "truncated"),
        (&[0x01, 0x01, 0x01, 0x61, 0x00], 4, "unknown value tag"),
        (&[0x01, 0x01, 0x01, 0x61, 0x0C], 4, "unknown value tag"),
        (&[0x01, 0x01, 0x01, 0xFF, 0x06], 2, "string is not UTF-8"),
        (
            &[0x01, 0x01, 0x01, 0x61, 0x01, 0x01, 0xC3],
            5,
            "string is not UTF-8",
        ),
        (&[0x01, 0x01, 0x01, 0x61, 0x01, 0x02, 0x61], 6, "truncated"),
        // NULL has no payload: a byte after it is not part of it.
        (
            &[0x01, 0x01, 0x01, 0x61, 0x06, 0x01],
            5,
            "bytes after the end of the item",
        ),
        // Names: repeated, then out of order ("b" before "a").
        (
            &[0x01, 0x02, 0x01, 0x61, 0x06, 0x01, 0x61, 0x06],
            5,
            "names out of order or repeated",
        ),
        (
            &[0x01, 0x02, 0x01, 0x62, 0x06, 0x01, 0x61, 0x06],
            5,
            "names out of order or repeated",
        ),
        // Map keys inside M.
        (
            &[0x01, 0x01, 0x01, 0x61, 0x07, 0x02, 0x00, 0x06, 0x00, 0x06],
            8,
            "names out of order or repeated",
        ),
        // Empty sets.
        (&[0x01, 0x01, 0x01, 0x61, 0x09, 0x00], 5, "empty set"),
        (&[0x01, 0x01, 0x01, 0x61, 0x0A, 0x00], 5, "empty set"),
        (&[0x01, 0x01, 0x01, 0x61, 0x0B, 0x00], 5, "empty set"),
        // Set members repeated / out of order: SS {"b", "a"}, BS {00, 00},
        // NS {1, 0} (numeric order, not byte order).
        (
            &[0x01, 0x01, 0x01, 0x61, 0x09, 0x02, 0x01, 0x62, 0x01, 0x61],
            8,
            "set members out of order or repeated",
        ),
        (
            &[0x01, 0x01, 0x01, 0x61, 0x0B, 0x02, 0x01, 0x00, 0x01, 0x00],
            8,
            "set members out of order or repeated",
        ),
        (
            &[0x01, 0x01, 0x01, 0x61, 0x0A, 0x02, 0x01, 0x82, 0x01, 0x00],
            9,
            "set members out of order or repeated",
        ),
        // Numbers: bad headers (negative zero, length 0, 17, stray bits).
        (
            &[0x01, 0x01, 0x01, 0x61, 0x02, 0x80],
            5,
            "bad number header",
        ),
        (
            &[0x01, 0x01, 0x01, 0x61, 0x02, 0x11, 0x82],
            5,
            "bad number header",
        ),
        (
            &[0x01, 0x01, 0x01, 0x61, 0x02, 0x21, 0x82, 0x01],
            5,
            "bad number header",
        ),
        (
            &[0x01, 0x01, 0x01, 0x61, 0x02, 0x41, 0x82, 0x01],
            5,
            "bad number header",
        ),
        (&[0x01, 0x01, 0x01, 0x61, 0x02, 0x01], 6, "truncated"),
        (
            &[0x01, 0x01, 0x01, 0x61, 0x02, 0x02, 0x82, 0x01],
            7,
            "truncated",
        ),
        // Coefficient 1 in two bytes; coefficient 10 (a trailing zero digit).
        (
            &[0x01, 0x01, 0x01, 0x61, 0x02, 0x02, 0x82, 0x01, 0x00],
            7,
            "number coefficient is not minimal",
        ),
        (
            &[0x01, 0x01, 0x01, 0x61, 0x02, 0x01, 0x82, 0x0A],
            7,
            "number coefficient ends in a zero digit",
        ),
    ];
    for &(bytes, offset, reason) in cases {
        assert_eq!(decode_item(bytes), err(offset, reason), "{bytes:02x?}");
    }
    // 10^38 + 1: 39 digits.
    let mut big = vec![0x01, 0x01, 0x01, 0x61, 0x02, 0x10, 0x82];
    big.extend_from_slice(&(10u128.pow(38) + 1).to_le_bytes());
    assert_eq!(decode_item(&big), err(7, "number has more than 38 digits"));
    // 38 digits with the leading one at 10^125 fits; 10^126 cannot be
    // written (the exponent byte tops out at 125), so the only range error
    // left is a coefficient too long: covered above.
    let mut edge = vec![0x01, 0x01, 0x01, 0x61, 0x02, 0x10, 0xFF];
    edge.extend_from_slice(&(10u128.pow(38) - 1).to_le_bytes());
    assert!(decode_item(&edge).is_ok());
    // A varint wider than 32 bits.
    assert_eq!(
        decode_item(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
        err(1, "bad varint")
    );
}

#[test]
fn nesting_is_limited_to_32_levels() {
    for levels in [31, 32] {
        let it: Item = [("a".to_string(), nested(levels))].into();
        assert_eq!(decode_item(&encode_item_to_vec(&it)), Ok(it));
    }
    // The encoder writes 33 levels if asked; the decoder refuses them. The
    // 33rd container sits after version, count, name (3 bytes), and 32
    // containers; offsets depend on the alternation in `nested`.
    let it: Item = [("a".to_string(), nested(33))].into();
    let bytes = encode_item_to_vec(&it);
    let e = decode_item(&bytes).expect_err("33 levels");
    assert_eq!(e.reason, "lists and maps nested deeper than 32 levels");
    assert_eq!(bytes[e.offset], TAG_L);
    let mut v = Vec::new();
    encode_value(&nested(33), &mut v);
    assert_eq!(decode_value(&v).map_err(|e| e.offset), Err(e.offset - 4));
    // A deeply nested attack input fails without deep recursion.
    let mut deep = vec![0x01, 0x01, 0x01, 0x61];
    for _ in 0..100_000 {
        deep.extend_from_slice(&[TAG_L, 0x01]);
    }
    deep.push(TAG_NULL);
    assert_eq!(
        decode_item(&deep),
        err(4 + 2 * 32, "lists and maps nested deeper than 32 levels")
    );
}

#[test]
fn huge_counts_do_not_allocate() {
    // L claiming 2^32 - 1 elements, with four bytes behind it.
    let bytes = [
        0x01, 0x01, 0x01, 0x61, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x06, 0x06, 0x06, 0x06,
    ];
    assert_eq!(
        decode_item(&bytes),
        err(5, "truncated: count exceeds the bytes left")
    );
    // A string claiming 2^32 - 1 bytes.
    let bytes = [0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x61];
    assert_eq!(decode_item(&bytes), err(7, "truncated"));
}

#[test]
fn decode_value_reports_length_and_leaves_the_rest() {
    let v = AttributeValue::L(vec![s("x"), AttributeValue::Ns([number("2")].into())]);
    let mut bytes = Vec::new();
    encode_value(&v, &mut bytes);
    let len = bytes.len();
    bytes.extend_from_slice(&[0xAA, 0xBB]);
    assert_eq!(decode_value(&bytes), Ok((v, len)));
    assert_eq!(
        decode_value(&[0x01]),
        Err(ItemCodecError {
            offset: 1,
            reason: "truncated"
        })
    );
    assert_eq!(
        ItemCodecError {
            offset: 3,
            reason: "truncated"
        }
        .to_string(),
        "bad item encoding at byte 3: truncated"
    );
}

proptest! {
    #[test]
    fn round_trip(it in arb_item()) {
        let bytes = encode_item_to_vec(&it);
        prop_assert_eq!(decode_item(&bytes), Ok(it.clone()));
        let mut appended = vec![0xEE];
        encode_item(&it, &mut appended);
        prop_assert_eq!(&appended[1..], &bytes[..]);
    }

    #[test]
    fn value_round_trip(v in arb_value()) {
        let mut bytes = Vec::new();
        encode_value(&v, &mut bytes);
        prop_assert_eq!(decode_value(&bytes), Ok((v, bytes.len())));
    }

    #[test]
    fn every_proper_prefix_fails(it in arb_item()) {
        let bytes = encode_item_to_vec(&it);
        for end in 0..bytes.len() {
            prop_assert!(decode_item(&bytes[..end]).is_err(), "prefix of {} bytes decoded", end);
        }
    }

    #[test]
    fn value_prefixes_fail(v in arb_value()) {
        let mut bytes = Vec::new();
        encode_value(&v, &mut bytes);
        for end in 0..bytes.len() {
            prop_assert!(decode_value(&bytes[..end]).is_err(), "prefix of {} bytes decoded", end);
        }
    }

    /// Flipped bytes never panic, and anything that still decodes is
    /// canonical: it re-encodes to exactly the corrupted bytes.
    #[test]
    fn byte_flips_never_panic(
        it in arb_item(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
    ) {
        let mut bytes = encode_item_to_vec(&it);
        for (at, mask) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= mask;
        }
        if let Ok(decoded) = decode_item(&bytes) {
            prop_assert_eq!(encode_item_to_vec(&decoded), bytes);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(decoded) = decode_item(&bytes) {
            prop_assert_eq!(encode_item_to_vec(&decoded), bytes.clone());
        }
        if let Ok((v, used)) = decode_value(&bytes) {
            let mut again = Vec::new();
            encode_value(&v, &mut again);
            prop_assert_eq!(&again[..], &bytes[..used]);
        }
    }

    /// Equal sets encode equally however they were built, and set members
    /// come out in their type's order (numeric for NS).
    #[test]
    fn number_sets_are_numeric_order(mut xs in proptest::collection::vec(arb_number(), 1..8)) {
        let set: BTreeSet<Number> = xs.iter().copied().collect();
        xs.reverse();
        let again: BTreeSet<Number> = xs.into_iter().collect();
        let (a, b) = (AttributeValue::Ns(set), AttributeValue::Ns(again));
        let (mut ea, mut eb) = (Vec::new(), Vec::new());
        encode_value(&a, &mut ea);
        encode_value(&b, &mut eb);
        prop_assert_eq!(&ea, &eb);
        prop_assert_eq!(decode_value(&ea), Ok((a, ea.len())));
    }
}
