//! The leveled compaction picker and the pending-bytes estimate.

use std::sync::Arc;

use crate::compaction::shape::{level_targets, LevelTargets, LAST_LEVEL};
use crate::compaction::{CompactionOptions, CompactionTask};
use crate::manifest::{FileMeta, Version, NUM_LEVELS};

/// The compaction score of `level`: L0 by file count over the trigger (or
/// by bytes over `base_level_bytes`, whichever is higher, so a few huge L0
/// files still move down), deeper levels by bytes over their target. A
/// level wants compaction at 1.
fn score(version: &Version, level: usize, targets: &LevelTargets, opts: &CompactionOptions) -> f64 {
    if level == 0 {
        let by_files = version.num_files(0) as f64 / opts.l0_compaction_trigger.max(1) as f64;
        let by_bytes = version.level_bytes(0) as f64 / opts.base_level_bytes.max(1) as f64;
        by_files.max(by_bytes)
    } else {
        let target = targets.bytes.get(level).copied().unwrap_or(u64::MAX);
        version.level_bytes(level) as f64 / target as f64
    }
}

fn total_bytes(files: &[Arc<FileMeta>]) -> u64 {
    files.iter().map(|f| f.size).sum()
}

/// The user-key hull of `files`: `(smallest, largest)`, or `None` if empty.
pub(super) fn user_range<'a>(
    files: impl IntoIterator<Item = &'a Arc<FileMeta>>,
) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut it = files.into_iter();
    let first = it.next()?;
    let (mut lo, mut hi) = (first.smallest_user_key(), first.largest_user_key());
    for f in it {
        lo = lo.min(f.smallest_user_key());
        hi = hi.max(f.largest_user_key());
    }
    Some((lo.to_vec(), hi.to_vec()))
}

/// Bytes of the files in `level >= 1` overlapping `[lo, hi]`, without allocating.
fn overlap_bytes(version: &Version, level: usize, lo: &[u8], hi: &[u8]) -> u64 {
    let files = version.files(level);
    let start = files.partition_point(|f| f.largest_user_key() < lo);
    files
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|f| f.smallest_user_key() <= hi)
        .map(|f| f.size)
        .sum()
}

/// True if any file in a level below `level` overlaps `[lo, hi]`.
fn deeper_levels_overlap(version: &Version, level: usize, lo: &[u8], hi: &[u8]) -> bool {
    (level + 1..NUM_LEVELS).any(|l| version.files(l).iter().any(|f| f.overlaps(lo, hi)))
}

/// In level `level >= 1`, the file whose overlap with `level + 1` is smallest
/// relative to its own size (RocksDB's kMinOverlappingRatio). Ties go to the
/// file with the smallest keys, so the choice is a pure function of the Version.
fn min_overlap_file(version: &Version, level: usize) -> Option<Arc<FileMeta>> {
    let mut best: Option<(&Arc<FileMeta>, u64)> = None;
    for f in version.files(level) {
        let overlap = overlap_bytes(
            version,
            level + 1,
            f.smallest_user_key(),
            f.largest_user_key(),
        );
        let better = match best {
            None => true,
            // overlap / size < best_overlap / best_size, exactly, in integers.
            Some((b, b_overlap)) => {
                u128::from(overlap) * u128::from(b.size.max(1))
                    < u128::from(b_overlap) * u128::from(f.size.max(1))
            }
        };
        if better {
            best = Some((f, overlap));
        }
    }
    best.map(|(f, _)| Arc::clone(f))
}

/// Picks the most needed compaction, or `None` if every level is within its
/// target. Pure: the same Version and options always give the same task.
///
/// - Targets and the base level come from [`level_targets`].
/// - Scores: L0 = files / `l0_compaction_trigger` (or bytes /
///   `base_level_bytes` if higher); Ln = bytes / target(n). The highest
///   score `>= 1` wins (ties: the shallower level). The last level is never
///   a source.
/// - L0: the oldest L0 file plus every L0 file overlapping it, transitively,
///   and the base-level files overlapping that range; L0 writes into the
///   base level, every other level into the next.
/// - Ln: the single file with the least overlap in n+1 per byte of its own.
/// - Then, like LevelDB, the source inputs are widened to every source file
///   in the combined range if that adds no output-level file and stays
///   within `max_compaction_bytes`.
pub fn pick(version: &Version, opts: &CompactionOptions) -> Option<CompactionTask> {
    let targets = level_targets(version, opts);
    let mut best: Option<(usize, f64)> = None;
    for level in 0..LAST_LEVEL {
        let s = score(version, level, &targets, opts);
        if s >= 1.0 && best.is_none_or(|(_, b)| s > b) {
            best = Some((level, s));
        }
    }
    let (level, score) = best?;
    let output_level = targets.output_level(level);

    let mut inputs = if level == 0 {
        let oldest = version.files(0).last()?;
        version.overlapping_files(0, oldest.smallest_user_key(), oldest.largest_user_key())
    } else {
        vec![min_overlap_file(version, level)?]
    };
    let (lo, hi) = user_range(&inputs)?;
    let next_inputs = version.overlapping_files(output_level, &lo, &hi);

    // Widen the source side if it is free on the output side.
    if !next_inputs.is_empty() {
        let (all_lo, all_hi) = user_range(inputs.iter().chain(&next_inputs))?;
        let expanded = version.overlapping_files(level, &all_lo, &all_hi);
        if expanded.len() > inputs.len() {
            let (exp_lo, exp_hi) = user_range(&expanded)?;
            let expanded_next = version.overlapping_files(output_level, &exp_lo, &exp_hi);
            let bytes = total_bytes(&expanded).saturating_add(total_bytes(&next_inputs));
            if expanded_next.len() == next_inputs.len() && bytes <= opts.max_compaction_bytes {
                inputs = expanded;
            }
        }
    }

    let (lo, hi) = user_range(inputs.iter().chain(&next_inputs))?;
    let grandparents = if output_level + 1 < NUM_LEVELS {
        version.overlapping_files(output_level + 1, &lo, &hi)
    } else {
        Vec::new()
    };
    let trivial_move = inputs.len() == 1
        && next_inputs.is_empty()
        && total_bytes(&grandparents) <= opts.max_compaction_bytes;
    let bottommost = !deeper_levels_overlap(version, output_level, &lo, &hi);

    Some(CompactionTask {
        level,
        output_level,
        inputs,
        next_inputs,
        grandparents,
        trivial_move,
        bottommost,
        score,
    })
}

/// Estimated bytes compaction must rewrite to bring every level within its
/// target (RocksDB's `EstimateCompactionBytesNeeded`).
///
/// If L0 has reached its trigger all of L0 plus the base level counts.
/// Then, level by level from the base level down, the excess over the
/// target (including what flows down from above) is carried to the next
/// level and counted times the fan-out `(next level bytes / this level
/// bytes + 1)`.
pub fn pending_compaction_bytes(version: &Version, opts: &CompactionOptions) -> u64 {
    let targets = level_targets(version, opts);
    let mut estimate: u64 = 0;
    let l0_bytes = version.level_bytes(0);
    let mut to_next: u64 = 0;
    let l0_triggered = version.num_files(0) >= opts.l0_compaction_trigger.max(1)
        || l0_bytes >= opts.base_level_bytes;
    if l0_triggered {
        estimate = l0_bytes;
        to_next = l0_bytes;
    }
    let base = targets.base_level;
    if base == LAST_LEVEL {
        return estimate;
    }
    let mut next_level_bytes: Option<u64> = None;
    for level in base..LAST_LEVEL {
        let mut level_size = next_level_bytes
            .take()
            .unwrap_or_else(|| version.level_bytes(level));
        if level == base && l0_triggered {
            estimate = estimate.saturating_add(level_size);
        }
        level_size = level_size.saturating_add(to_next);
        to_next = 0;
        let target = targets.bytes.get(level).copied().unwrap_or(u64::MAX);
        if level_size > target {
            to_next = level_size - target;
            let below = version.level_bytes(level + 1);
            next_level_bytes = Some(below);
            if below > 0 {
                let fanout = below as f64 / level_size as f64 + 1.0;
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "an estimate; a float-to-int `as` saturates"
                )]
                let grown = (to_next as f64 * fanout) as u64;
                estimate = estimate.saturating_add(grown);
            }
        }
    }
    estimate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compaction::shape::static_level_bytes;
    use crate::key::compare_internal;
    use crate::manifest::VersionEdit;
    use proptest::prelude::*;
    use std::cmp::Ordering;

    use crate::testutil::file_meta as meta;

    fn build(files: Vec<(usize, FileMeta)>) -> Version {
        Version::new()
            .apply(&VersionEdit {
                new_files: files,
                ..Default::default()
            })
            .expect("apply")
    }

    fn numbers(files: &[Arc<FileMeta>]) -> Vec<u64> {
        let mut v: Vec<u64> = files.iter().map(|f| f.number).collect();
        v.sort();
        v
    }

    fn small_opts() -> CompactionOptions {
        CompactionOptions {
            l0_compaction_trigger: 4,
            l0_slowdown_trigger: 8,
            l0_stop_trigger: 12,
            base_level_bytes: 1000,
            level_multiplier: 10,
            dynamic_level_bytes: false,
            target_file_size: 100,
            max_compaction_bytes: 2500,
            soft_pending_bytes: 0,
            hard_pending_bytes: 0,
        }
    }

    #[test]
    fn defaults_and_targets() {
        let o = CompactionOptions::default();
        assert_eq!(o.max_compaction_bytes, 25 * o.target_file_size);
        assert_eq!(static_level_bytes(1, &o), 512 << 20);
        assert_eq!(static_level_bytes(3, &o), 51_200 << 20);
        assert_eq!(static_level_bytes(6, &o), (512u64 << 20) * 100_000);
        assert!(o.dynamic_level_bytes);
        assert_eq!(o.l0_compaction_trigger, 8);
    }

    #[test]
    fn l0_trigger_picks_l0_into_overlapping_l1() {
        let opts = small_opts();
        let v = build(vec![
            (0, meta(1, "c", "f", 10, 10)),
            (0, meta(2, "e", "h", 20, 10)),
            (0, meta(3, "g", "i", 30, 10)),
            (0, meta(4, "x", "y", 40, 10)),
            (1, meta(5, "a", "b", 5, 10)),
            (1, meta(6, "d", "e", 5, 10)),
            (1, meta(7, "h", "j", 5, 10)),
            (1, meta(8, "k", "l", 5, 10)),
            (2, meta(9, "a", "z", 1, 10)),
        ]);
        let t = pick(&v, &opts).expect("L0 at trigger");
        assert_eq!((t.level, t.output_level), (0, 1));
        assert!((t.score - 1.0).abs() < 1e-9);
        // Oldest file 1 (c..f) pulls in 2 (e..h), which pulls in 3 (g..i).
        assert_eq!(numbers(&t.inputs), vec![1, 2, 3]);
        // L0 inputs stay newest first.
        assert_eq!(t.inputs[0].number, 3);
        assert_eq!(numbers(&t.next_inputs), vec![6, 7]);
        assert_eq!(numbers(&t.grandparents), vec![9]);
        assert!(!t.trivial_move);
        assert!(!t.bottommost);
        assert_eq!(t.input_bytes(), 50);
        let mut d = t.deleted_files();
        d.sort();
        assert_eq!(d, vec![(0, 1), (0, 2), (0, 3), (1, 6), (1, 7)]);
    }

    #[test]
    fn trivial_move_when_nothing_overlaps() {
        let opts = small_opts();
        let v = build(vec![
            (0, meta(1, "a", "b", 10, 10)),
            (0, meta(2, "c", "d", 20, 10)),
            (0, meta(3, "e", "f", 30, 10)),
            (0, meta(4, "g", "h", 40, 10)),
            (1, meta(5, "x", "z", 5, 10)),
        ]);
        let t = pick(&v, &opts).expect("L0 at trigger");
        assert_eq!(numbers(&t.inputs), vec![1]);
        assert!(t.trivial_move && t.bottommost);
        let e = t.to_edit_for_move();
        assert_eq!(e.deleted_files, vec![(0, 1)]);
        assert_eq!(e.new_files, vec![(1, (*t.inputs[0]).clone())]);
        let after = v.apply(&e).unwrap();
        assert_eq!(numbers(after.files(1)), vec![1, 5]);

        // Ln: a file with no overlap below moves; too much grandparent
        // overlap turns the move into a rewrite.
        let v = build(vec![
            (1, meta(1, "a", "b", 10, 2000)),
            (3, meta(2, "a", "b", 1, 10)),
        ]);
        let t = pick(&v, &opts).expect("L1 over target");
        assert_eq!((t.level, t.output_level), (1, 2));
        assert!(t.trivial_move);
        assert!(!t.bottommost);
        let v = build(vec![
            (1, meta(1, "a", "b", 10, 2000)),
            (3, meta(2, "a", "b", 1, 3000)),
        ]);
        let t = pick(&v, &opts).expect("L1 over target");
        assert!(!t.trivial_move);
        assert_eq!(numbers(&t.grandparents), vec![2]);
    }

    #[test]
    fn bottommost_and_never_last_level() {
        let opts = small_opts();
        // Only L5 and L6 hold data, both far over target: L5 is picked,
        // never L6, and the output (L6) is the bottom.
        let big = u64::MAX / 4;
        let v = build(vec![
            (5, meta(1, "a", "c", 10, big)),
            (6, meta(2, "b", "d", 5, big)),
        ]);
        let t = pick(&v, &opts).unwrap();
        assert_eq!((t.level, t.output_level), (5, 6));
        assert!(t.bottommost);
        assert!(t.grandparents.is_empty());
        let v = build(vec![(6, meta(2, "b", "d", 5, big))]);
        assert!(pick(&v, &opts).is_none());
        // A deeper file outside the range keeps bottommost true.
        let v = build(vec![
            (1, meta(1, "a", "c", 10, 2000)),
            (2, meta(2, "b", "b", 5, 10)),
            (4, meta(3, "x", "z", 5, 10)),
        ]);
        let t = pick(&v, &opts).unwrap();
        assert!(t.bottommost);
        let v = build(vec![
            (1, meta(1, "a", "c", 10, 2000)),
            (2, meta(2, "b", "b", 5, 10)),
            (4, meta(3, "c", "z", 5, 10)),
        ]);
        assert!(!pick(&v, &opts).unwrap().bottommost);
    }

    /// Simulates running `t`: one output file covering the inputs' range.
    fn simulate(t: &CompactionTask, next_number: &mut u64) -> VersionEdit {
        if t.trivial_move {
            return t.to_edit_for_move();
        }
        let all: Vec<&Arc<FileMeta>> = t.inputs.iter().chain(&t.next_inputs).collect();
        let mut smallest = all[0].smallest.clone();
        let mut largest = all[0].largest.clone();
        for f in &all {
            if compare_internal(&f.smallest, &smallest) == Ordering::Less {
                smallest = f.smallest.clone();
            }
            if compare_internal(&f.largest, &largest) == Ordering::Greater {
                largest = f.largest.clone();
            }
        }
        *next_number += 1;
        t.to_edit_with_outputs(vec![FileMeta {
            number: *next_number,
            size: all.iter().map(|f| f.size).sum(),
            smallest,
            largest,
            smallest_seq: all.iter().map(|f| f.smallest_seq).min().unwrap_or(0),
            largest_seq: all.iter().map(|f| f.largest_seq).max().unwrap_or(0),
            num_entries: all.iter().map(|f| f.num_entries).sum(),
            num_deletions: 0,
        }])
    }

    fn check_invariants(v: &Version) {
        for level in 1..NUM_LEVELS {
            for pair in v.files(level).windows(2) {
                assert!(
                    pair[0].largest_user_key() < pair[1].smallest_user_key(),
                    "overlap in L{level}: {v:?}"
                );
            }
        }
        for pair in v.files(0).windows(2) {
            assert!(pair[0].largest_seq >= pair[1].largest_seq);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn picked_tasks_keep_levels_disjoint(
            flushes in proptest::collection::vec((0u8..26, 0u8..26, 0u8..10, 1u64..400), 1..60),
            dynamic in any::<bool>(),
        ) {
            let opts = CompactionOptions {
                l0_compaction_trigger: 2,
                base_level_bytes: 500,
                level_multiplier: 3,
                max_compaction_bytes: 3000,
                dynamic_level_bytes: dynamic,
                ..small_opts()
            };
            let mut v = Version::new();
            let mut next_number = 0u64;
            let mut seq = 0u64;
            let mut total = 0u64;
            for (a, b, suffix, size) in flushes {
                let (a, b) = (a.min(b), a.max(b));
                let lo = format!("{}", (b'a' + a) as char);
                let hi = format!("{}{}", (b'a' + b) as char, suffix);
                next_number += 1;
                seq += 10;
                total += size;
                v = v.apply(&VersionEdit {
                    new_files: vec![(0, meta(next_number, &lo, &hi, seq, size))],
                    ..Default::default()
                }).expect("flush");
                let mut rounds = 0;
                while let Some(t) = pick(&v, &opts) {
                    rounds += 1;
                    prop_assert!(rounds < 500, "picker does not converge: {:?}", v);
                    prop_assert!(t.level < NUM_LEVELS - 1);
                    prop_assert_eq!(t.output_level, level_targets(&v, &opts).output_level(t.level));
                    prop_assert!(t.output_level > t.level);
                    prop_assert!(t.score >= 1.0);
                    let (lo, hi) = user_range(t.inputs.iter().chain(&t.next_inputs)).unwrap();
                    let (ilo, ihi) = user_range(&t.inputs).unwrap();
                    if t.level == 0 {
                        // No L0 file left behind overlaps the L0 data that
                        // moves down (so none can be shadowed wrongly).
                        for f in v.files(0) {
                            if !t.inputs.iter().any(|i| i.number == f.number) {
                                prop_assert!(!f.overlaps(&ilo, &ihi));
                            }
                        }
                    }
                    // next_inputs is exactly the output-level overlap.
                    prop_assert_eq!(
                        numbers(&t.next_inputs),
                        numbers(&v.overlapping_files(t.output_level, &ilo, &ihi))
                    );
                    prop_assert_eq!(t.bottommost, !deeper_levels_overlap(&v, t.output_level, &lo, &hi));
                    // Data never jumps over overlapping data in between.
                    for between in t.level + 1..t.output_level {
                        prop_assert!(v.overlapping_files(between, &lo, &hi).is_empty());
                    }
                    let edit = simulate(&t, &mut next_number);
                    v = v.apply(&edit).expect("picked task's edit applies");
                    check_invariants(&v);
                    let now: u64 = (0..NUM_LEVELS).map(|l| v.level_bytes(l)).sum();
                    prop_assert_eq!(now, total);
                }
            }
        }
    }
}
