//! A live table — its definition, the gate its writes pass, its cached
//! sizes — and the registry of live tables by name.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::dynamo::error::DynamoError;
use crate::dynamo::tables::schema::TableMeta;

/// Cached `ItemCount` / `TableSizeBytes` and the same per index, valid for
/// one write generation.
#[derive(Debug, Clone, Default)]
pub(crate) struct SizeCache {
    pub generation: u64,
    pub item_count: i64,
    pub size_bytes: i64,
    /// Index id → (entries, `IndexSizeBytes`).
    pub indexes: BTreeMap<u8, (i64, i64)>,
}

/// A live table: its definition and the state item operations share.
#[derive(Debug)]
pub(crate) struct Table {
    meta: RwLock<Arc<TableMeta>>,
    /// False once the table is deleted. Writers hold the read side while
    /// they write, so no write lands after DeleteTable retires the id.
    alive: RwLock<bool>,
    /// Bumped by every write; invalidates [`SizeCache`].
    pub generation: AtomicU64,
    pub sizes: Mutex<Option<SizeCache>>,
    /// Why the backfill of an index (by id) stopped, if it failed; shown by
    /// DescribeTable until the backfill runs again (at the next open).
    backfill_failures: Mutex<BTreeMap<u8, String>>,
}

/// The read side of a table's gate: the table stays alive while it is held.
pub(crate) type Gate<'a> = RwLockReadGuard<'a, bool>;

impl Table {
    /// A live table with definition `meta`.
    pub fn new(meta: TableMeta) -> Table {
        Table {
            meta: RwLock::new(Arc::new(meta)),
            alive: RwLock::new(true),
            generation: AtomicU64::new(1),
            sizes: Mutex::new(None),
            backfill_failures: Mutex::new(BTreeMap::new()),
        }
    }

    /// The current definition.
    pub fn meta(&self) -> Arc<TableMeta> {
        Arc::clone(&self.meta.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Replaces the definition.
    pub fn set_meta(&self, meta: TableMeta) {
        *self.meta.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(meta);
    }

    /// Holds the table alive for the duration of a write.
    pub fn write_gate(&self) -> Result<Gate<'_>, DynamoError> {
        let g = self.alive.read().unwrap_or_else(|p| p.into_inner());
        if !*g {
            return Err(DynamoError::resource_not_found());
        }
        Ok(g)
    }

    /// Waits until every write in flight has committed. A write reads the
    /// table's current definition while it holds the gate, so after a
    /// definition change and `quiesce` no write can still act on the old
    /// definition.
    pub fn quiesce(&self) {
        drop(self.alive.write().unwrap_or_else(|p| p.into_inner()));
    }

    /// Marks the table deleted, waiting for writes in flight.
    pub fn kill(&self) {
        *self.alive.write().unwrap_or_else(|p| p.into_inner()) = false;
    }

    /// Records that the table changed.
    pub fn touch(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// Records that the backfill of index `index_id` failed with `error`.
    pub fn backfill_failed(&self, index_id: u8, error: String) {
        self.backfill_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(index_id, error);
    }

    /// Why the backfill of index `index_id` failed, if it did.
    pub fn backfill_failure(&self, index_id: u8) -> Option<String> {
        self.backfill_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&index_id)
            .cloned()
    }
}

/// Holds every table of `tables` alive for a multi-table write: the gates
/// are taken in table-id order, each table once, so two multi-table writes
/// never wait on each other's gates in a cycle. REQUIRES: no item lock held
/// yet (gates before item locks, as every write takes them).
pub(crate) fn table_gates<'t>(
    tables: impl Iterator<Item = &'t Arc<Table>>,
) -> Result<Vec<Gate<'t>>, DynamoError> {
    let mut tables: Vec<(u32, &Arc<Table>)> = tables.map(|t| (t.meta().id, t)).collect();
    tables.sort_by_key(|(id, _)| *id);
    tables.dedup_by_key(|(id, _)| *id);
    tables.into_iter().map(|(_, t)| t.write_gate()).collect()
}

/// The live tables, by name.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    by_name: RwLock<BTreeMap<String, Arc<Table>>>,
}

impl Tables {
    /// The registry of the tables `metas`.
    pub fn new(metas: impl IntoIterator<Item = TableMeta>) -> Tables {
        Tables {
            by_name: RwLock::new(
                metas
                    .into_iter()
                    .map(|m| (m.name.clone(), Arc::new(Table::new(m))))
                    .collect(),
            ),
        }
    }

    /// The map, for reading.
    pub fn read(&self) -> RwLockReadGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.by_name.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The map, for changing.
    pub fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.by_name.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The table named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Table>> {
        self.read().get(name).cloned()
    }

    /// The live table with id `id`.
    pub fn by_id(&self, id: u32) -> Option<Arc<Table>> {
        self.read().values().find(|t| t.meta().id == id).cloned()
    }

    /// Every live table, by name.
    pub fn all(&self) -> Vec<Arc<Table>> {
        self.read().values().cloned().collect()
    }

    /// Adds the new table `meta`.
    pub fn insert(&self, meta: TableMeta) {
        let name = meta.name.clone();
        self.write().insert(name, Arc::new(Table::new(meta)));
    }

    /// Removes the table `name`.
    pub fn remove(&self, name: &str) {
        self.write().remove(name);
    }
}

/// The table name in `name_or_arn` (`arn:aws:dynamodb:r:a:table/Name` → `Name`).
pub(crate) fn table_name_of(name_or_arn: &str) -> &str {
    if name_or_arn.starts_with("arn:") {
        if let Some(pos) = name_or_arn.find(":table/") {
            let rest = &name_or_arn[pos + ":table/".len()..];
            return rest.split('/').next().unwrap_or(rest);
        }
    }
    name_or_arn
}
