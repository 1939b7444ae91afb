//! Internal keys: the user key followed by an 8-byte trailer.
//! Spec: format-spec/keys.md.
//!
//! Internal keys order by user key ascending (bytewise), then by trailer
//! descending, so the newest version of a key comes first.
// Keys, batches and file bytes come from disk: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::cmp::Ordering;

use crate::coding::get_fixed64;

/// Sequence numbers occupy the top 56 bits of the trailer.
pub const MAX_SEQUENCE: u64 = (1 << 56) - 1;

/// Length of the trailer appended to every user key.
pub const TRAILER_LEN: usize = 8;

/// What an internal key records. On-disk values: never change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum ValueKind {
    /// A tombstone: the key was deleted at this sequence number.
    Deletion = 0,
    /// A value: the key was set at this sequence number.
    Value = 1,
    /// A separated value: the key was set at this sequence number and the
    /// entry's value is a blob index naming where the value lives in a blob
    /// file (format-spec/value-log.md).
    ValueBlob = 2,
}

impl ValueKind {
    /// Decodes a kind byte; `None` for values this format does not define.
    pub fn from_u8(b: u8) -> Option<ValueKind> {
        match b {
            0 => Some(ValueKind::Deletion),
            1 => Some(ValueKind::Value),
            2 => Some(ValueKind::ValueBlob),
            _ => None,
        }
    }

    /// True for the kinds that set the key (`Value`, `ValueBlob`).
    pub fn is_value(self) -> bool {
        self != ValueKind::Deletion
    }
}

/// The kind used when building a seek key: the highest kind, so that a seek
/// for `(user_key, seq)` lands on the newest entry with sequence `<= seq`
/// (trailers sort descending, so a lower kind at `seq` would sort after it).
pub const KIND_FOR_SEEK: ValueKind = ValueKind::ValueBlob;

/// Packs a sequence number and kind into the trailer value.
pub fn pack_trailer(seq: u64, kind: ValueKind) -> u64 {
    debug_assert!(seq <= MAX_SEQUENCE);
    (seq << 8) | kind as u64
}

/// Appends the internal key for `(user_key, seq, kind)` to `dst`.
pub fn append_internal_key(dst: &mut Vec<u8>, user_key: &[u8], seq: u64, kind: ValueKind) {
    dst.extend_from_slice(user_key);
    dst.extend_from_slice(&pack_trailer(seq, kind).to_le_bytes());
}

/// Builds the internal key for `(user_key, seq, kind)`.
pub fn make_internal_key(user_key: &[u8], seq: u64, kind: ValueKind) -> Vec<u8> {
    let mut v = Vec::with_capacity(user_key.len() + TRAILER_LEN);
    append_internal_key(&mut v, user_key, seq, kind);
    v
}

/// A decoded internal key borrowing the user key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedKey<'a> {
    /// The user's key.
    pub user_key: &'a [u8],
    /// Sequence number of the write.
    pub seq: u64,
    /// Value, separated value or deletion.
    pub kind: ValueKind,
}

/// Splits an internal key; `None` if it is shorter than the trailer or the
/// kind byte is unknown.
pub fn parse_internal_key(ikey: &[u8]) -> Option<ParsedKey<'_>> {
    let split = ikey.len().checked_sub(TRAILER_LEN)?;
    let (user_key, trailer) = ikey.split_at_checked(split)?;
    let trailer = get_fixed64(trailer)?;
    let kind = ValueKind::from_u8((trailer & 0xff) as u8)?;
    Some(ParsedKey {
        user_key,
        seq: trailer >> 8,
        kind,
    })
}

/// The user-key part of an internal key (the whole slice if it is too short,
/// which only happens on corrupt data that a checked decoder already rejected).
pub fn user_key(ikey: &[u8]) -> &[u8] {
    ikey.get(..ikey.len().saturating_sub(TRAILER_LEN))
        .unwrap_or(ikey)
}

/// The trailer of an internal key (0 if it is too short).
pub fn trailer(ikey: &[u8]) -> u64 {
    ikey.len()
        .checked_sub(TRAILER_LEN)
        .and_then(|s| ikey.get(s..))
        .and_then(get_fixed64)
        .unwrap_or(0)
}

/// The total order on internal keys: user key ascending, trailer descending.
pub fn compare_internal(a: &[u8], b: &[u8]) -> Ordering {
    match user_key(a).cmp(user_key(b)) {
        Ordering::Equal => trailer(b).cmp(&trailer(a)),
        o => o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_versions_sort_first() {
        let a = make_internal_key(b"k", 10, ValueKind::Value);
        let b = make_internal_key(b"k", 5, ValueKind::Value);
        let c = make_internal_key(b"k\0", 99, ValueKind::Value);
        let d = make_internal_key(b"k", 10, ValueKind::Deletion);
        let e = make_internal_key(b"k", 10, ValueKind::ValueBlob);
        assert_eq!(compare_internal(&a, &b), Ordering::Less);
        assert_eq!(compare_internal(&e, &a), Ordering::Less);
        assert_eq!(compare_internal(&b, &c), Ordering::Less);
        assert_eq!(compare_internal(&a, &d), Ordering::Less);
    }

    #[test]
    fn seek_key_lands_on_every_kind_at_its_sequence() {
        let seek = make_internal_key(b"k", 10, KIND_FOR_SEEK);
        for kind in [ValueKind::Deletion, ValueKind::Value, ValueKind::ValueBlob] {
            let entry = make_internal_key(b"k", 10, kind);
            assert_ne!(
                compare_internal(&seek, &entry),
                Ordering::Greater,
                "seek key sorts after {kind:?} at the same sequence"
            );
        }
    }

    #[test]
    fn spec_vector_decodes() {
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../format-spec/vectors/internal-key.hex"
        ));
        let p = parse_internal_key(&bytes).expect("vector is a valid key");
        assert_eq!(
            (p.user_key, p.seq, p.kind),
            (&b"user"[..], 42, ValueKind::Deletion)
        );
        assert_eq!(make_internal_key(b"user", 42, ValueKind::Deletion), bytes);
    }

    #[test]
    fn parse_round_trip_and_rejects_bad_kind() {
        let k = make_internal_key(b"user", 42, ValueKind::Deletion);
        let p = parse_internal_key(&k).expect("valid key");
        assert_eq!(
            (p.user_key, p.seq, p.kind),
            (&b"user"[..], 42, ValueKind::Deletion)
        );
        let mut bad = k.clone();
        let n = bad.len();
        bad[n - 8] = 7;
        assert!(parse_internal_key(&bad).is_none());
        bad[n - 8] = 3;
        assert!(parse_internal_key(&bad).is_none());
        assert!(parse_internal_key(b"short").is_none());
    }
}
