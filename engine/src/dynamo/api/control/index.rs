//! Secondary index shapes: definitions (CreateTable, UpdateTable) and
//! descriptions (DescribeTable).

use super::enums::wire_enum;
use super::settings::{
    GlobalSecondaryIndexWarmThroughputDescription, OnDemandThroughput, WarmThroughput,
};
use super::table::{KeySchemaElement, ProvisionedThroughput, ProvisionedThroughputDescription};

wire_enum! {
    /// `ProjectionType`: which attributes an index copies.
    ProjectionType {
        /// Every attribute.
        #[default]
        All => "ALL",
        /// Only the table and index keys.
        KeysOnly => "KEYS_ONLY",
        /// The keys plus `NonKeyAttributes`.
        Include => "INCLUDE",
    }
}

wire_enum! {
    /// `IndexStatus` of a global secondary index.
    IndexStatus {
        /// Being built (backfilled).
        Creating => "CREATING",
        /// Being updated.
        Updating => "UPDATING",
        /// Being deleted.
        Deleting => "DELETING",
        /// Ready.
        #[default]
        Active => "ACTIVE",
    }
}

/// Which attributes an index holds (the `Projection` shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    /// `ProjectionType`; required by CreateTable and UpdateTable (the library
    /// reports its absence as DynamoDB does).
    pub projection_type: Option<ProjectionType>,
    /// `NonKeyAttributes` (with `INCLUDE` only).
    pub non_key_attributes: Option<Vec<String>>,
}

/// A local secondary index definition (the `LocalSecondaryIndex` shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalSecondaryIndex {
    /// 3–255 characters of `[a-zA-Z0-9_.-]`.
    pub index_name: String,
    /// The table's partition key, then another sort key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Projected attributes.
    pub projection: Projection,
}

/// A global secondary index definition (the `GlobalSecondaryIndex` shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobalSecondaryIndex {
    /// 3–255 characters of `[a-zA-Z0-9_.-]`.
    pub index_name: String,
    /// Any partition key, optionally a sort key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Projected attributes.
    pub projection: Projection,
    /// Required for provisioned tables.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// `OnDemandThroughput`: the most request units per second the index
    /// may use.
    pub on_demand_throughput: Option<OnDemandThroughput>,
    /// `WarmThroughput`: what the index should support at once.
    pub warm_throughput: Option<WarmThroughput>,
}

/// A local secondary index as DescribeTable reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalSecondaryIndexDescription {
    /// Name.
    pub index_name: String,
    /// Key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// Projection.
    pub projection: Projection,
    /// Bytes of the index's entries (DynamoDB's size rules).
    pub index_size_bytes: i64,
    /// Entries in the index.
    pub item_count: i64,
    /// `<table arn>/index/<name>`.
    pub index_arn: String,
}

/// A global secondary index as DescribeTable reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GlobalSecondaryIndexDescription {
    /// Name.
    pub index_name: String,
    /// Key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// Projection.
    pub projection: Projection,
    /// `CREATING` while the backfill runs, then `ACTIVE`.
    pub index_status: IndexStatus,
    /// True while existing items are being added (status `CREATING`).
    pub backfilling: Option<bool>,
    /// Provisioned throughput (zeros on demand).
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// Bytes of the index's entries.
    pub index_size_bytes: i64,
    /// Entries in the index.
    pub item_count: i64,
    /// `<table arn>/index/<name>`.
    pub index_arn: String,
    /// Why the backfill of this `CREATING` index stopped, if it failed (the
    /// index stays `CREATING` and the backfill starts again at the next
    /// open). A siltdb extension: DynamoDB's
    /// `GlobalSecondaryIndexDescription` has no such member (its
    /// `IndexStatus` has no failed state), so the wire form leaves it out.
    pub backfill_error: Option<String>,
    /// `OnDemandThroughput`, once given.
    pub on_demand_throughput: Option<OnDemandThroughput>,
    /// `WarmThroughput` (always present for a global index).
    pub warm_throughput: Option<GlobalSecondaryIndexWarmThroughputDescription>,
}

/// Create a global secondary index (UpdateTable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateGlobalSecondaryIndexAction {
    /// Name.
    pub index_name: String,
    /// Key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// Projection.
    pub projection: Projection,
    /// Required for provisioned tables.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// `OnDemandThroughput`: the most request units per second the index
    /// may use.
    pub on_demand_throughput: Option<OnDemandThroughput>,
    /// `WarmThroughput`: what the index should support at once.
    pub warm_throughput: Option<WarmThroughput>,
}

/// Change a global secondary index's throughput (UpdateTable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateGlobalSecondaryIndexAction {
    /// Name.
    pub index_name: String,
    /// New throughput.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// `OnDemandThroughput`: the most request units per second the index
    /// may use.
    pub on_demand_throughput: Option<OnDemandThroughput>,
    /// `WarmThroughput`: what the index should support at once.
    pub warm_throughput: Option<WarmThroughput>,
}

/// Delete a global secondary index (UpdateTable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteGlobalSecondaryIndexAction {
    /// Name.
    pub index_name: String,
}

/// Exactly one index change of UpdateTable (the `GlobalSecondaryIndexUpdate` shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlobalSecondaryIndexUpdate {
    /// `Create`.
    Create(CreateGlobalSecondaryIndexAction),
    /// `Update`.
    Update(UpdateGlobalSecondaryIndexAction),
    /// `Delete`.
    Delete(DeleteGlobalSecondaryIndexAction),
}
