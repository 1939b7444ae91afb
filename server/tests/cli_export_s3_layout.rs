//! `siltdb export --s3-root DIR --bucket B --prefix P` writes the table in
//! DynamoDB's S3 export layout through ExportTableToPointInTime's code,
//! and ImportTable reads it back (same items).

mod cli_support;
mod transfer_support;

use cli_support::{arg, make_table, rich_item, scan_all, siltdb};
use siltdb::dynamo::api::{
    ImportStatus, ImportTableInput, InputCompressionType, InputFormat, S3BucketSource,
};

#[test]
fn cli_export_writes_dynamodb_layout() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = tmp.path().join("data");
    let s3 = tmp.path().join("s3");
    std::fs::create_dir_all(s3.join("bkt")).expect("bucket");
    let items: Vec<_> = (0..120).map(rich_item).collect();
    make_table(&data, "Music", &items);
    let mut source = scan_all(&data, "Music");
    let run = siltdb(&[
        "export",
        "--data-dir",
        arg(&data),
        "--table",
        "Music",
        "--s3-root",
        arg(&s3),
        "--bucket",
        "bkt",
        "--prefix",
        "cli",
        "--format",
        "ION",
    ]);
    assert!(run.success(), "{run:?}");
    assert!(
        run.stderr.contains("exported 120 items from Music"),
        "{run:?}"
    );
    let exports: Vec<_> = std::fs::read_dir(s3.join("bkt/cli/AWSDynamoDB"))
        .expect("layout")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf8"))
        .collect();
    assert_eq!(exports.len(), 1);
    let id = &exports[0];
    assert!(s3
        .join(format!("bkt/cli/AWSDynamoDB/{id}/manifest-summary.json"))
        .is_file());

    let (db, t) = transfer_support::open(&data, &s3);
    let mut params = cli_support::create_input("Copy");
    params.table_name = "Copy".into();
    let started = t
        .import_table(
            &db,
            ImportTableInput {
                s3_bucket_source: S3BucketSource {
                    s3_bucket: "bkt".into(),
                    s3_key_prefix: Some(format!("cli/AWSDynamoDB/{id}/data/")),
                    s3_bucket_owner: None,
                },
                input_format: InputFormat::Ion,
                input_compression_type: Some(InputCompressionType::Gzip),
                table_creation_parameters: params,
                ..Default::default()
            },
        )
        .expect("import")
        .import_table_description;
    let done = transfer_support::wait_import(&t, &db, &started.import_arn);
    assert_eq!(done.import_status, ImportStatus::Completed, "{done:?}");
    let mut copy = transfer_support::scan_sorted(&db, "Copy");
    source.sort_by_cached_key(|i| format!("{i:?}"));
    copy.sort_by_cached_key(|i| format!("{i:?}"));
    assert_eq!(copy, source);
}
