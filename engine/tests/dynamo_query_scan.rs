//! Query and Scan: key conditions as ranges, order, filters, Limit and
//! paging, the 1 MB page, Select COUNT, parallel scan segments.

mod common;

use std::collections::BTreeSet;

use common::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::{AttributeValue, Item};

fn db_with_items() -> DynamoDb {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "tbl", Some(("sk", ScalarAttributeType::N)));
    for p in ["a", "b", "c"] {
        for i in -5..15 {
            put(
                &db,
                "tbl",
                item(&[
                    ("pk", s(p)),
                    ("sk", n(i.to_string())),
                    ("even", AttributeValue::Bool(i % 2 == 0)),
                ]),
            );
        }
    }
    db
}

fn q(key_cond: &str, vals: &[(&str, AttributeValue)]) -> QueryInput {
    QueryInput {
        table_name: "tbl".into(),
        key_condition_expression: Some(key_cond.into()),
        expression_attribute_values: values(vals),
        ..Default::default()
    }
}

fn sks(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i.get("sk") {
            Some(AttributeValue::N(x)) => x.to_string(),
            other => panic!("no sk: {other:?}"),
        })
        .collect()
}

#[test]
fn key_conditions_select_the_right_range_in_order() {
    let db = db_with_items();
    let run = |kc: &str, vals: &[(&str, AttributeValue)]| {
        let out = db.query(q(kc, vals)).expect("query");
        sks(&out.items.unwrap_or_default())
    };
    let p = (":p", s("b"));
    assert_eq!(run("pk = :p", std::slice::from_ref(&p)).len(), 20);
    assert_eq!(
        run("pk = :p AND sk = :v", &[p.clone(), (":v", n("3"))]),
        vec!["3"]
    );
    assert_eq!(
        run("pk = :p AND sk < :v", &[p.clone(), (":v", n("-3"))]),
        vec!["-5", "-4"]
    );
    assert_eq!(
        run("pk = :p AND sk <= :v", &[p.clone(), (":v", n("-3"))]),
        vec!["-5", "-4", "-3"]
    );
    assert_eq!(
        run("pk = :p AND sk > :v", &[p.clone(), (":v", n("12"))]),
        vec!["13", "14"]
    );
    assert_eq!(
        run("pk = :p AND sk >= :v", &[p.clone(), (":v", n("12.5"))]),
        vec!["13", "14"]
    );
    assert_eq!(
        run(
            "pk = :p AND sk BETWEEN :lo AND :hi",
            &[p.clone(), (":lo", n("-1")), (":hi", n("1"))]
        ),
        vec!["-1", "0", "1"]
    );
    assert_eq!(
        run("pk = :p AND sk = :v", &[(":p", s("zzz")), (":v", n("1"))]),
        Vec::<String>::new()
    );
    let desc = db
        .query(QueryInput {
            scan_index_forward: Some(false),
            ..q("pk = :p AND sk < :v", &[p.clone(), (":v", n("-2"))])
        })
        .expect("query");
    assert_eq!(sks(&desc.items.unwrap_or_default()), vec!["-3", "-4", "-5"]);
    assert!(validation(db.query(q(
        "pk = :p AND sk BETWEEN :lo AND :hi",
        &[p.clone(), (":lo", n("2")), (":hi", n("1"))]
    )))
    .contains("BETWEEN operator requires upper bound to be greater than or equal to lower bound"));
    assert_eq!(
        validation(db.query(q("sk = :v", &[(":v", n("1"))]))),
        "Query condition missed key schema element: pk"
    );
    assert_eq!(
        validation(db.query(q("pk < :p", std::slice::from_ref(&p)))),
        "Query key condition not supported"
    );
    assert_eq!(
        validation(db.query(q("pk = :p AND sk = :v", &[p.clone(), (":v", s("x"))]))),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
}

#[test]
fn begins_with_on_string_sort_keys_including_nul_bytes() {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "str", Some(("sk", ScalarAttributeType::S)));
    for sk in ["a", "ab", "ab\u{0}", "ab\u{0}c", "abc", "ac", "b"] {
        put(&db, "str", item(&[("pk", s("p")), ("sk", s(sk))]));
    }
    let out = db
        .query(QueryInput {
            table_name: "str".into(),
            key_condition_expression: Some("pk = :p AND begins_with(sk, :pre)".into()),
            expression_attribute_values: values(&[(":p", s("p")), (":pre", s("ab"))]),
            ..Default::default()
        })
        .expect("query");
    let got: Vec<String> = out
        .items
        .unwrap_or_default()
        .iter()
        .filter_map(|i| match i.get("sk") {
            Some(AttributeValue::S(x)) => Some(x.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(got, vec!["ab", "ab\u{0}", "ab\u{0}c", "abc"]);
}

#[test]
fn limit_counts_items_evaluated_and_pages_resume() {
    let db = db_with_items();
    let mut start = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let out = db
            .query(QueryInput {
                limit: Some(3),
                exclusive_start_key: start.clone(),
                filter_expression: Some("even = :t".into()),
                ..q(
                    "pk = :p",
                    &[(":p", s("a")), (":t", AttributeValue::Bool(true))],
                )
            })
            .expect("query");
        pages += 1;
        assert_eq!(
            out.scanned_count,
            if out.last_evaluated_key.is_some() {
                3
            } else {
                out.scanned_count
            }
        );
        assert!(out.count <= out.scanned_count);
        seen.extend(sks(&out.items.unwrap_or_default()));
        match out.last_evaluated_key {
            Some(k) => {
                assert_eq!(k.len(), 2, "LastEvaluatedKey is the table key");
                start = Some(k);
            }
            None => break,
        }
        assert!(pages < 20);
    }
    let evens: Vec<String> = (-5..15)
        .filter(|i| i % 2 == 0)
        .map(|i| i.to_string())
        .collect();
    assert_eq!(seen, evens);
    // 20 items, 3 per page: 7 pages, the last one short.
    assert_eq!(pages, 7);
    let count = db
        .query(QueryInput {
            select: Some(Select::Count),
            ..q("pk = :p", &[(":p", s("c"))])
        })
        .expect("count");
    assert_eq!((count.count, count.items), (20, None));
}

#[test]
fn a_page_ends_at_one_megabyte_read_before_the_filter() {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "big", Some(("sk", ScalarAttributeType::N)));
    let blob = "x".repeat(100 * 1024);
    for i in 0..25 {
        put(
            &db,
            "big",
            item(&[
                ("pk", s("p")),
                ("sk", n(i.to_string())),
                ("payload", s(&blob)),
            ]),
        );
    }
    let out = db
        .query(QueryInput {
            table_name: "big".into(),
            key_condition_expression: Some("pk = :p".into()),
            filter_expression: Some("attribute_not_exists(payload)".into()),
            expression_attribute_values: values(&[(":p", s("p"))]),
            ..Default::default()
        })
        .expect("query");
    // Every item is ~100 KB: the page stops after the 11th (≥ 1 MB read),
    // even though the filter kept nothing.
    assert_eq!(out.count, 0);
    assert_eq!(out.scanned_count, 11);
    assert!(out.last_evaluated_key.is_some());
}

#[test]
fn scan_pages_and_parallel_segments_cover_everything_once() {
    let db = db_with_items();
    let full = db
        .scan(ScanInput {
            table_name: "tbl".into(),
            ..Default::default()
        })
        .expect("scan");
    assert_eq!(full.count, 60);
    assert_eq!(full.last_evaluated_key, None);
    let key_of = |i: &Item| format!("{:?}/{:?}", i.get("pk"), i.get("sk"));
    let all: BTreeSet<String> = full.items.unwrap_or_default().iter().map(key_of).collect();
    assert_eq!(all.len(), 60);
    for total in [1i64, 2, 3, 7] {
        let mut got = BTreeSet::new();
        for seg in 0..total {
            let mut start = None;
            loop {
                let out = db
                    .scan(ScanInput {
                        table_name: "tbl".into(),
                        segment: Some(seg),
                        total_segments: Some(total),
                        limit: Some(4),
                        exclusive_start_key: start.clone(),
                        ..Default::default()
                    })
                    .expect("scan");
                for i in out.items.unwrap_or_default() {
                    assert!(got.insert(key_of(&i)), "item returned twice");
                }
                match out.last_evaluated_key {
                    Some(k) => start = Some(k),
                    None => break,
                }
            }
        }
        assert_eq!(got, all, "{total} segments");
    }
    assert!(validation(db.scan(ScanInput {
        table_name: "tbl".into(),
        segment: Some(1),
        ..Default::default()
    }))
    .starts_with("The TotalSegments parameter is required"));
    assert!(validation(db.scan(ScanInput {
        table_name: "tbl".into(),
        segment: Some(3),
        total_segments: Some(3),
        ..Default::default()
    }))
    .starts_with("The Segment parameter is zero-based"));
    let filtered = db
        .scan(ScanInput {
            table_name: "tbl".into(),
            filter_expression: Some("pk = :p AND sk >= :v".into()),
            expression_attribute_values: values(&[(":p", s("a")), (":v", n("10"))]),
            projection_expression: Some("sk".into()),
            ..Default::default()
        })
        .expect("scan");
    assert_eq!(filtered.count, 5);
    assert_eq!(filtered.scanned_count, 60);
    assert!(filtered
        .items
        .unwrap_or_default()
        .iter()
        .all(|i| i.len() == 1));
}
