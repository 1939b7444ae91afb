//! Shared by the `cli_*` tests: running the built `siltdb` binary, and
//! databases made with siltdb's API to run it on.
#![allow(dead_code)] // each test file uses a different part

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use siltdb::dynamo::api::{
    AttributeDefinition, BillingMode, CreateTableInput, KeySchemaElement, KeyType, PutItemInput,
    ScanInput,
};
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{AttributeValue, DynamoDb, Item, Number};
use siltdb::Options;

/// What a run of `siltdb` did.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn finish(out: Output) -> Run {
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `siltdb ARGS` with no standard input.
pub fn siltdb(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_siltdb"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run siltdb");
    finish(out)
}

/// Runs `siltdb ARGS` in the working directory `cwd`, with no standard input.
pub fn siltdb_in(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_siltdb"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .expect("run siltdb");
    finish(out)
}

/// Runs `siltdb ARGS` with `input` on standard input.
pub fn siltdb_with_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_siltdb"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn siltdb");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Written from a thread so a child that stops reading cannot block us.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for siltdb");
    writer.join().expect("stdin writer");
    finish(out)
}

/// `path` as a `&str` argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// Opens (creating if missing) the database in `dir`, writes unsynced
/// (closing syncs them).
pub fn open(dir: &Path) -> DynamoDb {
    let options = Options {
        sync: false,
        ..Options::default()
    };
    DynamoDb::open(dir, options).expect("open database")
}

/// The CreateTable request of the test table `name`: `pk` (S) hash key,
/// `sk` (N) range key, on demand.
pub fn create_input(name: &str) -> CreateTableInput {
    CreateTableInput {
        table_name: name.to_string(),
        attribute_definitions: vec![
            AttributeDefinition {
                attribute_name: "pk".into(),
                attribute_type: ScalarAttributeType::S,
            },
            AttributeDefinition {
                attribute_name: "sk".into(),
                attribute_type: ScalarAttributeType::N,
            },
        ],
        key_schema: vec![
            KeySchemaElement {
                attribute_name: "pk".into(),
                key_type: KeyType::Hash,
            },
            KeySchemaElement {
                attribute_name: "sk".into(),
                key_type: KeyType::Range,
            },
        ],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    }
}

/// The same table as [`create_input`], as the JSON `--create-from` reads.
pub const CREATE_JSON: &str = r#"{
  "TableName": "ignored, --table wins",
  "AttributeDefinitions": [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "N"}
  ],
  "KeySchema": [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"}
  ],
  "BillingMode": "PAY_PER_REQUEST"
}"#;

pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

pub fn n(v: &str) -> AttributeValue {
    AttributeValue::N(Number::parse(v).expect("valid number"))
}

/// Item `i` of the test data: every attribute type, numbers at DynamoDB's
/// limits, binary with every byte value, sets, lists and maps nested three
/// deep, awkward strings; every 7th item carries 8 KB of padding, so 1,000
/// items span several 1 MB Scan pages.
pub fn rich_item(i: usize) -> Item {
    let numbers = [
        "0",
        "-1",
        "1.5",
        "12345678901234567890123456789012345678",
        "-0.00000000000000000000000000000000000001",
        "9.9999999999999999999999999999999999999E+125",
        "1E-130",
        "-1E-130",
    ];
    let number = numbers[i % numbers.len()];
    let bytes: Vec<u8> = (0..=255u8).map(|b| b.wrapping_add(i as u8)).collect();
    let mut item = Item::new();
    item.insert("pk".into(), s(&format!("user#{}", i % 50)));
    item.insert("sk".into(), n(&format!("{}.{}", i, i % 3)));
    item.insert("n".into(), n(number));
    item.insert("b".into(), AttributeValue::B(bytes[..i % 256].to_vec()));
    item.insert(
        "str".into(),
        s(&format!("héllo \"{i}\"\n\t\\ \u{0}\u{1f} 日本 🦀")),
    );
    item.insert("bool".into(), AttributeValue::Bool(i.is_multiple_of(2)));
    item.insert("null".into(), AttributeValue::Null);
    item.insert(
        "ss".into(),
        AttributeValue::string_set(vec![format!("a{i}"), "b".into(), String::new()])
            .expect("valid set"),
    );
    item.insert(
        "ns".into(),
        AttributeValue::number_set(
            [number, "42", "-3.25E+7"]
                .iter()
                .map(|t| Number::parse(t).expect("valid number"))
                .collect(),
        )
        .expect("valid set"),
    );
    item.insert(
        "bs".into(),
        AttributeValue::binary_set(vec![vec![], vec![0, 255], bytes[..3].to_vec()])
            .expect("valid set"),
    );
    let inner: Item = [
        ("deep".to_string(), AttributeValue::L(vec![n("1"), s("x")])),
        ("empty_list".to_string(), AttributeValue::L(vec![])),
        ("empty_map".to_string(), AttributeValue::M(Item::new())),
    ]
    .into();
    item.insert(
        "m".into(),
        AttributeValue::M(
            [
                ("inner".to_string(), AttributeValue::M(inner)),
                (String::new(), s("empty name is fine in a map")),
                (
                    "list".to_string(),
                    AttributeValue::L(vec![
                        AttributeValue::Null,
                        AttributeValue::Bool(true),
                        AttributeValue::B(vec![1, 2, 3]),
                    ]),
                ),
            ]
            .into(),
        ),
    );
    if i.is_multiple_of(7) {
        item.insert("pad".into(), s(&"x".repeat(8192)));
    }
    item
}

/// Creates table `table` in the database at `dir` and puts `items` in it.
pub fn make_table(dir: &Path, table: &str, items: &[Item]) {
    let db = open(dir);
    db.create_table(create_input(table)).expect("create table");
    for item in items {
        db.put_item(PutItemInput {
            table_name: table.to_string(),
            item: item.clone(),
            ..Default::default()
        })
        .expect("put item");
    }
    db.close().expect("close");
}

/// Every item of `table` in the database at `dir`, in key order.
pub fn scan_all(dir: &Path, table: &str) -> Vec<Item> {
    let db = open(dir);
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = db
            .scan(ScanInput {
                table_name: table.to_string(),
                exclusive_start_key: start.take(),
                ..Default::default()
            })
            .expect("scan");
        items.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(k) => start = Some(k),
            None => break,
        }
    }
    db.close().expect("close");
    items
}

/// A database in `dir` holding table `table` with `count` rich items,
/// flushed so the directory has a table file, a MANIFEST and a WAL.
pub fn make_flushed(dir: &Path, table: &str, count: usize) {
    make_table(dir, table, &(0..count).map(rich_item).collect::<Vec<_>>());
    let db = open(dir);
    db.engine().flush().expect("flush");
    db.close().expect("close");
}

/// The names in `dir` ending with `suffix` (or starting with it, for
/// `MANIFEST-`), sorted.
pub fn files(dir: &Path, pattern: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(pattern) || n.starts_with(pattern))
        .collect();
    names.sort();
    names
}

/// Flips the byte at `offset` of the file at `path`.
pub fn flip_byte(path: &Path, offset: usize) {
    let mut bytes = std::fs::read(path).expect("read");
    bytes[offset] ^= 0x55;
    std::fs::write(path, bytes).expect("write");
}
