//! Manual compaction tasks (`Db::compact_range`). Pure, like the picker.

use super::picker::user_range;
use super::{level_targets, CompactionOptions, CompactionTask};
use crate::manifest::{Version, NUM_LEVELS};

/// A task that rewrites every file of `level` overlapping the user-key range
/// `[begin, end]` (`None` = unbounded) into `output_level`, with the
/// overlapping files of `output_level`. Never a trivial move: the point is
/// to rewrite (and drop obsolete versions and tombstones). `None` if nothing
/// overlaps, or if the levels are not `level < output_level < NUM_LEVELS`.
///
/// REQUIRES: every level strictly between `level` and `output_level` holds
/// no file overlapping the compacted range ([`manual_output_level`] picks
/// such a level), so no newer data is moved below older data.
pub fn manual_task(
    version: &Version,
    level: usize,
    output_level: usize,
    begin: Option<&[u8]>,
    end: Option<&[u8]>,
) -> Option<CompactionTask> {
    if level >= output_level || output_level >= NUM_LEVELS {
        return None;
    }
    let (all_lo, all_hi) = user_range(version.files(level))?;
    let lo = begin.map_or(all_lo, <[u8]>::to_vec);
    let hi = end.map_or(all_hi, <[u8]>::to_vec);
    if lo > hi {
        return None;
    }
    let inputs = version.overlapping_files(level, &lo, &hi);
    let (s, l) = user_range(&inputs)?;
    let next_inputs = version.overlapping_files(output_level, &s, &l);
    let (s, l) = match user_range(&next_inputs) {
        Some((ns, nl)) => (s.min(ns), l.max(nl)),
        None => (s, l),
    };
    let bottommost =
        ((output_level + 1)..NUM_LEVELS).all(|d| version.overlapping_files(d, &s, &l).is_empty());
    let grandparents = if output_level + 1 < NUM_LEVELS {
        version.overlapping_files(output_level + 1, &s, &l)
    } else {
        Vec::new()
    };
    Some(CompactionTask {
        level,
        output_level,
        inputs,
        next_inputs,
        grandparents,
        trivial_move: false,
        bottommost,
        score: 0.0,
    })
}

/// Where a manual compaction of `level` writes: the next level below it
/// that holds any file; if none does, where the picker would send it
/// ([`super::LevelTargets::output_level`]: for L0 the base level, which is the
/// last level of an empty tree under dynamic sizing). Skipping empty levels
/// keeps `compact_range` from rewriting the data once per empty level
/// between L0 and the data below (dynamic level sizing leaves the levels
/// above the base level empty).
pub fn manual_output_level(version: &Version, level: usize, opts: &CompactionOptions) -> usize {
    (level + 1..NUM_LEVELS)
        .find(|&l| version.num_files(l) > 0)
        .unwrap_or_else(|| level_targets(version, opts).output_level(level))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{FileMeta, VersionEdit};

    fn file(number: u64, lo: &str, hi: &str) -> FileMeta {
        crate::testutil::file_meta(number, lo, hi, 2, 100)
    }

    #[test]
    fn takes_overlapping_files_and_their_next_level_overlap() {
        let mut e = VersionEdit::default();
        e.new_files.push((1, file(1, "a", "c")));
        e.new_files.push((1, file(2, "m", "p")));
        e.new_files.push((2, file(3, "b", "d")));
        e.new_files.push((2, file(4, "x", "z")));
        let v = Version::new().apply(&e).expect("valid edit");
        let t = manual_task(&v, 1, 2, Some(b"a"), Some(b"b")).expect("overlap");
        assert_eq!(t.inputs.iter().map(|f| f.number).collect::<Vec<_>>(), [1]);
        assert_eq!(
            t.next_inputs.iter().map(|f| f.number).collect::<Vec<_>>(),
            [3]
        );
        assert!(t.bottommost && !t.trivial_move);
        let all = manual_task(&v, 1, 2, None, None).expect("overlap");
        assert_eq!(all.inputs.len(), 2);
        assert_eq!(all.next_inputs.len(), 1);
        assert!(manual_task(&v, 1, 2, Some(b"q"), Some(b"r")).is_none());
        assert!(manual_task(&v, 3, 4, None, None).is_none());
        assert!(manual_task(&v, 1, 1, None, None).is_none());
        assert!(manual_task(&v, 1, NUM_LEVELS, None, None).is_none());
    }

    #[test]
    fn output_level_skips_empty_levels() {
        let mut e = VersionEdit::default();
        e.new_files.push((0, file(1, "a", "c")));
        e.new_files.push((4, file(2, "a", "c")));
        e.new_files.push((6, file(3, "a", "c")));
        let v = Version::new().apply(&e).expect("valid edit");
        let stat = CompactionOptions {
            dynamic_level_bytes: false,
            ..CompactionOptions::default()
        };
        let dynamic = CompactionOptions {
            dynamic_level_bytes: true,
            ..CompactionOptions::default()
        };
        assert_eq!(manual_output_level(&v, 0, &stat), 4);
        assert_eq!(manual_output_level(&v, 4, &stat), 6);
        let t = manual_task(&v, 4, manual_output_level(&v, 4, &stat), None, None).expect("task");
        assert_eq!((t.level, t.output_level), (4, 6));
        assert!(t.bottommost);
        // Nothing below L0: L1, or under dynamic sizing the last level.
        let only_l0 = Version::new()
            .apply(&VersionEdit {
                new_files: vec![(0, file(1, "a", "c"))],
                ..VersionEdit::default()
            })
            .expect("valid edit");
        assert_eq!(manual_output_level(&only_l0, 0, &stat), 1);
        assert_eq!(manual_output_level(&only_l0, 0, &dynamic), NUM_LEVELS - 1);
    }
}
