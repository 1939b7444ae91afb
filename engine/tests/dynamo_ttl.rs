//! Time to Live: UpdateTimeToLive / DescribeTimeToLive rules and messages,
//! the sweep deleting exactly the expired items (and their index entries),
//! expired items staying readable until swept, the background sweeper, and
//! the setting surviving a reopen.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions, ManualClock};
use siltdb::fs::MemFs;
use siltdb::low_level::dynamo::catalog;
use siltdb::low_level::dynamo::schema::{IndexKind, IndexMeta, KeyAttr, TableMeta};
use siltdb::{Db, Item, Options, WriteBatch};

/// 2023-11-14T22:13:20Z, in milliseconds.
const NOW_MS: i64 = 1_700_000_000_000;
const NOW: i64 = NOW_MS / 1000;
const FIVE_YEARS: i64 = 5 * 365 * 24 * 60 * 60;

fn open_on(fs: &Arc<MemFs>, clock: &Arc<ManualClock>, interval: Option<Duration>) -> DynamoDb {
    DynamoDb::with_db(
        Db::open(
            "/ttl",
            Options {
                fs: fs.clone(),
                ..Options::default()
            },
        )
        .expect("open"),
        DynamoOptions {
            clock: clock.clone(),
            ttl_sweep_interval: interval,
            ..Default::default()
        },
    )
    .expect("dynamo")
}

/// A database on a manual clock at [`NOW_MS`], with no background sweeper.
fn manual() -> (DynamoDb, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(NOW_MS));
    (open_on(&Arc::new(MemFs::new()), &clock, None), clock)
}

fn update(
    db: &DynamoDb,
    table: &str,
    enabled: bool,
    attr: &str,
) -> Result<UpdateTimeToLiveOutput, DynamoError> {
    db.update_time_to_live(UpdateTimeToLiveInput {
        table_name: table.into(),
        time_to_live_specification: TimeToLiveSpecification {
            enabled,
            attribute_name: attr.into(),
        },
    })
}

fn describe(db: &DynamoDb, table: &str) -> TimeToLiveDescription {
    db.describe_time_to_live(DescribeTimeToLiveInput {
        table_name: table.into(),
    })
    .expect("describe ttl")
    .time_to_live_description
}

fn enabled(attr: &str) -> TimeToLiveDescription {
    TimeToLiveDescription {
        time_to_live_status: TimeToLiveStatus::Enabled,
        attribute_name: Some(attr.into()),
    }
}

fn key(pk: &str) -> Item {
    item(&[("pk", s(pk))])
}

fn scan_keys(db: &DynamoDb, table: &str) -> Vec<String> {
    let mut keys: Vec<String> = db
        .scan(ScanInput {
            table_name: table.into(),
            ..Default::default()
        })
        .expect("scan")
        .items
        .unwrap_or_default()
        .iter()
        .map(|i| match i.get("pk") {
            Some(siltdb::AttributeValue::S(k)) => k.clone(),
            other => panic!("key {other:?}"),
        })
        .collect();
    keys.sort();
    keys
}

/// Puts one item per interesting TTL value into `table` (keyed by `pk`,
/// TTL attribute `exp`); returns the keys that are expired at [`NOW_MS`].
fn put_ttl_cases(db: &DynamoDb, table: &str) -> Vec<&'static str> {
    let cases: Vec<(&str, Option<siltdb::AttributeValue>, bool)> = vec![
        ("past", Some(n((NOW - 10).to_string())), true),
        ("just-past", Some(n(format!("{}.999", NOW - 1))), true),
        (
            "four-years",
            Some(n((NOW - 4 * 365 * 86_400).to_string())),
            true,
        ),
        ("now", Some(n(NOW.to_string())), false),
        ("future", Some(n((NOW + 60).to_string())), false),
        (
            "ancient",
            Some(n((NOW - FIVE_YEARS - 1).to_string())),
            false,
        ),
        ("five-years", Some(n((NOW - FIVE_YEARS).to_string())), false),
        ("zero", Some(n("0")), false),
        ("negative", Some(n("-1")), false),
        ("string", Some(s(&(NOW - 10).to_string())), false),
        (
            "set",
            Some(siltdb::AttributeValue::Ns(
                [siltdb::Number::from(NOW - 10)].into(),
            )),
            false,
        ),
        ("bool", Some(siltdb::AttributeValue::Bool(true)), false),
        ("absent", None, false),
    ];
    let mut expired = Vec::new();
    for (pk, exp, is_expired) in cases {
        let mut it = item(&[("pk", s(pk)), ("payload", s("x"))]);
        if let Some(v) = exp {
            it.insert("exp".into(), v);
        }
        put(db, table, it);
        if is_expired {
            expired.push(pk);
        }
    }
    // An expired-looking value nested in a map is not a top-level Number.
    put(
        db,
        table,
        item(&[
            ("pk", s("nested")),
            (
                "exp",
                siltdb::AttributeValue::M(BTreeMap::from([(
                    "exp".to_string(),
                    n((NOW - 10).to_string()),
                )])),
            ),
        ]),
    );
    expired
}

#[test]
fn update_and_describe_follow_dynamodbs_rules() {
    let (db, _) = manual();
    create(&db, "tbl", None);
    assert_eq!(describe(&db, "tbl"), TimeToLiveDescription::default());
    assert_eq!(
        describe(&db, "tbl").time_to_live_status,
        TimeToLiveStatus::Disabled
    );

    assert_eq!(
        validation(update(&db, "tbl", false, "exp")),
        "TimeToLive is already disabled"
    );
    let out = update(&db, "tbl", true, "exp").expect("enable");
    assert_eq!(
        out.time_to_live_specification,
        TimeToLiveSpecification {
            enabled: true,
            attribute_name: "exp".into()
        }
    );
    assert_eq!(describe(&db, "tbl"), enabled("exp"));
    assert_eq!(
        validation(update(&db, "tbl", true, "exp")),
        "TimeToLive is already enabled"
    );
    // Changing the attribute needs a disable first.
    for on in [true, false] {
        assert_eq!(
            validation(update(&db, "tbl", on, "other")),
            "TimeToLive is active on a different AttributeName: current AttributeName is exp"
        );
    }
    assert_eq!(describe(&db, "tbl"), enabled("exp"));
    let out = update(&db, "tbl", false, "exp").expect("disable");
    assert_eq!(
        out.time_to_live_specification,
        TimeToLiveSpecification {
            enabled: false,
            attribute_name: "exp".into()
        }
    );
    assert_eq!(describe(&db, "tbl"), TimeToLiveDescription::default());
    update(&db, "tbl", true, "other").expect("re-enable on another attribute");
    assert_eq!(describe(&db, "tbl"), enabled("other"));

    // The table may be named by its ARN.
    let arn = "arn:aws:dynamodb:ddblocal:000000000000:table/tbl";
    assert_eq!(describe(&db, arn), enabled("other"));
    update(&db, arn, false, "other").expect("disable by arn");

    // Attribute names: 1 to 255 characters, checked before the table.
    assert_eq!(
        validation(update(&db, "nope", true, "")),
        "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let long = "a".repeat(256);
    assert_eq!(
        validation(update(&db, "tbl", true, &long)),
        format!("1 validation error detected: Value '{long}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255")
    );
    update(&db, "tbl", true, &"é".repeat(255)).expect("255 characters");

    // Missing tables, as the control plane names them.
    for r in [
        update(&db, "nope", true, "exp").map(|_| ()),
        db.describe_time_to_live(DescribeTimeToLiveInput {
            table_name: "nope".into(),
        })
        .map(|_| ()),
    ] {
        assert_eq!(
            r,
            Err(DynamoError::ResourceNotFoundException(
                "Requested resource not found: Table: nope not found".into()
            ))
        );
    }
}

#[test]
fn the_sweep_deletes_exactly_the_expired_items() {
    let (db, clock) = manual();
    create(&db, "tbl", None);
    create(&db, "untimed", None);
    update(&db, "tbl", true, "exp").expect("enable");
    let expired = put_ttl_cases(&db, "tbl");
    put_ttl_cases(&db, "untimed");
    let all_before = scan_keys(&db, "tbl");
    assert_eq!(all_before.len(), 14);

    assert_eq!(db.sweep_expired_now(), Ok(expired.len() as u64));
    let mut survivors: Vec<String> = all_before
        .iter()
        .filter(|k| !expired.contains(&k.as_str()))
        .cloned()
        .collect();
    survivors.sort();
    assert_eq!(scan_keys(&db, "tbl"), survivors);
    for pk in &expired {
        assert_eq!(get(&db, "tbl", key(pk)), None, "{pk}");
    }
    // A table without TTL keeps everything.
    assert_eq!(scan_keys(&db, "untimed").len(), 14);
    // Nothing more to do at the same time.
    assert_eq!(db.sweep_expired_now(), Ok(0));
    // DescribeTable counts what is left.
    let d = db
        .describe_table(DescribeTableInput {
            table_name: "tbl".into(),
        })
        .expect("describe")
        .table;
    assert_eq!(d.item_count, survivors.len() as i64);

    // Time passes: "now" and "future" expire; "five-years" is still
    // ignored (it only gets older).
    clock.advance_millis(61_000);
    assert_eq!(db.sweep_expired_now(), Ok(2));
    assert_eq!(get(&db, "tbl", key("now")), None);
    assert_eq!(get(&db, "tbl", key("future")), None);
    assert!(get(&db, "tbl", key("five-years")).is_some());
}

#[test]
fn expired_items_stay_readable_until_swept() {
    let (db, _) = manual();
    create(&db, "tbl", Some(("sk", ScalarAttributeType::N)));
    update(&db, "tbl", true, "exp").expect("enable");
    let old = item(&[
        ("pk", s("p")),
        ("sk", n("1")),
        ("exp", n((NOW - 100).to_string())),
    ]);
    put(&db, "tbl", old.clone());
    let k = item(&[("pk", s("p")), ("sk", n("1"))]);
    assert_eq!(get(&db, "tbl", k.clone()), Some(old.clone()));
    let q = db
        .query(QueryInput {
            table_name: "tbl".into(),
            key_condition_expression: Some("pk = :p".into()),
            expression_attribute_values: values(&[(":p", s("p"))]),
            ..Default::default()
        })
        .expect("query");
    assert_eq!(q.items, Some(vec![old.clone()]));
    assert_eq!(scan_keys(&db, "tbl"), vec!["p"]);

    // An expired item may still be updated; moving its expiry into the
    // future saves it from the sweep.
    db.update_item(UpdateItemInput {
        table_name: "tbl".into(),
        key: k.clone(),
        update_expression: Some("SET exp = :e".into()),
        expression_attribute_values: values(&[(":e", n((NOW + 100).to_string()))]),
        ..Default::default()
    })
    .expect("update");
    assert_eq!(db.sweep_expired_now(), Ok(0));
    assert!(get(&db, "tbl", k.clone()).is_some());

    // Removing the attribute does too; putting it back in the past does not.
    put(&db, "tbl", old.clone());
    db.update_item(UpdateItemInput {
        table_name: "tbl".into(),
        key: k.clone(),
        update_expression: Some("REMOVE exp".into()),
        ..Default::default()
    })
    .expect("remove");
    assert_eq!(db.sweep_expired_now(), Ok(0));
    put(&db, "tbl", old);
    assert_eq!(db.sweep_expired_now(), Ok(1));
    assert_eq!(get(&db, "tbl", k), None);
}

#[test]
fn disabling_ttl_stops_the_sweep() {
    let (db, _) = manual();
    create(&db, "tbl", None);
    update(&db, "tbl", true, "exp").expect("enable");
    put(
        &db,
        "tbl",
        item(&[("pk", s("a")), ("exp", n((NOW - 1).to_string()))]),
    );
    update(&db, "tbl", false, "exp").expect("disable");
    assert_eq!(db.sweep_expired_now(), Ok(0));
    assert!(get(&db, "tbl", key("a")).is_some());
    // Enabled on another attribute, the old one means nothing.
    update(&db, "tbl", true, "other").expect("enable other");
    assert_eq!(db.sweep_expired_now(), Ok(0));
    put(
        &db,
        "tbl",
        item(&[("pk", s("b")), ("other", n((NOW - 1).to_string()))]),
    );
    assert_eq!(db.sweep_expired_now(), Ok(1));
    assert_eq!(scan_keys(&db, "tbl"), vec!["a"]);
}

#[test]
fn large_sweeps_go_in_batches() {
    let (db, _) = manual();
    create(&db, "tbl", None);
    update(&db, "tbl", true, "exp").expect("enable");
    for i in 0..500 {
        let exp = if i % 3 == 0 { NOW + 1000 } else { NOW - 1000 };
        put(
            &db,
            "tbl",
            item(&[("pk", s(&format!("k{i:04}"))), ("exp", n(exp.to_string()))]),
        );
    }
    assert_eq!(db.sweep_expired_now(), Ok(333));
    let left = scan_keys(&db, "tbl");
    assert_eq!(left.len(), 167);
    assert!(left
        .iter()
        .all(|k| k[1..].parse::<u32>().expect("number") % 3 == 0));
}

/// The index control plane (CreateTable with indexes) is not on this
/// branch yet, so the test writes a table record with a local and a global
/// index into the catalog directly — exactly what CreateTable will store —
/// and lets every write go through the normal path; it checks the index
/// entries both as raw engine keys and through Query on each index.
#[test]
fn the_sweep_removes_index_entries() {
    let fs = Arc::new(MemFs::new());
    let clock = Arc::new(ManualClock::new(NOW_MS));
    let key_attr = |name: &str, ty| KeyAttr {
        name: name.into(),
        ty,
    };
    let index = |name: &str, id, kind, hash: KeyAttr, range: Option<KeyAttr>| IndexMeta {
        name: name.into(),
        id,
        kind,
        hash: vec![hash],
        range: range.into_iter().collect(),
        projection_type: ProjectionType::All,
        non_key_attributes: Vec::new(),
        status: IndexStatus::Active,
        read_capacity_units: 0,
        write_capacity_units: 0,
        throughput: Default::default(),
    };
    let meta = TableMeta {
        name: "idx".into(),
        id: 1,
        uuid: "00000000-0000-0000-0000-000000000001".into(),
        created_millis: NOW_MS,
        hash: key_attr("pk", ScalarAttributeType::S),
        range: Some(key_attr("sk", ScalarAttributeType::S)),
        attribute_definitions: ["pk", "sk", "lsk", "gpk"]
            .iter()
            .map(|a| AttributeDefinition {
                attribute_name: a.to_string(),
                attribute_type: ScalarAttributeType::S,
            })
            .collect(),
        billing_mode: BillingMode::PayPerRequest,
        billing_mode_explicit: true,
        read_capacity_units: 0,
        write_capacity_units: 0,
        last_increase_millis: None,
        last_decrease_millis: None,
        decreases_today: 0,
        last_pay_per_request_millis: Some(NOW_MS),
        deletion_protection: false,
        indexes: vec![
            index(
                "byLsk",
                1,
                IndexKind::Local,
                key_attr("pk", ScalarAttributeType::S),
                Some(key_attr("lsk", ScalarAttributeType::S)),
            ),
            index(
                "byGpk",
                2,
                IndexKind::Global,
                key_attr("gpk", ScalarAttributeType::S),
                None,
            ),
        ],
        next_index_id: 3,
        ttl_attribute: Some("exp".into()),
        tags: BTreeMap::new(),
        restore: None,
        pitr: None,
        streams: Vec::new(),
        settings: Default::default(),
    };
    {
        let raw = Db::open(
            "/ttl",
            Options {
                fs: fs.clone(),
                ..Options::default()
            },
        )
        .expect("open raw");
        let mut batch = WriteBatch::new();
        catalog::create(&mut batch, &meta);
        raw.write(batch).expect("write catalog");
        raw.close().expect("close raw");
    }
    let db = open_on(&fs, &clock, None);
    assert_eq!(describe(&db, "idx"), enabled("exp"));
    for i in 0..10 {
        let exp = if i < 6 { NOW - 5 } else { NOW + 5 };
        let mut it = item(&[
            ("pk", s("p")),
            ("sk", s(&format!("s{i}"))),
            ("lsk", s(&format!("l{i}"))),
            ("exp", n(exp.to_string())),
        ]);
        // Only some items are in the (sparse) global index.
        if i % 2 == 0 {
            it.insert("gpk".into(), s(&format!("g{i}")));
        }
        put(&db, "idx", it);
    }
    assert_eq!(keys_in(&db, 1, 0), 10);
    assert_eq!(keys_in(&db, 1, 1), 10);
    assert_eq!(keys_in(&db, 1, 2), 5);

    // Before the sweep, both indexes still return the expired items.
    assert_eq!(index_sks(&db, "byLsk", "pk = :v", s("p")).len(), 10);
    assert_eq!(index_sks(&db, "byGpk", "gpk = :v", s("g0")), vec!["s0"]);

    assert_eq!(db.sweep_expired_now(), Ok(6));
    assert_eq!(keys_in(&db, 1, 0), 4);
    assert_eq!(keys_in(&db, 1, 1), 4);
    // Of s6..s9, s6 and s8 carry gpk.
    assert_eq!(keys_in(&db, 1, 2), 2);
    // Through Query on the indexes.
    assert_eq!(
        index_sks(&db, "byLsk", "pk = :v", s("p")),
        vec!["s6", "s7", "s8", "s9"]
    );
    assert_eq!(
        index_sks(&db, "byGpk", "gpk = :v", s("g0")),
        Vec::<String>::new()
    );
    assert_eq!(index_sks(&db, "byGpk", "gpk = :v", s("g8")), vec!["s8"]);
}

/// The sort keys (`sk`) a Query on index `index` returns.
fn index_sks(
    db: &DynamoDb,
    index: &str,
    condition: &str,
    v: siltdb::AttributeValue,
) -> Vec<String> {
    let out = db
        .query(QueryInput {
            table_name: "idx".into(),
            index_name: Some(index.into()),
            key_condition_expression: Some(condition.into()),
            expression_attribute_values: values(&[(":v", v)]),
            ..Default::default()
        })
        .expect("query index");
    let mut sks: Vec<String> = out
        .items
        .unwrap_or_default()
        .iter()
        .map(|i| match i.get("sk") {
            Some(siltdb::AttributeValue::S(k)) => k.clone(),
            other => panic!("sk {other:?}"),
        })
        .collect();
    sks.sort();
    sks
}

#[test]
fn the_background_sweeper_deletes_expired_items() {
    let clock = Arc::new(ManualClock::new(NOW_MS));
    let db = open_on(
        &Arc::new(MemFs::new()),
        &clock,
        Some(Duration::from_millis(10)),
    );
    create(&db, "tbl", None);
    update(&db, "tbl", true, "exp").expect("enable");
    put(
        &db,
        "tbl",
        item(&[("pk", s("old")), ("exp", n((NOW - 1).to_string()))]),
    );
    put(
        &db,
        "tbl",
        item(&[("pk", s("new")), ("exp", n((NOW + 10).to_string()))]),
    );
    let wait_until_gone = |pk: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while get(&db, "tbl", key(pk)).is_some() {
            assert!(Instant::now() < deadline, "{pk} was never swept");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    wait_until_gone("old");
    assert!(get(&db, "tbl", key("new")).is_some());
    clock.advance_millis(11_000);
    wait_until_gone("new");
    db.close().expect("close stops the sweeper");
}

#[test]
fn no_sweeper_thread_when_the_interval_is_none() {
    let (db, _) = manual();
    create(&db, "tbl", None);
    update(&db, "tbl", true, "exp").expect("enable");
    put(
        &db,
        "tbl",
        item(&[("pk", s("old")), ("exp", n((NOW - 1).to_string()))]),
    );
    std::thread::sleep(Duration::from_millis(50));
    assert!(get(&db, "tbl", key("old")).is_some());
    assert_eq!(db.sweep_expired_now(), Ok(1));
}

#[test]
fn ttl_settings_survive_reopen() {
    let fs = Arc::new(MemFs::new());
    let clock = Arc::new(ManualClock::new(NOW_MS));
    {
        let db = open_on(&fs, &clock, None);
        create(&db, "tbl_on", None);
        create(&db, "tbl_off", None);
        create(&db, "toggled", None);
        update(&db, "tbl_on", true, "exp").expect("enable");
        update(&db, "toggled", true, "exp").expect("enable");
        update(&db, "toggled", false, "exp").expect("disable");
        for t in ["tbl_on", "tbl_off", "toggled"] {
            put(
                &db,
                t,
                item(&[("pk", s("a")), ("exp", n((NOW - 1).to_string()))]),
            );
        }
        db.close().expect("close");
    }
    let db = open_on(&fs, &clock, None);
    assert_eq!(describe(&db, "tbl_on"), enabled("exp"));
    assert_eq!(describe(&db, "tbl_off"), TimeToLiveDescription::default());
    assert_eq!(describe(&db, "toggled"), TimeToLiveDescription::default());
    assert_eq!(db.sweep_expired_now(), Ok(1));
    assert_eq!(get(&db, "tbl_on", key("a")), None);
    assert!(get(&db, "tbl_off", key("a")).is_some());
    // UpdateTable keeps the setting.
    db.update_table(UpdateTableInput {
        table_name: "tbl_on".into(),
        deletion_protection_enabled: Some(true),
        ..Default::default()
    })
    .expect("update table");
    assert_eq!(describe(&db, "tbl_on"), enabled("exp"));
}

#[test]
fn a_deleted_and_recreated_table_starts_without_ttl() {
    let (db, _) = manual();
    create(&db, "tbl", None);
    update(&db, "tbl", true, "exp").expect("enable");
    db.delete_table(DeleteTableInput {
        table_name: "tbl".into(),
    })
    .expect("delete");
    assert_eq!(db.sweep_expired_now(), Ok(0));
    create(&db, "tbl", None);
    assert_eq!(describe(&db, "tbl"), TimeToLiveDescription::default());
}

/// Writers racing the sweep: an item rewritten with a future expiry is
/// never deleted, because the sweep re-reads and re-checks each item under
/// its lock before deleting it. (With the re-check removed, this test
/// failed in every one of four runs.)
#[test]
fn the_sweep_never_deletes_an_item_rewritten_meanwhile() {
    let (db, _) = manual();
    create(&db, "tbl", None);
    update(&db, "tbl", true, "exp").expect("enable");
    let count = 2000;
    let past = n((NOW - 1).to_string());
    let future = n((NOW + 1000).to_string());
    for round in 0..8 {
        for i in 0..count {
            put(
                &db,
                "tbl",
                item(&[("pk", s(&format!("k{i:05}"))), ("exp", past.clone())]),
            );
        }
        let deleted = std::thread::scope(|scope| {
            let writer = scope.spawn(|| {
                // Every even item, in the sweep's own key order, so the
                // writer keeps pace with it.
                for i in (0..count).filter(|i| i % 2 == 0) {
                    put(
                        &db,
                        "tbl",
                        item(&[("pk", s(&format!("k{i:05}"))), ("exp", future.clone())]),
                    );
                }
            });
            let deleted = db.sweep_expired_now().expect("sweep");
            writer.join().expect("writer");
            deleted
        });
        // Whatever the interleaving, every rewritten item exists. The odd
        // items were never rewritten, so the sweep took them all; it may
        // also have taken even items before the writer recreated them.
        for i in (0..count).filter(|i| i % 2 == 0) {
            assert!(
                get(&db, "tbl", key(&format!("k{i:05}"))).is_some(),
                "round {round}: k{i:05}"
            );
        }
        assert!(
            (count as u64 / 2..=count as u64).contains(&deleted),
            "{deleted}"
        );
        assert_eq!(scan_keys(&db, "tbl").len(), count / 2);
        assert_eq!(db.sweep_expired_now(), Ok(0));
    }
}
