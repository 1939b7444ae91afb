//! The mixed workload: a table with a global and a local secondary index
//! and a NEW_AND_OLD_IMAGES stream, written by concurrent clients with
//! PutItem, DeleteItem (each conditional half of the time), conditional
//! UpdateItem and TransactWriteItems (some with conditions made to fail),
//! shared counters incremented by everyone, and reads checked against the
//! model as they go.
//!
//! Every item a client writes carries its write id `w`, a version `v`, a
//! `fill` of random length, and — each with probability 0.7 — the global
//! index's keys `g`, `gs` and the local index's sort key `l`, so writes
//! move, add and remove index entries.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::client::{Answer, Client};
use super::model::{
    key_item, string_attr, Change, ClientModel, Counters, Item, Key, Lost, Owned, Tally,
};

/// The table's name.
pub const TABLE: &str = "Torture";
/// The global secondary index: hash `g` (S), range `gs` (N), all attributes.
pub const GSI: &str = "ByGroup";
/// The local secondary index: range `l` (N), projecting `w`.
pub const LSI: &str = "ByLevel";
/// Partition key of the shared counters.
pub const COUNTER_PK: &str = "counter";

/// The size of the workload.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Concurrent clients.
    pub clients: usize,
    /// Partitions each client owns.
    pub partitions: usize,
    /// Items in each of those partitions.
    pub per_partition: usize,
    /// Shared counters.
    pub counters: usize,
    /// Longest `fill` of an ordinary write, in bytes.
    pub fill: usize,
    /// Longest `fill` of the one write in 50 that is large.
    pub big_fill: usize,
}

/// What the clients share while they run.
pub struct Run {
    /// The server.
    pub addr: SocketAddr,
    /// The workload's size.
    pub shape: Shape,
    /// Set before the server is killed: a broken connection is then
    /// expected, and the client stops.
    pub killing: AtomicBool,
    /// Set to make the clients stop after their current request.
    pub stop: AtomicBool,
    /// The shared counters.
    pub counters: Arc<Mutex<Counters>>,
    /// Defects found, described.
    pub failures: Arc<Mutex<Vec<String>>>,
}

impl Run {
    /// A run of the clients against the server at `addr`.
    pub fn new(addr: SocketAddr, shape: Shape, counters: Arc<Mutex<Counters>>) -> Arc<Run> {
        Arc::new(Run {
            addr,
            shape,
            killing: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            counters,
            failures: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// The defects found so far.
    pub fn failures(&self) -> Vec<String> {
        self.failures.lock().expect("failures").clone()
    }

    fn fail(&self, what: String) {
        self.failures.lock().expect("failures").push(what);
    }
}

/// The key of counter `i`.
pub fn counter_key(i: usize) -> Key {
    (COUNTER_PK.to_string(), format!("n{i}"))
}

/// Creates the table, its indexes and its stream.
pub fn create_table(client: &mut Client) {
    let a = client
        .call(
            "DynamoDB_20120810.CreateTable",
            &json!({
                "TableName": TABLE,
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                    {"AttributeName": "g", "AttributeType": "S"},
                    {"AttributeName": "gs", "AttributeType": "N"},
                    {"AttributeName": "l", "AttributeType": "N"}
                ],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"}
                ],
                "GlobalSecondaryIndexes": [{
                    "IndexName": GSI,
                    "KeySchema": [
                        {"AttributeName": "g", "KeyType": "HASH"},
                        {"AttributeName": "gs", "KeyType": "RANGE"}
                    ],
                    "Projection": {"ProjectionType": "ALL"}
                }],
                "LocalSecondaryIndexes": [{
                    "IndexName": LSI,
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "l", "KeyType": "RANGE"}
                    ],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["w"]}
                }],
                "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            }),
        )
        .expect("CreateTable answered");
    assert_eq!(a.status, 200, "CreateTable: {}", a.body);
}

/// Whether a request ended with an answer or with a broken connection.
enum Step {
    Answered,
    Lost,
}

/// Runs one client until its connection breaks (the server died) or
/// `run.stop` is set. A connection that breaks while the server is not
/// being killed is a defect.
pub fn run_client(run: &Run, m: &mut ClientModel) {
    let mut client = Client::new(run.addr);
    while !run.stop.load(Ordering::SeqCst) {
        let step = match m.rng.u32(0..100) {
            0..20 => put_or_delete(run, &mut client, m, false),
            20..32 => put_or_delete(run, &mut client, m, true),
            32..55 => update(run, &mut client, m),
            55..75 => transaction(run, &mut client, m),
            75..85 => increment(run, &mut client, m),
            85..93 => get(run, &mut client, m),
            _ => query(run, &mut client, m),
        };
        if let Step::Lost = step {
            if !run.killing.load(Ordering::SeqCst) {
                run.fail(format!(
                    "client {}: connection broke while the server was up",
                    m.id
                ));
            }
            return;
        }
    }
}

/// A new state of the item at `key`, written by `w`: every attribute
/// chosen afresh.
fn fresh_item(m: &mut ClientModel, shape: &Shape, key: &Key, w: &str) -> Item {
    let mut item = key_item(key);
    item.insert("w".into(), json!({"S": w}));
    item.insert("v".into(), json!({"N": m.seq.to_string()}));
    item.insert("fill".into(), json!({"S": fill(m, shape)}));
    if m.rng.u32(0..10) < 7 {
        item.insert("g".into(), json!({"S": format!("g{}", m.rng.u32(0..8))}));
        item.insert("gs".into(), json!({"N": m.rng.u32(0..1000).to_string()}));
    }
    if m.rng.u32(0..10) < 7 {
        item.insert("l".into(), json!({"N": m.rng.u32(0..1000).to_string()}));
    }
    item
}

fn fill(m: &mut ClientModel, shape: &Shape) -> String {
    let len = if m.rng.u32(0..50) == 0 {
        m.rng.usize(0..=shape.big_fill)
    } else {
        m.rng.usize(0..=shape.fill)
    };
    let c = char::from(b'a' + m.rng.u8(0..26));
    std::iter::repeat_n(c, len).collect()
}

/// The condition that holds exactly when the item is in state `prev`
/// (write ids are unique), and its values.
fn holds_at(prev: Option<&Item>) -> (String, Value) {
    match prev.and_then(|p| string_attr(p, "w")) {
        Some(w) => ("w = :prev".into(), json!({":prev": {"S": w}})),
        None => ("attribute_not_exists(pk)".into(), json!({})),
    }
}

/// A condition that never holds: no write has this id.
fn never_holds() -> (String, Value) {
    ("w = :prev".into(), json!({":prev": {"S": "never-written"}}))
}

/// Puts `b`'s members into `a`.
fn merge(a: &mut Value, b: Value) {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
}

fn attrs_or_none(a: &Answer, member: &str) -> Option<Item> {
    a.body.get(member).and_then(Value::as_object).cloned()
}

/// Records a change whose answer was lost.
fn lose(m: &mut ClientModel, w: String, changes: Vec<(Key, Option<Item>)>, counter: Option<Key>) {
    let keys = changes.iter().map(|(k, _)| k.clone()).collect();
    for (k, new) in changes {
        let owned = m.items.get_mut(&k).expect("owned key");
        owned.lost = Some(Change { w: w.clone(), new });
    }
    m.lost = Some(Lost { w, keys, counter });
}

fn ack(m: &mut ClientModel, w: &str, key: &Key, new: Option<Item>) {
    let owned: &mut Owned = m.items.get_mut(key).expect("owned key");
    owned.acked.push(Change {
        w: w.to_string(),
        new,
    });
}

/// Whether an error answer means the write was not executed for a reason
/// other than its condition — a conflicting transaction or throttling —
/// counting it if so.
fn refused(a: &Answer, tally: &mut Tally) -> bool {
    let conflict = match a.error_type() {
        "TransactionConflictException" => true,
        "TransactionCanceledException" => a.body["CancellationReasons"]
            .as_array()
            .is_some_and(|rs| rs.iter().any(|r| r["Code"] == "TransactionConflict")),
        "ThrottlingException" => {
            tally.throttled += 1;
            return true;
        }
        _ => false,
    };
    tally.conflicts += u64::from(conflict);
    conflict
}

/// PutItem (or, with `delete`, DeleteItem) of a random owned item, half
/// of the time on the condition that it is as the model says; the old
/// image it returns is compared with the model.
fn put_or_delete(run: &Run, client: &mut Client, m: &mut ClientModel, delete: bool) -> Step {
    let key = m.pick();
    let prev = m.items[&key].current().cloned();
    let w = m.next_w();
    let (op, mut req, new) = if delete {
        let req = json!({"TableName": TABLE, "Key": key_item(&key), "ReturnValues": "ALL_OLD"});
        ("DeleteItem", req, None)
    } else {
        let item = fresh_item(m, &run.shape, &key, &w);
        let req = json!({"TableName": TABLE, "Item": item, "ReturnValues": "ALL_OLD"});
        ("PutItem", req, Some(item))
    };
    if m.rng.bool() {
        let (cond, values) = holds_at(prev.as_ref());
        merge(&mut req, json!({"ConditionExpression": cond}));
        if values.as_object().is_some_and(|v| !v.is_empty()) {
            merge(&mut req, json!({"ExpressionAttributeValues": values}));
        }
    }
    // Deleting an absent item changes nothing either way.
    let change = (new.is_some() || prev.is_some()).then(|| (key.clone(), new));
    let Some(a) = client.call(&format!("DynamoDB_20120810.{op}"), &req) else {
        lose(m, w, change.into_iter().collect(), None);
        return Step::Lost;
    };
    if a.status != 200 {
        if !refused(&a, &mut m.tally) {
            run.fail(format!("{op} {key:?}: {} {}", a.status, a.body));
        }
        return Step::Answered;
    }
    if attrs_or_none(&a, "Attributes") != prev {
        run.fail(format!(
            "{op} {key:?} returned old image {} but the item was {prev:?}",
            a.body
        ));
    }
    if let Some((key, new)) = change {
        ack(m, &w, &key, new);
    }
    if delete {
        m.tally.deletes += 1;
    } else {
        m.tally.puts += 1;
    }
    Step::Answered
}

/// An update expression writing `w` over `prev` (or over nothing), its
/// values, and the item it leads to. The fill is kept half of the time; the
/// index keys are set or removed.
fn update_of(
    m: &mut ClientModel,
    shape: &Shape,
    key: &Key,
    prev: Option<&Item>,
    w: &str,
) -> (String, Value, Item) {
    let fresh = fresh_item(m, shape, key, w);
    let mut new = prev.cloned().unwrap_or_else(|| key_item(key));
    let mut sets = vec!["w = :w", "v = :v"];
    let mut removes = Vec::new();
    let mut values = json!({":w": fresh["w"], ":v": fresh["v"]});
    new.insert("w".into(), fresh["w"].clone());
    new.insert("v".into(), fresh["v"].clone());
    if prev.is_none() || m.rng.bool() {
        sets.push("fill = :fill");
        merge(&mut values, json!({":fill": fresh["fill"]}));
        new.insert("fill".into(), fresh["fill"].clone());
    }
    if let (Some(g), Some(gs)) = (fresh.get("g"), fresh.get("gs")) {
        sets.push("g = :g");
        sets.push("gs = :gs");
        merge(&mut values, json!({":g": g, ":gs": gs}));
        new.insert("g".into(), g.clone());
        new.insert("gs".into(), gs.clone());
    } else {
        removes.extend(["g", "gs"]);
        new.remove("g");
        new.remove("gs");
    }
    if let Some(l) = fresh.get("l") {
        sets.push("l = :l");
        merge(&mut values, json!({":l": l}));
        new.insert("l".into(), l.clone());
    } else {
        removes.push("l");
        new.remove("l");
    }
    let mut expr = format!("SET {}", sets.join(", "));
    if !removes.is_empty() {
        expr.push_str(&format!(" REMOVE {}", removes.join(", ")));
    }
    (expr, values, new)
}

fn update(run: &Run, client: &mut Client, m: &mut ClientModel) -> Step {
    let key = m.pick();
    let prev = m.items[&key].current().cloned();
    let w = m.next_w();
    let (expr, mut values, new) = update_of(m, &run.shape, &key, prev.as_ref(), &w);
    let doomed = m.rng.u32(0..10) == 0;
    let (cond, cond_values) = if doomed {
        never_holds()
    } else {
        holds_at(prev.as_ref())
    };
    merge(&mut values, cond_values);
    let req = json!({
        "TableName": TABLE, "Key": key_item(&key),
        "UpdateExpression": expr, "ConditionExpression": cond,
        "ExpressionAttributeValues": values,
        "ReturnValues": "ALL_NEW",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    });
    let Some(a) = client.call("DynamoDB_20120810.UpdateItem", &req) else {
        if !doomed {
            lose(m, w, vec![(key, Some(new))], None);
        }
        return Step::Lost;
    };
    match (doomed, a.status) {
        (false, 200) => {
            if attrs_or_none(&a, "Attributes").as_ref() != Some(&new) {
                run.fail(format!(
                    "UpdateItem {key:?} returned {} but the model expects {new:?}",
                    a.body
                ));
            }
            ack(m, &w, &key, Some(new));
            m.tally.updates += 1;
        }
        (true, 400) if a.error_type() == "ConditionalCheckFailedException" => {
            if attrs_or_none(&a, "Item") != prev {
                run.fail(format!(
                    "failed UpdateItem {key:?} returned {} but the item was {prev:?}",
                    a.body
                ));
            }
            m.tally.condition_failures += 1;
        }
        _ if refused(&a, &mut m.tally) => {}
        _ => run.fail(format!(
            "UpdateItem {key:?} (condition made to fail: {doomed}): {} {}",
            a.status, a.body
        )),
    }
    Step::Answered
}

fn transaction(run: &Run, client: &mut Client, m: &mut ClientModel) -> Step {
    let n = m.rng.usize(2..=4);
    let keys = m.pick_distinct(n);
    let w = m.next_w();
    let doomed = (m.rng.u32(0..10) == 0).then(|| m.rng.usize(..keys.len()));
    let mut actions = Vec::new();
    let mut changes: Vec<(Key, Option<Item>)> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let prev = m.items[key].current().cloned();
        let (cond, cond_values) = if doomed == Some(i) {
            never_holds()
        } else {
            holds_at(prev.as_ref())
        };
        let conditional = doomed == Some(i) || m.rng.bool();
        let mut action = match m.rng.u32(0..4) {
            0 => {
                let item = fresh_item(m, &run.shape, key, &w);
                changes.push((key.clone(), Some(item.clone())));
                json!({"Put": {"TableName": TABLE, "Item": item}})
            }
            1 => {
                let (expr, values, new) = update_of(m, &run.shape, key, prev.as_ref(), &w);
                changes.push((key.clone(), Some(new)));
                json!({"Update": {"TableName": TABLE, "Key": key_item(key),
                    "UpdateExpression": expr, "ExpressionAttributeValues": values}})
            }
            2 if prev.is_some() => {
                changes.push((key.clone(), None));
                json!({"Delete": {"TableName": TABLE, "Key": key_item(key)}})
            }
            _ => json!({"ConditionCheck": {"TableName": TABLE, "Key": key_item(key),
                "ConditionExpression": cond, "ExpressionAttributeValues": {}}}),
        };
        let op = action
            .as_object_mut()
            .and_then(|o| o.values_mut().next())
            .expect("one action");
        if op.get("ConditionExpression").is_some() || conditional {
            op["ConditionExpression"] = json!(cond);
            let mut values = op
                .get("ExpressionAttributeValues")
                .cloned()
                .unwrap_or(json!({}));
            merge(&mut values, cond_values);
            if values.as_object().is_some_and(|v| v.is_empty()) {
                op.as_object_mut()
                    .expect("object")
                    .remove("ExpressionAttributeValues");
            } else {
                op["ExpressionAttributeValues"] = values;
            }
        }
        actions.push(action);
    }
    let counter = (m.rng.u32(0..10) < 3).then(|| counter_key(m.rng.usize(..run.shape.counters)));
    if let Some(c) = &counter {
        actions.push(json!({"Update": {"TableName": TABLE, "Key": key_item(c),
            "UpdateExpression": "ADD n :one SET writer = :w",
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":w": {"S": w}}}}));
    }
    let req = json!({"TransactItems": actions});
    let Some(a) = client.call("DynamoDB_20120810.TransactWriteItems", &req) else {
        if doomed.is_none() {
            if let Some(c) = &counter {
                let mut counters = run.counters.lock().expect("counters");
                counters
                    .entry(c.clone())
                    .or_default()
                    .lost
                    .insert(w.clone());
            }
            lose(m, w, changes, counter);
        }
        return Step::Lost;
    };
    match (doomed, a.status) {
        (None, 200) => {
            for (key, new) in changes {
                ack(m, &w, &key, new);
            }
            if let Some(c) = counter {
                let mut counters = run.counters.lock().expect("counters");
                counters.entry(c).or_default().acked.insert(w);
            }
            m.tally.transactions += 1;
        }
        (Some(i), 400) if a.error_type() == "TransactionCanceledException" => {
            let codes: Vec<&str> = a.body["CancellationReasons"]
                .as_array()
                .map(|rs| {
                    rs.iter()
                        .map(|r| r["Code"].as_str().unwrap_or(""))
                        .collect()
                })
                .unwrap_or_default();
            let expected: Vec<&str> = (0..actions.len())
                .map(|j| {
                    if j == i {
                        "ConditionalCheckFailed"
                    } else {
                        "None"
                    }
                })
                .collect();
            if codes != expected && !refused(&a, &mut m.tally) {
                run.fail(format!(
                    "cancelled transaction: reasons {codes:?}, expected {expected:?}"
                ));
            }
            m.tally.cancelled += 1;
        }
        _ if refused(&a, &mut m.tally) => {}
        _ => run.fail(format!(
            "TransactWriteItems (condition made to fail: {doomed:?}): {} {}",
            a.status, a.body
        )),
    }
    Step::Answered
}

fn increment(run: &Run, client: &mut Client, m: &mut ClientModel) -> Step {
    let c = counter_key(m.rng.usize(..run.shape.counters));
    let w = m.next_w();
    let req = json!({"TableName": TABLE, "Key": key_item(&c),
        "UpdateExpression": "ADD n :one SET writer = :w",
        "ExpressionAttributeValues": {":one": {"N": "1"}, ":w": {"S": w}}});
    let answer = client.call("DynamoDB_20120810.UpdateItem", &req);
    match &answer {
        None => {
            let mut counters = run.counters.lock().expect("counters");
            counters
                .entry(c.clone())
                .or_default()
                .lost
                .insert(w.clone());
            m.lost = Some(Lost {
                w,
                keys: Vec::new(),
                counter: Some(c),
            });
            return Step::Lost;
        }
        Some(a) if a.status == 200 => {
            let mut counters = run.counters.lock().expect("counters");
            counters.entry(c).or_default().acked.insert(w);
            m.tally.increments += 1;
        }
        Some(a) if refused(a, &mut m.tally) => {}
        Some(a) => run.fail(format!("counter UpdateItem: {} {}", a.status, a.body)),
    }
    Step::Answered
}

fn get(run: &Run, client: &mut Client, m: &mut ClientModel) -> Step {
    let key = m.pick();
    let req = json!({"TableName": TABLE, "Key": key_item(&key), "ConsistentRead": true});
    let Some(a) = client.call("DynamoDB_20120810.GetItem", &req) else {
        return Step::Lost;
    };
    let expected = m.items[&key].current();
    if a.status != 200 || attrs_or_none(&a, "Item").as_ref() != expected {
        run.fail(format!(
            "GetItem {key:?}: {} {} but the model has {expected:?}",
            a.status, a.body
        ));
    }
    m.tally.reads += 1;
    Step::Answered
}

/// A consistent Query of one of the client's partitions, compared with the
/// model; or a Query of the global index, whose answer is only checked to
/// be one (other clients write it meanwhile).
fn query(run: &Run, client: &mut Client, m: &mut ClientModel) -> Step {
    if m.rng.bool() {
        let g = format!("g{}", m.rng.u32(0..8));
        let req = json!({"TableName": TABLE, "IndexName": GSI,
            "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": g}},
            "Limit": 50});
        let Some(a) = client.call("DynamoDB_20120810.Query", &req) else {
            return Step::Lost;
        };
        if a.status != 200 {
            run.fail(format!("Query of {GSI}: {} {}", a.status, a.body));
        }
        return Step::Answered;
    }
    let pk = m.pick().0;
    let req = json!({"TableName": TABLE, "ConsistentRead": true,
        "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": pk}}});
    let Some(a) = client.call("DynamoDB_20120810.Query", &req) else {
        return Step::Lost;
    };
    let expected: Vec<Value> = m
        .items
        .iter()
        .filter(|(k, _)| k.0 == pk)
        .filter_map(|(_, o)| o.current().cloned().map(Value::Object))
        .collect();
    if a.status != 200 || a.body["Items"] != Value::Array(expected.clone()) {
        run.fail(format!(
            "Query of partition {pk}: {} {} but the model has {expected:?}",
            a.status, a.body
        ));
    }
    m.tally.reads += 1;
    Step::Answered
}

/// Runs one thread per client model, each running [`run_client`], calls
/// `meanwhile` (which must make them end: set `run.stop`, or set
/// `run.killing` and kill the server), and returns the models when every
/// client has ended.
pub fn drive_clients(
    run: &Arc<Run>,
    models: Vec<ClientModel>,
    meanwhile: impl FnOnce(),
) -> Vec<ClientModel> {
    let clients: Vec<_> = models
        .into_iter()
        .map(|mut m| {
            let run = run.clone();
            std::thread::spawn(move || {
                run_client(&run, &mut m);
                m
            })
        })
        .collect();
    meanwhile();
    clients
        .into_iter()
        .map(|c| c.join().expect("client thread"))
        .collect()
}
