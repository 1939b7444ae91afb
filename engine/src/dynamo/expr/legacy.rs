//! DynamoDB's legacy (pre-expression) parameters — `Expected`,
//! `QueryFilter`/`ScanFilter`, `KeyConditions`, `AttributeUpdates`,
//! `AttributesToGet`, `ConditionalOperator` — translated into the expression
//! trees of [`crate::dynamo::expr`], so one evaluator serves both styles.
//!
//! Attribute names in legacy parameters are literal top-level names (no
//! `#placeholders`, no document paths): every [`Path`] built here has one
//! [`PathElem::Name`], even for a name containing `.` or `[`. Values go into
//! the caller's `ExpressionAttributeValues`-shaped map under fresh
//! placeholders `:legacy0`, `:legacy1`, ... (the first numbers not already
//! used there, so one map can collect `Expected` and `AttributeUpdates` of
//! the same UpdateItem). DynamoDB refuses requests that mix legacy and
//! expression parameters ([`check_not_mixed`]), so these never meet a
//! client's own placeholders. Every function validates all of its input
//! before it adds a value, so on error `values` is left as it was.
//!
//! # Sources
//!
//! - **API Reference**, `Condition`, `ExpectedAttributeValue`,
//!   `AttributeValueUpdate`, and **Developer Guide**,
//!   `LegacyConditionalParameters.Conditions.md` (what each operator means).
//! - **dynalite** `validations/index.js` (`validateAttributeConditions`,
//!   `validateConditions`), `validations/query.js`, `actions/updateItem.js`
//!   and `test/*.js`, whose validation tests were recorded against DynamoDB:
//!   the message texts, and which argument types each operator refuses.
//! - **DynamoDB Local** (AWS's emulator, decompiled: `InputConverter`,
//!   `DataPlaneFunction`, `LocalDBComparisonOperator`, `ErrorFactory`): the
//!   order of the `Expected` checks and the evaluation of each operator on a
//!   missing attribute.
//! - **ExtendDB** `tests/test_conditional_operator.py` (run against DynamoDB):
//!   the `ConditionalOperator` and mixing messages.
//!
//! # Semantics: legacy operator → condition
//!
//! `a` is the attribute, `:v`, `:lo`, `:hi`, `:v0`... its values.
//!
//! | Legacy | Condition | Why |
//! |---|---|---|
//! | `EQ`, `Value` (with `Exists` absent or true) | `a = :v` | Both are false on a missing attribute or another type; sets compare as sets, lists and maps by value (API Reference, `Condition`: "EQ is supported for all data types, including lists and maps"). DynamoDB Local compares *lists* ignoring order — a quirk of the emulator with no documented basis; not reproduced. |
//! | `NE` | `attribute_not_exists(a) OR a <> :v` | Legacy `NE` is true on a missing attribute (DynamoDB Local: `NE` = `!EQ`; dynalite: the same). Spelled out so the result does not depend on how `<>` treats a missing attribute. |
//! | `LE` `LT` `GE` `GT` | `a <= :v` ... | Same meaning; false when missing or of another type. |
//! | `BETWEEN` | `a BETWEEN :lo AND :hi` | Same meaning. |
//! | `IN` | `a IN (:v0, :v1, ...)` | "compared against an existing attribute" (API Reference): false when missing, as `IN`. Legacy has no 100-operand limit, and none is applied. |
//! | `BEGINS_WITH` | `begins_with(a, :v)` | Same meaning. |
//! | `CONTAINS` | `contains(a, :v)` | Substring of S, subsequence of B, member of a set or a list (API Reference). The evaluator's `contains` must accept a B haystack for the binary case. |
//! | `NOT_CONTAINS` | `attribute_exists(a) AND NOT contains(a, :v)` | DynamoDB Local returns false for a missing attribute (`if (value == null) return false`), unlike `NOT contains(...)` alone. dynalite disagrees (true); we follow AWS's emulator. |
//! | `NULL`, `Exists: false` | `attribute_not_exists(a)` | "tests for the nonexistence of an attribute, not its data type" (API Reference). |
//! | `NOT_NULL` | `attribute_exists(a)` | Same. |
//!
//! Several conditions combine with `AND` (the default) or `OR`, left to right
//! in attribute-name order.
//!
//! # Semantics: `AttributeUpdates` → update
//!
//! | Legacy | Update | Why |
//! |---|---|---|
//! | `PUT` (the default) | `SET a = :v` | Replaces or adds the attribute. |
//! | `DELETE` without a value | `REMOVE a` | Removes it; nothing happens when missing. |
//! | `DELETE` with a set | `DELETE a :v` | Set difference; an emptied set disappears; a missing attribute stays missing (dynalite test "should just add valid ADD actions if nothing exists"). |
//! | `ADD` a number or a set | `ADD a :v` | Same arithmetic/union, missing counts as 0/empty. |
//! | `ADD` a list | `SET a = list_append(if_not_exists(a, :empty), :v)` | Legacy `ADD` appends to a list (DynamoDB Local accepts `LIST` for `ADD`; dynalite `applyAttributeUpdates` concatenates), creating it when missing. |
//!
//! One difference cannot be expressed in a tree: on a type mismatch at apply
//! time (say `ADD` of a number to a string) legacy updates fail with "Type
//! mismatch for attribute to update", expression updates with "An operand in
//! the update expression has an incorrect data type". A caller wanting the
//! legacy text maps the evaluator's error.
//!
//! # Checks that need the table
//!
//! Left to the caller, which knows the key schema: that the partition key's
//! condition uses `EQ` ("Query key condition not supported"), that key
//! conditions name key attributes and match their types, that updates do
//! not touch key attributes, and that `QueryFilter` names no key attribute.

use std::collections::{BTreeMap, BTreeSet};

use crate::dynamo::api::{
    AttributeAction, AttributeValueUpdate, AttributeValues, ComparisonOperator,
    ConditionalOperator, ExpectedAttributeValue, LegacyCondition,
};
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::{
    Comparator, Condition, KeyCondition, KeyPart, KeyTest, Operand, Path, PathElem, UpdateExpr,
};
use crate::dynamo::items::value::{AttributeValue, INVALID_PARAMETER};
use crate::dynamo::tables::schema::MAX_INDEX_KEY_ATTRIBUTES;

#[cfg(test)]
#[path = "legacy_tests.rs"]
mod tests;

/// `Expected` + `ConditionalOperator` → a condition; `None` when `expected`
/// is empty (and no `ConditionalOperator` was given).
///
/// Values go into `values` under fresh `:legacyN` placeholders. Checks, for
/// each entry in DynamoDB Local's order (`InputConverter.validateExpectedAttribute`),
/// with the texts dynalite recorded from DynamoDB (`test/deleteItem.js`,
/// `test/updateItem.js`), each prefixed "One or more parameter values were
/// invalid: ":
///
/// 1. "Exists and ComparisonOperator cannot be used together for Attribute: a"
/// 2. "Value and AttributeValueList cannot be used together for Attribute: a"
/// 3. "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"
/// 4. "Value cannot be used when Exists is false for Attribute: a"
/// 5. "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a",
///    "Value must be provided when Exists is null for Attribute: a" (or `true`)
/// 6. the operator's arguments, as for filters (`Value` counts as a
///    one-element `AttributeValueList`). dynalite checks only the count, one
///    type and the `BETWEEN` order here; we also apply the per-operator type
///    check, as DynamoDB Local does (one routine for `Expected` and filters,
///    refusing sets outside `EQ`/`NE`) and as the API Reference's
///    `ExpectedAttributeValue` describes the same constraints as `Condition`.
///
/// The `ConditionalOperator` checks come first (see [`filter_to_condition`]).
pub fn expected_to_condition(
    expected: &BTreeMap<String, ExpectedAttributeValue>,
    op: Option<ConditionalOperator>,
    values: &mut AttributeValues,
) -> Result<Option<Condition>, DynamoError> {
    check_conditional_operator(op, expected.len())?;
    let tests = expected
        .iter()
        .map(|(name, e)| Ok((name.as_str(), expected_test(name, e)?)))
        .collect::<Result<Vec<_>, DynamoError>>()?;
    Ok(combine(tests, op, values))
}

/// `QueryFilter`/`ScanFilter` + `ConditionalOperator` → a filter condition;
/// `None` when `filter` is empty (and no `ConditionalOperator` was given).
///
/// `param` names the parameter (`"QueryFilter"` or `"ScanFilter"`) for
/// messages; none of DynamoDB's messages for the checks made here names it,
/// so it is reserved for those that will.
///
/// Checks, in order:
/// - `ConditionalOperator` without conditions: "ConditionalOperator cannot
///   be used without Filter or Expected"; with one: "ConditionalOperator can
///   only be used when Filter or Expected has two or more elements"
///   (ExtendDB, captured from DynamoDB; DynamoDB Local's `ErrorFactory`).
///   Checked before the conditions themselves — ExtendDB observed this rule
///   firing before other request checks; the relative order is inferred.
/// - each condition's arguments, as in dynalite `validateConditions`
///   (texts recorded from DynamoDB; prefix "One or more parameter values
///   were invalid: "):
///   - count (`NULL`/`NOT_NULL` none, `BETWEEN` two, `IN` at least one,
///     others one): "Invalid number of argument(s) for the EQ ComparisonOperator";
///   - "AttributeValues inside AttributeValueList must be of same type";
///   - type: "ComparisonOperator LT is not valid for SS AttributeValue type".
///     `EQ`/`NE` take any type; `LT` `LE` `GT` `GE` `IN` `BETWEEN` only S, N
///     or B; `BEGINS_WITH` S or B; `CONTAINS`/`NOT_CONTAINS` refuse sets,
///     maps and lists (dynalite's tests list exactly SS, NS, BS, M, L as
///     refused, and DynamoDB Local accepts every scalar, BOOL and NULL included);
///   - `BETWEEN` bounds in order: "The BETWEEN condition was provided a range
///     where the lower bound is greater than the upper bound" (no prefix).
pub fn filter_to_condition(
    param: &str,
    filter: &BTreeMap<String, LegacyCondition>,
    op: Option<ConditionalOperator>,
    values: &mut AttributeValues,
) -> Result<Option<Condition>, DynamoError> {
    // Reserved for messages naming the parameter; see the doc comment.
    let _ = param;
    check_conditional_operator(op, filter.len())?;
    let tests = filter
        .iter()
        .map(|(name, c)| Ok((name.as_str(), condition_test(c)?)))
        .collect::<Result<Vec<_>, DynamoError>>()?;
    Ok(combine(tests, op, values))
}

/// `KeyConditions` → a [`KeyCondition`] with one part per attribute, in
/// attribute-name order.
///
/// Checks, in dynalite's order (`validations/query.js`, then `db/index.js`
/// `queryTable`; texts recorded from DynamoDB):
/// 1. each condition's arguments, as for filters ([`filter_to_condition`]);
/// 2. one or two conditions: "Conditions can be of length 1 or 2 only" —
///    or, for a global index with a multi-attribute key, one per key
///    attribute: up to [`MAX_KEY_CONDITIONS`] here, and no more than the
///    queried key has attributes, which [`check_key_conditions_length`]
///    checks once the key is known;
/// 3. only `EQ`, `LE`, `LT`, `GE`, `GT`, `BEGINS_WITH` and `BETWEEN` (API
///    Reference, `Condition`): otherwise "Attempted conditional constraint
///    is not an indexable operation" (dynalite `test/query.js`, for `NULL`,
///    `NOT_NULL`, `NE`, `CONTAINS`, `NOT_CONTAINS` and `IN`).
///
/// Which attribute is the partition key, and that its condition is `EQ`, is
/// the caller's check against the key schema — as for a parsed
/// `KeyConditionExpression`.
pub fn key_conditions_to_key_condition(
    conds: &BTreeMap<String, LegacyCondition>,
    values: &mut AttributeValues,
) -> Result<KeyCondition, DynamoError> {
    let tests = conds
        .iter()
        .map(|(name, c)| Ok((name.as_str(), condition_test(c)?)))
        .collect::<Result<Vec<_>, DynamoError>>()?;
    if tests.is_empty() || tests.len() > MAX_KEY_CONDITIONS {
        return Err(key_conditions_length());
    }
    let mut keys = Vec::with_capacity(tests.len());
    for (name, test) in tests {
        let key = match test {
            Test::Compare(op, v) => KeyArg::Compare(op, v),
            Test::BeginsWith(v) => KeyArg::BeginsWith(v),
            Test::Between(lo, hi) => KeyArg::Between(lo, hi),
            Test::Ne(_)
            | Test::In(_)
            | Test::Contains(_)
            | Test::NotContains(_)
            | Test::Exists
            | Test::NotExists => {
                return Err(DynamoError::validation(
                    "Attempted conditional constraint is not an indexable operation",
                ))
            }
        };
        keys.push((name, key));
    }
    let mut ph = Placeholders::new(values);
    let parts = keys
        .into_iter()
        .map(|(name, key)| KeyPart {
            attribute: name.to_string(),
            test: match key {
                KeyArg::Compare(op, v) => KeyTest::Compare(op, ph.add(v)),
                KeyArg::BeginsWith(v) => KeyTest::BeginsWith(ph.add(v)),
                KeyArg::Between(lo, hi) => KeyTest::Between(ph.add(lo), ph.add(hi)),
            },
        })
        .collect();
    Ok(KeyCondition(parts))
}

/// The most `KeyConditions` a Query can need: one per attribute of a global
/// index key of four HASH and four RANGE attributes (DynamoDB accepts a
/// condition on each attribute of a multi-attribute key in `KeyConditions`
/// as in `KeyConditionExpression`).
pub const MAX_KEY_CONDITIONS: usize = 2 * MAX_INDEX_KEY_ATTRIBUTES;

fn key_conditions_length() -> DynamoError {
    DynamoError::validation("Conditions can be of length 1 or 2 only")
}

/// Refuses `KeyConditions` of `count` conditions on a key of `key_attributes`
/// attributes: more than two only where the key has more than two
/// attributes (a global index with a multi-attribute key), and never more
/// than it has. Which message DynamoDB gives past a multi-attribute key's
/// size is not written down; siltdb keeps the one it gives past two.
pub fn check_key_conditions_length(count: usize, key_attributes: usize) -> Result<(), DynamoError> {
    if count > 2 && count > key_attributes {
        return Err(key_conditions_length());
    }
    Ok(())
}

/// `AttributeUpdates` → an [`UpdateExpr`] (see the module docs for the
/// mapping); empty updates give an empty [`UpdateExpr`].
///
/// Checks, per entry in DynamoDB Local's order (`InputConverter.validateAttributeUpdates`),
/// texts from dynalite `test/updateItem.js` (recorded from DynamoDB), each
/// prefixed "One or more parameter values were invalid: ":
/// - no value and an action other than `DELETE`: "Only DELETE action is
///   allowed when no attribute value is specified";
/// - `DELETE` with a value that is not a set: "DELETE action with value is
///   not supported for the type S";
/// - `ADD` of anything but N, SS, NS, BS or L: "ADD action is not supported
///   for the type S".
pub fn attribute_updates_to_update(
    updates: &BTreeMap<String, AttributeValueUpdate>,
    values: &mut AttributeValues,
) -> Result<UpdateExpr, DynamoError> {
    let actions = updates
        .iter()
        .map(|(name, u)| Ok((name.as_str(), update_action(u)?)))
        .collect::<Result<Vec<_>, DynamoError>>()?;
    let mut ph = Placeholders::new(values);
    let mut out = UpdateExpr::default();
    for (name, action) in actions {
        let p = path(name);
        match action {
            Action::Put(v) => out.set.push((p, Operand::Value(ph.add(v)))),
            Action::Remove => out.remove.push(p),
            Action::DeleteFromSet(v) => out.delete.push((p, ph.add(v))),
            Action::Add(v) => out.add.push((p, ph.add(v))),
            Action::AppendToList(v) => {
                let empty = ph.add(&AttributeValue::L(Vec::new()));
                let list = Operand::IfNotExists(p.clone(), Box::new(Operand::Value(empty)));
                let appended =
                    Operand::ListAppend(Box::new(list), Box::new(Operand::Value(ph.add(v))));
                out.set.push((p, appended));
            }
        }
    }
    Ok(out)
}

/// `AttributesToGet` → the projection's paths, one top-level name each, in
/// the order given.
///
/// A repeated name fails with "One or more parameter values were invalid:
/// Duplicate value in attribute name: a" (dynalite `validations/query.js`
/// and `test/query.js`). An empty list breaks the API model's `min: 1` and
/// fails as DynamoDB's request validation reports it: "1 validation error
/// detected: Value '[]' at 'attributesToGet' failed to satisfy constraint:
/// Member must have length greater than or equal to 1" (dynalite
/// `checkValidations`).
pub fn attributes_to_get_to_projection(attrs: &[String]) -> Result<Vec<Path>, DynamoError> {
    if attrs.is_empty() {
        return Err(DynamoError::validation(
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy \
             constraint: Member must have length greater than or equal to 1",
        ));
    }
    let mut seen = BTreeSet::new();
    for a in attrs {
        if !seen.insert(a.as_str()) {
            return Err(invalid(format!("Duplicate value in attribute name: {a}")));
        }
    }
    Ok(attrs.iter().map(|a| path(a)).collect())
}

/// Refuses a request that carries both legacy and expression parameters.
///
/// `legacy` and `expression` name the parameters present, in the order
/// DynamoDB lists them for the operation (ExtendDB observed a fixed order per
/// API, e.g. "AttributesToGet, ScanFilter, ConditionalOperator" and
/// "ProjectionExpression, FilterExpression"). The message, captured from
/// DynamoDB by ExtendDB (`tests/test_conditional_operator.py`): "Can not use
/// both expression and non-expression parameters in the same request:
/// Non-expression parameters: {Expected} Expression parameters:
/// {ConditionExpression}". Note that Query's `KeyConditions` counts as
/// legacy only when `KeyConditionExpression` is present (same source); the
/// caller decides what to pass.
pub fn check_not_mixed(legacy: &[&str], expression: &[&str]) -> Result<(), DynamoError> {
    if legacy.is_empty() || expression.is_empty() {
        return Ok(());
    }
    Err(DynamoError::validation(format!(
        "Can not use both expression and non-expression parameters in the same request: \
         Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
        legacy.join(", "),
        expression.join(", ")
    )))
}

/// A legacy test on one attribute whose arguments passed validation; the
/// variants carry exactly the arguments their operator takes.
#[derive(Debug, Clone, Copy)]
enum Test<'a> {
    /// `EQ`, `LE`, `LT`, `GE`, `GT` (and `Value`).
    Compare(Comparator, &'a AttributeValue),
    /// `NE`.
    Ne(&'a AttributeValue),
    /// `IN`: at least one value.
    In(&'a [AttributeValue]),
    /// `BETWEEN`.
    Between(&'a AttributeValue, &'a AttributeValue),
    /// `BEGINS_WITH`.
    BeginsWith(&'a AttributeValue),
    /// `CONTAINS`.
    Contains(&'a AttributeValue),
    /// `NOT_CONTAINS`.
    NotContains(&'a AttributeValue),
    /// `NOT_NULL`.
    Exists,
    /// `NULL` (and `Exists: false`).
    NotExists,
}

/// The arguments of a key condition that may use the index.
enum KeyArg<'a> {
    Compare(Comparator, &'a AttributeValue),
    BeginsWith(&'a AttributeValue),
    Between(&'a AttributeValue, &'a AttributeValue),
}

/// A validated `AttributeUpdates` entry.
enum Action<'a> {
    Put(&'a AttributeValue),
    Remove,
    DeleteFromSet(&'a AttributeValue),
    Add(&'a AttributeValue),
    AppendToList(&'a AttributeValue),
}

/// Hands out fresh `:legacyN` placeholders, storing their values.
struct Placeholders<'a> {
    values: &'a mut AttributeValues,
    next: usize,
}

impl<'a> Placeholders<'a> {
    fn new(values: &'a mut AttributeValues) -> Self {
        // Starting at the map's size makes the numbers follow on from an
        // earlier call on the same map; the loop in `add` skips any taken.
        let next = values.len();
        Placeholders { values, next }
    }

    fn add(&mut self, value: &AttributeValue) -> String {
        loop {
            let key = format!(":legacy{}", self.next);
            self.next = self.next.wrapping_add(1);
            if !self.values.contains_key(&key) {
                self.values.insert(key.clone(), value.clone());
                return key;
            }
        }
    }
}

/// "One or more parameter values were invalid: <detail>".
fn invalid(detail: impl std::fmt::Display) -> DynamoError {
    DynamoError::validation(format!("{INVALID_PARAMETER}{detail}"))
}

/// The path of a top-level attribute named exactly `name`.
fn path(name: &str) -> Path {
    Path(vec![PathElem::Name(name.to_string())])
}

fn check_conditional_operator(
    op: Option<ConditionalOperator>,
    conditions: usize,
) -> Result<(), DynamoError> {
    match (op, conditions) {
        (Some(_), 0) => Err(DynamoError::validation(
            "ConditionalOperator cannot be used without Filter or Expected",
        )),
        (Some(_), 1) => Err(DynamoError::validation(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements",
        )),
        _ => Ok(()),
    }
}

/// Validates one `Expected` entry (order: see [`expected_to_condition`]).
fn expected_test<'a>(name: &str, e: &'a ExpectedAttributeValue) -> Result<Test<'a>, DynamoError> {
    if e.exists.is_some() && e.comparison_operator.is_some() {
        return Err(invalid(format!(
            "Exists and ComparisonOperator cannot be used together for Attribute: {name}"
        )));
    }
    if e.value.is_some() && e.attribute_value_list.is_some() {
        return Err(invalid(format!(
            "Value and AttributeValueList cannot be used together for Attribute: {name}"
        )));
    }
    match (e.comparison_operator, &e.value, &e.attribute_value_list) {
        (None, _, Some(_)) => Err(invalid(format!(
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
        ))),
        (Some(op), None, None) => {
            if op == ComparisonOperator::Null || op == ComparisonOperator::NotNull {
                check_arguments(op, &[])
            } else {
                Err(invalid(format!(
                    "Value or AttributeValueList must be used with ComparisonOperator: {} for Attribute: {name}",
                    op.as_str()
                )))
            }
        }
        (Some(op), Some(v), None) => check_arguments(op, std::slice::from_ref(v)),
        (Some(op), None, Some(list)) => check_arguments(op, list),
        // Both given: refused above; kept total without a panic.
        (Some(_), Some(_), Some(_)) => Err(invalid(format!(
            "Value and AttributeValueList cannot be used together for Attribute: {name}"
        ))),
        (None, value, None) => match (e.exists, value) {
            (Some(false), Some(_)) => Err(invalid(format!(
                "Value cannot be used when Exists is false for Attribute: {name}"
            ))),
            (Some(false), None) => Ok(Test::NotExists),
            (None, None) => Err(invalid(format!(
                "Value must be provided when Exists is null for Attribute: {name}"
            ))),
            (Some(true), None) => Err(invalid(format!(
                "Value must be provided when Exists is true for Attribute: {name}"
            ))),
            (_, Some(v)) => Ok(Test::Compare(Comparator::Eq, v)),
        },
    }
}

/// Validates one `Condition` of a filter or of `KeyConditions`.
fn condition_test(c: &LegacyCondition) -> Result<Test<'_>, DynamoError> {
    let args = c.attribute_value_list.as_deref().unwrap_or(&[]);
    check_arguments(c.comparison_operator, args)
}

/// Checks an operator's arguments (count, one type, types the operator
/// accepts, `BETWEEN` order; sources in [`filter_to_condition`]) and returns
/// them shaped for the operator.
fn check_arguments(
    op: ComparisonOperator,
    args: &[AttributeValue],
) -> Result<Test<'_>, DynamoError> {
    use ComparisonOperator as C;
    let test = match (op, args) {
        (C::Eq, [v]) => Test::Compare(Comparator::Eq, v),
        (C::Le, [v]) => Test::Compare(Comparator::Le, v),
        (C::Lt, [v]) => Test::Compare(Comparator::Lt, v),
        (C::Ge, [v]) => Test::Compare(Comparator::Ge, v),
        (C::Gt, [v]) => Test::Compare(Comparator::Gt, v),
        (C::Ne, [v]) => Test::Ne(v),
        (C::BeginsWith, [v]) => Test::BeginsWith(v),
        (C::Contains, [v]) => Test::Contains(v),
        (C::NotContains, [v]) => Test::NotContains(v),
        (C::Between, [lo, hi]) => Test::Between(lo, hi),
        (C::In, list) if !list.is_empty() => Test::In(list),
        (C::NotNull, []) => Test::Exists,
        (C::Null, []) => Test::NotExists,
        _ => {
            return Err(invalid(format!(
                "Invalid number of argument(s) for the {} ComparisonOperator",
                op.as_str()
            )))
        }
    };
    if let Some(first) = args.first() {
        if args.iter().any(|a| a.type_name() != first.type_name()) {
            return Err(invalid(
                "AttributeValues inside AttributeValueList must be of same type",
            ));
        }
    }
    for a in args {
        if !accepts(op, a) {
            return Err(invalid(format!(
                "ComparisonOperator {} is not valid for {} AttributeValue type",
                op.as_str(),
                a.type_name()
            )));
        }
    }
    if let Test::Between(lo, hi) = test {
        if greater(lo, hi) {
            return Err(DynamoError::validation(
                "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
            ));
        }
    }
    Ok(test)
}

/// Whether `op` takes an argument of `value`'s type.
fn accepts(op: ComparisonOperator, value: &AttributeValue) -> bool {
    use AttributeValue as V;
    use ComparisonOperator as C;
    let scalar = matches!(value, V::S(_) | V::N(_) | V::B(_));
    match op {
        C::Eq | C::Ne | C::Null | C::NotNull => true,
        C::Le | C::Lt | C::Ge | C::Gt | C::In | C::Between => scalar,
        C::BeginsWith => matches!(value, V::S(_) | V::B(_)),
        C::Contains | C::NotContains => scalar || matches!(value, V::Bool(_) | V::Null),
    }
}

/// `a > b` for two values of one of the ordered types S, N, B; false for
/// anything else (not reached: `BETWEEN` admits only those, of one type).
fn greater(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::S(x), AttributeValue::S(y)) => x > y,
        (AttributeValue::N(x), AttributeValue::N(y)) => x > y,
        (AttributeValue::B(x), AttributeValue::B(y)) => x > y,
        _ => false,
    }
}

/// The condition for one validated test on attribute `name`.
fn build(name: &str, test: Test<'_>, ph: &mut Placeholders<'_>) -> Condition {
    let attr = || Operand::Path(path(name));
    let mut value = |v: &AttributeValue| Operand::Value(ph.add(v));
    match test {
        Test::Compare(op, v) => Condition::Compare {
            left: attr(),
            op,
            right: value(v),
        },
        Test::Ne(v) => Condition::Or(
            Box::new(Condition::AttributeNotExists(path(name))),
            Box::new(Condition::Compare {
                left: attr(),
                op: Comparator::Ne,
                right: value(v),
            }),
        ),
        Test::In(list) => Condition::In {
            operand: attr(),
            list: list.iter().map(value).collect(),
        },
        Test::Between(lo, hi) => {
            let low = value(lo);
            let high = value(hi);
            Condition::Between {
                operand: attr(),
                low,
                high,
            }
        }
        Test::BeginsWith(v) => Condition::BeginsWith(attr(), value(v)),
        Test::Contains(v) => Condition::Contains(attr(), value(v)),
        Test::NotContains(v) => Condition::And(
            Box::new(Condition::AttributeExists(path(name))),
            Box::new(Condition::Not(Box::new(Condition::Contains(
                attr(),
                value(v),
            )))),
        ),
        Test::Exists => Condition::AttributeExists(path(name)),
        Test::NotExists => Condition::AttributeNotExists(path(name)),
    }
}

/// Builds every test and joins them with `op` (default `AND`), left to right.
fn combine(
    tests: Vec<(&str, Test<'_>)>,
    op: Option<ConditionalOperator>,
    values: &mut AttributeValues,
) -> Option<Condition> {
    let mut ph = Placeholders::new(values);
    let mut conds = tests
        .into_iter()
        .map(|(name, test)| build(name, test, &mut ph));
    let first = conds.next()?;
    Some(conds.fold(first, |acc, c| match op.unwrap_or_default() {
        ConditionalOperator::And => Condition::And(Box::new(acc), Box::new(c)),
        ConditionalOperator::Or => Condition::Or(Box::new(acc), Box::new(c)),
    }))
}

/// Validates one `AttributeUpdates` entry (order: see
/// [`attribute_updates_to_update`]).
fn update_action(u: &AttributeValueUpdate) -> Result<Action<'_>, DynamoError> {
    use AttributeValue as V;
    match (u.action.unwrap_or_default(), &u.value) {
        (AttributeAction::Delete, None) => Ok(Action::Remove),
        (_, None) => Err(invalid(
            "Only DELETE action is allowed when no attribute value is specified",
        )),
        (AttributeAction::Put, Some(v)) => Ok(Action::Put(v)),
        (AttributeAction::Delete, Some(v)) => match v {
            V::Ss(_) | V::Ns(_) | V::Bs(_) => Ok(Action::DeleteFromSet(v)),
            _ => Err(invalid(format!(
                "DELETE action with value is not supported for the type {}",
                v.type_name()
            ))),
        },
        (AttributeAction::Add, Some(v)) => match v {
            V::N(_) | V::Ss(_) | V::Ns(_) | V::Bs(_) => Ok(Action::Add(v)),
            V::L(_) => Ok(Action::AppendToList(v)),
            _ => Err(invalid(format!(
                "ADD action is not supported for the type {}",
                v.type_name()
            ))),
        },
    }
}
