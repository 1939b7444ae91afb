//! A validation message echoes a long value cut to 1,024 characters, so a
//! 10 MB `TableName` no longer makes a 10 MB answer; no message is longer
//! than 16 KiB.

mod common;

use common::{call, TestServer};
use siltdb_server::http::ServerConfig;

#[test]
fn echoed_values_are_cut() {
    let server = TestServer::start(ServerConfig::default());
    let name = "a".repeat(10 * 1024 * 1024);
    let r = call(
        server.addr,
        "DynamoDB_20120810.DescribeTable",
        &format!(r#"{{"TableName": "{name}"}}"#),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.len() < 4096, "{} bytes", r.body.len());
    let v = r.json();
    assert_eq!(v["__type"], "com.amazon.coral.validate#ValidationException");
    assert_eq!(
        v["message"],
        format!(
            "1 validation error detected: Value '{}...' at 'tableName' failed to satisfy \
             constraint: Member must have length less than or equal to 1024",
            "a".repeat(1024)
        )
    );

    // A value at most 1,024 characters long is echoed whole.
    let name = "b".repeat(300);
    let r = call(
        server.addr,
        "DynamoDB_20120810.Query",
        &format!(r#"{{"TableName": "Tbl", "IndexName": "{name}"}}"#),
    );
    assert!(r.json()["message"]
        .as_str()
        .is_some_and(|m| m.contains(&format!("Value '{name}' at"))));

    // A deferred error echoing a huge input is bounded too.
    let n = "9".repeat(1024 * 1024);
    let r = call(
        server.addr,
        "DynamoDB_20120810.PutItem",
        &format!(r#"{{"TableName": "Tbl", "Item": {{"k": {{"N": "x{n}"}}}}}}"#),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.len() < 17 * 1024, "{} bytes", r.body.len());
}
