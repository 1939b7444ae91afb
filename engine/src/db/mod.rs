//! The database: open/recover, the write path, the read path, background work.
//!
//! Locking: one `state` mutex guards memtables, the version set, the writer
//! queue and snapshots. It is never held across I/O: not WAL appends and
//! syncs, table building, MANIFEST appends and syncs, `CURRENT` switches or
//! file deletion. Three more mutexes, never taken while `state` is held:
//! `manifest` (the open MANIFEST; held through a whole version edit, it
//! orders edits — see `versions.rs`), `wal` (the WAL writer, used by the
//! group-commit leader and memtable switches, which only a leader performs)
//! and `deletion` (one obsolete-file deletion pass at a time).
//!
//! Failures: the first failed WAL write, memtable switch, flush, compaction
//! or MANIFEST write is kept, typed, in `bg_error`; from then on writes fail
//! with [`Error::Poisoned`] holding it, and no file is deleted (after a
//! failed MANIFEST write the on-disk state is unknown until a reopen reads
//! it). Background failures are logged through `tracing` and counted in
//! [`Stats::background_errors`].
// The database reads its files back: no panics on what it reads.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod background;
mod blob_compaction;
mod blob_files;
mod checkpoint;
mod commit;
mod frozen_logs;
mod history;
mod open;
mod pinned;
mod table_cache;
mod versions;
mod wal_pool;
mod write;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, Weak};
use std::thread::JoinHandle;

use crate::batch::WriteBatch;
use crate::compaction::{self, write_pressure, WritePressure};
use crate::error::{Error, Result};
use crate::fs::{FileLock, Fs};
use crate::iter::db_iter::DbIter;
use crate::iter::level::{LevelIter, TableSource};
use crate::iter::merge::MergingIter;
use crate::iter::BoxIter;
use crate::key::{self, ValueKind};
use crate::manifest::{FileMeta, HistoryRange, Version};
use crate::memtable::{Lookup, MemTable};
use crate::options::{Options, WriteOptions};
use crate::ratelimit::RateLimiter;
use crate::recovery::{FileKind, RecoveryReport};
use crate::sstable::Table;
use crate::stats::{Counters, Stats};
use crate::vlog::BlobWriter;
use crate::waiters::Waiters;
use crate::wal::LogWriter;
use blob_files::BlobCache;
pub use checkpoint::Checkpoint;
pub use pinned::PinnedValue;
use table_cache::TableCache;
use versions::{ManifestLog, VersionSet};

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a read sees: the memtables and the table version, pinned together.
struct SuperVersion {
    mem: Arc<MemTable>,
    /// Frozen memtables, newest first.
    imm: Vec<Arc<MemTable>>,
    version: Arc<Version>,
}

pub use commit::{Commit, OnCommitted};

/// Who leads the group a queued write starts when it reaches the front.
enum Leader {
    /// The thread waiting for the write, unparked when it reaches the front.
    Thread(std::thread::Thread),
    /// The commit thread (a write submitted with [`Db::write_async`]).
    CommitThread,
}

/// A write waiting in the group-commit queue.
struct QueuedWrite {
    id: u64,
    /// Taken by the leader whose group includes it.
    batch: Option<WriteBatch>,
    sync: bool,
    /// Not a write: a request to freeze the memtable (from `flush`).
    force_switch: bool,
    leader: Leader,
    /// A leader is running the group this write starts (front write only).
    led: bool,
    /// Where its result goes.
    ticket: Arc<commit::Ticket>,
}

struct State {
    mem: Arc<MemTable>,
    /// Frozen memtables awaiting flush, oldest first.
    imm: VecDeque<Arc<MemTable>>,
    versions: VersionSet,
    writers: VecDeque<QueuedWrite>,
    next_writer_id: u64,
    /// The first failed WAL write or sync, memtable switch, flush,
    /// compaction or MANIFEST write: writes are refused and files are no
    /// longer deleted.
    bg_error: Option<Error>,
    shutting_down: bool,
    /// Live snapshots: sequence -> count.
    snapshots: BTreeMap<u64, usize>,
    /// Table numbers being written by flush/compaction (not yet in a version).
    pending_outputs: HashSet<u64>,
    /// Back-pressure implied by the current version (recomputed on change).
    pressure: WritePressure,
    /// Memtables given a blob file: until a memtable is dropped (flushed and
    /// released by every reader) its blob file is live even if no version
    /// lists it yet.
    blob_memtables: Vec<Weak<MemTable>>,
    /// The last sequence number before `mem`'s first write: every write up
    /// to it is in `imm` or the version (set when `mem` starts, by the
    /// group leader or open, so no write is in flight).
    mem_base_seq: u64,
}

pub(crate) struct DbInner {
    dir: PathBuf,
    fs: Arc<dyn Fs>,
    opts: Options,
    state: Mutex<State>,
    /// Wakes writers waiting for room: background work made some
    /// (flush/compaction finished), or the database is closing.
    cv: Condvar,
    /// Wakes background threads: there may be something to flush or compact.
    bg_cv: Condvar,
    /// Wakes the commit thread: a write submitted with [`Db::write_async`]
    /// is at the front of the queue, or the database is closing.
    commit_cv: Waiters,
    wal: Mutex<Option<LogWriter>>,
    /// The blob file of the current memtable, once a write needed it. Lock
    /// order: `state`, then `blob_writer`, then `wal`, then `frozen_logs`.
    blob_writer: Mutex<Option<BlobWriter>>,
    /// WALs and blob files of frozen memtables that may hold unsynced
    /// writes, oldest first (see [`frozen_logs`]).
    frozen_logs: Mutex<Vec<frozen_logs::FrozenLog>>,
    /// The open MANIFEST; held through a whole version edit.
    manifest: Mutex<ManifestLog>,
    /// Held by the obsolete-file deletion pass.
    deletion: Mutex<()>,
    /// Obsolete WALs kept for reuse ([`wal_pool`]). Held while one is
    /// renamed for reuse and while the deletion pass removes a WAL.
    wal_pool: Mutex<wal_pool::WalPool>,
    /// Highest sequence number whose write is fully applied.
    visible_seq: AtomicU64,
    current: RwLock<Arc<SuperVersion>>,
    tables: Arc<TableCache>,
    blobs: Arc<BlobCache>,
    stats: Counters,
    limiter: Option<Arc<RateLimiter>>,
    /// Held while a compaction (background or manual) runs.
    compaction_lock: Mutex<()>,
    file_lock: Mutex<Option<Box<dyn FileLock>>>,
}

/// An open database.
///
/// All methods take `&self` and may be called from many threads at once.
/// Dropping the database closes it (see [`Db::close`]).
pub struct Db {
    inner: Arc<DbInner>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    report: RecoveryReport,
}

impl TableSource for TableCache {
    fn table(&self, file: &FileMeta) -> Result<Arc<Table>> {
        self.get(file.number)
    }
}

impl Db {
    /// Opens (or creates) the database in `dir`, recovering after a crash
    /// (format-spec/manifest.md, "Recovery"; [`crate::low_level::recovery`] decides).
    ///
    /// A torn final WAL or MANIFEST record is dropped and reported in
    /// [`Db::recovery_report`] (refused instead under
    /// [`Options::strict_recovery`] if the record was complete). A missing
    /// table or live WAL, a damaged record elsewhere, or a directory that
    /// holds data but no `CURRENT` is [`Error::Corruption`], and nothing is
    /// changed. Files recovery proves garbage (crash debris, obsolete files)
    /// are removed once the new MANIFEST is durable.
    ///
    /// Only one handle may have a directory open at a time; a second open
    /// returns [`Error::Locked`].
    pub fn open(dir: impl AsRef<Path>, opts: Options) -> Result<Db> {
        open::open(dir.as_ref(), opts)
    }

    /// Sets `key` to `value`.
    pub fn put(&self, key: &[u8], value: &[u8]) -> Result<()> {
        let mut b = WriteBatch::with_capacity(key.len() + value.len() + 11);
        b.put(key, value);
        self.write(b)
    }

    /// Deletes `key` (a no-op if absent).
    pub fn delete(&self, key: &[u8]) -> Result<()> {
        let mut b = WriteBatch::with_capacity(key.len() + 6);
        b.delete(key);
        self.write(b)
    }

    /// Applies `batch` atomically with the database's default durability.
    pub fn write(&self, batch: WriteBatch) -> Result<()> {
        self.inner.write(batch, self.inner.opts.sync, false)
    }

    /// Applies `batch` atomically with explicit options.
    pub fn write_opt(&self, batch: WriteBatch, opts: WriteOptions) -> Result<()> {
        self.inner.write(batch, opts.sync, false)
    }

    /// Queues `batch` to be applied atomically with the database's default
    /// durability, without blocking: the returned [`Commit`] is a future
    /// that resolves once the write is committed (durable, when syncing),
    /// or blocks on [`Commit::wait`]. No thread waits per queued write: the
    /// engine's commit thread leads the group commits of queued writes,
    /// which share WAL appends and fsyncs with every other writer's.
    pub fn write_async(&self, batch: WriteBatch) -> Commit {
        self.inner.write_async(batch, self.inner.opts.sync, None)
    }

    /// [`Db::write_async`] with explicit options.
    pub fn write_async_opt(&self, batch: WriteBatch, opts: WriteOptions) -> Commit {
        self.inner.write_async(batch, opts.sync, None)
    }

    /// [`Db::write_async`] (default durability) with a completion hook: the
    /// write's leader runs
    /// `on_committed` with the write's result once it is committed (or
    /// failed) and before the [`Commit`] resolves — even if the `Commit` was
    /// dropped. Use it to release what must be held until the write is
    /// visible (locks), independently of when the awaiting task is polled.
    ///
    /// The hook runs on the thread leading the group (the commit thread or
    /// another writer's) while later writes wait for it: it must be short,
    /// must not write to this database or wait for a write, and must not
    /// drop the last handle of the database.
    pub fn write_async_then(&self, batch: WriteBatch, on_committed: OnCommitted) -> Commit {
        self.inner
            .write_async(batch, self.inner.opts.sync, Some(on_committed))
    }

    /// [`Db::write_async_then`] for a caller about to wait on the commit:
    /// the calling thread leads its group, as in [`Db::write`], instead of
    /// waking the commit thread for it (a thread switch per write), and
    /// the returned [`Commit`] has already resolved. `on_committed` runs
    /// before this returns, on whichever thread led the group.
    pub fn write_then(&self, batch: WriteBatch, on_committed: OnCommitted) -> Commit {
        let result = self
            .inner
            .write_then(batch, self.inner.opts.sync, false, Some(on_committed));
        Commit::done(commit::Ticket::done(result, None))
    }

    /// Makes every write so far durable (fdatasync of the WAL).
    pub fn sync_wal(&self) -> Result<()> {
        self.inner.sync_wal()
    }

    /// The newest value of `key`.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.get_pinned(key)?.map(PinnedValue::into_vec))
    }

    /// The newest value of `key`, left where the read found it: a separated
    /// value is not copied out of the buffer it was read into (which the
    /// block cache may share).
    pub fn get_pinned(&self, key: &[u8]) -> Result<Option<PinnedValue>> {
        self.inner
            .get_at(key, self.inner.visible_seq.load(Ordering::Acquire))
    }

    /// A consistent point-in-time view; writes after it are invisible to it.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::new(&self.inner)
    }

    /// An iterator over the current contents, unpositioned: call a seek first.
    pub fn iter(&self) -> Result<DbIterator> {
        self.inner
            .iter_at(self.inner.visible_seq.load(Ordering::Acquire))
    }

    /// Freezes the memtable and waits until every frozen memtable is in an
    /// SSTable; files no live version or reader needs by then (tables a
    /// dropped iterator held, say) are gone when this returns.
    pub fn flush(&self) -> Result<()> {
        self.inner.flush()
    }

    /// Compacts every level overlapping `[begin, end]` (user keys; `None` is
    /// unbounded) down into the next, after flushing the memtable.
    pub fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
        self.inner.flush()?;
        self.inner.compact_range(begin, end)
    }

    /// Writes a consistent copy of the database, as of one sequence number,
    /// to the new directory `target`, which opens as a database of its own
    /// (format-spec/manifest.md, "Checkpoints"). Flushes the memtable first,
    /// so the copy needs no WAL; tables and blob files are hard-linked
    /// (copied when `target` is on another file system). The copy is built
    /// beside `target` and renamed into place: after a crash `target` is
    /// complete or absent. Writes may continue meanwhile; they are not in
    /// the copy if they come after the flush.
    pub fn checkpoint(&self, target: impl AsRef<Path>) -> Result<Checkpoint> {
        self.inner.checkpoint(target.as_ref())
    }

    /// Replaces the set of key ranges whose history compaction keeps
    /// (format-spec/pitr.md): in each range, every version newer than the
    /// range's `floor` and the newest at or below it stay readable, as if a
    /// snapshot at `floor` were held for that range alone. The set is
    /// recorded in the MANIFEST before this returns, so it holds from the
    /// moment the database next opens. Ranges may overlap (the lowest
    /// floor wins); raising a floor releases history, lowering one cannot
    /// bring back what compaction already dropped.
    pub fn set_history_ranges(&self, ranges: Vec<HistoryRange>) -> Result<()> {
        self.inner.set_history_ranges(ranges)
    }

    /// The history ranges in force, sorted by `begin`.
    pub fn history_ranges(&self) -> Vec<HistoryRange> {
        lock(&self.inner.state).versions.recorded().history.clone()
    }

    /// A snapshot at the old sequence number `seq`, for reading the history
    /// range holding `key` (reads outside that range may miss versions
    /// compaction dropped). [`Error::HistoryUnavailable`] if no history
    /// range holds `key` or `seq` is below its floor; [`Error::InvalidArgument`]
    /// if `seq` is newer than [`Db::latest_sequence`]. While the snapshot
    /// lives, compaction keeps every version it can see.
    pub fn history_snapshot(&self, key: &[u8], seq: u64) -> Result<Snapshot> {
        self.inner.history_snapshot(key, seq)
    }

    /// What open found and did: the MANIFEST and WALs replayed, final
    /// records dropped as torn (file, offset, bytes), garbage removed.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.report
    }

    /// Counters and the shape of the tree.
    pub fn stats(&self) -> Stats {
        self.inner.stats()
    }

    /// The highest sequence number visible to reads.
    pub fn latest_sequence(&self) -> u64 {
        self.inner.visible_seq.load(Ordering::Acquire)
    }

    /// Stops background work, syncs the WAL and releases the directory lock.
    /// Called by `drop`; calling it explicitly reports a failed final sync.
    pub fn close(&self) -> Result<()> {
        {
            let mut st = lock(&self.inner.state);
            if st.shutting_down && lock(&self.threads).is_empty() {
                return Ok(());
            }
            st.shutting_down = true;
        }
        self.inner.cv.notify_all();
        self.inner.bg_cv.notify_all();
        self.inner.commit_cv.notify_all();
        for t in lock(&self.threads).drain(..) {
            if t.join().is_err() {
                tracing::error!("a siltdb background thread panicked");
            }
        }
        let poisoned = lock(&self.inner.state).bg_error.is_some();
        if !poisoned {
            // Files a background compaction made garbage while a reader
            // still held them were kept then; remove what is garbage now
            // rather than leave it to the next open.
            self.inner.delete_obsolete_files(false);
            self.inner.release_wal_pool();
        }
        let r = if poisoned {
            Ok(())
        } else {
            self.inner.sync_wal()
        };
        *lock(&self.inner.blob_writer) = None;
        *lock(&self.inner.wal) = None;
        self.inner.drop_frozen_logs();
        lock(&self.inner.manifest).close();
        *lock(&self.inner.file_lock) = None;
        r
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            tracing::error!("closing the database: {e}");
        }
    }
}

impl DbInner {
    fn super_version(&self) -> Arc<SuperVersion> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Publishes the memtables and version in `st` to readers.
    fn install_super_version(&self, st: &mut State) {
        let sv = SuperVersion {
            mem: Arc::clone(&st.mem),
            imm: st.imm.iter().rev().cloned().collect(),
            version: st.versions.current(),
        };
        st.pressure = write_pressure(&sv.version, &self.opts.compaction);
        if let Some(l) = &self.limiter {
            l.set_behind(compaction::behind(&sv.version, &self.opts.compaction));
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(sv);
    }

    fn get_at(&self, user_key: &[u8], seq: u64) -> Result<Option<PinnedValue>> {
        let sv = self.super_version();
        for m in std::iter::once(&sv.mem).chain(sv.imm.iter()) {
            match m.get(user_key, seq) {
                Lookup::Found(v) => return Ok(Some(PinnedValue::owned(v))),
                Lookup::Blob(index) => {
                    let source = FileKind::Wal(m.log_number()).name();
                    return self.blobs.read_pinned(&index, user_key, &source).map(Some);
                }
                Lookup::Deleted => return Ok(None),
                Lookup::Absent => {}
            }
        }
        let lookup = key::make_internal_key(user_key, seq, key::KIND_FOR_SEEK);
        for (_, f) in sv.version.files_for_get(user_key) {
            let t = self.tables.get(f.number)?;
            if let Some((ikey, value)) = t.get(&lookup)? {
                return match key::parse_internal_key(&ikey).map(|p| p.kind) {
                    Some(ValueKind::Value) => Ok(Some(PinnedValue::owned(value))),
                    Some(ValueKind::ValueBlob) => self
                        .blobs
                        .read_pinned(&value, user_key, &FileKind::Table(f.number).name())
                        .map(Some),
                    Some(ValueKind::Deletion) => Ok(None),
                    None => Err(Error::corruption(
                        FileKind::Table(f.number).name(),
                        0,
                        "table returned a malformed internal key",
                    )),
                };
            }
        }
        Ok(None)
    }

    fn iter_at(&self, seq: u64) -> Result<DbIterator> {
        let sv = self.super_version();
        let mut children: Vec<BoxIter> = Vec::new();
        children.push(Box::new(sv.mem.iter()));
        for m in &sv.imm {
            children.push(Box::new(m.iter()));
        }
        for (level, files) in sv.version.levels.iter().enumerate() {
            if files.is_empty() {
                continue;
            }
            if level == 0 {
                for f in files {
                    children.push(Box::new(self.tables.get(f.number)?.iter()));
                }
            } else {
                let source: Arc<dyn TableSource> = Arc::clone(&self.tables) as _;
                children.push(Box::new(LevelIter::new(files.clone(), source)));
            }
        }
        Ok(DbIterator {
            inner: DbIter::new(MergingIter::new(children), seq),
            blobs: Arc::clone(&self.blobs),
            blob_value: None,
            broken: false,
            _pin: sv,
            _snapshot: None,
        })
    }

    fn stats(&self) -> Stats {
        let mut s = Stats::from_counters(&self.stats);
        let sv = self.super_version();
        for (l, files) in s.levels.iter_mut().zip(&sv.version.levels) {
            l.files = files.len();
            l.bytes = files.iter().map(|f| f.size).sum();
        }
        s.immutable_memtables = sv.imm.len();
        s.memtable_bytes = std::iter::once(&sv.mem)
            .chain(&sv.imm)
            .map(|m| m.approximate_size() as u64)
            .sum();
        s.block_cache_bytes = self.tables.blocks().usage() as u64;
        let open = self.tables.usage();
        s.table_readers_open = open.tables;
        s.table_index_filter_bytes = open.bytes as u64;
        s.compaction_pending = compaction::pick(&sv.version, &self.opts.compaction).is_some()
            || crate::vlog::gc::pick_gc(&sv.version, &self.opts.blob).is_some();
        s.pending_compaction_bytes =
            compaction::pending_compaction_bytes(&sv.version, &self.opts.compaction);
        // Held by the compaction thread while it picks and runs a task, and
        // by `compact_range`; busy means a compaction may be running.
        s.compaction_running = matches!(
            self.compaction_lock.try_lock(),
            Err(std::sync::TryLockError::WouldBlock)
        );
        if let Some(l) = &self.limiter {
            let (yields, time) = l.yields();
            s.background_yields = yields;
            s.background_yield_micros = u64::try_from(time.as_micros()).unwrap_or(u64::MAX);
            if let Some((rate, cuts)) = l.compaction_back_off() {
                s.background_compaction_rate = rate;
                s.background_rate_cuts = cuts;
            }
        }
        let blobs = &sv.version.blobs.files;
        s.blob_files = blobs.len();
        s.blob_live_bytes = blobs.values().map(|b| b.live_bytes()).sum();
        s.blob_garbage_bytes = blobs.values().map(|b| b.garbage_bytes).sum();
        s
    }
}

/// A point-in-time view of the database. Compaction keeps every version a
/// live snapshot can see; dropping the snapshot releases them.
pub struct Snapshot {
    db: Arc<DbInner>,
    seq: u64,
}

impl Snapshot {
    fn new(db: &Arc<DbInner>) -> Snapshot {
        let mut st = lock(&db.state);
        let seq = db.visible_seq.load(Ordering::Acquire);
        *st.snapshots.entry(seq).or_insert(0) += 1;
        Snapshot {
            db: Arc::clone(db),
            seq,
        }
    }

    /// The sequence number this snapshot reads at.
    pub fn sequence(&self) -> u64 {
        self.seq
    }

    /// The value of `key` as of this snapshot.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.get_pinned(key)?.map(PinnedValue::into_vec))
    }

    /// The value of `key` as of this snapshot, left where the read found it
    /// ([`Db::get_pinned`]).
    pub fn get_pinned(&self, key: &[u8]) -> Result<Option<PinnedValue>> {
        self.db.get_at(key, self.seq)
    }

    /// An iterator over the database as of this snapshot.
    pub fn iter(&self) -> Result<DbIterator> {
        let mut it = self.db.iter_at(self.seq)?;
        it._snapshot = Some(Snapshot::new_at(&self.db, self.seq));
        Ok(it)
    }

    fn new_at(db: &Arc<DbInner>, seq: u64) -> Snapshot {
        let mut st = lock(&db.state);
        *st.snapshots.entry(seq).or_insert(0) += 1;
        Snapshot {
            db: Arc::clone(db),
            seq,
        }
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        let mut st = lock(&self.db.state);
        if let Some(c) = st.snapshots.get_mut(&self.seq) {
            *c -= 1;
            if *c == 0 {
                st.snapshots.remove(&self.seq);
            }
        }
    }
}

/// A cursor over user keys in order, forward and backward, at a fixed point
/// in time. Holds the files it reads from until dropped.
///
/// A separated value is read from its blob file when the iterator lands on
/// it (one positional read), so a failed read is the positioning call's
/// error; the iterator is then not valid.
pub struct DbIterator {
    inner: DbIter<MergingIter>,
    blobs: Arc<BlobCache>,
    /// The current entry's value when it is separated, in the record
    /// buffer it was read into (shared with the block cache): not copied.
    blob_value: Option<PinnedValue>,
    /// Reading the current entry's separated value failed.
    broken: bool,
    _pin: Arc<SuperVersion>,
    _snapshot: Option<Snapshot>,
}

impl DbIterator {
    /// Reads the current entry's value from its blob file if it is separated.
    fn land(&mut self, positioned: Result<()>) -> Result<()> {
        self.blob_value = None;
        self.broken = false;
        positioned?;
        if self.inner.valid() && self.inner.value_kind() == ValueKind::ValueBlob {
            match self.blobs.read_pinned(
                self.inner.value(),
                self.inner.key(),
                "an iterator's entry",
            ) {
                Ok(v) => self.blob_value = Some(v),
                Err(e) => {
                    self.broken = true;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// True when positioned at an entry.
    pub fn valid(&self) -> bool {
        self.inner.valid() && !self.broken
    }
    /// Positions at the first key.
    pub fn seek_to_first(&mut self) -> Result<()> {
        let r = self.inner.seek_to_first();
        self.land(r)
    }
    /// Positions at the last key.
    pub fn seek_to_last(&mut self) -> Result<()> {
        let r = self.inner.seek_to_last();
        self.land(r)
    }
    /// Positions at the first key `>= target`.
    pub fn seek(&mut self, target: &[u8]) -> Result<()> {
        let r = self.inner.seek(target);
        self.land(r)
    }
    /// Positions at the last key `<= target`.
    pub fn seek_for_prev(&mut self, target: &[u8]) -> Result<()> {
        let r = self.inner.seek_for_prev(target);
        self.land(r)
    }
    /// Moves to the next key. No-op when not valid.
    #[expect(
        clippy::should_implement_trait,
        reason = "a fallible cursor, not an Iterator: positioning can fail"
    )]
    pub fn next(&mut self) -> Result<()> {
        if !self.valid() {
            return Ok(());
        }
        let r = self.inner.next();
        self.land(r)
    }
    /// Moves to the previous key. No-op when not valid.
    pub fn prev(&mut self) -> Result<()> {
        if !self.valid() {
            return Ok(());
        }
        let r = self.inner.prev();
        self.land(r)
    }
    /// The current key. REQUIRES: `valid()`.
    pub fn key(&self) -> &[u8] {
        self.inner.key()
    }
    /// The current value. REQUIRES: `valid()`.
    pub fn value(&self) -> &[u8] {
        match &self.blob_value {
            Some(v) => v.as_ref(),
            None => self.inner.value(),
        }
    }
}
