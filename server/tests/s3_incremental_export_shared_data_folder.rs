//! An INCREMENTAL_EXPORT writes its data files to the folder every export
//! to its bucket and prefix shares, `<prefix>/AWSDynamoDB/data/`, under
//! unique names its `manifest-files.json` lists, while its manifests stay
//! in `<prefix>/AWSDynamoDB/<export id>/`; a second incremental export to
//! the same prefix leaves the first one's files as they were. A full
//! export keeps its own `<export id>/data/` folder.

mod cli_support;
mod transfer_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use siltdb::dynamo::api::{
    ExportDescription, ExportStatus, ExportTableToPointInTimeInput, ExportType,
    IncrementalExportSpecification, PutItemInput,
};
use siltdb::dynamo::{AttributeValue, Clock, DynamoDb};
use siltdb_server::transfer::Transfers;

use cli_support::create_input;
use transfer_support::{data_file_keys, export_lines, table_with_pitr, wait_export};

const MINUTE: i64 = 60_000;

fn put(db: &DynamoDb, pk: &str, v: &str) {
    db.put_item(PutItemInput {
        table_name: "Music".into(),
        item: [
            ("pk".to_string(), AttributeValue::S(pk.into())),
            ("sk".to_string(), AttributeValue::N("1".parse().expect("n"))),
            ("v".to_string(), AttributeValue::S(v.into())),
        ]
        .into(),
        ..Default::default()
    })
    .expect("put");
}

fn export(
    t: &Transfers,
    db: &DynamoDb,
    period: Option<(i64, i64)>,
    prefix: &str,
) -> ExportDescription {
    let input = ExportTableToPointInTimeInput {
        table_arn: db.table_arn("Music"),
        s3_bucket: "bucket".into(),
        s3_prefix: Some(prefix.into()),
        export_type: Some(match period {
            Some(_) => ExportType::IncrementalExport,
            None => ExportType::FullExport,
        }),
        incremental_export_specification: period.map(|(from, to)| IncrementalExportSpecification {
            export_from_time: Some(from as f64 / 1000.0),
            export_to_time: Some(to as f64 / 1000.0),
            export_view_type: None,
        }),
        ..Default::default()
    };
    let started = t
        .export_table_to_point_in_time(db, input)
        .expect("export")
        .export_description;
    let done = wait_export(t, db, &started.export_arn);
    assert_eq!(done.export_status, ExportStatus::Completed, "{done:?}");
    done
}

fn id_of(d: &ExportDescription) -> String {
    d.export_arn
        .rsplit_once("/export/")
        .expect("export ARN")
        .1
        .to_string()
}

/// Every file under `dir`, by its path relative to `dir`, with its bytes.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let e = e.expect("entry");
        let name = e.file_name().into_string().expect("UTF-8");
        if e.file_type().expect("type").is_dir() {
            for (sub, bytes) in files_under(&e.path()) {
                out.insert(format!("{name}/{sub}"), bytes);
            }
        } else {
            out.insert(name, std::fs::read(e.path()).expect("read"));
        }
    }
    out
}

fn is_data_name(name: &str, extension: &str) -> bool {
    name.strip_suffix(extension).is_some_and(|stem| {
        stem.len() == 26
            && stem
                .bytes()
                .all(|c| c.is_ascii_lowercase() || (b'2'..=b'7').contains(&c))
    })
}

#[test]
fn incremental_exports_share_the_data_folder_and_keep_each_others_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (clock, s3, db, t) = table_with_pitr(tmp.path(), 1_733_000_000_000, create_input("Music"));
    let start = clock.now_millis();
    clock.advance_millis(1_000);
    for i in 0..5 {
        put(&db, &format!("a{i}"), "first");
    }
    clock.advance_millis(20 * MINUTE);
    let middle = clock.now_millis();
    clock.advance_millis(1_000);
    for i in 0..3 {
        put(&db, &format!("b{i}"), "second");
    }
    clock.advance_millis(20 * MINUTE);
    let end = clock.now_millis();
    clock.advance_millis(1_000);

    let shared = s3.join("bucket/inc/AWSDynamoDB/data");
    let first = export(&t, &db, Some((start, middle)), "inc");
    let first_keys = data_file_keys(&s3, "bucket", first.export_manifest.as_deref().expect("m"));
    let first_files = files_under(&shared);
    let second = export(&t, &db, Some((middle, end)), "inc");
    let second_keys = data_file_keys(&s3, "bucket", second.export_manifest.as_deref().expect("m"));

    for (d, keys, items) in [(&first, &first_keys, 5), (&second, &second_keys, 3)] {
        let id = id_of(d);
        let root = format!("inc/AWSDynamoDB/{id}/");
        assert_eq!(
            d.export_manifest.as_deref(),
            Some(format!("{root}manifest-summary.json").as_str())
        );
        for name in [
            "_started",
            "manifest-files.json",
            "manifest-files.checksum",
            "manifest-summary.checksum",
        ] {
            assert!(s3.join("bucket").join(&root).join(name).is_file(), "{name}");
        }
        // No data folder of its own: the manifest names the shared one's files.
        assert!(!s3.join("bucket").join(&root).join("data").exists());
        assert!(!keys.is_empty());
        for key in keys {
            let name = key
                .strip_prefix("inc/AWSDynamoDB/data/")
                .unwrap_or_else(|| panic!("{key} is not in the shared data folder"));
            assert!(is_data_name(name, ".json.gz"), "{key}");
        }
        let (_, lines) = export_lines(&s3, "bucket", d.export_manifest.as_deref().expect("m"));
        assert_eq!(lines.len(), items, "{d:?}");
    }
    // Both sets of files, distinct, are all the folder holds, and the
    // first export's files are byte for byte what they were.
    let first_set: BTreeSet<&str> = first_keys.iter().map(String::as_str).collect();
    let second_set: BTreeSet<&str> = second_keys.iter().map(String::as_str).collect();
    assert!(first_set.is_disjoint(&second_set));
    let now = files_under(&shared);
    let listed: BTreeSet<String> = now
        .keys()
        .map(|n| format!("inc/AWSDynamoDB/data/{n}"))
        .collect();
    let named: BTreeSet<String> = first_set
        .union(&second_set)
        .map(|k| k.to_string())
        .collect();
    assert_eq!(listed, named);
    for (name, bytes) in &first_files {
        assert_eq!(now.get(name), Some(bytes), "{name} changed");
    }
    let (_, lines) = export_lines(&s3, "bucket", first.export_manifest.as_deref().expect("m"));
    let mut got: Vec<&str> = lines
        .iter()
        .map(|l| l["NewImage"]["v"]["S"].as_str().expect("v"))
        .collect();
    got.dedup();
    assert_eq!(got, ["first"]);
}

#[test]
fn full_exports_keep_their_own_data_folder() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (clock, s3, db, t) = table_with_pitr(tmp.path(), 1_733_000_000_000, create_input("Music"));
    for i in 0..4 {
        put(&db, &format!("a{i}"), "v");
    }
    clock.advance_millis(2_000);
    let full = export(&t, &db, None, "inc");
    let id = id_of(&full);
    let keys = data_file_keys(&s3, "bucket", full.export_manifest.as_deref().expect("m"));
    assert!(!keys.is_empty());
    for key in &keys {
        let name = key
            .strip_prefix(&format!("inc/AWSDynamoDB/{id}/data/"))
            .unwrap_or_else(|| panic!("{key} is not in the export's own data folder"));
        assert!(is_data_name(name, ".json.gz"), "{key}");
    }
    assert!(!s3.join("bucket/inc/AWSDynamoDB/data").exists());
    let (_, lines) = export_lines(&s3, "bucket", full.export_manifest.as_deref().expect("m"));
    assert_eq!(lines.len(), 4);
}
