//! DynamoDB's capacity-unit arithmetic and the `ConsumedCapacity` it reports.
//!
//! Developer Guide, "Read/write capacity mode" and "Item sizes and formats":
//! one read unit is one strongly consistent read of up to 4 KB (half a unit
//! eventually consistent, two units transactional); one write unit is one
//! write of up to 1 KB (two units transactional). Sizes round up; an
//! operation consumes at least one unit (half for an eventually consistent
//! read). A Query or Scan rounds the *sum* of the item sizes it read, not
//! each item. Puts and updates are charged for the larger of the old and the
//! new item; deletes for the deleted item.
//!
//! Response shape (characterised against real DynamoDB by the
//! paritysuite/dynamodb-conformance suite, issue #69): single-item
//! operations, Query and Scan report only `TableName` and `CapacityUnits`
//! (plus `Table.CapacityUnits` under `INDEXES`); transactions also split
//! `ReadCapacityUnits` / `WriteCapacityUnits`.
//!
//! A write also consumes units on each secondary index whose entry it puts
//! or deletes (`indexes/capacity.rs`): they count in the operation's
//! `CapacityUnits` (API Reference, `ReturnConsumedCapacity`: `TOTAL` is the
//! aggregate), and `INDEXES` lists them per index under
//! `GlobalSecondaryIndexes` / `LocalSecondaryIndexes`.

use std::collections::BTreeMap;

use crate::dynamo::api::{Capacity, ConsumedCapacity, ReturnConsumedCapacity};

/// Bytes per read unit.
pub const READ_UNIT_BYTES: usize = 4 * 1024;
/// Bytes per write unit.
pub const WRITE_UNIT_BYTES: usize = 1024;

/// Read units for reading `bytes` (one item, or the sum a Query read).
pub fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(READ_UNIT_BYTES).max(1) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// Write units for writing an item of `bytes`.
pub fn write_units(bytes: usize) -> f64 {
    bytes.div_ceil(WRITE_UNIT_BYTES).max(1) as f64
}

/// `ConsumedCapacity` of a single-item operation, Query or Scan, or `None`
/// when the request did not ask for it.
pub fn consumed(
    mode: Option<ReturnConsumedCapacity>,
    table_name: &str,
    units: f64,
) -> Option<ConsumedCapacity> {
    let mode = mode.unwrap_or_default();
    if mode == ReturnConsumedCapacity::None {
        return None;
    }
    Some(ConsumedCapacity {
        table_name: Some(table_name.to_string()),
        capacity_units: Some(units),
        table: (mode == ReturnConsumedCapacity::Indexes).then(|| Capacity {
            capacity_units: Some(units),
            ..Capacity::default()
        }),
        ..ConsumedCapacity::default()
    })
}

/// The `Capacity` of each index, by name.
type PerIndex = BTreeMap<String, Capacity>;

/// Write units a write consumed on the secondary indexes of one table, by
/// index name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexUnits {
    /// Per global secondary index.
    pub global: BTreeMap<String, f64>,
    /// Per local secondary index.
    pub local: BTreeMap<String, f64>,
}

impl IndexUnits {
    /// The units of every index.
    pub fn total(&self) -> f64 {
        self.global.values().chain(self.local.values()).sum()
    }

    /// Adds `other`'s units, index by index.
    pub fn add(&mut self, other: IndexUnits) {
        for (name, u) in other.global {
            *self.global.entry(name).or_default() += u;
        }
        for (name, u) in other.local {
            *self.local.entry(name).or_default() += u;
        }
    }

    /// The per-index maps of an `INDEXES` report, with `fill` setting each
    /// index's figures; `None` for a kind the write did not touch.
    fn report(&self, fill: impl Fn(f64) -> Capacity) -> (Option<PerIndex>, Option<PerIndex>) {
        let map = |m: &BTreeMap<String, f64>| {
            (!m.is_empty()).then(|| m.iter().map(|(k, u)| (k.clone(), fill(*u))).collect())
        };
        (map(&self.global), map(&self.local))
    }
}

/// `ConsumedCapacity` of a non-transactional write on one table: `table`
/// units on the table itself and `indexes` on its secondary indexes, or
/// `None` when the request did not ask for it.
pub fn consumed_write(
    mode: Option<ReturnConsumedCapacity>,
    table_name: &str,
    table: f64,
    indexes: &IndexUnits,
) -> Option<ConsumedCapacity> {
    let mut c = consumed(mode, table_name, table + indexes.total())?;
    if let Some(t) = c.table.as_mut() {
        t.capacity_units = Some(table);
        (c.global_secondary_indexes, c.local_secondary_indexes) = indexes.report(|u| Capacity {
            capacity_units: Some(u),
            ..Capacity::default()
        });
    }
    Some(c)
}

/// `ConsumedCapacity` of a transaction's share on one table: total units
/// split into read and write units.
///
/// `indexes` holds the units its writes consumed on the table's secondary
/// indexes: in the totals, and per index under `INDEXES`, as write units.
pub fn consumed_transactional(
    mode: ReturnConsumedCapacity,
    table_name: &str,
    read: f64,
    write: f64,
    indexes: &IndexUnits,
) -> ConsumedCapacity {
    let split = |read: f64, write: f64| Capacity {
        capacity_units: Some(read + write),
        read_capacity_units: (read > 0.0).then_some(read),
        write_capacity_units: (write > 0.0).then_some(write),
    };
    let all = split(read, write + indexes.total());
    let (global, local) = if mode == ReturnConsumedCapacity::Indexes {
        indexes.report(|u| split(0.0, u))
    } else {
        (None, None)
    };
    ConsumedCapacity {
        table_name: Some(table_name.to_string()),
        capacity_units: all.capacity_units,
        read_capacity_units: all.read_capacity_units,
        write_capacity_units: all.write_capacity_units,
        table: (mode == ReturnConsumedCapacity::Indexes).then(|| split(read, write)),
        global_secondary_indexes: global,
        local_secondary_indexes: local,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up_with_a_minimum() {
        assert_eq!(read_units(0, true), 1.0);
        assert_eq!(read_units(0, false), 0.5);
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(4097, false), 1.0);
        assert_eq!(write_units(1), 1.0);
        assert_eq!(write_units(1024), 1.0);
        assert_eq!(write_units(1025), 2.0);
        assert_eq!(write_units(400 * 1024), 400.0);
    }

    #[test]
    fn report_shape_follows_the_mode() {
        assert_eq!(consumed(None, "t", 1.0), None);
        assert_eq!(consumed(Some(ReturnConsumedCapacity::None), "t", 1.0), None);
        let total = consumed(Some(ReturnConsumedCapacity::Total), "t", 2.0);
        assert_eq!(
            total,
            Some(ConsumedCapacity {
                table_name: Some("t".into()),
                capacity_units: Some(2.0),
                ..Default::default()
            })
        );
        let idx = consumed(Some(ReturnConsumedCapacity::Indexes), "t", 2.0);
        assert_eq!(
            idx.and_then(|c| c.table).and_then(|t| t.capacity_units),
            Some(2.0)
        );
        let tx = consumed_transactional(
            ReturnConsumedCapacity::Total,
            "t",
            2.0,
            4.0,
            &IndexUnits::default(),
        );
        assert_eq!(tx.capacity_units, Some(6.0));
        assert_eq!(tx.read_capacity_units, Some(2.0));
        assert_eq!(tx.write_capacity_units, Some(4.0));
        assert!(tx.table.is_none());
    }

    #[test]
    fn index_units_count_in_the_total_and_are_listed_under_indexes() {
        let mut idx = IndexUnits::default();
        idx.global.insert("g".into(), 2.0);
        idx.local.insert("l".into(), 1.0);
        let total = consumed_write(Some(ReturnConsumedCapacity::Total), "t", 1.0, &idx);
        let total = total.expect("asked for");
        assert_eq!(total.capacity_units, Some(4.0));
        assert!(total.global_secondary_indexes.is_none() && total.table.is_none());
        let all = consumed_write(Some(ReturnConsumedCapacity::Indexes), "t", 1.0, &idx);
        let all = all.expect("asked for");
        assert_eq!(all.capacity_units, Some(4.0));
        assert_eq!(all.table.and_then(|t| t.capacity_units), Some(1.0));
        let g = all.global_secondary_indexes.expect("global map");
        assert_eq!(g.get("g").and_then(|c| c.capacity_units), Some(2.0));
        let l = all.local_secondary_indexes.expect("local map");
        assert_eq!(l.get("l").and_then(|c| c.capacity_units), Some(1.0));
        let none = consumed_write(
            Some(ReturnConsumedCapacity::Indexes),
            "t",
            1.0,
            &IndexUnits::default(),
        );
        assert!(none.is_some_and(
            |c| c.global_secondary_indexes.is_none() && c.local_secondary_indexes.is_none()
        ));
        let tx = consumed_transactional(ReturnConsumedCapacity::Indexes, "t", 0.0, 2.0, &idx);
        assert_eq!(tx.write_capacity_units, Some(5.0));
        assert_eq!(tx.table.and_then(|t| t.write_capacity_units), Some(2.0));
    }
}
