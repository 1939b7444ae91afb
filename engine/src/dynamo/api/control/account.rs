//! Account-level shapes: DescribeLimits and DescribeEndpoints.

/// `DescribeLimits` request (no members).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeLimitsInput {}

/// `DescribeLimits` response: the provisioned-capacity quotas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeLimitsOutput {
    /// Read capacity units all tables of the account may provision together.
    pub account_max_read_capacity_units: i64,
    /// Write capacity units all tables of the account may provision together.
    pub account_max_write_capacity_units: i64,
    /// Read capacity units one table (with its indexes) may provision.
    pub table_max_read_capacity_units: i64,
    /// Write capacity units one table (with its indexes) may provision.
    pub table_max_write_capacity_units: i64,
}

/// `DescribeEndpoints` request (no members).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeEndpointsInput {}

/// One entry of `DescribeEndpoints`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Endpoint {
    /// Host (and port) to send requests to.
    pub address: String,
    /// How long a client may cache the answer.
    pub cache_period_in_minutes: i64,
}

/// `DescribeEndpoints` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeEndpointsOutput {
    /// The endpoints.
    pub endpoints: Vec<Endpoint>,
}
