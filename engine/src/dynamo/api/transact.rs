//! TransactWriteItems and TransactGetItems shapes.

use std::collections::BTreeMap;

use super::capacity::{ConsumedCapacity, ItemCollectionMetrics};
use super::enums::{
    ReturnConsumedCapacity, ReturnItemCollectionMetrics, ReturnValuesOnConditionCheckFailure,
};
use super::{AttributeNames, AttributeValues};
use crate::dynamo::items::value::Item;

/// Check a condition on an item without writing it (the `ConditionCheck` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConditionCheck {
    /// Table name (or ARN).
    pub table_name: String,
    /// The primary key.
    pub key: Item,
    /// `ConditionExpression` (required).
    pub condition_expression: String,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ExpressionAttributeValues`.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// Put an item in a transaction (the `Put` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Put {
    /// Table name (or ARN).
    pub table_name: String,
    /// The item.
    pub item: Item,
    /// `ConditionExpression`.
    pub condition_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ExpressionAttributeValues`.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// Update an item in a transaction (the `Update` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    /// Table name (or ARN).
    pub table_name: String,
    /// The primary key.
    pub key: Item,
    /// `UpdateExpression` (required).
    pub update_expression: String,
    /// `ConditionExpression`.
    pub condition_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ExpressionAttributeValues`.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// Delete an item in a transaction (the `Delete` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delete {
    /// Table name (or ARN).
    pub table_name: String,
    /// The primary key.
    pub key: Item,
    /// `ConditionExpression`.
    pub condition_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ExpressionAttributeValues`.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// Exactly one action of a write transaction (the `TransactWriteItem` shape).
#[derive(Debug, Clone, PartialEq)]
pub enum TransactWriteItem {
    /// `ConditionCheck`.
    ConditionCheck(ConditionCheck),
    /// `Put`.
    Put(Put),
    /// `Update`.
    Update(Update),
    /// `Delete`.
    Delete(Delete),
}

/// `TransactWriteItems` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactWriteItemsInput {
    /// 1 to 100 actions, each on a distinct item.
    pub transact_items: Vec<TransactWriteItem>,
    /// `ClientRequestToken`: repeats within 10 minutes are not re-applied.
    pub client_request_token: Option<String>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// `ReturnItemCollectionMetrics`.
    pub return_item_collection_metrics: Option<ReturnItemCollectionMetrics>,
}

/// `TransactWriteItems` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactWriteItemsOutput {
    /// One entry per table, with `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
    /// Table name → metrics, with `ReturnItemCollectionMetrics: SIZE`.
    pub item_collection_metrics: Option<BTreeMap<String, Vec<ItemCollectionMetrics>>>,
}

/// Read one item in a transaction (the `Get` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Get {
    /// Table name (or ARN).
    pub table_name: String,
    /// The primary key.
    pub key: Item,
    /// `ProjectionExpression`.
    pub projection_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
}

/// One action of a read transaction (the `TransactGetItem` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactGetItem {
    /// `Get`.
    pub get: Get,
}

/// `TransactGetItems` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactGetItemsInput {
    /// 1 to 100 reads.
    pub transact_items: Vec<TransactGetItem>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// One read's result (the `ItemResponse` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemResponse {
    /// The item, if it exists.
    pub item: Option<Item>,
}

/// `TransactGetItems` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactGetItemsOutput {
    /// One response per request action, in order.
    pub responses: Vec<ItemResponse>,
    /// One entry per table, with `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// Why one action of a cancelled transaction failed (the `CancellationReason` shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CancellationReason {
    /// `"None"`, `"ConditionalCheckFailed"`, `"TransactionConflict"`,
    /// `"ValidationError"`, `"ItemCollectionSizeLimitExceeded"`, ...
    pub code: Option<String>,
    /// Detail, absent for `"None"`.
    pub message: Option<String>,
    /// The item, when the action asked for `ALL_OLD` on condition failure.
    pub item: Option<crate::dynamo::items::value::Item>,
}
