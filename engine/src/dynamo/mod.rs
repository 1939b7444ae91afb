//! The DynamoDB layer: DynamoDB's data model on top of the LSM engine.
//!
//! This layer never touches a file; it stores everything through [`crate::Db`]
//! (see `ARCHITECTURE.md`, "The DynamoDB layer"). One folder per concept a
//! DynamoDB user knows:
//!
//! - `api/`: the request and response shapes of DynamoDB's API.
//! - `items/`: [`Number`] (DynamoDB's exact 38-digit decimal),
//!   [`AttributeValue`] and [`Item`] with DynamoDB's size rules, the rules a
//!   stored item meets, the item encoding (`format-spec/items.md`), capacity
//!   units.
//! - `keys/`: the order-preserving key encoding and where everything lives in
//!   the engine's key space (`format-spec/keys.md`); the only code that
//!   knows key order.
//! - `tables/`: the catalog, the control plane, the table definition, tags,
//!   reclaiming deleted tables.
//! - `write/`: PutItem, UpdateItem, DeleteItem, batches and transactions, the
//!   item locks, and the one place an item change becomes engine writes.
//! - `query/`: Query, Scan and the pages they read.
//! - `indexes/`: secondary index entries, their definitions, backfills,
//!   item collections.
//! - `streams/`: DynamoDB Streams — the record every change stages, the
//!   sequence numbers, the trim, the Streams API (`format-spec/streams.md`).
//! - `ttl/`: Time to Live settings and the sweeper deleting expired items.
//! - `expr/`: the expression language, the legacy parameters translated into
//!   it, and a request's expression parameters prepared together.
//! - `partiql/`: PartiQL (ExecuteStatement, BatchExecuteStatement,
//!   ExecuteTransaction), a parser and planner onto the item API.
//! - `clock/`: wall-clock time, injectable for tests.
//!
//! [`DynamoDb`] (`db.rs`) is the handle applications use; [`DynamoError`]
//! (`error.rs`) carries DynamoDB's exception names and messages. Error
//! messages copy DynamoDB's wording; each is documented where it is built,
//! with where the wording was found.
// Requests come from the network and items from disk: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

pub mod api;
mod backups;
pub mod clock;
mod db;
pub mod error;
/// DynamoDB expressions (condition, filter, key-condition, projection,
/// update): lexer, parser, trees, limits and DynamoDB's exact error messages.
pub mod expr;
mod failures;
pub(crate) mod indexes;
pub(crate) mod items;
pub(crate) mod keys;
/// PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction):
/// a parser and a planner onto the item API.
pub mod partiql;
mod pitr;
mod query;
pub(crate) mod streams;
pub(crate) mod tables;
#[cfg(test)]
mod testutil;
mod ttl;
mod worker;
mod write;

// Short paths inside the crate. Tools outside reach the encodings through
// `crate::low_level::dynamo`.
pub(crate) use items::{number, value};
pub(crate) use keys::codec as keycodec;
pub use tables::snapshot::{ItemChange, TableChanges, TableSnapshot};

/// DynamoDB Streams: a table's streams and their records.
pub mod stream {
    pub use super::streams::{stream_label, StreamMeta, RETENTION_MILLIS};
}

pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{
    DynamoDb, DynamoOptions, DEFAULT_BACKFILL_BATCH_ITEMS, DEFAULT_ITEM_COLLECTION_SIZE_LIMIT,
    DEFAULT_TTL_SWEEP_INTERVAL,
};
pub use error::{DynamoError, StorageFailure};
pub use failures::BackgroundFailures;
pub use keycodec::ScalarAttributeType;
pub use number::{Number, NumberError};
pub use value::{item_size, AttributeValue, Item};
pub use write::committing::Committing;
