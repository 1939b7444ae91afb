//! Secondary index entries: their keys, their projected values, and how an
//! item change turns into index writes.
//!
//! An index entry's engine key ([`layout::index_entry_key`],
//! format-spec/keys.md, "Secondary index entries") puts the index key first
//! and the table key last, so entries of equal index keys stay distinct. Its
//! value is the item encoding of the projected attributes. An item missing
//! an index key attribute has no entry (a sparse index).

use crate::dynamo::api::ProjectionType;
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::codec::encode_item_to_vec;
use crate::dynamo::items::value::{AttributeValue, Item, INVALID_PARAMETER};
use crate::dynamo::keys::codec::{is_empty_key, ScalarAttributeType};
use crate::dynamo::keys::layout;
use crate::dynamo::tables::schema::{
    IndexMeta, KeyAttr, TableMeta, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES,
};
use crate::WriteBatch;

/// Checks the index key attributes a new item carries: right type, not
/// empty, within the key size limits. Messages: DynamoDB's, as dynalite
/// `db/index.js` (`validateItem` for indexes) reproduces them.
pub fn check_index_keys(meta: &TableMeta, item: &Item) -> Result<(), DynamoError> {
    for idx in &meta.indexes {
        // Each attribute of a multi-attribute key is a key attribute in its
        // own right: checked alone, against its role's limit.
        for (attr, limit) in (idx.hash.iter().map(|h| (h, MAX_PARTITION_KEY_BYTES)))
            .chain(idx.range.iter().map(|r| (r, MAX_SORT_KEY_BYTES)))
        {
            let Some(v) = item.get(&attr.name) else {
                continue;
            };
            if ScalarAttributeType::of(v) != Some(attr.ty) {
                return Err(DynamoError::validation(format!(
                    "{INVALID_PARAMETER}Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                    attr.name,
                    attr.ty.name(),
                    v.type_name(),
                    idx.name
                )));
            }
            if is_empty_key(v) {
                return Err(DynamoError::validation(format!(
                    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {} value. IndexName: {}, IndexKey: {}",
                    if matches!(v, AttributeValue::S(_)) { "string" } else { "binary" },
                    idx.name,
                    attr.name
                )));
            }
            if v.size() > limit {
                return Err(DynamoError::validation(format!(
                    "{INVALID_PARAMETER}Size of an index key attribute has exceeded the maximum size limit of {limit} bytes. IndexName: {}, IndexKey: {}",
                    idx.name, attr.name
                )));
            }
        }
    }
    Ok(())
}

/// The engine key of `item`'s entry in `idx`, or `None` if the item lacks
/// an index key attribute — any one of a multi-attribute key — or has one
/// of the wrong type (which [`check_index_keys`] refuses on write).
pub fn entry_key(
    meta: &TableMeta,
    idx: &IndexMeta,
    item: &Item,
) -> Result<Option<Vec<u8>>, DynamoError> {
    let values = |attrs: &[KeyAttr]| {
        attrs
            .iter()
            .map(|a| {
                item.get(&a.name)
                    .filter(|v| ScalarAttributeType::of(v) == Some(a.ty))
            })
            .collect::<Option<Vec<&AttributeValue>>>()
    };
    let (Some(pk), Some(sk)) = (values(&idx.hash), values(&idx.range)) else {
        return Ok(None);
    };
    let (Some(tpk), tsk) = (
        item.get(&meta.hash.name),
        meta.range.as_ref().and_then(|r| item.get(&r.name)),
    ) else {
        return Err(DynamoError::InternalServerError(
            "item without its table key".to_string(),
        ));
    };
    layout::index_entry_key(meta.id, idx.id, (&pk, &sk), (tpk, tsk)).map(Some)
}

/// The attributes of `item` that `idx` holds.
pub fn project_for_index(meta: &TableMeta, idx: &IndexMeta, item: &Item) -> Item {
    match idx.projection_type {
        ProjectionType::All => item.clone(),
        ProjectionType::KeysOnly | ProjectionType::Include => item
            .iter()
            .filter(|(name, _)| {
                meta.is_key(name)
                    || idx.key_names().any(|k| k == name.as_str())
                    || (idx.projection_type == ProjectionType::Include
                        && idx.non_key_attributes.iter().any(|a| a == *name))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

/// Adds to `batch` the index writes that take the table from `old` to
/// `new` (either may be absent) for every index of `meta`.
pub fn stage_index_writes(
    batch: &mut WriteBatch,
    meta: &TableMeta,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<(), DynamoError> {
    for idx in &meta.indexes {
        let old_key = match old {
            Some(o) => entry_key(meta, idx, o)?,
            None => None,
        };
        let new_entry = match new {
            Some(n) => entry_key(meta, idx, n)?.map(|k| (k, project_for_index(meta, idx, n))),
            None => None,
        };
        if let Some(old_key) = &old_key {
            if new_entry.as_ref().is_none_or(|(k, _)| k != old_key) {
                batch.delete(old_key);
            }
        }
        if let Some((key, projected)) = new_entry {
            batch.put(&key, &encode_item_to_vec(&projected));
        }
    }
    Ok(())
}
