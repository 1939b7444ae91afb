//! Item writes await their commit instead of blocking a runtime worker: on
//! a server with one worker thread, a PutItem whose WAL fsync is held does
//! not answer, yet a GetItem sent meanwhile is answered at once; when the
//! fsync returns the PutItem answers and its item is there.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{call, try_call, TestServer};
use siltdb::dynamo::{DynamoDb, DynamoOptions};
use siltdb::fs::{FaultFs, MemFs};
use siltdb::{Db, Options};
use siltdb_server::http::ServerConfig;

const TABLE: &str = r#"{"TableName":"Items","AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#;

#[test]
fn a_put_waiting_for_its_fsync_leaves_the_only_worker_free() {
    let fault = FaultFs::new(Arc::new(MemFs::new()));
    let db = Db::open(
        "/db",
        Options {
            fs: Arc::new(fault.clone()),
            sync: true,
            ..Options::default()
        },
    )
    .expect("open");
    let engine = DynamoDb::with_db(db, DynamoOptions::default()).expect("dynamo");
    let server = TestServer::start_on(Arc::new(engine), 1, ServerConfig::default());
    let addr = server.addr;
    assert_eq!(
        call(addr, "DynamoDB_20120810.CreateTable", TABLE).status,
        200
    );
    let put = |k: &str| format!(r#"{{"TableName":"Items","Item":{{"k":{{"S":"{k}"}}}}}}"#);
    let get = |k: &str| format!(r#"{{"TableName":"Items","Key":{{"k":{{"S":"{k}"}}}}}}"#);
    assert_eq!(
        call(addr, "DynamoDB_20120810.PutItem", &put("before")).status,
        200
    );

    fault.hold_syncs(".log");
    let body = put("held");
    let writer = std::thread::spawn(move || try_call(addr, "DynamoDB_20120810.PutItem", &body));
    assert!(
        fault.wait_for_held_sync(Duration::from_secs(10)),
        "the PutItem reached its fsync"
    );

    let read = try_call(addr, "DynamoDB_20120810.GetItem", &get("before"))
        .expect("a GetItem is answered while a PutItem waits for its fsync");
    assert_eq!(read.status, 200);
    assert!(
        read.json()["Item"]["k"]["S"] == "before",
        "{:?}",
        read.json()
    );
    assert!(
        !writer.is_finished(),
        "the PutItem answered before its fsync"
    );

    fault.release_syncs();
    let written = writer
        .join()
        .expect("writer thread")
        .expect("the PutItem answers once its fsync returns");
    assert_eq!(written.status, 200);
    let read = call(addr, "DynamoDB_20120810.GetItem", &get("held"));
    assert!(read.json()["Item"]["k"]["S"] == "held", "{:?}", read.json());
}
