//! On-demand backups through the library API: a backup is the table as of
//! CreateBackup while writes go on, survives DeleteTable and a reopen, lists
//! with filters and paging, restores (CREATING with a RestoreSummary, then
//! ACTIVE) with its indexes rebuilt and with overrides, and is deleted with
//! its files.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{get, item, n, open_mem, put, s};
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions, ManualClock};
use siltdb::fs::{Fs, MemFs};
use siltdb::Item;

const T0: i64 = 1_733_000_000_000;

fn def(name: &str) -> AttributeDefinition {
    AttributeDefinition {
        attribute_name: name.into(),
        attribute_type: ScalarAttributeType::S,
    }
}

fn ks(hash: &str, range: Option<&str>) -> Vec<KeySchemaElement> {
    let mut v = vec![KeySchemaElement {
        attribute_name: hash.into(),
        key_type: KeyType::Hash,
    }];
    if let Some(r) = range {
        v.push(KeySchemaElement {
            attribute_name: r.into(),
            key_type: KeyType::Range,
        });
    }
    v
}

fn all() -> Projection {
    Projection {
        projection_type: Some(ProjectionType::All),
        non_key_attributes: None,
    }
}

/// Table `Src`: pk/sk, a local index on `l`, a global index on `g`.
fn create_source(db: &DynamoDb) {
    db.create_table(CreateTableInput {
        table_name: "Src".into(),
        attribute_definitions: vec![def("pk"), def("sk"), def("l"), def("g")],
        key_schema: ks("pk", Some("sk")),
        billing_mode: Some(BillingMode::PayPerRequest),
        local_secondary_indexes: Some(vec![LocalSecondaryIndex {
            index_name: "ByL".into(),
            key_schema: ks("pk", Some("l")),
            projection: all(),
        }]),
        global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
            index_name: "ByG".into(),
            key_schema: ks("g", None),
            projection: all(),
            provisioned_throughput: None,
            on_demand_throughput: None,
            warm_throughput: None,
        }]),
        ..Default::default()
    })
    .expect("create Src");
}

fn row(i: u32, version: u32) -> Item {
    item(&[
        ("pk", s(&format!("p{}", i % 5))),
        ("sk", s(&format!("s{i:03}"))),
        ("l", s(&format!("l{}", i % 7))),
        ("g", s(&format!("g{}", i % 3))),
        ("v", n(version)),
    ])
}

fn open(mem: &MemFs, clock: &Arc<ManualClock>) -> DynamoDb {
    open_mem(
        mem,
        DynamoOptions {
            clock: clock.clone(),
            ttl_sweep_interval: None,
            ..DynamoOptions::default()
        },
    )
}

fn scan_all(db: &DynamoDb, table: &str, index: Option<&str>) -> BTreeMap<String, Item> {
    let mut out = BTreeMap::new();
    let mut start = None;
    loop {
        let page = db
            .scan(ScanInput {
                table_name: table.into(),
                index_name: index.map(str::to_string),
                exclusive_start_key: start.take(),
                ..Default::default()
            })
            .expect("scan");
        for it in page.items.unwrap_or_default() {
            out.insert(format!("{:?}{:?}", it.get("pk"), it.get("sk")), it);
        }
        match page.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return out,
        }
    }
}

fn query_g(db: &DynamoDb, table: &str, g: &str) -> usize {
    db.query(QueryInput {
        table_name: table.into(),
        index_name: Some("ByG".into()),
        key_condition_expression: Some("g = :g".into()),
        expression_attribute_values: common::values(&[(":g", s(g))]),
        ..Default::default()
    })
    .expect("query ByG")
    .count as usize
}

fn wait_active(db: &DynamoDb, table: &str) -> TableDescription {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = db
            .describe_table(DescribeTableInput {
                table_name: table.into(),
            })
            .expect("describe")
            .table;
        if t.table_status == TableStatus::Active {
            return t;
        }
        assert!(Instant::now() < deadline, "{table} never became ACTIVE");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn backup(db: &DynamoDb, table: &str, name: &str) -> BackupDetails {
    db.create_backup(CreateBackupInput {
        table_name: table.into(),
        backup_name: name.into(),
    })
    .expect("create backup")
    .backup_details
}

fn restore(db: &DynamoDb, arn: &str, target: &str) -> RestoreTableFromBackupInput {
    let _ = db;
    RestoreTableFromBackupInput {
        target_table_name: target.into(),
        backup_arn: arn.into(),
        ..Default::default()
    }
}

#[test]
fn a_backup_restores_the_table_as_it_was_with_its_indexes() {
    let mem = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&mem, &clock);
    create_source(&db);
    for i in 0..60 {
        put(&db, "Src", row(i, 1));
    }
    let before = scan_all(&db, "Src", None);
    let details = backup(&db, "Src", "first");
    assert_eq!(details.backup_status, BackupStatus::Available);
    assert_eq!(details.backup_type, BackupType::User);
    assert_eq!(details.backup_creation_date_time, T0 as f64 / 1000.0);
    assert!(details.backup_size_bytes.unwrap_or(0) > 0, "{details:?}");
    assert!(
        details
            .backup_arn
            .starts_with("arn:aws:dynamodb:ddblocal:000000000000:table/Src/backup/"),
        "{}",
        details.backup_arn
    );
    let desc = db
        .describe_backup(DescribeBackupInput {
            backup_arn: details.backup_arn.clone(),
        })
        .expect("describe backup")
        .backup_description;
    assert_eq!(desc.source_table_details.item_count, Some(60));
    assert_eq!(desc.source_table_details.table_name, "Src");
    let features = &desc.source_table_feature_details;
    assert_eq!(
        features.local_secondary_indexes.as_ref().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        features.global_secondary_indexes.as_ref().map(Vec::len),
        Some(1)
    );

    // Later writes and the table's deletion do not touch the backup.
    for i in 0..30 {
        put(&db, "Src", row(i, 2));
    }
    db.delete_table(DeleteTableInput {
        table_name: "Src".into(),
    })
    .expect("delete Src");

    let out = db
        .restore_table_from_backup(restore(&db, &details.backup_arn, "Copy"))
        .expect("restore")
        .table_description;
    assert_eq!(out.table_name, "Copy");
    let summary = out.restore_summary.expect("RestoreSummary");
    assert_eq!(
        summary.source_backup_arn.as_deref(),
        Some(details.backup_arn.as_str())
    );
    assert!(summary
        .source_table_arn
        .as_deref()
        .is_some_and(|a| a.ends_with(":table/Src")));
    let t = wait_active(&db, "Copy");
    assert_eq!(
        t.restore_summary.map(|r| r.restore_in_progress),
        Some(false)
    );
    assert_eq!(t.item_count, 60);
    let copied = scan_all(&db, "Copy", None);
    assert_eq!(
        copied.values().collect::<Vec<_>>(),
        before.values().collect::<Vec<_>>(),
        "the restored table is the source as of the backup"
    );
    // Indexes rebuilt: every item in the local and global index.
    assert_eq!(scan_all(&db, "Copy", Some("ByL")).len(), 60);
    assert_eq!(query_g(&db, "Copy", "g0"), 20);
    assert_eq!(query_g(&db, "Copy", "g1"), 20);
    // The restored table takes writes.
    put(&db, "Copy", row(999, 3));
    assert!(get(&db, "Copy", item(&[("pk", s("p4")), ("sk", s("s999"))])).is_some());

    // A restore to an existing name.
    match db.restore_table_from_backup(restore(&db, &details.backup_arn, "Copy")) {
        Err(DynamoError::TableAlreadyExistsException(m)) => {
            assert_eq!(m, "Table already exists: Copy")
        }
        other => panic!("expected TableAlreadyExistsException, got {other:?}"),
    }
}

#[test]
fn restore_overrides_indexes_and_billing() {
    let mem = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&mem, &clock);
    create_source(&db);
    for i in 0..20 {
        put(&db, "Src", row(i, 1));
    }
    let arn = backup(&db, "Src", "bak").backup_arn;
    let mut input = restore(&db, &arn, "NoGsi");
    input.overrides.global_secondary_index_override = Some(Vec::new());
    input.overrides.billing_mode_override = Some(BillingMode::Provisioned);
    input.overrides.provisioned_throughput_override = Some(ProvisionedThroughput {
        read_capacity_units: 7,
        write_capacity_units: 3,
    });
    db.restore_table_from_backup(input).expect("restore");
    let t = wait_active(&db, "NoGsi");
    assert!(t.global_secondary_indexes.is_none(), "{t:?}");
    assert_eq!(t.local_secondary_indexes.as_ref().map(Vec::len), Some(1));
    assert_eq!(t.provisioned_throughput.read_capacity_units, 7);
    assert_eq!(t.item_count, 20);
    assert!(
        !t.attribute_definitions
            .iter()
            .any(|d| d.attribute_name == "g"),
        "the dropped index's attribute is not defined: {:?}",
        t.attribute_definitions
    );
}

#[test]
fn backups_list_page_and_delete_and_survive_a_reopen() {
    let mem = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&mem, &clock);
    create_source(&db);
    common::create(&db, "Other", None);
    put(&db, "Src", row(1, 1));
    let mut arns = Vec::new();
    for k in 0..3 {
        clock.set_millis(T0 + k * 10_000);
        arns.push(backup(&db, "Src", &format!("src-{k}")).backup_arn);
    }
    clock.set_millis(T0 + 40_000);
    let other = backup(&db, "Other", "other").backup_arn;
    drop(db);

    let db = open(&mem, &clock);
    let list = |input: ListBackupsInput| db.list_backups(input).expect("list backups");
    let all = list(ListBackupsInput::default());
    let got: Vec<&str> = all
        .backup_summaries
        .iter()
        .map(|b| b.backup_arn.as_str())
        .collect();
    assert_eq!(
        got,
        [&arns[0], &arns[1], &arns[2], &other].map(String::as_str)
    );
    assert!(all.last_evaluated_backup_arn.is_none());

    let page = list(ListBackupsInput {
        limit: Some(2),
        ..Default::default()
    });
    assert_eq!(page.backup_summaries.len(), 2);
    assert_eq!(
        page.last_evaluated_backup_arn.as_deref(),
        Some(arns[1].as_str())
    );
    let rest = list(ListBackupsInput {
        exclusive_start_backup_arn: page.last_evaluated_backup_arn,
        ..Default::default()
    });
    assert_eq!(rest.backup_summaries.len(), 2);
    assert_eq!(rest.backup_summaries[0].backup_arn, arns[2]);

    let src = list(ListBackupsInput {
        table_name: Some("Src".into()),
        ..Default::default()
    });
    assert_eq!(src.backup_summaries.len(), 3);
    let window = list(ListBackupsInput {
        time_range_lower_bound: Some((T0 + 10_000) as f64 / 1000.0),
        time_range_upper_bound: Some((T0 + 40_000) as f64 / 1000.0),
        ..Default::default()
    });
    let names: Vec<&str> = window
        .backup_summaries
        .iter()
        .map(|b| b.backup_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["src-1", "src-2"],
        "lower bound inclusive, upper exclusive"
    );
    let system = list(ListBackupsInput {
        backup_type: Some(BackupTypeFilter::System),
        ..Default::default()
    });
    assert!(system.backup_summaries.is_empty());
    assert!(matches!(
        db.list_backups(ListBackupsInput {
            limit: Some(0),
            ..Default::default()
        }),
        Err(DynamoError::ValidationException(_))
    ));

    // DeleteBackup: DELETED, then gone, files and all.
    let id = arns[0].rsplit('/').next().expect("id").to_string();
    let dir = Path::new("/db/backups").join(&id);
    assert!(mem.exists(&dir));
    let deleted = db
        .delete_backup(DeleteBackupInput {
            backup_arn: arns[0].clone(),
        })
        .expect("delete backup")
        .backup_description;
    assert_eq!(deleted.backup_details.backup_status, BackupStatus::Deleted);
    assert!(!mem.exists(&dir), "the checkpoint is removed");
    for r in [
        db.describe_backup(DescribeBackupInput {
            backup_arn: arns[0].clone(),
        })
        .map(|_| ()),
        db.delete_backup(DeleteBackupInput {
            backup_arn: arns[0].clone(),
        })
        .map(|_| ()),
    ] {
        match r {
            Err(DynamoError::BackupNotFoundException(m)) => {
                assert_eq!(m, format!("Backup not found: {}", arns[0]))
            }
            other => panic!("expected BackupNotFoundException, got {other:?}"),
        }
    }
    // A backup of a missing table, and a bad name.
    match db.create_backup(CreateBackupInput {
        table_name: "Nope".into(),
        backup_name: "x-1".into(),
    }) {
        Err(DynamoError::TableNotFoundException(m)) => assert_eq!(m, "Table not found: Nope"),
        other => panic!("expected TableNotFoundException, got {other:?}"),
    }
    let m = common::validation(db.create_backup(CreateBackupInput {
        table_name: "Src".into(),
        backup_name: "a b".into(),
    }));
    assert!(m.contains("at 'backupName'"), "{m}");
}

#[test]
fn open_removes_backup_directories_no_record_names() {
    let mem = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&mem, &clock);
    common::create(&db, "Tab1", None);
    put(&db, "Tab1", item(&[("pk", s("a"))]));
    let kept = backup(&db, "Tab1", "kept").backup_arn;
    // What a crash between a checkpoint and its record leaves.
    db.engine()
        .checkpoint("/db/backups/1733000000001-00000001")
        .expect("checkpoint");
    drop(db);
    let db = open(&mem, &clock);
    assert!(!mem.exists(Path::new("/db/backups/1733000000001-00000001")));
    let kept_id = kept.rsplit('/').next().expect("id");
    assert!(mem.exists(&Path::new("/db/backups").join(kept_id)));
    db.restore_table_from_backup(restore(&db, &kept, "Tab2"))
        .expect("restore");
    wait_active(&db, "Tab2");
    assert!(get(&db, "Tab2", item(&[("pk", s("a"))])).is_some());
}
