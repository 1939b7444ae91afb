//! Compactions give way to synced writers: a compaction does not start a
//! write-back or sync of its output while a synced WAL write is in its
//! fdatasync (it waits for the sync to end, up to `ratelimit::MAX_YIELD`),
//! it writes back in smaller pieces while synced writes run, and the
//! database counts the waits; and the rate compactions get while synced
//! writes run falls while those syncs are slow and rises while they are
//! fast (`ratelimit::back_off`). Checked with a file system whose WAL syncs
//! take a few milliseconds (or, when told, no time) and which records when
//! table write-backs and syncs ("table syncs" below) start.
//!
//! A compaction that checked just before a WAL sync began may still sync
//! during it, so only table syncs started well into a WAL sync (after
//! `GRACE`) count as not yielding. The synced writer is syncing about three
//! quarters of the time, so without yielding most table syncs would.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use siltdb::fs::{FileLock, Fs, MemFs, RandomAccessFile, WritableFile};
use siltdb::low_level::ratelimit::{back_off, MAX_YIELD};
use siltdb::CompactionOptions;
use siltdb::{Db, Options, Result, WriteOptions};

/// How long a WAL sync takes here: well under `MAX_YIELD`, so a compaction
/// that yields always outwaits it, and over `back_off::SLOW_SYNC`.
const WAL_SYNC: Duration = Duration::from_millis(3);

/// A table write this far into a WAL sync did not wait for it.
const GRACE: Duration = Duration::from_millis(1);

#[derive(Default)]
struct Watch {
    /// When the WAL sync in progress (if any) began.
    wal_sync_began: Mutex<Option<Instant>>,
    wal_syncs: AtomicU64,
    /// Table syncs started outside WAL syncs (or within GRACE of one's
    /// start) / well into one.
    table_ops_clear: AtomicU64,
    table_ops_during_wal_sync: AtomicU64,
    /// Set while the test's synced writes run (only compactions write
    /// tables then: the writes never fill a memtable).
    measuring: AtomicBool,
    /// WAL syncs take no time while set.
    fast_wal: AtomicBool,
}

struct SlowWalFs {
    inner: MemFs,
    watch: Arc<Watch>,
}

struct WatchedFile {
    inner: Box<dyn WritableFile>,
    wal: bool,
    watch: Arc<Watch>,
}

impl WatchedFile {
    fn table_sync(&self) {
        if self.wal || !self.watch.measuring.load(Ordering::SeqCst) {
            return;
        }
        let began = *self
            .watch
            .wal_sync_began
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if began.is_some_and(|t| t.elapsed() >= GRACE) {
            self.watch
                .table_ops_during_wal_sync
                .fetch_add(1, Ordering::SeqCst);
        } else {
            self.watch.table_ops_clear.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl WritableFile for WatchedFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.inner.append(data)
    }
    fn sync(&mut self) -> Result<()> {
        if self.wal && self.watch.fast_wal.load(Ordering::SeqCst) {
            return self.inner.sync();
        }
        if self.wal {
            *self
                .watch
                .wal_sync_began
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
            std::thread::sleep(WAL_SYNC);
            let r = self.inner.sync();
            *self
                .watch
                .wal_sync_began
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = None;
            self.watch.wal_syncs.fetch_add(1, Ordering::SeqCst);
            return r;
        }
        self.table_sync();
        self.inner.sync()
    }
    fn write_back(&mut self) -> Result<()> {
        self.table_sync();
        self.inner.write_back()
    }
    fn len(&self) -> u64 {
        self.inner.len()
    }
}

impl Fs for SlowWalFs {
    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let wal = path.extension().is_some_and(|e| e == "log");
        Ok(Box::new(WatchedFile {
            inner: self.inner.create(path)?,
            wal,
            watch: Arc::clone(&self.watch),
        }))
    }
    fn open_random(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>> {
        self.inner.open_random(path)
    }
    fn read_all(&self, path: &Path) -> Result<Vec<u8>> {
        self.inner.read_all(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        self.inner.rename(from, to)
    }
    fn remove(&self, path: &Path) -> Result<()> {
        self.inner.remove(path)
    }
    fn list(&self, dir: &Path) -> Result<Vec<String>> {
        self.inner.list(dir)
    }
    fn exists(&self, path: &Path) -> bool {
        self.inner.exists(path)
    }
    fn file_size(&self, path: &Path) -> Result<u64> {
        self.inner.file_size(path)
    }
    fn create_dir_all(&self, dir: &Path) -> Result<()> {
        self.inner.create_dir_all(dir)
    }
    fn sync_dir(&self, dir: &Path) -> Result<()> {
        self.inner.sync_dir(dir)
    }
    fn sync_file(&self, path: &Path) -> Result<()> {
        self.inner.sync_file(path)
    }
    fn lock(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        self.inner.lock(path)
    }
}

fn key(i: u32) -> Vec<u8> {
    format!("{:08x}", i.wrapping_mul(2_654_435_761)).into_bytes()
}

/// A database whose compaction of ~1.5 MB at 1 MiB/s has just started, and
/// the watch on its files.
fn compacting_db() -> (Arc<Watch>, Arc<Db>) {
    let watch = Arc::new(Watch::default());
    let fs = SlowWalFs {
        inner: MemFs::new(),
        watch: Arc::clone(&watch),
    };
    let db = Arc::new(
        Db::open(
            "/db",
            Options {
                fs: Arc::new(fs),
                sync: false,
                write_buffer_size: 256 << 10,
                table: siltdb::low_level::sstable::TableOptions {
                    write_chunk: 4 << 10,
                    bytes_per_sync: 16 << 10,
                    ..Default::default()
                },
                compaction: CompactionOptions {
                    l0_compaction_trigger: 8,
                    // Eight L0 files are then halfway to slowing writes: the
                    // tree is behind, so the compaction keeps at least an
                    // eighth of its rate however slow the syncs (enough
                    // table syncs for the first test to count).
                    l0_slowdown_trigger: 9,
                    ..CompactionOptions::default()
                },
                // Slow enough that the compaction below takes seconds.
                background_write_rate: 1 << 20,
                ..Options::default()
            },
        )
        .expect("open"),
    );

    // Seven overlapping L0 tables, one short of the trigger.
    let value = vec![b'v'; 300];
    for t in 0..7u32 {
        for i in 0..600u32 {
            db.put(&key(i * 7 + t), &value).expect("put");
        }
        db.flush().expect("flush");
    }
    assert_eq!(db.stats().levels[0].files, 7);

    // The eighth table starts a compaction of ~1.5 MB at 1 MiB/s (128 KiB/s
    // at first while synced writes run, then as `back_off` steers it).
    for i in 0..600u32 {
        db.put(&key(i * 7 + 7), &value).expect("put");
    }
    db.flush().expect("flush");
    (watch, db)
}

#[test]
fn compaction_writes_wait_while_a_wal_sync_is_in_flight() {
    let (watch, db) = compacting_db();
    // Synced writes run meanwhile, each fitting in the memtable so nothing
    // else writes tables.
    watch.measuring.store(true, Ordering::SeqCst);
    let start = Instant::now();
    let mut synced = 0u32;
    while start.elapsed() < Duration::from_millis(1500) && !db.stats().background_idle() {
        let mut b = siltdb::WriteBatch::new();
        b.put(format!("synced{synced:06}").as_bytes(), b"x");
        db.write_opt(b, WriteOptions { sync: true })
            .expect("synced write");
        synced += 1;
        // A writer with some work between its writes: gaps of about a
        // third of a WAL sync.
        std::thread::sleep(WAL_SYNC / 3);
    }
    watch.measuring.store(false, Ordering::SeqCst);

    let clear = watch.table_ops_clear.load(Ordering::SeqCst);
    let during = watch.table_ops_during_wal_sync.load(Ordering::SeqCst);
    let s = db.stats();
    assert!(synced > 50, "only {synced} synced writes ran");
    assert!(
        clear > 10,
        "the compaction made no progress between WAL syncs ({clear} table syncs): {s}"
    );
    assert!(
        during * 10 <= clear,
        "{during} compaction syncs started well into a WAL sync ({clear} did not): {s}"
    );
    assert!(s.background_yields > 0, "no yield counted: {s}");
    assert!(
        Duration::from_micros(s.background_yield_micros) >= WAL_SYNC,
        "{s}"
    );
    assert!(MAX_YIELD > WAL_SYNC);
}

#[test]
fn the_compaction_rate_follows_how_long_wal_syncs_take() {
    let (watch, db) = compacting_db();
    let start = db.stats();
    assert_eq!(start.background_compaction_rate, (1 << 20) / 8, "{start}");
    let mut synced = 0u32;
    let write = |db: &Db, synced: &mut u32| {
        let mut b = siltdb::WriteBatch::new();
        b.put(format!("synced{synced:06}").as_bytes(), b"x");
        db.write_opt(b, WriteOptions { sync: true })
            .expect("synced write");
        *synced += 1;
    };

    // Every WAL sync takes 3 ms, over back_off::SLOW_SYNC: each window in
    // which the compaction wrote halves its rate, down to the floor.
    let t = Instant::now();
    while t.elapsed() < back_off::WINDOW * 8 {
        write(&db, &mut synced);
    }
    let slow = db.stats();
    assert!(!slow.background_idle(), "the compaction ended: {slow}");
    assert!(slow.background_rate_cuts >= 2, "{slow}");
    assert!(
        slow.background_compaction_rate <= start.background_compaction_rate / 4,
        "{slow}"
    );
    assert!(
        slow.background_compaction_rate >= (1 << 20) / back_off::MIN_DIVISOR as u64,
        "{slow}"
    );

    // WAL syncs now take no time: windows in which the compaction wrote
    // raise the rate again (at the floor it writes a 4 KiB chunk about
    // every 125 ms, so most 100 ms windows see one).
    watch.fast_wal.store(true, Ordering::SeqCst);
    let t = Instant::now();
    let mut highest = slow.background_compaction_rate;
    while t.elapsed() < back_off::WINDOW * 12 {
        write(&db, &mut synced);
        if synced.is_multiple_of(64) {
            highest = highest.max(db.stats().background_compaction_rate);
        }
    }
    let fast = db.stats();
    assert!(
        highest > slow.background_compaction_rate,
        "the rate never rose from {} (now {fast})",
        slow.background_compaction_rate
    );
}
