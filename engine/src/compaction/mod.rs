//! Leveled compaction planning. Pure: looks at a [`Version`], performs no I/O.
//!
//! [`pick`] chooses the next [`CompactionTask`]; [`write_pressure`] tells the
//! write path when to slow down or stop. Executing a task (merging inputs,
//! writing outputs split by [`CompactionOptions::target_file_size`] and
//! grandparent overlap) is the DB's job.
//!
//! Output files of one compaction must never split the versions of one user
//! key across two files: levels `>= 1` hold files with disjoint user-key
//! ranges, and [`Version::apply`] rejects edits that break this.
// Bytes read here come from disk: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod manual;
mod picker;
mod shape;
#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use manual::{manual_output_level, manual_task};
pub use picker::{pending_compaction_bytes, pick};
pub use shape::level_targets;

use crate::manifest::{FileMeta, Version, VersionEdit};

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Tuning of leveled compaction and write back-pressure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactionOptions {
    /// L0 file count at which an L0 compaction is wanted (score 1). Default 8:
    /// each L0 compaction rewrites the overlapping base level, so merging
    /// more L0 files at once writes less per byte (RocksDB, with a trigger
    /// of 4, merges about 7 at a time because its L0 compactions run long).
    /// L0 also wants compaction once it holds `base_level_bytes`.
    pub l0_compaction_trigger: usize,
    /// L0 file count at which writes are slowed down. Default 20.
    pub l0_slowdown_trigger: usize,
    /// L0 file count at which writes stop until compaction catches up. Default 36.
    pub l0_stop_trigger: usize,
    /// Target size of L1 in bytes under static sizing; under dynamic sizing
    /// the smallest target any level is given. Default 512 MiB (measured:
    /// benches/RESULTS.md, "Side by side with RocksDB").
    pub base_level_bytes: u64,
    /// Each level targets this many times the one above. Default 10.
    pub level_multiplier: u64,
    /// Size levels from the largest level up and compact L0 into the
    /// shallowest level that needs to exist (RocksDB's
    /// `level_compaction_dynamic_level_bytes`); see `compaction/shape.rs`.
    /// When false, L1 targets `base_level_bytes` and every level below
    /// `level_multiplier` times more, as in LevelDB. Default true.
    pub dynamic_level_bytes: bool,
    /// Size at which compaction outputs are split. Default 16 MiB.
    pub target_file_size: u64,
    /// Upper bound on a compaction's input bytes when widening it, and on the
    /// grandparent overlap a trivial move may carry. Default 25 × target_file_size.
    pub max_compaction_bytes: u64,
    /// Pending compaction bytes at which writes slow down; 0 disables. Default 64 GiB.
    pub soft_pending_bytes: u64,
    /// Pending compaction bytes at which writes stop; 0 disables. Default 256 GiB.
    pub hard_pending_bytes: u64,
}

impl Default for CompactionOptions {
    fn default() -> Self {
        CompactionOptions {
            l0_compaction_trigger: 8,
            l0_slowdown_trigger: 20,
            l0_stop_trigger: 36,
            base_level_bytes: 512 * MIB,
            level_multiplier: 10,
            dynamic_level_bytes: true,
            target_file_size: 16 * MIB,
            max_compaction_bytes: 25 * 16 * MIB,
            soft_pending_bytes: 64 * GIB,
            hard_pending_bytes: 256 * GIB,
        }
    }
}

/// One compaction chosen by [`pick`].
#[derive(Debug, Clone)]
pub struct CompactionTask {
    /// The source level.
    pub level: usize,
    /// The level outputs are written to: `level + 1`, or for L0 the base
    /// level (see [`LevelTargets::output_level`]). Every level between the
    /// two is empty.
    pub output_level: usize,
    /// Input files from `level` (for L0, newest first).
    pub inputs: Vec<Arc<FileMeta>>,
    /// Input files from `output_level` that overlap `inputs`, in key order.
    pub next_inputs: Vec<Arc<FileMeta>>,
    /// Files in `output_level + 1` overlapping the compaction's key range;
    /// outputs should be cut so none overlaps too many bytes of these.
    pub grandparents: Vec<Arc<FileMeta>>,
    /// The single input can be moved to `output_level` without rewriting:
    /// apply [`CompactionTask::to_edit_for_move`].
    pub trivial_move: bool,
    /// No level below `output_level` holds data in the compaction's key
    /// range, so tombstones not needed by a snapshot may be dropped.
    pub bottommost: bool,
    /// The score of `level` that triggered this compaction (`>= 1`).
    pub score: f64,
}

impl CompactionTask {
    /// Total size of `inputs` and `next_inputs`.
    pub fn input_bytes(&self) -> u64 {
        self.inputs
            .iter()
            .chain(&self.next_inputs)
            .map(|f| f.size)
            .sum()
    }

    /// Every input file as `(level, file number)`.
    pub fn deleted_files(&self) -> Vec<(usize, u64)> {
        self.inputs
            .iter()
            .map(|f| (self.level, f.number))
            .chain(
                self.next_inputs
                    .iter()
                    .map(|f| (self.output_level, f.number)),
            )
            .collect()
    }

    /// The edit for a trivial move: delete each input from `level`, add it
    /// unchanged at `output_level`. Only meaningful when `trivial_move`.
    pub fn to_edit_for_move(&self) -> VersionEdit {
        VersionEdit {
            deleted_files: self.deleted_files(),
            new_files: self
                .inputs
                .iter()
                .map(|f| (self.output_level, (**f).clone()))
                .collect(),
            ..VersionEdit::default()
        }
    }

    /// The edit for a completed compaction: delete every input, add
    /// `outputs` at `output_level`. The caller adds counters as needed.
    pub fn to_edit_with_outputs(&self, outputs: Vec<FileMeta>) -> VersionEdit {
        VersionEdit {
            deleted_files: self.deleted_files(),
            new_files: outputs
                .into_iter()
                .map(|f| (self.output_level, f))
                .collect(),
            ..VersionEdit::default()
        }
    }
}

/// How hard the write path should push back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WritePressure {
    /// Write at full speed.
    None,
    /// Delay writes to let compaction catch up.
    Slowdown,
    /// Block writes until compaction reduces the backlog.
    Stop,
}

/// The tree is behind: writes are slowed or stopped ([`write_pressure`]),
/// or L0 holds at least halfway from its compaction trigger to its
/// slowdown trigger. Compactions then keep at least an eighth of the
/// background rate however slow the foreground syncs are
/// ([`crate::low_level::ratelimit::RateLimiter::set_behind`]). Halfway
/// rather than at the trigger: with 8 synced writers beside a full
/// compaction whose first ~300 MB were L0, synced p99 was 1.26–1.66 ms in
/// 3 runs of 3, against 1.43–2.46 ms with 3 of 8 runs over 2 ms
/// (benches/RESULTS.md, "Compaction rate that follows the syncs").
pub fn behind(version: &Version, opts: &CompactionOptions) -> bool {
    let halfway = (opts.l0_compaction_trigger + opts.l0_slowdown_trigger) / 2;
    write_pressure(version, opts) != WritePressure::None || version.num_files(0) >= halfway
}

/// Back-pressure from the L0 file count and [`pending_compaction_bytes`].
pub fn write_pressure(version: &Version, opts: &CompactionOptions) -> WritePressure {
    let l0 = version.num_files(0);
    let pending = pending_compaction_bytes(version, opts);
    let over = |limit: u64| limit != 0 && pending >= limit;
    if l0 >= opts.l0_stop_trigger || over(opts.hard_pending_bytes) {
        WritePressure::Stop
    } else if l0 >= opts.l0_slowdown_trigger || over(opts.soft_pending_bytes) {
        WritePressure::Slowdown
    } else {
        WritePressure::None
    }
}
