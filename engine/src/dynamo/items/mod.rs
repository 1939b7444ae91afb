//! Items: DynamoDB's values and numbers, the rules a stored item meets,
//! the compact binary form the engine stores (`format-spec/items.md`), and
//! the capacity units an item's size costs.
// Expressions, statements and items come from the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

pub(crate) mod base64;
pub mod capacity;
pub mod codec;
pub mod number;
pub mod validate;
pub mod value;
