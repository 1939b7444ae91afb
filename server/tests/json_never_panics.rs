//! Any JSON body, for any operation, decodes to a request or to a DynamoDB
//! error — never a panic. Bodies are built from the members and type keys
//! DynamoDB requests use, so the generator reaches deep into the decoders.

use proptest::prelude::*;
use serde_json::{Map, Value};
use siltdb_server::json::decode_request;
use siltdb_server::Operation;

const KEYS: &[&str] = &[
    "TableName",
    "Item",
    "Key",
    "Keys",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ReturnValues",
    "ReturnConsumedCapacity",
    "ReturnItemCollectionMetrics",
    "ReturnValuesOnConditionCheckFailure",
    "ConditionalOperator",
    "Expected",
    "Value",
    "Exists",
    "ComparisonOperator",
    "AttributeValueList",
    "AttributeUpdates",
    "Action",
    "Limit",
    "Select",
    "IndexName",
    "ExclusiveStartKey",
    "KeyConditions",
    "QueryFilter",
    "ScanFilter",
    "Segment",
    "TotalSegments",
    "AttributesToGet",
    "RequestItems",
    "PutRequest",
    "DeleteRequest",
    "TransactItems",
    "ConditionCheck",
    "Put",
    "Update",
    "Delete",
    "Get",
    "ClientRequestToken",
    "AttributeDefinitions",
    "AttributeName",
    "AttributeType",
    "KeySchema",
    "KeyType",
    "BillingMode",
    "ProvisionedThroughput",
    "ReadCapacityUnits",
    "WriteCapacityUnits",
    "ExclusiveStartTableName",
    "S",
    "N",
    "B",
    "BOOL",
    "NULL",
    "M",
    "L",
    "SS",
    "NS",
    "BS",
    "k",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just("".to_string()),
            Just("T".to_string()),
            Just("1e126".to_string()),
            Just("-0.5".to_string()),
            Just("AAE=".to_string()),
            Just("ALL_OLD".to_string()),
            Just("HASH".to_string()),
            Just("EQ".to_string()),
            "[ -~]{0,12}",
        ]
        .prop_map(Value::String),
    ]
}

fn body() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                let mut m = Map::new();
                for (k, v) in kv {
                    m.insert(k.to_string(), v);
                }
                Value::Object(m)
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decoding_never_panics(op in prop::sample::select(Operation::ALL), body in body()) {
        match decode_request(op, &body) {
            Ok(request) => prop_assert_eq!(request.operation(), op),
            Err(e) => prop_assert!(!e.name().is_empty()),
        }
    }
}
