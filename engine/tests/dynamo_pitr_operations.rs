//! Point-in-time recovery through the library API: DescribeContinuousBackups
//! before and after UpdateContinuousBackups, the restorable window moving
//! with the clock, RestoreTableToPointInTime's errors, a restore with its
//! indexes rebuilt and its RestoreSummary, and the setting and the clock
//! samples surviving a crash.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{item, n, open_mem, put, s};
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions, ManualClock};
use siltdb::fs::MemFs;

const T0: i64 = 1_733_000_000_000;
const DAY: i64 = 86_400_000;

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

fn create_source(db: &DynamoDb) {
    let def = |name: &str| AttributeDefinition {
        attribute_name: name.into(),
        attribute_type: ScalarAttributeType::S,
    };
    db.create_table(CreateTableInput {
        table_name: "Src".into(),
        attribute_definitions: vec![def("pk"), def("g")],
        key_schema: vec![KeySchemaElement {
            attribute_name: "pk".into(),
            key_type: KeyType::Hash,
        }],
        billing_mode: Some(BillingMode::PayPerRequest),
        global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
            index_name: "ByG".into(),
            key_schema: vec![KeySchemaElement {
                attribute_name: "g".into(),
                key_type: KeyType::Hash,
            }],
            projection: Projection {
                projection_type: Some(ProjectionType::All),
                non_key_attributes: None,
            },
            provisioned_throughput: None,
            on_demand_throughput: None,
            warm_throughput: None,
        }]),
        ..Default::default()
    })
    .expect("create Src");
}

fn enable(db: &DynamoDb, days: Option<i64>) -> ContinuousBackupsDescription {
    db.update_continuous_backups(UpdateContinuousBackupsInput {
        table_name: "Src".into(),
        point_in_time_recovery_specification: PointInTimeRecoverySpecification {
            point_in_time_recovery_enabled: true,
            recovery_period_in_days: days,
        },
    })
    .expect("enable")
    .continuous_backups_description
}

fn describe(db: &DynamoDb) -> PointInTimeRecoveryDescription {
    db.describe_continuous_backups(DescribeContinuousBackupsInput {
        table_name: "Src".into(),
    })
    .expect("describe")
    .continuous_backups_description
    .point_in_time_recovery_description
}

fn restore_at(
    db: &DynamoDb,
    target: &str,
    at_millis: i64,
) -> Result<TableDescription, DynamoError> {
    db.restore_table_to_point_in_time(RestoreTableToPointInTimeInput {
        source_table_name: Some("Src".into()),
        target_table_name: target.into(),
        restore_date_time: Some(at_millis as f64 / 1000.0),
        ..Default::default()
    })
    .map(|o| o.table_description)
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
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn count_g(db: &DynamoDb, table: &str, g: &str) -> i64 {
    db.query(QueryInput {
        table_name: table.into(),
        index_name: Some("ByG".into()),
        key_condition_expression: Some("g = :g".into()),
        expression_attribute_values: common::values(&[(":g", s(g))]),
        ..Default::default()
    })
    .expect("query")
    .count
}

#[test]
fn describe_shows_disabled_then_the_restorable_window() {
    let mem = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&mem, &clock);
    create_source(&db);
    let d = db
        .describe_continuous_backups(DescribeContinuousBackupsInput {
            table_name: "Src".into(),
        })
        .expect("describe")
        .continuous_backups_description;
    assert_eq!(d.continuous_backups_status, PitrStatus::Enabled);
    assert_eq!(
        d.point_in_time_recovery_description,
        PointInTimeRecoveryDescription::default()
    );
    let d = enable(&db, None).point_in_time_recovery_description;
    assert_eq!(d.point_in_time_recovery_status, PitrStatus::Enabled);
    assert_eq!(d.recovery_period_in_days, Some(35));
    assert_eq!(d.earliest_restorable_date_time, Some(T0 as f64 / 1000.0));
    assert_eq!(d.latest_restorable_date_time, Some(T0 as f64 / 1000.0));
    // Two days later with a one-day period: the window starts a day ago.
    clock.advance_millis(2 * DAY);
    enable(&db, Some(1));
    let d = describe(&db);
    assert_eq!(d.recovery_period_in_days, Some(1));
    assert_eq!(
        d.earliest_restorable_date_time,
        Some((T0 + DAY) as f64 / 1000.0)
    );
    assert_eq!(
        d.latest_restorable_date_time,
        Some((T0 + 2 * DAY) as f64 / 1000.0)
    );
    // Disabling drops the window.
    db.update_continuous_backups(UpdateContinuousBackupsInput {
        table_name: "Src".into(),
        point_in_time_recovery_specification: PointInTimeRecoverySpecification {
            point_in_time_recovery_enabled: false,
            recovery_period_in_days: None,
        },
    })
    .expect("disable");
    assert_eq!(describe(&db), PointInTimeRecoveryDescription::default());
    assert!(db.engine().history_ranges().is_empty());
}

#[test]
fn restore_errors_are_dynamodbs() {
    let mem = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&mem, &clock);
    create_source(&db);
    let name = |r: Result<TableDescription, DynamoError>| r.err().map(|e| e.name().to_string());
    assert_eq!(
        name(restore_at(&db, "New", T0)).as_deref(),
        Some("PointInTimeRecoveryUnavailableException")
    );
    enable(&db, Some(1));
    clock.advance_millis(5_000);
    assert_eq!(
        name(restore_at(&db, "New", T0 - 1_000)).as_deref(),
        Some("InvalidRestoreTimeException")
    );
    assert_eq!(
        name(restore_at(&db, "New", T0 + 60_000)).as_deref(),
        Some("InvalidRestoreTimeException")
    );
    assert_eq!(
        name(restore_at(&db, "Src", T0 + 1_000)).as_deref(),
        Some("TableAlreadyExistsException")
    );
    let missing = db.restore_table_to_point_in_time(RestoreTableToPointInTimeInput {
        source_table_name: Some("Nope".into()),
        target_table_name: "New".into(),
        use_latest_restorable_time: Some(true),
        ..Default::default()
    });
    assert_eq!(
        missing.err().map(|e| e.to_string()).as_deref(),
        Some("TableNotFoundException: Table not found: Nope")
    );
    let both = db.restore_table_to_point_in_time(RestoreTableToPointInTimeInput {
        source_table_name: Some("Src".into()),
        target_table_name: "New".into(),
        use_latest_restorable_time: Some(true),
        restore_date_time: Some(T0 as f64 / 1000.0),
        ..Default::default()
    });
    assert_eq!(
        both.err().map(|e| e.name().to_string()).as_deref(),
        Some("ValidationException")
    );
    let bad_period = db.update_continuous_backups(UpdateContinuousBackupsInput {
        table_name: "Src".into(),
        point_in_time_recovery_specification: PointInTimeRecoverySpecification {
            point_in_time_recovery_enabled: true,
            recovery_period_in_days: Some(36),
        },
    });
    assert!(
        matches!(&bad_period, Err(DynamoError::ValidationException(m)) if m.contains("less than or equal to 35")),
        "{bad_period:?}"
    );
    // After the recovery period has passed, the start is refused.
    clock.advance_millis(2 * DAY);
    assert_eq!(
        name(restore_at(&db, "New", T0 + 1_000)).as_deref(),
        Some("InvalidRestoreTimeException")
    );
}

#[test]
fn a_restore_rebuilds_indexes_and_survives_a_crash_of_the_source() {
    let mem = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open(&mem, &clock);
    create_source(&db);
    enable(&db, Some(2));
    for i in 0..30 {
        clock.advance_millis(100);
        put(
            &db,
            "Src",
            item(&[("pk", s(&format!("k{i}"))), ("g", s("a")), ("v", n(i))]),
        );
    }
    let middle = T0 + 30 * 100;
    clock.advance_millis(2_000);
    for i in 0..30 {
        clock.advance_millis(100);
        put(
            &db,
            "Src",
            item(&[("pk", s(&format!("k{i}"))), ("g", s("b")), ("v", n(i))]),
        );
    }
    db.engine().flush().expect("flush");
    db.engine().compact_range(None, None).expect("compact");
    // A crash keeps the setting, the samples and the history ranges.
    db.engine().sync_wal().expect("sync");
    mem.crash();
    drop(db);
    let db = open(&mem, &clock);
    clock.advance_millis(10_000);
    let out = restore_at(&db, "Old", middle).expect("restore");
    assert_eq!(out.table_status, TableStatus::Creating);
    let summary = out.restore_summary.expect("RestoreSummary");
    assert!(summary.restore_in_progress);
    assert_eq!(summary.source_backup_arn, None);
    assert_eq!(
        summary.source_table_arn.as_deref(),
        Some("arn:aws:dynamodb:ddblocal:000000000000:table/Src")
    );
    assert_eq!(summary.restore_date_time, middle as f64 / 1000.0);
    let t = wait_active(&db, "Old");
    assert_eq!(
        t.restore_summary.map(|r| r.restore_in_progress),
        Some(false)
    );
    assert_eq!(count_g(&db, "Old", "a"), 30);
    assert_eq!(count_g(&db, "Old", "b"), 0);
    db.restore_table_to_point_in_time(RestoreTableToPointInTimeInput {
        source_table_arn: Some("arn:aws:dynamodb:ddblocal:000000000000:table/Src".into()),
        target_table_name: "Latest".into(),
        use_latest_restorable_time: Some(true),
        ..Default::default()
    })
    .expect("restore latest");
    wait_active(&db, "Latest");
    assert_eq!(count_g(&db, "Latest", "b"), 30);
    // The restored table has no recovery of its own.
    let d = db
        .describe_continuous_backups(DescribeContinuousBackupsInput {
            table_name: "Old".into(),
        })
        .expect("describe Old")
        .continuous_backups_description;
    assert_eq!(
        d.point_in_time_recovery_description
            .point_in_time_recovery_status,
        PitrStatus::Disabled
    );
}
