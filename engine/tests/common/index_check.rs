//! Checks a secondary index's raw entries against the table's items, and
//! waits for index states. Included with `#[path]` by the index tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::low_level::dynamo::schema::TableMeta;
use siltdb::low_level::dynamo::{catalog, index, itemcodec, layout};

/// The table's definition as the catalog stores it.
pub fn table_meta(db: &DynamoDb, table: &str) -> TableMeta {
    let bytes = db
        .engine()
        .get(&catalog::table_key(table))
        .expect("catalog read")
        .expect("table record");
    catalog::decode_meta(&bytes).expect("table record decodes")
}

/// Every key and value under `prefix`.
pub fn raw_range(db: &DynamoDb, prefix: &[u8]) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut it = db.engine().iter().expect("iter");
    it.seek(prefix).expect("seek");
    while it.valid() && it.key().starts_with(prefix) {
        out.insert(it.key().to_vec(), it.value().to_vec());
        it.next().expect("next");
    }
    out
}

/// The entries index `index_name` must hold, computed from the table's items.
pub fn expected_entries(
    db: &DynamoDb,
    meta: &TableMeta,
    index_name: &str,
) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let idx = meta.index(index_name).expect("index in the catalog");
    let items = raw_range(db, &layout::range_prefix(meta.id, layout::TABLE_INDEX_ID));
    let mut out = BTreeMap::new();
    for v in items.values() {
        let item = itemcodec::decode_item(v).expect("item decodes");
        if let Some(k) = index::entry_key(meta, idx, &item).expect("entry key") {
            out.insert(
                k,
                itemcodec::encode_item_to_vec(&index::project_for_index(meta, idx, &item)),
            );
        }
    }
    out
}

/// Asserts that index `index_name` of `table` holds exactly one correct
/// entry per item with its key attributes and nothing else; returns the
/// number of entries.
pub fn assert_index_consistent(db: &DynamoDb, table: &str, index_name: &str) -> usize {
    let meta = table_meta(db, table);
    let idx = meta.index(index_name).expect("index");
    let actual = raw_range(db, &layout::range_prefix(meta.id, idx.id));
    let expected = expected_entries(db, &meta, index_name);
    let stray: Vec<_> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .take(3)
        .collect();
    let missing: Vec<_> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .take(3)
        .collect();
    assert!(
        stray.is_empty() && missing.is_empty(),
        "index {index_name}: {} entries, {} expected; stray {stray:?}, missing {missing:?}",
        actual.len(),
        expected.len()
    );
    for (k, v) in &expected {
        assert_eq!(actual.get(k), Some(v), "index {index_name}: stale entry");
    }
    actual.len()
}

/// The description of global index `name` of `table`.
pub fn global_index(
    db: &DynamoDb,
    table: &str,
    name: &str,
) -> Option<GlobalSecondaryIndexDescription> {
    db.describe_table(DescribeTableInput {
        table_name: table.into(),
    })
    .expect("describe")
    .table
    .global_secondary_indexes
    .unwrap_or_default()
    .into_iter()
    .find(|g| g.index_name == name)
}

/// Waits (up to a minute) until global index `name` of `table` is ACTIVE.
pub fn wait_active(db: &DynamoDb, table: &str, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let g = global_index(db, table, name).expect("index listed");
        if g.index_status == IndexStatus::Active {
            assert_eq!(g.backfilling, None);
            return;
        }
        assert_eq!(g.index_status, IndexStatus::Creating);
        assert_eq!(g.backfilling, Some(true));
        assert!(
            Instant::now() < deadline,
            "index {name} never became ACTIVE"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits (up to a minute) until no key starts with `prefix`.
pub fn wait_empty(db: &DynamoDb, prefix: &[u8]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !raw_range(db, prefix).is_empty() {
        assert!(Instant::now() < deadline, "range {prefix:?} never emptied");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A key schema element.
pub fn ks(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement {
        attribute_name: name.into(),
        key_type,
    }
}

/// An attribute definition.
pub fn def(name: &str, ty: siltdb::dynamo::ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition {
        attribute_name: name.into(),
        attribute_type: ty,
    }
}

/// A projection.
pub fn projection(ty: ProjectionType, non_key: Option<&[&str]>) -> Projection {
    Projection {
        projection_type: Some(ty),
        non_key_attributes: non_key.map(|v| v.iter().map(|s| s.to_string()).collect()),
    }
}

/// A global index definition on `hash` (and `range`), projecting ALL.
pub fn gsi(name: &str, hash: &str, range: Option<&str>) -> GlobalSecondaryIndex {
    let mut key_schema = vec![ks(hash, KeyType::Hash)];
    if let Some(r) = range {
        key_schema.push(ks(r, KeyType::Range));
    }
    GlobalSecondaryIndex {
        index_name: name.into(),
        key_schema,
        projection: projection(ProjectionType::All, None),
        provisioned_throughput: None,
        on_demand_throughput: None,
        warm_throughput: None,
    }
}

/// A local index definition on the table hash `pk` and `range`, projecting
/// ALL.
pub fn lsi(name: &str, range: &str) -> LocalSecondaryIndex {
    LocalSecondaryIndex {
        index_name: name.into(),
        key_schema: vec![ks("pk", KeyType::Hash), ks(range, KeyType::Range)],
        projection: projection(ProjectionType::All, None),
    }
}

/// Creates table `name`: `pk`/`sk` (both S) and a local index `byA` on `a`
/// (S) projecting ALL, so each partition is an item collection.
pub fn create_lsi_table(db: &DynamoDb, name: &str) {
    use siltdb::dynamo::ScalarAttributeType::S;
    db.create_table(CreateTableInput {
        table_name: name.into(),
        attribute_definitions: vec![def("pk", S), def("sk", S), def("a", S)],
        key_schema: vec![ks("pk", KeyType::Hash), ks("sk", KeyType::Range)],
        billing_mode: Some(BillingMode::PayPerRequest),
        local_secondary_indexes: Some(vec![lsi("byA", "a")]),
        ..Default::default()
    })
    .expect("create");
}

/// UpdateTable creating global index `name` on `hash` (type S), projecting
/// ALL.
pub fn create_gsi(table: &str, name: &str, hash: &str) -> UpdateTableInput {
    UpdateTableInput {
        table_name: table.into(),
        attribute_definitions: Some(vec![def(hash, siltdb::dynamo::ScalarAttributeType::S)]),
        global_secondary_index_updates: Some(vec![GlobalSecondaryIndexUpdate::Create(
            CreateGlobalSecondaryIndexAction {
                index_name: name.into(),
                key_schema: vec![ks(hash, KeyType::Hash)],
                projection: projection(ProjectionType::All, None),
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            },
        )]),
        ..Default::default()
    }
}

/// UpdateTable deleting global index `name`.
pub fn delete_gsi(table: &str, name: &str) -> UpdateTableInput {
    UpdateTableInput {
        table_name: table.into(),
        global_secondary_index_updates: Some(vec![GlobalSecondaryIndexUpdate::Delete(
            DeleteGlobalSecondaryIndexAction {
                index_name: name.into(),
            },
        )]),
        ..Default::default()
    }
}

/// `u` with provisioned throughput on its index `Create`.
pub fn with_throughput(mut u: UpdateTableInput, read: i64, write: i64) -> UpdateTableInput {
    for x in u.global_secondary_index_updates.iter_mut().flatten() {
        if let GlobalSecondaryIndexUpdate::Create(c) = x {
            c.provisioned_throughput = Some(ProvisionedThroughput {
                read_capacity_units: read,
                write_capacity_units: write,
            });
        }
    }
    u
}
