//! An INCREMENTAL_EXPORT with ExportFormat ION writes `.ion.gz` data
//! files (summary `outputFormat` `ION`) whose lines, read by the Ion
//! reader ImportTable uses, hold the same `Keys`, `NewImage`, `OldImage`
//! and `Metadata.WriteTimestampMicros` as the DYNAMODB_JSON export of the
//! same period, for both views and every attribute type.

mod cli_support;
mod transfer_support;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use siltdb::dynamo::api::{
    DeleteItemInput, ExportFormat, ExportStatus, ExportTableToPointInTimeInput, ExportType,
    ExportViewType, IncrementalExportSpecification, PutItemInput,
};
use siltdb::dynamo::{AttributeValue, Clock, DynamoDb, Item, Number};
use siltdb_server::json::item_from_json;
use siltdb_server::transfer::ion::Reader;
use siltdb_server::transfer::Transfers;

use cli_support::{create_input, rich_item};
use transfer_support::{data_file_keys, export_lines, table_with_pitr, wait_export};

const MINUTE: i64 = 60_000;

/// A line as both formats give it: Keys, NewImage, OldImage and
/// WriteTimestampMicros, each if present.
type Line = (Item, Option<Item>, Option<Item>, Number);

fn put(db: &DynamoDb, item: Item) {
    db.put_item(PutItemInput {
        table_name: "Music".into(),
        item,
        ..Default::default()
    })
    .expect("put");
}

fn keys_of(item: &Item) -> Item {
    item.iter()
        .filter(|(k, _)| *k == "pk" || *k == "sk")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn export(
    t: &Transfers,
    db: &DynamoDb,
    (from, to): (i64, i64),
    view: ExportViewType,
    format: ExportFormat,
) -> String {
    let started = t
        .export_table_to_point_in_time(
            db,
            ExportTableToPointInTimeInput {
                table_arn: db.table_arn("Music"),
                s3_bucket: "bucket".into(),
                s3_prefix: Some("inc".into()),
                export_format: Some(format),
                export_type: Some(ExportType::IncrementalExport),
                incremental_export_specification: Some(IncrementalExportSpecification {
                    export_from_time: Some(from as f64 / 1000.0),
                    export_to_time: Some(to as f64 / 1000.0),
                    export_view_type: Some(view),
                }),
                ..Default::default()
            },
        )
        .expect("export")
        .export_description;
    assert_eq!(started.export_format, Some(format));
    let done = wait_export(t, db, &started.export_arn);
    assert_eq!(done.export_status, ExportStatus::Completed, "{done:?}");
    done.export_manifest.expect("manifest")
}

fn json_lines(s3: &Path, summary_key: &str) -> BTreeMap<String, Line> {
    let (summary, lines) = export_lines(s3, "bucket", summary_key);
    assert_eq!(summary["outputFormat"], "DYNAMODB_JSON");
    lines
        .iter()
        .map(|l| {
            let image = |name: &str| l.get(name).map(|v| item_from_json(v).expect("an item"));
            let micros = l["Metadata"]["WriteTimestampMicros"]["N"]
                .as_str()
                .expect("N");
            let keys = image("Keys").expect("Keys");
            (
                format!("{keys:?}"),
                (
                    keys,
                    image("NewImage"),
                    image("OldImage"),
                    Number::parse(micros).expect("number"),
                ),
            )
        })
        .collect()
}

fn ion_lines(s3: &Path, summary_key: &str) -> BTreeMap<String, Line> {
    let root = s3.join("bucket");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(summary_key)).expect("summary"))
            .expect("summary JSON");
    assert_eq!(summary["outputFormat"], "ION");
    assert_eq!(summary["exportType"], "INCREMENTAL_EXPORT");
    let mut out = BTreeMap::new();
    let mut count = 0;
    for key in data_file_keys(s3, "bucket", summary_key) {
        let name = key
            .strip_prefix("inc/AWSDynamoDB/data/")
            .expect("in the shared data folder");
        assert!(name.ends_with(".ion.gz"), "{key}");
        let gz = std::fs::read(root.join(&key)).expect("data file");
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut text)
            .expect("gzip");
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            assert!(line.starts_with(b"$ion_1_0 {"), "{line:?}");
        }
        let mut reader = Reader::new(&text);
        while let Some(fields) = reader.next_struct() {
            let mut fields = fields.expect("an Ion struct");
            count += 1;
            let mut image = |name: &str| match fields.remove(name) {
                Some(AttributeValue::M(m)) => Some(m),
                None => None,
                Some(other) => panic!("{name} is not a struct: {other:?}"),
            };
            let keys = image("Keys").expect("Keys");
            let new = image("NewImage");
            let old = image("OldImage");
            let mut metadata = image("Metadata").expect("Metadata");
            let Some(AttributeValue::N(micros)) = metadata.remove("WriteTimestampMicros") else {
                panic!("WriteTimestampMicros is not a decimal")
            };
            assert!(metadata.is_empty() && fields.is_empty(), "{fields:?}");
            out.insert(format!("{keys:?}"), (keys, new, old, micros));
        }
    }
    assert_eq!(summary["itemCount"], count);
    out
}

#[test]
fn ion_incremental_lines_decode_to_the_json_export_of_the_period() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (clock, s3, db, t) = table_with_pitr(tmp.path(), 1_733_000_000_000, create_input("Music"));
    for i in 0..12 {
        put(&db, rich_item(i));
    }
    clock.advance_millis(10_000);
    let from = clock.now_millis();
    clock.advance_millis(1_000);
    // Updates (every attribute type, old and new), deletes and inserts.
    for i in 0..4 {
        let mut item = rich_item(i);
        item.insert("n".into(), rich_item(i + 1)["n"].clone());
        item.insert("added".into(), AttributeValue::Bool(true));
        put(&db, item);
    }
    for i in 4..7 {
        db.delete_item(DeleteItemInput {
            table_name: "Music".into(),
            key: keys_of(&rich_item(i)),
            ..Default::default()
        })
        .expect("delete");
    }
    for i in 60..64 {
        put(&db, rich_item(i));
    }
    clock.advance_millis(20 * MINUTE);
    let to = clock.now_millis();
    clock.advance_millis(1_000);

    for view in [ExportViewType::NewAndOldImages, ExportViewType::NewImage] {
        let json = json_lines(
            &s3,
            &export(&t, &db, (from, to), view, ExportFormat::DynamodbJson),
        );
        let ion = ion_lines(&s3, &export(&t, &db, (from, to), view, ExportFormat::Ion));
        assert_eq!(json.len(), 11, "{view:?}");
        assert_eq!(ion, json, "{view:?}");
        let olds = ion.values().filter(|l| l.2.is_some()).count();
        match view {
            ExportViewType::NewAndOldImages => assert_eq!(olds, 7),
            ExportViewType::NewImage => assert_eq!(olds, 0),
        }
    }
}
