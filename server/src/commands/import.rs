//! `siltdb import`: DynamoDB JSON lines into a table.
//!
//! Reads the format `siltdb export` writes and DynamoDB's export to S3
//! (`DYNAMODB_JSON`) and import from S3 use (Developer Guide, "Amazon S3
//! import formats for DynamoDB", DynamoDB JSON): one `{"Item":{...}}` object
//! per line, each attribute in DynamoDB's marshalled JSON. Blank lines are
//! skipped; an object with any member other than `Item` is refused (an
//! incremental export's `NewImage`/`OldImage` lines are not a table's
//! items). A gzip-compressed file (DynamoDB's data objects are
//! `*.json.gz`) is recognised by its magic bytes and decompressed as it is
//! read, which the command says on standard error; standard input is read
//! as it comes (`gunzip -c` first).
//!
//! The database and the table must exist, unless `--create-from` names a
//! CreateTable request in JSON to create the table with (its `TableName`
//! replaced by `--table`); then the database is created too if missing, and
//! an existing table of that name is an error.
//!
//! Items are written 25 at a time with BatchWriteItem, each batch one
//! atomic engine write. Every item is checked by DynamoDB's rules (key
//! schema, types, the 400 KB limit); a batch DynamoDB's validation refuses
//! is replayed item by item with PutItem, so the error names its line, and
//! a key repeated within a batch ends up with its last line's item, as
//! sequential puts would leave it.
//!
//! Import stops at the first bad line; every item on the lines before it is
//! imported (puts are idempotent: fix the line and run the import again).
//! Writes are not synced one by one; the WAL is synced when the database is
//! closed at the end, so a finished import is durable.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Instant;

use flate2::read::MultiGzDecoder;
use indicatif::{HumanCount, ProgressBar};
use serde_json::Value;
use siltdb::dynamo::api::{
    BatchWriteItemInput, CreateTableInput, DescribeImportInput, ImportStatus, ImportTableInput,
    InputCompressionType, InputFormat, PutItemInput, PutRequest, S3BucketSource, ScanInput,
    WriteRequest,
};
use siltdb::dynamo::{DynamoDb, DynamoError, Item};
use siltdb_server::json::decode_request;
use siltdb_server::transfer::formats::parse_dynamodb_json_line;
use siltdb_server::transfer::Transfers;
use siltdb_server::{Operation, Request};

use super::{close, dynamo, open_db, progress, taking};
use crate::cli::ImportArgs;

/// Items per BatchWriteItem: DynamoDB's limit.
const BATCH: usize = 25;

/// Runs `siltdb import`.
pub fn run(args: ImportArgs) -> Result<(), String> {
    if let Some(root) = &args.s3_root {
        return from_s3(&args, root);
    }
    // Read everything that can be wrong before the database is touched.
    let create = match &args.create_from {
        Some(path) => Some(create_table_input(path, &args.table)?),
        None => None,
    };
    let (input, len): (Box<dyn Read>, Option<u64>) = if args.input == Path::new("-") {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let mut file = File::open(&args.input)
            .map_err(|e| format!("opening {}: {e}", args.input.display()))?;
        let len = file.metadata().ok().map(|m| m.len());
        if is_gzip(&mut file).map_err(|e| format!("reading {}: {e}", args.input.display()))? {
            // DynamoDB's exports to S3 are gzipped: read them as they are.
            eprintln!(
                "{} is gzip-compressed: decompressing as it is read",
                args.input.display()
            );
            (Box::new(MultiGzDecoder::new(BufReader::new(file))), None)
        } else {
            (Box::new(file), len)
        }
    };
    let db = open_db(&args.data_dir, create.is_some(), false)?;
    let started = Instant::now();
    let result = prepare_table(&db, &args.table, create).and_then(|()| {
        let bar = match len {
            Some(_) => progress(
                len,
                "{bytes}/{total_bytes} ({bytes_per_sec}, {eta} left) {msg}",
            ),
            None => progress(None, "{bytes} read ({bytes_per_sec}) {msg}"),
        };
        let mut importer = Importer {
            db: &db,
            table: &args.table,
            pending: Vec::with_capacity(BATCH),
            imported: 0,
            bar: &bar,
        };
        let result = importer.run(input);
        bar.finish_and_clear();
        result
    });
    let imported = close(db, result)?;
    eprintln!(
        "imported {} items into {} {}",
        HumanCount(imported),
        args.table,
        taking(imported, "items", started.elapsed())
    );
    Ok(())
}

/// `siltdb import --s3-root`: the code of ImportTable, run on the opened
/// database, waited for with a spinner.
fn from_s3(args: &ImportArgs, root: &Path) -> Result<(), String> {
    let format = InputFormat::parse(&args.input_format).ok_or_else(|| {
        format!(
            "--input-format {}: give DYNAMODB_JSON, ION or CSV",
            args.input_format
        )
    })?;
    let compression = InputCompressionType::parse(&args.compression).ok_or_else(|| {
        format!(
            "--compression {}: give GZIP, ZSTD or NONE",
            args.compression
        )
    })?;
    let Some(create) = &args.create_from else {
        return Err("--s3-root needs --create-from".to_string());
    };
    let params = create_table_input(create, &args.table)?;
    let db = std::sync::Arc::new(open_db(&args.data_dir, true, false)?);
    let result = (|| {
        let transfers = Transfers::open(std::sync::Arc::clone(&db), root, Some(&args.data_dir))?;
        let started = transfers
            .import_table(
                &db,
                ImportTableInput {
                    s3_bucket_source: S3BucketSource {
                        s3_bucket: args.bucket.clone().unwrap_or_default(),
                        s3_key_prefix: args.prefix.clone(),
                        s3_bucket_owner: None,
                    },
                    input_format: format,
                    input_compression_type: Some(compression),
                    table_creation_parameters: params,
                    ..ImportTableInput::default()
                },
            )
            .map_err(|e| format!("importing into {}: {}", args.table, dynamo(&e)))?
            .import_table_description;
        let bar = progress(None, "{msg}");
        let done = loop {
            let d = transfers
                .describe_import(
                    &db,
                    DescribeImportInput {
                        import_arn: started.import_arn.clone(),
                    },
                )
                .map_err(|e| dynamo(&e))?
                .import_table_description;
            bar.set_message(format!(
                "{} items read, {} imported, {} errors",
                d.processed_item_count, d.imported_item_count, d.error_count
            ));
            if d.import_status != ImportStatus::InProgress {
                break d;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        bar.finish_and_clear();
        eprintln!(
            "imported {} of {} items into {} ({} errors)",
            done.imported_item_count, done.processed_item_count, args.table, done.error_count
        );
        match done.import_status {
            ImportStatus::Completed => Ok(()),
            _ => Err(format!(
                "import {}: {}: {}",
                done.import_status.as_str(),
                done.failure_code.unwrap_or_default(),
                done.failure_message.unwrap_or_default()
            )),
        }
    })();
    db.close()
        .map_err(|e| format!("closing the database: {e}"))?;
    result
}

/// Whether `file` starts with gzip's magic bytes (`1f 8b`); leaves it at
/// its start.
fn is_gzip(file: &mut File) -> std::io::Result<bool> {
    use std::io::{Seek, SeekFrom};
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < magic.len() {
        match file.read(magic.get_mut(got..).unwrap_or_default())? {
            0 => break,
            n => got += n,
        }
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(got == 2 && magic == [0x1f, 0x8b])
}

/// Reads the CreateTable request in `path`, naming the table `table`.
fn create_table_input(path: &Path, table: &str) -> Result<CreateTableInput, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let Value::Object(mut request) = value else {
        return Err(format!(
            "{}: expected a CreateTable request, a JSON object",
            path.display()
        ));
    };
    request.insert("TableName".to_string(), Value::String(table.to_string()));
    match decode_request(Operation::CreateTable, &Value::Object(request)) {
        Ok(Request::CreateTable(input)) => Ok(input),
        Ok(_) => Err("internal error: a CreateTable body decoded as another request".to_string()),
        Err(e) => Err(format!("{}: {}", path.display(), dynamo(&e))),
    }
}

/// Creates the table from `create`, or checks that it exists.
fn prepare_table(
    db: &DynamoDb,
    table: &str,
    create: Option<CreateTableInput>,
) -> Result<(), String> {
    match create {
        Some(input) => db
            .create_table(input)
            .map(|_| ())
            .map_err(|e| format!("creating table {table}: {}", dynamo(&e))),
        None => db
            .scan(ScanInput {
                table_name: table.to_string(),
                limit: Some(1),
                ..ScanInput::default()
            })
            .map(|_| ())
            .map_err(|e| match e {
                DynamoError::ResourceNotFoundException(_) => {
                    format!("table {table} does not exist (create it, or pass --create-from)")
                }
                e => format!("table {table}: {}", dynamo(&e)),
            }),
    }
}

/// The state of one import.
struct Importer<'a> {
    db: &'a DynamoDb,
    table: &'a str,
    /// Items read but not yet written, with their line numbers.
    pending: Vec<(u64, Item)>,
    /// Items written so far.
    imported: u64,
    bar: &'a ProgressBar,
}

impl Importer<'_> {
    /// Imports every line of `input`; returns the number of items written.
    fn run(&mut self, input: impl Read) -> Result<u64, String> {
        let mut reader = BufReader::with_capacity(1 << 20, input);
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line);
            number += 1;
            let parsed = match read {
                Ok(0) => break,
                Ok(n) => {
                    // Bytes consumed, not read ahead: the bar's rate and ETA
                    // follow the import, not the 1 MiB buffer refills.
                    self.bar.inc(n as u64);
                    parse_line(&line)
                }
                Err(e) => Err(format!("reading: {e}")),
            };
            match parsed {
                Ok(Some(item)) => {
                    self.pending.push((number, item));
                    if self.pending.len() == BATCH {
                        self.flush()?;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    // Everything before the bad line goes in, as promised.
                    self.flush()?;
                    return Err(format!(
                        "line {number}: {e} ({} items on the lines before it were imported)",
                        self.imported
                    ));
                }
            }
        }
        self.flush()?;
        Ok(self.imported)
    }

    /// Writes the pending items.
    fn flush(&mut self) -> Result<(), String> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let requests = self
            .pending
            .iter()
            .map(|(_, item)| WriteRequest::Put(PutRequest { item: item.clone() }))
            .collect();
        let input = BatchWriteItemInput {
            request_items: [(self.table.to_string(), requests)].into(),
            ..BatchWriteItemInput::default()
        };
        match self.db.batch_write_item(input) {
            Ok(out) if out.unprocessed_items.values().all(Vec::is_empty) => {
                self.imported += self.pending.len() as u64;
                self.pending.clear();
            }
            // Unprocessed items, or a batch refused as a whole: one by one,
            // in line order, so a failure names its line.
            Ok(_) | Err(DynamoError::ValidationException(_)) => self.put_one_by_one()?,
            Err(e) => {
                let first = self.pending.first().map_or(0, |(n, _)| *n);
                let last = self.pending.last().map_or(0, |(n, _)| *n);
                return Err(format!(
                    "lines {first}-{last}: {} ({} items on the lines before them were imported)",
                    dynamo(&e),
                    self.imported
                ));
            }
        }
        self.bar.set_message(format!("{} items", self.imported));
        Ok(())
    }

    /// Writes the pending items with PutItem, in order, stopping at the
    /// first failure.
    fn put_one_by_one(&mut self) -> Result<(), String> {
        for (number, item) in std::mem::take(&mut self.pending) {
            self.db
                .put_item(PutItemInput {
                    table_name: self.table.to_string(),
                    item,
                    ..PutItemInput::default()
                })
                .map_err(|e| {
                    format!(
                        "line {number}: {} ({} items on the lines before it were imported)",
                        dynamo(&e),
                        self.imported
                    )
                })?;
            self.imported += 1;
        }
        Ok(())
    }
}

/// Reads one line: `Ok(None)` for a blank one (the reader ImportTable
/// uses for DYNAMODB_JSON).
fn parse_line(line: &[u8]) -> Result<Option<Item>, String> {
    parse_dynamodb_json_line(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_items_wrapped_in_item() {
        let item = parse_line(br#"{"Item":{"pk":{"S":"a"},"n":{"N":"1.0"}}}"#)
            .expect("valid")
            .expect("an item");
        assert_eq!(item.len(), 2);
        assert_eq!(parse_line(b"  \r\n").expect("blank"), None);
        let e = parse_line(br#"{"pk":{"S":"a"}}"#).expect_err("bare item");
        assert!(e.contains(r#"no "Item" member"#), "{e}");
        let e = parse_line(br#"{"Item":{"pk":{"S":"a"}},"Keys":{}}"#).expect_err("extra");
        assert!(e.contains(r#"unexpected member "Keys""#), "{e}");
        let e = parse_line(br#"{"Item":{"pk":{"SS":[]}}}"#).expect_err("empty set");
        assert!(e.starts_with("ValidationException: "), "{e}");
        let e = parse_line(b"{\"Item\":").expect_err("cut short");
        assert!(e.starts_with("not JSON"), "{e}");
        let e = parse_line(b"[1]").expect_err("array");
        assert!(e.starts_with("expected an object"), "{e}");
    }
}
