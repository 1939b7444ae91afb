//! Attribute names of 64 KB (65,536 bytes) or more are refused, at the top
//! of an item and as map keys, with DynamoDB's message; 65,535 bytes is
//! the longest name accepted. Through the wire protocol, on siltdb's own
//! engine.

mod common;

use common::{call, TestServer};
use siltdb_server::http::ServerConfig;

const TOO_LARGE: &str =
    "1 validation error detected: Attribute name is too large, must be less than 65536 bytes";

#[test]
fn names_are_under_64_kb() {
    let server = TestServer::start_engine(ServerConfig::default());
    let r = call(
        server.addr,
        "DynamoDB_20120810.CreateTable",
        r#"{"TableName": "Tbl", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]}"#,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let put = |item: String| {
        call(
            server.addr,
            "DynamoDB_20120810.PutItem",
            &format!(r#"{{"TableName": "Tbl", "Item": {{"k": {{"S": "1"}}, {item}}}}}"#),
        )
    };
    let long = "n".repeat(65_536);
    let longest = "n".repeat(65_535);
    for item in [
        format!(r#""{long}": {{"N": "1"}}"#),
        format!(r#""m": {{"M": {{"{long}": {{"N": "1"}}}}}}"#),
    ] {
        let r = put(item);
        assert_eq!(r.status, 400);
        let v = r.json();
        assert_eq!(v["__type"], "com.amazon.coral.validate#ValidationException");
        assert_eq!(v["message"], TOO_LARGE);
    }
    let r = put(format!(
        r#""{longest}": {{"M": {{"{longest}": {{"N": "1"}}}}}}"#
    ));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    // An update that would store a long name is refused as well.
    let r = call(
        server.addr,
        "DynamoDB_20120810.UpdateItem",
        &format!(
            r##"{{"TableName": "Tbl", "Key": {{"k": {{"S": "2"}}}}, "UpdateExpression": "SET #n = :v",
                "ExpressionAttributeNames": {{"#n": "{long}"}},
                "ExpressionAttributeValues": {{":v": {{"N": "1"}}}}}}"##
        ),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["message"], TOO_LARGE);
}
