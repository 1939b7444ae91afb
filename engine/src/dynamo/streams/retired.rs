//! The streams of deleted tables, readable until 24 hours after they were
//! disabled (see the module docs of `streams`, "Deleted tables").
//!
//! Each is kept as a dead [`Table`] (no writes, no items) whose definition
//! lists only those streams, all disabled; its gate keeps the records from
//! being reclaimed under a reader.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::dynamo::db::DynamoDb;
use crate::dynamo::streams::StreamMeta;
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::tables::table::Table;

/// Deleted tables whose streams are still readable, by table id.
#[derive(Debug, Default)]
pub(crate) struct RetiredStreams {
    by_id: Mutex<BTreeMap<u32, Arc<Table>>>,
}

impl RetiredStreams {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<u32, Arc<Table>>> {
        self.by_id.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps the streams of a table just deleted (or found at open): `kept`
    /// is its definition with only its readable streams, all disabled.
    pub fn keep(&self, kept: TableMeta) {
        self.lock().insert(kept.id, Arc::new(Table::new(kept)));
    }

    /// The deleted tables whose streams are kept, oldest table id first —
    /// those named `name` if given, else all.
    pub fn tables(&self, name: Option<&str>) -> Vec<Arc<Table>> {
        self.lock()
            .values()
            .filter(|t| name.is_none_or(|n| t.meta().name == n))
            .cloned()
            .collect()
    }

    /// The kept streams of deleted tables named `name` (whose labels a new
    /// stream of a table of that name must not repeat).
    pub fn named(&self, name: &str) -> Vec<StreamMeta> {
        self.tables(Some(name))
            .iter()
            .flat_map(|t| t.meta().streams.clone())
            .collect()
    }

    /// Removes and returns the tables whose streams have all expired at
    /// `now_millis`.
    fn take_expired(&self, now_millis: i64) -> Vec<Arc<Table>> {
        let mut by_id = self.lock();
        let ids: Vec<u32> = by_id
            .iter()
            .filter(|(_, t)| all_expired(&t.meta(), now_millis))
            .map(|(id, _)| *id)
            .collect();
        ids.iter().filter_map(|id| by_id.remove(id)).collect()
    }
}

/// Whether every stream of `meta` has expired at `now_millis`.
pub(crate) fn all_expired(meta: &TableMeta, now_millis: i64) -> bool {
    meta.streams.iter().all(|s| s.expired(now_millis))
}

impl DynamoDb {
    /// Drops the deleted tables whose streams have all expired (24 hours
    /// after they were disabled) and queues their records for reclaiming.
    /// Called at open, by every Streams API call, by CreateTable and
    /// DeleteTable, and after every TTL sweep, so expired records are
    /// reclaimed even when no Streams call comes.
    pub(crate) fn expire_retired_streams(&self) {
        let now = self.inner.opts.clock.now_millis();
        for table in self.inner.retired_streams.take_expired(now) {
            // Waits for readers in flight (they hold the gate).
            table.kill();
            self.reclaim_streams(table.meta().id);
        }
    }
}
