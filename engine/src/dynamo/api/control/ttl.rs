//! Time to Live shapes: UpdateTimeToLive and DescribeTimeToLive.

use super::enums::wire_enum;

wire_enum! {
    /// `TimeToLiveStatus`. siltdb applies a change at once, so it reports
    /// only `ENABLED` and `DISABLED`; the transitional values exist for
    /// clients that match on them.
    TimeToLiveStatus {
        /// Being enabled (never reported by siltdb).
        Enabling => "ENABLING",
        /// Being disabled (never reported by siltdb).
        Disabling => "DISABLING",
        /// Expired items are being deleted.
        Enabled => "ENABLED",
        /// No expiry (the state of a new table).
        #[default]
        Disabled => "DISABLED",
    }
}

/// Whether TTL is on and which attribute holds the expiry time (the
/// `TimeToLiveSpecification` shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeToLiveSpecification {
    /// `true` to enable, `false` to disable.
    pub enabled: bool,
    /// The attribute holding each item's expiry time, in seconds since the
    /// Unix epoch (1–255 characters).
    pub attribute_name: String,
}

/// `UpdateTimeToLive` request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateTimeToLiveInput {
    /// Table name (or ARN).
    pub table_name: String,
    /// The new setting.
    pub time_to_live_specification: TimeToLiveSpecification,
}

/// `UpdateTimeToLive` response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateTimeToLiveOutput {
    /// The setting as requested (now in force).
    pub time_to_live_specification: TimeToLiveSpecification,
}

/// `DescribeTimeToLive` request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DescribeTimeToLiveInput {
    /// Table name (or ARN).
    pub table_name: String,
}

/// A table's TTL setting as DescribeTimeToLive reports it (the
/// `TimeToLiveDescription` shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeToLiveDescription {
    /// `ENABLED` or `DISABLED`.
    pub time_to_live_status: TimeToLiveStatus,
    /// The expiry attribute, present while TTL is enabled.
    pub attribute_name: Option<String>,
}

/// `DescribeTimeToLive` response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DescribeTimeToLiveOutput {
    /// The table's setting.
    pub time_to_live_description: TimeToLiveDescription,
}
