//! The control plane: CreateTable, DescribeTable, ListTables, UpdateTable,
//! DeleteTable.
//!
//! Tables are `ACTIVE` as soon as CreateTable returns (there is nothing to
//! provision); CreateTable's own answer says `CREATING`, as DynamoDB's does. Messages are DynamoDB's; where they come from is noted per
//! check (dynalite `validations/createTable.js`, `db/index.js`, and the API
//! reference pages).

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use xxhash_rust::xxh3::xxh3_128;

use crate::dynamo::api::{
    BillingMode, CreateTableInput, CreateTableOutput, DeleteTableInput, DeleteTableOutput,
    DescribeTableInput, DescribeTableOutput, GlobalSecondaryIndexDescription, IndexStatus, KeyType,
    ListTablesInput, ListTablesOutput, ProvisionedThroughputDescription, TableDescription,
    TableStatus, UpdateTableInput, UpdateTableOutput,
};
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::{member_constraints, DynamoError};
use crate::dynamo::indexes::collections::INDEX_ENTRY_OVERHEAD;
use crate::dynamo::indexes::ddl::{self, OtherChanges};
use crate::dynamo::items::value::{item_size, INVALID_PARAMETER};
use crate::dynamo::keys::layout::{index_id_of, range_prefix, table_prefix, TABLE_INDEX_ID};
use crate::dynamo::streams::settings::{check_create_stream, check_update_stream, retire_streams};
use crate::dynamo::tables::catalog;
use crate::dynamo::tables::policy;
use crate::dynamo::tables::schema::{IndexMeta, KeyAttr, TableMeta};
use crate::dynamo::tables::settings::{sse_choice, StoredPolicy, TableSettings};
use crate::dynamo::tables::table::{table_name_of, Count, SizeCache, Table};
use crate::dynamo::tables::tags;
use crate::WriteBatch;

/// Shortest table name.
pub const MIN_TABLE_NAME: usize = 3;
/// Longest table name.
pub const MAX_TABLE_NAME: usize = 255;

/// Checks a table name against the API model's constraints (length 3–255,
/// pattern `[a-zA-Z0-9_.-]+`), in the "N validation error(s) detected"
/// form DynamoDB uses for model constraints.
pub fn check_table_name(name: &str) -> Result<(), DynamoError> {
    check_name(name, "tableName")
}

/// [`check_table_name`] for any member of the `TableName` pattern and
/// lengths (`BackupName`, `TargetTableName`, ...), named `field`.
pub fn check_name(name: &str, field: &str) -> Result<(), DynamoError> {
    let mut errors = Vec::new();
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        || name.is_empty()
    {
        errors.push(format!(
            "Value '{name}' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        ));
    }
    if name.len() < MIN_TABLE_NAME {
        errors.push(format!(
            "Value '{name}' at '{field}' failed to satisfy constraint: Member must have length greater than or equal to {MIN_TABLE_NAME}"
        ));
    }
    if name.len() > MAX_TABLE_NAME {
        errors.push(format!(
            "Value '{name}' at '{field}' failed to satisfy constraint: Member must have length less than or equal to {MAX_TABLE_NAME}"
        ));
    }
    member_constraints(errors)
}

/// A list operation's `Limit` (1–100; absent = 100), or the model
/// constraint's ValidationException.
pub fn check_list_limit(limit: Option<i64>) -> Result<i64, DynamoError> {
    let limit = limit.unwrap_or(100);
    if !(1..=100).contains(&limit) {
        let bound = if limit < 1 {
            "greater than or equal to 1"
        } else {
            "less than or equal to 100"
        };
        return Err(DynamoError::validation(format!(
            "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {bound}"
        )));
    }
    Ok(limit)
}

/// Refuses a control-plane change to a table still being restored.
fn check_not_restoring(meta: &TableMeta) -> Result<(), DynamoError> {
    if meta.restore.as_ref().is_some_and(|r| r.in_progress) {
        return Err(DynamoError::ResourceInUseException(format!(
            "Attempt to change a resource which is still in use: Table is being created: {}",
            meta.name
        )));
    }
    Ok(())
}

fn invalid(msg: impl std::fmt::Display) -> DynamoError {
    DynamoError::validation(format!("{INVALID_PARAMETER}{msg}"))
}

fn uuid_for(id: u32, millis: i64) -> String {
    let mut seed = Vec::with_capacity(12);
    seed.extend_from_slice(&id.to_le_bytes());
    seed.extend_from_slice(&millis.to_le_bytes());
    let h = xxh3_128(&seed).to_be_bytes();
    let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl DynamoDb {
    /// `CreateTable`, with up to 5 local and 20 global secondary indexes
    /// (all `ACTIVE` at once: there is nothing to backfill).
    pub fn create_table(&self, input: CreateTableInput) -> Result<CreateTableOutput, DynamoError> {
        self.create_table_as(input, None, |_, _| Ok(()))
    }

    /// CreateTable, for a table restored from a backup when `restore` is
    /// set (the table is then `CREATING` until the restore ends). `after`
    /// gets the new table once its record is committed, still under the
    /// control lock (a restore starts its copy there); its error is the
    /// call's, though the table exists.
    pub(crate) fn create_table_as(
        &self,
        input: CreateTableInput,
        restore: Option<crate::dynamo::tables::schema::RestoreMeta>,
        after: impl FnOnce(&DynamoDb, Arc<Table>) -> Result<(), DynamoError>,
    ) -> Result<CreateTableOutput, DynamoError> {
        let mut input = input;
        // API Reference, CreateTable: "You can also provide the Amazon
        // Resource Name (ARN) of the table in this parameter" — the table
        // is the one the ARN names, read as every other operation reads it.
        if input.table_name.starts_with("arn:") {
            input.table_name = table_name_of(&input.table_name).to_string();
        }
        check_table_name(&input.table_name)?;
        ddl::check_create_members(&input)?;
        let (hash, range) = check_key_schema(&input)?;
        let mut indexes = ddl::create_table_indexes(&input, &hash, range.as_ref())?;
        let billing_mode = input.billing_mode.unwrap_or_default();
        let (read, write) = match (billing_mode, input.provisioned_throughput) {
            (BillingMode::Provisioned, None) => {
                // dynalite validations/createTable.js.
                return Err(invalid(
                    "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
                ));
            }
            (BillingMode::Provisioned, Some(t)) => {
                check_throughput(t.read_capacity_units, t.write_capacity_units)?;
                (t.read_capacity_units, t.write_capacity_units)
            }
            (BillingMode::PayPerRequest, Some(_)) => {
                return Err(invalid(
                    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
                ));
            }
            (BillingMode::PayPerRequest, None) => (0, 0),
        };
        check_create_stream(input.stream_specification.as_ref())?;
        let tags = tags::initial_tags(input.tags.as_deref())?;
        if let Some(doc) = &input.resource_policy {
            policy::check_document(doc)?;
        }
        ddl::check_create_throughput(&input, billing_mode, &mut indexes)?;
        let next_index_id = u8::try_from(indexes.len() + 1).unwrap_or(ddl::MAX_INDEX_ID);
        let _control = self.control_lock();
        self.expire_retired_streams();
        if self.tables_read().contains_key(&input.table_name) {
            // API reference, ResourceInUseException; wording as DynamoDB sends it.
            return Err(DynamoError::ResourceInUseException(format!(
                "Table already exists: {}",
                input.table_name
            )));
        }
        let now = self.inner.opts.clock.now_millis();
        let id = self.next_table_id();
        if id == u32::MAX {
            return Err(DynamoError::InternalServerError(
                "table ids exhausted".to_string(),
            ));
        }
        let meta = TableMeta {
            name: input.table_name.clone(),
            id,
            uuid: uuid_for(id, now),
            created_millis: now,
            hash,
            range,
            attribute_definitions: input.attribute_definitions.clone(),
            billing_mode,
            billing_mode_explicit: input.billing_mode.is_some(),
            read_capacity_units: read,
            write_capacity_units: write,
            last_increase_millis: None,
            last_decrease_millis: None,
            decreases_today: 0,
            last_pay_per_request_millis: (billing_mode == BillingMode::PayPerRequest)
                .then_some(now),
            deletion_protection: input.deletion_protection_enabled.unwrap_or(false),
            indexes,
            next_index_id,
            streams: self.initial_streams(
                &input.table_name,
                input.stream_specification.as_ref(),
                now,
            ),
            ttl_attribute: None,
            tags,
            settings: initial_settings(&input, now),
            restore,
            pitr: None,
        };
        let mut batch = WriteBatch::new();
        catalog::create(&mut batch, &meta);
        self.commit_control(batch)?;
        self.table_id_taken(id);
        let mut description = meta.description(self.region(), &self.inner.opts.account_id);
        // DynamoDB's CreateTable answers CREATING; here the table is usable
        // at once, so every later call sees it ACTIVE.
        description.table_status = TableStatus::Creating;
        let name = meta.name.clone();
        self.inner.tables.insert(meta);
        if let Some(table) = self.inner.tables.get(&name) {
            after(self, table)?;
        }
        Ok(CreateTableOutput {
            table_description: description,
        })
    }

    /// `DescribeTable`.
    pub fn describe_table(
        &self,
        input: DescribeTableInput,
    ) -> Result<DescribeTableOutput, DynamoError> {
        let table = self.control_table(&input.table_name)?;
        Ok(DescribeTableOutput {
            table: self.describe(&table)?,
        })
    }

    fn describe(&self, table: &Table) -> Result<TableDescription, DynamoError> {
        let meta = table.meta();
        self.describe_meta(table, &meta)
    }

    /// DescribeTable's view of `meta` (the definition of `table`, possibly
    /// one just written), with item counts and sizes.
    fn describe_meta(
        &self,
        table: &Table,
        meta: &TableMeta,
    ) -> Result<TableDescription, DynamoError> {
        let mut d = meta.description(self.region(), &self.inner.opts.account_id);
        let sizes = self.table_sizes(table)?;
        d.item_count = sizes.item_count;
        d.table_size_bytes = sizes.size_bytes;
        let index_sizes = |name: &str| {
            meta.index(name)
                .and_then(|i| sizes.indexes.get(&i.id))
                .copied()
                .unwrap_or((0, 0))
        };
        for l in d.local_secondary_indexes.iter_mut().flatten() {
            (l.item_count, l.index_size_bytes) = index_sizes(&l.index_name);
        }
        for g in d.global_secondary_indexes.iter_mut().flatten() {
            (g.item_count, g.index_size_bytes) = index_sizes(&g.index_name);
            let failure = meta
                .index(&g.index_name)
                .filter(|i| i.status == IndexStatus::Creating)
                .and_then(|i| table.backfill_failure(i.id));
            g.backfill_error = failure;
        }
        Ok(d)
    }

    /// Item count and size of the table and of each index, counted by a
    /// scan when the table changed since the last count, unless that count
    /// was a long one made recently ([`Count::serves`]: a small table's
    /// sizes are exact; DynamoDB refreshes them about every six hours). An
    /// index entry counts its projected attributes plus DynamoDB's 100
    /// bytes of overhead.
    pub(crate) fn table_sizes(&self, table: &Table) -> Result<SizeCache, DynamoError> {
        if let Some(c) = table.counted_sizes() {
            return Ok(c);
        }
        // Callers that arrive during a count wait for it and take its
        // result, instead of scanning the table once each.
        let _turn = table.counting();
        if let Some(c) = table.counted_sizes() {
            return Ok(c);
        }
        let started = Instant::now();
        let generation = table.generation.load(Ordering::Acquire);
        let meta = table.meta();
        let prefix = table_prefix(meta.id);
        let mut it = self.inner.db.iter()?;
        it.seek(&prefix)?;
        let mut c = SizeCache {
            generation,
            ..SizeCache::default()
        };
        while it.valid() && it.key().starts_with(&prefix) {
            let index_id = index_id_of(it.key()).unwrap_or(TABLE_INDEX_ID);
            if index_id == TABLE_INDEX_ID {
                let item = decode_stored(it.value())?;
                c.item_count += 1;
                c.size_bytes += item_size(&item) as i64;
            } else if meta.indexes.iter().any(|i| i.id == index_id) {
                let entry = decode_stored(it.value())?;
                let e = c.indexes.entry(index_id).or_insert((0, 0));
                e.0 += 1;
                e.1 += item_size(&entry) as i64 + INDEX_ENTRY_OVERHEAD as i64;
            } else {
                // A deleted index not yet reclaimed: skip its range.
                match index_id.checked_add(1) {
                    Some(next) => {
                        it.seek(&range_prefix(meta.id, next))?;
                        continue;
                    }
                    None => break,
                }
            }
            it.next()?;
        }
        table.set_count(Count {
            sizes: c.clone(),
            at: started,
            took: started.elapsed(),
        });
        Ok(c)
    }

    /// `ListTables`.
    pub fn list_tables(&self, input: ListTablesInput) -> Result<ListTablesOutput, DynamoError> {
        let limit = check_list_limit(input.limit)?;
        let tables = self.tables_read();
        let start = input.exclusive_start_table_name.as_deref();
        let mut names = tables
            .keys()
            .filter(|n| start.is_none_or(|s| n.as_str() > s));
        let table_names: Vec<String> = names
            .by_ref()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        let more = names.next().is_some();
        Ok(ListTablesOutput {
            last_evaluated_table_name: if more {
                table_names.last().cloned()
            } else {
                None
            },
            table_names,
        })
    }

    /// `UpdateTable`: billing mode, provisioned throughput, deletion
    /// protection, stream, and one global secondary index change.
    ///
    /// A `Create` records the index as `CREATING` and returns; a background
    /// backfill adds the existing items and then turns it `ACTIVE` (writes
    /// made meanwhile maintain it themselves). Only one index may be created
    /// or deleted at a time per table. A `Delete` removes the index at once
    /// (the response still shows it, `DELETING`) and reclaims its entries in
    /// the background; deleting a `CREATING` index cancels it. An `Update`
    /// changes a global index's provisioned throughput.
    pub fn update_table(&self, input: UpdateTableInput) -> Result<UpdateTableOutput, DynamoError> {
        let gsi_updates = input.global_secondary_index_updates.as_deref();
        if input.billing_mode.is_none()
            && input.provisioned_throughput.is_none()
            && input.deletion_protection_enabled.is_none()
            && input.stream_specification.is_none()
            && input.table_class.is_none()
            && input.sse_specification.is_none()
            && input.on_demand_throughput.is_none()
            && input.warm_throughput.is_none()
            && gsi_updates.is_none_or(|u| u.is_empty())
        {
            // API reference, UpdateTable (DynamoDB's message lists the members).
            return Err(DynamoError::validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
            ));
        }
        check_update_stream(&input)?;
        if gsi_updates.is_some_and(|u| u.is_empty()) {
            // An empty list with another change (lab, DDB-TABLE-359).
            return Err(invalid("List of GlobalSecondaryIndexUpdates is empty"));
        }
        let _control = self.control_lock();
        let table = self.control_table(&input.table_name)?;
        let original = table.meta();
        check_not_restoring(&original)?;
        let mut meta = (*original).clone();
        let now = self.inner.opts.clock.now_millis();
        let mode = input.billing_mode.unwrap_or(meta.billing_mode);
        match (mode, input.provisioned_throughput) {
            (BillingMode::PayPerRequest, Some(_)) => {
                return Err(invalid(
                    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
                ));
            }
            (BillingMode::PayPerRequest, None) => {
                if meta.billing_mode != BillingMode::PayPerRequest {
                    meta.last_pay_per_request_millis = Some(now);
                }
                meta.read_capacity_units = 0;
                meta.write_capacity_units = 0;
            }
            (BillingMode::Provisioned, None) => {
                if meta.billing_mode == BillingMode::PayPerRequest {
                    return Err(invalid(
                        "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
                    ));
                }
            }
            (BillingMode::Provisioned, Some(t)) => {
                check_throughput(t.read_capacity_units, t.write_capacity_units)?;
                if meta.billing_mode == BillingMode::Provisioned
                    && input.billing_mode.is_none()
                    && t.read_capacity_units == meta.read_capacity_units
                    && t.write_capacity_units == meta.write_capacity_units
                {
                    // Wording as DynamoDB sends it (dynalite db/updateTable.js).
                    return Err(DynamoError::validation(format!(
                        "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: {}. Requested ReadCapacityUnits: {}. Current WriteCapacityUnits provisioned for the table: {}. Requested WriteCapacityUnits: {}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
                        meta.read_capacity_units, t.read_capacity_units, meta.write_capacity_units, t.write_capacity_units
                    )));
                }
                let up = t.read_capacity_units > meta.read_capacity_units
                    || t.write_capacity_units > meta.write_capacity_units;
                let down = t.read_capacity_units < meta.read_capacity_units
                    || t.write_capacity_units < meta.write_capacity_units;
                if up {
                    meta.last_increase_millis = Some(now);
                }
                if down && meta.billing_mode == BillingMode::Provisioned {
                    meta.last_decrease_millis = Some(now);
                    meta.decreases_today += 1;
                }
                meta.read_capacity_units = t.read_capacity_units;
                meta.write_capacity_units = t.write_capacity_units;
            }
        }
        let plan = ddl::plan_gsi_updates(
            &original,
            gsi_updates.unwrap_or_default(),
            input.attribute_definitions.as_deref(),
            mode,
            OtherChanges {
                table_throughput: input.provisioned_throughput.is_some(),
                deletion_protection: input.deletion_protection_enabled.is_some(),
            },
        )?;
        if input.billing_mode.is_some() {
            meta.billing_mode_explicit = true;
        }
        meta.billing_mode = mode;
        if let Some(p) = input.deletion_protection_enabled {
            meta.deletion_protection = p;
        }
        update_settings(&mut meta.settings, &input, now);
        self.update_streams(&mut meta, input.stream_specification.as_ref(), now)?;
        for idx in meta.indexes.iter_mut() {
            if let Some((read, write)) = plan.throughput.get(&idx.name) {
                idx.read_capacity_units = *read;
                idx.write_capacity_units = *write;
            }
            if let Some((on_demand, warm)) = plan.settings.get(&idx.name) {
                idx.throughput.apply(on_demand.as_ref(), warm.as_ref());
            }
        }
        if let Some(deleted) = &plan.delete {
            meta.indexes.retain(|i| i.id != deleted.id);
            meta.attribute_definitions = ddl::prune_definitions(&meta);
        }
        if let Some(created) = &plan.create {
            meta.indexes.push(created.clone());
            meta.next_index_id = created.id.saturating_add(1);
            meta.attribute_definitions
                .extend(plan.new_definitions.iter().cloned());
        }
        let mut batch = WriteBatch::new();
        match &plan.delete {
            Some(deleted) => catalog::retire_index(&mut batch, &meta, deleted.id),
            None => catalog::update(&mut batch, &meta),
        }
        self.commit_control(batch)?;
        table.set_meta(meta.clone());
        table.touch();
        let mut description = self.describe_meta(&table, &meta)?;
        if let Some(deleted) = &plan.delete {
            // Every write that could still add an entry of the deleted index
            // read the old definition while holding the table's gate; once
            // they are done the range can be emptied.
            table.quiesce();
            self.reclaim_index(meta.id, deleted.id);
            // The response still shows the index, DELETING (as DynamoDB's
            // does), and the table UPDATING.
            description
                .global_secondary_indexes
                .get_or_insert_with(Vec::new)
                .push(deleting_description(&description.table_arn, deleted));
            description.table_status = TableStatus::Updating;
        }
        if let Some(created) = &plan.create {
            self.start_backfill(Arc::clone(&table), created.id);
            // DynamoDB's response shows the table UPDATING and the new index
            // CREATING, not yet backfilling (its resource allocation phase);
            // DescribeTable then shows Backfilling true until it is ACTIVE.
            description.table_status = TableStatus::Updating;
            for g in description.global_secondary_indexes.iter_mut().flatten() {
                if g.index_name == created.name {
                    g.backfilling = Some(false);
                }
            }
        }
        Ok(UpdateTableOutput {
            table_description: description,
        })
    }

    /// `DeleteTable`: the table disappears at once; its items are reclaimed
    /// in the background. Its streams (an enabled one is disabled now) stay
    /// readable until 24 hours after they were disabled, as DynamoDB's do;
    /// their records are reclaimed then (see `stream.rs`, "Deleted tables").
    pub fn delete_table(&self, input: DeleteTableInput) -> Result<DeleteTableOutput, DynamoError> {
        let _control = self.control_lock();
        self.expire_retired_streams();
        let table = self.control_table(&input.table_name)?;
        let meta = table.meta();
        check_not_restoring(&meta)?;
        if meta.deletion_protection {
            // API reference, DeleteTable / DeletionProtectionEnabled.
            return Err(DynamoError::validation(format!(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first. Table: {}",
                meta.name
            )));
        }
        if meta.indexes.iter().any(|i| i.status != IndexStatus::Active) {
            // As DynamoDB answers while a global index is CREATING (lab,
            // DDB-TABLE-150).
            return Err(DynamoError::ResourceInUseException(
                "Attempt to change a resource which is still in use: Cannot delete table while indexes are being created, updated, or deleted.".to_string(),
            ));
        }
        let mut description = self.describe(&table)?;
        description.table_status = TableStatus::Deleting;
        table.kill();
        // Every write of the table has committed: its stream ends below
        // the next sequence number.
        let kept = retire_streams(
            &meta,
            self.inner.streams.peek_next(),
            self.inner.opts.clock.now_millis(),
        );
        let mut batch = WriteBatch::new();
        catalog::delete(&mut batch, &meta, kept.as_ref());
        self.commit_control(batch)?;
        let keeps_streams = kept.is_some();
        if let Some(kept) = kept {
            self.inner.retired_streams.keep(kept);
        }
        self.inner.tables.remove(table_name_of(&input.table_name));
        self.reclaim_table(meta.id, keeps_streams);
        Ok(DeleteTableOutput {
            table_description: description,
        })
    }
}

/// The settings of a table CreateTable makes from `input` at `now`.
/// REQUIRES: `input.resource_policy`, if any, passed
/// [`policy::check_document`].
fn initial_settings(input: &CreateTableInput, now: i64) -> TableSettings {
    let mut settings = TableSettings {
        table_class: input.table_class,
        sse_kms_key: input.sse_specification.as_ref().and_then(sse_choice),
        policy: input.resource_policy.as_ref().map(|doc| StoredPolicy {
            document: doc.clone(),
            revision_id: policy::next_revision(None, now),
        }),
        ..TableSettings::default()
    };
    settings.throughput.apply(
        input.on_demand_throughput.as_ref(),
        input.warm_throughput.as_ref(),
    );
    settings
}

/// Applies UpdateTable's setting members to `settings` at `now`.
fn update_settings(settings: &mut TableSettings, input: &UpdateTableInput, now: i64) {
    if let Some(c) = input.table_class {
        if settings.table_class.unwrap_or_default() != c {
            settings.table_class_updated_millis = Some(now);
        }
        settings.table_class = Some(c);
    }
    if let Some(spec) = &input.sse_specification {
        settings.sse_kms_key = sse_choice(spec);
    }
    settings.throughput.apply(
        input.on_demand_throughput.as_ref(),
        input.warm_throughput.as_ref(),
    );
}

/// A deleted global index as UpdateTable's response shows it.
fn deleting_description(table_arn: &str, idx: &IndexMeta) -> GlobalSecondaryIndexDescription {
    let (on_demand_throughput, warm_throughput) = idx.throughput_description();
    GlobalSecondaryIndexDescription {
        index_name: idx.name.clone(),
        key_schema: idx.key_schema(),
        projection: idx.projection(),
        index_status: IndexStatus::Deleting,
        backfilling: None,
        provisioned_throughput: ProvisionedThroughputDescription {
            read_capacity_units: idx.read_capacity_units,
            write_capacity_units: idx.write_capacity_units,
            ..ProvisionedThroughputDescription::default()
        },
        index_size_bytes: 0,
        item_count: 0,
        index_arn: format!("{table_arn}/index/{}", idx.name),
        backfill_error: None,
        on_demand_throughput,
        warm_throughput,
    }
}

fn check_throughput(read: i64, write: i64) -> Result<(), DynamoError> {
    let mut errors = Vec::new();
    for (name, v) in [("readCapacityUnits", read), ("writeCapacityUnits", write)] {
        if v < 1 {
            errors.push(format!(
                "Value '{v}' at 'provisionedThroughput.{name}' failed to satisfy constraint: Member must have value greater than or equal to 1"
            ));
        }
    }
    member_constraints(errors)
}

/// Checks KeySchema against AttributeDefinitions; returns the key attributes.
fn check_key_schema(input: &CreateTableInput) -> Result<(KeyAttr, Option<KeyAttr>), DynamoError> {
    let ks = &input.key_schema;
    if ks.is_empty() || ks.len() > 2 {
        let bound = if ks.is_empty() {
            "greater than or equal to 1"
        } else {
            "less than or equal to 2"
        };
        return Err(DynamoError::validation(format!(
            "1 validation error detected: Value '{}' at 'keySchema' failed to satisfy constraint: Member must have length {bound}",
            ks.len()
        )));
    }
    // Messages: dynalite validations/createTable.js (checked against DynamoDB).
    let mut names = BTreeSet::new();
    for d in &input.attribute_definitions {
        if !names.insert(d.attribute_name.as_str()) {
            // As DynamoDB words it now (lab, DDB-TABLE-127); dynalite
            // recorded an older "Cannot have two attributes with the same
            // name".
            return Err(DynamoError::validation(format!(
                "Attribute Name is duplicated: {}",
                d.attribute_name
            )));
        }
    }
    if ks.first().is_none_or(|k| k.key_type != KeyType::Hash) {
        return Err(DynamoError::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    if let [first, second] = ks.as_slice() {
        if second.key_type != KeyType::Range {
            return Err(DynamoError::validation(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
            ));
        }
        if first.attribute_name == second.attribute_name {
            return Err(DynamoError::validation(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name",
            ));
        }
    }
    let def_of = |name: &str| {
        input
            .attribute_definitions
            .iter()
            .find(|d| d.attribute_name == name)
            .map(|d| d.attribute_type)
    };
    let missing: Vec<&str> = ks
        .iter()
        .map(|k| k.attribute_name.as_str())
        .filter(|n| def_of(n).is_none())
        .collect();
    if !missing.is_empty() {
        let defs: Vec<&str> = input
            .attribute_definitions
            .iter()
            .map(|d| d.attribute_name.as_str())
            .collect();
        return Err(invalid(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            missing.join(", "),
            defs.join(", ")
        )));
    }
    ddl::check_attribute_definitions(input)?;
    let attr = |i: usize| -> Result<KeyAttr, DynamoError> {
        let name = ks
            .get(i)
            .ok_or_else(|| invalid("key attribute not defined"))?
            .attribute_name
            .clone();
        let ty = def_of(&name).ok_or_else(|| invalid("key attribute not defined"))?;
        Ok(KeyAttr { name, ty })
    };
    let hash = attr(0)?;
    let range = if ks.len() == 2 { Some(attr(1)?) } else { None };
    Ok((hash, range))
}
