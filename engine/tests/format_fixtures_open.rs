//! Frozen database directories of every released format version still open
//! and read back exactly what was written (format-spec/fixtures/README.md).
//!
//! Each fixture was written once by `generate_fixtures` below (run with
//! `SILTDB_WRITE_FIXTURES=1 cargo test -p siltdb --test format_fixtures_open
//! -- --ignored`) at the commit that introduced its version, and is never
//! regenerated: a test here that fails means a reader change broke
//! compatibility with files users already have.
//!
//! The engine fixture holds data in every place a directory can hold it: a
//! table deep in the tree, tables in L0, and a WAL that was never flushed.
//! The DynamoDB fixture holds a table with a GSI, an LSI, a stream, TTL and
//! tags, with items written, updated and deleted.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use common::fixtures::{fixtures, scratch_copy};
use common::{n, s};
use siltdb::dynamo::api::*;
use siltdb::dynamo::{DynamoDb, ScalarAttributeType};
use siltdb::fs::OsFs;
use siltdb::{AttributeValue, Db, Item, Options, WriteBatch};

fn options() -> Options {
    Options {
        fs: Arc::new(OsFs::new()),
        create_if_missing: false,
        ..Options::default()
    }
}

// ---- the engine fixture -------------------------------------------------

/// Key `i` of the engine fixture.
fn engine_key(i: u32) -> Vec<u8> {
    format!("key{i:05}").into_bytes()
}

/// Value of key `i` written in `round`.
fn engine_value(i: u32, round: u32) -> Vec<u8> {
    format!("value of {i} in round {round} ")
        .repeat(1 + (i % 7) as usize)
        .into_bytes()
}

/// What the engine fixture holds after its three rounds, as a model.
fn engine_model() -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut m = BTreeMap::new();
    // Round 0: 0..600, compacted to the bottom of the tree.
    for i in 0..600 {
        m.insert(engine_key(i), engine_value(i, 0));
    }
    // Round 1: every 3rd key rewritten, every 10th deleted; flushed to L0.
    for i in (0..600).step_by(3) {
        m.insert(engine_key(i), engine_value(i, 1));
    }
    for i in (0..600).step_by(10) {
        m.remove(&engine_key(i));
    }
    // Round 2: new keys and every 7th key rewritten; only in the WAL.
    for i in 600..700 {
        m.insert(engine_key(i), engine_value(i, 2));
    }
    for i in (0..700).step_by(7) {
        m.insert(engine_key(i), engine_value(i, 2));
    }
    m
}

fn write_engine_fixture(dir: &Path) {
    let opts = Options {
        fs: Arc::new(OsFs::new()),
        ..Options::default()
    };
    let db = Db::open(dir, opts).expect("open");
    let mut b = WriteBatch::new();
    for i in 0..600 {
        b.put(&engine_key(i), &engine_value(i, 0));
    }
    db.write(b).expect("round 0");
    db.compact_range(None, None).expect("compact round 0");
    let mut b = WriteBatch::new();
    for i in (0..600).step_by(3) {
        b.put(&engine_key(i), &engine_value(i, 1));
    }
    for i in (0..600).step_by(10) {
        b.delete(&engine_key(i));
    }
    db.write(b).expect("round 1");
    db.flush().expect("flush round 1");
    for i in 600..700 {
        db.put(&engine_key(i), &engine_value(i, 2))
            .expect("round 2");
    }
    for i in (0..700).step_by(7) {
        db.put(&engine_key(i), &engine_value(i, 2))
            .expect("round 2");
    }
    db.close().expect("close");
}

fn check_engine_fixture(dir: &Path) {
    let copy = scratch_copy(dir);
    let db = Db::open(copy.path(), options()).expect("the fixture opens");
    let want = engine_model();
    let mut got = BTreeMap::new();
    let mut it = db.iter().expect("iterator");
    it.seek_to_first().expect("seek");
    while it.valid() {
        got.insert(it.key().to_vec(), it.value().to_vec());
        it.next().expect("next");
    }
    assert_eq!(got.len(), want.len(), "number of live keys");
    assert!(got == want, "the fixture's contents differ from its model");
    for i in (0..700).step_by(13) {
        assert_eq!(
            db.get(&engine_key(i)).expect("get"),
            want.get(&engine_key(i)).cloned()
        );
    }
    // It takes writes, and they survive a reopen.
    db.put(b"after", b"upgrade").expect("write after opening");
    db.close().expect("close");
    let db = Db::open(copy.path(), options()).expect("reopen");
    assert_eq!(db.get(b"after").expect("get"), Some(b"upgrade".to_vec()));
    assert_eq!(
        db.get(&engine_key(601)).expect("get"),
        want.get(&engine_key(601)).cloned()
    );
}

// ---- the DynamoDB fixture -----------------------------------------------

fn song(artist: u32, song: u32) -> Item {
    [
        ("Artist".to_string(), s(&format!("artist-{artist}"))),
        ("Song".to_string(), s(&format!("song-{song:03}"))),
        ("Album".to_string(), s(&format!("album-{}", song % 4))),
        ("Year".to_string(), n(1960 + i64::from(song % 9))),
        ("Plays".to_string(), n(i64::from(artist * 1000 + song))),
    ]
    .into()
}

fn key(artist: u32, song: u32) -> Item {
    [
        ("Artist".to_string(), s(&format!("artist-{artist}"))),
        ("Song".to_string(), s(&format!("song-{song:03}"))),
    ]
    .into()
}

fn write_dynamo_fixture(dir: &Path) {
    let db = DynamoDb::open(
        dir,
        Options {
            fs: Arc::new(OsFs::new()),
            ..Options::default()
        },
    )
    .expect("open");
    let def = |name: &str, ty| AttributeDefinition {
        attribute_name: name.into(),
        attribute_type: ty,
    };
    let elem = |name: &str, key_type| KeySchemaElement {
        attribute_name: name.into(),
        key_type,
    };
    db.create_table(CreateTableInput {
        table_name: "Music".into(),
        attribute_definitions: vec![
            def("Artist", ScalarAttributeType::S),
            def("Song", ScalarAttributeType::S),
            def("Album", ScalarAttributeType::S),
            def("Year", ScalarAttributeType::N),
        ],
        key_schema: vec![elem("Artist", KeyType::Hash), elem("Song", KeyType::Range)],
        local_secondary_indexes: Some(vec![LocalSecondaryIndex {
            index_name: "ByAlbum".into(),
            key_schema: vec![elem("Artist", KeyType::Hash), elem("Album", KeyType::Range)],
            projection: Projection {
                projection_type: Some(ProjectionType::All),
                non_key_attributes: None,
            },
        }]),
        global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
            index_name: "ByYear".into(),
            key_schema: vec![elem("Year", KeyType::Hash), elem("Song", KeyType::Range)],
            projection: Projection {
                projection_type: Some(ProjectionType::KeysOnly),
                non_key_attributes: None,
            },
            provisioned_throughput: None,
            on_demand_throughput: None,
            warm_throughput: None,
        }]),
        stream_specification: Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(StreamViewType::NewAndOldImages),
        }),
        billing_mode: Some(BillingMode::PayPerRequest),
        tags: Some(vec![Tag {
            key: "team".into(),
            value: "storage".into(),
        }]),
        ..Default::default()
    })
    .expect("create table");
    db.update_time_to_live(UpdateTimeToLiveInput {
        table_name: "Music".into(),
        time_to_live_specification: TimeToLiveSpecification {
            enabled: true,
            attribute_name: "Expires".into(),
        },
    })
    .expect("ttl");
    for artist in 0..4 {
        for sg in 0..30 {
            db.put_item(PutItemInput {
                table_name: "Music".into(),
                item: song(artist, sg),
                ..Default::default()
            })
            .expect("put");
        }
    }
    db.engine().compact_range(None, None).expect("compact");
    for sg in (0..30).step_by(5) {
        db.delete_item(DeleteItemInput {
            table_name: "Music".into(),
            key: key(1, sg),
            ..Default::default()
        })
        .expect("delete");
    }
    db.engine().flush().expect("flush");
    for sg in 0..30 {
        db.update_item(UpdateItemInput {
            table_name: "Music".into(),
            key: key(2, sg),
            update_expression: Some("SET Plays = Plays + :one".into()),
            expression_attribute_values: Some([(":one".to_string(), n(1))].into()),
            ..Default::default()
        })
        .expect("update");
    }
    db.close().expect("close");
}

/// The DynamoDB fixture's items, as a model.
fn dynamo_model() -> BTreeMap<(u32, u32), Item> {
    let mut m = BTreeMap::new();
    for artist in 0..4 {
        for sg in 0..30 {
            m.insert((artist, sg), song(artist, sg));
        }
    }
    for sg in (0..30).step_by(5) {
        m.remove(&(1, sg));
    }
    for sg in 0..30 {
        let it = m.get_mut(&(2, sg)).expect("present");
        it.insert("Plays".into(), n(i64::from(2000 + sg + 1)));
    }
    m
}

fn check_dynamo_fixture(dir: &Path) {
    let copy = scratch_copy(dir);
    let db = DynamoDb::open(copy.path(), options()).expect("the fixture opens");
    let want = dynamo_model();
    let mut got = Vec::new();
    let mut start = None;
    loop {
        let out = db
            .scan(ScanInput {
                table_name: "Music".into(),
                exclusive_start_key: start,
                ..Default::default()
            })
            .expect("scan");
        got.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    assert_eq!(got.len(), want.len(), "items in the table");
    for it in &got {
        let artist: u32 = match it.get("Artist") {
            Some(AttributeValue::S(a)) => a["artist-".len()..].parse().expect("artist"),
            other => panic!("bad Artist {other:?}"),
        };
        let sg: u32 = match it.get("Song") {
            Some(AttributeValue::S(a)) => a["song-".len()..].parse().expect("song"),
            other => panic!("bad Song {other:?}"),
        };
        assert_eq!(Some(it), want.get(&(artist, sg)), "item {artist}/{sg}");
    }
    let d = db
        .describe_table(DescribeTableInput {
            table_name: "Music".into(),
        })
        .expect("describe")
        .table;
    let gsis = d.global_secondary_indexes.expect("the GSI");
    assert_eq!(gsis.len(), 1);
    // Written before indexes had throughput settings: read as an index that
    // never set them.
    assert_eq!(gsis[0].on_demand_throughput, None);
    let warm = gsis[0].warm_throughput.expect("warm throughput");
    assert_eq!(
        (warm.read_units_per_second, warm.write_units_per_second),
        (12_000, 4_000)
    );
    assert_eq!(d.local_secondary_indexes.map(|l| l.len()), Some(1));
    assert!(d.latest_stream_arn.is_some(), "the stream is still there");
    // The GSI holds every item of a year, in song order.
    let q = db
        .query(QueryInput {
            table_name: "Music".into(),
            index_name: Some("ByYear".into()),
            key_condition_expression: Some("#y = :y".into()),
            expression_attribute_names: Some([("#y".to_string(), "Year".to_string())].into()),
            expression_attribute_values: Some([(":y".to_string(), n(1960))].into()),
            ..Default::default()
        })
        .expect("gsi query");
    let in_1960 = want
        .values()
        .filter(|it| it.get("Year") == Some(&n(1960)))
        .count();
    assert_eq!(q.count, in_1960 as i64);
    // The LSI orders one artist's songs by album.
    let q = db
        .query(QueryInput {
            table_name: "Music".into(),
            index_name: Some("ByAlbum".into()),
            key_condition_expression: Some("Artist = :a AND Album = :b".into()),
            expression_attribute_values: Some(
                [
                    (":a".to_string(), s("artist-2")),
                    (":b".to_string(), s("album-1")),
                ]
                .into(),
            ),
            ..Default::default()
        })
        .expect("lsi query");
    let items = q.items.unwrap_or_default();
    assert_eq!(items.len(), (0..30).filter(|sg| sg % 4 == 1).count());
    assert!(items.iter().all(|it| it.get("Plays").is_some()));
    let ttl = db
        .describe_time_to_live(DescribeTimeToLiveInput {
            table_name: "Music".into(),
        })
        .expect("ttl");
    assert_eq!(
        ttl.time_to_live_description.attribute_name,
        Some("Expires".to_string())
    );
    db.close().expect("close");
}

// ---- versions -------------------------------------------------------------

#[test]
fn v1_engine_fixture_opens() {
    check_engine_fixture(&fixtures().join("v1/engine"));
}

#[test]
fn v1_dynamo_fixture_opens() {
    check_dynamo_fixture(&fixtures().join("v1/dynamo"));
}

/// A damaged copy of a released fixture is reported as corruption naming
/// the file, never read as data and never a panic.
#[test]
fn v1_engine_fixture_with_a_flipped_table_byte_is_corruption() {
    let copy = scratch_copy(&fixtures().join("v1/engine"));
    let table = copy.path().join("000005.sst");
    let mut bytes = std::fs::read(&table).expect("read table");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&table, bytes).expect("write table");
    let result = Db::open(copy.path(), options()).and_then(|db| {
        let mut it = db.iter()?;
        it.seek_to_first()?;
        while it.valid() {
            it.next()?;
        }
        Ok(())
    });
    match result {
        Err(e) => {
            assert!(e.is_corruption(), "expected corruption, got {e}");
            assert!(e.to_string().contains("000005.sst"), "names the file: {e}");
        }
        Ok(()) => panic!("a flipped byte in a table went unnoticed"),
    }
}

/// Writes the fixtures of the current format version into
/// `format-spec/fixtures/<version>/`. Only run when a new format version is
/// released; never regenerate an existing version.
#[test]
#[ignore = "writes the frozen fixtures; run by hand for a new format version"]
fn generate_fixtures() {
    let Ok(version) = std::env::var("SILTDB_WRITE_FIXTURES") else {
        return;
    };
    let root = fixtures().join(&version);
    for (name, write) in [
        ("engine", write_engine_fixture as fn(&Path)),
        ("dynamo", write_dynamo_fixture),
    ] {
        let dir = root.join(name);
        assert!(
            !dir.exists(),
            "{} exists: fixtures are frozen",
            dir.display()
        );
        write(&dir);
        std::fs::remove_file(dir.join("LOCK")).expect("remove LOCK");
    }
}
