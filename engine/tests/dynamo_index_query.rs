//! Query and Scan on secondary indexes: key conditions on the index keys,
//! index order, filters, projections (KEYS_ONLY, INCLUDE, ALL) and the
//! Select rules with DynamoDB's messages, sparse indexes, paging with both
//! key sets in LastEvaluatedKey, parallel scans of an index, fetches from
//! the table through a local index, and capacity.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoError};
use siltdb::{AttributeValue, Item};

const T: &str = "music";

fn def(name: &str, ty: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition {
        attribute_name: name.into(),
        attribute_type: ty,
    }
}

fn keys(hash: &str, range: Option<&str>) -> Vec<KeySchemaElement> {
    let mut ks = vec![KeySchemaElement {
        attribute_name: hash.into(),
        key_type: KeyType::Hash,
    }];
    if let Some(r) = range {
        ks.push(KeySchemaElement {
            attribute_name: r.into(),
            key_type: KeyType::Range,
        });
    }
    ks
}

fn projection(ty: ProjectionType, include: &[&str]) -> Projection {
    Projection {
        projection_type: Some(ty),
        non_key_attributes: (!include.is_empty())
            .then(|| include.iter().map(|s| s.to_string()).collect()),
    }
}

/// The table under test: `pk` (S) + `sk` (N), two local and three global
/// indexes.
fn table_input() -> CreateTableInput {
    use ScalarAttributeType::{N, S};
    CreateTableInput {
        table_name: T.into(),
        attribute_definitions: vec![
            def("pk", S),
            def("sk", N),
            def("date", S),
            def("rank", N),
            def("genre", S),
            def("year", N),
            def("label", S),
        ],
        key_schema: keys("pk", Some("sk")),
        billing_mode: Some(BillingMode::PayPerRequest),
        local_secondary_indexes: Some(vec![
            LocalSecondaryIndex {
                index_name: "lsi_keys".into(),
                key_schema: keys("pk", Some("date")),
                projection: projection(ProjectionType::KeysOnly, &[]),
            },
            LocalSecondaryIndex {
                index_name: "lsi_incl".into(),
                key_schema: keys("pk", Some("rank")),
                projection: projection(ProjectionType::Include, &["title"]),
            },
        ]),
        global_secondary_indexes: Some(vec![
            GlobalSecondaryIndex {
                index_name: "gsi_all".into(),
                key_schema: keys("genre", Some("year")),
                projection: projection(ProjectionType::All, &[]),
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            },
            GlobalSecondaryIndex {
                index_name: "gsi_keys".into(),
                key_schema: keys("genre", None),
                projection: projection(ProjectionType::KeysOnly, &[]),
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            },
            GlobalSecondaryIndex {
                index_name: "gsi_incl".into(),
                key_schema: keys("label", Some("year")),
                projection: projection(ProjectionType::Include, &["title", "plays"]),
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            },
        ]),
        ..Default::default()
    }
}

/// Creates a table with indexes. (Through the test-only path until
/// CreateTable accepts indexes; then this becomes `db.create_table`.)
fn create_indexed(db: &DynamoDb, input: CreateTableInput) {
    db.create_table(input).expect("create table with indexes");
}

const GENRES: [&str; 3] = ["rock", "jazz", "pop"];

/// Item `p`/`sk` of the fixture; some attributes are missing on purpose
/// (sparse indexes).
fn fixture_item(p: usize, sk: i64) -> Item {
    let pk = ["a", "b", "c"][p];
    let mut it = item(&[
        ("pk", s(pk)),
        ("sk", n(sk.to_string())),
        ("rank", n((100 - sk * 3 + p as i64).to_string())),
        ("year", n((1900 + p as i64 * 20 + sk).to_string())),
        ("title", s(&format!("t-{pk}-{sk}"))),
        ("plays", n((sk * 100 + p as i64).to_string())),
        (
            "extra",
            AttributeValue::M(item(&[("x", n(sk.to_string()))])),
        ),
    ]);
    if sk != 7 {
        it.insert(
            "date".into(),
            s(&format!(
                "2024-{:02}-{:02}",
                (sk * 3 + p as i64) % 12 + 1,
                sk + 1
            )),
        );
    }
    if (sk + 2 * p as i64) % 5 != 4 {
        it.insert("genre".into(), s(GENRES[(sk as usize + p) % GENRES.len()]));
    }
    if sk != 0 {
        it.insert("label".into(), s(["L1", "L2"][sk as usize % 2]));
    }
    it
}

fn fixture() -> (DynamoDb, Vec<Item>) {
    let db = DynamoDb::open_in_memory().expect("open");
    create_indexed(&db, table_input());
    let mut items = Vec::new();
    for p in 0..3 {
        for sk in 0..10 {
            let it = fixture_item(p, sk);
            put(&db, T, it.clone());
            items.push(it);
        }
    }
    (db, items)
}

fn num(it: &Item, attr: &str) -> i64 {
    match it.get(attr) {
        Some(AttributeValue::N(x)) => x.to_string().parse().expect("integer"),
        other => panic!("no number {attr}: {other:?}"),
    }
}

fn text<'a>(it: &'a Item, attr: &str) -> &'a str {
    match it.get(attr) {
        Some(AttributeValue::S(x)) => x,
        other => panic!("no string {attr}: {other:?}"),
    }
}

/// The (pk, sk) of each item, in order.
fn ids(items: &[Item]) -> Vec<(String, i64)> {
    items
        .iter()
        .map(|i| (text(i, "pk").to_string(), num(i, "sk")))
        .collect()
}

fn query(index: &str, kc: &str, vals: &[(&str, AttributeValue)]) -> QueryInput {
    QueryInput {
        table_name: T.into(),
        index_name: Some(index.into()),
        key_condition_expression: Some(kc.into()),
        expression_attribute_values: values(vals),
        ..Default::default()
    }
}

fn attr_names(it: &Item) -> BTreeSet<String> {
    it.keys().cloned().collect()
}

fn names_set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Every page of a query, following LastEvaluatedKey.
fn all_pages(db: &DynamoDb, input: QueryInput) -> (Vec<Item>, usize) {
    let mut start = None;
    let mut out = Vec::new();
    let mut pages = 0;
    loop {
        let page = db
            .query(QueryInput {
                exclusive_start_key: start.clone(),
                ..input.clone()
            })
            .expect("query page");
        pages += 1;
        out.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return (out, pages),
        }
        assert!(pages < 1000, "paging does not end");
    }
}

#[test]
fn gsi_query_reads_the_index_partition_in_index_order() {
    let (db, items) = fixture();
    for g in GENRES {
        let mut want: Vec<&Item> = items
            .iter()
            .filter(|i| i.get("genre") == Some(&s(g)))
            .collect();
        want.sort_by_key(|i| num(i, "year"));
        let want: Vec<Item> = want.into_iter().cloned().collect();
        let out = db
            .query(query("gsi_all", "genre = :g", &[(":g", s(g))]))
            .expect("query");
        assert_eq!(out.items.as_deref(), Some(want.as_slice()), "genre {g}");
        assert_eq!(out.count as usize, want.len());
        assert_eq!(out.last_evaluated_key, None);
        let back = db
            .query(QueryInput {
                scan_index_forward: Some(false),
                ..query("gsi_all", "genre = :g", &[(":g", s(g))])
            })
            .expect("backward");
        let mut rev = want.clone();
        rev.reverse();
        assert_eq!(back.items, Some(rev));
    }
    // Sort-key conditions on the index sort key (`year` is a reserved
    // word, hence the name placeholder).
    let years = |pred: &dyn Fn(i64) -> bool| {
        let mut v: Vec<i64> = items
            .iter()
            .filter(|i| i.get("genre") == Some(&s("jazz")))
            .map(|i| num(i, "year"))
            .filter(|y| pred(*y))
            .collect();
        v.sort();
        v
    };
    let g = (":g", s("jazz"));
    let with_names = |kc: &str, vals: &[(&str, AttributeValue)]| {
        let out = db
            .query(QueryInput {
                expression_attribute_names: names(&[("#y", "year")]),
                ..query("gsi_all", kc, vals)
            })
            .expect("query");
        out.items
            .unwrap_or_default()
            .iter()
            .map(|i| num(i, "year"))
            .collect::<Vec<_>>()
    };
    for (op, pred) in [
        ("<", &(|y: i64| y < 1923) as &dyn Fn(i64) -> bool),
        ("<=", &|y| y <= 1923),
        (">", &|y| y > 1923),
        (">=", &|y| y >= 1923),
        ("=", &|y| y == 1923),
    ] {
        assert_eq!(
            with_names(
                &format!("genre = :g AND #y {op} :y"),
                &[g.clone(), (":y", n("1923"))]
            ),
            years(pred),
            "year {op} 1923"
        );
    }
    // 1901 and 1923 are jazz years: the bounds are inclusive.
    assert_eq!(years(&|y| y == 1923), vec![1923]);
    assert_eq!(
        with_names(
            "genre = :g AND #y BETWEEN :lo AND :hi",
            &[g.clone(), (":lo", n("1901")), (":hi", n("1923"))]
        ),
        years(&|y| (1901..=1923).contains(&y))
    );
}

#[test]
fn lsi_query_orders_a_partition_by_the_index_sort_key() {
    let (db, items) = fixture();
    let mut want: Vec<&Item> = items
        .iter()
        .filter(|i| text(i, "pk") == "b" && i.contains_key("date"))
        .collect();
    want.sort_by(|x, y| text(x, "date").cmp(text(y, "date")));
    let out = db
        .query(query("lsi_keys", "pk = :p", &[(":p", s("b"))]))
        .expect("query");
    let got = out.items.unwrap_or_default();
    assert_eq!(
        ids(&got),
        want.iter()
            .map(|i| (text(i, "pk").to_string(), num(i, "sk")))
            .collect::<Vec<_>>()
    );
    // KEYS_ONLY: the table keys and the index key.
    for it in &got {
        assert_eq!(attr_names(it), names_set(&["pk", "sk", "date"]));
    }
    // 9 of 10 items have a date: the index is sparse.
    assert_eq!(got.len(), 9);
    let out = db
        .query(query(
            "lsi_keys",
            "pk = :p AND begins_with(#d, :m)",
            &[(":p", s("b")), (":m", s("2024-0"))],
        ))
        .map(|o| o.items.unwrap_or_default());
    assert!(validation(out.clone()).contains("#d"), "{out:?}");
    let out = db
        .query(QueryInput {
            expression_attribute_names: names(&[("#d", "date")]),
            ..query(
                "lsi_keys",
                "pk = :p AND begins_with(#d, :m)",
                &[(":p", s("b")), (":m", s("2024-0"))],
            )
        })
        .expect("begins_with");
    let months: Vec<String> = out
        .items
        .unwrap_or_default()
        .iter()
        .map(|i| text(i, "date")[..7].to_string())
        .collect();
    assert!(!months.is_empty());
    assert!(months.iter().all(|m| m.starts_with("2024-0")));
    let mut sorted = months.clone();
    sorted.sort();
    assert_eq!(months, sorted);
}

#[test]
fn projections_return_only_what_the_index_holds() {
    let (db, _) = fixture();
    // KEYS_ONLY global index without a sort key.
    let out = db
        .query(query("gsi_keys", "genre = :g", &[(":g", s("pop"))]))
        .expect("query");
    for it in out.items.unwrap_or_default() {
        assert_eq!(attr_names(&it), names_set(&["pk", "sk", "genre"]));
    }
    // INCLUDE: keys plus the listed attributes.
    let out = db
        .query(query("gsi_incl", "label = :l", &[(":l", s("L1"))]))
        .expect("query");
    let got = out.items.unwrap_or_default();
    assert!(!got.is_empty());
    for it in &got {
        assert_eq!(
            attr_names(it),
            names_set(&["pk", "sk", "label", "year", "title", "plays"])
        );
    }
    // ALL: the whole item.
    let out = db
        .query(QueryInput {
            select: Some(Select::AllProjectedAttributes),
            ..query("gsi_all", "genre = :g", &[(":g", s("rock"))])
        })
        .expect("query");
    for it in out.items.unwrap_or_default() {
        assert!(it.contains_key("extra") && it.contains_key("title"));
    }
    // SPECIFIC_ATTRIBUTES naming projected attributes only.
    let out = db
        .query(QueryInput {
            projection_expression: Some("title, sk".into()),
            ..query("gsi_incl", "label = :l", &[(":l", s("L2"))])
        })
        .expect("query");
    for it in out.items.unwrap_or_default() {
        assert_eq!(attr_names(&it), names_set(&["sk", "title"]));
    }
    // COUNT.
    let out = db
        .query(QueryInput {
            select: Some(Select::Count),
            ..query("gsi_incl", "label = :l", &[(":l", s("L2"))])
        })
        .expect("count");
    assert_eq!(out.items, None);
    assert_eq!(out.count, 15);
}

#[test]
fn a_local_index_fetches_attributes_it_does_not_project() {
    let (db, items) = fixture();
    let whole: BTreeMap<(String, i64), Item> = items
        .iter()
        .map(|i| ((text(i, "pk").to_string(), num(i, "sk")), i.clone()))
        .collect();
    // ALL_ATTRIBUTES on a KEYS_ONLY local index: the table items.
    let out = db
        .query(QueryInput {
            select: Some(Select::AllAttributes),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Indexes),
            ..query("lsi_keys", "pk = :p", &[(":p", s("a"))])
        })
        .expect("query");
    let got = out.items.unwrap_or_default();
    assert_eq!(got.len(), 9);
    for it in &got {
        assert_eq!(
            Some(it),
            whole.get(&(text(it, "pk").to_string(), num(it, "sk")))
        );
    }
    // Capacity: the entries read from the index, plus one 4 KB unit per
    // fetched item, halved (eventually consistent).
    let cap = out.consumed_capacity.expect("capacity");
    assert_eq!(cap.table_name.as_deref(), Some(T));
    assert_eq!(cap.table.and_then(|t| t.capacity_units), Some(4.5));
    let lsi = cap.local_secondary_indexes.expect("per index");
    assert_eq!(lsi["lsi_keys"].capacity_units, Some(0.5));
    assert_eq!(cap.capacity_units, Some(5.0));
    assert!(cap.global_secondary_indexes.is_none());
    // A projection naming unprojected attributes fetches them too.
    let out = db
        .query(QueryInput {
            projection_expression: Some("title, extra.x, #d".into()),
            expression_attribute_names: names(&[("#d", "date")]),
            consistent_read: Some(true),
            ..query("lsi_incl", "pk = :p", &[(":p", s("c"))])
        })
        .expect("query");
    let got = out.items.unwrap_or_default();
    assert_eq!(got.len(), 10);
    // Ordered by rank (which falls as sk rises).
    let titles: Vec<&str> = got.iter().map(|i| text(i, "title")).collect();
    let want: Vec<String> = (0..10).rev().map(|sk| format!("t-c-{sk}")).collect();
    assert_eq!(titles, want);
    for it in &got {
        assert!(it.contains_key("extra"));
        assert!(it.len() >= 2);
    }
    // Only projected attributes: no fetch, no table units.
    let out = db
        .query(QueryInput {
            projection_expression: Some("title, #r".into()),
            expression_attribute_names: names(&[("#r", "rank")]),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Indexes),
            ..query("lsi_incl", "pk = :p", &[(":p", s("c"))])
        })
        .expect("query");
    assert_eq!(
        out.consumed_capacity
            .and_then(|c| c.table)
            .and_then(|t| t.capacity_units),
        Some(0.0)
    );
}

#[test]
fn select_and_projection_rules_on_indexes() {
    let (db, _) = fixture();
    let g = || query("gsi_incl", "label = :l", &[(":l", s("L1"))]);
    assert_eq!(
        validation(db.query(QueryInput {
            select: Some(Select::AllAttributes),
            ..g()
        })),
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gsi_incl because its projection type is not ALL"
    );
    assert_eq!(
        validation(db.scan(ScanInput {
            table_name: T.into(),
            index_name: Some("gsi_keys".into()),
            select: Some(Select::AllAttributes),
            ..Default::default()
        })),
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gsi_keys because its projection type is not ALL"
    );
    // ALL_ATTRIBUTES is fine on an ALL index.
    assert!(db
        .query(QueryInput {
            select: Some(Select::AllAttributes),
            ..query("gsi_all", "genre = :g", &[(":g", s("pop"))])
        })
        .is_ok());
    assert_eq!(
        validation(db.query(QueryInput {
            projection_expression: Some("title, #d, extra.x".into()),
            expression_attribute_names: names(&[("#d", "date")]),
            ..g()
        })),
        "One or more parameter values were invalid: Global secondary index gsi_incl does not project [date, extra]"
    );
    assert_eq!(
        validation(db.scan(ScanInput {
            table_name: T.into(),
            index_name: Some("gsi_keys".into()),
            attributes_to_get: Some(vec!["title".into()]),
            ..Default::default()
        })),
        "One or more parameter values were invalid: Global secondary index gsi_keys does not project [title]"
    );
    assert_eq!(
        validation(db.query(QueryInput {
            select: Some(Select::AllProjectedAttributes),
            projection_expression: Some("title".into()),
            ..g()
        })),
        "1 validation error detected: Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES"
    );
    assert_eq!(
        validation(db.query(QueryInput {
            select: Some(Select::Count),
            projection_expression: Some("title".into()),
            ..g()
        })),
        "1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count"
    );
    assert_eq!(
        validation(db.scan(ScanInput {
            table_name: T.into(),
            select: Some(Select::Count),
            projection_expression: Some("title".into()),
            ..Default::default()
        })),
        "Cannot specify the ProjectionExpression when choosing to get only the Count"
    );
    assert_eq!(
        validation(db.query(QueryInput {
            table_name: T.into(),
            select: Some(Select::AllProjectedAttributes),
            key_condition_expression: Some("pk = :p".into()),
            expression_attribute_values: values(&[(":p", s("a"))]),
            ..Default::default()
        })),
        "1 validation error detected: ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
    );
    assert_eq!(
        validation(db.scan(ScanInput {
            table_name: T.into(),
            select: Some(Select::AllProjectedAttributes),
            ..Default::default()
        })),
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
    );
    assert_eq!(
        validation(db.query(QueryInput {
            select: Some(Select::SpecificAttributes),
            ..g()
        })),
        "1 validation error detected: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
    );
}

#[test]
fn key_conditions_and_filters_follow_the_index_keys() {
    let (db, items) = fixture();
    assert_eq!(
        validation(db.query(query("gsi_all", "pk = :p", &[(":p", s("a"))]))),
        "Query condition missed key schema element: genre"
    );
    assert_eq!(
        validation(db.query(query(
            "lsi_keys",
            "pk = :p AND sk > :v",
            &[(":p", s("a")), (":v", n("1"))]
        ))),
        "Query condition missed key schema element: date"
    );
    assert_eq!(
        validation(db.query(query("gsi_all", "genre = :g", &[(":g", n("1"))]))),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
    assert_eq!(
        validation(db.query(query("gsi_all", "genre = :g", &[(":g", s(""))]))),
        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: gsi_all, IndexKey: genre"
    );
    assert_eq!(
        validation(db.query(query("nope", "genre = :g", &[(":g", s("x"))]))),
        "The table does not have the specified index: nope"
    );
    assert_eq!(
        validation(db.scan(ScanInput {
            table_name: T.into(),
            index_name: Some("nope".into()),
            ..Default::default()
        })),
        "The table does not have the specified index: nope"
    );
    assert_eq!(
        validation(db.query(QueryInput {
            consistent_read: Some(true),
            ..query("gsi_all", "genre = :g", &[(":g", s("rock"))])
        })),
        "Consistent reads are not supported on global secondary indexes"
    );
    assert_eq!(
        validation(db.scan(ScanInput {
            table_name: T.into(),
            index_name: Some("gsi_all".into()),
            consistent_read: Some(true),
            ..Default::default()
        })),
        "Consistent reads are not supported on global secondary indexes"
    );
    assert!(db
        .query(QueryInput {
            consistent_read: Some(true),
            ..query("lsi_keys", "pk = :p", &[(":p", s("a"))])
        })
        .is_ok());
    // A filter may not use the index's keys ...
    assert_eq!(
        validation(db.query(QueryInput {
            filter_expression: Some("#y > :y".into()),
            expression_attribute_names: names(&[("#y", "year")]),
            ..query("gsi_all", "genre = :g", &[(":g", s("rock")), (":y", n("1"))])
        })),
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: year"
    );
    // ... nor attributes the index does not hold ...
    assert_eq!(
        validation(db.query(QueryInput {
            filter_expression: Some("plays > :v OR contains(title, :t)".into()),
            ..query(
                "gsi_keys",
                "genre = :g",
                &[(":g", s("rock")), (":v", n("1")), (":t", s("x"))]
            )
        })),
        "One or more parameter values were invalid: Secondary index gsi_keys does not project one or more filter attributes: [plays, title]"
    );
    assert_eq!(
        validation(db.query(QueryInput {
            filter_expression: Some("plays > :v".into()),
            ..query("lsi_keys", "pk = :p", &[(":p", s("a")), (":v", n("1"))])
        })),
        "One or more parameter values were invalid: Secondary index lsi_keys does not project one or more filter attributes: [plays]"
    );
    // ... but may use the table's keys and projected attributes.
    let out = db
        .query(QueryInput {
            filter_expression: Some("sk >= :s AND plays < :v".into()),
            ..query(
                "gsi_incl",
                "label = :l",
                &[(":l", s("L1")), (":s", n("3")), (":v", n("800"))],
            )
        })
        .expect("filter on table key");
    let want: BTreeSet<(String, i64)> = items
        .iter()
        .filter(|i| i.get("label") == Some(&s("L1")) && num(i, "sk") >= 3 && num(i, "plays") < 800)
        .map(|i| (text(i, "pk").to_string(), num(i, "sk")))
        .collect();
    let got = out.items.unwrap_or_default();
    assert_eq!(ids(&got).into_iter().collect::<BTreeSet<_>>(), want);
    // Label L1: the even sort keys but 0, in each of three partitions.
    assert_eq!(out.scanned_count, 12);
    // A scan of an index filters what the index holds: an attribute it
    // does not project is simply absent.
    let out = db
        .scan(ScanInput {
            table_name: T.into(),
            index_name: Some("gsi_keys".into()),
            filter_expression: Some("attribute_exists(title)".into()),
            ..Default::default()
        })
        .expect("scan");
    assert_eq!(out.count, 0);
    assert!(out.scanned_count > 0);
}

#[test]
fn paging_carries_index_and_table_keys_and_round_trips() {
    let (db, items) = fixture();
    for (index, kc, vals, lek) in [
        (
            "gsi_all",
            "genre = :g",
            vec![(":g", s("jazz"))],
            vec!["pk", "sk", "genre", "year"],
        ),
        (
            "gsi_keys",
            "genre = :g",
            vec![(":g", s("jazz"))],
            vec!["pk", "sk", "genre"],
        ),
        (
            "lsi_keys",
            "pk = :p",
            vec![(":p", s("a"))],
            vec!["pk", "sk", "date"],
        ),
    ] {
        for forward in [true, false] {
            let base = QueryInput {
                scan_index_forward: Some(forward),
                ..query(index, kc, &vals)
            };
            let whole = db.query(base.clone()).expect("unpaged");
            let whole = whole.items.unwrap_or_default();
            for limit in [1, 2, 3] {
                let first = db
                    .query(QueryInput {
                        limit: Some(limit),
                        ..base.clone()
                    })
                    .expect("first page");
                let k = first.last_evaluated_key.expect("more pages");
                assert_eq!(attr_names(&k), names_set(&lek), "{index}");
                let (paged, pages) = all_pages(
                    &db,
                    QueryInput {
                        limit: Some(limit),
                        ..base.clone()
                    },
                );
                assert_eq!(paged, whole, "{index} forward={forward} limit={limit}");
                assert_eq!(pages, whole.len() / limit as usize + 1);
            }
        }
    }
    // Ties on the index keys (gsi_keys has no sort key) are still paged
    // exactly once each.
    let jazz = items
        .iter()
        .filter(|i| i.get("genre") == Some(&s("jazz")))
        .count();
    let (paged, _) = all_pages(
        &db,
        QueryInput {
            limit: Some(1),
            ..query("gsi_keys", "genre = :g", &[(":g", s("jazz"))])
        },
    );
    assert_eq!(ids(&paged).into_iter().collect::<BTreeSet<_>>().len(), jazz);
}

#[test]
fn exclusive_start_keys_of_index_reads_are_checked() {
    let (db, _) = fixture();
    let base = || query("gsi_all", "genre = :g", &[(":g", s("jazz"))]);
    let first = db
        .query(QueryInput {
            limit: Some(1),
            ..base()
        })
        .expect("query");
    let lek = first.last_evaluated_key.expect("lek");
    let with = |k: Item| QueryInput {
        exclusive_start_key: Some(k),
        ..base()
    };
    // Only the table key: too few attributes.
    let mut only_table = lek.clone();
    only_table.remove("genre");
    only_table.remove("year");
    assert_eq!(
        validation(db.query(with(only_table))),
        "The provided starting key is invalid"
    );
    // Right size, an index key missing.
    let mut swapped = lek.clone();
    swapped.remove("year");
    swapped.insert("other".into(), n("1"));
    assert_eq!(
        validation(db.query(with(swapped))),
        "The provided starting key is invalid"
    );
    // Index key of the wrong type.
    let mut wrong = lek.clone();
    wrong.insert("year".into(), s("1900"));
    assert_eq!(
        validation(db.query(with(wrong))),
        "The provided key element does not match the schema"
    );
    // Table key of the wrong type.
    let mut wrong = lek.clone();
    wrong.insert("sk".into(), s("1"));
    assert_eq!(
        validation(db.query(with(wrong))),
        "The provided starting key is invalid: The provided key element does not match the schema"
    );
    // A missing index hash key in the condition is reported before the
    // start key's sort key.
    let mut no_year = lek.clone();
    no_year.remove("year");
    no_year.insert("x".into(), n("1"));
    assert_eq!(
        validation(
            db.query(
                QueryInput {
                    exclusive_start_key: Some(no_year),
                    ..query("gsi_all", "#y = :g", &[(":g", n("1"))])
                }
                .clone()
                .with_names()
            )
        ),
        "Query condition missed key schema element: genre"
    );
    // Another partition's key.
    let mut other = lek.clone();
    other.insert("genre".into(), s("pop"));
    assert_eq!(
        validation(db.query(with(other))),
        "The provided starting key is outside query boundaries based on provided conditions"
    );
    // The start key need not be an existing item: a position is enough.
    let mut ghost = lek.clone();
    ghost.insert("pk".into(), s("zzz"));
    assert!(db.query(with(ghost)).is_ok());
    // Scans check the same way.
    let scan = |k: Item| {
        db.scan(ScanInput {
            table_name: T.into(),
            index_name: Some("gsi_all".into()),
            exclusive_start_key: Some(k),
            ..Default::default()
        })
    };
    let mut only_table = lek.clone();
    only_table.remove("genre");
    only_table.remove("year");
    assert_eq!(
        validation(scan(only_table)),
        "The provided starting key is invalid"
    );
    let mut wrong = lek.clone();
    wrong.insert("pk".into(), n("1"));
    assert_eq!(
        validation(scan(wrong)),
        "The provided starting key is invalid: The provided key element does not match the schema"
    );
}

trait WithNames {
    fn with_names(self) -> Self;
}

impl WithNames for QueryInput {
    fn with_names(self) -> Self {
        QueryInput {
            expression_attribute_names: names(&[("#y", "year")]),
            ..self
        }
    }
}

#[test]
fn index_scans_page_and_split_into_segments() {
    let (db, items) = fixture();
    let in_index: BTreeSet<(String, i64)> = items
        .iter()
        .filter(|i| i.contains_key("label"))
        .map(|i| (text(i, "pk").to_string(), num(i, "sk")))
        .collect();
    let scan = |seg: Option<(i64, i64)>, start: Option<Item>, limit: Option<i64>| {
        db.scan(ScanInput {
            table_name: T.into(),
            index_name: Some("gsi_incl".into()),
            segment: seg.map(|s| s.0),
            total_segments: seg.map(|s| s.1),
            exclusive_start_key: start,
            limit,
            ..Default::default()
        })
        .expect("scan")
    };
    let full = scan(None, None, None);
    let full_items = full.items.unwrap_or_default();
    assert_eq!(
        ids(&full_items).into_iter().collect::<BTreeSet<_>>(),
        in_index
    );
    for it in &full_items {
        assert!(!it.contains_key("extra") && !it.contains_key("date"));
    }
    // Paged: the same items in the same order.
    let mut paged = Vec::new();
    let mut start = None;
    loop {
        let out = scan(None, start.take(), Some(4));
        paged.extend(out.items.unwrap_or_default());
        match out.last_evaluated_key {
            Some(k) => {
                assert_eq!(attr_names(&k), names_set(&["pk", "sk", "label", "year"]));
                start = Some(k);
            }
            None => break,
        }
    }
    assert_eq!(paged, full_items);
    // Parallel: segments tile the index.
    for total in [2i64, 3, 5] {
        let mut got = Vec::new();
        for seg in 0..total {
            let mut start = None;
            loop {
                let out = scan(Some((seg, total)), start.take(), Some(2));
                got.extend(ids(&out.items.unwrap_or_default()));
                match out.last_evaluated_key {
                    Some(k) => start = Some(k),
                    None => break,
                }
            }
        }
        assert_eq!(got.len(), in_index.len(), "{total} segments");
        assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), in_index);
    }
    // A segment's start key must fall in the segment.
    let lek = scan(Some((0, 2)), None, Some(1))
        .last_evaluated_key
        .expect("lek");
    let out = db.scan(ScanInput {
        table_name: T.into(),
        index_name: Some("gsi_incl".into()),
        segment: Some(1),
        total_segments: Some(2),
        exclusive_start_key: Some(lek),
        ..Default::default()
    });
    assert_eq!(
        validation(out),
        "The provided Exclusive start key does not map to the provided Segment and TotalSegments values."
    );
}

#[test]
fn writes_move_and_remove_index_entries() {
    let (db, _) = fixture();
    let count = |index: &str, kc: &str, vals: &[(&str, AttributeValue)]| {
        db.query(QueryInput {
            select: Some(Select::Count),
            ..query(index, kc, vals)
        })
        .expect("count")
        .count
    };
    let before_rock = count("gsi_all", "genre = :g", &[(":g", s("rock"))]);
    let before_jazz = count("gsi_all", "genre = :g", &[(":g", s("jazz"))]);
    // a/0 is rock; make it jazz.
    assert_eq!(fixture_item(0, 0).get("genre"), Some(&s("rock")));
    db.update_item(UpdateItemInput {
        table_name: T.into(),
        key: item(&[("pk", s("a")), ("sk", n("0"))]),
        update_expression: Some("SET genre = :g".into()),
        expression_attribute_values: values(&[(":g", s("jazz"))]),
        ..Default::default()
    })
    .expect("update");
    assert_eq!(
        count("gsi_all", "genre = :g", &[(":g", s("rock"))]),
        before_rock - 1
    );
    assert_eq!(
        count("gsi_all", "genre = :g", &[(":g", s("jazz"))]),
        before_jazz + 1
    );
    // Removing the attribute takes the item out of the (sparse) index.
    db.update_item(UpdateItemInput {
        table_name: T.into(),
        key: item(&[("pk", s("a")), ("sk", n("0"))]),
        update_expression: Some("REMOVE genre".into()),
        ..Default::default()
    })
    .expect("update");
    assert_eq!(
        count("gsi_all", "genre = :g", &[(":g", s("jazz"))]),
        before_jazz
    );
    db.delete_item(DeleteItemInput {
        table_name: T.into(),
        key: item(&[("pk", s("a")), ("sk", n("1"))]),
        ..Default::default()
    })
    .expect("delete");
    let out = db
        .query(query("lsi_keys", "pk = :p", &[(":p", s("a"))]))
        .expect("query");
    assert!(!ids(&out.items.unwrap_or_default()).contains(&("a".to_string(), 1)));
}

#[test]
fn an_index_page_ends_at_one_megabyte_of_entries() {
    let db = DynamoDb::open_in_memory().expect("open");
    create_indexed(&db, table_input());
    let blob = "x".repeat(100 * 1024);
    for sk in 0..25 {
        let mut it = item(&[
            ("pk", s("p")),
            ("sk", n(sk.to_string())),
            ("genre", s("noise")),
            ("year", n(sk.to_string())),
            ("label", s("L")),
            ("rank", n(sk.to_string())),
            ("payload", s(&blob)),
        ]);
        it.insert("title".into(), s("t"));
        put(&db, T, it);
    }
    // The ALL index holds the payload: 11 entries reach 1 MB.
    let out = db
        .query(QueryInput {
            select: Some(Select::Count),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
            ..query("gsi_all", "genre = :g", &[(":g", s("noise"))])
        })
        .expect("query");
    assert_eq!(out.scanned_count, 11);
    assert!(out.last_evaluated_key.is_some());
    let units = out
        .consumed_capacity
        .and_then(|c| c.capacity_units)
        .expect("units");
    assert!(units > 100.0, "{units}");
    // The INCLUDE index does not: one page holds all 25 small entries.
    let out = db
        .query(query("gsi_incl", "label = :l", &[(":l", s("L"))]))
        .expect("query");
    assert_eq!(out.scanned_count, 25);
    assert_eq!(out.last_evaluated_key, None);
    // A local index fetching whole items counts each fetched item, rounded
    // up to 4 KB (26 units of ~100 KB): the page ends after 10.
    let out = db
        .query(QueryInput {
            select: Some(Select::AllAttributes),
            ..query("lsi_incl", "pk = :p", &[(":p", s("p"))])
        })
        .expect("query");
    assert_eq!(out.scanned_count, 10);
    assert!(out.last_evaluated_key.is_some());
    assert!(out
        .items
        .unwrap_or_default()
        .iter()
        .all(|i| i.get("payload") == Some(&s(&blob))));
    // A global index cannot fetch.
    let out = db
        .query(QueryInput {
            projection_expression: Some("payload".into()),
            ..query("gsi_keys", "genre = :g", &[(":g", s("noise"))])
        })
        .map(|_| ());
    assert!(matches!(out, Err(DynamoError::ValidationException(_))));
}

#[test]
fn consumed_capacity_names_the_index() {
    let (db, _) = fixture();
    let out = db
        .query(QueryInput {
            return_consumed_capacity: Some(ReturnConsumedCapacity::Indexes),
            ..query("gsi_all", "genre = :g", &[(":g", s("rock"))])
        })
        .expect("query");
    let cap = out.consumed_capacity.expect("capacity");
    assert_eq!(cap.capacity_units, Some(0.5));
    assert_eq!(cap.table.and_then(|t| t.capacity_units), Some(0.0));
    let gsi = cap.global_secondary_indexes.expect("per index");
    assert_eq!(gsi["gsi_all"].capacity_units, Some(0.5));
    let out = db
        .scan(ScanInput {
            table_name: T.into(),
            index_name: Some("gsi_keys".into()),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
            ..Default::default()
        })
        .expect("scan");
    let cap = out.consumed_capacity.expect("capacity");
    assert_eq!(cap.capacity_units, Some(0.5));
    assert!(cap.table.is_none() && cap.global_secondary_indexes.is_none());
}

#[test]
fn legacy_key_conditions_and_query_filter_on_an_index() {
    let (db, items) = fixture();
    let out = db
        .query(QueryInput {
            table_name: T.into(),
            index_name: Some("gsi_all".into()),
            key_conditions: Some(BTreeMap::from([
                (
                    "genre".to_string(),
                    LegacyCondition {
                        comparison_operator: ComparisonOperator::Eq,
                        attribute_value_list: Some(vec![s("pop")]),
                    },
                ),
                (
                    "year".to_string(),
                    LegacyCondition {
                        comparison_operator: ComparisonOperator::Gt,
                        attribute_value_list: Some(vec![n("1920")]),
                    },
                ),
            ])),
            ..Default::default()
        })
        .expect("legacy query");
    let want = items
        .iter()
        .filter(|i| i.get("genre") == Some(&s("pop")) && num(i, "year") > 1920)
        .count();
    assert_eq!(out.count as usize, want);
    let err = db.query(QueryInput {
        table_name: T.into(),
        index_name: Some("gsi_all".into()),
        key_conditions: Some(BTreeMap::from([(
            "genre".to_string(),
            LegacyCondition {
                comparison_operator: ComparisonOperator::Eq,
                attribute_value_list: Some(vec![s("pop")]),
            },
        )])),
        query_filter: Some(BTreeMap::from([(
            "year".to_string(),
            LegacyCondition {
                comparison_operator: ComparisonOperator::NotNull,
                attribute_value_list: None,
            },
        )])),
        ..Default::default()
    });
    assert_eq!(
        validation(err),
        "QueryFilter can only contain non-primary key attributes: Primary key attribute: year"
    );
}

#[test]
fn sort_key_bounds_include_every_entry_of_a_tied_index_sort_key() {
    // Index entries carry the table key after the index sort key, so
    // "= v", "<= v", "> v" and BETWEEN must treat every entry of v alike.
    let db = DynamoDb::open_in_memory().expect("open");
    create_indexed(&db, table_input());
    for (sk, year) in [
        (0, 1999),
        (1, 2000),
        (2, 2000),
        (3, 2000),
        (4, 2001),
        (5, 2000),
    ] {
        for pk in ["x", "y"] {
            put(
                &db,
                T,
                item(&[
                    ("pk", s(pk)),
                    ("sk", n(sk.to_string())),
                    ("genre", s("g")),
                    ("year", n(year.to_string())),
                ]),
            );
        }
    }
    let count = |cond: &str, vals: &[(&str, AttributeValue)]| {
        let mut v = vec![(":g", s("g"))];
        v.extend_from_slice(vals);
        let out = db
            .query(QueryInput {
                expression_attribute_names: names(&[("#y", "year")]),
                ..query("gsi_all", &format!("genre = :g AND {cond}"), &v)
            })
            .expect("query");
        out.count
    };
    let y = |v: &str| (":y", n(v));
    assert_eq!(count("#y = :y", &[y("2000")]), 8);
    assert_eq!(count("#y <= :y", &[y("2000")]), 10);
    assert_eq!(count("#y < :y", &[y("2000")]), 2);
    assert_eq!(count("#y > :y", &[y("2000")]), 2);
    assert_eq!(count("#y >= :y", &[y("2000")]), 10);
    assert_eq!(
        count(
            "#y BETWEEN :a AND :b",
            &[(":a", n("2000")), (":b", n("2000"))]
        ),
        8
    );
    // Paging through the ties, backwards, one at a time.
    let (paged, _) = all_pages(
        &db,
        QueryInput {
            limit: Some(1),
            scan_index_forward: Some(false),
            expression_attribute_names: names(&[("#y", "year")]),
            ..query(
                "gsi_all",
                "genre = :g AND #y = :y",
                &[(":g", s("g")), y("2000")],
            )
        },
    );
    assert_eq!(ids(&paged).into_iter().collect::<BTreeSet<_>>().len(), 8);
}
