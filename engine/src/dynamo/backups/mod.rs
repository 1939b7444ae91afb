//! On-demand backups: CreateBackup, DescribeBackup, ListBackups,
//! DeleteBackup, and RestoreTableFromBackup (`restore.rs`).
//!
//! A backup is an engine checkpoint ([`crate::Db::checkpoint`]) of the whole
//! database in `backups/<id>/` under the database directory, plus a catalog
//! record ([`record`]) naming the table it was made for and holding that
//! table's definition. The checkpoint is taken under the control lock, so
//! the definition and the data agree; it is consistent at one sequence
//! number, so the backup is the table as of one moment while writes go on.
//! Its files are hard links to the database's (copies across file
//! systems): a backup costs no space until compaction rewrites the files
//! it shares, and then at most the database's size at that moment.
//!
//! Order, each step durable before the next: checkpoint, then record. A
//! crash between leaves a checkpoint no record names; DeleteBackup removes
//! the record, then the checkpoint. Open removes every entry of `backups/`
//! no record names (an interrupted checkpoint's temporary directory
//! included): see [`DynamoDb::sweep_backups`].

pub(crate) mod record;
mod restore;

use std::path::PathBuf;

use xxhash_rust::xxh3::xxh3_64;

use crate::dynamo::api::{
    BackupDescription, BackupDetails, BackupStatus, BackupSummary, BackupType, BackupTypeFilter,
    CreateBackupInput, CreateBackupOutput, DeleteBackupInput, DeleteBackupOutput,
    DescribeBackupInput, DescribeBackupOutput, GlobalSecondaryIndexInfo, ListBackupsInput,
    ListBackupsOutput, LocalSecondaryIndexInfo, ProvisionedThroughput, SourceTableDetails,
    SourceTableFeatureDetails, TimeToLiveDescription, TimeToLiveStatus,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::failures::FailureCounters;
use crate::dynamo::tables::control::{check_list_limit, check_name};
use crate::dynamo::tables::schema::IndexKind;
use crate::dynamo::tables::table::table_name_of;
use crate::WriteBatch;
use record::BackupRecord;

/// The directory under the database directory that holds the checkpoints.
const BACKUPS_DIR: &str = "backups";

fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

impl DynamoDb {
    /// Where backup `id`'s checkpoint lives.
    pub(crate) fn backup_dir(&self, id: &str) -> PathBuf {
        self.inner.db.path().join(BACKUPS_DIR).join(id)
    }

    /// The ARN of backup `r`.
    fn backup_arn(&self, r: &BackupRecord) -> String {
        let opts = &self.inner.opts;
        format!(
            "{}/backup/{}",
            r.table.arn(&opts.region, &opts.account_id),
            r.id
        )
    }

    /// The backup `arn` names, or `BackupNotFoundException`.
    pub(crate) fn backup_by_arn(&self, arn: &str) -> Result<BackupRecord, DynamoError> {
        // Wording as the service sends it ("Backup not found: <arn>",
        // recorded in turbot/steampipe-plugin-aws#1913).
        let not_found = || DynamoError::BackupNotFoundException(format!("Backup not found: {arn}"));
        let id = arn
            .rsplit_once("/backup/")
            .map(|(_, id)| id)
            .filter(|id| record::is_id(id))
            .ok_or_else(not_found)?;
        let bytes = self.inner.db.get(&record::key(id))?.ok_or_else(not_found)?;
        let r = record::decode(&record::key(id), &bytes)?;
        if self.backup_arn(&r) != arn {
            return Err(not_found());
        }
        Ok(r)
    }

    /// Every backup record, oldest first.
    fn backups(&self) -> Result<Vec<BackupRecord>, DynamoError> {
        let prefix = record::prefix();
        let mut it = self.inner.db.iter()?;
        it.seek(&prefix)?;
        let mut out = Vec::new();
        while it.valid() && it.key().starts_with(&prefix) {
            out.push(record::decode(it.key(), it.value())?);
            it.next()?;
        }
        Ok(out)
    }

    /// `CreateBackup`: a checkpoint of the database, taken while the
    /// table's definition cannot change, and its record.
    pub fn create_backup(
        &self,
        input: CreateBackupInput,
    ) -> Result<CreateBackupOutput, DynamoError> {
        check_name(&input.backup_name, "backupName")?;
        let _control = self.control_lock();
        let name = table_name_of(&input.table_name);
        let table = self.inner.tables.get(name).ok_or_else(|| {
            DynamoError::TableNotFoundException(format!("Table not found: {name}"))
        })?;
        let meta = table.meta();
        if meta.restore.as_ref().is_some_and(|r| r.in_progress) {
            return Err(DynamoError::TableInUseException(format!(
                "Table is being restored: {name}"
            )));
        }
        let sizes = self.table_sizes(&table)?;
        let now = self.inner.opts.clock.now_millis();
        let id = self.new_backup_id(now, meta.id)?;
        self.inner.db.checkpoint(self.backup_dir(&id))?;
        let r = BackupRecord {
            id,
            name: input.backup_name,
            created_millis: now,
            size_bytes: sizes.size_bytes,
            item_count: sizes.item_count,
            table: (*meta).clone(),
        };
        let mut batch = WriteBatch::new();
        batch.put(&record::key(&r.id), &record::encode(&r));
        self.commit_control(batch)?;
        Ok(CreateBackupOutput {
            backup_details: self.backup_details(&r, BackupStatus::Available),
        })
    }

    /// A backup id no backup (or leftover directory) has:
    /// `<13-digit millis>-<8 hex digits>`. REQUIRES: the control lock.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the low 32 bits of the hash, on purpose"
    )]
    fn new_backup_id(&self, now: i64, table_id: u32) -> Result<String, DynamoError> {
        let taken = self
            .inner
            .db
            .checkpoint_names(&self.inner.db.path().join(BACKUPS_DIR))?;
        for attempt in 0u32.. {
            let mut seed = now.to_le_bytes().to_vec();
            seed.extend_from_slice(&table_id.to_le_bytes());
            seed.extend_from_slice(&attempt.to_le_bytes());
            let id = format!(
                "{:013}-{:08x}",
                now.clamp(0, 9_999_999_999_999),
                xxh3_64(&seed) as u32
            );
            let used = taken.iter().any(|t| t.starts_with(&id))
                || self.inner.db.get(&record::key(&id))?.is_some();
            if !used {
                return Ok(id);
            }
        }
        Err(DynamoError::InternalServerError(
            "no backup id left".to_string(),
        ))
    }

    fn backup_details(&self, r: &BackupRecord, status: BackupStatus) -> BackupDetails {
        BackupDetails {
            backup_arn: self.backup_arn(r),
            backup_name: r.name.clone(),
            backup_size_bytes: Some(r.size_bytes),
            backup_status: status,
            backup_type: BackupType::User,
            backup_creation_date_time: seconds(r.created_millis),
            backup_expiry_date_time: None,
        }
    }

    fn backup_description(&self, r: &BackupRecord, status: BackupStatus) -> BackupDescription {
        let opts = &self.inner.opts;
        let t = &r.table;
        let d = t.description(&opts.region, &opts.account_id);
        let throughput = |read, write| ProvisionedThroughput {
            read_capacity_units: read,
            write_capacity_units: write,
        };
        let indexes = |kind: IndexKind| t.indexes.iter().filter(move |i| i.kind == kind);
        let lsis: Vec<LocalSecondaryIndexInfo> = indexes(IndexKind::Local)
            .map(|i| LocalSecondaryIndexInfo {
                index_name: i.name.clone(),
                key_schema: i.key_schema(),
                projection: i.projection(),
            })
            .collect();
        let gsis: Vec<GlobalSecondaryIndexInfo> = indexes(IndexKind::Global)
            .map(|i| GlobalSecondaryIndexInfo {
                index_name: i.name.clone(),
                key_schema: i.key_schema(),
                projection: i.projection(),
                provisioned_throughput: Some(throughput(
                    i.read_capacity_units,
                    i.write_capacity_units,
                )),
            })
            .collect();
        BackupDescription {
            backup_details: self.backup_details(r, status),
            source_table_details: SourceTableDetails {
                table_name: t.name.clone(),
                table_id: t.uuid.clone(),
                table_arn: Some(d.table_arn.clone()),
                table_size_bytes: Some(r.size_bytes),
                key_schema: t.key_schema(),
                table_creation_date_time: seconds(t.created_millis),
                provisioned_throughput: throughput(t.read_capacity_units, t.write_capacity_units),
                item_count: Some(r.item_count),
                billing_mode: Some(t.billing_mode),
            },
            source_table_feature_details: SourceTableFeatureDetails {
                local_secondary_indexes: (!lsis.is_empty()).then_some(lsis),
                global_secondary_indexes: (!gsis.is_empty()).then_some(gsis),
                stream_description: d.stream_specification,
                time_to_live_description: Some(TimeToLiveDescription {
                    time_to_live_status: if t.ttl_attribute.is_some() {
                        TimeToLiveStatus::Enabled
                    } else {
                        TimeToLiveStatus::Disabled
                    },
                    attribute_name: t.ttl_attribute.clone(),
                }),
            },
        }
    }

    /// `DescribeBackup`.
    pub fn describe_backup(
        &self,
        input: DescribeBackupInput,
    ) -> Result<DescribeBackupOutput, DynamoError> {
        let r = self.backup_by_arn(&input.backup_arn)?;
        Ok(DescribeBackupOutput {
            backup_description: self.backup_description(&r, BackupStatus::Available),
        })
    }

    /// `ListBackups`: oldest first, filtered by table, creation time
    /// (lower bound inclusive, upper exclusive) and type (every backup here
    /// is `USER`), `Limit` (1–100, default 100) per page.
    pub fn list_backups(&self, input: ListBackupsInput) -> Result<ListBackupsOutput, DynamoError> {
        let limit = check_list_limit(input.limit)?;
        if let (Some(lo), Some(hi)) = (input.time_range_lower_bound, input.time_range_upper_bound) {
            if lo > hi {
                return Err(DynamoError::validation(
                    "TimeRangeUpperBound must be greater than TimeRangeLowerBound",
                ));
            }
        }
        let wants_user = matches!(
            input.backup_type.unwrap_or_default(),
            BackupTypeFilter::User | BackupTypeFilter::All
        );
        let start_id = match &input.exclusive_start_backup_arn {
            Some(arn) => Some(
                arn.rsplit_once("/backup/")
                    .map(|(_, id)| id.to_string())
                    .filter(|id| record::is_id(id))
                    .ok_or_else(|| {
                        DynamoError::validation(format!("Invalid ExclusiveStartBackupArn: {arn}"))
                    })?,
            ),
            None => None,
        };
        let table = input.table_name.as_deref().map(table_name_of);
        let mut matching = self
            .backups()?
            .into_iter()
            .filter(|_| wants_user)
            .filter(|r| table.is_none_or(|t| r.table.name == t))
            .filter(|r| {
                let at = seconds(r.created_millis);
                input.time_range_lower_bound.is_none_or(|lo| at >= lo)
                    && input.time_range_upper_bound.is_none_or(|hi| at < hi)
            })
            .filter(|r| start_id.as_ref().is_none_or(|s| r.id.as_str() > s.as_str()));
        let page: Vec<BackupRecord> = matching
            .by_ref()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect();
        let more = matching.next().is_some();
        let opts = &self.inner.opts;
        let backup_summaries: Vec<BackupSummary> = page
            .iter()
            .map(|r| BackupSummary {
                table_name: r.table.name.clone(),
                table_id: r.table.uuid.clone(),
                table_arn: r.table.arn(&opts.region, &opts.account_id),
                backup_arn: self.backup_arn(r),
                backup_name: r.name.clone(),
                backup_creation_date_time: seconds(r.created_millis),
                backup_expiry_date_time: None,
                backup_status: BackupStatus::Available,
                backup_type: BackupType::User,
                backup_size_bytes: Some(r.size_bytes),
            })
            .collect();
        Ok(ListBackupsOutput {
            last_evaluated_backup_arn: if more {
                backup_summaries.last().map(|s| s.backup_arn.clone())
            } else {
                None
            },
            backup_summaries,
        })
    }

    /// `DeleteBackup`: the record goes (durably), then the checkpoint. A
    /// backup a restore is reading is `BackupInUseException`.
    pub fn delete_backup(
        &self,
        input: DeleteBackupInput,
    ) -> Result<DeleteBackupOutput, DynamoError> {
        let _control = self.control_lock();
        let r = self.backup_by_arn(&input.backup_arn)?;
        let in_use = self.inner.tables.all().into_iter().any(|t| {
            t.meta()
                .restore
                .as_ref()
                .is_some_and(|x| x.in_progress && x.backup_id == r.id)
        });
        if in_use {
            return Err(DynamoError::BackupInUseException(format!(
                "Backup is being used to restore a table: {}",
                input.backup_arn
            )));
        }
        let mut batch = WriteBatch::new();
        batch.delete(&record::key(&r.id));
        self.commit_control(batch)?;
        if let Err(e) = self.inner.db.remove_checkpoint(&self.backup_dir(&r.id)) {
            // The record is gone: the next open removes the directory.
            tracing::warn!(backup = %r.id, error = %e, "removing a deleted backup's files");
            FailureCounters::count(&self.inner.failures.backup_removals);
        }
        Ok(DeleteBackupOutput {
            backup_description: self.backup_description(&r, BackupStatus::Deleted),
        })
    }

    /// Removes every entry of `backups/` no backup record names: what a
    /// crash between a checkpoint and its record, or during a checkpoint or
    /// a DeleteBackup, left. Called at open, before any backup can start.
    pub(crate) fn sweep_backups(&self) -> Result<(), DynamoError> {
        let dir = self.inner.db.path().join(BACKUPS_DIR);
        let names = self.inner.db.checkpoint_names(&dir)?;
        if names.is_empty() {
            return Ok(());
        }
        let live: Vec<String> = self.backups()?.into_iter().map(|r| r.id).collect();
        for name in names {
            if live.contains(&name) {
                continue;
            }
            // A temporary directory is removed with its target's name.
            let target = name.strip_suffix(".checkpoint-tmp").unwrap_or(&name);
            if !record::is_id(target) {
                tracing::warn!(entry = %name, "leaving an unknown entry of the backups directory");
                continue;
            }
            if live.iter().any(|l| l == target) {
                // A leftover temporary directory beside a live backup.
                self.inner.db.remove_checkpoint(&dir.join(&name))?;
                continue;
            }
            tracing::info!(backup = %target, "removing an unrecorded backup directory");
            self.inner.db.remove_checkpoint(&dir.join(target))?;
        }
        Ok(())
    }
}
