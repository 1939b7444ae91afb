//! Items: DynamoDB's values and numbers, the rules a stored item meets,
//! the compact binary form the engine stores (`format-spec/items.md`), and
//! the capacity units an item's size costs.

pub(crate) mod base64;
pub mod capacity;
pub mod codec;
pub mod number;
pub mod validate;
pub mod value;
