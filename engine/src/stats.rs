//! Counters for what the engine did, and the write amplification they imply.

use std::sync::atomic::{AtomicU64, Ordering};

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
}

impl Counters {
    pub fn add(c: &AtomicU64, v: u64) {
        c.fetch_add(v, Ordering::Relaxed);
    }
}

/// One level of the LSM tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelStats {
    /// Number of SSTables in the level.
    pub files: usize,
    /// Total bytes of those tables.
    pub bytes: u64,
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
    /// Files and bytes per level, L0 first.
    pub levels: Vec<LevelStats>,
    /// Frozen memtables not yet in an SSTable (a flush is queued or running).
    pub immutable_memtables: usize,
    /// The compaction picker would choose work in the current version.
    pub compaction_pending: bool,
    /// A compaction (background or [`crate::Db::compact_range`]) is running.
    pub compaction_running: bool,
    /// Estimated bytes compaction must rewrite to bring every level within
    /// its target ([`crate::compaction::pending_compaction_bytes`]).
    pub pending_compaction_bytes: u64,
}

impl Stats {
    /// Bytes written to storage per user byte: (WAL + flush + compaction
    /// writes) / user bytes. 0 when nothing was written.
    pub fn write_amplification(&self) -> f64 {
        self.per_user_byte(self.wal_bytes + self.flush_bytes + self.compaction_bytes_written)
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
            levels: Vec::new(),
            immutable_memtables: 0,
            compaction_pending: false,
            compaction_running: false,
            pending_compaction_bytes: 0,
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
        for (i, l) in self.levels.iter().enumerate() {
            if l.files > 0 {
                writeln!(f, "L{i}: {} files, {} B", l.files, l.bytes)?;
            }
        }
        Ok(())
    }
}
