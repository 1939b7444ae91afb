//! Item collection sizes as a test sees them: each collection's size record
//! read by hand from format-spec/keys.md ("Item collection sizes"), and the
//! size recomputed from a scan of the table.

use std::collections::BTreeMap;

use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::low_level::dynamo::layout::{partition_prefix, TABLE_INDEX_ID};
use siltdb::{AttributeValue, Item};

/// The `index_id` of item collection sizes.
pub const SIZES_INDEX_ID: u8 = 0xFF;

/// The size record of the collection of partition key S `pk` in table
/// `table_id`: its key is the table partition's prefix with `index_id` FF,
/// its value `01` then the size as u64 little-endian. `None` when there is
/// none.
pub fn recorded(db: &DynamoDb, table_id: u32, pk: &str) -> Option<u64> {
    let mut key =
        partition_prefix(table_id, TABLE_INDEX_ID, &AttributeValue::S(pk.into())).expect("key");
    key[4] = SIZES_INDEX_ID;
    let v = db.engine().get(&key).expect("get")?;
    assert_eq!(v.len(), 9, "record of {pk}: {v:?}");
    assert_eq!(v[0], 1, "layout version");
    Some(u64::from_le_bytes(v[1..].try_into().expect("8 bytes")))
}

/// How many size records table `table_id` holds.
pub fn records(db: &DynamoDb, table_id: u32) -> usize {
    super::keys_in(db, table_id, SIZES_INDEX_ID)
}

/// Every collection's size in `table` (partition key S attribute `hash`),
/// recomputed from a scan: the sum of `weight` over its items.
pub fn recomputed(
    db: &DynamoDb,
    table: &str,
    hash: &str,
    weight: &dyn Fn(&Item) -> u64,
) -> BTreeMap<String, u64> {
    let mut sizes = BTreeMap::new();
    let mut start = None;
    loop {
        let page = db
            .scan(ScanInput {
                table_name: table.into(),
                exclusive_start_key: start,
                consistent_read: Some(true),
                ..Default::default()
            })
            .expect("scan");
        for it in page.items.unwrap_or_default() {
            let Some(AttributeValue::S(pk)) = it.get(hash) else {
                panic!("item without {hash}: {it:?}");
            };
            *sizes.entry(pk.clone()).or_insert(0) += weight(&it);
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            return sizes;
        }
    }
}
