//! `AttributeValue`, DynamoDB's value type, and items; size accounting.
//!
//! Types (Developer Guide, `HowItWorks.NamingRulesDataTypes`): scalars S, N,
//! B, BOOL, NULL; documents L and M (nestable up to 32 levels); sets SS, NS,
//! BS (non-empty, no duplicates, order not preserved). Strings compare by
//! their UTF-8 bytes, binaries as unsigned bytes — which is exactly Rust's
//! `Ord` for `String` and `Vec<u8>`.
//!
//! Sets are `BTreeSet`s, so a value in memory cannot hold a duplicate; the
//! constructors [`AttributeValue::string_set`] etc. are how wire input (a
//! JSON array, which can repeat) becomes a set, and they reject duplicates
//! and empty sets with DynamoDB's messages. A `BTreeSet` can still be empty
//! if built directly; [`crate::dynamo::items::validate`] rejects that.

use std::collections::{BTreeMap, BTreeSet};

use crate::dynamo::error::DynamoError;
use crate::dynamo::items::base64;
use crate::dynamo::items::number::Number;

/// An item: attribute name → value.
///
/// A `BTreeMap` rather than a `HashMap`: iteration order is deterministic,
/// so an item encodes to the same bytes every time (stable checksums, equal
/// items compare equal as bytes, reproducible test vectors), and responses
/// list attributes in a stable order. Items are small (≤ 400 KB) so the
/// O(log n) lookups cost nothing that matters.
pub type Item = BTreeMap<String, AttributeValue>;

/// The prefix DynamoDB puts on most per-value validation messages.
pub(crate) const INVALID_PARAMETER: &str = "One or more parameter values were invalid: ";

/// One DynamoDB attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeValue {
    /// String (`S`): UTF-8. May be empty except in key attributes (older
    /// guide text forbids empty strings everywhere; DynamoDB has accepted
    /// them in non-key attributes since 2020 — from memory of the AWS
    /// announcement, not re-checked here).
    S(String),
    /// Number (`N`).
    N(Number),
    /// Binary (`B`): raw bytes (base64 only on the wire).
    B(Vec<u8>),
    /// Boolean (`BOOL`).
    Bool(bool),
    /// Null (`NULL`). DynamoDB only admits `{"NULL": true}`; see
    /// [`AttributeValue::null`].
    Null,
    /// Map (`M`): name → value.
    M(BTreeMap<String, AttributeValue>),
    /// List (`L`).
    L(Vec<AttributeValue>),
    /// String set (`SS`), ordered by UTF-8 bytes.
    Ss(BTreeSet<String>),
    /// Number set (`NS`), ordered numerically; `1` and `1.0` are one member.
    Ns(BTreeSet<Number>),
    /// Binary set (`BS`), ordered by unsigned bytes.
    Bs(BTreeSet<Vec<u8>>),
}

impl AttributeValue {
    /// DynamoDB's type descriptor: `"S"`, `"N"`, `"B"`, `"BOOL"`, `"NULL"`,
    /// `"M"`, `"L"`, `"SS"`, `"NS"`, `"BS"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Bool(_) => "BOOL",
            AttributeValue::Null => "NULL",
            AttributeValue::M(_) => "M",
            AttributeValue::L(_) => "L",
            AttributeValue::Ss(_) => "SS",
            AttributeValue::Ns(_) => "NS",
            AttributeValue::Bs(_) => "BS",
        }
    }

    /// `{"NULL": flag}` from the wire: only `true` is accepted.
    ///
    /// Message from dynalite's validation tests: "One or more parameter
    /// values were invalid: Null attribute value types must have the value
    /// of true".
    pub fn null(flag: bool) -> Result<AttributeValue, DynamoError> {
        if flag {
            Ok(AttributeValue::Null)
        } else {
            Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}Null attribute value types must have the value of true"
            )))
        }
    }

    /// A string set from wire input; rejects an empty or repeating input.
    ///
    /// Messages (dynalite's validation tests, recorded from DynamoDB; the
    /// double space is DynamoDB's): "…: An string set  may not be empty",
    /// "…: Input collection [a, a] contains duplicates." where `…` is "One
    /// or more parameter values were invalid".
    pub fn string_set(values: Vec<String>) -> Result<AttributeValue, DynamoError> {
        if values.is_empty() {
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}An string set  may not be empty"
            )));
        }
        let set: BTreeSet<String> = values.iter().cloned().collect();
        if set.len() != values.len() {
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}Input collection [{}] contains duplicates.",
                values.join(", ")
            )));
        }
        Ok(AttributeValue::Ss(set))
    }

    /// A number set from wire input (already parsed); rejects an empty or
    /// repeating input (numerically equal members repeat: `1`, `1.0`).
    ///
    /// Messages: "…: An number set  may not be empty" (dynalite, with
    /// DynamoDB's prefix) and, for duplicates, "Input collection contains
    /// duplicates" — dynalite expects exactly that text for `NS`, without
    /// the prefix or the list, unlike `SS`/`BS`. Not confirmed elsewhere.
    pub fn number_set(values: Vec<Number>) -> Result<AttributeValue, DynamoError> {
        if values.is_empty() {
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}An number set  may not be empty"
            )));
        }
        let set: BTreeSet<Number> = values.iter().copied().collect();
        if set.len() != values.len() {
            return Err(DynamoError::validation(
                "Input collection contains duplicates",
            ));
        }
        Ok(AttributeValue::Ns(set))
    }

    /// A binary set from wire input (already base64-decoded); rejects an
    /// empty or repeating input.
    ///
    /// Messages (dynalite): "…: Binary sets should not be empty" and
    /// "…: Input collection [Yg==, Yg==]of type BS contains duplicates."
    /// (members in base64; no space before "of" — DynamoDB's text).
    pub fn binary_set(values: Vec<Vec<u8>>) -> Result<AttributeValue, DynamoError> {
        if values.is_empty() {
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}Binary sets should not be empty"
            )));
        }
        let set: BTreeSet<Vec<u8>> = values.iter().cloned().collect();
        if set.len() != values.len() {
            let shown: Vec<String> = values.iter().map(|v| base64::encode(v)).collect();
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}Input collection [{}]of type BS contains duplicates.",
                shown.join(", ")
            )));
        }
        Ok(AttributeValue::Bs(set))
    }

    /// Size in bytes by DynamoDB's rules, excluding any attribute name.
    ///
    /// Developer Guide, "Item sizes and formats" (`CapacityUnitCalculations`):
    /// S = UTF-8 bytes; B = raw bytes; BOOL and NULL = 1; L and M = 3 bytes
    /// overhead + 1 byte per element + the elements (a map element also
    /// counts its name's UTF-8 bytes). The guide gives numbers only
    /// "approximately" (1 byte per two significant digits + 1); we use
    /// `number_size`. Sets are not covered by the guide; we count the sum
    /// of the members' sizes, as dynalite does.
    pub fn size(&self) -> usize {
        match self {
            AttributeValue::S(s) => s.len(),
            AttributeValue::N(n) => number_size(n),
            AttributeValue::B(b) => b.len(),
            AttributeValue::Bool(_) | AttributeValue::Null => 1,
            AttributeValue::M(m) => {
                3 + m.iter().map(|(k, v)| 1 + k.len() + v.size()).sum::<usize>()
            }
            AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + v.size()).sum::<usize>(),
            AttributeValue::Ss(s) => s.iter().map(String::len).sum(),
            AttributeValue::Ns(s) => s.iter().map(number_size).sum(),
            AttributeValue::Bs(s) => s.iter().map(Vec::len).sum(),
        }
    }
}

/// Stored size of a number in bytes.
///
/// DynamoDB stores a number as base-100 digit pairs aligned on even powers of
/// ten, plus a byte of sign/exponent, plus a terminator byte for negatives.
/// This is dynalite's formula (`db/index.js`, `valSize`), whose item-size
/// limit tests ("item is too big with medium number attribute", …) were
/// fitted to the real service: with `n` significant digits and leading
/// exponent `e`, `1 + ceil(n/2) + [n even and e even] + [negative]`; zero
/// is 1.
pub fn number_size(n: &Number) -> usize {
    if n.is_zero() {
        return 1;
    }
    let digits = n.digits() as usize;
    let extra_pair = digits.is_multiple_of(2) && n.adjusted_exponent().rem_euclid(2) == 0;
    1 + digits.div_ceil(2) + usize::from(extra_pair) + usize::from(n.is_negative())
}

/// Size of an item by DynamoDB's rules: for each attribute, the UTF-8 bytes
/// of its name plus [`AttributeValue::size`] of its value.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + v.size()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::testutil::number;

    #[test]
    fn type_names() {
        let cases = [
            (AttributeValue::S("x".into()), "S"),
            (AttributeValue::N(number("1")), "N"),
            (AttributeValue::B(vec![1]), "B"),
            (AttributeValue::Bool(true), "BOOL"),
            (AttributeValue::Null, "NULL"),
            (AttributeValue::M(BTreeMap::new()), "M"),
            (AttributeValue::L(vec![]), "L"),
            (AttributeValue::Ss(BTreeSet::new()), "SS"),
            (AttributeValue::Ns(BTreeSet::new()), "NS"),
            (AttributeValue::Bs(BTreeSet::new()), "BS"),
        ];
        for (v, name) in cases {
            assert_eq!(v.type_name(), name);
        }
    }

    #[test]
    fn set_constructors_reject_empty_and_duplicates() {
        let msg = |r: Result<AttributeValue, DynamoError>| r.map_err(|e| e.to_string());
        assert_eq!(
            msg(AttributeValue::string_set(vec![])),
            Err("ValidationException: One or more parameter values were invalid: An string set  may not be empty".into())
        );
        assert_eq!(
            msg(AttributeValue::string_set(vec!["a".into(), "a".into()])),
            Err("ValidationException: One or more parameter values were invalid: Input collection [a, a] contains duplicates.".into())
        );
        assert_eq!(
            msg(AttributeValue::number_set(vec![])),
            Err("ValidationException: One or more parameter values were invalid: An number set  may not be empty".into())
        );
        assert_eq!(
            msg(AttributeValue::number_set(vec![number("1"), number("1.0")])),
            Err("ValidationException: Input collection contains duplicates".into())
        );
        assert_eq!(
            msg(AttributeValue::binary_set(vec![])),
            Err("ValidationException: One or more parameter values were invalid: Binary sets should not be empty".into())
        );
        assert_eq!(
            msg(AttributeValue::binary_set(vec![b"b".to_vec(), b"b".to_vec()])),
            Err("ValidationException: One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates.".into())
        );
        assert_eq!(
            msg(AttributeValue::null(false)),
            Err("ValidationException: One or more parameter values were invalid: Null attribute value types must have the value of true".into())
        );
        let ss = AttributeValue::string_set(vec!["b".into(), "a".into()]).expect("valid");
        assert_eq!(
            ss,
            AttributeValue::Ss(["a".to_string(), "b".to_string()].into())
        );
    }

    #[test]
    fn sizes_follow_the_guide() {
        assert_eq!(AttributeValue::S("héllo".into()).size(), 6);
        assert_eq!(AttributeValue::B(vec![0; 10]).size(), 10);
        assert_eq!(AttributeValue::Bool(false).size(), 1);
        assert_eq!(AttributeValue::Null.size(), 1);
        assert_eq!(AttributeValue::M(BTreeMap::new()).size(), 3);
        assert_eq!(AttributeValue::L(vec![]).size(), 3);
        // 3 + (1 + "ab" + S"xyz") + (1 + "c" + BOOL)
        let m = AttributeValue::M(
            [
                ("ab".to_string(), AttributeValue::S("xyz".into())),
                ("c".to_string(), AttributeValue::Bool(true)),
            ]
            .into(),
        );
        assert_eq!(m.size(), 3 + (1 + 2 + 3) + (1 + 1 + 1));
        let l = AttributeValue::L(vec![AttributeValue::Null, m.clone()]);
        assert_eq!(l.size(), 3 + (1 + 1) + (1 + m.size()));
        let item: Item = [
            ("id".to_string(), AttributeValue::S("k1".into())),
            ("doc".to_string(), l.clone()),
        ]
        .into();
        assert_eq!(item_size(&item), 2 + 2 + 3 + l.size());
        let ss = AttributeValue::string_set(vec!["ab".into(), "c".into()]).expect("valid");
        assert_eq!(ss.size(), 3);
        // The guide's example (`Limits`, "Item Size"): 23 bytes.
        let shirt: Item = [
            ("shirt-color".to_string(), AttributeValue::S("R".into())),
            ("shirt-size".to_string(), AttributeValue::S("M".into())),
        ]
        .into();
        assert_eq!(item_size(&shirt), 23);
    }

    #[test]
    fn number_sizes_match_dynalite() {
        // (number, size) from dynalite's formula and its item-size tests:
        // "1" + 125 zeros is 2 bytes, "11" + 124 zeros 2, "11111" + 121
        // zeros 4, "111111" + 120 zeros 4, "1111111" + 119 zeros 5.
        for (s, size) in [
            ("0", 1),
            ("1", 2),
            ("-1", 3),
            ("12", 2),
            ("1.2", 3),
            ("123", 3),
            ("1e125", 2),
            ("11e124", 2),
            ("11111e121", 4),
            ("111111e120", 4),
            ("1111111e119", 5),
            ("12345678901234567890123456789012345678", 20),
        ] {
            assert_eq!(number_size(&number(s)), size, "{s}");
        }
        assert_eq!(
            AttributeValue::Ns([number("1"), number("-1")].into()).size(),
            2 + 3
        );
    }
}
