//! Spec: format-spec/value-log.md#garbage-accounting
//!
//! [`BlobRefTally`]: how many blob records, and how many of their bytes, a
//! set of entries points to, per blob file. Flush and recovery count what a
//! new table points to (to register blob files and record the table's
//! references); compaction counts what it drops (the garbage it adds).

use std::collections::BTreeMap;

use crate::manifest::{BlobFileMeta, BlobGarbage};

use super::format::FILE_HEADER_LEN;
use super::BlobIndex;

/// Counts for one blob file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileCounts {
    /// Records pointed to.
    pub records: u64,
    /// Their bytes (header, key and value of each).
    pub record_bytes: u64,
    /// The end of the furthest record pointed to.
    pub end: u64,
}

/// Per-blob-file counts of pointed-to records, by file number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlobRefTally {
    files: BTreeMap<u64, FileCounts>,
}

impl BlobRefTally {
    /// An empty tally.
    pub fn new() -> BlobRefTally {
        BlobRefTally::default()
    }

    /// Counts one entry of a `key_len`-byte user key pointing at `index`.
    pub fn note(&mut self, index: &BlobIndex, key_len: usize) {
        let c = self.files.entry(index.file_number).or_default();
        c.records += 1;
        c.record_bytes = c.record_bytes.saturating_add(index.record_len(key_len));
        c.end = c.end.max(index.record_end(key_len));
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &BlobRefTally) {
        for (n, o) in &other.files {
            let c = self.files.entry(*n).or_default();
            c.records += o.records;
            c.record_bytes = c.record_bytes.saturating_add(o.record_bytes);
            c.end = c.end.max(o.end);
        }
    }

    /// True if nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The blob files counted, ascending.
    pub fn file_numbers(&self) -> Vec<u64> {
        self.files.keys().copied().collect()
    }

    /// The counts of each blob file, ascending by number.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &FileCounts)> {
        self.files.iter().map(|(n, c)| (*n, c))
    }

    /// The counts as blob files to register: every counted record is live,
    /// and the file's size is where the furthest one ends.
    pub fn to_new_blob_files(&self) -> Vec<BlobFileMeta> {
        self.files
            .iter()
            .map(|(n, c)| BlobFileMeta {
                number: *n,
                records: c.records,
                record_bytes: c.record_bytes,
                size: c.end.max(FILE_HEADER_LEN as u64),
            })
            .collect()
    }

    /// The counts as garbage (entries that no longer point anywhere).
    pub fn to_garbage(&self) -> Vec<BlobGarbage> {
        self.files
            .iter()
            .map(|(n, c)| BlobGarbage {
                number: *n,
                records: c.records,
                record_bytes: c.record_bytes,
            })
            .collect()
    }

    /// Removes and returns everything counted so far.
    pub fn take(&mut self) -> BlobRefTally {
        std::mem::take(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(file: u64, offset: u64, len: u32) -> BlobIndex {
        BlobIndex {
            file_number: file,
            offset,
            value_len: len,
            crc: 0,
        }
    }

    #[test]
    fn counts_records_bytes_and_end() {
        let mut t = BlobRefTally::new();
        assert!(t.is_empty());
        t.note(&idx(7, 12, 100), 4); // 116 bytes, ends at 128
        t.note(&idx(7, 500, 10), 2); // 24 bytes, ends at 524
        t.note(&idx(3, 12, 0), 1);
        let mut u = BlobRefTally::new();
        u.note(&idx(7, 128, 1), 1);
        t.merge(&u);
        assert_eq!(t.file_numbers(), vec![3, 7]);
        let metas = t.to_new_blob_files();
        assert_eq!(
            metas[1],
            BlobFileMeta {
                number: 7,
                records: 3,
                record_bytes: 116 + 24 + 14,
                size: 524
            }
        );
        let g = t.take().to_garbage();
        assert_eq!((g[0].number, g[0].records, g[0].record_bytes), (3, 1, 13));
        assert!(t.is_empty());
    }
}
