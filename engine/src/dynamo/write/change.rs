//! The stage step of the write pipeline: the one place an item change
//! becomes engine writes — the item itself, its index entries and (with
//! streams) its stream record, all in the write's batch, so an index or a
//! stream never disagrees with the table, even across a crash.

use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::indexes::entries::stage_index_writes;
use crate::dynamo::items::codec::encode_item_to_vec;
use crate::dynamo::items::value::Item;
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::write::pipeline::Staged;

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
    /// Adds to `staged` every write that takes the item at engine key `key`
    /// of the table `meta` defines from `old` to `new` (`None` = absent):
    /// the item, its index entries, its stream record. The caller (the
    /// write pipeline) holds the table's write gate and the item's lock,
    /// read `meta` under that lock, and commits before releasing them.
    ///
    /// Index entries follow the table's definition as it is under the
    /// item's lock, not one read earlier (before an index was added or
    /// removed): an index being backfilled must see every write made after
    /// it was added, and a deleted index none made after its range is
    /// reclaimed (see `indexes/backfill.rs` and `Table::quiesce`).
    pub(crate) fn stage_change(
        &self,
        staged: &mut Staged,
        meta: &TableMeta,
        key: &[u8],
        old: Option<&Item>,
        new: Option<&Item>,
        origin: Origin,
    ) -> Result<(), DynamoError> {
        let batch = &mut staged.batch;
        match new {
            Some(item) => batch.put(key, &encode_item_to_vec(item)),
            None if old.is_some() => batch.delete(key),
            None => {}
        }
        stage_index_writes(batch, meta, old, new)?;
        self.inner
            .streams
            .stage_record(staged, meta, old, new, origin)
    }
}
