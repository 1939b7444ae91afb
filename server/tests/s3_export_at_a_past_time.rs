//! ExportTableToPointInTime with an `ExportTime` in the past exports the
//! table as it was at the end of that second (read from the
//! point-in-time recovery history, as RestoreTableToPointInTime reads it),
//! not as it is; a time before `EarliestRestorableDateTime` or after now
//! is `InvalidExportTimeException`.

mod cli_support;
mod transfer_support;

use std::collections::BTreeMap;

use siltdb::dynamo::api::{
    DeleteItemInput, ExportStatus, ExportTableToPointInTimeInput, PutItemInput,
};
use siltdb::dynamo::{AttributeValue, Clock, DynamoDb, DynamoError, Item};

use cli_support::create_input;
use transfer_support::{export_lines, table_with_pitr, wait_export};

const T0: i64 = 1_733_000_000_000;

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

fn put(db: &DynamoDb, pk: &str, v: &str) {
    let mut item = key(pk);
    item.insert("v".into(), AttributeValue::S(v.into()));
    db.put_item(PutItemInput {
        table_name: "Music".into(),
        item,
        ..Default::default()
    })
    .expect("put");
}

/// `pk → v` of every line `{"Item": ...}` of an export.
fn exported(lines: &[serde_json::Value]) -> BTreeMap<String, String> {
    lines
        .iter()
        .map(|l| {
            let item = &l["Item"];
            (
                item["pk"]["S"].as_str().expect("pk").to_string(),
                item["v"]["S"].as_str().expect("v").to_string(),
            )
        })
        .collect()
}

#[test]
fn export_time_in_the_past_exports_that_second() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (clock, s3, db, t) = table_with_pitr(tmp.path(), T0, create_input("Music"));
    for i in 0..10 {
        put(&db, &format!("a{i}"), "old");
    }
    clock.advance_millis(2_000);
    let middle = clock.now_millis();
    clock.advance_millis(2_000);
    for i in 0..5 {
        put(&db, &format!("a{i}"), "new");
    }
    db.delete_item(DeleteItemInput {
        table_name: "Music".into(),
        key: key("a9"),
        ..Default::default()
    })
    .expect("delete");
    put(&db, "b0", "new");
    clock.advance_millis(2_000);

    let export = |time: Option<f64>, prefix: &str| {
        t.export_table_to_point_in_time(
            &db,
            ExportTableToPointInTimeInput {
                table_arn: db.table_arn("Music"),
                s3_bucket: "bucket".into(),
                s3_prefix: Some(prefix.into()),
                export_time: time,
                ..Default::default()
            },
        )
    };
    let past = export(Some(middle as f64 / 1000.0), "past")
        .expect("export of the past")
        .export_description;
    assert_eq!(past.export_time, Some(middle as f64 / 1000.0));
    let done = wait_export(&t, &db, &past.export_arn);
    assert_eq!(done.export_status, ExportStatus::Completed, "{done:?}");
    let (summary, lines) = export_lines(&s3, "bucket", &done.export_manifest.expect("manifest"));
    let want: BTreeMap<String, String> = (0..10)
        .map(|i| (format!("a{i}"), "old".to_string()))
        .collect();
    assert_eq!(exported(&lines), want);
    assert_eq!(done.item_count, Some(10));
    assert_eq!(summary["exportTime"], "2024-11-30T20:53:24.000Z");

    // Without ExportTime: the table as it is.
    let now = export(None, "now").expect("export now").export_description;
    let done = wait_export(&t, &db, &now.export_arn);
    let (_, lines) = export_lines(&s3, "bucket", &done.export_manifest.expect("manifest"));
    let mut want: BTreeMap<String, String> = (0..9)
        .map(|i| {
            (
                format!("a{i}"),
                if i < 5 { "new" } else { "old" }.to_string(),
            )
        })
        .collect();
    want.insert("b0".into(), "new".into());
    assert_eq!(exported(&lines), want);

    // Outside the window: before recovery was enabled, or after now.
    for time in [T0 - 1_000, clock.now_millis() + 60_000] {
        let refused = export(Some(time as f64 / 1000.0), "no").expect_err("outside the window");
        assert!(
            matches!(&refused, DynamoError::InvalidExportTimeException(m)
                if m.starts_with("The specified ExportTime is outside of the point in time recovery window")),
            "{refused:?}"
        );
    }
    assert!(!s3.join("bucket/no").exists(), "nothing written");
}
