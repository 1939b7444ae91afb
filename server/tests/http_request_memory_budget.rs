//! Request bodies held in memory share one budget: while slow bodies hold
//! it, another request gets DynamoDB's retryable `ThrottlingException`
//! (HTTP 400) without its body being read; once they are gone it is served.
//! A request that alone needs more than the whole budget is refused with a
//! `ValidationException` (no retry could succeed).

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{raw, TestServer};
use siltdb_server::http::ServerConfig;

const MIB: usize = 1024 * 1024;

fn head(len: usize) -> String {
    format!(
        "POST / HTTP/1.1\nHost: x\nContent-Type: application/x-amz-json-1.0\n\
         X-Amz-Target: DynamoDB_20120810.DescribeTable\n\
         Authorization: AWS4-HMAC-SHA256 Credential=x\nContent-Length: {len}"
    )
}

/// A DescribeTable body of exactly `len` bytes (padded with whitespace).
fn body(len: usize) -> Vec<u8> {
    let mut b = br#"{"TableName": "Tbl""#.to_vec();
    b.resize(len - 1, b' ');
    b.push(b'}');
    b
}

#[test]
fn bodies_in_flight_share_one_budget() {
    let server = TestServer::start(ServerConfig {
        max_request_memory: 4 * MIB,
        ..ServerConfig::default()
    });

    // A slow client declares 3 MiB and sends a third of it.
    let mut slow = TcpStream::connect(server.addr).expect("connect");
    let h = format!("{}\r\n\r\n", head(3 * MIB).replace('\n', "\r\n"));
    slow.write_all(h.as_bytes()).expect("head");
    slow.write_all(&body(3 * MIB)[..MIB])
        .expect("part of the body");
    std::thread::sleep(Duration::from_millis(200));

    // 2 MiB more would take the total over 4 MiB.
    let r = raw(server.addr, &head(2 * MIB), &body(2 * MIB));
    assert_eq!(r.status, 400);
    let v = r.json();
    assert_eq!(
        v["__type"],
        "com.amazon.coral.availability#ThrottlingException"
    );
    assert!(
        v["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Rate of requests exceeds the allowed throughput")),
        "{v}"
    );

    // The slow client goes away: its bytes are given back.
    drop(slow);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = raw(server.addr, &head(2 * MIB), &body(2 * MIB));
        if r.status == 200 {
            assert_eq!(r.json()["Table"]["TableName"], "Tbl");
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {}", r.status);
        std::thread::sleep(Duration::from_millis(50));
    }

    // More than the whole budget alone: not worth retrying.
    let r = raw(server.addr, &head(5 * MIB), &body(5 * MIB));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.validate#ValidationException"
    );
}
