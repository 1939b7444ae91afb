//! `item_decoder`: stored item bytes (format-spec/items.md).

use siltdb::dynamo::itemcodec::{decode_item, decode_value, encode_item_to_vec, encode_value};
use siltdb::dynamo::validate::validate_value;

/// `item_decoder`: the bytes as an encoded item, and as one encoded value.
///
/// Whatever decodes is canonical — it re-encodes to exactly the input (the
/// value's consumed prefix) — and passes the value rules the decoder
/// promises (no empty set, at most 32 levels of nesting).
pub fn run_item(data: &[u8]) {
    if let Ok(item) = decode_item(data) {
        assert!(
            encode_item_to_vec(&item) == data,
            "decoded item re-encodes to other bytes"
        );
        for v in item.values() {
            assert!(validate_value(v).is_ok(), "decoded an invalid value: {v:?}");
        }
    }
    if let Ok((v, used)) = decode_value(data) {
        assert!(used <= data.len() && used > 0);
        let mut again = Vec::new();
        encode_value(&v, &mut again);
        assert!(
            again == data[..used],
            "decoded value re-encodes to other bytes"
        );
        assert!(
            validate_value(&v).is_ok(),
            "decoded an invalid value: {v:?}"
        );
    }
}
