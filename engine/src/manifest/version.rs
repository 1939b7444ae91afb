//! [`Version`]: an immutable snapshot of the live table files, by level.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use crate::key::compare_internal;
use crate::manifest::{BlobSet, FileMeta, VersionEdit, NUM_LEVELS};
use crate::{Error, Result};

/// The set of live table files, by level. Immutable: [`Version::apply`]
/// returns a new `Version` sharing the unchanged [`FileMeta`]s.
///
/// Invariants (kept by `apply`):
/// - L0 is ordered newest first: `largest_seq` descending, then file number
///   descending. L0 files may overlap.
/// - Every level `>= 1` is sorted by smallest key and its files' user-key
///   ranges are disjoint (no user key spans two files of one level).
/// - A file number appears at most once in the whole version, tables and
///   blob files together.
/// - Every blob file a table's references name is in `blobs`, and a blob file
///   leaves `blobs` only once all of its records are garbage.
#[derive(Clone, PartialEq, Eq)]
pub struct Version {
    /// `levels[n]` holds the files of level `n`; always `NUM_LEVELS` entries.
    pub levels: Vec<Vec<Arc<FileMeta>>>,
    /// Live blob files and the blob files each table points into.
    pub blobs: BlobSet,
}

impl Default for Version {
    fn default() -> Self {
        Version::new()
    }
}

/// The L0 order: newest first.
fn l0_order(a: &Arc<FileMeta>, b: &Arc<FileMeta>) -> Ordering {
    b.largest_seq
        .cmp(&a.largest_seq)
        .then(b.number.cmp(&a.number))
}

impl Version {
    /// An empty version: `NUM_LEVELS` empty levels.
    pub fn new() -> Version {
        Version {
            levels: vec![Vec::new(); NUM_LEVELS],
            blobs: BlobSet::default(),
        }
    }

    /// The files of `level` in level order (empty for `level >= NUM_LEVELS`).
    pub fn files(&self, level: usize) -> &[Arc<FileMeta>] {
        self.levels.get(level).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Applies `edit` to a copy of this version. Errors are reported as
    /// corruption of `"MANIFEST"` at offset 0; use [`Version::apply_at`] to
    /// name the record being replayed.
    pub fn apply(&self, edit: &VersionEdit) -> Result<Version> {
        self.apply_at(edit, "MANIFEST", 0)
    }

    /// Applies `edit` to a copy of this version: deletions first, then
    /// additions.
    ///
    /// Returns [`Error::Corruption`] naming `file`/`offset` if the edit
    /// deletes a file the level does not hold, adds a file number already
    /// live, names a level `>= NUM_LEVELS`, or would make two files of a
    /// level `>= 1` overlap.
    pub fn apply_at(&self, edit: &VersionEdit, file: &str, offset: u64) -> Result<Version> {
        let corrupt = |reason: String| Error::corruption(file, offset, reason);
        let mut levels = self.levels.clone();
        levels.resize(NUM_LEVELS, Vec::new());
        let mut dirty = [false; NUM_LEVELS];

        for &(level, number) in &edit.deleted_files {
            let files = levels.get_mut(level).ok_or_else(|| {
                corrupt(format!("deleted file {number} at invalid level {level}"))
            })?;
            let pos = files
                .iter()
                .position(|f| f.number == number)
                .ok_or_else(|| {
                    corrupt(format!(
                    "edit deletes file {number:06}.sst from level {level}, which does not hold it"
                ))
                })?;
            files.remove(pos);
        }

        if !edit.new_files.is_empty() {
            let mut live: HashSet<u64> = levels.iter().flatten().map(|f| f.number).collect();
            for (level, meta) in &edit.new_files {
                if *level >= NUM_LEVELS {
                    return Err(corrupt(format!(
                        "new file {:06}.sst at invalid level {level}",
                        meta.number
                    )));
                }
                if !live.insert(meta.number) || self.blobs.files.contains_key(&meta.number) {
                    return Err(corrupt(format!(
                        "edit adds file {:06}.sst, whose number is already live",
                        meta.number
                    )));
                }
                let (Some(files), Some(dirty)) = (levels.get_mut(*level), dirty.get_mut(*level))
                else {
                    return Err(corrupt(format!(
                        "new file {:06}.sst at invalid level {level}",
                        meta.number
                    )));
                };
                files.push(Arc::new(meta.clone()));
                *dirty = true;
            }
        }

        for ((level, files), dirty) in levels.iter_mut().enumerate().zip(dirty) {
            if !dirty {
                continue;
            }
            if level == 0 {
                files.sort_by(l0_order);
                continue;
            }
            files.sort_by(|a, b| compare_internal(&a.smallest, &b.smallest));
            for pair in files.windows(2) {
                if let [a, b] = pair {
                    if a.largest_user_key() >= b.smallest_user_key() {
                        return Err(corrupt(format!(
                            "files {:06}.sst and {:06}.sst overlap in level {level}",
                            a.number, b.number
                        )));
                    }
                }
            }
        }
        let blobs = if self.blobs == BlobSet::default()
            && edit.new_blob_files.is_empty()
            && edit.table_blob_refs.is_empty()
            && edit.blob_garbage.is_empty()
            && edit.deleted_blob_files.is_empty()
        {
            BlobSet::default()
        } else {
            let live: HashSet<u64> = levels.iter().flatten().map(|f| f.number).collect();
            self.blobs.apply(edit, |n| live.contains(&n), corrupt)?
        };
        Ok(Version { levels, blobs })
    }

    /// Files of `level` whose user-key range intersects
    /// `[smallest_user, largest_user]`, in level order.
    ///
    /// For L0 the range is widened transitively: a file that overlaps the
    /// range and extends past it widens the range, so the result is closed
    /// (no other L0 file overlaps the union of the returned ranges).
    pub fn overlapping_files(
        &self,
        level: usize,
        smallest_user: &[u8],
        largest_user: &[u8],
    ) -> Vec<Arc<FileMeta>> {
        let files = self.files(level);
        let mut out = Vec::new();
        if level == 0 {
            let (mut lo, mut hi) = (smallest_user, largest_user);
            let mut i = 0;
            while let Some(f) = files.get(i) {
                i += 1;
                if !f.overlaps(lo, hi) {
                    continue;
                }
                let (fs, fl) = (f.smallest_user_key(), f.largest_user_key());
                if fs < lo || fl > hi {
                    lo = lo.min(fs);
                    hi = hi.max(fl);
                    out.clear();
                    i = 0;
                    continue;
                }
                out.push(Arc::clone(f));
            }
        } else {
            let start = files.partition_point(|f| f.largest_user_key() < smallest_user);
            out.extend(
                files
                    .get(start..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|f| f.smallest_user_key() <= largest_user)
                    .cloned(),
            );
        }
        out
    }

    /// Calls `f(level, file)` for each file a point read of `user_key` must
    /// check, in the order it must check them, until `f` returns `false`:
    /// every L0 file whose range contains the key (newest first), then at
    /// most one file per deeper level (found by binary search).
    /// Allocates nothing.
    pub fn for_each_file_for_get(
        &self,
        user_key: &[u8],
        mut f: impl FnMut(usize, &Arc<FileMeta>) -> bool,
    ) {
        for file in self.files(0) {
            if file.contains_user_key(user_key) && !f(0, file) {
                return;
            }
        }
        for (level, files) in self.levels.iter().enumerate().skip(1) {
            let i = files.partition_point(|x| x.largest_user_key() < user_key);
            if let Some(file) = files.get(i) {
                if file.smallest_user_key() <= user_key && !f(level, file) {
                    return;
                }
            }
        }
    }

    /// The files a point read of `user_key` must check, in order; see
    /// [`Version::for_each_file_for_get`], which avoids the allocation.
    pub fn files_for_get(&self, user_key: &[u8]) -> Vec<(usize, Arc<FileMeta>)> {
        let mut out = Vec::new();
        self.for_each_file_for_get(user_key, |level, f| {
            out.push((level, Arc::clone(f)));
            true
        });
        out
    }

    /// Total size in bytes of the files of `level`.
    pub fn level_bytes(&self, level: usize) -> u64 {
        self.files(level).iter().map(|f| f.size).sum()
    }

    /// Number of files in `level`.
    pub fn num_files(&self, level: usize) -> usize {
        self.files(level).len()
    }

    /// Number of files in all levels.
    pub fn total_files(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }

    /// Numbers of every live file, ascending.
    pub fn all_file_numbers(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.levels.iter().flatten().map(|f| f.number).collect();
        v.sort_unstable();
        v
    }

    /// Numbers of every live blob file, ascending.
    pub fn blob_file_numbers(&self) -> Vec<u64> {
        self.blobs.files.keys().copied().collect()
    }

    /// An edit adding every file of this version (and nothing else): the
    /// base record of a fresh MANIFEST. The caller sets the counters.
    pub fn to_edit(&self) -> VersionEdit {
        let mut edit = VersionEdit {
            new_files: self
                .levels
                .iter()
                .enumerate()
                .flat_map(|(level, files)| files.iter().map(move |f| (level, (**f).clone())))
                .collect(),
            ..VersionEdit::default()
        };
        self.blobs.add_to_edit(&mut edit);
        edit
    }
}

/// Formats a byte count with a binary unit, e.g. `12.3 MiB`.
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS.get(u).unwrap_or(&"B"))
    }
}

/// One line per level: `L0: 3 files, 12.3 MiB`.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (level, files) in self.levels.iter().enumerate() {
            let bytes: u64 = files.iter().map(|x| x.size).sum();
            writeln!(f, "L{level}: {} files, {}", files.len(), human_bytes(bytes))?;
        }
        if !self.blobs.files.is_empty() {
            let live: u64 = self.blobs.files.values().map(|b| b.live_bytes()).sum();
            let all: u64 = self.blobs.files.values().map(|b| b.meta.record_bytes).sum();
            writeln!(
                f,
                "blob files: {}, {} live of {}",
                self.blobs.files.len(),
                human_bytes(live),
                human_bytes(all)
            )?;
        }
        Ok(())
    }
}

/// The level summary followed by each file: number, size and user-key range.
impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (level, files) in self.levels.iter().enumerate() {
            let bytes: u64 = files.iter().map(|x| x.size).sum();
            write!(f, "L{level} ({} files, {bytes} B):", files.len())?;
            for x in files {
                write!(
                    f,
                    " {}[{:?}..{:?}]",
                    x.number,
                    String::from_utf8_lossy(x.smallest_user_key()),
                    String::from_utf8_lossy(x.largest_user_key())
                )?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testutil::file_meta as meta;

    fn add(v: &Version, files: Vec<(usize, FileMeta)>) -> Version {
        v.apply(&VersionEdit {
            new_files: files,
            ..Default::default()
        })
        .expect("apply")
    }

    fn numbers(files: &[Arc<FileMeta>]) -> Vec<u64> {
        files.iter().map(|f| f.number).collect()
    }

    #[test]
    fn apply_orders_levels() {
        let v = add(
            &Version::new(),
            vec![
                (0, meta(1, "a", "z", 10, 100)),
                (0, meta(3, "a", "z", 30, 100)),
                (0, meta(2, "a", "z", 30, 100)),
                (0, meta(4, "a", "z", 20, 100)),
                (1, meta(5, "m", "p", 5, 10)),
                (1, meta(6, "a", "c", 5, 20)),
                (1, meta(7, "x", "y", 5, 30)),
            ],
        );
        assert_eq!(numbers(&v.levels[0]), vec![3, 2, 4, 1]);
        assert_eq!(numbers(&v.levels[1]), vec![6, 5, 7]);
        assert_eq!(v.level_bytes(1), 60);
        assert_eq!(v.num_files(0), 4);
        assert_eq!(v.total_files(), 7);
        assert_eq!(v.all_file_numbers(), vec![1, 2, 3, 4, 5, 6, 7]);
        assert!(v.to_string().contains("L1: 3 files, 60 B"));

        // to_edit rebuilds the same version from scratch.
        assert_eq!(Version::new().apply(&v.to_edit()).unwrap(), v);

        // Deletion, then re-adding a file at a deeper level (a trivial move).
        let moved = v
            .apply(&VersionEdit {
                deleted_files: vec![(1, 5)],
                new_files: vec![(2, meta(5, "m", "p", 5, 10))],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(numbers(&moved.levels[1]), vec![6, 7]);
        assert_eq!(numbers(&moved.levels[2]), vec![5]);
        // The original is unchanged.
        assert_eq!(numbers(&v.levels[1]), vec![6, 5, 7]);
    }

    #[test]
    fn apply_rejects_bad_edits() {
        let v = add(&Version::new(), vec![(1, meta(1, "c", "f", 5, 1))]);
        let cases = [
            VersionEdit {
                deleted_files: vec![(2, 1)],
                ..Default::default()
            },
            VersionEdit {
                new_files: vec![(3, meta(1, "x", "y", 5, 1))],
                ..Default::default()
            },
            VersionEdit {
                new_files: vec![(1, meta(2, "f", "g", 5, 1))],
                ..Default::default()
            },
            VersionEdit {
                new_files: vec![(1, meta(2, "a", "c", 5, 1))],
                ..Default::default()
            },
            VersionEdit {
                new_files: vec![(1, meta(2, "a", "z", 5, 1))],
                ..Default::default()
            },
            VersionEdit {
                new_files: vec![(9, meta(2, "a", "z", 5, 1))],
                ..Default::default()
            },
        ];
        for e in &cases {
            let err = v.apply_at(e, "MANIFEST-000004", 77).unwrap_err();
            match err {
                Error::Corruption { file, offset, .. } => {
                    assert_eq!((file.as_str(), offset), ("MANIFEST-000004", 77))
                }
                other => panic!("{e:?}: expected corruption, got {other:?}"),
            }
        }
        // Overlap is fine in L0, and adjacent-but-disjoint is fine in L1.
        add(&v, vec![(0, meta(2, "a", "z", 5, 1))]);
        add(&v, vec![(1, meta(2, "f\0", "g", 5, 1))]);
    }

    #[test]
    fn files_for_get_order() {
        let v = add(
            &Version::new(),
            vec![
                (0, meta(10, "a", "m", 100, 1)),
                (0, meta(11, "k", "z", 200, 1)),
                (0, meta(12, "n", "p", 300, 1)),
                (1, meta(20, "a", "f", 50, 1)),
                (1, meta(21, "g", "l", 50, 1)),
                (2, meta(30, "a", "k", 10, 1)),
                (2, meta(31, "l", "z", 10, 1)),
                (3, meta(40, "x", "z", 5, 1)),
            ],
        );
        let got: Vec<(usize, u64)> = v
            .files_for_get(b"l")
            .iter()
            .map(|(l, f)| (*l, f.number))
            .collect();
        assert_eq!(got, vec![(0, 11), (0, 10), (1, 21), (2, 31)]);
        let got: Vec<(usize, u64)> = v
            .files_for_get(b"fz")
            .iter()
            .map(|(l, f)| (*l, f.number))
            .collect();
        assert_eq!(got, vec![(0, 10), (2, 30)]);
        assert!(v.files_for_get(b"zz").is_empty());
        assert!(v.files_for_get(b"").is_empty());
        // Early stop.
        let mut seen = 0;
        v.for_each_file_for_get(b"l", |_, _| {
            seen += 1;
            seen < 2
        });
        assert_eq!(seen, 2);
    }

    #[test]
    fn overlapping_files_levels_and_l0_expansion() {
        let v = add(
            &Version::new(),
            vec![
                (0, meta(1, "a", "c", 10, 1)),
                (0, meta(2, "b", "e", 20, 1)),
                (0, meta(3, "d", "g", 30, 1)),
                (0, meta(4, "x", "z", 40, 1)),
                (1, meta(5, "a", "b", 5, 1)),
                (1, meta(6, "c", "d", 5, 1)),
                (1, meta(7, "e", "f", 5, 1)),
                (1, meta(8, "g", "h", 5, 1)),
            ],
        );
        // L0: "a".."a" pulls in 1, which pulls in 2 (b..e), which pulls in 3.
        let mut got = numbers(&v.overlapping_files(0, b"a", b"a"));
        got.sort();
        assert_eq!(got, vec![1, 2, 3]);
        assert_eq!(numbers(&v.overlapping_files(0, b"y", b"y")), vec![4]);
        assert!(v.overlapping_files(0, b"h", b"w").is_empty());
        // Deeper levels: plain intersection, inclusive bounds.
        assert_eq!(numbers(&v.overlapping_files(1, b"b", b"e")), vec![5, 6, 7]);
        assert_eq!(
            numbers(&v.overlapping_files(1, b"bb", b"bc")),
            Vec::<u64>::new()
        );
        assert_eq!(numbers(&v.overlapping_files(1, b"h", b"zz")), vec![8]);
        assert_eq!(numbers(&v.overlapping_files(1, b"", b"a")), vec![5]);
        assert!(v.overlapping_files(6, b"", b"zzz").is_empty());
        assert!(v.overlapping_files(99, b"", b"zzz").is_empty());
    }
}
