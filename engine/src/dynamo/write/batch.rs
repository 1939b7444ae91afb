//! BatchGetItem and BatchWriteItem.
//!
//! Both validate the whole request before touching data, in DynamoDB's
//! order (paritysuite/dynamodb-conformance, `tier3/validation-ordering/
//! batchOperations.test.ts`): member constraints first (list lengths), then
//! values, expressions and limits, then tables, keys and duplicates.
//!
//! BatchGetItem reads every key from one engine snapshot. BatchWriteItem
//! takes the lock of every item it writes — in lock-id order, one at a time,
//! so two batches can never wait on each other in a cycle — and commits all
//! of its writes in one engine `WriteBatch`: one WAL record, one fsync. It
//! is not a transaction for the caller (there are no conditions to check),
//! but a crash never leaves half a batch behind. Nothing is ever left
//! unprocessed by BatchWriteItem; BatchGetItem returns the keys that would
//! take its response past 16 MB in `UnprocessedKeys`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use crate::dynamo::api::{
    BatchGetItemInput, BatchGetItemOutput, BatchWriteItemInput, BatchWriteItemOutput,
    ConsumedCapacity, KeysAndAttributes, ReturnConsumedCapacity, ReturnItemCollectionMetrics,
    WriteRequest,
};
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::{member_constraints, DynamoError};
use crate::dynamo::expr::legacy;
use crate::dynamo::expr::request::{ExprParams, LegacyParams, RequestParams};
use crate::dynamo::expr::{project, Path};
use crate::dynamo::indexes::capacity::index_write_units;
use crate::dynamo::indexes::collections::wants_metrics;
use crate::dynamo::indexes::entries::check_index_keys;
use crate::dynamo::items::capacity::{
    consumed, consumed_write, read_units, write_units, IndexUnits,
};
use crate::dynamo::items::validate::validate_value;
use crate::dynamo::items::value::{item_size, Item};
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::tables::table::Table;
use crate::dynamo::write::committing::{wait_here, Committing, Pending};
use crate::dynamo::write::pipeline::{Decision, ItemWrite, Target};
use crate::dynamo::write::single::check_put_item;

/// Most keys one BatchGetItem may read, over all its tables (API
/// reference, BatchGetItem: "up to 100 items").
pub const MAX_BATCH_GET_KEYS: usize = 100;
/// Most writes one BatchWriteItem may carry, over all its tables (API
/// reference, BatchWriteItem: "as many as 25 put or delete requests").
pub const MAX_BATCH_WRITE_REQUESTS: usize = 25;
/// Largest BatchGetItem response (API reference, BatchGetItem: "A single
/// operation can retrieve up to 16 MB of data"); keys past it are returned
/// in `UnprocessedKeys`.
pub const MAX_BATCH_GET_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// "Provided list of item keys contains duplicates": the same item twice in
/// one table's keys (BatchGetItem) or requests (BatchWriteItem). Wording
/// characterised against DynamoDB by the conformance suite
/// (`tier3/error-messages/batchGetItem.test.ts`, `batchWriteItem.test.ts`).
pub(crate) const DUPLICATE_KEYS: &str = "Provided list of item keys contains duplicates";

/// BatchWriteItem's puts and deletes as the write pipeline runs them.
struct BatchWrite<'a> {
    /// Per target: its table's position, its key, and the item a put writes.
    writes: &'a [(usize, Vec<u8>, Option<&'a Item>)],
    /// Write units per table: on the table, and on its indexes (counted
    /// only when the request asked for capacity).
    units: Vec<(f64, IndexUnits)>,
    /// Whether the request asked for `ConsumedCapacity`.
    capacity_wanted: bool,
    metrics: Option<ReturnItemCollectionMetrics>,
}

impl<'a> ItemWrite<'a> for BatchWrite<'a> {
    fn reads_old(&self, i: usize) -> bool {
        // A delete writes nothing for an absent item; capacity counts the
        // larger of the old and new items.
        self.capacity_wanted || self.writes.get(i).is_none_or(|(_, _, item)| item.is_none())
    }

    fn decide(
        &mut self,
        i: usize,
        meta: &Arc<TableMeta>,
        old: Option<&Item>,
    ) -> Result<Decision<'a>, DynamoError> {
        let Some((t, _, item)) = self.writes.get(i) else {
            return Ok(Decision::Keep);
        };
        if let Some(item) = item {
            check_index_keys(meta, item)?;
        }
        let old_size = old.map(item_size).unwrap_or(0);
        let new_size = item.map(item_size).unwrap_or(0);
        if let Some((u, indexes)) = self.units.get_mut(*t) {
            *u += write_units(old_size.max(new_size));
            if self.capacity_wanted {
                indexes.add(index_write_units(meta, old, *item)?);
            }
        }
        Ok(match (item, old) {
            (Some(item), _) => Decision::Put(Cow::Borrowed(*item)),
            (None, Some(_)) => Decision::Delete,
            (None, None) => Decision::Keep,
        })
    }

    fn wants_collection_metrics(&self) -> bool {
        wants_metrics(self.metrics)
    }
}

/// One table of a BatchGetItem, checked and resolved.
struct GetTable<'a> {
    name: &'a str,
    request: &'a KeysAndAttributes,
    table: Arc<Table>,
    projection: Option<Vec<Path>>,
    keys: Vec<Vec<u8>>,
}

impl DynamoDb {
    /// `BatchGetItem`: reads up to 100 items from one or more tables.
    ///
    /// Every key must name an item of its table exactly (as GetItem's `Key`);
    /// a key may appear only once per table. Items found are returned per
    /// table (missing ones are simply absent), projected by the table's
    /// `ProjectionExpression` or `AttributesToGet`. All reads come from one
    /// consistent snapshot. Keys whose items would take the response past
    /// 16 MB are returned in `UnprocessedKeys`, for the caller to retry.
    pub fn batch_get_item(
        &self,
        input: BatchGetItemInput,
    ) -> Result<BatchGetItemOutput, DynamoError> {
        if input.request_items.is_empty() {
            // The validation framework's wording; most regions now give it
            // (conformance suite, registry row
            // batch-get-item-empty-request-items-message).
            return member_constraints(vec![
                "Value at 'RequestItems' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string(),
            ])
            .map(|()| BatchGetItemOutput::default());
        }
        let mut errors = Vec::new();
        for (name, request) in &input.request_items {
            if request.keys.is_empty() {
                errors.push(format!("Value at 'RequestItems.{name}.member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1"));
            } else if request.keys.len() > MAX_BATCH_GET_KEYS {
                errors.push(format!("Value at 'RequestItems.{name}.member.Keys' failed to satisfy constraint: Member must have length less than or equal to {MAX_BATCH_GET_KEYS}"));
            }
        }
        member_constraints(errors)?;

        // Expression and non-expression projections may not be mixed, not
        // even across tables (conformance suite, batchGetItem.test.ts).
        let mut legacy_names = Vec::new();
        let mut expression_names: Vec<&'static str> = Vec::new();
        for request in input.request_items.values() {
            let params = projection_params(request);
            for (p, names) in [
                (params.legacy.present(), &mut legacy_names),
                (params.expr.present(), &mut expression_names),
            ] {
                for p in p {
                    if !names.contains(&p) {
                        names.push(p);
                    }
                }
            }
        }
        legacy::check_not_mixed(&legacy_names, &expression_names)?;
        let mut projections = Vec::with_capacity(input.request_items.len());
        for request in input.request_items.values() {
            projections.push(projection_params(request).prepare_checked()?.projection);
        }
        let total: usize = input.request_items.values().map(|r| r.keys.len()).sum();
        if total > MAX_BATCH_GET_KEYS {
            // dynalite `validations/batchGetItem.js`.
            return Err(DynamoError::validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }

        let mut tables = Vec::with_capacity(input.request_items.len());
        for ((name, request), projection) in input.request_items.iter().zip(projections) {
            let table = self.table(name)?;
            let meta = table.meta();
            let mut seen = HashSet::with_capacity(request.keys.len());
            let mut keys = Vec::with_capacity(request.keys.len());
            for key in &request.keys {
                let k = meta.key_of(key)?;
                if !seen.insert(k.clone()) {
                    return Err(DynamoError::validation(DUPLICATE_KEYS));
                }
                keys.push(k);
            }
            tables.push(GetTable {
                name,
                request,
                table,
                projection,
                keys,
            });
        }

        let snapshot = self.inner.db.snapshot();
        let mut out = BatchGetItemOutput::default();
        let mut capacity = Vec::new();
        let mut response_bytes = 0usize;
        let mut full = false;
        for t in &tables {
            let consistent = t.request.consistent_read.unwrap_or(false);
            let mut found = Vec::new();
            let mut unprocessed = Vec::new();
            let mut units = 0.0;
            let mut processed = 0usize;
            for (k, key) in t.keys.iter().zip(&t.request.keys) {
                if full {
                    unprocessed.push(key.clone());
                    continue;
                }
                let item = match snapshot.get_pinned(k)? {
                    Some(bytes) => Some(decode_stored(&bytes)?),
                    None => None,
                };
                let size = item.as_ref().map(item_size).unwrap_or(0);
                let item = match (&t.projection, item) {
                    (Some(paths), Some(item)) => Some(project(&item, paths)),
                    (_, item) => item,
                };
                let returned = item.as_ref().map(item_size).unwrap_or(0);
                // At least one item is always returned (one is at most 400 KB).
                if response_bytes > 0 && response_bytes + returned > MAX_BATCH_GET_RESPONSE_BYTES {
                    full = true;
                    unprocessed.push(key.clone());
                    continue;
                }
                response_bytes += returned;
                processed += 1;
                units += read_units(size, consistent);
                found.extend(item);
            }
            if processed > 0 {
                out.responses.insert(t.name.to_string(), found);
                capacity.extend(consumed(
                    input.return_consumed_capacity,
                    &t.table.meta().name,
                    units,
                ));
            }
            if !unprocessed.is_empty() {
                out.unprocessed_keys.insert(
                    t.name.to_string(),
                    KeysAndAttributes {
                        keys: unprocessed,
                        ..t.request.clone()
                    },
                );
            }
        }
        out.consumed_capacity = capacity_report(input.return_consumed_capacity, capacity);
        Ok(out)
    }

    /// `BatchWriteItem`: puts and deletes up to 25 items in one or more
    /// tables.
    ///
    /// Puts are checked like PutItem's items, deletes' keys like
    /// DeleteItem's; an item may be written only once per request. All
    /// writes commit together in one engine batch (one fsync) while every
    /// item's lock is held, so a concurrent conditional write sees all of
    /// them or none, and a crash keeps all or none. `UnprocessedItems` is
    /// always empty.
    pub fn batch_write_item(
        &self,
        input: BatchWriteItemInput,
    ) -> Result<BatchWriteItemOutput, DynamoError> {
        wait_here(|| self.batch_write_item_async(input))
    }

    /// `BatchWriteItem`, resolving once the write is committed (see
    /// [`DynamoDb::put_item_async`]).
    pub fn batch_write_item_async(
        &self,
        input: BatchWriteItemInput,
    ) -> Committing<BatchWriteItemOutput> {
        Committing::new(self, self.start_batch_write_item(input))
    }

    fn start_batch_write_item(
        &self,
        input: BatchWriteItemInput,
    ) -> Result<(BatchWriteItemOutput, Pending), DynamoError> {
        if input.request_items.is_empty() {
            // The wording most regions give (conformance suite capture
            // 2026-10-07-batch-empty-request-items).
            return Err(DynamoError::validation(
                "The requestItems parameter is required for BatchWriteItem",
            ));
        }
        let mut errors = Vec::new();
        for (name, requests) in &input.request_items {
            if requests.is_empty() {
                errors.push(format!("Value '{{{name}=[]}}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to {MAX_BATCH_WRITE_REQUESTS}, Member must have length greater than or equal to 1]"));
            } else if requests.len() > MAX_BATCH_WRITE_REQUESTS {
                // The validation framework's wording; the older one echoes
                // the whole request list in Java's toString form.
                errors.push(format!("Value at 'RequestItems.{name}.member' failed to satisfy constraint: Member must have length less than or equal to {MAX_BATCH_WRITE_REQUESTS}"));
            }
        }
        member_constraints(errors)?;
        let total: usize = input.request_items.values().map(Vec::len).sum();
        if total > MAX_BATCH_WRITE_REQUESTS {
            return Err(DynamoError::validation(
                "Too many items requested for the BatchWriteItem call",
            ));
        }
        for requests in input.request_items.values() {
            for request in requests {
                match request {
                    WriteRequest::Put(p) => check_put_item(&p.item)?,
                    WriteRequest::Delete(d) => d.key.values().try_for_each(validate_value)?,
                }
            }
        }

        // Resolve tables and keys. A put's key attributes are checked like a
        // `Key` ("The provided key element does not match the schema" for a
        // missing or mistyped one, as DynamoDB answers for BatchWriteItem).
        let mut tables: Vec<Arc<Table>> = Vec::with_capacity(input.request_items.len());
        let mut writes: Vec<(usize, Vec<u8>, Option<&Item>)> = Vec::with_capacity(total);
        // Engine keys start with the table id, so one set serves every table
        // (and catches a table named twice, by name and by ARN).
        let mut seen = HashSet::with_capacity(total);
        for (name, requests) in &input.request_items {
            let table = self.table(name)?;
            let meta = table.meta();
            for request in requests {
                let (key, item) = match request {
                    WriteRequest::Put(p) => {
                        (meta.key_of(&meta.key_attributes(&p.item))?, Some(&p.item))
                    }
                    WriteRequest::Delete(d) => (meta.key_of(&d.key)?, None),
                };
                if !seen.insert(key.clone()) {
                    return Err(DynamoError::validation(DUPLICATE_KEYS));
                }
                writes.push((tables.len(), key, item));
            }
            tables.push(table);
        }

        // Each write's table position was taken as it was pushed.
        let targets: Vec<Target> = writes
            .iter()
            .filter_map(|(t, key, _)| {
                Some(Target {
                    table: Arc::clone(tables.get(*t)?),
                    key: key.clone(),
                })
            })
            .collect();
        let mut write = BatchWrite {
            writes: &writes,
            units: vec![(0.0, IndexUnits::default()); tables.len()],
            capacity_wanted: input.return_consumed_capacity.unwrap_or_default()
                != ReturnConsumedCapacity::None,
            metrics: input.return_item_collection_metrics,
        };
        let (written, pending) = self.start_write_items(&targets, &mut write)?;
        let want_metrics = write.wants_collection_metrics();
        let units = write.units;
        let mut metrics: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for r in written.collections {
            metrics.entry(r.table_name).or_default().push(r.metrics);
        }

        let capacity = tables
            .iter()
            .zip(units)
            .filter_map(|(t, (u, indexes))| {
                consumed_write(input.return_consumed_capacity, &t.meta().name, u, &indexes)
            })
            .collect();
        let out = BatchWriteItemOutput {
            unprocessed_items: BTreeMap::new(),
            item_collection_metrics: (want_metrics && !metrics.is_empty()).then_some(metrics),
            consumed_capacity: capacity_report(input.return_consumed_capacity, capacity),
        };
        Ok((out, pending))
    }
}

/// The projection parameters of one BatchGetItem table.
fn projection_params(request: &KeysAndAttributes) -> RequestParams<'_> {
    RequestParams {
        expr: ExprParams {
            names: request.expression_attribute_names.as_ref(),
            projection: request.projection_expression.as_deref(),
            ..ExprParams::default()
        },
        legacy: LegacyParams {
            attributes_to_get: request.attributes_to_get.as_deref(),
            ..LegacyParams::default()
        },
    }
}

/// `ConsumedCapacity` of a batch: the per-table entries when asked for.
fn capacity_report(
    mode: Option<ReturnConsumedCapacity>,
    entries: Vec<ConsumedCapacity>,
) -> Option<Vec<ConsumedCapacity>> {
    (mode.unwrap_or_default() != ReturnConsumedCapacity::None).then_some(entries)
}
