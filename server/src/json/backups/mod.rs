//! DynamoDB JSON of the backup family: on-demand backups and restores
//! (`backup`), point-in-time recovery (`pitr`), and export to and import
//! from S3 (`transfers`).

pub(super) mod backup;
pub(super) mod pitr;
pub(super) mod transfers;

// What these build on, under the names their files use (`super::common`).
use super::control::{settings, tables};
use super::{common, decode, streams, tree};
