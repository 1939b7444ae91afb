//! Item collections of tables with local secondary indexes: the size limit
//! (`ItemCollectionSizeLimitExceededException`, small here through
//! `DynamoOptions::item_collection_size_limit`) and
//! `ReturnItemCollectionMetrics: SIZE` on every write operation.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use std::sync::Arc;

use common::*;
use index_check::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType::S;
use siltdb::dynamo::{item_size, DynamoDb, DynamoError, DynamoOptions};
use siltdb::fs::MemFs;
use siltdb::{Db, Item, Options};

const TABLE: &str = "Threads";
const LIMIT: u64 = 4000;

fn open(mem: &MemFs, limit: u64) -> DynamoDb {
    DynamoDb::with_db(
        Db::open(
            "/db",
            Options {
                fs: Arc::new(mem.clone()),
                ..Options::default()
            },
        )
        .expect("open"),
        DynamoOptions {
            item_collection_size_limit: limit,
            ..Default::default()
        },
    )
    .expect("dynamo")
}

/// `Threads`: pk/sk, a local index on `a` projecting ALL.
fn setup(limit: u64) -> (MemFs, DynamoDb) {
    let mem = MemFs::new();
    let db = open(&mem, limit);
    create_lsi_table(&db, TABLE);
    (mem, db)
}

/// An item of partition `pk` with a 199-byte payload, in the local index.
fn big(pk: &str, sk: &str) -> Item {
    item(&[
        ("pk", s(pk)),
        ("sk", s(sk)),
        ("a", s("x")),
        ("body", s(&"z".repeat(199))),
    ])
}

/// The bytes an item adds to its collection: itself, plus its local index
/// entry (everything projected) and the entry's 100 bytes of overhead.
fn weight(it: &Item) -> u64 {
    2 * item_size(it) as u64 + 100
}

fn put_size(db: &DynamoDb, it: Item) -> Result<PutItemOutput, DynamoError> {
    db.put_item(PutItemInput {
        table_name: TABLE.into(),
        item: it,
        return_item_collection_metrics: Some(ReturnItemCollectionMetrics::Size),
        ..Default::default()
    })
}

fn collection_exceeded<T: std::fmt::Debug>(r: Result<T, DynamoError>) {
    match r {
        Err(DynamoError::ItemCollectionSizeLimitExceededException(m)) => {
            assert_eq!(m, "Collection size exceeded.")
        }
        other => panic!("expected ItemCollectionSizeLimitExceededException, got {other:?}"),
    }
}

fn metrics(pk: &str) -> ItemCollectionMetrics {
    ItemCollectionMetrics {
        item_collection_key: item(&[("pk", s(pk))]),
        size_estimate_range_gb: vec![0.0, 1.0],
    }
}

#[test]
fn writes_report_their_collection_when_asked() {
    let (_mem, db) = setup(LIMIT);
    let out = put_size(&db, big("p", "1")).expect("put");
    assert_eq!(out.item_collection_metrics, Some(metrics("p")));
    let out = db
        .put_item(PutItemInput {
            table_name: TABLE.into(),
            item: big("p", "2"),
            ..Default::default()
        })
        .expect("put");
    assert_eq!(out.item_collection_metrics, None);
    let out = db
        .update_item(UpdateItemInput {
            table_name: TABLE.into(),
            key: item(&[("pk", s("p")), ("sk", s("2"))]),
            update_expression: Some("SET b = :b".into()),
            expression_attribute_values: values(&[(":b", s("b"))]),
            return_item_collection_metrics: Some(ReturnItemCollectionMetrics::Size),
            ..Default::default()
        })
        .expect("update");
    assert_eq!(out.item_collection_metrics, Some(metrics("p")));
    let out = db
        .delete_item(DeleteItemInput {
            table_name: TABLE.into(),
            key: item(&[("pk", s("p")), ("sk", s("2"))]),
            return_item_collection_metrics: Some(ReturnItemCollectionMetrics::Size),
            ..Default::default()
        })
        .expect("delete");
    assert_eq!(out.item_collection_metrics, Some(metrics("p")));

    // BatchWriteItem: one entry per collection touched.
    let out = db
        .batch_write_item(BatchWriteItemInput {
            request_items: [(
                TABLE.to_string(),
                vec![
                    WriteRequest::Put(PutRequest {
                        item: big("q", "1"),
                    }),
                    WriteRequest::Put(PutRequest {
                        item: big("r", "1"),
                    }),
                    WriteRequest::Delete(DeleteRequest {
                        key: item(&[("pk", s("q")), ("sk", s("9"))]),
                    }),
                ],
            )]
            .into(),
            return_item_collection_metrics: Some(ReturnItemCollectionMetrics::Size),
            ..Default::default()
        })
        .expect("batch");
    assert_eq!(
        out.item_collection_metrics,
        Some([(TABLE.to_string(), vec![metrics("q"), metrics("r")])].into())
    );
    // TransactWriteItems likewise.
    let out = db
        .transact_write_items(TransactWriteItemsInput {
            transact_items: vec![TransactWriteItem::Put(Put {
                table_name: TABLE.into(),
                item: big("s", "1"),
                ..Default::default()
            })],
            return_item_collection_metrics: Some(ReturnItemCollectionMetrics::Size),
            ..Default::default()
        })
        .expect("transact");
    assert_eq!(
        out.item_collection_metrics,
        Some([(TABLE.to_string(), vec![metrics("s")])].into())
    );

    // A table without local indexes has no item collections.
    create(&db, "Plain", Some(("sk", S)));
    let out = db
        .put_item(PutItemInput {
            table_name: "Plain".into(),
            item: big("p", "1"),
            return_item_collection_metrics: Some(ReturnItemCollectionMetrics::Size),
            ..Default::default()
        })
        .expect("put");
    assert_eq!(out.item_collection_metrics, None);
}

#[test]
fn a_collection_cannot_grow_past_the_limit() {
    let (_mem, db) = setup(LIMIT);
    let w = weight(&big("p", "00"));
    let fits = LIMIT / w;
    for i in 0..fits {
        put_size(&db, big("p", &format!("{i:02}"))).expect("fits");
    }
    // The next item would take the collection past the limit.
    collection_exceeded(put_size(&db, big("p", "zz")));
    assert_eq!(
        get(&db, TABLE, item(&[("pk", s("p")), ("sk", s("zz"))])),
        None
    );
    // Growing an item counts too; an item outside the local index counts
    // once, and only its own size.
    collection_exceeded(db.update_item(UpdateItemInput {
        table_name: TABLE.into(),
        key: item(&[("pk", s("p")), ("sk", s("00"))]),
        update_expression: Some("SET extra = :m".into()),
        expression_attribute_values: values(&[(":m", s(&"m".repeat(1000)))]),
        ..Default::default()
    }));
    // Writes that keep or shrink the size are allowed.
    put_size(&db, big("p", "00")).expect("same size");
    db.update_item(UpdateItemInput {
        table_name: TABLE.into(),
        key: item(&[("pk", s("p")), ("sk", s("01"))]),
        update_expression: Some("REMOVE body".into()),
        ..Default::default()
    })
    .expect("shrink");
    // ... after which there is room again.
    put_size(&db, big("p", "zz")).expect("fits again");
    // Other collections are not affected.
    put_size(&db, big("q", "1")).expect("another collection");

    // BatchWriteItem: all or nothing.
    let r = db.batch_write_item(BatchWriteItemInput {
        request_items: [(
            TABLE.to_string(),
            vec![
                WriteRequest::Put(PutRequest {
                    item: big("q", "2"),
                }),
                WriteRequest::Put(PutRequest {
                    item: big("p", "yy"),
                }),
            ],
        )]
        .into(),
        ..Default::default()
    });
    collection_exceeded(r);
    assert_eq!(
        get(&db, TABLE, item(&[("pk", s("q")), ("sk", s("2"))])),
        None
    );
    // Several puts into one collection add up.
    let many: Vec<WriteRequest> = (0..fits + 1)
        .map(|i| {
            WriteRequest::Put(PutRequest {
                item: big("r", &i.to_string()),
            })
        })
        .collect();
    collection_exceeded(db.batch_write_item(BatchWriteItemInput {
        request_items: [(TABLE.to_string(), many)].into(),
        ..Default::default()
    }));
    assert_eq!(
        get(&db, TABLE, item(&[("pk", s("r")), ("sk", s("0"))])),
        None
    );

    // TransactWriteItems: a cancellation reason at the offending action.
    let r = db.transact_write_items(TransactWriteItemsInput {
        transact_items: vec![
            TransactWriteItem::Put(Put {
                table_name: TABLE.into(),
                item: big("q", "3"),
                ..Default::default()
            }),
            TransactWriteItem::Put(Put {
                table_name: TABLE.into(),
                item: big("p", "xx"),
                ..Default::default()
            }),
        ],
        ..Default::default()
    });
    match r {
        Err(DynamoError::TransactionCanceledException { message, reasons }) => {
            assert_eq!(
                message,
                "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ItemCollectionSizeLimitExceeded]"
            );
            assert_eq!(
                reasons[1].message.as_deref(),
                Some("Collection size exceeded.")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        get(&db, TABLE, item(&[("pk", s("q")), ("sk", s("3"))])),
        None
    );
    // Deleting is always allowed.
    db.delete_item(DeleteItemInput {
        table_name: TABLE.into(),
        key: item(&[("pk", s("p")), ("sk", s("00"))]),
        ..Default::default()
    })
    .expect("delete");
}

#[test]
fn a_collection_already_over_a_lowered_limit_may_only_shrink() {
    let (mem, db) = setup(100_000);
    for i in 0..10 {
        put_size(&db, big("p", &i.to_string())).expect("put");
    }
    db.close().expect("close");
    drop(db);
    // Reopened with a limit below the collection's size.
    let db = open(&mem, 1000);
    collection_exceeded(put_size(&db, big("p", "new")));
    collection_exceeded(db.update_item(UpdateItemInput {
        table_name: TABLE.into(),
        key: item(&[("pk", s("p")), ("sk", s("1"))]),
        update_expression: Some("SET b = :b".into()),
        expression_attribute_values: values(&[(":b", s("b"))]),
        ..Default::default()
    }));
    db.update_item(UpdateItemInput {
        table_name: TABLE.into(),
        key: item(&[("pk", s("p")), ("sk", s("1"))]),
        update_expression: Some("REMOVE a".into()),
        ..Default::default()
    })
    .expect("leaving the local index shrinks the collection");
    let out = db
        .delete_item(DeleteItemInput {
            table_name: TABLE.into(),
            key: item(&[("pk", s("p")), ("sk", s("2"))]),
            return_item_collection_metrics: Some(ReturnItemCollectionMetrics::Size),
            ..Default::default()
        })
        .expect("delete");
    assert_eq!(out.item_collection_metrics, Some(metrics("p")));
    assert_index_consistent(&db, TABLE, "byA");
}
