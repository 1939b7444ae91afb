//! Random histories of item writes (PutItem, UpdateItem, DeleteItem,
//! BatchWriteItem, TransactWriteItems) on a table with two global and one
//! local secondary index — one global index keyed by multi-attribute keys
//! (two HASH and two RANGE attributes) — with flushes, clean reopens and
//! power cuts on the in-memory file system, checked against a model: the
//! table must hold the model's items, and every read of an index — Query of
//! each partition (paged, both directions, and on the multi-attribute index
//! with sort key conditions left to right), Scan, and a local-index Query
//! fetching whole items — must return exactly what filtering, projecting
//! and sorting the table's items gives.
//!
//! Crash rule: with synchronous writes nothing acknowledged is lost; with
//! them off, the recovered table is the model after some prefix of the
//! writes since the last durable point (each write — a batch or a
//! transaction included — whole or not at all), and the indexes agree with
//! whatever the table recovered to.
//!
//! `PROPTEST_CASES` overrides the number of cases (default 24).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError, TestRunner};
use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::fs::{FaultFs, MemFs};
use siltdb::low_level::dynamo::keycodec::{
    encode_key_value, encode_primary_key, hash_prefix, ScalarAttributeType,
};
use siltdb::low_level::sstable::TableOptions;
use siltdb::CompactionOptions;
use siltdb::{AttributeValue, Item, Options};

const DIR: &str = "/idx";
const T: &str = "model";
const GSI: &str = "byG";
const LSI: &str = "byL";
/// The global index with multi-attribute keys: HASH `gk`, `ls`; RANGE
/// `gs`, `v`; keys only.
const MULTI: &str = "byM";
const PARTITIONS: u8 = 4;
const SORT_KEYS: u8 = 6;

/// The attributes a write can set besides the key. `gk`/`gs` are the
/// global index's keys, `ls` the local index's sort key, `v` is projected
/// into the global index, `w` into neither.
const FIELDS: [&str; 5] = ["gk", "gs", "ls", "v", "w"];

fn field_value(field: usize, n: u8) -> AttributeValue {
    match FIELDS[field] {
        "gk" => s(["x", "y", "z"][n as usize % 3]),
        "gs" | "v" => AttributeValue::N((i64::from(n % 5)).into()),
        "ls" => s(["a", "b", "c"][n as usize % 3]),
        _ => s(&format!("w{}", n % 4)),
    }
}

type Key = (u8, u8);

fn key_item((p, k): Key) -> Item {
    item(&[("pk", s(&format!("p{p}"))), ("sk", n(k.to_string()))])
}

/// Sets (`Some`) and removals (`None`) of fields.
type Changes = Vec<(usize, Option<u8>)>;

#[derive(Debug, Clone)]
enum Write {
    Put(Key, Vec<(usize, u8)>),
    /// At least one set, so an update of a missing item creates it.
    Update(Key, Changes),
    Delete(Key),
}

#[derive(Debug, Clone)]
enum Op {
    One(Write),
    /// BatchWriteItem: puts and deletes of distinct keys.
    Batch(Vec<Write>),
    /// TransactWriteItems: puts, updates and deletes of distinct keys.
    Transact(Vec<Write>),
    Flush,
    Check,
    Reopen,
    Crash,
}

fn key_strategy() -> impl Strategy<Value = Key> {
    (0..PARTITIONS, 0..SORT_KEYS)
}

fn put_strategy() -> impl Strategy<Value = Write> {
    (
        key_strategy(),
        prop::collection::vec((0..FIELDS.len(), any::<u8>()), 0..5),
    )
        .prop_map(|(k, sets)| Write::Put(k, sets))
}

/// A put that sets every key attribute of the multi-attribute index (so
/// its partitions hold several entries whose order the checks see).
fn full_put_strategy() -> impl Strategy<Value = Write> {
    (
        key_strategy(),
        prop::array::uniform4(any::<u8>()),
        prop::collection::vec((0..FIELDS.len(), any::<u8>()), 0..2),
    )
        .prop_map(|(k, [g, l, gs, v], more)| {
            let field = |name: &str| FIELDS.iter().position(|f| *f == name).unwrap_or(0);
            let mut sets = vec![
                (field("gk"), g),
                (field("ls"), l),
                (field("gs"), gs),
                (field("v"), v),
            ];
            sets.extend(more);
            Write::Put(k, sets)
        })
}

fn update_strategy() -> impl Strategy<Value = Write> {
    (
        key_strategy(),
        (0..FIELDS.len(), any::<u8>()),
        prop::collection::vec((0..FIELDS.len(), prop::option::of(any::<u8>())), 0..3),
    )
        .prop_map(|(k, (f, v), more)| {
            // One change per field (an update may not name a path twice).
            let mut changes: Changes = vec![(f, Some(v))];
            for (f, v) in more {
                if !changes.iter().any(|(g, _)| *g == f) {
                    changes.push((f, v));
                }
            }
            Write::Update(k, changes)
        })
}

fn write_strategy() -> impl Strategy<Value = Write> {
    prop_oneof![
        4 => put_strategy(),
        3 => full_put_strategy(),
        3 => update_strategy(),
        2 => key_strategy().prop_map(Write::Delete),
    ]
}

fn distinct(writes: Vec<Write>) -> Vec<Write> {
    let mut seen = BTreeSet::new();
    writes
        .into_iter()
        .filter(|w| seen.insert(write_key(w)))
        .collect()
}

fn write_key(w: &Write) -> Key {
    match w {
        Write::Put(k, _) | Write::Update(k, _) | Write::Delete(k) => *k,
    }
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let batch_write = prop_oneof![
        put_strategy(),
        full_put_strategy(),
        key_strategy().prop_map(Write::Delete)
    ];
    prop_oneof![
        30 => write_strategy().prop_map(Op::One),
        5 => prop::collection::vec(batch_write, 1..8).prop_map(|w| Op::Batch(distinct(w))),
        5 => prop::collection::vec(write_strategy(), 1..6).prop_map(|w| Op::Transact(distinct(w))),
        2 => Just(Op::Flush),
        3 => Just(Op::Check),
        1 => Just(Op::Reopen),
        2 => Just(Op::Crash),
    ]
}

#[derive(Debug, Clone)]
struct Config {
    sync: bool,
    write_buffer_size: usize,
    /// Page size of the paged index reads.
    limit: i64,
}

fn config_strategy() -> impl Strategy<Value = Config> {
    (any::<bool>(), 4usize..=16, 1i64..=4).prop_map(|(sync, kib, limit)| Config {
        sync,
        write_buffer_size: kib << 10,
        limit,
    })
}

fn options(fs: &FaultFs, cfg: &Config) -> Options {
    Options {
        fs: Arc::new(fs.clone()),
        sync: cfg.sync,
        write_buffer_size: cfg.write_buffer_size,
        table: TableOptions {
            block_size: 512,
            write_chunk: 4096,
            bytes_per_sync: 8192,
            ..TableOptions::default()
        },
        compaction: CompactionOptions {
            base_level_bytes: 64 << 10,
            target_file_size: 16 << 10,
            l0_compaction_trigger: 2,
            ..CompactionOptions::default()
        },
        block_cache_bytes: 32 << 10,
        background_write_rate: 0,
        ..Options::default()
    }
}

fn table_input() -> CreateTableInput {
    use ScalarAttributeType::{N, S};
    let def = |name: &str, ty| AttributeDefinition {
        attribute_name: name.into(),
        attribute_type: ty,
    };
    let ks = |h: &str, r: &str| {
        vec![
            KeySchemaElement {
                attribute_name: h.into(),
                key_type: KeyType::Hash,
            },
            KeySchemaElement {
                attribute_name: r.into(),
                key_type: KeyType::Range,
            },
        ]
    };
    CreateTableInput {
        table_name: T.into(),
        attribute_definitions: vec![
            def("pk", S),
            def("sk", N),
            def("gk", S),
            def("gs", N),
            def("ls", S),
            def("v", N),
        ],
        key_schema: ks("pk", "sk"),
        billing_mode: Some(BillingMode::PayPerRequest),
        local_secondary_indexes: Some(vec![LocalSecondaryIndex {
            index_name: LSI.into(),
            key_schema: ks("pk", "ls"),
            projection: Projection {
                projection_type: Some(ProjectionType::KeysOnly),
                non_key_attributes: None,
            },
        }]),
        global_secondary_indexes: Some(vec![
            GlobalSecondaryIndex {
                index_name: GSI.into(),
                key_schema: ks("gk", "gs"),
                projection: Projection {
                    projection_type: Some(ProjectionType::Include),
                    non_key_attributes: Some(vec!["v".into()]),
                },
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            },
            GlobalSecondaryIndex {
                index_name: MULTI.into(),
                key_schema: [
                    ("gk", KeyType::Hash),
                    ("ls", KeyType::Hash),
                    ("gs", KeyType::Range),
                    ("v", KeyType::Range),
                ]
                .into_iter()
                .map(|(name, key_type)| KeySchemaElement {
                    attribute_name: name.into(),
                    key_type,
                })
                .collect(),
                projection: Projection {
                    projection_type: Some(ProjectionType::KeysOnly),
                    non_key_attributes: None,
                },
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            },
        ]),
        ..Default::default()
    }
}

type Model = BTreeMap<Key, Item>;

/// Applies `w` to the model.
fn apply(model: &mut Model, w: &Write) {
    match w {
        Write::Put(k, sets) => {
            let mut it = key_item(*k);
            for (f, v) in sets {
                it.insert(FIELDS[*f].to_string(), field_value(*f, *v));
            }
            model.insert(*k, it);
        }
        Write::Update(k, changes) => {
            let it = model.entry(*k).or_insert_with(|| key_item(*k));
            for (f, v) in changes {
                match v {
                    Some(v) => {
                        it.insert(FIELDS[*f].to_string(), field_value(*f, *v));
                    }
                    None => {
                        it.remove(FIELDS[*f]);
                    }
                }
            }
        }
        Write::Delete(k) => {
            model.remove(k);
        }
    }
}

fn put_item(k: Key, sets: &[(usize, u8)]) -> Item {
    let mut m = Model::new();
    apply(&mut m, &Write::Put(k, sets.to_vec()));
    m.remove(&k).unwrap_or_default()
}

/// `UpdateExpression`, names and values of an update.
fn update_parts(changes: &Changes) -> (String, HashMap<String, String>, AttributeValues) {
    let mut sets = Vec::new();
    let mut removes = Vec::new();
    let mut names = HashMap::new();
    let mut vals = AttributeValues::new();
    for (f, v) in changes {
        names.insert(format!("#f{f}"), FIELDS[*f].to_string());
        match v {
            Some(v) => {
                sets.push(format!("#f{f} = :v{f}"));
                vals.insert(format!(":v{f}"), field_value(*f, *v));
            }
            None => removes.push(format!("#f{f}")),
        }
    }
    let mut expr = format!("SET {}", sets.join(", "));
    if !removes.is_empty() {
        expr.push_str(&format!(" REMOVE {}", removes.join(", ")));
    }
    (expr, names, vals)
}

fn run_write(db: &DynamoDb, w: &Write) {
    match w {
        Write::Put(k, sets) => put(db, T, put_item(*k, sets)),
        Write::Update(k, changes) => {
            let (expr, names, vals) = update_parts(changes);
            db.update_item(UpdateItemInput {
                table_name: T.into(),
                key: key_item(*k),
                update_expression: Some(expr),
                expression_attribute_names: Some(names),
                expression_attribute_values: Some(vals),
                ..Default::default()
            })
            .expect("update");
        }
        Write::Delete(k) => {
            db.delete_item(DeleteItemInput {
                table_name: T.into(),
                key: key_item(*k),
                ..Default::default()
            })
            .expect("delete");
        }
    }
}

fn run_batch(db: &DynamoDb, writes: &[Write]) {
    let requests = writes
        .iter()
        .map(|w| match w {
            Write::Put(k, sets) => WriteRequest::Put(PutRequest {
                item: put_item(*k, sets),
            }),
            Write::Delete(k) => WriteRequest::Delete(DeleteRequest { key: key_item(*k) }),
            Write::Update(..) => unreachable!("batches hold puts and deletes"),
        })
        .collect();
    let out = db
        .batch_write_item(BatchWriteItemInput {
            request_items: BTreeMap::from([(T.to_string(), requests)]),
            ..Default::default()
        })
        .expect("batch write");
    assert!(out.unprocessed_items.is_empty(), "unprocessed items");
}

fn run_transaction(db: &DynamoDb, writes: &[Write]) {
    let items = writes
        .iter()
        .map(|w| match w {
            Write::Put(k, sets) => TransactWriteItem::Put(Put {
                table_name: T.into(),
                item: put_item(*k, sets),
                ..Default::default()
            }),
            Write::Update(k, changes) => {
                let (expr, names, vals) = update_parts(changes);
                TransactWriteItem::Update(Update {
                    table_name: T.into(),
                    key: key_item(*k),
                    update_expression: expr,
                    expression_attribute_names: Some(names),
                    expression_attribute_values: Some(vals),
                    ..Default::default()
                })
            }
            Write::Delete(k) => TransactWriteItem::Delete(Delete {
                table_name: T.into(),
                key: key_item(*k),
                ..Default::default()
            }),
        })
        .collect();
    db.transact_write_items(TransactWriteItemsInput {
        transact_items: items,
        ..Default::default()
    })
    .expect("transaction");
}

// ---- Expected index contents, derived from the table's items ----

fn enc(v: &AttributeValue) -> Vec<u8> {
    let mut out = Vec::new();
    encode_key_value(v, &mut out).expect("key value");
    out
}

fn table_key(it: &Item) -> Vec<u8> {
    encode_primary_key(&it["pk"], it.get("sk")).expect("table key")
}

/// An index's entries as (entry key order, projected entry): only items
/// with every key attribute; the key is `hash(enc(pk1) ++ …) ++ enc(pk1) ++
/// … ++ enc(sk1) ++ … ++ table key`, the documented entry order
/// (format-spec/keys.md, "Secondary index entries" and "Multi-attribute
/// index keys").
fn expected_entries(
    items: &[Item],
    hash: &[&str],
    range: &[&str],
    keep: &[&str],
) -> Vec<(Vec<u8>, Item)> {
    let mut out: Vec<(Vec<u8>, Item)> = items
        .iter()
        .filter(|it| hash.iter().chain(range).all(|k| it.contains_key(*k)))
        .map(|it| {
            let pk: Vec<u8> = hash.iter().flat_map(|h| enc(&it[*h])).collect();
            let mut key = hash_prefix(&pk).to_vec();
            key.extend_from_slice(&pk);
            for r in range {
                key.extend_from_slice(&enc(&it[*r]));
            }
            key.extend_from_slice(&table_key(it));
            let entry: Item = it
                .iter()
                .filter(|(k, _)| keep.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (key, entry)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn gsi_entries(items: &[Item]) -> Vec<(Vec<u8>, Item)> {
    expected_entries(items, &["gk"], &["gs"], &["pk", "sk", "gk", "gs", "v"])
}

fn lsi_entries(items: &[Item]) -> Vec<(Vec<u8>, Item)> {
    expected_entries(items, &["pk"], &["ls"], &["pk", "sk", "ls"])
}

/// The multi-attribute index's entries, keys only.
fn multi_entries(items: &[Item]) -> Vec<(Vec<u8>, Item)> {
    expected_entries(
        items,
        &["gk", "ls"],
        &["gs", "v"],
        &["pk", "sk", "gk", "ls", "gs", "v"],
    )
}

/// Sort key conditions the model checks on the multi-attribute index, as
/// key condition text (after the partition's equalities) and the entries
/// it selects.
type SortTest = (&'static str, fn(i64, i64) -> bool);

const MULTI_SORT_TESTS: [SortTest; 5] = [
    ("", |_, _| true),
    ("gs = :a", |gs, _| gs == 2),
    ("gs < :a", |gs, _| gs < 2),
    ("gs = :a AND v >= :b", |gs, v| gs == 2 && v >= 1),
    ("gs = :a AND v BETWEEN :b AND :c", |gs, v| {
        gs == 2 && (1..=3).contains(&v)
    }),
];

/// Queries every partition of the multi-attribute index with each of
/// [`MULTI_SORT_TESTS`]: the order must be the sort key attributes compared
/// one after another, numerically (then the table key).
fn check_multi(
    db: &DynamoDb,
    cfg: &Config,
    what: &str,
    entries: &[(Vec<u8>, Item)],
) -> Result<(), TestCaseError> {
    for g in ["x", "y", "z"] {
        for l in ["a", "b", "c"] {
            let mut partition: Vec<&Item> = entries
                .iter()
                .map(|(_, e)| e)
                .filter(|e| e.get("gk") == Some(&s(g)) && e.get("ls") == Some(&s(l)))
                .collect();
            partition.sort_by_key(|e| (num(e.get("gs")), num(e.get("v")), table_key(e)));
            for (i, (condition, keep)) in MULTI_SORT_TESTS.iter().enumerate() {
                let forward = i % 2 == 0;
                let mut want: Vec<Item> = partition
                    .iter()
                    .filter(|e| keep(num(e.get("gs")), num(e.get("v"))))
                    .map(|e| (*e).clone())
                    .collect();
                if !forward {
                    want.reverse();
                }
                let mut kce = "gk = :g AND ls = :l".to_string();
                if !condition.is_empty() {
                    kce = format!("{condition} AND {kce}");
                }
                let mut vals = vec![(":g", s(g)), (":l", s(l))];
                for (ph, v) in [(":a", 2), (":b", 1), (":c", 3)] {
                    if condition.contains(ph) {
                        vals.push((ph, n(v)));
                    }
                }
                let got = paged_query(
                    db,
                    QueryInput {
                        table_name: T.into(),
                        index_name: Some(MULTI.into()),
                        key_condition_expression: Some(kce.clone()),
                        expression_attribute_values: values(&vals),
                        scan_index_forward: Some(forward),
                        limit: Some(cfg.limit),
                        ..Default::default()
                    },
                    &["pk", "sk", "gk", "ls", "gs", "v"],
                )?;
                prop_assert_eq!(got, want, "{}: query {} {}", what, MULTI, kce);
            }
        }
    }
    Ok(())
}

fn scan_table(db: &DynamoDb) -> Vec<Item> {
    let out = db
        .scan(ScanInput {
            table_name: T.into(),
            consistent_read: Some(true),
            ..Default::default()
        })
        .expect("scan table");
    assert_eq!(out.last_evaluated_key, None, "the table fits one page");
    out.items.unwrap_or_default()
}

fn as_model(items: &[Item]) -> Model {
    items
        .iter()
        .map(|it| {
            let p = match &it["pk"] {
                AttributeValue::S(s) => s[1..].parse().expect("pk"),
                _ => panic!("pk"),
            };
            let k = match &it["sk"] {
                AttributeValue::N(n) => n.to_string().parse().expect("sk"),
                _ => panic!("sk"),
            };
            ((p, k), it.clone())
        })
        .collect()
}

/// Every page of a query (or a scan wrapped as one), checking each
/// `LastEvaluatedKey` holds exactly `lek` attributes.
fn paged_query(db: &DynamoDb, input: QueryInput, lek: &[&str]) -> Result<Vec<Item>, TestCaseError> {
    let mut start = None;
    let mut out = Vec::new();
    for _ in 0..500 {
        let page = db
            .query(QueryInput {
                exclusive_start_key: start.take(),
                ..input.clone()
            })
            .map_err(|e| TestCaseError::fail(format!("query: {e}")))?;
        out.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(k) => {
                let names: BTreeSet<&str> = k.keys().map(String::as_str).collect();
                prop_assert_eq!(names, lek.iter().copied().collect::<BTreeSet<_>>());
                start = Some(k);
            }
            None => return Ok(out),
        }
    }
    Err(TestCaseError::fail("paging does not end"))
}

fn paged_scan(db: &DynamoDb, index: &str, limit: i64) -> Result<Vec<Item>, TestCaseError> {
    let mut start = None;
    let mut out = Vec::new();
    for _ in 0..500 {
        let page = db
            .scan(ScanInput {
                table_name: T.into(),
                index_name: Some(index.into()),
                limit: Some(limit),
                exclusive_start_key: start.take(),
                ..Default::default()
            })
            .map_err(|e| TestCaseError::fail(format!("scan: {e}")))?;
        out.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return Ok(out),
        }
    }
    Err(TestCaseError::fail("paging does not end"))
}

/// Reads both indexes every way and compares with what the table holds.
fn check_indexes(db: &DynamoDb, cfg: &Config, what: &str) -> Result<(), TestCaseError> {
    let items = scan_table(db);
    let gsi = gsi_entries(&items);
    let lsi = lsi_entries(&items);
    let multi = multi_entries(&items);
    let want: Vec<Item> = multi.iter().map(|(_, e)| e.clone()).collect();
    prop_assert_eq!(
        paged_scan(db, MULTI, cfg.limit)?,
        want,
        "{}: scan of {}",
        what,
        MULTI
    );
    check_multi(db, cfg, what, &multi)?;
    // Scans: the whole index, in entry order.
    let want: Vec<Item> = gsi.iter().map(|(_, e)| e.clone()).collect();
    prop_assert_eq!(
        paged_scan(db, GSI, cfg.limit)?,
        want,
        "{}: scan of {}",
        what,
        GSI
    );
    let want: Vec<Item> = lsi.iter().map(|(_, e)| e.clone()).collect();
    prop_assert_eq!(
        paged_scan(db, LSI, cfg.limit)?,
        want,
        "{}: scan of {}",
        what,
        LSI
    );
    // Queries of every global partition (and one that is empty).
    for g in ["x", "y", "z", "none"] {
        let want: Vec<Item> = gsi
            .iter()
            .filter(|(_, e)| e.get("gk") == Some(&s(g)))
            .map(|(_, e)| e.clone())
            .collect();
        for forward in [true, false] {
            let got = paged_query(
                db,
                QueryInput {
                    table_name: T.into(),
                    index_name: Some(GSI.into()),
                    key_condition_expression: Some("gk = :g".into()),
                    expression_attribute_values: values(&[(":g", s(g))]),
                    scan_index_forward: Some(forward),
                    limit: Some(cfg.limit),
                    ..Default::default()
                },
                &["pk", "sk", "gk", "gs"],
            )?;
            let mut want = want.clone();
            if !forward {
                want.reverse();
            }
            prop_assert_eq!(
                got,
                want,
                "{}: query {} gk={} forward={}",
                what,
                GSI,
                g,
                forward
            );
        }
    }
    // Queries of every local partition: the entries, then the whole items
    // fetched through the index (consistently).
    for p in 0..PARTITIONS {
        let pk = s(&format!("p{p}"));
        let entries: Vec<&(Vec<u8>, Item)> = lsi
            .iter()
            .filter(|(_, e)| e.get("pk") == Some(&pk))
            .collect();
        for forward in [true, false] {
            let input = QueryInput {
                table_name: T.into(),
                index_name: Some(LSI.into()),
                key_condition_expression: Some("pk = :p".into()),
                expression_attribute_values: values(&[(":p", pk.clone())]),
                scan_index_forward: Some(forward),
                limit: Some(cfg.limit),
                ..Default::default()
            };
            let mut want: Vec<Item> = entries.iter().map(|(_, e)| e.clone()).collect();
            if !forward {
                want.reverse();
            }
            let got = paged_query(db, input.clone(), &["pk", "sk", "ls"])?;
            prop_assert_eq!(
                got,
                want,
                "{}: query {} pk=p{} forward={}",
                what,
                LSI,
                p,
                forward
            );
            let whole: BTreeMap<Vec<u8>, &Item> =
                items.iter().map(|it| (table_key(it), it)).collect();
            let mut want: Vec<Item> = entries
                .iter()
                .map(|(_, e)| (*whole.get(&table_key(e)).expect("item of entry")).clone())
                .collect();
            if !forward {
                want.reverse();
            }
            let got = paged_query(
                db,
                QueryInput {
                    select: Some(Select::AllAttributes),
                    consistent_read: Some(true),
                    ..input
                },
                &["pk", "sk", "ls"],
            )?;
            prop_assert_eq!(got, want, "{}: fetching query {} pk=p{}", what, LSI, p);
        }
    }
    Ok(())
}

// ---- The harness ----

static CRASHES: AtomicU64 = AtomicU64::new(0);
static LOST: AtomicU64 = AtomicU64::new(0);
static CHECKS: AtomicU64 = AtomicU64::new(0);
static FLUSHES: AtomicU64 = AtomicU64::new(0);

struct Harness {
    mem: MemFs,
    fault: FaultFs,
    cfg: Config,
    db: Option<DynamoDb>,
    model: Model,
    /// The model at the last durable point, and after each write since.
    durable: Model,
    since_durable: Vec<Model>,
}

impl Harness {
    fn new(cfg: Config) -> Harness {
        let mem = MemFs::new();
        let fault = FaultFs::new(Arc::new(mem.clone()));
        let db = DynamoDb::open(DIR, options(&fault, &cfg)).expect("open");
        db.create_table(table_input()).expect("create table");
        // Make the table itself durable whatever the sync setting.
        db.close().expect("close");
        drop(db);
        let db = DynamoDb::open(DIR, options(&fault, &cfg)).expect("reopen");
        Harness {
            mem,
            fault,
            cfg,
            db: Some(db),
            model: Model::new(),
            durable: Model::new(),
            since_durable: Vec::new(),
        }
    }

    fn db(&self) -> &DynamoDb {
        self.db.as_ref().expect("open")
    }

    fn mark_durable(&mut self) {
        self.durable = self.model.clone();
        self.since_durable.clear();
    }

    fn wrote(&mut self) {
        if self.cfg.sync {
            self.mark_durable();
        } else {
            self.since_durable.push(self.model.clone());
        }
    }

    /// Adds the open engine's memtable flushes to the tally (its counters
    /// restart at every open).
    fn harvest(&self) {
        FLUSHES.fetch_add(self.db().engine().stats().flushes, Ordering::Relaxed);
    }

    fn reopen(&mut self) {
        self.db = Some(DynamoDb::open(DIR, options(&self.fault, &self.cfg)).expect("reopen"));
    }

    fn step(&mut self, op: &Op, i: usize) -> Result<(), TestCaseError> {
        let what = format!("op {i} ({op:?})");
        match op {
            Op::One(w) => {
                run_write(self.db(), w);
                apply(&mut self.model, w);
                self.wrote();
            }
            Op::Batch(ws) => {
                run_batch(self.db(), ws);
                for w in ws {
                    apply(&mut self.model, w);
                }
                self.wrote();
            }
            Op::Transact(ws) => {
                run_transaction(self.db(), ws);
                for w in ws {
                    apply(&mut self.model, w);
                }
                self.wrote();
            }
            Op::Flush => {
                self.db().engine().flush().expect("flush");
                self.mark_durable();
            }
            Op::Check => {
                prop_assert_eq!(&as_model(&scan_table(self.db())), &self.model, "{}", what);
                check_indexes(self.db(), &self.cfg, &what)?;
                CHECKS.fetch_add(1, Ordering::Relaxed);
            }
            Op::Reopen => {
                self.harvest();
                let db = self.db.take().expect("open");
                db.close().expect("close");
                drop(db);
                self.reopen();
                self.mark_durable();
                prop_assert_eq!(&as_model(&scan_table(self.db())), &self.model, "{}", what);
                check_indexes(self.db(), &self.cfg, &what)?;
            }
            Op::Crash => {
                CRASHES.fetch_add(1, Ordering::Relaxed);
                self.harvest();
                // Freeze the disk so the dying database changes nothing,
                // then cut the power.
                self.fault.fail_write_after(0);
                self.fault.fail_sync_after(0);
                drop(self.db.take());
                self.mem.crash();
                self.fault.clear();
                self.reopen();
                let got = as_model(&scan_table(self.db()));
                let allowed: Vec<&Model> = std::iter::once(&self.durable)
                    .chain(self.since_durable.iter())
                    .collect();
                // `pos` writes since the durable point survived.
                let Some(pos) = allowed.iter().rposition(|m| **m == got) else {
                    return Err(TestCaseError::fail(format!(
                        "{what}: the recovered table is no prefix of the history \
                         ({} writes since the last durable point)\n got: {:?}\n model: {:?}",
                        self.since_durable.len(),
                        got.keys().collect::<Vec<_>>(),
                        self.model.keys().collect::<Vec<_>>()
                    )));
                };
                LOST.fetch_add((self.since_durable.len() - pos) as u64, Ordering::Relaxed);
                self.model = got;
                self.mark_durable();
                check_indexes(self.db(), &self.cfg, &what)?;
            }
        }
        Ok(())
    }
}

fn run_history(cfg: Config, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut h = Harness::new(cfg);
    for (i, op) in ops.iter().enumerate() {
        h.step(op, i)?;
    }
    prop_assert_eq!(&as_model(&scan_table(h.db())), &h.model, "at the end");
    check_indexes(h.db(), &h.cfg, "at the end")?;
    CHECKS.fetch_add(1, Ordering::Relaxed);
    h.harvest();
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24)
}

#[test]
fn index_reads_match_the_table_through_random_histories() {
    let config = ProptestConfig {
        cases: cases(),
        max_shrink_iters: 500,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/dynamo_index_model.txt",
        ))),
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = (
        config_strategy(),
        prop::collection::vec(op_strategy(), 1..80),
    );
    if let Err(e) = runner.run(&strategy, |(cfg, ops)| run_history(cfg, ops)) {
        panic!("{e}");
    }
    let c = |a: &AtomicU64| a.load(Ordering::Relaxed);
    eprintln!(
        "{} cases: {} index checks, {} memtable flushes, {} crashes ({} unsynced writes lost)",
        cases(),
        c(&CHECKS),
        c(&FLUSHES),
        c(&CRASHES),
        c(&LOST)
    );
    if cases() >= 16 {
        assert!(c(&CRASHES) > 0, "no case crashed");
        assert!(c(&FLUSHES) > 0, "no case flushed a memtable");
    }
}
