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
use crate::dynamo::db::{decode_stored, Table};
use crate::dynamo::error::DynamoError;
use crate::dynamo::indexes::entries::{entry_key, project_for_index};
use crate::dynamo::items::codec::encode_item_to_vec;
use crate::dynamo::keys::layout::{range_prefix, TABLE_INDEX_ID};
use crate::dynamo::tables::catalog;
use crate::dynamo::write::locks::{lock_id, ItemLocks};
use crate::{Db, WriteBatch};

/// What a backfill thread needs from the database.
pub(crate) struct BackfillContext {
    /// The engine.
    pub db: Arc<Db>,
    /// The item locks every write takes.
    pub locks: Arc<ItemLocks>,
    /// The control-plane lock, held while the index turns `ACTIVE`.
    pub control: Arc<Mutex<u32>>,
    /// Items per batch (≥ 1).
    pub batch_items: usize,
}

/// The backfill threads of one database.
#[derive(Debug, Default)]
pub(crate) struct Backfiller {
    stopping: Arc<AtomicBool>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Backfiller {
    /// Starts backfilling index `index_id` of `table`.
    pub fn start(&self, ctx: BackfillContext, table: Arc<Table>, index_id: u8) {
        let stopping = Arc::clone(&self.stopping);
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        threads.retain(|t| !t.is_finished());
        // A backfill that cannot finish (the engine failed, the table went
        // away) simply stops; the index stays `CREATING` and the next open
        // starts it again.
        let spawned = std::thread::Builder::new()
            .name("siltdb-backfill".into())
            .spawn(move || {
                let _ = backfill(&ctx, &table, index_id, &stopping);
            });
        if let Ok(t) = spawned {
            threads.push(t);
        }
    }

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
            let _ = t.join();
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
/// `ACTIVE`.
fn backfill(
    ctx: &BackfillContext,
    table: &Table,
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
        let keys = next_keys(&ctx.db, &prefix, &cursor, ctx.batch_items)?;
        let Some(last) = keys.last() else { break };
        let mut next = last.clone();
        next.push(0);
        match fill_batch(ctx, table, index_id, &keys) {
            Ok(()) => {}
            Err(Stop::Quietly) => return Ok(()),
            Err(Stop::Failed(e)) => return Err(e),
        }
        cursor = next;
    }
    activate(ctx, table, index_id)
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
    ctx: &BackfillContext,
    table: &Table,
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
    // Lock ids in ascending order, as BatchWriteItem takes them, so the two
    // never wait on each other in a cycle.
    let mut order: Vec<(u64, &[u8])> = keys.iter().map(|k| (lock_id(k), k.as_slice())).collect();
    order.sort_unstable();
    order.dedup_by_key(|(id, _)| *id);
    let guards: Vec<_> = order.iter().map(|(_, k)| ctx.locks.lock(k)).collect();
    let mut batch = WriteBatch::new();
    for key in keys {
        let Some(bytes) = ctx.db.get(key)? else {
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
        ctx.db.write(batch)?;
        table.touch();
    }
    drop(guards);
    drop(gate);
    Ok(())
}

/// Marks index `index_id` of `table` `ACTIVE` in the catalog, unless it was
/// deleted (or the table was) meanwhile.
fn activate(ctx: &BackfillContext, table: &Table, index_id: u8) -> Result<(), DynamoError> {
    let _control = ctx.control.lock().unwrap_or_else(|p| p.into_inner());
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
    ctx.db.write(batch)?;
    table.set_meta(meta);
    drop(gate);
    Ok(())
}
