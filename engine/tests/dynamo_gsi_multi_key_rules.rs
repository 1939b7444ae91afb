//! Multi-attribute keys of global secondary indexes (DynamoDB, November
//! 2025) as CreateTable and UpdateTable validate them: up to four HASH
//! attributes, then up to four RANGE attributes, with DynamoDB's messages;
//! tables and local indexes keep one of each. DescribeTable echoes the key
//! schema in the order given.
//!
//! Messages: the ack-api-quirks DynamoDB lab's recorded service responses
//! (2026-10, DDB-TABLE-123/124), cited in `indexes/ddl.rs`.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use common::*;
use index_check::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::dynamo::ScalarAttributeType::{B, N, S};

const INVALID: &str = "One or more parameter values were invalid: ";

/// A key schema from `(name, HASH?)` pairs.
fn owned(v: &[(String, KeyType)]) -> Vec<(&str, KeyType)> {
    v.iter().map(|(n, t)| (n.as_str(), *t)).collect()
}

fn schema(keys: &[(&str, KeyType)]) -> Vec<KeySchemaElement> {
    keys.iter().map(|(n, t)| ks(n, *t)).collect()
}

/// Table `name` (`pk` S) with one global index `gsi` of `keys`, every
/// attribute named there defined as S.
fn with_gsi(name: &str, keys: &[(&str, KeyType)]) -> CreateTableInput {
    let mut defs = vec![def("pk", S)];
    for (n, _) in keys {
        if !defs.iter().any(|d| d.attribute_name == *n) && *n != "pk" {
            defs.push(def(n, S));
        }
    }
    CreateTableInput {
        table_name: name.into(),
        attribute_definitions: defs,
        key_schema: vec![ks("pk", KeyType::Hash)],
        billing_mode: Some(BillingMode::PayPerRequest),
        global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
            key_schema: schema(keys),
            ..gsi("gsi", "unused", None)
        }]),
        ..Default::default()
    }
}

use KeyType::{Hash as H, Range as R};

#[test]
fn create_table_accepts_up_to_four_of_each_and_describes_them_in_order() {
    let db = DynamoDb::open_in_memory().expect("open");
    let keys = [
        ("h1", H),
        ("h2", H),
        ("h3", H),
        ("h4", H),
        ("r1", R),
        ("r2", R),
        ("r3", R),
        ("r4", R),
    ];
    let out = db.create_table(with_gsi("tbl8", &keys)).expect("4 + 4");
    let g = out
        .table_description
        .global_secondary_indexes
        .expect("indexes");
    assert_eq!(g[0].key_schema, schema(&keys));
    for (i, keys) in [
        &[("a", H), ("b", H)][..],
        &[("a", H), ("b", R), ("c", R)],
        &[("a", H), ("b", H), ("c", R)],
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("tbl{i}");
        db.create_table(with_gsi(&name, keys)).expect("valid");
        let g = global_index(&db, &name, "gsi").expect("described");
        assert_eq!(g.key_schema, schema(keys), "{keys:?}");
    }
}

#[test]
fn create_table_refuses_bad_multi_attribute_key_schemas() {
    let db = DynamoDb::open_in_memory().expect("open");
    let five_hash: Vec<(String, KeyType)> = (0..5).map(|i| (format!("h{i}"), H)).collect();
    let five_range: Vec<(String, KeyType)> = std::iter::once(("h".to_string(), H))
        .chain((0..5).map(|i| (format!("r{i}"), R)))
        .collect();

    let cases: Vec<(Vec<(&str, KeyType)>, String)> = vec![
        (
            owned(&five_hash),
            format!(
                "{INVALID}The KeySchema exceeds the maximum allowed number of HASH key attributes"
            ),
        ),
        (
            owned(&five_range),
            format!(
                "{INVALID}The KeySchema exceeds the maximum allowed number of RANGE key attributes"
            ),
        ),
        (
            vec![("a", H), ("b", R), ("c", H)],
            format!(
                "{INVALID}All HASH key attributes must precede RANGE key attributes in the KeySchema"
            ),
        ),
        (
            vec![("a", R), ("b", H)],
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type".into(),
        ),
        (
            vec![("a", R), ("b", R)],
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type".into(),
        ),
        (
            vec![("a", H), ("a", H)],
            "The KeySchema contains multiple key attributes with the same name".into(),
        ),
        (
            vec![("a", H), ("b", H), ("a", R)],
            "The KeySchema contains multiple key attributes with the same name".into(),
        ),
        (
            // A HASH and a RANGE element of one name: the older message.
            vec![("a", H), ("a", R)],
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
                .into(),
        ),
    ];
    for (keys, want) in cases {
        let got = validation(db.create_table(with_gsi("bad", &keys)));
        assert_eq!(got, want, "{keys:?}");
    }
    // A key attribute without a definition.
    let mut input = with_gsi("bad", &[("a", H), ("b", H)]);
    input
        .attribute_definitions
        .retain(|d| d.attribute_name != "b");
    assert_eq!(
        validation(db.create_table(input)),
        format!("{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [b], AttributeDefinitions: [pk, a]")
    );
    // Duplicate definitions, whatever the types.
    let mut input = with_gsi("bad", &[("a", H), ("b", H)]);
    input.attribute_definitions.push(def("b", N));
    assert_eq!(
        validation(db.create_table(input)),
        "Attribute Name is duplicated: b"
    );
    assert!(db
        .list_tables(ListTablesInput::default())
        .expect("list")
        .table_names
        .is_empty());
}

#[test]
fn tables_and_local_indexes_keep_one_attribute_per_role() {
    let db = DynamoDb::open_in_memory().expect("open");
    let elements = "KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=l, keyType=RANGE)";
    let lsi_input = CreateTableInput {
        table_name: "tbl".into(),
        attribute_definitions: vec![def("pk", S), def("sk", S), def("l", S)],
        key_schema: vec![ks("pk", H), ks("sk", R)],
        billing_mode: Some(BillingMode::PayPerRequest),
        local_secondary_indexes: Some(vec![LocalSecondaryIndex {
            key_schema: schema(&[("pk", H), ("sk", R), ("l", R)]),
            ..lsi("byL", "l")
        }]),
        ..Default::default()
    };
    assert_eq!(
        validation(db.create_table(lsi_input)),
        format!("1 validation error detected: Value '[{elements}]' at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must have length less than or equal to 2")
    );
    let table_input = CreateTableInput {
        table_name: "tbl".into(),
        attribute_definitions: vec![def("pk", S), def("sk", S), def("l", S)],
        key_schema: schema(&[("pk", H), ("sk", R), ("l", R)]),
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    };
    assert_eq!(
        validation(db.create_table(table_input)),
        "1 validation error detected: Value '3' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2"
    );
    // A local index with two HASH attributes is not a multi-attribute key.
    let two_hash = CreateTableInput {
        table_name: "tbl".into(),
        attribute_definitions: vec![def("pk", S), def("sk", S), def("l", S)],
        key_schema: vec![ks("pk", H), ks("sk", R)],
        billing_mode: Some(BillingMode::PayPerRequest),
        local_secondary_indexes: Some(vec![LocalSecondaryIndex {
            key_schema: schema(&[("pk", H), ("l", H)]),
            ..lsi("byL", "l")
        }]),
        ..Default::default()
    };
    assert_eq!(
        validation(db.create_table(two_hash)),
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
    );
}

fn create_action(
    keys: &[(&str, KeyType)],
    types: &[(&str, siltdb::dynamo::ScalarAttributeType)],
) -> UpdateTableInput {
    UpdateTableInput {
        table_name: "tbl".into(),
        attribute_definitions: Some(types.iter().map(|(n, t)| def(n, *t)).collect()),
        global_secondary_index_updates: Some(vec![GlobalSecondaryIndexUpdate::Create(
            CreateGlobalSecondaryIndexAction {
                index_name: "gsi".into(),
                key_schema: schema(keys),
                projection: projection(ProjectionType::All, None),
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            },
        )]),
        ..Default::default()
    }
}

#[test]
fn update_table_validates_a_new_multi_attribute_index_the_same_way() {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "tbl", None);
    let five: Vec<String> = (0..5).map(|i| format!("a{i}")).collect();
    let five_keys: Vec<(&str, KeyType)> = five.iter().map(|n| (n.as_str(), H)).collect();
    let five_defs: Vec<(&str, siltdb::dynamo::ScalarAttributeType)> =
        five.iter().map(|n| (n.as_str(), S)).collect();
    assert_eq!(
        validation(db.update_table(create_action(&five_keys, &five_defs))),
        format!("{INVALID}The KeySchema exceeds the maximum allowed number of HASH key attributes")
    );
    assert_eq!(
        validation(db.update_table(create_action(&[("a", R), ("b", H)], &[("a", S), ("b", S)]))),
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    );
    assert_eq!(
        validation(db.update_table(create_action(
            &[("a", H), ("b", R), ("c", H)],
            &[("a", S), ("b", S), ("c", S)]
        ))),
        format!(
            "{INVALID}All HASH key attributes must precede RANGE key attributes in the KeySchema"
        )
    );
    // Valid: the new definitions join the table's, typed per attribute.
    let keys = [("a", H), ("b", H), ("c", R), ("d", R)];
    let out = db
        .update_table(create_action(
            &keys,
            &[("a", S), ("b", N), ("c", B), ("d", N)],
        ))
        .expect("2 + 2");
    let g = out
        .table_description
        .global_secondary_indexes
        .expect("indexes");
    assert_eq!(g[0].key_schema, schema(&keys));
    wait_active(&db, "tbl", "gsi");
    let meta = table_meta(&db, "tbl");
    let idx = meta.index("gsi").expect("index");
    let types: Vec<_> = idx.hash.iter().chain(&idx.range).map(|k| k.ty).collect();
    assert_eq!(types, [S, N, B, N]);
    let defs: Vec<_> = meta
        .attribute_definitions
        .iter()
        .map(|d| d.attribute_name.as_str())
        .collect();
    assert_eq!(defs, ["pk", "a", "b", "c", "d"]);
}
