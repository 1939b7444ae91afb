//! On-demand backup shapes: CreateBackup, DescribeBackup, ListBackups,
//! DeleteBackup, RestoreTableFromBackup (botocore 1.44
//! `dynamodb/2012-08-10` service-2.json).

use super::enums::wire_enum;
use super::index::{GlobalSecondaryIndex, LocalSecondaryIndex, Projection};
use super::settings::SseSpecification;
use super::stream::StreamSpecification;
use super::table::{BillingMode, KeySchemaElement, ProvisionedThroughput, TableDescription};
use super::ttl::TimeToLiveDescription;

wire_enum! {
    /// `BackupStatus`.
    BackupStatus {
        /// Being created.
        Creating => "CREATING",
        /// Deleted (DeleteBackup's response).
        Deleted => "DELETED",
        /// Ready to restore.
        #[default]
        Available => "AVAILABLE",
    }
}

wire_enum! {
    /// `BackupType`: who made the backup.
    BackupType {
        /// CreateBackup.
        #[default]
        User => "USER",
        /// DynamoDB itself (made when a table is deleted with a backup).
        System => "SYSTEM",
        /// AWS Backup.
        AwsBackup => "AWS_BACKUP",
    }
}

wire_enum! {
    /// `BackupTypeFilter` of ListBackups.
    BackupTypeFilter {
        /// `USER` backups (the default).
        #[default]
        User => "USER",
        /// `SYSTEM` backups.
        System => "SYSTEM",
        /// `AWS_BACKUP` backups.
        AwsBackup => "AWS_BACKUP",
        /// Every type.
        All => "ALL",
    }
}

/// `BackupDetails`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackupDetails {
    /// `arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id>`.
    pub backup_arn: String,
    /// The name CreateBackup was given.
    pub backup_name: String,
    /// Size of the table's items when the backup was made.
    pub backup_size_bytes: Option<i64>,
    /// Status.
    pub backup_status: BackupStatus,
    /// Type.
    pub backup_type: BackupType,
    /// When the backup was made, seconds since the epoch.
    pub backup_creation_date_time: f64,
    /// When a `SYSTEM` backup expires (none here).
    pub backup_expiry_date_time: Option<f64>,
}

/// `SourceTableDetails`: the table as it was when backed up.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceTableDetails {
    /// Name.
    pub table_name: String,
    /// The table's UUID-shaped id.
    pub table_id: String,
    /// The table's ARN.
    pub table_arn: Option<String>,
    /// Size of its items.
    pub table_size_bytes: Option<i64>,
    /// Key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// Creation time, seconds since the epoch.
    pub table_creation_date_time: f64,
    /// Provisioned throughput (zeros for on-demand tables).
    pub provisioned_throughput: ProvisionedThroughput,
    /// Number of items.
    pub item_count: Option<i64>,
    /// Billing mode.
    pub billing_mode: Option<BillingMode>,
}

/// `LocalSecondaryIndexInfo`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LocalSecondaryIndexInfo {
    /// Name.
    pub index_name: String,
    /// Key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// Projection.
    pub projection: Projection,
}

/// `GlobalSecondaryIndexInfo`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GlobalSecondaryIndexInfo {
    /// Name.
    pub index_name: String,
    /// Key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// Projection.
    pub projection: Projection,
    /// Provisioned throughput (provisioned tables).
    pub provisioned_throughput: Option<ProvisionedThroughput>,
}

/// `SourceTableFeatureDetails`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceTableFeatureDetails {
    /// Local secondary indexes.
    pub local_secondary_indexes: Option<Vec<LocalSecondaryIndexInfo>>,
    /// Global secondary indexes.
    pub global_secondary_indexes: Option<Vec<GlobalSecondaryIndexInfo>>,
    /// The stream settings, when a stream was enabled.
    pub stream_description: Option<StreamSpecification>,
    /// Time to live settings.
    pub time_to_live_description: Option<TimeToLiveDescription>,
}

/// `BackupDescription`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackupDescription {
    /// The backup.
    pub backup_details: BackupDetails,
    /// The table it was made of.
    pub source_table_details: SourceTableDetails,
    /// The table's indexes, stream and TTL settings.
    pub source_table_feature_details: SourceTableFeatureDetails,
}

/// `BackupSummary` (one entry of ListBackups).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackupSummary {
    /// Table name.
    pub table_name: String,
    /// Table id.
    pub table_id: String,
    /// Table ARN.
    pub table_arn: String,
    /// The backup's ARN.
    pub backup_arn: String,
    /// The backup's name.
    pub backup_name: String,
    /// When it was made, seconds since the epoch.
    pub backup_creation_date_time: f64,
    /// When a `SYSTEM` backup expires.
    pub backup_expiry_date_time: Option<f64>,
    /// Status.
    pub backup_status: BackupStatus,
    /// Type.
    pub backup_type: BackupType,
    /// Size.
    pub backup_size_bytes: Option<i64>,
}

/// `RestoreSummary` of a restored table's description.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestoreSummary {
    /// The backup restored from.
    pub source_backup_arn: Option<String>,
    /// The table the backup was made of.
    pub source_table_arn: Option<String>,
    /// The point in time restored to, seconds since the epoch.
    pub restore_date_time: f64,
    /// True until the table's items are all restored.
    pub restore_in_progress: bool,
}

/// `CreateBackup` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateBackupInput {
    /// The table (name or ARN).
    pub table_name: String,
    /// 3–255 characters of `[a-zA-Z0-9_.-]`.
    pub backup_name: String,
}

/// `CreateBackup` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateBackupOutput {
    /// The new backup.
    pub backup_details: BackupDetails,
}

/// `DescribeBackup` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeBackupInput {
    /// The backup's ARN.
    pub backup_arn: String,
}

/// `DescribeBackup` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeBackupOutput {
    /// The backup.
    pub backup_description: BackupDescription,
}

/// `ListBackups` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListBackupsInput {
    /// Only backups of this table (name or ARN).
    pub table_name: Option<String>,
    /// At most this many (1–100; default 100).
    pub limit: Option<i64>,
    /// Only backups made at or after this time (seconds since the epoch).
    pub time_range_lower_bound: Option<f64>,
    /// Only backups made before this time.
    pub time_range_upper_bound: Option<f64>,
    /// Start after this backup (the previous page's `LastEvaluatedBackupArn`).
    pub exclusive_start_backup_arn: Option<String>,
    /// Which types (default `USER`).
    pub backup_type: Option<BackupTypeFilter>,
}

/// `ListBackups` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListBackupsOutput {
    /// The backups, oldest first.
    pub backup_summaries: Vec<BackupSummary>,
    /// Set when more backups follow: pass it as `ExclusiveStartBackupArn`.
    pub last_evaluated_backup_arn: Option<String>,
}

/// `DeleteBackup` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeleteBackupInput {
    /// The backup's ARN.
    pub backup_arn: String,
}

/// `DeleteBackup` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeleteBackupOutput {
    /// The backup, status `DELETED`.
    pub backup_description: BackupDescription,
}

/// The overrides a restore takes — RestoreTableFromBackup's and
/// RestoreTableToPointInTime's members of the same names: how the new table
/// differs from the source's definition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestoreOverrides {
    /// `BillingModeOverride`: billing mode of the new table (default: the
    /// source's).
    pub billing_mode_override: Option<BillingMode>,
    /// `GlobalSecondaryIndexOverride`: global secondary indexes of the new
    /// table instead of the source's (empty: none).
    pub global_secondary_index_override: Option<Vec<GlobalSecondaryIndex>>,
    /// `LocalSecondaryIndexOverride`: local secondary indexes of the new
    /// table instead of the source's (empty: none).
    pub local_secondary_index_override: Option<Vec<LocalSecondaryIndex>>,
    /// `ProvisionedThroughputOverride`: provisioned throughput of the new
    /// table instead of the source's.
    pub provisioned_throughput_override: Option<ProvisionedThroughput>,
    /// `SSESpecificationOverride`: encryption settings for the restored
    /// table, as CreateTable takes them.
    pub sse_specification_override: Option<SseSpecification>,
}

/// `RestoreTableFromBackup` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestoreTableFromBackupInput {
    /// The new table's name.
    pub target_table_name: String,
    /// The backup's ARN.
    pub backup_arn: String,
    /// How the new table differs from the backed-up definition.
    pub overrides: RestoreOverrides,
}

/// `RestoreTableFromBackup` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestoreTableFromBackupOutput {
    /// The new table, `CREATING`, with its `RestoreSummary`.
    pub table_description: TableDescription,
}
