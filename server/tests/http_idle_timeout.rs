//! A keep-alive connection with no request in progress, or one that never
//! sends anything, is closed after the idle timeout.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{parse_reply, TestServer};
use siltdb_server::http::ServerConfig;

/// Reads until the server closes the connection; the bytes and how long.
fn until_closed(s: &mut TcpStream) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
    (all, started.elapsed())
}

#[test]
fn idle_connections_are_closed() {
    let server = TestServer::start(ServerConfig {
        idle_timeout: Duration::from_millis(400),
        ..ServerConfig::default()
    });

    // Kept alive after one request, then left idle.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    s.write_all(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n\
          X-Amz-Target: DynamoDB_20120810.ListTables\r\n\
          Authorization: AWS4-HMAC-SHA256 Credential=x\r\nContent-Length: 2\r\n\r\n{}",
    )
    .expect("request");
    let (bytes, waited) = until_closed(&mut s);
    let r = parse_reply(&bytes).expect("a response before the close");
    assert_eq!(r.status, 200);
    assert!(waited >= Duration::from_millis(350), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");

    // Never a byte.
    let mut silent = TcpStream::connect(server.addr).expect("connect");
    silent.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let (bytes, waited) = until_closed(&mut silent);
    assert!(bytes.is_empty());
    assert!(waited >= Duration::from_millis(350), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}
