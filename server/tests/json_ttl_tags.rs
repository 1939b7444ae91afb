//! The Time to Live and tagging operations end to end through the wire
//! protocol's decoding, [`dispatch`] and encoding, on siltdb's own handle.

use serde_json::{json, Value};
use siltdb::dynamo::{DynamoDb, DynamoError};
use siltdb_server::backend::{dispatch, Backend};
use siltdb_server::json::{decode_request, encode_response};
use siltdb_server::Operation;

fn call(backend: &dyn Backend, op: &str, body: Value) -> Result<Value, DynamoError> {
    let op = Operation::from_name(op).expect("operation");
    let request = decode_request(op, &body)?;
    Ok(encode_response(&dispatch(backend, request)?))
}

#[test]
fn json_round_trip_through_the_engine() {
    let engine = DynamoDb::open_in_memory().expect("open");
    let created = call(
        &engine,
        "CreateTable",
        json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "Tags": [{"Key": "env", "Value": "prod"}]}),
    )
    .expect("create");
    let arn = created["TableDescription"]["TableArn"]
        .as_str()
        .expect("arn")
        .to_string();
    assert_eq!(
        call(&engine, "ListTagsOfResource", json!({"ResourceArn": arn})),
        Ok(json!({"Tags": [{"Key": "env", "Value": "prod"}]}))
    );
    assert_eq!(
        call(
            &engine,
            "TagResource",
            json!({"ResourceArn": arn, "Tags": [{"Key": "team", "Value": ""}]})
        ),
        Ok(json!({}))
    );
    assert_eq!(
        call(
            &engine,
            "UntagResource",
            json!({"ResourceArn": arn, "TagKeys": ["env"]})
        ),
        Ok(json!({}))
    );
    assert_eq!(
        call(&engine, "ListTagsOfResource", json!({"ResourceArn": arn})),
        Ok(json!({"Tags": [{"Key": "team", "Value": ""}]}))
    );
    assert_eq!(
        call(&engine, "DescribeTimeToLive", json!({"TableName": "tbl"})),
        Ok(json!({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}))
    );
    assert_eq!(
        call(
            &engine,
            "UpdateTimeToLive",
            json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}})
        ),
        Ok(json!({"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}))
    );
    assert_eq!(
        call(&engine, "DescribeTimeToLive", json!({"TableName": "tbl"})),
        Ok(
            json!({"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}})
        )
    );
    let e = call(
        &engine,
        "UpdateTimeToLive",
        json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
    )
    .expect_err("again");
    assert_eq!(e.message(), "TimeToLive is already enabled");
    let e = call(
        &engine,
        "TagResource",
        json!({"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/none", "Tags": [{"Key": "a", "Value": "b"}]}),
    )
    .expect_err("missing");
    assert_eq!(e.name(), "ResourceNotFoundException");
    let e = call(&engine, "ListTagsOfResource", json!({})).expect_err("no arn");
    assert_eq!(e.message(), "Invalid TableArn");
}
