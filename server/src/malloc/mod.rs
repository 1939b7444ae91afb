//! The process's allocator, glibc's malloc, tuned for a server that runs
//! for a long time and whose threads take turns at the same work:
//!
//! - [`arenas`]: kept from hoarding freed memory per thread;
//! - [`mmap`]: made to return large freed blocks to the system;
//! - [`trim`]: made to return free pages inside its heaps.
//!
//! The first two are malloc parameters set once at start, each unless the
//! environment sets glibc's own variable for it (`set_unless_env`).
//! On other C libraries nothing is changed.

pub mod arenas;
pub mod mmap;
pub mod trim;

/// A malloc parameter `siltdb serve` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Param {
    /// `M_ARENA_MAX`: how many arenas later threads may create.
    ArenaMax,
    /// `M_MMAP_THRESHOLD`: the size from which a block gets a mapping of
    /// its own.
    MmapThreshold,
}

/// Sets `param` to `value`, unless the environment variable `env` is set
/// (glibc reads it itself, and then it decides). Returns whether it set it
/// (never on other C libraries).
fn set_unless_env(env: &str, param: Param, value: i32) -> bool {
    if std::env::var_os(env).is_some() {
        return false;
    }
    mallopt(param, value)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn mallopt(param: Param, value: i32) -> bool {
    let param = match param {
        Param::ArenaMax => libc::M_ARENA_MAX,
        Param::MmapThreshold => libc::M_MMAP_THRESHOLD,
    };
    // SAFETY: `mallopt` takes two integers and changes a malloc parameter;
    // both parameters set here only decide how later allocations are
    // served (M_ARENA_MAX bounds the arenas later threads may create).
    unsafe { libc::mallopt(param, value) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn mallopt(_: Param, _: i32) -> bool {
    false
}
