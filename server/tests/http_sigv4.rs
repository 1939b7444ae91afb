//! With `--credentials`, requests signed by botocore are accepted and
//! anything else is refused with DynamoDB's exceptions.

mod common;

use common::{raw, TestServer};
use siltdb_server::http::ServerConfig;

// Signed by botocore 1.43 (`SigV4Auth`) for AKIDEXAMPLE and AWS's example
// secret, as boto3 sends DescribeTable to http://localhost:8000/.
const BODY: &str = r#"{"TableName":"Music"}"#;
const SIGNATURE: &str = "d173525b48c712f5628e81a09967ba24e9ef2496718f91d6d02723400fcbc162";

fn head(access_key: &str, signature: &str, body_len: usize) -> String {
    format!(
        "POST / HTTP/1.1\nHost: localhost:8000\nContent-Type: application/x-amz-json-1.0\n\
         X-Amz-Target: DynamoDB_20120810.DescribeTable\nX-Amz-Date: 20261124T195505Z\n\
         Authorization: AWS4-HMAC-SHA256 Credential={access_key}/20261124/us-east-1/dynamodb/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={signature}\nContent-Length: {body_len}"
    )
}

fn server() -> TestServer {
    TestServer::start(ServerConfig {
        credentials: Some(
            "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
                .parse()
                .expect("credentials"),
        ),
        // The fixtures were signed once, so their date is in the past.
        check_request_time: false,
        ..ServerConfig::default()
    })
}

#[test]
fn a_botocore_signature_is_accepted() {
    let s = server();
    let r = raw(
        s.addr,
        &head("AKIDEXAMPLE", SIGNATURE, BODY.len()),
        BODY.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["Table"]["TableName"], "Music");
}

#[test]
fn a_changed_body_is_an_invalid_signature() {
    let s = server();
    let body = r#"{"TableName":"Musik"}"#;
    let r = raw(
        s.addr,
        &head("AKIDEXAMPLE", SIGNATURE, body.len()),
        body.as_bytes(),
    );
    assert_eq!(r.status, 400);
    let j = r.json();
    assert_eq!(
        j["__type"],
        "com.amazon.coral.service#InvalidSignatureException"
    );
    let msg = j["message"].as_str().expect("message");
    assert!(msg.starts_with("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."), "{msg}");
}

#[test]
fn an_unknown_access_key_is_unrecognized() {
    let s = server();
    let r = raw(
        s.addr,
        &head("AKIDOTHER", SIGNATURE, BODY.len()),
        BODY.as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        serde_json::json!({"__type": "com.amazon.coral.service#UnrecognizedClientException",
                           "message": "The security token included in the request is invalid."})
    );
}

#[test]
fn an_old_signature_is_expired() {
    let s = TestServer::start(ServerConfig {
        credentials: Some(
            "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
                .parse()
                .expect("credentials"),
        ),
        ..ServerConfig::default()
    });
    // The clock is checked before the signature, so any signature will do.
    let old = head("AKIDEXAMPLE", SIGNATURE, BODY.len())
        .replace("20261124T195505Z", "20130609T100000Z")
        .replace("/20261124/", "/20130609/");
    let r = raw(s.addr, &old, BODY.as_bytes());
    assert_eq!(r.status, 400);
    let j = r.json();
    assert_eq!(
        j["__type"],
        "com.amazon.coral.service#InvalidSignatureException"
    );
    let msg = j["message"].as_str().expect("message");
    assert!(
        msg.starts_with("Signature expired: 20130609T100000Z is now earlier than "),
        "{msg}"
    );
}

#[test]
fn an_unsigned_request_is_refused() {
    let s = server();
    let r = raw(
        s.addr,
        &format!(
            "POST / HTTP/1.1\nHost: localhost:8000\nContent-Type: application/x-amz-json-1.0\n\
             X-Amz-Target: DynamoDB_20120810.DescribeTable\nContent-Length: {}",
            BODY.len()
        ),
        BODY.as_bytes(),
    );
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#MissingAuthenticationTokenException"
    );
    let r = raw(
        s.addr,
        &format!(
            "POST / HTTP/1.1\nHost: localhost:8000\nContent-Type: application/x-amz-json-1.0\n\
             X-Amz-Target: DynamoDB_20120810.DescribeTable\nAuthorization: AWS4-\nContent-Length: {}",
            BODY.len()
        ),
        BODY.as_bytes(),
    );
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#IncompleteSignatureException"
    );
}
