//! Data-driven tests of the evaluator (`testdata/eval/*.txt`) and property
//! tests of conditions, projections and updates.
//!
//! The files live in their own folder because `tests.rs` runs every `.txt`
//! directly in `testdata/` with the parser's commands. Format, one case after
//! another (lines starting with `#` where a command is expected are
//! comments):
//!
//! ```text
//! <command>
//! item: <DynamoDB JSON map>      (optional; `item: none` = no item)
//! values: <ExpressionAttributeValues as DynamoDB JSON>   (optional)
//! names: <ExpressionAttributeNames as a JSON object>     (optional)
//! <the expression, one or more lines>
//! ----
//! <expected output, up to a blank line>
//! ```
//!
//! Commands, each run the way a request would (parse in an
//! [`ExprContext::with_values`], `finish`, then the value checks, then the
//! evaluation):
//! - `condition` / `filter`: prints `true` or `false`;
//! - `project`: prints the projected item;
//! - `update`: prints `item:`, `updated_old:` and `updated_new:` (the old and
//!   new item projected onto the returned paths), and checks that a failed
//!   update left the item unchanged.
//!
//! Any error prints `error: <message>`. Items print as compact DynamoDB JSON
//! with keys and set members in order. Set `SILTDB_REWRITE=1` to rewrite the
//! expected outputs in place.
#![expect(
    clippy::cast_possible_truncation,
    reason = "list lengths in generated test values are small"
)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::prelude::*;
use serde_json::Value as Json;

use super::*;
use crate::dynamo::items::base64;
use crate::dynamo::items::number::Number;
use crate::dynamo::items::validate::validate_value;
use crate::dynamo::items::value::{AttributeValue, Item};

// ----- DynamoDB JSON fixtures ----------------------------------------------------

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .expect("set is an array")
        .iter()
        .map(|s| s.as_str().expect("set member is a string").to_string())
        .collect()
}

/// Parses one DynamoDB JSON value. Sets may be empty here, so tests can give
/// invalid values.
pub(crate) fn parse_value(v: &Json) -> AttributeValue {
    let obj = v.as_object().expect("a value is an object");
    assert_eq!(obj.len(), 1, "one type per value: {v}");
    let (ty, inner) = obj.iter().next().expect("one entry");
    let num = |s: &str| Number::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    match ty.as_str() {
        "S" => AttributeValue::S(inner.as_str().expect("S string").to_string()),
        "N" => AttributeValue::N(num(inner.as_str().expect("N string"))),
        "B" => AttributeValue::B(base64::decode(inner.as_str().expect("B string"))),
        "BOOL" => AttributeValue::Bool(inner.as_bool().expect("BOOL bool")),
        "NULL" => AttributeValue::Null,
        "M" => AttributeValue::M(parse_map(inner)),
        "L" => AttributeValue::L(
            inner
                .as_array()
                .expect("L array")
                .iter()
                .map(parse_value)
                .collect(),
        ),
        "SS" => AttributeValue::Ss(strings(inner).into_iter().collect()),
        "NS" => AttributeValue::Ns(strings(inner).iter().map(|s| num(s)).collect()),
        "BS" => AttributeValue::Bs(strings(inner).iter().map(|s| base64::decode(s)).collect()),
        other => panic!("unknown type {other}"),
    }
}

pub(crate) fn parse_map(v: &Json) -> BTreeMap<String, AttributeValue> {
    v.as_object()
        .expect("a map is an object")
        .iter()
        .map(|(k, v)| (k.clone(), parse_value(v)))
        .collect()
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

fn show_value(v: &AttributeValue) -> String {
    let list = |items: Vec<String>| items.join(",");
    match v {
        AttributeValue::S(s) => format!("{{\"S\":{}}}", quote(s)),
        AttributeValue::N(n) => format!("{{\"N\":\"{n}\"}}"),
        AttributeValue::B(b) => format!("{{\"B\":\"{}\"}}", base64::encode(b)),
        AttributeValue::Bool(b) => format!("{{\"BOOL\":{b}}}"),
        AttributeValue::Null => "{\"NULL\":true}".to_string(),
        AttributeValue::M(m) => format!("{{\"M\":{}}}", show_map(m)),
        AttributeValue::L(l) => format!("{{\"L\":[{}]}}", list(l.iter().map(show_value).collect())),
        AttributeValue::Ss(s) => format!(
            "{{\"SS\":[{}]}}",
            list(s.iter().map(|x| quote(x)).collect())
        ),
        AttributeValue::Ns(s) => format!(
            "{{\"NS\":[{}]}}",
            list(s.iter().map(|x| format!("\"{x}\"")).collect())
        ),
        AttributeValue::Bs(s) => format!(
            "{{\"BS\":[{}]}}",
            list(
                s.iter()
                    .map(|x| format!("\"{}\"", base64::encode(x)))
                    .collect()
            )
        ),
    }
}

pub(crate) fn show_map(m: &BTreeMap<String, AttributeValue>) -> String {
    let parts: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{}:{}", quote(k), show_value(v)))
        .collect();
    format!("{{{}}}", parts.join(","))
}

// ----- the runner ----------------------------------------------------------------

struct Case {
    item: Option<Item>,
    values: Values,
    names: HashMap<String, String>,
    expr: String,
}

fn parse_case(input: &str) -> Case {
    let mut case = Case {
        item: Some(Item::new()),
        values: Values::new(),
        names: HashMap::new(),
        expr: String::new(),
    };
    let mut expr = Vec::new();
    for line in input.lines() {
        let json = |s: &str| -> Json {
            serde_json::from_str(s).unwrap_or_else(|e| panic!("bad JSON {s:?}: {e}"))
        };
        if let Some(rest) = line.strip_prefix("item: ") {
            case.item = (rest.trim() != "none").then(|| parse_map(&json(rest)));
        } else if let Some(rest) = line.strip_prefix("values: ") {
            case.values = parse_map(&json(rest)).into_iter().collect();
        } else if let Some(rest) = line.strip_prefix("names: ") {
            let names = json(rest);
            case.names = names
                .as_object()
                .expect("names is an object")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("name is a string").to_string()))
                .collect();
        } else {
            expr.push(line);
        }
    }
    case.expr = expr.join("\n");
    case
}

fn run_case(cmd: &str, input: &str) -> String {
    let case = parse_case(input);
    let r = match cmd {
        "condition" | "filter" => run_condition(cmd, &case),
        "project" => run_project(&case),
        "update" => run_update(&case),
        _ => panic!("unknown command {cmd:?}"),
    };
    r.unwrap_or_else(|e| format!("error: {}", e.message))
}

fn run_condition(cmd: &str, case: &Case) -> Result<String, ExprError> {
    let mut ctx = ExprContext::with_values(&case.names, case.values.keys().cloned());
    let (kind, cond) = if cmd == "filter" {
        (ExprKind::Filter, ctx.filter(&case.expr)?)
    } else {
        (ExprKind::Condition, ctx.condition(&case.expr)?)
    };
    ctx.finish()?;
    check_condition_values(kind, &cond, &case.values)?;
    Ok(eval_condition(&cond, case.item.as_ref(), &case.values)?.to_string())
}

fn run_project(case: &Case) -> Result<String, ExprError> {
    let mut ctx = ExprContext::with_values(&case.names, case.values.keys().cloned());
    let projection = ctx.projection(&case.expr)?;
    ctx.finish()?;
    let item = case.item.clone().unwrap_or_default();
    Ok(show_map(&project(&item, &projection.0)))
}

fn run_update(case: &Case) -> Result<String, ExprError> {
    let mut ctx = ExprContext::with_values(&case.names, case.values.keys().cloned());
    let update = ctx.update(&case.expr)?;
    ctx.finish()?;
    let old = case.item.clone().unwrap_or_default();
    let mut item = old.clone();
    match apply_update(&update, &mut item, &case.values) {
        Ok(paths) => Ok(format!(
            "item: {}\nupdated_old: {}\nupdated_new: {}",
            show_map(&item),
            show_map(&project(&old, &paths)),
            show_map(&project(&item, &paths))
        )),
        Err(e) => {
            assert_eq!(item, old, "a failed update changed the item");
            Err(e)
        }
    }
}

#[test]
fn eval_testdata() {
    let total = crate::datadriven::run_dir("src/dynamo/expr/testdata/eval", &run_case);
    assert!(total >= 150, "only {total} eval cases");
}

// ----- property tests ------------------------------------------------------------

fn arb_scalar() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        "[a-c]{0,3}".prop_map(AttributeValue::S),
        (-1000i64..1000).prop_map(|n| AttributeValue::N(Number::from(n))),
        prop::collection::vec(any::<u8>(), 0..3).prop_map(AttributeValue::B),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null),
        prop::collection::btree_set("[a-c]{1,2}", 1..3).prop_map(AttributeValue::Ss),
        prop::collection::btree_set((-5i64..5).prop_map(Number::from), 1..3)
            .prop_map(AttributeValue::Ns),
        prop::collection::btree_set(prop::collection::vec(any::<u8>(), 0..2), 1..3)
            .prop_map(AttributeValue::Bs),
    ]
}

fn arb_value() -> impl Strategy<Value = AttributeValue> {
    arb_scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            prop::collection::btree_map("[a-c]", inner, 0..4).prop_map(AttributeValue::M),
        ]
    })
}

fn arb_item() -> impl Strategy<Value = Item> {
    prop::collection::btree_map("[a-d]", arb_value(), 0..4)
}

fn arb_path() -> impl Strategy<Value = Path> {
    (
        "[a-e]",
        prop::collection::vec(
            prop_oneof![
                "[a-c]".prop_map(PathElem::Name),
                (0u32..4).prop_map(PathElem::Index),
            ],
            0..3,
        ),
    )
        .prop_map(|(head, tail)| {
            let mut v = vec![PathElem::Name(head)];
            v.extend(tail);
            Path(v)
        })
}

/// The path without its last element, and that element.
fn split_last(p: &Path) -> (Path, &PathElem) {
    let (last, parent) = p.0.split_last().expect("paths are never empty");
    (Path(parent.to_vec()), last)
}

fn equals(path: Path, value: &str) -> Condition {
    Condition::Compare {
        left: Operand::Path(path),
        op: Comparator::Eq,
        right: Operand::Value(value.to_string()),
    }
}

fn arb_operand() -> impl Strategy<Value = Operand> {
    let leaf = prop_oneof![
        arb_path().prop_map(Operand::Path),
        (0..3u8).prop_map(|i| Operand::Value(format!(":v{i}"))),
    ];
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|a| Operand::Size(Box::new(a))),
            (arb_path(), inner.clone()).prop_map(|(p, a)| Operand::IfNotExists(p, Box::new(a))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Operand::ListAppend(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Operand::Plus(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Operand::Minus(Box::new(a), Box::new(b))),
        ]
    })
}

fn arb_condition() -> impl Strategy<Value = Condition> {
    let comparator = prop_oneof![
        Just(Comparator::Eq),
        Just(Comparator::Ne),
        Just(Comparator::Lt),
        Just(Comparator::Le),
        Just(Comparator::Gt),
        Just(Comparator::Ge),
    ];
    let leaf = prop_oneof![
        (arb_operand(), comparator, arb_operand())
            .prop_map(|(left, op, right)| Condition::Compare { left, op, right }),
        (arb_operand(), arb_operand(), arb_operand())
            .prop_map(|(operand, low, high)| Condition::Between { operand, low, high }),
        (arb_operand(), prop::collection::vec(arb_operand(), 1..3))
            .prop_map(|(operand, list)| Condition::In { operand, list }),
        arb_path().prop_map(Condition::AttributeExists),
        arb_path().prop_map(Condition::AttributeNotExists),
        (arb_path(), arb_operand()).prop_map(|(p, t)| Condition::AttributeType(p, t)),
        (arb_operand(), arb_operand()).prop_map(|(a, b)| Condition::BeginsWith(a, b)),
        (arb_operand(), arb_operand()).prop_map(|(a, b)| Condition::Contains(a, b)),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Condition::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Condition::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Condition::Not(Box::new(a))),
        ]
    })
}

fn arb_values() -> impl Strategy<Value = Values> {
    prop::collection::vec(arb_value(), 3).prop_map(|vs| {
        vs.into_iter()
            .enumerate()
            .map(|(i, v)| (format!(":v{i}"), v))
            .collect()
    })
}

fn arb_update() -> impl Strategy<Value = UpdateExpr> {
    let value = (0..3u8).prop_map(|i| format!(":v{i}"));
    (
        prop::collection::vec((arb_path(), arb_operand()), 0..3),
        prop::collection::vec(arb_path(), 0..3),
        prop::collection::vec((arb_path(), value.clone()), 0..2),
        prop::collection::vec((arb_path(), value), 0..2),
    )
        .prop_map(|(set, remove, add, delete)| UpdateExpr {
            set,
            remove,
            add,
            delete,
        })
}

proptest! {
    /// `SET p = :v` then `p = :v` holds — where `p` is a list index past the
    /// end, the value is appended, so it is found at the old length.
    #[test]
    fn set_then_equal(mut item in arb_item(), path in arb_path(), v in arb_value()) {
        let values: Values = [(":v".to_string(), v)].into();
        let before = item.clone();
        let update = UpdateExpr {
            set: vec![(path.clone(), Operand::Value(":v".into()))],
            ..UpdateExpr::default()
        };
        match apply_update(&update, &mut item, &values) {
            Ok(paths) => {
                prop_assert_eq!(paths, vec![path.clone()]);
                let (parent, last) = split_last(&path);
                let target = match (last, resolve_path(&before, &parent)) {
                    (PathElem::Index(i), Some(AttributeValue::L(l))) if *i as usize >= l.len() => {
                        let mut p = parent.clone();
                        p.0.push(PathElem::Index(l.len() as u32));
                        p
                    }
                    _ => path.clone(),
                };
                prop_assert!(eval_condition(&equals(target, ":v"), Some(&item), &values)?);
            }
            Err(e) => {
                prop_assert_eq!(e.message, INVALID_UPDATE_PATH);
                prop_assert_eq!(item, before);
            }
        }
    }

    /// `REMOVE p` then `attribute_not_exists(p)` holds for a map key; a list
    /// element is removed by shifting the later ones, so the list shrinks by
    /// one (or stays as it was for an index past the end).
    #[test]
    fn remove_then_not_exists(mut item in arb_item(), path in arb_path()) {
        let before = item.clone();
        let update = UpdateExpr { remove: vec![path.clone()], ..UpdateExpr::default() };
        let values = Values::new();
        match apply_update(&update, &mut item, &values) {
            Ok(_) => {
                let (parent, last) = split_last(&path);
                match (last, resolve_path(&before, &parent)) {
                    (PathElem::Index(i), Some(AttributeValue::L(l))) => {
                        let expected = if (*i as usize) < l.len() { l.len() - 1 } else { l.len() };
                        match resolve_path(&item, &parent) {
                            Some(AttributeValue::L(now)) => prop_assert_eq!(now.len(), expected),
                            other => prop_assert!(false, "list gone: {:?}", other),
                        }
                    }
                    _ => {
                        let gone = Condition::AttributeNotExists(path.clone());
                        prop_assert!(eval_condition(&gone, Some(&item), &values)?);
                    }
                }
            }
            Err(e) => {
                prop_assert_eq!(e.message, INVALID_UPDATE_PATH);
                prop_assert!(!before.is_empty(), "a missing item ignores REMOVE");
                prop_assert_eq!(item, before);
            }
        }
    }

    /// Arbitrary conditions, checks and updates never panic; a successful
    /// update leaves only valid values in the attributes it touched, and a
    /// failed one leaves the item as it was.
    #[test]
    fn nothing_panics(
        item in arb_item(),
        values in arb_values(),
        cond in arb_condition(),
        update in arb_update(),
        paths in prop::collection::vec(arb_path(), 0..4),
    ) {
        let _ = check_condition_values(ExprKind::Filter, &cond, &values);
        let _ = eval_condition(&cond, Some(&item), &values);
        let _ = eval_condition(&cond, None, &values);
        let _ = project(&item, &paths);
        let mut updated = item.clone();
        match apply_update(&update, &mut updated, &values) {
            Ok(paths) => {
                for p in &paths {
                    if let Some(v) = updated.get(p.top()) {
                        prop_assert!(validate_value(v).is_ok());
                    }
                }
            }
            Err(_) => prop_assert_eq!(&updated, &item),
        }
    }

    /// Projecting onto a set of paths keeps exactly the values those paths
    /// resolve to when none of them goes through a list (list elements are
    /// compacted, so their positions change).
    #[test]
    fn projection_keeps_resolved_map_paths(item in arb_item(), paths in prop::collection::vec(arb_path(), 1..4)) {
        let map_only: Vec<Path> = paths
            .into_iter()
            .filter(|p| p.0.iter().all(|e| matches!(e, PathElem::Name(_))))
            .collect();
        let projected = project(&item, &map_only);
        for p in &map_only {
            // A path that is a prefix of another keeps the whole value.
            let covered = map_only.iter().any(|q| q.0.len() < p.0.len() && p.0.starts_with(&q.0));
            if !covered {
                prop_assert_eq!(resolve_path(&projected, p), resolve_path(&item, p));
            }
        }
    }
}

#[test]
fn nested_sets_and_strings_print_in_order() {
    let v = AttributeValue::Ns(BTreeSet::from([Number::from(10i64), Number::from(-2i64)]));
    assert_eq!(show_value(&v), "{\"NS\":[\"-2\",\"10\"]}");
    let m = parse_map(&serde_json::json!({"a": {"S": "x\"y"}, "b": {"B": "AAE="}}));
    assert_eq!(
        show_map(&m),
        "{\"a\":{\"S\":\"x\\\"y\"},\"b\":{\"B\":\"AAE=\"}}"
    );
}

/// A map nested `levels` deep: `{k: {k: ... {k: "leaf"}}}`.
fn nested_map(levels: usize) -> AttributeValue {
    let mut v = AttributeValue::S("leaf".into());
    for _ in 0..levels {
        v = AttributeValue::M([("k".to_string(), v)].into());
    }
    v
}

#[test]
fn values_nested_too_deep_are_refused() {
    // Captured from DynamoDB (a public conformance suite, "Deep requests"):
    // the nesting message, DynamoDB's longer form, with the key.
    let values: Values = [(":deep".to_string(), nested_map(33))].into();
    let cond = parse_condition("d = :deep", &HashMap::new()).expect("parses");
    assert_eq!(
        check_condition_values(ExprKind::Condition, &cond, &values).map_err(|e| e.message),
        Err("ExpressionAttributeValues contains invalid value: Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit for key :deep".to_string())
    );
    let ok: Values = [(":deep".to_string(), nested_map(32))].into();
    assert_eq!(
        check_condition_values(ExprKind::Condition, &cond, &ok),
        Ok(())
    );
}

#[test]
fn updates_that_nest_too_deep_fail_and_change_nothing() {
    // a is 32 levels deep (the most validate_value allows); replacing its
    // innermost map by a two-level map makes 33.
    let item: Item = [("a".to_string(), nested_map(32))].into();
    let mut path = vec![PathElem::Name("a".into())];
    path.extend(std::iter::repeat_n(PathElem::Name("k".into()), 31));
    let update = UpdateExpr {
        set: vec![(Path(path), Operand::Value(":v".into()))],
        ..UpdateExpr::default()
    };
    let values: Values = [(":v".to_string(), nested_map(2))].into();
    let mut updated = item.clone();
    assert_eq!(
        apply_update(&update, &mut updated, &values).map_err(|e| e.message),
        Err("Nesting Levels have exceeded supported limits".to_string())
    );
    assert_eq!(updated, item);
    // One level less fits.
    let values: Values = [(":v".to_string(), nested_map(1))].into();
    assert!(apply_update(&update, &mut updated, &values).is_ok());
}

#[test]
fn condition_with_undefined_value_is_an_error_not_a_panic() {
    let cond = parse_condition("a = :nope", &HashMap::new()).expect("parses");
    let item: Item = [("a".to_string(), AttributeValue::Null)].into();
    assert_eq!(
        eval_condition(&cond, Some(&item), &Values::new()).map_err(|e| e.message),
        Err("Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope".to_string())
    );
    assert_eq!(
        check_condition_values(ExprKind::Filter, &cond, &Values::new()).map_err(|e| e.message),
        Err("Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :nope".to_string())
    );
}

#[test]
fn update_functions_in_a_hand_built_condition_evaluate() {
    // The parser never puts if_not_exists or + in a condition; one built by
    // hand evaluates as SET would, and a failure is a false condition.
    let values: Values = [
        (":one".to_string(), AttributeValue::N(Number::from(1i64))),
        (":two".to_string(), AttributeValue::N(Number::from(2i64))),
    ]
    .into();
    let item: Item = [("a".to_string(), AttributeValue::N(Number::from(1i64)))].into();
    let a = || Operand::Path(Path(vec![PathElem::Name("a".into())]));
    let sum = Operand::Plus(Box::new(a()), Box::new(Operand::Value(":one".into())));
    let cond = Condition::Compare {
        left: sum,
        op: Comparator::Eq,
        right: Operand::Value(":two".into()),
    };
    assert_eq!(eval_condition(&cond, Some(&item), &values), Ok(true));
    assert_eq!(eval_condition(&cond, None, &values), Ok(false));
}
