//! ExecuteStatement, BatchExecuteStatement and ExecuteTransaction shapes
//! (PartiQL).

use super::capacity::ConsumedCapacity;
use super::enums::{ReturnConsumedCapacity, ReturnValuesOnConditionCheckFailure};
use super::transact::ItemResponse;
use crate::dynamo::items::value::{AttributeValue, Item};

/// `ExecuteStatement` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecuteStatementInput {
    /// The PartiQL statement (1 to 8192 characters).
    pub statement: String,
    /// Values of the statement's `?`, in order (`Parameters`).
    pub parameters: Option<Vec<AttributeValue>>,
    /// `ConsistentRead`.
    pub consistent_read: Option<bool>,
    /// `NextToken`: the previous page's, to read the next page of a SELECT.
    pub next_token: Option<String>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// `Limit`: items evaluated (before the WHERE filter) per page.
    pub limit: Option<i64>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// `ExecuteStatement` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecuteStatementOutput {
    /// Items a SELECT (or a RETURNING clause) returned; empty for writes.
    pub items: Option<Vec<Item>>,
    /// Where the next page starts, when a SELECT did not finish.
    pub next_token: Option<String>,
    /// With `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// The key of the last item read, when a SELECT did not finish.
    pub last_evaluated_key: Option<Item>,
}

/// One statement of a `BatchExecuteStatement` (the `BatchStatementRequest` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchStatementRequest {
    /// The PartiQL statement.
    pub statement: String,
    /// `Parameters`.
    pub parameters: Option<Vec<AttributeValue>>,
    /// `ConsistentRead`.
    pub consistent_read: Option<bool>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// `BatchExecuteStatement` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchExecuteStatementInput {
    /// 1 to 25 statements, all reads or all writes.
    pub statements: Vec<BatchStatementRequest>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// `BatchStatementErrorCodeEnum`: why one statement of a batch failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStatementErrorCode {
    /// `ConditionalCheckFailed`.
    ConditionalCheckFailed,
    /// `ItemCollectionSizeLimitExceeded`.
    ItemCollectionSizeLimitExceeded,
    /// `RequestLimitExceeded`.
    RequestLimitExceeded,
    /// `ValidationError`.
    ValidationError,
    /// `ProvisionedThroughputExceeded`.
    ProvisionedThroughputExceeded,
    /// `TransactionConflict`.
    TransactionConflict,
    /// `ThrottlingError`.
    ThrottlingError,
    /// `InternalServerError`.
    InternalServerError,
    /// `ResourceNotFound`.
    ResourceNotFound,
    /// `AccessDenied`.
    AccessDenied,
    /// `DuplicateItem`.
    DuplicateItem,
}

impl BatchStatementErrorCode {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatementErrorCode::ConditionalCheckFailed => "ConditionalCheckFailed",
            BatchStatementErrorCode::ItemCollectionSizeLimitExceeded => {
                "ItemCollectionSizeLimitExceeded"
            }
            BatchStatementErrorCode::RequestLimitExceeded => "RequestLimitExceeded",
            BatchStatementErrorCode::ValidationError => "ValidationError",
            BatchStatementErrorCode::ProvisionedThroughputExceeded => {
                "ProvisionedThroughputExceeded"
            }
            BatchStatementErrorCode::TransactionConflict => "TransactionConflict",
            BatchStatementErrorCode::ThrottlingError => "ThrottlingError",
            BatchStatementErrorCode::InternalServerError => "InternalServerError",
            BatchStatementErrorCode::ResourceNotFound => "ResourceNotFound",
            BatchStatementErrorCode::AccessDenied => "AccessDenied",
            BatchStatementErrorCode::DuplicateItem => "DuplicateItem",
        }
    }
}

/// Why one statement of a batch failed (the `BatchStatementError` shape).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchStatementError {
    /// `Code`.
    pub code: BatchStatementErrorCode,
    /// `Message`.
    pub message: Option<String>,
    /// The item, when a condition failed and the statement asked for
    /// `ALL_OLD`.
    pub item: Option<Item>,
}

/// One statement's result (the `BatchStatementResponse` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchStatementResponse {
    /// Set when the statement failed.
    pub error: Option<BatchStatementError>,
    /// The table, when the statement ran.
    pub table_name: Option<String>,
    /// The item a SELECT read (or a RETURNING clause returned).
    pub item: Option<Item>,
}

/// `BatchExecuteStatement` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchExecuteStatementOutput {
    /// One response per statement, in order.
    pub responses: Vec<BatchStatementResponse>,
    /// With `ReturnConsumedCapacity`: one entry per table.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// One statement of a transaction (the `ParameterizedStatement` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParameterizedStatement {
    /// The PartiQL statement.
    pub statement: String,
    /// `Parameters`.
    pub parameters: Option<Vec<AttributeValue>>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// `ExecuteTransaction` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecuteTransactionInput {
    /// 1 to 100 statements, all reads or all writes (EXISTS counts as a write).
    pub transact_statements: Vec<ParameterizedStatement>,
    /// `ClientRequestToken`: a repeat within 10 minutes is not applied again.
    pub client_request_token: Option<String>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// `ExecuteTransaction` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecuteTransactionOutput {
    /// One per statement of a read transaction; absent for writes.
    pub responses: Option<Vec<ItemResponse>>,
    /// With `ReturnConsumedCapacity`: one entry per table.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}
