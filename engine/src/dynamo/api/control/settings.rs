//! Table settings DynamoDB users set and read back: `TableClass`,
//! `OnDemandThroughput`, `WarmThroughput`, `SSESpecification`, and the
//! shapes DescribeTable reports them in.

use super::enums::wire_enum;
use super::index::IndexStatus;
use super::table::TableStatus;

wire_enum! {
    /// `TableClass`.
    TableClass {
        /// DynamoDB Standard (the default).
        #[default]
        Standard => "STANDARD",
        /// DynamoDB Standard-Infrequent Access.
        StandardInfrequentAccess => "STANDARD_INFREQUENT_ACCESS",
    }
}

wire_enum! {
    /// `SSEType`.
    SseType {
        /// AES-256 (a key owned by DynamoDB).
        Aes256 => "AES256",
        /// A key in AWS Key Management Service.
        #[default]
        Kms => "KMS",
    }
}

wire_enum! {
    /// `SSEStatus`.
    SseStatus {
        /// Being enabled.
        Enabling => "ENABLING",
        /// Enabled.
        #[default]
        Enabled => "ENABLED",
        /// Being disabled.
        Disabling => "DISABLING",
        /// Disabled.
        Disabled => "DISABLED",
        /// Being changed.
        Updating => "UPDATING",
    }
}

/// The `TableClassSummary` shape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableClassSummary {
    /// The table's class.
    pub table_class: TableClass,
    /// When the class last changed, seconds since the epoch (absent until
    /// an UpdateTable changes it).
    pub last_update_date_time: Option<f64>,
}

/// The `OnDemandThroughput` shape: the most request units per second an
/// on-demand table or index may use (`-1`: no maximum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OnDemandThroughput {
    /// `MaxReadRequestUnits`.
    pub max_read_request_units: Option<i64>,
    /// `MaxWriteRequestUnits`.
    pub max_write_request_units: Option<i64>,
}

/// The `WarmThroughput` shape (a request's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WarmThroughput {
    /// `ReadUnitsPerSecond`.
    pub read_units_per_second: Option<i64>,
    /// `WriteUnitsPerSecond`.
    pub write_units_per_second: Option<i64>,
}

/// The `TableWarmThroughputDescription` shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableWarmThroughputDescription {
    /// Read units per second the table supports at once.
    pub read_units_per_second: i64,
    /// Write units per second the table supports at once.
    pub write_units_per_second: i64,
    /// `ACTIVE` (siltdb applies a change at once).
    pub status: TableStatus,
}

/// The `GlobalSecondaryIndexWarmThroughputDescription` shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GlobalSecondaryIndexWarmThroughputDescription {
    /// Read units per second the index supports at once.
    pub read_units_per_second: i64,
    /// Write units per second the index supports at once.
    pub write_units_per_second: i64,
    /// `ACTIVE` (siltdb applies a change at once).
    pub status: IndexStatus,
}

/// The `SSESpecification` shape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseSpecification {
    /// `Enabled`: true for a KMS key, false (or absent) for a key owned by
    /// DynamoDB.
    pub enabled: Option<bool>,
    /// `SSEType` (only `KMS` may be given).
    pub sse_type: Option<SseType>,
    /// `KMSMasterKeyId`: a key id, key ARN, alias name or alias ARN.
    pub kms_master_key_id: Option<String>,
}

/// The `SSEDescription` shape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseDescription {
    /// `Status`.
    pub status: SseStatus,
    /// `SSEType`.
    pub sse_type: SseType,
    /// `KMSMasterKeyArn`.
    pub kms_master_key_arn: String,
}
