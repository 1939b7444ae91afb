//! Reclaiming the items of deleted tables.
//!
//! DeleteTable retires the table id at once (the catalog record goes, a
//! "retired" record appears, in one batch); the items become unreachable.
//! This background thread then writes tombstones over the id's key range in
//! bounded batches, drops the retired record, and compacts the range so the
//! space returns. After a restart, [`super::db::DynamoDb`] re-queues every
//! retired id it finds.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::catalog::retired_key;
use super::layout::{prefix_end, table_prefix};
use crate::{Db, WriteBatch};

/// Tombstones per batch.
const BATCH_KEYS: usize = 1000;

/// The background reclaimer.
#[derive(Debug)]
pub struct Reclaimer {
    tx: Mutex<Option<Sender<u32>>>,
    stopping: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Reclaimer {
    /// Starts the thread.
    pub fn start(db: Arc<Db>) -> Reclaimer {
        let (tx, rx) = channel::<u32>();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopping);
        let thread = std::thread::Builder::new()
            .name("siltdb-reclaim".into())
            .spawn(move || {
                // Ends when the sender is dropped by `stop`. Errors (a closed
                // or failed engine) leave the retired record in place; the
                // next open retries.
                while let Ok(id) = rx.recv() {
                    let _ = reclaim(&db, id, &stop);
                }
            })
            .ok();
        Reclaimer {
            tx: Mutex::new(Some(tx)),
            stopping,
            thread: Mutex::new(thread),
        }
    }

    /// Queues the items of table `id` for deletion.
    pub fn reclaim(&self, id: u32) {
        if let Some(tx) = self.tx.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = tx.send(id);
        }
    }

    /// Stops the thread after the batch in progress; queued work resumes on
    /// the next open.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        drop(self.tx.lock().unwrap_or_else(|p| p.into_inner()).take());
        if let Some(t) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = t.join();
        }
    }
}

/// Deletes every key of table `id`, then its retired record.
fn reclaim(db: &Db, id: u32, stopping: &AtomicBool) -> crate::Result<()> {
    let prefix = table_prefix(id);
    let end = prefix_end(&prefix);
    loop {
        if stopping.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut batch = WriteBatch::new();
        {
            let mut it = db.iter()?;
            it.seek(&prefix)?;
            while it.valid()
                && it.key().starts_with(&prefix)
                && (batch.count() as usize) < BATCH_KEYS
            {
                batch.delete(it.key());
                it.next()?;
            }
        }
        if batch.is_empty() {
            break;
        }
        db.write(batch)?;
    }
    db.delete(&retired_key(id))?;
    db.compact_range(Some(&prefix), end.as_deref())?;
    Ok(())
}
