//! DescribeLimits and DescribeEndpoints ↔ DynamoDB JSON (both requests
//! have no members).

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    DescribeEndpointsInput, DescribeEndpointsOutput, DescribeLimitsInput, DescribeLimitsOutput,
};

use super::decode::{DResult, Decoder, Struct};

/// Reads a `DescribeLimits` request.
pub(crate) fn describe_limits_input(
    _d: &mut Decoder,
    _s: Struct<'_>,
) -> DResult<DescribeLimitsInput> {
    Ok(DescribeLimitsInput {})
}

/// Reads a `DescribeEndpoints` request.
pub(crate) fn describe_endpoints_input(
    _d: &mut Decoder,
    _s: Struct<'_>,
) -> DResult<DescribeEndpointsInput> {
    Ok(DescribeEndpointsInput {})
}

/// A `DescribeLimits` response.
pub(crate) fn describe_limits_output(o: &DescribeLimitsOutput) -> Value {
    let mut m = Map::new();
    for (k, v) in [
        (
            "AccountMaxReadCapacityUnits",
            o.account_max_read_capacity_units,
        ),
        (
            "AccountMaxWriteCapacityUnits",
            o.account_max_write_capacity_units,
        ),
        ("TableMaxReadCapacityUnits", o.table_max_read_capacity_units),
        (
            "TableMaxWriteCapacityUnits",
            o.table_max_write_capacity_units,
        ),
    ] {
        m.insert(k.into(), Value::from(v));
    }
    Value::Object(m)
}

/// A `DescribeEndpoints` response.
pub(crate) fn describe_endpoints_output(o: &DescribeEndpointsOutput) -> Value {
    let endpoints = o
        .endpoints
        .iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("Address".into(), Value::String(e.address.clone()));
            m.insert(
                "CachePeriodInMinutes".into(),
                Value::from(e.cache_period_in_minutes),
            );
            Value::Object(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("Endpoints".into(), Value::Array(endpoints));
    Value::Object(m)
}
