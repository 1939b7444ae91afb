//! Export to and import from S3 through the SDK, with a local directory as
//! S3 (`siltdb serve --s3-root`): ExportTableToPointInTime, DescribeExport,
//! ListExports, ImportTable, DescribeImport and ListImports; full and
//! incremental exports.

use std::sync::Arc;

use aws_sdk_dynamodb::primitives::DateTime;
use aws_sdk_dynamodb::types::{
    BillingMode, ExportDescription, ExportFormat, ExportStatus, ExportType, ExportViewType,
    ImportStatus, IncrementalExportSpecification, InputCompressionType, InputFormat, KeyType,
    PointInTimeRecoverySpecification, S3BucketSource, ScalarAttributeType, TableCreationParameters,
};
use aws_sdk_dynamodb::Client;
use siltdb::dynamo::{Clock, DynamoOptions, ManualClock};

use crate::harness::{attr, create_table, key, poll, put_items, scan_count, wait_active, Server};
use crate::transfer_support::export_lines;

#[tokio::test]
async fn an_export_imports_into_an_equal_table() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s3 = tmp.path().join("s3");
    let server = Server::start_on_disk(&tmp.path().join("data"), &s3);
    std::fs::create_dir_all(s3.join("bucket")).expect("bucket");
    let client = server.client();
    let table_arn = table_with_pitr(&client, "Music").await;
    put_items(&client, "Music", 0..120).await;

    let started = client
        .export_table_to_point_in_time()
        .table_arn(&table_arn)
        .s3_bucket("bucket")
        .s3_prefix("exports")
        .export_format(ExportFormat::DynamodbJson)
        .send()
        .await
        .expect("ExportTableToPointInTime");
    let export_arn = started
        .export_description()
        .and_then(|d| d.export_arn())
        .expect("ExportArn")
        .to_string();
    let done = wait_export(&client, &export_arn).await;
    assert_eq!(
        done.export_status(),
        Some(&ExportStatus::Completed),
        "{done:?}"
    );
    assert_eq!(done.item_count(), Some(120));

    let listed = client
        .list_exports()
        .table_arn(&table_arn)
        .send()
        .await
        .expect("ListExports");
    let arns: Vec<_> = listed
        .export_summaries()
        .iter()
        .filter_map(|s| s.export_arn())
        .collect();
    assert_eq!(arns, vec![export_arn.as_str()]);

    let id = export_arn.rsplit('/').next().expect("export id");
    let import = client
        .import_table()
        .s3_bucket_source(
            S3BucketSource::builder()
                .s3_bucket("bucket")
                .s3_key_prefix(format!("exports/AWSDynamoDB/{id}/data/"))
                .build()
                .expect("S3BucketSource"),
        )
        .input_format(InputFormat::DynamodbJson)
        .input_compression_type(InputCompressionType::Gzip)
        .table_creation_parameters(
            TableCreationParameters::builder()
                .table_name("MusicCopy")
                .attribute_definitions(attr("pk", ScalarAttributeType::S))
                .key_schema(key("pk", KeyType::Hash))
                .billing_mode(BillingMode::PayPerRequest)
                .build()
                .expect("TableCreationParameters"),
        )
        .send()
        .await
        .expect("ImportTable");
    let import_arn = import
        .import_table_description()
        .and_then(|d| d.import_arn())
        .expect("ImportArn")
        .to_string();
    let imported = poll(|| async {
        let d = client
            .describe_import()
            .import_arn(&import_arn)
            .send()
            .await
            .expect("DescribeImport");
        let d = d.import_table_description().expect("description").clone();
        (d.import_status() != Some(&ImportStatus::InProgress)).then_some(d)
    })
    .await;
    assert_eq!(
        imported.import_status(),
        Some(&ImportStatus::Completed),
        "{imported:?}"
    );
    assert_eq!(imported.imported_item_count(), 120);
    assert_eq!(imported.error_count(), 0);
    wait_active(&client, "MusicCopy").await;
    assert_eq!(scan_count(&client, "MusicCopy").await, 120);

    let listed = client.list_imports().send().await.expect("ListImports");
    let arns: Vec<_> = listed
        .import_summary_list()
        .iter()
        .filter_map(|s| s.import_arn())
        .collect();
    assert_eq!(arns, vec![import_arn.as_str()]);
}

/// Creates `table` with point-in-time recovery on; its ARN.
async fn table_with_pitr(client: &Client, table: &str) -> String {
    create_table(client, table, false).await;
    client
        .update_continuous_backups()
        .table_name(table)
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .build()
                .expect("spec"),
        )
        .send()
        .await
        .expect("UpdateContinuousBackups");
    client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .expect("DescribeTable")
        .table()
        .and_then(|t| t.table_arn())
        .expect("TableArn")
        .to_string()
}

#[tokio::test]
async fn an_incremental_export_holds_the_changes_of_its_period() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s3 = tmp.path().join("s3");
    let clock = Arc::new(ManualClock::new(1_733_000_000_000));
    let options = DynamoOptions {
        clock: clock.clone(),
        ..DynamoOptions::default()
    };
    let server = Server::start_on_disk_with(&tmp.path().join("data"), &s3, options);
    std::fs::create_dir_all(s3.join("bucket")).expect("bucket");
    let client = server.client();
    let table_arn = table_with_pitr(&client, "Music").await;
    clock.advance_millis(2_000);
    put_items(&client, "Music", 0..4).await;
    clock.advance_millis(10_000);
    let from = clock.now_millis();
    clock.advance_millis(1_000);
    // In the period: item-0 changed, item-1 deleted, item-9 new.
    put_items(&client, "Music", 9..10).await;
    client
        .put_item()
        .table_name("Music")
        .item(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S("item-0".into()),
        )
        .item(
            "n",
            aws_sdk_dynamodb::types::AttributeValue::N("100".into()),
        )
        .send()
        .await
        .expect("PutItem");
    client
        .delete_item()
        .table_name("Music")
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S("item-1".into()),
        )
        .send()
        .await
        .expect("DeleteItem");
    clock.advance_millis(20 * 60_000);
    let to = clock.now_millis();
    clock.advance_millis(1_000);
    // After the period: not exported.
    put_items(&client, "Music", 20..21).await;

    let started = client
        .export_table_to_point_in_time()
        .table_arn(&table_arn)
        .s3_bucket("bucket")
        .export_type(ExportType::IncrementalExport)
        .incremental_export_specification(
            IncrementalExportSpecification::builder()
                .export_from_time(DateTime::from_millis(from))
                .export_to_time(DateTime::from_millis(to))
                .export_view_type(ExportViewType::NewAndOldImages)
                .build(),
        )
        .send()
        .await
        .expect("ExportTableToPointInTime");
    let export_arn = started
        .export_description()
        .and_then(|d| d.export_arn())
        .expect("ExportArn")
        .to_string();
    let done = wait_export(&client, &export_arn).await;
    assert_eq!(
        done.export_status(),
        Some(&ExportStatus::Completed),
        "{done:?}"
    );
    assert_eq!(done.export_type(), Some(&ExportType::IncrementalExport));
    let spec = done
        .incremental_export_specification()
        .expect("IncrementalExportSpecification");
    assert_eq!(spec.export_from_time(), Some(&DateTime::from_millis(from)));
    assert_eq!(spec.export_to_time(), Some(&DateTime::from_millis(to)));
    assert_eq!(done.item_count(), Some(3));

    let (_, lines) = export_lines(&s3, "bucket", done.export_manifest().expect("manifest"));
    let mut got: Vec<(String, Option<String>, Option<String>)> = lines
        .iter()
        .map(|l| {
            let n = |image: &str| l[image]["n"]["N"].as_str().map(str::to_string);
            let pk = l["Keys"]["pk"]["S"].as_str().expect("pk").to_string();
            (pk, n("NewImage"), n("OldImage"))
        })
        .collect();
    got.sort();
    let some = |v: &str| Some(v.to_string());
    assert_eq!(
        got,
        vec![
            ("item-0".into(), some("100"), some("0")),
            ("item-1".into(), None, some("1")),
            ("item-9".into(), some("9"), None),
        ]
    );
}

/// Waits until DescribeExport says export `arn` is no longer IN_PROGRESS.
async fn wait_export(client: &Client, arn: &str) -> ExportDescription {
    poll(|| async {
        let d = client
            .describe_export()
            .export_arn(arn)
            .send()
            .await
            .expect("DescribeExport");
        let d = d.export_description().expect("ExportDescription").clone();
        (d.export_status() != Some(&ExportStatus::InProgress)).then_some(d)
    })
    .await
}
