//! Cross-origin access is off unless configured: by default no response
//! carries `Access-Control-Allow-Origin` and a preflight gets the 404 of
//! any non-POST request. With origins configured, their preflights get
//! DynamoDB's answer and their responses the CORS headers; other origins
//! get none.

mod common;

use common::{raw, TestServer};
use siltdb_server::http::{Cors, ServerConfig};

const PREFLIGHT: &str = "OPTIONS / HTTP/1.1\nHost: x\nOrigin: ORIGIN\n\
    Access-Control-Request-Method: POST\n\
    Access-Control-Request-Headers: content-type,x-amz-target,authorization";

fn preflight(server: &TestServer, origin: &str) -> common::Reply {
    raw(server.addr, &PREFLIGHT.replace("ORIGIN", origin), b"")
}

fn list_tables(server: &TestServer, origin: &str) -> common::Reply {
    raw(
        server.addr,
        &format!(
            "POST / HTTP/1.1\nHost: x\nOrigin: {origin}\nContent-Type: application/x-amz-json-1.0\n\
             X-Amz-Target: DynamoDB_20120810.ListTables\n\
             Authorization: AWS4-HMAC-SHA256 Credential=x\nContent-Length: 2"
        ),
        b"{}",
    )
}

#[test]
fn cors_is_off_by_default() {
    let server = TestServer::start(ServerConfig::default());
    let r = preflight(&server, "https://evil.example");
    assert_eq!(r.status, 404);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = list_tables(&server, "https://evil.example");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn configured_origins_get_dynamodbs_answers() {
    let server = TestServer::start(ServerConfig {
        cors: Cors::from_origins(&["http://localhost:3000".into()]),
        ..ServerConfig::default()
    });
    let r = preflight(&server, "http://localhost:3000");
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(r.header("access-control-allow-methods"), Some("POST"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("content-type,x-amz-target,authorization")
    );
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date")
    );
    assert_eq!(r.header("access-control-max-age"), Some("172800"));
    assert_eq!(r.header("vary"), Some("Origin"));
    let r = list_tables(&server, "http://localhost:3000");
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert!(r.header("access-control-expose-headers").is_some());

    // Another origin: nothing.
    let r = preflight(&server, "https://evil.example");
    assert_eq!(r.status, 404);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = list_tables(&server, "https://evil.example");
    assert_eq!(r.header("access-control-allow-origin"), None);

    // `*` opens every origin.
    let any = TestServer::start(ServerConfig {
        cors: Cors::from_origins(&["*".into()]),
        ..ServerConfig::default()
    });
    let r = preflight(&any, "https://anything.example");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("vary"), None);
}
