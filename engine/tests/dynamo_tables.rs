//! Control plane: CreateTable, DescribeTable, ListTables, UpdateTable,
//! DeleteTable — validation, persistence across reopen, id retirement.

mod common;

use std::sync::Arc;

use common::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions, ManualClock};
use siltdb::fs::MemFs;
use siltdb::{Db, Options};

fn input(name: &str) -> CreateTableInput {
    CreateTableInput {
        table_name: name.into(),
        attribute_definitions: vec![AttributeDefinition {
            attribute_name: "pk".into(),
            attribute_type: ScalarAttributeType::S,
        }],
        key_schema: vec![KeySchemaElement {
            attribute_name: "pk".into(),
            key_type: KeyType::Hash,
        }],
        provisioned_throughput: Some(ProvisionedThroughput {
            read_capacity_units: 5,
            write_capacity_units: 5,
        }),
        ..Default::default()
    }
}

#[test]
fn create_describe_list_delete() {
    let clock = Arc::new(ManualClock::new(1_700_000_000_500));
    let db = DynamoDb::with_db(
        Db::open(
            "/d",
            Options {
                fs: Arc::new(MemFs::new()),
                ..Options::default()
            },
        )
        .expect("open"),
        DynamoOptions {
            clock: clock.clone(),
            ..Default::default()
        },
    )
    .expect("dynamo");
    let created = db
        .create_table(input("Music"))
        .expect("create")
        .table_description;
    // CreateTable answers CREATING, as DynamoDB does; DescribeTable ACTIVE.
    assert_eq!(created.table_status, TableStatus::Creating);
    assert_eq!(
        created.table_arn,
        "arn:aws:dynamodb:ddblocal:000000000000:table/Music"
    );
    assert_eq!(created.creation_date_time, 1_700_000_000.5);
    assert_eq!(created.provisioned_throughput.read_capacity_units, 5);
    assert!(created.billing_mode_summary.is_none());
    assert_eq!(
        db.create_table(input("Music")).err(),
        Some(DynamoError::ResourceInUseException(
            "Table already exists: Music".into()
        ))
    );
    put(&db, "Music", item(&[("pk", s("a")), ("x", s("hello"))]));
    put(&db, "Music", item(&[("pk", s("b"))]));
    let d = db
        .describe_table(DescribeTableInput {
            table_name: "Music".into(),
        })
        .expect("describe")
        .table;
    assert_eq!(d.item_count, 2);
    assert_eq!(d.table_size_bytes, (2 + 1 + 1 + 5) + (2 + 1));
    // A table ARN names the table too.
    assert!(db
        .describe_table(DescribeTableInput {
            table_name: created.table_arn.clone()
        })
        .is_ok());
    for name in ["b-table", "a.table", "c_table"] {
        db.create_table(input(name)).expect("create");
    }
    let page = db
        .list_tables(ListTablesInput {
            limit: Some(2),
            ..Default::default()
        })
        .expect("list");
    assert_eq!(page.table_names, vec!["Music", "a.table"]);
    assert_eq!(page.last_evaluated_table_name.as_deref(), Some("a.table"));
    let rest = db
        .list_tables(ListTablesInput {
            exclusive_start_table_name: page.last_evaluated_table_name,
            ..Default::default()
        })
        .expect("list");
    assert_eq!(rest.table_names, vec!["b-table", "c_table"]);
    assert_eq!(rest.last_evaluated_table_name, None);
    let deleted = db
        .delete_table(DeleteTableInput {
            table_name: "Music".into(),
        })
        .expect("delete")
        .table_description;
    assert_eq!(deleted.table_status, TableStatus::Deleting);
    assert_eq!(deleted.item_count, 2);
    assert!(matches!(
        db.describe_table(DescribeTableInput {
            table_name: "Music".into()
        }),
        Err(DynamoError::ResourceNotFoundException(_))
    ));
    assert!(matches!(
        db.put_item(PutItemInput {
            table_name: "Music".into(),
            item: item(&[("pk", s("a"))]),
            ..Default::default()
        }),
        Err(DynamoError::ResourceNotFoundException(_))
    ));
    // A new table of the same name starts empty: the old items are not reachable.
    db.create_table(input("Music")).expect("recreate");
    assert_eq!(get(&db, "Music", item(&[("pk", s("a"))])), None);
}

#[test]
fn create_table_validation_messages() {
    let db = DynamoDb::open_in_memory().expect("open");
    assert_eq!(
        validation(db.create_table(input("ab"))),
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
    );
    assert!(validation(db.create_table(input("bad name!"))).contains("regular expression pattern"));
    let mut no_def = input("tab1");
    no_def.attribute_definitions[0].attribute_name = "other".into();
    assert_eq!(
        validation(db.create_table(no_def)),
        "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [other]"
    );
    let mut extra = input("tab2");
    extra.attribute_definitions.push(AttributeDefinition {
        attribute_name: "x".into(),
        attribute_type: ScalarAttributeType::N,
    });
    assert!(validation(db.create_table(extra))
        .contains("Number of attributes in KeySchema does not exactly match"));
    let mut range_first = input("tab3");
    range_first.key_schema[0].key_type = KeyType::Range;
    assert_eq!(
        validation(db.create_table(range_first)),
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    );
    let mut no_throughput = input("tab4");
    no_throughput.provisioned_throughput = None;
    assert!(validation(db.create_table(no_throughput))
        .contains("must both be specified when BillingMode is PROVISIONED"));
    let mut ppr_with = input("tab5");
    ppr_with.billing_mode = Some(BillingMode::PayPerRequest);
    assert!(validation(db.create_table(ppr_with)).contains("PAY_PER_REQUEST"));
    assert!(db
        .list_tables(ListTablesInput::default())
        .expect("list")
        .table_names
        .is_empty());
}

#[test]
fn update_table_billing_and_throughput() {
    let db = DynamoDb::open_in_memory().expect("open");
    db.create_table(input("tbl")).expect("create");
    let same = db.update_table(UpdateTableInput {
        table_name: "tbl".into(),
        provisioned_throughput: Some(ProvisionedThroughput {
            read_capacity_units: 5,
            write_capacity_units: 5,
        }),
        ..Default::default()
    });
    assert!(
        validation(same).starts_with("The provisioned throughput for the table will not change")
    );
    let up = db
        .update_table(UpdateTableInput {
            table_name: "tbl".into(),
            provisioned_throughput: Some(ProvisionedThroughput {
                read_capacity_units: 10,
                write_capacity_units: 5,
            }),
            ..Default::default()
        })
        .expect("update")
        .table_description;
    assert_eq!(up.provisioned_throughput.read_capacity_units, 10);
    assert!(up.provisioned_throughput.last_increase_date_time.is_some());
    let ppr = db
        .update_table(UpdateTableInput {
            table_name: "tbl".into(),
            billing_mode: Some(BillingMode::PayPerRequest),
            ..Default::default()
        })
        .expect("update")
        .table_description;
    assert_eq!(
        ppr.billing_mode_summary.map(|b| b.billing_mode),
        Some(BillingMode::PayPerRequest)
    );
    assert_eq!(ppr.provisioned_throughput.read_capacity_units, 0);
    assert!(validation(db.update_table(UpdateTableInput {
        table_name: "tbl".into(),
        ..Default::default()
    }))
    .starts_with("At least one of"));
    let protect = db.update_table(UpdateTableInput {
        table_name: "tbl".into(),
        deletion_protection_enabled: Some(true),
        ..Default::default()
    });
    assert!(protect.is_ok());
    assert!(validation(db.delete_table(DeleteTableInput {
        table_name: "tbl".into()
    }))
    .contains("protected against deletion"));
}

#[test]
fn catalog_survives_reopen_and_ids_are_never_reused() {
    let fs = Arc::new(MemFs::new());
    let open = || {
        DynamoDb::with_db(
            Db::open(
                "/d",
                Options {
                    fs: fs.clone(),
                    ..Options::default()
                },
            )
            .expect("open"),
            DynamoOptions::default(),
        )
        .expect("dynamo")
    };
    {
        let db = open();
        create(&db, "aaa", Some(("sk", ScalarAttributeType::N)));
        put(
            &db,
            "aaa",
            item(&[("pk", s("k")), ("sk", n("1")), ("v", s("old"))]),
        );
        db.delete_table(DeleteTableInput {
            table_name: "aaa".into(),
        })
        .expect("delete");
        create(&db, "bbb", None);
        put(&db, "bbb", item(&[("pk", s("k")), ("v", s("b"))]));
        db.close().expect("close");
    }
    let db = open();
    let names = db
        .list_tables(ListTablesInput::default())
        .expect("list")
        .table_names;
    assert_eq!(names, vec!["bbb"]);
    assert_eq!(
        get(&db, "bbb", item(&[("pk", s("k"))])),
        Some(item(&[("pk", s("k")), ("v", s("b"))]))
    );
    // "a" again gets a fresh id: the deleted table's item never reappears.
    create(&db, "aaa", Some(("sk", ScalarAttributeType::N)));
    assert_eq!(
        get(&db, "aaa", item(&[("pk", s("k")), ("sk", n("1"))])),
        None
    );
    let d = db
        .describe_table(DescribeTableInput {
            table_name: "aaa".into(),
        })
        .expect("describe")
        .table;
    assert_eq!(d.item_count, 0);
    assert_eq!(d.key_schema.len(), 2);
}
