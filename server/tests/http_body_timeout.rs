//! A request whose body does not arrive within the body read timeout gets
//! HTTP 408 and its connection is closed; its bytes are not held longer.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{read_reply, TestServer};
use siltdb_server::http::ServerConfig;

#[test]
fn a_stalled_body_times_out() {
    let server = TestServer::start(ServerConfig {
        body_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    });
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let started = Instant::now();
    s.write_all(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n\
          X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 100\r\n\r\n{\"Li",
    )
    .expect("head and part of the body");
    let r = read_reply(&mut s);
    let waited = started.elapsed();
    assert_eq!(r.status, 408);
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}
