//! A write that fails after it could have taken stream sequence numbers
//! (here a BatchWriteItem refused for growing an item collection past its
//! limit) does not stall GetRecords: a record another thread commits
//! afterwards is readable at once, not after a 30-second timeout.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use std::sync::Arc;

use common::streams::{get, iterator, latest_arn};
use common::*;
use index_check::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType::S;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions};
use siltdb::fs::MemFs;
use siltdb::{Db, Options};

const TABLE: &str = "Threads";

#[test]
fn a_failed_write_does_not_stall_get_records() {
    let db = DynamoDb::with_db(
        Db::open(
            "/db",
            Options {
                fs: Arc::new(MemFs::new()),
                ..Options::default()
            },
        )
        .expect("open"),
        DynamoOptions {
            item_collection_size_limit: 2000,
            ..Default::default()
        },
    )
    .expect("dynamo");
    db.create_table(CreateTableInput {
        table_name: TABLE.into(),
        attribute_definitions: vec![def("pk", S), def("sk", S), def("a", S)],
        key_schema: vec![ks("pk", KeyType::Hash), ks("sk", KeyType::Range)],
        billing_mode: Some(BillingMode::PayPerRequest),
        local_secondary_indexes: Some(vec![lsi("byA", "a")]),
        stream_specification: Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(StreamViewType::KeysOnly),
        }),
        ..Default::default()
    })
    .expect("create");
    let arn = latest_arn(&db, TABLE);
    let it = iterator(&db, &arn, ShardIteratorType::TrimHorizon, None).expect("iterator");

    // Two puts into one collection: the first fits, the second takes the
    // collection past 2000 bytes, so the whole batch fails.
    let request = |sk: &str, size: usize| {
        WriteRequest::Put(PutRequest {
            item: item(&[
                ("pk", s("p")),
                ("sk", s(sk)),
                ("a", s("x")),
                ("body", s(&"z".repeat(size))),
            ]),
        })
    };
    let failed = db.batch_write_item(BatchWriteItemInput {
        request_items: [(
            TABLE.to_string(),
            vec![request("1", 10), request("2", 1500)],
        )]
        .into(),
        ..Default::default()
    });
    assert!(
        matches!(
            failed,
            Err(DynamoError::ItemCollectionSizeLimitExceededException(_))
        ),
        "{failed:?}"
    );

    // Another thread writes; its record is readable at once.
    std::thread::scope(|scope| {
        scope.spawn(|| {
            put(
                &db,
                TABLE,
                item(&[("pk", s("q")), ("sk", s("1")), ("a", s("y"))]),
            )
        });
    });
    let records = get(&db, &it, None).expect("records").records;
    let keys: Vec<_> = records.iter().map(|r| r.dynamodb.keys.clone()).collect();
    assert_eq!(keys, vec![item(&[("pk", s("q")), ("sk", s("1"))])]);
}
