//! A client may shut down its sending side once its request is sent and
//! still read the answer (an HTTP/1.1 half-close): the server does not
//! read ahead while a request is served, so it does not take the client's
//! end of input for a closed connection.

mod common;

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::{read_reply, TestServer};
use siltdb_server::http::ServerConfig;

#[test]
fn a_half_closed_client_still_gets_its_answer() {
    let server = TestServer::start(ServerConfig::default());
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    // The fake backend takes 500 ms over table "Slow": the client's end of
    // input arrives while the request is in service.
    let body = r#"{"TableName": "Slow"}"#;
    let req = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.DescribeTable\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("write");
    s.shutdown(Shutdown::Write).expect("half-close");
    let reply = read_reply(&mut s);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["Table"]["TableName"], "Slow");
}
