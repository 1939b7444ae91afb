//! Reads and writes of a global secondary index with multi-attribute keys
//! (two HASH, two RANGE attributes): an item is in the index only with
//! every key attribute of the right type; Query needs an equality on every
//! HASH attribute and takes RANGE attributes left to right; entries come in
//! the order of the sort key attributes compared one after another; pages
//! resume from a LastEvaluatedKey with every key attribute; a new index is
//! backfilled; the definition survives a reopen; stream records keep the
//! table's key.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use common::streams::{drain, iterator, latest_arn};
use common::*;
use index_check::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType::{N, S};
use siltdb::dynamo::{DynamoDb, DynamoOptions};
use siltdb::fs::MemFs;
use siltdb::Item;

const T: &str = "matches";
const IDX: &str = "byTournamentRegion";

/// HASH tournament, area (S); RANGE round (S), bracket (N).
fn index_keys() -> Vec<KeySchemaElement> {
    vec![
        ks("tournament", KeyType::Hash),
        ks("area", KeyType::Hash),
        ks("round", KeyType::Range),
        ks("bracket", KeyType::Range),
    ]
}

fn index_defs() -> Vec<AttributeDefinition> {
    vec![
        def("tournament", S),
        def("area", S),
        def("round", S),
        def("bracket", N),
    ]
}

/// Table `pk` (S) / `sk` (N), with the index when `with_index`.
fn create_table(db: &DynamoDb, with_index: bool, stream: bool) {
    let mut defs = vec![def("pk", S), def("sk", N)];
    if with_index {
        defs.extend(index_defs());
    }
    db.create_table(CreateTableInput {
        table_name: T.into(),
        attribute_definitions: defs,
        key_schema: vec![ks("pk", KeyType::Hash), ks("sk", KeyType::Range)],
        billing_mode: Some(BillingMode::PayPerRequest),
        global_secondary_indexes: with_index.then(|| {
            vec![GlobalSecondaryIndex {
                key_schema: index_keys(),
                ..gsi(IDX, "unused", None)
            }]
        }),
        stream_specification: stream.then_some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(StreamViewType::NewAndOldImages),
        }),
        ..Default::default()
    })
    .expect("create table");
}

fn game(pk: &str, sk: i64, area: &str, round: Option<&str>, bracket: Option<i64>) -> Item {
    let mut it = item(&[
        ("pk", s(pk)),
        ("sk", n(sk)),
        ("tournament", s("W24")),
        ("area", s(area)),
    ]);
    if let Some(r) = round {
        it.insert("round".into(), s(r));
    }
    if let Some(b) = bracket {
        it.insert("bracket".into(), n(b));
    }
    it
}

/// The games, shown as `pk:sk`; in partition (W24, NA) the index order is
/// m3:1 (FINAL 1), m4:1 (QUARTER 10), m2:1 (SEMI 1), m1:1 (SEMI 2), m1:2
/// (SEMI 2: a tie, broken by the table key). m5:1 is in another partition,
/// m6:1 lacks `bracket`.
fn put_games(db: &DynamoDb) {
    for g in [
        game("m1", 1, "NA", Some("SEMI"), Some(2)),
        game("m2", 1, "NA", Some("SEMI"), Some(1)),
        game("m3", 1, "NA", Some("FINAL"), Some(1)),
        game("m4", 1, "NA", Some("QUARTER"), Some(10)),
        game("m5", 1, "EU", Some("SEMI"), Some(1)),
        game("m6", 1, "NA", Some("SEMI"), None),
        game("m1", 2, "NA", Some("SEMI"), Some(2)),
    ] {
        put(db, T, g);
    }
}

fn query_input(condition: &str, vals: &[(&str, AttributeValue)]) -> QueryInput {
    let mut all = vec![(":t", s("W24")), (":r", s("NA"))];
    all.extend(vals.iter().cloned());
    QueryInput {
        table_name: T.into(),
        index_name: Some(IDX.into()),
        key_condition_expression: Some(format!("tournament = :t AND area = :r{condition}")),
        expression_attribute_values: values(&all),
        ..Default::default()
    }
}

/// The `pk:sk` of every item of every page of `input`, checking each LastEvaluatedKey
/// names the table key and every index key attribute.
fn pks(db: &DynamoDb, input: QueryInput) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = db
            .query(QueryInput {
                exclusive_start_key: start.take(),
                ..input.clone()
            })
            .expect("query");
        for it in page.items.unwrap_or_default() {
            match it.get("pk") {
                Some(AttributeValue::S(p)) => out.push(format!("{p}:{}", num(it.get("sk")))),
                other => panic!("pk {other:?}"),
            }
        }
        let Some(lek) = page.last_evaluated_key else {
            return out;
        };
        let mut names: Vec<&str> = lek.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["area", "bracket", "pk", "round", "sk", "tournament"]
        );
        start = Some(lek);
    }
}

use siltdb::AttributeValue;

/// A sort key condition (after the partition's), its values, and the items
/// it selects.
type Case<'a> = (&'a str, Vec<(&'a str, AttributeValue)>, &'a [&'a str]);

#[test]
fn query_takes_every_hash_attribute_and_range_attributes_left_to_right() {
    let db = DynamoDb::open_in_memory().expect("open");
    create_table(&db, true, false);
    put_games(&db);
    let all = ["m3:1", "m4:1", "m2:1", "m1:1", "m1:2"];
    assert_eq!(pks(&db, query_input("", &[])), all);
    let mut reversed = all;
    reversed.reverse();
    assert_eq!(
        pks(
            &db,
            QueryInput {
                scan_index_forward: Some(false),
                ..query_input("", &[])
            }
        ),
        reversed
    );
    // One page at a time, both directions.
    for (limit, forward) in [(1, true), (2, true), (2, false), (3, false)] {
        let got = pks(
            &db,
            QueryInput {
                limit: Some(limit),
                scan_index_forward: Some(forward),
                ..query_input("", &[])
            },
        );
        assert_eq!(got, if forward { all } else { reversed }, "limit {limit}");
    }
    let cases: [Case; 7] = [
        (
            " AND round = :a",
            vec![(":a", s("SEMI"))],
            &["m2:1", "m1:1", "m1:2"],
        ),
        (
            " AND round = :a AND bracket > :b",
            vec![(":a", s("SEMI")), (":b", n(1))],
            &["m1:1", "m1:2"],
        ),
        (
            " AND bracket <= :b AND round = :a",
            vec![(":a", s("SEMI")), (":b", n(1))],
            &["m2:1"],
        ),
        (
            " AND begins_with(round, :a)",
            vec![(":a", s("QU"))],
            &["m4:1"],
        ),
        (
            " AND round BETWEEN :a AND :b",
            vec![(":a", s("F")), (":b", s("R"))],
            &["m3:1", "m4:1"],
        ),
        (
            " AND round > :a",
            vec![(":a", s("QUARTER"))],
            &["m2:1", "m1:1", "m1:2"],
        ),
        (
            " AND round = :a AND bracket BETWEEN :b AND :c",
            vec![(":a", s("SEMI")), (":b", n(2)), (":c", n(5))],
            &["m1:1", "m1:2"],
        ),
    ];
    for (condition, vals, want) in cases {
        assert_eq!(pks(&db, query_input(condition, &vals)), want, "{condition}");
    }
    // The other partition.
    let eu = QueryInput {
        expression_attribute_values: values(&[(":t", s("W24")), (":r", s("EU"))]),
        ..query_input("", &[])
    };
    assert_eq!(pks(&db, eu), ["m5:1"]);
    // Scan: every entry, none for the item without `bracket`.
    let scanned = db
        .scan(ScanInput {
            table_name: T.into(),
            index_name: Some(IDX.into()),
            ..Default::default()
        })
        .expect("scan");
    assert_eq!(scanned.count, 6);
    assert_eq!(assert_index_consistent(&db, T, IDX), 6);
}

#[test]
fn query_refuses_conditions_the_key_cannot_serve() {
    let db = DynamoDb::open_in_memory().expect("open");
    create_table(&db, true, false);
    let missing_area = QueryInput {
        key_condition_expression: Some("tournament = :t".into()),
        expression_attribute_values: values(&[(":t", s("W24"))]),
        ..query_input("", &[])
    };
    assert_eq!(
        validation(db.query(missing_area)),
        "Query condition missed key schema element: area"
    );
    assert_eq!(
        validation(db.query(query_input(" AND bracket = :b", &[(":b", n(1))]))),
        "RANGE key attributes round must have equality conditions specified in the query because a condition is present on key attribute bracket"
    );
    assert_eq!(
        validation(db.query(query_input(
            " AND round > :a AND bracket = :b",
            &[(":a", s("A")), (":b", n(1))]
        ))),
        "RANGE key attributes round must have equality conditions specified in the query because a condition is present on key attribute bracket"
    );
    let range_on_hash = QueryInput {
        key_condition_expression: Some("tournament = :t AND area > :r".into()),
        ..query_input("", &[])
    };
    assert_eq!(
        validation(db.query(range_on_hash)),
        "Query key condition not supported"
    );
    // A key attribute in the filter.
    let filtered = QueryInput {
        filter_expression: Some("bracket = :b".into()),
        expression_attribute_values: values(&[(":t", s("W24")), (":r", s("NA")), (":b", n(1))]),
        ..query_input("", &[])
    };
    assert_eq!(
        validation(db.query(filtered)),
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: bracket"
    );
    // A start key without every index key attribute.
    let mut esk = game("m1", 1, "NA", Some("SEMI"), None);
    esk.remove("bracket");
    let short = QueryInput {
        exclusive_start_key: Some(esk),
        ..query_input("", &[])
    };
    assert_eq!(
        validation(db.query(short)),
        "The provided starting key is invalid"
    );
}

#[test]
fn writes_keep_the_index_sparse_and_typed() {
    let db = DynamoDb::open_in_memory().expect("open");
    create_table(&db, true, false);
    put_games(&db);
    // A key attribute of the wrong type is refused, whichever it is.
    let mut bad = game("m8", 1, "NA", Some("SEMI"), None);
    bad.insert("bracket".into(), s("2"));
    let r = db.put_item(PutItemInput {
        table_name: T.into(),
        item: bad,
        ..Default::default()
    });
    assert_eq!(
        validation(r),
        "One or more parameter values were invalid: Type mismatch for Index Key bracket Expected: N Actual: S IndexName: byTournamentRegion"
    );
    // Setting the missing attribute enters the item; removing a HASH
    // attribute takes it out.
    let update = |key: (&str, i64), expr: &str, vals: Option<AttributeValues>| {
        db.update_item(UpdateItemInput {
            table_name: T.into(),
            key: item(&[("pk", s(key.0)), ("sk", n(key.1))]),
            update_expression: Some(expr.into()),
            expression_attribute_values: vals,
            ..Default::default()
        })
        .expect("update");
    };
    update(("m6", 1), "SET bracket = :b", values(&[(":b", n(0))]));
    update(("m3", 1), "REMOVE area", None);
    assert_eq!(
        pks(&db, query_input(" AND round = :a", &[(":a", s("SEMI"))])),
        ["m6:1", "m2:1", "m1:1", "m1:2"]
    );
    assert_eq!(pks(&db, query_input("", &[]))[0], "m4:1");
    assert_eq!(assert_index_consistent(&db, T, IDX), 6);
}

#[test]
fn a_new_index_is_backfilled_from_existing_items() {
    let db = DynamoDb::open_in_memory().expect("open");
    create_table(&db, false, false);
    put_games(&db);
    db.update_table(UpdateTableInput {
        table_name: T.into(),
        attribute_definitions: Some(index_defs()),
        global_secondary_index_updates: Some(vec![GlobalSecondaryIndexUpdate::Create(
            CreateGlobalSecondaryIndexAction {
                index_name: IDX.into(),
                key_schema: index_keys(),
                projection: projection(ProjectionType::All, None),
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            },
        )]),
        ..Default::default()
    })
    .expect("create index");
    wait_active(&db, T, IDX);
    assert_eq!(
        pks(&db, query_input("", &[])),
        ["m3:1", "m4:1", "m2:1", "m1:1", "m1:2"]
    );
    assert_eq!(assert_index_consistent(&db, T, IDX), 6);
    let g = global_index(&db, T, IDX).expect("described");
    assert_eq!(g.key_schema, index_keys());
}

#[test]
fn the_index_survives_a_reopen() {
    let mem = MemFs::new();
    let db = open_mem(&mem, DynamoOptions::default());
    create_table(&db, true, false);
    put_games(&db);
    db.close().expect("close");
    drop(db);
    let db = open_mem(&mem, DynamoOptions::default());
    let meta = table_meta(&db, T);
    let idx = meta.index(IDX).expect("index");
    assert_eq!((idx.hash.len(), idx.range.len()), (2, 2));
    assert_eq!(
        global_index(&db, T, IDX).expect("described").key_schema,
        index_keys()
    );
    assert_eq!(
        pks(&db, query_input("", &[])),
        ["m3:1", "m4:1", "m2:1", "m1:1", "m1:2"]
    );
}

#[test]
fn partiql_reads_the_index_with_its_where_clause() {
    let db = DynamoDb::open_in_memory().expect("open");
    create_table(&db, true, false);
    put_games(&db);
    let out = db
        .execute_statement(ExecuteStatementInput {
            statement: format!(
                "SELECT pk, sk FROM \"{T}\".\"{IDX}\" WHERE tournament = ? AND area = ? AND round = ?"
            ),
            parameters: Some(vec![s("W24"), s("NA"), s("SEMI")]),
            ..Default::default()
        })
        .expect("select");
    let got: Vec<String> = out
        .items
        .unwrap_or_default()
        .iter()
        .map(|it| match it.get("pk") {
            Some(AttributeValue::S(p)) => format!("{p}:{}", num(it.get("sk"))),
            other => panic!("pk {other:?}"),
        })
        .collect();
    assert_eq!(got, ["m2:1", "m1:1", "m1:2"]);
}

#[test]
fn stream_records_carry_the_table_key() {
    let db = DynamoDb::open_in_memory().expect("open");
    create_table(&db, true, true);
    put(&db, T, game("m1", 1, "NA", Some("SEMI"), Some(2)));
    let arn = latest_arn(&db, T);
    let it = iterator(&db, &arn, ShardIteratorType::TrimHorizon, None).expect("iterator");
    let (records, _) = drain(&db, it);
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].dynamodb.keys,
        item(&[("pk", s("m1")), ("sk", n(1))])
    );
}
