//! `item_decoder`: stored item bytes (format-spec/items.md).

use siltdb::dynamo::AttributeValue;
use siltdb::low_level::dynamo::itemcodec::{
    decode_item, decode_value, encode_item_to_vec, encode_value,
};
use siltdb::low_level::dynamo::validate::validate_value;

/// `item_decoder`: the bytes as an encoded item, and as one encoded value.
///
/// Whatever decodes is canonical — it re-encodes to exactly the input (the
/// value's consumed prefix) — and passes the value rules the decoder
/// promises (no empty set, at most 32 levels of nesting). Attribute names
/// of 64 KB or more are refused on write but were accepted before, so the
/// decoder still reads them: that one rule is not asked of a decoded value.
pub fn run_item(data: &[u8]) {
    if let Ok(item) = decode_item(data) {
        assert!(
            encode_item_to_vec(&item) == data,
            "decoded item re-encodes to other bytes"
        );
        for v in item.values() {
            assert!(valid(v), "decoded an invalid value: {v:?}");
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
        assert!(valid(&v), "decoded an invalid value: {v:?}");
    }
}

/// `validate_value`, but for the attribute name length (see [`run_item`]).
fn valid(v: &AttributeValue) -> bool {
    match validate_value(v) {
        Ok(()) => true,
        Err(e) => e.message().contains("Attribute name is too large"),
    }
}
