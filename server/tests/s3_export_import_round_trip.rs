//! An export (DYNAMODB_JSON and ION) imports unchanged: ImportTable reading
//! the data files of siltdb's own export gives a table equal to the source
//! as of the export, with the new table's global secondary index built;
//! writes after the request are not in the export.

mod cli_support;
mod transfer_support;

use siltdb::dynamo::api::{
    ExportFormat, ExportStatus, ExportTableToPointInTimeInput, GlobalSecondaryIndex, ImportStatus,
    ImportTableInput, InputCompressionType, InputFormat, KeySchemaElement, KeyType, Projection,
    ProjectionType, PutItemInput, QueryInput, S3BucketSource,
};
use siltdb::dynamo::AttributeValue;

use cli_support::{create_input, rich_item};
use transfer_support::{enable_pitr, open, scan_sorted, wait_export, wait_import};

#[test]
fn exports_import_unchanged_in_both_formats() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (db, t) = open(&tmp.path().join("data"), &tmp.path().join("s3"));
    std::fs::create_dir_all(tmp.path().join("s3/bucket")).expect("bucket");
    db.create_table(create_input("Music")).expect("create");
    enable_pitr(&db, "Music");
    for i in 0..700 {
        db.put_item(PutItemInput {
            table_name: "Music".into(),
            item: rich_item(i),
            ..Default::default()
        })
        .expect("put");
    }
    for (n, format) in [ExportFormat::DynamodbJson, ExportFormat::Ion]
        .into_iter()
        .enumerate()
    {
        // The table as of the request (the previous round added an item).
        let source = scan_sorted(&db, "Music");
        let count = i64::try_from(source.len()).expect("count");
        let started = t
            .export_table_to_point_in_time(
                &db,
                ExportTableToPointInTimeInput {
                    table_arn: db.table_arn("Music"),
                    s3_bucket: "bucket".into(),
                    s3_prefix: Some(format!("exports/{n}")),
                    export_format: Some(format),
                    ..Default::default()
                },
            )
            .expect("export")
            .export_description;
        assert_eq!(started.export_status, ExportStatus::InProgress);
        // After the request: not in the export.
        db.put_item(PutItemInput {
            table_name: "Music".into(),
            item: rich_item(10_000 + n),
            ..Default::default()
        })
        .expect("put after");
        let done = wait_export(&t, &db, &started.export_arn);
        assert_eq!(done.export_status, ExportStatus::Completed, "{done:?}");
        assert_eq!(done.item_count, Some(count));
        let id = started.export_arn.rsplit('/').next().expect("id");
        let base = tmp
            .path()
            .join(format!("s3/bucket/exports/{n}/AWSDynamoDB/{id}"));
        for f in [
            "_started",
            "manifest-summary.json",
            "manifest-files.json",
            "manifest-summary.checksum",
            "manifest-files.checksum",
        ] {
            assert!(base.join(f).is_file(), "{f}");
        }
        assert_eq!(
            done.export_manifest.as_deref(),
            Some(format!("exports/{n}/AWSDynamoDB/{id}/manifest-summary.json").as_str())
        );
        let summary: serde_json::Value = serde_json::from_slice(
            &std::fs::read(base.join("manifest-summary.json")).expect("summary"),
        )
        .expect("json");
        assert_eq!(summary["itemCount"], count);
        assert_eq!(summary["outputFormat"], format.as_str());
        assert_eq!(summary["exportArn"], started.export_arn.as_str());
        assert_eq!(summary["version"], "2020-06-30");

        let mut params = create_input(&format!("Copy{n}"));
        params
            .attribute_definitions
            .push(siltdb::dynamo::api::AttributeDefinition {
                attribute_name: "str".into(),
                attribute_type: siltdb::dynamo::ScalarAttributeType::S,
            });
        params.global_secondary_indexes = Some(vec![GlobalSecondaryIndex {
            index_name: "byStr".into(),
            key_schema: vec![KeySchemaElement {
                attribute_name: "str".into(),
                key_type: KeyType::Hash,
            }],
            projection: Projection {
                projection_type: Some(ProjectionType::All),
                non_key_attributes: None,
            },
            provisioned_throughput: None,
            on_demand_throughput: None,
            warm_throughput: None,
        }]);
        let import = t
            .import_table(
                &db,
                ImportTableInput {
                    s3_bucket_source: S3BucketSource {
                        s3_bucket: "bucket".into(),
                        s3_key_prefix: Some(format!("exports/{n}/AWSDynamoDB/{id}/data/")),
                        s3_bucket_owner: None,
                    },
                    input_format: match format {
                        ExportFormat::DynamodbJson => InputFormat::DynamodbJson,
                        ExportFormat::Ion => InputFormat::Ion,
                    },
                    input_compression_type: Some(InputCompressionType::Gzip),
                    table_creation_parameters: params,
                    ..Default::default()
                },
            )
            .expect("import")
            .import_table_description;
        let done = wait_import(&t, &db, &import.import_arn);
        assert_eq!(done.import_status, ImportStatus::Completed, "{done:?}");
        assert_eq!(done.processed_item_count, count);
        assert_eq!(done.imported_item_count, count);
        assert_eq!(done.error_count, 0);
        assert!(done.processed_size_bytes > 0);
        assert_eq!(scan_sorted(&db, &format!("Copy{n}")), source, "{format:?}");
        // The index was built with the table.
        let wanted = rich_item(7);
        let got = db
            .query(QueryInput {
                table_name: format!("Copy{n}"),
                index_name: Some("byStr".into()),
                key_condition_expression: Some("#s = :s".into()),
                expression_attribute_names: Some([("#s".to_string(), "str".to_string())].into()),
                expression_attribute_values: Some(
                    [(":s".to_string(), wanted["str"].clone())].into(),
                ),
                ..Default::default()
            })
            .expect("query");
        assert_eq!(got.items.unwrap_or_default(), vec![wanted]);
    }
    assert!(matches!(rich_item(0)["null"], AttributeValue::Null));
}
