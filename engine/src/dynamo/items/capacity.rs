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

/// `ConsumedCapacity` of a transaction's share on one table: total units
/// split into read and write units.
pub fn consumed_transactional(
    mode: ReturnConsumedCapacity,
    table_name: &str,
    read: f64,
    write: f64,
) -> ConsumedCapacity {
    let split = |c: &mut Capacity| {
        c.capacity_units = Some(read + write);
        c.read_capacity_units = (read > 0.0).then_some(read);
        c.write_capacity_units = (write > 0.0).then_some(write);
    };
    let mut table = Capacity::default();
    split(&mut table);
    ConsumedCapacity {
        table_name: Some(table_name.to_string()),
        capacity_units: table.capacity_units,
        read_capacity_units: table.read_capacity_units,
        write_capacity_units: table.write_capacity_units,
        table: (mode == ReturnConsumedCapacity::Indexes).then_some(table),
        ..ConsumedCapacity::default()
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
        let tx = consumed_transactional(ReturnConsumedCapacity::Total, "t", 2.0, 4.0);
        assert_eq!(tx.capacity_units, Some(6.0));
        assert_eq!(tx.read_capacity_units, Some(2.0));
        assert_eq!(tx.write_capacity_units, Some(4.0));
        assert!(tx.table.is_none());
    }
}
