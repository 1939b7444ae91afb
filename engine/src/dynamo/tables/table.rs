//! A live table — its definition, the gate its writes pass, its cached
//! sizes — and the registry of live tables by name.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

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
    /// The gate writes pass ([`Table::write_gate`]).
    gate: Mutex<GateState>,
    /// Signalled when the last write leaves the gate or a
    /// [`Table::quiesce`]/[`Table::kill`] ends.
    gate_changed: Condvar,
    /// Bumped by every write; invalidates [`SizeCache`].
    pub generation: AtomicU64,
    pub sizes: Mutex<Option<SizeCache>>,
    /// Why the backfill of an index (by id) stopped, if it failed; shown by
    /// DescribeTable until the backfill runs again (at the next open).
    backfill_failures: Mutex<BTreeMap<u8, String>>,
}

/// Who is at a table's gate.
#[derive(Debug)]
struct GateState {
    /// False once the table is deleted: no write passes after DeleteTable
    /// retires the id.
    alive: bool,
    /// Writes holding a [`Gate`].
    writers: usize,
    /// Quiesces and kills waiting for (or running after) the writes to
    /// drain; new writes wait while there is one, so they cannot starve it.
    exclusive: usize,
}

/// A write's pass through a table's gate: the table stays alive while it
/// is held. Owned (not a lock guard), so a write may hand it to the
/// engine's commit to drop once the write is committed.
#[derive(Debug)]
pub(crate) struct Gate {
    table: Arc<Table>,
}

impl Drop for Gate {
    fn drop(&mut self) {
        let mut g = self.table.gate_state();
        g.writers -= 1;
        if g.writers == 0 {
            drop(g);
            self.table.gate_changed.notify_all();
        }
    }
}

impl Table {
    /// A live table with definition `meta`.
    pub fn new(meta: TableMeta) -> Table {
        Table {
            meta: RwLock::new(Arc::new(meta)),
            gate: Mutex::new(GateState {
                alive: true,
                writers: 0,
                exclusive: 0,
            }),
            gate_changed: Condvar::new(),
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

    fn gate_state(&self) -> MutexGuard<'_, GateState> {
        // Only counters and a flag change under this lock; a panic
        // elsewhere cannot leave them half-updated.
        self.gate.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Holds the table alive for the duration of a write (waiting while a
    /// [`Table::quiesce`] or [`Table::kill`] is in progress). REQUIRES: the
    /// caller holds no gate of this table already.
    pub fn write_gate(self: &Arc<Self>) -> Result<Gate, DynamoError> {
        let mut g = self.gate_state();
        while g.exclusive > 0 {
            g = self.gate_changed.wait(g).unwrap_or_else(|p| p.into_inner());
        }
        if !g.alive {
            return Err(DynamoError::resource_not_found());
        }
        g.writers += 1;
        Ok(Gate {
            table: Arc::clone(self),
        })
    }

    /// Stops new writes at the gate, waits for those in flight to commit,
    /// applies `change` and lets writes through again.
    fn drain(&self, change: impl FnOnce(&mut GateState)) {
        let mut g = self.gate_state();
        g.exclusive += 1;
        while g.writers > 0 {
            g = self.gate_changed.wait(g).unwrap_or_else(|p| p.into_inner());
        }
        change(&mut g);
        g.exclusive -= 1;
        drop(g);
        self.gate_changed.notify_all();
    }

    /// Waits until every write in flight has committed. A write reads the
    /// table's current definition while it holds the gate, so after a
    /// definition change and `quiesce` no write can still act on the old
    /// definition.
    pub fn quiesce(&self) {
        self.drain(|_| {});
    }

    /// Marks the table deleted, waiting for writes in flight.
    pub fn kill(&self) {
        self.drain(|g| g.alive = false);
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
) -> Result<Vec<Gate>, DynamoError> {
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
