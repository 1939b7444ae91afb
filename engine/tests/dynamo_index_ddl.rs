//! Secondary index definitions: CreateTable's LocalSecondaryIndexes and
//! GlobalSecondaryIndexes, UpdateTable's GlobalSecondaryIndexUpdates (with
//! DynamoDB's messages), DescribeTable's index views, and the catalog
//! keeping them across a reopen.

mod common;
#[path = "common/index_check.rs"]
mod index_check;

use std::sync::Arc;

use common::*;
use index_check::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType::{self, N, S};
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions};
use siltdb::fs::MemFs;
use siltdb::low_level::dynamo::{catalog, layout};
use siltdb::{Db, Options};

fn base(name: &str) -> CreateTableInput {
    CreateTableInput {
        table_name: name.into(),
        attribute_definitions: vec![def("pk", S), def("sk", S)],
        key_schema: vec![ks("pk", KeyType::Hash), ks("sk", KeyType::Range)],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    }
}

fn with_defs(mut i: CreateTableInput, extra: &[(&str, ScalarAttributeType)]) -> CreateTableInput {
    for (n, t) in extra {
        i.attribute_definitions.push(def(n, *t));
    }
    i
}

fn message(r: Result<CreateTableOutput, DynamoError>) -> String {
    validation(r)
}

const INVALID: &str = "One or more parameter values were invalid: ";

#[test]
fn create_table_index_rules_have_dynamodb_messages() {
    let db = DynamoDb::open_in_memory().expect("open");
    let cases: Vec<(CreateTableInput, String)> = vec![
        (
            CreateTableInput {
                local_secondary_indexes: Some(vec![lsi("byA", "a")]),
                key_schema: vec![ks("pk", KeyType::Hash)],
                attribute_definitions: vec![def("pk", S), def("a", S)],
                ..base("Tx1")
            },
            format!("{INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"),
        ),
        (
            with_defs(
                CreateTableInput {
                    local_secondary_indexes: Some(vec![LocalSecondaryIndex {
                        key_schema: vec![ks("a", KeyType::Hash), ks("sk", KeyType::Range)],
                        ..lsi("byA", "a")
                    }]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}Index KeySchema does not have the same leading hash key as table KeySchema for index: byA. index hash key: a, table hash key: pk"),
        ),
        (
            CreateTableInput {
                local_secondary_indexes: Some(vec![LocalSecondaryIndex {
                    key_schema: vec![ks("pk", KeyType::Hash)],
                    ..lsi("byA", "a")
                }]),
                ..base("Tx1")
            },
            format!("{INVALID}Index KeySchema does not have a range key for index: byA"),
        ),
        (
            CreateTableInput {
                local_secondary_indexes: Some(Vec::new()),
                ..base("Tx1")
            },
            format!("{INVALID}List of LocalSecondaryIndexes is empty"),
        ),
        (
            CreateTableInput {
                global_secondary_indexes: Some(Vec::new()),
                ..base("Tx1")
            },
            format!("{INVALID}List of GlobalSecondaryIndexes is empty"),
        ),
        (
            with_defs(
                CreateTableInput {
                    local_secondary_indexes: Some(
                        (0..6).map(|i| lsi(&format!("l{i}x"), "a")).collect(),
                    ),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}Number of LocalSecondaryIndexes exceeds per-table limit of 5"),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(
                        (0..21).map(|i| gsi(&format!("g{i}x"), "a", None)).collect(),
                    ),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20"),
        ),
        (
            with_defs(
                CreateTableInput {
                    local_secondary_indexes: Some(vec![lsi("dup", "a")]),
                    global_secondary_indexes: Some(vec![gsi("dup", "a", None)]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}Duplicate index name: dup"),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                        projection: Projection::default(),
                        ..gsi("g1x", "a", None)
                    }]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}Unknown ProjectionType: null"),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                        projection: projection(ProjectionType::Include, None),
                        ..gsi("g1x", "a", None)
                    }]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                        projection: projection(ProjectionType::All, Some(&["x"])),
                        ..gsi("g1x", "a", None)
                    }]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}ProjectionType is ALL, but NonKeyAttributes is specified"),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                        projection: projection(ProjectionType::Include, Some(&["x", "y", "x"])),
                        ..gsi("g1x", "a", None)
                    }]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}Duplicate element in NonKeyAttributes: x"),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(
                        (0..6)
                            .map(|i| {
                                let attrs: Vec<String> =
                                    (0..20).map(|j| format!("n{j}")).collect();
                                let refs: Vec<&str> = attrs.iter().map(String::as_str).collect();
                                GlobalSecondaryIndex {
                                    projection: projection(ProjectionType::Include, Some(&refs)),
                                    ..gsi(&format!("g{i}x"), "a", None)
                                }
                            })
                            .collect(),
                    ),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}Number of projected attributes in all indexes exceeds limit of 100"),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                        key_schema: vec![ks("a", KeyType::Range)],
                        ..gsi("g1x", "a", None)
                    }]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type".to_string(),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![gsi("g1x", "a", Some("a"))]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
                .to_string(),
        ),
        (
            // An unused definition with indexes names the lists; "keys used"
            // comes in DynamoDB's (hash set) order.
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![gsi("g1x", "a", None)]),
                    ..base("Tx1")
                },
                &[("a", S), ("extra", N)],
            ),
            format!("{INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [pk, sk, a, extra], keys used: [a, sk, pk]"),
        ),
        (
            // ... and masks every other index error.
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                        projection: Projection::default(),
                        ..gsi("g1x", "a", None)
                    }]),
                    ..base("Tx1")
                },
                &[("a", S), ("extra", N)],
            ),
            format!("{INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [pk, sk, a, extra], keys used: [a, sk, pk]"),
        ),
        (
            CreateTableInput {
                global_secondary_indexes: Some(vec![gsi("g1x", "a", None)]),
                ..base("Tx1")
            },
            format!("{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [pk, sk]"),
        ),
        (
            with_defs(base("Tx1"), &[("extra", N)]),
            format!("{INVALID}Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"),
        ),
        (
            with_defs(base("Tx1"), &[("pk", N)]),
            "Attribute Name is duplicated: pk".to_string(),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                        provisioned_throughput: Some(ProvisionedThroughput {
                            read_capacity_units: 1,
                            write_capacity_units: 1,
                        }),
                        ..gsi("g1x", "a", None)
                    }]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}ProvisionedThroughput should not be specified for index: g1x when BillingMode is PAY_PER_REQUEST"),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![gsi("g1x", "a", None)]),
                    billing_mode: None,
                    provisioned_throughput: Some(ProvisionedThroughput {
                        read_capacity_units: 1,
                        write_capacity_units: 1,
                    }),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            format!("{INVALID}ProvisionedThroughput is not specified for index: g1x"),
        ),
        (
            with_defs(
                CreateTableInput {
                    global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                        key_schema: vec![],
                        ..gsi("ab", "a", None)
                    }]),
                    ..base("Tx1")
                },
                &[("a", S)],
            ),
            "2 validation errors detected: Value 'ab' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value '[]' at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string(),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(message(db.create_table(input)), want);
    }
    // Nothing was created by the failures.
    assert!(db
        .list_tables(ListTablesInput::default())
        .expect("list")
        .table_names
        .is_empty());
}

/// A provisioned table `T` with a local index `byA` (INCLUDE x) and a global
/// index `byB` (KEYS_ONLY, 3/4 units).
fn indexed_table(db: &DynamoDb) -> TableDescription {
    db.create_table(CreateTableInput {
        table_name: "Tab".into(),
        attribute_definitions: vec![def("pk", S), def("sk", S), def("a", N), def("b", S)],
        key_schema: vec![ks("pk", KeyType::Hash), ks("sk", KeyType::Range)],
        provisioned_throughput: Some(ProvisionedThroughput {
            read_capacity_units: 1,
            write_capacity_units: 2,
        }),
        local_secondary_indexes: Some(vec![LocalSecondaryIndex {
            projection: projection(ProjectionType::Include, Some(&["x"])),
            ..lsi("byA", "a")
        }]),
        global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
            projection: projection(ProjectionType::KeysOnly, None),
            provisioned_throughput: Some(ProvisionedThroughput {
                read_capacity_units: 3,
                write_capacity_units: 4,
            }),
            ..gsi("byB", "b", None)
        }]),
        ..Default::default()
    })
    .expect("create")
    .table_description
}

#[test]
fn create_table_with_indexes_describes_them_active() {
    let db = DynamoDb::open_in_memory().expect("open");
    let d = indexed_table(&db);
    let l = &d.local_secondary_indexes.expect("locals")[0];
    assert_eq!(l.index_name, "byA");
    assert_eq!(
        l.key_schema,
        vec![ks("pk", KeyType::Hash), ks("a", KeyType::Range)]
    );
    assert_eq!(
        l.projection,
        projection(ProjectionType::Include, Some(&["x"]))
    );
    assert_eq!(l.index_arn, format!("{}/index/byA", d.table_arn));
    let g = &d.global_secondary_indexes.expect("globals")[0];
    assert_eq!(g.index_status, IndexStatus::Active);
    assert_eq!(g.backfilling, None);
    assert_eq!(g.provisioned_throughput.read_capacity_units, 3);
    assert_eq!(g.provisioned_throughput.write_capacity_units, 4);
    let meta = table_meta(&db, "Tab");
    assert_eq!(
        meta.indexes
            .iter()
            .map(|i| (i.name.as_str(), i.id))
            .collect::<Vec<_>>(),
        vec![("byA", 1), ("byB", 2)]
    );
    assert_eq!(meta.next_index_id, 3);
}

#[test]
fn describe_counts_each_index() {
    let db = DynamoDb::open_in_memory().expect("open");
    indexed_table(&db);
    for (sk, a, b) in [
        ("1", Some("5"), Some("x")),
        ("2", None, Some("y")),
        ("3", Some("6"), None),
    ] {
        let mut it = item(&[
            ("pk", s("p")),
            ("sk", s(sk)),
            ("x", s("xx")),
            ("y", s("yy")),
        ]);
        if let Some(a) = a {
            it.insert("a".into(), n(a));
        }
        if let Some(b) = b {
            it.insert("b".into(), s(b));
        }
        put(&db, "Tab", it);
    }
    let d = db
        .describe_table(DescribeTableInput {
            table_name: "Tab".into(),
        })
        .expect("describe")
        .table;
    assert_eq!(d.item_count, 3);
    let l = &d.local_secondary_indexes.expect("locals")[0];
    let g = &d.global_secondary_indexes.expect("globals")[0];
    assert_eq!((l.item_count, g.item_count), (2, 2));
    // byA holds pk, sk, a and x: "pk"+"p" + "sk"+"1" + "a"+N(1+1) + "x"+"xx"
    // = 3 + 3 + 3 + 3 = 12 bytes, plus 100 bytes of overhead, twice.
    assert_eq!(l.index_size_bytes, 2 * (12 + 100));
    // byB holds pk, sk and b: 3 + 3 + 2 = 8, plus 100, twice.
    assert_eq!(g.index_size_bytes, 2 * (8 + 100));
    assert_index_consistent(&db, "Tab", "byA");
    assert_index_consistent(&db, "Tab", "byB");
}

#[test]
fn update_table_index_rules_have_dynamodb_messages() {
    let db = DynamoDb::open_in_memory().expect("open");
    indexed_table(&db);
    let update = |u: Vec<GlobalSecondaryIndexUpdate>| UpdateTableInput {
        table_name: "Tab".into(),
        attribute_definitions: Some(vec![def("c", S)]),
        global_secondary_index_updates: Some(u),
        ..Default::default()
    };
    let create = |name: &str, attr: &str| {
        GlobalSecondaryIndexUpdate::Create(CreateGlobalSecondaryIndexAction {
            index_name: name.into(),
            key_schema: vec![ks(attr, KeyType::Hash)],
            projection: projection(ProjectionType::All, None),
            provisioned_throughput: Some(ProvisionedThroughput {
                read_capacity_units: 1,
                write_capacity_units: 1,
            }),
            on_demand_throughput: None,
            warm_throughput: None,
        })
    };
    let delete = |name: &str| {
        GlobalSecondaryIndexUpdate::Delete(DeleteGlobalSecondaryIndexAction {
            index_name: name.into(),
        })
    };
    let throughput = |name: &str, r: i64, w: i64| {
        GlobalSecondaryIndexUpdate::Update(UpdateGlobalSecondaryIndexAction {
            index_name: name.into(),
            provisioned_throughput: Some(ProvisionedThroughput {
                read_capacity_units: r,
                write_capacity_units: w,
            }),
            on_demand_throughput: None,
            warm_throughput: None,
        })
    };
    let limit = |r: Result<UpdateTableOutput, DynamoError>| match r {
        Err(DynamoError::LimitExceededException(m)) => m,
        other => panic!("expected LimitExceededException, got {other:?}"),
    };
    const ONE: &str = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table";

    assert_eq!(
        validation(db.update_table(UpdateTableInput {
            attribute_definitions: None,
            ..update(vec![create("byC", "c")])
        })),
        format!("{INVALID}AttributeDefinitions is not specified for index: byC")
    );
    assert_eq!(
        validation(db.update_table(update(vec![create("byB", "c")]))),
        "Attempting to create an index which already exists"
    );
    assert_eq!(
        validation(db.update_table(update(vec![create("byA", "c")]))),
        "Attempting to create an index which already exists"
    );
    assert_eq!(
        limit(db.update_table(update(vec![create("byC", "c"), create("byD", "c")]))),
        ONE
    );
    assert_eq!(
        limit(db.update_table(update(vec![create("byC", "c"), delete("byB")]))),
        ONE
    );
    assert_eq!(
        validation(db.update_table(update(vec![delete("byB"), create("byB", "c")]))),
        format!("{INVALID}Only one global secondary index update per index is allowed simultaneously. Index: byB")
    );
    match db.update_table(update(vec![delete("nope")])) {
        Err(DynamoError::ResourceNotFoundException(m)) => {
            assert_eq!(m, "Requested resource not found: Index nope for table Tab")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        validation(db.update_table(update(vec![delete("byA")]))),
        "Cannot delete an index that is not a GlobalSecondaryIndex: byA"
    );
    assert_eq!(
        validation(db.update_table(update(vec![throughput("byA", 1, 1)]))),
        "Cannot update an index that is not a GlobalSecondaryIndex: byA"
    );
    assert_eq!(
        validation(db.update_table(update(vec![create("byC", "zz")]))),
        format!("{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [zz], AttributeDefinitions: [c]")
    );
    assert_eq!(
        validation(db.update_table(update(vec![GlobalSecondaryIndexUpdate::Create(
            CreateGlobalSecondaryIndexAction {
                provisioned_throughput: None,
                ..match create("byC", "c") {
                    GlobalSecondaryIndexUpdate::Create(c) => c,
                    _ => unreachable!(),
                }
            }
        )]))),
        format!("{INVALID}Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: byC")
    );
    assert_eq!(
        validation(db.update_table(UpdateTableInput {
            provisioned_throughput: Some(ProvisionedThroughput {
                read_capacity_units: 9,
                write_capacity_units: 9,
            }),
            ..update(vec![create("byC", "c")])
        })),
        format!("{INVALID}You cannot create or delete index while updating table IOPS")
    );
    assert_eq!(
        validation(db.update_table(UpdateTableInput {
            deletion_protection_enabled: Some(true),
            ..update(vec![create("byC", "c")])
        })),
        format!(
            "{INVALID}DeletionProtection modification must be the only operation in the request"
        )
    );
    assert!(validation(db.update_table(update(vec![throughput("byB", 3, 4)])))
        .starts_with("The provisioned throughput for the index byB will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for index byB: 3. Requested ReadCapacityUnits: 3."));
    assert!(validation(db.update_table(UpdateTableInput {
        table_name: "Tab".into(),
        global_secondary_index_updates: Some(Vec::new()),
        ..Default::default()
    }))
    .starts_with("At least one of ProvisionedThroughput, BillingMode"));
    assert_eq!(
        validation(db.update_table(UpdateTableInput {
            table_name: "Tab".into(),
            global_secondary_index_updates: Some(Vec::new()),
            deletion_protection_enabled: Some(true),
            ..Default::default()
        })),
        format!("{INVALID}List of GlobalSecondaryIndexUpdates is empty")
    );
    assert_eq!(
        validation(db.update_table(UpdateTableInput {
            table_name: "Tab".into(),
            global_secondary_index_updates: Some(vec![create("a", "c")]),
            attribute_definitions: Some(vec![def("c", S)]),
            ..Default::default()
        })),
        "1 validation error detected: Value 'a' at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3"
    );
    // Nothing changed.
    let meta = table_meta(&db, "Tab");
    assert_eq!(meta.indexes.len(), 2);
    assert_eq!(meta.attribute_definitions.len(), 4);

    // An index throughput change.
    let d = db
        .update_table(update(vec![throughput("byB", 5, 6)]))
        .expect("update")
        .table_description;
    let g = &d.global_secondary_indexes.expect("globals")[0];
    assert_eq!(
        (
            g.provisioned_throughput.read_capacity_units,
            g.provisioned_throughput.write_capacity_units
        ),
        (5, 6)
    );
    // Switching to on-demand zeroes it; back to provisioned needs it again.
    db.update_table(UpdateTableInput {
        table_name: "Tab".into(),
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })
    .expect("to on-demand");
    assert_eq!(
        global_index(&db, "Tab", "byB")
            .expect("byB")
            .provisioned_throughput
            .read_capacity_units,
        0
    );
    assert_eq!(
        validation(db.update_table(update(vec![throughput("byB", 1, 1)]))),
        format!("{INVALID}The only Updates for index: byB when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput")
    );
    let to_provisioned = |u: Vec<GlobalSecondaryIndexUpdate>| UpdateTableInput {
        table_name: "Tab".into(),
        billing_mode: Some(BillingMode::Provisioned),
        provisioned_throughput: Some(ProvisionedThroughput {
            read_capacity_units: 1,
            write_capacity_units: 1,
        }),
        global_secondary_index_updates: (!u.is_empty()).then_some(u),
        ..Default::default()
    };
    assert_eq!(
        validation(db.update_table(to_provisioned(vec![]))),
        format!("{INVALID}ProvisionedThroughput must be specified for index: byB")
    );
    db.update_table(to_provisioned(vec![throughput("byB", 7, 8)]))
        .expect("to provisioned");
    assert_eq!(
        global_index(&db, "Tab", "byB")
            .expect("byB")
            .provisioned_throughput
            .write_capacity_units,
        8
    );
}

#[test]
fn the_twenty_first_global_index_is_a_limit() {
    let db = DynamoDb::open_in_memory().expect("open");
    db.create_table(with_defs(
        CreateTableInput {
            global_secondary_indexes: Some(
                (0..20)
                    .map(|i| gsi(&format!("g{i:02}"), "a", None))
                    .collect(),
            ),
            ..base("Tab")
        },
        &[("a", S)],
    ))
    .expect("20 indexes");
    match db.update_table(create_gsi("Tab", "g20", "c")) {
        Err(DynamoError::LimitExceededException(m)) => assert_eq!(
            m,
            "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of 20"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn create_then_delete_a_global_index() {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "Tab", Some(("sk", S)));
    for i in 0..50 {
        let mut it = item(&[("pk", s(&format!("p{}", i % 7))), ("sk", s(&i.to_string()))]);
        if i % 3 != 0 {
            it.insert("c".into(), s(&format!("c{}", i % 5)));
        }
        put(&db, "Tab", it);
    }
    let d = db
        .update_table(create_gsi("Tab", "byC", "c"))
        .expect("create index")
        .table_description;
    // The response: table UPDATING, the index CREATING, not yet backfilling.
    assert_eq!(d.table_status, TableStatus::Updating);
    let g = &d.global_secondary_indexes.expect("globals")[0];
    assert_eq!(g.index_status, IndexStatus::Creating);
    assert_eq!(g.backfilling, Some(false));
    assert!(d
        .attribute_definitions
        .iter()
        .any(|a| a.attribute_name == "c"));
    wait_active(&db, "Tab", "byC");
    assert_eq!(assert_index_consistent(&db, "Tab", "byC"), 33);
    let g = global_index(&db, "Tab", "byC").expect("byC");
    assert_eq!(g.item_count, 33);

    // Writes keep it up to date.
    put(
        &db,
        "Tab",
        item(&[("pk", s("p0")), ("sk", s("0")), ("c", s("new"))]),
    );
    db.delete_item(DeleteItemInput {
        table_name: "Tab".into(),
        key: item(&[("pk", s("p1")), ("sk", s("1"))]),
        ..Default::default()
    })
    .expect("delete");
    assert_eq!(assert_index_consistent(&db, "Tab", "byC"), 33);

    let meta = table_meta(&db, "Tab");
    let id = meta.index("byC").expect("byC").id;
    let prefix = layout::range_prefix(meta.id, id);
    assert!(!raw_range(&db, &prefix).is_empty());
    let d = db
        .update_table(delete_gsi("Tab", "byC"))
        .expect("delete index")
        .table_description;
    assert_eq!(d.table_status, TableStatus::Updating);
    let g = &d.global_secondary_indexes.expect("the deleted index")[0];
    assert_eq!(g.index_status, IndexStatus::Deleting);
    // Gone from DescribeTable at once; its attribute definition pruned.
    let d = db
        .describe_table(DescribeTableInput {
            table_name: "Tab".into(),
        })
        .expect("describe")
        .table;
    assert_eq!(d.global_secondary_indexes, None);
    assert!(!d
        .attribute_definitions
        .iter()
        .any(|a| a.attribute_name == "c"));
    // Its range is reclaimed, then the retired record goes.
    wait_empty(&db, &prefix);
    wait_empty(&db, &catalog::retired_index_key(meta.id, id));
    // Writes no longer touch it.
    put(
        &db,
        "Tab",
        item(&[("pk", s("p9")), ("sk", s("x")), ("c", s("z"))]),
    );
    assert!(raw_range(&db, &prefix).is_empty());
    // The name can be used again; the id is new.
    db.update_table(create_gsi("Tab", "byC", "c"))
        .expect("create again");
    wait_active(&db, "Tab", "byC");
    assert_eq!(table_meta(&db, "Tab").index("byC").expect("byC").id, id + 1);
    assert_index_consistent(&db, "Tab", "byC");
}

#[test]
fn indexes_survive_reopen() {
    let mem = MemFs::new();
    let open = |mem: &MemFs| {
        DynamoDb::with_db(
            Db::open(
                "/db",
                Options {
                    fs: Arc::new(mem.clone()),
                    ..Options::default()
                },
            )
            .expect("open"),
            DynamoOptions::default(),
        )
        .expect("dynamo")
    };
    let db = open(&mem);
    indexed_table(&db);
    for i in 0..20 {
        put(
            &db,
            "Tab",
            item(&[
                ("pk", s("p")),
                ("sk", s(&i.to_string())),
                ("a", n(i.to_string())),
                ("b", s(&format!("b{}", i % 3))),
                ("x", s("xx")),
            ]),
        );
    }
    db.update_table(with_throughput(create_gsi("Tab", "byC", "c"), 1, 1))
        .expect("add");
    wait_active(&db, "Tab", "byC");
    let before = db
        .describe_table(DescribeTableInput {
            table_name: "Tab".into(),
        })
        .expect("describe")
        .table;
    db.close().expect("close");
    drop(db);
    let db = open(&mem);
    let after = db
        .describe_table(DescribeTableInput {
            table_name: "Tab".into(),
        })
        .expect("describe")
        .table;
    assert_eq!(before, after);
    assert_eq!(after.global_secondary_indexes.map(|g| g.len()), Some(2));
    assert_eq!(assert_index_consistent(&db, "Tab", "byA"), 20);
    assert_eq!(assert_index_consistent(&db, "Tab", "byB"), 20);
    assert_eq!(assert_index_consistent(&db, "Tab", "byC"), 0);
    // Still maintained after the reopen.
    put(
        &db,
        "Tab",
        item(&[("pk", s("q")), ("sk", s("1")), ("a", n("1")), ("c", s("c"))]),
    );
    assert_eq!(assert_index_consistent(&db, "Tab", "byA"), 21);
    assert_eq!(assert_index_consistent(&db, "Tab", "byC"), 1);
}
