//! Shared by the HTTP tests: a fake backend, an in-process server on a free
//! port, and a raw HTTP/1.1 client (so tests control every header byte).
#![allow(dead_code)] // each test file uses a different part

pub mod alloc;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;
use siltdb::dynamo::api::*;
use siltdb::dynamo::{AttributeValue, DynamoError, Item};
use siltdb_server::http::{serve, ServerConfig};
use siltdb_server::Backend;

/// Answers from canned data; special table names trigger special answers.
#[derive(Default)]
pub struct Fake {
    pub closed: AtomicBool,
}

pub fn table(name: &str) -> TableDescription {
    TableDescription {
        table_name: name.to_string(),
        table_arn: format!("arn:aws:dynamodb:local:000000000000:table/{name}"),
        table_id: "00000000-0000-4000-8000-000000000000".to_string(),
        creation_date_time: 1_700_000_000.0,
        ..Default::default()
    }
}

impl Backend for Fake {
    fn create_table(&self, i: CreateTableInput) -> Result<CreateTableOutput, DynamoError> {
        Ok(CreateTableOutput {
            table_description: table(&i.table_name),
        })
    }
    fn describe_table(&self, i: DescribeTableInput) -> Result<DescribeTableOutput, DynamoError> {
        match i.table_name.as_str() {
            "Missing" => Err(DynamoError::table_not_found("Missing")),
            "Panic" => panic!("fake backend panics on purpose"),
            "Broken" => Err(DynamoError::InternalServerError(
                "reading /var/lib/siltdb/data/000042.sst at offset 4096: Input/output error (os error 5)"
                    .into(),
            )),
            "Slow" => {
                std::thread::sleep(Duration::from_millis(500));
                Ok(DescribeTableOutput {
                    table: table("Slow"),
                })
            }
            name => Ok(DescribeTableOutput { table: table(name) }),
        }
    }
    fn list_tables(&self, _: ListTablesInput) -> Result<ListTablesOutput, DynamoError> {
        Ok(ListTablesOutput {
            table_names: vec!["a".into(), "b".into()],
            last_evaluated_table_name: None,
        })
    }
    fn update_table(&self, i: UpdateTableInput) -> Result<UpdateTableOutput, DynamoError> {
        Ok(UpdateTableOutput {
            table_description: table(&i.table_name),
        })
    }
    fn delete_table(&self, i: DeleteTableInput) -> Result<DeleteTableOutput, DynamoError> {
        Ok(DeleteTableOutput {
            table_description: table(&i.table_name),
        })
    }
    fn put_item(&self, i: PutItemInput) -> Result<PutItemOutput, DynamoError> {
        if i.table_name == "Cond" {
            return Err(DynamoError::conditional_check_failed(Some(i.item)));
        }
        Ok(PutItemOutput::default())
    }
    fn get_item(&self, i: GetItemInput) -> Result<GetItemOutput, DynamoError> {
        let mut item: Item = i.key;
        item.insert("found".into(), AttributeValue::Bool(true));
        Ok(GetItemOutput {
            item: Some(item),
            consumed_capacity: None,
        })
    }
    fn update_item(&self, _: UpdateItemInput) -> Result<UpdateItemOutput, DynamoError> {
        Ok(UpdateItemOutput::default())
    }
    fn delete_item(&self, _: DeleteItemInput) -> Result<DeleteItemOutput, DynamoError> {
        Ok(DeleteItemOutput::default())
    }
    fn query(&self, _: QueryInput) -> Result<QueryOutput, DynamoError> {
        Ok(QueryOutput::default())
    }
    fn scan(&self, _: ScanInput) -> Result<ScanOutput, DynamoError> {
        Ok(ScanOutput::default())
    }
    fn batch_get_item(&self, _: BatchGetItemInput) -> Result<BatchGetItemOutput, DynamoError> {
        Ok(BatchGetItemOutput::default())
    }
    fn batch_write_item(
        &self,
        _: BatchWriteItemInput,
    ) -> Result<BatchWriteItemOutput, DynamoError> {
        Ok(BatchWriteItemOutput::default())
    }
    fn transact_write_items(
        &self,
        i: TransactWriteItemsInput,
    ) -> Result<TransactWriteItemsOutput, DynamoError> {
        let reasons = i
            .transact_items
            .iter()
            .enumerate()
            .map(|(n, _)| {
                if n == 0 {
                    CancellationReason {
                        code: Some("ConditionalCheckFailed".into()),
                        message: Some("The conditional request failed".into()),
                        item: None,
                    }
                } else {
                    CancellationReason {
                        code: Some("None".into()),
                        message: None,
                        item: None,
                    }
                }
            })
            .collect();
        Err(DynamoError::TransactionCanceledException {
            message: "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]".into(),
            reasons,
        })
    }
    fn transact_get_items(
        &self,
        _: TransactGetItemsInput,
    ) -> Result<TransactGetItemsOutput, DynamoError> {
        Ok(TransactGetItemsOutput::default())
    }
    fn close(&self) -> Result<(), DynamoError> {
        self.closed.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// A server running on its own runtime thread.
pub struct TestServer {
    pub addr: SocketAddr,
    pub backend: Arc<Fake>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// A server over a [`Fake`] backend.
    pub fn start(config: ServerConfig) -> TestServer {
        let backend = Arc::new(Fake::default());
        TestServer::start_with(backend.clone(), backend, config)
    }

    /// A server over siltdb's own engine, in memory.
    pub fn start_engine(config: ServerConfig) -> TestServer {
        let engine = siltdb::dynamo::DynamoDb::open_in_memory().expect("open in memory");
        TestServer::start_with(Arc::new(Fake::default()), Arc::new(engine), config)
    }

    /// A server over `engine` on a runtime of `workers` threads.
    pub fn start_on(engine: Arc<dyn Backend>, workers: usize, config: ServerConfig) -> TestServer {
        TestServer::start_workers(Arc::new(Fake::default()), engine, workers, config)
    }

    /// A server over `b`; `fake` is what [`TestServer::backend`] shows.
    fn start_with(fake: Arc<Fake>, b: Arc<dyn Backend>, config: ServerConfig) -> TestServer {
        TestServer::start_workers(fake, b, 2, config)
    }

    fn start_workers(
        fake: Arc<Fake>,
        b: Arc<dyn Backend>,
        workers: usize,
        config: ServerConfig,
    ) -> TestServer {
        let backend = fake;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                ready_tx.send(listener.local_addr()?).ok();
                serve(listener, b, config, async {
                    stopped.await.ok();
                })
                .await
            })
        });
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("server started");
        TestServer {
            addr,
            backend,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Signals shutdown and waits for `serve` to return.
    pub fn stop(&mut self) -> std::io::Result<()> {
        if let Some(s) = self.stop.take() {
            s.send(()).ok();
        }
        match self.thread.take() {
            Some(t) => t.join().expect("server thread"),
            None => Ok(()),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// Sends `head` (request line and headers, without the blank line) plus
/// `body` with `Connection: close`, and reads the whole response.
pub fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let mut req = head.trim_end().replace('\n', "\r\n");
    req.push_str("\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).expect("write head");
    // The server may answer (413) before reading everything; ignore errors.
    let _ = s.write_all(body);
    read_reply(&mut s)
}

pub fn read_reply(s: &mut TcpStream) -> Reply {
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    parse_reply(&buf).expect("a complete response head")
}

/// The response in `buf`, if it holds a complete head with a status code.
pub fn parse_reply(buf: &[u8]) -> Option<Reply> {
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let body = buf[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok())?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Reply {
        status,
        headers,
        body,
    })
}

/// Like [`call`], but `None` instead of a panic when the connection fails
/// or closes before a whole response (a server being killed).
pub fn try_call(addr: SocketAddr, target: &str, body: &str) -> Option<Reply> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let req = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: {target}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let reply = parse_reply(&buf)?;
    let complete = reply
        .header("content-length")
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|n| n == reply.body.len());
    complete.then_some(reply)
}

/// A signed-looking DynamoDB request (any Authorization passes without
/// configured credentials).
pub fn call(addr: SocketAddr, target: &str, body: &str) -> Reply {
    raw(
        addr,
        &format!(
            "POST / HTTP/1.1\nHost: localhost\nContent-Type: application/x-amz-json-1.0\nX-Amz-Target: {target}\nAuthorization: AWS4-HMAC-SHA256 Credential=x\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
}
