//! ExportTableToPointInTime requires point-in-time recovery on the table,
//! as DynamoDB does: without it the request is refused with
//! `PointInTimeRecoveryUnavailableException` and nothing is written; once
//! enabled, the same request exports.

mod cli_support;
mod transfer_support;

use siltdb::dynamo::api::{ExportStatus, ExportTableToPointInTimeInput, PutItemInput};
use siltdb::dynamo::DynamoError;

use cli_support::{create_input, rich_item};
use transfer_support::{enable_pitr, open, wait_export};

#[test]
fn export_without_pitr_is_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (db, t) = open(&tmp.path().join("data"), &tmp.path().join("s3"));
    std::fs::create_dir_all(tmp.path().join("s3/bucket")).expect("bucket");
    db.create_table(create_input("Music")).expect("create");
    db.put_item(PutItemInput {
        table_name: "Music".into(),
        item: rich_item(1),
        ..Default::default()
    })
    .expect("put");
    let request = ExportTableToPointInTimeInput {
        table_arn: db.table_arn("Music"),
        s3_bucket: "bucket".into(),
        ..Default::default()
    };
    let refused = t
        .export_table_to_point_in_time(&db, request.clone())
        .expect_err("refused without point-in-time recovery");
    assert!(
        matches!(
            &refused,
            DynamoError::PointInTimeRecoveryUnavailableException(m)
                if m == "Point in time recovery has not yet been enabled for this source table."
        ),
        "{refused:?}"
    );
    assert!(
        !tmp.path().join("s3/bucket/AWSDynamoDB").exists(),
        "nothing written"
    );
    let listed = t
        .list_exports(&db, Default::default())
        .expect("list")
        .export_summaries;
    assert!(listed.is_empty(), "no export recorded: {listed:?}");

    enable_pitr(&db, "Music");
    let started = t
        .export_table_to_point_in_time(&db, request)
        .expect("exports once enabled")
        .export_description;
    let done = wait_export(&t, &db, &started.export_arn);
    assert_eq!(done.export_status, ExportStatus::Completed, "{done:?}");
    assert_eq!(done.item_count, Some(1));
}
