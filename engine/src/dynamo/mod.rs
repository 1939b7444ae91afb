//! The DynamoDB layer: DynamoDB's data model on top of the LSM engine.
//!
//! This layer never touches a file; it stores everything through [`crate::Db`]
//! (see `ARCHITECTURE.md`, "The DynamoDB layer"). It is built from pure
//! pieces that tests drive directly:
//!
//! - [`number`]: [`Number`], DynamoDB's exact 38-digit decimal, with parsing,
//!   canonical text, numeric order and exact addition/subtraction that fail
//!   the way DynamoDB fails.
//! - [`value`]: [`AttributeValue`] (S, N, B, BOOL, NULL, M, L, SS, NS, BS),
//!   [`Item`], and DynamoDB's item-size rules.
//! - [`validate`]: the rules every stored value and item must meet (non-empty
//!   sets, 32 levels of nesting, 400 KB items).
//! - [`keycodec`]: the order-preserving byte encoding of key attributes and the
//!   hash prefix that spreads partitions (`format-spec/keys.md`, "DynamoDB key
//!   encoding").
//! - [`api`]: the request and response shapes of DynamoDB's API.
//! - [`legacy`]: the legacy parameters (`Expected`, `QueryFilter`/`ScanFilter`,
//!   `KeyConditions`, `AttributeUpdates`, `AttributesToGet`,
//!   `ConditionalOperator`) translated into expression trees with DynamoDB's
//!   legacy semantics and validation messages.
//! - [`itemcodec`]: the compact binary encoding of a whole item, the value
//!   the engine stores for it (`format-spec/items.md`).
//! - [`error`]: [`DynamoError`], DynamoDB's exception names and messages.
//!
//! Error messages copy DynamoDB's wording; each is documented where it is
//! built, with where the wording was found.

pub mod api;
mod backfill;
pub mod batch;
pub mod capacity;
pub mod catalog;
mod change;
pub mod clock;
mod collection;
mod control;
mod db;
pub mod error;
/// DynamoDB expressions (condition, filter, key-condition, projection,
/// update): lexer, parser, trees, limits and DynamoDB's exact error messages.
pub mod expr;
mod idempotency;
pub mod index;
mod index_ddl;
pub mod itemcodec;
mod items;
pub mod keycodec;
pub mod layout;
pub mod legacy;
pub mod locks;
pub mod number;
mod page;
mod query;
mod reclaim;
pub mod request;
mod scan;
pub mod schema;
pub mod transact;
pub mod validate;
pub mod value;

pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{
    DynamoDb, DynamoOptions, DEFAULT_BACKFILL_BATCH_ITEMS, DEFAULT_ITEM_COLLECTION_SIZE_LIMIT,
};
pub use error::DynamoError;
pub use keycodec::ScalarAttributeType;
pub use number::{Number, NumberError};
pub use value::{item_size, AttributeValue, Item};
