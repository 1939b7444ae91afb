//! Options for opening a database and for individual reads and writes.

use std::sync::Arc;

use crate::compaction::CompactionOptions;
use crate::fs::{Fs, OsFs};
use crate::sstable::TableOptions;
use crate::vlog::BlobOptions;

/// How a database is opened and tuned.
#[derive(Clone)]
pub struct Options {
    /// The file system every byte goes through (real files by default).
    pub fs: Arc<dyn Fs>,
    /// Create the database if the directory holds none (default true).
    pub create_if_missing: bool,
    /// Fail if a database already exists there (default false).
    pub error_if_exists: bool,
    /// Default durability of writes: when true (the default) a write returns
    /// only after its WAL record is on disk (fdatasync). When false, a write
    /// returns once its record is handed to the OS: it survives a process
    /// crash but not a power cut or kernel crash until a later synced write,
    /// or [`crate::Db::sync_wal`] syncs it (a memtable switch does not).
    pub sync: bool,
    /// Bytes of memtable before it is frozen and flushed (default 64 MiB:
    /// the memtable is a chain of arena skiplists of at most 8 MiB each, so
    /// a large one inserts as fast as a small one, and each flush hands L0
    /// a bigger table: fewer L0 compactions per byte; benches/RESULTS.md,
    /// "Side by side with RocksDB").
    pub write_buffer_size: usize,
    /// Frozen memtables waiting for flush before writes stop (default 2).
    pub max_immutable_memtables: usize,
    /// Upper bound on one group commit's combined batch size (default 1 MiB).
    pub max_write_group_bytes: usize,
    /// SSTable layout: block size, bloom bits per key, write chunking.
    pub table: TableOptions,
    /// Level sizing, triggers and back-pressure limits.
    pub compaction: CompactionOptions,
    /// Value separation: which values go to blob files, their size, and when
    /// they are rewritten.
    pub blob: BlobOptions,
    /// Block cache capacity in bytes (default 128 MiB).
    pub block_cache_bytes: usize,
    /// Bytes of index blocks and bloom filters that open tables may hold
    /// (default 64 MiB). Every open table keeps both in memory, outside the
    /// block cache: about 1 % of its size with the default table options,
    /// so this covers about 6 GB of tables. Past it, the tables least
    /// recently used are closed and opened again (index and filter read
    /// and checked) when next needed, so memory stays bounded as the data
    /// grows. A table larger than the whole bound is opened for each use.
    pub table_cache_bytes: usize,
    /// Rate limit for flush and compaction writes in bytes per second
    /// (default 256 MiB/s). Compactions also hold their writes and syncs
    /// back while a synced WAL write is in flight, and for 100 ms after one
    /// run at a rate between a thirty-second of this and all of it, halved
    /// while more than 1 % of those syncs take over a millisecond and raised
    /// while they do not, and never below an eighth while L0 fills toward
    /// its slowdown trigger or writes are slowed (see [`crate::low_level::ratelimit`]),
    /// so synced foreground writes keep their latency while background work
    /// runs.
    /// 0 turns off both the limit and the yielding.
    pub background_write_rate: u64,
    /// Refuse to open rather than drop a complete final WAL or MANIFEST
    /// record whose checksum fails, or ignore complete records of a WAL
    /// after an earlier WAL lost its tail (default false). Such a record is
    /// most likely the unsynced tail of a write a crash interrupted, which
    /// recovery drops to the last intact record (point-in-time recovery,
    /// reported in [`crate::Db::recovery_report`]); but an acknowledged
    /// write damaged on disk looks the same. A record the file ends inside
    /// is always dropped. See format-spec/wal.md, "Recovery". In either
    /// mode, a WAL record whose separated value's blob record is damaged
    /// (neither cut short nor zero-filled, as a crash leaves it) is refused
    /// (format-spec/value-log.md, "Recovery").
    pub strict_recovery: bool,
    /// Start a new MANIFEST (holding one snapshot of the state) once the
    /// current one grows past this many bytes (default 64 MiB).
    pub max_manifest_size: u64,
    /// Once a WAL is first synced, keep up to this many bytes of zeros
    /// written ahead of its records (at least half as many before each sync),
    /// so a synced write overwrites blocks the file already has and its
    /// fdatasync commits no file size or block allocation (default 256 KiB:
    /// the sync that extends them writes a quarter of what 1 MiB did, and
    /// synced p99 under a heavy unsynced writer fell from 4.0 to 3.5 ms;
    /// 0 off; benches/RESULTS.md, "WAL preallocation" and "Background
    /// write-back in pieces"). A WAL that is never synced gets no zeros.
    pub wal_preallocate_bytes: u64,
    /// Keep up to this many obsolete WAL files that were synced, and reuse
    /// them for new WALs instead of creating files (RocksDB's
    /// `recycle_log_file_num`; default 2, 0 off): a synced write into a
    /// reused WAL overwrites blocks the file already has, so its fdatasync
    /// commits no file metadata and no zeros are written ahead of it.
    /// Records name their WAL, so recovery stops at what the file's
    /// earlier use left (format-spec/wal.md, "Reusing a WAL file").
    pub wal_recycle_files: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fs: Arc::new(OsFs::new()),
            create_if_missing: true,
            error_if_exists: false,
            sync: true,
            write_buffer_size: 64 << 20,
            max_immutable_memtables: 2,
            max_write_group_bytes: 1 << 20,
            table: TableOptions::default(),
            compaction: CompactionOptions::default(),
            blob: BlobOptions::default(),
            block_cache_bytes: 128 << 20,
            table_cache_bytes: 64 << 20,
            background_write_rate: 256 << 20,
            strict_recovery: false,
            max_manifest_size: 64 << 20,
            wal_preallocate_bytes: 256 << 10,
            wal_recycle_files: 2,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("create_if_missing", &self.create_if_missing)
            .field("error_if_exists", &self.error_if_exists)
            .field("sync", &self.sync)
            .field("write_buffer_size", &self.write_buffer_size)
            .field("max_immutable_memtables", &self.max_immutable_memtables)
            .field("block_cache_bytes", &self.block_cache_bytes)
            .field("table_cache_bytes", &self.table_cache_bytes)
            .field("background_write_rate", &self.background_write_rate)
            .field("blob", &self.blob)
            .field("strict_recovery", &self.strict_recovery)
            .field("max_manifest_size", &self.max_manifest_size)
            .field("wal_preallocate_bytes", &self.wal_preallocate_bytes)
            .field("wal_recycle_files", &self.wal_recycle_files)
            .finish_non_exhaustive()
    }
}

/// Per-write options.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// Sync the WAL before returning (see [`Options::sync`]).
    pub sync: bool,
}
