//! DynamoDB Streams: stream records written atomically with every item
//! change, per view type and event; no record for a write that changed
//! nothing; per-item order under concurrent writers with a reader that never
//! skips a late commit; transactions and batch writes; every iterator type;
//! paging; 15-minute iterators; the 24-hour trim; enabling and disabling;
//! and records that survive a reopen and a crash exactly when their items
//! do.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

mod common;

use common::streams::*;
use common::{item, n, num, s};
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoOptions, ManualClock};
use siltdb::fs::MemFs;
use siltdb::{AttributeValue, Db, DynamoError, Item, Options};

// ---------------------------------------------------------------- helpers

/// 2026-11-24T20:15:01.123Z.
const T0: i64 = 1_795_551_301_123;
const HOUR: i64 = 3_600_000;

fn key(id: &str) -> Item {
    item(&[("id", s(id))])
}

fn spec(view: StreamViewType) -> Option<StreamSpecification> {
    Some(StreamSpecification {
        stream_enabled: true,
        stream_view_type: Some(view),
    })
}

fn create(db: &DynamoDb, name: &str, stream: Option<StreamSpecification>) -> TableDescription {
    db.create_table(CreateTableInput {
        table_name: name.into(),
        attribute_definitions: vec![AttributeDefinition {
            attribute_name: "id".into(),
            attribute_type: ScalarAttributeType::S,
        }],
        key_schema: vec![KeySchemaElement {
            attribute_name: "id".into(),
            key_type: KeyType::Hash,
        }],
        billing_mode: Some(BillingMode::PayPerRequest),
        stream_specification: stream,
        ..Default::default()
    })
    .expect("create table")
    .table_description
}

/// A database on `fs` whose clock is `clock`.
fn open(fs: &MemFs, clock: &Arc<ManualClock>, sync: bool) -> DynamoDb {
    let options = Options {
        fs: Arc::new(fs.clone()),
        sync,
        ..Options::default()
    };
    DynamoDb::with_db(
        Db::open("/streams", options).expect("open engine"),
        DynamoOptions {
            clock: Arc::clone(clock) as _,
            ..DynamoOptions::default()
        },
    )
    .expect("open dynamo")
}

fn memdb() -> (DynamoDb, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0));
    (open(&MemFs::new(), &clock, true), clock)
}

fn put(db: &DynamoDb, table: &str, i: Item) {
    db.put_item(PutItemInput {
        table_name: table.into(),
        item: i,
        ..Default::default()
    })
    .expect("put");
}

fn update(db: &DynamoDb, table: &str, id: &str, expr: &str, vals: &[(&str, AttributeValue)]) {
    db.update_item(UpdateItemInput {
        table_name: table.into(),
        key: key(id),
        update_expression: Some(expr.into()),
        expression_attribute_values: (!vals.is_empty()).then(|| {
            vals.iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect()
        }),
        ..Default::default()
    })
    .expect("update");
}

fn delete(db: &DynamoDb, table: &str, id: &str) {
    db.delete_item(DeleteItemInput {
        table_name: table.into(),
        key: key(id),
        ..Default::default()
    })
    .expect("delete");
}

fn all_records(db: &DynamoDb, arn: &str) -> Vec<Record> {
    let it = iterator(db, arn, ShardIteratorType::TrimHorizon, None).expect("iterator");
    drain(db, it).0
}

fn events(records: &[Record]) -> Vec<(OperationType, String)> {
    records
        .iter()
        .map(|r| {
            let id = match r.dynamodb.keys.get("id") {
                Some(AttributeValue::S(id)) => id.clone(),
                other => panic!("bad keys {other:?}"),
            };
            (r.event_name, id)
        })
        .collect()
}

fn seq(r: &Record) -> u128 {
    r.dynamodb.sequence_number.parse().expect("decimal")
}

// ------------------------------------------------------ records and views

#[test]
fn each_view_type_carries_its_images() {
    let (db, _clock) = memdb();
    for view in StreamViewType::ALL {
        let table = format!("T-{}", view.as_str());
        create(&db, &table, spec(*view));
        put(&db, &table, item(&[("id", s("a")), ("v", n(1))]));
        update(&db, &table, "a", "SET v = :v", &[(":v", n(2))]);
        delete(&db, &table, "a");
        let records = all_records(&db, &latest_arn(&db, &table));
        assert_eq!(
            events(&records),
            vec![
                (OperationType::Insert, "a".to_string()),
                (OperationType::Modify, "a".to_string()),
                (OperationType::Remove, "a".to_string()),
            ],
            "{view:?}"
        );
        let v1 = item(&[("id", s("a")), ("v", n(1))]);
        let v2 = item(&[("id", s("a")), ("v", n(2))]);
        let (new_images, old_images) = match view {
            StreamViewType::KeysOnly => ([None, None, None], [None, None, None]),
            StreamViewType::NewImage => ([Some(&v1), Some(&v2), None], [None, None, None]),
            StreamViewType::OldImage => ([None, None, None], [None, Some(&v1), Some(&v2)]),
            StreamViewType::NewAndOldImages => {
                ([Some(&v1), Some(&v2), None], [None, Some(&v1), Some(&v2)])
            }
        };
        for (i, r) in records.iter().enumerate() {
            let d = &r.dynamodb;
            assert_eq!(d.keys, key("a"));
            assert_eq!(d.new_image.as_ref(), new_images[i], "{view:?} #{i}");
            assert_eq!(d.old_image.as_ref(), old_images[i], "{view:?} #{i}");
            assert_eq!(d.stream_view_type, *view);
            assert_eq!(d.sequence_number.len(), 21);
            assert!(d.sequence_number.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(d.approximate_creation_date_time, (T0 / 1000) as f64);
            assert!(d.size_bytes > 0);
            assert_eq!(r.event_version, "1.1");
            assert_eq!(r.event_source, "aws:dynamodb");
            assert_eq!(r.aws_region, "ddblocal");
            assert_eq!(r.event_id.len(), 32);
            assert_eq!(r.user_identity, None);
        }
        assert!(seq(&records[0]) < seq(&records[1]) && seq(&records[1]) < seq(&records[2]));
        let ids: BTreeSet<_> = records.iter().map(|r| r.event_id.clone()).collect();
        assert_eq!(ids.len(), 3);
    }
}

#[test]
fn a_write_that_changes_nothing_writes_no_record() {
    let (db, _clock) = memdb();
    create(&db, "Tab", spec(StreamViewType::NewAndOldImages));
    create(&db, "Plain", None);
    let a = item(&[
        ("id", s("a")),
        ("v", n(1)),
        (
            "set",
            AttributeValue::Ss(["x".to_string(), "y".to_string()].into()),
        ),
    ]);
    put(&db, "Tab", a.clone());
    put(&db, "Tab", a.clone()); // identical
    update(&db, "Tab", "a", "SET v = :v", &[(":v", n(1))]); // same value
    delete(&db, "Tab", "missing");
    // A failed condition writes nothing at all.
    let e = db
        .put_item(PutItemInput {
            table_name: "Tab".into(),
            item: key("a"),
            condition_expression: Some("attribute_not_exists(id)".into()),
            ..Default::default()
        })
        .expect_err("condition fails");
    assert_eq!(e.name(), "ConditionalCheckFailedException");
    // Tables without a stream write no records (and have no stream).
    put(&db, "Plain", key("p"));
    let d = db
        .describe_table(DescribeTableInput {
            table_name: "Plain".into(),
        })
        .expect("describe")
        .table;
    assert_eq!(d.latest_stream_arn, None);
    assert_eq!(d.stream_specification, None);
    update(&db, "Tab", "a", "SET v = :v", &[(":v", n(2))]);
    assert_eq!(
        events(&all_records(&db, &latest_arn(&db, "Tab"))),
        vec![
            (OperationType::Insert, "a".to_string()),
            (OperationType::Modify, "a".to_string())
        ]
    );
}

#[test]
fn transactions_and_batch_writes_write_one_record_per_changed_item() {
    let (db, _clock) = memdb();
    create(&db, "Aaa", spec(StreamViewType::NewImage));
    create(&db, "Bbb", spec(StreamViewType::KeysOnly));
    put(&db, "Aaa", item(&[("id", s("x")), ("v", n(1))]));
    db.transact_write_items(TransactWriteItemsInput {
        transact_items: vec![
            TransactWriteItem::Put(Put {
                table_name: "Aaa".into(),
                item: item(&[("id", s("y")), ("v", n(1))]),
                ..Default::default()
            }),
            TransactWriteItem::Update(Update {
                table_name: "Aaa".into(),
                key: key("x"),
                update_expression: "SET v = v + :one".into(),
                expression_attribute_values: Some(
                    [(":one".to_string(), n(1))].into_iter().collect(),
                ),
                ..Default::default()
            }),
            TransactWriteItem::Put(Put {
                table_name: "Bbb".into(),
                item: key("z"),
                ..Default::default()
            }),
            TransactWriteItem::ConditionCheck(ConditionCheck {
                table_name: "Bbb".into(),
                key: key("none"),
                condition_expression: "attribute_not_exists(id)".into(),
                ..Default::default()
            }),
            TransactWriteItem::Delete(Delete {
                table_name: "Bbb".into(),
                key: key("absent"),
                ..Default::default()
            }),
        ],
        ..Default::default()
    })
    .expect("transaction");
    // A cancelled transaction writes no record.
    let e = db
        .transact_write_items(TransactWriteItemsInput {
            transact_items: vec![
                TransactWriteItem::Put(Put {
                    table_name: "Aaa".into(),
                    item: key("w"),
                    ..Default::default()
                }),
                TransactWriteItem::ConditionCheck(ConditionCheck {
                    table_name: "Bbb".into(),
                    key: key("z"),
                    condition_expression: "attribute_not_exists(id)".into(),
                    ..Default::default()
                }),
            ],
            ..Default::default()
        })
        .expect_err("cancelled");
    assert_eq!(e.name(), "TransactionCanceledException");
    db.batch_write_item(BatchWriteItemInput {
        request_items: [
            (
                "Aaa".to_string(),
                vec![
                    WriteRequest::Delete(DeleteRequest { key: key("y") }),
                    WriteRequest::Put(PutRequest {
                        item: item(&[("id", s("x")), ("v", n(2))]), // unchanged
                    }),
                ],
            ),
            (
                "Bbb".to_string(),
                vec![WriteRequest::Put(PutRequest { item: key("q") })],
            ),
        ]
        .into_iter()
        .collect(),
        ..Default::default()
    })
    .expect("batch write");
    let a = all_records(&db, &latest_arn(&db, "Aaa"));
    assert_eq!(
        events(&a),
        vec![
            (OperationType::Insert, "x".to_string()),
            (OperationType::Insert, "y".to_string()),
            (OperationType::Modify, "x".to_string()),
            (OperationType::Remove, "y".to_string()),
        ]
    );
    assert_eq!(
        a[2].dynamodb.new_image.as_ref().map(|i| num(i.get("v"))),
        Some(2)
    );
    let b = all_records(&db, &latest_arn(&db, "Bbb"));
    assert_eq!(
        events(&b),
        vec![
            (OperationType::Insert, "z".to_string()),
            (OperationType::Insert, "q".to_string()),
        ]
    );
    // The transaction's records are adjacent in sequence order: one batch.
    assert_eq!(seq(&a[2]) + 1, seq(&b[0]));
}

#[test]
fn time_to_live_deletions_name_the_service() {
    let clock = Arc::new(ManualClock::new(T0));
    let options = Options {
        fs: Arc::new(MemFs::new()),
        ..Options::default()
    };
    let db = DynamoDb::with_db(
        Db::open("/ttl", options).expect("open engine"),
        DynamoOptions {
            clock: Arc::clone(&clock) as _,
            ttl_sweep_interval: None,
            ..DynamoOptions::default()
        },
    )
    .expect("open dynamo");
    create(&db, "Tab", spec(StreamViewType::OldImage));
    db.update_time_to_live(UpdateTimeToLiveInput {
        table_name: "Tab".into(),
        time_to_live_specification: TimeToLiveSpecification {
            enabled: true,
            attribute_name: "exp".into(),
        },
    })
    .expect("enable TTL");
    let expiring = item(&[("id", s("old")), ("exp", n(T0 / 1000 - 60))]);
    put(&db, "Tab", expiring.clone());
    put(
        &db,
        "Tab",
        item(&[("id", s("young")), ("exp", n(T0 / 1000 + 3600))]),
    );
    assert_eq!(db.sweep_expired_now().expect("sweep"), 1);
    let records = all_records(&db, &latest_arn(&db, "Tab"));
    assert_eq!(
        events(&records),
        vec![
            (OperationType::Insert, "old".to_string()),
            (OperationType::Insert, "young".to_string()),
            (OperationType::Remove, "old".to_string()),
        ]
    );
    assert_eq!(records[0].user_identity, None);
    assert_eq!(
        records[2].user_identity,
        Some(Identity {
            principal_id: "dynamodb.amazonaws.com".into(),
            identity_type: "Service".into(),
        })
    );
    assert_eq!(records[2].dynamodb.old_image.as_ref(), Some(&expiring));
}

// ------------------------------------------------------ enable, disable

#[test]
fn streams_are_enabled_and_disabled_as_dynamodb_does_it() {
    let (db, clock) = memdb();
    let d = create(&db, "Tab", None);
    assert_eq!(d.latest_stream_arn, None);
    let err = |r: Result<UpdateTableOutput, DynamoError>| r.expect_err("refused");
    let upd = |s: StreamSpecification| {
        db.update_table(UpdateTableInput {
            table_name: "Tab".into(),
            stream_specification: Some(s),
            ..Default::default()
        })
    };
    let e = err(upd(StreamSpecification {
        stream_enabled: false,
        stream_view_type: None,
    }));
    assert_eq!(
        e,
        DynamoError::validation("Table has no stream to disable: TableName: Tab")
    );
    let e = err(upd(StreamSpecification {
        stream_enabled: true,
        stream_view_type: None,
    }));
    assert_eq!(
        e.message(),
        "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required"
    );

    let d = upd(spec(StreamViewType::KeysOnly).unwrap_or_default())
        .expect("enable")
        .table_description;
    assert_eq!(d.stream_specification, spec(StreamViewType::KeysOnly));
    assert_eq!(
        d.latest_stream_label.as_deref(),
        Some("2026-11-24T20:15:01.123")
    );
    let first = d.latest_stream_arn.clone().expect("arn");
    assert_eq!(
        first,
        "arn:aws:dynamodb:ddblocal:000000000000:table/Tab/stream/2026-11-24T20:15:01.123"
    );
    for view in [StreamViewType::KeysOnly, StreamViewType::NewImage] {
        let e = err(upd(spec(view).unwrap_or_default()));
        assert_eq!(
            e,
            DynamoError::validation("Table already has an enabled stream: TableName: Tab")
        );
    }
    let e = err(upd(StreamSpecification {
        stream_enabled: false,
        stream_view_type: Some(StreamViewType::KeysOnly),
    }));
    assert_eq!(
        e.message(),
        "One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified"
    );
    let e = db
        .update_table(UpdateTableInput {
            table_name: "Tab".into(),
            stream_specification: spec(StreamViewType::KeysOnly),
            provisioned_throughput: Some(ProvisionedThroughput {
                read_capacity_units: 1,
                write_capacity_units: 1,
            }),
            ..Default::default()
        })
        .expect_err("IOPS");
    assert!(e
        .message()
        .ends_with("You cannot modify stream status while updating table IOPS"));

    put(&db, "Tab", key("before"));
    let s1 = shard(&db, &first);
    assert_eq!(s1.sequence_number_range.ending_sequence_number, None);
    let it = iterator(&db, &first, ShardIteratorType::TrimHorizon, None).expect("iterator");

    clock.advance_millis(1000);
    let d = upd(StreamSpecification {
        stream_enabled: false,
        stream_view_type: None,
    })
    .expect("disable")
    .table_description;
    // DescribeTable drops StreamSpecification but keeps the latest stream.
    assert_eq!(d.stream_specification, None);
    assert_eq!(d.latest_stream_arn.as_deref(), Some(first.as_str()));
    put(&db, "Tab", key("while-disabled"));

    let desc = db
        .describe_stream(DescribeStreamInput {
            stream_arn: first.clone(),
            ..Default::default()
        })
        .expect("describe")
        .stream_description;
    assert_eq!(desc.stream_status, StreamStatus::Disabled);
    assert_eq!(desc.stream_view_type, StreamViewType::KeysOnly);
    assert_eq!(desc.table_name, "Tab");
    assert_eq!(desc.creation_request_date_time, T0 as f64 / 1000.0);
    let ending = desc.shards[0]
        .sequence_number_range
        .ending_sequence_number
        .clone()
        .expect("closed shard");
    // The closed shard is read to its end, then has no next iterator.
    let out = get(&db, &it, None).expect("read closed shard");
    assert_eq!(
        events(&out.records),
        vec![(OperationType::Insert, "before".to_string())]
    );
    assert!(out.records[0].dynamodb.sequence_number <= ending);
    assert_eq!(out.next_shard_iterator, None);
    let latest = iterator(&db, &first, ShardIteratorType::Latest, None).expect("latest");
    let out = get(&db, &latest, None).expect("read");
    assert!(out.records.is_empty() && out.next_shard_iterator.is_none());

    clock.advance_millis(1000);
    let second = upd(spec(StreamViewType::NewImage).unwrap_or_default())
        .expect("re-enable")
        .table_description
        .latest_stream_arn
        .expect("arn");
    assert_ne!(second, first);
    assert!(
        second.ends_with("/stream/2026-11-24T20:15:03.123"),
        "{second}"
    );
    put(&db, "Tab", key("after"));
    assert_eq!(
        events(&all_records(&db, &second)),
        vec![(OperationType::Insert, "after".to_string())]
    );
    assert_eq!(
        events(&all_records(&db, &first)),
        vec![(OperationType::Insert, "before".to_string())]
    );
    let listed = db
        .list_streams(ListStreamsInput {
            table_name: Some("Tab".into()),
            ..Default::default()
        })
        .expect("list");
    assert_eq!(
        listed
            .streams
            .iter()
            .map(|s| s.stream_arn.clone())
            .collect::<Vec<_>>(),
        vec![first.clone(), second.clone()]
    );

    // 24 hours after it was disabled the old stream is gone.
    clock.advance_millis(24 * HOUR);
    let e = db
        .describe_stream(DescribeStreamInput {
            stream_arn: first.clone(),
            ..Default::default()
        })
        .expect_err("gone");
    assert_eq!(
        e,
        DynamoError::ResourceNotFoundException(format!(
            "Requested resource not found: Stream: {first} not found"
        ))
    );
    let listed = db.list_streams(ListStreamsInput::default()).expect("list");
    assert_eq!(listed.streams.len(), 1);
    assert_eq!(listed.streams[0].stream_arn, second);
}

#[test]
fn create_table_checks_its_stream_specification() {
    let (db, _clock) = memdb();
    let try_create = |spec: StreamSpecification| {
        db.create_table(CreateTableInput {
            table_name: "Tab".into(),
            attribute_definitions: vec![AttributeDefinition {
                attribute_name: "id".into(),
                attribute_type: ScalarAttributeType::S,
            }],
            key_schema: vec![KeySchemaElement {
                attribute_name: "id".into(),
                key_type: KeyType::Hash,
            }],
            billing_mode: Some(BillingMode::PayPerRequest),
            stream_specification: Some(spec),
            ..Default::default()
        })
    };
    let e = try_create(StreamSpecification {
        stream_enabled: true,
        stream_view_type: None,
    })
    .expect_err("no view type");
    assert_eq!(
        e.message(),
        "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required"
    );
    let e = try_create(StreamSpecification {
        stream_enabled: false,
        stream_view_type: Some(StreamViewType::NewImage),
    })
    .expect_err("view type without stream");
    assert_eq!(
        e.message(),
        "One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified"
    );
    let d = try_create(StreamSpecification {
        stream_enabled: false,
        stream_view_type: None,
    })
    .expect("no stream")
    .table_description;
    assert_eq!(d.latest_stream_arn, None);
    let d = create(&db, "Uuu", spec(StreamViewType::OldImage));
    assert_eq!(d.stream_specification, spec(StreamViewType::OldImage));
    assert_eq!(
        d.latest_stream_label.as_deref(),
        Some("2026-11-24T20:15:01.123")
    );
}

#[test]
fn list_streams_pages_across_tables() {
    let (db, _clock) = memdb();
    for t in ["Ccc", "Aaa", "Bbb"] {
        create(&db, t, spec(StreamViewType::KeysOnly));
    }
    create(&db, "None", None);
    let mut start = None;
    let mut names = Vec::new();
    loop {
        let out = db
            .list_streams(ListStreamsInput {
                limit: Some(1),
                exclusive_start_stream_arn: start.clone(),
                ..Default::default()
            })
            .expect("list");
        names.extend(out.streams.iter().map(|s| s.table_name.clone()));
        match out.last_evaluated_stream_arn {
            Some(arn) => start = Some(arn),
            None => break,
        }
    }
    assert_eq!(names, vec!["Aaa", "Bbb", "Ccc"]);
    let e = db
        .list_streams(ListStreamsInput {
            exclusive_start_stream_arn: Some("kossa".into()),
            ..Default::default()
        })
        .expect_err("bad arn");
    assert_eq!(e, DynamoError::validation("Invalid StreamArn"));
    let e = db
        .list_streams(ListStreamsInput {
            table_name: Some("Nope".into()),
            ..Default::default()
        })
        .expect_err("no table");
    assert_eq!(e.name(), "ResourceNotFoundException");
    for bad in [0, 101] {
        let e = db
            .list_streams(ListStreamsInput {
                limit: Some(bad),
                ..Default::default()
            })
            .expect_err("bad limit");
        assert_eq!(e.name(), "ValidationException");
    }
    // A deleted table's stream stays listed (DISABLED) for 24 hours.
    db.delete_table(DeleteTableInput {
        table_name: "Bbb".into(),
    })
    .expect("delete");
    let out = db.list_streams(ListStreamsInput::default()).expect("list");
    let names: Vec<_> = out.streams.iter().map(|s| s.table_name.as_str()).collect();
    assert_eq!(names, vec!["Aaa", "Bbb", "Ccc"]);
    let bbb = &out.streams[1].stream_arn;
    assert_eq!(
        db.describe_stream(DescribeStreamInput {
            stream_arn: bbb.clone(),
            ..Default::default()
        })
        .expect("describe")
        .stream_description
        .stream_status,
        StreamStatus::Disabled
    );
}

// ------------------------------------------------------------- iterators

#[test]
fn every_iterator_type_starts_where_it_should() {
    let (db, clock) = memdb();
    create(&db, "Tab", spec(StreamViewType::KeysOnly));
    let arn = latest_arn(&db, "Tab");
    let latest = iterator(&db, &arn, ShardIteratorType::Latest, None).expect("latest");
    for i in 0..5 {
        clock.advance_millis(1000);
        put(&db, "Tab", key(&format!("k{i}")));
    }
    let all = all_records(&db, &arn);
    assert_eq!(all.len(), 5);
    // LATEST taken before the writes sees them all; taken now, none.
    assert_eq!(drain(&db, latest).0, all);
    let now = iterator(&db, &arn, ShardIteratorType::Latest, None).expect("latest");
    let (none, next) = drain(&db, now);
    assert!(none.is_empty());
    put(&db, "Tab", key("later"));
    let (later, _) = drain(&db, next.expect("open shard"));
    assert_eq!(
        events(&later),
        vec![(OperationType::Insert, "later".to_string())]
    );

    let third = all[2].dynamodb.sequence_number.clone();
    let at = iterator(&db, &arn, ShardIteratorType::AtSequenceNumber, Some(&third)).expect("at");
    assert_eq!(
        get(&db, &at, Some(1)).expect("get").records,
        vec![all[2].clone()]
    );
    let after = iterator(
        &db,
        &arn,
        ShardIteratorType::AfterSequenceNumber,
        Some(&third),
    )
    .expect("after");
    assert_eq!(
        get(&db, &after, Some(1)).expect("get").records,
        vec![all[3].clone()]
    );
    // The shard's StartingSequenceNumber reads everything, as TRIM_HORIZON.
    let start = shard(&db, &arn)
        .sequence_number_range
        .starting_sequence_number
        .expect("start");
    let from_start =
        iterator(&db, &arn, ShardIteratorType::AtSequenceNumber, Some(&start)).expect("at");
    assert_eq!(drain(&db, from_start).0.len(), 6);

    // AT_TIMESTAMP: the first record created at or after the time.
    let ts = |secs: f64| {
        db.get_shard_iterator(GetShardIteratorInput {
            stream_arn: arn.clone(),
            shard_id: shard(&db, &arn).shard_id,
            shard_iterator_type: ShardIteratorType::AtTimestamp,
            sequence_number: None,
            timestamp: Some(secs),
        })
    };
    let third_time = all[2].dynamodb.approximate_creation_date_time;
    let it = ts(third_time)
        .expect("at timestamp")
        .shard_iterator
        .expect("it");
    assert_eq!(
        get(&db, &it, Some(1)).expect("get").records,
        vec![all[2].clone()]
    );
    let e = ts((T0 / 1000) as f64 + 3600.0).expect_err("future");
    assert_eq!(e.name(), "ValidationException");

    // Parameter errors.
    let e = iterator(&db, &arn, ShardIteratorType::AtSequenceNumber, None).expect_err("no seq");
    assert_eq!(e.name(), "ValidationException");
    let e = iterator(&db, &arn, ShardIteratorType::Latest, Some(&third)).expect_err("seq");
    assert_eq!(e.name(), "ValidationException");
    let e = iterator(
        &db,
        &arn,
        ShardIteratorType::AtSequenceNumber,
        Some("999999999999999999999"),
    )
    .expect_err("future sequence number");
    assert_eq!(e.name(), "ValidationException");
    let e = db
        .get_shard_iterator(GetShardIteratorInput {
            stream_arn: arn.clone(),
            shard_id: "shardId-00000000000000000000-00000000".into(),
            shard_iterator_type: ShardIteratorType::Latest,
            ..Default::default()
        })
        .expect_err("bad shard");
    assert_eq!(e.name(), "ResourceNotFoundException");
    let e = db
        .get_shard_iterator(GetShardIteratorInput {
            stream_arn: "sdfadfsddafgdafsgjnadflkgnalngalsdfnlkasnlkasdfasdfasf".into(),
            shard_id: "shardId-00000000000000000000-00000000".into(),
            shard_iterator_type: ShardIteratorType::Latest,
            ..Default::default()
        })
        .expect_err("bad arn");
    assert_eq!(e, DynamoError::validation("Invalid StreamArn"));
    let e = db
        .describe_stream(DescribeStreamInput {
            stream_arn: arn.replace("/stream/2026", "/stream/2025"),
            ..Default::default()
        })
        .expect_err("no such stream");
    assert_eq!(e.name(), "ResourceNotFoundException");
    let e = get(
        &db,
        "sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg",
        None,
    )
    .expect_err("bad iterator");
    assert_eq!(e, DynamoError::validation("Invalid ShardIterator"));
    let past_shard = db
        .describe_stream(DescribeStreamInput {
            stream_arn: arn.clone(),
            exclusive_start_shard_id: Some(shard(&db, &arn).shard_id),
            ..Default::default()
        })
        .expect("describe");
    assert!(past_shard.stream_description.shards.is_empty());
}

#[test]
fn limit_and_next_shard_iterator_page_through_a_shard() {
    let (db, _clock) = memdb();
    create(&db, "Tab", spec(StreamViewType::NewImage));
    for i in 0..25 {
        put(
            &db,
            "Tab",
            item(&[("id", s(&format!("k{i:02}"))), ("i", n(i))]),
        );
    }
    let arn = latest_arn(&db, "Tab");
    let mut it = iterator(&db, &arn, ShardIteratorType::TrimHorizon, None).expect("it");
    let mut pages = Vec::new();
    let mut seen = Vec::new();
    loop {
        let out = get(&db, &it, Some(10)).expect("page");
        if out.records.is_empty() {
            break;
        }
        pages.push(out.records.len());
        seen.extend(
            out.records
                .iter()
                .map(|r| num(r.dynamodb.new_image.as_ref().and_then(|i| i.get("i")))),
        );
        it = out.next_shard_iterator.expect("open shard");
    }
    assert_eq!(pages, vec![10, 10, 5]);
    assert_eq!(seen, (0..25).collect::<Vec<_>>());
    for bad in [0, 1001] {
        let e = get(&db, &it, Some(bad)).expect_err("bad limit");
        assert_eq!(e.name(), "ValidationException", "{bad}");
    }
    assert_eq!(
        get(&db, &it, Some(1000)).expect("max limit").records.len(),
        0
    );
}

#[test]
fn large_records_are_returned_a_megabyte_at_a_time() {
    let (db, _clock) = memdb();
    create(&db, "Tab", spec(StreamViewType::NewImage));
    let big = "x".repeat(300_000);
    for i in 0..7 {
        put(
            &db,
            "Tab",
            item(&[("id", s(&format!("k{i}"))), ("big", s(&big))]),
        );
    }
    let arn = latest_arn(&db, "Tab");
    let it = iterator(&db, &arn, ShardIteratorType::TrimHorizon, None).expect("it");
    let out = get(&db, &it, None).expect("page");
    assert_eq!(out.records.len(), 3);
    assert_eq!(drain(&db, it).0.len(), 7);
}

#[test]
fn iterators_expire_after_fifteen_minutes() {
    let (db, clock) = memdb();
    create(&db, "Tab", spec(StreamViewType::KeysOnly));
    let arn = latest_arn(&db, "Tab");
    let it = iterator(&db, &arn, ShardIteratorType::TrimHorizon, None).expect("it");
    clock.advance_millis(15 * 60 * 1000);
    let next = get(&db, &it, None)
        .expect("still valid at 15 minutes")
        .next_shard_iterator
        .expect("next");
    clock.advance_millis(1);
    let e = get(&db, &it, None).expect_err("expired");
    assert_eq!(e.name(), "ExpiredIteratorException");
    assert!(
        e.message().starts_with(
            "Iterator expired. The iterator was created at time Tue Nov 24 20:15:01 UTC 2026 while right now it is Tue Nov 24 20:30:01 UTC 2026"
        ),
        "{}",
        e.message()
    );
    // The NextShardIterator was issued later and is still good.
    assert!(get(&db, &next, None).is_ok());
}

// ------------------------------------------------------------ retention

/// Stream record keys in the engine (index id 0xFE under any table),
/// sequence-0 trim markers excluded.
fn stored_records(db: &DynamoDb) -> usize {
    let mut it = db.engine().iter().expect("iter");
    it.seek_to_first().expect("seek");
    let mut count = 0;
    while it.valid() {
        let k = it.key();
        if k.len() == 13 && k[..4] != [0; 4] && k[4] == 0xFE && k[5..] != [0; 8] {
            count += 1;
        }
        it.next().expect("next");
    }
    count
}

#[test]
fn records_older_than_24_hours_are_trimmed() {
    let fs = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&fs, &clock, true);
    create(&db, "Tab", spec(StreamViewType::KeysOnly));
    let arn = latest_arn(&db, "Tab");
    for i in 0..5 {
        put(&db, "Tab", key(&format!("old{i}")));
    }
    let old = all_records(&db, &arn);
    clock.advance_millis(12 * HOUR);
    for i in 0..5 {
        put(&db, "Tab", key(&format!("new{i}")));
    }
    let early = iterator(
        &db,
        &arn,
        ShardIteratorType::AtSequenceNumber,
        Some(&old[0].dynamodb.sequence_number),
    )
    .expect("at");
    assert_eq!(stored_records(&db), 10);

    clock.advance_millis(12 * HOUR);
    // Exactly 24 hours after the first five: they are gone.
    let e = iterator(
        &db,
        &arn,
        ShardIteratorType::AtSequenceNumber,
        Some(&old[4].dynamodb.sequence_number),
    )
    .expect_err("trimmed");
    assert_eq!(e.name(), "TrimmedDataAccessException");
    assert_eq!(stored_records(&db), 5);
    let rest = all_records(&db, &arn);
    assert_eq!(events(&rest).len(), 5);
    assert!(events(&rest).iter().all(|(_, id)| id.starts_with("new")));
    let start = shard(&db, &arn)
        .sequence_number_range
        .starting_sequence_number
        .expect("start");
    assert!(start > old[4].dynamodb.sequence_number, "{start}");
    assert_eq!(
        iterator(&db, &arn, ShardIteratorType::AtSequenceNumber, Some(&start)).map(|it| drain(
            &db, it
        )
        .0
        .len()),
        Ok(5)
    );
    // (The early iterator has expired by now; its position is trimmed too.)
    assert!(get(&db, &early, None).is_err());

    // The trim survives a reopen, and writes trim without any reader.
    drop(db);
    let db = open(&fs, &clock, true);
    let e = iterator(
        &db,
        &arn,
        ShardIteratorType::AtSequenceNumber,
        Some(&old[2].dynamodb.sequence_number),
    )
    .expect_err("still trimmed");
    assert_eq!(e.name(), "TrimmedDataAccessException");
    clock.advance_millis(13 * HOUR);
    put(&db, "Tab", key("fresh"));
    assert_eq!(stored_records(&db), 1);
    assert_eq!(
        events(&all_records(&db, &arn)),
        vec![(OperationType::Insert, "fresh".to_string())]
    );
}

// ------------------------------------------------------------ concurrency

#[test]
fn concurrent_writers_keep_per_item_order_and_a_follower_misses_nothing() {
    const ITEMS: usize = 4;
    const THREADS: usize = 6;
    const ROUNDS: usize = 60;
    let (db, _clock) = memdb();
    let db = Arc::new(db);
    create(&db, "Tab", spec(StreamViewType::NewImage));
    let arn = latest_arn(&db, "Tab");
    let done = Arc::new(AtomicBool::new(false));
    let follower = {
        let db = Arc::clone(&db);
        let done = Arc::clone(&done);
        let arn = arn.clone();
        std::thread::spawn(move || {
            let mut it = iterator(&db, &arn, ShardIteratorType::TrimHorizon, None).expect("it");
            let mut seen = Vec::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let out = get(&db, &it, Some(7)).expect("follow");
                let empty = out.records.is_empty();
                seen.extend(out.records);
                it = out.next_shard_iterator.expect("open shard");
                if finished && empty {
                    return seen;
                }
            }
        })
    };
    let writers: Vec<_> = (0..THREADS)
        .map(|t| {
            let db = Arc::clone(&db);
            std::thread::spawn(move || {
                for r in 0..ROUNDS {
                    let id = format!("item{}", (t + r) % ITEMS);
                    update(&db, "Tab", &id, "ADD c :one", &[(":one", n(1))]);
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    done.store(true, Ordering::SeqCst);
    let followed = follower.join().expect("follower");
    let all = all_records(&db, &arn);
    assert_eq!(all.len(), THREADS * ROUNDS);
    // The follower read every record exactly once, in sequence order.
    assert_eq!(followed, all);
    assert!(all.windows(2).all(|w| seq(&w[0]) < seq(&w[1])));
    // Per item, the counter climbs by one from record to record.
    let mut per_item: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in &all {
        let image = r.dynamodb.new_image.as_ref().expect("new image");
        let id = match image.get("id") {
            Some(AttributeValue::S(id)) => id.clone(),
            other => panic!("{other:?}"),
        };
        per_item.entry(id).or_default().push(num(image.get("c")));
    }
    let total: usize = per_item.values().map(Vec::len).sum();
    assert_eq!(total, THREADS * ROUNDS);
    for (id, counts) in per_item {
        let expected: Vec<i64> = (1..=counts.len() as i64).collect();
        assert_eq!(counts, expected, "{id}");
    }
}

// ---------------------------------------------------------- durability

#[test]
fn records_survive_reopen_and_crash_exactly_when_their_items_do() {
    let fs = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&fs, &clock, true);
    create(&db, "Tab", spec(StreamViewType::NewAndOldImages));
    let arn = latest_arn(&db, "Tab");
    for i in 1..=3 {
        put(&db, "Tab", item(&[("id", s("a")), ("v", n(i))]));
    }
    let before = all_records(&db, &arn);
    db.close().expect("close");
    drop(db);

    // Reopened: the records are there and new ones number above them.
    let db = open(&fs, &clock, false);
    assert_eq!(all_records(&db, &arn), before);
    // Now writes are not synced; a crash keeps some prefix of them.
    for v in 4..=200 {
        put(&db, "Tab", item(&[("id", s("a")), ("v", n(v))]));
        put(&db, "Tab", item(&[("id", s("b")), ("v", n(v))]));
        if v == 100 {
            db.engine().sync_wal().expect("sync");
        }
    }
    fs.crash();
    drop(db);

    let db = open(&fs, &clock, true);
    let records = all_records(&db, &arn);
    assert_eq!(&records[..3], &before[..]);
    for id in ["a", "b"] {
        let stored = db
            .get_item(GetItemInput {
                table_name: "Tab".into(),
                key: key(id),
                ..Default::default()
            })
            .expect("get")
            .item;
        let last = stored.map_or(0, |i| num(i.get("v")));
        assert!(last >= 100, "{id}: the synced writes survive ({last})");
        let versions: Vec<i64> = records
            .iter()
            .filter(|r| r.dynamodb.keys == key(id))
            .map(|r| num(r.dynamodb.new_image.as_ref().and_then(|i| i.get("v"))))
            .collect();
        let first = if id == "a" { 1 } else { 4 };
        let expected: Vec<i64> = (first..=last).collect();
        assert_eq!(versions, expected, "{id}");
    }
    // Sequence numbers keep rising after the crash.
    let top = records.last().map(seq).unwrap_or_default();
    put(&db, "Tab", item(&[("id", s("a")), ("v", n(1000))]));
    let after = all_records(&db, &arn);
    assert!(after.last().map(seq).unwrap_or_default() > top);
}
