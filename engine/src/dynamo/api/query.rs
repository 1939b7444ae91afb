//! Query and Scan shapes.

use std::collections::BTreeMap;

use super::capacity::ConsumedCapacity;
use super::enums::{ReturnConsumedCapacity, Select};
use super::legacy::{ConditionalOperator, LegacyCondition};
use super::{AttributeNames, AttributeValues};
use crate::dynamo::items::value::Item;

/// `Query` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryInput {
    /// Table name (or ARN).
    pub table_name: String,
    /// `IndexName`: query a secondary index instead of the table.
    pub index_name: Option<String>,
    /// `KeyConditionExpression`.
    pub key_condition_expression: Option<String>,
    /// `FilterExpression`.
    pub filter_expression: Option<String>,
    /// `ProjectionExpression`.
    pub projection_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ExpressionAttributeValues`.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `Select`.
    pub select: Option<Select>,
    /// `Limit`: items evaluated (before the filter) per page.
    pub limit: Option<i64>,
    /// `ConsistentRead`.
    pub consistent_read: Option<bool>,
    /// `ScanIndexForward` (default true: ascending sort key).
    pub scan_index_forward: Option<bool>,
    /// `ExclusiveStartKey`: the previous page's `LastEvaluatedKey`.
    pub exclusive_start_key: Option<Item>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// Legacy `KeyConditions`.
    pub key_conditions: Option<BTreeMap<String, LegacyCondition>>,
    /// Legacy `QueryFilter`.
    pub query_filter: Option<BTreeMap<String, LegacyCondition>>,
    /// Legacy `ConditionalOperator` (joins `QueryFilter`).
    pub conditional_operator: Option<ConditionalOperator>,
    /// Legacy `AttributesToGet`.
    pub attributes_to_get: Option<Vec<String>>,
}

/// `Query` and `Scan` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryOutput {
    /// Matching items (absent with `Select: COUNT`).
    pub items: Option<Vec<Item>>,
    /// Items after the filter.
    pub count: i64,
    /// Items evaluated before the filter.
    pub scanned_count: i64,
    /// Where the next page starts; absent on the last page.
    pub last_evaluated_key: Option<Item>,
    /// With `ReturnConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// `Scan` response (same members as [`QueryOutput`]).
pub type ScanOutput = QueryOutput;

/// `Scan` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanInput {
    /// Table name (or ARN).
    pub table_name: String,
    /// `IndexName`: scan a secondary index instead of the table.
    pub index_name: Option<String>,
    /// `FilterExpression`.
    pub filter_expression: Option<String>,
    /// `ProjectionExpression`.
    pub projection_expression: Option<String>,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `ExpressionAttributeValues`.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `Select`.
    pub select: Option<Select>,
    /// `Limit`: items evaluated per page.
    pub limit: Option<i64>,
    /// `ConsistentRead`.
    pub consistent_read: Option<bool>,
    /// `ExclusiveStartKey`.
    pub exclusive_start_key: Option<Item>,
    /// `Segment` of a parallel scan (0-based).
    pub segment: Option<i64>,
    /// `TotalSegments` of a parallel scan.
    pub total_segments: Option<i64>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// Legacy `ScanFilter`.
    pub scan_filter: Option<BTreeMap<String, LegacyCondition>>,
    /// Legacy `ConditionalOperator` (joins `ScanFilter`).
    pub conditional_operator: Option<ConditionalOperator>,
    /// Legacy `AttributesToGet`.
    pub attributes_to_get: Option<Vec<String>>,
}
