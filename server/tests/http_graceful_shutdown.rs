//! Shutdown lets an in-flight request finish, then closes the database.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{read_reply, TestServer};
use siltdb_server::http::ServerConfig;

#[test]
fn in_flight_requests_finish_and_the_backend_is_closed() {
    let mut server = TestServer::start(ServerConfig::default());
    let body = r#"{"TableName": "Slow"}"#;
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let req = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.DescribeTable\r\nAuthorization: AWS4-HMAC-SHA256 x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("write");
    // The fake sleeps 500 ms on "Slow"; begin shutdown while it does.
    std::thread::sleep(Duration::from_millis(150));
    assert!(!server.backend.closed.load(Ordering::SeqCst));
    let stopper = std::thread::spawn(move || {
        let r = server.stop();
        (r, server)
    });
    let reply = read_reply(&mut s);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["Table"]["TableName"], "Slow");
    let (result, server) = stopper.join().expect("stopper");
    result.expect("serve returned cleanly");
    assert!(server.backend.closed.load(Ordering::SeqCst));
    // Nothing listens any more.
    assert!(TcpStream::connect(server.addr).is_err());
}
