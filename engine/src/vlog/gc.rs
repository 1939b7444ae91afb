//! Spec: format-spec/value-log.md#garbage-collection
//!
//! Blob garbage collection decisions. Pure: they look at a
//! [`Version`] and perform no I/O, like the compaction picker.
//!
//! A blob file is a *candidate* once less than
//! [`BlobOptions::gc_live_fraction`] of its record bytes are live. Every
//! compaction that reads an entry pointing into a candidate copies the value
//! to a new blob file and points the entry there (same key, same sequence
//! number), adding the old record to the candidate's garbage; when every
//! record is garbage the file leaves the version. When no regular compaction
//! is due, [`pick_gc`] chooses one table that points into the emptiest
//! candidate and rewrites it in its own level, so a candidate is emptied even
//! if the tables pointing into it are not compacted for a long time. Live
//! values in files above the threshold are never copied.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::compaction::CompactionTask;
use crate::manifest::Version;

use super::BlobOptions;

/// Blob files of `version` worth rewriting: live fraction below the
/// threshold. Ascending by number.
pub fn gc_candidates(version: &Version, opts: &BlobOptions) -> BTreeSet<u64> {
    version
        .blobs
        .files
        .values()
        .filter(|s| s.live_fraction() < opts.gc_live_fraction)
        .map(|s| s.meta.number)
        .collect()
}

/// A compaction that rewrites, in its own level, one table pointing into the
/// candidate with the smallest live fraction (ties: the lower file number);
/// the table is the one in the shallowest level, then with the lowest
/// number. `None` if no candidate is pointed into by any table, or
/// [`BlobOptions::background_gc`] is off.
pub fn pick_gc(version: &Version, opts: &BlobOptions) -> Option<CompactionTask> {
    if !opts.background_gc {
        return None;
    }
    let mut candidates: Vec<_> = version
        .blobs
        .files
        .values()
        .filter(|s| s.live_fraction() < opts.gc_live_fraction)
        .collect();
    candidates.sort_by(|a, b| {
        a.live_fraction()
            .total_cmp(&b.live_fraction())
            .then(a.meta.number.cmp(&b.meta.number))
    });
    for c in candidates {
        let tables: BTreeSet<u64> = version.blobs.tables_referencing(c.meta.number).collect();
        if tables.is_empty() {
            continue;
        }
        for (level, files) in version.levels.iter().enumerate() {
            if let Some(f) = files.iter().find(|f| tables.contains(&f.number)) {
                return Some(CompactionTask {
                    level,
                    output_level: level,
                    inputs: vec![Arc::clone(f)],
                    next_inputs: Vec::new(),
                    grandparents: Vec::new(),
                    trivial_move: false,
                    // Tombstones stay: deeper levels are not looked at.
                    bottommost: false,
                    score: 0.0,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{BlobFileMeta, BlobGarbage, TableBlobRefs, VersionEdit};
    use crate::testutil::file_meta;

    fn blob(number: u64) -> BlobFileMeta {
        BlobFileMeta {
            number,
            records: 10,
            record_bytes: 1000,
            size: 1012,
        }
    }

    fn version() -> Version {
        Version::new()
            .apply(&VersionEdit {
                new_files: vec![
                    (0, file_meta(1, "a", "c", 20, 100)),
                    (2, file_meta(2, "a", "m", 10, 100)),
                    (1, file_meta(3, "n", "z", 12, 100)),
                ],
                new_blob_files: vec![blob(4), blob(5), blob(6)],
                blob_garbage: vec![
                    BlobGarbage {
                        number: 4,
                        records: 6,
                        record_bytes: 600,
                    },
                    BlobGarbage {
                        number: 5,
                        records: 8,
                        record_bytes: 800,
                    },
                    BlobGarbage {
                        number: 6,
                        records: 5,
                        record_bytes: 500,
                    },
                ],
                table_blob_refs: vec![
                    TableBlobRefs {
                        table: 2,
                        blobs: vec![4, 5],
                    },
                    TableBlobRefs {
                        table: 3,
                        blobs: vec![5],
                    },
                    TableBlobRefs {
                        table: 1,
                        blobs: vec![6],
                    },
                ],
                ..VersionEdit::default()
            })
            .expect("valid edit")
    }

    #[test]
    fn candidates_are_below_the_threshold() {
        let v = version();
        let opts = BlobOptions::default();
        assert_eq!(gc_candidates(&v, &opts), BTreeSet::from([4, 5]));
        let off = BlobOptions {
            gc_live_fraction: 0.0,
            ..opts.clone()
        };
        assert!(gc_candidates(&v, &off).is_empty());
        assert!(pick_gc(&v, &off).is_none());
        // Without background GC the picker chooses nothing, but compactions
        // still collect the same candidates.
        let foreground = BlobOptions {
            background_gc: false,
            ..opts.clone()
        };
        assert!(pick_gc(&v, &opts).is_some());
        assert!(pick_gc(&v, &foreground).is_none());
        assert_eq!(gc_candidates(&v, &foreground), gc_candidates(&v, &opts));
    }

    #[test]
    fn picks_the_emptiest_candidate_in_its_shallowest_table() {
        let t = pick_gc(&version(), &BlobOptions::default()).expect("a task");
        // Blob 5 (20% live) before blob 4 (40%); tables 2 (L2) and 3 (L1)
        // point into it; L1 is shallower.
        assert_eq!((t.level, t.output_level), (1, 1));
        assert_eq!(t.inputs.len(), 1);
        assert_eq!(t.inputs[0].number, 3);
        assert!(t.next_inputs.is_empty() && !t.trivial_move && !t.bottommost);
    }

    #[test]
    fn a_candidate_no_table_points_into_is_skipped() {
        let v = version()
            .apply(&VersionEdit {
                deleted_files: vec![(1, 3), (2, 2)],
                ..VersionEdit::default()
            })
            .expect("valid edit");
        assert!(pick_gc(&v, &BlobOptions::default()).is_none());
    }
}
