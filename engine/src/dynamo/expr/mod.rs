//! DynamoDB expressions: condition, filter, key-condition, projection and
//! update expressions parsed into trees, with DynamoDB's limits and its exact
//! `ValidationException` messages.
//!
//! Parsed trees refer to attribute values by placeholder name (`":v"`); the
//! evaluator (`eval_condition`, `apply_update`, `project`) looks them up
//! in the request's `ExpressionAttributeValues` and works on items.
//!
//! One request may carry several expressions sharing one
//! `ExpressionAttributeNames` / `ExpressionAttributeValues`; use
//! [`ExprContext`](crate::dynamo::expr::ExprContext) to parse them all and then [`ExprContext::finish`](crate::dynamo::expr::ExprContext::finish) to
//! report placeholders no expression used. The one-shot functions
//! ([`parse_condition`](crate::dynamo::expr::parse_condition), ...) parse a single expression without the
//! "value not defined" and "unused" checks.
//!
//! Order of checks, as DynamoDB (and dynalite, `validations/index.js`) does
//! them: map syntax ([`check_names_map`](crate::dynamo::expr::check_names_map), [`check_value_keys`](crate::dynamo::expr::check_value_keys)), then each
//! expression — UpdateExpression, ConditionExpression, KeyConditionExpression,
//! FilterExpression, ProjectionExpression — then unused names, then unused values.

mod ast;
mod error;
mod eval;
pub mod legacy;
mod lexer;
mod parser;
mod project;
pub mod request;
mod reserved;
mod update;
mod validate;

#[cfg(test)]
pub(crate) mod eval_tests;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

pub use ast::{
    is_plain_name, Comparator, Condition, KeyCondition, KeyPart, KeyTest, Operand, Path, PathElem,
    Projection, UpdateExpr,
};
pub use error::{ExprError, ExprKind, INVALID_UPDATE_PATH};
pub use eval::{check_condition_values, eval_condition, resolve_path, Values};
pub use lexer::{lex, Keyword, Token, TokenKind};
pub use project::project;
pub use reserved::{is_reserved, RESERVED_WORDS};
pub use update::{apply_update, check_update_values};
pub use validate::{
    between_bounds_message, check_length, check_names_map, check_unused, check_value_keys,
    condition_operator_count, MAX_EXPRESSION_BYTES, MAX_IN_OPERANDS, MAX_OPERATORS, MAX_PATH_DEPTH,
    MAX_PLACEHOLDER_BYTES,
};

use parser::{Placeholders, Used};

/// The placeholders of one request and which of them its expressions used.
#[derive(Debug, Clone)]
pub struct ExprContext<'a> {
    names: &'a HashMap<String, String>,
    values: Option<BTreeSet<String>>,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
}

impl<'a> ExprContext<'a> {
    /// A context that resolves `#names` through `names` and does not know the
    /// value placeholders (so it cannot report undefined or unused `:values`).
    pub fn new(names: &'a HashMap<String, String>) -> Self {
        ExprContext {
            names,
            values: None,
            used_names: BTreeSet::new(),
            used_values: BTreeSet::new(),
        }
    }

    /// A context that also knows the keys of `ExpressionAttributeValues`.
    pub fn with_values<I, S>(names: &'a HashMap<String, String>, value_keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut c = ExprContext::new(names);
        c.values = Some(value_keys.into_iter().map(Into::into).collect());
        c
    }

    fn placeholders(&self) -> Placeholders<'_> {
        Placeholders {
            names: self.names,
            values: self.values.as_ref(),
        }
    }

    fn record(&mut self, used: Used) {
        self.used_names.extend(used.names);
        self.used_values.extend(used.values);
    }

    fn cond(&mut self, kind: ExprKind, expr: &str) -> Result<Condition, ExprError> {
        check_length(kind, expr)?;
        let (c, used) = parser::parse_condition_expr(expr, kind, &self.placeholders())?;
        validate::check_condition_limits(kind, &c)?;
        self.record(used);
        Ok(c)
    }

    /// Parses a `ConditionExpression`.
    pub fn condition(&mut self, expr: &str) -> Result<Condition, ExprError> {
        self.cond(ExprKind::Condition, expr)
    }

    /// Parses a `FilterExpression` (same grammar, its own message prefix).
    pub fn filter(&mut self, expr: &str) -> Result<Condition, ExprError> {
        self.cond(ExprKind::Filter, expr)
    }

    /// Parses a `KeyConditionExpression` and checks its shape (see
    /// [`KeyCondition`]); which attribute is which key is the caller's check.
    pub fn key_condition(&mut self, expr: &str) -> Result<KeyCondition, ExprError> {
        let c = self.cond(ExprKind::KeyCondition, expr)?;
        validate::key_condition(&c)
    }

    /// Parses a `ProjectionExpression`.
    pub fn projection(&mut self, expr: &str) -> Result<Projection, ExprError> {
        check_length(ExprKind::Projection, expr)?;
        let (paths, used) = parser::parse_projection_expr(expr, &self.placeholders())?;
        validate::check_projection_limits(&paths)?;
        self.record(used);
        Ok(Projection(paths))
    }

    /// Parses an `UpdateExpression`.
    pub fn update(&mut self, expr: &str) -> Result<UpdateExpr, ExprError> {
        check_length(ExprKind::Update, expr)?;
        let (u, used) = parser::parse_update_expr(expr, &self.placeholders())?;
        validate::check_update_limits(&u)?;
        self.record(used);
        Ok(u)
    }

    /// After all expressions of the request: fails if a supplied `#name` (or,
    /// when the value keys are known, a `:value`) was used by none of them.
    pub fn finish(self) -> Result<(), ExprError> {
        let values: Vec<&str> = self.values.iter().flatten().map(String::as_str).collect();
        check_unused(
            self.names.keys().map(String::as_str),
            values,
            &self.used_names,
            &self.used_values,
        )
    }
}

/// Parses one `ConditionExpression`, resolving `#names` through `names`.
pub fn parse_condition(
    expr: &str,
    names: &HashMap<String, String>,
) -> Result<Condition, ExprError> {
    ExprContext::new(names).condition(expr)
}

/// Parses one `FilterExpression`.
pub fn parse_filter(expr: &str, names: &HashMap<String, String>) -> Result<Condition, ExprError> {
    ExprContext::new(names).filter(expr)
}

/// Parses one `KeyConditionExpression`.
pub fn parse_key_condition(
    expr: &str,
    names: &HashMap<String, String>,
) -> Result<KeyCondition, ExprError> {
    ExprContext::new(names).key_condition(expr)
}

/// Parses one `ProjectionExpression` into its paths.
pub fn parse_projection(
    expr: &str,
    names: &HashMap<String, String>,
) -> Result<Vec<Path>, ExprError> {
    ExprContext::new(names).projection(expr).map(|p| p.0)
}

/// Parses one `UpdateExpression`.
pub fn parse_update(expr: &str, names: &HashMap<String, String>) -> Result<UpdateExpr, ExprError> {
    ExprContext::new(names).update(expr)
}
