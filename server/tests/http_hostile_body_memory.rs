//! A 16 MiB body of tiny JSON objects cannot make the server allocate much
//! more than the body itself: an unsigned one is refused before its JSON is
//! parsed, a member the operation does not have is refused before its
//! value is parsed, and a body the operation accepts parses into a compact
//! tree, with the tree and what is decoded from it charged to the request
//! memory budget. Measured by a counting allocator (the peak of live heap
//! bytes while one request is served), not by timing.

mod common;

use common::alloc::{peak, reset_peak, Counting};
use common::{raw, Reply, TestServer};
use siltdb_server::http::{ServerConfig, MAX_REQUEST_BYTES};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;

/// `prefix` + `element,` repeated + `element` + `suffix`, nearly `size`
/// bytes long.
fn repeated(prefix: &str, element: &str, suffix: &str, size: usize) -> Vec<u8> {
    let mut b = prefix.as_bytes().to_vec();
    while b.len() + 2 * element.len() + suffix.len() + 1 < size {
        b.extend_from_slice(element.as_bytes());
        b.push(b',');
    }
    b.extend_from_slice(element.as_bytes());
    b.extend_from_slice(suffix.as_bytes());
    b
}

fn head(target: &str, len: usize, authorization: bool) -> String {
    let auth = if authorization {
        "\nAuthorization: AWS4-HMAC-SHA256 Credential=x"
    } else {
        ""
    };
    format!(
        "POST / HTTP/1.1\nHost: x\nContent-Type: application/x-amz-json-1.0\n\
         X-Amz-Target: DynamoDB_20120810.{target}{auth}\nContent-Length: {len}"
    )
}

/// Sends `body` and returns the reply and the peak growth of live heap
/// bytes while it was served (the body itself was allocated before).
fn measure(server: &TestServer, head: &str, body: &[u8], what: &str) -> (Reply, usize) {
    let base = reset_peak();
    let reply = raw(server.addr, head, body);
    let grew = peak().saturating_sub(base);
    println!(
        "{what}: peak +{} MiB for a {} MiB body",
        grew / MIB,
        body.len() / MIB
    );
    (reply, grew)
}

// One test function: the allocator's counters are the whole process's, so
// nothing else may run while a request is measured.
#[test]
fn request_memory_stays_near_the_body_size() {
    let size = MAX_REQUEST_BYTES - 100;
    let junk = repeated(r#"{"TableName":"x","Junk":["#, r#"{"":0}"#, "]}", size);
    assert!(junk.len() > 15 * MIB);

    // With credentials, an unsigned body is refused before any parse.
    let signed = TestServer::start(ServerConfig {
        credentials: Some("AK:SECRET".parse().expect("credentials")),
        ..ServerConfig::default()
    });
    let (r, grew) = measure(
        &signed,
        &head("DescribeTable", junk.len(), false),
        &junk,
        "unsigned junk",
    );
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#MissingAuthenticationTokenException"
    );
    // The body and hyper's read buffers; f21fec7 parsed it first: 1.6 GB.
    assert!(grew < 2 * junk.len(), "{grew} bytes");

    // Without credentials, the unknown member stops the parse.
    let open = TestServer::start(ServerConfig::default());
    let (r, grew) = measure(
        &open,
        &head("DescribeTable", junk.len(), true),
        &junk,
        "junk member",
    );
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#SerializationException"
    );
    assert!(grew < 2 * junk.len(), "{grew} bytes");

    // Members the operation has: a list of 1.2 million NULLs is parsed and
    // decoded whole, compactly (serde_json's tree alone took ~50 bytes per
    // body byte here).
    let nulls = repeated(
        r#"{"TableName":"x","Item":{"k":{"S":"1"},"l":{"L":["#,
        r#"{"NULL":true}"#,
        "]}}}",
        size,
    );
    let (r, grew) = measure(&open, &head("PutItem", nulls.len(), true), &nulls, "NULLs");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(grew < 12 * nulls.len(), "{grew} bytes");

    // A list of one-entry maps decodes to a map node (~900 bytes) per 25
    // body bytes; the budget refuses that before it is built. Alone it
    // exceeds the default budget: a ValidationException, not a retry.
    let maps = repeated(
        r#"{"TableName":"x","Item":{"k":{"S":"1"},"l":{"L":["#,
        r#"{"M":{"":{"NULL":true}}}"#,
        "]}}}",
        size,
    );
    let (r, grew) = measure(&open, &head("PutItem", maps.len(), true), &maps, "maps");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.validate#ValidationException"
    );
    let budget = ServerConfig::default().max_request_memory;
    assert!(grew < budget + 2 * maps.len(), "{grew} bytes");
}
