//! Control-plane shapes: CreateTable, DescribeTable, ListTables,
//! UpdateTable, DeleteTable.

use super::enums::wire_enum;
use super::index::{
    GlobalSecondaryIndex, GlobalSecondaryIndexDescription, GlobalSecondaryIndexUpdate,
    LocalSecondaryIndex, LocalSecondaryIndexDescription,
};
use super::settings::{
    OnDemandThroughput, SseDescription, SseSpecification, TableClass, TableClassSummary,
    TableWarmThroughputDescription, WarmThroughput,
};
use super::stream::StreamSpecification;
use super::tags::Tag;
use crate::dynamo::keys::codec::ScalarAttributeType;

wire_enum! {
    /// `KeyType` of a key schema element.
    KeyType {
        /// The partition key.
        #[default]
        Hash => "HASH",
        /// The sort key.
        Range => "RANGE",
    }
}

wire_enum! {
    /// `BillingMode`.
    BillingMode {
        /// Provisioned capacity (the default when `ProvisionedThroughput` is given).
        #[default]
        Provisioned => "PROVISIONED",
        /// On demand.
        PayPerRequest => "PAY_PER_REQUEST",
    }
}

wire_enum! {
    /// `TableStatus`.
    TableStatus {
        /// Being created.
        Creating => "CREATING",
        /// Being updated.
        Updating => "UPDATING",
        /// Being deleted.
        Deleting => "DELETING",
        /// Ready.
        #[default]
        Active => "ACTIVE",
    }
}

/// One element of a key schema (the `KeySchemaElement` shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySchemaElement {
    /// The key attribute's name.
    pub attribute_name: String,
    /// `HASH` or `RANGE`.
    pub key_type: KeyType,
}

/// The type of an attribute used in a key schema (the `AttributeDefinition` shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeDefinition {
    /// The attribute's name.
    pub attribute_name: String,
    /// `S`, `N` or `B`.
    pub attribute_type: ScalarAttributeType,
}

/// Provisioned read and write capacity (the `ProvisionedThroughput` shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProvisionedThroughput {
    /// Read capacity units, ≥ 1.
    pub read_capacity_units: i64,
    /// Write capacity units, ≥ 1.
    pub write_capacity_units: i64,
}

/// Provisioned capacity as DescribeTable reports it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProvisionedThroughputDescription {
    /// Last increase, seconds since the epoch.
    pub last_increase_date_time: Option<f64>,
    /// Last decrease, seconds since the epoch.
    pub last_decrease_date_time: Option<f64>,
    /// Decreases today.
    pub number_of_decreases_today: i64,
    /// Read capacity units (0 for on-demand tables).
    pub read_capacity_units: i64,
    /// Write capacity units (0 for on-demand tables).
    pub write_capacity_units: i64,
}

/// Billing mode as DescribeTable reports it (the `BillingModeSummary` shape).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BillingModeSummary {
    /// The mode.
    pub billing_mode: BillingMode,
    /// When the table last switched to on-demand, seconds since the epoch.
    pub last_update_to_pay_per_request_date_time: Option<f64>,
}

/// A table as DescribeTable reports it (the `TableDescription` shape).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableDescription {
    /// The table's name.
    pub table_name: String,
    /// `arn:aws:dynamodb:<region>:<account>:table/<name>`.
    pub table_arn: String,
    /// A UUID-shaped identifier, unique per table incarnation.
    pub table_id: String,
    /// Status; tables here become `ACTIVE` as soon as they are created.
    pub table_status: TableStatus,
    /// Creation time, seconds since the epoch.
    pub creation_date_time: f64,
    /// The key attributes' definitions.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// The key schema: a HASH element, then optionally a RANGE element.
    pub key_schema: Vec<KeySchemaElement>,
    /// Provisioned throughput (zeros for on-demand tables).
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// Present when the billing mode was set explicitly or is on-demand.
    pub billing_mode_summary: Option<BillingModeSummary>,
    /// Number of items.
    pub item_count: i64,
    /// Total size of the items by DynamoDB's size rules.
    pub table_size_bytes: i64,
    /// `DeletionProtectionEnabled`.
    pub deletion_protection_enabled: bool,
    /// Local secondary indexes, if any.
    pub local_secondary_indexes: Option<Vec<LocalSecondaryIndexDescription>>,
    /// Global secondary indexes, if any.
    pub global_secondary_indexes: Option<Vec<GlobalSecondaryIndexDescription>>,
    /// The stream settings while a stream is enabled (absent otherwise).
    pub stream_specification: Option<StreamSpecification>,
    /// The label of the table's newest stream, enabled or not.
    pub latest_stream_label: Option<String>,
    /// The ARN of the table's newest stream, enabled or not.
    pub latest_stream_arn: Option<String>,
    /// Present once a table class was given.
    pub table_class_summary: Option<TableClassSummary>,
    /// Present while the table is encrypted with a KMS key.
    pub sse_description: Option<SseDescription>,
    /// The maximum on-demand throughput, when one was set.
    pub on_demand_throughput: Option<OnDemandThroughput>,
    /// The throughput the table supports at once.
    pub warm_throughput: Option<TableWarmThroughputDescription>,
    /// For a table restored from a backup: where from, and whether the
    /// restore is still running.
    pub restore_summary: Option<super::backup::RestoreSummary>,
}

/// `CreateTable` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateTableInput {
    /// 3–255 characters of `[a-zA-Z0-9_.-]`.
    pub table_name: String,
    /// Types of the key attributes (exactly those used in key schemas).
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// HASH, or HASH then RANGE.
    pub key_schema: Vec<KeySchemaElement>,
    /// `BillingMode` (default `PROVISIONED`).
    pub billing_mode: Option<BillingMode>,
    /// Required with `PROVISIONED`, forbidden with `PAY_PER_REQUEST`.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// `DeletionProtectionEnabled`.
    pub deletion_protection_enabled: Option<bool>,
    /// Up to 5 local secondary indexes.
    pub local_secondary_indexes: Option<Vec<LocalSecondaryIndex>>,
    /// Up to 20 global secondary indexes.
    pub global_secondary_indexes: Option<Vec<GlobalSecondaryIndex>>,
    /// `StreamSpecification`: a stream from the start.
    pub stream_specification: Option<StreamSpecification>,
    /// Tags for the new table (at most 50; see [`Tag`]).
    pub tags: Option<Vec<Tag>>,
    /// `TableClass` (default `STANDARD`).
    pub table_class: Option<TableClass>,
    /// `SSESpecification`.
    pub sse_specification: Option<SseSpecification>,
    /// `OnDemandThroughput` (on-demand tables).
    pub on_demand_throughput: Option<OnDemandThroughput>,
    /// `WarmThroughput`.
    pub warm_throughput: Option<WarmThroughput>,
    /// `ResourcePolicy`: a resource-based policy document (JSON).
    pub resource_policy: Option<String>,
}

/// `CreateTable` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateTableOutput {
    /// The new table.
    pub table_description: TableDescription,
}

/// `DescribeTable` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeTableInput {
    /// Table name (or ARN).
    pub table_name: String,
}

/// `DescribeTable` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeTableOutput {
    /// The table.
    pub table: TableDescription,
}

/// `ListTables` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListTablesInput {
    /// Start after this name.
    pub exclusive_start_table_name: Option<String>,
    /// 1 to 100 names per page (default 100).
    pub limit: Option<i64>,
}

/// `ListTables` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListTablesOutput {
    /// Names in ascending order.
    pub table_names: Vec<String>,
    /// Present when more names follow.
    pub last_evaluated_table_name: Option<String>,
}

/// `UpdateTable` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateTableInput {
    /// Table name (or ARN).
    pub table_name: String,
    /// Needed only for new index key attributes.
    pub attribute_definitions: Option<Vec<AttributeDefinition>>,
    /// New billing mode.
    pub billing_mode: Option<BillingMode>,
    /// New provisioned throughput.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// `DeletionProtectionEnabled`.
    pub deletion_protection_enabled: Option<bool>,
    /// One global secondary index change per call.
    pub global_secondary_index_updates: Option<Vec<GlobalSecondaryIndexUpdate>>,
    /// `StreamSpecification`: enable or disable the stream.
    pub stream_specification: Option<StreamSpecification>,
    /// `TableClass`.
    pub table_class: Option<TableClass>,
    /// `SSESpecification`.
    pub sse_specification: Option<SseSpecification>,
    /// `OnDemandThroughput`.
    pub on_demand_throughput: Option<OnDemandThroughput>,
    /// `WarmThroughput`.
    pub warm_throughput: Option<WarmThroughput>,
}

/// `UpdateTable` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateTableOutput {
    /// The table after the update.
    pub table_description: TableDescription,
}

/// `DeleteTable` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteTableInput {
    /// Table name (or ARN).
    pub table_name: String,
}

/// `DeleteTable` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteTableOutput {
    /// The table as it was, with status `DELETING`.
    pub table_description: TableDescription,
}
