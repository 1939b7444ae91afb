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
//! - [`stream`]: DynamoDB Streams — a table's streams, the record every item
//!   change stages beside the item, the 24-hour trim; the Streams API
//!   (ListStreams, DescribeStream, GetShardIterator, GetRecords) is on
//!   [`DynamoDb`] (`format-spec/streams.md`).
//!
//! Time to Live (UpdateTimeToLive, DescribeTimeToLive, and a background
//! sweeper deleting expired items — [`DynamoOptions::ttl_sweep_interval`],
//! [`DynamoDb::sweep_expired_now`]) and tags (TagResource, UntagResource,
//! ListTagsOfResource, CreateTable's `Tags`) are methods of [`DynamoDb`];
//! both settings live in the table's catalog record.
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
/// PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction):
/// a parser and a planner onto the item API.
pub mod partiql;
mod query;
mod reclaim;
pub mod request;
mod scan;
pub mod schema;
pub mod stream;
mod stream_record;
mod streams_api;
mod tags;
pub mod transact;
mod ttl;
pub mod validate;
pub mod value;

pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{
    DynamoDb, DynamoOptions, DEFAULT_BACKFILL_BATCH_ITEMS, DEFAULT_ITEM_COLLECTION_SIZE_LIMIT,
    DEFAULT_TTL_SWEEP_INTERVAL,
};
pub use error::DynamoError;
pub use keycodec::ScalarAttributeType;
pub use number::{Number, NumberError};
pub use value::{item_size, AttributeValue, Item};
