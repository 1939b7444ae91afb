//! Reclaiming the items of deleted tables and the entries of deleted
//! secondary indexes.
//!
//! DeleteTable retires the table id at once (the catalog record goes, a
//! "retired" record appears, in one batch); the items become unreachable.
//! Deleting a global secondary index does the same for the index's range
//! `table_id ++ index_id` (the index leaves the table record and a
//! retired-index record appears, in one batch). This background thread then
//! writes tombstones over the retired key range in bounded batches, drops
//! the retired record, and compacts the range so the space returns. After a
//! restart, [`crate::dynamo::db::DynamoDb`] re-queues every retired record it finds.
//!
//! A deleted table whose streams are still readable keeps its stream
//! records: the table's job skips the `table_id ++ FE` range, which a job of
//! its own empties once the streams have expired (its record is the
//! retained-streams record, `catalog::retired_streams_key`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::dynamo::keys::layout::{prefix_end, range_prefix, table_prefix, STREAM_INDEX_ID};
use crate::dynamo::tables::catalog::{retired_index_key, retired_key, retired_streams_key};
use crate::{Db, WriteBatch};

/// Tombstones per batch.
const BATCH_KEYS: usize = 1000;

/// One key range to empty, and the catalog record that remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Job {
    /// Every key starting with this is deleted.
    prefix: Vec<u8>,
    /// Deleted last, once the range is empty.
    record: Vec<u8>,
    /// Keys starting with this are kept.
    skip: Option<Vec<u8>>,
}

/// The background reclaimer.
#[derive(Debug)]
pub struct Reclaimer {
    tx: Mutex<Option<Sender<Job>>>,
    stopping: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Reclaimer {
    /// Starts the thread.
    pub fn start(db: Arc<Db>) -> Reclaimer {
        let (tx, rx) = channel::<Job>();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopping);
        let thread = std::thread::Builder::new()
            .name("siltdb-reclaim".into())
            .spawn(move || {
                // Ends when the sender is dropped by `stop`. Errors (a closed
                // or failed engine) leave the retired record in place; the
                // next open retries.
                while let Ok(job) = rx.recv() {
                    let _ = reclaim(&db, &job, &stop);
                }
            })
            .ok();
        Reclaimer {
            tx: Mutex::new(Some(tx)),
            stopping,
            thread: Mutex::new(thread),
        }
    }

    /// Queues the items of table `id` for deletion — all its keys, or, if
    /// `keep_streams`, all but its stream records (left to
    /// [`Reclaimer::reclaim_streams`]).
    pub fn reclaim(&self, id: u32, keep_streams: bool) {
        self.send(Job {
            prefix: table_prefix(id),
            record: retired_key(id),
            skip: keep_streams.then(|| range_prefix(id, STREAM_INDEX_ID)),
        });
    }

    /// Queues the stream records of deleted table `id` for deletion, and
    /// then its retained-streams record. REQUIRES: no reader can reach
    /// those streams any more.
    pub fn reclaim_streams(&self, id: u32) {
        self.send(Job {
            prefix: range_prefix(id, STREAM_INDEX_ID),
            record: retired_streams_key(id),
            skip: None,
        });
    }

    /// Queues the entries of index `index_id` of table `table_id` for
    /// deletion. REQUIRES: no write can add an entry of that index any more
    /// (the index has left the table's definition and every write that
    /// read the old definition has committed).
    pub fn reclaim_index(&self, table_id: u32, index_id: u8) {
        self.send(Job {
            prefix: range_prefix(table_id, index_id),
            record: retired_index_key(table_id, index_id),
            skip: None,
        });
    }

    fn send(&self, job: Job) {
        if let Some(tx) = self.tx.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = tx.send(job);
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

/// Deletes every key of `job.prefix` (but those of `job.skip`), then its
/// retired record.
fn reclaim(db: &Db, job: &Job, stopping: &AtomicBool) -> crate::Result<()> {
    let prefix = &job.prefix;
    let end = prefix_end(prefix);
    let skip = job.skip.as_ref().map(|s| (s, prefix_end(s)));
    loop {
        if stopping.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut batch = WriteBatch::new();
        {
            let mut it = db.iter()?;
            it.seek(prefix)?;
            while it.valid()
                && it.key().starts_with(prefix)
                && (batch.count() as usize) < BATCH_KEYS
            {
                if let Some((skip, skip_end)) = &skip {
                    if it.key().starts_with(skip) {
                        match skip_end {
                            Some(e) => {
                                it.seek(e)?;
                                continue;
                            }
                            None => break,
                        }
                    }
                }
                batch.delete(it.key());
                it.next()?;
            }
        }
        if batch.is_empty() {
            break;
        }
        db.write(batch)?;
    }
    db.delete(&job.record)?;
    db.compact_range(Some(prefix), end.as_deref())?;
    Ok(())
}
