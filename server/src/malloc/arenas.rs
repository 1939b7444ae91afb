//! glibc's malloc, limited to a few arenas.
//!
//! glibc gives each new thread its own arena, up to eight per core, and
//! memory freed into one arena is not reused by threads of another. The
//! server's threads take turns: a memtable is built by whichever worker
//! commits a group, blocks are read into the cache by others, and the
//! freed memory of each stays behind in its arena. Measured with the soak
//! test (server/TORTURE.md) on 2 cores, the resident set of `siltdb serve`
//! grew past 478 MiB in three minutes of mixed load with glibc's default,
//! more than three times the block cache and memtables (152 MiB), and kept
//! growing; with two arenas it stayed within them plus 73 MiB. So
//! `siltdb serve` limits the arenas at start, unless `MALLOC_ARENA_MAX` is
//! set, which glibc reads itself and which then decides.

/// The arenas `siltdb serve` allows glibc's malloc.
pub const ARENAS: i32 = 2;

/// Limits glibc's malloc to [`ARENAS`] arenas, unless the environment sets
/// `MALLOC_ARENA_MAX`. Call it before starting threads: a thread that has
/// an arena keeps it. Returns whether it set the limit (never on other C
/// libraries).
pub fn limit() -> bool {
    super::set_unless_env("MALLOC_ARENA_MAX", super::Param::ArenaMax, ARENAS)
}
