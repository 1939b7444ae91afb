//! A top-level member that the operation's input does not have in
//! DynamoDB's API model is refused with a `SerializationException` naming
//! it, before its value is read; members of the model that siltdb does not
//! act on are still accepted.

mod common;

use common::{call, TestServer};
use siltdb_server::http::ServerConfig;

#[test]
fn unknown_top_level_members_are_refused() {
    let server = TestServer::start(ServerConfig::default());
    for body in [
        r#"{"TableName": "T", "Junk": [{"": 0}, {"": 0}]}"#,
        r#"{"Junk": null, "TableName": "T"}"#,
        r#"{"tableName": "T"}"#,
    ] {
        let r = call(server.addr, "DynamoDB_20120810.DescribeTable", body);
        assert_eq!(r.status, 400, "{body}");
        let v = r.json();
        assert_eq!(
            v["__type"], "com.amazon.coral.service#SerializationException",
            "{body}"
        );
        let message = v["Message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("Unrecognized field \"")
                && message.ends_with("\": DescribeTableInput has no such member"),
            "{message}"
        );
    }
    // Nested unknown members are the decoders' business, as before.
    let r = call(
        server.addr,
        "DynamoDB_20120810.GetItem",
        r#"{"TableName": "T", "Key": {"k": {"S": "1", "Junk": 1}}}"#,
    );
    assert_eq!(r.status, 200);
    // A member of DynamoDB's model that siltdb ignores is accepted.
    let r = call(
        server.addr,
        "DynamoDB_20120810.CreateTable",
        r#"{"TableName": "Tbl", "BillingMode": "PAY_PER_REQUEST", "TableClass": "STANDARD",
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]}"#,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}
