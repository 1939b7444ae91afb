//! Manual compaction tasks (`Db::compact_range`). Pure, like the picker.

use std::sync::Arc;

use super::CompactionTask;
use crate::manifest::{FileMeta, Version, NUM_LEVELS};

fn user_range(files: &[Arc<FileMeta>]) -> Option<(Vec<u8>, Vec<u8>)> {
    let lo = files.iter().map(|f| f.smallest_user_key()).min()?;
    let hi = files.iter().map(|f| f.largest_user_key()).max()?;
    Some((lo.to_vec(), hi.to_vec()))
}

/// A task that rewrites every file of `level` overlapping the user-key range
/// `[begin, end]` (`None` = unbounded) into `level + 1`, with the overlapping
/// files of `level + 1`. Never a trivial move: the point is to rewrite (and
/// drop obsolete versions and tombstones). `None` if nothing overlaps.
pub fn manual_task(
    version: &Version,
    level: usize,
    begin: Option<&[u8]>,
    end: Option<&[u8]>,
) -> Option<CompactionTask> {
    if level + 1 >= NUM_LEVELS {
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
    let next_inputs = version.overlapping_files(level + 1, &s, &l);
    let (s, l) = match user_range(&next_inputs) {
        Some((ns, nl)) => (s.min(ns), l.max(nl)),
        None => (s, l),
    };
    let bottommost =
        ((level + 2)..NUM_LEVELS).all(|d| version.overlapping_files(d, &s, &l).is_empty());
    let grandparents = if level + 2 < NUM_LEVELS {
        version.overlapping_files(level + 2, &s, &l)
    } else {
        Vec::new()
    };
    Some(CompactionTask {
        level,
        output_level: level + 1,
        inputs,
        next_inputs,
        grandparents,
        trivial_move: false,
        bottommost,
        score: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::VersionEdit;

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
        let t = manual_task(&v, 1, Some(b"a"), Some(b"b")).expect("overlap");
        assert_eq!(t.inputs.iter().map(|f| f.number).collect::<Vec<_>>(), [1]);
        assert_eq!(
            t.next_inputs.iter().map(|f| f.number).collect::<Vec<_>>(),
            [3]
        );
        assert!(t.bottommost && !t.trivial_move);
        let all = manual_task(&v, 1, None, None).expect("overlap");
        assert_eq!(all.inputs.len(), 2);
        assert_eq!(all.next_inputs.len(), 1);
        assert!(manual_task(&v, 1, Some(b"q"), Some(b"r")).is_none());
        assert!(manual_task(&v, 3, None, None).is_none());
    }
}
