//! ImportTable, DescribeImport, ListImports: objects of a bucket read into
//! a new table (Developer Guide, "DynamoDB data import from Amazon S3").
//!
//! The request is checked, the import's record written `IN_PROGRESS`, the
//! table created from `TableCreationParameters` (its global secondary
//! indexes with it), and a thread reads every object whose key starts
//! with `S3KeyPrefix`, in key order: decompressed as
//! `InputCompressionType` says, parsed as `InputFormat` says, written 25
//! items at a time through BatchWriteItem with DynamoDB's validation.
//!
//! Errors follow "Import format quotas and validation": an item that
//! cannot be read or fails validation is counted in `ErrorCount`, logged
//! (where DynamoDB writes to CloudWatch Logs, siltdb logs through
//! `tracing`, naming the object and the error), and skipped; an object
//! whose structure is lost (bad compression, broken Ion) counts one error
//! and the rest of it is skipped. At the end the import is `COMPLETED`, or
//! `FAILED` with `ItemValidationError` if anything was skipped; the table
//! keeps what was imported. A missing bucket is `FAILED` with
//! `S3NoSuchBucket` and no table is created. Keys repeated in the source
//! overwrite each other, not counted as errors.
//!
//! Differences from DynamoDB: the new table is `ACTIVE` (readable and
//! writable) while the import fills it, where DynamoDB shows `CREATING`.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;

use siltdb::dynamo::api::{
    BatchWriteItemInput, CreateTableInput, DescribeImportInput, DescribeImportOutput, ImportStatus,
    ImportSummary, ImportTableDescription, ImportTableInput, ImportTableOutput, InputFormat,
    ListImportsInput, ListImportsOutput, PutItemInput, PutRequest, WriteRequest,
};
use siltdb::dynamo::{DynamoDb, DynamoError, Item, ScalarAttributeType};

use super::formats::{decompress, read_csv, read_dynamodb_json, read_ion, Counting, Read1};
use super::store::{is_bucket_name, list_objects, object_path};
use super::{page, Job, Transfers};

/// Items per BatchWriteItem: DynamoDB's limit.
const BATCH: usize = 25;

/// DynamoDB's message for an import that skipped items.
const ITEM_VALIDATION_MESSAGE: &str = "Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for more details.";

fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

/// The request's parameters that a retry with the same `ClientToken` must
/// repeat.
fn same_request(d: &ImportTableDescription, input: &ImportTableInput) -> bool {
    d.s3_bucket_source == input.s3_bucket_source
        && d.input_format == input.input_format
        && d.input_format_options == input.input_format_options
        && d.input_compression_type == input.input_compression_type.unwrap_or_default()
        && d.table_creation_parameters == input.table_creation_parameters
}

/// `TableCreationParameters` as a CreateTable request: only the members
/// that shape has.
fn creation_parameters(mut t: CreateTableInput) -> CreateTableInput {
    t.local_secondary_indexes = None;
    t.stream_specification = None;
    t.tags = None;
    t.table_class = None;
    t.deletion_protection_enabled = None;
    t.warm_throughput = None;
    t.resource_policy = None;
    t
}

impl Transfers {
    /// `ImportTable`.
    pub fn import_table(
        &self,
        db: &DynamoDb,
        mut input: ImportTableInput,
    ) -> Result<ImportTableOutput, DynamoError> {
        input.table_creation_parameters = creation_parameters(input.table_creation_parameters);
        let bucket = input.s3_bucket_source.s3_bucket.clone();
        if !is_bucket_name(&bucket) {
            return Err(DynamoError::validation(format!(
                "1 validation error detected: Value '{bucket}' at 's3BucketSource.s3Bucket' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$"
            )));
        }
        let table_name = input.table_creation_parameters.table_name.clone();
        if let Some(token) = &input.client_token {
            let previous = self.jobs().values().find_map(|j| match j {
                Job::Import(i) if i.client_token.as_ref() == Some(token) => Some(i.clone()),
                _ => None,
            });
            if let Some(previous) = previous {
                if same_request(&previous, &input) {
                    return Ok(ImportTableOutput {
                        import_table_description: previous,
                    });
                }
                // The API reference's description of the exception.
                return Err(DynamoError::ImportConflictException(
                    "There was a conflict when importing from the specified S3 source. This can occur when the current import conflicts with a previous import request that had the same client token.".to_string(),
                ));
            }
        }
        // DynamoDB's message (Developer Guide, import troubleshooting).
        let exists =
            || DynamoError::ResourceInUseException(format!("Table already exists: {table_name}"));
        let importing = self.jobs().values().any(|j| {
            matches!(j, Job::Import(i) if i.import_status == ImportStatus::InProgress
                && i.table_creation_parameters.table_name == table_name)
        });
        if importing
            || db
                .describe_table(siltdb::dynamo::api::DescribeTableInput {
                    table_name: table_name.clone(),
                })
                .is_ok()
        {
            return Err(exists());
        }
        let id = self.new_id();
        let table_arn = db.table_arn(&table_name);
        let now = db.now_millis();
        let mut d = ImportTableDescription {
            import_arn: format!("{table_arn}/import/{id}"),
            import_status: ImportStatus::InProgress,
            table_arn: Some(table_arn),
            table_id: None,
            client_token: input.client_token.clone(),
            s3_bucket_source: input.s3_bucket_source.clone(),
            error_count: 0,
            input_format: input.input_format,
            input_format_options: input.input_format_options.clone(),
            input_compression_type: input.input_compression_type.unwrap_or_default(),
            table_creation_parameters: input.table_creation_parameters.clone(),
            start_time: seconds(now),
            end_time: None,
            processed_size_bytes: 0,
            processed_item_count: 0,
            imported_item_count: 0,
            failure_code: None,
            failure_message: None,
        };
        if !self.s3_root().join(&bucket).is_dir() {
            // Found before any data is read: no table (Developer Guide,
            // "The specified bucket does not exist").
            d.import_status = ImportStatus::Failed;
            d.end_time = Some(seconds(now));
            d.failure_code = Some("S3NoSuchBucket".to_string());
            d.failure_message = Some("The specified bucket does not exist".to_string());
            self.persist(&id, &Job::Import(d.clone()))?;
            return Ok(ImportTableOutput {
                import_table_description: d,
            });
        }
        // The record first: a crash before the table exists leaves a record
        // that the next start marks FAILED, never a table no record names.
        self.persist(&id, &Job::Import(d.clone()))?;
        let created = match db.create_table(input.table_creation_parameters.clone()) {
            Ok(out) => out,
            Err(e) => {
                self.forget(&id, "import");
                return Err(match e {
                    DynamoError::ResourceInUseException(_) => exists(),
                    e => e,
                });
            }
        };
        d.table_arn = Some(created.table_description.table_arn.clone());
        d.table_id = Some(created.table_description.table_id.clone());
        self.persist(&id, &Job::Import(d.clone()))?;
        let service = self.clone();
        let job_id = id.clone();
        std::thread::Builder::new()
            .name("siltdb-import".to_string())
            .spawn(move || service.run_import(&job_id))
            .map_err(|e| DynamoError::InternalServerError(format!("starting the import: {e}")))?;
        Ok(ImportTableOutput {
            import_table_description: d,
        })
    }

    /// `DescribeImport`.
    pub fn describe_import(
        &self,
        _db: &DynamoDb,
        input: DescribeImportInput,
    ) -> Result<DescribeImportOutput, DynamoError> {
        match self.by_arn(&input.import_arn, "import") {
            Some((_, Job::Import(d))) => Ok(DescribeImportOutput {
                import_table_description: d,
            }),
            _ => Err(DynamoError::ImportNotFoundException(format!(
                "Import not found: {}",
                input.import_arn
            ))),
        }
    }

    /// `ListImports`: oldest first, `PageSize` (default 25) per page.
    pub fn list_imports(
        &self,
        _db: &DynamoDb,
        input: ListImportsInput,
    ) -> Result<ListImportsOutput, DynamoError> {
        let jobs: Vec<(String, ImportSummary)> = self
            .jobs()
            .iter()
            .filter_map(|(id, j)| match j {
                Job::Import(i)
                    if input
                        .table_arn
                        .as_ref()
                        .is_none_or(|t| i.table_arn.as_ref() == Some(t)) =>
                {
                    Some((
                        id.clone(),
                        ImportSummary {
                            import_arn: i.import_arn.clone(),
                            import_status: i.import_status,
                            table_arn: i.table_arn.clone(),
                            s3_bucket_source: i.s3_bucket_source.clone(),
                            input_format: i.input_format,
                            start_time: i.start_time,
                            end_time: i.end_time,
                        },
                    ))
                }
                _ => None,
            })
            .collect();
        let limit = usize::try_from(input.page_size.unwrap_or(25)).unwrap_or(25);
        let (import_summary_list, next_token) = page(jobs, input.next_token.as_deref(), limit)?;
        Ok(ListImportsOutput {
            import_summary_list,
            next_token,
        })
    }

    /// The import thread: reads every object, then records the outcome.
    fn run_import(&self, id: &str) {
        let Some(Job::Import(d)) = self.jobs().get(id).cloned() else {
            return;
        };
        let mut run = ImportRun {
            service: self,
            id,
            table: d.table_creation_parameters.table_name.clone(),
            pending: Vec::with_capacity(BATCH),
            processed: 0,
            imported: 0,
            errors: 0,
            bytes: 0,
        };
        let outcome = run.objects(&d);
        let now = self.db().now_millis();
        let job = self.update(id, |job| {
            if let Job::Import(i) = job {
                i.processed_item_count = run.processed;
                i.imported_item_count = run.imported;
                i.error_count = run.errors;
                i.processed_size_bytes = run.bytes;
                i.end_time = Some(seconds(now));
                match &outcome {
                    Err(e) => {
                        i.import_status = ImportStatus::Failed;
                        i.failure_code = Some(e.name().to_string());
                        i.failure_message = Some(e.message().to_string());
                    }
                    Ok(()) if run.errors > 0 => {
                        i.import_status = ImportStatus::Failed;
                        i.failure_code = Some("ItemValidationError".to_string());
                        i.failure_message = Some(ITEM_VALIDATION_MESSAGE.to_string());
                    }
                    Ok(()) => i.import_status = ImportStatus::Completed,
                }
            }
        });
        if let Some(job) = job {
            // The table's items are durable before the record says so.
            if let Err(e) = self
                .db()
                .engine()
                .sync_wal()
                .map_err(DynamoError::from)
                .and_then(|()| self.persist(id, &job))
            {
                tracing::error!(import = %id, error = %e, "recording the end of an import");
            }
        }
    }
}

/// The state of one import thread.
struct ImportRun<'a> {
    service: &'a Transfers,
    id: &'a str,
    table: String,
    /// Items read but not yet written, with where they came from.
    pending: Vec<(String, Item)>,
    processed: i64,
    imported: i64,
    errors: i64,
    bytes: i64,
}

impl ImportRun<'_> {
    fn objects(&mut self, d: &ImportTableDescription) -> Result<(), DynamoError> {
        let source = &d.s3_bucket_source;
        let prefix = source.s3_key_prefix.clone().unwrap_or_default();
        let root = self.service.s3_root().to_path_buf();
        let keys = list_objects(&root, &source.s3_bucket, &prefix).map_err(|e| {
            DynamoError::InternalServerError(format!(
                "listing the bucket {}: {e}",
                source.s3_bucket
            ))
        })?;
        let key_types: HashMap<String, ScalarAttributeType> = d
            .table_creation_parameters
            .attribute_definitions
            .iter()
            .map(|a| (a.attribute_name.clone(), a.attribute_type))
            .collect();
        for key in keys {
            let Some(path) = object_path(&root, &source.s3_bucket, &key) else {
                continue;
            };
            let file = match File::open(&path) {
                Ok(f) => f,
                Err(e) => {
                    self.bad(&key, &format!("opening: {e}"));
                    continue;
                }
            };
            let reader = match decompress(Box::new(file), d.input_compression_type) {
                Ok(r) => r,
                Err(e) => {
                    self.bad(&key, &e);
                    continue;
                }
            };
            let mut counting = Counting {
                inner: reader,
                count: 0,
            };
            let mut stop = None;
            let read = {
                let mut on_record = |r: Read1| -> Result<(), String> {
                    match r {
                        Read1::Item(item) => {
                            self.processed += 1;
                            self.pending.push((key.clone(), item));
                            if self.pending.len() == BATCH {
                                self.flush().map_err(|e| {
                                    let m = e.to_string();
                                    stop = Some(e);
                                    m
                                })?;
                            }
                        }
                        Read1::Bad(e) => {
                            self.processed += 1;
                            self.bad(&key, &e);
                        }
                        Read1::Fatal(e) => self.bad(&key, &e),
                    }
                    Ok(())
                };
                let read: &mut dyn Read = &mut counting;
                match d.input_format {
                    InputFormat::DynamodbJson => read_dynamodb_json(read, &mut on_record),
                    InputFormat::Ion => read_ion(read, &mut on_record),
                    InputFormat::Csv => read_csv(
                        read,
                        d.input_format_options.as_ref().and_then(|o| o.csv.as_ref()),
                        &key_types,
                        &mut on_record,
                    ),
                }
            };
            // The readers report every bad record through the callback; an
            // error returned here is one the callback already recorded
            // (`stop`), or, should a reader ever fail on its own, the
            // object's failure.
            if let Err(e) = read {
                if stop.is_none() {
                    self.bad(&key, &e);
                }
            }
            if let Some(e) = stop {
                return Err(e);
            }
            self.bytes += i64::try_from(counting.count).unwrap_or(i64::MAX);
            self.flush()?;
        }
        Ok(())
    }

    /// Counts and logs a record that was not imported.
    fn bad(&mut self, key: &str, error: &str) {
        self.errors += 1;
        tracing::warn!(import = %self.id, object = %key, error = %error, "import: a record was not imported");
    }

    /// Writes the pending items; an item DynamoDB refuses is an error of
    /// the import, a storage failure ends it.
    fn flush(&mut self) -> Result<(), DynamoError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let db = self.service.db().clone();
        let requests = self
            .pending
            .iter()
            .map(|(_, item)| WriteRequest::Put(PutRequest { item: item.clone() }))
            .collect();
        let input = BatchWriteItemInput {
            request_items: [(self.table.clone(), requests)].into(),
            ..BatchWriteItemInput::default()
        };
        match db.batch_write_item(input) {
            Ok(out) if out.unprocessed_items.values().all(Vec::is_empty) => {
                self.imported += self.pending.len() as i64;
                self.pending.clear();
            }
            // Refused as a whole (one bad item, or a key repeated within
            // the batch): one by one, so each refusal is one error and a
            // repeated key ends with its last item.
            Ok(_) | Err(DynamoError::ValidationException(_)) => {
                for (key, item) in std::mem::take(&mut self.pending) {
                    match db.put_item(PutItemInput {
                        table_name: self.table.clone(),
                        item,
                        ..PutItemInput::default()
                    }) {
                        Ok(_) => self.imported += 1,
                        Err(e @ DynamoError::ValidationException(_)) => {
                            self.bad(&key, &format!("{}: {}", e.name(), e.message()));
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
        let (processed, imported, errors, bytes) =
            (self.processed, self.imported, self.errors, self.bytes);
        self.service.update(self.id, |job| {
            if let Job::Import(i) = job {
                i.processed_item_count = processed;
                i.imported_item_count = imported;
                i.error_count = errors;
                i.processed_size_bytes = bytes;
            }
        });
        Ok(())
    }
}
