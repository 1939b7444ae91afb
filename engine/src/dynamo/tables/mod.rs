//! Tables: the catalog of table definitions, the control plane
//! (CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable), the
//! definition itself (schema), tags, and reclaiming deleted tables.

pub mod catalog;
pub(crate) mod control;
pub mod reclaim;
pub mod schema;
pub(crate) mod table;
pub(crate) mod tags;
