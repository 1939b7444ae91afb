//! The leveled compaction picker and the pending-bytes estimate.

use std::sync::Arc;

use crate::compaction::{CompactionOptions, CompactionTask};
use crate::manifest::{FileMeta, Version, NUM_LEVELS};

/// Target size in bytes of `level`: `base_level_bytes` for L1 (and L0, which
/// is scored by file count instead), times `level_multiplier` per level below.
/// Saturates at `u64::MAX`.
pub fn target_level_bytes(level: usize, opts: &CompactionOptions) -> u64 {
    let mut t = opts.base_level_bytes.max(1);
    for _ in 1..level {
        t = t.saturating_mul(opts.level_multiplier.max(1));
    }
    t
}

/// The compaction score of `level`: L0 by file count over the trigger,
/// deeper levels by bytes over their target. A level wants compaction at 1.
fn score(version: &Version, level: usize, opts: &CompactionOptions) -> f64 {
    if level == 0 {
        version.num_files(0) as f64 / opts.l0_compaction_trigger.max(1) as f64
    } else {
        version.level_bytes(level) as f64 / target_level_bytes(level, opts) as f64
    }
}

fn total_bytes(files: &[Arc<FileMeta>]) -> u64 {
    files.iter().map(|f| f.size).sum()
}

/// The user-key hull of `files`: `(smallest, largest)`, or `None` if empty.
fn user_range<'a>(
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
    files[start..]
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
/// - Scores: L0 = files / `l0_compaction_trigger`; Ln = bytes / target(n).
///   The highest score `>= 1` wins (ties: the shallower level). The last
///   level is never a source.
/// - L0: the oldest L0 file plus every L0 file overlapping it, transitively,
///   and the L1 files overlapping that range.
/// - Ln: the single file with the least overlap in n+1 per byte of its own.
/// - Then, like LevelDB, the source inputs are widened to every source file
///   in the combined range if that adds no output-level file and stays
///   within `max_compaction_bytes`.
pub fn pick(version: &Version, opts: &CompactionOptions) -> Option<CompactionTask> {
    let mut best: Option<(usize, f64)> = None;
    for level in 0..NUM_LEVELS - 1 {
        let s = score(version, level, opts);
        if s >= 1.0 && best.is_none_or(|(_, b)| s > b) {
            best = Some((level, s));
        }
    }
    let (level, score) = best?;
    let output_level = level + 1;

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
/// If L0 has reached its trigger (or exceeds L1's target) all of L0 plus L1
/// counts. Then, level by level, the excess over the target (including what
/// flows down from above) is carried to the next level and counted times
/// the fan-out `(next level bytes / this level bytes + 1)`.
pub fn pending_compaction_bytes(version: &Version, opts: &CompactionOptions) -> u64 {
    let mut estimate: u64 = 0;
    let l0_bytes = version.level_bytes(0);
    let mut to_next: u64 = 0;
    let l0_triggered = version.num_files(0) >= opts.l0_compaction_trigger.max(1)
        || l0_bytes >= opts.base_level_bytes;
    if l0_triggered {
        estimate = l0_bytes;
        to_next = l0_bytes;
    }
    let mut next_level_bytes: Option<u64> = None;
    for level in 1..NUM_LEVELS - 1 {
        let mut level_size = next_level_bytes
            .take()
            .unwrap_or_else(|| version.level_bytes(level));
        if level == 1 && l0_triggered {
            estimate = estimate.saturating_add(level_size);
        }
        level_size = level_size.saturating_add(to_next);
        to_next = 0;
        let target = target_level_bytes(level, opts);
        if level_size > target {
            to_next = level_size - target;
            let below = version.level_bytes(level + 1);
            next_level_bytes = Some(below);
            if below > 0 {
                let fanout = below as f64 / level_size as f64 + 1.0;
                estimate = estimate.saturating_add((to_next as f64 * fanout) as u64);
            }
        }
    }
    estimate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compaction::{write_pressure, WritePressure};
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
        assert_eq!(target_level_bytes(1, &o), 64 << 20);
        assert_eq!(target_level_bytes(3, &o), 6400 << 20);
        assert_eq!(target_level_bytes(6, &o), (64u64 << 20) * 100_000);
    }

    #[test]
    fn no_task_under_thresholds() {
        let opts = small_opts();
        assert!(pick(&Version::new(), &opts).is_none());
        let v = build(vec![
            (0, meta(1, "a", "z", 10, 100)),
            (0, meta(2, "a", "z", 20, 100)),
            (0, meta(3, "a", "z", 30, 100)),
            (1, meta(4, "a", "m", 5, 999)),
            (2, meta(5, "a", "m", 1, 9999)),
        ]);
        assert!(pick(&v, &opts).is_none());
        assert_eq!(pending_compaction_bytes(&v, &opts), 0);
        assert_eq!(write_pressure(&v, &opts), WritePressure::None);
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
    fn min_overlap_ratio_choice() {
        let opts = small_opts();
        let v = build(vec![
            // ratio 300/500 = 0.6
            (1, meta(1, "a", "c", 10, 500)),
            // ratio 100/400 = 0.25 <- chosen
            (1, meta(2, "d", "f", 10, 400)),
            // ratio 400/300 = 1.33
            (1, meta(3, "g", "i", 10, 300)),
            (2, meta(4, "a", "b", 5, 300)),
            (2, meta(5, "e", "e", 5, 100)),
            (2, meta(6, "h", "h", 5, 400)),
        ]);
        let t = pick(&v, &opts).expect("L1 over target");
        assert_eq!(t.level, 1);
        assert_eq!(numbers(&t.inputs), vec![2]);
        assert_eq!(numbers(&t.next_inputs), vec![5]);
        assert!(t.bottommost);
        assert!(!t.trivial_move);
        // Zero overlap beats any ratio; ties go to the smallest keys.
        let v = build(vec![
            (1, meta(1, "a", "c", 10, 500)),
            (1, meta(2, "d", "f", 10, 400)),
            (1, meta(3, "g", "i", 10, 300)),
            (2, meta(4, "a", "b", 5, 1)),
        ]);
        let t = pick(&v, &opts).unwrap();
        assert_eq!(numbers(&t.inputs), vec![2]);
        assert!(t.trivial_move);
    }

    #[test]
    fn source_inputs_widen_when_free() {
        let opts = small_opts();
        // Equal ratios: file 1 (smallest keys) is chosen; L2 file 10 (a..z)
        // covers all of L1, so every L1 file joins without adding L2 inputs.
        let v = build(vec![
            (1, meta(1, "a", "c", 10, 400)),
            (1, meta(2, "e", "e", 10, 400)),
            (1, meta(3, "g", "i", 10, 400)),
            (2, meta(10, "a", "z", 5, 100)),
        ]);
        let t = pick(&v, &opts).unwrap();
        assert_eq!(numbers(&t.inputs), vec![1, 2, 3]);
        assert_eq!(numbers(&t.next_inputs), vec![10]);
        // Over max_compaction_bytes: no widening.
        let tight = CompactionOptions {
            max_compaction_bytes: 600,
            ..small_opts()
        };
        let t = pick(&v, &tight).unwrap();
        assert_eq!(numbers(&t.inputs), vec![1]);
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

    #[test]
    fn highest_score_wins() {
        let opts = small_opts();
        let v = build(vec![
            (0, meta(1, "a", "b", 10, 1)),
            (0, meta(2, "a", "b", 20, 1)),
            (0, meta(3, "a", "b", 30, 1)),
            (0, meta(4, "a", "b", 40, 1)),
            (0, meta(5, "a", "b", 50, 1)),
            (2, meta(6, "a", "b", 5, 30_000)),
        ]);
        // L0 score 1.25, L2 score 3.0.
        let t = pick(&v, &opts).unwrap();
        assert_eq!(t.level, 2);
        assert!((t.score - 3.0).abs() < 1e-9);
    }

    #[test]
    fn pending_bytes_and_pressure() {
        let mut opts = small_opts();
        let v = build(vec![
            (0, meta(1, "a", "b", 10, 100)),
            (0, meta(2, "a", "b", 20, 100)),
            (0, meta(3, "a", "b", 30, 100)),
            (0, meta(4, "a", "b", 40, 100)),
            (1, meta(5, "a", "b", 5, 900)),
            (2, meta(6, "a", "b", 1, 2600)),
        ]);
        // L0 triggered: 400 + L1 900. L1 becomes 1300 > 1000: excess 300
        // with fan-out 2600/1300 + 1 = 3 -> 900. L2 gets 2600 + 300 < 10000.
        assert_eq!(pending_compaction_bytes(&v, &opts), 400 + 900 + 900);
        assert_eq!(write_pressure(&v, &opts), WritePressure::None);
        opts.soft_pending_bytes = 2000;
        assert_eq!(write_pressure(&v, &opts), WritePressure::Slowdown);
        opts.hard_pending_bytes = 2200;
        assert_eq!(write_pressure(&v, &opts), WritePressure::Stop);
        let opts = CompactionOptions {
            l0_slowdown_trigger: 4,
            ..small_opts()
        };
        assert_eq!(write_pressure(&v, &opts), WritePressure::Slowdown);
        let opts = CompactionOptions {
            l0_stop_trigger: 4,
            ..small_opts()
        };
        assert_eq!(write_pressure(&v, &opts), WritePressure::Stop);
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
            flushes in proptest::collection::vec((0u8..26, 0u8..26, 0u8..10, 1u64..400), 1..60)
        ) {
            let opts = CompactionOptions {
                l0_compaction_trigger: 2,
                base_level_bytes: 500,
                level_multiplier: 3,
                max_compaction_bytes: 3000,
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
                    prop_assert_eq!(t.output_level, t.level + 1);
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
