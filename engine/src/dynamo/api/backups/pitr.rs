//! Point-in-time recovery shapes: UpdateContinuousBackups,
//! DescribeContinuousBackups, RestoreTableToPointInTime (botocore 1.44
//! `dynamodb/2012-08-10` service-2.json).

use super::backup::RestoreOverrides;
use super::enums::wire_enum;
use super::table::TableDescription;

wire_enum! {
    /// `ContinuousBackupsStatus` and `PointInTimeRecoveryStatus`.
    PitrStatus {
        /// Enabled.
        Enabled => "ENABLED",
        /// Disabled.
        #[default]
        Disabled => "DISABLED",
    }
}

/// `PointInTimeRecoverySpecification`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PointInTimeRecoverySpecification {
    /// Enable (true) or disable point-in-time recovery.
    pub point_in_time_recovery_enabled: bool,
    /// 1–35 (default 35).
    pub recovery_period_in_days: Option<i64>,
}

/// `PointInTimeRecoveryDescription`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PointInTimeRecoveryDescription {
    /// `ENABLED` or `DISABLED`.
    pub point_in_time_recovery_status: PitrStatus,
    /// While enabled: the recovery period.
    pub recovery_period_in_days: Option<i64>,
    /// While enabled: the earliest time to restore to, seconds since the epoch.
    pub earliest_restorable_date_time: Option<f64>,
    /// While enabled: the latest time to restore to, seconds since the epoch.
    pub latest_restorable_date_time: Option<f64>,
}

/// `ContinuousBackupsDescription`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContinuousBackupsDescription {
    /// Always `ENABLED` (on-demand backups are always available).
    pub continuous_backups_status: PitrStatus,
    /// Point-in-time recovery.
    pub point_in_time_recovery_description: PointInTimeRecoveryDescription,
}

/// `UpdateContinuousBackups` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateContinuousBackupsInput {
    /// The table (name or ARN).
    pub table_name: String,
    /// The new setting.
    pub point_in_time_recovery_specification: PointInTimeRecoverySpecification,
}

/// `UpdateContinuousBackups` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateContinuousBackupsOutput {
    /// The setting now.
    pub continuous_backups_description: ContinuousBackupsDescription,
}

/// `DescribeContinuousBackups` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeContinuousBackupsInput {
    /// The table (name or ARN).
    pub table_name: String,
}

/// `DescribeContinuousBackups` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeContinuousBackupsOutput {
    /// The setting.
    pub continuous_backups_description: ContinuousBackupsDescription,
}

/// `RestoreTableToPointInTime` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestoreTableToPointInTimeInput {
    /// The source table's ARN (or give `source_table_name`).
    pub source_table_arn: Option<String>,
    /// The source table's name.
    pub source_table_name: Option<String>,
    /// The new table's name.
    pub target_table_name: String,
    /// Restore to `LatestRestorableDateTime`.
    pub use_latest_restorable_time: Option<bool>,
    /// The time to restore to, seconds since the epoch.
    pub restore_date_time: Option<f64>,
    /// How the new table differs from the source's definition.
    pub overrides: RestoreOverrides,
}

/// `RestoreTableToPointInTime` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestoreTableToPointInTimeOutput {
    /// The new table, `CREATING`, with its `RestoreSummary`.
    pub table_description: TableDescription,
}
