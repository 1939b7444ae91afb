//! Counters for what the engine did, and the write amplification they imply.
// Keys, batches and file bytes come from disk: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::sync::atomic::{AtomicU64, Ordering};

use crate::manifest::NUM_LEVELS;

/// Live counters, updated with relaxed atomics.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub user_bytes: AtomicU64,
    pub writes: AtomicU64,
    pub write_groups: AtomicU64,
    pub wal_bytes: AtomicU64,
    pub wal_syncs: AtomicU64,
    pub flushes: AtomicU64,
    pub flush_bytes: AtomicU64,
    pub compactions: AtomicU64,
    pub trivial_moves: AtomicU64,
    pub compaction_bytes_read: AtomicU64,
    pub compaction_bytes_written: AtomicU64,
    pub stall_micros: AtomicU64,
    pub slowdowns: AtomicU64,
    pub blob_bytes: AtomicU64,
    pub blob_syncs: AtomicU64,
    pub blob_gc_bytes_read: AtomicU64,
    pub blob_gc_bytes_written: AtomicU64,
    pub background_errors: AtomicU64,
    pub failed_deletions: AtomicU64,
    pub wals_recycled: AtomicU64,
    /// Traffic into and out of each level, indexed by level.
    pub levels: [LevelCounters; NUM_LEVELS],
}

/// Bytes moved into and out of one level.
#[derive(Debug, Default)]
pub(crate) struct LevelCounters {
    pub flush_written: AtomicU64,
    pub compaction_written: AtomicU64,
    pub read_as_source: AtomicU64,
    pub read_as_target: AtomicU64,
    pub moved_in: AtomicU64,
    pub compactions: AtomicU64,
}

impl Counters {
    pub fn add(c: &AtomicU64, v: u64) {
        c.fetch_add(v, Ordering::Relaxed);
    }

    /// The counters of `level` (the last level's for an out-of-range one,
    /// which the callers never pass).
    pub fn level(&self, level: usize) -> &LevelCounters {
        self.levels
            .get(level)
            .unwrap_or(&self.levels[NUM_LEVELS - 1])
    }
}

/// One level of the LSM tree: its shape now, and the bytes that flowed into
/// and out of it since the database was opened.
///
/// A compaction from level `n` into `n + 1` counts its inputs from `n` in
/// `n`'s `compaction_read_as_source`, its inputs from `n + 1` in `n + 1`'s
/// `compaction_read_as_target`, and its outputs in `n + 1`'s
/// `compaction_written`; a trivial move counts in `moved_in` only (nothing is
/// rewritten).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelStats {
    /// Number of SSTables in the level.
    pub files: usize,
    /// Total bytes of those tables.
    pub bytes: u64,
    /// Bytes of tables written into this level by memtable flushes of the
    /// running database (tables built from the WAL while opening count only
    /// in [`Stats::flush_bytes`]).
    pub flush_written: u64,
    /// Bytes of tables written into this level by compactions.
    pub compaction_written: u64,
    /// Bytes compactions read from this level as the upper (source) level.
    pub compaction_read_as_source: u64,
    /// Bytes compactions read from this level as the output level (the
    /// overlapping tables a compaction rewrites).
    pub compaction_read_as_target: u64,
    /// Bytes of tables moved into this level without rewriting.
    pub moved_in: u64,
    /// Compactions that wrote into this level (excluding trivial moves).
    pub compactions: u64,
}

impl LevelStats {
    /// Bytes written into this level (flush + compaction).
    pub fn written(&self) -> u64 {
        self.flush_written + self.compaction_written
    }
}

/// A snapshot of the engine's counters (see [`crate::Db::stats`]).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Bytes of keys and values users asked to write.
    pub user_bytes: u64,
    /// Write batches accepted.
    pub writes: u64,
    /// Group commits (WAL appends); `writes / write_groups` is the grouping factor.
    pub write_groups: u64,
    /// Bytes appended to WAL files.
    pub wal_bytes: u64,
    /// WAL fdatasync calls.
    pub wal_syncs: u64,
    /// Memtables flushed to L0.
    pub flushes: u64,
    /// Bytes of SSTables written by flushes.
    pub flush_bytes: u64,
    /// Compactions run (excluding trivial moves).
    pub compactions: u64,
    /// Files moved down a level without rewriting.
    pub trivial_moves: u64,
    /// Bytes read by compactions.
    pub compaction_bytes_read: u64,
    /// Bytes written by compactions.
    pub compaction_bytes_written: u64,
    /// Microseconds writers spent stalled or slowed by back-pressure.
    pub stall_micros: u64,
    /// Writes delayed by the slowdown trigger.
    pub slowdowns: u64,
    /// Background failures (flush, compaction, MANIFEST write, memtable
    /// switch) and failed WAL writes; the first one poisons the database.
    pub background_errors: u64,
    /// Obsolete files whose removal failed (left as garbage for a later
    /// pass or the next open).
    pub failed_deletions: u64,
    /// New WALs that reused the file of an obsolete one instead of
    /// creating one ([`crate::Options::wal_recycle_files`]).
    pub wals_recycled: u64,
    /// Shape of and traffic through each level, L0 first.
    pub levels: Vec<LevelStats>,
    /// Frozen memtables not yet in an SSTable (a flush is queued or running).
    pub immutable_memtables: usize,
    /// The compaction picker would choose work in the current version.
    pub compaction_pending: bool,
    /// A compaction (background or [`crate::Db::compact_range`]) is running.
    pub compaction_running: bool,
    /// Estimated bytes compaction must rewrite to bring every level within
    /// its target (the compaction picker's `pending_compaction_bytes`).
    pub pending_compaction_bytes: u64,
    /// Compaction writes or syncs that waited for a synced WAL write to
    /// finish ([`crate::low_level::ratelimit`]).
    pub background_yields: u64,
    /// Microseconds compactions spent waiting so.
    pub background_yield_micros: u64,
    /// The rate in bytes per second the controller sets for compactions
    /// while synced writes run (0 without a rate limit); while L0 fills
    /// toward its slowdown trigger compactions get at least an eighth of
    /// the configured rate whatever it says
    /// ([`crate::low_level::ratelimit::back_off`]).
    pub background_compaction_rate: u64,
    /// Times that rate was halved because synced writes were slow.
    pub background_rate_cuts: u64,
    /// Bytes appended to blob files by writes (separated values).
    pub blob_bytes: u64,
    /// Blob file fdatasync calls made by writes.
    pub blob_syncs: u64,
    /// Bytes of live values read by blob garbage collection.
    pub blob_gc_bytes_read: u64,
    /// Bytes written to new blob files by blob garbage collection.
    pub blob_gc_bytes_written: u64,
    /// Live blob files.
    pub blob_files: usize,
    /// Bytes of blob records some entry points to.
    pub blob_live_bytes: u64,
    /// Bytes of blob records no entry points to, not yet reclaimed.
    pub blob_garbage_bytes: u64,
    /// Bytes of data blocks in the block cache (at most
    /// [`Options::block_cache_bytes`](crate::Options::block_cache_bytes)).
    pub block_cache_bytes: u64,
    /// Bytes of the active and frozen memtables' arenas
    /// ([`Options::write_buffer_size`](crate::Options::write_buffer_size)
    /// each at most, plus the entry that crossed it).
    pub memtable_bytes: u64,
    /// Tables the table cache holds open.
    pub table_readers_open: usize,
    /// Bytes of index blocks and bloom filters those tables hold in memory
    /// (at most [`Options::table_cache_bytes`](crate::Options::table_cache_bytes)).
    /// Not counted: a table the cache closed while an iterator still reads
    /// it, until the iterator is dropped.
    pub table_index_filter_bytes: u64,
}

impl Stats {
    /// Bytes written to storage per user byte: (WAL + blob + flush +
    /// compaction + blob GC writes) / user bytes. 0 when nothing was written.
    pub fn write_amplification(&self) -> f64 {
        self.per_user_byte(
            self.wal_bytes
                + self.blob_bytes
                + self.flush_bytes
                + self.compaction_bytes_written
                + self.blob_gc_bytes_written,
        )
    }

    /// Like [`Stats::write_amplification`] but counting only SSTable writes
    /// (flush + compaction), the figure RocksDB reports as "W-Amp".
    pub fn table_write_amplification(&self) -> f64 {
        self.per_user_byte(self.flush_bytes + self.compaction_bytes_written)
    }

    /// No flush or compaction is queued or running: the tree has settled
    /// until the next write. Benchmarks wait for this before reporting
    /// cumulative write amplification.
    pub fn background_idle(&self) -> bool {
        self.immutable_memtables == 0 && !self.compaction_pending && !self.compaction_running
    }

    /// Bytes written into `level` (flush + compaction) per user byte; the
    /// levels' figures plus the WAL's add up to
    /// [`Stats::write_amplification`] (up to tables built while opening).
    pub fn level_write_amplification(&self, level: usize) -> f64 {
        self.levels
            .get(level)
            .map_or(0.0, |l| self.per_user_byte(l.written()))
    }

    /// `bytes / user_bytes`, 0 when nothing was written.
    fn per_user_byte(&self, bytes: u64) -> f64 {
        if self.user_bytes == 0 {
            return 0.0;
        }
        bytes as f64 / self.user_bytes as f64
    }

    pub(crate) fn from_counters(c: &Counters) -> Stats {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            user_bytes: l(&c.user_bytes),
            writes: l(&c.writes),
            write_groups: l(&c.write_groups),
            wal_bytes: l(&c.wal_bytes),
            wal_syncs: l(&c.wal_syncs),
            flushes: l(&c.flushes),
            flush_bytes: l(&c.flush_bytes),
            compactions: l(&c.compactions),
            trivial_moves: l(&c.trivial_moves),
            compaction_bytes_read: l(&c.compaction_bytes_read),
            compaction_bytes_written: l(&c.compaction_bytes_written),
            stall_micros: l(&c.stall_micros),
            slowdowns: l(&c.slowdowns),
            background_errors: l(&c.background_errors),
            failed_deletions: l(&c.failed_deletions),
            wals_recycled: l(&c.wals_recycled),
            levels: c
                .levels
                .iter()
                .map(|lc| LevelStats {
                    files: 0,
                    bytes: 0,
                    flush_written: l(&lc.flush_written),
                    compaction_written: l(&lc.compaction_written),
                    compaction_read_as_source: l(&lc.read_as_source),
                    compaction_read_as_target: l(&lc.read_as_target),
                    moved_in: l(&lc.moved_in),
                    compactions: l(&lc.compactions),
                })
                .collect(),
            immutable_memtables: 0,
            compaction_pending: false,
            compaction_running: false,
            pending_compaction_bytes: 0,
            background_yields: 0,
            background_yield_micros: 0,
            background_compaction_rate: 0,
            background_rate_cuts: 0,
            blob_bytes: l(&c.blob_bytes),
            blob_syncs: l(&c.blob_syncs),
            blob_gc_bytes_read: l(&c.blob_gc_bytes_read),
            blob_gc_bytes_written: l(&c.blob_gc_bytes_written),
            blob_files: 0,
            blob_live_bytes: 0,
            blob_garbage_bytes: 0,
            block_cache_bytes: 0,
            memtable_bytes: 0,
            table_readers_open: 0,
            table_index_filter_bytes: 0,
        }
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "user {} B in {} writes ({} groups, {} WAL syncs)",
            self.user_bytes, self.writes, self.write_groups, self.wal_syncs
        )?;
        writeln!(
            f,
            "wal {} B, flush {} B ({} flushes), compaction read {} B / written {} B ({} compactions, {} trivial moves)",
            self.wal_bytes,
            self.flush_bytes,
            self.flushes,
            self.compaction_bytes_read,
            self.compaction_bytes_written,
            self.compactions,
            self.trivial_moves
        )?;
        writeln!(
            f,
            "write amplification {:.2} (tables only {:.2}); stalled {} us, {} slowdowns",
            self.write_amplification(),
            self.table_write_amplification(),
            self.stall_micros,
            self.slowdowns
        )?;
        if self.blob_bytes > 0 || self.blob_files > 0 {
            writeln!(
                f,
                "blob {} B written ({} syncs), GC read {} B / written {} B; {} blob files, {} B live, {} B garbage",
                self.blob_bytes,
                self.blob_syncs,
                self.blob_gc_bytes_read,
                self.blob_gc_bytes_written,
                self.blob_files,
                self.blob_live_bytes,
                self.blob_garbage_bytes
            )?;
        }
        if self.wals_recycled > 0 {
            writeln!(f, "{} WAL files reused", self.wals_recycled)?;
        }
        if self.background_errors > 0 || self.failed_deletions > 0 {
            writeln!(
                f,
                "{} background errors, {} failed deletions",
                self.background_errors, self.failed_deletions
            )?;
        }
        writeln!(
            f,
            "background: {} immutable memtables, compaction {}{}, {} B pending compaction",
            self.immutable_memtables,
            if self.compaction_pending {
                "due"
            } else {
                "not due"
            },
            if self.compaction_running {
                " (running)"
            } else {
                ""
            },
            self.pending_compaction_bytes
        )?;
        writeln!(
            f,
            "memory: block cache {} B, memtables {} B, {} tables open holding {} B of index and filter",
            self.block_cache_bytes,
            self.memtable_bytes,
            self.table_readers_open,
            self.table_index_filter_bytes
        )?;
        if self.background_yields > 0 {
            writeln!(
                f,
                "compactions yielded to synced writes {} times, {} us; compaction rate while syncing {:.1} MiB/s after {} cuts",
                self.background_yields,
                self.background_yield_micros,
                self.background_compaction_rate as f64 / 1048576.0,
                self.background_rate_cuts
            )?;
        }
        // Per level, like RocksDB's compaction stats: "w-amp" is the bytes
        // written into the level per user byte, so the column sums (with the
        // WAL) to the total write amplification above.
        writeln!(
            f,
            "level files      size MB  flush-in MB  compact-in MB  read-src MB  read-tgt MB  moved-in MB  compactions  w-amp"
        )?;
        let mb = |b: u64| b as f64 / 1048576.0;
        for (i, l) in self.levels.iter().enumerate() {
            let active =
                l.files > 0 || l.written() > 0 || l.moved_in > 0 || l.compaction_read_as_source > 0;
            if !active {
                continue;
            }
            writeln!(
                f,
                "L{i:<4} {:>5} {:>12.1} {:>12.1} {:>14.1} {:>12.1} {:>12.1} {:>12.1} {:>12} {:>6.2}",
                l.files,
                mb(l.bytes),
                mb(l.flush_written),
                mb(l.compaction_written),
                mb(l.compaction_read_as_source),
                mb(l.compaction_read_as_target),
                mb(l.moved_in),
                l.compactions,
                self.level_write_amplification(i)
            )?;
        }
        Ok(())
    }
}
