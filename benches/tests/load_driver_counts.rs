//! The load driver against a canned DynamoDB endpoint: it creates its
//! table, runs each phase to its limit on the requested connections, and
//! counts answers, misses and errors by exception name.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use siltdb_benches::load::{ensure_table, run_phase, Endpoint, Limit, LoadConfig, Op};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the fake server saw.
#[derive(Default)]
struct Seen {
    connections: AtomicU64,
    creates: AtomicU64,
    puts: AtomicU64,
    gets: AtomicU64,
    queries: AtomicU64,
}

/// Answers one HTTP/1.1 keep-alive connection: every 10th GetItem finds
/// nothing, every 7th Query is throttled, PutItem succeeds.
async fn answer(mut stream: TcpStream, seen: Arc<Seen>) {
    seen.connections.fetch_add(1, Ordering::Relaxed);
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string))
        };
        let length: usize = header("content-length")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let target = header("x-amz-target").unwrap_or_default();
        assert!(
            header("authorization").is_some(),
            "requests carry Authorization"
        );
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: serde_json::Value =
            serde_json::from_slice(&buf[head_end..head_end + length]).expect("JSON body");
        buf.drain(..head_end + length);
        let (status, reply) = match target.trim() {
            "dynamodb_20120810.createtable" => {
                seen.creates.fetch_add(1, Ordering::Relaxed);
                (400, r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException","message":"Table already exists: t"}"#.to_string())
            }
            "dynamodb_20120810.describetable" => {
                (200, r#"{"Table":{"TableStatus":"ACTIVE"}}"#.to_string())
            }
            "dynamodb_20120810.putitem" => {
                assert!(body["Item"]["v"]["S"].is_string());
                seen.puts.fetch_add(1, Ordering::Relaxed);
                (200, "{}".to_string())
            }
            "dynamodb_20120810.getitem" => {
                let n = seen.gets.fetch_add(1, Ordering::Relaxed);
                if n.is_multiple_of(10) {
                    (200, "{}".to_string())
                } else {
                    (200, format!(r#"{{"Item":{}}}"#, body["Key"]))
                }
            }
            "dynamodb_20120810.query" => {
                let n = seen.queries.fetch_add(1, Ordering::Relaxed);
                if n.is_multiple_of(7) {
                    (400, r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}"#.to_string())
                } else {
                    (
                        200,
                        r#"{"Count":1,"Items":[{}],"ScannedCount":1}"#.to_string(),
                    )
                }
            }
            other => panic!("unexpected target {other}"),
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n{reply}",
            reply.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phases_count_requests_misses_and_errors() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Seen::default());
    let server_seen = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, Arc::clone(&server_seen)));
        }
    });

    let config = LoadConfig {
        endpoint: Endpoint::parse(&format!("http://127.0.0.1:{port}")).expect("endpoint"),
        table: "t".into(),
        connections: 4,
        limit: Limit::Requests(700),
        item_bytes: 64,
        per_partition: 10,
        keys: 1000,
    };
    ensure_table(&config).await.expect("table");
    assert_eq!(seen.creates.load(Ordering::Relaxed), 1);

    let put = run_phase(&config, Op::Put, config.keys).await.expect("put");
    assert_eq!(put.requests, 700);
    assert_eq!(put.error_count(), 0);
    assert_eq!(put.latency.count(), 700);
    assert_eq!(seen.puts.load(Ordering::Relaxed), 700);

    let get = run_phase(&config, Op::Get, 700).await.expect("get");
    assert_eq!(get.requests, 700);
    assert_eq!(get.misses, 70);
    assert_eq!(get.error_count(), 0);

    let query = run_phase(&config, Op::Query, 700).await.expect("query");
    assert_eq!(query.requests, 700);
    assert_eq!(query.errors.get("ThrottlingException"), Some(&100));
    let row = query.to_string();
    assert!(row.starts_with("Query"), "{row}");
    assert!(row.contains("error ThrottlingException: 100"), "{row}");

    // One connection for the table, then `connections` per phase.
    assert_eq!(seen.connections.load(Ordering::Relaxed), 1 + 3 * 4);

    let timed = LoadConfig {
        limit: Limit::Duration(Duration::from_millis(300)),
        ..config.clone()
    };
    let report = run_phase(&timed, Op::Get, 700).await.expect("timed get");
    assert!(report.requests > 0);
    assert!(report.elapsed >= Duration::from_millis(300));
}

#[tokio::test]
async fn an_unreachable_endpoint_is_an_error() {
    // Bind then drop, so the port is (very likely) closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let config = LoadConfig {
        endpoint: Endpoint::parse(&format!("http://127.0.0.1:{port}")).expect("endpoint"),
        table: "t".into(),
        connections: 2,
        limit: Limit::Requests(10),
        item_bytes: 10,
        per_partition: 10,
        keys: 10,
    };
    let e = ensure_table(&config).await.expect_err("nothing listens");
    assert!(e.starts_with("connecting to 127.0.0.1:"), "{e}");
}
