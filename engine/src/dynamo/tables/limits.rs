//! DescribeLimits: DynamoDB's default provisioned-capacity quotas (siltdb
//! answers them so clients that plan capacity work; a single node does not
//! throttle, so it enforces none of them).

use crate::dynamo::api::{DescribeLimitsInput, DescribeLimitsOutput};
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
}
