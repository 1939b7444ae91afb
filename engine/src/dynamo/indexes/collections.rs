//! Item collections: in a table with local secondary indexes, the items
//! sharing a partition key value together with their local index entries
//! (Developer Guide, "Item collections in local secondary indexes").
//!
//! A collection may not grow past [`DynamoOptions::item_collection_size_limit`]
//! (DynamoDB's 10 GB): a write that would make it larger fails with
//! `ItemCollectionSizeLimitExceededException` ("Collection size exceeded.",
//! the message the API reference gives); writes that shrink it are always
//! allowed. With `ReturnItemCollectionMetrics: SIZE` a write reports the
//! collection's size after it as a range of whole gigabytes,
//! `[floor(GB), floor(GB) + 1]` (a one-item collection is `[0, 1]`, as the
//! service answers). Sizes are computed exactly, by reading the partition's
//! items; tables without local indexes have no collections and report
//! nothing.
//!
//! [`DynamoOptions::item_collection_size_limit`]: crate::dynamo::DynamoOptions::item_collection_size_limit

use crate::dynamo::api::{ItemCollectionMetrics, ReturnItemCollectionMetrics};
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::DynamoError;
use crate::dynamo::indexes::entries::{entry_key, project_for_index};
use crate::dynamo::items::value::{item_size, AttributeValue, Item};
use crate::dynamo::keys::layout::{partition_prefix, TABLE_INDEX_ID};
use crate::dynamo::tables::schema::{IndexKind, TableMeta};

/// Bytes DynamoDB adds for every index entry (Developer Guide, "Storage
/// considerations for local secondary indexes": "100 bytes of overhead per
/// index item").
pub const INDEX_ENTRY_OVERHEAD: u64 = 100;

/// One gigabyte, as `SizeEstimateRangeGB` counts them.
const GB: u64 = 1024 * 1024 * 1024;

/// The message of `ItemCollectionSizeLimitExceededException` and of the
/// `ItemCollectionSizeLimitExceeded` cancellation reason (API reference,
/// TransactWriteItems and "Error handling").
pub const COLLECTION_SIZE_EXCEEDED: &str = "Collection size exceeded.";

/// Whether `meta` has item collections (any local secondary index).
pub fn has_collections(meta: &TableMeta) -> bool {
    meta.indexes.iter().any(|i| i.kind == IndexKind::Local)
}

/// The bytes `item` adds to its collection: its own size plus, for every
/// local index it appears in, the entry's size and overhead.
pub fn collection_bytes(meta: &TableMeta, item: &Item) -> u64 {
    let mut n = item_size(item) as u64;
    for idx in meta.indexes.iter().filter(|i| i.kind == IndexKind::Local) {
        if matches!(entry_key(meta, idx, item), Ok(Some(_))) {
            n += item_size(&project_for_index(meta, idx, item)) as u64 + INDEX_ENTRY_OVERHEAD;
        }
    }
    n
}

/// `SizeEstimateRangeGB` for a collection of `bytes`.
pub fn size_estimate_range_gb(bytes: u64) -> Vec<f64> {
    let low = bytes / GB;
    vec![low as f64, (low + 1) as f64]
}

/// The `ItemCollectionKey` of the collection `key` (an item or a primary
/// key) belongs to.
fn collection_key(meta: &TableMeta, key: &Item) -> Option<(String, AttributeValue)> {
    key.get(&meta.hash.name)
        .map(|v| (meta.hash.name.clone(), v.clone()))
}

/// The collections one request's writes touch, and how much each grows.
#[derive(Debug, Default)]
pub(crate) struct Collections {
    groups: Vec<Group>,
}

#[derive(Debug)]
struct Group {
    table_id: u32,
    table_name: String,
    meta: std::sync::Arc<TableMeta>,
    key: (String, AttributeValue),
    delta: i128,
}

/// The outcome for one collection.
#[derive(Debug)]
pub(crate) struct CollectionResult {
    /// The table's name.
    pub table_name: String,
    /// The collection grows past the limit.
    pub exceeded: bool,
    /// Its metrics after the writes.
    pub metrics: ItemCollectionMetrics,
}

impl Collections {
    /// Records a write from `old` to `new` of the item with key `key` in
    /// table `meta`; returns the collection's position, or `None` for a
    /// table without collections.
    pub fn add(
        &mut self,
        meta: &std::sync::Arc<TableMeta>,
        key: &Item,
        old: Option<&Item>,
        new: Option<&Item>,
    ) -> Option<usize> {
        if !has_collections(meta) {
            return None;
        }
        let ck = collection_key(meta, key)?;
        let delta = i128::from(new.map(|n| collection_bytes(meta, n)).unwrap_or(0))
            - i128::from(old.map(|o| collection_bytes(meta, o)).unwrap_or(0));
        if let Some(pos) = self
            .groups
            .iter()
            .position(|g| g.table_id == meta.id && g.key == ck)
        {
            self.groups[pos].delta += delta;
            return Some(pos);
        }
        self.groups.push(Group {
            table_id: meta.id,
            table_name: meta.name.clone(),
            meta: std::sync::Arc::clone(meta),
            key: ck,
            delta,
        });
        Some(self.groups.len() - 1)
    }

    /// Whether no write touched a collection.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Sizes every touched collection as it is now (before the writes;
    /// REQUIRES the writes' item locks held) and judges the writes against
    /// the limit. Collections are only read when a write grows one or the
    /// caller wants metrics.
    pub fn evaluate(
        &self,
        db: &DynamoDb,
        want_metrics: bool,
    ) -> Result<Vec<CollectionResult>, DynamoError> {
        let mut out = Vec::with_capacity(self.groups.len());
        for g in &self.groups {
            if g.delta <= 0 && !want_metrics {
                out.push(CollectionResult {
                    table_name: g.table_name.clone(),
                    exceeded: false,
                    metrics: ItemCollectionMetrics::default(),
                });
                continue;
            }
            let before = db.collection_size(&g.meta, &g.key.1)?;
            let after = u64::try_from((i128::from(before) + g.delta).max(0)).unwrap_or(u64::MAX);
            let exceeded = g.delta > 0 && after > db.inner.opts.item_collection_size_limit;
            out.push(CollectionResult {
                table_name: g.table_name.clone(),
                exceeded,
                metrics: ItemCollectionMetrics {
                    item_collection_key: [g.key.clone()].into_iter().collect(),
                    size_estimate_range_gb: size_estimate_range_gb(after),
                },
            });
        }
        Ok(out)
    }
}

/// Whether the request asked for `ItemCollectionMetrics`.
pub(crate) fn wants_metrics(r: Option<ReturnItemCollectionMetrics>) -> bool {
    r == Some(ReturnItemCollectionMetrics::Size)
}

impl DynamoDb {
    /// The size of the item collection of partition key value `pk` in
    /// `meta`: every item with that partition key plus its local index
    /// entries.
    pub(crate) fn collection_size(
        &self,
        meta: &TableMeta,
        pk: &AttributeValue,
    ) -> Result<u64, DynamoError> {
        let prefix = partition_prefix(meta.id, TABLE_INDEX_ID, pk)?;
        let mut it = self.inner.db.iter()?;
        it.seek(&prefix)?;
        let mut total = 0u64;
        while it.valid() && it.key().starts_with(&prefix) {
            let item = decode_stored(it.value())?;
            total = total.saturating_add(collection_bytes(meta, &item));
            it.next()?;
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_is_a_range_of_whole_gigabytes() {
        assert_eq!(size_estimate_range_gb(0), vec![0.0, 1.0]);
        assert_eq!(size_estimate_range_gb(GB - 1), vec![0.0, 1.0]);
        assert_eq!(size_estimate_range_gb(GB), vec![1.0, 2.0]);
        assert_eq!(size_estimate_range_gb(10 * GB + 5), vec![10.0, 11.0]);
    }
}
