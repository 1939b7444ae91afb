//! ImportTable reads the Developer Guide's own examples: a hand-written
//! export in DynamoDB's layout (manifest files and a gzipped DYNAMODB_JSON
//! data file, from "DynamoDB table export output format"), the Ion
//! example compressed with Zstandard, and CSV with `HeaderList` and a
//! delimiter ("Amazon S3 import formats for DynamoDB"). A bad record is
//! counted and skipped: the import ends FAILED with ItemValidationError
//! and the good items imported.

mod transfer_support;

use std::io::Write;

use siltdb::dynamo::api::{
    AttributeDefinition, BillingMode, CreateTableInput, CsvOptions, GetItemInput, ImportStatus,
    ImportTableInput, InputCompressionType, InputFormat, InputFormatOptions, KeySchemaElement,
    KeyType, S3BucketSource,
};
use siltdb::dynamo::{AttributeValue, DynamoDb, Number, ScalarAttributeType};
use siltdb_server::transfer::Transfers;

use transfer_support::{open, wait_import};

const JSON_ITEM: &str = r#"{"Item":{"Authors":{"SS":["Author1","Author2"]},"Dimensions":{"S":"8.5 x 11.0 x 1.5"},"ISBN":{"S":"333-3333333333"},"Id":{"N":"103"},"InPublication":{"BOOL":false},"PageCount":{"N":"600"},"Price":{"N":"2000"},"ProductCategory":{"S":"Book"},"Title":{"S":"Book 103 Title"}}}"#;

const ION_ITEM: &str = r#"$ion_1_0 {
    Item:{
        Authors:$dynamodb_SS::["Author1","Author2"],
        Dimensions:"8.5 x 11.0 x 1.5",
        ISBN:"333-3333333333",
        Id:103.,
        InPublication:false,
        PageCount:6d2,
        Price:2d3,
        ProductCategory:"Book",
        Title:"Book 103 Title"
    }
}"#;

fn params(name: &str) -> CreateTableInput {
    CreateTableInput {
        table_name: name.into(),
        attribute_definitions: vec![AttributeDefinition {
            attribute_name: "Id".into(),
            attribute_type: ScalarAttributeType::N,
        }],
        key_schema: vec![KeySchemaElement {
            attribute_name: "Id".into(),
            key_type: KeyType::Hash,
        }],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

fn import(
    t: &Transfers,
    db: &DynamoDb,
    table: &str,
    prefix: &str,
    format: InputFormat,
    compression: InputCompressionType,
    options: Option<InputFormatOptions>,
) -> siltdb::dynamo::api::ImportTableDescription {
    let started = t
        .import_table(
            db,
            ImportTableInput {
                s3_bucket_source: S3BucketSource {
                    s3_bucket: "source".into(),
                    s3_key_prefix: Some(prefix.into()),
                    s3_bucket_owner: None,
                },
                input_format: format,
                input_format_options: options,
                input_compression_type: Some(compression),
                table_creation_parameters: params(table),
                ..Default::default()
            },
        )
        .expect("import")
        .import_table_description;
    wait_import(t, db, &started.import_arn)
}

fn book(db: &DynamoDb, table: &str, id: &str) -> Option<siltdb::dynamo::Item> {
    db.get_item(GetItemInput {
        table_name: table.into(),
        key: [(
            "Id".to_string(),
            AttributeValue::N(Number::parse(id).expect("n")),
        )]
        .into(),
        ..Default::default()
    })
    .expect("get")
    .item
}

#[test]
fn developer_guide_examples_import() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s3 = tmp.path().join("s3");
    let export = s3.join("source/2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4");
    std::fs::create_dir_all(export.join("data")).expect("dirs");
    // The guide's manifests, pointing at one data file.
    std::fs::write(
        export.join("manifest-summary.json"),
        r#"{"version":"2020-06-30","exportArn":"arn:aws:dynamodb:us-east-1:123456789012:table/ProductCatalog/export/01234567890123-a1b2c3d4","startTime":"2020-11-04T07:28:34.028Z","endTime":"2020-11-04T07:33:43.897Z","tableArn":"arn:aws:dynamodb:us-east-1:123456789012:table/ProductCatalog","tableId":"12345a12-abcd-123a-ab12-1234abc12345","exportTime":"2020-11-04T07:28:34.028Z","s3Bucket":"source","s3Prefix":"2020-Nov","s3SseAlgorithm":"AES256","s3SseKmsKeyId":null,"manifestFilesS3Key":"2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/manifest-files.json","billedSizeBytes":0,"itemCount":2,"outputFormat":"DYNAMODB_JSON"}"#,
    )
    .expect("summary");
    std::fs::write(
        export.join("manifest-files.json"),
        r#"{"itemCount":2,"md5Checksum":"sQMSpEILNgoQmarvDFonGQ==","etag":"af83d6f217c19b8b0fff8023d8ca4716-1","dataFileS3Key":"2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/33334444example.json.gz"}"#,
    )
    .expect("files");
    let second = JSON_ITEM.replace(r#""N":"103""#, r#""N":"104""#);
    std::fs::write(
        export.join("data/33334444example.json.gz"),
        gzip(format!("{JSON_ITEM}\n{second}\n").as_bytes()),
    )
    .expect("data");
    std::fs::create_dir_all(s3.join("source/ion")).expect("ion dir");
    std::fs::write(
        s3.join("source/ion/books.ion.zst"),
        ruzstd::encoding::compress_to_vec(
            ION_ITEM.as_bytes(),
            ruzstd::encoding::CompressionLevel::Fastest,
        ),
    )
    .expect("ion");
    std::fs::create_dir_all(s3.join("source/csv")).expect("csv dir");
    // No header line: HeaderList names the columns; the second data line
    // has a key that is not a number (an error, skipped).
    std::fs::write(
        s3.join("source/csv/books.csv"),
        "103;\"Book 103; Title\";600\nnot-a-number;x;1\n105;Plain;7\n",
    )
    .expect("csv");

    let (db, t) = open(&tmp.path().join("data"), &s3);

    let d = import(
        &t,
        &db,
        "FromJson",
        "2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/",
        InputFormat::DynamodbJson,
        InputCompressionType::Gzip,
        None,
    );
    assert_eq!(d.import_status, ImportStatus::Completed, "{d:?}");
    assert_eq!(
        (d.processed_item_count, d.imported_item_count, d.error_count),
        (2, 2, 0)
    );
    let item = book(&db, "FromJson", "103").expect("imported");
    assert_eq!(item["Title"], AttributeValue::S("Book 103 Title".into()));
    assert!(book(&db, "FromJson", "104").is_some());

    let d = import(
        &t,
        &db,
        "FromIon",
        "ion/",
        InputFormat::Ion,
        InputCompressionType::Zstd,
        None,
    );
    assert_eq!(d.import_status, ImportStatus::Completed, "{d:?}");
    let ion_item = book(&db, "FromIon", "103").expect("imported");
    assert_eq!(ion_item, item, "the Ion example is the JSON example");

    let d = import(
        &t,
        &db,
        "FromCsv",
        "csv/books",
        InputFormat::Csv,
        InputCompressionType::None,
        Some(InputFormatOptions {
            csv: Some(CsvOptions {
                delimiter: Some(";".into()),
                header_list: Some(vec!["Id".into(), "Title".into(), "PageCount".into()]),
            }),
        }),
    );
    assert_eq!(d.import_status, ImportStatus::Failed, "{d:?}");
    assert_eq!(d.failure_code.as_deref(), Some("ItemValidationError"));
    assert_eq!(
        (d.processed_item_count, d.imported_item_count, d.error_count),
        (3, 2, 1)
    );
    let row = book(&db, "FromCsv", "103").expect("imported");
    assert_eq!(row["Title"], AttributeValue::S("Book 103; Title".into()));
    // Not a key: a string, as the guide says.
    assert_eq!(row["PageCount"], AttributeValue::S("600".into()));
    assert!(book(&db, "FromCsv", "105").is_some());
}
