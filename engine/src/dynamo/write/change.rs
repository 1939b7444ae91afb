//! The one place an item change becomes engine writes: the item itself, its
//! index entries and (with streams) its stream record, all in the caller's
//! batch — so an index or a stream never disagrees with the table, even
//! across a crash.

use crate::dynamo::db::{DynamoDb, Table};
use crate::dynamo::error::DynamoError;
use crate::dynamo::indexes::entries::stage_index_writes;
use crate::dynamo::items::codec::encode_item_to_vec;
use crate::dynamo::items::value::Item;
use crate::dynamo::streams::StreamState;
use crate::dynamo::tables::schema::TableMeta;
use crate::WriteBatch;

/// Who made a change (stream records name the TTL service as the
/// principal of expiry deletions: `userIdentity` `{"type": "Service",
/// "principalId": "dynamodb.amazonaws.com"}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A client request.
    User,
    /// The TTL sweeper deleting an expired item.
    Ttl,
}

impl DynamoDb {
    /// Adds to `batch` every write that takes the item at engine key `key`
    /// of `table` from `old` to `new` (`None` = absent). The caller holds
    /// the table's write gate and the item's lock, and commits the batch
    /// before releasing them.
    ///
    /// Index entries follow the table's definition as it is now, read here
    /// under the item's lock, not one the caller read earlier (before an
    /// index was added or removed): an index being backfilled must see every
    /// write made after it was added, and a deleted index none made after
    /// its range is reclaimed (see `backfill.rs` and `Table::quiesce`).
    pub(crate) fn stage_change(
        &self,
        batch: &mut WriteBatch,
        table: &Table,
        key: &[u8],
        old: Option<&Item>,
        new: Option<&Item>,
        origin: Origin,
    ) -> Result<(), DynamoError> {
        stage_item_change(batch, &table.meta(), key, old, new, origin, &self.streams)
    }
}

/// The body of [`DynamoDb::stage_change`], callable without a handle: the
/// TTL sweeper's thread has none (it works on `ttl::SweepCtx`). Anything a
/// change needs beyond its arguments must be reachable from there too.
///
/// `streams` numbers the stream record; the caller calls
/// [`StreamState::settle`] once it has committed the batch, successfully or
/// not ([`DynamoDb::commit`] does).
pub(crate) fn stage_item_change(
    batch: &mut WriteBatch,
    meta: &TableMeta,
    key: &[u8],
    old: Option<&Item>,
    new: Option<&Item>,
    origin: Origin,
    streams: &StreamState,
) -> Result<(), DynamoError> {
    if batch.is_empty() {
        // A new batch: a record this thread staged before went into a batch
        // that was dropped uncommitted.
        streams.forget_uncommitted();
    }
    match new {
        Some(item) => batch.put(key, &encode_item_to_vec(item)),
        None if old.is_some() => batch.delete(key),
        None => {}
    }
    stage_index_writes(batch, meta, old, new)?;
    streams.stage_record(batch, meta, old, new, origin)
}
