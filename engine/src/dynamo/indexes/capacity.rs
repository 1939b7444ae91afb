//! The write units a change of one item costs each secondary index.
//!
//! Developer Guide, "Global secondary indexes" → "Provisioned throughput
//! considerations" (and the same rules under "Local secondary indexes"):
//! - an item that enters an index (a new item, or an update that defines
//!   its index key attributes) costs one write of its entry;
//! - an update that changes an index key attribute costs two writes: one
//!   deleting the old entry, one putting the new;
//! - an item that leaves an index (deleted, or an index key attribute
//!   removed) costs one write deleting its entry;
//! - an update that changes projected attributes only costs one write;
//! - an item in the index neither before nor after costs nothing.
//!
//! Each write is charged by the size of the entry it writes or deletes (the
//! projected item), one unit per KB. Not in the guide but measured against
//! DynamoDB (the nubo-db/dynamodb-conformance suite,
//! `tests/tier1/putItem/indexConsumedCapacity.test.ts`): a write that leaves
//! an index's entry as it was (an identical overwrite, a change to an
//! attribute the index does not project) costs that index nothing and is
//! not listed.

use crate::dynamo::error::DynamoError;
use crate::dynamo::indexes::entries::{entry_key, project_for_index};
use crate::dynamo::items::capacity::{write_units, IndexUnits};
use crate::dynamo::items::value::{item_size, Item};
use crate::dynamo::tables::schema::{IndexKind, TableMeta};

/// The units each index of `meta` is charged for taking the item from `old`
/// to `new` (either may be absent); indexes the change does not touch are
/// left out.
pub fn index_write_units(
    meta: &TableMeta,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<IndexUnits, DynamoError> {
    let mut units = IndexUnits::default();
    for idx in &meta.indexes {
        let entry = |item: Option<&Item>| -> Result<_, DynamoError> {
            let Some(item) = item else { return Ok(None) };
            Ok(entry_key(meta, idx, item)?.map(|k| (k, project_for_index(meta, idx, item))))
        };
        let size = |projected: &Item| write_units(item_size(projected));
        let cost = match (entry(old)?, entry(new)?) {
            (None, None) => continue,
            (Some((_, gone)), None) => size(&gone),
            (None, Some((_, put))) => size(&put),
            (Some((ok, o)), Some((nk, n))) if ok != nk => size(&o) + size(&n),
            (Some((_, o)), Some((_, n))) if o == n => continue,
            (Some((_, o)), Some((_, n))) => write_units(item_size(&o).max(item_size(&n))),
        };
        let map = match idx.kind {
            IndexKind::Global => &mut units.global,
            IndexKind::Local => &mut units.local,
        };
        *map.entry(idx.name.clone()).or_default() += cost;
    }
    Ok(units)
}
