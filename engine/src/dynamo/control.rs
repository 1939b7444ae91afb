//! The control plane: CreateTable, DescribeTable, ListTables, UpdateTable,
//! DeleteTable.
//!
//! Tables are `ACTIVE` as soon as CreateTable returns (there is nothing to
//! provision). Messages are DynamoDB's; where they come from is noted per
//! check (dynalite `validations/createTable.js`, `db/index.js`, and the API
//! reference pages).

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use xxhash_rust::xxh3::xxh3_128;

use super::api::{
    BillingMode, CreateTableInput, CreateTableOutput, DeleteTableInput, DeleteTableOutput,
    DescribeTableInput, DescribeTableOutput, KeyType, ListTablesInput, ListTablesOutput,
    TableDescription, TableStatus, UpdateTableInput, UpdateTableOutput,
};
use super::catalog;
use super::db::{decode_stored, table_name_of, DynamoDb, SizeCache, Table};
use super::error::DynamoError;
use super::layout::{range_prefix, TABLE_INDEX_ID};
use super::schema::{KeyAttr, TableMeta};
use super::stream::{check_create_stream, check_update_stream};
use super::tags;
use super::value::{item_size, INVALID_PARAMETER};
use crate::WriteBatch;

/// Shortest table name.
pub const MIN_TABLE_NAME: usize = 3;
/// Longest table name.
pub const MAX_TABLE_NAME: usize = 255;

/// Checks a table name against the API model's constraints (length 3–255,
/// pattern `[a-zA-Z0-9_.-]+`), in the "N validation error(s) detected"
/// form DynamoDB uses for model constraints.
pub fn check_table_name(name: &str) -> Result<(), DynamoError> {
    let mut errors = Vec::new();
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        || name.is_empty()
    {
        errors.push(format!(
            "Value '{name}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        ));
    }
    if name.len() < MIN_TABLE_NAME {
        errors.push(format!(
            "Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to {MIN_TABLE_NAME}"
        ));
    }
    if name.len() > MAX_TABLE_NAME {
        errors.push(format!(
            "Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to {MAX_TABLE_NAME}"
        ));
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(DynamoError::validation(format!(
            "1 validation error detected: {}",
            errors[0]
        ))),
        n => Err(DynamoError::validation(format!(
            "{n} validation errors detected: {}",
            errors.join("; ")
        ))),
    }
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
    /// `CreateTable`.
    pub fn create_table(&self, input: CreateTableInput) -> Result<CreateTableOutput, DynamoError> {
        check_table_name(&input.table_name)?;
        let (hash, range) = check_key_schema(&input)?;
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
        let mut next_id = self.control_lock();
        if self.tables_read().contains_key(&input.table_name) {
            // API reference, ResourceInUseException; wording as DynamoDB sends it.
            return Err(DynamoError::ResourceInUseException(format!(
                "Table already exists: {}",
                input.table_name
            )));
        }
        let now = self.opts.clock.now_millis();
        let id = *next_id;
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
            indexes: Vec::new(),
            next_index_id: 1,
            streams: self.initial_streams(input.stream_specification.as_ref(), now),
            ttl_attribute: None,
            tags,
        };
        let mut batch = WriteBatch::new();
        catalog::create(&mut batch, &meta);
        self.commit(batch)?;
        *next_id = id + 1;
        let mut description = meta.description(&self.opts.region, &self.opts.account_id);
        description.table_status = TableStatus::Active;
        self.insert_table(meta);
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
        let mut d = meta.description(&self.opts.region, &self.opts.account_id);
        let sizes = self.table_sizes(table)?;
        d.item_count = sizes.item_count;
        d.table_size_bytes = sizes.size_bytes;
        Ok(d)
    }

    /// Item count and size, recomputed by a scan when the table changed since
    /// the last count. (DynamoDB refreshes these about every six hours; we
    /// are exact.)
    fn table_sizes(&self, table: &Table) -> Result<SizeCache, DynamoError> {
        let generation = table.generation.load(Ordering::Acquire);
        if let Some(c) = *table.sizes.lock().unwrap_or_else(|p| p.into_inner()) {
            if c.generation == generation {
                return Ok(c);
            }
        }
        let meta = table.meta();
        let prefix = range_prefix(meta.id, TABLE_INDEX_ID);
        let mut it = self.db.iter()?;
        it.seek(&prefix)?;
        let mut c = SizeCache {
            generation,
            ..SizeCache::default()
        };
        while it.valid() && it.key().starts_with(&prefix) {
            let item = decode_stored(it.value())?;
            c.item_count += 1;
            c.size_bytes += item_size(&item) as i64;
            it.next()?;
        }
        *table.sizes.lock().unwrap_or_else(|p| p.into_inner()) = Some(c);
        Ok(c)
    }

    /// `ListTables`.
    pub fn list_tables(&self, input: ListTablesInput) -> Result<ListTablesOutput, DynamoError> {
        let limit = input.limit.unwrap_or(100);
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
        let tables = self.tables_read();
        let start = input.exclusive_start_table_name.as_deref();
        let mut names = tables
            .keys()
            .filter(|n| start.is_none_or(|s| n.as_str() > s));
        let table_names: Vec<String> = names.by_ref().take(limit as usize).cloned().collect();
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

    /// `UpdateTable` (billing mode, provisioned throughput, deletion
    /// protection, stream).
    pub fn update_table(&self, input: UpdateTableInput) -> Result<UpdateTableOutput, DynamoError> {
        if input.billing_mode.is_none()
            && input.provisioned_throughput.is_none()
            && input.deletion_protection_enabled.is_none()
            && input.stream_specification.is_none()
        {
            // API reference, UpdateTable (DynamoDB's message lists the members).
            return Err(DynamoError::validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
            ));
        }
        check_update_stream(&input)?;
        let _control = self.control_lock();
        let table = self.control_table(&input.table_name)?;
        let mut meta = (*table.meta()).clone();
        let now = self.opts.clock.now_millis();
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
        if input.billing_mode.is_some() {
            meta.billing_mode_explicit = true;
        }
        meta.billing_mode = mode;
        if let Some(p) = input.deletion_protection_enabled {
            meta.deletion_protection = p;
        }
        self.update_streams(&mut meta, input.stream_specification.as_ref(), now)?;
        let mut batch = WriteBatch::new();
        batch.put(
            &catalog::table_key(&meta.name),
            &catalog::encode_meta(&meta),
        );
        self.commit(batch)?;
        table.set_meta(meta);
        Ok(UpdateTableOutput {
            table_description: self.describe(&table)?,
        })
    }

    /// `DeleteTable`: the table disappears at once; its items are reclaimed
    /// in the background.
    pub fn delete_table(&self, input: DeleteTableInput) -> Result<DeleteTableOutput, DynamoError> {
        let _control = self.control_lock();
        let table = self.control_table(&input.table_name)?;
        let meta = table.meta();
        if meta.deletion_protection {
            // API reference, DeleteTable / DeletionProtectionEnabled.
            return Err(DynamoError::validation(format!(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first. Table: {}",
                meta.name
            )));
        }
        let mut description = self.describe(&table)?;
        description.table_status = TableStatus::Deleting;
        table.kill();
        let mut batch = WriteBatch::new();
        catalog::delete(&mut batch, &meta);
        self.commit(batch)?;
        self.tables_write().remove(table_name_of(&input.table_name));
        self.reclaimer.reclaim(meta.id);
        Ok(DeleteTableOutput {
            table_description: description,
        })
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
    match errors.len() {
        0 => Ok(()),
        1 => Err(DynamoError::validation(format!(
            "1 validation error detected: {}",
            errors[0]
        ))),
        n => Err(DynamoError::validation(format!(
            "{n} validation errors detected: {}",
            errors.join("; ")
        ))),
    }
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
            return Err(DynamoError::validation(
                "Cannot have two attributes with the same name",
            ));
        }
    }
    if ks[0].key_type != KeyType::Hash {
        return Err(DynamoError::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    if ks.len() == 2 {
        if ks[1].key_type != KeyType::Range {
            return Err(DynamoError::validation(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
            ));
        }
        if ks[0].attribute_name == ks[1].attribute_name {
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
    if input.attribute_definitions.len() != ks.len() {
        return Err(invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ));
    }
    let attr = |i: usize| -> Result<KeyAttr, DynamoError> {
        let name = ks[i].attribute_name.clone();
        let ty = def_of(&name).ok_or_else(|| invalid("key attribute not defined"))?;
        Ok(KeyAttr { name, ty })
    };
    let hash = attr(0)?;
    let range = if ks.len() == 2 { Some(attr(1)?) } else { None };
    Ok((hash, range))
}
