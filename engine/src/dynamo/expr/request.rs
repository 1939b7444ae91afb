//! The expression and legacy parameters of one request, validated and
//! parsed together — the preamble every item, query and scan operation
//! shares.
//!
//! DynamoDB checks a request's expressions in a fixed order (dynalite
//! `validations/index.js`, `checkExpressions`): the placeholder maps
//! themselves, then UpdateExpression, ConditionExpression,
//! KeyConditionExpression, FilterExpression, ProjectionExpression, then
//! placeholders no expression used — all before it looks at the table. A
//! request may use the legacy parameters instead (never both:
//! [`RequestParams::check_not_mixed`]); they are translated into the same
//! trees ([`crate::dynamo::expr::legacy`]) after the expressions are checked.

use std::collections::BTreeMap;

use crate::dynamo::api::{
    AttributeNames, AttributeValueUpdate, AttributeValues, ConditionalOperator,
    ExpectedAttributeValue, LegacyCondition,
};
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::legacy;
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
        if self.present().is_empty() {
            // Nothing to check or parse (most GetItem and PutItem
            // requests): what the steps below would build for no
            // parameters, without building their context.
            return Ok(Prepared::default());
        }
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

/// The legacy (pre-expression) parameters of a request, as given.
#[derive(Debug, Default, Clone, Copy)]
pub struct LegacyParams<'a> {
    /// `AttributesToGet`.
    pub attributes_to_get: Option<&'a [String]>,
    /// `AttributeUpdates`.
    pub attribute_updates: Option<&'a BTreeMap<String, AttributeValueUpdate>>,
    /// `Expected`.
    pub expected: Option<&'a BTreeMap<String, ExpectedAttributeValue>>,
    /// `KeyConditions`.
    pub key_conditions: Option<&'a BTreeMap<String, LegacyCondition>>,
    /// `QueryFilter` or `ScanFilter`, with the parameter's name.
    pub filter: Option<(&'static str, &'a BTreeMap<String, LegacyCondition>)>,
    /// `ConditionalOperator`.
    pub conditional_operator: Option<ConditionalOperator>,
}

impl LegacyParams<'_> {
    /// The names of the legacy parameters present, in the order DynamoDB
    /// lists them in the "can not use both" message (one order serves every
    /// operation: e.g. "AttributesToGet, ScanFilter, ConditionalOperator",
    /// "AttributeUpdates, Expected, ConditionalOperator").
    pub fn present(&self) -> Vec<&'static str> {
        let pairs: [(&'static str, bool); 6] = [
            ("AttributesToGet", self.attributes_to_get.is_some()),
            ("AttributeUpdates", self.attribute_updates.is_some()),
            ("Expected", self.expected.is_some()),
            ("KeyConditions", self.key_conditions.is_some()),
            (
                self.filter.map_or("QueryFilter", |(name, _)| name),
                self.filter.is_some(),
            ),
            ("ConditionalOperator", self.conditional_operator.is_some()),
        ];
        pairs
            .into_iter()
            .filter(|(_, here)| *here)
            .map(|(name, _)| name)
            .collect()
    }

    /// Translates the parameters present into `p`, replacing its values by
    /// the legacy values when any is present (a request with legacy
    /// parameters has no `ExpressionAttributeValues`). Updates first, then
    /// conditions, then projections, so placeholders number the same way
    /// every time.
    fn translate(&self, p: &mut Prepared) -> Result<(), DynamoError> {
        if self.present().is_empty() {
            return Ok(());
        }
        let mut values = AttributeValues::new();
        if let Some(updates) = self.attribute_updates {
            p.update = Some(legacy::attribute_updates_to_update(updates, &mut values)?);
        }
        if let Some(expected) = self.expected {
            p.condition =
                legacy::expected_to_condition(expected, self.conditional_operator, &mut values)?;
        }
        if let Some(kc) = self.key_conditions {
            p.key_condition = Some(legacy::key_conditions_to_key_condition(kc, &mut values)?);
        }
        if let Some((name, filter)) = self.filter {
            p.filter =
                legacy::filter_to_condition(name, filter, self.conditional_operator, &mut values)?;
        }
        if let Some(attrs) = self.attributes_to_get {
            p.projection = Some(legacy::attributes_to_get_to_projection(attrs)?);
        }
        p.values = values;
        Ok(())
    }
}

/// All the expression-carrying parameters of one request.
#[derive(Debug, Default, Clone, Copy)]
pub struct RequestParams<'a> {
    /// The expression parameters.
    pub expr: ExprParams<'a>,
    /// The legacy parameters.
    pub legacy: LegacyParams<'a>,
}

impl RequestParams<'_> {
    /// Refuses a request that carries both legacy and expression
    /// parameters ([`legacy::check_not_mixed`]).
    pub fn check_not_mixed(&self) -> Result<(), DynamoError> {
        legacy::check_not_mixed(&self.legacy.present(), &self.expr.present())
    }

    /// Validates and parses the expressions, then translates the legacy
    /// parameters. REQUIRES: [`RequestParams::check_not_mixed`] passed (or
    /// the caller checked mixing itself, across several of these).
    pub fn prepare_checked(&self) -> Result<Prepared, DynamoError> {
        let mut p = self.expr.prepare()?;
        self.legacy.translate(&mut p)?;
        Ok(p)
    }

    /// The parameter naming the attributes to return, if any
    /// (`ProjectionExpression` or `AttributesToGet`), for `Select`'s
    /// messages.
    pub fn projection_param(&self) -> Option<&'static str> {
        if self.expr.projection.is_some() {
            Some("ProjectionExpression")
        } else if self.legacy.attributes_to_get.is_some() {
            Some("AttributesToGet")
        } else {
            None
        }
    }

    /// [`RequestParams::check_not_mixed`], then
    /// [`RequestParams::prepare_checked`]: the whole preamble of an item
    /// operation.
    pub fn prepare(&self) -> Result<Prepared, DynamoError> {
        self.check_not_mixed()?;
        self.prepare_checked()
    }
}
