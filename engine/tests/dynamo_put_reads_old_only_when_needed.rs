//! A PutItem (or a BatchWriteItem put) reads the item it replaces only when
//! something needs it: its condition, `ReturnValues`, `ConsumedCapacity`
//! (which counts the larger of the old and new items), or the table — a
//! secondary index whose old entry goes, a stream record's event and old
//! image. Otherwise the put writes without a read.
//!
//! Observed through an item whose stored bytes do not decode: a write that
//! reads it fails, one that does not replaces it.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use common::*;
use index_check::table_meta;
use siltdb::dynamo::api::*;
use siltdb::dynamo::{DynamoDb, DynamoError, ScalarAttributeType};
use siltdb::Item;

/// Stored bytes no item decodes from.
const DAMAGED: &[u8] = b"\xff\xfe not an item";

/// Replaces the stored bytes of the item keyed `pk` in `table` by
/// [`DAMAGED`].
fn damage(db: &DynamoDb, table: &str, pk: &str) {
    let key = table_meta(db, table)
        .item_key(&item(&[("pk", s(pk))]))
        .expect("key");
    db.engine().put(&key, DAMAGED).expect("raw put");
}

fn plain_put(table: &str, it: Item) -> PutItemInput {
    PutItemInput {
        table_name: table.into(),
        item: it,
        ..Default::default()
    }
}

fn new_item() -> Item {
    item(&[("pk", s("a")), ("gk", s("g")), ("v", n(2))])
}

/// Whether `put`, made over a damaged item `a` of `table`, read it: it
/// fails if it did, and replaces the item if it did not.
fn reads_the_old_item(db: &DynamoDb, table: &str, put: PutItemInput) -> bool {
    damage(db, table, "a");
    let read = match db.put_item(put) {
        Err(DynamoError::InternalServerError(_)) => true,
        Err(e) => panic!("unexpected error: {e:?}"),
        Ok(_) => false,
    };
    if !read {
        assert_eq!(get(db, table, item(&[("pk", s("a"))])), Some(new_item()));
    }
    read
}

fn batch_put(table: &str, capacity: Option<ReturnConsumedCapacity>) -> BatchWriteItemInput {
    BatchWriteItemInput {
        request_items: [(
            table.to_string(),
            vec![WriteRequest::Put(PutRequest { item: new_item() })],
        )]
        .into(),
        return_consumed_capacity: capacity,
        ..Default::default()
    }
}

#[test]
fn a_plain_put_does_not_read_and_every_need_does() {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "Plain", None);

    assert!(!reads_the_old_item(
        &db,
        "Plain",
        plain_put("Plain", new_item())
    ));
    assert!(reads_the_old_item(
        &db,
        "Plain",
        PutItemInput {
            return_values: Some(ReturnValue::AllOld),
            ..plain_put("Plain", new_item())
        }
    ));
    assert!(reads_the_old_item(
        &db,
        "Plain",
        PutItemInput {
            condition_expression: Some("attribute_exists(pk)".into()),
            ..plain_put("Plain", new_item())
        }
    ));
    assert!(reads_the_old_item(
        &db,
        "Plain",
        PutItemInput {
            expected: Some(
                [(
                    "pk".to_string(),
                    ExpectedAttributeValue {
                        exists: Some(true),
                        value: Some(s("a")),
                        ..Default::default()
                    },
                )]
                .into()
            ),
            ..plain_put("Plain", new_item())
        }
    ));
    assert!(reads_the_old_item(
        &db,
        "Plain",
        PutItemInput {
            return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
            ..plain_put("Plain", new_item())
        }
    ));
    // NONE is the default, spelled out.
    assert!(!reads_the_old_item(
        &db,
        "Plain",
        PutItemInput {
            return_values: Some(ReturnValue::None),
            return_consumed_capacity: Some(ReturnConsumedCapacity::None),
            ..plain_put("Plain", new_item())
        }
    ));

    // The same rules for a batch's puts.
    damage(&db, "Plain", "a");
    db.batch_write_item(batch_put("Plain", None))
        .expect("a plain batch put replaces the item unread");
    assert_eq!(get(&db, "Plain", item(&[("pk", s("a"))])), Some(new_item()));
    damage(&db, "Plain", "a");
    assert!(matches!(
        db.batch_write_item(batch_put("Plain", Some(ReturnConsumedCapacity::Total))),
        Err(DynamoError::InternalServerError(_))
    ));
}

#[test]
fn a_table_with_an_index_or_a_stream_always_reads() {
    let db = DynamoDb::open_in_memory().expect("open");
    db.create_table(CreateTableInput {
        table_name: "Indexed".into(),
        attribute_definitions: vec![
            AttributeDefinition {
                attribute_name: "pk".into(),
                attribute_type: ScalarAttributeType::S,
            },
            AttributeDefinition {
                attribute_name: "gk".into(),
                attribute_type: ScalarAttributeType::S,
            },
        ],
        key_schema: vec![KeySchemaElement {
            attribute_name: "pk".into(),
            key_type: KeyType::Hash,
        }],
        global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
            index_name: "ByG".into(),
            key_schema: vec![KeySchemaElement {
                attribute_name: "gk".into(),
                key_type: KeyType::Hash,
            }],
            projection: Projection {
                projection_type: Some(ProjectionType::All),
                non_key_attributes: None,
            },
            ..Default::default()
        }]),
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })
    .expect("create");
    // The old item's index entry must go: the put reads it.
    assert!(reads_the_old_item(
        &db,
        "Indexed",
        plain_put("Indexed", new_item())
    ));

    create(&db, "Streamed", None);
    assert!(!reads_the_old_item(
        &db,
        "Streamed",
        plain_put("Streamed", new_item())
    ));
    db.update_table(UpdateTableInput {
        table_name: "Streamed".into(),
        stream_specification: Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(StreamViewType::KeysOnly),
        }),
        ..Default::default()
    })
    .expect("enable the stream");
    // INSERT or MODIFY, or no record for an unchanged item: the put reads.
    assert!(reads_the_old_item(
        &db,
        "Streamed",
        plain_put("Streamed", new_item())
    ));
}
