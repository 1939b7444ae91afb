//! glibc's malloc, made to map large blocks on their own for good.
//!
//! glibc serves a block of at least `M_MMAP_THRESHOLD` bytes (128 KiB at
//! start) with a mapping of its own, unmapped when it is freed. But the
//! threshold moves: each time such a block is freed, glibc raises it to that
//! block's size (up to 32 MiB), so from then on blocks that large come from
//! the arenas' heaps instead, and memory freed there stays in the process.
//! The server's large blocks are short-lived or come and go in waves:
//! memtable arena chunks (1 MiB, freed when a memtable is flushed), table
//! building and compaction buffers, request bodies and 1 MB response pages.
//! Measured with the soak test (server/TORTURE.md), glibc's heaps held
//! 60–78 MiB of freed memory after a few minutes, most of it in chunks of
//! 64 KiB and more; with the threshold fixed, a flushed memtable's memory
//! went back to the system. So `siltdb serve` fixes the threshold at start,
//! unless `MALLOC_MMAP_THRESHOLD_` is set, which glibc reads itself and
//! which then decides. (Setting it also stops the trim threshold from
//! moving, so freed memory at the top of a heap is returned past 128 KiB.)

/// Blocks of at least this many bytes get a mapping of their own.
pub const THRESHOLD: i32 = 128 << 10;

/// Fixes glibc's mmap threshold at [`THRESHOLD`], unless the environment
/// sets `MALLOC_MMAP_THRESHOLD_`. Returns whether it set it (never on other
/// C libraries).
pub fn fix_threshold() -> bool {
    super::set_unless_env(
        "MALLOC_MMAP_THRESHOLD_",
        super::Param::MmapThreshold,
        THRESHOLD,
    )
}
