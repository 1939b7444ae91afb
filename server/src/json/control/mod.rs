//! DynamoDB JSON of the control plane: tables (`tables`), table settings
//! (`settings`), tags, Time to Live (`ttl`), Contributor Insights
//! (`insights`), resource policies (`policy`), and the account's limits and
//! endpoints (`account`).

pub(super) mod account;
pub(super) mod insights;
pub(super) mod policy;
pub(super) mod settings;
pub(super) mod tables;
pub(super) mod tags;
pub(super) mod ttl;

// What these build on, under the names their files use (`super::common`).
use super::{common, decode, streams, tree};
