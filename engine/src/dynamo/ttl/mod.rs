//! Time to Live: UpdateTimeToLive, DescribeTimeToLive, and the sweeper that
//! deletes expired items.
//!
//! A table's TTL setting is one optional attribute of its catalog record
//! (`TtlAttribute`, `format-spec/items.md`, "Catalog records"). A change
//! takes effect at once: siltdb reports `ENABLED` or `DISABLED`, never the
//! transitional `ENABLING`/`DISABLING`, and does not impose DynamoDB's
//! cool-down between changes ("Time to live has been modified multiple
//! times within a fixed interval") — a single-node store has nothing to
//! propagate.
//!
//! **Expiry** (Developer Guide, "How It Works: DynamoDB Time to Live"): an
//! item is expired when its TTL attribute is a top-level Number, read as
//! seconds since the Unix epoch, that is older than the current time but
//! less than five years older. Items without the attribute, with another
//! type, or with a value five years old or more are never deleted. Expired
//! items stay visible to every read until the sweeper deletes them, exactly
//! as in DynamoDB; applications filter them if they must.
//!
//! **The sweeper** is a background thread that every
//! [`crate::dynamo::DynamoOptions::ttl_sweep_interval`] scans each TTL-enabled table
//! and deletes its expired items through the normal write path: under the
//! table's write gate and the items' locks, re-reading each item and
//! re-checking it, staging the deletion (with its index entries, and its
//! stream record once streams exist) with [`Origin::Ttl`]. The thread has no
//! `DynamoDb` handle of its own, so it works on [`SweepCtx`], the state it
//! shares with the handle. [`DynamoDb::sweep_expired_now`] runs one sweep in
//! the caller's thread.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::dynamo::api::{
    DescribeTimeToLiveInput, DescribeTimeToLiveOutput, TimeToLiveDescription,
    TimeToLiveSpecification, TimeToLiveStatus, UpdateTimeToLiveInput, UpdateTimeToLiveOutput,
};
use crate::dynamo::clock::Clock;
use crate::dynamo::db::{decode_stored, expire_retired, DynamoDb, RetiredStreams, Table};
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::number::Number;
use crate::dynamo::items::value::{AttributeValue, Item};
use crate::dynamo::keys::layout::{range_prefix, TABLE_INDEX_ID};
use crate::dynamo::streams::StreamState;
use crate::dynamo::tables::catalog;
use crate::dynamo::tables::reclaim::Reclaimer;
use crate::dynamo::write::change::{stage_item_change, Origin};
use crate::dynamo::write::locks::{lock_id, ItemLocks};
use crate::{Db, WriteBatch};

/// Longest TTL attribute name (API model, `TimeToLiveAttributeName`).
pub const MAX_TTL_ATTRIBUTE_NAME: usize = 255;

/// How far in the past an expiry time may be and still count: five years
/// of 365 days. Older values are taken for mistakes and ignored (Developer
/// Guide, "How It Works: DynamoDB Time to Live").
pub const MAX_EXPIRY_AGE_SECS: i64 = 5 * 365 * 24 * 60 * 60;

/// Deletions per write batch of a sweep.
const SWEEP_BATCH: usize = 64;

/// Checks the attribute name against the model's length limits (1–255), in
/// the "N validation error(s) detected" form.
fn check_attribute_name(name: &str) -> Result<(), DynamoError> {
    let len = name.chars().count();
    let bound = if len < 1 {
        "greater than or equal to 1"
    } else if len > MAX_TTL_ATTRIBUTE_NAME {
        "less than or equal to 255"
    } else {
        return Ok(());
    };
    Err(DynamoError::validation(format!(
        "1 validation error detected: Value '{name}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length {bound}"
    )))
}

/// The current time as a Number of seconds (millisecond precision).
fn now_seconds(now_millis: i64) -> Number {
    Number::from_parts(now_millis < 0, u128::from(now_millis.unsigned_abs()), -3)
        .unwrap_or(Number::ZERO)
}

/// The window of expiry times that count as expired at `now_millis`:
/// strictly after the returned lower bound, strictly before the upper.
pub(crate) fn expiry_window(now_millis: i64) -> (Number, Number) {
    let now = now_seconds(now_millis);
    let oldest = now
        .checked_sub(&Number::from(MAX_EXPIRY_AGE_SECS))
        .unwrap_or(Number::ZERO);
    (oldest, now)
}

/// Whether `item` has expired: its `attribute` is a Number strictly inside
/// `window` (see [`expiry_window`]).
pub(crate) fn is_expired(item: &Item, attribute: &str, window: &(Number, Number)) -> bool {
    match item.get(attribute) {
        Some(AttributeValue::N(t)) => *t > window.0 && *t < window.1,
        _ => false,
    }
}

/// The state a sweep works on, shared between the [`DynamoDb`] handle and
/// the sweeper thread.
pub(crate) struct SweepCtx {
    pub db: Arc<Db>,
    pub tables: Arc<RwLock<BTreeMap<String, Arc<Table>>>>,
    pub locks: Arc<ItemLocks>,
    pub clock: Arc<dyn Clock>,
    /// Numbers the stream records of the deletions.
    pub streams: Arc<StreamState>,
    /// Deleted tables' streams, expired after every sweep.
    pub retired_streams: Arc<RetiredStreams>,
    /// Reclaims the records of expired streams.
    pub reclaimer: Arc<Reclaimer>,
    /// Set by [`Sweeper::stop`]; a sweep in progress ends after its batch.
    stopping: AtomicBool,
    /// One sweep at a time (the thread's or a caller's).
    running: Mutex<()>,
}

impl SweepCtx {
    /// A context over the handle's shared state.
    pub fn new(
        db: Arc<Db>,
        tables: Arc<RwLock<BTreeMap<String, Arc<Table>>>>,
        locks: Arc<ItemLocks>,
        clock: Arc<dyn Clock>,
        streams: Arc<StreamState>,
        retired_streams: Arc<RetiredStreams>,
        reclaimer: Arc<Reclaimer>,
    ) -> SweepCtx {
        SweepCtx {
            db,
            tables,
            locks,
            clock,
            streams,
            retired_streams,
            reclaimer,
            stopping: AtomicBool::new(false),
            running: Mutex::new(()),
        }
    }

    /// Deletes every expired item of every TTL-enabled table; returns how
    /// many were deleted.
    fn sweep(&self) -> Result<u64, DynamoError> {
        let _one = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let window = expiry_window(self.clock.now_millis());
        let tables: Vec<Arc<Table>> = self
            .tables
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter(|t| t.meta().ttl_attribute.is_some())
            .cloned()
            .collect();
        let mut deleted = 0;
        for table in tables {
            deleted += self.sweep_table(&table, &window)?;
        }
        // Streams of deleted tables past their 24 hours go too, whether or
        // not anyone calls the Streams API.
        expire_retired(
            &self.retired_streams,
            &self.reclaimer,
            self.clock.now_millis(),
        );
        Ok(deleted)
    }

    /// Sweeps one table: scans its items in key order, collecting expired
    /// keys in batches, and deletes each batch.
    fn sweep_table(&self, table: &Table, window: &(Number, Number)) -> Result<u64, DynamoError> {
        let meta = table.meta();
        let Some(attribute) = meta.ttl_attribute.clone() else {
            return Ok(0);
        };
        let prefix = range_prefix(meta.id, TABLE_INDEX_ID);
        let mut start = prefix.clone();
        let mut deleted = 0;
        loop {
            if self.stopping.load(Ordering::SeqCst) {
                return Ok(deleted);
            }
            let mut expired = Vec::new();
            let mut resume = None;
            {
                let mut it = self.db.iter()?;
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

    /// Deletes the items at `keys` that are still expired, in one batch.
    /// `None` when the table was deleted or its TTL attribute is no longer
    /// `attribute`.
    fn delete_expired(
        &self,
        table: &Table,
        attribute: &str,
        keys: Vec<Vec<u8>>,
        window: &(Number, Number),
    ) -> Result<Option<u64>, DynamoError> {
        let Ok(gate) = table.write_gate() else {
            return Ok(None);
        };
        if table.meta().ttl_attribute.as_deref() != Some(attribute) {
            return Ok(None);
        }
        // Item locks in lock-id order, as BatchWriteItem takes them, so two
        // multi-item writers never wait on each other in a cycle. Keys whose
        // ids collide share the one lock.
        let mut order: Vec<(u64, &[u8])> =
            keys.iter().map(|k| (lock_id(k), k.as_slice())).collect();
        order.sort_unstable();
        let mut guards = Vec::with_capacity(order.len());
        let mut last = None;
        for (id, key) in &order {
            if last != Some(*id) {
                guards.push(self.locks.lock(key));
                last = Some(*id);
            }
        }
        // The definition is read under the item locks, as every writer reads
        // it: an index a backfill has just filled for these items is one
        // this batch maintains (see `DynamoDb::stage_change`).
        let meta = table.meta();
        let mut batch = WriteBatch::new();
        let mut deleted = 0;
        for key in &keys {
            let Some(bytes) = self.db.get(key)? else {
                continue;
            };
            let Ok(old) = decode_stored(&bytes) else {
                continue;
            };
            if !is_expired(&old, attribute, window) {
                continue;
            }
            stage_item_change(
                &mut batch,
                &meta,
                key,
                Some(&old),
                None,
                Origin::Ttl,
                &self.streams,
            )?;
            deleted += 1;
        }
        if deleted > 0 {
            let written = self.db.write(batch);
            self.streams.settle();
            written?;
            table.touch();
        }
        drop(guards);
        drop(gate);
        Ok(Some(deleted))
    }
}

/// The background sweeper: a thread running [`SweepCtx::sweep`] every
/// interval until stopped.
pub(crate) struct Sweeper {
    ctx: Arc<SweepCtx>,
    /// `true` once stopping; the thread waits on the condvar between sweeps.
    wake: Arc<(Mutex<bool>, Condvar)>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Sweeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sweeper").finish_non_exhaustive()
    }
}

impl Sweeper {
    /// Starts the thread, sweeping every `interval` (at least 1 ms); `None`
    /// starts no thread (sweeps then run only through
    /// [`DynamoDb::sweep_expired_now`]).
    pub fn start(ctx: SweepCtx, interval: Option<Duration>) -> Sweeper {
        let ctx = Arc::new(ctx);
        let wake = Arc::new((Mutex::new(false), Condvar::new()));
        let thread = interval.and_then(|interval| {
            let interval = interval.max(Duration::from_millis(1));
            let ctx = Arc::clone(&ctx);
            let wake = Arc::clone(&wake);
            std::thread::Builder::new()
                .name("siltdb-ttl".into())
                .spawn(move || loop {
                    let (stopped, cv) = &*wake;
                    let guard = stopped.lock().unwrap_or_else(|p| p.into_inner());
                    let (guard, _) = cv
                        .wait_timeout_while(guard, interval, |stopped| !*stopped)
                        .unwrap_or_else(|p| p.into_inner());
                    if *guard {
                        return;
                    }
                    drop(guard);
                    // A failed sweep (a closed or failing engine) is retried
                    // at the next interval.
                    let _ = ctx.sweep();
                })
                .ok()
        });
        Sweeper {
            ctx,
            wake,
            thread: Mutex::new(thread),
        }
    }

    /// Runs one sweep now, in the caller's thread.
    pub fn sweep_now(&self) -> Result<u64, DynamoError> {
        self.ctx.sweep()
    }

    /// Stops the thread after the batch in progress and waits for it.
    pub fn stop(&self) {
        self.ctx.stopping.store(true, Ordering::SeqCst);
        let (stopped, cv) = &*self.wake;
        *stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cv.notify_all();
        if let Some(t) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = t.join();
        }
    }
}

impl DynamoDb {
    /// `UpdateTimeToLive`: enables TTL on an attribute, or disables it.
    ///
    /// Rules and messages as DynamoDB (dynalite's recorded tests; the ACK
    /// lab's ValidationException catalogue, 2026): enabling while enabled
    /// on the same attribute is "TimeToLive is already enabled", on another
    /// attribute "TimeToLive is active on a different AttributeName: current
    /// AttributeName is `<name>`" (disable first); disabling while disabled is
    /// "TimeToLive is already disabled". The response echoes the request's
    /// specification.
    pub fn update_time_to_live(
        &self,
        input: UpdateTimeToLiveInput,
    ) -> Result<UpdateTimeToLiveOutput, DynamoError> {
        let spec = input.time_to_live_specification;
        check_attribute_name(&spec.attribute_name)?;
        let _control = self.control_lock();
        let table = self.control_table(&input.table_name)?;
        let mut meta = (*table.meta()).clone();
        match (&meta.ttl_attribute, spec.enabled) {
            (Some(current), _) if *current != spec.attribute_name => {
                return Err(DynamoError::validation(format!(
                    "TimeToLive is active on a different AttributeName: current AttributeName is {current}"
                )));
            }
            (Some(_), true) => {
                return Err(DynamoError::validation("TimeToLive is already enabled"));
            }
            (None, false) => {
                return Err(DynamoError::validation("TimeToLive is already disabled"));
            }
            (Some(_), false) => meta.ttl_attribute = None,
            (None, true) => meta.ttl_attribute = Some(spec.attribute_name.clone()),
        }
        let mut batch = WriteBatch::new();
        catalog::update(&mut batch, &meta);
        self.commit(batch)?;
        table.set_meta(meta);
        Ok(UpdateTimeToLiveOutput {
            time_to_live_specification: TimeToLiveSpecification {
                enabled: spec.enabled,
                attribute_name: spec.attribute_name,
            },
        })
    }

    /// `DescribeTimeToLive`.
    pub fn describe_time_to_live(
        &self,
        input: DescribeTimeToLiveInput,
    ) -> Result<DescribeTimeToLiveOutput, DynamoError> {
        let table = self.control_table(&input.table_name)?;
        let meta = table.meta();
        Ok(DescribeTimeToLiveOutput {
            time_to_live_description: TimeToLiveDescription {
                time_to_live_status: match meta.ttl_attribute {
                    Some(_) => TimeToLiveStatus::Enabled,
                    None => TimeToLiveStatus::Disabled,
                },
                attribute_name: meta.ttl_attribute.clone(),
            },
        })
    }

    /// Deletes every expired item of every TTL-enabled table now, in the
    /// caller's thread, and returns how many it deleted. The background
    /// sweeper does the same every
    /// [`ttl_sweep_interval`](crate::dynamo::DynamoOptions::ttl_sweep_interval);
    /// this is for tests and for applications that turned it off.
    pub fn sweep_expired_now(&self) -> Result<u64, DynamoError> {
        self.sweeper.sweep_now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(v: AttributeValue) -> Item {
        [("exp".to_string(), v)].into()
    }

    fn n(s: &str) -> AttributeValue {
        AttributeValue::N(Number::parse(s).expect("number"))
    }

    #[test]
    fn expiry_follows_the_developer_guide() {
        // 2023-11-14T22:13:20.500Z
        let window = expiry_window(1_700_000_000_500);
        let expired = |v: AttributeValue| is_expired(&item(v), "exp", &window);
        assert!(expired(n("1700000000")));
        assert!(expired(n("1700000000.499")));
        assert!(!expired(n("1700000000.5")), "not before now");
        assert!(!expired(n("1700000001")));
        assert!(expired(n("1600000000")));
        let five_years = 1_700_000_000 - MAX_EXPIRY_AGE_SECS;
        assert!(
            !expired(n(&format!("{five_years}.5"))),
            "exactly five years"
        );
        assert!(expired(n(&format!("{five_years}.501"))));
        assert!(!expired(n("0")));
        assert!(!expired(n("-5")));
        assert!(expired(n("1.7E+9")));
        assert!(!expired(AttributeValue::S("1600000000".into())));
        assert!(!expired(AttributeValue::Ns(
            [Number::from(1_600_000_000_i64)].into()
        )));
        assert!(!is_expired(&item(n("1600000000")), "other", &window));
        let nested = item(AttributeValue::M(BTreeMap::from([(
            "exp".to_string(),
            n("1600000000"),
        )])));
        assert!(!is_expired(&nested, "x", &window));
    }

    #[test]
    fn attribute_names_are_1_to_255_characters() {
        assert!(check_attribute_name("a").is_ok());
        assert!(check_attribute_name(&"é".repeat(255)).is_ok());
        assert_eq!(
            check_attribute_name("").expect_err("empty").message(),
            "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        assert!(check_attribute_name(&"a".repeat(256))
            .expect_err("long")
            .message()
            .ends_with("Member must have length less than or equal to 255"));
    }
}
