//! Shapes of the control plane: tables (`table`), secondary indexes
//! (`index`), table settings (`settings`), tags, Time to Live (`ttl`),
//! Contributor Insights (`insights`), resource policies (`policy`), and
//! the account's limits and endpoints (`account`).

pub(super) mod account;
pub(super) mod index;
pub(super) mod insights;
pub(super) mod policy;
pub(super) mod settings;
pub(super) mod table;
pub(super) mod tags;
pub(super) mod ttl;

// The shapes these build on, under the names their files use (`super::enums`).
use super::backups::backup;
use super::{enums, stream};
