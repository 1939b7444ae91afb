//! What the engine's memory is spent on, in the server's log: the budget
//! once at start, then what is held every `--stats-every` seconds (like
//! RocksDB's `stats_dump_period_sec`), so a growing resident set can be
//! told apart from caches and memtables filling up, and both from memory
//! malloc keeps after it was freed.

use std::sync::Arc;
use std::time::Duration;

use siltdb::dynamo::DynamoDb;
use siltdb::Options;

/// Logs the most memory `options` let the engine hold in its caches and
/// memtables: the block cache, the active memtable and every frozen one
/// waiting for flush, and the open tables' indexes and filters.
pub fn log_budget(options: &Options) {
    let memtables = 1 + options.max_immutable_memtables;
    tracing::info!(
        block_cache_bytes = options.block_cache_bytes,
        memtables,
        write_buffer_size = options.write_buffer_size,
        table_cache_bytes = options.table_cache_bytes,
        "engine memory budget"
    );
}

/// What glibc's malloc holds, from `mallinfo2`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Malloc {
    /// Bytes of blocks in use in the arenas' heaps.
    pub in_use: usize,
    /// Bytes freed into the heaps and kept there (resident unless the
    /// kernel reclaimed the pages).
    pub free: usize,
    /// Bytes of blocks mapped on their own (see [`crate::malloc::mmap`]).
    pub mapped: usize,
}

impl Malloc {
    /// The figures now; all zero on other C libraries.
    pub fn now() -> Malloc {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            // SAFETY: mallinfo2 only reads malloc's counters (under its
            // arena locks).
            let m = unsafe { libc::mallinfo2() };
            Malloc {
                in_use: m.uordblks,
                free: m.fordblks,
                mapped: m.hblkhd,
            }
        }
        #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
        Malloc::default()
    }
}

/// Logs the engine's memory now (see [`siltdb::Stats`]) and, beside it,
/// what malloc holds.
pub fn log_usage(db: &DynamoDb) {
    let s = db.engine().stats();
    let m = Malloc::now();
    tracing::info!(
        block_cache_bytes = s.block_cache_bytes,
        memtable_bytes = s.memtable_bytes,
        immutable_memtables = s.immutable_memtables,
        tables_open = s.table_readers_open,
        index_filter_bytes = s.table_index_filter_bytes,
        malloc_in_use_bytes = m.in_use,
        malloc_free_bytes = m.free,
        malloc_mapped_bytes = m.mapped,
        "engine memory"
    );
}

/// Calls [`log_usage`] every `every` until the runtime stops.
pub async fn log_usage_every(db: Arc<DynamoDb>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate; the start has nothing to report yet.
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let db = Arc::clone(&db);
        if let Err(e) = tokio::task::spawn_blocking(move || log_usage(&db)).await {
            tracing::warn!("logging the engine's memory: {e}");
        }
    }
}
