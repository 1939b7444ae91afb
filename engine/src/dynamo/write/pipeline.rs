//! The one write pipeline every item write goes through — PutItem,
//! UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems and the TTL
//! sweeper (and PartiQL's statements next): each supplies an [`ItemWrite`]
//! saying what differs, the pipeline does the rest in one order:
//!
//! 1. **gate**: the write gates of the targets' tables, in table-id order
//!    (a table being deleted refuses the write; DeleteTable waits for the
//!    writes in flight);
//! 2. **item locks**: every target's lock — one at a time in lock-id order
//!    for plain writes, all at once for a transaction (which fails at the
//!    first item another transaction holds, see `locks.rs`);
//! 3. **read old**: each target's current item, and the table's definition
//!    as it is now, under the lock (see [`DynamoDb::stage_change`]); the
//!    item is not read when neither the write ([`ItemWrite::reads_old`])
//!    nor the table ([`table_reads_old`]) needs it — a plain PutItem on a
//!    table without indexes or a stream writes without a read;
//! 4. **check**: [`ItemWrite::decide`] — condition, update, validation —
//!    for each target, then [`ItemWrite::decided`] once (a transaction
//!    cancels here with every reason);
//! 5. **collection check**: under the touched collections' locks, item
//!    collections (tables with local secondary indexes) the writes grow past
//!    the limit fail the write;
//! 6. **stage**: each change's item, index entries and stream record, and
//!    the touched collections' new sizes, go into one engine batch;
//! 7. **commit** the batch (one WAL record, one sync): queued with the
//!    engine, which — once it is durable and visible — **touches** the
//!    tables written and releases stream numbers, locks and gates itself
//!    (`committing.rs`), so the caller may await the commit on a runtime
//!    thread or block on it (a blocking operation, started under
//!    `committing::wait_here`, leads its commit on its own thread);
//! 8. **trim**: a table whose stream is due for a trim (at most every 10
//!    seconds) is trimmed by the trim thread once the commit is awaited,
//!    after the locks are released (`streams/trim.rs`).
//!
//! So a conditional write or a read-modify-write update is atomic per item,
//! a multi-item write is all-or-nothing even across a crash, and an index,
//! a stream or a collection size never disagrees with its table.

use std::borrow::Cow;
use std::sync::Arc;

use crate::dynamo::api::ItemCollectionMetrics;
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::DynamoError;
use crate::dynamo::indexes::collections::{
    stage_sizes, CollectionResult, Collections, COLLECTION_SIZE_EXCEEDED,
};
use crate::dynamo::items::value::Item;
use crate::dynamo::streams::sequence::Reservation;
use crate::dynamo::streams::settings::enabled_stream;
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::tables::table::{table_gates, Table};
use crate::dynamo::write::change::Origin;
use crate::dynamo::write::committing::{Held, Pending};
use crate::dynamo::write::idempotency::TokenClaim;
use crate::dynamo::write::locks::ItemGuard;
use crate::WriteBatch;

/// One item a write touches: its table and engine key.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The table.
    pub table: Arc<Table>,
    /// The item's engine key.
    pub key: Vec<u8>,
}

/// How a write takes its item locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locking {
    /// Waits for each item in turn (single writes, batches, the sweeper).
    Plain,
    /// Takes every item at once or fails at the first one another
    /// transaction holds (TransactWriteItems).
    Transaction,
}

/// What a write does to one item, decided from its current state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision<'a> {
    /// Leave the item as it is (a condition check, a delete of an absent
    /// item, a target the write gave up on).
    Keep,
    /// Put this item (borrowed from the request when it is the request's).
    Put(Cow<'a, Item>),
    /// Delete the item (REQUIRES: it exists).
    Delete,
}

/// What differs between the item writes; the pipeline (module docs) does
/// the rest.
pub(crate) trait ItemWrite<'a> {
    /// How the items are locked.
    fn locking(&self) -> Locking {
        Locking::Plain
    }

    /// Who makes the change (stream records name the TTL service).
    fn origin(&self) -> Origin {
        Origin::User
    }

    /// Whether a target whose stored item does not decode is left alone
    /// (the sweeper: such an item is for `check` to report) rather than
    /// failing the write.
    fn skips_unreadable(&self) -> bool {
        false
    }

    /// The error when another transaction holds the target at `position`
    /// ([`Locking::Transaction`] only).
    fn conflict(&mut self, position: usize) -> DynamoError {
        DynamoError::TransactionConflictException(format!(
            "Transaction is ongoing for item {position}"
        ))
    }

    /// Whether target `i`'s current item must be read for this write: for
    /// its condition, its update, a delete (which writes nothing when the
    /// item is absent), `ReturnValues` or `ConsumedCapacity` (which counts
    /// the larger of the old and new items). When neither this nor
    /// [`table_reads_old`] asks for it, [`ItemWrite::decide`] is given
    /// `None` for an item that may exist.
    fn reads_old(&self, _i: usize) -> bool {
        true
    }

    /// Decides what happens to target `i`, whose item is `old` now and
    /// whose table is defined by `meta` — under the target's lock. An error
    /// fails the whole write before anything is staged.
    fn decide(
        &mut self,
        i: usize,
        meta: &Arc<TableMeta>,
        old: Option<&Item>,
    ) -> Result<Decision<'a>, DynamoError>;

    /// The item (or key) naming the item collection of target `i` when it
    /// was decided [`Decision::Keep`] and its collection's metrics are
    /// still wanted (a single write that changes nothing); `None` leaves
    /// such a target out of the collection report.
    fn kept_collection_key(&self, _i: usize) -> Option<&Item> {
        None
    }

    /// Called once every target is decided, before anything is staged: an
    /// error fails the write (a transaction reports every reason here).
    fn decided(&mut self) -> Result<(), DynamoError> {
        Ok(())
    }

    /// The error when the writes of the targets at `positions` grow their
    /// item collections past the limit.
    fn collection_too_large(&mut self, _positions: &[usize]) -> DynamoError {
        DynamoError::ItemCollectionSizeLimitExceededException(COLLECTION_SIZE_EXCEEDED.to_string())
    }

    /// Whether the caller wants `ItemCollectionMetrics`.
    fn wants_collection_metrics(&self) -> bool {
        false
    }

    /// A `ClientRequestToken` claim to complete once the write commits
    /// (TransactWriteItems); taken once everything is decided.
    fn take_claim(&mut self) -> Option<TokenClaim> {
        None
    }
}

/// Whether every write to `meta`'s table must read the item it replaces,
/// whatever the write needs: to delete the old item's index entries, to
/// name a stream record's event (INSERT or MODIFY, none for an unchanged
/// item) and carry its old image, and to size item collections (tables
/// with local secondary indexes, which are indexes too).
pub(crate) fn table_reads_old(meta: &TableMeta) -> bool {
    !meta.indexes.is_empty() || enabled_stream(meta).is_some()
}

/// What a committed write did.
#[derive(Debug)]
pub(crate) struct Written<'a> {
    /// Per target, its item before the write (`None` also when the item
    /// was not read: see [`ItemWrite::reads_old`]).
    pub old: Vec<Option<Item>>,
    /// Per target, what was decided.
    pub decisions: Vec<Decision<'a>>,
    /// The item collections the write touched (tables with local secondary
    /// indexes), sized after the write.
    pub collections: Vec<CollectionResult>,
    /// Per target, its collection's position in `collections`.
    pub collection_of: Vec<Option<usize>>,
    /// Whether the write asked for `ItemCollectionMetrics`.
    pub metrics_wanted: bool,
}

impl Written<'_> {
    /// The metrics of the collection of target `i`, for a single-item write
    /// that asked for them.
    pub fn metrics_of(&self, i: usize) -> Option<ItemCollectionMetrics> {
        if !self.metrics_wanted {
            return None;
        }
        let group = self.collection_of.get(i).copied().flatten()?;
        self.collections.get(group).map(|c| c.metrics.clone())
    }
}

/// The engine writes of one item write, staged to commit together, and
/// the stream sequence numbers its records took (held until the batch is
/// committed or dropped: see `streams/sequence.rs`).
#[derive(Debug, Default)]
pub(crate) struct Staged {
    /// The batch.
    pub batch: WriteBatch,
    /// The sequence numbers of the stream records in `batch`.
    pub reservations: Vec<Reservation>,
    /// Tables whose streams are due for a trim once this commits.
    pub trim_due: Vec<u32>,
}

impl Staged {
    /// Whether nothing was staged.
    pub fn is_empty(&self) -> bool {
        self.batch.is_empty()
    }
}

impl DynamoDb {
    /// Runs `write` on `targets` through the pipeline (module docs) and
    /// blocks until it is committed.
    pub(crate) fn write_items<'a>(
        &self,
        targets: &[Target],
        write: &mut dyn ItemWrite<'a>,
    ) -> Result<Written<'a>, DynamoError> {
        let (written, pending) = self.start_write_items(targets, write)?;
        pending.wait(self)?;
        Ok(written)
    }

    /// Runs `write` on `targets` through the pipeline (module docs) up to
    /// its commit, which it queues: the write is committed once the
    /// returned [`Pending`] is.
    pub(crate) fn start_write_items<'a>(
        &self,
        targets: &[Target],
        write: &mut dyn ItemWrite<'a>,
    ) -> Result<(Written<'a>, Pending), DynamoError> {
        let gates = table_gates(targets.iter().map(|t| &t.table))?;
        let keys: Vec<&[u8]> = targets.iter().map(|t| t.key.as_slice()).collect();
        let guards: Vec<ItemGuard> = match write.locking() {
            Locking::Plain => self.inner.locks.lock_all(&keys),
            Locking::Transaction => vec![self
                .inner
                .locks
                .lock_transaction(&keys)
                .map_err(|pos| write.conflict(pos))?],
        };

        let mut metas = Vec::with_capacity(targets.len());
        let mut olds = Vec::with_capacity(targets.len());
        let mut decisions = Vec::with_capacity(targets.len());
        for (i, t) in targets.iter().enumerate() {
            // The definition as it is now, under the item's lock: an index
            // being backfilled must see this write, a deleted one must not.
            let meta = t.table.meta();
            let stored = if write.reads_old(i) || table_reads_old(&meta) {
                self.inner.db.get_pinned(&t.key)?
            } else {
                None
            };
            let old = match stored {
                None => None,
                Some(bytes) => match decode_stored(&bytes) {
                    Ok(item) => Some(item),
                    Err(e) if write.skips_unreadable() => {
                        tracing::warn!(table = %meta.name, error = %e, "item left alone: it does not decode");
                        metas.push(meta);
                        olds.push(None);
                        decisions.push(Decision::Keep);
                        continue;
                    }
                    Err(e) => return Err(e),
                },
            };
            let decision = write.decide(i, &meta, old.as_ref())?;
            metas.push(meta);
            olds.push(old);
            decisions.push(decision);
        }
        write.decided()?;

        let mut collections = Collections::default();
        let mut collection_of = Vec::with_capacity(targets.len());
        for (i, ((meta, old), decision)) in metas.iter().zip(&olds).zip(&decisions).enumerate() {
            collection_of.push(match decision {
                Decision::Keep => match write.kept_collection_key(i) {
                    Some(key) => collections.add(meta, key, old.as_ref(), old.as_ref())?,
                    None => None,
                },
                Decision::Put(new) => collections.add(meta, new, old.as_ref(), Some(new))?,
                Decision::Delete => match old {
                    Some(old) => collections.add(meta, old, Some(old), None)?,
                    None => None,
                },
            });
        }
        // Collection locks after item locks (and in key order), held until
        // the commit, so writes to one partition read and rewrite its size
        // record one after the other.
        let want_metrics = write.wants_collection_metrics();
        let collection_guards = self
            .inner
            .collection_locks
            .lock_all(&collections.lock_keys(want_metrics));
        let results = if collections.is_empty() {
            Vec::new()
        } else {
            collections.evaluate(self, want_metrics)?
        };
        let too_large: Vec<usize> = collection_of
            .iter()
            .enumerate()
            .filter(|(_, g)| g.and_then(|g| results.get(g)).is_some_and(|r| r.exceeded))
            .map(|(i, _)| i)
            .collect();
        if !too_large.is_empty() {
            return Err(write.collection_too_large(&too_large));
        }

        let mut staged = Staged::default();
        let origin = write.origin();
        for (((t, meta), old), decision) in targets.iter().zip(&metas).zip(&olds).zip(&decisions) {
            let new = match decision {
                Decision::Keep => continue,
                Decision::Put(new) => Some(new.as_ref()),
                Decision::Delete => None,
            };
            self.stage_change(&mut staged, meta, &t.key, old.as_ref(), new, origin)?;
        }
        stage_sizes(&mut staged.batch, &results);
        let mut held = Held {
            reservations: Vec::new(),
            touched: Vec::new(),
            claim: write
                .take_claim()
                .map(|c| (c, Arc::clone(&self.inner.opts.clock))),
            collection_guards,
            guards,
            gates,
        };
        let pending = if staged.is_empty() {
            held.release(true);
            Pending::default()
        } else {
            held.touched = targets
                .iter()
                .zip(&decisions)
                .filter(|(_, d)| **d != Decision::Keep)
                .map(|(t, _)| Arc::clone(&t.table))
                .collect();
            self.commit(staged, held)
        };
        Ok((
            Written {
                old: olds,
                decisions,
                collections: results,
                collection_of,
                metrics_wanted: want_metrics,
            },
            pending,
        ))
    }
}
