//! A table's items as of one moment: what an export reads.
//!
//! The definition and an engine [`crate::Snapshot`] are taken under the
//! control lock, so the items read belong to the definition described;
//! writes after that moment are invisible to the reader, however long it
//! takes.

use crate::dynamo::api::TableDescription;
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::Item;
use crate::dynamo::keys::layout::{range_prefix, TABLE_INDEX_ID};
use crate::DbIterator;

/// The items of one table as of one engine snapshot, in key order
/// (DynamoDB's partitions: by the hash of the partition key).
pub struct TableSnapshot {
    it: DbIterator,
    prefix: Vec<u8>,
    started: bool,
    /// The table's definition at that moment (`ItemCount` and
    /// `TableSizeBytes` as DescribeTable last counted them).
    pub description: TableDescription,
    /// The engine sequence number the items are read at.
    pub sequence: u64,
}

impl Iterator for TableSnapshot {
    type Item = Result<Item, DynamoError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.started {
            if let Err(e) = self.it.next() {
                return Some(Err(e.into()));
            }
        } else {
            self.started = true;
            if let Err(e) = self.it.seek(&self.prefix) {
                return Some(Err(e.into()));
            }
        }
        if !self.it.valid() || !self.it.key().starts_with(&self.prefix) {
            return None;
        }
        Some(decode_stored(self.it.value()))
    }
}

impl DynamoDb {
    /// The items of `table_name` (a name or an ARN) as of now, readable
    /// while writes go on. An `ACTIVE` table only: one being created,
    /// restored or deleted is `ResourceNotFoundException`, as its items
    /// are to reads.
    pub fn snapshot_table(&self, table_name: &str) -> Result<TableSnapshot, DynamoError> {
        let _control = self.control_lock();
        let table = self.table(table_name)?;
        let meta = table.meta();
        let snapshot = self.inner.db.snapshot();
        let it = snapshot.iter()?;
        Ok(TableSnapshot {
            it,
            prefix: range_prefix(meta.id, TABLE_INDEX_ID),
            started: false,
            description: meta.description(self.region(), &self.inner.opts.account_id),
            sequence: snapshot.sequence(),
        })
    }
}
