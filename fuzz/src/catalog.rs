//! `catalog_decoder`: DynamoDB-layer catalog records (format-spec/items.md,
//! "Catalog records"): table records, retired-index keys and the
//! retained-streams records of deleted tables.

use siltdb::low_level::dynamo::catalog::{
    decode_meta, decode_retired_index_key, decode_retired_streams, decode_retired_streams_key,
    encode_meta, retired_index_key, retired_streams_key,
};

/// `catalog_decoder`: the bytes as a table record, as catalog keys, and
/// split by the first byte into a retained-streams (key, value) pair.
///
/// A table record that decodes re-encodes to a record that decodes to the
/// same definition (the encoder is the one writer of these records, so a
/// definition it cannot write back is a decoder bug); a key that decodes
/// re-encodes to exactly the input.
pub fn run_catalog(data: &[u8]) {
    if let Ok(meta) = decode_meta(data) {
        let again = decode_meta(&encode_meta(&meta));
        assert!(
            again.as_ref() == Ok(&meta),
            "a decoded table record does not survive encode/decode: {meta:?} -> {again:?}"
        );
    }
    if let Ok((table, index)) = decode_retired_index_key(data) {
        assert!(retired_index_key(table, index) == data);
    }
    if let Ok(table) = decode_retired_streams_key(data) {
        assert!(retired_streams_key(table) == data);
    }
    if let Some((&split, rest)) = data.split_first() {
        let at = usize::from(split).min(rest.len());
        let (key, value) = rest.split_at(at);
        if let Ok(meta) = decode_retired_streams(key, value) {
            assert!(decode_retired_streams_key(key) == Ok(meta.id));
            assert!(meta.streams.iter().all(|s| !s.is_enabled()));
        }
    }
}
