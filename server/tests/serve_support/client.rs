//! A blocking HTTP/1.1 client for DynamoDB requests on one keep-alive
//! connection, made again after it breaks. Unlike `common::try_call` it
//! does not open a connection per request, so hours of load do not fill
//! the machine with sockets in TIME_WAIT.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

/// A whole response.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// The exception name of an error answer (`__type` after the `#`).
    pub fn error_type(&self) -> &str {
        let t = self.body["__type"].as_str().unwrap_or_default();
        t.rsplit('#').next().unwrap_or(t)
    }
}

/// One client connection to a server.
pub struct Client {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
    /// How long an answer may take before the request counts as broken.
    read_timeout: Duration,
}

impl Client {
    /// A client of the server at `addr`; it connects on its first request
    /// and gives up on an answer after 60 s.
    pub fn new(addr: SocketAddr) -> Client {
        Client::with_read_timeout(addr, Duration::from_secs(60))
    }

    /// A client that waits up to `read_timeout` for each answer.
    pub fn with_read_timeout(addr: SocketAddr, read_timeout: Duration) -> Client {
        Client {
            addr,
            conn: None,
            read_timeout,
        }
    }

    /// Sends one request (`target` is the whole `X-Amz-Target`) and reads
    /// its answer. `None` when the connection cannot be made or breaks
    /// before the whole answer is read — for a server being killed, the
    /// request's outcome is then unknown.
    pub fn call(&mut self, target: &str, body: &Value) -> Option<Answer> {
        let answer = self.exchange(target, body);
        if answer.is_none() {
            self.conn = None;
        }
        answer
    }

    fn exchange(&mut self, target: &str, body: &Value) -> Option<Answer> {
        if self.conn.is_none() {
            let s = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5)).ok()?;
            s.set_read_timeout(Some(self.read_timeout)).ok()?;
            s.set_nodelay(true).ok()?;
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut()?;
        let body = body.to_string();
        let req = format!(
            "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: {target}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=x\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        conn.get_mut().write_all(req.as_bytes()).ok()?;
        let mut line = String::new();
        conn.read_line(&mut line).ok()?;
        let status = line.split(' ').nth(1)?.parse().ok()?;
        let mut length = None;
        let mut close = false;
        loop {
            line.clear();
            if conn.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (name, value) = l.split_once(':')?;
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.trim().eq_ignore_ascii_case("close");
            }
        }
        let mut buf = vec![0; length?];
        conn.read_exact(&mut buf).ok()?;
        if close {
            self.conn = None;
        }
        // A body that is not JSON is kept as a string: it is an answer (a
        // defect to report), not a lost request.
        let body = serde_json::from_slice(&buf)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&buf).into_owned()));
        Some(Answer { status, body })
    }
}
