//! Bodies over the limit (16 MiB by default) get HTTP 413 without being
//! buffered; a body exactly at the limit is read.

mod common;

use common::{raw, TestServer};
use siltdb_server::http::{ServerConfig, MAX_REQUEST_BYTES};

const HEAD: &str = "POST / HTTP/1.1\nHost: x\nContent-Type: application/x-amz-json-1.0\nX-Amz-Target: DynamoDB_20120810.DescribeTable\nAuthorization: AWS4-HMAC-SHA256 x";

#[test]
fn declared_length_over_the_limit_is_refused_before_reading() {
    let server = TestServer::start(ServerConfig::default());
    let r = raw(
        server.addr,
        &format!("{HEAD}\nContent-Length: {}", MAX_REQUEST_BYTES + 1),
        b"",
    );
    assert_eq!(r.status, 413);
    assert!(r.body.is_empty());
}

#[test]
fn streamed_body_over_the_limit_is_refused() {
    let server = TestServer::start(ServerConfig {
        max_body_bytes: 1024,
        ..ServerConfig::default()
    });
    let chunk = format!("{:x}\r\n{}\r\n", 600, "a".repeat(600));
    let body = format!("{chunk}{chunk}0\r\n\r\n");
    let r = raw(
        server.addr,
        &format!("{HEAD}\nTransfer-Encoding: chunked"),
        body.as_bytes(),
    );
    assert_eq!(r.status, 413);
}

#[test]
fn body_exactly_at_the_limit_is_served() {
    let server = TestServer::start(ServerConfig::default());
    // Padded with JSON whitespace: a member the operation does not have
    // would be refused.
    let prefix = r#"{"TableName": "Tbl""#;
    let suffix = "}";
    let pad = MAX_REQUEST_BYTES - prefix.len() - suffix.len();
    let body = format!("{prefix}{}{suffix}", " ".repeat(pad));
    assert_eq!(body.len(), MAX_REQUEST_BYTES);
    let r = raw(
        server.addr,
        &format!("{HEAD}\nContent-Length: {}", body.len()),
        body.as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["Table"]["TableName"], "Tbl");
}
