//! The one place an item change becomes engine writes: the item itself, its
//! index entries and (with streams) its stream record, all in the caller's
//! batch — so an index or a stream never disagrees with the table, even
//! across a crash.

use super::db::DynamoDb;
use super::error::DynamoError;
use super::index::stage_index_writes;
use super::itemcodec::encode_item_to_vec;
use super::schema::TableMeta;
use super::value::Item;
use crate::WriteBatch;

/// Who made a change (stream records name the TTL service as the
/// principal of expiry deletions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A client request.
    User,
    /// Time to Live deleting an expired item.
    Ttl,
}

impl DynamoDb {
    /// Adds to `batch` every write that takes the item at engine key `key`
    /// of table `meta` from `old` to `new` (`None` = absent). The caller
    /// holds the item's lock and commits the batch.
    pub(crate) fn stage_change(
        &self,
        batch: &mut WriteBatch,
        meta: &TableMeta,
        key: &[u8],
        old: Option<&Item>,
        new: Option<&Item>,
        origin: Origin,
    ) -> Result<(), DynamoError> {
        if batch.is_empty() {
            self.forget_uncommitted_records();
        }
        match new {
            Some(item) => batch.put(key, &encode_item_to_vec(item)),
            None if old.is_some() => batch.delete(key),
            None => {}
        }
        stage_index_writes(batch, meta, old, new)?;
        self.stage_record(batch, meta, old, new, origin)
    }
}
