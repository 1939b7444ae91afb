//! Spec: format-spec/manifest.md
//!
//! [`VersionEdit`]: one change to the set of live files, the payload of one
//! MANIFEST record, and [`FileMeta`], the description of one table file.

use std::cmp::Ordering;

use crate::coding::{put_length_prefixed, put_varint32, put_varint64, Decoder};
use crate::key::{compare_internal, user_key, TRAILER_LEN};
use crate::manifest::blobs::{BlobFileMeta, BlobGarbage, TableBlobRefs};
use crate::manifest::history::{decode_ranges, encode_ranges, HistoryRange};
use crate::manifest::NUM_LEVELS;
use crate::{Error, Result};

// Field tags. These are on-disk values: never change them, never reuse one.
/// Tag 1 (never change): `log_number`, varint64.
const TAG_LOG_NUMBER: u32 = 1;
/// Tag 2 (never change): `next_file_number`, varint64.
const TAG_NEXT_FILE_NUMBER: u32 = 2;
/// Tag 3 (never change): `last_sequence`, varint64.
const TAG_LAST_SEQUENCE: u32 = 3;
/// Tag 4 (never change): a deleted file, varint32 level + varint64 number.
const TAG_DELETED_FILE: u32 = 4;
/// Tag 5 (never change): a new file, varint32 level + FileMeta.
const TAG_NEW_FILE: u32 = 5;
/// Tag 6 (never change): a WAL the database created, varint64 number; it
/// must exist until an edit retires it (format version 2).
const TAG_NEW_WAL: u32 = 6;
/// Tag 7 (never change): a WAL retired (its writes are in tables),
/// varint64 number (format version 2).
const TAG_DELETED_WAL: u32 = 7;
/// Tag 8 (never change): a new blob file, [`BlobFileMeta`].
const TAG_NEW_BLOB_FILE: u32 = 8;
/// Tag 9 (never change): garbage found in a blob file, [`BlobGarbage`].
const TAG_BLOB_GARBAGE: u32 = 9;
/// Tag 10 (never change): a deleted blob file, varint64 number.
const TAG_DELETED_BLOB_FILE: u32 = 10;
/// Tag 11 (never change): the blob files a table points into, [`TableBlobRefs`].
const TAG_TABLE_BLOB_REFS: u32 = 11;
// Tags 12-13 are reserved for compaction edits.
/// Tag 14 (never change): the whole set of history ranges, replacing the
/// previous set ([`crate::manifest::history`]); at most once per edit.
const TAG_HISTORY_RANGES: u32 = 14;

/// Metadata of one table (`NNNNNN.sst`) file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileMeta {
    /// File number: the file is named `{number:06}.sst`.
    pub number: u64,
    /// File size in bytes.
    pub size: u64,
    /// Smallest internal key in the file.
    pub smallest: Vec<u8>,
    /// Largest internal key in the file.
    pub largest: Vec<u8>,
    /// Smallest sequence number of any entry in the file.
    pub smallest_seq: u64,
    /// Largest sequence number of any entry in the file.
    pub largest_seq: u64,
    /// Number of entries (values and tombstones).
    pub num_entries: u64,
    /// Number of tombstones among the entries.
    pub num_deletions: u64,
}

impl FileMeta {
    /// User-key part of [`FileMeta::smallest`].
    pub fn smallest_user_key(&self) -> &[u8] {
        user_key(&self.smallest)
    }

    /// User-key part of [`FileMeta::largest`].
    pub fn largest_user_key(&self) -> &[u8] {
        user_key(&self.largest)
    }

    /// True if the file's user-key range intersects `[smallest_user, largest_user]`.
    pub fn overlaps(&self, smallest_user: &[u8], largest_user: &[u8]) -> bool {
        self.largest_user_key() >= smallest_user && self.smallest_user_key() <= largest_user
    }

    /// True if `user_key` lies within the file's user-key range.
    pub fn contains_user_key(&self, user_key: &[u8]) -> bool {
        self.smallest_user_key() <= user_key && user_key <= self.largest_user_key()
    }

    fn encode(&self, dst: &mut Vec<u8>) {
        put_varint64(dst, self.number);
        put_varint64(dst, self.size);
        put_length_prefixed(dst, &self.smallest);
        put_length_prefixed(dst, &self.largest);
        put_varint64(dst, self.smallest_seq);
        put_varint64(dst, self.largest_seq);
        put_varint64(dst, self.num_entries);
        put_varint64(dst, self.num_deletions);
    }

    /// Decodes the FileMeta fields; `Err(reason)` says which one was bad.
    fn decode(d: &mut Decoder<'_>) -> std::result::Result<FileMeta, &'static str> {
        let number = d.varint64().ok_or("truncated file number")?;
        let size = d.varint64().ok_or("truncated file size")?;
        let smallest = d.length_prefixed().ok_or("truncated smallest key")?;
        let largest = d.length_prefixed().ok_or("truncated largest key")?;
        let smallest_seq = d.varint64().ok_or("truncated smallest_seq")?;
        let largest_seq = d.varint64().ok_or("truncated largest_seq")?;
        let num_entries = d.varint64().ok_or("truncated num_entries")?;
        let num_deletions = d.varint64().ok_or("truncated num_deletions")?;
        if smallest.len() < TRAILER_LEN || largest.len() < TRAILER_LEN {
            return Err("file key shorter than the 8-byte internal-key trailer");
        }
        if compare_internal(smallest, largest) == Ordering::Greater {
            return Err("file smallest key sorts after its largest key");
        }
        if smallest_seq > largest_seq {
            return Err("file smallest_seq is greater than largest_seq");
        }
        Ok(FileMeta {
            number,
            size,
            smallest: smallest.to_vec(),
            largest: largest.to_vec(),
            smallest_seq,
            largest_seq,
            num_entries,
            num_deletions,
        })
    }
}

/// One change to the database's file set; the payload of one MANIFEST record.
///
/// Replaying every edit of a MANIFEST in order rebuilds the current
/// [`Version`](crate::manifest::Version); the `Option` fields take the last
/// value seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionEdit {
    /// WAL files numbered below this are fully reflected in table files.
    pub log_number: Option<u64>,
    /// The next unused number of the shared file-number counter.
    pub next_file_number: Option<u64>,
    /// Highest sequence number durable in table files or WALs `>= log_number`.
    pub last_sequence: Option<u64>,
    /// Files removed: `(level, file number)`.
    pub deleted_files: Vec<(usize, u64)>,
    /// Files added: `(level, metadata)`.
    pub new_files: Vec<(usize, FileMeta)>,
    /// WALs created: each must exist until an edit retires it.
    pub new_wals: Vec<u64>,
    /// WALs retired: every write in them is in table files.
    pub deleted_wals: Vec<u64>,
    /// Blob files added (tag 8).
    pub new_blob_files: Vec<BlobFileMeta>,
    /// Garbage counted against live blob files (tag 9).
    pub blob_garbage: Vec<BlobGarbage>,
    /// Blob files removed, each entirely garbage (tag 10).
    pub deleted_blob_files: Vec<u64>,
    /// The blob files each new table points into (tag 11).
    pub table_blob_refs: Vec<TableBlobRefs>,
    /// `Some`: the new set of history ranges, replacing the old (tag 14;
    /// `Some(empty)` clears it).
    pub history_ranges: Option<Vec<HistoryRange>>,
}

impl VersionEdit {
    /// True if the edit changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == VersionEdit::default()
    }

    /// Appends the encoding of this edit to `dst`.
    ///
    /// Fields are written in tag order; repeated fields in vector order.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "levels are below NUM_LEVELS and counts of an edit's entries far below 2^32"
    )]
    pub fn encode(&self, dst: &mut Vec<u8>) {
        if let Some(v) = self.log_number {
            put_varint32(dst, TAG_LOG_NUMBER);
            put_varint64(dst, v);
        }
        if let Some(v) = self.next_file_number {
            put_varint32(dst, TAG_NEXT_FILE_NUMBER);
            put_varint64(dst, v);
        }
        if let Some(v) = self.last_sequence {
            put_varint32(dst, TAG_LAST_SEQUENCE);
            put_varint64(dst, v);
        }
        for &(level, number) in &self.deleted_files {
            debug_assert!(level < NUM_LEVELS);
            put_varint32(dst, TAG_DELETED_FILE);
            put_varint32(dst, level as u32);
            put_varint64(dst, number);
        }
        for (level, meta) in &self.new_files {
            debug_assert!(*level < NUM_LEVELS);
            put_varint32(dst, TAG_NEW_FILE);
            put_varint32(dst, *level as u32);
            meta.encode(dst);
        }
        for &number in &self.new_wals {
            put_varint32(dst, TAG_NEW_WAL);
            put_varint64(dst, number);
        }
        for &number in &self.deleted_wals {
            put_varint32(dst, TAG_DELETED_WAL);
            put_varint64(dst, number);
        }
        for b in &self.new_blob_files {
            put_varint32(dst, TAG_NEW_BLOB_FILE);
            b.encode(dst);
        }
        for g in &self.blob_garbage {
            put_varint32(dst, TAG_BLOB_GARBAGE);
            g.encode(dst);
        }
        for &n in &self.deleted_blob_files {
            put_varint32(dst, TAG_DELETED_BLOB_FILE);
            put_varint64(dst, n);
        }
        for r in &self.table_blob_refs {
            put_varint32(dst, TAG_TABLE_BLOB_REFS);
            r.encode(dst);
        }
        if let Some(ranges) = &self.history_ranges {
            put_varint32(dst, TAG_HISTORY_RANGES);
            encode_ranges(ranges, dst);
        }
    }

    /// The encoding of this edit as a new vector.
    pub fn encoded(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }

    /// Decodes one edit from the whole of `data`.
    ///
    /// `file` and `offset` locate `data` on disk (the MANIFEST name and the
    /// offset of the record payload); a [`Error::Corruption`] reports
    /// `offset` plus the position in `data` of the field that is bad.
    /// Unknown tags, truncated fields, levels `>= NUM_LEVELS`, a singleton
    /// field repeated, and malformed file metadata are all corruption.
    pub fn decode(data: &[u8], file: &str, offset: u64) -> Result<VersionEdit> {
        let mut edit = VersionEdit::default();
        let mut d = Decoder::new(data);
        let corrupt = |pos: usize, reason: String| {
            Error::corruption(file, offset.saturating_add(pos as u64), reason)
        };
        while !d.is_empty() {
            let field_start = d.position();
            let tag = d
                .varint32()
                .ok_or_else(|| corrupt(field_start, "truncated or overlong field tag".into()))?;
            match tag {
                TAG_LOG_NUMBER | TAG_NEXT_FILE_NUMBER | TAG_LAST_SEQUENCE => {
                    let (slot, name) = match tag {
                        TAG_LOG_NUMBER => (&mut edit.log_number, "log_number"),
                        TAG_NEXT_FILE_NUMBER => (&mut edit.next_file_number, "next_file_number"),
                        _ => (&mut edit.last_sequence, "last_sequence"),
                    };
                    let v = d
                        .varint64()
                        .ok_or_else(|| corrupt(field_start, format!("truncated {name}")))?;
                    if slot.is_some() {
                        return Err(corrupt(field_start, format!("{name} appears twice")));
                    }
                    *slot = Some(v);
                }
                TAG_DELETED_FILE => {
                    let level = decode_level(&mut d, field_start)
                        .map_err(|(pos, r)| corrupt(pos, format!("deleted file: {r}")))?;
                    let number = d.varint64().ok_or_else(|| {
                        corrupt(field_start, "deleted file: truncated file number".into())
                    })?;
                    edit.deleted_files.push((level, number));
                }
                TAG_NEW_FILE => {
                    let level = decode_level(&mut d, field_start)
                        .map_err(|(pos, r)| corrupt(pos, format!("new file: {r}")))?;
                    let meta = FileMeta::decode(&mut d)
                        .map_err(|r| corrupt(field_start, format!("new file: {r}")))?;
                    edit.new_files.push((level, meta));
                }
                TAG_NEW_WAL | TAG_DELETED_WAL => {
                    let (list, what) = if tag == TAG_NEW_WAL {
                        (&mut edit.new_wals, "new WAL")
                    } else {
                        (&mut edit.deleted_wals, "deleted WAL")
                    };
                    let number = d.varint64().ok_or_else(|| {
                        corrupt(field_start, format!("{what}: truncated file number"))
                    })?;
                    list.push(number);
                }
                TAG_NEW_BLOB_FILE => {
                    let b = BlobFileMeta::decode(&mut d)
                        .map_err(|r| corrupt(field_start, format!("new blob file: {r}")))?;
                    edit.new_blob_files.push(b);
                }
                TAG_BLOB_GARBAGE => {
                    let g = BlobGarbage::decode(&mut d)
                        .map_err(|r| corrupt(field_start, format!("blob garbage: {r}")))?;
                    edit.blob_garbage.push(g);
                }
                TAG_DELETED_BLOB_FILE => {
                    let n = d.varint64().ok_or_else(|| {
                        corrupt(field_start, "deleted blob file: truncated number".into())
                    })?;
                    edit.deleted_blob_files.push(n);
                }
                TAG_TABLE_BLOB_REFS => {
                    let r = TableBlobRefs::decode(&mut d)
                        .map_err(|r| corrupt(field_start, format!("table blob references: {r}")))?;
                    edit.table_blob_refs.push(r);
                }
                TAG_HISTORY_RANGES => {
                    if edit.history_ranges.is_some() {
                        return Err(corrupt(field_start, "history ranges appear twice".into()));
                    }
                    let ranges = decode_ranges(&mut d)
                        .map_err(|r| corrupt(field_start, format!("history ranges: {r}")))?;
                    edit.history_ranges = Some(ranges);
                }
                _ => return Err(corrupt(field_start, format!("unknown field tag {tag}"))),
            }
        }
        Ok(edit)
    }
}

/// Reads a varint32 level and checks it against [`NUM_LEVELS`]. Errors carry
/// the position to report: `field_start` if truncated, else the level's own.
fn decode_level(
    d: &mut Decoder<'_>,
    field_start: usize,
) -> std::result::Result<usize, (usize, String)> {
    let pos = d.position();
    let level = d
        .varint32()
        .ok_or((field_start, "truncated level".to_string()))?;
    let level = level as usize;
    if level >= NUM_LEVELS {
        return Err((
            pos,
            format!("level {level} out of range (NUM_LEVELS is {NUM_LEVELS})"),
        ));
    }
    Ok(level)
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::cast_possible_truncation,
        reason = "tags written as single bytes in test data are below 128"
    )]
    use super::*;
    use crate::key::{make_internal_key, ValueKind};
    use crate::testutil::{decode_hex_vector, encode_hex_vector};
    use proptest::prelude::*;

    const VECTOR: &str = include_str!("../../../format-spec/vectors/manifest-edit.hex");

    fn vector_edit() -> VersionEdit {
        VersionEdit {
            log_number: Some(5),
            next_file_number: Some(9),
            last_sequence: Some(100),
            deleted_files: vec![(0, 3)],
            new_files: vec![(
                1,
                FileMeta {
                    number: 7,
                    size: 4096,
                    smallest: make_internal_key(b"apple", 42, ValueKind::Value),
                    largest: make_internal_key(b"pear", 17, ValueKind::Deletion),
                    smallest_seq: 17,
                    largest_seq: 99,
                    num_entries: 120,
                    num_deletions: 3,
                },
            )],
            ..VersionEdit::default()
        }
    }

    const HISTORY_VECTOR: &str =
        include_str!("../../../format-spec/vectors/manifest-edit-history.hex");

    #[test]
    fn history_vector_decodes_field_by_field() {
        let bytes = decode_hex_vector(HISTORY_VECTOR);
        let e = VersionEdit::decode(&bytes, "MANIFEST-000001", 0).expect("vector decodes");
        let want = VersionEdit {
            history_ranges: Some(vec![HistoryRange {
                begin: vec![0, 0, 0, 7],
                end: vec![0, 0, 0, 8],
                floor: 300,
            }]),
            ..VersionEdit::default()
        };
        assert_eq!(e, want);
        assert_eq!(want.encoded(), bytes);
        // An empty set (clearing every range) is two bytes.
        let clear = VersionEdit {
            history_ranges: Some(Vec::new()),
            ..VersionEdit::default()
        };
        assert_eq!(clear.encoded(), vec![14, 0]);
        assert_eq!(VersionEdit::decode(&[14, 0], "M", 0).ok(), Some(clear));
    }

    #[test]
    fn malformed_history_fields_are_corruption() {
        expect_corruption_at(&[14, 1, 5, 1, 7], 50, "truncated end key");
        expect_corruption_at(&[14, 1, 5, 1, 8, 1, 7], 50, "does not sort before");
        expect_corruption_at(&[14, 0, 14, 0], 52, "appear twice");
    }

    const BLOB_VECTOR: &str = include_str!("../../../format-spec/vectors/manifest-edit-blob.hex");

    fn blob_vector_edit() -> VersionEdit {
        VersionEdit {
            new_blob_files: vec![BlobFileMeta {
                number: 12,
                records: 3,
                record_bytes: 307_260,
                size: 307_272,
            }],
            blob_garbage: vec![BlobGarbage {
                number: 8,
                records: 1,
                record_bytes: 102_420,
            }],
            deleted_blob_files: vec![6],
            table_blob_refs: vec![TableBlobRefs {
                table: 13,
                blobs: vec![8, 12],
            }],
            ..VersionEdit::default()
        }
    }

    #[test]
    fn blob_vector_decodes_field_by_field() {
        let bytes = decode_hex_vector(BLOB_VECTOR);
        let e = VersionEdit::decode(&bytes, "MANIFEST-000001", 0).expect("vector decodes");
        assert_eq!(e, blob_vector_edit());
        assert_eq!(
            blob_vector_edit().encoded(),
            bytes,
            "encoder output differs from vector; current encoding:\n{}",
            encode_hex_vector(&blob_vector_edit().encoded())
        );
    }

    #[test]
    fn malformed_blob_fields_are_corruption() {
        // Tag 8 with record bytes below 12 per record.
        expect_corruption_at(&[8, 1, 2, 10, 40], 50, "smaller than the headers");
        // Tag 8 with a size below header + records.
        expect_corruption_at(&[8, 1, 1, 12, 20], 50, "size smaller");
        // Tag 11 with no blob file, and out of order.
        expect_corruption_at(&[11, 5, 0], 50, "no blob file");
        expect_corruption_at(&[11, 5, 2, 9, 9], 50, "strictly ascending");
        // Truncated tag 10 and tag 9.
        expect_corruption_at(&[10], 50, "truncated number");
        expect_corruption_at(&[9, 1, 1], 50, "truncated garbage bytes");
    }

    #[test]
    fn vector_decodes_field_by_field() {
        let bytes = decode_hex_vector(VECTOR);
        let e = VersionEdit::decode(&bytes, "MANIFEST-000001", 0).expect("vector decodes");
        assert_eq!(e.log_number, Some(5));
        assert_eq!(e.next_file_number, Some(9));
        assert_eq!(e.last_sequence, Some(100));
        assert_eq!(e.deleted_files, vec![(0, 3)]);
        assert_eq!(e.new_files.len(), 1);
        let (level, f) = &e.new_files[0];
        assert_eq!(*level, 1);
        assert_eq!(f.number, 7);
        assert_eq!(f.size, 4096);
        assert_eq!(
            f.smallest,
            make_internal_key(b"apple", 42, ValueKind::Value)
        );
        assert_eq!(
            f.largest,
            make_internal_key(b"pear", 17, ValueKind::Deletion)
        );
        assert_eq!(f.smallest_seq, 17);
        assert_eq!(f.largest_seq, 99);
        assert_eq!(f.num_entries, 120);
        assert_eq!(f.num_deletions, 3);
        // And the encoder produces exactly the vector.
        assert_eq!(
            vector_edit().encoded(),
            bytes,
            "encoder output differs from vector; current encoding:\n{}",
            encode_hex_vector(&vector_edit().encoded())
        );
    }

    const WAL_VECTOR: &str = include_str!("../../../format-spec/vectors/manifest-edit-wals.hex");

    /// Tags 6 and 7 (format version 2): the vector's edit, field by field.
    #[test]
    fn wal_vector_decodes_field_by_field() {
        let bytes = decode_hex_vector(WAL_VECTOR);
        let e = VersionEdit::decode(&bytes, "MANIFEST-000001", 0).expect("vector decodes");
        let want = VersionEdit {
            log_number: Some(200),
            next_file_number: Some(302),
            last_sequence: Some(5000),
            new_wals: vec![301],
            deleted_wals: vec![150, 199],
            ..VersionEdit::default()
        };
        assert_eq!(e, want);
        assert_eq!(
            want.encoded(),
            bytes,
            "encoder output differs from vector; current encoding:\n{}",
            encode_hex_vector(&want.encoded())
        );
        // A WAL field cut inside its number is corruption at its tag.
        let cut = &bytes[..bytes.len() - 1];
        match VersionEdit::decode(cut, "MANIFEST-000001", 100) {
            Err(Error::Corruption { offset, reason, .. }) => {
                assert_eq!(offset, 100 + bytes.len() as u64 - 3);
                assert_eq!(reason, "deleted WAL: truncated file number");
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn round_trip_and_empty_edit() {
        let e = vector_edit();
        assert_eq!(VersionEdit::decode(&e.encoded(), "M", 0).unwrap(), e);
        let empty = VersionEdit::default();
        assert!(empty.is_empty());
        assert!(empty.encoded().is_empty());
        assert_eq!(VersionEdit::decode(&[], "M", 0).unwrap(), empty);
    }

    #[test]
    fn every_truncation_is_corruption() {
        let bytes = vector_edit().encoded();
        // Field boundaries: a cut exactly there is a shorter but valid edit.
        let mut boundaries = vec![0usize];
        let mut partial = VersionEdit::default();
        for step in 0..5 {
            match step {
                0 => partial.log_number = Some(5),
                1 => partial.next_file_number = Some(9),
                2 => partial.last_sequence = Some(100),
                3 => partial.deleted_files = vector_edit().deleted_files,
                _ => partial.new_files = vector_edit().new_files,
            }
            boundaries.push(partial.encoded().len());
        }
        for len in 0..bytes.len() {
            let r = VersionEdit::decode(&bytes[..len], "MANIFEST-000002", 1000);
            if boundaries.contains(&len) {
                assert!(r.is_ok(), "cut at field boundary {len} should decode");
            } else {
                match r {
                    Err(Error::Corruption { file, offset, .. }) => {
                        assert_eq!(file, "MANIFEST-000002");
                        assert!(
                            (1000..1000 + len as u64).contains(&offset),
                            "offset {offset}"
                        );
                    }
                    other => panic!("cut at {len}: expected corruption, got {other:?}"),
                }
            }
        }
    }

    fn expect_corruption_at(data: &[u8], want_offset: u64, reason_part: &str) {
        match VersionEdit::decode(data, "MANIFEST-000003", 50) {
            Err(Error::Corruption { offset, reason, .. }) => {
                assert_eq!(offset, want_offset, "reason: {reason}");
                assert!(reason.contains(reason_part), "reason {reason:?}");
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn unknown_tag_bad_level_and_duplicates_are_corruption() {
        let mut b = vector_edit().encoded();
        let n = b.len();
        b.push(99);
        b.push(0);
        expect_corruption_at(&b, 50 + n as u64, "unknown field tag 99");

        expect_corruption_at(&[0], 50, "unknown field tag 0");

        // deleted file at level 7
        expect_corruption_at(&[TAG_DELETED_FILE as u8, 7, 1], 51, "level 7 out of range");

        // log_number twice
        expect_corruption_at(&[1, 5, 1, 6], 52, "appears twice");

        // new file with a key shorter than the trailer
        let mut e = vector_edit();
        e.deleted_files.clear();
        e.new_files[0].1.smallest = b"abc".to_vec();
        expect_corruption_at(&e.encoded(), 50 + 6, "shorter than");

        // smallest > largest
        let mut e = vector_edit();
        let f = &mut e.new_files[0].1;
        std::mem::swap(&mut f.smallest, &mut f.largest);
        assert!(VersionEdit::decode(&e.encoded(), "M", 0)
            .unwrap_err()
            .is_corruption());
    }

    fn arb_ikey() -> impl Strategy<Value = Vec<u8>> {
        (
            proptest::collection::vec(any::<u8>(), 0..12),
            0u64..crate::key::MAX_SEQUENCE,
        )
            .prop_map(|(k, s)| make_internal_key(&k, s, ValueKind::Value))
    }

    fn arb_meta() -> impl Strategy<Value = FileMeta> {
        (
            any::<u64>(),
            any::<u64>(),
            arb_ikey(),
            arb_ikey(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
        )
            .prop_map(|(number, size, a, b, s1, s2, ne, nd)| {
                let (smallest, largest) = if compare_internal(&a, &b) == Ordering::Greater {
                    (b, a)
                } else {
                    (a, b)
                };
                FileMeta {
                    number,
                    size,
                    smallest,
                    largest,
                    smallest_seq: s1.min(s2),
                    largest_seq: s1.max(s2),
                    num_entries: ne,
                    num_deletions: nd,
                }
            })
    }

    type BlobFields = (
        Vec<BlobFileMeta>,
        Vec<BlobGarbage>,
        Vec<u64>,
        Vec<TableBlobRefs>,
    );

    fn arb_blob_fields() -> impl Strategy<Value = BlobFields> {
        let meta = (any::<u64>(), 0u64..1000, 0u64..1 << 40, 0u64..1 << 40).prop_map(
            |(number, records, extra, slack)| {
                let record_bytes = records * 12 + extra;
                BlobFileMeta {
                    number,
                    records,
                    record_bytes,
                    size: record_bytes + 12 + slack,
                }
            },
        );
        let garbage =
            (any::<u64>(), any::<u64>(), any::<u64>()).prop_map(|(number, records, b)| {
                BlobGarbage {
                    number,
                    records,
                    record_bytes: b,
                }
            });
        let refs = (
            any::<u64>(),
            proptest::collection::btree_set(any::<u64>(), 1..5),
        )
            .prop_map(|(table, blobs)| TableBlobRefs {
                table,
                blobs: blobs.into_iter().collect(),
            });
        (
            proptest::collection::vec(meta, 0..3),
            proptest::collection::vec(garbage, 0..3),
            proptest::collection::vec(any::<u64>(), 0..3),
            proptest::collection::vec(refs, 0..3),
        )
    }

    fn arb_edit() -> impl Strategy<Value = VersionEdit> {
        (
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<u64>()),
            proptest::collection::vec((0..NUM_LEVELS, any::<u64>()), 0..4),
            proptest::collection::vec((0..NUM_LEVELS, arb_meta()), 0..4),
            proptest::collection::vec(any::<u64>(), 0..3),
            proptest::collection::vec(any::<u64>(), 0..3),
        )
            .prop_map(|(l, n, s, d, f, nw, dw)| VersionEdit {
                log_number: l,
                next_file_number: n,
                last_sequence: s,
                deleted_files: d,
                new_files: f,
                new_wals: nw,
                deleted_wals: dw,
                ..VersionEdit::default()
            })
            .prop_flat_map(|e| (Just(e), arb_blob_fields()))
            .prop_map(|(mut e, (b, g, d, r))| {
                e.new_blob_files = b;
                e.blob_garbage = g;
                e.deleted_blob_files = d;
                e.table_blob_refs = r;
                e
            })
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = VersionEdit::decode(&data, "M", u64::MAX - 10);
        }

        #[test]
        fn random_edits_round_trip(e in arb_edit()) {
            let bytes = e.encoded();
            prop_assert_eq!(VersionEdit::decode(&bytes, "M", 0).unwrap(), e);
            for len in 0..bytes.len() {
                let _ = VersionEdit::decode(&bytes[..len], "M", 0);
            }
        }
    }
}
