//! SIGKILL during CreateBackup and during a restore: `siltdb serve` on a
//! data directory holds a table of 10,000 items (with a global
//! index); it is killed a random few milliseconds after a CreateBackup or a
//! RestoreTableFromBackup is sent, and restarted. Then every backup
//! ListBackups shows restores to the whole table, with its index, and a
//! restored table the kill interrupted finishes (ACTIVE, every item, every
//! index entry) after the restart.
#![cfg(unix)]

mod serve_support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use serve_support::client::Client;
use serve_support::process::Server;

const ITEMS: usize = 10_000;
const CYCLES: u64 = 6;

fn call(c: &mut Client, op: &str, body: Value) -> Value {
    let a = c
        .call(&format!("DynamoDB_20120810.{op}"), &body)
        .unwrap_or_else(|| panic!("{op}: no answer"));
    assert_eq!(a.status, 200, "{op}: {}", a.body);
    a.body
}

fn fill(c: &mut Client) {
    call(
        c,
        "CreateTable",
        json!({
            "TableName": "Src",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "g", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "ByG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}],
            "BillingMode": "PAY_PER_REQUEST"}),
    );
    for chunk in (0..ITEMS).collect::<Vec<_>>().chunks(25) {
        let puts: Vec<Value> = chunk
            .iter()
            .map(|i| {
                json!({"PutRequest": {"Item": {
                    "pk": {"S": format!("k{i:05}")},
                    "g": {"S": format!("g{}", i % 10)},
                    "pad": {"S": "x".repeat(200)}}}})
            })
            .collect();
        let out = call(c, "BatchWriteItem", json!({"RequestItems": {"Src": puts}}));
        assert_eq!(out["UnprocessedItems"], json!({}), "{out}");
    }
}

/// Waits until `table` is ACTIVE; returns its description.
fn wait_active(c: &mut Client, table: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let t = call(c, "DescribeTable", json!({"TableName": table}));
        if t["Table"]["TableStatus"] == "ACTIVE" {
            return t["Table"].clone();
        }
        assert!(
            Instant::now() < deadline,
            "{table} never became ACTIVE: {t}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Items of `table` (or of its index `ByG`), counted by a paged scan.
fn count(c: &mut Client, table: &str, index: bool) -> usize {
    let mut n = 0;
    let mut start: Option<Value> = None;
    loop {
        let mut body = json!({"TableName": table, "Select": "COUNT"});
        if index {
            body["IndexName"] = json!("ByG");
        }
        if let Some(s) = start.take() {
            body["ExclusiveStartKey"] = s;
        }
        let page = call(c, "Scan", body);
        n += page["Count"].as_u64().expect("Count") as usize;
        match page.get("LastEvaluatedKey") {
            Some(k) => start = Some(k.clone()),
            None => return n,
        }
    }
}

fn check_complete(c: &mut Client, table: &str) {
    wait_active(c, table);
    assert_eq!(count(c, table, false), ITEMS, "{table}: every item");
    assert_eq!(count(c, table, true), ITEMS, "{table}: every index entry");
}

/// Sends `op` from another thread and kills the server `delay` later.
fn kill_during(server: Server, op: &'static str, body: Value, delay: Duration) {
    let addr = server.addr;
    let t = std::thread::spawn(move || {
        Client::new(addr).call(&format!("DynamoDB_20120810.{op}"), &body)
    });
    std::thread::sleep(delay);
    server.sigkill();
    // Its answer, if it got one, does not matter: what exists is checked.
    let answered = t.join().expect("request thread");
    println!(
        "{op} killed after {delay:?}: {}",
        match answered {
            Some(a) => {
                assert_eq!(a.status, 200, "{op}: {}", a.body);
                "answered".to_string()
            }
            None => "no answer".to_string(),
        }
    );
}

fn delay(cycle: u64) -> Duration {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64);
    Duration::from_millis((seed.wrapping_add(cycle * 7919)) % 40)
}

fn run(dir: &Path) {
    let server = Server::start(dir);
    fill(&mut Client::new(server.addr));
    let mut server = Some(server);
    let mut restored = 0;
    for cycle in 0..CYCLES {
        let s = server.take().expect("server");
        if cycle % 2 == 0 {
            let body = json!({"TableName": "Src", "BackupName": format!("backup-{cycle}")});
            kill_during(s, "CreateBackup", body, delay(cycle));
        } else {
            let mut c = Client::new(s.addr);
            let list = call(&mut c, "ListBackups", json!({"TableName": "Src"}));
            let Some(arn) = list["BackupSummaries"]
                .as_array()
                .and_then(|l| l.last())
                .map(|b| b["BackupArn"].clone())
            else {
                let made = call(
                    &mut c,
                    "CreateBackup",
                    json!({"TableName": "Src", "BackupName": "made"}),
                );
                assert!(made["BackupDetails"]["BackupArn"].is_string());
                server = Some(s);
                continue;
            };
            let body = json!({"TargetTableName": format!("Restored{cycle}"), "BackupArn": arn});
            kill_during(s, "RestoreTableFromBackup", body, delay(cycle));
        }
        let s = Server::start(dir);
        let mut c = Client::new(s.addr);
        // Every backup that exists is whole.
        let list = call(&mut c, "ListBackups", json!({}));
        for (i, b) in list["BackupSummaries"]
            .as_array()
            .expect("list")
            .iter()
            .enumerate()
        {
            let target = format!("Check{cycle}x{i}");
            call(
                &mut c,
                "RestoreTableFromBackup",
                json!({"TargetTableName": target, "BackupArn": b["BackupArn"]}),
            );
            check_complete(&mut c, &target);
            call(&mut c, "DeleteTable", json!({"TableName": target}));
        }
        // A restore the kill interrupted (its table exists) finishes whole.
        let tables = call(&mut c, "ListTables", json!({}));
        let name = format!("Restored{cycle}");
        if tables["TableNames"]
            .as_array()
            .expect("names")
            .iter()
            .any(|n| n == &json!(name))
        {
            check_complete(&mut c, &name);
            restored += 1;
        }
        server = Some(s);
    }
    println!("{CYCLES} kills; {restored} restores the kill met finished after the restart");
}

#[test]
fn kill_during_create_backup_and_restore() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path());
}
