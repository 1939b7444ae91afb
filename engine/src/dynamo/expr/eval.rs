//! Evaluation of condition and filter expressions against an item, document
//! path resolution, and the value checks DynamoDB makes before it reads any
//! item.
//!
//! Semantics follow the Developer Guide (`Expressions.OperatorsAndFunctions`)
//! where it is precise, and otherwise DynamoDB's own expression engine as
//! shipped in DynamoDB Local (`com.amazonaws.services.dynamodbv2.datamodel`:
//! `Operator`, `OperatorExecutor`, `OperatorValidator`, `TypeSet`; read from a
//! decompiled copy), cross-checked against ScyllaDB's Alternator tests
//! (`test/alternator/test_condition_expression.py`), which are run against
//! the real service. The facts this file relies on:
//!
//! - A missing attribute makes every comparison false except `<>`, which is
//!   true (so `a <> b` is true when both are missing, `a = b` false).
//! - `<`, `<=`, `>`, `>=` and `BETWEEN` compare only S with S (by UTF-8
//!   bytes, as DynamoDB collates strings — Developer Guide,
//!   `HowItWorks.NamingRulesDataTypes`), N with N (numerically) and B with B
//!   (unsigned bytes); any other pairing is false. `=`, `<>` and `IN` compare any types: sets as sets, lists and
//!   maps deeply, numbers numerically.
//! - `begins_with` holds only for S/S or B/B; `contains` is a substring test
//!   for S/S and B/B, membership for a set and an element of the set's
//!   element type, and element equality for a list; anything else is false.
//! - `size` is the number of UTF-16 code units of an S (Java's
//!   `String.length()` in `OperatorExecutor.eval_SIZE`), the bytes of a B, and
//!   the element count of a set, list or map; of an N, BOOL or NULL it is
//!   "missing", so any comparison with it is false.
//! - Type mismatches in the item never raise an error; a `:value` of the
//!   wrong type does, before any item is read ([`check_condition_values`]).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

use super::ast::{Comparator, Condition, Operand, Path, PathElem};
use super::error::{ExprError, ExprKind};
use super::update::eval_set_operand;
use super::validate::{between_bounds_message, render};
use crate::dynamo::items::number::Number;
use crate::dynamo::items::validate::validate_value;
use crate::dynamo::items::value::{AttributeValue, Item};

/// A request's ExpressionAttributeValues: placeholder (with its colon, e.g.
/// `":v"`) → value.
pub type Values = HashMap<String, AttributeValue>;

/// Types `<`, `<=`, `>`, `>=` and `BETWEEN` accept (`TypeSet.ORDERED_TYPES`).
const ORDERED: &[&str] = &["S", "N", "B"];
/// Types `begins_with` accepts (`TypeSet.STRING_BINARY`).
const STRING_BINARY: &[&str] = &["S", "B"];
/// Types `size` accepts (`TypeSet.ITERABLE`).
const ITERABLE: &[&str] = &["S", "B", "SS", "NS", "BS", "L", "M"];
/// The type names `attribute_type` accepts.
const ATTRIBUTE_TYPES: &[&str] = &["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];
/// How DynamoDB lists the possible types of a document path in an operand
/// type error (dynalite `checkFunction`, recorded from DynamoDB).
const ANY_TYPE: &str = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}";
/// How DynamoDB lists the valid `attribute_type` names (dynalite
/// `checkFunction`; the order is that of DynamoDB's hash set).
const VALID_TYPE_NAMES: &str = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}";

/// Resolves a document path in an item: map keys through maps, list indexes
/// through lists. `None` if any step is missing or meets the wrong type (an
/// index into a map, a key into a list, anything into a scalar).
pub fn resolve_path<'a>(item: &'a Item, path: &Path) -> Option<&'a AttributeValue> {
    let mut elems = path.0.iter();
    let mut current = match elems.next()? {
        PathElem::Name(n) => item.get(n)?,
        PathElem::Index(_) => return None,
    };
    for elem in elems {
        current = match (elem, current) {
            (PathElem::Name(n), AttributeValue::M(m)) => m.get(n)?,
            (PathElem::Index(i), AttributeValue::L(l)) => l.get(usize::try_from(*i).ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Looks up a `:value`; an undefined one is DynamoDB's "not defined" error
/// (the parser's wording, `parser.rs` `value_ref`), prefixed for `kind`.
pub(crate) fn lookup<'v>(
    values: &'v Values,
    name: &str,
    kind: ExprKind,
) -> Result<&'v AttributeValue, ExprError> {
    values.get(name).ok_or_else(|| {
        kind.error(format!(
            "An expression attribute value used in expression is not defined; attribute value: {name}"
        ))
    })
}

/// Rejects a `:value` that is not a valid attribute value (an empty set, too
/// deep a nesting).
///
/// Wording: "ExpressionAttributeValues contains invalid value: " then the
/// value's own message. For an empty set DynamoDB adds nothing after it
/// (moto `test_update_item_add_empty_set`, marked verified against AWS); for
/// nesting it adds DynamoDB's longer nesting text and " for key :k" (captured
/// from DynamoDB in a public conformance suite, "Deep requests").
pub(crate) fn check_value_is_valid(name: &str, value: &AttributeValue) -> Result<(), ExprError> {
    match validate_value(value) {
        Ok(()) => Ok(()),
        Err(e) if e.message().starts_with("Nesting Levels") => Err(ExprError::new(format!(
            "ExpressionAttributeValues contains invalid value: Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit for key {name}"
        ))),
        Err(e) => Err(ExprError::new(format!(
            "ExpressionAttributeValues contains invalid value: {}",
            e.message()
        ))),
    }
}

/// Checks every `:value` in `names` (in order): defined, and valid.
pub(crate) fn check_referenced_values(
    names: &[&str],
    values: &Values,
    kind: ExprKind,
) -> Result<(), ExprError> {
    for name in names {
        let v = lookup(values, name, kind)?;
        check_value_is_valid(name, v)?;
    }
    Ok(())
}

/// Collects the `:value` placeholders of an operand, in written order.
pub(crate) fn operand_values<'a>(o: &'a Operand, out: &mut Vec<&'a str>) {
    match o {
        Operand::Path(_) => {}
        Operand::Value(v) => out.push(v),
        Operand::Size(a) => operand_values(a, out),
        Operand::IfNotExists(_, a) => operand_values(a, out),
        Operand::ListAppend(a, b) | Operand::Plus(a, b) | Operand::Minus(a, b) => {
            operand_values(a, out);
            operand_values(b, out);
        }
    }
}

fn condition_values<'a>(c: &'a Condition, out: &mut Vec<&'a str>) {
    match c {
        Condition::Compare { left, right, .. } => {
            operand_values(left, out);
            operand_values(right, out);
        }
        Condition::Between { operand, low, high } => {
            for o in [operand, low, high] {
                operand_values(o, out);
            }
        }
        Condition::In { operand, list } => {
            operand_values(operand, out);
            for o in list {
                operand_values(o, out);
            }
        }
        Condition::And(a, b) | Condition::Or(a, b) => {
            condition_values(a, out);
            condition_values(b, out);
        }
        Condition::Not(a) => condition_values(a, out),
        Condition::AttributeExists(_) | Condition::AttributeNotExists(_) => {}
        Condition::AttributeType(_, t) => operand_values(t, out),
        Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
            operand_values(a, out);
            operand_values(b, out);
        }
    }
}

/// What DynamoDB knows of an operand's type before reading the item.
#[derive(Clone, Copy)]
pub(crate) enum StaticType<'a> {
    /// A `:value`: its type is known.
    Value(&'a AttributeValue),
    /// A result of fixed type: `size` (N), `+`/`-` (N), `list_append` (L).
    Fixed(&'static str),
    /// A document path or `if_not_exists`: any type.
    Any,
}

impl StaticType<'_> {
    /// The type as DynamoDB prints it in "operand type: ..." (`DocumentNodeHelper.createTypeSymbolsString`).
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            StaticType::Value(v) => v.type_name(),
            StaticType::Fixed(t) => t,
            StaticType::Any => ANY_TYPE,
        }
    }

    /// Whether an operand of this type may be given to an operator accepting
    /// `allowed` (`ExprTreeNode.isReturnTypeSupported`: any overlap).
    pub(crate) fn fits(self, allowed: &[&str]) -> bool {
        match self {
            StaticType::Value(v) => allowed.contains(&v.type_name()),
            StaticType::Fixed(t) => allowed.contains(&t),
            StaticType::Any => true,
        }
    }
}

/// The static type of an operand (the values it names must be defined).
pub(crate) fn static_type<'v>(
    o: &Operand,
    values: &'v Values,
    kind: ExprKind,
) -> Result<StaticType<'v>, ExprError> {
    Ok(match o {
        Operand::Path(_) | Operand::IfNotExists(..) => StaticType::Any,
        Operand::Value(v) => StaticType::Value(lookup(values, v, kind)?),
        Operand::Size(_) | Operand::Plus(..) | Operand::Minus(..) => StaticType::Fixed("N"),
        Operand::ListAppend(..) => StaticType::Fixed("L"),
    })
}

/// DynamoDB's operand type error, unprefixed: "Incorrect operand type for
/// operator or function; operator or function: <, operand type: L"
/// (`DbValidationError.OPERAND_TYPE_CHECK_FAIL`; dynalite `checkFunction`).
pub(crate) fn operand_type_message(operator: &str, ty: StaticType<'_>) -> String {
    format!(
        "Incorrect operand type for operator or function; operator or function: {operator}, operand type: {}",
        ty.symbol()
    )
}

/// Requires `o` to fit `allowed` for `operator`.
pub(crate) fn require_type(
    operator: &str,
    o: &Operand,
    allowed: &[&str],
    values: &Values,
    kind: ExprKind,
) -> Result<(), ExprError> {
    let ty = static_type(o, values, kind)?;
    if ty.fits(allowed) {
        Ok(())
    } else {
        Err(kind.error(operand_type_message(operator, ty)))
    }
}

/// Value-dependent validation DynamoDB does before reading any item: the
/// operand types of functions and operators when an operand is a `:value`,
/// `attribute_type`'s type name, `BETWEEN` bounds given as values, and the
/// values themselves. Messages are prefixed per [`ExprKind::error`].
///
/// Order (DynamoDB Local `ExpressionValidator.validateExpression`): every
/// `:value` the condition names is looked up and checked first, in written
/// order; then the tree is checked children first, left to right, each
/// operator after its operands.
///
/// - `size`: the operand must be S, B, a set, L or M (so `size(:v)` with an N
///   value fails); `<`, `<=`, `>`, `>=`, `BETWEEN`: S, N or B; `begins_with`:
///   S or B. A document path may hold anything and always passes.
/// - `attribute_type`: the second operand must be a `:value` of type S naming
///   one of S, SS, N, NS, B, BS, BOOL, NULL, L, M ("Invalid attribute type
///   name found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}").
/// - `BETWEEN :lo AND :hi`: the bounds must have one type and `lo <= hi`
///   ([`between_bounds_message`]).
pub fn check_condition_values(
    kind: ExprKind,
    cond: &Condition,
    values: &Values,
) -> Result<(), ExprError> {
    let mut names = Vec::new();
    condition_values(cond, &mut names);
    check_referenced_values(&names, values, kind)?;
    check_cond(kind, cond, values)
}

fn check_operand(kind: ExprKind, o: &Operand, values: &Values) -> Result<(), ExprError> {
    match o {
        Operand::Path(_) => Ok(()),
        Operand::Value(v) => lookup(values, v, kind).map(|_| ()),
        Operand::Size(a) => {
            check_operand(kind, a, values)?;
            require_type("size", a, ITERABLE, values, kind)
        }
        // Update-only operands (the parser never puts them in a condition):
        // checked as in an update, under this expression's prefix.
        Operand::IfNotExists(_, a) => check_operand(kind, a, values),
        Operand::ListAppend(a, b) => {
            check_operand(kind, a, values)?;
            check_operand(kind, b, values)?;
            require_type("list_append", a, &["L"], values, kind)?;
            require_type("list_append", b, &["L"], values, kind)
        }
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let sym = if matches!(o, Operand::Plus(..)) {
                "+"
            } else {
                "-"
            };
            check_operand(kind, a, values)?;
            check_operand(kind, b, values)?;
            require_type(sym, a, &["N"], values, kind)?;
            require_type(sym, b, &["N"], values, kind)
        }
    }
}

fn check_cond(kind: ExprKind, c: &Condition, values: &Values) -> Result<(), ExprError> {
    match c {
        Condition::Compare { left, op, right } => {
            check_operand(kind, left, values)?;
            check_operand(kind, right, values)?;
            if !matches!(op, Comparator::Eq | Comparator::Ne) {
                require_type(op.symbol(), left, ORDERED, values, kind)?;
                require_type(op.symbol(), right, ORDERED, values, kind)?;
            }
            Ok(())
        }
        Condition::Between { operand, low, high } => {
            for o in [operand, low, high] {
                check_operand(kind, o, values)?;
            }
            for o in [operand, low, high] {
                require_type("BETWEEN", o, ORDERED, values, kind)?;
            }
            check_between_bounds(kind, low, high, values)
        }
        Condition::In { operand, list } => {
            check_operand(kind, operand, values)?;
            list.iter().try_for_each(|o| check_operand(kind, o, values))
        }
        Condition::And(a, b) | Condition::Or(a, b) => {
            check_cond(kind, a, values)?;
            check_cond(kind, b, values)
        }
        Condition::Not(a) => check_cond(kind, a, values),
        Condition::AttributeExists(_) | Condition::AttributeNotExists(_) => Ok(()),
        Condition::AttributeType(_, t) => {
            check_operand(kind, t, values)?;
            // OperatorValidator.validateAttributeType: a value node of type S,
            // naming a known type.
            let ty = static_type(t, values, kind)?;
            match ty {
                StaticType::Value(AttributeValue::S(name)) => {
                    if ATTRIBUTE_TYPES.contains(&name.as_str()) {
                        Ok(())
                    } else {
                        Err(kind.error(format!(
                            "Invalid attribute type name found; type: {name}, valid types: {VALID_TYPE_NAMES}"
                        )))
                    }
                }
                _ => Err(kind.error(operand_type_message("attribute_type", ty))),
            }
        }
        Condition::BeginsWith(a, b) => {
            check_operand(kind, a, values)?;
            check_operand(kind, b, values)?;
            require_type("begins_with", a, STRING_BINARY, values, kind)?;
            require_type("begins_with", b, STRING_BINARY, values, kind)
        }
        Condition::Contains(a, b) => {
            check_operand(kind, a, values)?;
            check_operand(kind, b, values)
        }
    }
}

/// `BETWEEN :lo AND :hi` with both bounds given as values
/// (`OperatorValidator.validateBetween`): same type, and `lo <= hi`.
fn check_between_bounds(
    kind: ExprKind,
    low: &Operand,
    high: &Operand,
    values: &Values,
) -> Result<(), ExprError> {
    let (Operand::Value(l), Operand::Value(h)) = (low, high) else {
        return Ok(());
    };
    let (lo, hi) = (lookup(values, l, kind)?, lookup(values, h, kind)?);
    if lo.type_name() != hi.type_name() {
        // Wording: DbValidationError.BETWEEN_DIFFERENT_TYPE_OPERANDS, with
        // operands rendered as in dynalite `checkBetweenArgs`.
        return Err(kind.error(format!(
            "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
            render(lo),
            render(hi)
        )));
    }
    if ordered_cmp(Some(lo), Some(hi)) == Some(Ordering::Greater) {
        return Err(between_bounds_message(kind, lo, hi));
    }
    Ok(())
}

/// Orders two operands if both are present and of the same ordered type
/// (S by UTF-8 bytes, N numerically, B by unsigned bytes); `None` otherwise,
/// which makes every ordering comparison false (`OperatorExecutor.eval_LT`
/// and friends: `typeMatch` first; `TypeMismatchBehavior.RETURN_FALSE`).
pub(crate) fn ordered_cmp(
    a: Option<&AttributeValue>,
    b: Option<&AttributeValue>,
) -> Option<Ordering> {
    match (a?, b?) {
        (AttributeValue::S(x), AttributeValue::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (AttributeValue::N(x), AttributeValue::N(y)) => Some(x.cmp(y)),
        (AttributeValue::B(x), AttributeValue::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `size(v)`: UTF-16 code units of an S, bytes of a B, elements of a set,
/// list or map; `None` ("missing") for N, BOOL and NULL
/// (`OperatorExecutor.eval_SIZE`).
pub(crate) fn size_of(v: &AttributeValue) -> Option<Number> {
    let n = match v {
        AttributeValue::S(s) => s.encode_utf16().count(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::Ss(s) => s.len(),
        AttributeValue::Ns(s) => s.len(),
        AttributeValue::Bs(s) => s.len(),
        AttributeValue::L(l) => l.len(),
        AttributeValue::M(m) => m.len(),
        AttributeValue::N(_) | AttributeValue::Bool(_) | AttributeValue::Null => return None,
    };
    Some(Number::from(n as u64))
}

/// Evaluates a condition or filter against `item`; `None` means the item
/// does not exist, so every path is missing.
///
/// Never fails on the item's contents: type mismatches and missing
/// attributes make a test false, as in DynamoDB. The only error is a
/// `:value` missing from `values` (reported with the ConditionExpression
/// prefix), which a request parsed with
/// [`ExprContext::with_values`](crate::dynamo::expr::ExprContext::with_values)
/// and checked with [`check_condition_values`] cannot have. `AND` and `OR`
/// stop early; since evaluation has no effects, only such an undefined value
/// in an unevaluated branch could tell.
pub fn eval_condition(
    cond: &Condition,
    item: Option<&Item>,
    values: &Values,
) -> Result<bool, ExprError> {
    Evaluator { item, values }.cond(cond)
}

struct Evaluator<'a> {
    item: Option<&'a Item>,
    values: &'a Values,
}

impl<'a> Evaluator<'a> {
    fn path(&self, p: &Path) -> Option<&'a AttributeValue> {
        self.item.and_then(|item| resolve_path(item, p))
    }

    fn operand(&self, o: &Operand) -> Result<Option<Cow<'a, AttributeValue>>, ExprError> {
        Ok(match o {
            Operand::Path(p) => self.path(p).map(Cow::Borrowed),
            Operand::Value(v) => Some(Cow::Borrowed(lookup(self.values, v, ExprKind::Condition)?)),
            Operand::Size(a) => self
                .operand(a)?
                .and_then(|v| size_of(&v))
                .map(|n| Cow::Owned(AttributeValue::N(n))),
            // Update-only operands never come out of the condition parser. If
            // one is built by hand, evaluate it as SET would against the item
            // and treat a failure as "missing" (DynamoDB turns execution
            // errors in a condition into a failed condition,
            // `ExceptionHandler.convertExpectedExpressionContext`).
            Operand::IfNotExists(..)
            | Operand::ListAppend(..)
            | Operand::Plus(..)
            | Operand::Minus(..) => {
                let mut names = Vec::new();
                operand_values(o, &mut names);
                for name in names {
                    lookup(self.values, name, ExprKind::Condition)?;
                }
                let empty = Item::new();
                let item = self.item.unwrap_or(&empty);
                eval_set_operand(o, item, self.values)
                    .ok()
                    .flatten()
                    .map(Cow::Owned)
            }
        })
    }

    fn cond(&self, c: &Condition) -> Result<bool, ExprError> {
        Ok(match c {
            Condition::Compare { left, op, right } => {
                let l = self.operand(left)?;
                let r = self.operand(right)?;
                let (l, r) = (l.as_deref(), r.as_deref());
                match op {
                    Comparator::Eq => equal(l, r),
                    Comparator::Ne => !equal(l, r),
                    Comparator::Lt => ordered_cmp(l, r) == Some(Ordering::Less),
                    Comparator::Le => {
                        matches!(ordered_cmp(l, r), Some(Ordering::Less | Ordering::Equal))
                    }
                    Comparator::Gt => ordered_cmp(l, r) == Some(Ordering::Greater),
                    Comparator::Ge => {
                        matches!(ordered_cmp(l, r), Some(Ordering::Greater | Ordering::Equal))
                    }
                }
            }
            Condition::Between { operand, low, high } => {
                let x = self.operand(operand)?;
                let lo = self.operand(low)?;
                let hi = self.operand(high)?;
                // OperatorExecutor.eval_BETWEEN: x <= hi && x >= lo.
                matches!(
                    ordered_cmp(x.as_deref(), hi.as_deref()),
                    Some(Ordering::Less | Ordering::Equal)
                ) && matches!(
                    ordered_cmp(x.as_deref(), lo.as_deref()),
                    Some(Ordering::Greater | Ordering::Equal)
                )
            }
            Condition::In { operand, list } => {
                let x = self.operand(operand)?;
                let mut found = false;
                for o in list {
                    let candidate = self.operand(o)?;
                    found = found || equal(x.as_deref(), candidate.as_deref());
                }
                found
            }
            Condition::And(a, b) => self.cond(a)? && self.cond(b)?,
            Condition::Or(a, b) => self.cond(a)? || self.cond(b)?,
            Condition::Not(a) => !self.cond(a)?,
            Condition::AttributeExists(p) => self.path(p).is_some(),
            Condition::AttributeNotExists(p) => self.path(p).is_none(),
            Condition::AttributeType(p, t) => {
                let t = self.operand(t)?;
                match (self.path(p), t.as_deref()) {
                    (Some(v), Some(AttributeValue::S(name))) => v.type_name() == name,
                    _ => false,
                }
            }
            Condition::BeginsWith(a, b) => {
                let a = self.operand(a)?;
                let b = self.operand(b)?;
                match (a.as_deref(), b.as_deref()) {
                    (Some(AttributeValue::S(x)), Some(AttributeValue::S(y))) => {
                        x.as_bytes().starts_with(y.as_bytes())
                    }
                    (Some(AttributeValue::B(x)), Some(AttributeValue::B(y))) => x.starts_with(y),
                    _ => false,
                }
            }
            Condition::Contains(a, b) => {
                let a = self.operand(a)?;
                let b = self.operand(b)?;
                match (a.as_deref(), b.as_deref()) {
                    (Some(a), Some(b)) => contains(a, b),
                    _ => false,
                }
            }
        })
    }
}

/// `=`: both present and equal (`OperatorExecutor.eval_EQ`). The derived
/// equality of [`AttributeValue`] is DynamoDB's: numbers are normalized, sets
/// are ordered sets, lists and maps compare element by element.
fn equal(a: Option<&AttributeValue>, b: Option<&AttributeValue>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x == y)
}

/// `contains(a, b)` (`OperatorExecutor.contains`).
fn contains(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::S(x), AttributeValue::S(y)) => x.contains(y.as_str()),
        (AttributeValue::B(x), AttributeValue::B(y)) => {
            y.is_empty() || x.windows(y.len()).any(|w| w == y.as_slice())
        }
        (AttributeValue::L(l), x) => l.iter().any(|e| e == x),
        (AttributeValue::Ss(s), AttributeValue::S(x)) => s.contains(x),
        (AttributeValue::Ns(s), AttributeValue::N(x)) => s.contains(x),
        (AttributeValue::Bs(s), AttributeValue::B(x)) => s.contains(x),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_counts_utf16_units() {
        assert_eq!(
            size_of(&AttributeValue::S("héllo".into())),
            Some(Number::from(5u64))
        );
        assert_eq!(
            size_of(&AttributeValue::S("😀".into())),
            Some(Number::from(2u64))
        );
        assert_eq!(size_of(&AttributeValue::Null), None);
    }
}
