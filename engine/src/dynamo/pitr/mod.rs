//! Point-in-time recovery: UpdateContinuousBackups,
//! DescribeContinuousBackups and RestoreTableToPointInTime. Design, cost
//! and limits: format-spec/pitr.md.
//!
//! A table's setting is its catalog record's `Pitr` attribute. The engine
//! keeps the history of the table's items ([`crate::Db::set_history_ranges`],
//! refreshed in `horizons.rs`), and the clock samples (`timeline.rs`) map a
//! second to the sequence number of the state at its end. A restore is
//! RestoreTableFromBackup's (`backups/restore.rs`), reading the source's
//! items from a history snapshot of this database instead of a checkpoint.

mod horizons;
pub(crate) mod timeline;

use std::sync::Arc;

use crate::dynamo::api::{
    ContinuousBackupsDescription, DescribeContinuousBackupsInput, DescribeContinuousBackupsOutput,
    PitrStatus, PointInTimeRecoveryDescription, RestoreTableToPointInTimeInput,
    RestoreTableToPointInTimeOutput, UpdateContinuousBackupsInput, UpdateContinuousBackupsOutput,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::keys::layout::{range_prefix, TABLE_INDEX_ID};
use crate::dynamo::tables::catalog;
use crate::dynamo::tables::control::check_name;
use crate::dynamo::tables::schema::{PitrMeta, RestoreMeta, TableMeta};
use crate::dynamo::tables::table::{table_name_of, Table};
use crate::dynamo::worker::WeakHandle;
use crate::{Snapshot, WriteBatch};
pub(crate) use horizons::earliest_millis;

/// `RecoveryPeriodInDays` when the request leaves it out.
const DEFAULT_PERIOD_DAYS: i64 = 35;

/// Background refreshes of the history ranges.
pub(crate) type PitrRefresher = crate::dynamo::worker::Worker<()>;

/// How often the refresher runs even without writes (wall time).
const REFRESH_TICK: std::time::Duration = std::time::Duration::from_secs(60);

fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

/// The source table of a restore does not exist (the backup operations'
/// wording).
fn table_not_found(name: &str) -> DynamoError {
    DynamoError::TableNotFoundException(format!("Table not found: {name}"))
}

impl DynamoDb {
    /// Starts the thread that refreshes the history ranges (once a minute
    /// of wall time, and when a write finds a refresh due).
    pub(crate) fn start_pitr_refresher(&self) {
        self.inner.pitr_refresher.start(
            "siltdb-pitr",
            WeakHandle::new(self),
            Some(REFRESH_TICK),
            |db, _, _| {
                let _control = db.control_lock();
                if let Err(e) = db.refresh_history() {
                    tracing::warn!(error = %e, "refreshing point-in-time recovery history");
                }
            },
        );
    }

    /// The table `name` (name or ARN), or `TableNotFoundException`.
    fn pitr_table(&self, name: &str) -> Result<Arc<Table>, DynamoError> {
        let name = table_name_of(name);
        self.inner
            .tables
            .get(name)
            .ok_or_else(|| table_not_found(name))
    }

    fn continuous_backups(&self, meta: &TableMeta) -> ContinuousBackupsDescription {
        let now = self.inner.opts.clock.now_millis();
        ContinuousBackupsDescription {
            // On-demand backups are always available.
            continuous_backups_status: PitrStatus::Enabled,
            point_in_time_recovery_description: match &meta.pitr {
                None => PointInTimeRecoveryDescription::default(),
                Some(p) => PointInTimeRecoveryDescription {
                    point_in_time_recovery_status: PitrStatus::Enabled,
                    recovery_period_in_days: Some(p.period_days),
                    earliest_restorable_date_time: Some(seconds(earliest_millis(p, now))),
                    // Writes are restorable as soon as they are visible
                    // (DynamoDB's lags about five minutes).
                    latest_restorable_date_time: Some(seconds(now)),
                },
            },
        }
    }

    /// `UpdateContinuousBackups`: enables (or changes the period of) or
    /// disables point-in-time recovery. Enabling starts history at the
    /// current write; changing the period keeps the history already kept
    /// (a longer period only holds more from now on); disabling drops it.
    pub fn update_continuous_backups(
        &self,
        input: UpdateContinuousBackupsInput,
    ) -> Result<UpdateContinuousBackupsOutput, DynamoError> {
        let spec = &input.point_in_time_recovery_specification;
        if let Some(days) = spec.recovery_period_in_days {
            if !(1..=35).contains(&days) {
                return Err(DynamoError::validation(format!(
                    "1 validation error detected: Value '{days}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value {}",
                    if days < 1 {
                        "greater than or equal to 1"
                    } else {
                        "less than or equal to 35"
                    }
                )));
            }
        }
        let _control = self.control_lock();
        let table = self.pitr_table(&input.table_name)?;
        let mut meta = (*table.meta()).clone();
        let now = self.inner.opts.clock.now_millis();
        meta.pitr = if spec.point_in_time_recovery_enabled {
            let period_days = spec.recovery_period_in_days.unwrap_or(DEFAULT_PERIOD_DAYS);
            Some(match meta.pitr {
                Some(p) => PitrMeta { period_days, ..p },
                None => PitrMeta {
                    enabled_millis: now,
                    enabled_seq: self.inner.db.latest_sequence(),
                    period_days,
                },
            })
        } else {
            None
        };
        if meta.pitr != table.meta().pitr {
            let mut batch = WriteBatch::new();
            catalog::update(&mut batch, &meta);
            self.commit_control(batch)?;
            table.set_meta(meta.clone());
            self.refresh_history()?;
        }
        Ok(UpdateContinuousBackupsOutput {
            continuous_backups_description: self.continuous_backups(&meta),
        })
    }

    /// `DescribeContinuousBackups`.
    pub fn describe_continuous_backups(
        &self,
        input: DescribeContinuousBackupsInput,
    ) -> Result<DescribeContinuousBackupsOutput, DynamoError> {
        let table = self.pitr_table(&input.table_name)?;
        Ok(DescribeContinuousBackupsOutput {
            continuous_backups_description: self.continuous_backups(&table.meta()),
        })
    }

    /// The items of table `table_id` as they were at the end of Unix
    /// second `second` (every write made before second `second + 1`), read
    /// from the engine's history, and the sequence number read at — the one
    /// read of the past RestoreTableToPointInTime and
    /// ExportTableToPointInTime share. `refused` makes the caller's error
    /// when that state is older than the history kept.
    /// REQUIRES: the caller checked `second` against the recovery window.
    pub(crate) fn history_at_end_of(
        &self,
        table_id: u32,
        second: i64,
        refused: impl FnOnce(String) -> DynamoError,
    ) -> Result<(u64, Snapshot), DynamoError> {
        let seq = self.sequence_at_end_of(second)?;
        match self
            .inner
            .db
            .history_snapshot(&range_prefix(table_id, TABLE_INDEX_ID), seq)
        {
            Ok(snapshot) => Ok((seq, snapshot)),
            Err(e @ crate::Error::HistoryUnavailable(_)) => Err(refused(e.to_string())),
            Err(e) => Err(e.into()),
        }
    }

    /// `RestoreTableToPointInTime`: a new table holding the source's items
    /// as they were at the end of the second of `RestoreDateTime` (or now),
    /// `CREATING` with its `RestoreSummary` when this returns, `ACTIVE`
    /// once its items and indexes are in — the path RestoreTableFromBackup
    /// takes, with the same overrides.
    pub fn restore_table_to_point_in_time(
        &self,
        input: RestoreTableToPointInTimeInput,
    ) -> Result<RestoreTableToPointInTimeOutput, DynamoError> {
        check_name(&input.target_table_name, "targetTableName")?;
        let source_name = match (&input.source_table_name, &input.source_table_arn) {
            (Some(n), _) => n.as_str(),
            (None, Some(arn)) => table_name_of(arn),
            // Undocumented wording (the API reference only says one of the
            // two is needed).
            (None, None) => {
                return Err(DynamoError::validation(
                    "Either SourceTableName or SourceTableArn must be specified",
                ))
            }
        };
        let source = self.pitr_table(source_name)?;
        let meta = source.meta();
        let Some(pitr) = meta.pitr else {
            // Undocumented wording; the exception is the API reference's.
            return Err(DynamoError::PointInTimeRecoveryUnavailableException(
                format!("Point in time recovery is not enabled for table '{source_name}'"),
            ));
        };
        let now = self.inner.opts.clock.now_millis();
        let at = match (
            input.use_latest_restorable_time.unwrap_or(false),
            input.restore_date_time,
        ) {
            (true, Some(_)) => {
                // Undocumented wording.
                return Err(DynamoError::validation(
                    "Only one of RestoreDateTime or UseLatestRestorableTime can be specified",
                ));
            }
            (true, None) => now,
            (false, Some(t)) if t.is_finite() => crate::dynamo::clock::millis_of_seconds(t),
            _ => {
                // Undocumented wording.
                return Err(DynamoError::validation(
                    "Either RestoreDateTime or UseLatestRestorableTime must be specified",
                ));
            }
        };
        let earliest = earliest_millis(&pitr, now);
        // The sentence is the API reference's description of the error.
        let invalid = |detail: String| {
            DynamoError::InvalidRestoreTimeException(format!(
                "RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime: {detail}"
            ))
        };
        if at < earliest || at > now {
            return Err(invalid(format!(
                "{} is not between {} and {}",
                seconds(at),
                seconds(earliest),
                seconds(now)
            )));
        }
        // Holds the history at `seq` until the refresh below names the
        // restore's source range (a concurrent refresh may raise the floor
        // past `seq` meanwhile; this snapshot still keeps what it sees).
        let (seq, _hold) = self.history_at_end_of(meta.id, at.div_euclid(1000), invalid)?;
        if self.tables_read().contains_key(&input.target_table_name) {
            return Err(DynamoError::TableAlreadyExistsException(format!(
                "Table already exists: {}",
                input.target_table_name
            )));
        }
        let opts = &self.inner.opts;
        let restore = RestoreMeta {
            source_backup_arn: None,
            source_table_arn: Some(meta.arn(&opts.region, &opts.account_id)),
            restore_millis: at,
            backup_id: String::new(),
            source_table_id: meta.id,
            in_progress: true,
            source_sequence: Some(seq),
        };
        let out = self.create_restored_table(
            &meta,
            &input.target_table_name,
            &input.overrides,
            restore,
            |db, table| {
                db.refresh_history()?;
                db.start_restore(table);
                Ok(())
            },
        )?;
        Ok(RestoreTableToPointInTimeOutput {
            table_description: out,
        })
    }
}
