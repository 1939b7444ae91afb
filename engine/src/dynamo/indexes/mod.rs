//! Secondary indexes: their entries and how a write maintains them (and
//! what it costs them), their
//! definitions (CreateTable's and UpdateTable's index rules), backfilling a
//! global index added later, and item collections (tables with local
//! indexes).

pub(crate) mod backfill;
pub(crate) mod capacity;
pub(crate) mod collections;
pub(crate) mod ddl;
pub mod entries;
