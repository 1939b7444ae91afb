//! A database of format version 1 (the frozen fixture
//! `format-spec/fixtures/v1/dynamo`, written before item collection size
//! records existed) opens with no size records; each collection is measured
//! from its items the first time a write needs its size, recorded in that
//! write's batch, and kept from then on — and the limit is checked against
//! that exact size.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use common::collections::{recomputed, recorded, records};
use common::fixtures::{fixtures, scratch_copy};
use common::*;
use index_check::table_meta;
use siltdb::dynamo::api::*;
use siltdb::dynamo::{item_size, DynamoDb, DynamoError, DynamoOptions};
use siltdb::{Db, Item, Options};

const TABLE: &str = "Music";

/// The bytes an item of `Music` adds to its collection: every item has an
/// `Album`, so it is in the local index `ByAlbum` (projecting ALL) — the
/// item twice plus 100 bytes. (The global index `ByYear` does not count.)
fn weight(it: &Item) -> u64 {
    assert!(it.contains_key("Album"), "{it:?}");
    2 * item_size(it) as u64 + 100
}

fn open(dir: &std::path::Path, limit: u64) -> DynamoDb {
    DynamoDb::with_db(
        Db::open(
            dir,
            Options {
                create_if_missing: false,
                ..Options::default()
            },
        )
        .expect("the v1 fixture opens"),
        DynamoOptions {
            item_collection_size_limit: limit,
            ..Default::default()
        },
    )
    .expect("dynamo")
}

fn song(artist: &str, song: &str, extra: usize) -> Item {
    item(&[
        ("Artist", s(artist)),
        ("Song", s(song)),
        ("Album", s("album-9")),
        ("Notes", s(&"n".repeat(extra))),
    ])
}

fn put_with_metrics(db: &DynamoDb, it: Item) -> Result<PutItemOutput, DynamoError> {
    db.put_item(PutItemInput {
        table_name: TABLE.into(),
        item: it,
        return_item_collection_metrics: Some(ReturnItemCollectionMetrics::Size),
        ..Default::default()
    })
}

#[test]
fn a_v1_database_measures_each_collection_once_then_keeps_it() {
    let copy = scratch_copy(&fixtures().join("v1/dynamo"));
    let db = open(copy.path(), u64::MAX);
    let id = table_meta(&db, TABLE).id;
    let sizes = recomputed(&db, TABLE, "Artist", &weight);
    assert_eq!(sizes.len(), 4, "{sizes:?}");
    assert_eq!(records(&db, id), 0, "format 1 has no size records");

    // The first write to artist-1 measures it and records the exact size.
    let extra = song("artist-1", "song-900", 2000);
    let out = put_with_metrics(&db, extra.clone()).expect("put");
    assert_eq!(
        out.item_collection_metrics
            .expect("metrics")
            .size_estimate_range_gb,
        vec![0.0, 1.0]
    );
    let artist1 = sizes["artist-1"] + weight(&extra);
    assert_eq!(recorded(&db, id, "artist-1"), Some(artist1));
    assert_eq!(
        recorded(&db, id, "artist-0"),
        None,
        "untouched: not measured"
    );
    assert_eq!(
        recomputed(&db, TABLE, "Artist", &weight)["artist-1"],
        artist1
    );
    db.close().expect("close");

    // Reopened with a limit of exactly artist-1's size: the record is what
    // the limit is checked against, so artist-1 cannot grow, may shrink,
    // and artist-0 (measured at its first write) has room.
    assert!(sizes["artist-0"] + 1000 < artist1, "{sizes:?}");
    let db = open(copy.path(), artist1);
    let grown = put_with_metrics(&db, song("artist-1", "song-901", 0));
    assert!(
        matches!(
            grown,
            Err(DynamoError::ItemCollectionSizeLimitExceededException(_))
        ),
        "{grown:?}"
    );
    db.delete_item(DeleteItemInput {
        table_name: TABLE.into(),
        key: item(&[("Artist", s("artist-1")), ("Song", s("song-900"))]),
        ..Default::default()
    })
    .expect("shrink");
    assert_eq!(recorded(&db, id, "artist-1"), Some(sizes["artist-1"]));
    let small = song("artist-0", "song-900", 0);
    put_with_metrics(&db, small.clone()).expect("room in artist-0");
    assert_eq!(
        recorded(&db, id, "artist-0"),
        Some(sizes["artist-0"] + weight(&small))
    );
    let now = recomputed(&db, TABLE, "Artist", &weight);
    assert_eq!(recorded(&db, id, "artist-0"), Some(now["artist-0"]));
    assert_eq!(records(&db, id), 2);
    db.close().expect("close");
}
