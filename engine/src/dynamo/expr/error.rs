//! The error every expression entry point returns, and the kinds of expression.
//!
//! `ExprError::message` is the exact text of DynamoDB's `ValidationException`
//! for the same input. Where a message was confirmed against a source, the
//! function building it cites it; "inferred" marks wording written in
//! DynamoDB's style without a captured example.

use std::fmt;

/// Which request parameter an expression came from; decides the message prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExprKind {
    /// `ConditionExpression` (PutItem, UpdateItem, DeleteItem, transactions).
    Condition,
    /// `FilterExpression` (Query, Scan). Same grammar as a condition.
    Filter,
    /// `KeyConditionExpression` (Query).
    KeyCondition,
    /// `ProjectionExpression`.
    Projection,
    /// `UpdateExpression` (UpdateItem).
    Update,
}

impl ExprKind {
    /// The request parameter name, e.g. `"ConditionExpression"`.
    pub fn parameter(self) -> &'static str {
        match self {
            ExprKind::Condition => "ConditionExpression",
            ExprKind::Filter => "FilterExpression",
            ExprKind::KeyCondition => "KeyConditionExpression",
            ExprKind::Projection => "ProjectionExpression",
            ExprKind::Update => "UpdateExpression",
        }
    }

    /// An error about this expression: `"Invalid <Parameter>: <detail>"`.
    ///
    /// The prefix is confirmed for all five kinds: dynalite
    /// `validations/index.js` (`'Invalid UpdateExpression: ' + result`, ...),
    /// and ExtendDB `tests/test_expression_size_limit.py` (captured from DynamoDB).
    pub fn error(self, detail: impl fmt::Display) -> ExprError {
        ExprError::new(format!("Invalid {}: {}", self.parameter(), detail))
    }
}

/// A DynamoDB `ValidationException` raised by an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// DynamoDB's message text, without the `"1 validation error detected: "`
    /// envelope some operations add around it.
    pub message: String,
}

impl ExprError {
    /// An error carrying `message` verbatim.
    pub fn new(message: impl Into<String>) -> ExprError {
        ExprError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExprError {}

/// Raised while *applying* an update, when a path's parent does not exist or
/// has the wrong type. Not produced by this module (parsing cannot know the
/// item); exported so the evaluator uses the same text. Confirmed: listed in
/// the UpdateItem/TransactWriteItems API reference error list ("The document
/// path provided in the update expression is invalid for update.").
pub const INVALID_UPDATE_PATH: &str =
    "The document path provided in the update expression is invalid for update";
