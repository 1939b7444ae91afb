//! The trim of stream records off the write path: a write that staged a
//! record of a table due for a trim (at most every 10 seconds per table)
//! hands the trim to this thread once it has committed and released its
//! item locks and table gates, and waits for it — so a write returns with
//! its table's expired records gone (as a reader would find them), yet no
//! trim ever runs under a user's item lock or holds up another writer of
//! the item. The thread deletes the table's records older than 24 hours,
//! batch by batch, under the table's write gate (so the trim cannot race
//! DeleteTable's reclaiming). Streams reads trim their table themselves
//! before reading (`api.rs`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Sender};

use crate::dynamo::db::DynamoDb;
use crate::dynamo::failures::FailureCounters;
use crate::dynamo::worker::{WeakHandle, Worker};

/// A trim to do: a table id, and whom to tell when it is done.
pub(crate) type TrimJob = (u32, Sender<()>);

/// The trim thread.
pub(crate) type Trimmer = Worker<TrimJob>;

/// Starts `db`'s trim thread.
pub(crate) fn start(db: &DynamoDb) {
    db.inner.trimmer.start(
        "siltdb-stream-trim",
        WeakHandle::new(db),
        None,
        |db, job, stopping| {
            if let Some((table_id, done)) = job {
                db.trim_stream(table_id, stopping);
                if done.send(()).is_err() {
                    // The writer is not waiting any more; nothing to tell.
                    tracing::trace!(table_id, "trim finished after its writer left");
                }
            }
        },
    );
}

impl DynamoDb {
    /// Has the trim thread trim the streams of `table_ids` and waits for
    /// it. REQUIRES: the caller holds no item lock and no table gate.
    pub(crate) fn trim_streams(&self, table_ids: &[u32]) {
        for &table_id in table_ids {
            let (done, finished) = channel();
            if !self.inner.trimmer.send((table_id, done)) {
                // The thread is stopped (the database is closing): the
                // table's next write asks again.
                continue;
            }
            if finished.recv().is_err() {
                // The thread stopped before it got to the job (the database
                // is closing): the table's next write asks again.
                tracing::debug!(table_id, "stream trim skipped: the trim thread stopped");
            }
        }
    }

    /// Trims live table `table_id`'s expired stream records, batch by batch
    /// until none is left or `stopping` is set. A failure is logged; the
    /// table's next write asks again.
    fn trim_stream(&self, table_id: u32, stopping: &AtomicBool) {
        let Some(table) = self.inner.tables.by_id(table_id) else {
            return;
        };
        let Ok(_gate) = table.write_gate() else {
            return;
        };
        let streams = &self.inner.streams;
        loop {
            match streams.trim_records(&self.inner.db, table_id) {
                Ok(true) if !stopping.load(Ordering::SeqCst) => continue,
                Ok(_) => return,
                Err(e) => {
                    FailureCounters::count(&self.inner.failures.stream_trims);
                    tracing::error!(
                        table = %table.meta().name,
                        error = %e,
                        "trimming expired stream records failed; retried at a later write"
                    );
                    return;
                }
            }
        }
    }
}
