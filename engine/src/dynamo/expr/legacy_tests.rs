//! Tests of the legacy-parameter translation: for every operator and action
//! the tree it becomes (through `Display`) and the values it adds, and every
//! validation message. Cases are tables of `(input, expected output)`; a
//! failing table reports all of its mismatches at once.
//!
//! Output format: the tree, then ` | ` and the added values in placeholder
//! order (`{S:x}` is `{"S": "x"}`), or `error: <message>`, or `none`.

use std::collections::BTreeMap;

use super::*;
use crate::dynamo::api::ComparisonOperator as C;
use crate::dynamo::items::number::Number;
use crate::dynamo::testutil::{n, s};

// ---- values -------------------------------------------------------------

fn b(x: &[u8]) -> AttributeValue {
    AttributeValue::B(x.to_vec())
}

fn ss(xs: &[&str]) -> AttributeValue {
    AttributeValue::Ss(xs.iter().map(|x| x.to_string()).collect())
}

fn ns(xs: &[&str]) -> AttributeValue {
    AttributeValue::Ns(
        xs.iter()
            .map(|x| Number::parse(x).expect("test number"))
            .collect(),
    )
}

fn bs(xs: &[&[u8]]) -> AttributeValue {
    AttributeValue::Bs(xs.iter().map(|x| x.to_vec()).collect())
}

fn l(xs: Vec<AttributeValue>) -> AttributeValue {
    AttributeValue::L(xs)
}

fn m(xs: Vec<(&str, AttributeValue)>) -> AttributeValue {
    AttributeValue::M(xs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn boolean(x: bool) -> AttributeValue {
    AttributeValue::Bool(x)
}

fn null() -> AttributeValue {
    AttributeValue::Null
}

/// One value of every type, for the type-check tables.
fn one_of_each() -> Vec<AttributeValue> {
    vec![
        s("x"),
        n("1"),
        b(b"x"),
        boolean(true),
        null(),
        ss(&["x"]),
        ns(&["1"]),
        bs(&[b"x"]),
        m(vec![]),
        l(vec![]),
    ]
}

fn show_value(v: &AttributeValue) -> String {
    let hex = |x: &[u8]| x.iter().map(|c| format!("{c:02x}")).collect::<String>();
    let join = |xs: Vec<String>| xs.join(",");
    match v {
        AttributeValue::S(x) => format!("{{S:{x}}}"),
        AttributeValue::N(x) => format!("{{N:{x}}}"),
        AttributeValue::B(x) => format!("{{B:{}}}", hex(x)),
        AttributeValue::Bool(x) => format!("{{BOOL:{x}}}"),
        AttributeValue::Null => "{NULL}".to_string(),
        AttributeValue::Ss(xs) => format!("{{SS:[{}]}}", join(xs.iter().cloned().collect())),
        AttributeValue::Ns(xs) => format!(
            "{{NS:[{}]}}",
            join(xs.iter().map(|x| x.to_string()).collect())
        ),
        AttributeValue::Bs(xs) => format!("{{BS:[{}]}}", join(xs.iter().map(|x| hex(x)).collect())),
        AttributeValue::L(xs) => format!("{{L:[{}]}}", join(xs.iter().map(show_value).collect())),
        AttributeValue::M(xs) => format!(
            "{{M:{{{}}}}}",
            join(
                xs.iter()
                    .map(|(k, v)| format!("{k}:{}", show_value(v)))
                    .collect()
            )
        ),
    }
}

// ---- inputs --------------------------------------------------------------

fn map<T>(entries: Vec<(&str, T)>) -> BTreeMap<String, T> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// A filter/key `Condition` with an `AttributeValueList`.
fn cond(op: ComparisonOperator, list: Vec<AttributeValue>) -> LegacyCondition {
    LegacyCondition {
        comparison_operator: op,
        attribute_value_list: Some(list),
    }
}

/// A filter/key `Condition` without an `AttributeValueList`.
fn cond0(op: ComparisonOperator) -> LegacyCondition {
    LegacyCondition {
        comparison_operator: op,
        attribute_value_list: None,
    }
}

/// `Expected` entry `{Value: v}`.
fn value(v: AttributeValue) -> ExpectedAttributeValue {
    ExpectedAttributeValue {
        value: Some(v),
        ..Default::default()
    }
}

/// `Expected` entry `{ComparisonOperator: op, AttributeValueList: list}`.
fn expect_op(op: ComparisonOperator, list: Vec<AttributeValue>) -> ExpectedAttributeValue {
    ExpectedAttributeValue {
        comparison_operator: Some(op),
        attribute_value_list: Some(list),
        ..Default::default()
    }
}

fn update(action: Option<AttributeAction>, v: Option<AttributeValue>) -> AttributeValueUpdate {
    AttributeValueUpdate { value: v, action }
}

// ---- rendering -----------------------------------------------------------

fn show_values(values: &AttributeValues) -> String {
    let mut keys: Vec<&String> = values.keys().collect();
    keys.sort_by_key(|k| (k.len(), k.as_str()));
    let shown: Vec<String> = keys
        .iter()
        .map(|k| format!("{k}={}", show_value(&values[*k])))
        .collect();
    if shown.is_empty() {
        String::new()
    } else {
        format!(" | {}", shown.join(", "))
    }
}

/// Renders a result; on error, also checks that it is a ValidationException
/// and that `values` was left empty.
fn show<T: std::fmt::Display>(r: Result<T, DynamoError>, values: &AttributeValues) -> String {
    match r {
        Ok(t) => format!("{t}{}", show_values(values)),
        Err(e) => {
            assert_eq!(e.name(), "ValidationException", "{e}");
            assert!(values.is_empty(), "values added before the error: {e}");
            format!("error: {}", e.message())
        }
    }
}

fn show_opt(r: Result<Option<Condition>, DynamoError>, values: &AttributeValues) -> String {
    match r {
        Ok(None) => "none".to_string(),
        Ok(Some(c)) => show(Ok::<_, DynamoError>(c), values),
        Err(e) => show(Err::<Condition, _>(e), values),
    }
}

fn expected(
    entries: Vec<(&str, ExpectedAttributeValue)>,
    op: Option<ConditionalOperator>,
) -> String {
    let mut values = AttributeValues::new();
    let r = expected_to_condition(&map(entries), op, &mut values);
    show_opt(r, &values)
}

fn filter(entries: Vec<(&str, LegacyCondition)>, op: Option<ConditionalOperator>) -> String {
    let mut values = AttributeValues::new();
    let r = filter_to_condition("ScanFilter", &map(entries), op, &mut values);
    show_opt(r, &values)
}

fn key(entries: Vec<(&str, LegacyCondition)>) -> String {
    let mut values = AttributeValues::new();
    let r = key_conditions_to_key_condition(&map(entries), &mut values);
    show(r, &values)
}

fn updates(entries: Vec<(&str, AttributeValueUpdate)>) -> String {
    let mut values = AttributeValues::new();
    let r = attribute_updates_to_update(&map(entries), &mut values);
    show(r, &values)
}

/// Compares every `(got, want)` and fails once, listing all mismatches.
fn check(cases: Vec<(String, &str)>) -> usize {
    let mut bad = Vec::new();
    for (i, (got, want)) in cases.iter().enumerate() {
        if got != want {
            bad.push(format!("case {i}:\n  got:  {got}\n  want: {want}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
    cases.len()
}

const P: &str = "One or more parameter values were invalid: ";

// ---- Expected ------------------------------------------------------------

#[test]
fn expected_operators() {
    use ConditionalOperator::{And, Or};
    check(vec![
        (expected(vec![], None), "none"),
        (
            expected(vec![("a", value(s("x")))], None),
            "a = :legacy0 | :legacy0={S:x}",
        ),
        (
            expected(
                vec![(
                    "a",
                    ExpectedAttributeValue {
                        value: Some(n("5")),
                        exists: Some(true),
                        ..Default::default()
                    },
                )],
                None,
            ),
            "a = :legacy0 | :legacy0={N:5}",
        ),
        (
            expected(
                vec![(
                    "a",
                    ExpectedAttributeValue {
                        exists: Some(false),
                        ..Default::default()
                    },
                )],
                None,
            ),
            "attribute_not_exists(a)",
        ),
        (
            expected(
                vec![(
                    "a",
                    ExpectedAttributeValue {
                        value: Some(s("x")),
                        comparison_operator: Some(C::Eq),
                        ..Default::default()
                    },
                )],
                None,
            ),
            "a = :legacy0 | :legacy0={S:x}",
        ),
        (
            expected(vec![("a", expect_op(C::Eq, vec![ss(&["b", "a"])]))], None),
            "a = :legacy0 | :legacy0={SS:[a,b]}",
        ),
        (
            expected(
                vec![("a", expect_op(C::Eq, vec![l(vec![s("x"), n("1")])]))],
                None,
            ),
            "a = :legacy0 | :legacy0={L:[{S:x},{N:1}]}",
        ),
        (
            expected(vec![("a", expect_op(C::Ne, vec![s("x")]))], None),
            "attribute_not_exists(a) OR a <> :legacy0 | :legacy0={S:x}",
        ),
        (
            expected(vec![("a", expect_op(C::Le, vec![n("1")]))], None),
            "a <= :legacy0 | :legacy0={N:1}",
        ),
        (
            expected(vec![("a", expect_op(C::Lt, vec![n("1")]))], None),
            "a < :legacy0 | :legacy0={N:1}",
        ),
        (
            expected(vec![("a", expect_op(C::Ge, vec![s("m")]))], None),
            "a >= :legacy0 | :legacy0={S:m}",
        ),
        (
            expected(vec![("a", expect_op(C::Gt, vec![b(b"\x01")]))], None),
            "a > :legacy0 | :legacy0={B:01}",
        ),
        (
            expected(vec![("a", expect_op(C::Between, vec![n("1"), n("9")]))], None),
            "a BETWEEN :legacy0 AND :legacy1 | :legacy0={N:1}, :legacy1={N:9}",
        ),
        (
            expected(
                vec![("a", expect_op(C::In, vec![s("x"), s("y"), s("z")]))],
                None,
            ),
            "a IN (:legacy0, :legacy1, :legacy2) | :legacy0={S:x}, :legacy1={S:y}, :legacy2={S:z}",
        ),
        (
            expected(vec![("a", expect_op(C::BeginsWith, vec![s("pre")]))], None),
            "begins_with(a, :legacy0) | :legacy0={S:pre}",
        ),
        (
            expected(vec![("a", expect_op(C::Contains, vec![s("x")]))], None),
            "contains(a, :legacy0) | :legacy0={S:x}",
        ),
        (
            expected(vec![("a", expect_op(C::NotContains, vec![s("x")]))], None),
            "attribute_exists(a) AND (NOT contains(a, :legacy0)) | :legacy0={S:x}",
        ),
        (
            expected(vec![("a", expect_op(C::Null, vec![]))], None),
            "attribute_not_exists(a)",
        ),
        (
            expected(
                vec![(
                    "a",
                    ExpectedAttributeValue {
                        comparison_operator: Some(C::NotNull),
                        ..Default::default()
                    },
                )],
                None,
            ),
            "attribute_exists(a)",
        ),
        // Several entries: attribute-name order, AND by default.
        (
            expected(vec![("b", value(n("2"))), ("a", value(n("1")))], None),
            "a = :legacy0 AND b = :legacy1 | :legacy0={N:1}, :legacy1={N:2}",
        ),
        (
            expected(
                vec![
                    ("a", value(n("1"))),
                    ("b", expect_op(C::Null, vec![])),
                    ("c", expect_op(C::Ne, vec![n("3")])),
                ],
                Some(And),
            ),
            "(a = :legacy0 AND attribute_not_exists(b)) AND (attribute_not_exists(c) OR c <> :legacy1) \
             | :legacy0={N:1}, :legacy1={N:3}",
        ),
        (
            expected(
                vec![("a", value(n("1"))), ("b", value(n("2")))],
                Some(Or),
            ),
            "a = :legacy0 OR b = :legacy1 | :legacy0={N:1}, :legacy1={N:2}",
        ),
        // Names are literal: dots, brackets, reserved words and spaces stay
        // one top-level name.
        (
            expected(vec![("a.b[1]", value(s("x")))], None),
            "\"a.b[1]\" = :legacy0 | :legacy0={S:x}",
        ),
        (
            expected(vec![("status", expect_op(C::Null, vec![]))], None),
            "attribute_not_exists(\"status\")",
        ),
    ]);
}

#[test]
fn expected_errors() {
    let e = |exists: Option<bool>,
             v: Option<AttributeValue>,
             op: Option<ComparisonOperator>,
             list: Option<Vec<AttributeValue>>| {
        expected(
            vec![(
                "a",
                ExpectedAttributeValue {
                    value: v,
                    exists,
                    comparison_operator: op,
                    attribute_value_list: list,
                },
            )],
            None,
        )
    };
    let cases = vec![
        (
            e(Some(true), None, Some(C::Lt), None),
            "Exists and ComparisonOperator cannot be used together for Attribute: a",
        ),
        (
            e(Some(false), None, Some(C::Null), None),
            "Exists and ComparisonOperator cannot be used together for Attribute: a",
        ),
        (
            e(None, Some(s("a")), None, Some(vec![])),
            "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        (
            e(None, Some(s("a")), Some(C::Eq), Some(vec![s("a")])),
            "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        (
            e(None, None, None, Some(vec![])),
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
        (
            e(Some(true), None, None, Some(vec![])),
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
        (
            e(Some(false), Some(s("a")), None, None),
            "Value cannot be used when Exists is false for Attribute: a",
        ),
        (
            e(None, None, None, None),
            "Value must be provided when Exists is null for Attribute: a",
        ),
        (
            e(Some(true), None, None, None),
            "Value must be provided when Exists is true for Attribute: a",
        ),
        (
            e(None, None, Some(C::Lt), None),
            "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a",
        ),
        (
            e(None, None, Some(C::BeginsWith), None),
            "Value or AttributeValueList must be used with ComparisonOperator: BEGINS_WITH for Attribute: a",
        ),
        (
            e(None, Some(s("a")), Some(C::Between), None),
            "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            e(None, Some(s("a")), Some(C::Null), None),
            "Invalid number of argument(s) for the NULL ComparisonOperator",
        ),
        (
            e(None, None, Some(C::Eq), Some(vec![])),
            "Invalid number of argument(s) for the EQ ComparisonOperator",
        ),
        (
            e(None, None, Some(C::In), Some(vec![])),
            "Invalid number of argument(s) for the IN ComparisonOperator",
        ),
        (
            e(None, None, Some(C::In), Some(vec![s("b"), n("1")])),
            "AttributeValues inside AttributeValueList must be of same type",
        ),
        (
            e(None, None, Some(C::Lt), Some(vec![ss(&["a"])])),
            "ComparisonOperator LT is not valid for SS AttributeValue type",
        ),
    ];
    let mut table: Vec<(String, String)> = cases
        .into_iter()
        .map(|(got, msg)| (got, format!("error: {P}{msg}")))
        .collect();
    // The BETWEEN order message has no prefix.
    table.push((
        e(None, None, Some(C::Between), Some(vec![s("b"), s("a")])),
        "error: The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
            .to_string(),
    ));
    check(table.iter().map(|(g, w)| (g.clone(), w.as_str())).collect());
}

#[test]
fn conditional_operator_needs_two_conditions() {
    use ConditionalOperator::{And, Or};
    let without = "error: ConditionalOperator cannot be used without Filter or Expected";
    let one = "error: ConditionalOperator can only be used when Filter or Expected has two or more elements";
    check(vec![
        (expected(vec![], Some(And)), without),
        (expected(vec![], Some(Or)), without),
        (expected(vec![("a", value(s("x")))], Some(And)), one),
        (filter(vec![], Some(Or)), without),
        (filter(vec![("a", cond0(C::Null))], Some(Or)), one),
        // Checked before the entries themselves.
        (
            expected(vec![("a", ExpectedAttributeValue::default())], Some(Or)),
            one,
        ),
    ]);
}

// ---- QueryFilter / ScanFilter ---------------------------------------------

#[test]
fn filter_operators() {
    use ConditionalOperator::Or;
    check(vec![
        (filter(vec![], None), "none"),
        (
            filter(vec![("a", cond(C::Eq, vec![m(vec![("k", s("v"))])]))], None),
            "a = :legacy0 | :legacy0={M:{k:{S:v}}}",
        ),
        (
            filter(vec![("a", cond(C::Eq, vec![null()]))], None),
            "a = :legacy0 | :legacy0={NULL}",
        ),
        (
            filter(vec![("a", cond(C::Ne, vec![ns(&["2", "1"])]))], None),
            "attribute_not_exists(a) OR a <> :legacy0 | :legacy0={NS:[1,2]}",
        ),
        (
            filter(vec![("a", cond(C::Ne, vec![boolean(false)]))], None),
            "attribute_not_exists(a) OR a <> :legacy0 | :legacy0={BOOL:false}",
        ),
        (
            filter(vec![("a", cond(C::Le, vec![s("x")]))], None),
            "a <= :legacy0 | :legacy0={S:x}",
        ),
        (
            filter(vec![("a", cond(C::Lt, vec![b(b"ab")]))], None),
            "a < :legacy0 | :legacy0={B:6162}",
        ),
        (
            filter(vec![("a", cond(C::Ge, vec![n("-1.5")]))], None),
            "a >= :legacy0 | :legacy0={N:-1.5}",
        ),
        (
            filter(vec![("a", cond(C::Gt, vec![n("1e3")]))], None),
            "a > :legacy0 | :legacy0={N:1000}",
        ),
        (
            filter(vec![("a", cond(C::Between, vec![s("a"), s("a")]))], None),
            "a BETWEEN :legacy0 AND :legacy1 | :legacy0={S:a}, :legacy1={S:a}",
        ),
        (
            filter(vec![("a", cond(C::Between, vec![n("-10"), n("2")]))], None),
            "a BETWEEN :legacy0 AND :legacy1 | :legacy0={N:-10}, :legacy1={N:2}",
        ),
        (
            filter(vec![("a", cond(C::In, vec![n("1")]))], None),
            "a IN (:legacy0) | :legacy0={N:1}",
        ),
        (
            filter(vec![("a", cond(C::BeginsWith, vec![b(b"\xff")]))], None),
            "begins_with(a, :legacy0) | :legacy0={B:ff}",
        ),
        (
            filter(vec![("a", cond(C::Contains, vec![n("3")]))], None),
            "contains(a, :legacy0) | :legacy0={N:3}",
        ),
        (
            filter(vec![("a", cond(C::Contains, vec![boolean(true)]))], None),
            "contains(a, :legacy0) | :legacy0={BOOL:true}",
        ),
        (
            filter(vec![("a", cond(C::NotContains, vec![null()]))], None),
            "attribute_exists(a) AND (NOT contains(a, :legacy0)) | :legacy0={NULL}",
        ),
        (
            filter(vec![("a", cond0(C::Null))], None),
            "attribute_not_exists(a)",
        ),
        (
            filter(vec![("a", cond(C::NotNull, vec![]))], None),
            "attribute_exists(a)",
        ),
        (
            filter(
                vec![
                    ("x", cond(C::NotContains, vec![s("q")])),
                    ("y", cond0(C::NotNull)),
                ],
                Some(Or),
            ),
            "(attribute_exists(x) AND (NOT contains(x, :legacy0))) OR attribute_exists(y) \
             | :legacy0={S:q}",
        ),
    ]);
}

#[test]
fn filter_argument_counts() {
    let msg = |op: &str| {
        format!("error: {P}Invalid number of argument(s) for the {op} ComparisonOperator")
    };
    let mut cases = Vec::new();
    let one = [
        C::Eq,
        C::Ne,
        C::Le,
        C::Lt,
        C::Ge,
        C::Gt,
        C::Contains,
        C::NotContains,
        C::BeginsWith,
    ];
    for op in one {
        cases.push((filter(vec![("a", cond0(op))], None), msg(op.as_str())));
        cases.push((
            filter(vec![("a", cond(op, vec![s("a"), s("a")]))], None),
            msg(op.as_str()),
        ));
    }
    for op in [C::Null, C::NotNull] {
        cases.push((
            filter(vec![("a", cond(op, vec![s("a")]))], None),
            msg(op.as_str()),
        ));
    }
    cases.push((filter(vec![("a", cond(C::In, vec![]))], None), msg("IN")));
    cases.push((filter(vec![("a", cond0(C::Between))], None), msg("BETWEEN")));
    cases.push((
        filter(vec![("a", cond(C::Between, vec![s("a")]))], None),
        msg("BETWEEN"),
    ));
    cases.push((
        filter(
            vec![("a", cond(C::Between, vec![s("a"), s("b"), s("c")]))],
            None,
        ),
        msg("BETWEEN"),
    ));
    // The first bad entry in name order is reported.
    cases.push((
        filter(
            vec![("b", cond0(C::Eq)), ("a", cond(C::Null, vec![s("x")]))],
            None,
        ),
        msg("NULL"),
    ));
    let n = check(cases.iter().map(|(g, w)| (g.clone(), w.as_str())).collect());
    assert_eq!(n, 25);
}

#[test]
fn filter_argument_types() {
    // Which types each operator accepts (dynalite's recorded tests refuse
    // exactly the others).
    let table: [(ComparisonOperator, &[&str]); 11] = [
        (
            C::Eq,
            &["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "M", "L"],
        ),
        (
            C::Ne,
            &["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "M", "L"],
        ),
        (C::Le, &["S", "N", "B"]),
        (C::Lt, &["S", "N", "B"]),
        (C::Ge, &["S", "N", "B"]),
        (C::Gt, &["S", "N", "B"]),
        (C::In, &["S", "N", "B"]),
        (C::BeginsWith, &["S", "B"]),
        (C::Contains, &["S", "N", "B", "BOOL", "NULL"]),
        (C::NotContains, &["S", "N", "B", "BOOL", "NULL"]),
        (C::Between, &["S", "N", "B"]),
    ];
    let mut cases = Vec::new();
    for (op, ok) in table {
        for v in one_of_each() {
            let t = v.type_name();
            let list = if op == C::Between {
                vec![v.clone(), v.clone()]
            } else {
                vec![v.clone()]
            };
            let got = filter(vec![("a", cond(op, list))], None);
            let refused = format!(
                "error: {P}ComparisonOperator {} is not valid for {t} AttributeValue type",
                op.as_str()
            );
            let want_refused = !ok.contains(&t);
            assert_eq!(
                got == refused,
                want_refused,
                "{} with {t}: {got}",
                op.as_str()
            );
            assert_eq!(got.starts_with("error"), want_refused, "{got}");
            cases.push(got);
        }
    }
    assert_eq!(cases.len(), 110);
}

#[test]
fn filter_list_checks() {
    check(vec![
        (
            filter(vec![("a", cond(C::In, vec![s("x"), n("1")]))], None),
            "error: One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type",
        ),
        // Same type is checked before the operator's types.
        (
            filter(vec![("a", cond(C::In, vec![ss(&["x"]), n("1")]))], None),
            "error: One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type",
        ),
        (
            filter(vec![("a", cond(C::In, vec![ss(&["x"]), ss(&["y"])]))], None),
            "error: One or more parameter values were invalid: ComparisonOperator IN is not valid for SS AttributeValue type",
        ),
        (
            filter(vec![("a", cond(C::Between, vec![n("2"), s("1")]))], None),
            "error: One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type",
        ),
        (
            filter(vec![("a", cond(C::Between, vec![n("10"), n("9")]))], None),
            "error: The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
        ),
        (
            filter(vec![("a", cond(C::Between, vec![s("b"), s("a")]))], None),
            "error: The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
        ),
        (
            filter(vec![("a", cond(C::Between, vec![b(b"\x80"), b(b"\x7f")]))], None),
            "error: The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
        ),
        // Numbers order numerically, not as text.
        (
            filter(vec![("a", cond(C::Between, vec![n("9"), n("10")]))], None),
            "a BETWEEN :legacy0 AND :legacy1 | :legacy0={N:9}, :legacy1={N:10}",
        ),
    ]);
}

// ---- KeyConditions --------------------------------------------------------

#[test]
fn key_conditions() {
    let not_indexable = "error: Attempted conditional constraint is not an indexable operation";
    let length = "error: Conditions can be of length 1 or 2 only";
    check(vec![
        (
            key(vec![("pk", cond(C::Eq, vec![s("k")]))]),
            "pk = :legacy0 | :legacy0={S:k}",
        ),
        (
            key(vec![
                ("pk", cond(C::Eq, vec![s("k")])),
                ("sk", cond(C::Between, vec![n("1"), n("5")])),
            ]),
            "pk = :legacy0 AND sk BETWEEN :legacy1 AND :legacy2 \
             | :legacy0={S:k}, :legacy1={N:1}, :legacy2={N:5}",
        ),
        (
            key(vec![
                ("pk", cond(C::Eq, vec![s("k")])),
                ("sk", cond(C::BeginsWith, vec![s("2024-")])),
            ]),
            "pk = :legacy0 AND begins_with(sk, :legacy1) | :legacy0={S:k}, :legacy1={S:2024-}",
        ),
        (
            key(vec![("a", cond(C::Le, vec![n("1")]))]),
            "a <= :legacy0 | :legacy0={N:1}",
        ),
        (
            key(vec![("a", cond(C::Lt, vec![n("1")]))]),
            "a < :legacy0 | :legacy0={N:1}",
        ),
        (
            key(vec![("a", cond(C::Ge, vec![b(b"z")]))]),
            "a >= :legacy0 | :legacy0={B:7a}",
        ),
        (
            key(vec![("a", cond(C::Gt, vec![s("z")]))]),
            "a > :legacy0 | :legacy0={S:z}",
        ),
        // Names in name order, whatever their role.
        (
            key(vec![
                ("zz", cond(C::Eq, vec![s("k")])),
                ("aa", cond(C::Gt, vec![n("0")])),
            ]),
            "aa > :legacy0 AND zz = :legacy1 | :legacy0={N:0}, :legacy1={S:k}",
        ),
        (key(vec![]), length),
        // More than two: one per attribute of a multi-attribute index key
        // (checked against the key once it is known), up to eight.
        (
            key(vec![
                ("a", cond(C::Eq, vec![s("k")])),
                ("b", cond(C::Eq, vec![s("k")])),
                ("c", cond(C::Gt, vec![s("k")])),
            ]),
            "a = :legacy0 AND b = :legacy1 AND c > :legacy2 \
             | :legacy0={S:k}, :legacy1={S:k}, :legacy2={S:k}",
        ),
        (
            key(
                ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
                    .into_iter()
                    .map(|a| (a, cond(C::Eq, vec![s("k")])))
                    .collect(),
            ),
            length,
        ),
        (key(vec![("a", cond0(C::Null))]), not_indexable),
        (key(vec![("a", cond0(C::NotNull))]), not_indexable),
        (key(vec![("a", cond(C::Ne, vec![n("1")]))]), not_indexable),
        (key(vec![("a", cond(C::Contains, vec![s("a")]))]), not_indexable),
        (key(vec![("a", cond(C::NotContains, vec![s("a")]))]), not_indexable),
        (key(vec![("a", cond(C::In, vec![s("a")]))]), not_indexable),
        (
            key(vec![
                ("pk", cond(C::Eq, vec![s("k")])),
                ("sk", cond(C::In, vec![s("a")])),
            ]),
            not_indexable,
        ),
        // Arguments are checked before the number of conditions and the
        // operators.
        (
            key(vec![
                ("a", cond0(C::Eq)),
                ("b", cond0(C::Null)),
                ("c", cond0(C::Null)),
            ]),
            "error: One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator",
        ),
        (
            key(vec![("a", cond(C::BeginsWith, vec![n("1")]))]),
            "error: One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type",
        ),
        (
            key(vec![("a", cond(C::Le, vec![ss(&["a"])]))]),
            "error: One or more parameter values were invalid: ComparisonOperator LE is not valid for SS AttributeValue type",
        ),
    ]);
}

// ---- AttributeUpdates -----------------------------------------------------

#[test]
fn attribute_updates() {
    use AttributeAction::{Add, Delete, Put};
    check(vec![
        (updates(vec![]), ""),
        (
            updates(vec![("a", update(Some(Put), Some(s("x"))))]),
            "SET a = :legacy0 | :legacy0={S:x}",
        ),
        (
            updates(vec![("a", update(None, Some(m(vec![("k", n("1"))]))))]),
            "SET a = :legacy0 | :legacy0={M:{k:{N:1}}}",
        ),
        (updates(vec![("a", update(Some(Delete), None))]), "REMOVE a"),
        (
            updates(vec![("a", update(Some(Delete), Some(ss(&["x", "y"]))))]),
            "DELETE a :legacy0 | :legacy0={SS:[x,y]}",
        ),
        (
            updates(vec![("a", update(Some(Delete), Some(bs(&[b"\x01"]))))]),
            "DELETE a :legacy0 | :legacy0={BS:[01]}",
        ),
        (
            updates(vec![("a", update(Some(Add), Some(n("-3"))))]),
            "ADD a :legacy0 | :legacy0={N:-3}",
        ),
        (
            updates(vec![("a", update(Some(Add), Some(ns(&["1", "2"]))))]),
            "ADD a :legacy0 | :legacy0={NS:[1,2]}",
        ),
        (
            updates(vec![("a", update(Some(Add), Some(l(vec![s("x")]))))]),
            "SET a = list_append(if_not_exists(a, :legacy0), :legacy1) \
             | :legacy0={L:[]}, :legacy1={L:[{S:x}]}",
        ),
        (
            updates(vec![
                ("e", update(Some(Delete), Some(ns(&["7"])))),
                ("d", update(Some(Add), Some(n("1")))),
                ("c", update(Some(Delete), None)),
                ("b", update(Some(Add), Some(l(vec![])))),
                ("a", update(None, Some(boolean(true)))),
                ("a.b", update(Some(Put), Some(null()))),
            ]),
            "SET a = :legacy0, \"a.b\" = :legacy1, b = list_append(if_not_exists(b, :legacy2), :legacy3) \
             REMOVE c ADD d :legacy4 DELETE e :legacy5 \
             | :legacy0={BOOL:true}, :legacy1={NULL}, :legacy2={L:[]}, :legacy3={L:[]}, \
             :legacy4={N:1}, :legacy5={NS:[7]}",
        ),
    ]);
}

#[test]
fn attribute_update_errors() {
    use AttributeAction::{Add, Delete, Put};
    let no_value =
        format!("error: {P}Only DELETE action is allowed when no attribute value is specified");
    let mut cases = vec![
        (updates(vec![("a", update(None, None))]), no_value.clone()),
        (
            updates(vec![("a", update(Some(Put), None))]),
            no_value.clone(),
        ),
        (
            updates(vec![("a", update(Some(Add), None))]),
            no_value.clone(),
        ),
        // A bad entry anywhere fails the whole map before any value is added.
        (
            updates(vec![
                ("a", update(Some(Put), Some(s("x")))),
                ("b", update(Some(Add), None)),
            ]),
            no_value,
        ),
    ];
    for v in [
        s("1"),
        n("1"),
        b(b"b"),
        null(),
        boolean(true),
        m(vec![]),
        l(vec![]),
    ] {
        let t = v.type_name();
        cases.push((
            updates(vec![("a", update(Some(Delete), Some(v)))]),
            format!("error: {P}DELETE action with value is not supported for the type {t}"),
        ));
    }
    for v in [s("1"), b(b"b"), null(), boolean(true), m(vec![])] {
        let t = v.type_name();
        cases.push((
            updates(vec![("a", update(Some(Add), Some(v)))]),
            format!("error: {P}ADD action is not supported for the type {t}"),
        ));
    }
    let n = check(cases.iter().map(|(g, w)| (g.clone(), w.as_str())).collect());
    assert_eq!(n, 16);
}

// ---- placeholders -----------------------------------------------------------

#[test]
fn placeholders_continue_in_a_shared_map() {
    // UpdateItem with Expected and AttributeUpdates: one map for both.
    let mut values = AttributeValues::new();
    let c = expected_to_condition(&map(vec![("a", value(s("x")))]), None, &mut values)
        .expect("valid")
        .expect("some");
    let upd =
        attribute_updates_to_update(&map(vec![("b", update(None, Some(n("1"))))]), &mut values)
            .expect("valid");
    assert_eq!(c.to_string(), "a = :legacy0");
    assert_eq!(upd.to_string(), "SET b = :legacy1");
    assert_eq!(show_values(&values), " | :legacy0={S:x}, :legacy1={N:1}");

    // Taken names are skipped.
    let mut values: AttributeValues = [(":legacy1".to_string(), s("taken"))].into();
    let key = key_conditions_to_key_condition(
        &map(vec![("a", cond(C::Between, vec![n("1"), n("2")]))]),
        &mut values,
    )
    .expect("valid");
    assert_eq!(key.to_string(), "a BETWEEN :legacy2 AND :legacy3");
    assert_eq!(values[":legacy1"], s("taken"));
    assert_eq!(values.len(), 3);
}

#[test]
fn paths_are_single_literal_names() {
    let mut values = AttributeValues::new();
    let c = filter_to_condition(
        "QueryFilter",
        &map(vec![("a.b[0]", cond(C::Eq, vec![s("x")]))]),
        None,
        &mut values,
    )
    .expect("valid")
    .expect("some");
    let Condition::Compare { left, .. } = c else {
        panic!("not a comparison: {c}");
    };
    assert_eq!(
        left,
        Operand::Path(Path(vec![PathElem::Name("a.b[0]".to_string())]))
    );
}

// ---- AttributesToGet and mixing -----------------------------------------------

#[test]
fn attributes_to_get() {
    let proj = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|x| x.to_string()).collect();
        match attributes_to_get_to_projection(&names) {
            Ok(paths) => paths
                .iter()
                .map(|p| format!("{p}/{}", p.0.len()))
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => format!("error: {}", e.message()),
        }
    };
    check(vec![
        (proj(&["b", "a", "c.d"]), "b/1, a/1, \"c.d\"/1"),
        (
            proj(&["a", "b", "a"]),
            "error: One or more parameter values were invalid: Duplicate value in attribute name: a",
        ),
        (
            proj(&[]),
            "error: 1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy \
             constraint: Member must have length greater than or equal to 1",
        ),
    ]);
}

#[test]
fn mixing_styles() {
    let show = |legacy: &[&str], expression: &[&str]| match check_not_mixed(legacy, expression) {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("{}: {}", e.name(), e.message()),
    };
    check(vec![
        (show(&[], &[]), "ok"),
        (show(&["Expected"], &[]), "ok"),
        (show(&[], &["ConditionExpression"]), "ok"),
        (
            show(&["Expected"], &["ConditionExpression"]),
            "ValidationException: Can not use both expression and non-expression parameters in the \
             same request: Non-expression parameters: {Expected} Expression parameters: \
             {ConditionExpression}",
        ),
        (
            show(
                &["AttributesToGet", "ScanFilter", "ConditionalOperator"],
                &["ProjectionExpression", "FilterExpression"],
            ),
            "ValidationException: Can not use both expression and non-expression parameters in the \
             same request: Non-expression parameters: {AttributesToGet, ScanFilter, \
             ConditionalOperator} Expression parameters: {ProjectionExpression, FilterExpression}",
        ),
    ]);
}

// ---- agreement with the parser ------------------------------------------------

/// Every tree built here is the tree the parser builds for its `Display`:
/// the translation produces nothing a user could not have written.
#[test]
fn trees_reparse_to_themselves() {
    use crate::dynamo::expr::{parse_condition, parse_key_condition, parse_update};
    use std::collections::HashMap;
    let names = HashMap::new();
    let ops: Vec<(ComparisonOperator, Vec<AttributeValue>)> = vec![
        (C::Eq, vec![s("x")]),
        (C::Ne, vec![s("x")]),
        (C::Le, vec![n("1")]),
        (C::Lt, vec![n("1")]),
        (C::Ge, vec![n("1")]),
        (C::Gt, vec![n("1")]),
        (C::Between, vec![n("1"), n("2")]),
        (C::In, vec![n("1"), n("2"), n("3")]),
        (C::BeginsWith, vec![s("x")]),
        (C::Contains, vec![s("x")]),
        (C::NotContains, vec![s("x")]),
        (C::Null, vec![]),
        (C::NotNull, vec![]),
    ];
    let all: Vec<(String, LegacyCondition)> = ops
        .iter()
        .enumerate()
        .map(|(i, (op, list))| (format!("a{i:02}"), cond(*op, list.clone())))
        .collect();
    for op in [None, Some(ConditionalOperator::Or)] {
        let filter: BTreeMap<String, LegacyCondition> = all.iter().cloned().collect();
        let mut values = AttributeValues::new();
        let c = filter_to_condition("ScanFilter", &filter, op, &mut values)
            .expect("valid")
            .expect("some");
        let text = c.to_string();
        assert_eq!(parse_condition(&text, &names).expect(&text), c, "{text}");
    }

    let mut values = AttributeValues::new();
    let k = key_conditions_to_key_condition(
        &map(vec![
            ("pk", cond(C::Eq, vec![s("k")])),
            ("sk", cond(C::BeginsWith, vec![s("p")])),
        ]),
        &mut values,
    )
    .expect("valid");
    let text = k.to_string();
    assert_eq!(parse_key_condition(&text, &names).expect(&text), k);

    let mut values = AttributeValues::new();
    let u = attribute_updates_to_update(
        &map(vec![
            ("a", update(None, Some(s("x")))),
            ("b", update(Some(AttributeAction::Delete), None)),
            ("c", update(Some(AttributeAction::Add), Some(n("1")))),
            ("d", update(Some(AttributeAction::Delete), Some(ss(&["x"])))),
            (
                "e",
                update(Some(AttributeAction::Add), Some(l(vec![n("1")]))),
            ),
        ]),
        &mut values,
    )
    .expect("valid");
    let text = u.to_string();
    assert_eq!(parse_update(&text, &names).expect(&text), u, "{text}");
}

// ---- no input panics ------------------------------------------------------------

mod never_panics {
    use proptest::prelude::*;

    use super::*;

    fn any_value() -> impl Strategy<Value = AttributeValue> {
        prop_oneof![
            "[a-c]{0,2}".prop_map(AttributeValue::S),
            (-5i64..5).prop_map(|x| AttributeValue::N(Number::from(x))),
            proptest::collection::vec(any::<u8>(), 0..3).prop_map(AttributeValue::B),
            any::<bool>().prop_map(AttributeValue::Bool),
            Just(AttributeValue::Null),
            Just(ss(&["a", "b"])),
            Just(ns(&["1"])),
            Just(bs(&[b"\x00"])),
            Just(m(vec![("k", s("v"))])),
            Just(l(vec![n("1")])),
        ]
    }

    fn any_op() -> impl Strategy<Value = ComparisonOperator> {
        proptest::sample::select(C::ALL.to_vec())
    }

    fn any_list() -> impl Strategy<Value = Option<Vec<AttributeValue>>> {
        proptest::option::of(proptest::collection::vec(any_value(), 0..4))
    }

    fn any_expected() -> impl Strategy<Value = ExpectedAttributeValue> {
        (
            proptest::option::of(any_value()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any_op()),
            any_list(),
        )
            .prop_map(
                |(value, exists, comparison_operator, attribute_value_list)| {
                    ExpectedAttributeValue {
                        value,
                        exists,
                        comparison_operator,
                        attribute_value_list,
                    }
                },
            )
    }

    fn any_condition() -> impl Strategy<Value = LegacyCondition> {
        (any_op(), any_list()).prop_map(|(comparison_operator, attribute_value_list)| {
            LegacyCondition {
                comparison_operator,
                attribute_value_list,
            }
        })
    }

    fn any_update() -> impl Strategy<Value = AttributeValueUpdate> {
        (
            proptest::option::of(any_value()),
            proptest::option::of(proptest::sample::select(AttributeAction::ALL.to_vec())),
        )
            .prop_map(|(value, action)| AttributeValueUpdate { value, action })
    }

    fn any_conditional() -> impl Strategy<Value = Option<ConditionalOperator>> {
        proptest::option::of(proptest::sample::select(ConditionalOperator::ALL.to_vec()))
    }

    fn names<T: std::fmt::Debug>(
        entry: impl Strategy<Value = T>,
    ) -> impl Strategy<Value = BTreeMap<String, T>> {
        proptest::collection::btree_map("[a-c.]{0,3}", entry, 0..4)
    }

    /// On success every placeholder the tree mentions is in `values`; on
    /// failure `values` is untouched.
    fn consistent(text: &str, ok: bool, values: &AttributeValues) -> Result<(), TestCaseError> {
        if !ok {
            prop_assert!(values.is_empty());
            return Ok(());
        }
        for word in text.split(|c: char| !(c.is_alphanumeric() || c == ':')) {
            if word.starts_with(':') {
                prop_assert!(values.contains_key(word), "{word} missing in {text}");
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn expected(e in names(any_expected()), op in any_conditional()) {
            let mut values = AttributeValues::new();
            let r = expected_to_condition(&e, op, &mut values);
            let text = match &r { Ok(Some(c)) => c.to_string(), _ => String::new() };
            consistent(&text, r.is_ok(), &values)?;
        }

        #[test]
        fn filter(f in names(any_condition()), op in any_conditional()) {
            let mut values = AttributeValues::new();
            let r = filter_to_condition("QueryFilter", &f, op, &mut values);
            let text = match &r { Ok(Some(c)) => c.to_string(), _ => String::new() };
            consistent(&text, r.is_ok(), &values)?;
        }

        #[test]
        fn key_conditions(f in names(any_condition())) {
            let mut values = AttributeValues::new();
            let r = key_conditions_to_key_condition(&f, &mut values);
            let text = r.as_ref().map(|k| k.to_string()).unwrap_or_default();
            consistent(&text, r.is_ok(), &values)?;
        }

        #[test]
        fn updates(u in names(any_update())) {
            let mut values = AttributeValues::new();
            let r = attribute_updates_to_update(&u, &mut values);
            let text = r.as_ref().map(|u| u.to_string()).unwrap_or_default();
            consistent(&text, r.is_ok(), &values)?;
        }

        #[test]
        fn projection(names in proptest::collection::vec("[ab]{0,2}", 0..5)) {
            let r = attributes_to_get_to_projection(&names);
            let unique: std::collections::BTreeSet<&String> = names.iter().collect();
            prop_assert_eq!(r.is_ok(), !names.is_empty() && unique.len() == names.len());
        }
    }
}
