//! With `--credentials`, a request is authenticated on its raw bytes before
//! any of its JSON is parsed: an unsigned request whose body is not JSON
//! gets the authentication error, not `SerializationException` (which a
//! signed one still gets).

mod common;

use common::{raw, TestServer};
use siltdb_server::http::ServerConfig;

fn head(authorization: &str, len: usize) -> String {
    format!(
        "POST / HTTP/1.1\nHost: localhost:8000\nContent-Type: application/x-amz-json-1.0\n\
         X-Amz-Target: DynamoDB_20120810.ListTables\nX-Amz-Date: 20261124T195505Z\n\
         {authorization}Content-Length: {len}"
    )
}

#[test]
fn authentication_comes_before_json() {
    let server = TestServer::start(ServerConfig {
        credentials: Some("AK:SECRET".parse().expect("credentials")),
        check_request_time: false,
        ..ServerConfig::default()
    });
    let not_json = b"{\"Limit\": [[[[";
    let r = raw(server.addr, &head("", not_json.len()), not_json);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#MissingAuthenticationTokenException"
    );
    let wrong =
        "Authorization: AWS4-HMAC-SHA256 Credential=AK/20261124/us-east-1/dynamodb/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=00\n";
    let r = raw(server.addr, &head(wrong, not_json.len()), not_json);
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#InvalidSignatureException"
    );

    // Without credentials the recorded order stands: not JSON comes first.
    let open = TestServer::start(ServerConfig::default());
    let r = raw(open.addr, &head("", not_json.len()), not_json);
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#SerializationException"
    );
}
