//! PutItem, GetItem, UpdateItem and DeleteItem.
//!
//! A write takes its item's lock, reads the current item, checks the
//! condition, and commits the new state in one batch before releasing the
//! lock — so conditional writes and read-modify-write updates are atomic per
//! item under any number of concurrent callers.

use std::collections::BTreeMap;

use crate::dynamo::api::{
    AttributeValues, ConditionalOperator, DeleteItemInput, DeleteItemOutput,
    ExpectedAttributeValue, GetItemInput, GetItemOutput, PutItemInput, PutItemOutput, ReturnValue,
    ReturnValuesOnConditionCheckFailure, UpdateItemInput, UpdateItemOutput,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::legacy;
use crate::dynamo::expr::request::{ExprParams, Prepared};
use crate::dynamo::expr::{apply_update, eval_condition, project, Condition, Path, UpdateExpr};
use crate::dynamo::indexes::entries::check_index_keys;
use crate::dynamo::items::capacity::{consumed, read_units, write_units};
use crate::dynamo::items::validate::{validate_item, MAX_ITEM_SIZE};
use crate::dynamo::items::value::{item_size, Item, INVALID_PARAMETER};
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::write::change::Origin;
use crate::WriteBatch;

/// Prepares a write's condition from either `ConditionExpression` or the
/// legacy `Expected`/`ConditionalOperator` (never both).
pub(crate) fn prepare_condition(
    params: ExprParams<'_>,
    expected: Option<&BTreeMap<String, ExpectedAttributeValue>>,
    conditional_operator: Option<ConditionalOperator>,
) -> Result<Prepared, DynamoError> {
    let mut legacy_names = Vec::new();
    if expected.is_some() {
        legacy_names.push("Expected");
    }
    if conditional_operator.is_some() {
        legacy_names.push("ConditionalOperator");
    }
    legacy::check_not_mixed(&legacy_names, &params.present())?;
    let mut prepared = params.prepare()?;
    if let Some(expected) = expected {
        let mut values = AttributeValues::new();
        prepared.condition =
            legacy::expected_to_condition(expected, conditional_operator, &mut values)?;
        prepared.values = values;
    }
    Ok(prepared)
}

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

impl DynamoDb {
    /// `PutItem`.
    pub fn put_item(&self, input: PutItemInput) -> Result<PutItemOutput, DynamoError> {
        let rv = only_all_old_or_none(input.return_values)?;
        let prepared = prepare_condition(
            ExprParams {
                names: input.expression_attribute_names.as_ref(),
                values: input.expression_attribute_values.as_ref(),
                condition: input.condition_expression.as_deref(),
                ..ExprParams::default()
            },
            input.expected.as_ref(),
            input.conditional_operator,
        )?;
        check_put_item(&input.item)?;
        let table = self.table(&input.table_name)?;
        let meta = table.meta();
        let key = meta.item_key(&input.item)?;
        check_index_keys(&meta, &input.item)?;
        let new_size = item_size(&input.item);
        let gate = table.write_gate()?;
        let guard = self.inner.locks.lock(&key);
        let old = self.read_item(&key)?;
        if !check_condition(prepared.condition.as_ref(), old.as_ref(), &prepared.values)? {
            return Err(condition_failed(
                old.as_ref(),
                input.return_values_on_condition_check_failure,
            ));
        }
        let metrics = self.item_collection_write(
            &meta,
            &input.item,
            old.as_ref(),
            Some(&input.item),
            input.return_item_collection_metrics,
        )?;
        let mut batch = WriteBatch::new();
        self.stage_change(
            &mut batch,
            &table,
            &key,
            old.as_ref(),
            Some(&input.item),
            Origin::User,
        )?;
        self.commit(batch)?;
        table.touch();
        drop(guard);
        drop(gate);
        let old_size = old.as_ref().map(item_size).unwrap_or(0);
        Ok(PutItemOutput {
            attributes: match rv {
                ReturnValue::AllOld => old,
                _ => None,
            },
            consumed_capacity: consumed(
                input.return_consumed_capacity,
                &meta.name,
                write_units(old_size.max(new_size)),
            ),
            item_collection_metrics: metrics,
        })
    }

    /// `GetItem`.
    pub fn get_item(&self, input: GetItemInput) -> Result<GetItemOutput, DynamoError> {
        let mut legacy_names = Vec::new();
        if input.attributes_to_get.is_some() {
            legacy_names.push("AttributesToGet");
        }
        let params = ExprParams {
            names: input.expression_attribute_names.as_ref(),
            projection: input.projection_expression.as_deref(),
            ..ExprParams::default()
        };
        legacy::check_not_mixed(&legacy_names, &params.present())?;
        let mut prepared = params.prepare()?;
        if let Some(attrs) = &input.attributes_to_get {
            prepared.projection = Some(legacy::attributes_to_get_to_projection(attrs)?);
        }
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
        let rv = input.return_values.unwrap_or_default();
        let params = ExprParams {
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values.as_ref(),
            update: input.update_expression.as_deref(),
            condition: input.condition_expression.as_deref(),
            ..ExprParams::default()
        };
        let mut legacy_names = Vec::new();
        if input.attribute_updates.is_some() {
            legacy_names.push("AttributeUpdates");
        }
        if input.expected.is_some() {
            legacy_names.push("Expected");
        }
        if input.conditional_operator.is_some() {
            legacy_names.push("ConditionalOperator");
        }
        legacy::check_not_mixed(&legacy_names, &params.present())?;
        let mut prepared = params.prepare()?;
        if input.attribute_updates.is_some() || input.expected.is_some() {
            let mut values = AttributeValues::new();
            if let Some(updates) = &input.attribute_updates {
                prepared.update = Some(legacy::attribute_updates_to_update(updates, &mut values)?);
            }
            if let Some(expected) = &input.expected {
                prepared.condition = legacy::expected_to_condition(
                    expected,
                    input.conditional_operator,
                    &mut values,
                )?;
            }
            prepared.values = values;
        }
        let table = self.table(&input.table_name)?;
        let meta = table.meta();
        let key = meta.key_of(&input.key)?;
        if let Some(u) = &prepared.update {
            check_update_keys(&meta, u)?;
        }
        let gate = table.write_gate()?;
        let guard = self.inner.locks.lock(&key);
        let old = self.read_item(&key)?;
        if !check_condition(prepared.condition.as_ref(), old.as_ref(), &prepared.values)? {
            return Err(condition_failed(
                old.as_ref(),
                input.return_values_on_condition_check_failure,
            ));
        }
        let (new, paths) = updated_item(
            old.as_ref(),
            &input.key,
            prepared.update.as_ref(),
            &prepared.values,
        )?;
        check_index_keys(&meta, &new)?;
        let metrics = self.item_collection_write(
            &meta,
            &input.key,
            old.as_ref(),
            Some(&new),
            input.return_item_collection_metrics,
        )?;
        let mut batch = WriteBatch::new();
        self.stage_change(
            &mut batch,
            &table,
            &key,
            old.as_ref(),
            Some(&new),
            Origin::User,
        )?;
        self.commit(batch)?;
        table.touch();
        drop(guard);
        drop(gate);
        let old_size = old.as_ref().map(item_size).unwrap_or(0);
        let units = write_units(old_size.max(item_size(&new)));
        let attributes = match rv {
            ReturnValue::None => None,
            ReturnValue::AllOld => old,
            ReturnValue::AllNew => Some(new),
            ReturnValue::UpdatedOld => old.and_then(|o| non_empty(project(&o, &paths))),
            ReturnValue::UpdatedNew => non_empty(project(&new, &paths)),
        };
        Ok(UpdateItemOutput {
            attributes,
            consumed_capacity: consumed(input.return_consumed_capacity, &meta.name, units),
            item_collection_metrics: metrics,
        })
    }

    /// `DeleteItem`.
    pub fn delete_item(&self, input: DeleteItemInput) -> Result<DeleteItemOutput, DynamoError> {
        let rv = only_all_old_or_none(input.return_values)?;
        let prepared = prepare_condition(
            ExprParams {
                names: input.expression_attribute_names.as_ref(),
                values: input.expression_attribute_values.as_ref(),
                condition: input.condition_expression.as_deref(),
                ..ExprParams::default()
            },
            input.expected.as_ref(),
            input.conditional_operator,
        )?;
        let table = self.table(&input.table_name)?;
        let meta = table.meta();
        let key = meta.key_of(&input.key)?;
        let gate = table.write_gate()?;
        let guard = self.inner.locks.lock(&key);
        let old = self.read_item(&key)?;
        if !check_condition(prepared.condition.as_ref(), old.as_ref(), &prepared.values)? {
            return Err(condition_failed(
                old.as_ref(),
                input.return_values_on_condition_check_failure,
            ));
        }
        let metrics = self.item_collection_write(
            &meta,
            &input.key,
            old.as_ref(),
            None,
            input.return_item_collection_metrics,
        )?;
        if old.is_some() {
            let mut batch = WriteBatch::new();
            self.stage_change(&mut batch, &table, &key, old.as_ref(), None, Origin::User)?;
            self.commit(batch)?;
            table.touch();
        }
        drop(guard);
        drop(gate);
        let units = write_units(old.as_ref().map(item_size).unwrap_or(0));
        Ok(DeleteItemOutput {
            attributes: match rv {
                ReturnValue::AllOld => old,
                _ => None,
            },
            consumed_capacity: consumed(input.return_consumed_capacity, &meta.name, units),
            item_collection_metrics: metrics,
        })
    }
}
