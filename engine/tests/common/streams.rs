//! Reading DynamoDB Streams in the streams tests.

use siltdb::dynamo::api::*;
use siltdb::dynamo::{DynamoDb, DynamoError};

/// The table's `LatestStreamArn`.
pub fn latest_arn(db: &DynamoDb, table: &str) -> String {
    db.describe_table(DescribeTableInput {
        table_name: table.into(),
    })
    .expect("describe")
    .table
    .latest_stream_arn
    .expect("a stream")
}

/// DescribeStream of `arn`.
pub fn describe_stream(db: &DynamoDb, arn: &str) -> Result<StreamDescription, DynamoError> {
    db.describe_stream(DescribeStreamInput {
        stream_arn: arn.into(),
        ..Default::default()
    })
    .map(|o| o.stream_description)
}

/// The one shard of stream `arn`.
pub fn shard(db: &DynamoDb, arn: &str) -> Shard {
    let d = describe_stream(db, arn).expect("describe stream");
    assert_eq!(d.shards.len(), 1);
    d.shards[0].clone()
}

/// A `ty` iterator of the shard of `arn` (at or after `seq`, for those).
pub fn iterator(
    db: &DynamoDb,
    arn: &str,
    ty: ShardIteratorType,
    seq: Option<&str>,
) -> Result<String, DynamoError> {
    let out = db.get_shard_iterator(GetShardIteratorInput {
        stream_arn: arn.into(),
        shard_id: shard(db, arn).shard_id,
        shard_iterator_type: ty,
        sequence_number: seq.map(str::to_string),
        timestamp: None,
    })?;
    Ok(out.shard_iterator.expect("an iterator"))
}

/// GetRecords from `it`.
pub fn get(db: &DynamoDb, it: &str, limit: Option<i64>) -> Result<GetRecordsOutput, DynamoError> {
    db.get_records(GetRecordsInput {
        shard_iterator: it.into(),
        limit,
    })
}

/// Reads from `it` until a read returns nothing (or the shard ends);
/// returns the records and the last `NextShardIterator`.
pub fn drain(db: &DynamoDb, it: String) -> (Vec<Record>, Option<String>) {
    drain_with(db, it, None)
}

/// [`drain`], reading at most `limit` records per GetRecords.
pub fn drain_with(
    db: &DynamoDb,
    mut it: String,
    limit: Option<i64>,
) -> (Vec<Record>, Option<String>) {
    let mut all = Vec::new();
    loop {
        let out = get(db, &it, limit).expect("get records");
        let empty = out.records.is_empty();
        all.extend(out.records);
        match out.next_shard_iterator {
            Some(next) if !empty => it = next,
            next => return (all, next),
        }
    }
}
