//! An in-process `siltdb serve` on an in-memory [`DynamoDb`], on a free
//! loopback port, and `aws-sdk-dynamodb` and `aws-sdk-dynamodbstreams`
//! clients pointed at it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use siltdb::dynamo::{DynamoDb, DynamoOptions};
use siltdb::{Db, Options};
use siltdb_server::http::{serve, ServerConfig};
use siltdb_server::transfer::{Served, Transfers};
use siltdb_server::Backend;

/// The server, running on its own runtime thread until dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// Starts a server over a fresh in-memory database.
    pub fn start() -> Server {
        let db = DynamoDb::open_in_memory().expect("open an in-memory database");
        Server::serving(Arc::new(db))
    }

    /// Starts a server as `siltdb serve --data-dir DATA --s3-root S3` does:
    /// a database on disk in `data` (backups are kept there) and exports
    /// and imports with `s3` standing in for S3 (bucket = sub-directory).
    pub fn start_on_disk(data: &Path, s3: &Path) -> Server {
        Server::start_on_disk_with(data, s3, DynamoOptions::default())
    }

    /// [`Server::start_on_disk`] with the DynamoDB layer's `options` (a
    /// manual clock, for tests that move time).
    pub fn start_on_disk_with(data: &Path, s3: &Path, options: DynamoOptions) -> Server {
        std::fs::create_dir_all(s3).expect("s3 root");
        let engine = Db::open(data, Options::default()).expect("open the database");
        let db = Arc::new(DynamoDb::with_db(engine, options).expect("open the database"));
        let transfers = Transfers::open(Arc::clone(&db), s3, Some(data)).expect("transfers");
        Server::serving(Arc::new(Served { db, transfers }))
    }

    /// Starts a server answering with `backend`.
    fn serving(backend: Arc<dyn Backend>) -> Server {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                ready_tx.send(listener.local_addr()?).ok();
                serve(listener, backend, ServerConfig::default(), async {
                    stopped.await.ok();
                })
                .await
            })
        });
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("server started");
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// A client as an application would configure one for DynamoDB, but
    /// with the endpoint changed (static credentials, a region, plain HTTP).
    pub fn client(&self) -> Client {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            ))
            .endpoint_url(format!("http://{}", self.addr))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        Client::from_conf(config)
    }

    /// A DynamoDB Streams client configured the same way: DynamoDB Streams
    /// is served on the same endpoint, told apart by `X-Amz-Target`.
    pub fn streams_client(&self) -> aws_sdk_dynamodbstreams::Client {
        let config = aws_sdk_dynamodbstreams::Config::builder()
            .behavior_version(aws_sdk_dynamodbstreams::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodbstreams::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodbstreams::config::Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            ))
            .endpoint_url(format!("http://{}", self.addr))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_dynamodbstreams::Client::from_conf(config)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            s.send(()).ok();
        }
        if let Some(t) = self.thread.take() {
            let result = t.join();
            if !std::thread::panicking() {
                result
                    .expect("server thread")
                    .expect("server stopped cleanly");
            }
        }
    }
}

/// Creates an on-demand table keyed by `pk` (S) and, if given, `sk` (N).
pub async fn create_table(client: &Client, name: &str, sort_key: bool) {
    let mut req = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash));
    if sort_key {
        req = req
            .attribute_definitions(attr("sk", ScalarAttributeType::N))
            .key_schema(key("sk", KeyType::Range));
    }
    req.send().await.expect("CreateTable");
}

pub fn attr(name: &str, t: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(t)
        .build()
        .expect("attribute definition")
}

pub fn key(name: &str, t: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(t)
        .build()
        .expect("key schema element")
}

pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// An item from `(name, value)` pairs.
pub fn item<const N: usize>(pairs: [(&str, AttributeValue); N]) -> HashMap<String, AttributeValue> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Puts items `{pk: "item-<i>", n: i}` for each `i` in `range`.
pub async fn put_items(client: &Client, table: &str, range: std::ops::Range<u32>) {
    for i in range {
        client
            .put_item()
            .table_name(table)
            .set_item(Some(item([("pk", s(&format!("item-{i}"))), ("n", n(i))])))
            .send()
            .await
            .expect("PutItem");
    }
}

/// The number of items a paged Scan of `table` returns.
pub async fn scan_count(client: &Client, table: &str) -> usize {
    let mut count = 0;
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("Scan");
        count += page.items().len();
        match page.last_evaluated_key() {
            Some(k) => start = Some(k.clone()),
            None => return count,
        }
    }
}

/// Calls `f` every 20 ms until it returns something (at most a minute).
pub async fn poll<T, F, Fut>(mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..3000 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("still not done after a minute");
}

/// Waits until DescribeTable says `table` is ACTIVE.
pub async fn wait_active(client: &Client, table: &str) {
    poll(|| async {
        let d = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .expect("DescribeTable");
        let status = d.table().and_then(|t| t.table_status()).cloned();
        (status == Some(aws_sdk_dynamodb::types::TableStatus::Active)).then_some(())
    })
    .await;
}
