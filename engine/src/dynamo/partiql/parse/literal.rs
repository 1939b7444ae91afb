//! Literals and `?` parameters → DynamoDB attribute values.
//!
//! Developer Guide, `ql-reference.data-types`: strings `'...'`, numbers
//! `1, 1.0, 1e0` (38 digits), `TRUE`/`FALSE` and `NULL` in any case, lists
//! `[...]`, maps `{'name': value}`, string and number sets `<<...>>`;
//! binary values only through parameters. The rules for what may not be
//! converted, and their messages, are those of DynamoDB's PartiQL layer
//! (`PartiQLToAttributeValueConverterBase`, see [`super::super::error`]): a tuple
//! key must be a string literal, a set holds only numbers or only strings,
//! messages name where the offending value is (`root`, `root.a`,
//! `root[2]`).

use std::collections::{BTreeMap, BTreeSet};

use super::super::error::{self as msg, PartiqlError};
use super::ast::{Expr, Literal};
use crate::dynamo::items::number::Number;
use crate::dynamo::items::value::AttributeValue;

/// Resolves literals and parameters of one statement.
#[derive(Debug, Clone, Copy)]
pub struct Binder<'a> {
    params: &'a [AttributeValue],
}

impl<'a> Binder<'a> {
    /// A binder for `params`, the request's `Parameters` in order.
    pub fn new(params: &'a [AttributeValue]) -> Binder<'a> {
        Binder { params }
    }

    /// The `n`th parameter.
    pub fn param(&self, n: usize) -> Result<&'a AttributeValue, PartiqlError> {
        self.params
            .get(n)
            .ok_or_else(|| PartiqlError::validation(msg::PARAMETER_COUNT))
    }

    /// Whether `e` is a value (a literal other than MISSING, a parameter, a
    /// list, tuple or bag) rather than a path or an operation.
    pub fn is_value(e: &Expr) -> bool {
        matches!(
            e,
            Expr::Literal(
                Literal::String(_) | Literal::Number(_) | Literal::Bool(_) | Literal::Null
            ) | Expr::Param(_)
                | Expr::List(_)
                | Expr::Tuple(_)
                | Expr::Bag(_)
        )
    }

    /// The value of `e` (see [`Binder::is_value`]), found at `under` (for
    /// messages; `"root"` at the top).
    pub fn value(&self, e: &Expr, under: &str) -> Result<AttributeValue, PartiqlError> {
        match e {
            Expr::Literal(Literal::String(s)) => Ok(AttributeValue::S(s.clone())),
            Expr::Literal(Literal::Number(text)) => number(text, under).map(AttributeValue::N),
            Expr::Literal(Literal::Bool(b)) => Ok(AttributeValue::Bool(*b)),
            Expr::Literal(Literal::Null) => Ok(AttributeValue::Null),
            Expr::Literal(Literal::Missing) => {
                Err(msg::unsupported_data_type("LiteralMissing", under))
            }
            Expr::Param(n) => self.param(*n).cloned(),
            Expr::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| self.value(v, &format!("{under}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(AttributeValue::L),
            Expr::Tuple(pairs) => self.tuple(pairs, under).map(AttributeValue::M),
            Expr::Bag(items) => bag(items),
            other => Err(msg::unsupported_data_type(&other.kind_name(), under)),
        }
    }

    /// The map a tuple `{...}` denotes.
    pub fn tuple(
        &self,
        pairs: &[(Expr, Expr)],
        under: &str,
    ) -> Result<BTreeMap<String, AttributeValue>, PartiqlError> {
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            let Expr::Literal(Literal::String(key)) = k else {
                return Err(msg::tuple_key_type(&k.kind_name(), under));
            };
            if key.is_empty() {
                return Err(PartiqlError::validation(msg::EMPTY_PATH_COMPONENT));
            }
            if map.contains_key(key) {
                return Err(msg::duplicate_tuple_key(key, under));
            }
            let value = self.value(v, &format!("{under}.{key}"))?;
            map.insert(key.clone(), value);
        }
        Ok(map)
    }
}

/// A number literal. `-0.0` (a negative decimal zero) is refused as
/// DynamoDB's converter does; `-0` and `-0e0` are zero.
fn number(text: &str, under: &str) -> Result<Number, PartiqlError> {
    let n = Number::parse(text).map_err(|e| PartiqlError::validation(e.to_string()))?;
    let decimal = text.contains('.') && !text.contains(['e', 'E']);
    if n.is_zero() && text.starts_with('-') && decimal {
        return Err(msg::negative_zero(under));
    }
    Ok(n)
}

/// The set `<<...>>` denotes: its first member decides SS or NS; members
/// must be literals of that type (a `?` is refused, recorded against
/// DynamoDB Local), distinct, and there must be at least one.
fn bag(items: &[Expr]) -> Result<AttributeValue, PartiqlError> {
    let type_error = || PartiqlError::validation(msg::BAG_TYPE);
    let duplicates = || PartiqlError::validation(msg::BAG_DUPLICATES);
    match items.first() {
        None => Err(PartiqlError::validation(msg::EMPTY_BAG)),
        Some(Expr::Literal(Literal::String(_))) => {
            let mut set = BTreeSet::new();
            for item in items {
                let Expr::Literal(Literal::String(s)) = item else {
                    return Err(type_error());
                };
                if !set.insert(s.clone()) {
                    return Err(duplicates());
                }
            }
            Ok(AttributeValue::Ss(set))
        }
        Some(Expr::Literal(Literal::Number(_))) => {
            let mut set = BTreeSet::new();
            for item in items {
                let Expr::Literal(Literal::Number(text)) = item else {
                    return Err(type_error());
                };
                if !set.insert(number(text, "root")?) {
                    return Err(duplicates());
                }
            }
            Ok(AttributeValue::Ns(set))
        }
        Some(_) => Err(type_error()),
    }
}
