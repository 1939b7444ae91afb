//! RestoreTableFromBackup: a new table from a backup's table definition
//! (with the request's overrides), filled in the background.
//!
//! The new table's catalog record is written at once, `CREATING`, with a
//! `Restore` attribute naming the backup (format-spec/items.md): item
//! requests on it are `ResourceNotFoundException` and control-plane
//! changes `ResourceInUseException` until the restore ends. A background
//! thread opens the backup's checkpoint, reads the source table's items
//! (its key range as of the backup) a batch at a time and writes them
//! through the one write pipeline, so every index of the new definition —
//! local and global, overrides included — and every item collection size is
//! built as any write builds them. Then the record's restore turns
//! finished and the table `ACTIVE` (RestoreSummary stays, with
//! `RestoreInProgress` false). Restore does not copy the stream, TTL or tag
//! settings, as DynamoDB does not.
//!
//! Nothing about progress is stored: after a close or crash the restore
//! starts over at open, rewriting the same items (a put of an item as it
//! already is changes nothing).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::dynamo::api::{
    AttributeDefinition, BillingMode, CreateTableInput, GlobalSecondaryIndex, KeySchemaElement,
    LocalSecondaryIndex, ProvisionedThroughput, RestoreOverrides, RestoreTableFromBackupInput,
    RestoreTableFromBackupOutput, TableDescription,
};
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::DynamoError;
use crate::dynamo::failures::FailureCounters;
use crate::dynamo::items::value::Item;
use crate::dynamo::keys::layout::{range_prefix, TABLE_INDEX_ID};
use crate::dynamo::tables::catalog;
use crate::dynamo::tables::control::check_name;
use crate::dynamo::tables::schema::{IndexKind, RestoreMeta, TableMeta};
use crate::dynamo::tables::table::Table;
use crate::dynamo::worker::WeakHandle;
use crate::dynamo::write::pipeline::{Decision, ItemWrite, Target};
use crate::{Db, DbIterator, Error, WriteBatch};

/// The restore's write: put each item as the backup holds it.
pub(crate) struct RestoreWrite {
    items: Vec<Item>,
}

impl<'a> ItemWrite<'a> for RestoreWrite {
    fn decide(
        &mut self,
        i: usize,
        _meta: &Arc<TableMeta>,
        _old: Option<&Item>,
    ) -> Result<Decision<'a>, DynamoError> {
        let item = self.items.get(i).cloned().ok_or_else(|| {
            DynamoError::InternalServerError("restore batch lost an item".to_string())
        })?;
        Ok(Decision::Put(Cow::Owned(item)))
    }
}

/// The CreateTable request that makes the restored table `target`: the
/// source's definition with the request's overrides (RestoreTableFromBackup
/// and RestoreTableToPointInTime alike); no stream, TTL or tags.
fn create_input(source: &TableMeta, target: &str, input: &RestoreOverrides) -> CreateTableInput {
    let billing = input.billing_mode_override.unwrap_or(source.billing_mode);
    let provisioned = billing == BillingMode::Provisioned;
    let table_throughput = input.provisioned_throughput_override.or_else(|| {
        (provisioned && source.billing_mode == BillingMode::Provisioned).then_some(
            ProvisionedThroughput {
                read_capacity_units: source.read_capacity_units,
                write_capacity_units: source.write_capacity_units,
            },
        )
    });
    let indexes = |kind: IndexKind| source.indexes.iter().filter(move |i| i.kind == kind);
    // An override replaces the source's indexes of its kind; an empty one
    // drops them all (the API reference: "You can choose to exclude some or
    // all of the indexes at the time of restore").
    let lsis = match &input.local_secondary_index_override {
        Some(l) => (!l.is_empty()).then(|| l.clone()),
        None => {
            let l: Vec<LocalSecondaryIndex> = indexes(IndexKind::Local)
                .map(|i| LocalSecondaryIndex {
                    index_name: i.name.clone(),
                    key_schema: i.key_schema(),
                    projection: i.projection(),
                })
                .collect();
            (!l.is_empty()).then_some(l)
        }
    };
    let gsis = match &input.global_secondary_index_override {
        Some(g) => (!g.is_empty()).then(|| g.clone()),
        None => {
            let g: Vec<GlobalSecondaryIndex> = indexes(IndexKind::Global)
                .map(|i| GlobalSecondaryIndex {
                    index_name: i.name.clone(),
                    key_schema: i.key_schema(),
                    projection: i.projection(),
                    provisioned_throughput: provisioned.then(|| {
                        if i.read_capacity_units > 0 {
                            ProvisionedThroughput {
                                read_capacity_units: i.read_capacity_units,
                                write_capacity_units: i.write_capacity_units,
                            }
                        } else {
                            table_throughput.unwrap_or_default()
                        }
                    }),
                    // As for the table: a restored table starts without
                    // the source's maximum and warm throughput.
                    on_demand_throughput: None,
                    warm_throughput: None,
                })
                .collect();
            (!g.is_empty()).then_some(g)
        }
    };
    // Only the definitions some key schema of the new table uses (an
    // override may drop an index and with it the need for its attributes).
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let key_schema = source.key_schema();
    let schemas = std::iter::once(&key_schema)
        .chain(lsis.iter().flatten().map(|l| &l.key_schema))
        .chain(gsis.iter().flatten().map(|g| &g.key_schema));
    for ks in schemas {
        used.extend(
            ks.iter()
                .map(|k: &KeySchemaElement| k.attribute_name.as_str()),
        );
    }
    let attribute_definitions: Vec<AttributeDefinition> = source
        .attribute_definitions
        .iter()
        .filter(|d| used.contains(d.attribute_name.as_str()))
        .cloned()
        .collect();
    CreateTableInput {
        table_name: target.to_string(),
        attribute_definitions,
        key_schema,
        billing_mode: (input.billing_mode_override.is_some() || source.billing_mode_explicit)
            .then_some(billing),
        provisioned_throughput: table_throughput,
        local_secondary_indexes: lsis,
        global_secondary_indexes: gsis,
        sse_specification: input.sse_specification_override.clone(),
        ..CreateTableInput::default()
    }
}

impl DynamoDb {
    /// `RestoreTableFromBackup`: the new table is `CREATING` (with its
    /// `RestoreSummary`) when this returns, `ACTIVE` once its items and
    /// indexes are in.
    pub fn restore_table_from_backup(
        &self,
        input: RestoreTableFromBackupInput,
    ) -> Result<RestoreTableFromBackupOutput, DynamoError> {
        check_name(&input.target_table_name, "targetTableName")?;
        let backup = self.backup_by_arn(&input.backup_arn)?;
        let exists = || {
            DynamoError::TableAlreadyExistsException(format!(
                "Table already exists: {}",
                input.target_table_name
            ))
        };
        if self.tables_read().contains_key(&input.target_table_name) {
            return Err(exists());
        }
        let opts = &self.inner.opts;
        let restore = RestoreMeta {
            source_backup_arn: Some(input.backup_arn.clone()),
            source_table_arn: Some(backup.table.arn(&opts.region, &opts.account_id)),
            restore_millis: opts.clock.now_millis(),
            backup_id: backup.id.clone(),
            source_table_id: backup.table.id,
            in_progress: true,
            source_sequence: None,
        };
        let table_description = self.create_restored_table(
            &backup.table,
            &input.target_table_name,
            &input.overrides,
            restore,
            |db, table| {
                db.start_restore(table);
                Ok(())
            },
        )?;
        Ok(RestoreTableFromBackupOutput { table_description })
    }

    /// Creates the table `target` a restore fills: `source`'s definition
    /// with `overrides`, `CREATING` with `restore`; `after` runs under the
    /// control lock once its record is committed (it starts the copy).
    pub(crate) fn create_restored_table(
        &self,
        source: &TableMeta,
        target: &str,
        overrides: &RestoreOverrides,
        restore: RestoreMeta,
        after: impl FnOnce(&DynamoDb, Arc<Table>) -> Result<(), DynamoError>,
    ) -> Result<TableDescription, DynamoError> {
        let exists =
            || DynamoError::TableAlreadyExistsException(format!("Table already exists: {target}"));
        match self.create_table_as(
            create_input(source, target, overrides),
            Some(restore),
            after,
        ) {
            Ok(out) => Ok(out.table_description),
            // Lost a race with a CreateTable of the same name.
            Err(DynamoError::ResourceInUseException(m))
                if m.starts_with("Table already exists") =>
            {
                Err(exists())
            }
            Err(e) => Err(e),
        }
    }

    /// Starts filling restored `table` from its backup in the background.
    pub(crate) fn start_restore(&self, table: Arc<Table>) {
        let db = WeakHandle::new(self);
        let inner = self.downgrade();
        let spawned = self
            .inner
            .backfiller
            .spawn("siltdb-restore", move |stopping| {
                if let Err(e) = restore(&db, &table, stopping) {
                    if let Some(inner) = inner.upgrade() {
                        FailureCounters::count(&inner.failures.restores);
                    }
                    tracing::error!(
                        table = %table.meta().name,
                        error = %e,
                        "restore from backup failed; it starts again at the next open"
                    );
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start a restore thread");
            FailureCounters::count(&self.inner.failures.restores);
        }
    }
}

/// Opens the checkpoint of backup `id`, waiting while another restore from
/// the same backup has it open.
fn open_backup(
    db: &WeakHandle,
    id: &str,
    stopping: &AtomicBool,
) -> Result<Option<Db>, DynamoError> {
    loop {
        let Some(h) = db.upgrade() else {
            return Ok(None);
        };
        match h.inner.db.open_checkpoint(&h.backup_dir(id)) {
            Ok(source) => return Ok(Some(source)),
            Err(Error::Locked(_)) if !stopping.load(Ordering::SeqCst) => {
                drop(h);
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Copies the source's items into `table` — from the backup's checkpoint,
/// or, restoring to a point in time, from a history snapshot of this
/// database — then marks the restore done.
fn restore(db: &WeakHandle, table: &Arc<Table>, stopping: &AtomicBool) -> Result<(), DynamoError> {
    let Some(r) = table.meta().restore.clone().filter(|r| r.in_progress) else {
        return Ok(());
    };
    let prefix = range_prefix(r.source_table_id, TABLE_INDEX_ID);
    if let Some(seq) = r.source_sequence {
        let Some(h) = db.upgrade() else {
            return Ok(());
        };
        let snapshot = h.inner.db.history_snapshot(&prefix, seq)?;
        drop(h);
        let mut it = snapshot.iter()?;
        if !copy_items(db, table, &mut it, &prefix, stopping)? {
            return Ok(());
        }
    } else {
        let Some(source) = open_backup(db, &r.backup_id, stopping)? else {
            return Ok(());
        };
        let mut it = source.iter()?;
        if !copy_items(db, table, &mut it, &prefix, stopping)? {
            return Ok(());
        }
        drop(it);
        source.close()?;
    }
    finish_restore(db, table)
}

/// Writes every item under `prefix` of `it` into `table`, a batch at a
/// time; `false` if stopped (or the database went) first.
fn copy_items(
    db: &WeakHandle,
    table: &Arc<Table>,
    it: &mut DbIterator,
    prefix: &[u8],
    stopping: &AtomicBool,
) -> Result<bool, DynamoError> {
    it.seek(prefix)?;
    loop {
        if stopping.load(Ordering::SeqCst) {
            return Ok(false);
        }
        let Some(h) = db.upgrade() else {
            return Ok(false);
        };
        let batch_items = h.inner.opts.backfill_batch_items.max(1);
        let mut items = Vec::with_capacity(batch_items);
        while it.valid() && it.key().starts_with(prefix) && items.len() < batch_items {
            items.push(decode_stored(it.value())?);
            it.next()?;
        }
        if items.is_empty() {
            return Ok(true);
        }
        let meta = table.meta();
        let targets = items
            .iter()
            .map(|item| {
                Ok(Target {
                    table: Arc::clone(table),
                    key: meta.item_key(item)?,
                })
            })
            .collect::<Result<Vec<_>, DynamoError>>()?;
        h.write_items(&targets, &mut RestoreWrite { items })?;
    }
}

/// Marks `table`'s restore finished: `ACTIVE`, RestoreSummary kept.
fn finish_restore(db: &WeakHandle, table: &Arc<Table>) -> Result<(), DynamoError> {
    let Some(h) = db.upgrade() else {
        return Ok(());
    };
    let _control = h.control_lock();
    let Ok(gate) = table.write_gate() else {
        return Ok(());
    };
    let mut meta = (*table.meta()).clone();
    if let Some(r) = meta.restore.as_mut() {
        r.in_progress = false;
    }
    let mut batch = WriteBatch::new();
    catalog::update(&mut batch, &meta);
    h.commit_control(batch)?;
    let to_point_in_time = meta
        .restore
        .as_ref()
        .is_some_and(|r| r.source_sequence.is_some());
    table.set_meta(meta);
    drop(gate);
    if to_point_in_time {
        // The source's history at the restore's sequence number is no
        // longer needed.
        h.refresh_history()?;
    }
    Ok(())
}
