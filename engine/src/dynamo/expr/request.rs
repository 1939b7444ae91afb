//! Expression parameters of one request, validated and parsed together.
//!
//! DynamoDB checks a request's expressions in a fixed order (dynalite
//! `validations/index.js`, `checkExpressions`): the placeholder maps
//! themselves, then UpdateExpression, ConditionExpression,
//! KeyConditionExpression, FilterExpression, ProjectionExpression, then
//! placeholders no expression used — all before it looks at the table.

use crate::dynamo::api::{AttributeNames, AttributeValues};
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::{
    check_condition_values, check_names_map, check_update_values, check_value_keys, Condition,
    ExprContext, ExprKind, KeyCondition, Path, UpdateExpr,
};
use crate::dynamo::items::validate::validate_value;

/// The expression parameters of a request, as given.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExprParams<'a> {
    /// `ExpressionAttributeNames`.
    pub names: Option<&'a AttributeNames>,
    /// `ExpressionAttributeValues`.
    pub values: Option<&'a AttributeValues>,
    /// `UpdateExpression`.
    pub update: Option<&'a str>,
    /// `ConditionExpression`.
    pub condition: Option<&'a str>,
    /// `KeyConditionExpression`.
    pub key_condition: Option<&'a str>,
    /// `FilterExpression`.
    pub filter: Option<&'a str>,
    /// `ProjectionExpression`.
    pub projection: Option<&'a str>,
}

/// The parsed expressions and the values they refer to.
#[derive(Debug, Default, Clone)]
pub struct Prepared {
    /// Parsed `UpdateExpression`.
    pub update: Option<UpdateExpr>,
    /// Parsed `ConditionExpression`.
    pub condition: Option<Condition>,
    /// Parsed `KeyConditionExpression`.
    pub key_condition: Option<KeyCondition>,
    /// Parsed `FilterExpression`.
    pub filter: Option<Condition>,
    /// Parsed `ProjectionExpression`.
    pub projection: Option<Vec<Path>>,
    /// `ExpressionAttributeValues` (empty when absent).
    pub values: AttributeValues,
}

impl ExprParams<'_> {
    /// The names of the expression parameters present (for the "can not use
    /// both expression and non-expression parameters" message).
    pub fn present(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let pairs: [(&'static str, bool); 7] = [
            ("ExpressionAttributeNames", self.names.is_some()),
            ("ExpressionAttributeValues", self.values.is_some()),
            ("UpdateExpression", self.update.is_some()),
            ("ConditionExpression", self.condition.is_some()),
            ("KeyConditionExpression", self.key_condition.is_some()),
            ("FilterExpression", self.filter.is_some()),
            ("ProjectionExpression", self.projection.is_some()),
        ];
        for (name, here) in pairs {
            if here {
                out.push(name);
            }
        }
        out
    }

    /// Validates and parses everything. Messages are DynamoDB's (dynalite
    /// `validations/index.js` for the map-level ones).
    pub fn prepare(&self) -> Result<Prepared, DynamoError> {
        let uses_values = self.update.is_some()
            || self.condition.is_some()
            || self.key_condition.is_some()
            || self.filter.is_some();
        let uses_names = uses_values || self.projection.is_some();
        if let Some(names) = self.names {
            if names.is_empty() {
                return Err(DynamoError::validation(
                    "ExpressionAttributeNames must not be empty",
                ));
            }
            if !uses_names {
                return Err(DynamoError::validation(
                    "ExpressionAttributeNames can only be specified when using expressions",
                ));
            }
            check_names_map(names)?;
        }
        if let Some(values) = self.values {
            if values.is_empty() {
                return Err(DynamoError::validation(
                    "ExpressionAttributeValues must not be empty",
                ));
            }
            if !uses_values {
                return Err(DynamoError::validation(
                    "ExpressionAttributeValues can only be specified when using expressions",
                ));
            }
            check_value_keys(values.keys().map(String::as_str))?;
            let mut keys: Vec<&String> = values.keys().collect();
            keys.sort();
            for k in keys {
                if let Some(v) = values.get(k) {
                    validate_value(v).map_err(|e| {
                        DynamoError::validation(format!(
                            "ExpressionAttributeValues contains invalid value: {} for key {k}",
                            e.message()
                        ))
                    })?;
                }
            }
        }
        let empty_names = AttributeNames::new();
        let names = self.names.unwrap_or(&empty_names);
        let mut ctx = ExprContext::with_values(
            names,
            self.values.into_iter().flat_map(|v| v.keys().cloned()),
        );
        let mut p = Prepared {
            values: self.values.cloned().unwrap_or_default(),
            ..Prepared::default()
        };
        if let Some(e) = self.update {
            p.update = Some(ctx.update(e)?);
        }
        if let Some(e) = self.condition {
            p.condition = Some(ctx.condition(e)?);
        }
        if let Some(e) = self.key_condition {
            p.key_condition = Some(ctx.key_condition(e)?);
        }
        if let Some(e) = self.filter {
            p.filter = Some(ctx.filter(e)?);
        }
        if let Some(e) = self.projection {
            p.projection = Some(ctx.projection(e)?.0);
        }
        ctx.finish()?;
        if let Some(u) = &p.update {
            check_update_values(u, &p.values)?;
        }
        if let Some(c) = &p.condition {
            check_condition_values(ExprKind::Condition, c, &p.values)?;
        }
        if let Some(c) = &p.filter {
            check_condition_values(ExprKind::Filter, c, &p.values)?;
        }
        Ok(p)
    }
}
