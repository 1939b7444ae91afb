//! A storage failure under a DynamoDB operation keeps its kind: a full disk
//! surfaces from PutItem as the engine's `StorageFull` I/O error (and the
//! writes refused after it as `Poisoned` by that same error), a damaged
//! value from GetItem and Scan as `Corruption` naming the file, and a closed
//! database as `Closed` — all `InternalServerError` by name.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::blobs::{blob_options, files_with_suffix};
use common::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions};
use siltdb::fs::{FaultFs, MemFs};
use siltdb::{Db, Error, Options};

const TABLE: &str = "Music";

fn put_result(db: &DynamoDb, i: u32, body: &str) -> Result<(), DynamoError> {
    db.put_item(PutItemInput {
        table_name: TABLE.into(),
        item: item(&[("pk", s(&format!("p{i}"))), ("body", s(body))]),
        ..Default::default()
    })
    .map(|_| ())
}

#[test]
fn a_full_disk_surfaces_from_put_item_as_storage_full() {
    let fs = FaultFs::new(Arc::new(MemFs::new()));
    let options = Options {
        fs: Arc::new(fs.clone()),
        sync: true,
        ..Options::default()
    };
    let db = DynamoDb::with_db(
        Db::open("/db", options).expect("open"),
        DynamoOptions::default(),
    )
    .expect("dynamo");
    create(&db, TABLE, None);
    fs.set_space_limit(Some(fs.bytes_appended() + 4096));
    let body = "x".repeat(500);
    let err = (0..1000)
        .find_map(|i| put_result(&db, i, &body).err())
        .expect("the space limit is hit");
    assert_eq!(err.name(), "InternalServerError");
    let engine = err
        .storage_error()
        .unwrap_or_else(|| panic!("not a storage error: {err:?}"));
    assert!(engine.is_storage_full(), "{engine:?}");
    assert!(
        matches!(engine.root(), Error::Io { source, .. }
            if source.kind() == std::io::ErrorKind::StorageFull),
        "{engine:?}"
    );

    // Later writes are refused by the poisoned database, still for the
    // full disk.
    let later = put_result(&db, 5000, "y").expect_err("refused");
    let engine = later.storage_error().expect("a storage error");
    assert!(matches!(engine, Error::Poisoned(_)), "{engine:?}");
    assert!(engine.is_storage_full(), "{engine:?}");
}

#[test]
fn a_damaged_value_surfaces_from_get_item_as_corruption() {
    let fs = MemFs::new();
    let open = || {
        DynamoDb::with_db(
            Db::open("/db", blob_options(Arc::new(fs.clone()))).expect("open"),
            DynamoOptions::default(),
        )
    };
    let db = open().expect("dynamo");
    create(&db, TABLE, None);
    put(
        &db,
        TABLE,
        item(&[("pk", s("p1")), ("body", s(&"v".repeat(3000)))]),
    );
    // In a table, so the damage is met by the read (a value still only in
    // the WAL is read when open replays it, and open refuses the damage).
    db.engine().flush().expect("flush");
    let blobs = files_with_suffix(&fs, "/db", ".blob");
    assert_eq!(blobs.len(), 1, "{blobs:?}");
    // Well inside the one record's value.
    fs.corrupt_byte(&Path::new("/db").join(&blobs[0]), 1500, 0x20)
        .expect("flip");

    let expect_corruption = |err: DynamoError| {
        assert_eq!(err.name(), "InternalServerError");
        match err.storage_error() {
            Some(Error::Corruption { file, .. }) => assert_eq!(file, &blobs[0]),
            other => panic!("expected corruption, got {other:?} from {err:?}"),
        }
    };
    let err = db
        .get_item(GetItemInput {
            table_name: TABLE.into(),
            key: item(&[("pk", s("p1"))]),
            ..Default::default()
        })
        .expect_err("the damaged value is not returned");
    expect_corruption(err);
    let err = db
        .scan(ScanInput {
            table_name: TABLE.into(),
            ..Default::default()
        })
        .expect_err("a scan does not skip the damaged value");
    expect_corruption(err);
    db.close().expect("close");
    drop(db);
    // After a reopen, whichever read meets the damage first (opening
    // itself, or the GetItem) reports it the same way.
    match open() {
        Ok(db) => expect_corruption(
            db.get_item(GetItemInput {
                table_name: TABLE.into(),
                key: item(&[("pk", s("p1"))]),
                ..Default::default()
            })
            .expect_err("the damaged value is not returned after a reopen"),
        ),
        Err(e) => expect_corruption(e),
    }
}

#[test]
fn a_closed_database_surfaces_as_closed() {
    let db = open_mem(&MemFs::new(), DynamoOptions::default());
    create(&db, TABLE, None);
    db.close().expect("close");
    let err = put_result(&db, 1, "x").expect_err("closed");
    assert!(
        matches!(err.storage_error().map(Error::root), Some(Error::Closed)),
        "{err:?}"
    );
}
