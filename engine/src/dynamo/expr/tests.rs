//! Data-driven tests (`testdata/*.txt`) and property tests.
//!
//! Test file format (one case after another):
//!
//! ```text
//! <command> [names=#a=x,#b=y] [values=:v,:w]
//! <input, one or more lines; <<N*text>> repeats text N times>
//! ----
//! <expected output, up to a blank line>
//! ```
//!
//! Lines starting with `#` where a command is expected are comments.
//! An argument `brief` prints `ok` instead of the tree on success.
//! Commands: `condition`, `filter`, `key-condition`, `projection`, `update`
//! (print the tree or `error: <message>`), `request` (input lines are
//! `<kind>: <expression>`, all parsed in one [`ExprContext`], then `finish`),
//! `names-map` (`#key=value` lines), `value-keys` (one key per line), `lex`.
//! Set `SILTDB_REWRITE=1` to rewrite expected outputs in place.

use std::collections::HashMap;
use std::fmt::Write as _;

use proptest::prelude::*;

use super::*;

fn expand(input: &str) -> String {
    let mut out = String::new();
    let mut rest = input;
    while let Some(i) = rest.find("<<") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let (Some(end), Some(star)) = (after.find(">>"), after.find('*')) else {
            out.push_str("<<");
            rest = after;
            continue;
        };
        let n: usize = after[..star].parse().expect("repeat count");
        out.push_str(&after[star + 1..end].repeat(n));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn show<T: std::fmt::Display>(r: Result<T, ExprError>) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(e) => format!("error: {}", e.message),
    }
}

fn run_case(cmd: &str, input: &str) -> String {
    let mut words = cmd.split_whitespace();
    let name = words.next().unwrap_or("");
    let mut names = HashMap::new();
    let mut values: Option<Vec<String>> = None;
    let mut brief = false;
    for w in words {
        if w == "brief" {
            brief = true;
            continue;
        }
        if let Some(list) = w.strip_prefix("names=") {
            for pair in list.split(',') {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                names.insert(k.to_string(), v.to_string());
            }
        } else if let Some(list) = w.strip_prefix("values=") {
            values = Some(list.split(',').map(str::to_string).collect());
        } else {
            panic!("unknown argument {w:?} in {cmd:?}");
        }
    }
    let mut ctx = match &values {
        Some(v) => ExprContext::with_values(&names, v.clone()),
        None => ExprContext::new(&names),
    };
    let input = expand(input);
    let show = |r: Result<String, ExprError>| match r {
        Ok(_) if brief => "ok".to_string(),
        r => show(r),
    };
    match name {
        "condition" => show(ctx.condition(&input).map(|v| v.to_string())),
        "filter" => show(ctx.filter(&input).map(|v| v.to_string())),
        "key-condition" => show(ctx.key_condition(&input).map(|v| v.to_string())),
        "projection" => show(ctx.projection(&input).map(|v| v.to_string())),
        "update" => show(ctx.update(&input).map(|v| v.to_string())),
        "request" => {
            for line in input.lines() {
                let (kind, expr) = line.split_once(": ").expect("kind: expression");
                let r = match kind {
                    "condition" => ctx.condition(expr).map(|_| ()),
                    "filter" => ctx.filter(expr).map(|_| ()),
                    "key-condition" => ctx.key_condition(expr).map(|_| ()),
                    "projection" => ctx.projection(expr).map(|_| ()),
                    "update" => ctx.update(expr).map(|_| ()),
                    _ => panic!("unknown kind {kind}"),
                };
                if let Err(e) = r {
                    return format!("error: {}", e.message);
                }
            }
            show(ctx.finish().map(|_| "ok".to_string()))
        }
        "names-map" => {
            let map: HashMap<String, String> = input
                .lines()
                .map(|l| {
                    let (k, v) = l.split_once('=').unwrap_or((l, ""));
                    (k.to_string(), v.to_string())
                })
                .collect();
            show(check_names_map(&map).map(|_| "ok".to_string()))
        }
        "value-keys" => show(check_value_keys(input.lines()).map(|_| "ok".to_string())),
        "lex" => {
            let mut s = String::new();
            for t in lex(&input) {
                let _ = writeln!(s, "{:?} {:?}", t.kind, t.text);
            }
            s.trim_end().to_string()
        }
        _ => panic!("unknown command {name:?}"),
    }
}

#[test]
fn testdata() {
    let total = crate::datadriven::run_dir("src/dynamo/expr/testdata", &run_case);
    assert!(total > 0);
}

// ----- property tests ----------------------------------------------------------

fn plain_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,6}".prop_filter("plain", |s| is_plain_name(s))
}

fn value_ref() -> impl Strategy<Value = Operand> {
    "[a-z0-9]{1,4}".prop_map(|s| Operand::Value(format!(":{s}")))
}

fn path() -> impl Strategy<Value = Path> {
    (
        plain_name(),
        prop::collection::vec(
            prop_oneof![
                plain_name().prop_map(PathElem::Name),
                (0u32..1000).prop_map(PathElem::Index)
            ],
            0..4,
        ),
    )
        .prop_map(|(head, tail)| {
            let mut v = vec![PathElem::Name(head)];
            v.extend(tail);
            Path(v)
        })
}

fn left_operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        3 => path().prop_map(Operand::Path),
        1 => path().prop_map(|p| Operand::Size(Box::new(Operand::Path(p)))),
    ]
}

fn comparator() -> impl Strategy<Value = Comparator> {
    prop_oneof![
        Just(Comparator::Eq),
        Just(Comparator::Ne),
        Just(Comparator::Lt),
        Just(Comparator::Le),
        Just(Comparator::Gt),
        Just(Comparator::Ge),
    ]
}

fn leaf_condition() -> impl Strategy<Value = Condition> {
    prop_oneof![
        (left_operand(), comparator(), value_ref())
            .prop_map(|(left, op, right)| Condition::Compare { left, op, right }),
        (left_operand(), value_ref(), value_ref())
            .prop_map(|(operand, low, high)| Condition::Between { operand, low, high }),
        (left_operand(), prop::collection::vec(value_ref(), 1..5))
            .prop_map(|(operand, list)| Condition::In { operand, list }),
        path().prop_map(Condition::AttributeExists),
        path().prop_map(Condition::AttributeNotExists),
        (path(), value_ref()).prop_map(|(p, v)| Condition::AttributeType(p, v)),
        (path(), value_ref()).prop_map(|(p, v)| Condition::BeginsWith(Operand::Path(p), v)),
        (path(), value_ref()).prop_map(|(p, v)| Condition::Contains(Operand::Path(p), v)),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    leaf_condition().prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Condition::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Condition::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Condition::Not(Box::new(a))),
        ]
    })
}

fn set_value() -> impl Strategy<Value = Operand> {
    let term = prop_oneof![
        path().prop_map(Operand::Path),
        value_ref(),
        (path(), value_ref()).prop_map(|(p, v)| Operand::IfNotExists(p, Box::new(v))),
        (path(), value_ref())
            .prop_map(|(p, v)| Operand::ListAppend(Box::new(Operand::Path(p)), Box::new(v))),
    ];
    (term.clone(), prop::option::of((any::<bool>(), term))).prop_map(|(a, rest)| match rest {
        None => a,
        Some((true, b)) => Operand::Plus(Box::new(a), Box::new(b)),
        Some((false, b)) => Operand::Minus(Box::new(a), Box::new(b)),
    })
}

/// Gives every path a distinct top-level name so paths never overlap.
fn distinct(p: &mut Path, n: &mut usize) {
    p.0[0] = PathElem::Name(format!("t{n}"));
    *n += 1;
}

fn update_expr() -> impl Strategy<Value = UpdateExpr> {
    (
        prop::collection::vec((path(), set_value()), 0..4),
        prop::collection::vec(path(), 0..3),
        prop::collection::vec((path(), "[a-z]{1,3}"), 0..3),
        prop::collection::vec((path(), "[a-z]{1,3}"), 0..3),
    )
        .prop_filter("non-empty", |(s, r, a, d)| {
            !(s.is_empty() && r.is_empty() && a.is_empty() && d.is_empty())
        })
        .prop_map(|(mut set, mut remove, add, delete)| {
            let mut n = 0;
            for (p, _) in &mut set {
                distinct(p, &mut n);
            }
            for p in &mut remove {
                distinct(p, &mut n);
            }
            let mut fix = |v: Vec<(Path, String)>| -> Vec<(Path, String)> {
                v.into_iter()
                    .map(|(mut p, s)| {
                        distinct(&mut p, &mut n);
                        (p, format!(":{s}"))
                    })
                    .collect()
            };
            let add = fix(add);
            let delete = fix(delete);
            UpdateExpr {
                set,
                remove,
                add,
                delete,
            }
        })
}

fn noise() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("a"),
            Just("#n"),
            Just(":v"),
            Just("."),
            Just("["),
            Just("]"),
            Just("3"),
            Just("("),
            Just(")"),
            Just(","),
            Just("="),
            Just("<>"),
            Just("<"),
            Just(">="),
            Just("+"),
            Just("-"),
            Just(" AND "),
            Just(" OR "),
            Just(" NOT "),
            Just(" BETWEEN "),
            Just(" IN "),
            Just("SET "),
            Just(" REMOVE "),
            Just(" ADD "),
            Just(" DELETE "),
            Just("size"),
            Just("contains"),
            Just("if_not_exists"),
            Just("list_append"),
            Just("attribute_exists"),
            Just(" "),
            Just("status"),
            Just("é"),
            Just("#"),
            Just(":"),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn nothing_panics_on_noise(s in noise()) {
        let names: HashMap<String, String> = [("#n".to_string(), "x".to_string())].into();
        let _ = lex(&s);
        let mut ctx = ExprContext::with_values(&names, [":v"]);
        let _ = ctx.condition(&s);
        let _ = ctx.filter(&s);
        let _ = ctx.key_condition(&s);
        let _ = ctx.projection(&s);
        let _ = ctx.update(&s);
        let _ = ctx.finish();
    }

    #[test]
    fn nothing_panics_on_arbitrary_strings(s in any::<String>()) {
        let names = HashMap::new();
        let _ = parse_condition(&s, &names);
        let _ = parse_key_condition(&s, &names);
        let _ = parse_projection(&s, &names);
        let _ = parse_update(&s, &names);
    }

    #[test]
    fn printed_conditions_reparse(c in condition()) {
        let printed = c.to_string();
        let back = parse_condition(&printed, &HashMap::new());
        prop_assert_eq!(back, Ok(c), "printed: {}", printed);
    }

    #[test]
    fn printed_updates_reparse(u in update_expr()) {
        let printed = u.to_string();
        let back = parse_update(&printed, &HashMap::new());
        prop_assert_eq!(back, Ok(u), "printed: {}", printed);
    }

    #[test]
    fn printed_projections_reparse(paths in prop::collection::vec(path(), 1..5)) {
        let mut paths = paths;
        let mut n = 0;
        for p in &mut paths {
            distinct(p, &mut n);
        }
        let printed = Projection(paths.clone()).to_string();
        prop_assert_eq!(parse_projection(&printed, &HashMap::new()), Ok(paths));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let names = HashMap::new();
    let deep = format!("{}a = :v{}", "(".repeat(2000), ")".repeat(2000));
    assert!(parse_condition(&deep[..4000], &names).is_err());
    let nots = format!("{}a = :v", "NOT ".repeat(1000));
    assert!(parse_condition(&nots, &names).is_err());
    let set = format!("SET a = {}b{}", "(".repeat(1000), ")".repeat(1000));
    assert!(parse_update(&set, &names).is_err());
}
