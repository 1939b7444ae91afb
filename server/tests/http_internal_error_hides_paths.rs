//! An HTTP 500 never carries the library's message, which may name files
//! on the server: the client gets DynamoDB's generic text and the request
//! id; the detail goes to the log.

mod common;

use common::{call, TestServer};
use siltdb_server::http::ServerConfig;

#[test]
fn internal_errors_are_generic() {
    let server = TestServer::start(ServerConfig::default());
    for table in ["Broken", "Panic"] {
        let r = call(
            server.addr,
            "DynamoDB_20120810.DescribeTable",
            &format!(r#"{{"TableName": "{table}"}}"#),
        );
        assert_eq!(r.status, 500, "{table}");
        let text = String::from_utf8_lossy(&r.body).into_owned();
        assert!(!text.contains("/var/lib"), "{text}");
        assert!(!text.contains(".sst"), "{text}");
        let v = r.json();
        assert_eq!(
            v["__type"],
            "com.amazonaws.dynamodb.v20120810#InternalServerError"
        );
        assert_eq!(
            v["message"],
            "The server encountered an internal error trying to fulfill the request."
        );
        assert!(r.header("x-amzn-requestid").is_some());
    }
}
