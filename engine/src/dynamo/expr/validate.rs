//! Checks on parsed expressions and on the placeholder maps of a request:
//! DynamoDB's expression limits, the shape of key conditions, the syntax of
//! `ExpressionAttributeNames` / `ExpressionAttributeValues` keys, and unused
//! placeholders. All pure functions over values.

use std::collections::{BTreeSet, HashMap};

use super::ast::{
    Comparator, Condition, KeyCondition, KeyPart, KeyTest, Operand, Path, UpdateExpr,
};
use super::error::{ExprError, ExprKind};
use crate::dynamo::items::base64;
use crate::dynamo::items::value::AttributeValue;

/// Longest expression string, in bytes (Developer Guide, Service quotas,
/// "Expression parameters": "The maximum length of any expression string is 4 KB").
pub const MAX_EXPRESSION_BYTES: usize = 4096;
/// Most operators and functions in one expression (same section: 300; the
/// limit applies to every expression kind — scylladb#14473 observed it on a
/// ConditionExpression, aws-sdk-js#3721 on a FilterExpression).
pub const MAX_OPERATORS: usize = 300;
/// Most operands in the list of one `IN` (same section: 100).
pub const MAX_IN_OPERANDS: usize = 100;
/// Most dereference operators (`.x`, `[n]`) in one document path
/// (Developer Guide, "Document Paths": "The maximum depth for a document path is 32").
pub const MAX_PATH_DEPTH: usize = 32;
/// Longest placeholder key, in bytes, including its `#` or `:` (Service quotas: 255).
pub const MAX_PLACEHOLDER_BYTES: usize = 255;

/// Rejects an empty or oversized expression before parsing.
///
/// Confirmed: `"The expression can not be empty;"` (dynalite `parse`;
/// ExtendDB PR #20), and the size message with its quirk — Condition and
/// Filter expressions append `expression size: N`, the others do not —
/// captured from DynamoDB in ExtendDB `tests/test_expression_size_limit.py`.
/// A whitespace-only expression counts as empty (inferred).
pub fn check_length(kind: ExprKind, expr: &str) -> Result<(), ExprError> {
    if expr.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
        return Err(kind.error("The expression can not be empty;"));
    }
    if expr.len() > MAX_EXPRESSION_BYTES {
        let base = "Expression size has exceeded the maximum allowed size;";
        return Err(match kind {
            ExprKind::Condition | ExprKind::Filter => {
                kind.error(format!("{base} expression size: {}", expr.len()))
            }
            _ => kind.error(base),
        });
    }
    Ok(())
}

/// Counts an expression's operators and functions, and checks the `IN` list
/// and document-path limits.
#[derive(Default)]
struct Limits {
    operators: usize,
    error: Option<String>,
}

impl Limits {
    fn path(&mut self, p: &Path) {
        let depth = p.0.len().saturating_sub(1);
        if depth > MAX_PATH_DEPTH && self.error.is_none() {
            // Inferred wording (no captured example).
            self.error = Some(format!(
                "The document path has too many nesting levels; nesting levels: {depth}, maximum: {MAX_PATH_DEPTH}"
            ));
        }
    }

    fn operand(&mut self, o: &Operand) {
        match o {
            Operand::Path(p) => self.path(p),
            Operand::Value(_) => {}
            Operand::Size(a) => {
                self.operators += 1;
                self.operand(a);
            }
            Operand::IfNotExists(p, a) => {
                self.operators += 1;
                self.path(p);
                self.operand(a);
            }
            Operand::ListAppend(a, b) | Operand::Plus(a, b) | Operand::Minus(a, b) => {
                self.operators += 1;
                self.operand(a);
                self.operand(b);
            }
        }
    }

    fn condition(&mut self, c: &Condition) {
        self.operators += 1;
        match c {
            Condition::Compare { left, right, .. } => {
                self.operand(left);
                self.operand(right);
            }
            Condition::Between { operand, low, high } => {
                for o in [operand, low, high] {
                    self.operand(o);
                }
            }
            Condition::In { operand, list } => {
                if list.len() > MAX_IN_OPERANDS && self.error.is_none() {
                    // Inferred wording, modelled on DynamoDB's operand-count message.
                    self.error = Some(format!(
                        "Incorrect number of operands for operator or function; operator or function: IN, number of operands: {}",
                        list.len()
                    ));
                }
                self.operand(operand);
                for o in list {
                    self.operand(o);
                }
            }
            Condition::And(a, b) | Condition::Or(a, b) => {
                self.condition(a);
                self.condition(b);
            }
            Condition::Not(a) => self.condition(a),
            Condition::AttributeExists(p) | Condition::AttributeNotExists(p) => self.path(p),
            Condition::AttributeType(p, o) => {
                self.path(p);
                self.operand(o);
            }
            Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
                self.operand(a);
                self.operand(b);
            }
        }
    }

    fn finish(self, kind: ExprKind) -> Result<(), ExprError> {
        if let Some(e) = self.error {
            return Err(kind.error(e));
        }
        if self.operators > MAX_OPERATORS {
            // Confirmed from DynamoDB: aws-sdk-js#3721 ("Invalid FilterExpression:
            // The expression contains too many operators; operator count: 301").
            return Err(kind.error(format!(
                "The expression contains too many operators; operator count: {}",
                self.operators
            )));
        }
        Ok(())
    }
}

/// Number of operators and functions in a condition (comparators, `BETWEEN`,
/// `IN`, `AND`, `OR`, `NOT`, and each function call).
pub fn condition_operator_count(c: &Condition) -> usize {
    let mut l = Limits::default();
    l.condition(c);
    l.operators
}

/// Checks a condition against the operator, `IN` and path-depth limits.
pub fn check_condition_limits(kind: ExprKind, c: &Condition) -> Result<(), ExprError> {
    let mut l = Limits::default();
    l.condition(c);
    l.finish(kind)
}

/// Checks an update against the operator (`+`, `-`, functions) and path-depth limits.
pub fn check_update_limits(u: &UpdateExpr) -> Result<(), ExprError> {
    let mut l = Limits::default();
    for (p, v) in &u.set {
        l.path(p);
        l.operand(v);
    }
    for p in u
        .remove
        .iter()
        .chain(u.add.iter().map(|(p, _)| p))
        .chain(u.delete.iter().map(|(p, _)| p))
    {
        l.path(p);
    }
    l.finish(ExprKind::Update)
}

/// Checks projection paths against the path-depth limit.
pub fn check_projection_limits(paths: &[Path]) -> Result<(), ExprError> {
    let mut l = Limits::default();
    for p in paths {
        l.path(p);
    }
    l.finish(ExprKind::Projection)
}

/// Reduces a parsed condition to key conditions, or explains why it is not one.
///
/// Only the shape is checked here: `AND` of comparisons (`= < <= > >=`),
/// `BETWEEN` or `begins_with` each naming one top-level attribute against
/// value placeholders, at most one condition per attribute. Messages are
/// dynalite's `validations/query.js` (`checkExpr`), which it checks against
/// DynamoDB; `Invalid operator used in KeyConditionExpression: IN` and `: OR`
/// are also reported from real DynamoDB in public issue threads.
pub fn key_condition(c: &Condition) -> Result<KeyCondition, ExprError> {
    let mut parts = Vec::new();
    // These messages carry no "Invalid KeyConditionExpression: " prefix
    // (dynalite test/query.js; DynamoDB as quoted in public issues).
    key_walk(c, &mut parts).map_err(ExprError::new)?;
    Ok(KeyCondition(parts))
}

fn key_walk(c: &Condition, parts: &mut Vec<KeyPart>) -> Result<(), String> {
    let bad = |op: &str| {
        Err(format!(
            "Invalid operator used in KeyConditionExpression: {op}"
        ))
    };
    let (operands, first_must_be_key): (Vec<&Operand>, Option<&str>) = match c {
        Condition::And(a, b) => {
            key_walk(a, parts)?;
            return key_walk(b, parts);
        }
        Condition::Or(..) => return bad("OR"),
        Condition::Not(_) => return bad("NOT"),
        Condition::In { .. } => return bad("IN"),
        Condition::Compare {
            op: Comparator::Ne, ..
        } => return bad("<>"),
        Condition::AttributeExists(_) => return bad("attribute_exists"),
        Condition::AttributeNotExists(_) => return bad("attribute_not_exists"),
        Condition::AttributeType(..) => return bad("attribute_type"),
        Condition::Contains(..) => return bad("contains"),
        Condition::Compare { left, right, .. } => (vec![left, right], None),
        Condition::Between { operand, low, high } => (vec![operand, low, high], Some("BETWEEN")),
        Condition::BeginsWith(a, b) => (vec![a, b], Some("begins_with")),
    };
    if let Some(op) = first_must_be_key {
        if !matches!(operands.first(), Some(Operand::Path(_))) {
            return Err(format!(
                "Invalid condition in KeyConditionExpression: {op} operator must have the key attribute as its first operand"
            ));
        }
    }
    let mut attr: Option<(usize, &str)> = None;
    for (i, o) in operands.iter().enumerate() {
        match o {
            Operand::Path(p) => {
                if attr.is_some() {
                    return Err("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition".into());
                }
                if p.0.len() > 1 {
                    return Err(
                        "KeyConditionExpressions cannot have conditions on nested attributes"
                            .into(),
                    );
                }
                attr = Some((i, p.top()));
            }
            Operand::Value(_) => {}
            _ => return Err("KeyConditionExpressions cannot contain nested operations".into()),
        }
    }
    let Some((attr_ix, name)) = attr else {
        return Err(
            "Invalid condition in KeyConditionExpression: No key attribute specified".into(),
        );
    };
    if parts.iter().any(|p| p.attribute == name) {
        return Err("KeyConditionExpressions must only contain one condition per key".into());
    }
    let value = |ix: usize| match operands.get(ix) {
        Some(Operand::Value(v)) => v.clone(),
        _ => String::new(),
    };
    let test = match c {
        Condition::Compare { op, .. } if attr_ix == 0 => KeyTest::Compare(*op, value(1)),
        Condition::Compare { op, .. } => KeyTest::Compare(op.flipped(), value(0)),
        Condition::Between { .. } => KeyTest::Between(value(1), value(2)),
        _ => KeyTest::BeginsWith(value(1)),
    };
    parts.push(KeyPart {
        attribute: name.to_string(),
        test,
    });
    Ok(())
}

fn placeholder_key_ok(key: &str, sigil: char) -> bool {
    let mut chars = key.chars();
    chars.next() == Some(sigil)
        && key.len() > 1
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Validates the `ExpressionAttributeNames` map itself: key length, key
/// syntax (`#` then `[A-Za-z0-9_]+`), non-empty names. Keys are checked in
/// sorted order (DynamoDB's order is unknown); length before syntax.
///
/// Confirmed wording: ExtendDB
/// `tests/test_expression_attribute_map_validation.py` (captured from DynamoDB).
pub fn check_names_map(names: &HashMap<String, String>) -> Result<(), ExprError> {
    let mut keys: Vec<&String> = names.keys().collect();
    keys.sort();
    for key in keys {
        if key.len() > MAX_PLACEHOLDER_BYTES {
            return Err(ExprError::new(format!(
                "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: {}",
                key.len()
            )));
        }
        if !placeholder_key_ok(key, '#') {
            return Err(ExprError::new(format!(
                "ExpressionAttributeNames contains invalid key: Syntax error; key: \"{key}\""
            )));
        }
        if names.get(key).is_some_and(|v| v.is_empty()) {
            return Err(ExprError::new(format!(
                "ExpressionAttributeNames contains invalid value: Empty attribute name for key {key}"
            )));
        }
    }
    Ok(())
}

/// Validates the keys of `ExpressionAttributeValues` (`:` then
/// `[A-Za-z0-9_]+`, at most 255 bytes). The too-long message has no size
/// suffix, unlike the names map — a DynamoDB quirk. Confirmed wording: same
/// ExtendDB test file as [`check_names_map`].
pub fn check_value_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<(), ExprError> {
    let mut keys: Vec<&str> = keys.into_iter().collect();
    keys.sort_unstable();
    for key in keys {
        if key.len() > MAX_PLACEHOLDER_BYTES {
            return Err(ExprError::new(
                "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;",
            ));
        }
        if !placeholder_key_ok(key, ':') {
            return Err(ExprError::new(format!(
                "ExpressionAttributeValues contains invalid key: Syntax error; key: \"{key}\""
            )));
        }
    }
    Ok(())
}

/// The error for placeholders supplied but used by no expression of the
/// request: names first, then values; keys listed sorted, `", "`-separated.
///
/// Confirmed wording: EfficientDynamoDb#170 (`...ExpressionAttributeNames
/// unused in expressions: keys: {#f2}`), kestra plugin-aws#358 and
/// dynamodb-oop#29 (`keys: {:create_at_2_v1, :create_at_1_v1}` — DynamoDB's own
/// order there is not sorted; we sort for determinism).
pub fn check_unused<'a>(
    names: impl IntoIterator<Item = &'a str>,
    values: impl IntoIterator<Item = &'a str>,
    used_names: &BTreeSet<String>,
    used_values: &BTreeSet<String>,
) -> Result<(), ExprError> {
    for (what, keys, used) in [
        (
            "ExpressionAttributeNames",
            names.into_iter().collect::<BTreeSet<_>>(),
            used_names,
        ),
        (
            "ExpressionAttributeValues",
            values.into_iter().collect::<BTreeSet<_>>(),
            used_values,
        ),
    ] {
        let unused: Vec<&str> = keys.into_iter().filter(|k| !used.contains(*k)).collect();
        if !unused.is_empty() {
            return Err(ExprError::new(format!(
                "Value provided in {what} unused in expressions: keys: {{{}}}",
                unused.join(", ")
            )));
        }
    }
    Ok(())
}

/// The error for `BETWEEN` bounds in the wrong order, for the code that
/// knows the values (the evaluator; the key-condition compiler).
///
/// Confirmed wording: dynalite `checkBetweenArgs`.
pub fn between_bounds_message(
    kind: ExprKind,
    low: &AttributeValue,
    high: &AttributeValue,
) -> ExprError {
    kind.error(format!(
        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
        render(low),
        render(high)
    ))
}

/// DynamoDB's rendering of a scalar in the BETWEEN messages: `{N:5}`,
/// `{S:abc}`, `{B:YWJj}` (dynalite `checkBetweenArgs`: type, colon, the wire
/// text).
pub(crate) fn render(v: &AttributeValue) -> String {
    let text = match v {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.to_string(),
        AttributeValue::B(b) => base64::encode(b),
        AttributeValue::Bool(b) => b.to_string(),
        AttributeValue::Null => "true".to_string(),
        // Only S, N and B reach here (the operand type check comes first).
        _ => String::new(),
    };
    format!("{{{}:{text}}}", v.type_name())
}
