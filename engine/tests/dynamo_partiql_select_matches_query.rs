//! A PartiQL SELECT with a key condition returns exactly what the
//! equivalent Query returns: the same items in the same order, whatever
//! the sort-key condition, direction, extra filter and page size.

mod common;

use common::{create, item, n, s, values};
use proptest::prelude::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::{AttributeValue, Item};

/// A sort-key condition: (PartiQL text, KeyConditionExpression text), both
/// over the values `a` and `b`.
fn sort_condition(kind: u8, a: i64, b: i64) -> Option<(String, String)> {
    let (lo, hi) = (a.min(b), a.max(b));
    Some(match kind {
        0 => return None,
        1 => (format!("sk = {a}"), "sk = :a".to_string()),
        2 => (format!("sk < {a}"), "sk < :a".to_string()),
        3 => (format!("sk <= {a}"), "sk <= :a".to_string()),
        4 => (format!("{a} < sk"), "sk > :a".to_string()),
        5 => (format!("sk >= {a}"), "sk >= :a".to_string()),
        _ => (
            format!("sk BETWEEN {lo} AND {hi}"),
            "sk BETWEEN :lo AND :hi".to_string(),
        ),
    })
}

fn all_pages_select(db: &DynamoDb, statement: &str, limit: Option<i64>) -> Vec<Item> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = db
            .execute_statement(ExecuteStatementInput {
                statement: statement.to_string(),
                limit,
                next_token: token,
                ..ExecuteStatementInput::default()
            })
            .expect("select");
        out.extend(page.items.unwrap_or_default());
        token = page.next_token;
        if token.is_none() {
            return out;
        }
    }
}

fn all_pages_query(db: &DynamoDb, mut input: QueryInput) -> Vec<Item> {
    let mut out = Vec::new();
    loop {
        let page = db.query(input.clone()).expect("query");
        out.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(k) => input.exclusive_start_key = Some(k),
            None => return out,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn select_with_key_condition_equals_query(
        rows in proptest::collection::vec((0u8..3, 0i64..20, 0i64..5), 0..40),
        partition in 0u8..3,
        kind in 0u8..7,
        a in 0i64..20,
        b in 0i64..20,
        descending in any::<bool>(),
        filter in proptest::option::of(0i64..5),
        limit in proptest::option::of(1i64..7),
    ) {
        let db = DynamoDb::open_in_memory().expect("open");
        create(&db, "Tab", Some(("sk", ScalarAttributeType::N)));
        for (p, sk, x) in &rows {
            db.put_item(PutItemInput {
                table_name: "Tab".into(),
                item: item(&[
                    ("pk", s(&format!("p{p}"))),
                    ("sk", n(sk)),
                    ("x", n(x)),
                ]),
                ..PutItemInput::default()
            })
            .expect("put");
        }
        let sort = sort_condition(kind, a, b);
        let mut where_clause = format!("pk = 'p{partition}'");
        let mut key_condition = "pk = :p".to_string();
        if let Some((partiql, expr)) = &sort {
            where_clause.push_str(&format!(" AND {partiql}"));
            key_condition.push_str(&format!(" AND {expr}"));
        }
        if let Some(f) = filter {
            where_clause.push_str(&format!(" AND x > {f}"));
        }
        let order = if descending { " ORDER BY sk DESC" } else { "" };
        let statement = format!("SELECT * FROM Tab WHERE {where_clause}{order}");
        let selected = all_pages_select(&db, &statement, limit);

        let (lo, hi) = (a.min(b), a.max(b));
        let mut vals = vec![
            (":p", s(&format!("p{partition}"))),
            (":a", n(a)),
            (":lo", n(lo)),
            (":hi", n(hi)),
            (":f", n(filter.unwrap_or(0))),
        ];
        let used = |name: &str, text: &str| text.contains(name);
        let filter_expression = filter.map(|_| "x > :f".to_string());
        vals.retain(|(k, _)| {
            used(k, &key_condition) || filter_expression.as_deref().is_some_and(|f| used(k, f))
        });
        let queried = all_pages_query(
            &db,
            QueryInput {
                table_name: "Tab".into(),
                key_condition_expression: Some(key_condition),
                filter_expression,
                expression_attribute_values: values(&vals),
                scan_index_forward: Some(!descending),
                limit,
                ..QueryInput::default()
            },
        );
        prop_assert_eq!(selected, queried);
    }
}

/// A value that the sort key condition cannot narrow (`<>`) still finds
/// the right items: the whole WHERE is evaluated on each item read.
#[test]
fn a_condition_no_key_condition_can_express_is_still_applied() {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "Tab", Some(("sk", ScalarAttributeType::N)));
    for sk in 0..5 {
        db.put_item(PutItemInput {
            table_name: "Tab".into(),
            item: item(&[("pk", s("p")), ("sk", n(sk))]),
            ..PutItemInput::default()
        })
        .expect("put");
    }
    let got = all_pages_select(
        &db,
        "SELECT sk FROM Tab WHERE pk = 'p' AND sk <> 2 AND (sk = 1 OR sk > 3)",
        None,
    );
    let sks: Vec<&AttributeValue> = got.iter().map(|i| &i["sk"]).collect();
    assert_eq!(sks, vec![&n("1"), &n("4")]);
}
