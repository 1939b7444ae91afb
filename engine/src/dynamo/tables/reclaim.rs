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
//! restart, the database re-queues every retired record it finds.
//!
//! A deleted table whose streams are still readable keeps its stream
//! records: the table's job skips the `table_id ++ FE` range, which a job of
//! its own empties once the streams have expired (its record is the
//! retained-streams record, `catalog::retired_streams_key`).

use std::sync::atomic::{AtomicBool, Ordering};

use crate::dynamo::db::DynamoDb;
use crate::dynamo::failures::FailureCounters;
use crate::dynamo::keys::layout::{prefix_end, range_prefix, table_prefix, STREAM_INDEX_ID};
use crate::dynamo::tables::catalog::{retired_index_key, retired_key, retired_streams_key};
use crate::dynamo::worker::{WeakHandle, Worker};
use crate::{Db, WriteBatch};

/// Tombstones per batch.
const BATCH_KEYS: usize = 1000;

/// One key range to empty, and the catalog record that remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Job {
    /// Every key starting with this is deleted.
    prefix: Vec<u8>,
    /// Deleted last, once the range is empty.
    record: Vec<u8>,
    /// Keys starting with this are kept.
    skip: Option<Vec<u8>>,
}

/// The background reclaimer: one thread emptying queued ranges in order.
pub(crate) type Reclaimer = Worker<Job>;

/// Starts `db`'s reclaimer thread.
pub(crate) fn start(db: &DynamoDb) {
    db.inner.reclaimer.start(
        "siltdb-reclaim",
        WeakHandle::new(db),
        None,
        |db, job, stopping| {
            let Some(job) = job else { return };
            // A failure (a closed or failing engine) leaves the retired
            // record in place; the next open queues the range again.
            if let Err(e) = reclaim(&db.inner.db, &job, stopping) {
                FailureCounters::count(&db.inner.failures.reclaims);
                tracing::error!(
                    record = ?job.record,
                    error = %e,
                    "reclaiming a deleted table's or index's key range failed; retried at the next open"
                );
            }
        },
    );
}

impl DynamoDb {
    /// Queues `job`. A stopped reclaimer (the database is closing) drops it:
    /// the job's catalog record stays, and the next open queues it again.
    fn queue_reclaim(&self, job: Job) {
        if !self.inner.reclaimer.send(job) {
            tracing::debug!("reclaimer stopped; the range is reclaimed after the next open");
        }
    }

    /// Queues the items of table `id` for deletion — all its keys, or, if
    /// `keep_streams`, all but its stream records (left to
    /// [`DynamoDb::reclaim_streams`]).
    pub(crate) fn reclaim_table(&self, id: u32, keep_streams: bool) {
        self.queue_reclaim(Job {
            prefix: table_prefix(id),
            record: retired_key(id),
            skip: keep_streams.then(|| range_prefix(id, STREAM_INDEX_ID)),
        });
    }

    /// Queues the stream records of deleted table `id` for deletion, and
    /// then its retained-streams record. REQUIRES: no reader can reach
    /// those streams any more.
    pub(crate) fn reclaim_streams(&self, id: u32) {
        self.queue_reclaim(Job {
            prefix: range_prefix(id, STREAM_INDEX_ID),
            record: retired_streams_key(id),
            skip: None,
        });
    }

    /// Queues the entries of index `index_id` of table `table_id` for
    /// deletion. REQUIRES: no write can add an entry of that index any more
    /// (the index has left the table's definition and every write that
    /// read the old definition has committed).
    pub(crate) fn reclaim_index(&self, table_id: u32, index_id: u8) {
        self.queue_reclaim(Job {
            prefix: range_prefix(table_id, index_id),
            record: retired_index_key(table_id, index_id),
            skip: None,
        });
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
