//! Adding up the `ConsumedCapacity` of the operations one PartiQL request
//! ran (several Queries of one SELECT; the statements of a batch). The
//! units themselves come from the operations, which use the one capacity
//! arithmetic (`dynamo::capacity`).

use std::collections::BTreeMap;

use crate::dynamo::api::{Capacity, ConsumedCapacity};

fn add_units(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    }
}

fn add_capacity(a: Option<Capacity>, b: Option<Capacity>) -> Option<Capacity> {
    match (a, b) {
        (None, None) => None,
        (a, b) => {
            let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
            Some(Capacity {
                read_capacity_units: add_units(a.read_capacity_units, b.read_capacity_units),
                write_capacity_units: add_units(a.write_capacity_units, b.write_capacity_units),
                capacity_units: add_units(a.capacity_units, b.capacity_units),
            })
        }
    }
}

fn add_map(
    a: Option<BTreeMap<String, Capacity>>,
    b: Option<BTreeMap<String, Capacity>>,
) -> Option<BTreeMap<String, Capacity>> {
    match (a, b) {
        (None, None) => None,
        (a, b) => {
            let mut out = a.unwrap_or_default();
            for (k, v) in b.unwrap_or_default() {
                let sum = add_capacity(out.remove(&k), Some(v));
                if let Some(sum) = sum {
                    out.insert(k, sum);
                }
            }
            Some(out)
        }
    }
}

/// Adds `more` into `total` (same table).
pub fn add(total: &mut Option<ConsumedCapacity>, more: Option<ConsumedCapacity>) {
    let Some(more) = more else {
        return;
    };
    let Some(t) = total.take() else {
        *total = Some(more);
        return;
    };
    *total = Some(ConsumedCapacity {
        table_name: t.table_name.or(more.table_name),
        capacity_units: add_units(t.capacity_units, more.capacity_units),
        read_capacity_units: add_units(t.read_capacity_units, more.read_capacity_units),
        write_capacity_units: add_units(t.write_capacity_units, more.write_capacity_units),
        table: add_capacity(t.table, more.table),
        local_secondary_indexes: add_map(t.local_secondary_indexes, more.local_secondary_indexes),
        global_secondary_indexes: add_map(
            t.global_secondary_indexes,
            more.global_secondary_indexes,
        ),
    });
}

/// One entry per table, in the order tables first appear.
pub fn per_table(entries: Vec<ConsumedCapacity>) -> Vec<ConsumedCapacity> {
    let mut out: Vec<Option<ConsumedCapacity>> = Vec::new();
    for e in entries {
        let slot = out
            .iter_mut()
            .find(|c| c.as_ref().is_some_and(|c| c.table_name == e.table_name));
        match slot {
            Some(slot) => add(slot, Some(e)),
            None => out.push(Some(e)),
        }
    }
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(table: &str, u: f64) -> ConsumedCapacity {
        ConsumedCapacity {
            table_name: Some(table.to_string()),
            capacity_units: Some(u),
            table: Some(Capacity {
                capacity_units: Some(u),
                ..Capacity::default()
            }),
            ..ConsumedCapacity::default()
        }
    }

    #[test]
    fn sums_per_table_in_first_seen_order() {
        let merged = per_table(vec![units("b", 1.0), units("a", 0.5), units("b", 2.0)]);
        assert_eq!(merged, vec![units("b", 3.0), units("a", 0.5)]);
        let mut total = None;
        add(&mut total, None);
        assert_eq!(total, None);
        add(&mut total, Some(units("a", 1.0)));
        add(&mut total, Some(units("a", 1.5)));
        assert_eq!(total, Some(units("a", 2.5)));
    }
}
