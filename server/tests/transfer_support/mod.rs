//! Shared by the export/import tests: a database with the service of
//! `siltdb serve --s3-root` over it, and waiting for work to end.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use siltdb::dynamo::api::{
    CreateTableInput, DescribeExportInput, DescribeImportInput, ExportDescription, ExportStatus,
    ImportStatus, ImportTableDescription, PointInTimeRecoverySpecification, ScanInput,
    UpdateContinuousBackupsInput,
};
use siltdb::dynamo::{DynamoDb, DynamoOptions, Item, ManualClock};
use siltdb::{Db, Options};
use siltdb_server::transfer::Transfers;

/// A database in `data` and the service over `s3`.
pub fn open(data: &Path, s3: &Path) -> (Arc<DynamoDb>, Transfers) {
    std::fs::create_dir_all(s3).expect("s3 root");
    let db = Arc::new(
        DynamoDb::open(
            data,
            Options {
                sync: false,
                ..Options::default()
            },
        )
        .expect("open"),
    );
    let t = Transfers::open(Arc::clone(&db), s3, Some(data)).expect("service");
    (db, t)
}

/// As [`open`], with the DynamoDB layer reading `clock`.
pub fn open_with_clock(
    data: &Path,
    s3: &Path,
    clock: &Arc<ManualClock>,
) -> (Arc<DynamoDb>, Transfers) {
    std::fs::create_dir_all(s3).expect("s3 root");
    let engine = Db::open(
        data,
        Options {
            sync: false,
            ..Options::default()
        },
    )
    .expect("open");
    let db = Arc::new(
        DynamoDb::with_db(
            engine,
            DynamoOptions {
                clock: clock.clone(),
                ttl_sweep_interval: None,
                ..DynamoOptions::default()
            },
        )
        .expect("open"),
    );
    let t = Transfers::open(Arc::clone(&db), s3, Some(data)).expect("service");
    (db, t)
}

/// The summary of the export whose summary is `summary_key` in `bucket`
/// under `s3`, and every line of its data files, parsed.
pub fn export_lines(
    s3: &Path,
    bucket: &str,
    summary_key: &str,
) -> (serde_json::Value, Vec<serde_json::Value>) {
    use std::io::Read;
    let root = s3.join(bucket);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(summary_key)).expect("summary"))
            .expect("summary JSON");
    let files_key = summary["manifestFilesS3Key"].as_str().expect("files key");
    let files = std::fs::read_to_string(root.join(files_key)).expect("files manifest");
    let mut lines = Vec::new();
    for entry in files.lines() {
        let entry: serde_json::Value = serde_json::from_str(entry).expect("entry");
        let key = entry["dataFileS3Key"].as_str().expect("data key");
        let gz = std::fs::read(root.join(key)).expect("data file");
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_string(&mut text)
            .expect("gzip");
        let before = lines.len();
        for line in text.lines() {
            lines.push(serde_json::from_str(line).expect("line JSON"));
        }
        assert_eq!(
            entry["itemCount"].as_u64(),
            Some((lines.len() - before) as u64),
            "itemCount of {key}"
        );
    }
    (summary, lines)
}

/// Where most export tests start: under `root`, a database (`data/`)
/// whose clock starts at `t0`, its S3 root (`s3/`, returned) holding
/// bucket `bucket`, and the table `input` creates, with point-in-time
/// recovery enabled; then the clock moves 2 s on.
pub fn table_with_pitr(
    root: &Path,
    t0: i64,
    input: CreateTableInput,
) -> (Arc<ManualClock>, PathBuf, Arc<DynamoDb>, Transfers) {
    let clock = Arc::new(ManualClock::new(t0));
    let s3 = root.join("s3");
    let (db, t) = open_with_clock(&root.join("data"), &s3, &clock);
    std::fs::create_dir_all(s3.join("bucket")).expect("bucket");
    let table = input.table_name.clone();
    db.create_table(input).expect("create");
    enable_pitr(&db, &table);
    clock.advance_millis(2_000);
    (clock, s3, db, t)
}

/// Enables point-in-time recovery on `table` (ExportTableToPointInTime
/// requires it).
pub fn enable_pitr(db: &DynamoDb, table: &str) {
    db.update_continuous_backups(UpdateContinuousBackupsInput {
        table_name: table.to_string(),
        point_in_time_recovery_specification: PointInTimeRecoverySpecification {
            point_in_time_recovery_enabled: true,
            recovery_period_in_days: None,
        },
    })
    .expect("enable point-in-time recovery");
}

/// Waits (at most a minute) for export `arn` to leave `IN_PROGRESS`.
pub fn wait_export(t: &Transfers, db: &DynamoDb, arn: &str) -> ExportDescription {
    let start = Instant::now();
    loop {
        let d = t
            .describe_export(
                db,
                DescribeExportInput {
                    export_arn: arn.to_string(),
                },
            )
            .expect("describe export")
            .export_description;
        if d.export_status != ExportStatus::InProgress {
            return d;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "export stuck: {d:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits (at most a minute) for import `arn` to leave `IN_PROGRESS`.
pub fn wait_import(t: &Transfers, db: &DynamoDb, arn: &str) -> ImportTableDescription {
    let start = Instant::now();
    loop {
        let d = t
            .describe_import(
                db,
                DescribeImportInput {
                    import_arn: arn.to_string(),
                },
            )
            .expect("describe import")
            .import_table_description;
        if d.import_status != ImportStatus::InProgress {
            return d;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "import stuck: {d:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every item of `table`, sorted (by their debug text: key order differs
/// between tables only if their keys differ).
pub fn scan_sorted(db: &DynamoDb, table: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = db
            .scan(ScanInput {
                table_name: table.to_string(),
                consistent_read: Some(true),
                exclusive_start_key: start.take(),
                ..Default::default()
            })
            .expect("scan");
        items.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(k) => start = Some(k),
            None => break,
        }
    }
    items.sort_by_cached_key(|i| format!("{i:?}"));
    items
}

/// The `dataFileS3Key`s of the export whose summary is `summary_key` in
/// `bucket` under `s3`, as its `manifest-files.json` lists them.
pub fn data_file_keys(s3: &Path, bucket: &str, summary_key: &str) -> Vec<String> {
    let root = s3.join(bucket);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(summary_key)).expect("summary"))
            .expect("summary JSON");
    let files_key = summary["manifestFilesS3Key"].as_str().expect("files key");
    std::fs::read_to_string(root.join(files_key))
        .expect("files manifest")
        .lines()
        .map(|entry| {
            let entry: serde_json::Value = serde_json::from_str(entry).expect("entry");
            entry["dataFileS3Key"]
                .as_str()
                .expect("data key")
                .to_string()
        })
        .collect()
}
