//! glibc's malloc, made to give back whole free pages inside its heaps.
//!
//! Blocks below the mmap threshold (see [`super::mmap`]) come from
//! the arenas' heaps, and glibc returns a heap's memory to the system only
//! from its top: a free page with a live block above it stays resident.
//! The block cache is the server's largest user of such blocks, and once it
//! is full it evicts blocks scattered among live ones, so free memory
//! collects in the middle of the heaps. The 30-minute soak
//! (server/TORTURE.md) saw 60–87 MiB of it beside 139–144 MiB in use.
//! `malloc_trim(0)` walks every arena and hands each whole free page back
//! with `madvise(MADV_DONTNEED)` — the block stays free to malloc and costs
//! a page fault when reused — so `siltdb serve` calls it every
//! `--malloc-trim-every` seconds.

use std::time::Duration;

/// Gives every whole free page inside glibc's heaps back to the system.
/// Returns whether any memory was released (always `false` on other C
/// libraries).
pub fn trim() -> bool {
    release()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release() -> bool {
    // SAFETY: malloc_trim takes the bytes to keep at the top of each heap
    // and only releases pages malloc holds free (under its arena locks).
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release() -> bool {
    false
}

/// Calls [`trim`] every `every` (on the blocking pool: a trim walks every
/// heap) until the runtime stops.
pub async fn trim_every(every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate; nothing has been freed yet.
    ticks.tick().await;
    loop {
        ticks.tick().await;
        if let Err(e) = tokio::task::spawn_blocking(trim).await {
            tracing::warn!("returning free heap pages: {e}");
        }
    }
}
