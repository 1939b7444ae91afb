//! Write batches: a group of puts and deletes applied atomically. The encoded
//! batch is exactly the payload of one WAL record.
//! Spec: format-spec/wal.md, "Write-batch payload"
//!
//! Keys and values may each be up to `u32::MAX` bytes, but a batch is written
//! to the WAL as one record, so its whole encoding must fit in
//! [`crate::wal::MAX_RECORD_LEN`] (1 GiB) to be committed.
// Keys, batches and file bytes come from disk: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use crate::coding::{get_fixed32, get_fixed64, put_length_prefixed, Decoder};
use crate::error::{Error, Result};
use crate::key::{ValueKind, MAX_SEQUENCE};

/// Bytes in the batch header: sequence (8) and count (4).
pub const HEADER_LEN: usize = 12;

/// Most bytes one operation adds besides its key and value: the kind byte
/// and two varint32 length prefixes (5 bytes each at most).
const OP_OVERHEAD: usize = 11;

/// An ordered group of writes. Op `i` (from 0) of a committed batch gets
/// sequence number `sequence() + i`, so a later op on the same key wins.
///
/// Every `WriteBatch` is well-formed: it is built by [`put`](WriteBatch::put)
/// and [`delete`](WriteBatch::delete) or checked by
/// [`from_data`](WriteBatch::from_data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBatch {
    rep: Vec<u8>,
    user_bytes: u64,
    /// Length of the longest put value (decides value separation).
    largest_value: usize,
    /// Some op is a `ValueBlob` (only the engine's own WAL batches).
    blob_indexes: bool,
}

/// One operation of a batch, as yielded by [`WriteBatch::iter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOp<'a> {
    /// Put ([`ValueKind::Value`]), delete ([`ValueKind::Deletion`]), or a put
    /// whose value the engine moved to a blob file ([`ValueKind::ValueBlob`],
    /// only in batches the engine wrote to its WAL).
    pub kind: ValueKind,
    /// The user key.
    pub key: &'a [u8],
    /// The value (for `ValueBlob`, the encoded blob index); empty for
    /// deletions.
    pub value: &'a [u8],
}

impl Default for WriteBatch {
    fn default() -> Self {
        WriteBatch::new()
    }
}

impl WriteBatch {
    /// An empty batch with sequence number 0.
    pub fn new() -> WriteBatch {
        WriteBatch {
            rep: vec![0; HEADER_LEN],
            user_bytes: 0,
            largest_value: 0,
            blob_indexes: false,
        }
    }

    /// An empty batch with room for `bytes` of encoded operations (each
    /// operation costs its key and value plus at most 11 bytes).
    pub fn with_capacity(bytes: usize) -> WriteBatch {
        let mut rep = Vec::with_capacity(HEADER_LEN + bytes);
        rep.resize(HEADER_LEN, 0);
        WriteBatch {
            rep,
            user_bytes: 0,
            largest_value: 0,
            blob_indexes: false,
        }
    }

    /// Sets `key` to `value`.
    ///
    /// # Panics
    /// If `key` or `value` is longer than `u32::MAX` bytes, or the batch
    /// already holds `u32::MAX` operations.
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        check_len("key", key);
        check_len("value", value);
        self.bump_count(1);
        self.reserve_op(key.len() + value.len());
        self.rep.push(ValueKind::Value as u8);
        put_length_prefixed(&mut self.rep, key);
        put_length_prefixed(&mut self.rep, value);
        self.user_bytes += key.len() as u64 + value.len() as u64;
        self.largest_value = self.largest_value.max(value.len());
    }

    /// Deletes `key`.
    ///
    /// # Panics
    /// If `key` is longer than `u32::MAX` bytes, or the batch already holds
    /// `u32::MAX` operations.
    pub fn delete(&mut self, key: &[u8]) {
        check_len("key", key);
        self.bump_count(1);
        self.reserve_op(key.len());
        self.rep.push(ValueKind::Deletion as u8);
        put_length_prefixed(&mut self.rep, key);
        self.user_bytes += key.len() as u64;
    }

    /// Sets `key` to the separated value that `blob_index` (an encoded
    /// [`crate::vlog::BlobIndex`]) points to. Only the engine's write path
    /// builds these, for the WAL; user batches holding one are refused.
    pub(crate) fn put_blob_index(&mut self, key: &[u8], blob_index: &[u8]) {
        check_len("key", key);
        self.bump_count(1);
        self.reserve_op(key.len() + blob_index.len());
        self.rep.push(ValueKind::ValueBlob as u8);
        put_length_prefixed(&mut self.rep, key);
        put_length_prefixed(&mut self.rep, blob_index);
        self.user_bytes += key.len() as u64 + blob_index.len() as u64;
        self.blob_indexes = true;
    }

    /// Length of the longest value a put of this batch sets (0 if none).
    pub fn largest_value(&self) -> usize {
        self.largest_value
    }

    /// True if some operation is a [`ValueKind::ValueBlob`]: a batch read
    /// from the engine's WAL, never one a user may write.
    pub fn holds_blob_index(&self) -> bool {
        self.blob_indexes
    }

    /// Removes every operation and resets the sequence number to 0.
    pub fn clear(&mut self) {
        self.rep.clear();
        self.rep.resize(HEADER_LEN, 0);
        self.user_bytes = 0;
        self.largest_value = 0;
        self.blob_indexes = false;
    }

    /// Number of operations.
    pub fn count(&self) -> u32 {
        self.rep.get(8..).and_then(get_fixed32).unwrap_or(0)
    }

    /// True if the batch holds no operations.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Sequence number of the first operation (set when the batch commits).
    pub fn sequence(&self) -> u64 {
        get_fixed64(&self.rep).unwrap_or(0)
    }

    /// Sets the sequence number of the first operation.
    pub fn set_sequence(&mut self, seq: u64) {
        if let Some(dst) = self.rep.get_mut(0..8) {
            dst.copy_from_slice(&seq.to_le_bytes());
        }
    }

    /// Appends `other`'s operations after this batch's; the sequence number
    /// of `self` is kept.
    ///
    /// # Panics
    /// If the combined batch would hold more than `u32::MAX` operations.
    pub fn append(&mut self, other: &WriteBatch) {
        self.bump_count(other.count());
        self.rep
            .extend_from_slice(other.rep.get(HEADER_LEN..).unwrap_or(&[]));
        self.user_bytes += other.user_bytes;
        self.largest_value = self.largest_value.max(other.largest_value);
        self.blob_indexes |= other.blob_indexes;
    }

    /// The encoding: the WAL record payload.
    pub fn data(&self) -> &[u8] {
        &self.rep
    }

    /// Sum of the lengths of every key and value in the batch.
    pub fn user_bytes(&self) -> u64 {
        self.user_bytes
    }

    /// Size of the encoding in bytes.
    pub fn approximate_size(&self) -> usize {
        self.rep.len()
    }

    /// Checks an encoded batch (a WAL record payload found at byte `offset`
    /// of `file`) and wraps it.
    ///
    /// Returns [`Error::Corruption`] at `offset` plus the position within
    /// `data` unless: the 12-byte header is present; every record decodes
    /// within bounds with a known kind; the number of records equals the
    /// header count; no bytes follow the last record; and, if the batch is
    /// not empty, its last sequence number (`sequence + count - 1`) is at most
    /// [`MAX_SEQUENCE`].
    pub fn from_data(data: Vec<u8>, file: &str, offset: u64) -> Result<WriteBatch> {
        let corrupt = |pos: usize, reason: String| {
            Error::corruption(file, offset.saturating_add(pos as u64), reason)
        };
        let (Some(seq), Some(count)) = (get_fixed64(&data), data.get(8..).and_then(get_fixed32))
        else {
            return Err(corrupt(
                0,
                format!(
                    "write batch of {} bytes is shorter than its {HEADER_LEN}-byte header",
                    data.len()
                ),
            ));
        };
        let body = data.get(HEADER_LEN..).unwrap_or(&[]);
        let mut dec = Decoder::new(body);
        let mut found: u64 = 0;
        let mut user_bytes: u64 = 0;
        let mut largest_value = 0;
        let mut blob_indexes = false;
        while !dec.is_empty() {
            let start = HEADER_LEN + dec.position();
            let at = |what: &str| format!("write batch record {found}: {what}");
            let kind_byte = dec.u8().ok_or_else(|| corrupt(start, at("missing kind")))?;
            let kind = ValueKind::from_u8(kind_byte)
                .ok_or_else(|| corrupt(start, at(&format!("unknown value kind {kind_byte}"))))?;
            let key = dec
                .length_prefixed()
                .ok_or_else(|| corrupt(start, at("key length or key runs past end of batch")))?;
            user_bytes += key.len() as u64;
            if kind.is_value() {
                let value = dec.length_prefixed().ok_or_else(|| {
                    corrupt(start, at("value length or value runs past end of batch"))
                })?;
                user_bytes += value.len() as u64;
                if kind == ValueKind::ValueBlob {
                    blob_indexes = true;
                } else {
                    largest_value = largest_value.max(value.len());
                }
            }
            found += 1;
        }
        if found != u64::from(count) {
            return Err(corrupt(
                8,
                format!("write batch header count {count} does not match its {found} records"),
            ));
        }
        if count > 0
            && seq
                .checked_add(u64::from(count) - 1)
                .is_none_or(|last| last > MAX_SEQUENCE)
        {
            return Err(corrupt(
                0,
                format!(
                    "write batch sequence {seq} with {count} records exceeds the maximum sequence {MAX_SEQUENCE}"
                ),
            ));
        }
        Ok(WriteBatch {
            rep: data,
            user_bytes,
            largest_value,
            blob_indexes,
        })
    }

    /// The operations in order. Op `i` gets sequence number `sequence() + i`.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            dec: Decoder::new(self.rep.get(HEADER_LEN..).unwrap_or(&[])),
            remaining: self.count(),
        }
    }

    /// Makes room for one operation whose key and value total `data`
    /// bytes, so that its kind byte, two length prefixes and data grow
    /// the encoding at most once (a fresh batch's header-sized vector grew
    /// three or four times for a 150-byte item).
    fn reserve_op(&mut self, data: usize) {
        self.rep.reserve(OP_OVERHEAD + data);
    }

    #[expect(
        clippy::expect_used,
        reason = "2^32 operations of at least 3 bytes each would not fit in memory first"
    )]
    fn bump_count(&mut self, n: u32) {
        let count = self
            .count()
            .checked_add(n)
            .expect("write batch holds more than u32::MAX operations");
        if let Some(dst) = self.rep.get_mut(8..HEADER_LEN) {
            dst.copy_from_slice(&count.to_le_bytes());
        }
    }
}

fn check_len(what: &str, data: &[u8]) {
    assert!(
        u32::try_from(data.len()).is_ok(),
        "write batch {what} of {} bytes is longer than u32::MAX",
        data.len()
    );
}

impl<'a> IntoIterator for &'a WriteBatch {
    type Item = BatchOp<'a>;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Iterator over a batch's operations; see [`WriteBatch::iter`].
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    dec: Decoder<'a>,
    remaining: u32,
}

impl<'a> Iterator for Iter<'a> {
    type Item = BatchOp<'a>;

    fn next(&mut self) -> Option<BatchOp<'a>> {
        if self.remaining == 0 {
            return None;
        }
        // A WriteBatch is valid by construction; stop rather than panic if a
        // bug ever breaks that.
        let op = self.decode_one();
        self.remaining = if op.is_some() { self.remaining - 1 } else { 0 };
        op
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining as usize))
    }
}

impl<'a> Iter<'a> {
    fn decode_one(&mut self) -> Option<BatchOp<'a>> {
        let kind = ValueKind::from_u8(self.dec.u8()?)?;
        let key = self.dec.length_prefixed()?;
        let value = match kind {
            ValueKind::Value | ValueKind::ValueBlob => self.dec.length_prefixed()?,
            ValueKind::Deletion => &[],
        };
        Some(BatchOp { kind, key, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{decode_hex_vector, encode_hex_vector};
    use proptest::prelude::*;

    fn ops(b: &WriteBatch) -> Vec<(ValueKind, Vec<u8>, Vec<u8>)> {
        b.iter()
            .map(|op| (op.kind, op.key.to_vec(), op.value.to_vec()))
            .collect()
    }

    fn put_delete_batch() -> WriteBatch {
        let mut b = WriteBatch::new();
        b.set_sequence(1);
        b.put(b"a", b"1");
        b.delete(b"b");
        b
    }

    fn expect_corruption(r: Result<WriteBatch>, want_offset: u64, want_reason: &str) {
        match r {
            Err(Error::Corruption {
                file,
                offset,
                reason,
            }) => {
                assert_eq!(file, "000007.log");
                assert_eq!(offset, want_offset, "reason: {reason}");
                assert!(
                    reason.contains(want_reason),
                    "reason {reason:?} lacks {want_reason:?}"
                );
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn empty_batch() {
        let b = WriteBatch::default();
        assert_eq!(b, WriteBatch::new());
        assert_eq!(b.count(), 0);
        assert!(b.is_empty());
        assert_eq!(b.sequence(), 0);
        assert_eq!(b.data(), &[0u8; HEADER_LEN][..]);
        assert_eq!(b.approximate_size(), HEADER_LEN);
        assert_eq!(b.iter().count(), 0);
        let d = WriteBatch::from_data(b.data().to_vec(), "000007.log", 0).expect("valid");
        assert_eq!(d, b);
    }

    #[test]
    fn put_delete_iter_and_from_data_round_trip() {
        let mut b = WriteBatch::new();
        b.put(b"k1", b"v1");
        b.delete(b"k2");
        b.put(b"", b"");
        b.put(b"k3", &[7u8; 300]);
        b.set_sequence(42);
        assert_eq!(b.count(), 4);
        assert!(!b.is_empty());
        assert_eq!(b.sequence(), 42);
        assert_eq!(b.user_bytes(), 2 + 2 + 2 + 2 + 300);
        assert_eq!(b.approximate_size(), b.data().len());
        let want = vec![
            (ValueKind::Value, b"k1".to_vec(), b"v1".to_vec()),
            (ValueKind::Deletion, b"k2".to_vec(), vec![]),
            (ValueKind::Value, vec![], vec![]),
            (ValueKind::Value, b"k3".to_vec(), vec![7u8; 300]),
        ];
        assert_eq!(ops(&b), want);
        assert_eq!((&b).into_iter().count(), 4);
        let d = WriteBatch::from_data(b.data().to_vec(), "000007.log", 100).expect("valid");
        assert_eq!(d, b);
        assert_eq!(d.user_bytes(), b.user_bytes());
        assert_eq!(ops(&d), want);
    }

    #[test]
    fn append_and_clear() {
        let mut a = WriteBatch::new();
        a.set_sequence(9);
        a.put(b"x", b"1");
        let mut b = WriteBatch::new();
        b.set_sequence(100);
        b.delete(b"y");
        b.put(b"z", b"22");
        a.append(&b);
        assert_eq!(a.sequence(), 9);
        assert_eq!(a.count(), 3);
        assert_eq!(a.user_bytes(), 2 + 1 + 3);
        assert_eq!(
            ops(&a),
            vec![
                (ValueKind::Value, b"x".to_vec(), b"1".to_vec()),
                (ValueKind::Deletion, b"y".to_vec(), vec![]),
                (ValueKind::Value, b"z".to_vec(), b"22".to_vec()),
            ]
        );
        a.append(&WriteBatch::new());
        assert_eq!(a.count(), 3);
        WriteBatch::from_data(a.data().to_vec(), "000007.log", 0).expect("valid");
        a.clear();
        assert_eq!(a, WriteBatch::new());
    }

    #[test]
    fn vector_batch_put_delete() {
        let bytes = decode_hex_vector(include_str!(
            "../../format-spec/vectors/batch-put-delete.hex"
        ));
        let b = WriteBatch::from_data(bytes.clone(), "vector", 0).expect("valid vector");
        assert_eq!(b.sequence(), 1);
        assert_eq!(
            ops(&b),
            vec![
                (ValueKind::Value, b"a".to_vec(), b"1".to_vec()),
                (ValueKind::Deletion, b"b".to_vec(), vec![]),
            ]
        );
        assert_eq!(put_delete_batch().data(), &bytes[..]);
    }

    #[test]
    #[ignore = "prints the vector body; run by hand when regenerating"]
    fn print_batch_vector() {
        print!("{}", encode_hex_vector(put_delete_batch().data()));
    }

    #[test]
    fn short_header_is_corruption() {
        for n in 0..HEADER_LEN {
            expect_corruption(
                WriteBatch::from_data(vec![0; n], "000007.log", 50),
                50,
                "shorter than its 12-byte header",
            );
        }
    }

    #[test]
    fn count_mismatch_is_corruption() {
        for count in [0u32, 1, 3, u32::MAX] {
            let mut d = put_delete_batch().data().to_vec();
            d[8..12].copy_from_slice(&count.to_le_bytes());
            expect_corruption(
                WriteBatch::from_data(d, "000007.log", 1000),
                1008,
                &format!("header count {count} does not match its 2 records"),
            );
        }
    }

    #[test]
    fn vector_batch_put_blob() {
        let bytes = decode_hex_vector(include_str!("../../format-spec/vectors/batch-put-blob.hex"));
        let index = decode_hex_vector(include_str!("../../format-spec/vectors/blob-index.hex"));
        let b = WriteBatch::from_data(bytes.clone(), "000007.log", 0).expect("vector decodes");
        assert_eq!(b.sequence(), 5);
        assert!(b.holds_blob_index());
        assert_eq!(b.largest_value(), 1, "a blob index is not a value");
        assert_eq!(
            ops(&b),
            vec![
                (ValueKind::ValueBlob, b"big".to_vec(), index.clone()),
                (ValueKind::Value, b"s".to_vec(), b"v".to_vec()),
            ]
        );
        let mut again = WriteBatch::new();
        again.set_sequence(5);
        again.put_blob_index(b"big", &index);
        again.put(b"s", b"v");
        assert_eq!(
            again.data(),
            &bytes[..],
            "encoder output differs; current encoding:\n{}",
            encode_hex_vector(again.data())
        );
    }

    #[test]
    fn largest_value_follows_puts_appends_and_clear() {
        let mut a = WriteBatch::new();
        a.put(b"k", &[0u8; 10]);
        a.delete(b"d");
        let mut b = WriteBatch::new();
        b.put(b"k", &[0u8; 30]);
        assert_eq!((a.largest_value(), b.largest_value()), (10, 30));
        a.append(&b);
        assert_eq!(a.largest_value(), 30);
        assert!(!a.holds_blob_index());
        let decoded = WriteBatch::from_data(a.data().to_vec(), "f", 0).expect("decodes");
        assert_eq!(decoded.largest_value(), 30);
        a.clear();
        assert_eq!(a.largest_value(), 0);
    }

    #[test]
    fn bad_kind_is_corruption_at_record_start() {
        let mut d = put_delete_batch().data().to_vec();
        // Second record starts after the header and put("a","1"): 1+2+2 bytes.
        let second = HEADER_LEN + 5;
        assert_eq!(d[second], ValueKind::Deletion as u8);
        d[second] = 7;
        expect_corruption(
            WriteBatch::from_data(d, "000007.log", 1000),
            1000 + second as u64,
            "unknown value kind 7",
        );
    }

    #[test]
    fn truncated_or_trailing_bytes_are_corruption() {
        let full = put_delete_batch().data().to_vec();
        for n in HEADER_LEN + 1..full.len() {
            let r = WriteBatch::from_data(full[..n].to_vec(), "000007.log", 0);
            assert!(
                matches!(r, Err(Error::Corruption { .. })),
                "cut at {n}: {r:?}"
            );
        }
        // A cut that ends exactly between records is caught by the count.
        expect_corruption(
            WriteBatch::from_data(full[..HEADER_LEN + 5].to_vec(), "000007.log", 0),
            8,
            "does not match",
        );
        // Truncated inside the key of the second record.
        let mut long = WriteBatch::new();
        long.put(b"key", b"value");
        let d = long.data();
        expect_corruption(
            WriteBatch::from_data(d[..d.len() - 7].to_vec(), "000007.log", 0),
            HEADER_LEN as u64,
            "key length or key runs past end",
        );
        expect_corruption(
            WriteBatch::from_data(d[..d.len() - 1].to_vec(), "000007.log", 0),
            HEADER_LEN as u64,
            "value length or value runs past end",
        );
        for extra in [&[0u8][..], &[1], &[1, 1, b'x'], &[9, 9]] {
            let mut d = full.clone();
            d.extend_from_slice(extra);
            let r = WriteBatch::from_data(d, "000007.log", 0);
            assert!(
                matches!(r, Err(Error::Corruption { .. })),
                "extra {extra:?}: {r:?}"
            );
        }
    }

    #[test]
    fn sequence_overflow_is_corruption() {
        let mut b = put_delete_batch();
        b.set_sequence(MAX_SEQUENCE); // two ops: last would be MAX_SEQUENCE + 1
        expect_corruption(
            WriteBatch::from_data(b.data().to_vec(), "000007.log", 0),
            0,
            "exceeds the maximum sequence",
        );
        b.set_sequence(MAX_SEQUENCE - 1);
        WriteBatch::from_data(b.data().to_vec(), "000007.log", 0).expect("fits");
        let mut e = WriteBatch::new();
        e.set_sequence(u64::MAX);
        WriteBatch::from_data(e.data().to_vec(), "000007.log", 0).expect("empty batch");
    }

    #[derive(Debug, Clone)]
    enum Op {
        Put(Vec<u8>, Vec<u8>),
        Delete(Vec<u8>),
    }

    fn op_strategy() -> impl Strategy<Value = Op> {
        let bytes = || proptest::collection::vec(any::<u8>(), 0..200);
        prop_oneof![
            (bytes(), bytes()).prop_map(|(k, v)| Op::Put(k, v)),
            bytes().prop_map(Op::Delete),
        ]
    }

    proptest! {
        #[test]
        fn random_ops_round_trip(list in proptest::collection::vec(op_strategy(), 0..20), seq in 0..MAX_SEQUENCE / 2) {
            let mut b = WriteBatch::new();
            let mut want = Vec::new();
            for op in &list {
                match op {
                    Op::Put(k, v) => { b.put(k, v); want.push((ValueKind::Value, k.clone(), v.clone())); }
                    Op::Delete(k) => { b.delete(k); want.push((ValueKind::Deletion, k.clone(), vec![])); }
                }
            }
            b.set_sequence(seq);
            prop_assert_eq!(b.count() as usize, list.len());
            let d = WriteBatch::from_data(b.data().to_vec(), "f", 0).expect("valid");
            prop_assert_eq!(ops(&d), want);
            prop_assert_eq!(d.user_bytes(), b.user_bytes());
            prop_assert_eq!(d, b);
        }

        #[test]
        fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(b) = WriteBatch::from_data(data.clone(), "f", 0) {
                prop_assert_eq!(b.iter().count(), b.count() as usize);
                let mut again = WriteBatch::new();
                again.set_sequence(b.sequence());
                for op in b.iter() {
                    match op.kind {
                        ValueKind::Value => again.put(op.key, op.value),
                        ValueKind::ValueBlob => again.put_blob_index(op.key, op.value),
                        ValueKind::Deletion => again.delete(op.key),
                    }
                }
                prop_assert_eq!(again.data(), &data[..]);
            }
        }
    }
}
