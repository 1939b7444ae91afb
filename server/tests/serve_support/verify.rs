//! Checks an idle server against the workload's model, then makes what it
//! found the model's new starting point:
//!
//! - the stream records made since the last check, in order, are exactly
//!   each owned item's acknowledged changes — plus, as the last one, the
//!   change of the client's lost request if the server applied it — with
//!   every old image the state before and every new image the state after;
//! - a lost transaction was applied to all its items (and counter) or to
//!   none;
//! - each counter's records chain `n` → `n + 1`, once per increment: every
//!   acknowledged one, no other but lost ones;
//! - a scan of the table is exactly the model's items and counters;
//! - a scan of each index is exactly what the table's items imply;
//! - sequence numbers increase along the stream, and a full re-read
//!   ([`reread_stream`]) finds exactly the records checked so far.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::client::Client;
use super::model::{key_of, string_attr, ClientModel, Counters, Item, Key};
use super::workload::{counter_key, Shape, GSI, LSI, TABLE};

/// The table's stream and how far it has been checked.
#[derive(Debug, Default)]
pub struct StreamCursor {
    arn: String,
    shard: String,
    /// Sequence numbers of every record checked, in stream order.
    pub seen: Vec<u128>,
}

/// What one check covered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checked {
    /// Stream records compared with the model.
    pub records: u64,
    /// Table items compared with the model.
    pub items: u64,
    /// Index entries compared with the table.
    pub index_entries: u64,
    /// Lost requests the server had applied.
    pub lost_applied: u64,
    /// Lost requests the server had not applied.
    pub lost_dropped: u64,
}

impl Checked {
    /// Adds `o` to these counts.
    pub fn add(&mut self, o: &Checked) {
        self.records += o.records;
        self.items += o.items;
        self.index_entries += o.index_entries;
        self.lost_applied += o.lost_applied;
        self.lost_dropped += o.lost_dropped;
    }
}

fn ok(client: &mut Client, target: &str, body: &Value) -> Result<Value, String> {
    let a = client
        .call(target, body)
        .ok_or_else(|| format!("{target}: no answer"))?;
    if a.status != 200 {
        return Err(format!("{target} {body}: {} {}", a.status, a.body));
    }
    Ok(a.body)
}

/// One record, reduced to what the checks need.
struct Rec {
    seq: u128,
    old: Option<Item>,
    new: Option<Item>,
}

impl Rec {
    /// The id of the write that made a counter's record.
    fn counter_writer(&self) -> Option<&str> {
        self.new.as_ref().and_then(|n| string_attr(n, "writer"))
    }
}

fn parse_record(r: &Value) -> Result<(Key, Rec), String> {
    let d = &r["dynamodb"];
    let seq = d["SequenceNumber"]
        .as_str()
        .and_then(|s| s.parse::<u128>().ok())
        .ok_or_else(|| format!("record without a sequence number: {r}"))?;
    let keys = d["Keys"]
        .as_object()
        .ok_or_else(|| format!("record without Keys: {r}"))?;
    let key = key_of(keys).ok_or_else(|| format!("record with bad Keys: {r}"))?;
    let old = d.get("OldImage").and_then(Value::as_object).cloned();
    let new = d.get("NewImage").and_then(Value::as_object).cloned();
    let expected_event = match (&old, &new) {
        (None, Some(_)) => "INSERT",
        (Some(_), Some(_)) => "MODIFY",
        (Some(_), None) => "REMOVE",
        (None, None) => return Err(format!("record with no image: {r}")),
    };
    if r["eventName"] != expected_event || d["StreamViewType"] != "NEW_AND_OLD_IMAGES" {
        return Err(format!("record's event name or view type is wrong: {r}"));
    }
    for image in old.iter().chain(new.iter()) {
        if key_of(image).as_ref() != Some(&key) {
            return Err(format!("record's image is of another item: {r}"));
        }
    }
    Ok((key, Rec { seq, old, new }))
}

/// Reads the stream's records after the last one checked (all of them with
/// `from_start`), a page at a time.
fn read_stream(
    client: &mut Client,
    cursor: &mut StreamCursor,
    from_start: bool,
    mut page_of: impl FnMut(&[Value]) -> Result<(), String>,
) -> Result<(), String> {
    if cursor.arn.is_empty() {
        let t = ok(
            client,
            "DynamoDB_20120810.DescribeTable",
            &json!({"TableName": TABLE}),
        )?;
        cursor.arn = t["Table"]["LatestStreamArn"]
            .as_str()
            .ok_or("table without a stream")?
            .to_string();
        let d = ok(
            client,
            "DynamoDBStreams_20120810.DescribeStream",
            &json!({"StreamArn": cursor.arn}),
        )?;
        cursor.shard = d["StreamDescription"]["Shards"][0]["ShardId"]
            .as_str()
            .ok_or("stream without a shard")?
            .to_string();
    }
    let mut req = json!({"StreamArn": cursor.arn, "ShardId": cursor.shard,
        "ShardIteratorType": "TRIM_HORIZON"});
    if let (false, Some(last)) = (from_start, cursor.seen.last()) {
        req["ShardIteratorType"] = json!("AFTER_SEQUENCE_NUMBER");
        req["SequenceNumber"] = json!(format!("{last:021}"));
    }
    let it = ok(client, "DynamoDBStreams_20120810.GetShardIterator", &req)?;
    let mut iterator = it["ShardIterator"].clone();
    loop {
        let page = ok(
            client,
            "DynamoDBStreams_20120810.GetRecords",
            &json!({"ShardIterator": iterator, "Limit": 1000}),
        )?;
        let rs = page["Records"]
            .as_array()
            .ok_or("GetRecords without Records")?;
        if rs.is_empty() {
            return Ok(());
        }
        page_of(rs)?;
        iterator = page["NextShardIterator"].clone();
        if !iterator.is_string() {
            return Err("open shard without a next iterator".into());
        }
    }
}

/// Reads the whole stream again and checks it holds exactly the records
/// checked so far, once each, in order. Returns how many there are.
pub fn reread_stream(client: &mut Client, cursor: &mut StreamCursor) -> Result<u64, String> {
    let mut seqs = Vec::with_capacity(cursor.seen.len());
    read_stream(client, cursor, true, |page| {
        for r in page {
            seqs.push(parse_record(r)?.1.seq);
        }
        Ok(())
    })?;
    if seqs != cursor.seen {
        let first = seqs
            .iter()
            .zip(&cursor.seen)
            .position(|(a, b)| a != b)
            .unwrap_or(seqs.len().min(cursor.seen.len()));
        return Err(format!(
            "re-reading the stream: {} records, {} checked before; first difference at {first}",
            seqs.len(),
            cursor.seen.len()
        ));
    }
    Ok(seqs.len() as u64)
}

/// Every item of a table or index, by a consistent paged scan.
fn scan(client: &mut Client, index: Option<&str>) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let mut start = Value::Null;
    loop {
        let mut req = json!({"TableName": TABLE, "Limit": 97});
        match index {
            Some(i) => req["IndexName"] = json!(i),
            None => req["ConsistentRead"] = json!(true),
        }
        if !start.is_null() {
            req["ExclusiveStartKey"] = start;
        }
        let page = ok(client, "DynamoDB_20120810.Scan", &req)?;
        let page_items = page["Items"].as_array().ok_or("Scan without Items")?;
        items.extend(page_items.iter().filter_map(Value::as_object).cloned());
        start = page["LastEvaluatedKey"].clone();
        if start.is_null() {
            return Ok(items);
        }
    }
}

/// The entries an index holds for `items`, sorted.
fn index_entries(
    items: &BTreeMap<Key, Item>,
    keys: &[&str],
    include: Option<&[&str]>,
) -> Vec<Item> {
    let mut out: Vec<Item> = items
        .values()
        .filter(|i| keys.iter().all(|k| i.contains_key(*k)))
        .map(|i| match include {
            None => i.clone(),
            Some(extra) => i
                .iter()
                .filter(|(n, _)| {
                    ["pk", "sk"].contains(&n.as_str())
                        || keys.contains(&n.as_str())
                        || extra.contains(&n.as_str())
                })
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect(),
        })
        .collect();
    out.sort_by_key(key_of);
    out
}

fn sorted(mut items: Vec<Item>) -> Vec<Item> {
    items.sort_by_key(key_of);
    items
}

/// Checks the server at `client` against the model, then resets the model
/// to what the server holds. `Err` describes the first disagreement.
pub fn verify(
    client: &mut Client,
    shape: &Shape,
    models: &mut [ClientModel],
    counters: &mut Counters,
    cursor: &mut StreamCursor,
) -> Result<Checked, String> {
    let mut checked = Checked::default();
    let mut by_key: BTreeMap<Key, Vec<Rec>> = BTreeMap::new();
    let mut seqs = Vec::new();
    read_stream(client, cursor, false, |page| {
        for r in page {
            let (key, rec) = parse_record(r)?;
            seqs.push(rec.seq);
            by_key.entry(key).or_default().push(rec);
        }
        Ok(())
    })?;
    let mut prev = cursor.seen.last().copied();
    for &seq in &seqs {
        if let Some(p) = prev.filter(|&p| seq <= p) {
            return Err(format!("stream sequence number {seq} after {p}"));
        }
        prev = Some(seq);
    }
    checked.records = seqs.len() as u64;
    cursor.seen.extend(seqs);

    // Owned items: the records are the acknowledged changes, then maybe
    // the lost one.
    let mut state: BTreeMap<Key, Item> = BTreeMap::new();
    for m in models.iter_mut() {
        let mut lost_applied: BTreeMap<Key, bool> = BTreeMap::new();
        for (key, owned) in m.items.iter_mut() {
            let recs = by_key.remove(key).unwrap_or_default();
            let mut expected: Vec<_> = owned.acked.iter().collect();
            let applied = match (&owned.lost, recs.len()) {
                (Some(l), n) if n == expected.len() + 1 => {
                    expected.push(l);
                    Some(true)
                }
                (lost, n) if n == expected.len() => lost.as_ref().map(|_| false),
                (lost, n) => {
                    return Err(format!(
                        "{key:?}: {n} stream records for {} acknowledged changes (lost one: {})",
                        expected.len(),
                        lost.is_some()
                    ))
                }
            };
            if let Some(a) = applied {
                lost_applied.insert(key.clone(), a);
            }
            let mut before = owned.verified.clone();
            for (rec, change) in recs.iter().zip(&expected) {
                if rec.old != before || rec.new != change.new {
                    return Err(format!(
                        "{key:?}: record {} is {:?} -> {:?}, expected {before:?} -> {:?} (write {})",
                        rec.seq, rec.old, rec.new, change.new, change.w
                    ));
                }
                before = rec.new.clone();
            }
            if let Some(item) = &before {
                state.insert(key.clone(), item.clone());
            }
            owned.verified = before;
            owned.acked.clear();
            owned.lost = None;
        }
        // A lost request: all of its changes or none.
        if let Some(lost) = m.lost.take() {
            let mut outcomes: BTreeSet<bool> = lost
                .keys
                .iter()
                .filter_map(|k| lost_applied.get(k).copied())
                .collect();
            if let Some(c) = &lost.counter {
                let in_counter = by_key.get(c).is_some_and(|rs| {
                    rs.iter()
                        .any(|r| r.counter_writer() == Some(lost.w.as_str()))
                });
                outcomes.insert(in_counter);
            }
            if outcomes.len() > 1 {
                return Err(format!(
                    "lost write {} applied to some of its items only: {lost_applied:?}",
                    lost.w
                ));
            }
            match outcomes.first() {
                Some(true) => checked.lost_applied += 1,
                Some(false) => checked.lost_dropped += 1,
                None => {}
            }
        }
    }

    // Counters: one record per increment, chained.
    for i in 0..shape.counters {
        let key = counter_key(i);
        let counter = counters.entry(key.clone()).or_default();
        let recs = by_key.remove(&key).unwrap_or_default();
        let mut before = counter.verified.clone();
        let mut ws = BTreeSet::new();
        for rec in &recs {
            let n = |i: &Option<Item>| {
                i.as_ref()
                    .and_then(|i| i.get("n")?["N"].as_str()?.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            let w = rec.counter_writer().unwrap_or_default().to_string();
            if rec.old != before || n(&rec.new) != n(&before) + 1 || !ws.insert(w.clone()) {
                return Err(format!(
                    "counter {key:?}: record {} is {:?} -> {:?} after {before:?}",
                    rec.seq, rec.old, rec.new
                ));
            }
            if !counter.acked.contains(&w) && !counter.lost.contains(&w) {
                return Err(format!("counter {key:?}: increment {w} was never sent"));
            }
            before = rec.new.clone();
        }
        if let Some(missing) = counter.acked.difference(&ws).next() {
            return Err(format!(
                "counter {key:?}: acknowledged increment {missing} has no record"
            ));
        }
        if let Some(item) = &before {
            state.insert(key.clone(), item.clone());
        }
        counter.verified = before;
        counter.acked.clear();
        counter.lost.clear();
    }
    if let Some((key, recs)) = by_key.into_iter().next() {
        return Err(format!(
            "{} stream records of unknown item {key:?}",
            recs.len()
        ));
    }

    // The table is the model; the indexes are the table.
    let table = sorted(scan(client, None)?);
    let expected: Vec<Item> = state.values().cloned().collect();
    if table != expected {
        let diff = table
            .iter()
            .zip(&expected)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("server {a:?}, model {b:?}"))
            .unwrap_or_default();
        return Err(format!(
            "table holds {} items, the model {}; first difference: {diff}",
            table.len(),
            expected.len()
        ));
    }
    checked.items = table.len() as u64;
    for (index, keys, include) in [
        (GSI, &["g", "gs"][..], None),
        (LSI, &["l"][..], Some(&["w"][..])),
    ] {
        let entries = sorted(scan(client, Some(index))?);
        let implied = index_entries(&state, keys, include);
        if entries != implied {
            return Err(format!(
                "index {index} holds {} entries, the table implies {}",
                entries.len(),
                implied.len()
            ));
        }
        checked.index_entries += entries.len() as u64;
    }
    Ok(checked)
}
