//! ExportTableToPointInTime, DescribeExport, ListExports: a table written
//! to a bucket in the layout DynamoDB writes (Developer Guide, "DynamoDB
//! table export output format"):
//!
//! ```text
//! <prefix>/AWSDynamoDB/<export id>/_started
//! <prefix>/AWSDynamoDB/<export id>/data/<name>.json.gz     (or .ion.gz)
//! <prefix>/AWSDynamoDB/<export id>/manifest-files.json     (+ .checksum)
//! <prefix>/AWSDynamoDB/<export id>/manifest-summary.json   (+ .checksum)
//! ```
//!
//! except that an INCREMENTAL_EXPORT's data files go to the folder its
//! bucket and prefix share, `<prefix>/AWSDynamoDB/data/<name>.json.gz`:
//! the guide's summary manifest "allows you to know which data files in
//! the shared data folder are associated with this export", and a real
//! incremental export's `manifest-files.json` names keys
//! `AWSDynamoDB/data/<26 base32 characters>.json.gz` (a recorded export,
//! github.com/gurre/ddb-pitr, `s3exportdata/`; the guide's own
//! incremental section could not be read here). Readers find an export's
//! files through its manifest, never by listing.
//!
//! The table must have point-in-time recovery enabled, as DynamoDB
//! requires (`siltdb export` on a data directory is the exception:
//! [`ExportRead::Offline`]). The items are those of an engine snapshot
//! taken when the request is accepted ([`siltdb::dynamo::TableSnapshot`]):
//! the table as of that moment, whatever is written meanwhile. Each data file is gzip, one item
//! per line (`{"Item":{...}}` or `$ion_1_0 {Item:{...}}`); the files
//! manifest has one JSON line per data file (`itemCount`, `md5Checksum`
//! — base64 of the file's MD5 —, `etag` — its hex MD5, what S3 gives a
//! single-part upload —, `dataFileS3Key`); the summary is written last.
//! A `.checksum` file holds the hex MD5 of its manifest (the guide names
//! these files without saying what they hold; this is siltdb's choice).
//! Every key written is the object's full key, prefix included.
//!
//! No export writes or replaces another's object: a data file is created
//! only where none exists ([`write_new`]; on a clash the next of its
//! candidate names is taken), and `_started`, created the same way, claims
//! the `<export id>/` folder before anything is written in it. A data
//! file is whole before its manifest names it, and the summary is written
//! after everything else, so a crash never leaves a summary leading to a
//! missing or partial file (a crash can leave data files no manifest
//! names, in the shared folder too; they are never read through one).
//!
//! An INCREMENTAL_EXPORT writes the items changed in a period instead
//! ([`super::incremental`]).
//!
//! `ExportTime` in the past exports the table as it was at the end of that
//! second, read from the point-in-time recovery history the way
//! RestoreTableToPointInTime reads it
//! ([`siltdb::dynamo::DynamoDb::export_snapshot`]); outside the window,
//! `EarliestRestorableDateTime` to now, it is `InvalidExportTimeException`.

use std::io::Write;

use base64::Engine as _;
use flate2::write::GzEncoder;
use md5::{Digest, Md5};
use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    DescribeExportInput, DescribeExportOutput, ExportDescription, ExportFormat, ExportStatus,
    ExportSummary, ExportTableToPointInTimeInput, ExportTableToPointInTimeOutput, ExportType,
    IncrementalExportSpecification, ListExportsInput, ListExportsOutput, TableDescription,
};
use siltdb::dynamo::clock::calendar::civil_from_days;
use siltdb::dynamo::{item_size, DynamoDb, DynamoError, TableChanges, TableSnapshot};

use super::formats::dynamodb_json_line;
use super::incremental::{self, Period};
use super::store::{is_bucket_name, object_path, write_atomically, write_new};
use super::{page, Job, Transfers};

/// Items per data file at most (DynamoDB writes one or more per partition;
/// siltdb, one per this many items, and one empty file for an empty table).
pub const ITEMS_PER_FILE: usize = 100_000;

fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

/// `2020-11-04T07:28:34.028Z`.
pub fn iso8601(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let ms = millis.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// `<prefix>/AWSDynamoDB/`: where every export to a bucket and prefix
/// writes.
fn dynamodb_root(prefix: Option<&str>) -> String {
    match prefix.filter(|p| !p.is_empty()) {
        Some(p) if p.ends_with('/') => format!("{p}AWSDynamoDB/"),
        Some(p) => format!("{p}/AWSDynamoDB/"),
        None => "AWSDynamoDB/".to_string(),
    }
}

/// The directory prefix of an export's objects: `<prefix>/AWSDynamoDB/<id>/`
/// (an id, `<14 digits>-<8 hex digits>`, is never the shared `data`).
fn export_root(prefix: Option<&str>, id: &str) -> String {
    format!("{}{id}/", dynamodb_root(prefix))
}

/// The folder of an export's data files: its own `<id>/data/` for a full
/// export, the shared `<prefix>/AWSDynamoDB/data/` for an incremental one.
fn data_folder(prefix: Option<&str>, id: &str, export_type: ExportType) -> String {
    match export_type {
        ExportType::FullExport => format!("{}data/", export_root(prefix, id)),
        ExportType::IncrementalExport => format!("{}data/", dynamodb_root(prefix)),
    }
}

/// True if `input` asks for what the export `d` was started for: a retry
/// with the same ClientToken. `at_millis` and `period` are the request's
/// ExportTime and incremental period as read; members the request leaves
/// out (ExportTime, ExportToTime: "now") match whatever `d` took.
fn same_request(
    d: &ExportDescription,
    input: &ExportTableToPointInTimeInput,
    at_millis: Option<i64>,
    period: Option<&incremental::Period>,
) -> bool {
    let given_to = input
        .incremental_export_specification
        .as_ref()
        .and_then(|s| s.export_to_time);
    let same_period = match (period, &d.incremental_export_specification) {
        (None, None) => true,
        (Some(p), Some(s)) => {
            s.export_from_time == Some(seconds(p.from_millis))
                && (given_to.is_none() || s.export_to_time == Some(seconds(p.to_millis)))
                && s.export_view_type == Some(p.view)
        }
        _ => false,
    };
    d.table_arn.as_deref() == Some(input.table_arn.as_str())
        && d.s3_bucket.as_deref() == Some(input.s3_bucket.as_str())
        && d.s3_prefix == input.s3_prefix
        && d.export_format == Some(input.export_format.unwrap_or_default())
        && d.export_type == Some(input.export_type.unwrap_or_default())
        && at_millis.is_none_or(|t| d.export_time == Some(seconds(t)))
        && same_period
}

/// What an export reads the table from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportRead {
    /// ExportTableToPointInTime: the table must have point-in-time
    /// recovery enabled, as DynamoDB requires.
    PointInTimeRecovery,
    /// `siltdb export --s3-root` on a data directory it has opened alone:
    /// the table as it is, with or without point-in-time recovery.
    Offline,
}

impl Transfers {
    /// `ExportTableToPointInTime`.
    pub fn export_table_to_point_in_time(
        &self,
        db: &DynamoDb,
        input: ExportTableToPointInTimeInput,
    ) -> Result<ExportTableToPointInTimeOutput, DynamoError> {
        self.start_export(db, input, ExportRead::PointInTimeRecovery)
    }

    /// Starts an export reading as `read` says.
    pub fn start_export(
        &self,
        db: &DynamoDb,
        input: ExportTableToPointInTimeInput,
        read: ExportRead,
    ) -> Result<ExportTableToPointInTimeOutput, DynamoError> {
        let now = db.now_millis();
        let incremental = match input.export_type.unwrap_or_default() {
            ExportType::IncrementalExport if read == ExportRead::Offline => {
                return Err(DynamoError::validation(
                    "siltdb export writes FULL_EXPORT only: an incremental export needs the server's point-in-time recovery window",
                ))
            }
            ExportType::IncrementalExport => Some(incremental::period(&input, now)?),
            ExportType::FullExport if input.incremental_export_specification.is_some() => {
                // Undocumented wording.
                return Err(DynamoError::validation(
                    "IncrementalExportSpecification can only be specified when ExportType is INCREMENTAL_EXPORT",
                ));
            }
            ExportType::FullExport => None,
        };
        let at_millis = match input.export_time {
            None => None,
            Some(t) if t.is_finite() => Some((t * 1000.0).floor() as i64),
            // Undocumented wording: a JSON number is always finite, so
            // only a library caller reaches this.
            Some(t) => return Err(DynamoError::validation(format!("Invalid ExportTime: {t}"))),
        };
        if read == ExportRead::Offline && at_millis.is_some() {
            return Err(DynamoError::validation(
                "siltdb export exports the table as it is: it takes no ExportTime",
            ));
        }
        if !is_bucket_name(&input.s3_bucket) {
            return Err(DynamoError::validation(format!(
                "1 validation error detected: Value '{}' at 's3Bucket' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$",
                input.s3_bucket
            )));
        }
        if let Some(token) = &input.client_token {
            let previous = self.jobs().values().find_map(|j| match j {
                Job::Export(e) if e.client_token.as_ref() == Some(token) => Some(e.clone()),
                _ => None,
            });
            if let Some(previous) = previous {
                if same_request(&previous, &input, at_millis, incremental.as_ref()) {
                    return Ok(ExportTableToPointInTimeOutput {
                        export_description: previous,
                    });
                }
                // The API reference's description of the exception.
                return Err(DynamoError::ExportConflictException(
                    "There was a conflict when writing to the specified S3 bucket.".to_string(),
                ));
            }
        }
        let source = match (read, incremental) {
            (_, Some(p)) => db
                .export_changes(&input.table_arn, p.from_millis, p.to_millis)
                .map(|c| Source::Changes(c, p)),
            (ExportRead::PointInTimeRecovery, None) => db
                .export_snapshot(&input.table_arn, at_millis)
                .map(Source::Items),
            (ExportRead::Offline, None) => db.snapshot_table(&input.table_arn).map(Source::Items),
        };
        let source = match source {
            Ok(s) => s,
            Err(DynamoError::ResourceNotFoundException(_)) => {
                return Err(DynamoError::TableNotFoundException(format!(
                    "Table not found: {}",
                    input.table_arn
                )))
            }
            Err(e) => return Err(e),
        };
        let id = self.new_id();
        let table = source.description();
        let table_arn = table.table_arn.clone();
        let d = ExportDescription {
            export_arn: format!("{table_arn}/export/{id}"),
            export_status: ExportStatus::InProgress,
            start_time: Some(seconds(now)),
            end_time: None,
            export_manifest: None,
            table_arn: Some(table_arn),
            table_id: Some(table.table_id.clone()),
            export_time: match incremental {
                Some(_) => None,
                None => Some(seconds(at_millis.unwrap_or(now))),
            },
            client_token: input.client_token.clone(),
            s3_bucket: Some(input.s3_bucket.clone()),
            s3_bucket_owner: input.s3_bucket_owner.clone(),
            s3_prefix: input.s3_prefix.clone(),
            s3_sse_algorithm: input.s3_sse_algorithm,
            s3_sse_kms_key_id: input.s3_sse_kms_key_id.clone(),
            failure_code: None,
            failure_message: None,
            export_format: Some(input.export_format.unwrap_or_default()),
            billed_size_bytes: None,
            item_count: None,
            export_type: Some(input.export_type.unwrap_or_default()),
            incremental_export_specification: incremental.map(|p| IncrementalExportSpecification {
                export_from_time: Some(seconds(p.from_millis)),
                export_to_time: Some(seconds(p.to_millis)),
                export_view_type: Some(p.view),
            }),
        };
        self.persist(&id, &Job::Export(d.clone()))?;
        let service = self.clone();
        let job_id = id.clone();
        std::thread::Builder::new()
            .name("siltdb-export".to_string())
            .spawn(move || service.run_export(&job_id, source))
            .map_err(|e| DynamoError::InternalServerError(format!("starting the export: {e}")))?;
        Ok(ExportTableToPointInTimeOutput {
            export_description: d,
        })
    }

    /// `DescribeExport`.
    pub fn describe_export(
        &self,
        _db: &DynamoDb,
        input: DescribeExportInput,
    ) -> Result<DescribeExportOutput, DynamoError> {
        match self.by_arn(&input.export_arn, "export") {
            Some((_, Job::Export(d))) => Ok(DescribeExportOutput {
                export_description: d,
            }),
            _ => Err(DynamoError::ExportNotFoundException(format!(
                "Export not found: {}",
                input.export_arn
            ))),
        }
    }

    /// `ListExports`: oldest first, `MaxResults` (default 25) per page.
    pub fn list_exports(
        &self,
        _db: &DynamoDb,
        input: ListExportsInput,
    ) -> Result<ListExportsOutput, DynamoError> {
        let jobs: Vec<(String, ExportSummary)> = self
            .jobs()
            .iter()
            .filter_map(|(id, j)| match j {
                Job::Export(e)
                    if input
                        .table_arn
                        .as_ref()
                        .is_none_or(|t| e.table_arn.as_ref() == Some(t)) =>
                {
                    Some((
                        id.clone(),
                        ExportSummary {
                            export_arn: e.export_arn.clone(),
                            export_status: e.export_status,
                            export_type: e.export_type.unwrap_or_default(),
                        },
                    ))
                }
                _ => None,
            })
            .collect();
        let limit = usize::try_from(input.max_results.unwrap_or(25)).unwrap_or(25);
        let (export_summaries, next_token) = page(jobs, input.next_token.as_deref(), limit)?;
        Ok(ListExportsOutput {
            export_summaries,
            next_token,
        })
    }

    /// The export thread.
    fn run_export(&self, id: &str, source: Source) {
        let Some(Job::Export(d)) = self.jobs().get(id).cloned() else {
            return;
        };
        let outcome = write_export(self, id, &d, source);
        let now = self.db().now_millis();
        let job = self.update(id, |job| {
            if let Job::Export(e) = job {
                e.end_time = Some(seconds(now));
                match &outcome {
                    Ok(w) => {
                        e.export_status = ExportStatus::Completed;
                        e.export_manifest = Some(w.summary_key.clone());
                        e.item_count = Some(w.items);
                        e.billed_size_bytes = Some(w.size);
                    }
                    Err((code, message)) => {
                        e.export_status = ExportStatus::Failed;
                        e.failure_code = Some(code.clone());
                        e.failure_message = Some(message.clone());
                    }
                }
            }
        });
        if let Some(job) = job {
            if let Err(e) = self.persist(id, &job) {
                tracing::error!(export = %id, error = %e, "recording the end of an export");
            }
        }
    }
}

/// What an export reads: a table's items, or an incremental export's
/// changes.
#[expect(
    clippy::large_enum_variant,
    reason = "one per export, moved once to its thread; boxing would only add indirection"
)]
enum Source {
    Items(TableSnapshot),
    Changes(TableChanges, Period),
}

/// An export's data lines, each with the size it is billed for.
type Lines = Box<dyn Iterator<Item = Result<(Vec<u8>, i64), String>> + Send>;

impl Source {
    fn description(&self) -> &TableDescription {
        match self {
            Source::Items(s) => &s.description,
            Source::Changes(c, _) => c.description(),
        }
    }

    /// The data lines, each with the size it is billed for.
    fn lines(self, format: ExportFormat) -> Lines {
        match self {
            Source::Items(snapshot) => Box::new(snapshot.map(move |item| {
                let item = item.map_err(|e| e.message().to_string())?;
                let mut line = Vec::new();
                match format {
                    ExportFormat::DynamodbJson => dynamodb_json_line(&item, &mut line)?,
                    ExportFormat::Ion => {
                        let mut text = String::new();
                        super::ion::write_item(&item, &mut text);
                        line = text.into_bytes();
                    }
                }
                Ok((line, i64::try_from(item_size(&item)).unwrap_or(i64::MAX)))
            })),
            Source::Changes(changes, period) => Box::new(changes.map(move |change| {
                let change = change.map_err(|e| e.message().to_string())?;
                incremental::line(&change, &period, format)
            })),
        }
    }
}

/// What a finished export wrote.
struct Written {
    summary_key: String,
    items: i64,
    size: i64,
}

/// One data file being written: the `n`th of its export.
struct DataFile {
    n: usize,
    gz: GzEncoder<Vec<u8>>,
    items: i64,
}

/// Names tried for one data file before the export fails: another is
/// taken only when an object already has the name, which two exports
/// cannot cause unless their ids clash (same millisecond and random part).
const NAME_ATTEMPTS: u32 = 8;

fn md5_of(bytes: &[u8]) -> [u8; 16] {
    Md5::digest(bytes).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The name of export `id`'s `n`th data file, the `attempt`th candidate:
/// 26 characters of base32, as DynamoDB's are.
fn data_file_name(id: &str, n: usize, attempt: u32) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let seed = match attempt {
        0 => format!("{id}/{n}"),
        a => format!("{id}/{n}/{a}"),
    };
    let digest = md5_of(seed.as_bytes());
    let mut bits: u128 = u128::from_be_bytes(digest);
    let mut name = String::with_capacity(26);
    for _ in 0..26 {
        name.push(char::from(ALPHABET[(bits & 31) as usize]));
        bits >>= 5;
    }
    name
}

/// Creates export `id`'s `n`th data file in `folder` under the first of
/// its candidate names no object has, through `create` (`Ok(false)`: that
/// name is taken, nothing was written); its key.
fn place_data_file(
    folder: &str,
    id: &str,
    n: usize,
    extension: &str,
    mut create: impl FnMut(&str) -> Result<bool, (String, String)>,
) -> Result<String, (String, String)> {
    for attempt in 0..NAME_ATTEMPTS {
        let key = format!("{folder}{}.{extension}", data_file_name(id, n, attempt));
        if create(&key)? {
            return Ok(key);
        }
    }
    Err((
        "InternalServerError".to_string(),
        format!("every name tried for data file {n} in {folder} exists"),
    ))
}

/// Writes every file of export `id`; the error is its FailureCode and
/// FailureMessage.
fn write_export(
    service: &Transfers,
    id: &str,
    d: &ExportDescription,
    source: Source,
) -> Result<Written, (String, String)> {
    let bucket = d.s3_bucket.clone().unwrap_or_default();
    let root = service.s3_root().to_path_buf();
    if !root.join(&bucket).is_dir() {
        return Err((
            "S3NoSuchBucket".to_string(),
            "The specified bucket does not exist".to_string(),
        ));
    }
    let base = export_root(d.s3_prefix.as_deref(), id);
    let data = data_folder(
        d.s3_prefix.as_deref(),
        id,
        d.export_type.unwrap_or_default(),
    );
    let path_of = |key: &str| {
        object_path(&root, &bucket, key).ok_or_else(|| {
            (
                "S3InvalidKey".to_string(),
                format!("The object key {key} is not a valid path"),
            )
        })
    };
    let failed = |key: &str, e: std::io::Error| {
        (
            "InternalServerError".to_string(),
            format!("writing {key}: {e}"),
        )
    };
    let put = |key: &str, bytes: &[u8]| -> Result<(), (String, String)> {
        write_atomically(&path_of(key)?, bytes).map_err(|e| failed(key, e))
    };
    // `Ok(false)`: an object named `key` exists, and is left as it is.
    let put_new = |key: &str, bytes: &[u8]| -> Result<bool, (String, String)> {
        match write_new(&path_of(key)?, bytes) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(failed(key, e)),
        }
    };
    let started = format!("{base}_started");
    if !put_new(&started, b"")? {
        return Err((
            "InternalServerError".to_string(),
            format!("{started} exists: another export has this export's id"),
        ));
    }
    let format = d.export_format.unwrap_or_default();
    let extension = match format {
        ExportFormat::DynamodbJson => "json.gz",
        ExportFormat::Ion => "ion.gz",
    };
    let mut files_manifest = Vec::new();
    let mut total_items = 0i64;
    let mut total_size = 0i64;
    let mut file: Option<DataFile> = None;
    let mut n = 0usize;
    let finish = |f: DataFile, manifest: &mut Vec<u8>| -> Result<(), (String, String)> {
        let bytes = f.gz.finish().map_err(|e| {
            (
                "InternalServerError".to_string(),
                format!("compressing: {e}"),
            )
        })?;
        let key = place_data_file(&data, id, f.n, extension, |key| put_new(key, &bytes))?;
        let md5 = md5_of(&bytes);
        let mut entry = Map::new();
        entry.insert("itemCount".into(), f.items.into());
        entry.insert(
            "md5Checksum".into(),
            Value::String(base64::engine::general_purpose::STANDARD.encode(md5)),
        );
        entry.insert("etag".into(), Value::String(hex(&md5)));
        entry.insert("dataFileS3Key".into(), Value::String(key));
        serde_json::to_writer(&mut *manifest, &Value::Object(entry))
            .map_err(|e| ("InternalServerError".to_string(), e.to_string()))?;
        manifest.push(b'\n');
        Ok(())
    };
    let new_file = |n: usize| DataFile {
        n,
        gz: GzEncoder::new(Vec::new(), flate2::Compression::default()),
        items: 0,
    };
    for line in source.lines(format) {
        let (line, size) = line.map_err(|e| ("InternalServerError".to_string(), e))?;
        let f = file.get_or_insert_with(|| new_file(n));
        f.gz.write_all(&line).map_err(|e| {
            (
                "InternalServerError".to_string(),
                format!("compressing: {e}"),
            )
        })?;
        f.items += 1;
        total_items += 1;
        total_size = total_size.saturating_add(size);
        if f.items as usize >= ITEMS_PER_FILE {
            if let Some(done) = file.take() {
                finish(done, &mut files_manifest)?;
                n += 1;
            }
        }
    }
    match file.take() {
        Some(f) => finish(f, &mut files_manifest)?,
        // An empty table still has one (empty) data file.
        None if n == 0 => finish(new_file(0), &mut files_manifest)?,
        None => {}
    }
    let files_key = format!("{base}manifest-files.json");
    put(&files_key, &files_manifest)?;
    put(
        &format!("{base}manifest-files.checksum"),
        hex(&md5_of(&files_manifest)).as_bytes(),
    )?;
    let now = service.db().now_millis();
    let millis = |s: Option<f64>| (s.unwrap_or(0.0) * 1000.0).round() as i64;
    let incremental = d.incremental_export_specification.as_ref();
    let mut summary = Map::new();
    // The incremental summary's version and members are those of the
    // example DynamoDB documents for it.
    let version = if incremental.is_some() {
        "2023-08-01"
    } else {
        "2020-06-30"
    };
    summary.insert("version".into(), version.into());
    summary.insert("exportArn".into(), d.export_arn.clone().into());
    summary.insert("startTime".into(), iso8601(millis(d.start_time)).into());
    summary.insert("endTime".into(), iso8601(now).into());
    summary.insert("tableArn".into(), d.table_arn.clone().into());
    summary.insert("tableId".into(), d.table_id.clone().into());
    match incremental {
        Some(spec) => {
            summary.insert(
                "exportFromTime".into(),
                iso8601(millis(spec.export_from_time)).into(),
            );
            summary.insert(
                "exportToTime".into(),
                iso8601(millis(spec.export_to_time)).into(),
            );
        }
        None => {
            summary.insert("exportTime".into(), iso8601(millis(d.export_time)).into());
        }
    }
    summary.insert("s3Bucket".into(), bucket.clone().into());
    summary.insert("s3Prefix".into(), d.s3_prefix.clone().into());
    summary.insert(
        "s3SseAlgorithm".into(),
        d.s3_sse_algorithm.map(|a| a.as_str()).into(),
    );
    summary.insert("s3SseKmsKeyId".into(), d.s3_sse_kms_key_id.clone().into());
    summary.insert("manifestFilesS3Key".into(), files_key.into());
    summary.insert("billedSizeBytes".into(), total_size.into());
    summary.insert("itemCount".into(), total_items.into());
    summary.insert("outputFormat".into(), format.as_str().into());
    if let Some(spec) = incremental {
        summary.insert(
            "outputView".into(),
            spec.export_view_type.unwrap_or_default().as_str().into(),
        );
    }
    summary.insert(
        "exportType".into(),
        d.export_type.unwrap_or_default().as_str().into(),
    );
    let summary = serde_json::to_vec(&Value::Object(summary))
        .map_err(|e| ("InternalServerError".to_string(), e.to_string()))?;
    put(
        &format!("{base}manifest-summary.checksum"),
        hex(&md5_of(&summary)).as_bytes(),
    )?;
    // The summary last: when it exists, every file it leads to does.
    let summary_key = format!("{base}manifest-summary.json");
    put(&summary_key, &summary)?;
    Ok(Written {
        summary_key,
        items: total_items,
        size: total_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_names() {
        assert_eq!(iso8601(1_604_474_914_028), "2020-11-04T07:28:34.028Z");
        assert_eq!(
            export_root(Some("2020-Nov"), "x"),
            "2020-Nov/AWSDynamoDB/x/"
        );
        assert_eq!(export_root(Some("p/"), "x"), "p/AWSDynamoDB/x/");
        assert_eq!(export_root(None, "x"), "AWSDynamoDB/x/");
        assert_eq!(dynamodb_root(Some("p")), "p/AWSDynamoDB/");
        assert_eq!(
            data_folder(Some("p"), "x", ExportType::FullExport),
            "p/AWSDynamoDB/x/data/"
        );
        assert_eq!(
            data_folder(Some("p"), "x", ExportType::IncrementalExport),
            "p/AWSDynamoDB/data/"
        );
        let id = "01234567890123-a1b2c3d4";
        let name = data_file_name(id, 0, 0);
        assert_eq!(name.len(), 26);
        assert!(name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || (b'2'..=b'7').contains(&c)));
        let mut names = std::collections::BTreeSet::new();
        for n in 0..3 {
            for attempt in 0..NAME_ATTEMPTS {
                assert!(names.insert(data_file_name(id, n, attempt)));
            }
        }
        assert!(!names.contains(&data_file_name("01234567890123-a1b2c3d5", 0, 0)));
    }

    /// A data file goes to the first candidate name no object has; when
    /// every candidate is taken the export fails, having written nothing.
    #[test]
    fn a_taken_name_is_never_written_over() {
        let id = "01234567890123-a1b2c3d4";
        let folder = "p/AWSDynamoDB/data/";
        let taken: Vec<String> = (0..2)
            .map(|a| format!("{folder}{}.json.gz", data_file_name(id, 5, a)))
            .collect();
        let mut tried = Vec::new();
        let key = place_data_file(folder, id, 5, "json.gz", |key| {
            tried.push(key.to_string());
            Ok(!taken.iter().any(|t| t == key))
        })
        .expect("a free name");
        assert_eq!(key, format!("{folder}{}.json.gz", data_file_name(id, 5, 2)));
        assert_eq!(tried.len(), 3);
        let mut attempts = 0;
        let e = place_data_file(folder, id, 5, "json.gz", |_| {
            attempts += 1;
            Ok(false)
        })
        .expect_err("every name taken");
        assert_eq!(attempts, NAME_ATTEMPTS);
        assert_eq!(e.0, "InternalServerError");
    }
}
