//! INCREMENTAL_EXPORT writes, for each item whose state changed from
//! ExportFromTime (inclusive) to ExportToTime (exclusive), one line with
//! its `Keys`, its `NewImage` (none when deleted), its `OldImage`
//! (NEW_AND_OLD_IMAGES, when it existed before) and
//! `Metadata.WriteTimestampMicros`; items written and then restored or
//! deleted within the period, and writes outside it, are not exported.
//! The summary says INCREMENTAL_EXPORT with the period and view. Periods
//! shorter than 15 minutes or longer than 24 hours are refused, as are
//! times outside the recovery window and tables without recovery.

mod cli_support;
mod transfer_support;

use std::collections::BTreeMap;
use std::sync::Arc;

use siltdb::dynamo::api::{
    DeleteItemInput, ExportStatus, ExportTableToPointInTimeInput, ExportType, ExportViewType,
    IncrementalExportSpecification, PutItemInput,
};
use siltdb::dynamo::{AttributeValue, Clock, DynamoDb, DynamoError, Item, ManualClock};

use cli_support::create_input;
use transfer_support::{enable_pitr, export_lines, open_with_clock, wait_export};

const T0: i64 = 1_733_000_000_000;
const MINUTE: i64 = 60_000;

fn key(pk: &str) -> Item {
    [
        ("pk".to_string(), AttributeValue::S(pk.to_string())),
        (
            "sk".to_string(),
            AttributeValue::N("1".parse().expect("number")),
        ),
    ]
    .into()
}

fn put(db: &DynamoDb, table: &str, pk: &str, v: &str) {
    let mut item = key(pk);
    item.insert("v".into(), AttributeValue::S(v.into()));
    db.put_item(PutItemInput {
        table_name: table.into(),
        item,
        ..Default::default()
    })
    .expect("put");
}

fn delete(db: &DynamoDb, pk: &str) {
    db.delete_item(DeleteItemInput {
        table_name: "Music".into(),
        key: key(pk),
        ..Default::default()
    })
    .expect("delete");
}

fn request(
    db: &DynamoDb,
    table: &str,
    from: i64,
    to: Option<i64>,
    view: Option<ExportViewType>,
    prefix: &str,
) -> ExportTableToPointInTimeInput {
    ExportTableToPointInTimeInput {
        table_arn: db.table_arn(table),
        s3_bucket: "bucket".into(),
        s3_prefix: Some(prefix.into()),
        export_type: Some(ExportType::IncrementalExport),
        incremental_export_specification: Some(IncrementalExportSpecification {
            export_from_time: Some(from as f64 / 1000.0),
            export_to_time: to.map(|t| t as f64 / 1000.0),
            export_view_type: view,
        }),
        ..Default::default()
    }
}

/// Each line by its key: which members it has, and its images' `v`.
fn by_key(lines: &[serde_json::Value]) -> BTreeMap<String, (Vec<String>, String, String)> {
    lines
        .iter()
        .map(|l| {
            let members: Vec<String> = l.as_object().expect("object").keys().cloned().collect();
            let v = |image: &str| l[image]["v"]["S"].as_str().unwrap_or("-").to_string();
            let keys = &l["Keys"];
            assert_eq!(keys["sk"]["N"], "1", "{l}");
            assert_eq!(keys.as_object().map(|k| k.len()), Some(2), "{l}");
            (
                keys["pk"]["S"].as_str().expect("pk").to_string(),
                (members, v("NewImage"), v("OldImage")),
            )
        })
        .collect()
}

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}

#[test]
fn incremental_export_writes_the_changes_of_the_period() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::new(T0));
    let s3 = tmp.path().join("s3");
    let (db, t) = open_with_clock(&tmp.path().join("data"), &s3, &clock);
    std::fs::create_dir_all(s3.join("bucket")).expect("bucket");
    db.create_table(create_input("Music")).expect("create");
    db.create_table(create_input("Plain")).expect("create");
    enable_pitr(&db, "Music");
    clock.advance_millis(2_000);
    for i in 0..6 {
        put(&db, "Music", &format!("a{i}"), "v1");
    }
    clock.advance_millis(10_000);
    let from = clock.now_millis();
    clock.advance_millis(1_000);
    put(&db, "Music", "a0", "v2");
    delete(&db, "a1");
    put(&db, "Music", "b0", "v1");
    put(&db, "Music", "b1", "v1");
    delete(&db, "b1");
    put(&db, "Music", "a2", "v9");
    clock.advance_millis(MINUTE);
    put(&db, "Music", "a2", "v1");
    clock.advance_millis(20 * MINUTE);
    let to = clock.now_millis();
    clock.advance_millis(1_000);
    put(&db, "Music", "a3", "late");
    clock.advance_millis(1_000);

    let started = t
        .export_table_to_point_in_time(&db, request(&db, "Music", from, Some(to), None, "both"))
        .expect("incremental export")
        .export_description;
    assert_eq!(started.export_type, Some(ExportType::IncrementalExport));
    assert_eq!(started.export_time, None);
    assert_eq!(
        started.incremental_export_specification,
        Some(IncrementalExportSpecification {
            export_from_time: Some(from as f64 / 1000.0),
            export_to_time: Some(to as f64 / 1000.0),
            export_view_type: Some(ExportViewType::NewAndOldImages),
        })
    );
    let done = wait_export(&t, &db, &started.export_arn);
    assert_eq!(done.export_status, ExportStatus::Completed, "{done:?}");
    assert_eq!(done.item_count, Some(3));
    let (summary, lines) = export_lines(&s3, "bucket", &done.export_manifest.expect("manifest"));
    assert_eq!(summary["exportType"], "INCREMENTAL_EXPORT");
    assert_eq!(summary["outputView"], "NEW_AND_OLD_IMAGES");
    assert_eq!(summary["version"], "2023-08-01");
    assert_eq!(summary["exportFromTime"], "2024-11-30T20:53:32.000Z");
    assert_eq!(summary["exportToTime"], "2024-11-30T21:14:33.000Z");
    assert_eq!(summary["itemCount"], 3);
    for l in &lines {
        assert_eq!(
            l["Metadata"]["WriteTimestampMicros"]["N"],
            (to * 1000 - 1).to_string()
        );
    }
    let want: BTreeMap<String, (Vec<String>, String, String)> = [
        (
            "a0",
            (
                names(&["Keys", "Metadata", "NewImage", "OldImage"]),
                "v2",
                "v1",
            ),
        ),
        ("a1", (names(&["Keys", "Metadata", "OldImage"]), "-", "v1")),
        ("b0", (names(&["Keys", "Metadata", "NewImage"]), "v1", "-")),
    ]
    .into_iter()
    .map(|(k, (m, n, o))| (k.to_string(), (m, n.to_string(), o.to_string())))
    .collect();
    assert_eq!(by_key(&lines), want);

    // NEW_IMAGE, to now: no old images, and the late write is in.
    let started = t
        .export_table_to_point_in_time(
            &db,
            request(
                &db,
                "Music",
                from,
                None,
                Some(ExportViewType::NewImage),
                "new",
            ),
        )
        .expect("incremental export")
        .export_description;
    let done = wait_export(&t, &db, &started.export_arn);
    let (summary, lines) = export_lines(&s3, "bucket", &done.export_manifest.expect("manifest"));
    assert_eq!(summary["outputView"], "NEW_IMAGE");
    let got = by_key(&lines);
    assert_eq!(
        got.keys().cloned().collect::<Vec<_>>(),
        names(&["a0", "a1", "a3", "b0"])
    );
    assert_eq!(
        got["a1"],
        (names(&["Keys", "Metadata"]), "-".into(), "-".into())
    );
    assert_eq!(
        got["a3"],
        (
            names(&["Keys", "Metadata", "NewImage"]),
            "late".into(),
            "-".into()
        )
    );

    // Refusals: nothing is started for any of them.
    let now = clock.now_millis();
    let refusals = [
        // Periods: too short, too long, reversed.
        (
            request(&db, "Music", now - 14 * MINUTE, Some(now), None, "x"),
            "ValidationException",
        ),
        (
            request(
                &db,
                "Music",
                now - 25 * 60 * MINUTE,
                Some(now - MINUTE),
                None,
                "x",
            ),
            "ValidationException",
        ),
        (
            request(&db, "Music", now, Some(now - 20 * MINUTE), None, "x"),
            "ValidationException",
        ),
        // Before recovery was enabled.
        (
            request(&db, "Music", T0 - 20 * MINUTE, Some(T0 + 1_000), None, "x"),
            "InvalidExportTimeException",
        ),
        // After now.
        (
            request(
                &db,
                "Music",
                now - MINUTE,
                Some(now + 20 * MINUTE),
                None,
                "x",
            ),
            "InvalidExportTimeException",
        ),
        (
            request(&db, "Plain", now - 20 * MINUTE, Some(now), None, "x"),
            "PointInTimeRecoveryUnavailableException",
        ),
    ];
    for (input, code) in refusals {
        let e: DynamoError = t
            .export_table_to_point_in_time(&db, input.clone())
            .expect_err("refused");
        assert_eq!(e.name(), code, "{input:?}: {e:?}");
    }
    assert!(!s3.join("bucket/x").exists());
}
