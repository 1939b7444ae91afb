//! Shapes of the backup family: on-demand backups (`backup`), point-in-time
//! recovery (`pitr`), and export to and import from S3 (`transfer`).

pub(super) mod backup;
pub(super) mod pitr;
pub(super) mod transfer;

// The shapes these build on, under the names their files use (`super::table`).
use super::control::{index, settings, table, ttl};
use super::{enums, stream};
