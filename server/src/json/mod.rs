//! DynamoDB JSON (the JSON 1.0 protocol's bodies) ↔ siltdb's API types.
//!
//! Requests are read from a parsed [`serde_json::Value`] by hand, so that
//! every wrong type, violated constraint and bad value fails with the
//! exception and message DynamoDB gives (`decode` explains the passes).
//! One file per concern: `value` (attribute values and items), `item`
//! (PutItem/GetItem/UpdateItem/DeleteItem), `query` (Query/Scan), `batch`,
//! `transact`, `partiql` (ExecuteStatement, BatchExecuteStatement,
//! ExecuteTransaction), `tables` (control plane), `ttl` (Time to Live), `tags`,
//! `streams` (the DynamoDB Streams API), `common` (shared members and
//! capacity), [`errors`] (error bodies).

mod batch;
mod common;
pub(crate) mod decode;
pub mod errors;
mod item;
mod partiql;
mod query;
mod streams;
mod tables;
mod tags;
mod transact;
mod ttl;
pub(crate) mod value;

use serde_json::Value;
use siltdb::dynamo::{DynamoError, Item};

use crate::operation::{Operation, Request, Response};
use decode::{Decoder, Position, Struct};

/// Reads the body of a request for `op`.
///
/// Errors are DynamoDB's: `SerializationException` for a wrong JSON type,
/// `ValidationException` for constraint violations and invalid values.
pub fn decode_request(op: Operation, body: &Value) -> Result<Request, DynamoError> {
    // What DynamoDB says about a body that is JSON but not an object is not
    // recorded; a type error without text is what it says for non-JSON.
    let Value::Object(map) = body else {
        return Err(DynamoError::SerializationException(String::new()));
    };
    let s = Struct::root(map);
    let mut d = Decoder::new();
    let request = match op {
        Operation::CreateTable => Request::CreateTable(tables::create_table_input(&mut d, s)?),
        Operation::DescribeTable => {
            Request::DescribeTable(tables::describe_table_input(&mut d, s)?)
        }
        Operation::ListTables => Request::ListTables(tables::list_tables_input(&mut d, s)?),
        Operation::UpdateTable => Request::UpdateTable(tables::update_table_input(&mut d, s)?),
        Operation::DeleteTable => Request::DeleteTable(tables::delete_table_input(&mut d, s)?),
        Operation::PutItem => Request::PutItem(item::put_item_input(&mut d, s)?),
        Operation::GetItem => Request::GetItem(item::get_item_input(&mut d, s)?),
        Operation::UpdateItem => Request::UpdateItem(item::update_item_input(&mut d, s)?),
        Operation::DeleteItem => Request::DeleteItem(item::delete_item_input(&mut d, s)?),
        Operation::Query => Request::Query(query::query_input(&mut d, s)?),
        Operation::Scan => Request::Scan(query::scan_input(&mut d, s)?),
        Operation::BatchGetItem => Request::BatchGetItem(batch::batch_get_item_input(&mut d, s)?),
        Operation::BatchWriteItem => {
            Request::BatchWriteItem(batch::batch_write_item_input(&mut d, s)?)
        }
        Operation::TransactWriteItems => {
            Request::TransactWriteItems(transact::transact_write_items_input(&mut d, s)?)
        }
        Operation::TransactGetItems => {
            Request::TransactGetItems(transact::transact_get_items_input(&mut d, s)?)
        }
        Operation::ListStreams => Request::ListStreams(streams::list_streams_input(&mut d, s)?),
        Operation::DescribeStream => {
            Request::DescribeStream(streams::describe_stream_input(&mut d, s)?)
        }
        Operation::GetShardIterator => {
            Request::GetShardIterator(streams::get_shard_iterator_input(&mut d, s)?)
        }
        Operation::GetRecords => Request::GetRecords(streams::get_records_input(&mut d, s)?),
        Operation::UpdateTimeToLive => {
            Request::UpdateTimeToLive(ttl::update_time_to_live_input(&mut d, s)?)
        }
        Operation::DescribeTimeToLive => {
            Request::DescribeTimeToLive(ttl::describe_time_to_live_input(&mut d, s)?)
        }
        Operation::TagResource => Request::TagResource(tags::tag_resource_input(&mut d, s)?),
        Operation::UntagResource => Request::UntagResource(tags::untag_resource_input(&mut d, s)?),
        Operation::ListTagsOfResource => {
            Request::ListTagsOfResource(tags::list_tags_of_resource_input(&mut d, s)?)
        }
        Operation::ExecuteStatement => {
            Request::ExecuteStatement(partiql::execute_statement_input(&mut d, s)?)
        }
        Operation::BatchExecuteStatement => {
            Request::BatchExecuteStatement(partiql::batch_execute_statement_input(&mut d, s)?)
        }
        Operation::ExecuteTransaction => {
            Request::ExecuteTransaction(partiql::execute_transaction_input(&mut d, s)?)
        }
    };
    d.finish(request)
}

/// Writes a successful response's body.
pub fn encode_response(response: &Response) -> Value {
    match response {
        Response::CreateTable(o) => tables::create_table_output(o),
        Response::DescribeTable(o) => tables::describe_table_output(o),
        Response::ListTables(o) => tables::list_tables_output(o),
        Response::UpdateTable(o) => tables::update_table_output(o),
        Response::DeleteTable(o) => tables::delete_table_output(o),
        Response::PutItem(o) => item::put_item_output(o),
        Response::GetItem(o) => item::get_item_output(o),
        Response::UpdateItem(o) => item::update_item_output(o),
        Response::DeleteItem(o) => item::delete_item_output(o),
        Response::Query(o) | Response::Scan(o) => query::query_output(o),
        Response::BatchGetItem(o) => batch::batch_get_item_output(o),
        Response::BatchWriteItem(o) => batch::batch_write_item_output(o),
        Response::TransactWriteItems(o) => transact::transact_write_items_output(o),
        Response::TransactGetItems(o) => transact::transact_get_items_output(o),
        Response::ListStreams(o) => streams::list_streams_output(o),
        Response::DescribeStream(o) => streams::describe_stream_output(o),
        Response::GetShardIterator(o) => streams::get_shard_iterator_output(o),
        Response::GetRecords(o) => streams::get_records_output(o),
        Response::UpdateTimeToLive(o) => ttl::update_time_to_live_output(o),
        Response::DescribeTimeToLive(o) => ttl::describe_time_to_live_output(o),
        Response::TagResource(o) => tags::tag_resource_output(o),
        Response::UntagResource(o) => tags::untag_resource_output(o),
        Response::ListTagsOfResource(o) => tags::list_tags_of_resource_output(o),
        Response::ExecuteStatement(o) => partiql::execute_statement_output(o),
        Response::BatchExecuteStatement(o) => partiql::batch_execute_statement_output(o),
        Response::ExecuteTransaction(o) => partiql::execute_transaction_output(o),
    }
}

/// An item (or key) as DynamoDB JSON: `{"pk": {"S": "a"}, "n": {"N": "1"}}`,
/// exactly as the wire protocol and DynamoDB's export to S3 write it
/// (numbers canonical, binaries in padded base64, sets in siltdb's order).
pub fn item_to_json(item: &Item) -> Value {
    value::item_json(item)
}

/// Reads an item written as DynamoDB JSON, with the rules and messages a
/// request's `Item` is read with: `SerializationException` for a wrong JSON
/// type, `ValidationException` for a value DynamoDB rejects (an empty set, a
/// number out of range, ...). Members whose value is `null` are absent.
pub fn item_from_json(v: &Value) -> Result<Item, DynamoError> {
    let mut d = Decoder::new();
    let item = value::item(&mut d, v, Position::Field)?;
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
                json!({"RequestItems": {"T": {"Keys": [{"k": {"S": "1"}}]}}}),
            ),
            (
                Operation::BatchWriteItem,
                json!({"RequestItems": {"T": [{"PutRequest": {"Item": {"k": {"S": "1"}}}}]}}),
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
                json!({"Statements": [{"Statement": "SELECT * FROM T"}]}),
            ),
            (
                Operation::ExecuteTransaction,
                json!({"TransactStatements": [{"Statement": "SELECT * FROM T"}]}),
            ),
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
}
