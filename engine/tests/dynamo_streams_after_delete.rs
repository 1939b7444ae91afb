//! DynamoDB Streams after DeleteTable: the table's streams go `DISABLED`
//! with a closed shard and stay listed and readable to their end until 24
//! hours after they were disabled; then they disappear and their records
//! are reclaimed. The table's items go at once. All of it survives a
//! reopen and a crash, and a table created again under the same name gets
//! a stream of its own.

use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

use common::keys_in;
use common::streams::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoOptions, ManualClock};
use siltdb::fs::MemFs;
use siltdb::low_level::dynamo::catalog::retired_streams_key;
use siltdb::low_level::dynamo::layout::{STREAM_INDEX_ID, TABLE_INDEX_ID};
use siltdb::{AttributeValue, Db, DynamoError, Item, Options};

// ---------------------------------------------------------------- helpers

/// 2026-11-24T20:15:01.123Z.
const T0: i64 = 1_795_551_301_123;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

fn key(id: &str) -> Item {
    [("id".to_string(), AttributeValue::S(id.to_string()))].into()
}

fn spec(view: StreamViewType) -> Option<StreamSpecification> {
    Some(StreamSpecification {
        stream_enabled: true,
        stream_view_type: Some(view),
    })
}

fn create(db: &DynamoDb, name: &str, stream: Option<StreamSpecification>) {
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
    .expect("create table");
}

fn delete_table(db: &DynamoDb, name: &str) {
    db.delete_table(DeleteTableInput {
        table_name: name.into(),
    })
    .expect("delete table");
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

fn put(db: &DynamoDb, table: &str, id: &str) {
    db.put_item(PutItemInput {
        table_name: table.into(),
        item: key(id),
        ..Default::default()
    })
    .expect("put");
}

fn delete_item(db: &DynamoDb, table: &str, id: &str) {
    db.delete_item(DeleteItemInput {
        table_name: table.into(),
        key: key(id),
        ..Default::default()
    })
    .expect("delete item");
}

/// Every record of stream `arn`, and whether the shard ended.
fn read_to_end(db: &DynamoDb, arn: &str) -> (Vec<String>, bool) {
    let (records, next) = drain_with(
        db,
        iterator(db, arn, ShardIteratorType::TrimHorizon, None).expect("iterator"),
        Some(1),
    );
    let ids = records
        .iter()
        .map(|r| match r.dynamodb.keys.get("id") {
            Some(AttributeValue::S(id)) => format!("{:?} {id}", r.event_name),
            other => panic!("bad keys {other:?}"),
        })
        .collect();
    (ids, next.is_none())
}

fn listed(db: &DynamoDb, table: Option<&str>) -> Result<Vec<String>, DynamoError> {
    db.list_streams(ListStreamsInput {
        table_name: table.map(str::to_string),
        ..Default::default()
    })
    .map(|o| o.streams.into_iter().map(|s| s.stream_arn).collect())
}

/// Whether the retained-streams catalog record of table `table_id` exists.
fn retained_record(db: &DynamoDb, table_id: u32) -> bool {
    db.engine()
        .get(&retired_streams_key(table_id))
        .expect("get")
        .is_some()
}

/// Waits (up to 10 s) for the background reclaimer to make `done` true.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting: {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn not_found(r: Result<impl std::fmt::Debug, DynamoError>) {
    assert_eq!(
        r.expect_err("not found").name(),
        "ResourceNotFoundException"
    );
}

// ------------------------------------------------------------------ tests

/// The first table of a fresh database gets table id 1, the next 2.
const FIRST_ID: u32 = 1;

#[test]
fn a_deleted_tables_stream_is_disabled_and_readable_for_24_hours() {
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&MemFs::new(), &clock, true);
    create(&db, "Tab", spec(StreamViewType::NewAndOldImages));
    let arn = latest_arn(&db, "Tab");
    put(&db, "Tab", "a");
    put(&db, "Tab", "b");
    delete_item(&db, "Tab", "b");
    // A consumer caught up with the open shard.
    let (_, follow) = drain_with(
        &db,
        iterator(&db, &arn, ShardIteratorType::TrimHorizon, None).expect("iterator"),
        Some(1),
    );
    let follow = follow.expect("open shard");
    let before = shard(&db, &arn);
    assert_eq!(before.sequence_number_range.ending_sequence_number, None);

    // (Ten minutes on: the consumer's iterator is still valid.)
    clock.advance_millis(10 * MINUTE);
    delete_table(&db, "Tab");
    not_found(db.describe_table(DescribeTableInput {
        table_name: "Tab".into(),
    }));
    // The items go at once; the stream records stay.
    eventually("items reclaimed", || {
        keys_in(&db, FIRST_ID, TABLE_INDEX_ID) == 0
    });
    assert_eq!(keys_in(&db, FIRST_ID, STREAM_INDEX_ID), 3);
    assert!(retained_record(&db, FIRST_ID));

    let d = describe_stream(&db, &arn).expect("describe a deleted table's stream");
    assert_eq!(d.stream_status, StreamStatus::Disabled);
    assert_eq!(d.table_name, "Tab");
    assert_eq!(
        d.key_schema,
        vec![KeySchemaElement {
            attribute_name: "id".into(),
            key_type: KeyType::Hash,
        }]
    );
    assert_eq!(d.stream_view_type, StreamViewType::NewAndOldImages);
    let closed = &d.shards[0];
    assert_eq!(closed.shard_id, before.shard_id);
    let range = &closed.sequence_number_range;
    assert_eq!(
        range.starting_sequence_number,
        before.sequence_number_range.starting_sequence_number
    );
    let (records, _) = drain_with(
        &db,
        iterator(&db, &arn, ShardIteratorType::TrimHorizon, None).expect("iterator"),
        Some(1),
    );
    assert_eq!(records.len(), 3);
    assert_eq!(
        range.ending_sequence_number.as_deref(),
        Some(records[2].dynamodb.sequence_number.as_str()),
        "the shard ends at the last record"
    );
    assert_eq!(
        read_to_end(&db, &arn),
        (
            vec!["Insert a".into(), "Insert b".into(), "Remove b".into()],
            true
        )
    );
    // The caught-up consumer reads the end of the shard.
    let out = get(&db, &follow, None).expect("get records");
    assert!(out.records.is_empty());
    assert_eq!(out.next_shard_iterator, None);
    // LATEST on the closed shard: nothing, and the end.
    let out = get(
        &db,
        &iterator(&db, &arn, ShardIteratorType::Latest, None).expect("iterator"),
        None,
    )
    .expect("get records");
    assert!(out.records.is_empty());
    assert_eq!(out.next_shard_iterator, None);
    // Listed, with and without the deleted table's name.
    assert_eq!(listed(&db, None), Ok(vec![arn.clone()]));
    assert_eq!(listed(&db, Some("Tab")), Ok(vec![arn.clone()]));
    not_found(listed(&db, Some("Other")));

    // Records are readable for 24 hours after they were made...
    clock.set_millis(T0 + DAY - 1);
    assert_eq!(read_to_end(&db, &arn).0.len(), 3);
    // ...the stream until 24 hours after the delete (its disable time)...
    clock.set_millis(T0 + 10 * MINUTE + DAY - 1);
    assert_eq!(
        describe_stream(&db, &arn).map(|d| d.stream_status),
        Ok(StreamStatus::Disabled)
    );
    assert_eq!(read_to_end(&db, &arn), (Vec::new(), true));
    assert_eq!(
        keys_in(&db, FIRST_ID, STREAM_INDEX_ID),
        1,
        "the trim marker"
    );
    // ...and not a millisecond longer.
    clock.advance_millis(1);
    assert_eq!(listed(&db, None), Ok(Vec::new()));
    not_found(listed(&db, Some("Tab")));
    not_found(describe_stream(&db, &arn));
    not_found(db.get_shard_iterator(GetShardIteratorInput {
        stream_arn: arn.clone(),
        shard_id: before.shard_id.clone(),
        shard_iterator_type: ShardIteratorType::TrimHorizon,
        sequence_number: None,
        timestamp: None,
    }));
    eventually("stream records reclaimed", || {
        keys_in(&db, FIRST_ID, STREAM_INDEX_ID) == 0 && !retained_record(&db, FIRST_ID)
    });
}

#[test]
fn each_stream_of_a_deleted_table_keeps_its_own_24_hours() {
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&MemFs::new(), &clock, true);
    create(&db, "Tab", spec(StreamViewType::KeysOnly));
    let first = latest_arn(&db, "Tab");
    put(&db, "Tab", "one");
    // Disabled at T0, a second stream enabled an hour later.
    let update = |enabled: bool| {
        db.update_table(UpdateTableInput {
            table_name: "Tab".into(),
            stream_specification: Some(StreamSpecification {
                stream_enabled: enabled,
                stream_view_type: enabled.then_some(StreamViewType::NewImage),
            }),
            ..Default::default()
        })
        .expect("update stream");
    };
    update(false);
    clock.advance_millis(HOUR);
    update(true);
    let second = latest_arn(&db, "Tab");
    assert_ne!(first, second);
    put(&db, "Tab", "two");

    clock.set_millis(T0 + 23 * HOUR);
    delete_table(&db, "Tab");
    assert_eq!(
        listed(&db, Some("Tab")),
        Ok(vec![first.clone(), second.clone()])
    );
    assert_eq!(read_to_end(&db, &first), (vec!["Insert one".into()], true));
    assert_eq!(read_to_end(&db, &second), (vec!["Insert two".into()], true));

    // The first stream was disabled at T0: gone at T0 + 24 h.
    clock.set_millis(T0 + DAY);
    assert_eq!(listed(&db, None), Ok(vec![second.clone()]));
    not_found(describe_stream(&db, &first));
    assert_eq!(
        describe_stream(&db, &second).map(|d| d.stream_status),
        Ok(StreamStatus::Disabled)
    );
    // (Its record was made at T0 and is trimmed by now too.)
    assert_eq!(
        keys_in(&db, FIRST_ID, STREAM_INDEX_ID),
        2,
        "record + trim marker"
    );
    assert_eq!(read_to_end(&db, &second), (vec!["Insert two".into()], true));

    // The second was disabled by the delete at T0 + 23 h.
    clock.set_millis(T0 + 47 * HOUR);
    assert_eq!(listed(&db, None), Ok(Vec::new()));
    eventually("stream records reclaimed", || {
        keys_in(&db, FIRST_ID, STREAM_INDEX_ID) == 0 && !retained_record(&db, FIRST_ID)
    });
}

#[test]
fn a_table_whose_streams_expired_keeps_nothing() {
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&MemFs::new(), &clock, true);
    create(&db, "Tab", spec(StreamViewType::KeysOnly));
    put(&db, "Tab", "a");
    db.update_table(UpdateTableInput {
        table_name: "Tab".into(),
        stream_specification: Some(StreamSpecification {
            stream_enabled: false,
            stream_view_type: None,
        }),
        ..Default::default()
    })
    .expect("disable");
    clock.advance_millis(DAY);
    delete_table(&db, "Tab");
    assert!(!retained_record(&db, FIRST_ID));
    assert_eq!(listed(&db, None), Ok(Vec::new()));
    eventually("everything reclaimed", || {
        keys_in(&db, FIRST_ID, TABLE_INDEX_ID) == 0 && keys_in(&db, FIRST_ID, STREAM_INDEX_ID) == 0
    });
}

#[test]
fn the_kept_stream_survives_reopen_and_crash_and_expires_at_open() {
    let fs = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&fs, &clock, true);
    create(&db, "Tab", spec(StreamViewType::NewImage));
    let arn = latest_arn(&db, "Tab");
    put(&db, "Tab", "a");
    put(&db, "Tab", "b");
    delete_table(&db, "Tab");
    let closed = shard(&db, &arn);
    db.close().expect("close");
    drop(db);

    let db = open(&fs, &clock, true);
    assert_eq!(listed(&db, Some("Tab")), Ok(vec![arn.clone()]));
    assert_eq!(shard(&db, &arn), closed);
    assert_eq!(
        read_to_end(&db, &arn),
        (vec!["Insert a".into(), "Insert b".into()], true)
    );
    // Sequence numbers keep rising above the deleted table's.
    create(&db, "New", spec(StreamViewType::KeysOnly));
    put(&db, "New", "c");
    let new_arn = latest_arn(&db, "New");
    let (new_records, _) = drain_with(
        &db,
        iterator(&db, &new_arn, ShardIteratorType::TrimHorizon, None).expect("iterator"),
        Some(1),
    );
    let ending = closed
        .sequence_number_range
        .ending_sequence_number
        .expect("closed");
    assert!(new_records[0].dynamodb.sequence_number > ending);
    fs.crash();
    drop(db);

    let db = open(&fs, &clock, true);
    assert_eq!(read_to_end(&db, &arn).0.len(), 2);
    assert_eq!(
        describe_stream(&db, &arn).map(|d| d.stream_status),
        Ok(StreamStatus::Disabled)
    );
    db.close().expect("close");
    drop(db);

    // Expired while closed: gone at open, and reclaimed without any call.
    clock.advance_millis(DAY);
    let db = open(&fs, &clock, true);
    eventually("stream records reclaimed", || {
        keys_in(&db, FIRST_ID, STREAM_INDEX_ID) == 0 && !retained_record(&db, FIRST_ID)
    });
    not_found(describe_stream(&db, &arn));
    assert_eq!(listed(&db, Some("New")), Ok(vec![new_arn]));
}

#[test]
fn delete_table_keeps_the_stream_atomically_across_a_crash() {
    for synced in [false, true] {
        let fs = MemFs::new();
        let clock = Arc::new(ManualClock::new(T0));
        let db = open(&fs, &clock, false);
        create(&db, "Tab", spec(StreamViewType::KeysOnly));
        let arn = latest_arn(&db, "Tab");
        put(&db, "Tab", "a");
        db.engine().sync_wal().expect("sync");
        delete_table(&db, "Tab");
        if synced {
            db.engine().sync_wal().expect("sync");
        }
        fs.crash();
        drop(db);

        // Whether or not an unsynced DeleteTable survived, the stream and
        // its record are there: enabled with its table, or disabled
        // without it — never a table without its stream or the reverse.
        let db = open(&fs, &clock, true);
        let table = db.describe_table(DescribeTableInput {
            table_name: "Tab".into(),
        });
        assert!(!synced || table.is_err(), "a synced delete survives");
        let expected = if table.is_ok() {
            StreamStatus::Enabled
        } else {
            StreamStatus::Disabled
        };
        assert_eq!(
            describe_stream(&db, &arn).map(|d| d.stream_status),
            Ok(expected)
        );
        assert_eq!(read_to_end(&db, &arn).0, vec!["Insert a".to_string()]);
        assert_eq!(listed(&db, None), Ok(vec![arn]));
    }
}

#[test]
fn a_table_created_again_gets_a_stream_of_its_own() {
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&MemFs::new(), &clock, true);
    create(&db, "Tab", spec(StreamViewType::KeysOnly));
    let old = latest_arn(&db, "Tab");
    put(&db, "Tab", "old");
    delete_table(&db, "Tab");
    // Same name, same millisecond.
    create(&db, "Tab", spec(StreamViewType::KeysOnly));
    let new = latest_arn(&db, "Tab");
    assert_ne!(old, new);
    put(&db, "Tab", "new");
    assert_ne!(shard(&db, &old).shard_id, shard(&db, &new).shard_id);
    assert_eq!(read_to_end(&db, &old), (vec!["Insert old".into()], true));
    assert_eq!(read_to_end(&db, &new), (vec!["Insert new".into()], false));
    assert_eq!(
        describe_stream(&db, &old).map(|d| d.stream_status),
        Ok(StreamStatus::Disabled)
    );
    assert_eq!(
        describe_stream(&db, &new).map(|d| d.stream_status),
        Ok(StreamStatus::Enabled)
    );
    // Both listed, oldest first, and paged one at a time.
    assert_eq!(listed(&db, Some("Tab")), Ok(vec![old.clone(), new.clone()]));
    let mut start = None;
    let mut paged = Vec::new();
    loop {
        let out = db
            .list_streams(ListStreamsInput {
                limit: Some(1),
                exclusive_start_stream_arn: start.clone(),
                ..Default::default()
            })
            .expect("list");
        paged.extend(out.streams.into_iter().map(|s| s.stream_arn));
        match out.last_evaluated_stream_arn {
            Some(arn) => start = Some(arn),
            None => break,
        }
    }
    assert_eq!(paged, vec![old.clone(), new.clone()]);

    // Deleted again: two deleted tables of one name, two streams.
    delete_table(&db, "Tab");
    assert_eq!(listed(&db, Some("Tab")), Ok(vec![old.clone(), new.clone()]));
    assert_eq!(read_to_end(&db, &new), (vec!["Insert new".into()], true));
    clock.advance_millis(DAY);
    assert_eq!(listed(&db, None), Ok(Vec::new()));
    eventually("both reclaimed", || {
        (FIRST_ID..=FIRST_ID + 1).all(|id| keys_in(&db, id, STREAM_INDEX_ID) == 0)
            && !retained_record(&db, FIRST_ID)
            && !retained_record(&db, FIRST_ID + 1)
    });
}

#[test]
fn the_ttl_sweep_reclaims_expired_streams_without_a_streams_call() {
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&MemFs::new(), &clock, true);
    create(&db, "Tab", spec(StreamViewType::NewImage));
    put(&db, "Tab", "a");
    put(&db, "Tab", "b");
    delete_table(&db, "Tab");
    let kept = keys_in(&db, FIRST_ID, STREAM_INDEX_ID);
    assert!(kept >= 2, "the stream's records are kept: {kept}");

    // Within the 24 hours a sweep keeps them.
    clock.advance_millis(DAY - 1);
    db.sweep_expired_now().expect("sweep");
    assert!(retained_record(&db, FIRST_ID));
    assert_eq!(keys_in(&db, FIRST_ID, STREAM_INDEX_ID), kept);

    // Past them, the sweep alone (no ListStreams, DescribeStream, ...)
    // reclaims the records and the retained-streams record.
    clock.advance_millis(2);
    db.sweep_expired_now().expect("sweep");
    eventually("the expired stream reclaimed by the sweep", || {
        keys_in(&db, FIRST_ID, STREAM_INDEX_ID) == 0 && !retained_record(&db, FIRST_ID)
    });
}
