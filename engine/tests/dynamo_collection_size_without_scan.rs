//! A write to a table with a local secondary index reads its collection's
//! size record, not the collection's items: with one item of the partition
//! damaged on disk, writes to the partition's other items still succeed
//! (measuring the partition would have to decode the damaged item). Only a
//! collection without a record (a database of format version 1) is
//! measured from its items, and then the damage is reported.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use common::collections::recorded;
use common::*;
use index_check::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoError;
use siltdb::fs::MemFs;
use siltdb::low_level::dynamo::layout::{partition_prefix, TABLE_INDEX_ID};

const TABLE: &str = "Threads";

#[test]
fn a_write_reads_the_size_record_not_the_partition() {
    let db = open_mem(&MemFs::new(), Default::default());
    create_lsi_table(&db, TABLE);
    let row = |sk: &str| item(&[("pk", s("p")), ("sk", s(sk)), ("a", s("x"))]);
    for sk in ["1", "2", "3"] {
        put(&db, TABLE, row(sk));
    }
    let id = table_meta(&db, TABLE).id;
    let size = recorded(&db, id, "p").expect("recorded");

    // Damage item 2's stored bytes (an unknown item layout version).
    let meta = table_meta(&db, TABLE);
    let key2 = meta
        .key_of(&item(&[("pk", s("p")), ("sk", s("2"))]))
        .expect("engine key");
    assert!(key2.starts_with(&partition_prefix(id, TABLE_INDEX_ID, &s("p")).expect("prefix")));
    db.engine().put(&key2, &[0xEE, 1, 2, 3]).expect("damage");

    // Growing and shrinking writes to other items of the partition neither
    // read item 2 nor fail.
    put(&db, TABLE, row("4"));
    db.delete_item(DeleteItemInput {
        table_name: TABLE.into(),
        key: item(&[("pk", s("p")), ("sk", s("1"))]),
        ..Default::default()
    })
    .expect("delete");
    assert_eq!(recorded(&db, id, "p"), Some(size), "one item in, one out");

    // Without its record the collection is measured from its items, which
    // reads the damaged one: reported as an internal error, nothing written.
    let mut record_key = partition_prefix(id, TABLE_INDEX_ID, &s("p")).expect("prefix");
    record_key[4] = common::collections::SIZES_INDEX_ID;
    db.engine().delete(&record_key).expect("drop the record");
    let measured = db.put_item(PutItemInput {
        table_name: TABLE.into(),
        item: row("5"),
        ..Default::default()
    });
    match measured {
        Err(DynamoError::InternalServerError(m)) => assert!(m.contains("corrupt"), "{m}"),
        other => panic!("expected the damaged item to be reported, got {other:?}"),
    }
    assert_eq!(
        get(&db, TABLE, item(&[("pk", s("p")), ("sk", s("5"))])),
        None
    );
}
