//! Keys: the order-preserving encoding of key attributes (`codec.rs`),
//! where a table's items, index entries, stream records and catalog records
//! live in the engine's key space (`layout.rs`, `format-spec/keys.md`), and
//! the byte ranges reads cover — a Query's key condition compiled to a range,
//! a Scan's segments, where a page resumes (`range.rs`). The only code that
//! knows key order; every other module asks here.

pub mod codec;
pub mod layout;
pub(crate) mod range;
