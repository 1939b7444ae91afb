//! A connection that starts a request head and does not finish it is
//! closed after the header read timeout (it used to stay open for good),
//! while complete requests are served.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{call, TestServer};
use siltdb_server::http::ServerConfig;

#[test]
fn a_half_sent_head_is_closed() {
    let server = TestServer::start(ServerConfig {
        header_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    });
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let started = Instant::now();
    s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n")
        .expect("request line");
    let mut buf = [0u8; 64];
    // EOF (or a reset) once the server gives up on the head.
    let n = s.read(&mut buf).unwrap_or(0);
    let waited = started.elapsed();
    assert_eq!(n, 0, "{:?}", String::from_utf8_lossy(&buf[..n]));
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");

    let r = call(server.addr, "DynamoDB_20120810.ListTables", "{}");
    assert_eq!(r.status, 200);
}
