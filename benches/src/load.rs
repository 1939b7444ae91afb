//! The HTTP load driver behind `siltdb-load`: PutItem, GetItem and Query
//! requests over DynamoDB's JSON protocol from N concurrent keep-alive
//! HTTP/1.1 connections, with throughput and latency per operation.
//!
//! Conventions:
//! - **Table.** `pk` (S) hash key and `sk` (N) range key, on demand. Item
//!   `i` has `pk = "p" + i / per_partition` (zero-padded) and
//!   `sk = i % per_partition`, plus an attribute `v` of `item_bytes`
//!   random ASCII characters. The table is created if missing.
//! - **put** writes items `0, 1, 2, ...` in order, each index claimed by
//!   one request, so every put inserts a new item (on an empty table).
//! - **get** reads items chosen uniformly from the key space: the items
//!   the put phase of this run wrote, or `keys` when it did not run. A
//!   GetItem that finds nothing is counted as a miss, not an error.
//! - **query** reads one whole partition (`pk = :p`, up to
//!   `per_partition` items) chosen uniformly.
//! - **Phases** run one after another, each on fresh connections (connect
//!   time is not measured). A phase ends after `requests` requests or
//!   after `duration`, whichever the limit is.
//! - **Latency** is measured from just before the request is written to
//!   when the whole response body has been read, per request. With every
//!   connection busy all the time this is a closed-loop test: latency and
//!   throughput are bound by Little's law (connections = rate × latency).
//! - **Requests** are unsigned, with a dummy `Authorization` header: what
//!   `siltdb serve` accepts when it is not given `--credentials`.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Uri;

use crate::histogram::Histogram;
use crate::http1::{self, Answer};
use crate::rng::SplitMix64;

/// The `Authorization` header sent with every request.
const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 \
    Credential=load/20240101/us-east-1/dynamodb/aws4_request, \
    SignedHeaders=host;x-amz-date;x-amz-target, Signature=0";

/// One kind of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// `PutItem` of a new item.
    Put,
    /// `GetItem` of a random item.
    Get,
    /// `Query` of a random partition.
    Query,
}

impl Op {
    /// Parses `put`, `get` or `query`.
    pub fn parse(s: &str) -> Result<Op, String> {
        match s {
            "put" => Ok(Op::Put),
            "get" => Ok(Op::Get),
            "query" => Ok(Op::Query),
            other => Err(format!("unknown op {other:?} (put, get, query)")),
        }
    }

    /// The DynamoDB operation name.
    pub fn operation(self) -> &'static str {
        match self {
            Op::Put => "PutItem",
            Op::Get => "GetItem",
            Op::Query => "Query",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation())
    }
}

/// When a phase stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// After this many requests (over all connections).
    Requests(u64),
    /// After this long.
    Duration(Duration),
}

/// Where the server is: an `http://host:port` endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Host name or address, as given.
    pub host: String,
    /// TCP port (80 if the URL names none).
    pub port: u16,
}

impl Endpoint {
    /// Parses `http://host[:port][/]`. HTTPS is not supported.
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let uri: Uri = url.parse().map_err(|e| format!("endpoint {url:?}: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!("endpoint {url:?}: only http:// is supported"));
        }
        let host = uri
            .host()
            .ok_or_else(|| format!("endpoint {url:?}: no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        Ok(Endpoint {
            host,
            port: uri.port_u16().unwrap_or(80),
        })
    }

    /// The `Host` header's value.
    fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// The server.
    pub endpoint: Endpoint,
    /// Table name.
    pub table: String,
    /// Concurrent connections, each with one request in flight.
    pub connections: usize,
    /// When each phase stops.
    pub limit: Limit,
    /// Bytes of the `v` attribute of each item.
    pub item_bytes: usize,
    /// Items per partition key (what a Query returns).
    pub per_partition: u64,
    /// Key space of get and query when no put phase ran in this run.
    pub keys: u64,
}

/// The outcome of one phase.
#[derive(Debug, Clone)]
pub struct PhaseReport {
    /// The operation.
    pub op: Op,
    /// Requests answered (successes and errors).
    pub requests: u64,
    /// Error answers by DynamoDB exception name (or HTTP status).
    pub errors: BTreeMap<String, u64>,
    /// GetItems that found no item; Queries that returned none.
    pub misses: u64,
    /// Wall time of the phase.
    pub elapsed: Duration,
    /// Latency of every request.
    pub latency: Histogram,
}

impl PhaseReport {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Error answers in all.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The header line of [`PhaseReport`]'s `Display` rows.
    pub const HEADER: &'static str =
        "op        requests  errors  misses  seconds      req/s  mean ms   p50 ms   p99 ms p99.9 ms   max ms";
}

/// One row under [`PhaseReport::HEADER`], then one line per kind of error.
impl fmt::Display for PhaseReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |nanos: f64| nanos / 1e6;
        write!(
            f,
            "{:<8} {:>9} {:>7} {:>7} {:>8.2} {:>10.0} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            self.op.operation(),
            self.requests,
            self.error_count(),
            self.misses,
            self.elapsed.as_secs_f64(),
            self.rate(),
            ms(self.latency.mean()),
            ms(self.latency.percentile(50.0)),
            ms(self.latency.percentile(99.0)),
            ms(self.latency.percentile(99.9)),
            ms(self.latency.max() as f64),
        )?;
        for (name, count) in &self.errors {
            write!(f, "\n  error {name}: {count}")?;
        }
        Ok(())
    }
}

/// One connection to the server, speaking DynamoDB's JSON protocol.
struct Connection {
    http: http1::Connection,
    /// `DynamoDB_20120810.` and the operation last named, reused.
    target: String,
}

impl Connection {
    async fn open(endpoint: &Endpoint) -> Result<Connection, String> {
        let http =
            http1::Connection::open(&endpoint.host, endpoint.port, endpoint.authority()).await?;
        Ok(Connection {
            http,
            target: String::new(),
        })
    }

    /// Sends one DynamoDB request and reads the whole answer.
    async fn call(&mut self, operation: &str, body: &[u8]) -> Result<Answer<'_>, String> {
        if self.target.strip_prefix(TARGET_PREFIX) != Some(operation) {
            self.target = format!("{TARGET_PREFIX}{operation}");
        }
        let headers = [
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", self.target.as_str()),
            ("x-amz-date", "20240101T000000Z"),
            ("authorization", AUTHORIZATION),
        ];
        self.http
            .post(&headers, body)
            .await
            .map_err(|e| format!("{operation}: {e}"))
    }
}

/// What every `X-Amz-Target` starts with.
const TARGET_PREFIX: &str = "DynamoDB_20120810.";

/// The exception name of an error answer (`__type` after its `#`), or the
/// HTTP status if the body has none.
fn error_name(answer: &Answer) -> String {
    serde_json::from_slice::<serde_json::Value>(answer.body)
        .ok()
        .and_then(|v| {
            v.get("__type")
                .and_then(|t| t.as_str())
                .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
        })
        .unwrap_or_else(|| format!("HTTP {}", answer.status))
}

/// Request bodies of the workload.
struct Bodies {
    table: String,
    per_partition: u64,
    /// The `v` attribute's value (JSON-safe ASCII).
    value: String,
}

impl Bodies {
    fn new(config: &LoadConfig, seed: u64) -> Bodies {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut rng = SplitMix64::new(seed);
        let value = (0..config.item_bytes)
            .map(|_| char::from(ALPHABET[rng.below(ALPHABET.len() as u64) as usize]))
            .collect();
        Bodies {
            table: config.table.clone(),
            per_partition: config.per_partition.max(1),
            value,
        }
    }

    // Writes into a `Vec` cannot fail: their results are dropped.

    /// A PutItem body for item `i`, written over `out`.
    fn put(&self, i: u64, out: &mut Vec<u8>) {
        out.clear();
        let _ = write!(
            out,
            r#"{{"TableName":"{}","Item":{{"pk":{{"S":"p{:010}"}},"sk":{{"N":"{}"}},"v":{{"S":"{}"}}}}}}"#,
            self.table,
            i / self.per_partition,
            i % self.per_partition,
            self.value
        );
    }

    /// A GetItem body for item `i`, written over `out`.
    fn get(&self, i: u64, out: &mut Vec<u8>) {
        out.clear();
        let _ = write!(
            out,
            r#"{{"TableName":"{}","Key":{{"pk":{{"S":"p{:010}"}},"sk":{{"N":"{}"}}}}}}"#,
            self.table,
            i / self.per_partition,
            i % self.per_partition
        );
    }

    /// A Query body for partition `p`, written over `out`.
    fn query(&self, p: u64, out: &mut Vec<u8>) {
        out.clear();
        let _ = write!(
            out,
            r#"{{"TableName":"{}","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{{":p":{{"S":"p{:010}"}}}}}}"#,
            self.table, p
        );
    }
}

/// Creates the table if it is missing and waits until it is `ACTIVE`.
pub async fn ensure_table(config: &LoadConfig) -> Result<(), String> {
    let mut conn = Connection::open(&config.endpoint).await?;
    let create = serde_json::json!({
        "TableName": config.table,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"}
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"}
        ],
        "BillingMode": "PAY_PER_REQUEST"
    });
    let answer = conn
        .call("CreateTable", create.to_string().as_bytes())
        .await?;
    if !answer.is_success() && error_name(&answer) != "ResourceInUseException" {
        return Err(format!(
            "CreateTable: {} {}",
            answer.status,
            String::from_utf8_lossy(answer.body)
        ));
    }
    let describe = serde_json::json!({ "TableName": config.table }).to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answer = conn.call("DescribeTable", describe.as_bytes()).await?;
        if !answer.is_success() {
            return Err(format!(
                "DescribeTable: {} {}",
                answer.status,
                String::from_utf8_lossy(answer.body)
            ));
        }
        let status = serde_json::from_slice::<serde_json::Value>(answer.body)
            .ok()
            .and_then(|v| v["Table"]["TableStatus"].as_str().map(str::to_string));
        if status.as_deref() == Some("ACTIVE") {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "table {} not ACTIVE after 60 s ({status:?})",
                config.table
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the connections of one phase share.
struct Phase {
    op: Op,
    bodies: Bodies,
    /// Next request index (puts: the item to write).
    next: AtomicU64,
    limit: Limit,
    started: Instant,
    /// Key space for get and query.
    keys: u64,
}

impl Phase {
    /// Claims the next request, or `None` once the limit is reached.
    fn claim(&self) -> Option<u64> {
        match self.limit {
            Limit::Requests(n) => {
                let i = self.next.fetch_add(1, Ordering::Relaxed);
                (i < n).then_some(i)
            }
            Limit::Duration(d) => {
                if self.started.elapsed() >= d {
                    None
                } else {
                    Some(self.next.fetch_add(1, Ordering::Relaxed))
                }
            }
        }
    }
}

/// One connection's share of a phase.
struct Tally {
    requests: u64,
    misses: u64,
    errors: BTreeMap<String, u64>,
    latency: Histogram,
}

async fn drive(phase: Arc<Phase>, mut conn: Connection, seed: u64) -> Result<Tally, String> {
    let mut rng = SplitMix64::new(seed);
    let mut tally = Tally {
        requests: 0,
        misses: 0,
        errors: BTreeMap::new(),
        latency: Histogram::new(),
    };
    let partitions = phase.keys.div_ceil(phase.bodies.per_partition).max(1);
    let mut body = Vec::with_capacity(256);
    while let Some(i) = phase.claim() {
        match phase.op {
            Op::Put => phase.bodies.put(i, &mut body),
            Op::Get => phase.bodies.get(rng.below(phase.keys.max(1)), &mut body),
            Op::Query => phase.bodies.query(rng.below(partitions), &mut body),
        }
        let start = Instant::now();
        let answer = conn.call(phase.op.operation(), &body).await?;
        tally
            .latency
            .record(u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX));
        tally.requests += 1;
        if !answer.is_success() {
            *tally.errors.entry(error_name(&answer)).or_default() += 1;
            continue;
        }
        let missed = match phase.op {
            Op::Put => false,
            // GetItem answers `{}` when there is no such item.
            Op::Get => !contains(answer.body, b"\"Item\""),
            Op::Query => count_is_zero(answer.body),
        };
        tally.misses += u64::from(missed);
    }
    Ok(tally)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// True if a Query answer says `"Count":0` (without parsing the items).
fn count_is_zero(body: &[u8]) -> bool {
    const KEY: &[u8] = b"\"Count\":";
    body.windows(KEY.len())
        .position(|w| w == KEY)
        .and_then(|at| body.get(at + KEY.len()..))
        .map(|rest| rest.trim_ascii_start())
        .is_some_and(|rest| {
            rest.first() == Some(&b'0') && !rest.get(1).is_some_and(u8::is_ascii_digit)
        })
}

/// Runs one phase of `op` on `config.connections` fresh connections.
/// `keys` is the key space of get and query.
pub async fn run_phase(config: &LoadConfig, op: Op, keys: u64) -> Result<PhaseReport, String> {
    let mut conns = Vec::with_capacity(config.connections);
    for _ in 0..config.connections {
        conns.push(Connection::open(&config.endpoint).await?);
    }
    let phase = Arc::new(Phase {
        op,
        bodies: Bodies::new(config, 0x5eed),
        next: AtomicU64::new(0),
        limit: config.limit,
        started: Instant::now(),
        keys,
    });
    let tasks: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(n, conn)| tokio::spawn(drive(Arc::clone(&phase), conn, n as u64 + 1)))
        .collect();
    let mut report = PhaseReport {
        op,
        requests: 0,
        errors: BTreeMap::new(),
        misses: 0,
        elapsed: Duration::ZERO,
        latency: Histogram::new(),
    };
    let mut first_failure = None;
    for task in tasks {
        match task.await {
            Ok(Ok(t)) => {
                report.requests += t.requests;
                report.misses += t.misses;
                report.latency.merge(&t.latency);
                for (name, n) in t.errors {
                    *report.errors.entry(name).or_default() += n;
                }
            }
            Ok(Err(e)) => {
                first_failure.get_or_insert(e);
            }
            Err(e) => {
                first_failure.get_or_insert(format!("a connection task failed: {e}"));
            }
        }
    }
    report.elapsed = phase.started.elapsed();
    match first_failure {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:8000"),
            Ok(Endpoint {
                host: "127.0.0.1".into(),
                port: 8000
            })
        );
        assert_eq!(Endpoint::parse("http://localhost/").map(|e| e.port), Ok(80));
        let v6 = Endpoint::parse("http://[::1]:9000").expect("v6");
        assert_eq!(v6.host, "::1");
        assert_eq!(v6.authority(), "[::1]:9000");
        assert!(Endpoint::parse("https://127.0.0.1").is_err());
        assert!(Endpoint::parse("127.0.0.1:8000").is_err());
    }

    #[test]
    fn bodies_are_dynamodb_json() {
        let config = LoadConfig {
            endpoint: Endpoint::parse("http://127.0.0.1:8000").expect("endpoint"),
            table: "t".into(),
            connections: 1,
            limit: Limit::Requests(1),
            item_bytes: 16,
            per_partition: 10,
            keys: 100,
        };
        let b = Bodies::new(&config, 1);
        let mut out = Vec::new();
        let mut json = |write: &dyn Fn(&mut Vec<u8>)| -> serde_json::Value {
            write(&mut out);
            serde_json::from_slice(&out).expect("json")
        };
        let put = json(&|out| b.put(123, out));
        assert_eq!(put["Item"]["pk"]["S"], "p0000000012");
        assert_eq!(put["Item"]["sk"]["N"], "3");
        assert_eq!(put["Item"]["v"]["S"].as_str().map(str::len), Some(16));
        let get = json(&|out| b.get(123, out));
        assert_eq!(get["Key"]["pk"], put["Item"]["pk"]);
        let q = json(&|out| b.query(12, out));
        assert_eq!(q["ExpressionAttributeValues"][":p"], put["Item"]["pk"]);
        assert_eq!(Op::parse("query"), Ok(Op::Query));
        assert!(count_is_zero(br#"{"Count":0,"Items":[],"ScannedCount":0}"#));
        assert!(count_is_zero(br#"{"Items":[],"Count": 0}"#));
        assert!(!count_is_zero(br#"{"Count":10,"Items":[]}"#));
        assert!(!count_is_zero(br#"{"Count":1}"#));
        assert!(Op::parse("scan").is_err());
    }
}
