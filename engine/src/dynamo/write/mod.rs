//! Writes: PutItem, UpdateItem, DeleteItem, BatchWriteItem and
//! TransactWriteItems (and the reads that travel with them, GetItem,
//! BatchGetItem, TransactGetItems), the item locks that make them atomic,
//! the one place an item change becomes engine writes, and transaction
//! idempotency.

pub mod batch;
pub(crate) mod change;
pub(crate) mod idempotency;
pub mod locks;
pub(crate) mod single;
pub mod transact;
