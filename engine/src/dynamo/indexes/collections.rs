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
//! service answers). Tables without local indexes have no collections and
//! report nothing.
//!
//! Sizes are exact and kept, not computed per write: each collection's size
//! is a record (format-spec/keys.md, "Item collection sizes") that every
//! write changing the collection's size rewrites in its own batch, under
//! the collection's lock (one per partition, taken after the items' locks
//! and held until the commit, so two writes to different items of one
//! partition read and rewrite it one after the other). A write reads one
//! record per collection it changes, never the collection's items. A
//! collection without a record — empty, or written by format version 1 —
//! is measured from its items the first time a write changes it or asks
//! for its metrics, and its record written in that write's batch; opening
//! a database measures nothing.
//!
//! [`DynamoOptions::item_collection_size_limit`]: crate::dynamo::DynamoOptions::item_collection_size_limit

use crate::dynamo::api::{ItemCollectionMetrics, ReturnItemCollectionMetrics};
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::DynamoError;
use crate::dynamo::indexes::entries::{entry_key, project_for_index};
use crate::dynamo::items::value::{item_size, AttributeValue, Item};
use crate::dynamo::keys::layout::{collection_size_key, partition_prefix, TABLE_INDEX_ID};
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

/// Layout version of a collection size value. Never changes for this
/// layout; a new layout takes a new number.
const SIZE_VERSION: u8 = 1;

/// The value of a collection size record.
pub(crate) fn encode_size(size: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(9);
    v.push(SIZE_VERSION);
    v.extend_from_slice(&size.to_le_bytes());
    v
}

/// Reads a collection size record.
pub(crate) fn decode_size(bytes: &[u8]) -> Result<u64, DynamoError> {
    match bytes.split_first() {
        Some((&SIZE_VERSION, rest)) => <[u8; 8]>::try_from(rest)
            .map(u64::from_le_bytes)
            .map_err(|_| corrupt_size("length")),
        Some(_) => Err(corrupt_size("unknown version")),
        None => Err(corrupt_size("empty")),
    }
}

fn corrupt_size(what: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("corrupt item collection size record: {what}"))
}

/// The collections one write touches, and how much each grows.
#[derive(Debug, Default)]
pub(crate) struct Collections {
    groups: Vec<Group>,
}

#[derive(Debug)]
struct Group {
    meta: std::sync::Arc<TableMeta>,
    key: (String, AttributeValue),
    /// The engine key of its size record.
    size_key: Vec<u8>,
    delta: i128,
}

impl Group {
    /// Whether [`Collections::evaluate`] reads (and so locks) its size:
    /// when the write changes it, or for metrics.
    fn is_read(&self, want_metrics: bool) -> bool {
        self.delta != 0 || want_metrics
    }
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
    /// The size record to stage: the size after the writes (`None`: delete
    /// the record), or nothing to stage.
    record: Option<(Vec<u8>, Option<u64>)>,
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
    ) -> Result<Option<usize>, DynamoError> {
        if !has_collections(meta) {
            return Ok(None);
        }
        let Some(ck) = collection_key(meta, key) else {
            return Ok(None);
        };
        let delta = i128::from(new.map(|n| collection_bytes(meta, n)).unwrap_or(0))
            - i128::from(old.map(|o| collection_bytes(meta, o)).unwrap_or(0));
        if let Some(pos) = self
            .groups
            .iter()
            .position(|g| g.meta.id == meta.id && g.key == ck)
        {
            if let Some(g) = self.groups.get_mut(pos) {
                g.delta += delta;
            }
            return Ok(Some(pos));
        }
        let size_key = collection_size_key(meta.id, &ck.1)?;
        self.groups.push(Group {
            meta: std::sync::Arc::clone(meta),
            key: ck,
            size_key,
            delta,
        });
        Ok(Some(self.groups.len() - 1))
    }

    /// Whether no write touched a collection.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The engine keys of the size records [`Collections::evaluate`] will
    /// read: what the collection locks are taken on. A collection the
    /// write does not change is read only for metrics.
    pub fn lock_keys(&self, want_metrics: bool) -> Vec<&[u8]> {
        self.groups
            .iter()
            .filter(|g| g.is_read(want_metrics))
            .map(|g| g.size_key.as_slice())
            .collect()
    }

    /// Sizes every touched collection as it is now (before the writes;
    /// REQUIRES the writes' item locks and these collections' locks held)
    /// and judges the writes against the limit. A collection is read only
    /// when a write changes it or the caller wants metrics.
    pub fn evaluate(
        &self,
        db: &DynamoDb,
        want_metrics: bool,
    ) -> Result<Vec<CollectionResult>, DynamoError> {
        let mut out = Vec::with_capacity(self.groups.len());
        for g in &self.groups {
            if !g.is_read(want_metrics) {
                out.push(CollectionResult {
                    table_name: g.meta.name.clone(),
                    exceeded: false,
                    metrics: ItemCollectionMetrics::default(),
                    record: None,
                });
                continue;
            }
            let (before, recorded) = match db.inner.db.get(&g.size_key)? {
                Some(v) => (decode_size(&v)?, true),
                None => (db.collection_size(&g.meta, &g.key.1)?, false),
            };
            let sum = i128::from(before) + g.delta;
            if sum < 0 {
                // The items being removed hold more than the record says:
                // the record is wrong. Never expected; the size is clamped.
                tracing::error!(
                    table = %g.meta.name,
                    recorded = before,
                    change = %g.delta,
                    "item collection size record smaller than its items"
                );
            }
            let after = u64::try_from(sum.max(0)).unwrap_or(u64::MAX);
            let exceeded = g.delta > 0 && after > db.inner.opts.item_collection_size_limit;
            // Rewritten when it changes, and written once for a collection
            // that had none (measured above) so it is not measured again.
            let record = if after == 0 {
                recorded.then(|| (g.size_key.clone(), None))
            } else if g.delta != 0 || !recorded {
                Some((g.size_key.clone(), Some(after)))
            } else {
                None
            };
            out.push(CollectionResult {
                table_name: g.meta.name.clone(),
                exceeded,
                metrics: ItemCollectionMetrics {
                    item_collection_key: [g.key.clone()].into_iter().collect(),
                    size_estimate_range_gb: size_estimate_range_gb(after),
                },
                record,
            });
        }
        Ok(out)
    }
}

/// Adds to `batch` the size records of `results` (the collections one write
/// changes, as [`Collections::evaluate`] found them).
pub(crate) fn stage_sizes(batch: &mut crate::WriteBatch, results: &[CollectionResult]) {
    for r in results {
        match &r.record {
            Some((key, Some(size))) => batch.put(key, &encode_size(*size)),
            Some((key, None)) => batch.delete(key),
            None => {}
        }
    }
}

/// Whether the request asked for `ItemCollectionMetrics`.
pub(crate) fn wants_metrics(r: Option<ReturnItemCollectionMetrics>) -> bool {
    r == Some(ReturnItemCollectionMetrics::Size)
}

impl DynamoDb {
    /// The size of the item collection of partition key value `pk` in
    /// `meta`, measured from its items: every item with that partition key
    /// plus its local index entries.
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
    fn collection_size_vectors_decode() {
        use crate::dynamo::testutil::s;
        use crate::testutil::decode_hex_vector;
        let key = decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/collection-size-key.hex"
        ));
        assert_eq!(collection_size_key(1, &s("user#1")).ok(), Some(key));
        let value = decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/collection-size.hex"
        ));
        assert_eq!(decode_size(&value), Ok(1234));
        assert_eq!(encode_size(1234), value);
        let mut bad = value.clone();
        bad[0] = 2;
        assert!(decode_size(&bad).is_err());
        assert!(decode_size(&value[..8]).is_err());
        assert!(decode_size(&[]).is_err());
    }

    #[test]
    fn estimate_is_a_range_of_whole_gigabytes() {
        assert_eq!(size_estimate_range_gb(0), vec![0.0, 1.0]);
        assert_eq!(size_estimate_range_gb(GB - 1), vec![0.0, 1.0]);
        assert_eq!(size_estimate_range_gb(GB), vec![1.0, 2.0]);
        assert_eq!(size_estimate_range_gb(10 * GB + 5), vec![10.0, 11.0]);
    }
}
