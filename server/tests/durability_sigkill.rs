//! `siltdb serve --data-dir` keeps every acknowledged write through a
//! SIGKILL: writers put items over HTTP (each 200 means synced to disk),
//! the process is killed in the middle of their traffic, and a new server
//! on the same directory returns every acknowledged item. Done twice on one
//! directory, so the second round also recovers on top of a recovered log.
#![cfg(unix)]

mod common;
mod serve_support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{call, try_call};
use serde_json::{json, Value};
use serve_support::process::Server;

const WRITERS: usize = 4;
/// Acknowledged writes per round before the kill.
const ACKS_BEFORE_KILL: usize = 400;

fn ok(r: &common::Reply) -> Value {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn item(round: usize, writer: usize, i: usize) -> Value {
    json!({
        "pk": {"S": format!("r{round}-w{writer}-{i:05}")},
        "round": {"N": round.to_string()},
        "payload": {"S": "p".repeat(200 + i % 500)},
    })
}

/// Puts items from several threads until `ACKS_BEFORE_KILL` are
/// acknowledged, SIGKILLs the server while the writers are still sending,
/// and returns the acknowledged items.
fn write_then_kill(server: Server, round: usize) -> Vec<Value> {
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let addr = server.addr;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let acked = acked.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                for i in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let it = item(round, w, i);
                    let body = json!({"TableName": "Durable", "Item": it}).to_string();
                    // Once the server is killed, requests fail to connect
                    // or get no reply: those writes were never acknowledged.
                    match try_call(addr, "DynamoDB_20120810.PutItem", &body) {
                        Some(r) if r.status == 200 => acked.lock().expect("lock").push(it),
                        Some(r) => panic!("put failed: {} {:?}", r.status, r.body),
                        None => break,
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.lock().expect("lock").len() < ACKS_BEFORE_KILL {
        assert!(Instant::now() < deadline, "writes too slow");
        std::thread::sleep(Duration::from_millis(1));
    }
    // Writers are still sending; any put acknowledged until the kill lands
    // is checked as well.
    server.sigkill();
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().expect("writer");
    }
    let acked = acked.lock().expect("lock").clone();
    acked
}

fn assert_all_present(addr: SocketAddr, items: &[Value]) {
    for it in items {
        let key = json!({"pk": it["pk"]});
        let r = call(
            addr,
            "DynamoDB_20120810.GetItem",
            &json!({"TableName": "Durable", "Key": key, "ConsistentRead": true}).to_string(),
        );
        assert_eq!(ok(&r)["Item"], *it, "acknowledged item lost: {}", it["pk"]);
    }
}

#[test]
fn sigkill_loses_no_acknowledged_put() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data"); // created by `serve`
    let server = Server::start(&data);
    let r = call(
        server.addr,
        "DynamoDB_20120810.CreateTable",
        r#"{"TableName": "Durable", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}"#,
    );
    ok(&r);

    let mut all = Vec::new();
    let mut server = server;
    for round in 0..2 {
        let acked = write_then_kill(server, round);
        assert!(acked.len() >= ACKS_BEFORE_KILL);
        all.extend(acked);
        server = Server::start(&data);
        assert_all_present(server.addr, &all);
    }

    // A scan sees every acknowledged item, and nothing that was never sent.
    let mut count = 0;
    let mut start = Value::Null;
    loop {
        let mut req = json!({"TableName": "Durable", "Select": "COUNT"});
        if !start.is_null() {
            req["ExclusiveStartKey"] = start;
        }
        let page = ok(&call(
            server.addr,
            "DynamoDB_20120810.Scan",
            &req.to_string(),
        ));
        count += page["Count"].as_u64().expect("Count") as usize;
        start = page["LastEvaluatedKey"].clone();
        if start.is_null() {
            break;
        }
    }
    // Each writer may have had one unacknowledged put in flight per round.
    assert!(
        (all.len()..=all.len() + 2 * WRITERS).contains(&count),
        "{count} items for {} acknowledged",
        all.len()
    );
    server.sigkill();
}
