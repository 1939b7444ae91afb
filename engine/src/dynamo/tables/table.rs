//! A live table — its definition, the gate its writes pass, its cached
//! sizes — and the registry of live tables by name.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use crate::dynamo::error::DynamoError;
use crate::dynamo::tables::schema::TableMeta;

/// `ItemCount` / `TableSizeBytes` and the same per index, as counted at
/// one write generation.
#[derive(Debug, Clone, Default)]
pub(crate) struct SizeCache {
    pub generation: u64,
    pub item_count: i64,
    pub size_bytes: i64,
    /// Index id → (entries, `IndexSizeBytes`).
    pub indexes: BTreeMap<u8, (i64, i64)>,
}

impl SizeCache {
    /// The records counted: items and index entries.
    pub fn records(&self) -> u64 {
        let entries: i64 = self.indexes.values().map(|(n, _)| n).sum();
        u64::try_from(self.item_count.saturating_add(entries)).unwrap_or(0)
    }
}

/// A count of a table's sizes that read fewer records than this (items
/// and index entries) is redone after every change: a small table's sizes
/// are exact at every DescribeTable, however loaded the machine is. (On
/// the development VM, counting this many takes about 10 ms.)
pub(crate) const EXACT_COUNT_BELOW: u64 = 10_000;

/// A count that took longer is redone at most once per this many times its
/// own length, however often DescribeTable asks: counting a large table
/// takes at most about 1 % of the time, where it was a whole scan per call
/// after any write. (DynamoDB refreshes these sizes about every six hours.)
pub(crate) const RECOUNT_SPACING: u32 = 100;

/// One count of a table's sizes: what it found, when it started and how
/// long it took.
#[derive(Debug, Clone)]
pub(crate) struct Count {
    pub sizes: SizeCache,
    pub at: Instant,
    pub took: Duration,
}

impl Count {
    /// Whether this count may answer at `now` for a table at write
    /// generation `generation`: the table has not changed since, or the
    /// count was large ([`EXACT_COUNT_BELOW`]) and its spacing
    /// ([`RECOUNT_SPACING`]) has not passed.
    pub fn serves(&self, generation: u64, now: Instant) -> bool {
        self.sizes.generation == generation
            || (self.sizes.records() >= EXACT_COUNT_BELOW
                && now.saturating_duration_since(self.at)
                    < self.took.saturating_mul(RECOUNT_SPACING))
    }
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
    /// Bumped by every write; a [`Count`] of an earlier generation is
    /// stale.
    pub generation: AtomicU64,
    /// The last count of the table's sizes.
    sizes: Mutex<Option<Count>>,
    /// Held while the sizes are counted: one count at a time, which the
    /// callers that wait for it then share.
    counting: Mutex<()>,
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
            counting: Mutex::new(()),
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

    /// The last count of the table's sizes, if it may answer now
    /// ([`Count::serves`]).
    pub fn counted_sizes(&self) -> Option<SizeCache> {
        let generation = self.generation.load(Ordering::Acquire);
        let sizes = self.sizes.lock().unwrap_or_else(|p| p.into_inner());
        sizes
            .as_ref()
            .filter(|c| c.serves(generation, Instant::now()))
            .map(|c| c.sizes.clone())
    }

    /// Held while the sizes are counted (one count at a time).
    pub fn counting(&self) -> MutexGuard<'_, ()> {
        // Guards nothing but the count's turn.
        self.counting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `count` as the last count of the table's sizes.
    pub fn set_count(&self, count: Count) {
        *self.sizes.lock().unwrap_or_else(|p| p.into_inner()) = Some(count);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn count(generation: u64, records: u64, at: Instant, took: Duration) -> Count {
        Count {
            sizes: SizeCache {
                generation,
                item_count: i64::try_from(records).expect("test count"),
                ..SizeCache::default()
            },
            at,
            took,
        }
    }

    #[test]
    fn a_count_serves_its_generation_at_any_time() {
        let t0 = Instant::now();
        let c = count(7, 1_000_000, t0, Duration::from_millis(1));
        assert!(c.serves(7, t0));
        assert!(c.serves(7, t0 + Duration::from_secs(86_400)));
    }

    #[test]
    fn a_small_count_is_redone_after_any_change_however_long_it_took() {
        let t0 = Instant::now();
        for took in [Duration::from_millis(1), Duration::from_secs(60)] {
            let c = count(7, EXACT_COUNT_BELOW - 1, t0, took);
            assert!(!c.serves(8, t0));
        }
    }

    #[test]
    fn a_large_count_serves_later_generations_until_its_spacing_passes() {
        let t0 = Instant::now();
        let took = Duration::from_millis(50);
        let c = count(7, EXACT_COUNT_BELOW, t0, took);
        let spacing = took * RECOUNT_SPACING;
        assert_eq!(spacing, Duration::from_secs(5));
        assert!(c.serves(8, t0));
        assert!(c.serves(1_000, t0 + spacing - Duration::from_nanos(1)));
        assert!(!c.serves(8, t0 + spacing));
    }
}
