//! What an `X-Amz-Target` the server does not serve is told: an
//! `UnknownOperationException` whose message names the operation and, for
//! DynamoDB's operations that need another AWS service or region, says what
//! siltdb offers instead. (DynamoDB itself sends the exception without a
//! message; siltdb says more because a client reaching siltdb usually meant
//! an operation DynamoDB has.)

/// DynamoDB's operations (botocore 1.44, `dynamodb/2012-08-10`) that
/// siltdb does not serve, with why.
const NOT_SERVED: &[(&str, Why)] = &[
    ("CreateGlobalTable", Why::GlobalTables),
    ("DescribeGlobalTable", Why::GlobalTables),
    ("DescribeGlobalTableSettings", Why::GlobalTables),
    ("ListGlobalTables", Why::GlobalTables),
    ("UpdateGlobalTable", Why::GlobalTables),
    ("UpdateGlobalTableSettings", Why::GlobalTables),
    ("DescribeTableReplicaAutoScaling", Why::GlobalTables),
    ("UpdateTableReplicaAutoScaling", Why::GlobalTables),
    ("DescribeKinesisStreamingDestination", Why::Kinesis),
    ("EnableKinesisStreamingDestination", Why::Kinesis),
    ("DisableKinesisStreamingDestination", Why::Kinesis),
    ("UpdateKinesisStreamingDestination", Why::Kinesis),
    ("CancelBulkOperation", Why::NotYet),
    ("DescribeBulkOperation", Why::NotYet),
    ("ListBulkOperations", Why::NotYet),
    ("StartBulkPutItems", Why::NotYet),
    ("SearchVectors", Why::NotYet),
];

#[derive(Clone, Copy)]
enum Why {
    GlobalTables,
    Kinesis,
    NotYet,
}

/// The message for an `X-Amz-Target` of `target` that no operation of the
/// server answers (`None`: no target at all, answered without a message as
/// DynamoDB answers it).
pub(crate) fn unknown_operation_message(target: Option<&str>) -> Option<String> {
    let target = target?;
    let name = target.split_once('.').map_or(target, |(_, n)| n);
    let why = NOT_SERVED
        .iter()
        .find(|(op, _)| *op == name)
        .map(|(_, why)| *why);
    Some(match why {
        Some(Why::GlobalTables) => format!(
            "{name} is not supported by siltdb: global tables replicate across AWS Regions, and siltdb is one node serving one region. Tables, indexes, DynamoDB Streams, TTL, transactions and PartiQL are supported."
        ),
        Some(Why::Kinesis) => format!(
            "{name} is not supported by siltdb: it needs Amazon Kinesis Data Streams. For change data capture siltdb supports DynamoDB Streams (StreamSpecification on CreateTable/UpdateTable; ListStreams, DescribeStream, GetShardIterator, GetRecords)."
        ),
        Some(Why::NotYet) => format!("{name} is a DynamoDB operation siltdb does not implement."),
        None => format!("Unknown operation {target}: not an operation of DynamoDB or DynamoDB Streams that siltdb serves."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_names_the_operation() {
        assert_eq!(unknown_operation_message(None), None);
        for (op, _) in NOT_SERVED {
            let m = unknown_operation_message(Some(&format!("DynamoDB_20120810.{op}")))
                .unwrap_or_default();
            assert!(m.starts_with(op), "{m}");
        }
        let m = unknown_operation_message(Some("DynamoDB_20120810.ListTable")).unwrap_or_default();
        assert!(m.contains("DynamoDB_20120810.ListTable"), "{m}");
        let m =
            unknown_operation_message(Some("DynamoDB_20120810.EnableKinesisStreamingDestination"))
                .unwrap_or_default();
        assert!(m.contains("DynamoDB Streams"), "{m}");
    }
}
