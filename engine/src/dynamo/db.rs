//! [`DynamoDb`]: the handle applications use — DynamoDB's API on one
//! embedded database.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use crate::dynamo::api::IndexStatus;
use crate::dynamo::clock::{Clock, SystemClock};
use crate::dynamo::error::DynamoError;
use crate::dynamo::failures::{BackgroundFailures, FailureCounters};
use crate::dynamo::indexes::backfill::Backfiller;
use crate::dynamo::items::codec::decode_item;
use crate::dynamo::items::value::Item;
use crate::dynamo::pitr::timeline::Timeline;
use crate::dynamo::pitr::PitrRefresher;
use crate::dynamo::streams::retired::RetiredStreams;
use crate::dynamo::streams::sequence::StreamState;
use crate::dynamo::streams::trim::{self, Trimmer};
use crate::dynamo::tables::catalog;
use crate::dynamo::tables::reclaim::{self, Reclaimer};
use crate::dynamo::tables::table::{table_name_of, Table, Tables};
use crate::dynamo::ttl::sweeper::{self, Sweeper};
use crate::dynamo::write::committing::{self, Held, Pending};
use crate::dynamo::write::idempotency::TokenCache;
use crate::dynamo::write::locks::ItemLocks;
use crate::dynamo::write::pipeline::Staged;
use crate::fs::MemFs;
use crate::{Db, Options, WriteBatch};

/// Settings of the DynamoDB layer.
#[derive(Clone)]
pub struct DynamoOptions {
    /// Region shown in ARNs (DynamoDB Local's is `ddblocal`).
    pub region: String,
    /// Account id shown in ARNs.
    pub account_id: String,
    /// Wall clock (creation times, TTL). Tests inject a manual one.
    pub clock: Arc<dyn Clock>,
    /// How often the background TTL sweeper deletes expired items
    /// (default 60 s; at least 1 ms). Each sweep reads every item of every
    /// TTL-enabled table, so a shorter interval trades CPU and I/O for
    /// promptness — DynamoDB itself only promises deletion within days.
    /// `None` starts no sweeper: expired items then go only when
    /// [`DynamoDb::sweep_expired_now`] is called.
    pub ttl_sweep_interval: Option<Duration>,
    /// Largest item collection (the items sharing a partition key plus their
    /// local secondary index entries, in tables with local secondary
    /// indexes), in bytes: a write that would grow a collection past it fails
    /// with `ItemCollectionSizeLimitExceededException`. DynamoDB's limit is
    /// 10 GB, the default here ([`DEFAULT_ITEM_COLLECTION_SIZE_LIMIT`]).
    pub item_collection_size_limit: u64,
    /// Items a global secondary index backfill adds per write batch (at
    /// least 1). Each batch holds the locks of its items while it commits;
    /// smaller batches hold them for less time, larger ones sync less often.
    pub backfill_batch_items: usize,
}

/// The default [`DynamoOptions::ttl_sweep_interval`].
pub const DEFAULT_TTL_SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// DynamoDB's item collection size limit: 10 GB (Developer Guide, "Item
/// collection size limit"), taken as 10 GiB.
pub const DEFAULT_ITEM_COLLECTION_SIZE_LIMIT: u64 = 10 * 1024 * 1024 * 1024;

/// Default [`DynamoOptions::backfill_batch_items`].
pub const DEFAULT_BACKFILL_BATCH_ITEMS: usize = 256;

impl Default for DynamoOptions {
    fn default() -> Self {
        DynamoOptions {
            region: "ddblocal".to_string(),
            account_id: "000000000000".to_string(),
            clock: Arc::new(SystemClock),
            ttl_sweep_interval: Some(DEFAULT_TTL_SWEEP_INTERVAL),
            item_collection_size_limit: DEFAULT_ITEM_COLLECTION_SIZE_LIMIT,
            backfill_batch_items: DEFAULT_BACKFILL_BATCH_ITEMS,
        }
    }
}

impl std::fmt::Debug for DynamoOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoOptions")
            .field("region", &self.region)
            .field("account_id", &self.account_id)
            .field("ttl_sweep_interval", &self.ttl_sweep_interval)
            .field(
                "item_collection_size_limit",
                &self.item_collection_size_limit,
            )
            .field("backfill_batch_items", &self.backfill_batch_items)
            .finish_non_exhaustive()
    }
}

/// DynamoDB's API on an embedded database.
///
/// All methods take `&self`; share one handle between threads (it is
/// `Send + Sync`). Every successful write is durable when it returns unless
/// the underlying [`Options::sync`] was turned off.
///
/// ```
/// use siltdb::dynamo::DynamoDb;
/// use siltdb::dynamo::api::*;
/// use siltdb::dynamo::ScalarAttributeType;
/// use siltdb::AttributeValue;
///
/// let db = DynamoDb::open_in_memory().unwrap();
/// db.create_table(CreateTableInput {
///     table_name: "Music".into(),
///     attribute_definitions: vec![AttributeDefinition {
///         attribute_name: "Artist".into(),
///         attribute_type: ScalarAttributeType::S,
///     }],
///     key_schema: vec![KeySchemaElement { attribute_name: "Artist".into(), key_type: KeyType::Hash }],
///     billing_mode: Some(BillingMode::PayPerRequest),
///     ..Default::default()
/// }).unwrap();
/// let item: siltdb::Item = [("Artist".to_string(), AttributeValue::S("Arvo Pärt".into()))].into();
/// db.put_item(PutItemInput { table_name: "Music".into(), item: item.clone(), ..Default::default() }).unwrap();
/// let got = db.get_item(GetItemInput { table_name: "Music".into(), key: item.clone(), ..Default::default() }).unwrap();
/// assert_eq!(got.item, Some(item));
/// ```
pub struct DynamoDb {
    pub(crate) inner: Arc<Inner>,
    /// Whether this is the handle the application opened (not one a
    /// background thread upgraded to for a piece of work): dropping it stops
    /// the background threads and, once they are gone, closes the engine —
    /// before the drop returns, so the directory can be opened again at once.
    owner: bool,
    /// The region this handle's ARNs and stream records name, when not the
    /// database's ([`DynamoDb::in_region`]).
    region: Option<Arc<str>>,
}

/// The state every handle of one database shares: the one [`DynamoDb`] an
/// application opened and the short-lived handles background threads
/// upgrade to for each piece of work (`worker.rs`).
pub(crate) struct Inner {
    pub(crate) db: Db,
    pub(crate) opts: DynamoOptions,
    /// The live tables.
    pub(crate) tables: Tables,
    /// Serialises control-plane changes (CreateTable, UpdateTable,
    /// DeleteTable, tags, TTL settings, an index backfill finishing).
    control: Mutex<()>,
    /// The next table id to hand out (the catalog's id counter as last
    /// written). Changed only under `control`.
    next_table_id: AtomicU32,
    /// The item locks every write takes.
    pub(crate) locks: Arc<ItemLocks>,
    /// One lock per item collection (on its size record's key), taken after
    /// the item locks by writes to tables with local secondary indexes.
    pub(crate) collection_locks: Arc<ItemLocks>,
    /// Stream sequence numbers and trimming.
    pub(crate) streams: Arc<StreamState>,
    /// Deleted tables whose streams are still readable.
    pub(crate) retired_streams: RetiredStreams,
    /// TransactWriteItems `ClientRequestToken`s seen in the last 10 minutes.
    pub(crate) tokens: Arc<TokenCache>,
    /// Empties the key ranges of deleted tables and indexes.
    pub(crate) reclaimer: Reclaimer,
    /// Deletes expired items.
    pub(crate) sweeper: Sweeper,
    /// Global secondary index backfills in progress.
    pub(crate) backfiller: Backfiller,
    /// Deletes expired stream records.
    pub(crate) trimmer: Trimmer,
    /// How often each kind of background work failed.
    pub(crate) failures: FailureCounters,
    /// Clock samples for point-in-time recovery.
    pub(crate) timeline: Timeline,
    /// Refreshes the engine's history ranges.
    pub(crate) pitr_refresher: PitrRefresher,
}

impl Inner {
    /// Stops every background thread (each after its piece of work in
    /// progress) and waits for them, except the calling thread.
    fn stop_workers(&self) {
        self.sweeper.stop();
        self.backfiller.stop();
        self.trimmer.stop();
        self.reclaimer.stop();
        self.pitr_refresher.stop();
    }
}

impl Drop for DynamoDb {
    fn drop(&mut self) {
        if self.owner {
            self.inner.stop_workers();
        }
    }
}

impl std::fmt::Debug for DynamoDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoDb")
            .field("opts", &self.inner.opts)
            .finish_non_exhaustive()
    }
}

impl DynamoDb {
    /// Opens (or creates) a database in `dir`.
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<DynamoDb, DynamoError> {
        let db = Db::open(dir, options)?;
        DynamoDb::with_db(db, DynamoOptions::default())
    }

    /// A database held in memory only; everything is lost when it is dropped.
    pub fn open_in_memory() -> Result<DynamoDb, DynamoError> {
        let options = Options {
            fs: Arc::new(MemFs::new()),
            ..Options::default()
        };
        DynamoDb::open("/siltdb", options)
    }

    /// The DynamoDB layer on an already open engine.
    pub fn with_db(db: Db, opts: DynamoOptions) -> Result<DynamoDb, DynamoError> {
        let loaded = catalog::load(&db)?;
        let streams = StreamState::open(
            &db,
            &opts.clock,
            loaded.tables.values().chain(&loaded.retired_streams),
        )?;
        let dynamo = DynamoDb {
            owner: true,
            region: None,
            inner: Arc::new(Inner {
                db,
                tables: Tables::new(loaded.tables.into_values()),
                control: Mutex::new(()),
                next_table_id: AtomicU32::new(loaded.next_id),
                locks: Arc::default(),
                collection_locks: Arc::default(),
                streams: Arc::new(streams),
                retired_streams: RetiredStreams::default(),
                tokens: Arc::default(),
                reclaimer: Reclaimer::new(),
                sweeper: Sweeper::new(),
                backfiller: Backfiller::default(),
                trimmer: Trimmer::new(),
                failures: FailureCounters::default(),
                timeline: Timeline::default(),
                pitr_refresher: PitrRefresher::new(),
                opts,
            }),
        };
        reclaim::start(&dynamo);
        trim::start(&dynamo);
        for id in loaded.retired {
            let keeps_streams = loaded.retired_streams.iter().any(|m| m.id == id);
            dynamo.reclaim_table(id, keeps_streams);
        }
        // Streams of deleted tables: kept while readable; the records of
        // those that expired while the database was closed go now.
        for meta in loaded.retired_streams {
            dynamo.inner.retired_streams.keep(meta);
        }
        dynamo.expire_retired_streams();
        for (table_id, index_id) in loaded.retired_indexes {
            dynamo.reclaim_index(table_id, index_id);
        }
        sweeper::start(&dynamo);
        // Backups a crash left half made or half deleted go; restores a
        // close or crash cut short start over (`backups/restore.rs`).
        dynamo.sweep_backups()?;
        // The history ranges are in the MANIFEST already; this moves their
        // floors to now and names the sources of interrupted restores
        // before those restart.
        dynamo.open_timeline()?;
        {
            let _control = dynamo.control_lock();
            dynamo.refresh_history()?;
        }
        dynamo.start_pitr_refresher();
        for table in dynamo.inner.tables.all() {
            if table.meta().restore.as_ref().is_some_and(|r| r.in_progress) {
                dynamo.start_restore(Arc::clone(&table));
            }
        }
        // A backfill cut short by a close or a crash starts over: its
        // entries so far are correct (each was written under its item's
        // lock) and writing them again changes nothing.
        for table in dynamo.inner.tables.all() {
            for idx in table.meta().indexes.iter() {
                if idx.status == IndexStatus::Creating {
                    dynamo.start_backfill(Arc::clone(&table), idx.id);
                }
            }
        }
        Ok(dynamo)
    }

    /// A background thread's handle on shared state `inner`.
    pub(crate) fn from_inner(inner: Arc<Inner>) -> DynamoDb {
        DynamoDb {
            inner,
            owner: false,
            region: None,
        }
    }

    /// A handle on the same database whose ARNs (tables, indexes, streams)
    /// and stream records' `awsRegion` name `region` instead of
    /// [`DynamoOptions::region`]: the server answers each request in the
    /// region of its SigV4 credential scope, as DynamoDB's regional
    /// endpoints do. Dropping it closes nothing.
    pub fn in_region(&self, region: &str) -> DynamoDb {
        DynamoDb {
            inner: Arc::clone(&self.inner),
            owner: false,
            region: Some(region.into()),
        }
    }

    /// The region this handle answers in.
    pub(crate) fn region(&self) -> &str {
        self.region.as_deref().unwrap_or(&self.inner.opts.region)
    }

    /// A weak reference to the shared state (for background threads).
    pub(crate) fn downgrade(&self) -> Weak<Inner> {
        Arc::downgrade(&self.inner)
    }

    /// The ARN table `table_name` has (or would have) in this handle's
    /// region: `arn:aws:dynamodb:<region>:<account>:table/<name>`.
    pub fn table_arn(&self, table_name: &str) -> String {
        format!(
            "arn:aws:dynamodb:{}:{}:table/{}",
            self.region(),
            self.inner.opts.account_id,
            table_name_of(table_name)
        )
    }

    /// Now, by the database's clock ([`DynamoOptions::clock`]), in
    /// milliseconds since the epoch.
    pub fn now_millis(&self) -> i64 {
        self.inner.opts.clock.now_millis()
    }

    /// The storage engine underneath (for stats, flush, compaction).
    pub fn engine(&self) -> &Db {
        &self.inner.db
    }

    /// How often each kind of background work (index backfills, restores,
    /// TTL sweeps, reclaims, stream trims, backup removals) has failed
    /// since open. The engine's own background failures are in
    /// [`Db::stats`] ([`crate::Stats::background_errors`]).
    pub fn background_failures(&self) -> BackgroundFailures {
        self.inner.failures.snapshot()
    }

    /// Stops background work and closes the engine (syncing the WAL).
    pub fn close(&self) -> Result<(), DynamoError> {
        self.inner.stop_workers();
        self.inner.db.close()?;
        Ok(())
    }

    /// Holds the control-plane lock (see [`Inner`]).
    pub(crate) fn control_lock(&self) -> MutexGuard<'_, ()> {
        self.inner.control.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next table id to hand out. REQUIRES: the control lock is held.
    pub(crate) fn next_table_id(&self) -> u32 {
        self.inner.next_table_id.load(Ordering::SeqCst)
    }

    /// Records that table id `id` was handed out (its catalog record and
    /// the id counter are committed). REQUIRES: the control lock is held.
    pub(crate) fn table_id_taken(&self, id: u32) {
        self.inner.next_table_id.store(id + 1, Ordering::SeqCst);
    }

    pub(crate) fn tables_read(
        &self,
    ) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.inner.tables.read()
    }

    /// The live table `name` (a name or a table ARN), for a data-plane
    /// request.
    /// A table being restored (`CREATING`) is not found.
    pub(crate) fn table(&self, name: &str) -> Result<Arc<Table>, DynamoError> {
        self.inner
            .tables
            .get(table_name_of(name))
            .filter(|t| !t.meta().restore.as_ref().is_some_and(|r| r.in_progress))
            .ok_or_else(DynamoError::resource_not_found)
    }

    /// The live table `name`, for a control-plane request (its error names
    /// the table).
    pub(crate) fn control_table(&self, name: &str) -> Result<Arc<Table>, DynamoError> {
        let name = table_name_of(name);
        self.inner
            .tables
            .get(name)
            .ok_or_else(|| DynamoError::table_not_found(name))
    }

    /// Reads and decodes the item at engine key `key` (decoded where the
    /// read found it: a separated item is not copied first).
    pub(crate) fn read_item(&self, key: &[u8]) -> Result<Option<Item>, DynamoError> {
        match self.inner.db.get_pinned(key)? {
            Some(bytes) => decode_stored(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Queues a staged item write for commit (durable, unless the engine
    /// was opened with sync off). What the write holds is released by the
    /// engine the moment the commit ends (`write/committing.rs`); the
    /// caller waits on or awaits the returned [`Pending`], which then has
    /// the tables whose streams are due for a trim trimmed
    /// ([`DynamoDb::trim_streams`]).
    pub(crate) fn commit(&self, staged: Staged, mut held: Held) -> Pending {
        let Staged {
            mut batch,
            reservations,
            trim_due,
        } = staged;
        self.stamp(&mut batch);
        held.reservations = reservations;
        let release: crate::OnCommitted =
            Box::new(move |result: &crate::Result<()>| held.release(result.is_ok()));
        let commit = if committing::lead_here() {
            self.inner.db.write_then(batch, release)
        } else {
            self.inner.db.write_async_then(batch, release)
        };
        Pending {
            commit: Some(commit),
            trim_due,
        }
    }

    /// Commits a control-plane batch (catalog records).
    pub(crate) fn commit_control(&self, batch: WriteBatch) -> Result<(), DynamoError> {
        self.inner.db.write(batch)?;
        Ok(())
    }
}

/// Decodes an item read from the engine; bad bytes are an internal error.
pub(crate) fn decode_stored(bytes: &[u8]) -> Result<Item, DynamoError> {
    decode_item(bytes)
        .map_err(|e| DynamoError::InternalServerError(format!("corrupt stored item: {e}")))
}
