//! Export to and import from S3, with a local directory standing for S3:
//! ExportTableToPointInTime, DescribeExport, ListExports, ImportTable,
//! DescribeImport and ListImports.
//!
//! [`Served`] is the backend `siltdb serve --s3-root DIR` serves: siltdb's
//! [`DynamoDb`] for every operation, and [`Transfers`] for these six. The
//! files written and read are those DynamoDB writes to and reads from S3
//! ([`export`], [`import`], [`formats`], [`ion`]); a bucket is a
//! sub-directory of the root, an object key a relative path in it.
//!
//! Each export and import has a record ([`store`], format-spec/transfers.md)
//! in `<data-dir>/transfers/`, kept in memory too; an in-memory database
//! keeps them in memory only. Work runs on a thread of its own. A record
//! still `IN_PROGRESS` when the server starts belongs to work a stop or a
//! crash interrupted: it becomes `FAILED` (work is not resumed), so an
//! interrupted export or import is never reported `COMPLETED`.

pub mod export;
pub mod formats;
pub mod import;
pub mod incremental;
pub mod ion;
pub mod store;

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    self, ExportDescription, ExportStatus, ImportStatus, ImportTableDescription,
};
use siltdb::dynamo::{DynamoDb, DynamoError};

use crate::backend::{Backend, Started};
use crate::json::{
    export_description_from_json, export_description_json, import_description_from_json,
    import_description_json,
};
use crate::operation::{for_each_operation, Request};

/// The record layout's version (format-spec/transfers.md).
const RECORD_VERSION: i64 = 1;

/// An export or an import, as its record holds it.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "a few jobs live in one map; boxing would only add indirection"
)]
pub enum Job {
    /// An export.
    Export(ExportDescription),
    /// An import.
    Import(ImportTableDescription),
}

/// The export/import service: the S3 root, the records, and a handle on
/// the database for the work threads.
#[derive(Clone)]
pub struct Transfers {
    inner: Arc<Inner>,
}

struct Inner {
    s3_root: PathBuf,
    /// `None` for an in-memory database.
    records_dir: Option<PathBuf>,
    db: Arc<DynamoDb>,
    jobs: Mutex<BTreeMap<String, Job>>,
    counter: AtomicU64,
}

/// The directory of the records under a data directory.
pub const RECORDS_DIR: &str = "transfers";

impl Transfers {
    /// The service for `db`, whose objects live under `s3_root` and whose
    /// records under `data_dir` (`None`: in memory). Reads the records,
    /// turning those an interruption left `IN_PROGRESS` into `FAILED`.
    pub fn open(
        db: Arc<DynamoDb>,
        s3_root: &Path,
        data_dir: Option<&Path>,
    ) -> Result<Transfers, String> {
        if !s3_root.is_dir() {
            return Err(format!(
                "--s3-root {}: not a directory (create it; each bucket is a sub-directory)",
                s3_root.display()
            ));
        }
        let records_dir = data_dir.map(|d| d.join(RECORDS_DIR));
        let t = Transfers {
            inner: Arc::new(Inner {
                s3_root: s3_root.to_path_buf(),
                records_dir: records_dir.clone(),
                db,
                jobs: Mutex::new(BTreeMap::new()),
                counter: AtomicU64::new(0),
            }),
        };
        if let Some(dir) = &records_dir {
            if dir.is_dir() {
                t.load(dir)?;
            }
        }
        Ok(t)
    }

    fn load(&self, dir: &Path) -> Result<(), String> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        let mut interrupted = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| format!("reading {}: {e}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name
                .strip_suffix(".json")
                .and_then(|n| n.split_once('-'))
                .map(|(_, id)| id.to_string())
            else {
                continue;
            };
            let bytes = std::fs::read(entry.path()).map_err(|e| format!("reading {name}: {e}"))?;
            let job =
                decode_record(&bytes).map_err(|e| format!("{}: {e}", entry.path().display()))?;
            let running = match &job {
                Job::Export(e) => e.export_status == ExportStatus::InProgress,
                Job::Import(i) => i.import_status == ImportStatus::InProgress,
            };
            if running {
                interrupted.push(id.clone());
            }
            self.jobs().insert(id, job);
        }
        for id in interrupted {
            let now = now_seconds();
            let message =
                "The server stopped while this was in progress; siltdb does not resume it";
            let job = self.update(&id, |job| match job {
                Job::Export(e) => {
                    e.export_status = ExportStatus::Failed;
                    e.end_time = Some(now);
                    e.failure_code = Some("InternalServerError".to_string());
                    e.failure_message = Some(message.to_string());
                }
                Job::Import(i) => {
                    i.import_status = ImportStatus::Failed;
                    i.end_time = Some(now);
                    i.failure_code = Some("InternalServerError".to_string());
                    i.failure_message = Some(message.to_string());
                }
            });
            if let Some(job) = job {
                self.persist(&id, &job).map_err(|e| {
                    format!("marking interrupted work {id} failed: {}", e.message())
                })?;
                tracing::warn!(id = %id, "an export or import was interrupted by a stop; marked FAILED");
            }
        }
        Ok(())
    }

    fn jobs(&self) -> MutexGuard<'_, BTreeMap<String, Job>> {
        self.inner.jobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes job `id` in memory; returns the new state.
    fn update(&self, id: &str, f: impl FnOnce(&mut Job)) -> Option<Job> {
        let mut jobs = self.jobs();
        let job = jobs.get_mut(id)?;
        f(job);
        Some(job.clone())
    }

    /// Writes job `id`'s record (durably) and keeps it in memory.
    fn persist(&self, id: &str, job: &Job) -> Result<(), DynamoError> {
        if let Some(dir) = &self.inner.records_dir {
            let (kind, bytes) = encode_record(job);
            store::write_atomically(&dir.join(format!("{kind}-{id}.json")), &bytes).map_err(
                |e| DynamoError::InternalServerError(format!("writing the record of {id}: {e}")),
            )?;
        }
        self.jobs().insert(id.to_string(), job.clone());
        Ok(())
    }

    /// Forgets job `id` (a request refused after its record was written).
    fn forget(&self, id: &str, kind: &str) {
        self.jobs().remove(id);
        if let Some(dir) = &self.inner.records_dir {
            let path = dir.join(format!("{kind}-{id}.json"));
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!(path = %path.display(), error = %e, "removing the record of a refused request");
            }
        }
    }

    /// A new id: `<14-digit millis>-<8 hex digits>`, DynamoDB's shape
    /// (`01234567890123-a1b2c3d4`), unique among the records.
    fn new_id(&self) -> String {
        let millis = now_millis();
        loop {
            let n = self.inner.counter.fetch_add(1, Ordering::Relaxed);
            let random =
                std::collections::hash_map::RandomState::new().hash_one((millis, n)) as u32;
            let id = format!("{millis:014}-{random:08x}");
            if !self.jobs().contains_key(&id) {
                return id;
            }
        }
    }

    /// The S3 root.
    pub fn s3_root(&self) -> &Path {
        &self.inner.s3_root
    }

    /// The database the work threads write to and read from.
    pub fn db(&self) -> &Arc<DynamoDb> {
        &self.inner.db
    }

    /// The job whose ARN is `arn` (`.../<kind>/<id>`).
    fn by_arn(&self, arn: &str, kind: &str) -> Option<(String, Job)> {
        let id = arn.rsplit_once(&format!("/{kind}/"))?.1;
        let job = self.jobs().get(id)?.clone();
        let matches = match &job {
            Job::Export(e) => kind == "export" && e.export_arn == arn,
            Job::Import(i) => kind == "import" && i.import_arn == arn,
        };
        matches.then(|| (id.to_string(), job))
    }
}

/// The record bytes of `job`, and its file name's kind.
pub fn encode_record(job: &Job) -> (&'static str, Vec<u8>) {
    let mut m = Map::new();
    m.insert("Version".into(), RECORD_VERSION.into());
    let kind = match job {
        Job::Export(e) => {
            m.insert("ExportDescription".into(), export_description_json(e));
            "export"
        }
        Job::Import(i) => {
            m.insert("ImportTableDescription".into(), import_description_json(i));
            "import"
        }
    };
    let mut bytes = serde_json::to_vec(&Value::Object(m)).unwrap_or_default();
    bytes.push(b'\n');
    (kind, bytes)
}

/// Reads a record back.
pub fn decode_record(bytes: &[u8]) -> Result<Job, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    if v.get("Version").and_then(Value::as_i64) != Some(RECORD_VERSION) {
        return Err("unknown record version".to_string());
    }
    if let Some(e) = v.get("ExportDescription") {
        return export_description_from_json(e)
            .map(Job::Export)
            .map_err(|e| e.message().to_string());
    }
    if let Some(i) = v.get("ImportTableDescription") {
        return import_description_from_json(i)
            .map(Job::Import)
            .map_err(|e| e.message().to_string());
    }
    Err("neither an export nor an import".to_string())
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn now_seconds() -> f64 {
    now_millis() as f64 / 1000.0
}

/// Decodes a list's `NextToken`: the hex of the last id of the previous
/// page, padded with zeros to a multiple of 16 digits and at least 112
/// (the API model's `ImportNextToken` pattern).
fn decode_token(token: &str) -> Result<String, DynamoError> {
    let bad = || DynamoError::validation(format!("Invalid NextToken: {token}"));
    let bytes: Vec<u8> = (0..token.len() / 2)
        .map(|i| {
            token
                .get(2 * i..2 * i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let trimmed: Vec<u8> = bytes.into_iter().take_while(|b| *b != 0).collect();
    String::from_utf8(trimmed).map_err(|_| bad())
}

fn encode_token(id: &str) -> String {
    let mut hex: String = id.bytes().map(|b| format!("{b:02x}")).collect();
    while hex.len() < 112 || !hex.len().is_multiple_of(16) {
        hex.push('0');
    }
    hex
}

/// One page of `jobs` (oldest first) after `next_token`, at most `limit`.
fn page<T>(
    jobs: Vec<(String, T)>,
    next_token: Option<&str>,
    limit: usize,
) -> Result<(Vec<T>, Option<String>), DynamoError> {
    let after = next_token.map(decode_token).transpose()?;
    let mut rest = jobs
        .into_iter()
        .filter(|(id, _)| after.as_deref().is_none_or(|a| id.as_str() > a))
        .peekable();
    let mut out = Vec::new();
    let mut last = None;
    while out.len() < limit {
        let Some((id, job)) = rest.next() else { break };
        last = Some(id);
        out.push(job);
    }
    let token = if rest.peek().is_some() {
        last.map(|l| encode_token(&l))
    } else {
        None
    };
    Ok((out, token))
}

/// The backend `siltdb serve --s3-root` serves: [`DynamoDb`] for every
/// operation but the six of export and import, which [`Transfers`]
/// answers.
#[derive(Clone)]
pub struct Served {
    /// The database (the handle answering this region).
    pub db: Arc<DynamoDb>,
    /// The export/import service.
    pub transfers: Transfers,
}

macro_rules! served_method {
    (transfers, $method:ident, $input:ident, $output:ident) => {
        fn $method(&self, input: api::$input) -> Result<api::$output, DynamoError> {
            self.transfers.$method(&self.db, input)
        }
    };
    ($fallback:ident, $method:ident, $input:ident, $output:ident) => {
        fn $method(&self, input: api::$input) -> Result<api::$output, DynamoError> {
            Backend::$method(&*self.db, input)
        }
    };
}

macro_rules! define_served {
    ($($op:ident {
        method: $method:ident, input: $input:ident, output: $output:ident,
        read: $read:path, write: $write:path,
        api: $api:ident, runs: $runs:ident $(($awaits:ident))?, fallback: $fallback:ident,
        members: [$($member:literal),* $(,)?] $(,)?
    },)+) => {
        impl Backend for Served {
            $(served_method!($fallback, $method, $input, $output);)+

            fn start_write(&self, request: Request) -> Started {
                Backend::start_write(&*self.db, request)
            }

            fn close(&self) -> Result<(), DynamoError> {
                Backend::close(&*self.db)
            }

            fn in_region(&self, region: &str) -> Option<Arc<dyn Backend>> {
                Some(Arc::new(Served {
                    db: Arc::new(self.db.in_region(region)),
                    transfers: self.transfers.clone(),
                }))
            }
        }
    };
}

for_each_operation!(define_served);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_match_the_model_pattern() {
        let t = encode_token("01733367600000-0a1b2c3d");
        assert!(t.len() >= 112 && t.len().is_multiple_of(16), "{t}");
        assert!(t
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(decode_token(&t).unwrap(), "01733367600000-0a1b2c3d");
        assert!(decode_token("zz").is_err());
    }

    /// The record vector of format-spec/transfers.md decodes.
    #[test]
    fn import_record_vector_decodes() {
        let text = include_str!("../../../format-spec/vectors/transfer-import-record.json");
        let job = decode_record(text.as_bytes()).expect("decodes");
        let Job::Import(i) = &job else {
            panic!("an import")
        };
        assert_eq!(i.import_status, ImportStatus::Completed);
        assert_eq!(i.imported_item_count, 2);
        assert_eq!(encode_record(&job).1, text.as_bytes());
    }

    #[test]
    fn export_record_vector_decodes() {
        let text = include_str!("../../../format-spec/vectors/transfer-export-record.json");
        let job = decode_record(text.as_bytes()).expect("decodes");
        let Job::Export(e) = &job else {
            panic!("an export")
        };
        assert_eq!(e.export_status, ExportStatus::Completed);
        assert_eq!(e.item_count, Some(3));
        assert_eq!(encode_record(&job).1, text.as_bytes());
    }
}
