//! Tables: the catalog of table definitions, the control plane
//! (CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable), the
//! definition itself (schema), its settings, tags, resource policies,
//! Contributor Insights, the account's limits, and reclaiming deleted tables.

pub mod catalog;
pub(crate) mod control;
pub(crate) mod insights;
pub(crate) mod limits;
pub(crate) mod policy;
pub mod reclaim;
pub mod schema;
pub mod settings;
pub(crate) mod snapshot;
pub(crate) mod table;
pub(crate) mod tags;
