//! `siltdb export`: a table as DynamoDB JSON lines.
//!
//! The format is that of DynamoDB's export to S3 in `DYNAMODB_JSON`
//! (Developer Guide, "DynamoDB table export output format", data objects):
//! one object per line, `{"Item":{"pk":{"S":"a"},"n":{"N":"1"}}}`, each
//! attribute in DynamoDB's marshalled JSON, lines ended by `\n`. It is what
//! DynamoDB's import from S3 reads, and what `siltdb import` reads. (DynamoDB
//! writes its data objects gzipped; compress the output with `gzip` before
//! handing it to DynamoDB's import if you like — it reads both.)
//!
//! Items are read with Scan pages (consistent reads) in key order; the
//! database is opened exclusively, so nothing changes underneath. A file
//! output is written, fsynced, and removed again if the export fails.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use indicatif::{HumanCount, ProgressBar};
use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    DescribeExportInput, DescribeTableInput, ExportFormat, ExportStatus,
    ExportTableToPointInTimeInput, ScanInput,
};
use siltdb::dynamo::DynamoDb;
use siltdb_server::json::item_to_json;
use siltdb_server::transfer::export::ExportRead;
use siltdb_server::transfer::Transfers;

use super::{close, dynamo, open_db, progress, taking};
use crate::cli::ExportArgs;

/// Runs `siltdb export`.
pub fn run(args: ExportArgs) -> Result<(), String> {
    if let Some(root) = &args.s3_root {
        return to_s3(&args, root);
    }
    let db = open_db(&args.data_dir, false, false)?;
    let started = Instant::now();
    let result = if args.out == Path::new("-") {
        let mut out = BufWriter::new(std::io::stdout().lock());
        export(&db, &args.table, &mut out).and_then(|n| {
            out.flush()
                .map_err(|e| format!("writing to stdout: {e}"))
                .map(|()| n)
        })
    } else {
        to_file(&db, &args.table, &args.out)
    };
    let exported = close(db, result)?;
    eprintln!(
        "exported {} items from {} {}",
        HumanCount(exported),
        args.table,
        taking(exported, "items", started.elapsed())
    );
    Ok(())
}

/// `siltdb export --s3-root`: the code of ExportTableToPointInTime, run
/// on the opened database, waited for with a spinner. The database is
/// opened alone, so the table is exported as it is, whether or not
/// point-in-time recovery is enabled on it (the service requires it).
fn to_s3(args: &ExportArgs, root: &Path) -> Result<(), String> {
    let format = ExportFormat::parse(&args.format)
        .ok_or_else(|| format!("--format {}: give DYNAMODB_JSON or ION", args.format))?;
    let db = std::sync::Arc::new(open_db(&args.data_dir, false, false)?);
    let result = (|| {
        let transfers = Transfers::open(std::sync::Arc::clone(&db), root, Some(&args.data_dir))?;
        let started = transfers
            .start_export(
                &db,
                ExportTableToPointInTimeInput {
                    table_arn: db.table_arn(&args.table),
                    s3_bucket: args.bucket.clone().unwrap_or_default(),
                    s3_prefix: args.prefix.clone(),
                    export_format: Some(format),
                    ..ExportTableToPointInTimeInput::default()
                },
                ExportRead::Offline,
            )
            .map_err(|e| format!("exporting {}: {}", args.table, dynamo(&e)))?
            .export_description;
        let bar = progress(None, "exporting {msg}");
        bar.set_message(args.table.clone());
        let done = loop {
            let d = transfers
                .describe_export(
                    &db,
                    DescribeExportInput {
                        export_arn: started.export_arn.clone(),
                    },
                )
                .map_err(|e| dynamo(&e))?
                .export_description;
            if d.export_status != ExportStatus::InProgress {
                break d;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        bar.finish_and_clear();
        match done.export_status {
            ExportStatus::Completed => {
                eprintln!(
                    "exported {} items from {} to {}",
                    done.item_count.unwrap_or(0),
                    args.table,
                    done.export_manifest.unwrap_or_default()
                );
                Ok(())
            }
            _ => Err(format!(
                "export failed: {}: {}",
                done.failure_code.unwrap_or_default(),
                done.failure_message.unwrap_or_default()
            )),
        }
    })();
    db.close()
        .map_err(|e| format!("closing the database: {e}"))?;
    result
}

/// Exports into the file `path`: created (or truncated), fsynced at the
/// end, removed if anything fails.
fn to_file(db: &DynamoDb, table: &str, path: &Path) -> Result<u64, String> {
    let file = File::create(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
    let mut out = BufWriter::new(file);
    let result = export(db, table, &mut out).and_then(|n| {
        out.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .map_err(|e| format!("writing {}: {e}", path.display()))
            .map(|()| n)
    });
    if result.is_err() {
        // Best effort: a half-written export must not pass for a whole one.
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Writes every item of `table` to `out`, one `{"Item":{...}}` line each;
/// returns how many.
pub(crate) fn export(db: &DynamoDb, table: &str, out: &mut dyn Write) -> Result<u64, String> {
    // DescribeTable counts the items with a pass over the table: worth it
    // only when someone watches the bar.
    let bar = if std::io::stderr().is_terminal() {
        let described = db
            .describe_table(DescribeTableInput {
                table_name: table.to_string(),
            })
            .map_err(|e| format!("table {table}: {}", dynamo(&e)))?;
        let count = u64::try_from(described.table.item_count).unwrap_or(0);
        progress(
            Some(count),
            "{human_pos}/{human_len} items ({items_per_sec}, {eta} left)",
        )
    } else {
        progress(None, "{human_pos} items ({items_per_sec})")
    };
    let result = scan_into(db, table, out, &bar);
    bar.finish_and_clear();
    result
}

/// The Scan loop of [`export`].
fn scan_into(
    db: &DynamoDb,
    table: &str,
    out: &mut dyn Write,
    bar: &ProgressBar,
) -> Result<u64, String> {
    let mut written = 0u64;
    let mut start = None;
    let mut line = Vec::new();
    loop {
        let page = db
            .scan(ScanInput {
                table_name: table.to_string(),
                consistent_read: Some(true),
                exclusive_start_key: start.take(),
                ..ScanInput::default()
            })
            .map_err(|e| format!("scanning {table}: {}", dynamo(&e)))?;
        for item in page.items.unwrap_or_default() {
            let mut wrapper = Map::with_capacity(1);
            wrapper.insert("Item".to_string(), item_to_json(&item));
            line.clear();
            serde_json::to_writer(&mut line, &Value::Object(wrapper))
                .map_err(|e| format!("encoding an item: {e}"))?;
            line.push(b'\n');
            out.write_all(&line)
                .map_err(|e| format!("writing the export: {e}"))?;
            written += 1;
        }
        bar.set_position(written);
        match page.last_evaluated_key {
            Some(key) => start = Some(key),
            None => return Ok(written),
        }
    }
}
