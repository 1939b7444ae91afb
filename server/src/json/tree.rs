//! A request body as a compact JSON tree, built under a memory meter.
//!
//! `serde_json::Value` keeps every object in a `BTreeMap`, whose first node
//! costs about 600 bytes: a 16 MB body of `{"":0},` repeated (7 bytes each)
//! became 1.6 GB of tree. [`Json`] keeps an object as one exact-size slice
//! of entries sorted by key: 24 bytes per value, 48 per member. Strings
//! and member names without escapes are borrowed from the body; one with
//! escapes takes one small allocation. The worst body, `[0,0,...]`, costs 12
//! bytes per body byte once built and is charged 24 (an array's vector may
//! hold twice its length while it grows); `{"":0}` elements cost about 13
//! and are charged at most 16.
//! Every allocation is charged to a [`Meter`] before it is made (as
//! [`alloc_cost`] estimates it), and the meter may refuse — then the parse
//! stops at once with [`ParseError::OverBudget`].
//!
//! Objects keep `BTreeMap`'s semantics, which the decoders were written
//! against: members iterate in key order and, of duplicate keys, the last
//! one wins. Nesting is bounded by `serde_json`'s recursion limit (128),
//! so neither parsing nor dropping a tree can exhaust the stack.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

/// One JSON value of a request body, borrowing the body's text where it
/// can.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as `serde_json` reads it (integer or `f64`).
    Number(Number),
    /// A string.
    String(Text<'a>),
    /// An array.
    Array(Box<[Json<'a>]>),
    /// An object.
    Object(Object<'a>),
}

// Borrowing strings kept a value at 24 bytes, which the meter's charges
// and the documentation above count on.
const _: () = assert!(size_of::<Json<'static>>() == 24);

/// A string of a body: borrowed from it, or unescaped into its own
/// allocation. Equal when the text is, however it is held.
#[derive(Clone, Debug)]
pub enum Text<'a> {
    /// Text as it stands in the body (it had no escapes).
    Borrowed(&'a str),
    /// Text with its escapes resolved.
    Owned(Box<str>),
}

impl Text<'_> {
    /// The same text, owned.
    #[cfg(test)]
    fn into_owned(self) -> Text<'static> {
        match self {
            Text::Borrowed(s) => Text::Owned(s.into()),
            Text::Owned(s) => Text::Owned(s),
        }
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Borrowed(s) => s,
            Text::Owned(s) => s,
        }
    }
}

/// A JSON object: members sorted by name, names unique (of duplicates in
/// the text, the last one is kept).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object<'a> {
    entries: Box<[(Text<'a>, Json<'a>)]>,
}

impl<'a> Object<'a> {
    /// The member called `name`.
    pub fn get(&self, name: &str) -> Option<&Json<'a>> {
        self.entries
            .binary_search_by(|(k, _)| (**k).cmp(name))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    /// Whether there is a member called `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The members, in name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Json<'a>)> + DoubleEndedIterator {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// The member names, in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        self.entries.iter().map(|(k, _)| &**k)
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// An object of `entries` (sorted here; of duplicate names the last
    /// one is kept).
    fn from_entries(mut entries: Vec<(Text<'a>, Json<'a>)>) -> Object<'a> {
        // A stable sort keeps duplicates in text order.
        // Reversed, the last of each run comes first, and `dedup_by` keeps
        // the first; all in place, so an object never needs a second copy.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.reverse();
        entries.dedup_by(|later, kept| *later.0 == *kept.0);
        entries.reverse();
        Object {
            entries: entries.into_boxed_slice(),
        }
    }
}

impl<'a> Json<'a> {
    /// The same tree, owning its strings (tests build trees from
    /// temporaries).
    #[cfg(test)]
    pub(crate) fn into_owned(self) -> Json<'static> {
        match self {
            Json::Null => Json::Null,
            Json::Bool(b) => Json::Bool(b),
            Json::Number(n) => Json::Number(n),
            Json::String(s) => Json::String(s.into_owned()),
            Json::Array(a) => Json::Array(a.into_vec().into_iter().map(Json::into_owned).collect()),
            Json::Object(o) => Json::Object(Object {
                entries: o
                    .entries
                    .into_vec()
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            }),
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// This value as compact JSON text (object members in name order),
    /// for echoing in a message: at least its first `max_chars`
    /// characters, and the whole text if it is no longer — writing stops
    /// soon after, so a 16 MB value does not become a 16 MB string.
    pub fn compact_text(&self, max_chars: usize) -> String {
        let mut out = String::new();
        // A character takes at most 4 bytes: past this many bytes the text
        // has more than `max_chars` characters.
        self.write_compact(&mut out, max_chars.saturating_mul(4).saturating_add(4));
        out
    }

    fn write_compact(&self, out: &mut String, max_bytes: usize) {
        if out.len() > max_bytes {
            return;
        }
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(&n.to_string()),
            Json::String(s) => push_string(out, s),
            Json::Array(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_compact(out, max_bytes);
                    if out.len() > max_bytes {
                        return;
                    }
                }
                out.push(']');
            }
            Json::Object(o) => {
                out.push('{');
                for (i, (k, v)) in o.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_string(out, k);
                    out.push(':');
                    v.write_compact(out, max_bytes);
                    if out.len() > max_bytes {
                        return;
                    }
                }
                out.push('}');
            }
        }
    }
}

/// Appends `s` as a JSON string literal.
fn push_string(out: &mut String, s: &str) {
    // Serializing a `str` cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

impl<'v> From<&'v serde_json::Value> for Json<'v> {
    /// The same document as a [`Json`] tree borrowing its strings
    /// (unmetered: for values already in memory, such as files the CLI
    /// reads and tests).
    fn from(v: &'v serde_json::Value) -> Json<'v> {
        match v {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(*b),
            serde_json::Value::Number(n) => Json::Number(n.clone()),
            serde_json::Value::String(s) => Json::String(Text::Borrowed(s)),
            serde_json::Value::Array(a) => Json::Array(a.iter().map(Json::from).collect()),
            serde_json::Value::Object(m) => Json::Object(Object::from_entries(
                m.iter()
                    .map(|(k, v)| (Text::Borrowed(k.as_str()), Json::from(v)))
                    .collect(),
            )),
        }
    }
}

/// Grants or refuses memory for a parse (and for what is decoded from it).
pub trait Meter {
    /// Asks for `bytes` more; `false` refuses, and the work stops.
    fn charge(&self, bytes: usize) -> bool;
}

/// A meter that grants everything (for bodies already bounded another way).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unmetered;

impl Meter for Unmetered {
    fn charge(&self, _bytes: usize) -> bool {
        true
    }
}

/// What a heap allocation of `bytes` costs, as the system allocator holds
/// it: a header and rounding to 16 bytes, 32 at least (glibc's malloc). An
/// estimate — the meter's aim is a bound close to real use, not exactness.
pub fn alloc_cost(bytes: usize) -> usize {
    if bytes == 0 {
        0
    } else {
        bytes
            .saturating_add(8)
            .max(32)
            .div_ceil(16)
            .saturating_mul(16)
    }
}

/// Why a body did not become a tree.
#[derive(Debug)]
pub enum ParseError {
    /// Not JSON, trailing bytes, or nested more than 128 levels.
    Syntax(serde_json::Error),
    /// The top-level object has a member its operation does not have.
    UnknownMember(String),
    /// The meter refused memory.
    OverBudget,
}

/// Checks that `bytes` are one JSON document nested at most 128 levels,
/// without building anything (a string with escapes is unescaped into a
/// scratch buffer no longer than it).
pub fn check_syntax(bytes: &[u8]) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Skip::deserialize(&mut de)?;
    de.end()
}

/// Reads one value and keeps nothing. Unlike `IgnoredAny`, which
/// serde_json skips with a heap stack of unlimited depth, it descends
/// through serde_json's recursion limit, as [`parse`] does.
struct Skip;

impl<'de> de::Deserialize<'de> for Skip {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Skip, D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<IgnoredAny, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// Parses `bytes` into a tree, charging `meter` for every allocation.
///
/// With `members`, the top level must be an object whose member names are
/// all in `members` (a JSON `null` member counts as absent, as in the
/// decoders); the first other name stops the parse before its value is
/// read. A top level that is not an object is returned as it is (the
/// decoders refuse it with DynamoDB's answer).
pub fn parse<'b>(
    bytes: &'b [u8],
    members: Option<&[&str]>,
    meter: &dyn Meter,
) -> Result<Json<'b>, ParseError> {
    let ctx = Ctx {
        meter,
        over_budget: Cell::new(false),
        unknown: Cell::new(None),
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = Seed { ctx: &ctx, members }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match result {
        Ok(v) => Ok(v),
        Err(e) => Err(if ctx.over_budget.get() {
            ParseError::OverBudget
        } else if let Some(name) = ctx.unknown.take() {
            ParseError::UnknownMember(name)
        } else {
            ParseError::Syntax(e)
        }),
    }
}

/// Longest unknown member name echoed, in characters (255: far longer than
/// any member name in DynamoDB's model).
const MAX_NAME_ECHO: usize = 255;

/// The state a parse shares across its nested seeds.
struct Ctx<'m> {
    meter: &'m dyn Meter,
    over_budget: Cell<bool>,
    unknown: Cell<Option<String>>,
}

impl Ctx<'_> {
    fn charge<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        if bytes == 0 || self.meter.charge(bytes) {
            Ok(())
        } else {
            self.over_budget.set(true);
            Err(E::custom("request memory budget exhausted"))
        }
    }

    /// Text unescaped into a scratch buffer, copied into its own
    /// allocation.
    fn owned<'a, E: de::Error>(&self, s: &str) -> Result<Text<'a>, E> {
        self.charge(alloc_cost(s.len()))?;
        Ok(Text::Owned(s.into()))
    }

    /// Makes room for one more element in `v`, charging for the growth.
    /// Capacity doubles from 1: an object's one member costs one member, and
    /// an array is never charged for more than twice its length (the excess
    /// is given back to the allocator when the vector becomes a slice, but
    /// stays charged — the meter errs high).
    fn grow<T, E: de::Error>(&self, v: &mut Vec<T>) -> Result<(), E> {
        if v.len() == v.capacity() {
            let old = v.capacity();
            let new = old.saturating_mul(2).max(1);
            let size = std::mem::size_of::<T>();
            let cost = alloc_cost(new.saturating_mul(size))
                .saturating_sub(alloc_cost(old.saturating_mul(size)));
            self.charge(cost)?;
            v.reserve_exact(new - old);
        }
        Ok(())
    }
}

/// Builds one value; `members` restricts the names of a top-level object.
struct Seed<'c, 'm> {
    ctx: &'c Ctx<'m>,
    members: Option<&'c [&'c str]>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Json<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Json<'de>, E> {
        // serde_json never yields a non-finite number.
        Number::from_f64(n)
            .map(Json::Number)
            .ok_or_else(|| E::custom("not a finite number"))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Text::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Json<'de>, E> {
        self.ctx.owned(s).map(Json::String)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut out: Vec<Json<'de>> = Vec::new();
        // Room is made once an element is read, as for an object's
        // members: growing before asking whether another element follows
        // gave a one-element array room for two, charged, and an empty
        // one room for one.
        while let Some(v) = seq.next_element_seed(Seed {
            ctx: self.ctx,
            members: None,
        })? {
            self.ctx.grow(&mut out)?;
            out.push(v);
        }
        Ok(Json::Array(out.into_boxed_slice()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut out: Vec<(Text<'de>, Json<'de>)> = Vec::new();
        while let Some(key) = map.next_key::<KeyText<'de>>()? {
            let name = key.as_str();
            if let Some(allowed) = self.members {
                if !allowed.contains(&name) {
                    // Before reading the value: an unknown member's value
                    // is never parsed.
                    // The name is kept for the message, cut as echoed values
                    // are.
                    self.ctx.unknown.set(Some(
                        super::decode::truncate_chars(name, MAX_NAME_ECHO).into_owned(),
                    ));
                    return Err(de::Error::custom("unknown member"));
                }
            }
            let name = match key {
                KeyText::Borrowed(s) => Text::Borrowed(s),
                KeyText::Owned(s) => self.ctx.owned(&s)?,
            };
            let value = map.next_value_seed(Seed {
                ctx: self.ctx,
                members: None,
            })?;
            self.ctx.grow(&mut out)?;
            out.push((name, value));
        }
        Ok(Json::Object(Object::from_entries(out)))
    }
}

/// A member name, borrowed from the body when it has no escapes.
enum KeyText<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl KeyText<'_> {
    fn as_str(&self) -> &str {
        match self {
            KeyText::Borrowed(s) => s,
            KeyText::Owned(s) => s,
        }
    }
}

impl<'de> de::Deserialize<'de> for KeyText<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<KeyText<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<KeyText<'de>, E> {
                Ok(KeyText::Borrowed(s))
            }
            fn visit_str<E>(self, s: &str) -> Result<KeyText<'de>, E> {
                // An escaped name: serde_json unescapes it into a scratch
                // buffer, copied here once; the copy is freed at once.
                Ok(KeyText::Owned(s.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Cap(Cell<usize>, usize);

    impl Meter for Cap {
        fn charge(&self, bytes: usize) -> bool {
            let used = self.0.get() + bytes;
            self.0.set(used);
            used <= self.1
        }
    }

    #[test]
    fn parses_like_serde_json() {
        let text = br#"{"b": [1, -2, 2.5, "x\u00e9", true, null, {}], "a": {"k": "v"}, "b": 7}"#;
        let tree = parse(text, None, &Unmetered).expect("parses");
        // Duplicates: the last one wins, as in serde_json's map.
        let value: serde_json::Value = serde_json::from_slice(text).expect("json");
        assert_eq!(tree, Json::from(&value));
        let obj = tree.as_object().expect("object");
        assert_eq!(obj.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(obj.get("b"), Some(&Json::Number(7.into())));
        assert_eq!(obj.get("c"), None);
        assert_eq!(
            obj.get("a")
                .and_then(Json::as_object)
                .and_then(|o| o.get("k"))
                .and_then(Json::as_str),
            Some("v")
        );
        assert!(matches!(
            parse(b"[1,", None, &Unmetered),
            Err(ParseError::Syntax(_))
        ));
        assert!(matches!(
            parse(b"{} x", None, &Unmetered),
            Err(ParseError::Syntax(_))
        ));
        assert!(check_syntax(b"{} x").is_err());
        assert!(check_syntax(br#"{"a": [1, {"b": "\n"}]}"#).is_ok());
    }

    #[test]
    fn deep_nesting_is_a_syntax_error() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(check_syntax(deep.as_bytes()).is_err());
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(check_syntax(ok.as_bytes()).is_ok());
        assert!(matches!(
            parse(deep.as_bytes(), None, &Unmetered),
            Err(ParseError::Syntax(_))
        ));
    }

    #[test]
    fn unknown_top_level_members_stop_the_parse() {
        let members: &[&str] = &["TableName", "Limit"];
        let ok = parse(
            br#"{"TableName": "t", "Limit": 1}"#,
            Some(members),
            &Unmetered,
        );
        assert!(ok.is_ok());
        // Nested names are not restricted.
        let nested = parse(br#"{"Limit": {"Junk": 1}}"#, Some(members), &Unmetered);
        assert!(nested.is_ok());
        match parse(
            br#"{"TableName": "t", "Junk": [{"": 0}]}"#,
            Some(members),
            &Unmetered,
        ) {
            Err(ParseError::UnknownMember(name)) => assert_eq!(name, "Junk"),
            other => panic!("{other:?}"),
        }
        let long = format!(r#"{{"{}": 1}}"#, "x".repeat(1000));
        match parse(long.as_bytes(), Some(members), &Unmetered) {
            Err(ParseError::UnknownMember(name)) => {
                assert_eq!(name, format!("{}...", "x".repeat(255)))
            }
            other => panic!("{other:?}"),
        }
        // A top level that is not an object is left to the decoders.
        assert_eq!(
            parse(b"[]", Some(members), &Unmetered).ok(),
            Some(Json::Array(Box::new([])))
        );
    }

    #[test]
    fn the_meter_bounds_the_tree() {
        let body = format!("[{}]", vec![r#"{"":0}"#; 10_000].join(","));
        let meter = Cap(Cell::new(0), usize::MAX);
        parse(body.as_bytes(), None, &meter).expect("parses");
        let charged = meter.0.get();
        // 7 bytes per element: a 24-byte array slot (charged up to twice,
        // for doubling) and a 64-byte block for the one 48-byte member (a
        // borrowed name takes 24 bytes where a boxed one took 16, so this
        // bound was 13 before names were borrowed).
        assert!(charged < 16 * body.len(), "{charged} for {}", body.len());
        assert!(charged > 9 * body.len(), "{charged} for {}", body.len());
        let meter = Cap(Cell::new(0), 100_000);
        assert!(matches!(
            parse(body.as_bytes(), None, &meter),
            Err(ParseError::OverBudget)
        ));
    }

    #[test]
    fn arrays_are_charged_for_the_elements_they_hold() {
        let charged = |body: &[u8]| {
            let meter = Cap(Cell::new(0), usize::MAX);
            parse(body, None, &meter).expect("parses");
            meter.0.get()
        };
        assert_eq!(charged(b"[]"), 0);
        assert_eq!(charged(b"[0]"), alloc_cost(24));
        assert_eq!(charged(b"[0,0]"), alloc_cost(48));
        assert_eq!(charged(b"[0,0,0]"), alloc_cost(96));
        // Nested one-element arrays (the http_request fuzzer's find: 18
        // levels in a 40-byte body were charged 1,120 bytes when every
        // array was given room for a second element) stay within 24 bytes
        // per body byte.
        for levels in [18, 100] {
            let body = format!("{}{}", "[".repeat(levels), "]".repeat(levels));
            let c = charged(body.as_bytes());
            assert_eq!(c, (levels - 1) * alloc_cost(24), "{levels} levels");
            assert!(c <= 24 * body.len(), "{c} for {}", body.len());
        }
    }

    #[test]
    fn conversion_from_serde_keeps_everything() {
        let v = json!({"z": [1, 2.5, "s", null, false], "a": {"n": {"m": []}}});
        let t = Json::from(&v);
        let o = t.as_object().expect("object");
        assert_eq!(o.len(), 2);
        assert_eq!(o.get("z").and_then(Json::as_array).map(<[_]>::len), Some(5));
        assert!(!o.is_empty());
        assert!(o.contains_key("a"));
    }

    #[test]
    fn alloc_costs_round_like_malloc() {
        assert_eq!(alloc_cost(0), 0);
        assert_eq!(alloc_cost(1), 32);
        assert_eq!(alloc_cost(24), 32);
        assert_eq!(alloc_cost(25), 48);
        assert_eq!(alloc_cost(1000), 1008);
    }
}
