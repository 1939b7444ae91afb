//! Export to and import from S3 through the SDK, with a local directory as
//! S3 (`siltdb serve --s3-root`): ExportTableToPointInTime, DescribeExport,
//! ListExports, ImportTable, DescribeImport and ListImports.

use aws_sdk_dynamodb::types::{
    BillingMode, ExportFormat, ExportStatus, ImportStatus, InputCompressionType, InputFormat,
    KeyType, PointInTimeRecoverySpecification, S3BucketSource, ScalarAttributeType,
    TableCreationParameters,
};

use crate::harness::{attr, create_table, key, poll, put_items, scan_count, wait_active, Server};

#[tokio::test]
async fn an_export_imports_into_an_equal_table() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s3 = tmp.path().join("s3");
    let server = Server::start_on_disk(&tmp.path().join("data"), &s3);
    std::fs::create_dir_all(s3.join("bucket")).expect("bucket");
    let client = server.client();
    create_table(&client, "Music", false).await;
    client
        .update_continuous_backups()
        .table_name("Music")
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .build()
                .expect("spec"),
        )
        .send()
        .await
        .expect("UpdateContinuousBackups");
    put_items(&client, "Music", 0..120).await;
    let table_arn = client
        .describe_table()
        .table_name("Music")
        .send()
        .await
        .expect("DescribeTable")
        .table()
        .and_then(|t| t.table_arn())
        .expect("TableArn")
        .to_string();

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
    let done = poll(|| async {
        let d = client
            .describe_export()
            .export_arn(&export_arn)
            .send()
            .await
            .expect("DescribeExport");
        let d = d.export_description().expect("ExportDescription").clone();
        (d.export_status() != Some(&ExportStatus::InProgress)).then_some(d)
    })
    .await;
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
