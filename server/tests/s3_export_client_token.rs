//! ExportTableToPointInTime's ClientToken: a retry of the same request
//! returns the export already started; the same token with any other
//! request — another ExportTime or ExportType included — is
//! `ExportConflictException`.

mod cli_support;
mod transfer_support;

use std::sync::Arc;

use siltdb::dynamo::api::{
    ExportTableToPointInTimeInput, ExportType, ExportViewType, IncrementalExportSpecification,
};
use siltdb::dynamo::{Clock, DynamoError, ManualClock};

use cli_support::create_input;
use transfer_support::{enable_pitr, open_with_clock, wait_export};

const T0: i64 = 1_733_000_000_000;

#[test]
fn a_token_names_one_request() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::new(T0));
    let (db, t) = open_with_clock(&tmp.path().join("data"), &tmp.path().join("s3"), &clock);
    std::fs::create_dir_all(tmp.path().join("s3/bucket")).expect("bucket");
    db.create_table(create_input("Music")).expect("create");
    enable_pitr(&db, "Music");
    clock.advance_millis(3_600_000);
    let now = clock.now_millis() as f64 / 1000.0;
    let request = |token: &str| ExportTableToPointInTimeInput {
        table_arn: db.table_arn("Music"),
        s3_bucket: "bucket".into(),
        client_token: Some(token.into()),
        export_time: Some(now - 60.0),
        ..Default::default()
    };
    let first = t
        .export_table_to_point_in_time(&db, request("full"))
        .expect("export")
        .export_description;
    let again = t
        .export_table_to_point_in_time(&db, request("full"))
        .expect("retry")
        .export_description;
    assert_eq!(again.export_arn, first.export_arn);

    let conflict = |input: ExportTableToPointInTimeInput, what: &str| match t
        .export_table_to_point_in_time(&db, input)
    {
        Err(DynamoError::ExportConflictException(_)) => {}
        other => panic!("{what}: {other:?}"),
    };
    let mut other_time = request("full");
    other_time.export_time = Some(now - 120.0);
    conflict(other_time, "another ExportTime");

    let mut incremental = request("full");
    incremental.export_time = None;
    incremental.export_type = Some(ExportType::IncrementalExport);
    incremental.incremental_export_specification = Some(IncrementalExportSpecification {
        export_from_time: Some(now - 1800.0),
        export_to_time: Some(now - 60.0),
        export_view_type: Some(ExportViewType::NewImage),
    });
    conflict(incremental.clone(), "another ExportType");

    // An incremental request: its retry matches, another view does not.
    incremental.client_token = Some("incremental".into());
    let first = t
        .export_table_to_point_in_time(&db, incremental.clone())
        .expect("incremental export")
        .export_description;
    let again = t
        .export_table_to_point_in_time(&db, incremental.clone())
        .expect("retry")
        .export_description;
    assert_eq!(again.export_arn, first.export_arn);
    let mut other_view = incremental;
    if let Some(spec) = other_view.incremental_export_specification.as_mut() {
        spec.export_view_type = Some(ExportViewType::NewAndOldImages);
    }
    conflict(other_view, "another ExportViewType");
    wait_export(&t, &db, &first.export_arn);
}
