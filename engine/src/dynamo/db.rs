//! [`DynamoDb`]: the handle applications use — DynamoDB's API on one
//! embedded database.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::time::Duration;

use crate::dynamo::api::IndexStatus;
use crate::dynamo::clock::{Clock, SystemClock};
use crate::dynamo::error::DynamoError;
use crate::dynamo::indexes::backfill::{BackfillContext, Backfiller};
use crate::dynamo::items::codec::decode_item;
use crate::dynamo::items::value::Item;
use crate::dynamo::streams::{StreamMeta, StreamState};
use crate::dynamo::tables::catalog;
use crate::dynamo::tables::reclaim::Reclaimer;
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::ttl::{SweepCtx, Sweeper};
use crate::dynamo::write::idempotency::TokenCache;
use crate::dynamo::write::locks::ItemLocks;
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

/// Cached `ItemCount` / `TableSizeBytes` and the same per index, valid for
/// one write generation.
#[derive(Debug, Clone, Default)]
pub(crate) struct SizeCache {
    pub generation: u64,
    pub item_count: i64,
    pub size_bytes: i64,
    /// Index id → (entries, `IndexSizeBytes`).
    pub indexes: BTreeMap<u8, (i64, i64)>,
}

/// A live table: its definition and the state item operations share.
#[derive(Debug)]
pub(crate) struct Table {
    meta: RwLock<Arc<TableMeta>>,
    /// False once the table is deleted. Writers hold the read side while
    /// they write, so no write lands after DeleteTable retires the id.
    alive: RwLock<bool>,
    /// Bumped by every write; invalidates [`SizeCache`].
    pub generation: AtomicU64,
    pub sizes: Mutex<Option<SizeCache>>,
}

impl Table {
    fn new(meta: TableMeta) -> Table {
        Table {
            meta: RwLock::new(Arc::new(meta)),
            alive: RwLock::new(true),
            generation: AtomicU64::new(1),
            sizes: Mutex::new(None),
        }
    }

    /// The current definition.
    pub fn meta(&self) -> Arc<TableMeta> {
        Arc::clone(&self.meta.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Replaces the definition.
    pub fn set_meta(&self, meta: TableMeta) {
        *self.meta.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(meta);
    }

    /// Holds the table alive for the duration of a write.
    pub fn write_gate(&self) -> Result<RwLockReadGuard<'_, bool>, DynamoError> {
        let g = self.alive.read().unwrap_or_else(|p| p.into_inner());
        if !*g {
            return Err(DynamoError::resource_not_found());
        }
        Ok(g)
    }

    /// Waits until every write in flight has committed. A write reads the
    /// table's current definition while it holds the gate, so after a
    /// definition change and `quiesce` no write can still act on the old
    /// definition.
    pub fn quiesce(&self) {
        drop(self.alive.write().unwrap_or_else(|p| p.into_inner()));
    }

    /// Marks the table deleted, waiting for writes in flight.
    pub fn kill(&self) {
        *self.alive.write().unwrap_or_else(|p| p.into_inner()) = false;
    }

    /// Records that the table changed.
    pub fn touch(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
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
/// use siltdb::dynamo::keycodec::ScalarAttributeType;
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
    pub(crate) db: Arc<Db>,
    pub(crate) opts: DynamoOptions,
    tables: Arc<RwLock<BTreeMap<String, Arc<Table>>>>,
    /// Serialises control-plane changes (and index backfills finishing) and
    /// owns the next table id.
    pub(crate) control: Arc<Mutex<u32>>,
    pub(crate) locks: Arc<ItemLocks>,
    pub(crate) reclaimer: Arc<Reclaimer>,
    /// The TTL sweeper (shares `db`, `tables` and `locks`).
    pub(crate) sweeper: Sweeper,
    /// Global secondary index backfills in progress.
    pub(crate) backfiller: Backfiller,
    /// TransactWriteItems `ClientRequestToken`s seen in the last 10 minutes.
    pub(crate) tokens: TokenCache,
    /// Stream sequence numbers and trimming (shared with the TTL sweeper).
    pub(crate) streams: Arc<StreamState>,
    /// Deleted tables whose streams are still readable, by table id: each
    /// a dead table (no writes, no items) whose definition lists only those
    /// streams, all disabled. Its gate keeps the records from being
    /// reclaimed under a reader.
    /// Shared with the TTL sweeper, which expires them periodically.
    retired_streams: Arc<RetiredStreams>,
}

impl std::fmt::Debug for DynamoDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoDb")
            .field("opts", &self.opts)
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
        let db = Arc::new(db);
        let loaded = catalog::load(&db)?;
        let streams = Arc::new(StreamState::open(
            &db,
            &opts.clock,
            loaded.tables.values().chain(&loaded.retired_streams),
        )?);
        let tables: BTreeMap<String, Arc<Table>> = loaded
            .tables
            .into_iter()
            .map(|(name, meta)| (name, Arc::new(Table::new(meta))))
            .collect();
        let reclaimer = Arc::new(Reclaimer::start(Arc::clone(&db)));
        for id in loaded.retired {
            let keeps_streams = loaded.retired_streams.iter().any(|m| m.id == id);
            reclaimer.reclaim(id, keeps_streams);
        }
        // Streams of deleted tables: kept while readable; the records of
        // those that expired while the database was closed go now.
        let now = opts.clock.now_millis();
        let mut retired_streams = BTreeMap::new();
        for meta in loaded.retired_streams {
            if all_expired(&meta, now) {
                reclaimer.reclaim_streams(meta.id);
            } else {
                retired_streams.insert(meta.id, Arc::new(Table::new(meta)));
            }
        }
        for (table_id, index_id) in loaded.retired_indexes {
            reclaimer.reclaim_index(table_id, index_id);
        }
        let tables = Arc::new(RwLock::new(tables));
        let locks = Arc::new(ItemLocks::default());
        let retired_streams = Arc::new(Mutex::new(retired_streams));
        let sweeper = Sweeper::start(
            SweepCtx::new(
                Arc::clone(&db),
                Arc::clone(&tables),
                Arc::clone(&locks),
                Arc::clone(&opts.clock),
                Arc::clone(&streams),
                Arc::clone(&retired_streams),
                Arc::clone(&reclaimer),
            ),
            opts.ttl_sweep_interval,
        );
        let dynamo = DynamoDb {
            db,
            opts,
            tables,
            control: Arc::new(Mutex::new(loaded.next_id)),
            locks,
            reclaimer,
            sweeper,
            backfiller: Backfiller::default(),
            tokens: TokenCache::default(),
            streams,
            retired_streams,
        };
        // A backfill cut short by a close or a crash starts over: its
        // entries so far are correct (each was written under its item's
        // lock) and writing them again changes nothing.
        let creating: Vec<(Arc<Table>, u8)> = dynamo
            .tables_read()
            .values()
            .flat_map(|t| {
                t.meta()
                    .indexes
                    .iter()
                    .filter(|i| i.status == IndexStatus::Creating)
                    .map(|i| (Arc::clone(t), i.id))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (table, index_id) in creating {
            dynamo.start_backfill(table, index_id);
        }
        Ok(dynamo)
    }

    /// Starts adding the existing items of `table` to its `CREATING` index
    /// `index_id` in the background; the index turns `ACTIVE` when done.
    pub(crate) fn start_backfill(&self, table: Arc<Table>, index_id: u8) {
        self.backfiller.start(
            BackfillContext {
                db: Arc::clone(&self.db),
                locks: Arc::clone(&self.locks),
                control: Arc::clone(&self.control),
                batch_items: self.opts.backfill_batch_items.max(1),
            },
            table,
            index_id,
        );
    }

    /// The storage engine underneath (for stats, flush, compaction).
    pub fn engine(&self) -> &Db {
        &self.db
    }

    /// Stops background work and closes the engine (syncing the WAL).
    pub fn close(&self) -> Result<(), DynamoError> {
        self.sweeper.stop();
        self.backfiller.stop();
        self.reclaimer.stop();
        self.db.close()?;
        Ok(())
    }

    pub(crate) fn control_lock(&self) -> MutexGuard<'_, u32> {
        self.control.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn tables_read(
        &self,
    ) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.tables.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn tables_write(
        &self,
    ) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.tables.write().unwrap_or_else(|p| p.into_inner())
    }

    fn retired_streams_lock(&self) -> MutexGuard<'_, BTreeMap<u32, Arc<Table>>> {
        self.retired_streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps the streams of a table just deleted: `kept` is its definition
    /// with only its readable streams, all disabled.
    pub(crate) fn keep_retired_streams(&self, kept: TableMeta) {
        self.retired_streams_lock()
            .insert(kept.id, Arc::new(Table::new(kept)));
    }

    /// The deleted tables whose streams are still kept, oldest table id
    /// first — those named `name` if given, else all.
    pub(crate) fn retired_stream_tables(&self, name: Option<&str>) -> Vec<Arc<Table>> {
        self.retired_streams_lock()
            .values()
            .filter(|t| name.is_none_or(|n| t.meta().name == n))
            .cloned()
            .collect()
    }

    /// The kept streams of deleted tables named `name` (whose labels a new
    /// stream of a table of that name must not repeat).
    pub(crate) fn retired_streams_named(&self, name: &str) -> Vec<StreamMeta> {
        self.retired_stream_tables(Some(name))
            .iter()
            .flat_map(|t| t.meta().streams.clone())
            .collect()
    }

    /// Drops the deleted tables whose streams have all expired (24 hours
    /// after they were disabled) and queues their records for reclaiming.
    /// Called at open, by every Streams API call, by CreateTable and
    /// DeleteTable, and after every TTL sweep (see [`expire_retired`]).
    pub(crate) fn expire_retired_streams(&self) {
        expire_retired(
            &self.retired_streams,
            &self.reclaimer,
            self.opts.clock.now_millis(),
        );
    }

    pub(crate) fn insert_table(&self, meta: TableMeta) {
        let name = meta.name.clone();
        self.tables_write().insert(name, Arc::new(Table::new(meta)));
    }

    /// The live table `name` (a name or a table ARN), for a data-plane
    /// request.
    pub(crate) fn table(&self, name: &str) -> Result<Arc<Table>, DynamoError> {
        self.tables_read()
            .get(table_name_of(name))
            .cloned()
            .ok_or_else(DynamoError::resource_not_found)
    }

    /// The live table `name`, for a control-plane request (its error names
    /// the table).
    pub(crate) fn control_table(&self, name: &str) -> Result<Arc<Table>, DynamoError> {
        let name = table_name_of(name);
        self.tables_read()
            .get(name)
            .cloned()
            .ok_or_else(|| DynamoError::table_not_found(name))
    }

    /// Reads and decodes the item at engine key `key`.
    pub(crate) fn read_item(&self, key: &[u8]) -> Result<Option<Item>, DynamoError> {
        match self.db.get(key)? {
            Some(bytes) => decode_stored(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Commits `batch` (durably, unless the engine was opened with sync off).
    pub(crate) fn commit(&self, batch: WriteBatch) -> Result<(), DynamoError> {
        let written = self.db.write(batch);
        self.streams.settle();
        written?;
        Ok(())
    }
}

impl Drop for DynamoDb {
    fn drop(&mut self) {
        self.sweeper.stop();
        self.backfiller.stop();
        self.reclaimer.stop();
    }
}

/// Whether every stream of `meta` has expired at `now_millis`.
/// Deleted tables whose streams are still readable, by table id (see
/// [`DynamoDb::expire_retired_streams`]).
pub(crate) type RetiredStreams = Mutex<BTreeMap<u32, Arc<Table>>>;

/// The body of [`DynamoDb::expire_retired_streams`], callable without a
/// handle: the TTL sweeper's thread runs it after every sweep, so expired
/// stream records are reclaimed even when no Streams call comes.
pub(crate) fn expire_retired(retired: &RetiredStreams, reclaimer: &Reclaimer, now_millis: i64) {
    let expired: Vec<Arc<Table>> = {
        let mut retired = retired.lock().unwrap_or_else(|p| p.into_inner());
        let ids: Vec<u32> = retired
            .iter()
            .filter(|(_, t)| all_expired(&t.meta(), now_millis))
            .map(|(id, _)| *id)
            .collect();
        ids.iter().filter_map(|id| retired.remove(id)).collect()
    };
    for table in expired {
        // Waits for readers in flight (they hold the gate).
        table.kill();
        reclaimer.reclaim_streams(table.meta().id);
    }
}

fn all_expired(meta: &TableMeta, now_millis: i64) -> bool {
    meta.streams.iter().all(|s| s.expired(now_millis))
}

/// Decodes an item read from the engine; bad bytes are an internal error.
pub(crate) fn decode_stored(bytes: &[u8]) -> Result<Item, DynamoError> {
    decode_item(bytes)
        .map_err(|e| DynamoError::InternalServerError(format!("corrupt stored item: {e}")))
}

/// The table name in `name_or_arn` (`arn:aws:dynamodb:r:a:table/Name` → `Name`).
pub(crate) fn table_name_of(name_or_arn: &str) -> &str {
    if name_or_arn.starts_with("arn:") {
        if let Some(pos) = name_or_arn.find(":table/") {
            let rest = &name_or_arn[pos + ":table/".len()..];
            return rest.split('/').next().unwrap_or(rest);
        }
    }
    name_or_arn
}
