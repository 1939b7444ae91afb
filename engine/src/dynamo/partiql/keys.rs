//! Which items a WHERE clause names: the key equalities of a write or a
//! point read, and the partitions and sort-key range of a SELECT.
//!
//! The rules are DynamoDB's PartiQL layer's (DynamoDB Local,
//! `KeyAndConditionExpressionExtractorBase` and `SelectStatementTranslator`,
//! read from a decompiled copy):
//!
//! - A write (and an EXISTS, a batch or transaction read) walks the tree of
//!   ANDs under WHERE; every `key = value` leaf on a key attribute is taken
//!   out as part of the key, everything else (OR, NOT, IN, BETWEEN, other
//!   comparisons) stays as a condition. Every key attribute must be pinned
//!   ("Where clause does not contain a mandatory equality on all key
//!   attributes"); two different values for one key are refused.
//! - A SELECT is a Query when the partition key is pinned by `=` or `IN`
//!   (several partitions through `IN` or `OR`, as the Developer Guide's
//!   `ql-reference.select` examples show), otherwise a Scan. A top-level
//!   `=`, `<`, `<=`, `>`, `>=`, `BETWEEN` or `begins_with` on the sort key
//!   narrows the Query. The whole WHERE is still evaluated on every item
//!   read, so the key condition only ever narrows what is read.
//! - A key value must be S, N or B and of the key's type.

use std::collections::BTreeMap;

use super::ast::{Expr, PathExpr};
use super::error::{self as msg, PartiqlError};
use super::literal::Binder;
use super::translate::key_equality;
use crate::dynamo::expr::Comparator;
use crate::dynamo::items::value::{AttributeValue, Item};
use crate::dynamo::keys::codec::{encode_key_value, ScalarAttributeType};
use crate::dynamo::tables::schema::KeyAttr;

/// How strictly repeated key equalities are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extract {
    /// UPDATE/DELETE and point reads: a second, different value for a key
    /// is an error.
    Write,
    /// EXISTS: a second equality stays a condition.
    Check,
}

/// Splits `where_clause` into the key it pins and the conditions left (the
/// key's types are checked apart, [`check_key_types`]).
///
/// `missing` is the error when a key attribute is not pinned.
pub fn extract_key<'e>(
    where_clause: Option<&'e Expr>,
    keys: &[&KeyAttr],
    binder: Binder<'_>,
    mode: Extract,
    missing: &str,
) -> Result<(Item, Vec<&'e Expr>), PartiqlError> {
    let mut key = BTreeMap::new();
    let mut rest = Vec::new();
    if let Some(w) = where_clause {
        walk(w, keys, binder, mode, &mut key, &mut rest)?;
    }
    if keys.iter().any(|attr| !key.contains_key(&attr.name)) {
        return Err(PartiqlError::validation(missing));
    }
    Ok((key, rest))
}

/// Checks every attribute of `key` named in `keys` with [`check_key_type`].
pub fn check_key_types(keys: &[&KeyAttr], key: &Item) -> Result<(), PartiqlError> {
    for attr in keys {
        if let Some(v) = key.get(&attr.name) {
            check_key_type(attr, v)?;
        }
    }
    Ok(())
}

fn walk<'e>(
    e: &'e Expr,
    keys: &[&KeyAttr],
    binder: Binder<'_>,
    mode: Extract,
    key: &mut Item,
    rest: &mut Vec<&'e Expr>,
) -> Result<(), PartiqlError> {
    if let Expr::And(a, b) = e {
        walk(a, keys, binder, mode, key, rest)?;
        return walk(b, keys, binder, mode, key, rest);
    }
    check_nested_key(e, keys)?;
    if let Some((path, value)) = key_equality(e) {
        if path.steps.is_empty() && keys.iter().any(|k| k.name == path.root) {
            let v = binder.value(value, "root")?;
            match (key.get(&path.root), mode) {
                (None, _) => {
                    key.insert(path.root.clone(), v);
                    return Ok(());
                }
                (Some(old), Extract::Write) if *old == v => return Ok(()),
                (Some(_), Extract::Write) => return Err(msg::multiple_key_conditions(&path.root)),
                (Some(_), Extract::Check) => {}
            }
        }
    }
    rest.push(e);
    Ok(())
}

/// Refuses a leaf whose path operand starts at a key attribute and goes
/// deeper (`pk.a = 1`): keys are scalars.
fn check_nested_key(e: &Expr, keys: &[&KeyAttr]) -> Result<(), PartiqlError> {
    let operands: Vec<&Expr> = match e {
        Expr::Compare(_, a, b) => vec![a, b],
        Expr::Between(a, lo, hi) => vec![a, lo, hi],
        Expr::In(a, _) | Expr::Is(a, ..) => vec![a],
        Expr::Call(_, args) => args.iter().collect(),
        _ => Vec::new(),
    };
    for o in operands {
        if let Expr::Path(p) = o {
            if !p.steps.is_empty() && keys.iter().any(|k| k.name == p.root) {
                return Err(msg::nested_key_path(&p.root));
            }
        }
    }
    Ok(())
}

/// A key value must be S, N or B, and of the key's type.
pub fn check_key_type(attr: &KeyAttr, v: &AttributeValue) -> Result<(), PartiqlError> {
    let ty = match v {
        AttributeValue::S(_) => ScalarAttributeType::S,
        AttributeValue::N(_) => ScalarAttributeType::N,
        AttributeValue::B(_) => ScalarAttributeType::B,
        other => return Err(msg::key_value_type(&attr.name, other.type_name())),
    };
    if ty != attr.ty {
        return Err(msg::key_type_mismatch(&attr.name));
    }
    Ok(())
}

/// The partition values a SELECT's WHERE pins `hash` to, distinct, in
/// written order; `None` when it does not pin it (a Scan).
pub fn partition_values(
    where_clause: &Expr,
    hash: &KeyAttr,
    binder: Binder<'_>,
) -> Result<Option<Vec<AttributeValue>>, PartiqlError> {
    let Some(values) = pinned(where_clause, &hash.name, binder)? else {
        return Ok(None);
    };
    let mut seen = Vec::new();
    let mut distinct = Vec::new();
    for v in values {
        check_key_type(hash, &v)?;
        let mut enc = Vec::new();
        encode_key_value(&v, &mut enc).map_err(|e| PartiqlError::validation(e.message()))?;
        if !seen.contains(&enc) {
            seen.push(enc);
            distinct.push(v);
        }
    }
    Ok(Some(distinct))
}

fn is_name(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Path(PathExpr { root, steps }) if root == name && steps.is_empty())
}

fn pinned(
    e: &Expr,
    name: &str,
    binder: Binder<'_>,
) -> Result<Option<Vec<AttributeValue>>, PartiqlError> {
    Ok(match e {
        Expr::And(a, b) => match pinned(a, name, binder)? {
            Some(v) => Some(v),
            None => pinned(b, name, binder)?,
        },
        Expr::Or(a, b) => match (pinned(a, name, binder)?, pinned(b, name, binder)?) {
            (Some(mut x), Some(y)) => {
                x.extend(y);
                Some(x)
            }
            _ => None,
        },
        Expr::In(a, list) if is_name(a, name) => match list.as_ref() {
            Expr::List(items) if !items.is_empty() && items.iter().all(Binder::is_value) => Some(
                items
                    .iter()
                    .map(|i| binder.value(i, "root"))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            _ => None,
        },
        e => match key_equality(e) {
            Some((p, v)) if p.root == name && p.steps.is_empty() => {
                Some(vec![binder.value(v, "root")?])
            }
            _ => None,
        },
    })
}

/// A condition on the sort key usable as the range part of a key condition.
#[derive(Debug, Clone, PartialEq)]
pub enum SortCondition {
    /// `sk <op> v` (never `<>`), key on the left.
    Compare(Comparator, AttributeValue),
    /// `sk BETWEEN lo AND hi`.
    Between(AttributeValue, AttributeValue),
    /// `begins_with(sk, prefix)`.
    BeginsWith(AttributeValue),
}

/// The first top-level conjunct of `where_clause` that bounds `range`.
pub fn sort_condition(
    where_clause: &Expr,
    range: &KeyAttr,
    binder: Binder<'_>,
) -> Result<Option<SortCondition>, PartiqlError> {
    let mut conjuncts = Vec::new();
    flatten_and(where_clause, &mut conjuncts);
    for c in conjuncts {
        let found = match c {
            Expr::Compare(op, a, b) if *op != Comparator::Ne => {
                if is_name(a, &range.name) && Binder::is_value(b) {
                    Some(SortCondition::Compare(*op, binder.value(b, "root")?))
                } else if is_name(b, &range.name) && Binder::is_value(a) {
                    Some(SortCondition::Compare(
                        op.flipped(),
                        binder.value(a, "root")?,
                    ))
                } else {
                    None
                }
            }
            Expr::Between(a, lo, hi)
                if is_name(a, &range.name) && Binder::is_value(lo) && Binder::is_value(hi) =>
            {
                Some(SortCondition::Between(
                    binder.value(lo, "root")?,
                    binder.value(hi, "root")?,
                ))
            }
            Expr::Call(f, args) if f.eq_ignore_ascii_case("begins_with") => match args.as_slice() {
                [a, v] if is_name(a, &range.name) && Binder::is_value(v) => {
                    Some(SortCondition::BeginsWith(binder.value(v, "root")?))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(cond) = found {
            let values: Vec<&AttributeValue> = match &cond {
                SortCondition::Compare(_, v) | SortCondition::BeginsWith(v) => vec![v],
                SortCondition::Between(lo, hi) => vec![lo, hi],
            };
            for v in values {
                check_key_type(range, v)?;
            }
            return Ok(Some(cond));
        }
    }
    Ok(None)
}

/// The operands of a tree of ANDs, left to right.
pub fn flatten_and<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::And(a, b) => {
            flatten_and(a, out);
            flatten_and(b, out);
        }
        other => out.push(other),
    }
}
