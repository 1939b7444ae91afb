//! The shape the tree should have: where L0 compacts to (the base level) and
//! the target size of every level, derived from a [`Version`]. Pure.
//!
//! Static sizing (LevelDB): L0 compacts into L1, whose target is
//! `base_level_bytes`; each level below is `level_multiplier` times larger.
//! A small database then still pushes every byte through every level from
//! L1 down to wherever its data ends.
//!
//! Dynamic sizing (RocksDB's `level_compaction_dynamic_level_bytes`): the
//! largest level sets the scale and the targets are sized from the bottom
//! up, so the tree has only as many levels as its data needs and most data
//! sits in the last level. L0 compacts into the *base level*, the shallowest
//! level given a target; the levels above it stay empty. No target is
//! smaller than `base_level_bytes`, so the upper levels never become tiny
//! (an hourglass tree that would rewrite the base level on every L0
//! compaction).

use crate::compaction::CompactionOptions;
use crate::manifest::{Version, NUM_LEVELS};

/// The last level: never a compaction source, never given a target.
pub const LAST_LEVEL: usize = NUM_LEVELS - 1;

/// Where data should live: see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelTargets {
    /// The level L0 compacts into (1 under static sizing).
    pub base_level: usize,
    /// Target bytes of each level. `u64::MAX` (never over target) for L0
    /// (scored by file count), for the levels above the base level and for
    /// the last level.
    pub bytes: [u64; NUM_LEVELS],
}

impl LevelTargets {
    /// The level a compaction out of `level` writes to.
    pub fn output_level(&self, level: usize) -> usize {
        if level == 0 {
            self.base_level
        } else {
            (level + 1).min(LAST_LEVEL)
        }
    }
}

/// Static target of `level >= 1`: `base_level_bytes` for L1, times
/// `level_multiplier` per level below. Saturates at `u64::MAX`.
pub fn static_level_bytes(level: usize, opts: &CompactionOptions) -> u64 {
    let mut t = opts.base_level_bytes.max(1);
    for _ in 1..level {
        t = t.saturating_mul(opts.level_multiplier.max(1));
    }
    t
}

/// The targets for `version` under `opts` (static or dynamic sizing).
pub fn level_targets(version: &Version, opts: &CompactionOptions) -> LevelTargets {
    let mut bytes = [u64::MAX; NUM_LEVELS];
    if !opts.dynamic_level_bytes {
        for (level, b) in bytes.iter_mut().enumerate().take(LAST_LEVEL).skip(1) {
            *b = static_level_bytes(level, opts);
        }
        return LevelTargets {
            base_level: 1,
            bytes,
        };
    }
    let mult = opts.level_multiplier.max(2);
    let floor = opts.base_level_bytes.max(1);
    let first_non_empty = (1..NUM_LEVELS).find(|&l| version.num_files(l) > 0);
    let Some(first_non_empty) = first_non_empty else {
        // Nothing below L0 yet: L0 compacts straight into the last level.
        return LevelTargets {
            base_level: LAST_LEVEL,
            bytes,
        };
    };
    // The largest level, not the last: right after a compaction into it the
    // last level may be smaller than the one above.
    let max_level_bytes = (1..NUM_LEVELS)
        .map(|l| version.level_bytes(l))
        .max()
        .unwrap_or(0);
    // The base level is the deepest level (never below the first non-empty
    // one, whose data must not be skipped over) whose bottom-up target is
    // within `base_level_bytes`.
    let mut base_level = first_non_empty.min(LAST_LEVEL);
    let mut size = max_level_bytes;
    for _ in base_level..LAST_LEVEL {
        size /= mult;
    }
    while base_level > 1 && size > floor {
        base_level -= 1;
        size /= mult;
    }
    // Targets from the base level down, none under the floor; the last
    // level has no target (it is never a source).
    let mut t = size.max(1);
    for (level, b) in bytes.iter_mut().enumerate().take(LAST_LEVEL) {
        if level < base_level {
            continue;
        }
        if level > base_level {
            t = t.saturating_mul(mult);
        }
        *b = t.max(floor);
    }
    LevelTargets { base_level, bytes }
}
