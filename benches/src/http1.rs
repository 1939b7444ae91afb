//! A lean HTTP/1.1 keep-alive client for load generation: one request in
//! flight per connection, the request written with one `write`, the answer
//! parsed in place with `httparse`.
//!
//! Why not hyper's client: a load generator shares the machine with the
//! server it measures, and every microsecond of CPU it spends per request
//! is taken from the server. hyper's client builds a `Request` with a
//! `HeaderMap`, runs the connection as a second task woken for every
//! request and answer, and collects the body through a channel: about 15 µs
//! of CPU per request on the 2-vCPU VM of `benches/RESULTS.md`, more than
//! wrk with a Lua script (12.6 µs). This client does the same exchange with
//! the work that is left: build the bytes into a reused buffer, write them,
//! read until the answer is whole.
//!
//! Answers framed by `Content-Length` or `Transfer-Encoding: chunked` are
//! read; anything else (an answer ended by closing the connection, an
//! upgrade) is an error, as is a connection the server closed.

use std::io::Write as _;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Headers an answer may have; more is an error.
const MAX_HEADERS: usize = 64;

/// Largest answer head (status line and headers) read.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Largest answer body read.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// One keep-alive HTTP/1.1 connection.
pub struct Connection {
    stream: TcpStream,
    /// `host:port` as the `Host` header sends it.
    authority: String,
    /// The request being written, reused.
    request: Vec<u8>,
    /// Bytes read from the server; the answer's body is decoded into
    /// `body`.
    input: Vec<u8>,
    /// The last answer's body.
    body: Vec<u8>,
}

/// An answer: its status and its whole body.
#[derive(Debug)]
pub struct Answer<'a> {
    /// HTTP status code.
    pub status: u16,
    /// The body, de-chunked.
    pub body: &'a [u8],
}

impl Answer<'_> {
    /// A 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// How an answer's body is framed.
enum Framing {
    Length(usize),
    Chunked,
}

impl Connection {
    /// Connects to `host:port` with `TCP_NODELAY`; `authority` is the `Host`
    /// header's value.
    pub async fn open(host: &str, port: u16, authority: String) -> Result<Connection, String> {
        let stream = TcpStream::connect((host, port))
            .await
            .map_err(|e| format!("connecting to {authority}: {e}"))?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("setting TCP_NODELAY: {e}"))?;
        Ok(Connection {
            stream,
            authority,
            request: Vec::with_capacity(1024),
            input: Vec::with_capacity(8192),
            body: Vec::with_capacity(8192),
        })
    }

    /// Sends `POST /` with `headers` (name, value pairs) and `body`, and
    /// reads the whole answer.
    pub async fn post(
        &mut self,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer<'_>, String> {
        self.request.clear();
        // Writes into a Vec cannot fail.
        let _ = write!(
            self.request,
            "POST / HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n",
            self.authority,
            body.len()
        );
        for (name, value) in headers {
            let _ = write!(self.request, "{name}: {value}\r\n");
        }
        self.request.extend_from_slice(b"\r\n");
        self.request.extend_from_slice(body);
        self.stream
            .write_all(&self.request)
            .await
            .map_err(|e| format!("sending a request: {e}"))?;
        let status = self.read_answer().await?;
        Ok(Answer {
            status,
            body: &self.body,
        })
    }

    /// Reads one answer into `self.body`; returns its status.
    async fn read_answer(&mut self) -> Result<u16, String> {
        let (status, framing, head_len) = loop {
            if let Some(head) = parse_head(&self.input)? {
                break head;
            }
            if self.input.len() > MAX_HEAD_BYTES {
                return Err(format!("an answer head over {MAX_HEAD_BYTES} bytes"));
            }
            self.fill().await?;
        };
        self.input.drain(..head_len);
        self.body.clear();
        match framing {
            Framing::Length(n) => {
                if n > MAX_BODY_BYTES {
                    return Err(format!("an answer body of {n} bytes"));
                }
                while self.input.len() < n {
                    self.fill().await?;
                }
                self.body.extend_from_slice(&self.input[..n]);
                self.input.drain(..n);
            }
            Framing::Chunked => self.read_chunks().await?,
        }
        Ok(status)
    }

    /// Decodes a chunked body from `self.input` into `self.body`, through
    /// the last chunk and the trailers.
    async fn read_chunks(&mut self) -> Result<(), String> {
        loop {
            let (at, size) = loop {
                match httparse::parse_chunk_size(&self.input) {
                    Ok(httparse::Status::Complete(found)) => break found,
                    Ok(httparse::Status::Partial) => self.fill().await?,
                    Err(_) => return Err("a malformed chunk size".into()),
                }
            };
            let size = usize::try_from(size)
                .ok()
                .filter(|n| self.body.len().saturating_add(*n) <= MAX_BODY_BYTES)
                .ok_or("an answer body too large")?;
            if size == 0 {
                // Trailers, then an empty line.
                self.input.drain(..at);
                loop {
                    if let Some(end) = find(&self.input, b"\r\n") {
                        self.input.drain(..end + 2);
                        if end == 0 {
                            return Ok(());
                        }
                    } else {
                        self.fill().await?;
                    }
                }
            }
            while self.input.len() < at + size + 2 {
                self.fill().await?;
            }
            if &self.input[at + size..at + size + 2] != b"\r\n" {
                return Err("a chunk not ended by CRLF".into());
            }
            self.body.extend_from_slice(&self.input[at..at + size]);
            self.input.drain(..at + size + 2);
        }
    }

    /// Reads more bytes into `self.input`.
    async fn fill(&mut self) -> Result<(), String> {
        self.input.reserve(8192);
        match self.stream.read_buf(&mut self.input).await {
            Ok(0) => Err("the server closed the connection".into()),
            Ok(_) => Ok(()),
            Err(e) => Err(format!("reading an answer: {e}")),
        }
    }
}

/// The status, framing and head length of the answer at the start of
/// `input`, or `None` if its head is not all there.
fn parse_head(input: &[u8]) -> Result<Option<(u16, Framing, usize)>, String> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut answer = httparse::Response::new(&mut headers);
    let head_len = match answer.parse(input) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(format!("a malformed answer: {e}")),
    };
    let status = answer.code.ok_or("an answer without a status")?;
    let mut framing = None;
    for h in answer.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or("a malformed Content-Length")?;
            framing = Some(Framing::Length(n));
        } else if h.name.eq_ignore_ascii_case("transfer-encoding")
            && h.value.eq_ignore_ascii_case(b"chunked")
        {
            framing = Some(Framing::Chunked);
        }
    }
    let framing = match framing {
        Some(f) => f,
        // No body by definition (RFC 9112 section 6.3).
        None if status == 204 || status == 304 || (100..200).contains(&status) => {
            Framing::Length(0)
        }
        None => return Err(format!("an answer ({status}) without a length")),
    };
    Ok(Some((status, framing, head_len)))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A server that reads one request head and body, then writes `answer`
    /// in pieces of `piece` bytes; returns the request it read.
    async fn serve_once(
        answer: &'static [u8],
        piece: usize,
    ) -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let task = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.expect("accept");
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while find(&got, b"\r\n\r\nBODY").is_none() {
                let n = s.read(&mut buf).await.expect("read");
                assert!(n > 0, "client closed early");
                got.extend_from_slice(&buf[..n]);
            }
            for part in answer.chunks(piece) {
                s.write_all(part).await.expect("write");
                s.flush().await.expect("flush");
                tokio::task::yield_now().await;
            }
            got
        });
        (port, task)
    }

    async fn exchange(answer: &'static [u8], piece: usize) -> (u16, Vec<u8>, Vec<u8>) {
        let (port, server) = serve_once(answer, piece).await;
        let mut c = Connection::open("127.0.0.1", port, format!("127.0.0.1:{port}"))
            .await
            .expect("open");
        let a = c
            .post(&[("x-amz-target", "T")], b"BODY")
            .await
            .expect("answer");
        let (status, body) = (a.status, a.body.to_vec());
        (status, body, server.await.expect("server"))
    }

    #[tokio::test]
    async fn a_request_is_one_well_formed_message() {
        let (status, body, request) =
            exchange(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 1000).await;
        assert_eq!((status, body.as_slice()), (200, &b"{}"[..]));
        let request = String::from_utf8(request).expect("ascii");
        assert!(
            request.starts_with("POST / HTTP/1.1\r\nhost: 127.0.0.1:"),
            "{request}"
        );
        assert!(request.contains("\r\ncontent-length: 4\r\n"), "{request}");
        assert!(
            request.ends_with("\r\nx-amz-target: T\r\n\r\nBODY"),
            "{request}"
        );
    }

    #[tokio::test]
    async fn answers_arriving_a_byte_at_a_time_are_whole() {
        let (status, body, _) = exchange(
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 11\r\n\r\n{\"a\":\"bc\"}\n",
            1,
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body, b"{\"a\":\"bc\"}\n");
    }

    #[tokio::test]
    async fn chunked_answers_are_decoded() {
        let answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\na;ext=1\r\n\":1234567}\r\n0\r\nx-trailer: y\r\n\r\n";
        for piece in [1, 7, 1000] {
            let (status, body, _) = exchange(answer, piece).await;
            assert_eq!(status, 200);
            assert_eq!(body, b"{\"a\":1234567}", "piece {piece}");
        }
    }

    /// The error a request gets when the server answers `answer`.
    async fn error_of(answer: &'static [u8]) -> String {
        let (port, server) = serve_once(answer, 1000).await;
        let mut c = Connection::open("127.0.0.1", port, "x".into())
            .await
            .expect("open");
        let e = c.post(&[], b"BODY").await.expect_err("an error");
        server.await.expect("server");
        e
    }

    #[tokio::test]
    async fn an_answer_without_a_length_or_a_closed_connection_is_an_error() {
        let e = error_of(b"HTTP/1.1 200 OK\r\n\r\n{}").await;
        assert!(e.contains("without a length"), "{e}");
        let e = error_of(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n{}").await;
        assert!(e.contains("closed"), "{e}");
    }
}
