//! Where the DynamoDB layer's data lives in the engine's key space.
//! Spec: format-spec/keys.md, "Table and index key layout".
//!
//! The only code that builds or takes apart engine keys of the DynamoDB
//! layer (the key ranges reads cover are built from these in `range.rs`);
//! every other module asks here.
//!
//! Table id 0 never names a table, so the catalog sorts before every table
//! and no table's range overlaps it.

use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::AttributeValue;
use crate::dynamo::keys::codec::{
    encode_composite_partition, encode_composite_sort, encode_primary_key,
};

/// Bytes of the table id prefix.
pub const TABLE_ID_LEN: usize = 4;
/// Index id of the table's own items.
pub const TABLE_INDEX_ID: u8 = 0;
/// Index id under which a table's stream records live (never an index).
pub const STREAM_INDEX_ID: u8 = 0xFE;
/// Index id under which a table's item collection sizes live (never an
/// index).
pub const COLLECTION_SIZE_INDEX_ID: u8 = 0xFF;
/// Bytes of a stream record key after the table id and index id: the
/// sequence number, u64 big-endian.
const STREAM_SEQ_LEN: usize = 8;

/// Catalog record kind: a table definition, keyed by table name.
pub const CATALOG_TABLE: u8 = b'T';
/// Catalog record kind: the next table id to hand out (one record).
pub const CATALOG_NEXT_ID: u8 = b'S';
/// Catalog record kind: a deleted table whose items are still being
/// reclaimed, keyed by table id.
pub const CATALOG_RETIRED: u8 = b'R';
/// Catalog record kind: a deleted secondary index whose entries are still
/// being reclaimed, keyed by table id (u32 BE) and index id (u8).
pub const CATALOG_RETIRED_INDEX: u8 = b'I';
/// Catalog record kind: the streams of a deleted table, readable (and their
/// records kept) until 24 hours after they were disabled; keyed by table id
/// (u32 BE).
pub const CATALOG_RETIRED_STREAMS: u8 = b'D';

/// Catalog record kind: an on-demand backup, keyed by backup id (ASCII,
/// `<13-digit creation millis>-<8 hex digits>`, so records sort by creation).
pub const CATALOG_BACKUP: u8 = b'B';

/// Catalog record kind: a clock sample for point-in-time recovery, keyed by
/// a Unix second (u64 BE), value the sequence number before that second's
/// first write (format-spec/items.md, "Clock samples").
pub const CATALOG_CLOCK_SAMPLE: u8 = b'C';

/// The catalog key of `kind` + `suffix`.
pub fn catalog_key(kind: u8, suffix: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(TABLE_ID_LEN + 1 + suffix.len());
    k.extend_from_slice(&[0; TABLE_ID_LEN]);
    k.push(kind);
    k.extend_from_slice(suffix);
    k
}

/// The first key of every catalog record of `kind`.
pub fn catalog_prefix(kind: u8) -> Vec<u8> {
    catalog_key(kind, &[])
}

/// The prefix of every key of one table or index: `table_id ++ index_id`.
pub fn range_prefix(table_id: u32, index_id: u8) -> Vec<u8> {
    let mut k = Vec::with_capacity(TABLE_ID_LEN + 1 + 32);
    k.extend_from_slice(&table_id.to_be_bytes());
    k.push(index_id);
    k
}

/// The engine key of an item: [`range_prefix`] ++ `encoded` (the output of
/// [`crate::dynamo::keys::codec::encode_primary_key`]).
pub fn item_key(table_id: u32, index_id: u8, encoded: &[u8]) -> Vec<u8> {
    let mut k = range_prefix(table_id, index_id);
    k.extend_from_slice(encoded);
    k
}

/// The prefix of every key of a table and all its indexes.
pub fn table_prefix(table_id: u32) -> Vec<u8> {
    table_id.to_be_bytes().to_vec()
}

/// The prefix of every key of one partition of a table (`index_id` 0) or
/// index: [`range_prefix`] ++ `hash(pk) ++ enc(pk)`. For an index, `pk` is
/// the index partition key.
pub fn partition_prefix(
    table_id: u32,
    index_id: u8,
    pk: &AttributeValue,
) -> Result<Vec<u8>, DynamoError> {
    composite_partition_prefix(table_id, index_id, &[pk])
}

/// The prefix of every entry of one partition of an index whose partition
/// key has one value per HASH attribute (`pks`, in key schema order):
/// [`range_prefix`] ++ `hash(enc(p1)…enc(pn)) ++ enc(p1) … enc(pn)`
/// (format-spec/keys.md, "Multi-attribute index keys"). With one value,
/// [`partition_prefix`].
pub fn composite_partition_prefix(
    table_id: u32,
    index_id: u8,
    pks: &[&AttributeValue],
) -> Result<Vec<u8>, DynamoError> {
    let mut k = range_prefix(table_id, index_id);
    k.extend_from_slice(&encode_composite_partition(pks)?);
    Ok(k)
}

/// The engine key of the size record of the item collection of partition
/// key `pk` in table `table_id` (format-spec/keys.md, "Item collection
/// sizes").
pub fn collection_size_key(table_id: u32, pk: &AttributeValue) -> Result<Vec<u8>, DynamoError> {
    partition_prefix(table_id, COLLECTION_SIZE_INDEX_ID, pk)
}

/// The engine key of an index entry: [`composite_partition_prefix`] of the
/// index partition key values `ipk` ++ `enc(isk1) … enc(iskn)` of its sort
/// key values (none without a sort key) ++ `encode_primary_key(tpk, tsk)`
/// of the item's table key (format-spec/keys.md, "Secondary index
/// entries").
pub fn index_entry_key(
    table_id: u32,
    index_id: u8,
    (ipk, isk): (&[&AttributeValue], &[&AttributeValue]),
    (tpk, tsk): (&AttributeValue, Option<&AttributeValue>),
) -> Result<Vec<u8>, DynamoError> {
    let mut key = composite_partition_prefix(table_id, index_id, ipk)?;
    encode_composite_sort(isk, &mut key)?;
    key.extend_from_slice(&encode_primary_key(tpk, tsk)?);
    Ok(key)
}

/// The index id of a table's key (any key under [`table_prefix`]), or
/// `None` for a key too short to have one.
pub fn index_id_of(key: &[u8]) -> Option<u8> {
    key.get(TABLE_ID_LEN).copied()
}

/// The engine key of stream record `seq` of table `table_id`
/// (format-spec/streams.md).
pub fn stream_record_key(table_id: u32, seq: u64) -> Vec<u8> {
    let mut k = range_prefix(table_id, STREAM_INDEX_ID);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The engine key of table `table_id`'s stream trim marker (the record key
/// of sequence number 0, which no record has).
pub fn stream_trim_marker_key(table_id: u32) -> Vec<u8> {
    stream_record_key(table_id, 0)
}

/// The sequence number of a stream record key (any key under a table's
/// stream range), or `None` if `key` is not one.
pub fn stream_seq_of_key(key: &[u8]) -> Option<u64> {
    if index_id_of(key) != Some(STREAM_INDEX_ID) {
        return None;
    }
    let seq: [u8; STREAM_SEQ_LEN] = key.get(TABLE_ID_LEN + 1..)?.try_into().ok()?;
    Some(u64::from_be_bytes(seq))
}

/// The smallest key greater than `key` (`key ++ 00`): where a forward read
/// that has seen `key` resumes.
pub fn successor(key: &[u8]) -> Vec<u8> {
    let mut next = Vec::with_capacity(key.len() + 1);
    next.extend_from_slice(key);
    next.push(0);
    next
}

/// The smallest key greater than every key starting with `prefix`, or
/// `None` if there is none (the prefix is all `0xFF`).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::keys::codec::{
        decode_composite_key, decode_primary_key, encode_partition, ScalarAttributeType,
    };
    use crate::dynamo::testutil::n;

    /// The entry of `dynamo-key-index-multi.hex`: table 42, index 2, HASH
    /// (S "NA", N 7), RANGE (N 2024, B 00 FF), of the item with table key
    /// S "song#1".
    fn multi_entry() -> Vec<u8> {
        let (na, b) = (
            AttributeValue::S("NA".into()),
            AttributeValue::B(vec![0, 0xFF]),
        );
        index_entry_key(
            42,
            2,
            (&[&na, &n("7")], &[&n("2024"), &b]),
            (&AttributeValue::S("song#1".into()), None),
        )
        .expect("key types")
    }

    #[test]
    fn multi_attribute_entry_vector_decodes() {
        use ScalarAttributeType::{B, N, S};
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/dynamo-key-index-multi.hex"
        ));
        assert_eq!(multi_entry(), bytes);
        assert_eq!(
            bytes.get(..TABLE_ID_LEN + 1),
            Some(&range_prefix(42, 2)[..])
        );
        let rest = &bytes[TABLE_ID_LEN + 1..];
        let ((pk, sk), used) = decode_composite_key(&[S, N], &[N, B], rest).expect("decodes");
        assert_eq!(pk, vec![AttributeValue::S("NA".into()), n("7")]);
        assert_eq!(sk, vec![n("2024"), AttributeValue::B(vec![0, 0xFF])]);
        assert_eq!(
            decode_primary_key(S, None, &rest[used..]),
            Ok((AttributeValue::S("song#1".into()), None))
        );
        // A flipped hash byte, or a partition decoded as one attribute,
        // does not decode.
        let mut bad = rest.to_vec();
        bad[0] ^= 1;
        assert!(decode_composite_key(&[S, N], &[N, B], &bad).is_err());
        assert!(decode_composite_key(&[S], &[N, N, B], rest).is_err());
    }

    #[test]
    fn one_attribute_keys_keep_their_bytes() {
        // A single HASH (and RANGE) attribute: exactly the layout before
        // multi-attribute keys (the same bytes as dynamo-key-primary.hex
        // after the range prefix).
        let (pk, sk) = (AttributeValue::S("user#1".into()), n("42"));
        let primary = encode_primary_key(&pk, Some(&sk)).expect("key");
        let mut want = range_prefix(7, 3);
        want.extend_from_slice(&primary);
        want.extend_from_slice(&encode_primary_key(&pk, None).expect("key"));
        assert_eq!(
            index_entry_key(7, 3, (&[&pk], &[&sk]), (&pk, None)),
            Ok(want)
        );
        assert_eq!(
            composite_partition_prefix(7, 3, &[&pk]),
            Ok([range_prefix(7, 3), encode_partition(&pk).expect("pk")].concat())
        );
    }

    #[test]
    #[ignore = "prints the multi-attribute index entry vector"]
    fn print_multi_entry_vector() {
        print!("{}", crate::testutil::encode_hex_vector(&multi_entry()));
    }

    #[test]
    fn catalog_sorts_before_every_table() {
        let catalog_max = catalog_key(0xFF, &[0xFF; 300]);
        let first_table = item_key(1, 0, &[]);
        assert!(catalog_max < first_table);
        assert!(range_prefix(1, 0) < range_prefix(1, 1));
        assert!(range_prefix(1, 255) < range_prefix(2, 0));
    }

    #[test]
    fn stream_keys_sort_by_sequence_and_the_marker_comes_first() {
        assert!(stream_trim_marker_key(3) < stream_record_key(3, 1));
        assert!(stream_record_key(3, 255) < stream_record_key(3, 256));
        assert!(stream_record_key(3, u64::MAX) < range_prefix(3, 0xFF));
        assert_eq!(stream_seq_of_key(&stream_record_key(3, 77)), Some(77));
        assert_eq!(stream_seq_of_key(&range_prefix(3, 0)), None);
        assert_eq!(stream_seq_of_key(&range_prefix(3, STREAM_INDEX_ID)), None);
    }

    #[test]
    fn successor_is_the_next_key() {
        assert!(successor(b"ab") > b"ab".to_vec());
        assert!(successor(b"ab") < b"ab\x00\x00".to_vec());
        assert!(successor(b"ab") < b"ac".to_vec());
    }

    #[test]
    fn prefix_end_is_the_least_upper_bound() {
        assert_eq!(prefix_end(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        let p = [7u8, 0xFF, 0xFF];
        let end = prefix_end(&p).unwrap_or_default();
        assert!(end.as_slice() > &[7u8, 0xFF, 0xFF, 0xFF, 0xFF][..]);
    }
}
