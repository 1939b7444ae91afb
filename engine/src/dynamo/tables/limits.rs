//! DescribeLimits and DescribeEndpoints. DescribeLimits answers DynamoDB's
//! default provisioned-capacity quotas, so clients that plan capacity work;
//! a single node does not throttle, so siltdb enforces none of them.

use crate::dynamo::api::{
    DescribeEndpointsInput, DescribeEndpointsOutput, DescribeLimitsInput, DescribeLimitsOutput,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;

/// Read (and write) capacity units one table with its indexes may provision
/// (Developer Guide, "Quotas in Amazon DynamoDB", "Per table": 40,000 read
/// capacity units and 40,000 write capacity units).
pub const TABLE_MAX_CAPACITY_UNITS: i64 = 40_000;
/// Read (and write) capacity units all tables of an account may provision
/// together (same page, "Per account": 80,000).
pub const ACCOUNT_MAX_CAPACITY_UNITS: i64 = 80_000;

impl DynamoDb {
    /// `DescribeLimits`: DynamoDB's default quotas.
    pub fn describe_limits(
        &self,
        input: DescribeLimitsInput,
    ) -> Result<DescribeLimitsOutput, DynamoError> {
        let DescribeLimitsInput {} = input;
        Ok(DescribeLimitsOutput {
            account_max_read_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
            account_max_write_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
            table_max_read_capacity_units: TABLE_MAX_CAPACITY_UNITS,
            table_max_write_capacity_units: TABLE_MAX_CAPACITY_UNITS,
        })
    }

    /// `DescribeEndpoints` names the endpoint a client reached, which an
    /// embedded database does not have: `siltdb serve` answers it with its
    /// own address; here it is an `UnknownOperationException` saying so.
    pub fn describe_endpoints(
        &self,
        input: DescribeEndpointsInput,
    ) -> Result<DescribeEndpointsOutput, DynamoError> {
        let DescribeEndpointsInput {} = input;
        Err(DynamoError::UnknownOperationException(
            "DescribeEndpoints names the server a client reached: siltdb serve answers it; an embedded database has no endpoint".to_string(),
        ))
    }
}
