//! BatchGetItem and BatchWriteItem shapes.

use std::collections::BTreeMap;

use super::capacity::{ConsumedCapacity, ItemCollectionMetrics};
use super::enums::{ReturnConsumedCapacity, ReturnItemCollectionMetrics};
use super::AttributeNames;
use crate::dynamo::items::value::Item;

/// The keys to read from one table (the `KeysAndAttributes` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeysAndAttributes {
    /// Primary keys, 1 to 100.
    pub keys: Vec<Item>,
    /// `ProjectionExpression`.
    pub projection_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ConsistentRead`.
    pub consistent_read: Option<bool>,
    /// Legacy `AttributesToGet`.
    pub attributes_to_get: Option<Vec<String>>,
}

/// `BatchGetItem` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchGetItemInput {
    /// Table name → keys to read; at most 100 keys in all.
    pub request_items: BTreeMap<String, KeysAndAttributes>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// `BatchGetItem` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchGetItemOutput {
    /// Table name → the items found.
    pub responses: BTreeMap<String, Vec<Item>>,
    /// Keys not read in this call (retry them); empty when all were read.
    pub unprocessed_keys: BTreeMap<String, KeysAndAttributes>,
    /// One entry per table, with `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// Put one item (the `PutRequest` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutRequest {
    /// The item.
    pub item: Item,
}

/// Delete one item (the `DeleteRequest` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteRequest {
    /// The primary key.
    pub key: Item,
}

/// Exactly one of a put or a delete (the `WriteRequest` shape).
#[derive(Debug, Clone, PartialEq)]
pub enum WriteRequest {
    /// `PutRequest`.
    Put(PutRequest),
    /// `DeleteRequest`.
    Delete(DeleteRequest),
}

/// `BatchWriteItem` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchWriteItemInput {
    /// Table name → writes; at most 25 in all.
    pub request_items: BTreeMap<String, Vec<WriteRequest>>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// `ReturnItemCollectionMetrics`.
    pub return_item_collection_metrics: Option<ReturnItemCollectionMetrics>,
}

/// `BatchWriteItem` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchWriteItemOutput {
    /// Writes not done in this call (retry them); empty when all were done.
    pub unprocessed_items: BTreeMap<String, Vec<WriteRequest>>,
    /// Table name → metrics, with `ReturnItemCollectionMetrics: SIZE`.
    pub item_collection_metrics: Option<BTreeMap<String, Vec<ItemCollectionMetrics>>>,
    /// One entry per table, with `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}
