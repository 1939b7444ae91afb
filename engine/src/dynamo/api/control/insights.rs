//! Contributor Insights shapes: DescribeContributorInsights,
//! UpdateContributorInsights, ListContributorInsights.

use super::enums::wire_enum;

wire_enum! {
    /// `ContributorInsightsStatus`.
    ContributorInsightsStatus {
        /// Being enabled (UpdateContributorInsights' answer to ENABLE).
        Enabling => "ENABLING",
        /// Enabled.
        Enabled => "ENABLED",
        /// Being disabled (UpdateContributorInsights' answer to DISABLE).
        Disabling => "DISABLING",
        /// Disabled (never enabled, or disabled).
        #[default]
        Disabled => "DISABLED",
        /// Failed to enable.
        Failed => "FAILED",
    }
}

wire_enum! {
    /// `ContributorInsightsAction`.
    ContributorInsightsAction {
        /// Turn Contributor Insights on.
        #[default]
        Enable => "ENABLE",
        /// Turn it off.
        Disable => "DISABLE",
    }
}

wire_enum! {
    /// `ContributorInsightsMode`.
    ContributorInsightsMode {
        /// Keys accessed and keys throttled (the default).
        #[default]
        AccessedAndThrottledKeys => "ACCESSED_AND_THROTTLED_KEYS",
        /// Keys throttled only.
        ThrottledKeys => "THROTTLED_KEYS",
    }
}

/// `DescribeContributorInsights` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeContributorInsightsInput {
    /// Table name (or ARN).
    pub table_name: String,
    /// A global secondary index of the table, if the question is about it.
    pub index_name: Option<String>,
}

/// `DescribeContributorInsights` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeContributorInsightsOutput {
    /// The table's name.
    pub table_name: String,
    /// The index's name, when asked about an index.
    pub index_name: Option<String>,
    /// The CloudWatch Contributor Insights rules (empty while disabled).
    pub contributor_insights_rule_list: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    pub contributor_insights_status: ContributorInsightsStatus,
    /// When Contributor Insights was last enabled or disabled, seconds since
    /// the epoch.
    pub last_update_date_time: Option<f64>,
    /// The mode, while enabled.
    pub contributor_insights_mode: Option<ContributorInsightsMode>,
}

/// `UpdateContributorInsights` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateContributorInsightsInput {
    /// Table name (or ARN).
    pub table_name: String,
    /// A global secondary index of the table, to act on it instead.
    pub index_name: Option<String>,
    /// `ENABLE` or `DISABLE`.
    pub contributor_insights_action: ContributorInsightsAction,
    /// The mode to enable (default `ACCESSED_AND_THROTTLED_KEYS`).
    pub contributor_insights_mode: Option<ContributorInsightsMode>,
}

/// `UpdateContributorInsights` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateContributorInsightsOutput {
    /// The table's name.
    pub table_name: String,
    /// The index's name, when acting on an index.
    pub index_name: Option<String>,
    /// `ENABLING` or `DISABLING`.
    pub contributor_insights_status: ContributorInsightsStatus,
    /// The mode, when enabling.
    pub contributor_insights_mode: Option<ContributorInsightsMode>,
}

/// `ListContributorInsights` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListContributorInsightsInput {
    /// Only this table (name or ARN) and its indexes.
    pub table_name: Option<String>,
    /// The `NextToken` of the previous page.
    pub next_token: Option<String>,
    /// At most this many summaries (0 or absent: 100).
    pub max_results: Option<i64>,
}

/// One entry of `ListContributorInsights`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContributorInsightsSummary {
    /// The table's name.
    pub table_name: String,
    /// The index's name, for an index.
    pub index_name: Option<String>,
    /// `ENABLED` or `DISABLED`.
    pub contributor_insights_status: ContributorInsightsStatus,
    /// The mode, while enabled.
    pub contributor_insights_mode: Option<ContributorInsightsMode>,
}

/// `ListContributorInsights` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListContributorInsightsOutput {
    /// One summary per table and global secondary index.
    pub contributor_insights_summaries: Vec<ContributorInsightsSummary>,
    /// Present when more summaries follow.
    pub next_token: Option<String>,
}
