//! `Limit` and the other integer members refuse a number with a fraction or
//! an exponent (`1.5` was read as 1) with a `SerializationException`, as
//! they refuse every other wrong JSON token.

mod common;

use common::{call, TestServer};
use siltdb_server::http::ServerConfig;

#[test]
fn decimals_are_not_integers() {
    let server = TestServer::start(ServerConfig::default());
    for (target, body, java) in [
        ("Query", r#"{"TableName": "Tbl", "Limit": 1.5}"#, "Integer"),
        ("Scan", r#"{"TableName": "Tbl", "Limit": 2.0}"#, "Integer"),
        (
            "Scan",
            r#"{"TableName": "Tbl", "Segment": 1e0, "TotalSegments": 2}"#,
            "Integer",
        ),
        ("ListTables", r#"{"Limit": 10.25}"#, "Integer"),
        (
            "UpdateTable",
            r#"{"TableName": "Tbl", "ProvisionedThroughput": {"ReadCapacityUnits": 1.5, "WriteCapacityUnits": 1}}"#,
            "Long",
        ),
    ] {
        let r = call(server.addr, &format!("DynamoDB_20120810.{target}"), body);
        assert_eq!(r.status, 400, "{body}");
        let v = r.json();
        assert_eq!(
            v["__type"], "com.amazon.coral.service#SerializationException",
            "{body}"
        );
        assert_eq!(
            v["Message"],
            format!("DECIMAL_VALUE cannot be converted to {java}"),
            "{body}"
        );
    }
    let r = call(
        server.addr,
        "DynamoDB_20120810.Query",
        r#"{"TableName": "Tbl", "Limit": 2}"#,
    );
    assert_eq!(r.status, 200);
}
