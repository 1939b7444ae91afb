//! DynamoDB JSON (the JSON 1.0 protocol's bodies) ↔ siltdb's API types.
//!
//! A request body is parsed into a compact [`tree::Json`] under a memory
//! meter ([`read_body`]), then read by hand, so that every wrong type,
//! violated constraint and bad value fails with the exception and message
//! DynamoDB gives (`decode` explains the passes). Responses are written
//! through `serde`: the answers that carry items (GetItem, PutItem,
//! UpdateItem, DeleteItem, Query, Scan, BatchGetItem) straight to bytes
//! ([`response_bytes`]; `value::ItemJson` writes items), the others as a
//! [`serde_json::Value`] first. The per-operation readers and writers are
//! wired to the operations by the one list in [`crate::operation`].
//!
//! One file per concern: `value` (attribute values and items), `item`
//! (PutItem/GetItem/UpdateItem/DeleteItem), `query` (Query/Scan), `batch`,
//! `transact`, `partiql` (ExecuteStatement, BatchExecuteStatement,
//! ExecuteTransaction), `streams` (the DynamoDB Streams API), `common`
//! (shared members and capacity), [`errors`] (error bodies), [`tree`] (the
//! parsed body); the folder `control/` holds the control plane (tables,
//! settings, tags, Time to Live, Contributor Insights, resource policies,
//! limits and endpoints), and `backups/` on-demand backups, point-in-time
//! recovery, and export and import.
// Request bodies come from the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod backups;
mod control;
use backups::{backup, pitr, transfers};
use control::{account, insights, policy, tables, tags, ttl};
pub use transfers::{
    export_description_from_json, export_description_json, import_description_from_json,
    import_description_json,
};
mod batch;
mod common;
pub(crate) mod decode;
pub mod errors;
mod item;
mod partiql;
mod query;
mod streams;
mod transact;
pub mod tree;
pub(crate) mod value;

use siltdb::dynamo::{DynamoError, Item};

use crate::operation::{for_each_operation, Operation, Request, Response};
use decode::{Decoder, Position, Struct};
use tree::{Json, Meter, ParseError};

/// Why a request body did not become a [`Request`].
#[derive(Debug, Clone, PartialEq)]
pub enum BodyError {
    /// DynamoDB's answer: `SerializationException` or
    /// `ValidationException`.
    Rejected(DynamoError),
    /// The memory meter refused: the body would take more memory than the
    /// server lets requests hold (the HTTP layer answers overload).
    OverBudget,
}

/// Reads a request body for `op` from its bytes: parsed into a [`Json`]
/// tree under `meter` (see [`tree`]), then decoded.
///
/// A body that is not JSON is a `SerializationException` without text,
/// as DynamoDB answers it. A top-level member that the operation's input
/// does not have in DynamoDB's API model ([`Operation::members`]) is a
/// `SerializationException` naming it, and its value is never parsed:
/// DynamoDB is recorded (dynalite) to ignore such members, but reading them
/// is how one unsigned body of junk held 1.6 GB, and no SDK sends one.
pub fn read_body(op: Operation, bytes: &[u8], meter: &dyn Meter) -> Result<Request, BodyError> {
    let tree = match tree::parse(bytes, Some(op.members()), meter) {
        Ok(t) => t,
        Err(ParseError::OverBudget) => return Err(BodyError::OverBudget),
        Err(ParseError::Syntax(_)) => {
            return Err(BodyError::Rejected(DynamoError::SerializationException(
                String::new(),
            )))
        }
        Err(ParseError::UnknownMember(name)) => {
            return Err(BodyError::Rejected(DynamoError::SerializationException(
                unknown_member_message(op, &name),
            )))
        }
    };
    decode(op, &tree, meter)
}

/// The message for a top-level member `name` that `op`'s input lacks.
fn unknown_member_message(op: Operation, name: &str) -> String {
    format!(
        "Unrecognized field \"{name}\": {}Input has no such member",
        op.name()
    )
}

/// Reads the body of a request for `op` from JSON already in memory (the
/// CLI's files, tests); the same rules as [`read_body`], unmetered.
///
/// Errors are DynamoDB's: `SerializationException` for a wrong JSON type
/// or a member the operation does not have, `ValidationException` for
/// constraint violations and invalid values.
pub fn decode_request(op: Operation, body: &serde_json::Value) -> Result<Request, DynamoError> {
    if let Some(name) = body
        .as_object()
        .and_then(|m| m.keys().find(|k| !op.members().contains(&k.as_str())))
    {
        return Err(DynamoError::SerializationException(unknown_member_message(
            op, name,
        )));
    }
    decode(op, &Json::from(body), &tree::Unmetered).map_err(|e| match e {
        BodyError::Rejected(e) => e,
        // The unmetered meter refuses nothing.
        BodyError::OverBudget => {
            DynamoError::InternalServerError("an unmetered decoding ran out of budget".to_string())
        }
    })
}

macro_rules! define_codec {
    ($($op:ident {
        method: $method:ident, input: $input:ident, output: $output:ident,
        read: $read:path, write: $write:path,
        api: $api:ident, runs: $runs:ident $(($awaits:ident))?, fallback: $fallback:ident,
        members: [$($member:literal),* $(,)?] $(,)?
    },)+) => {
        /// Decodes a parsed body for `op`, charging what it builds to
        /// `meter`.
        fn decode(op: Operation, body: &Json, meter: &dyn Meter) -> Result<Request, BodyError> {
            // What DynamoDB says about a body that is JSON but not an object
            // is not recorded; a type error without text is what it says for
            // non-JSON.
            let Json::Object(map) = body else {
                return Err(BodyError::Rejected(DynamoError::SerializationException(
                    String::new(),
                )));
            };
            let s = Struct::root(map);
            let mut d = Decoder::metered(meter);
            let read = match op {
                $(Operation::$op => $read(&mut d, s).map(Request::$op),)+
            };
            match read {
                Err(_) if d.over_budget() => Err(BodyError::OverBudget),
                Err(e) => Err(BodyError::Rejected(e)),
                Ok(request) => d.finish(request).map_err(BodyError::Rejected),
            }
        }

        /// A successful response's body as a JSON tree (the CLI, tests).
        pub fn encode_response(response: &Response) -> serde_json::Value {
            match response {
                $(Response::$op(o) => value::to_value($write(o)),)+
            }
        }

        /// A successful response's body as the bytes the server sends:
        /// the same JSON as [`encode_response`], written without building
        /// a tree where the operation's writer writes straight to bytes
        /// (item reads and writes, Query, Scan, BatchGetItem, GetRecords).
        pub fn response_bytes(response: &Response) -> Vec<u8> {
            let mut out = Vec::with_capacity(RESPONSE_CAPACITY);
            // Nothing these writers produce fails to serialize (map keys
            // are strings).
            match response {
                $(Response::$op(o) => serde_json::to_writer(&mut out, &$write(o)),)+
            }
            .map_or_else(|_| b"{}".to_vec(), |()| out)
        }
    };
}

/// Room a response body starts with: a 100-byte item's GetItem answer
/// fits, where `serde_json::to_vec`'s 128 bytes grew once for it; an
/// allocation this small costs the same whatever its size.
const RESPONSE_CAPACITY: usize = 512;

for_each_operation!(define_codec);

/// Test support: a [`Json`] tree written as `serde_json::json!` literals.
#[cfg(test)]
macro_rules! json_tree {
    ($($t:tt)+) => {
        $crate::json::tree::Json::from(&serde_json::json!($($t)+)).into_owned()
    };
}
#[cfg(test)]
pub(crate) use json_tree;

/// An item (or key) as DynamoDB JSON: `{"pk": {"S": "a"}, "n": {"N": "1"}}`,
/// exactly as the wire protocol and DynamoDB's export to S3 write it
/// (numbers canonical, binaries in padded base64, sets in siltdb's order).
pub fn item_to_json(item: &Item) -> serde_json::Value {
    value::item_json(item)
}

/// Reads an item written as DynamoDB JSON, with the rules and messages a
/// request's `Item` is read with: `SerializationException` for a wrong JSON
/// type, `ValidationException` for a value DynamoDB rejects (an empty set, a
/// number out of range, ...). Members whose value is `null` are absent.
pub fn item_from_json(v: &serde_json::Value) -> Result<Item, DynamoError> {
    let mut d = Decoder::new();
    let item = value::item(&mut d, &Json::from(v), Position::Field)?;
    d.finish(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_operation_decodes_a_minimal_body() {
        let bodies = [
            (
                Operation::CreateTable,
                json!({"TableName": "Tbl", "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                       "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}),
            ),
            (Operation::DescribeTable, json!({"TableName": "T"})),
            (Operation::ListTables, json!({})),
            (Operation::UpdateTable, json!({"TableName": "T"})),
            (Operation::DeleteTable, json!({"TableName": "T"})),
            (
                Operation::PutItem,
                json!({"TableName": "T", "Item": {"k": {"S": "1"}}}),
            ),
            (
                Operation::GetItem,
                json!({"TableName": "T", "Key": {"k": {"S": "1"}}}),
            ),
            (
                Operation::UpdateItem,
                json!({"TableName": "T", "Key": {"k": {"S": "1"}}}),
            ),
            (
                Operation::DeleteItem,
                json!({"TableName": "T", "Key": {"k": {"S": "1"}}}),
            ),
            (Operation::Query, json!({"TableName": "T"})),
            (Operation::Scan, json!({"TableName": "T"})),
            (
                Operation::BatchGetItem,
                json!({"RequestItems": {"Tbl": {"Keys": [{"k": {"S": "1"}}]}}}),
            ),
            (
                Operation::BatchWriteItem,
                json!({"RequestItems": {"Tbl": [{"PutRequest": {"Item": {"k": {"S": "1"}}}}]}}),
            ),
            (
                Operation::TransactWriteItems,
                json!({"TransactItems": [{"Delete": {"TableName": "T", "Key": {"k": {"S": "1"}}}}]}),
            ),
            (
                Operation::TransactGetItems,
                json!({"TransactItems": [{"Get": {"TableName": "T", "Key": {"k": {"S": "1"}}}}]}),
            ),
            (Operation::ListStreams, json!({})),
            (Operation::DescribeStream, json!({"StreamArn": "arn:x"})),
            (
                Operation::GetShardIterator,
                json!({"StreamArn": "arn:x", "ShardId": "shardId-00000001700000000000-abcdef01",
                       "ShardIteratorType": "LATEST"}),
            ),
            (Operation::GetRecords, json!({"ShardIterator": "x"})),
            (
                Operation::UpdateTimeToLive,
                json!({"TableName": "T", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "e"}}),
            ),
            (Operation::DescribeTimeToLive, json!({"TableName": "T"})),
            (
                Operation::TagResource,
                json!({"ResourceArn": "arn:aws:dynamodb:r:1:table/T", "Tags": [{"Key": "k", "Value": "v"}]}),
            ),
            (
                Operation::UntagResource,
                json!({"ResourceArn": "arn:aws:dynamodb:r:1:table/T", "TagKeys": ["k"]}),
            ),
            (
                Operation::ListTagsOfResource,
                json!({"ResourceArn": "arn:aws:dynamodb:r:1:table/T"}),
            ),
            (
                Operation::ExecuteStatement,
                json!({"Statement": "SELECT * FROM T"}),
            ),
            (
                Operation::BatchExecuteStatement,
                json!({"Statements": [{"Statement": "SELECT * FROM T WHERE k = 1"}]}),
            ),
            (
                Operation::ExecuteTransaction,
                json!({"TransactStatements": [{"Statement": "DELETE FROM T WHERE k = 1"}]}),
            ),
            (
                Operation::CreateBackup,
                json!({"TableName": "T", "BackupName": "nightly"}),
            ),
            (
                Operation::DescribeBackup,
                json!({"BackupArn": "arn:aws:dynamodb:r:1:table/T/backup/01733000000000-0a1b2c3d"}),
            ),
            (
                Operation::ListBackups,
                json!({"TableName": "T", "Limit": 5, "TimeRangeLowerBound": 1.5e9, "BackupType": "ALL"}),
            ),
            (
                Operation::DeleteBackup,
                json!({"BackupArn": "arn:aws:dynamodb:r:1:table/T/backup/01733000000000-0a1b2c3d"}),
            ),
            (
                Operation::ExportTableToPointInTime,
                json!({"TableArn": "arn:aws:dynamodb:r:1:table/T", "S3Bucket": "bucket", "ExportFormat": "ION"}),
            ),
            (
                Operation::DescribeExport,
                json!({"ExportArn": "arn:aws:dynamodb:r:1:table/T/export/01733000000000-0a1b2c3d"}),
            ),
            (Operation::ListExports, json!({"MaxResults": 5})),
            (
                Operation::ImportTable,
                json!({"S3BucketSource": {"S3Bucket": "bucket"}, "InputFormat": "CSV",
                       "InputFormatOptions": {"Csv": {"Delimiter": ";", "HeaderList": ["k"]}},
                       "TableCreationParameters": {"TableName": "Tbl", "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                       "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}}),
            ),
            (
                Operation::DescribeImport,
                json!({"ImportArn": "arn:aws:dynamodb:r:1:table/T/import/01733000000000-0a1b2c3d"}),
            ),
            (Operation::ListImports, json!({"PageSize": 5})),
            (
                Operation::RestoreTableFromBackup,
                json!({"TargetTableName": "Tab2", "BackupArn": "arn:aws:dynamodb:r:1:table/T/backup/01733000000000-0a1b2c3d",
                       "BillingModeOverride": "PROVISIONED",
                       "ProvisionedThroughputOverride": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                       "GlobalSecondaryIndexOverride": [], "SSESpecificationOverride": {"Enabled": true}}),
            ),
            (
                Operation::UpdateContinuousBackups,
                json!({"TableName": "T", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 7}}),
            ),
            (
                Operation::DescribeContinuousBackups,
                json!({"TableName": "T"}),
            ),
            (
                Operation::RestoreTableToPointInTime,
                json!({"SourceTableName": "Tab", "TargetTableName": "Tab2", "UseLatestRestorableTime": true,
                       "BillingModeOverride": "PAY_PER_REQUEST"}),
            ),
            (Operation::DescribeLimits, json!({})),
            (Operation::DescribeEndpoints, json!({})),
            (
                Operation::PutResourcePolicy,
                json!({"ResourceArn": "arn:aws:dynamodb:r:1:table/T", "Policy": "{}"}),
            ),
            (
                Operation::GetResourcePolicy,
                json!({"ResourceArn": "arn:aws:dynamodb:r:1:table/T"}),
            ),
            (
                Operation::DeleteResourcePolicy,
                json!({"ResourceArn": "arn:aws:dynamodb:r:1:table/T"}),
            ),
            (
                Operation::DescribeContributorInsights,
                json!({"TableName": "T"}),
            ),
            (
                Operation::UpdateContributorInsights,
                json!({"TableName": "T", "ContributorInsightsAction": "ENABLE"}),
            ),
            (Operation::ListContributorInsights, json!({})),
        ];
        assert_eq!(bodies.len(), Operation::ALL.len());
        for (op, body) in bodies {
            let r = decode_request(op, &body).unwrap_or_else(|e| panic!("{op:?}: {e}"));
            assert_eq!(r.operation(), op);
        }
    }

    #[test]
    fn non_object_bodies_are_serialization_errors() {
        for body in [json!([]), json!("x"), json!(1)] {
            let e = decode_request(Operation::ListTables, &body).expect_err("not an object");
            assert_eq!(e.name(), "SerializationException");
        }
    }

    #[test]
    fn missing_table_name_is_a_violation() {
        let e = decode_request(Operation::GetItem, &json!({"Key": {}})).expect_err("invalid");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn serialization_beats_violations_and_violations_beat_value_rules() {
        // A bad enum (pass 2) and a bad number (pass 3) before a wrong type.
        let e = decode_request(
            Operation::PutItem,
            &json!({"TableName": "T", "ReturnValues": "X", "Item": {"a": {"N": "x"}},
                    "ConditionExpression": 5}),
        )
        .expect_err("type error");
        assert_eq!(e.name(), "SerializationException");
        let e = decode_request(
            Operation::PutItem,
            &json!({"TableName": "T", "ReturnValues": "X", "Item": {"a": {"N": "x"}}}),
        )
        .expect_err("violation");
        assert!(
            e.message().starts_with("1 validation error detected"),
            "{}",
            e.message()
        );
        let e = decode_request(
            Operation::PutItem,
            &json!({"TableName": "T", "Item": {"a": {"N": "x"}}}),
        )
        .expect_err("value rule");
        assert_eq!(
            e.message(),
            "The parameter cannot be converted to a numeric value: x"
        );
    }

    #[test]
    fn items_round_trip_through_public_json() {
        let v = json!({"pk": {"S": "a"}, "n": {"N": "1.50"}, "b": {"B": "AAEC"},
                       "m": {"M": {"ns": {"NS": ["2", "1"]}}}, "gone": null});
        let item = item_from_json(&v).expect("valid item");
        assert_eq!(item.len(), 4);
        assert_eq!(
            item_to_json(&item),
            json!({"pk": {"S": "a"}, "n": {"N": "1.5"}, "b": {"B": "AAEC"},
                   "m": {"M": {"ns": {"NS": ["1", "2"]}}}})
        );
        let e = item_from_json(&json!({"a": {"SS": []}})).expect_err("empty set");
        assert_eq!(e.name(), "ValidationException");
        let e = item_from_json(&json!([1])).expect_err("not a map");
        assert_eq!(e.name(), "SerializationException");
    }

    /// The bytes the server sends for item-bearing answers, written
    /// without a tree, are exactly the bytes of the same answer as a
    /// `serde_json::Value`: every member and every attribute type, in the
    /// order a `Value`'s map writes them.
    #[test]
    fn answers_written_straight_to_bytes_match_the_tree() {
        use siltdb::dynamo::api::{
            BatchGetItemOutput, Capacity, ConsumedCapacity, DeleteItemOutput, GetItemOutput,
            GetRecordsOutput, Identity, ItemCollectionMetrics, KeysAndAttributes, OperationType,
            PutItemOutput, QueryOutput, Record, StreamRecord, StreamViewType, UpdateItemOutput,
        };
        fn record(new: Option<Item>, old: Option<Item>, who: Option<Identity>) -> Record {
            Record {
                event_id: "e".into(),
                event_name: OperationType::Modify,
                event_version: "1.1".into(),
                event_source: "aws:dynamodb".into(),
                aws_region: "ddblocal".into(),
                dynamodb: StreamRecord {
                    approximate_creation_date_time: 1_700_000_000.25,
                    keys: [(
                        "k".to_string(),
                        siltdb::dynamo::AttributeValue::N("1".parse().expect("a number")),
                    )]
                    .into(),
                    new_image: new,
                    old_image: old,
                    sequence_number: "000000000000000000001".into(),
                    size_bytes: 40,
                    stream_view_type: StreamViewType::NewAndOldImages,
                },
                user_identity: who,
            }
        }
        let item = item_from_json(&json!({
            "s": {"S": "h\u{e9}llo \"q\" \n\u{1}"}, "n": {"N": "-1.50"}, "b": {"B": "AAEC/w=="},
            "t": {"BOOL": true}, "z": {"NULL": true},
            "m": {"M": {"x": {"L": [{"S": "a"}, {"N": "2"}, {"M": {}}]}, "y": {"L": []}}},
            "ss": {"SS": ["b", "a"]}, "ns": {"NS": ["10", "1e2", "-3"]}, "bs": {"BS": ["AA==", "AQ=="]},
        }))
        .expect("a valid item");
        let capacity = ConsumedCapacity {
            table_name: Some("T".into()),
            capacity_units: Some(1.5),
            table: Some(Capacity {
                capacity_units: Some(1.0),
                ..Default::default()
            }),
            ..Default::default()
        };
        let metrics = ItemCollectionMetrics {
            item_collection_key: item.clone(),
            size_estimate_range_gb: vec![0.0, 1.0],
        };
        let responses = [
            Response::GetItem(GetItemOutput::default()),
            Response::GetItem(GetItemOutput {
                item: Some(item.clone()),
                consumed_capacity: Some(capacity.clone()),
            }),
            Response::PutItem(PutItemOutput::default()),
            Response::PutItem(PutItemOutput {
                attributes: Some(item.clone()),
                consumed_capacity: Some(capacity.clone()),
                item_collection_metrics: Some(metrics.clone()),
            }),
            Response::UpdateItem(UpdateItemOutput {
                attributes: Some(item.clone()),
                ..Default::default()
            }),
            Response::DeleteItem(DeleteItemOutput {
                item_collection_metrics: Some(metrics),
                ..Default::default()
            }),
            Response::Query(QueryOutput::default()),
            Response::Query(QueryOutput {
                items: Some(vec![item.clone(), Item::new()]),
                count: 2,
                scanned_count: 3,
                last_evaluated_key: Some(item.clone()),
                consumed_capacity: Some(capacity.clone()),
            }),
            Response::Scan(QueryOutput {
                items: Some(Vec::new()),
                ..Default::default()
            }),
            Response::BatchGetItem(BatchGetItemOutput::default()),
            Response::BatchGetItem(BatchGetItemOutput {
                responses: [
                    ("B".to_string(), vec![item.clone()]),
                    ("A".to_string(), Vec::new()),
                ]
                .into(),
                unprocessed_keys: [(
                    "C".to_string(),
                    KeysAndAttributes {
                        keys: vec![item.clone()],
                        ..Default::default()
                    },
                )]
                .into(),
                consumed_capacity: Some(vec![capacity]),
            }),
            Response::GetRecords(GetRecordsOutput::default()),
            Response::GetRecords(GetRecordsOutput {
                records: vec![
                    record(Some(item.clone()), None, None),
                    record(
                        Some(item.clone()),
                        Some(item.clone()),
                        Some(Identity {
                            principal_id: "dynamodb.amazonaws.com".into(),
                            identity_type: "Service".into(),
                        }),
                    ),
                ],
                next_shard_iterator: Some("it".into()),
            }),
        ];
        for r in &responses {
            let tree = serde_json::to_vec(&encode_response(r)).expect("a tree serializes");
            assert_eq!(
                String::from_utf8_lossy(&response_bytes(r)),
                String::from_utf8_lossy(&tree),
                "{r:?}"
            );
        }
    }
}
