//! Data-driven tests (`testdata/*.txt`): statements run against a database
//! holding the tables and items each file sets up.
//!
//! Each file starts from an empty in-memory database; its cases run in
//! order and share it. A case:
//!
//! ```text
//! <command> [arguments]
//! <input lines>
//! ----
//! <expected output, up to a blank line>
//! ```
//!
//! Lines starting with `#` where a command is expected are comments.
//! Values and items are DynamoDB JSON, printed compactly with keys sorted.
//!
//! Commands:
//! - `table <name> hash=<attr>:<S|N|B> [range=<attr>:<T>]
//!   [gsi=<name>:<attr>:<T>[:<attr>:<T>]:<ALL|KEYS_ONLY|INCLUDE+a+b>]
//!   [lsi=<name>:<attr>:<T>:<projection>]`: creates a table (`ok`).
//! - `put <table>`: puts each input line's item (`ok`).
//! - `scan <table>`: every item of the table, one per line, sorted by their
//!   JSON text (`(empty)` for none).
//! - `execute [pages]`: ExecuteStatement. Input: option lines (`params:
//!   [values]`, `limit: N`, `consistent: true`, `rvcf: ALL_OLD`, `capacity:
//!   TOTAL|INDEXES`), then the statement. Prints each returned item, then
//!   `next: <LastEvaluatedKey>` when a NextToken came back, `capacity: ...`
//!   when asked; `(no items)` for an empty page. With `pages`, follows
//!   NextToken to the end, pages separated by `--`. `token: last` sends the
//!   NextToken the previous `execute` returned, `token: <text>` that text.
//! - `batch`: BatchExecuteStatement. Input: optional `capacity:` line, then
//!   one JSON object per statement (`{"Statement": ..., "Parameters": [...],
//!   "ConsistentRead": ..., "ReturnValuesOnConditionCheckFailure": ...}`).
//!   Prints one line per response: `ok [T] <item>` or `error [T] <Code>:
//!   <message> [<item>]`.
//! - `transaction`: ExecuteTransaction. Input: optional `token:` and
//!   `capacity:` lines, then one JSON object per statement. Prints each
//!   response item (`(none)` when absent), or `ok` for writes; a cancelled
//!   transaction prints its reasons.
//!
//! Any other error prints `error: <Exception>: <message>` (plus `item:` for
//! a conditional check failure carrying one). Set `SILTDB_REWRITE=1` to
//! rewrite the expected outputs in place.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::dynamo::api::*;
use crate::dynamo::expr::eval_tests::{parse_map, parse_value, show_map};
use crate::dynamo::keys::codec::ScalarAttributeType;
use crate::dynamo::{AttributeValue, DynamoDb, DynamoError, Item};

fn ty(s: &str) -> ScalarAttributeType {
    match s {
        "S" => ScalarAttributeType::S,
        "N" => ScalarAttributeType::N,
        "B" => ScalarAttributeType::B,
        other => panic!("bad key type {other}"),
    }
}

fn projection(s: &str) -> Projection {
    if let Some(attrs) = s.strip_prefix("INCLUDE+") {
        return Projection {
            projection_type: Some(ProjectionType::Include),
            non_key_attributes: Some(attrs.split('+').map(str::to_string).collect()),
        };
    }
    Projection {
        projection_type: Some(ProjectionType::parse(s).expect("projection type")),
        non_key_attributes: None,
    }
}

fn show_error(e: &DynamoError) -> String {
    let mut out = format!("error: {}: {}", e.name(), e.message());
    match e {
        DynamoError::ConditionalCheckFailedException {
            item: Some(item), ..
        } => {
            let _ = write!(out, "\nitem: {}", show_map(item));
        }
        DynamoError::TransactionCanceledException { reasons, .. } => {
            for r in reasons {
                let _ = write!(
                    out,
                    "\nreason: {} {}",
                    r.code.as_deref().unwrap_or("-"),
                    r.message.as_deref().unwrap_or("-")
                );
                if let Some(item) = &r.item {
                    let _ = write!(out, " {}", show_map(item));
                }
            }
        }
        _ => {}
    }
    out
}

fn create_table(db: &DynamoDb, args: &[&str]) -> Result<String, DynamoError> {
    let (name, rest) = args.split_first().expect("table name");
    let mut input = CreateTableInput {
        table_name: name.to_string(),
        billing_mode: Some(BillingMode::PayPerRequest),
        ..CreateTableInput::default()
    };
    let mut defs: Vec<AttributeDefinition> = Vec::new();
    let mut define = |attr: &str, t: &str| {
        if !defs.iter().any(|d| d.attribute_name == attr) {
            defs.push(AttributeDefinition {
                attribute_name: attr.to_string(),
                attribute_type: ty(t),
            });
        }
    };
    let key = |attr: &str, key_type| KeySchemaElement {
        attribute_name: attr.to_string(),
        key_type,
    };
    for arg in rest {
        let (k, v) = arg.split_once('=').expect("key=value");
        let parts: Vec<&str> = v.split(':').collect();
        match k {
            "hash" | "range" => {
                define(parts[0], parts[1]);
                let kt = if k == "hash" {
                    KeyType::Hash
                } else {
                    KeyType::Range
                };
                input.key_schema.push(key(parts[0], kt));
            }
            "gsi" => {
                let mut ks = vec![key(parts[1], KeyType::Hash)];
                define(parts[1], parts[2]);
                if parts.len() == 6 {
                    define(parts[3], parts[4]);
                    ks.push(key(parts[3], KeyType::Range));
                }
                input
                    .global_secondary_indexes
                    .get_or_insert_with(Vec::new)
                    .push(GlobalSecondaryIndex {
                        index_name: parts[0].to_string(),
                        key_schema: ks,
                        projection: projection(parts[parts.len() - 1]),
                        provisioned_throughput: None,
                        on_demand_throughput: None,
                        warm_throughput: None,
                    });
            }
            "lsi" => {
                define(parts[1], parts[2]);
                let hash = input.key_schema[0].attribute_name.clone();
                input
                    .local_secondary_indexes
                    .get_or_insert_with(Vec::new)
                    .push(LocalSecondaryIndex {
                        index_name: parts[0].to_string(),
                        key_schema: vec![key(&hash, KeyType::Hash), key(parts[1], KeyType::Range)],
                        projection: projection(parts[3]),
                    });
            }
            other => panic!("unknown table argument {other}"),
        }
    }
    input.attribute_definitions = defs;
    db.create_table(input).map(|_| "ok".to_string())
}

fn json(line: &str) -> Json {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON {line:?}: {e}"))
}

fn values(v: &Json) -> Vec<AttributeValue> {
    v.as_array()
        .expect("array")
        .iter()
        .map(parse_value)
        .collect()
}

/// Option lines (`name: value`) before a statement; returns them and the
/// rest of the input.
fn options<'a>(input: &'a str, names: &[&str]) -> (Vec<(&'a str, &'a str)>, String) {
    let mut opts = Vec::new();
    let mut rest = Vec::new();
    for line in input.lines() {
        match line.split_once(": ") {
            Some((k, v)) if rest.is_empty() && names.contains(&k) => opts.push((k, v)),
            _ => rest.push(line),
        }
    }
    (opts, rest.join("\n"))
}

fn capacity_mode(v: &str) -> Option<ReturnConsumedCapacity> {
    Some(ReturnConsumedCapacity::parse(v).expect("capacity mode"))
}

fn show_capacity(c: &ConsumedCapacity) -> String {
    let mut s = format!(
        "{} {}",
        c.table_name.as_deref().unwrap_or("-"),
        c.capacity_units.unwrap_or(0.0)
    );
    if let Some(r) = c.read_capacity_units {
        let _ = write!(s, " read={r}");
    }
    if let Some(w) = c.write_capacity_units {
        let _ = write!(s, " write={w}");
    }
    if let Some(t) = &c.table {
        let _ = write!(s, " table={}", t.capacity_units.unwrap_or(0.0));
    }
    for (kind, map) in [
        ("lsi", &c.local_secondary_indexes),
        ("gsi", &c.global_secondary_indexes),
    ] {
        for (name, cap) in map.iter().flatten() {
            let _ = write!(s, " {kind}:{name}={}", cap.capacity_units.unwrap_or(0.0));
        }
    }
    s
}

fn execute(db: &DynamoDb, last_token: &mut Option<String>, args: &[&str], input: &str) -> String {
    let (opts, statement) = options(
        input,
        &["params", "limit", "consistent", "rvcf", "capacity", "token"],
    );
    let mut req = ExecuteStatementInput {
        statement,
        ..ExecuteStatementInput::default()
    };
    for (k, v) in opts {
        match k {
            "params" => req.parameters = Some(values(&json(v))),
            "limit" => req.limit = Some(v.parse().expect("limit")),
            "consistent" => req.consistent_read = Some(v == "true"),
            "rvcf" => {
                req.return_values_on_condition_check_failure =
                    ReturnValuesOnConditionCheckFailure::parse(v)
            }
            "capacity" => req.return_consumed_capacity = capacity_mode(v),
            "token" if v == "last" => req.next_token = last_token.clone(),
            "token" => req.next_token = Some(v.to_string()),
            _ => unreachable!(),
        }
    }
    let pages = args.contains(&"pages");
    let mut out = Vec::new();
    for _ in 0..1000 {
        let mut page = Vec::new();
        match db.execute_statement(req.clone()) {
            Err(e) => {
                out.push(show_error(&e));
                break;
            }
            Ok(o) => {
                let items = o.items.unwrap_or_default();
                if items.is_empty() {
                    page.push("(no items)".to_string());
                }
                page.extend(items.iter().map(show_map));
                if o.next_token.is_some() {
                    let lek = o.last_evaluated_key.unwrap_or_default();
                    page.push(format!("next: {}", show_map(&lek)));
                }
                if let Some(c) = &o.consumed_capacity {
                    page.push(format!("capacity: {}", show_capacity(c)));
                }
                out.push(page.join("\n"));
                last_token.clone_from(&o.next_token);
                match o.next_token {
                    Some(t) if pages => req.next_token = Some(t),
                    _ => break,
                }
            }
        }
    }
    out.join("\n--\n")
}

fn statement_lines<T>(rest: &str, build: impl Fn(&Json) -> T) -> Vec<T> {
    rest.lines().map(|l| build(&json(l))).collect()
}

fn batch(db: &DynamoDb, input: &str) -> String {
    let (opts, rest) = options(input, &["capacity"]);
    let statements = statement_lines(&rest, |j| BatchStatementRequest {
        statement: j["Statement"].as_str().expect("Statement").to_string(),
        parameters: j.get("Parameters").map(values),
        consistent_read: j.get("ConsistentRead").and_then(Json::as_bool),
        return_values_on_condition_check_failure: j
            .get("ReturnValuesOnConditionCheckFailure")
            .and_then(Json::as_str)
            .and_then(ReturnValuesOnConditionCheckFailure::parse),
    });
    let req = BatchExecuteStatementInput {
        statements,
        return_consumed_capacity: opts.first().and_then(|(_, v)| capacity_mode(v)),
    };
    match db.batch_execute_statement(req) {
        Err(e) => show_error(&e),
        Ok(o) => {
            let mut lines: Vec<String> = o
                .responses
                .iter()
                .map(|r| {
                    let table = r
                        .table_name
                        .as_deref()
                        .map(|t| format!(" [{t}]"))
                        .unwrap_or_default();
                    match &r.error {
                        None => {
                            let item = r
                                .item
                                .as_ref()
                                .map(|i| format!(" {}", show_map(i)))
                                .unwrap_or_default();
                            format!("ok{table}{item}")
                        }
                        Some(e) => {
                            let item = e
                                .item
                                .as_ref()
                                .map(|i| format!(" {}", show_map(i)))
                                .unwrap_or_default();
                            format!(
                                "error{table} {}: {}{item}",
                                e.code.as_str(),
                                e.message.as_deref().unwrap_or("")
                            )
                        }
                    }
                })
                .collect();
            for c in o.consumed_capacity.iter().flatten() {
                lines.push(format!("capacity: {}", show_capacity(c)));
            }
            lines.join("\n")
        }
    }
}

fn transaction(db: &DynamoDb, input: &str) -> String {
    let (opts, rest) = options(input, &["token", "capacity"]);
    let mut req = ExecuteTransactionInput {
        transact_statements: statement_lines(&rest, |j| ParameterizedStatement {
            statement: j["Statement"].as_str().expect("Statement").to_string(),
            parameters: j.get("Parameters").map(values),
            return_values_on_condition_check_failure: j
                .get("ReturnValuesOnConditionCheckFailure")
                .and_then(Json::as_str)
                .and_then(ReturnValuesOnConditionCheckFailure::parse),
        }),
        ..ExecuteTransactionInput::default()
    };
    for (k, v) in opts {
        match k {
            "token" => req.client_request_token = Some(v.to_string()),
            _ => req.return_consumed_capacity = capacity_mode(v),
        }
    }
    match db.execute_transaction(req) {
        Err(e) => show_error(&e),
        Ok(o) => {
            let mut lines = match o.responses {
                None => vec!["ok".to_string()],
                Some(rs) => rs
                    .iter()
                    .map(|r| r.item.as_ref().map_or("(none)".to_string(), show_map))
                    .collect(),
            };
            for c in o.consumed_capacity.iter().flatten() {
                lines.push(format!("capacity: {}", show_capacity(c)));
            }
            lines.join("\n")
        }
    }
}

fn scan(db: &DynamoDb, table: &str) -> String {
    match db.scan(ScanInput {
        table_name: table.to_string(),
        ..ScanInput::default()
    }) {
        Err(e) => show_error(&e),
        Ok(o) => {
            let mut lines: Vec<String> = o.items.unwrap_or_default().iter().map(show_map).collect();
            lines.sort();
            if lines.is_empty() {
                "(empty)".to_string()
            } else {
                lines.join("\n")
            }
        }
    }
}

fn run_case(db: &DynamoDb, last_token: &mut Option<String>, cmd: &str, input: &str) -> String {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let (name, args) = words.split_first().expect("command");
    match *name {
        "table" => create_table(db, args).unwrap_or_else(|e| show_error(&e)),
        "put" => {
            for line in input.lines() {
                let item: Item = parse_map(&json(line));
                if let Err(e) = db.put_item(PutItemInput {
                    table_name: args[0].to_string(),
                    item,
                    ..PutItemInput::default()
                }) {
                    return show_error(&e);
                }
            }
            "ok".to_string()
        }
        "scan" => scan(db, args[0]),
        "execute" => execute(db, last_token, args, input),
        "batch" => batch(db, input),
        "transaction" => transaction(db, input),
        other => panic!("unknown command {other:?}"),
    }
}

/// Each file runs on a fresh database.
#[test]
fn testdata() {
    let total = crate::datadriven::run_dir_per_file("src/dynamo/partiql/testdata", || {
        let db = DynamoDb::open_in_memory().expect("open");
        let mut last_token = None;
        move |cmd: &str, input: &str| run_case(&db, &mut last_token, cmd, input)
    });
    assert!(total > 0);
}

/// An INSERT or UPDATE past 400 KB fails as PutItem and UpdateItem do
/// (their messages, recorded by Dynoxide against eu-west-2: "Item size has
/// exceeded the maximum allowed size", "Item size to update has exceeded the
/// maximum allowed size").
#[test]
fn item_size_limits_come_from_the_write_path() {
    let db = DynamoDb::open_in_memory().expect("open");
    create_table(&db, &["Big", "hash=pk:S"]).expect("table");
    let big = || Some(vec![AttributeValue::S("x".repeat(410_000))]);
    let run = |statement: &str, parameters| {
        db.execute_statement(ExecuteStatementInput {
            statement: statement.to_string(),
            parameters,
            ..ExecuteStatementInput::default()
        })
    };
    let e = run("INSERT INTO Big VALUE {'pk': 'a', 'v': ?}", big()).expect_err("too big");
    assert_eq!(
        show_error(&e),
        "error: ValidationException: Item size has exceeded the maximum allowed size"
    );
    run("INSERT INTO Big VALUE {'pk': 'a'}", None).expect("small");
    let e = run("UPDATE Big SET v = ? WHERE pk = 'a'", big()).expect_err("too big");
    assert_eq!(
        show_error(&e),
        "error: ValidationException: Item size to update has exceeded the maximum allowed size"
    );
}
