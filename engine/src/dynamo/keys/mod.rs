//! Keys: the order-preserving encoding of key attributes, where a table's
//! items, index entries, stream records and catalog records live in the
//! engine's key space (`format-spec/keys.md`), and the byte ranges reads
//! cover. The only code that knows key order.

pub mod codec;
pub mod layout;
