//! `AttributeValue` and items ↔ DynamoDB JSON (`{"S": "x"}`, `{"N": "1"}`, ...).
//!
//! Reading follows DynamoDB's passes (see [`super::decode`]): a member of the
//! wrong JSON type is a `SerializationException` at once; the value rules —
//! exactly one type, numbers DynamoDB can hold, non-empty sets without
//! duplicates, `NULL` only `true` — are deferred `ValidationException`s with
//! DynamoDB's messages. "Supplied AttributeValue is empty, must contain
//! exactly one of the supported datatypes" and "Supplied AttributeValue has
//! more than one datatypes set, must contain exactly one of the supported
//! datatypes" are DynamoDB's wording (dynalite's `validateAttributeValue`
//! and its tests, recorded from the service). Numbers, sets and `NULL` use
//! the library's own constructors, which carry DynamoDB's messages.
//!
//! Writing: numbers as strings in canonical form, binaries in padded
//! standard base64, sets as arrays in the library's order.

use std::collections::{BTreeMap, HashMap};
use std::mem::size_of;

use base64::display::Base64Display;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use siltdb::dynamo::{AttributeValue, DynamoError, Item, Number};

use super::decode::{
    expect_blob, expect_bool, expect_list, expect_map, expect_string, expect_struct, DResult,
    Decoder, Position,
};
use super::tree::{alloc_cost, Json, Object};

/// Bytes a `BTreeMap<String, AttributeValue>` (an item or an `M` value) of
/// `n` entries takes at most: a node per 5 entries (nodes hold 11 and are
/// at least half full), each 11 keys, 11 values and 12 child pointers.
/// `M` values are the costliest part of a decoded request — a map of one
/// entry takes a whole node, about 900 bytes — so they are charged.
pub(crate) fn map_cost(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let node = 11 * (size_of::<String>() + size_of::<AttributeValue>()) + 12 * 8 + 16;
    (n / 5 + 1).saturating_mul(alloc_cost(node))
}

/// Bytes a set of `n` members takes beyond the members' own bytes (its
/// nodes, as [`map_cost`] counts them, for 11 keys of at most 32 bytes).
fn set_cost(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    (n / 5 + 1).saturating_mul(alloc_cost(11 * 32 + 12 * 8 + 16))
}

/// The type keys an `AttributeValue` object may carry, in DynamoDB's order.
const TYPE_KEYS: [&str; 10] = ["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"];

/// Reads one `AttributeValue` object at `pos`.
///
/// A value-rule failure is deferred on `d` and read as `NULL`; the request
/// then fails in [`Decoder::finish`], so the stand-in is never used.
pub(crate) fn attribute_value(d: &mut Decoder, v: &Json, pos: Position) -> DResult<AttributeValue> {
    let map = expect_struct(v, pos, "AttributeValue")?;
    // Pass 1 first: every present member is type-checked before any value
    // rule is applied, as DynamoDB deserializes the whole value first. So a
    // type error in any member is answered before a value rule's.
    let mut present = 0;
    let mut value = None;
    let mut first_error = None;
    for key in TYPE_KEYS {
        let Some(member) = map.get(key).filter(|m| !m.is_null()) else {
            continue;
        };
        present += 1;
        match read_typed(d, key, member)? {
            Ok(v) => {
                if value.is_none() {
                    value = Some(v);
                }
            }
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    if present == 0 {
        d.defer(DynamoError::validation(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ));
        return Ok(AttributeValue::Null);
    }
    if let Some(e) = first_error {
        d.defer(e);
        return Ok(AttributeValue::Null);
    }
    if present > 1 {
        d.defer(DynamoError::validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ));
        return Ok(AttributeValue::Null);
    }
    Ok(value.unwrap_or(AttributeValue::Null))
}

/// Reads the member `key` of an `AttributeValue`: the outer `Result` is pass
/// 1 (JSON types), the inner one the value rules.
fn read_typed(
    d: &mut Decoder,
    key: &str,
    member: &Json,
) -> DResult<Result<AttributeValue, DynamoError>> {
    Ok(match key {
        "S" => {
            let s = expect_string(member)?;
            d.charge(alloc_cost(s.len()))?;
            Ok(AttributeValue::S(s.to_string()))
        }
        "N" => Number::parse(expect_string(member)?)
            .map(AttributeValue::N)
            .map_err(DynamoError::from),
        "B" => {
            let b = expect_blob(member)?;
            d.charge(alloc_cost(b.len()))?;
            Ok(AttributeValue::B(b))
        }
        "BOOL" => Ok(AttributeValue::Bool(expect_bool(member)?)),
        "NULL" => AttributeValue::null(expect_bool(member)?),
        "SS" => {
            let list = expect_list(member, Position::Field)?;
            d.charge(set_cost(list.len()))?;
            let mut out = Vec::new();
            for e in non_null(list) {
                let s = expect_string(e)?;
                d.charge(alloc_cost(s.len()))?;
                out.push(s.to_string());
            }
            AttributeValue::string_set(out)
        }
        "NS" => {
            let list = expect_list(member, Position::Field)?;
            d.charge(set_cost(list.len()))?;
            let mut texts = Vec::new();
            for e in non_null(list) {
                texts.push(expect_string(e)?);
            }
            let mut numbers = Vec::with_capacity(texts.len());
            let mut bad = None;
            for t in texts {
                match Number::parse(t) {
                    Ok(n) => numbers.push(n),
                    Err(e) => {
                        bad = Some(DynamoError::from(e));
                        break;
                    }
                }
            }
            match bad {
                Some(e) => Err(e),
                None => AttributeValue::number_set(numbers),
            }
        }
        "BS" => {
            let list = expect_list(member, Position::Field)?;
            d.charge(set_cost(list.len()))?;
            let mut out = Vec::new();
            for e in non_null(list) {
                let b = expect_blob(e)?;
                d.charge(alloc_cost(b.len()))?;
                out.push(b);
            }
            AttributeValue::binary_set(out)
        }
        "L" => {
            let list = expect_list(member, Position::Field)?;
            d.charge(alloc_cost(
                list.len().saturating_mul(size_of::<AttributeValue>()),
            ))?;
            let mut out = Vec::with_capacity(list.len());
            for e in non_null(list) {
                out.push(attribute_value(d, e, Position::Element)?);
            }
            Ok(AttributeValue::L(out))
        }
        "M" => {
            let map = expect_map(member, Position::Field, "AttributeValue")?;
            Ok(AttributeValue::M(attribute_map(d, map)?))
        }
        // TYPE_KEYS lists exactly the keys matched above.
        _ => Err(DynamoError::InternalServerError(format!(
            "unhandled attribute type {key}"
        ))),
    })
}

fn non_null<'a>(list: &'a [Json<'a>]) -> impl Iterator<Item = &'a Json<'a>> {
    list.iter().filter(|e| !e.is_null())
}

/// Reads the entries of an `M` value or an item, charging their memory.
fn attribute_map(d: &mut Decoder, map: &Object) -> DResult<BTreeMap<String, AttributeValue>> {
    d.charge(map_cost(map.len()))?;
    let mut out = BTreeMap::new();
    for (k, e) in map.iter().filter(|(_, e)| !e.is_null()) {
        d.charge(alloc_cost(k.len()))?;
        out.insert(k.to_string(), attribute_value(d, e, Position::Element)?);
    }
    Ok(out)
}

/// Reads a map of attribute values (an item, a key, `ExclusiveStartKey`).
pub(crate) fn item(d: &mut Decoder, v: &Json, pos: Position) -> DResult<Item> {
    let map = expect_map(v, pos, "AttributeValue")?;
    attribute_map(d, map)
}

/// Reads `ExpressionAttributeValues`.
pub(crate) fn attribute_values(
    d: &mut Decoder,
    v: &Json,
) -> DResult<HashMap<String, AttributeValue>> {
    let map = expect_map(v, Position::Field, "AttributeValue")?;
    // A hash table of at most twice as many slots as entries.
    let slot = size_of::<String>() + size_of::<AttributeValue>() + 1;
    d.charge(alloc_cost(map.len().saturating_mul(2 * slot)))?;
    let mut out = HashMap::with_capacity(map.len());
    for (k, e) in map.iter().filter(|(_, e)| !e.is_null()) {
        d.charge(alloc_cost(k.len()))?;
        out.insert(k.to_string(), attribute_value(d, e, Position::Element)?);
    }
    Ok(out)
}

/// Reads `ExpressionAttributeNames`.
pub(crate) fn attribute_names(v: &Json) -> DResult<HashMap<String, String>> {
    let map = expect_map(v, Position::Field, "java.lang.String")?;
    let mut out = HashMap::with_capacity(map.len());
    for (k, e) in map.iter().filter(|(_, e)| !e.is_null()) {
        out.insert(k.to_string(), expect_string(e)?.to_string());
    }
    Ok(out)
}

/// One attribute value as DynamoDB JSON, written straight to a serializer
/// (no intermediate tree): `{"S": "x"}`, `{"N": "1"}`, ... This is the one
/// writer of attribute values; [`item_json`] builds `Value`s through it.
pub(crate) struct AttributeValueJson<'a>(pub(crate) &'a AttributeValue);

impl Serialize for AttributeValueJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        match self.0 {
            AttributeValue::S(v) => m.serialize_entry("S", v)?,
            AttributeValue::N(n) => m.serialize_entry("N", &Display(n))?,
            AttributeValue::B(b) => m.serialize_entry("B", &Base64Json(b))?,
            AttributeValue::Bool(b) => m.serialize_entry("BOOL", b)?,
            AttributeValue::Null => m.serialize_entry("NULL", &true)?,
            AttributeValue::M(v) => m.serialize_entry("M", &ItemJson(v))?,
            AttributeValue::L(l) => {
                m.serialize_entry("L", &Seq(l.iter().map(AttributeValueJson)))?
            }
            AttributeValue::Ss(v) => m.serialize_entry("SS", v)?,
            AttributeValue::Ns(v) => m.serialize_entry("NS", &Seq(v.iter().map(Display)))?,
            AttributeValue::Bs(v) => {
                m.serialize_entry("BS", &Seq(v.iter().map(|b| Base64Json(b))))?;
            }
        }
        m.end()
    }
}

/// An item (or key, or `M` value) as DynamoDB JSON, written straight to a
/// serializer: its names in order, each with its [`AttributeValueJson`].
pub(crate) struct ItemJson<'a>(pub(crate) &'a BTreeMap<String, AttributeValue>);

impl Serialize for ItemJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, AttributeValueJson(v))))
    }
}

/// Items as a JSON array of [`ItemJson`].
pub(crate) fn items_json(items: &[Item]) -> impl Serialize + '_ {
    Seq(items.iter().map(ItemJson))
}

/// A value written as a JSON string through its `Display` (numbers in
/// canonical form).
struct Display<'a, T>(&'a T);

impl<T: std::fmt::Display> Serialize for Display<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

/// Bytes as a JSON string in padded standard base64.
struct Base64Json<'a>(&'a [u8]);

impl Serialize for Base64Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Base64Display::new(
            self.0,
            &base64::engine::general_purpose::STANDARD,
        ))
    }
}

/// The elements an iterator yields, as a JSON array (the iterator is
/// cloned: `serialize` takes `&self`).
pub(crate) struct Seq<I>(pub(crate) I);

impl<I> Serialize for Seq<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

/// `v` as a [`Value`]; what cannot be written (nothing these writers
/// produce) becomes `null`.
pub(crate) fn to_value(v: impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// An item (or key) as a DynamoDB JSON [`Value`].
pub(crate) fn item_json(item: &Item) -> Value {
    to_value(ItemJson(item))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json_tree;
    use serde_json::json;

    fn read(v: Value) -> Result<AttributeValue, DynamoError> {
        let mut d = Decoder::new();
        let av = attribute_value(&mut d, &Json::from(&v), Position::Element)?;
        d.finish(av)
    }

    fn message(v: Value) -> String {
        match read(v) {
            Err(e) => e.message().to_string(),
            Ok(av) => panic!("expected an error, read {av:?}"),
        }
    }

    #[test]
    fn every_type_round_trips() {
        for v in [
            json!({"S": "héllo"}),
            json!({"S": ""}),
            json!({"N": "-12.5"}),
            json!({"N": "100000000000000000000000000000000000000000"}),
            json!({"B": "AAEC/w=="}),
            json!({"B": ""}),
            json!({"BOOL": false}),
            json!({"NULL": true}),
            json!({"SS": ["a", "b"]}),
            json!({"NS": ["-1", "2", "10"]}),
            json!({"BS": ["AA==", "AQ=="]}),
            json!({"L": [{"S": "x"}, {"L": []}, {"M": {"k": {"N": "1"}}}]}),
            json!({"M": {"a": {"BOOL": true}, "b": {"SS": ["z"]}}}),
        ] {
            let av = read(v.clone()).expect("valid");
            assert_eq!(to_value(AttributeValueJson(&av)), v);
        }
    }

    #[test]
    fn numbers_are_written_canonically() {
        let av = read(json!({"N": "1e3"})).expect("valid");
        assert_eq!(to_value(AttributeValueJson(&av)), json!({"N": "1000"}));
        let av = read(json!({"NS": ["10", "1.50", "-0.5"]})).expect("valid");
        assert_eq!(
            to_value(AttributeValueJson(&av)),
            json!({"NS": ["-0.5", "1.5", "10"]})
        );
    }

    #[test]
    fn value_rules_use_dynamodb_messages() {
        assert_eq!(
            message(json!({})),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        );
        assert_eq!(
            message(json!({"S": "a", "N": "1"})),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
        );
        assert_eq!(
            message(json!({"N": "abc"})),
            "The parameter cannot be converted to a numeric value: abc"
        );
        assert_eq!(
            message(json!({"N": ""})),
            "The parameter cannot be converted to a numeric value"
        );
        assert_eq!(
            message(json!({"N": "1e126"})),
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        );
        assert_eq!(
            message(json!({"NULL": false})),
            "One or more parameter values were invalid: Null attribute value types must have the value of true"
        );
        assert_eq!(
            message(json!({"SS": []})),
            "One or more parameter values were invalid: An string set  may not be empty"
        );
        assert_eq!(
            message(json!({"SS": ["a", "a"]})),
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates."
        );
        assert_eq!(
            message(json!({"NS": ["1", "1.0"]})),
            "Input collection contains duplicates"
        );
        assert_eq!(
            message(json!({"BS": ["Yg==", "Yg=="]})),
            "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."
        );
        assert_eq!(
            message(json!({"L": [{"M": {"x": {}}}]})),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        );
        // Unknown members are ignored and null members are absent.
        assert_eq!(
            read(json!({"S": "a", "X": 1, "N": null})).ok(),
            Some(AttributeValue::S("a".into()))
        );
    }

    #[test]
    fn type_errors_are_serialization_errors_even_after_value_rule_errors() {
        // `N` is invalid, but `S` has the wrong JSON type: pass 1 wins.
        let e = read(json!({"N": "x", "S": 5})).expect_err("type error");
        assert_eq!(e.name(), "SerializationException");
        assert_eq!(e.message(), "NUMBER_VALUE cannot be converted to String");
        let e = read(json!({"M": []})).expect_err("type error");
        assert_eq!(
            e.message(),
            "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"
        );
        let e = read(json!("x")).expect_err("type error");
        assert_eq!(e.message(), "Unexpected value type in payload");
        let e = read(json!({"L": [5]})).expect_err("type error");
        assert_eq!(e.message(), "Unexpected value type in payload");
        let e = read(json!({"BS": [true]})).expect_err("type error");
        assert_eq!(
            e.message(),
            "only base-64-encoded strings are convertible to bytes"
        );
    }

    #[test]
    fn items_and_expression_maps() {
        let mut d = Decoder::new();
        let it = item(
            &mut d,
            &json_tree!({"id": {"S": "1"}, "n": null}),
            Position::Field,
        )
        .expect("item");
        assert_eq!(it.len(), 1);
        assert_eq!(item_json(&it), json!({"id": {"S": "1"}}));
        let names = attribute_names(&json_tree!({"#a": "x"})).expect("names");
        assert_eq!(names.get("#a").map(String::as_str), Some("x"));
        let e = attribute_names(&json_tree!({"#a": 5})).expect_err("type");
        assert_eq!(e.message(), "NUMBER_VALUE cannot be converted to String");
        let e = attribute_names(&json_tree!([])).expect_err("type");
        assert_eq!(
            e.message(),
            "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>"
        );
        let vals = attribute_values(&mut d, &json_tree!({":v": {"N": "5"}})).expect("values");
        assert!(matches!(vals.get(":v"), Some(AttributeValue::N(_))));
        d.finish(()).expect("nothing wrong");
    }
}
