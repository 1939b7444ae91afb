//! The TTL sweeper: a background thread that every
//! [`crate::dynamo::DynamoOptions::ttl_sweep_interval`] scans each
//! TTL-enabled table and deletes its expired items through the normal write
//! path — under the table's write gate and the items' locks, re-reading each
//! item and re-checking it, staging the deletion (with its index entries and
//! stream record) with [`Origin::Ttl`]. The thread works on a handle of the
//! database like any request; [`DynamoDb::sweep_expired_now`] runs the same
//! sweep in the caller's thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::DynamoError;
use crate::dynamo::failures::FailureCounters;
use crate::dynamo::items::number::Number;
use crate::dynamo::items::value::Item;
use crate::dynamo::keys::layout::{range_prefix, TABLE_INDEX_ID};
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::tables::table::Table;
use crate::dynamo::ttl::{expiry_window, is_expired};
use crate::dynamo::worker::{WeakHandle, Worker};
use crate::dynamo::write::change::Origin;
use crate::dynamo::write::pipeline::{Decision, ItemWrite, Target};

/// Deletions per write batch of a sweep.
const SWEEP_BATCH: usize = 64;

/// The sweeper thread and the lock that runs one sweep at a time (the
/// thread's or a caller's).
#[derive(Debug)]
pub(crate) struct Sweeper {
    worker: Worker<()>,
    running: Mutex<()>,
}

impl Sweeper {
    /// A sweeper with no thread yet.
    pub fn new() -> Sweeper {
        Sweeper {
            worker: Worker::new(),
            running: Mutex::new(()),
        }
    }

    /// Stops the thread after the batch in progress and waits for it.
    pub fn stop(&self) {
        self.worker.stop();
    }
}

/// Starts `db`'s sweeper thread, sweeping every
/// [`crate::dynamo::DynamoOptions::ttl_sweep_interval`] (none: no thread).
pub(crate) fn start(db: &DynamoDb) {
    let Some(interval) = db.inner.opts.ttl_sweep_interval else {
        return;
    };
    db.inner.sweeper.worker.start(
        "siltdb-ttl",
        WeakHandle::new(db),
        Some(interval),
        |db, _, stopping| {
            // A failed sweep (a closed or failing engine) is retried at the
            // next interval.
            if let Err(e) = db.sweep(stopping) {
                FailureCounters::count(&db.inner.failures.ttl_sweeps);
                tracing::error!(error = %e, "TTL sweep failed; retried at the next interval");
            }
        },
    );
}

impl DynamoDb {
    /// Deletes every expired item of every TTL-enabled table; returns how
    /// many were deleted.
    pub(crate) fn sweep_expired(&self) -> Result<u64, DynamoError> {
        self.sweep(&AtomicBool::new(false))
    }

    /// One sweep, ending early (after a batch) once `stopping` is set or the
    /// sweeper is stopped.
    fn sweep(&self, stopping: &AtomicBool) -> Result<u64, DynamoError> {
        let sweeper = &self.inner.sweeper;
        let _one = sweeper.running.lock().unwrap_or_else(|p| p.into_inner());
        let window = expiry_window(self.inner.opts.clock.now_millis());
        let tables: Vec<Arc<Table>> = self
            .inner
            .tables
            .all()
            .into_iter()
            .filter(|t| t.meta().ttl_attribute.is_some())
            .collect();
        let stop = || stopping.load(Ordering::SeqCst) || sweeper.worker.stopping();
        let mut deleted = 0;
        for table in tables {
            deleted += self.sweep_table(&table, &window, &stop)?;
        }
        // Streams of deleted tables past their 24 hours go too, whether or
        // not anyone calls the Streams API.
        self.expire_retired_streams();
        Ok(deleted)
    }

    /// Sweeps one table: scans its items in key order, collecting expired
    /// keys in batches, and deletes each batch.
    fn sweep_table(
        &self,
        table: &Arc<Table>,
        window: &(Number, Number),
        stop: &dyn Fn() -> bool,
    ) -> Result<u64, DynamoError> {
        let meta = table.meta();
        let Some(attribute) = meta.ttl_attribute.clone() else {
            return Ok(0);
        };
        let prefix = range_prefix(meta.id, TABLE_INDEX_ID);
        let mut start = prefix.clone();
        let mut deleted = 0;
        loop {
            if stop() {
                return Ok(deleted);
            }
            let mut expired = Vec::new();
            let mut resume = None;
            {
                let mut it = self.inner.db.iter()?;
                it.seek(&start)?;
                while it.valid() && it.key().starts_with(&prefix) {
                    if expired.len() == SWEEP_BATCH {
                        resume = Some(it.key().to_vec());
                        break;
                    }
                    // An item that does not decode is left for `check` to
                    // report; it must not stop expiry of the others.
                    if let Ok(item) = decode_stored(it.value()) {
                        if is_expired(&item, &attribute, window) {
                            expired.push(it.key().to_vec());
                        }
                    }
                    it.next()?;
                }
            }
            if !expired.is_empty() {
                match self.delete_expired(table, &attribute, expired, window)? {
                    Some(n) => deleted += n,
                    // The table went away or its TTL setting changed.
                    None => return Ok(deleted),
                }
            }
            match resume {
                Some(key) => start = key,
                None => return Ok(deleted),
            }
        }
    }

    /// Deletes the items at `keys` that are still expired, in one batch,
    /// through the write pipeline. `None` when the table was deleted or its
    /// TTL attribute is no longer `attribute`.
    fn delete_expired(
        &self,
        table: &Arc<Table>,
        attribute: &str,
        keys: Vec<Vec<u8>>,
        window: &(Number, Number),
    ) -> Result<Option<u64>, DynamoError> {
        let targets: Vec<Target> = keys
            .into_iter()
            .map(|key| Target {
                table: Arc::clone(table),
                key,
            })
            .collect();
        let mut write = Expire {
            attribute,
            window,
            setting_changed: false,
        };
        let written = match self.write_items(&targets, &mut write) {
            Ok(written) => written,
            // The gate refuses a deleted table.
            Err(DynamoError::ResourceNotFoundException(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        if write.setting_changed {
            return Ok(None);
        }
        let deleted = written
            .decisions
            .iter()
            .filter(|d| **d == Decision::Delete)
            .count();
        Ok(Some(deleted as u64))
    }
}

/// The deletion of expired items as the write pipeline runs it: each item
/// is re-read under its lock and deleted only if it is still expired.
struct Expire<'a> {
    attribute: &'a str,
    window: &'a (Number, Number),
    /// The table's TTL attribute is no longer `attribute`: nothing is
    /// deleted.
    setting_changed: bool,
}

impl<'a> ItemWrite<'a> for Expire<'_> {
    fn origin(&self) -> Origin {
        Origin::Ttl
    }

    fn skips_unreadable(&self) -> bool {
        true
    }

    fn decide(
        &mut self,
        _: usize,
        meta: &Arc<TableMeta>,
        old: Option<&Item>,
    ) -> Result<Decision<'a>, DynamoError> {
        if meta.ttl_attribute.as_deref() != Some(self.attribute) {
            self.setting_changed = true;
        }
        Ok(match old {
            Some(old) if !self.setting_changed && is_expired(old, self.attribute, self.window) => {
                Decision::Delete
            }
            _ => Decision::Keep,
        })
    }
}
