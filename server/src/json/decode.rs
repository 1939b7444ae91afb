//! Reading DynamoDB JSON the way DynamoDB does: type errors first, then
//! constraint violations, then per-value rules.
//!
//! DynamoDB checks a request in three passes, and so does [`Decoder`]:
//!
//! 1. **Deserialization.** A member of the wrong JSON type stops the request
//!    with `SerializationException` and a message naming the JSON token and
//!    the Java type it could not become ("NUMBER_VALUE cannot be converted to
//!    String"). The readers here return those as `Err` at once.
//! 2. **Model constraints** (required members, lengths, ranges, patterns,
//!    enum sets): every violation is collected, and the request fails with
//!    one `ValidationException` listing them — "2 validation errors
//!    detected: Value 'x' at 'returnValues' failed to satisfy constraint:
//!    Member must satisfy enum value set: [...]; ...". [`Decoder::violation`].
//! 3. **Value rules** (an `AttributeValue` with no or two types, a bad
//!    number, a duplicate set member): the first one found is kept and
//!    reported only if passes 1 and 2 found nothing. [`Decoder::defer`].
//!
//! Messages and the order of the passes are those recorded against the real
//! service by dynalite's test suite (`test/helpers.js`, `assertType`,
//! `assertValidation`; `validations/index.js`, `checkValidations`): the
//! member path is the member names with a lower-case first letter, list
//! elements add `.<1-based index>.member` and map entries `.<key>.member`;
//! a null member is the same as an absent one; unknown members of nested
//! structures are ignored (a top-level one never gets here: it is refused
//! before its value is read).

use super::tree::{Json, Meter, Object, Unmetered};
use siltdb::dynamo::DynamoError;

/// Result of reading one member: `Err` only for pass-1 (serialization) errors.
pub(crate) type DResult<T> = Result<T, DynamoError>;

/// DynamoDB stops listing violations after ten (dynalite, `checkValidations`).
const MAX_VIOLATIONS: usize = 10;

/// Longest value echoed in a violation, in characters. Our bound: DynamoDB
/// echoes long values (a 256-character table name whole, as dynalite
/// records), but what it does with a 10 MB one is not recorded, and echoing
/// it whole would make the answer as big as the request. 1024 characters
/// keep every value a constraint could accept (a `TableArn` is at most
/// 1024) whole.
pub(crate) const MAX_ECHO_CHARS: usize = 1024;

/// Longest `TableName` (an ARN may take all of it), in characters.
const MAX_TABLE_NAME_CHARS: usize = 1024;

/// `s` if it has at most `max` characters, else its first `max` followed
/// by `...`.
pub(crate) fn truncate_chars(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        Some((end, _)) => format!("{}...", s.get(..end).unwrap_or_default()).into(),
        None => s.into(),
    }
}

/// The Java package of DynamoDB's model classes, as it appears in messages.
const MODEL_PACKAGE: &str = "com.amazonaws.dynamodb.v20120810";

/// The message DynamoDB gives for a scalar where a list or map nested in a map
/// was expected (dynalite's `castMsg`, recorded from the service).
const CAST_MESSAGE: &str = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')";

/// Where a list, map or structure sits; DynamoDB words type errors differently
/// for a member of a structure and for an element of a list or map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    /// A named member of a structure.
    Field,
    /// An element of a list or a value of a map.
    Element,
}

/// The collected state of passes 2 and 3 while a request is read, and the
/// meter what is decoded is charged to.
pub(crate) struct Decoder<'m> {
    violations: Vec<String>,
    deferred: Option<DynamoError>,
    meter: &'m dyn Meter,
    over_budget: bool,
}

/// The meter of a [`Decoder`] made with [`Decoder::new`].
static UNMETERED: Unmetered = Unmetered;

/// What [`Decoder::charge`] fails with; [`Decoder::over_budget`] tells it
/// apart from a real error.
const OVER_BUDGET: &str = "request memory budget exhausted";

impl<'m> Decoder<'m> {
    /// A decoder with nothing found yet, charging nothing.
    pub(crate) fn new() -> Decoder<'static> {
        Decoder::metered(&UNMETERED)
    }

    /// A decoder charging what it builds to `meter`.
    pub(crate) fn metered(meter: &'m dyn Meter) -> Decoder<'m> {
        Decoder {
            violations: Vec::new(),
            deferred: None,
            meter,
            over_budget: false,
        }
    }

    /// Charges `bytes` that the value being decoded is about to take; an
    /// `Err` if the meter refuses, which ends the decoding (see
    /// [`Decoder::over_budget`]).
    pub(crate) fn charge(&mut self, bytes: usize) -> DResult<()> {
        if bytes == 0 || self.meter.charge(bytes) {
            Ok(())
        } else {
            self.over_budget = true;
            Err(DynamoError::InternalServerError(OVER_BUDGET.to_string()))
        }
    }

    /// Whether decoding stopped because the meter refused memory.
    pub(crate) fn over_budget(&self) -> bool {
        self.over_budget
    }

    /// Records a constraint violation of the member at `path`, whose value
    /// prints as `value` (`None` prints `null`; one longer than
    /// [`MAX_ECHO_CHARS`] is cut there and ends in `...`).
    pub(crate) fn violation(&mut self, value: Option<&str>, path: &str, constraint: &str) {
        if self.violations.len() >= MAX_VIOLATIONS {
            return;
        }
        self.violations
            .push(violation_text(value, path, constraint));
    }

    /// Keeps, as [`Decoder::defer`] does, the single constraint violation
    /// of the member at `path` ("1 validation error detected: ..."): for a
    /// constraint DynamoDB checks after the model's, reported only if no
    /// model constraint failed.
    pub(crate) fn defer_violation(&mut self, value: Option<&str>, path: &str, constraint: &str) {
        self.defer(DynamoError::validation(format!(
            "1 validation error detected: {}",
            violation_text(value, path, constraint)
        )));
    }

    /// Keeps `error` to report if no constraint is violated; only the first
    /// such error is kept.
    pub(crate) fn defer(&mut self, error: DynamoError) {
        if self.deferred.is_none() {
            self.deferred = Some(error);
        }
    }

    /// The outcome: the first violation list, else the deferred error, else
    /// `value`.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, DynamoError> {
        if !self.violations.is_empty() {
            let n = self.violations.len();
            let plural = if n == 1 { "" } else { "s" };
            return Err(DynamoError::validation(format!(
                "{n} validation error{plural} detected: {}",
                self.violations.join("; ")
            )));
        }
        match self.deferred {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    /// Checks `len` against a model's `min`/`max` length.
    pub(crate) fn check_length(
        &mut self,
        shown: &str,
        path: &str,
        len: usize,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        if let Some(min) = min {
            if len < min {
                self.violation(
                    Some(shown),
                    path,
                    &format!("Member must have length greater than or equal to {min}"),
                );
            }
        }
        if let Some(max) = max {
            if len > max {
                self.violation(
                    Some(shown),
                    path,
                    &format!("Member must have length less than or equal to {max}"),
                );
            }
        }
    }

    /// Checks a number against a model's `min`/`max` value.
    pub(crate) fn check_range(
        &mut self,
        value: i64,
        path: &str,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        let shown = value.to_string();
        if let Some(min) = min {
            if value < min {
                self.violation(
                    Some(&shown),
                    path,
                    &format!("Member must have value greater than or equal to {min}"),
                );
            }
        }
        if let Some(max) = max {
            if value > max {
                self.violation(
                    Some(&shown),
                    path,
                    &format!("Member must have value less than or equal to {max}"),
                );
            }
        }
    }

    /// Checks a table or index name against `[a-zA-Z0-9_.-]+`.
    pub(crate) fn check_name_pattern(&mut self, name: &str, path: &str) {
        if !matches_name_pattern(name) {
            self.violation(
                Some(name),
                path,
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            );
        }
    }
}

/// "Value 'v' at 'path' failed to satisfy constraint: ..." for a value that
/// prints as `value` (`None` prints `null`; one longer than
/// [`MAX_ECHO_CHARS`] is cut there and ends in `...`).
fn violation_text(value: Option<&str>, path: &str, constraint: &str) -> String {
    let shown = match value {
        Some(v) => format!("'{}'", truncate_chars(v, MAX_ECHO_CHARS)),
        None => "null".to_string(),
    };
    format!("Value {shown} at '{path}' failed to satisfy constraint: {constraint}")
}

/// Whether `name` matches the table and index name pattern `[a-zA-Z0-9_.-]+`.
pub(crate) fn matches_name_pattern(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// `Name` → `name`: DynamoDB's spelling of a member in a constraint path.
pub(crate) fn lower_first(member: &str) -> String {
    let mut chars = member.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn serialization(message: impl Into<String>) -> DynamoError {
    DynamoError::SerializationException(message.into())
}

/// The Jackson token name DynamoDB uses for a scalar JSON value.
fn token_name(v: &Json) -> &'static str {
    match v {
        Json::Bool(true) => "TRUE_VALUE",
        Json::Bool(false) => "FALSE_VALUE",
        Json::Number(n) if n.is_f64() => "DECIMAL_VALUE",
        Json::Number(_) => "NUMBER_VALUE",
        Json::String(_) => "STRING_VALUE",
        Json::Null => "NULL_VALUE",
        Json::Array(_) => "START_ARRAY",
        Json::Object(_) => "START_OBJECT",
    }
}

const START_OF_STRUCTURE: &str = "Start of structure or map found where not expected";

/// A JSON string member (Java `String`).
pub(crate) fn expect_string<'a>(v: &'a Json<'_>) -> DResult<&'a str> {
    match v {
        Json::String(s) => Ok(s),
        Json::Array(_) => Err(serialization(
            "Unrecognized collection type class java.lang.String",
        )),
        Json::Object(_) => Err(serialization(START_OF_STRUCTURE)),
        other => Err(serialization(format!(
            "{} cannot be converted to String",
            token_name(other)
        ))),
    }
}

/// A JSON boolean member (Java `Boolean`).
pub(crate) fn expect_bool(v: &Json) -> DResult<bool> {
    match v {
        Json::Bool(b) => Ok(*b),
        Json::String(_) => Err(serialization("Unexpected token received from parser")),
        Json::Array(_) => Err(serialization(
            "Unrecognized collection type class java.lang.Boolean",
        )),
        Json::Object(_) => Err(serialization(START_OF_STRUCTURE)),
        other => Err(serialization(format!(
            "{} cannot be converted to Boolean",
            token_name(other)
        ))),
    }
}

/// A JSON number member of Java type `java_type` (`"Integer"` or `"Long"`).
///
/// Only an integer literal is one: a number with a fraction or an exponent
/// (`1.5`, `2.0`, `1e2`) is the token Jackson calls `DECIMAL_VALUE`, and
/// is refused as every other wrong token is, "DECIMAL_VALUE cannot be
/// converted to Integer" (DynamoDB's wording for a decimal where a string or
/// boolean belongs is recorded by dynalite; for an integer member the same
/// pattern is ours, not recorded). An integer beyond the Java type's range
/// is "Numeric value (N) out of range of Integer" (ours too).
pub(crate) fn expect_integer(v: &Json, java_type: &str) -> DResult<i64> {
    let (lo, hi) = if java_type == "Integer" {
        (i64::from(i32::MIN), i64::from(i32::MAX))
    } else {
        (i64::MIN, i64::MAX)
    };
    match v {
        // serde_json reads an integer literal beyond `u64` as `f64`: a
        // whole `f64` outside `i64` is taken for such a literal.
        Json::Number(n) if n.is_f64() && !n.as_f64().is_some_and(too_big_for_i64) => Err(
            serialization(format!("DECIMAL_VALUE cannot be converted to {java_type}")),
        ),
        Json::Number(n) => match n.as_i64() {
            Some(i) if (lo..=hi).contains(&i) => Ok(i),
            _ => Err(serialization(format!(
                "Numeric value ({n}) out of range of {java_type}"
            ))),
        },
        Json::Array(_) => Err(serialization(format!(
            "Unrecognized collection type class java.lang.{java_type}"
        ))),
        Json::Object(_) => Err(serialization(START_OF_STRUCTURE)),
        other => Err(serialization(format!(
            "{} cannot be converted to {java_type}",
            token_name(other)
        ))),
    }
}

/// Whether `f` is a whole number outside `i64`'s range.
fn too_big_for_i64(f: f64) -> bool {
    f.fract() == 0.0 && !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
}

/// A base64 JSON string member (Java `ByteBuffer`), decoded.
pub(crate) fn expect_blob(v: &Json) -> DResult<Vec<u8>> {
    use base64::Engine as _;
    let s = match v {
        Json::String(s) => s,
        Json::Array(_) => {
            return Err(serialization(
                "Unrecognized collection type class java.nio.ByteBuffer",
            ))
        }
        Json::Object(_) => return Err(serialization(START_OF_STRUCTURE)),
        _ => {
            return Err(serialization(
                "only base-64-encoded strings are convertible to bytes",
            ))
        }
    };
    if s.len() % 4 != 0 {
        return Err(serialization(format!(
            "Base64 encoded length is expected a multiple of 4 bytes but found: {}",
            s.len()
        )));
    }
    // "dectected" is DynamoDB's spelling.
    base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(|_| serialization("Invalid last non-pad Base64 character dectected"))
}

/// A JSON array member.
pub(crate) fn expect_list<'a>(v: &'a Json<'a>, pos: Position) -> DResult<&'a [Json<'a>]> {
    match v {
        Json::Array(a) => Ok(a),
        Json::Object(_) => Err(serialization(START_OF_STRUCTURE)),
        _ => Err(serialization(match pos {
            Position::Field => "Unexpected field type",
            Position::Element => CAST_MESSAGE,
        })),
    }
}

/// A JSON object read as a map whose values have Java type `value_type`
/// (a model shape name such as `"AttributeValue"`, or a qualified Java type).
pub(crate) fn expect_map<'a>(
    v: &'a Json<'a>,
    pos: Position,
    value_type: &str,
) -> DResult<&'a Object<'a>> {
    match v {
        Json::Object(m) => Ok(m),
        Json::Array(_) => {
            let qualified = if value_type.contains('.') {
                value_type.to_string()
            } else {
                format!("{MODEL_PACKAGE}.{value_type}")
            };
            Err(serialization(format!(
                "Unrecognized collection type java.util.Map<java.lang.String, {qualified}>"
            )))
        }
        _ => Err(serialization(match pos {
            Position::Field => "Unexpected field type",
            Position::Element => CAST_MESSAGE,
        })),
    }
}

/// A JSON object read as the model structure `shape`.
pub(crate) fn expect_struct<'a>(
    v: &'a Json<'a>,
    pos: Position,
    shape: &str,
) -> DResult<&'a Object<'a>> {
    match v {
        Json::Object(m) => Ok(m),
        Json::Array(_) => Err(serialization(format!(
            "Unrecognized collection type class {MODEL_PACKAGE}.{shape}"
        ))),
        _ => Err(serialization(match pos {
            Position::Field => "Unexpected field type",
            Position::Element => "Unexpected value type in payload",
        })),
    }
}

/// One structure of the request being read, with its constraint path.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Struct<'a> {
    map: &'a Object<'a>,
    path: &'a str,
}

impl<'a> Struct<'a> {
    /// The request body (path empty).
    pub(crate) fn root(map: &'a Object<'a>) -> Struct<'a> {
        Struct { map, path: "" }
    }

    /// A nested structure whose own path is `path` (built by
    /// [`Struct::member_path`] or [`element_path`]).
    pub(crate) fn nested(map: &'a Object<'a>, path: &'a str) -> Struct<'a> {
        Struct { map, path }
    }

    /// The member's value; `None` when absent or JSON `null`.
    pub(crate) fn get(&self, member: &str) -> Option<&'a Json<'a>> {
        self.map.get(member).filter(|v| !v.is_null())
    }

    /// The constraint path of `member`, e.g. `keySchema` or
    /// `keySchema.1.member.attributeName`.
    pub(crate) fn member_path(&self, member: &str) -> String {
        if self.path.is_empty() {
            lower_first(member)
        } else {
            format!("{}.{}", self.path, lower_first(member))
        }
    }

    /// An optional string member.
    pub(crate) fn string(&self, member: &str) -> DResult<Option<String>> {
        self.get(member)
            .map(|v| expect_string(v).map(str::to_string))
            .transpose()
    }

    /// A required string member; a missing one is a violation (and reads as
    /// the empty string, which is never used because the request fails).
    pub(crate) fn required_string(&self, d: &mut Decoder, member: &str) -> DResult<String> {
        match self.string(member)? {
            Some(s) => Ok(s),
            None => {
                d.violation(None, &self.member_path(member), "Member must not be null");
                Ok(String::new())
            }
        }
    }

    /// An optional boolean member.
    pub(crate) fn bool(&self, member: &str) -> DResult<Option<bool>> {
        self.get(member).map(expect_bool).transpose()
    }

    /// An optional integer member of Java type `java_type` checked against
    /// `min`/`max`.
    pub(crate) fn integer(
        &self,
        d: &mut Decoder,
        member: &str,
        java_type: &str,
        min: Option<i64>,
        max: Option<i64>,
    ) -> DResult<Option<i64>> {
        let Some(v) = self.get(member) else {
            return Ok(None);
        };
        let i = expect_integer(v, java_type)?;
        d.check_range(i, &self.member_path(member), min, max);
        Ok(Some(i))
    }

    /// An optional enum member: `parse` reads the wire spelling, `set` is the
    /// value set as DynamoDB prints it in the violation.
    pub(crate) fn enumeration<E>(
        &self,
        d: &mut Decoder,
        member: &str,
        parse: fn(&str) -> Option<E>,
        set: &str,
    ) -> DResult<Option<E>> {
        let Some(s) = self.string(member)? else {
            return Ok(None);
        };
        match parse(&s) {
            Some(e) => Ok(Some(e)),
            None => {
                d.violation(
                    Some(&s),
                    &self.member_path(member),
                    &format!("Member must satisfy enum value set: {set}"),
                );
                Ok(None)
            }
        }
    }

    /// An optional list of strings (`AttributesToGet`), at least `min` long.
    pub(crate) fn string_list(
        &self,
        d: &mut Decoder,
        member: &str,
        min: Option<usize>,
    ) -> DResult<Option<Vec<String>>> {
        let Some(v) = self.get(member) else {
            return Ok(None);
        };
        let list = expect_list(v, Position::Field)?;
        let mut out = Vec::with_capacity(list.len());
        for e in list.iter().filter(|e| !e.is_null()) {
            out.push(expect_string(e)?.to_string());
        }
        d.check_length(
            &format!("[{}]", out.join(", ")),
            &self.member_path(member),
            out.len(),
            min,
            None,
        );
        Ok(Some(out))
    }

    /// A `TableName` that may be an ARN: required, 1 to 1024 characters
    /// (the API model's `TableArn` shape); a plain name must also match
    /// `[a-zA-Z0-9_.-]+` (the `TableName` shape's pattern).
    pub(crate) fn table_name(&self, d: &mut Decoder) -> DResult<String> {
        // Whether the checks below pass: the path is only built for a
        // violation.
        let fine = |n: &str| {
            (n.starts_with("arn:") || matches_name_pattern(n))
                && (1..=MAX_TABLE_NAME_CHARS).contains(&n.chars().count())
        };
        let name = match self.string("TableName")? {
            Some(name) if fine(&name) => return Ok(name),
            other => other,
        };
        let path = self.member_path("TableName");
        match name {
            Some(name) => {
                if !name.is_empty() && !name.starts_with("arn:") {
                    // A plain name: the `TableName` shape's pattern, checked
                    // before any lookup as DynamoDB does (an empty one breaks
                    // only the length, as recorded).
                    d.check_name_pattern(&name, &path);
                }
                d.check_length(
                    &name,
                    &path,
                    name.chars().count(),
                    Some(1),
                    Some(MAX_TABLE_NAME_CHARS),
                );
                Ok(name)
            }
            None => {
                d.violation(None, &path, "Member must not be null");
                Ok(String::new())
            }
        }
    }

    /// An optional `IndexName`: 3 to 255 characters of `[a-zA-Z0-9_.-]`.
    pub(crate) fn index_name(&self, d: &mut Decoder) -> DResult<Option<String>> {
        let Some(name) = self.string("IndexName")? else {
            return Ok(None);
        };
        let path = self.member_path("IndexName");
        d.check_name_pattern(&name, &path);
        d.check_length(&name, &path, name.chars().count(), Some(3), Some(255));
        Ok(Some(name))
    }
}

/// The path of element `index` (0-based) of the list at `list_path`.
pub(crate) fn element_path(list_path: &str, index: usize) -> String {
    format!("{list_path}.{}.member", index + 1)
}

/// The path of entry `key` of the map at `map_path`.
pub(crate) fn entry_path(map_path: &str, key: &str) -> String {
    format!("{map_path}.{key}.member")
}

/// Test support: reads the JSON object `body` as a whole request with `f`,
/// then checks the decoder's collected violations, as a request is read.
#[cfg(test)]
pub(crate) fn read_request<T>(
    body: serde_json::Value,
    f: fn(&mut Decoder, Struct<'_>) -> DResult<T>,
) -> Result<T, DynamoError> {
    let body = Json::from(&body);
    let map = body.as_object().expect("object");
    let mut d = Decoder::new();
    let v = f(&mut d, Struct::root(map))?;
    d.finish(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json_tree;

    fn ser(r: DResult<impl std::fmt::Debug>) -> String {
        match r {
            Err(DynamoError::SerializationException(m)) => m,
            other => panic!("expected a SerializationException, got {other:?}"),
        }
    }

    #[test]
    fn string_type_errors_match_dynamodb() {
        for (v, msg) in [
            (json_tree!(true), "TRUE_VALUE cannot be converted to String"),
            (
                json_tree!(false),
                "FALSE_VALUE cannot be converted to String",
            ),
            (json_tree!(23), "NUMBER_VALUE cannot be converted to String"),
            (
                json_tree!(-2147483648_i64),
                "NUMBER_VALUE cannot be converted to String",
            ),
            (
                json_tree!(34.56),
                "DECIMAL_VALUE cannot be converted to String",
            ),
            (
                json_tree!([]),
                "Unrecognized collection type class java.lang.String",
            ),
            (
                json_tree!({}),
                "Start of structure or map found where not expected",
            ),
        ] {
            assert_eq!(ser(expect_string(&v)), msg);
        }
        assert_eq!(expect_string(&json_tree!("x")).ok(), Some("x"));
    }

    #[test]
    fn bool_integer_blob_type_errors_match_dynamodb() {
        assert_eq!(
            ser(expect_bool(&json_tree!("23"))),
            "Unexpected token received from parser"
        );
        assert_eq!(
            ser(expect_bool(&json_tree!(23))),
            "NUMBER_VALUE cannot be converted to Boolean"
        );
        assert_eq!(
            ser(expect_bool(&json_tree!(34.56))),
            "DECIMAL_VALUE cannot be converted to Boolean"
        );
        assert_eq!(
            ser(expect_bool(&json_tree!([]))),
            "Unrecognized collection type class java.lang.Boolean"
        );
        assert_eq!(
            ser(expect_integer(&json_tree!("23"), "Integer")),
            "STRING_VALUE cannot be converted to Integer"
        );
        assert_eq!(
            ser(expect_integer(&json_tree!(true), "Long")),
            "TRUE_VALUE cannot be converted to Long"
        );
        assert_eq!(
            ser(expect_integer(&json_tree!([]), "Long")),
            "Unrecognized collection type class java.lang.Long"
        );
        for decimal in [json_tree!(2.9), json_tree!(2.0), json_tree!(1e2)] {
            assert_eq!(
                ser(expect_integer(&decimal, "Integer")),
                "DECIMAL_VALUE cannot be converted to Integer"
            );
        }
        assert_eq!(
            ser(expect_integer(&json_tree!(1.5), "Long")),
            "DECIMAL_VALUE cannot be converted to Long"
        );
        assert_eq!(
            ser(expect_integer(&json_tree!(1e30), "Long")),
            "Numeric value (1e+30) out of range of Long"
        );
        assert_eq!(expect_integer(&json_tree!(-3), "Integer").ok(), Some(-3));
        assert!(expect_integer(&json_tree!(2147483648_i64), "Integer").is_err());
        assert_eq!(
            expect_integer(&json_tree!(2147483648_i64), "Long").ok(),
            Some(2147483648)
        );
        assert_eq!(
            ser(expect_blob(&json_tree!(23))),
            "only base-64-encoded strings are convertible to bytes"
        );
        assert_eq!(
            ser(expect_blob(&json_tree!("23456"))),
            "Base64 encoded length is expected a multiple of 4 bytes but found: 5"
        );
        assert_eq!(
            ser(expect_blob(&json_tree!("=+/="))),
            "Invalid last non-pad Base64 character dectected"
        );
        assert_eq!(expect_blob(&json_tree!("Zm9v")).ok(), Some(b"foo".to_vec()));
    }

    #[test]
    fn container_type_errors_match_dynamodb() {
        assert_eq!(
            ser(expect_list(&json_tree!("23"), Position::Field)),
            "Unexpected field type"
        );
        assert_eq!(
            ser(expect_list(&json_tree!({}), Position::Field)),
            "Start of structure or map found where not expected"
        );
        assert_eq!(
            ser(expect_list(&json_tree!(1), Position::Element)),
            CAST_MESSAGE
        );
        assert_eq!(
            ser(expect_map(&json_tree!([]), Position::Field, "AttributeValue")),
            "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"
        );
        assert_eq!(
            ser(expect_struct(
                &json_tree!(1),
                Position::Element,
                "AttributeValue"
            )),
            "Unexpected value type in payload"
        );
        assert_eq!(
            ser(expect_struct(&json_tree!([]), Position::Field, "ProvisionedThroughput")),
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"
        );
    }

    #[test]
    fn violations_are_counted_and_joined() {
        let mut d = Decoder::new();
        d.violation(
            Some("x"),
            "returnValues",
            "Member must satisfy enum value set: [A, B]",
        );
        d.violation(None, "tableName", "Member must not be null");
        let e = d.finish(()).expect_err("two violations");
        assert_eq!(
            e.message(),
            "2 validation errors detected: Value 'x' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [A, B]; Value null at 'tableName' failed to satisfy constraint: Member must not be null"
        );
        let mut d = Decoder::new();
        d.defer(DynamoError::validation("later"));
        d.check_range(0, "limit", Some(1), None);
        assert_eq!(
            d.finish(()).expect_err("one").message(),
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        let mut d = Decoder::new();
        d.defer(DynamoError::validation("first"));
        d.defer(DynamoError::validation("second"));
        assert_eq!(d.finish(()).expect_err("deferred").message(), "first");
    }

    #[test]
    fn paths_lower_the_first_letter() {
        let body = json_tree!({"KeySchema": []});
        let map = body.as_object().expect("object");
        let root = Struct::root(map);
        assert_eq!(root.member_path("KeySchema"), "keySchema");
        let p = element_path(&root.member_path("KeySchema"), 0);
        let inner = json_tree!({});
        let s = Struct::nested(inner.as_object().expect("object"), &p);
        assert_eq!(
            s.member_path("AttributeName"),
            "keySchema.1.member.attributeName"
        );
        assert_eq!(entry_path("requestItems", "T"), "requestItems.T.member");
    }
}
