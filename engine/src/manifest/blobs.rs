//! Spec: format-spec/manifest.md (tags 8–11) and
//! format-spec/value-log.md#garbage-accounting
//!
//! The blob files a [`crate::manifest::Version`] holds, the garbage counted
//! against each, and which blob files each table points into: the payloads
//! of MANIFEST tags 8 (new blob file), 9 (blob garbage), 10 (deleted blob
//! file) and 11 (table blob references), and [`BlobSet`], the state they
//! build.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use crate::coding::{put_varint32, put_varint64, Decoder};
use crate::vlog::format::{FILE_HEADER_LEN, RECORD_HEADER_LEN};
use crate::{Error, Result};

use super::VersionEdit;

/// A blob file joining the database (tag 8): what its referenced records
/// add up to when it is registered.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobFileMeta {
    /// The file is `{number:06}.blob`.
    pub number: u64,
    /// Records that table entries point to.
    pub records: u64,
    /// Bytes of those records (headers, keys and values).
    pub record_bytes: u64,
    /// The prefix of the file the database reads: up to the end of the last
    /// referenced record. Bytes after it (an append a crash cut short) are
    /// ignored.
    pub size: u64,
}

/// Records of a blob file that no table entry points to any more (tag 9),
/// added to what earlier edits counted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobGarbage {
    /// The blob file.
    pub number: u64,
    /// Records that became garbage.
    pub records: u64,
    /// Their bytes.
    pub record_bytes: u64,
}

/// The blob files one new table points into (tag 11), strictly ascending.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableBlobRefs {
    /// The table's file number.
    pub table: u64,
    /// Blob file numbers, strictly ascending, at least one.
    pub blobs: Vec<u64>,
}

impl BlobFileMeta {
    pub(super) fn encode(&self, dst: &mut Vec<u8>) {
        put_varint64(dst, self.number);
        put_varint64(dst, self.records);
        put_varint64(dst, self.record_bytes);
        put_varint64(dst, self.size);
    }

    pub(super) fn decode(d: &mut Decoder<'_>) -> std::result::Result<BlobFileMeta, &'static str> {
        let number = d.varint64().ok_or("truncated blob file number")?;
        let records = d.varint64().ok_or("truncated blob record count")?;
        let record_bytes = d.varint64().ok_or("truncated blob record bytes")?;
        let size = d.varint64().ok_or("truncated blob file size")?;
        if records
            .checked_mul(RECORD_HEADER_LEN as u64)
            .is_none_or(|min| min > record_bytes)
        {
            return Err("blob record bytes smaller than the headers of its records");
        }
        if record_bytes
            .checked_add(FILE_HEADER_LEN as u64)
            .is_none_or(|min| min > size)
        {
            return Err("blob file size smaller than its header and records");
        }
        Ok(BlobFileMeta {
            number,
            records,
            record_bytes,
            size,
        })
    }
}

impl BlobGarbage {
    pub(super) fn encode(&self, dst: &mut Vec<u8>) {
        put_varint64(dst, self.number);
        put_varint64(dst, self.records);
        put_varint64(dst, self.record_bytes);
    }

    pub(super) fn decode(d: &mut Decoder<'_>) -> std::result::Result<BlobGarbage, &'static str> {
        Ok(BlobGarbage {
            number: d.varint64().ok_or("truncated blob file number")?,
            records: d.varint64().ok_or("truncated garbage record count")?,
            record_bytes: d.varint64().ok_or("truncated garbage bytes")?,
        })
    }
}

impl TableBlobRefs {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a table references at most one blob file per entry; far below 2^32"
    )]
    pub(super) fn encode(&self, dst: &mut Vec<u8>) {
        put_varint64(dst, self.table);
        put_varint32(dst, self.blobs.len() as u32);
        for b in &self.blobs {
            put_varint64(dst, *b);
        }
    }

    pub(super) fn decode(d: &mut Decoder<'_>) -> std::result::Result<TableBlobRefs, &'static str> {
        let table = d.varint64().ok_or("truncated table number")?;
        let n = d.varint32().ok_or("truncated blob reference count")?;
        if n == 0 {
            return Err("table blob references list no blob file");
        }
        let mut blobs = Vec::new();
        for _ in 0..n {
            let b = d.varint64().ok_or("truncated blob reference")?;
            if blobs.last().is_some_and(|&prev| prev >= b) {
                return Err("table blob references not strictly ascending");
            }
            blobs.push(b);
        }
        Ok(TableBlobRefs { table, blobs })
    }
}

/// One live blob file: as registered, plus the garbage counted since.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobFileState {
    /// What the file held when registered.
    pub meta: BlobFileMeta,
    /// Records no entry points to any more.
    pub garbage_records: u64,
    /// Their bytes.
    pub garbage_bytes: u64,
}

impl BlobFileState {
    /// Bytes of records some entry still points to.
    pub fn live_bytes(&self) -> u64 {
        self.meta.record_bytes.saturating_sub(self.garbage_bytes)
    }

    /// Records some entry still points to.
    pub fn live_records(&self) -> u64 {
        self.meta.records.saturating_sub(self.garbage_records)
    }

    /// `live_bytes / record_bytes` (1 for a file without record bytes).
    pub fn live_fraction(&self) -> f64 {
        if self.meta.record_bytes == 0 {
            return 1.0;
        }
        self.live_bytes() as f64 / self.meta.record_bytes as f64
    }

    /// True once every record is garbage: no entry points into the file.
    pub fn is_all_garbage(&self) -> bool {
        self.garbage_records >= self.meta.records
    }
}

/// The blob side of a version: live blob files by number, and the blob files
/// each live table points into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlobSet {
    /// Live blob files by number.
    pub files: BTreeMap<u64, Arc<BlobFileState>>,
    /// For each live table that points into blob files: their numbers,
    /// ascending.
    pub table_refs: BTreeMap<u64, Arc<[u64]>>,
}

impl BlobSet {
    /// True if the edit touches no blob file and no table reference.
    fn untouched_by(edit: &VersionEdit) -> bool {
        edit.new_blob_files.is_empty()
            && edit.blob_garbage.is_empty()
            && edit.deleted_blob_files.is_empty()
            && edit.table_blob_refs.is_empty()
    }

    /// Applies the blob fields of `edit`, whose table changes are already
    /// applied: `is_live_table` says which table numbers the new version
    /// holds. Order: new blob files, garbage, table references, deleted blob
    /// files; then references of tables the edit deleted are dropped (a
    /// table moved to another level keeps them). `corrupt` builds the error
    /// for a violated rule (format-spec/manifest.md, "Applying an edit").
    pub(super) fn apply(
        &self,
        edit: &VersionEdit,
        is_live_table: impl Fn(u64) -> bool,
        corrupt: impl Fn(String) -> Error,
    ) -> Result<BlobSet> {
        let mut next = self.clone();
        for &(_, number) in &edit.deleted_files {
            if !is_live_table(number) {
                next.table_refs.remove(&number);
            }
        }
        if BlobSet::untouched_by(edit) {
            return Ok(next);
        }
        for meta in &edit.new_blob_files {
            if next.files.contains_key(&meta.number) || is_live_table(meta.number) {
                return Err(corrupt(format!(
                    "edit adds blob file {:06}.blob, whose number is already live",
                    meta.number
                )));
            }
            next.files.insert(
                meta.number,
                Arc::new(BlobFileState {
                    meta: meta.clone(),
                    garbage_records: 0,
                    garbage_bytes: 0,
                }),
            );
        }
        for g in &edit.blob_garbage {
            let Some(state) = next.files.get_mut(&g.number) else {
                return Err(corrupt(format!(
                    "edit counts garbage in blob file {:06}.blob, which is not live",
                    g.number
                )));
            };
            let s = Arc::make_mut(state);
            let records = s.garbage_records.checked_add(g.records);
            let bytes = s.garbage_bytes.checked_add(g.record_bytes);
            match (records, bytes) {
                (Some(r), Some(b)) if r <= s.meta.records && b <= s.meta.record_bytes => {
                    s.garbage_records = r;
                    s.garbage_bytes = b;
                }
                _ => {
                    return Err(corrupt(format!(
                        "garbage in blob file {:06}.blob would exceed its {} records / {} bytes",
                        g.number, s.meta.records, s.meta.record_bytes
                    )))
                }
            }
        }
        for r in &edit.table_blob_refs {
            if !is_live_table(r.table) {
                return Err(corrupt(format!(
                    "edit gives blob references to table {:06}.sst, which is not live",
                    r.table
                )));
            }
            if let Some(b) = r.blobs.iter().find(|b| !next.files.contains_key(b)) {
                return Err(corrupt(format!(
                    "table {:06}.sst references blob file {b:06}.blob, which is not live",
                    r.table
                )));
            }
            if next
                .table_refs
                .insert(r.table, Arc::from(r.blobs.as_slice()))
                .is_some()
            {
                return Err(corrupt(format!(
                    "edit sets the blob references of table {:06}.sst twice",
                    r.table
                )));
            }
        }
        for &number in &edit.deleted_blob_files {
            match next.files.remove(&number) {
                None => {
                    return Err(corrupt(format!(
                        "edit deletes blob file {number:06}.blob, which is not live"
                    )))
                }
                Some(s) if !s.is_all_garbage() => {
                    return Err(corrupt(format!(
                        "edit deletes blob file {number:06}.blob, which still has {} live records",
                        s.live_records()
                    )))
                }
                Some(_) => {}
            }
        }
        if !edit.deleted_blob_files.is_empty() {
            let deleted: HashSet<u64> = edit.deleted_blob_files.iter().copied().collect();
            for (table, blobs) in &next.table_refs {
                if let Some(b) = blobs.iter().find(|b| deleted.contains(b)) {
                    return Err(corrupt(format!(
                        "edit deletes blob file {b:06}.blob, which table {table:06}.sst references"
                    )));
                }
            }
        }
        Ok(next)
    }

    /// Adds every blob file (with its garbage) and every table reference to
    /// `edit`: the blob part of a fresh MANIFEST's base record.
    pub(super) fn add_to_edit(&self, edit: &mut VersionEdit) {
        for s in self.files.values() {
            edit.new_blob_files.push(s.meta.clone());
            if s.garbage_records > 0 || s.garbage_bytes > 0 {
                edit.blob_garbage.push(BlobGarbage {
                    number: s.meta.number,
                    records: s.garbage_records,
                    record_bytes: s.garbage_bytes,
                });
            }
        }
        for (table, blobs) in &self.table_refs {
            edit.table_blob_refs.push(TableBlobRefs {
                table: *table,
                blobs: blobs.to_vec(),
            });
        }
    }

    /// Tables that point into blob file `blob`, ascending.
    pub fn tables_referencing(&self, blob: u64) -> impl Iterator<Item = u64> + '_ {
        self.table_refs
            .iter()
            .filter(move |(_, blobs)| blobs.binary_search(&blob).is_ok())
            .map(|(t, _)| *t)
    }

    /// The blob files table `table` points into (empty if none).
    pub fn refs_of(&self, table: u64) -> &[u64] {
        self.table_refs.get(&table).map_or(&[], |b| b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Version;
    use crate::testutil::file_meta;

    fn blob(number: u64, records: u64) -> BlobFileMeta {
        BlobFileMeta {
            number,
            records,
            record_bytes: records * 100,
            size: 12 + records * 100,
        }
    }

    fn garbage(number: u64, records: u64) -> BlobGarbage {
        BlobGarbage {
            number,
            records,
            record_bytes: records * 100,
        }
    }

    fn refs(table: u64, blobs: &[u64]) -> TableBlobRefs {
        TableBlobRefs {
            table,
            blobs: blobs.to_vec(),
        }
    }

    /// Tables 1 (L0) and 2 (L1); blob files 10 (4 records) and 11 (2);
    /// table 1 points into 10, table 2 into 10 and 11.
    fn base() -> Version {
        Version::new()
            .apply(&VersionEdit {
                new_files: vec![
                    (0, file_meta(1, "a", "c", 20, 100)),
                    (1, file_meta(2, "d", "f", 10, 100)),
                ],
                new_blob_files: vec![blob(10, 4), blob(11, 2)],
                table_blob_refs: vec![refs(1, &[10]), refs(2, &[10, 11])],
                ..VersionEdit::default()
            })
            .expect("base edit applies")
    }

    fn reason(v: &Version, e: VersionEdit) -> String {
        match v.apply(&e) {
            Err(Error::Corruption { reason, .. }) => reason,
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn garbage_accumulates_and_a_file_leaves_only_when_all_garbage() {
        let v = base();
        assert_eq!(
            v.blobs.tables_referencing(10).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let v = v
            .apply(&VersionEdit {
                blob_garbage: vec![garbage(11, 1)],
                ..VersionEdit::default()
            })
            .expect("garbage");
        let s = &v.blobs.files[&11];
        assert_eq!((s.live_records(), s.live_bytes()), (1, 100));
        assert!((s.live_fraction() - 0.5).abs() < 1e-9);
        assert!(reason(
            &v,
            VersionEdit {
                blob_garbage: vec![garbage(11, 2)],
                ..VersionEdit::default()
            }
        )
        .contains("exceed"));
        assert!(reason(
            &v,
            VersionEdit {
                deleted_blob_files: vec![11],
                ..VersionEdit::default()
            }
        )
        .contains("still has 1 live records"));
        // Table 2 is compacted into table 3, which points only into 10; the
        // last record of 11 becomes garbage and 11 leaves in the same edit.
        let v = v
            .apply(&VersionEdit {
                deleted_files: vec![(1, 2)],
                new_files: vec![(1, file_meta(3, "d", "f", 10, 100))],
                blob_garbage: vec![garbage(11, 1)],
                deleted_blob_files: vec![11],
                table_blob_refs: vec![refs(3, &[10])],
                ..VersionEdit::default()
            })
            .expect("compaction edit");
        assert_eq!(v.blob_file_numbers(), vec![10]);
        assert_eq!(v.blobs.refs_of(2), &[] as &[u64]);
        assert_eq!(v.blobs.refs_of(3), &[10]);
        // The base edit of a new MANIFEST rebuilds the same state.
        let again = Version::new().apply(&v.to_edit()).expect("snapshot edit");
        assert_eq!(again.blobs, v.blobs);
    }

    #[test]
    fn a_moved_table_keeps_its_references() {
        let v = base()
            .apply(&VersionEdit {
                deleted_files: vec![(0, 1)],
                new_files: vec![(1, file_meta(1, "a", "c", 20, 100))],
                ..VersionEdit::default()
            })
            .expect("move");
        assert_eq!(v.blobs.refs_of(1), &[10]);
    }

    #[test]
    fn edits_breaking_the_rules_are_corruption() {
        let v = base();
        let e = |f: fn(&mut VersionEdit)| {
            let mut e = VersionEdit::default();
            f(&mut e);
            e
        };
        assert!(reason(&v, e(|e| e.new_blob_files.push(blob(10, 1)))).contains("already live"));
        assert!(reason(&v, e(|e| e.new_blob_files.push(blob(2, 1)))).contains("already live"));
        // A table may not take a live blob file's number either (found by
        // the manifest_reader fuzz target: the snapshot edit then failed).
        assert!(reason(
            &v,
            e(|e| e.new_files.push((3, file_meta(11, "x", "y", 5, 10))))
        )
        .contains("already live"));
        assert!(reason(&v, e(|e| e.blob_garbage.push(garbage(12, 1)))).contains("not live"));
        assert!(reason(&v, e(|e| e.table_blob_refs.push(refs(9, &[10])))).contains("not live"));
        assert!(reason(&v, e(|e| e.table_blob_refs.push(refs(1, &[12])))).contains("not live"));
        assert!(reason(&v, e(|e| e.table_blob_refs.push(refs(1, &[11])))).contains("twice"));
        assert!(reason(&v, e(|e| e.deleted_blob_files.push(12))).contains("not live"));
        // All garbage, but table 2 still names it.
        let all = v
            .apply(&e(|e| e.blob_garbage.push(garbage(11, 2))))
            .expect("garbage");
        assert!(reason(&all, e(|e| e.deleted_blob_files.push(11)))
            .contains("table 000002.sst references"));
    }
}
