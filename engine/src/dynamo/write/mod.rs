//! Writes: the one write pipeline every item write goes through
//! (`pipeline.rs`, staging in `change.rs`), and the operations on it —
//! PutItem, UpdateItem, DeleteItem (`single.rs`, with GetItem), BatchWriteItem
//! (`batch.rs`, with BatchGetItem), TransactWriteItems (`transact.rs`, with
//! TransactGetItems) — the item locks that make them atomic, and
//! transaction idempotency. The TTL sweeper (`ttl/`) writes through the same
//! pipeline.

pub mod batch;
pub(crate) mod change;
pub(crate) mod committing;
pub(crate) mod idempotency;
pub mod locks;
pub(crate) mod pipeline;
pub(crate) mod single;
pub mod transact;
