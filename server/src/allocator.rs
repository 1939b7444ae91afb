//! The process's memory allocator: jemalloc, returning pages unused for a
//! second to the system, with a purge every `--memory-purge-every` seconds,
//! and its counters for the memory log.
//!
//! `siltdb serve` declares [`Jemalloc`] its global allocator (`main.rs`).
//! Why not glibc's malloc, which it used until 2026-12-07:
//!
//! - **CPU.** A PutItem allocates on a runtime worker (the request, its
//!   item, its batch) and the engine's commit thread frees much of it after
//!   the fsync. glibc returns a block to the arena it came from, under
//!   that arena's lock, so workers and the commit thread contended for the
//!   two arenas the server allowed: of the 2.4 futex calls per PutItem over
//!   HTTP, about a quarter were malloc's. jemalloc gives each thread a
//!   cache and takes finer locks: with these settings, in three
//!   interleaved rounds (siltdb-load, 32 connections), a PutItem cost
//!   31.6/29.2/26.9 µs of server CPU against glibc's 33.3/37.4/39.1 µs;
//!   GetItem was level (benches/RESULTS.md, "jemalloc").
//! - **Memory.** glibc had to be held back three ways to keep the resident
//!   set near what the engine holds (server/TORTURE.md): two arenas at most
//!   (each thread's own arena hoarded what it freed), a fixed mmap
//!   threshold (large freed blocks stayed in the heaps), and a periodic
//!   `malloc_trim` (free pages between live blocks are never returned).
//!   Even then 23–44 MiB of free memory stayed resident in pieces smaller
//!   than a page. jemalloc allocates in size classes from page-aligned
//!   runs, and returns pages that stayed unused for a second ([`Conf`]).
//!
//! jemalloc is built from source by `tikv-jemalloc-sys` (a C compiler is
//! all it needs) with its symbols prefixed, so it serves Rust's
//! allocations and leaves C's `malloc` to the C library.

use std::time::Duration;

use tikv_jemalloc_ctl::{epoch, stats};
pub use tikv_jemallocator::Jemalloc;

/// How `siltdb serve` configures jemalloc (its `malloc_conf`, read when
/// the first allocation initialises it; `_RJEM_MALLOC_CONF` in the
/// environment overrides any of it):
///
/// - `background_thread:false` (jemalloc's default): unused pages are
///   returned by threads as they allocate and free, and by
///   [`purge_every`] when the server is idle. With background threads on,
///   GetItem's p99 under wrk (32 connections, 2 vCPUs, interleaved rounds)
///   was 2.69, 2.69 and 4.22 ms, against 2.41, 1.74 and 1.25 ms without
///   them and 2.14, 2.14 and 2.47 ms with glibc; a second set, without
///   them against glibc, gave 2.45, 3.60, 4.18 against 2.33, 3.14,
///   3.14 ms. That is within this machine's noise, so the choice rests on
///   having fewer threads to wake on two CPUs.
/// - `dirty_decay_ms:1000,muzzy_decay_ms:0`: a page unused for a second is
///   returned (`MADV_DONTNEED`), not kept for jemalloc's default 10 s and
///   then marked `MADV_FREE` (which the kernel still counts as resident).
///   The soak's consistency check, a burst of Scans and GetRecords that
///   allocate and free hundreds of megabytes within seconds, raised the
///   resident set to 553 MiB with the defaults, past the soak's bound
///   (server/TORTURE.md); with these settings its peak was 317 MiB.
/// - `oversize_threshold:131072`: blocks of 128 KiB and more come from an
///   arena of their own whose freed pages are returned at once, as glibc's
///   fixed mmap threshold did: request bodies, answers and table-building
///   buffers come and go in waves.
#[repr(transparent)]
pub struct Conf(*const std::ffi::c_char);

// SAFETY: the pointer is to a `'static` C string literal, never written.
unsafe impl Sync for Conf {}

impl Conf {
    /// The settings above.
    pub const SERVER: Conf = Conf(
        c"background_thread:false,dirty_decay_ms:1000,muzzy_decay_ms:0,oversize_threshold:131072"
            .as_ptr(),
    );
}

/// The settings jemalloc runs with, as it reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Background threads return unused pages (off in `siltdb serve`).
    pub background_thread: bool,
    /// Milliseconds an unused page is kept before it is returned.
    pub dirty_decay_ms: isize,
    /// Blocks this large and larger have an arena of their own.
    pub oversize_threshold: usize,
}

impl Settings {
    /// jemalloc's settings now.
    pub fn now() -> Result<Settings, String> {
        let e = |e| format!("reading jemalloc's settings: {e}");
        // SAFETY (each read): the names are NUL-terminated mallctl names of
        // options of exactly these types (jemalloc's `opt.*` namespace).
        unsafe {
            Ok(Settings {
                background_thread: tikv_jemalloc_ctl::raw::read(b"opt.background_thread\0")
                    .map_err(e)?,
                dirty_decay_ms: tikv_jemalloc_ctl::raw::read(b"opt.dirty_decay_ms\0").map_err(e)?,
                oversize_threshold: tikv_jemalloc_ctl::raw::read(b"opt.oversize_threshold\0")
                    .map_err(e)?,
            })
        }
    }
}

/// Returns every page jemalloc holds free, in every arena, to the system
/// now (`arena.<all>.purge`), rather than when it has aged.
pub fn purge() -> Result<(), String> {
    // `MALLCTL_ARENAS_ALL` in jemalloc's `mallctl` namespace.
    const PURGE_ALL: &[u8] = b"arena.4096.purge\0";
    // SAFETY: the name is a NUL-terminated mallctl name; purge reads and
    // writes nothing, so every pointer is null and every length zero.
    let r = unsafe {
        tikv_jemalloc_sys::mallctl(
            PURGE_ALL.as_ptr().cast(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(format!("jemalloc arena purge: error {r}"))
    }
}

/// Calls [`purge`] every `every` (on the blocking pool: it walks every
/// arena) until the runtime stops.
pub async fn purge_every(every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate; nothing has been freed yet.
    ticks.tick().await;
    loop {
        ticks.tick().await;
        match tokio::task::spawn_blocking(purge).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("returning free pages: {e}"),
            Err(e) => tracing::warn!("returning free pages: {e}"),
        }
    }
}

/// What jemalloc holds, from its statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Bytes the program has allocated and not freed.
    pub allocated: usize,
    /// Bytes in the pages those allocations live in (allocated plus the
    /// free room in those pages).
    pub active: usize,
    /// Bytes jemalloc holds resident: active pages, free pages not yet
    /// returned, and its own metadata.
    pub resident: usize,
    /// Bytes mapped and not returned: resident, plus free pages whose
    /// memory was returned but whose mapping is kept for reuse.
    pub mapped: usize,
}

impl Usage {
    /// The figures now (all zero if jemalloc's statistics cannot be read).
    pub fn now() -> Usage {
        // The statistics are a snapshot taken when the epoch advances.
        if epoch::advance().is_err() {
            return Usage::default();
        }
        Usage {
            allocated: stats::allocated::read().unwrap_or(0),
            active: stats::active::read().unwrap_or(0),
            resident: stats::resident::read().unwrap_or(0),
            mapped: stats::mapped::read().unwrap_or(0),
        }
    }
}
