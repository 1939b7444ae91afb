//! `ConsumedCapacity` and `ItemCollectionMetrics` shapes.

use std::collections::BTreeMap;

use crate::dynamo::items::value::Item;

/// Capacity units consumed by one table or index (the `Capacity` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capacity {
    /// Read units, when the operation read.
    pub read_capacity_units: Option<f64>,
    /// Write units, when the operation wrote.
    pub write_capacity_units: Option<f64>,
    /// Total units.
    pub capacity_units: Option<f64>,
}

/// Capacity consumed by an operation on one table (the `ConsumedCapacity` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsumedCapacity {
    /// The table the capacity was consumed on.
    pub table_name: Option<String>,
    /// Total units (table plus indexes).
    pub capacity_units: Option<f64>,
    /// Total read units.
    pub read_capacity_units: Option<f64>,
    /// Total write units.
    pub write_capacity_units: Option<f64>,
    /// The table's own share (`ReturnConsumedCapacity: INDEXES`).
    pub table: Option<Capacity>,
    /// Per local secondary index (`INDEXES`).
    pub local_secondary_indexes: Option<BTreeMap<String, Capacity>>,
    /// Per global secondary index (`INDEXES`).
    pub global_secondary_indexes: Option<BTreeMap<String, Capacity>>,
}

/// Size of the item collection a write touched (tables with local secondary indexes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemCollectionMetrics {
    /// The partition key of the collection.
    pub item_collection_key: Item,
    /// Lower and upper estimate of the collection's size, in GB.
    pub size_estimate_range_gb: Vec<f64>,
}
