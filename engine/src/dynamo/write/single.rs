//! PutItem, GetItem, UpdateItem and DeleteItem, and the rules the item
//! writes share with transactions (conditions, updates, key checks).
//!
//! A write goes through the write pipeline (`pipeline.rs`): it takes its
//! item's lock, reads the current item, checks the condition, and commits
//! the new state in one batch before releasing the lock — so conditional
//! writes and read-modify-write updates are atomic per item under any
//! number of concurrent callers.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::dynamo::api::{
    AttributeNames, AttributeValues, ConditionalOperator, ConsumedCapacity, DeleteItemInput,
    DeleteItemOutput, ExpectedAttributeValue, GetItemInput, GetItemOutput, PutItemInput,
    PutItemOutput, ReturnConsumedCapacity, ReturnItemCollectionMetrics, ReturnValue,
    ReturnValuesOnConditionCheckFailure, UpdateItemInput, UpdateItemOutput,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::request::{ExprParams, LegacyParams, Prepared, RequestParams};
use crate::dynamo::expr::{apply_update, eval_condition, project, Condition, Path, UpdateExpr};
use crate::dynamo::indexes::capacity::index_write_units;
use crate::dynamo::indexes::collections::wants_metrics;
use crate::dynamo::indexes::entries::check_index_keys;
use crate::dynamo::items::capacity::{consumed, consumed_write, read_units, write_units};
use crate::dynamo::items::validate::{validate_item, MAX_ITEM_SIZE};
use crate::dynamo::items::value::{item_size, Item, INVALID_PARAMETER};
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::write::committing::{wait_here, Committing, Pending};
use crate::dynamo::write::pipeline::{Decision, ItemWrite, Target, Written};

/// The error a failed condition raises, with the old item when asked for.
pub(crate) fn condition_failed(
    old: Option<&Item>,
    on_failure: Option<ReturnValuesOnConditionCheckFailure>,
) -> DynamoError {
    let item = match on_failure {
        Some(ReturnValuesOnConditionCheckFailure::AllOld) => old.cloned(),
        _ => None,
    };
    DynamoError::conditional_check_failed(item)
}

/// Evaluates an optional condition against the current item.
pub(crate) fn check_condition(
    condition: Option<&Condition>,
    old: Option<&Item>,
    values: &AttributeValues,
) -> Result<bool, DynamoError> {
    match condition {
        Some(c) => Ok(eval_condition(c, old, values)?),
        None => Ok(true),
    }
}

/// "ReturnValues can only be ALL_OLD or NONE" for PutItem and DeleteItem
/// (API reference, PutItem `ReturnValues`; wording dynalite's).
fn only_all_old_or_none(rv: Option<ReturnValue>) -> Result<ReturnValue, DynamoError> {
    match rv.unwrap_or_default() {
        r @ (ReturnValue::None | ReturnValue::AllOld) => Ok(r),
        _ => Err(DynamoError::validation(
            "ReturnValues can only be ALL_OLD or NONE",
        )),
    }
}

/// Checks an item written by PutItem (values, nesting, size).
pub(crate) fn check_put_item(item: &Item) -> Result<(), DynamoError> {
    validate_item(item)
}

/// Refuses an update that touches a key attribute (dynalite
/// `db/updateItem.js`, as DynamoDB words it).
pub(crate) fn check_update_keys(meta: &TableMeta, update: &UpdateExpr) -> Result<(), DynamoError> {
    let paths = update
        .set
        .iter()
        .map(|(p, _)| p)
        .chain(update.remove.iter())
        .chain(update.add.iter().map(|(p, _)| p))
        .chain(update.delete.iter().map(|(p, _)| p));
    for p in paths {
        if meta.is_key(p.top()) {
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}Cannot update attribute {}. This attribute is part of the key",
                p.top()
            )));
        }
    }
    Ok(())
}

/// Applies `update` to the item at `key` (absent: starts from the key
/// attributes) and checks the result.
pub(crate) fn updated_item(
    old: Option<&Item>,
    key: &Item,
    update: Option<&UpdateExpr>,
    values: &AttributeValues,
) -> Result<(Item, Vec<Path>), DynamoError> {
    let mut new = old.cloned().unwrap_or_else(|| key.clone());
    let paths = match update {
        Some(u) => apply_update(u, &mut new, values)?,
        None => Vec::new(),
    };
    if item_size(&new) > MAX_ITEM_SIZE {
        // API reference, UpdateItem errors.
        return Err(DynamoError::validation(
            "Item size to update has exceeded the maximum allowed size",
        ));
    }
    validate_item(&new)?;
    Ok((new, paths))
}

fn non_empty(item: Item) -> Option<Item> {
    (!item.is_empty()).then_some(item)
}

/// What a single-item write does once its condition holds.
enum Action<'a> {
    /// PutItem: write this item.
    Put(&'a Item),
    /// UpdateItem: apply the update to the item at this key (absent: start
    /// from the key attributes).
    Update(&'a Item, Option<&'a UpdateExpr>),
    /// DeleteItem.
    Delete,
}

/// PutItem, UpdateItem or DeleteItem as the write pipeline runs it.
struct OneItem<'a> {
    prepared: &'a Prepared,
    /// The request's `Key` (or PutItem's item): names the item's collection.
    key: &'a Item,
    action: Action<'a>,
    on_failure: Option<ReturnValuesOnConditionCheckFailure>,
    metrics: Option<ReturnItemCollectionMetrics>,
    /// UpdateItem: the paths the update touched.
    paths: Vec<Path>,
    /// Whether the current item is read (see [`ItemWrite::reads_old`]):
    /// always for an update or a delete; for a put, only when its
    /// condition, `ReturnValues` or `ConsumedCapacity` needs it.
    reads_old: bool,
}

impl<'a> OneItem<'a> {
    fn new(
        prepared: &'a Prepared,
        key: &'a Item,
        action: Action<'a>,
        on_failure: Option<ReturnValuesOnConditionCheckFailure>,
        metrics: Option<ReturnItemCollectionMetrics>,
    ) -> OneItem<'a> {
        OneItem {
            prepared,
            key,
            action,
            on_failure,
            metrics,
            paths: Vec::new(),
            reads_old: true,
        }
    }
}

/// The parameters of PutItem and DeleteItem: a condition, from either
/// `ConditionExpression` or the legacy `Expected`/`ConditionalOperator`.
fn conditional_write_params<'a>(
    names: Option<&'a AttributeNames>,
    values: Option<&'a AttributeValues>,
    condition: Option<&'a str>,
    expected: Option<&'a BTreeMap<String, ExpectedAttributeValue>>,
    conditional_operator: Option<ConditionalOperator>,
) -> RequestParams<'a> {
    RequestParams {
        expr: ExprParams {
            names,
            values,
            condition,
            ..ExprParams::default()
        },
        legacy: LegacyParams {
            expected,
            conditional_operator,
            ..LegacyParams::default()
        },
    }
}

impl<'a> ItemWrite<'a> for OneItem<'a> {
    fn decide(
        &mut self,
        _: usize,
        meta: &Arc<TableMeta>,
        old: Option<&Item>,
    ) -> Result<Decision<'a>, DynamoError> {
        let p = self.prepared;
        if !check_condition(p.condition.as_ref(), old, &p.values)? {
            return Err(condition_failed(old, self.on_failure));
        }
        match self.action {
            Action::Put(item) => Ok(Decision::Put(Cow::Borrowed(item))),
            Action::Update(key, update) => {
                let (new, paths) = updated_item(old, key, update, &p.values)?;
                check_index_keys(meta, &new)?;
                self.paths = paths;
                Ok(Decision::Put(Cow::Owned(new)))
            }
            Action::Delete if old.is_some() => Ok(Decision::Delete),
            Action::Delete => Ok(Decision::Keep),
        }
    }

    fn reads_old(&self, _: usize) -> bool {
        self.reads_old
    }

    fn kept_collection_key(&self, _: usize) -> Option<&Item> {
        // A single write that changes nothing still reports its
        // collection's metrics.
        Some(self.key)
    }

    fn wants_collection_metrics(&self) -> bool {
        wants_metrics(self.metrics)
    }
}

impl DynamoDb {
    /// Runs a single-item write on the item at `key` of `table_name` up to
    /// its queued commit.
    fn write_one<'a>(
        &self,
        table_name: &str,
        key: impl FnOnce(&TableMeta) -> Result<Vec<u8>, DynamoError>,
        write: &mut OneItem<'a>,
    ) -> Result<(Arc<TableMeta>, Written<'a>, Pending), DynamoError> {
        let table = self.table(table_name)?;
        let meta = table.meta();
        let key = key(&meta)?;
        let (written, pending) = self.start_write_items(&[Target { table, key }], write)?;
        Ok((meta, written, pending))
    }

    /// `PutItem`.
    pub fn put_item(&self, input: PutItemInput) -> Result<PutItemOutput, DynamoError> {
        wait_here(|| self.put_item_async(input))
    }

    /// `PutItem`, resolving once the write is committed: the checks, the
    /// condition and the staging run now, on the calling thread; no thread
    /// waits for the commit (see [`Committing`]).
    pub fn put_item_async(&self, input: PutItemInput) -> Committing<PutItemOutput> {
        Committing::new(self, self.start_put_item(input))
    }

    fn start_put_item(&self, input: PutItemInput) -> Result<(PutItemOutput, Pending), DynamoError> {
        let rv = only_all_old_or_none(input.return_values)?;
        let prepared = conditional_write_params(
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
            input.condition_expression.as_deref(),
            input.expected.as_ref(),
            input.conditional_operator,
        )
        .prepare()?;
        check_put_item(&input.item)?;
        let new_size = item_size(&input.item);
        let mut write = OneItem::new(
            &prepared,
            &input.item,
            Action::Put(&input.item),
            input.return_values_on_condition_check_failure,
            input.return_item_collection_metrics,
        );
        write.reads_old = prepared.condition.is_some()
            || rv == ReturnValue::AllOld
            || input.return_consumed_capacity.unwrap_or_default() != ReturnConsumedCapacity::None;
        let (meta, written, pending) = self.write_one(
            &input.table_name,
            |meta| {
                let key = meta.item_key(&input.item)?;
                check_index_keys(meta, &input.item)?;
                Ok(key)
            },
            &mut write,
        )?;
        let metrics = written.metrics_of(0);
        let old = written.old.into_iter().next().flatten();
        let old_size = old.as_ref().map(item_size).unwrap_or(0);
        let consumed_capacity = write_capacity(
            input.return_consumed_capacity,
            &meta,
            write_units(old_size.max(new_size)),
            old.as_ref(),
            Some(&input.item),
        )?;
        let out = PutItemOutput {
            attributes: match rv {
                ReturnValue::AllOld => old,
                _ => None,
            },
            consumed_capacity,
            item_collection_metrics: metrics,
        };
        Ok((out, pending))
    }

    /// `GetItem`.
    pub fn get_item(&self, input: GetItemInput) -> Result<GetItemOutput, DynamoError> {
        let prepared = RequestParams {
            expr: ExprParams {
                names: input.expression_attribute_names.as_ref(),
                projection: input.projection_expression.as_deref(),
                ..ExprParams::default()
            },
            legacy: LegacyParams {
                attributes_to_get: input.attributes_to_get.as_deref(),
                ..LegacyParams::default()
            },
        }
        .prepare()?;
        let table = self.table(&input.table_name)?;
        let meta = table.meta();
        let key = meta.key_of(&input.key)?;
        let item = self.read_item(&key)?;
        let size = item.as_ref().map(item_size).unwrap_or(0);
        let item = match (&prepared.projection, item) {
            (Some(paths), Some(item)) => Some(project(&item, paths)),
            (_, item) => item,
        };
        Ok(GetItemOutput {
            item,
            consumed_capacity: consumed(
                input.return_consumed_capacity,
                &meta.name,
                read_units(size, input.consistent_read.unwrap_or(false)),
            ),
        })
    }

    /// `UpdateItem`.
    pub fn update_item(&self, input: UpdateItemInput) -> Result<UpdateItemOutput, DynamoError> {
        wait_here(|| self.update_item_async(input))
    }

    /// `UpdateItem`, resolving once the write is committed (see
    /// [`DynamoDb::put_item_async`]).
    pub fn update_item_async(&self, input: UpdateItemInput) -> Committing<UpdateItemOutput> {
        Committing::new(self, self.start_update_item(input))
    }

    fn start_update_item(
        &self,
        input: UpdateItemInput,
    ) -> Result<(UpdateItemOutput, Pending), DynamoError> {
        let rv = input.return_values.unwrap_or_default();
        let prepared = RequestParams {
            expr: ExprParams {
                names: input.expression_attribute_names.as_ref(),
                values: input.expression_attribute_values.as_ref(),
                update: input.update_expression.as_deref(),
                condition: input.condition_expression.as_deref(),
                ..ExprParams::default()
            },
            legacy: LegacyParams {
                attribute_updates: input.attribute_updates.as_ref(),
                expected: input.expected.as_ref(),
                conditional_operator: input.conditional_operator,
                ..LegacyParams::default()
            },
        }
        .prepare()?;
        let mut write = OneItem::new(
            &prepared,
            &input.key,
            Action::Update(&input.key, prepared.update.as_ref()),
            input.return_values_on_condition_check_failure,
            input.return_item_collection_metrics,
        );
        let (meta, written, pending) = self.write_one(
            &input.table_name,
            |meta| {
                let key = meta.key_of(&input.key)?;
                if let Some(u) = &prepared.update {
                    check_update_keys(meta, u)?;
                }
                Ok(key)
            },
            &mut write,
        )?;
        let paths = write.paths;
        let metrics = written.metrics_of(0);
        let old = written.old.into_iter().next().flatten();
        let new = match written.decisions.into_iter().next() {
            Some(Decision::Put(new)) => new.into_owned(),
            _ => {
                return Err(DynamoError::InternalServerError(
                    "an update decided no new item".to_string(),
                ))
            }
        };
        let old_size = old.as_ref().map(item_size).unwrap_or(0);
        let units = write_units(old_size.max(item_size(&new)));
        let consumed_capacity = write_capacity(
            input.return_consumed_capacity,
            &meta,
            units,
            old.as_ref(),
            Some(&new),
        )?;
        let attributes = match rv {
            ReturnValue::None => None,
            ReturnValue::AllOld => old,
            ReturnValue::AllNew => Some(new),
            ReturnValue::UpdatedOld => old.and_then(|o| non_empty(project(&o, &paths))),
            ReturnValue::UpdatedNew => non_empty(project(&new, &paths)),
        };
        let out = UpdateItemOutput {
            attributes,
            consumed_capacity,
            item_collection_metrics: metrics,
        };
        Ok((out, pending))
    }

    /// `DeleteItem`.
    pub fn delete_item(&self, input: DeleteItemInput) -> Result<DeleteItemOutput, DynamoError> {
        wait_here(|| self.delete_item_async(input))
    }

    /// `DeleteItem`, resolving once the write is committed (see
    /// [`DynamoDb::put_item_async`]).
    pub fn delete_item_async(&self, input: DeleteItemInput) -> Committing<DeleteItemOutput> {
        Committing::new(self, self.start_delete_item(input))
    }

    fn start_delete_item(
        &self,
        input: DeleteItemInput,
    ) -> Result<(DeleteItemOutput, Pending), DynamoError> {
        let rv = only_all_old_or_none(input.return_values)?;
        let prepared = conditional_write_params(
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
            input.condition_expression.as_deref(),
            input.expected.as_ref(),
            input.conditional_operator,
        )
        .prepare()?;
        let mut write = OneItem::new(
            &prepared,
            &input.key,
            Action::Delete,
            input.return_values_on_condition_check_failure,
            input.return_item_collection_metrics,
        );
        let (meta, written, pending) = self.write_one(
            &input.table_name,
            |meta| meta.key_of(&input.key),
            &mut write,
        )?;
        let metrics = written.metrics_of(0);
        let old = written.old.into_iter().next().flatten();
        let units = write_units(old.as_ref().map(item_size).unwrap_or(0));
        let consumed_capacity = write_capacity(
            input.return_consumed_capacity,
            &meta,
            units,
            old.as_ref(),
            None,
        )?;
        let out = DeleteItemOutput {
            attributes: match rv {
                ReturnValue::AllOld => old,
                _ => None,
            },
            consumed_capacity,
            item_collection_metrics: metrics,
        };
        Ok((out, pending))
    }
}

/// `ConsumedCapacity` of a single-item write that took its item from `old`
/// to `new`: `table` units on the table, and what the change cost each
/// index (computed only when the request asked for capacity).
fn write_capacity(
    mode: Option<ReturnConsumedCapacity>,
    meta: &TableMeta,
    table: f64,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<Option<ConsumedCapacity>, DynamoError> {
    if mode.unwrap_or_default() == ReturnConsumedCapacity::None {
        return Ok(None);
    }
    let indexes = index_write_units(meta, old, new)?;
    Ok(consumed_write(mode, &meta.name, table, &indexes))
}
