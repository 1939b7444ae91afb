//! Backfilling a global secondary index added by UpdateTable.
//!
//! UpdateTable records the new index with status `CREATING` and returns.
//! From that moment every write maintains the index itself (a write stages
//! entries for every index in the table's current definition, see
//! `change.rs`). A background thread then walks the table's items in key
//! order, a batch at a time: it takes the batch's item locks, re-reads each
//! item and writes its entry, and commits the batch in one engine write. An
//! item a writer changes before the walk reaches it is entered by the walk;
//! one changed after is kept right by the writer; one changed while the walk
//! holds the batch waits for the lock. When the walk ends the index turns
//! `ACTIVE` in the catalog.
//!
//! Nothing about the walk's progress is stored: after a close or a crash the
//! index is still `CREATING` in the catalog and the walk starts over at open.
//! Entries written before are right (each was written under its item's
//! lock, and later writes kept it up to date), so writing them again changes
//! nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::dynamo::api::IndexStatus;
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::DynamoError;
use crate::dynamo::failures::FailureCounters;
use crate::dynamo::indexes::entries::{entry_key, project_for_index};
use crate::dynamo::items::codec::encode_item_to_vec;
use crate::dynamo::keys::layout::{range_prefix, successor, TABLE_INDEX_ID};
use crate::dynamo::tables::catalog;
use crate::dynamo::tables::table::Table;
use crate::dynamo::worker::{join_unless_current, WeakHandle};
use crate::{Db, WriteBatch};

/// Background threads that walk a table's items: index backfills and
/// restores from backups (`backups/restore.rs`).
#[derive(Debug, Default)]
pub(crate) struct Backfiller {
    stopping: Arc<AtomicBool>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Backfiller {
    /// Stops every backfill after its batch in progress and waits for the
    /// threads. Unfinished backfills resume at the next open.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let threads: Vec<JoinHandle<()>> = self
            .threads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
            .collect();
        for t in threads {
            join_unless_current(t);
        }
    }
}

impl Backfiller {
    /// Runs `work` on a thread of its own named `name`, registered so
    /// [`Backfiller::stop`] waits for it; `work` gets the stop flag to check
    /// between its steps. Nothing runs once stopping has begun.
    pub fn spawn(
        &self,
        name: &str,
        work: impl FnOnce(&AtomicBool) + Send + 'static,
    ) -> std::io::Result<()> {
        let stopping = Arc::clone(&self.stopping);
        if stopping.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        threads.retain(|t| !t.is_finished());
        let t = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || work(&stopping))?;
        threads.push(t);
        Ok(())
    }
}

impl DynamoDb {
    /// Starts adding the existing items of `table` to its `CREATING` index
    /// `index_id` in the background; the index turns `ACTIVE` when done.
    pub(crate) fn start_backfill(&self, table: Arc<Table>, index_id: u8) {
        let db = WeakHandle::new(self);
        let failed = Arc::clone(&table);
        let inner = self.downgrade();
        let spawned = self
            .inner
            .backfiller
            .spawn("siltdb-backfill", move |stopping| {
                // A backfill that cannot finish (the engine failed) stops;
                // the index stays `CREATING`, DescribeTable reports why, and
                // the next open starts it again.
                if let Err(e) = backfill(&db, &table, index_id, stopping) {
                    let meta = table.meta();
                    let index = meta.indexes.iter().find(|i| i.id == index_id);
                    tracing::error!(
                        table = %meta.name,
                        index = index.map_or("?", |i| i.name.as_str()),
                        error = %e,
                        "index backfill failed; it starts again at the next open"
                    );
                    if let Some(inner) = inner.upgrade() {
                        FailureCounters::count(&inner.failures.index_backfills);
                    }
                    table.backfill_failed(index_id, e.message().to_string());
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start an index backfill thread");
            FailureCounters::count(&self.inner.failures.index_backfills);
            failed.backfill_failed(index_id, format!("cannot start a backfill thread: {e}"));
        }
    }
}

/// Why a backfill ended early.
enum Stop {
    /// The database is closing, the table was deleted, or the index was
    /// deleted (or is no longer `CREATING`).
    Quietly,
    /// A storage or decoding error.
    Failed(DynamoError),
}

impl From<DynamoError> for Stop {
    fn from(e: DynamoError) -> Stop {
        Stop::Failed(e)
    }
}

impl From<crate::Error> for Stop {
    fn from(e: crate::Error) -> Stop {
        Stop::Failed(e.into())
    }
}

/// Walks every item of `table` into index `index_id`, then marks the index
/// `ACTIVE`. Each batch runs on a handle of its own, so a database no
/// application holds any more ends the walk.
fn backfill(
    db: &WeakHandle,
    table: &Arc<Table>,
    index_id: u8,
    stopping: &AtomicBool,
) -> Result<(), DynamoError> {
    let prefix = range_prefix(table.meta().id, TABLE_INDEX_ID);
    // The next key to look at: the table's first, then just past the last
    // key of each batch.
    let mut cursor = prefix.clone();
    loop {
        if stopping.load(Ordering::SeqCst) {
            return Ok(());
        }
        let Some(db) = db.upgrade() else {
            return Ok(());
        };
        let batch_items = db.inner.opts.backfill_batch_items.max(1);
        let keys = next_keys(&db.inner.db, &prefix, &cursor, batch_items)?;
        let Some(last) = keys.last() else {
            return activate(&db, table, index_id);
        };
        let next = successor(last);
        match fill_batch(&db, table, index_id, &keys) {
            Ok(()) => {}
            Err(Stop::Quietly) => return Ok(()),
            Err(Stop::Failed(e)) => return Err(e),
        }
        cursor = next;
    }
}

/// Up to `n` item keys of the table range `prefix`, from `from` on.
fn next_keys(db: &Db, prefix: &[u8], from: &[u8], n: usize) -> Result<Vec<Vec<u8>>, DynamoError> {
    let mut keys = Vec::with_capacity(n);
    let mut it = db.iter()?;
    it.seek(from)?;
    while it.valid() && it.key().starts_with(prefix) && keys.len() < n {
        keys.push(it.key().to_vec());
        it.next()?;
    }
    Ok(keys)
}

/// Writes the index entries of the items at `keys`, under their locks, in
/// one batch.
fn fill_batch(
    db: &DynamoDb,
    table: &Arc<Table>,
    index_id: u8,
    keys: &[Vec<u8>],
) -> Result<(), Stop> {
    // The gate keeps the table (and, through `Table::quiesce`, an index
    // deletion) from completing while this batch is in flight.
    let gate = table.write_gate().map_err(|_| Stop::Quietly)?;
    let meta = table.meta();
    let Some(idx) = meta
        .indexes
        .iter()
        .find(|i| i.id == index_id && i.status == IndexStatus::Creating)
    else {
        return Err(Stop::Quietly);
    };
    // In lock-id order, as every multi-item write takes them.
    let guards = db.inner.locks.lock_all(keys);
    let mut batch = WriteBatch::new();
    for key in keys {
        let Some(bytes) = db.inner.db.get_pinned(key)? else {
            continue;
        };
        let item = decode_stored(&bytes)?;
        if let Some(entry) = entry_key(&meta, idx, &item)? {
            batch.put(
                &entry,
                &encode_item_to_vec(&project_for_index(&meta, idx, &item)),
            );
        }
    }
    if !batch.is_empty() {
        db.inner.db.write(batch)?;
        table.touch();
    }
    drop(guards);
    drop(gate);
    Ok(())
}

/// Marks index `index_id` of `table` `ACTIVE` in the catalog, unless it was
/// deleted (or the table was) meanwhile.
fn activate(db: &DynamoDb, table: &Arc<Table>, index_id: u8) -> Result<(), DynamoError> {
    let _control = db.control_lock();
    let Ok(gate) = table.write_gate() else {
        return Ok(());
    };
    let mut meta = (*table.meta()).clone();
    let Some(idx) = meta
        .indexes
        .iter_mut()
        .find(|i| i.id == index_id && i.status == IndexStatus::Creating)
    else {
        return Ok(());
    };
    idx.status = IndexStatus::Active;
    let mut batch = WriteBatch::new();
    catalog::update(&mut batch, &meta);
    db.inner.db.write(batch)?;
    table.set_meta(meta);
    drop(gate);
    Ok(())
}
