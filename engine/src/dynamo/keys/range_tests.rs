//! Data-driven tests of key-condition compilation (`testdata/*.txt`, run by
//! `crate::dynamo::datadriven`). Format:
//!
//! ```text
//! key-range hash=pk:S[,pk2:N…] [range=sk:N[,sk2:S…]] [index=byX]
//! :name = TYPE:value        (one line per value; B values in hex)
//! <key condition expression>
//! ----
//! start: <key>
//! end: <key>
//! ```
//!
//! or `error: <message>`. A key is shown against the partition prefix `P`
//! (`table_id ++ index_id ++ hash(pk) ++ enc(pk)`, or with several HASH
//! attributes `hash(enc(pk1)…enc(pkn)) ++ enc(pk1)…enc(pkn)`) of the
//! condition's partition key: `P`, `P++` (the first key past every key
//! starting with `P`), `P ++ <hex>`, or `none` (no end).

use std::collections::HashMap;

use super::*;
use crate::dynamo::api::{AttributeValues, IndexStatus, ProjectionType};
use crate::dynamo::expr::ExprContext;
use crate::dynamo::items::number::Number;
use crate::dynamo::keys::layout::{composite_partition_prefix, partition_prefix};
use crate::dynamo::tables::schema::IndexKind;

const TABLE_ID: u32 = 7;
const INDEX_ID: u8 = 3;

fn key_attr(spec: &str) -> KeyAttr {
    let (name, ty) = spec.split_once(':').expect("name:type");
    let ty = match ty {
        "S" => ScalarAttributeType::S,
        "N" => ScalarAttributeType::N,
        "B" => ScalarAttributeType::B,
        other => panic!("key type {other:?}"),
    };
    KeyAttr {
        name: name.to_string(),
        ty,
    }
}

fn value(spec: &str) -> AttributeValue {
    let (ty, text) = spec.split_once(':').expect("TYPE:value");
    match ty {
        "S" => AttributeValue::S(text.to_string()),
        "N" => AttributeValue::N(Number::parse(text).expect("number")),
        "B" => AttributeValue::B(
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
                .collect(),
        ),
        "BOOL" => AttributeValue::Bool(text == "true"),
        other => panic!("value type {other:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn show(key: Option<&[u8]>, partitions: &[Vec<u8>]) -> String {
    let Some(key) = key else {
        return "none".to_string();
    };
    for p in partitions {
        if key == p.as_slice() {
            return "P".to_string();
        }
        if prefix_end(p).as_deref() == Some(key) {
            return "P++".to_string();
        }
        if let Some(rest) = key.strip_prefix(p.as_slice()) {
            return format!("P ++ {}", hex(rest));
        }
    }
    hex(key)
}

fn key_attrs(spec: &str) -> Vec<KeyAttr> {
    spec.split(',').map(key_attr).collect()
}

fn run_case(cmd: &str, input: &str) -> String {
    let mut words = cmd.split_whitespace();
    assert_eq!(words.next(), Some("key-range"), "unknown command {cmd:?}");
    let (mut hash, mut range, mut index_name) = (Vec::new(), Vec::new(), None);
    for w in words {
        match w.split_once('=') {
            Some(("hash", spec)) => hash = key_attrs(spec),
            Some(("range", spec)) => range = key_attrs(spec),
            Some(("index", name)) => index_name = Some(name.to_string()),
            _ => panic!("unknown argument {w:?}"),
        }
    }
    assert!(!hash.is_empty(), "hash=");
    let mut values = AttributeValues::new();
    let mut expression = String::new();
    for line in input.lines() {
        match line.split_once(" = ") {
            Some((name, v))
                if name.starts_with(':')
                    && !name.contains(' ')
                    && v.contains(':')
                    && !v.contains(' ') =>
            {
                values.insert(name.to_string(), value(v));
            }
            _ => expression = line.to_string(),
        }
    }
    let index = index_name.map(|name| IndexMeta {
        name,
        id: INDEX_ID,
        kind: IndexKind::Global,
        hash: hash.clone(),
        range: range.clone(),
        projection_type: ProjectionType::All,
        non_key_attributes: Vec::new(),
        status: IndexStatus::Active,
        read_capacity_units: 0,
        write_capacity_units: 0,
        throughput: Default::default(),
    });
    let space = KeySpace {
        hash: &hash,
        range: &range,
        table_id: TABLE_ID,
        index_id: index.as_ref().map_or(TABLE_INDEX_ID, |i| i.id),
        index: index.as_ref(),
    };
    let names = HashMap::new();
    let mut ctx = ExprContext::with_values(&names, values.keys().cloned());
    let kc = match ctx.key_condition(&expression) {
        Ok(kc) => kc,
        Err(e) => return format!("error: {}", e.message),
    };
    match key_range(&space, &kc, &values) {
        Ok(r) => {
            // The partition the HASH attributes' equalities name, then (for
            // shorter prefixes in error-free single-key cases) each value's.
            let hash_values: Option<Vec<&AttributeValue>> = hash
                .iter()
                .map(|h| {
                    kc.0.iter()
                        .find(|p| p.attribute == h.name)
                        .and_then(|p| match &p.test {
                            KeyTest::Compare(Comparator::Eq, v) => values.get(v),
                            _ => None,
                        })
                })
                .collect();
            let partitions: Vec<Vec<u8>> = hash_values
                .and_then(|v| composite_partition_prefix(TABLE_ID, space.index_id, &v).ok())
                .into_iter()
                .chain(
                    values
                        .values()
                        .filter_map(|v| partition_prefix(TABLE_ID, space.index_id, v).ok()),
                )
                .collect();
            format!(
                "start: {}\nend: {}",
                show(Some(&r.start), &partitions),
                show(r.end.as_deref(), &partitions)
            )
        }
        Err(e) => format!("error: {}", e.message()),
    }
}

#[test]
fn testdata() {
    let total = crate::datadriven::run_dir("src/dynamo/keys/testdata", &run_case);
    assert!(total >= 30, "only {total} key-range cases");
}
