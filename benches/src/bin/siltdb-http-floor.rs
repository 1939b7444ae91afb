//! `siltdb-http-floor`: what serving one DynamoDB request costs before any
//! database work, the floor under `siltdb serve`'s HTTP throughput.
//!
//! It listens like `siltdb serve` does (a tokio multi-thread runtime with
//! one worker per CPU, `TCP_NODELAY`, hyper's HTTP/1.1 server with
//! half-closes allowed, or a bare loop over the socket) and answers every
//! request by reading its body whole and writing a fixed answer of the
//! size siltdb's has: a GetItem's item for `X-Amz-Target: …GetItem`, an
//! active table for DescribeTable (so `siltdb-load` finds its table), `{}`
//! otherwise. Nothing is parsed beyond the head, nothing stored.
//!
//! Driven by the same load generator as the servers (wrk with
//! `benches/wrk/dynamodb.lua`, or `siltdb-load`), its throughput bounds
//! what any server built on the same transport can reach on that machine:
//! the driver and the server share its CPUs.
//!
//! ```text
//! siltdb-http-floor --port 18400 --transport hyper
//! siltdb-http-floor --port 18401 --transport raw
//! ```

use std::convert::Infallible;
use std::net::SocketAddr;

use clap::{Parser, ValueEnum};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What carries the requests.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Transport {
    /// hyper's HTTP/1.1 server, as `siltdb serve` runs it.
    Hyper,
    /// A loop that reads a request head with httparse, reads the body it
    /// declares, and writes the answer in one write: no HTTP library.
    Raw,
}

#[derive(Debug, Parser)]
#[command(about = "Answers DynamoDB requests with fixed bytes: the HTTP floor under siltdb serve")]
struct Args {
    /// Port on 127.0.0.1.
    #[arg(long)]
    port: u16,
    /// What carries the requests.
    #[arg(long, value_enum, default_value = "hyper")]
    transport: Transport,
    /// Runtime worker threads (default: one per CPU, at least 2, as
    /// `siltdb serve`).
    #[arg(long)]
    worker_threads: Option<usize>,
}

/// A GetItem answer the size of siltdb's for `siltdb-load`'s items: the
/// key and a 100-character value.
const GET_ANSWER: &str = concat!(
    r#"{"Item":{"pk":{"S":"p0000000000"},"sk":{"N":"1"},"v":{"S":""#,
    "cuwBcwke0pvyikPM7erTVC3JeK9jvjO2Gflyuodsxanjsea6jvkDrTSdD45HfUBh6JLCQanlI6gTAuIkGzaYa0cHp3rdhJgChR0A",
    r#""}}}"#
);
/// DescribeTable's answer: an active table.
const DESCRIBE_ANSWER: &str = r#"{"Table":{"TableName":"siltdb-load","TableStatus":"ACTIVE"}}"#;
/// Any other operation's answer: PutItem's without return values.
const OTHER_ANSWER: &str = "{}";
/// The headers siltdb's answers carry, with fixed values.
const HEADERS: [(&str, &str); 3] = [
    ("x-amzn-requestid", "e6fe424b-ffef-43f5-af11-916a8b5a98ab"),
    ("x-amz-crc32", "3253093175"),
    ("content-type", "application/x-amz-json-1.0"),
];

fn main() -> Result<(), String> {
    let args = Args::parse();
    let workers = args
        .worker_threads
        .unwrap_or_else(siltdb_server::http::default_worker_threads);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| format!("listening on {addr}: {e}"))?;
        eprintln!("answering on http://{addr} ({:?})", args.transport);
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("accept failed: {e}");
                    continue;
                }
            };
            if let Err(e) = stream.set_nodelay(true) {
                eprintln!("TCP_NODELAY not set: {e}");
            }
            match args.transport {
                Transport::Hyper => tokio::spawn(serve_hyper(stream)),
                Transport::Raw => tokio::spawn(serve_raw(stream)),
            };
        }
    })
}

/// The answers, in the order [`answer_to`] numbers them.
const ANSWERS: [&str; 3] = [GET_ANSWER, DESCRIBE_ANSWER, OTHER_ANSWER];

/// Which of [`ANSWERS`] answers the operation `target` (the `X-Amz-Target`
/// header) names.
fn answer_to(target: Option<&[u8]>) -> usize {
    match target {
        Some(t) if t.ends_with(b".GetItem") => 0,
        Some(t) if t.ends_with(b".DescribeTable") => 1,
        _ => 2,
    }
}

async fn serve_hyper(stream: TcpStream) {
    let service = service_fn(|req: Request<Incoming>| async move {
        let answer = answer_to(req.headers().get("x-amz-target").map(|v| v.as_bytes()));
        // Read the body whole, as a server must before it can answer.
        let _body = req.into_body().collect().await.map(|b| b.to_bytes());
        let mut r = Response::new(Full::new(Bytes::from_static(ANSWERS[answer].as_bytes())));
        for (name, value) in HEADERS {
            r.headers_mut()
                .insert(name, hyper::header::HeaderValue::from_static(value));
        }
        Ok::<_, Infallible>(r)
    });
    let conn = http1::Builder::new()
        .half_close(true)
        .serve_connection(TokioIo::new(stream), service);
    if let Err(e) = conn.await {
        eprintln!("connection ended with an error: {e}");
    }
}

/// The whole answer, head and body, for `body`.
fn raw_answer(body: &str) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
    for (name, value) in HEADERS {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    out.extend_from_slice(b"date: Mon, 07 Dec 2026 11:55:32 GMT\r\n\r\n");
    out.extend_from_slice(body.as_bytes());
    out
}

async fn serve_raw(mut stream: TcpStream) {
    let answers = ANSWERS.map(raw_answer);
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    loop {
        // One request: its head, then the body its Content-Length declares.
        let (head_len, body_len, answer) = loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut req = httparse::Request::new(&mut headers);
            match req.parse(&buf) {
                Ok(httparse::Status::Complete(n)) => {
                    let header = |name: &str| {
                        req.headers
                            .iter()
                            .find(|h| h.name.eq_ignore_ascii_case(name))
                            .map(|h| h.value)
                    };
                    let len = header("content-length")
                        .and_then(|v| std::str::from_utf8(v).ok())
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    break (n, len, answer_to(header("x-amz-target")));
                }
                Ok(httparse::Status::Partial) => {}
                Err(e) => {
                    eprintln!("bad request head: {e}");
                    return;
                }
            }
            if !read_more(&mut stream, &mut buf).await {
                return;
            }
        };
        while buf.len() < head_len + body_len {
            if !read_more(&mut stream, &mut buf).await {
                return;
            }
        }
        buf.drain(..head_len + body_len);
        if let Err(e) = stream.write_all(&answers[answer]).await {
            eprintln!("writing an answer: {e}");
            return;
        }
    }
}

/// Reads what the socket has into `buf`; false at its end or on an error.
async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    let start = buf.len();
    buf.resize(start + 8192, 0);
    let n = match stream.read(&mut buf[start..]).await {
        Ok(n) => n,
        Err(e) => {
            eprintln!("reading a request: {e}");
            0
        }
    };
    buf.truncate(start + n);
    n > 0
}
