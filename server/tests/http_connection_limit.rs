//! 1,100 connections holding half-sent requests do not keep normal clients
//! out: at the connection limit, a new connection closes the one that has
//! waited longest without a request in service. Only when every connection
//! has a request in service is a new one refused, with HTTP 503.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{call, raw, TestServer};
use siltdb_server::http::fd_limit::raise_open_file_limit;
use siltdb_server::http::ServerConfig;

#[test]
fn half_sent_requests_do_not_starve_clients() {
    // Both ends of 1,100 connections live in this process.
    let fds = raise_open_file_limit().unwrap_or(1024);
    if fds < 2_600 {
        eprintln!("skipped: the open-file limit is {fds}, under 2,600");
        return;
    }
    let server = TestServer::start(ServerConfig {
        max_connections: 1_000,
        ..ServerConfig::default()
    });
    let mut idle = Vec::new();
    for _ in 0..1_100 {
        let mut s = TcpStream::connect(server.addr).expect("connect");
        s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n")
            .expect("half a head");
        idle.push(s);
    }
    for _ in 0..20 {
        let started = Instant::now();
        let r = call(server.addr, "DynamoDB_20120810.ListTables", "{}");
        assert_eq!(r.status, 200);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
    drop(idle);
}

#[test]
fn a_new_connection_is_refused_only_when_all_are_in_service() {
    let server = TestServer::start(ServerConfig {
        max_connections: 4,
        ..ServerConfig::default()
    });
    // Four requests in service for half a second each ("Slow" sleeps).
    let busy: Vec<_> = (0..4)
        .map(|_| {
            let addr = server.addr;
            std::thread::spawn(move || {
                call(
                    addr,
                    "DynamoDB_20120810.DescribeTable",
                    r#"{"TableName": "Slow"}"#,
                )
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(150));
    let r = raw(
        server.addr,
        "PUT / HTTP/1.1\nHost: x\nContent-Length: 0",
        b"",
    );
    assert_eq!(r.status, 503);
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#ServiceUnavailableException"
    );
    for b in busy {
        assert_eq!(b.join().expect("busy client").status, 200);
    }
    let r = call(server.addr, "DynamoDB_20120810.ListTables", "{}");
    assert_eq!(r.status, 200);
}
