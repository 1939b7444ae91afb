//! Every kind of failure comes back in DynamoDB's shape: status, `__type`
//! namespace, message key, extras, and the headers every response carries.

mod common;

use common::{call, raw, TestServer};
use serde_json::json;
use siltdb_server::http::ServerConfig;

#[test]
fn protocol_errors_match_dynamodb() {
    let server = TestServer::start(ServerConfig::default());
    let a = server.addr;

    // Body that is not JSON: SerializationException without text.
    let r = raw(
        a,
        "POST / HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 2",
        b"hi",
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazon.coral.service#SerializationException"})
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    // DynamoDB's recorded checksum of exactly this body.
    assert_eq!(r.header("x-amz-crc32"), Some("3948637019"));

    // No target at all, and an unknown operation.
    let r = raw(
        a,
        "POST / HTTP/1.1\nHost: x\nContent-Type: application/x-amz-json-1.0\nContent-Length: 2",
        b"{}",
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazon.coral.service#UnknownOperationException"})
    );
    assert_eq!(r.header("x-amz-crc32"), Some("1368724161"));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    // A target siltdb does not serve: the message names it.
    for target in [
        "DynamoDB_20120810.ListTable",
        "DynamoDBStreams_20120810.ListStreams",
    ] {
        let r = call(a, target, "{}");
        assert_eq!(
            r.json()["__type"],
            "com.amazon.coral.service#UnknownOperationException"
        );
        let message = r.json()["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(target), "{}", r.json());
    }

    // No Authorization header.
    let r = raw(
        a,
        "POST / HTTP/1.1\nHost: x\nContent-Type: application/x-amz-json-1.0\nX-Amz-Target: DynamoDB_20120810.ListTables\nContent-Length: 2",
        b"{}",
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
               "message": "Request is missing Authentication Token"})
    );

    // Empty body with a valid target.
    let r = call(a, "DynamoDB_20120810.ListTables", "");
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazon.coral.service#SerializationException"})
    );

    // Wrong member type: the message under "Message".
    let r = call(
        a,
        "DynamoDB_20120810.GetItem",
        r#"{"TableName": 5, "Key": {}}"#,
    );
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazon.coral.service#SerializationException",
               "Message": "NUMBER_VALUE cannot be converted to String"})
    );

    // GET: a health answer, as DynamoDB's endpoints give.
    let r = raw(a, "GET / HTTP/1.1\nHost: x", b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"healthy: siltdb ");

    // PUT, and a body of another content type: 404 and DynamoDB's XML.
    for (head, body) in [
        ("PUT / HTTP/1.1\nHost: x\nContent-Length: 0", &b""[..]),
        (
            "POST / HTTP/1.1\nHost: x\nContent-Type: text/plain\nContent-Length: 2",
            &b"hi"[..],
        ),
    ] {
        let r = raw(a, head, body);
        assert_eq!(r.status, 404);
        assert_eq!(r.body, b"<UnknownOperationException/>\n");
        assert_eq!(r.header("x-amz-crc32"), Some("3552371480"));
        assert_eq!(r.header("content-length"), Some("29"));
    }
}

#[test]
fn operation_errors_match_dynamodb() {
    let server = TestServer::start(ServerConfig::default());
    let a = server.addr;

    let r = call(
        a,
        "DynamoDB_20120810.ListTables",
        r#"{"Limit": 0, "ExclusiveStartTableName": "a"}"#,
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazon.coral.validate#ValidationException",
               "message": "2 validation errors detected: Value 'a' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"})
    );

    let r = call(
        a,
        "DynamoDB_20120810.PutItem",
        r#"{"TableName": "T", "Item": {"a": {"S": "x", "N": "1"}}}"#,
    );
    assert_eq!(
        r.json()["message"],
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
    );

    let r = call(
        a,
        "DynamoDB_20120810.DescribeTable",
        r#"{"TableName": "Missing"}"#,
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
               "message": "Requested resource not found: Table: Missing not found"})
    );

    let r = call(
        a,
        "DynamoDB_20120810.PutItem",
        r#"{"TableName": "Cond", "Item": {"k": {"N": "1.50"}}}"#,
    );
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
               "message": "The conditional request failed", "Item": {"k": {"N": "1.5"}}})
    );

    let r = call(
        a,
        "DynamoDB_20120810.TransactWriteItems",
        r#"{"TransactItems": [{"Delete": {"TableName": "T", "Key": {"k": {"S": "1"}}}},
                              {"Delete": {"TableName": "T", "Key": {"k": {"S": "2"}}}}]}"#,
    );
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
               "message": "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]",
               "CancellationReasons": [{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
                                       {"Code": "None"}]})
    );

    // A panic inside the backend is a 500, and the server keeps serving.
    let r = call(
        a,
        "DynamoDB_20120810.DescribeTable",
        r#"{"TableName": "Panic"}"#,
    );
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json()["__type"],
        "com.amazonaws.dynamodb.v20120810#InternalServerError"
    );
    let r = call(a, "DynamoDB_20120810.ListTables", "{}");
    assert_eq!(r.status, 200);
}

#[test]
fn every_response_carries_request_id_and_checksum() {
    let server = TestServer::start(ServerConfig::default());
    let r = call(
        server.addr,
        "DynamoDB_20120810.GetItem",
        r#"{"TableName": "T", "Key": {"k": {"B": "AAE="}}}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"Item": {"k": {"B": "AAE="}, "found": {"BOOL": true}}})
    );
    let crc = crc32fast::hash(&r.body).to_string();
    assert_eq!(r.header("x-amz-crc32"), Some(crc.as_str()));
    let id = r.header("x-amzn-requestid").expect("request id");
    assert_eq!(id.len(), 36);
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
}
