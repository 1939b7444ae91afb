//! PutItem, GetItem, UpdateItem and DeleteItem shapes.

use std::collections::BTreeMap;

use super::capacity::{ConsumedCapacity, ItemCollectionMetrics};
use super::enums::{
    ReturnConsumedCapacity, ReturnItemCollectionMetrics, ReturnValue,
    ReturnValuesOnConditionCheckFailure,
};
use super::legacy::{AttributeValueUpdate, ConditionalOperator, ExpectedAttributeValue};
use super::{AttributeNames, AttributeValues};
use crate::dynamo::items::value::Item;

/// `PutItem` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutItemInput {
    /// Table name (or ARN).
    pub table_name: String,
    /// The whole item, key attributes included.
    pub item: Item,
    /// `ConditionExpression`.
    pub condition_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ExpressionAttributeValues`.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `ReturnValues`: `NONE` or `ALL_OLD`.
    pub return_values: Option<ReturnValue>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// `ReturnItemCollectionMetrics`.
    pub return_item_collection_metrics: Option<ReturnItemCollectionMetrics>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    /// Legacy `Expected`.
    pub expected: Option<BTreeMap<String, ExpectedAttributeValue>>,
    /// Legacy `ConditionalOperator` (joins `Expected`).
    pub conditional_operator: Option<ConditionalOperator>,
}

/// `PutItem` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutItemOutput {
    /// The old item, with `ReturnValues: ALL_OLD` and an item was replaced.
    pub attributes: Option<Item>,
    /// With `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// With `ReturnItemCollectionMetrics: SIZE` on a table with local indexes.
    pub item_collection_metrics: Option<ItemCollectionMetrics>,
}

/// `GetItem` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetItemInput {
    /// Table name (or ARN).
    pub table_name: String,
    /// The primary key, exactly the key attributes.
    pub key: Item,
    /// `ProjectionExpression`.
    pub projection_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ConsistentRead` (every read here is consistent; it halves no capacity).
    pub consistent_read: Option<bool>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// Legacy `AttributesToGet`.
    pub attributes_to_get: Option<Vec<String>>,
}

/// `GetItem` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetItemOutput {
    /// The item, if it exists.
    pub item: Option<Item>,
    /// With `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// `UpdateItem` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateItemInput {
    /// Table name (or ARN).
    pub table_name: String,
    /// The primary key.
    pub key: Item,
    /// `UpdateExpression`.
    pub update_expression: Option<String>,
    /// `ConditionExpression`.
    pub condition_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ExpressionAttributeValues`.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `ReturnValues`.
    pub return_values: Option<ReturnValue>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// `ReturnItemCollectionMetrics`.
    pub return_item_collection_metrics: Option<ReturnItemCollectionMetrics>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    /// Legacy `AttributeUpdates`.
    pub attribute_updates: Option<BTreeMap<String, AttributeValueUpdate>>,
    /// Legacy `Expected`.
    pub expected: Option<BTreeMap<String, ExpectedAttributeValue>>,
    /// Legacy `ConditionalOperator`.
    pub conditional_operator: Option<ConditionalOperator>,
}

/// `UpdateItem` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateItemOutput {
    /// Attributes chosen by `ReturnValues`.
    pub attributes: Option<Item>,
    /// With `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// With `ReturnItemCollectionMetrics: SIZE` on a table with local indexes.
    pub item_collection_metrics: Option<ItemCollectionMetrics>,
}

/// `DeleteItem` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteItemInput {
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
    /// `ReturnValues`: `NONE` or `ALL_OLD`.
    pub return_values: Option<ReturnValue>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// `ReturnItemCollectionMetrics`.
    pub return_item_collection_metrics: Option<ReturnItemCollectionMetrics>,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    /// Legacy `Expected`.
    pub expected: Option<BTreeMap<String, ExpectedAttributeValue>>,
    /// Legacy `ConditionalOperator`.
    pub conditional_operator: Option<ConditionalOperator>,
}

/// `DeleteItem` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteItemOutput {
    /// The deleted item, with `ReturnValues: ALL_OLD`.
    pub attributes: Option<Item>,
    /// With `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// With `ReturnItemCollectionMetrics: SIZE` on a table with local indexes.
    pub item_collection_metrics: Option<ItemCollectionMetrics>,
}
