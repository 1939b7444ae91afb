//! Which key ranges keep history, and from which sequence number
//! (format-spec/pitr.md): a pure function of the catalog, the clock and the
//! clock samples, handed to the engine as its history ranges.

use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::keys::layout::{prefix_end, range_prefix, TABLE_INDEX_ID};
use crate::dynamo::tables::schema::PitrMeta;
use crate::HistoryRange;

/// Milliseconds in a day.
const MILLIS_PER_DAY: i64 = 86_400_000;

/// `EarliestRestorableDateTime` at `now` (ms): when recovery was enabled,
/// or the start of the recovery period, whichever is later.
pub(crate) fn earliest_millis(p: &PitrMeta, now: i64) -> i64 {
    p.enabled_millis
        .max(now.saturating_sub(p.period_days.saturating_mul(MILLIS_PER_DAY)))
}

/// The key range of table `table_id`'s items (not its indexes or streams:
/// a restore reads only the items and rebuilds the rest).
fn items_range(table_id: u32, floor: u64) -> Option<HistoryRange> {
    let begin = range_prefix(table_id, TABLE_INDEX_ID);
    let end = prefix_end(&begin)?;
    Some(HistoryRange { begin, end, floor })
}

impl DynamoDb {
    /// Recomputes the engine's history ranges — every table with recovery
    /// enabled, from the sequence number of its earliest restorable second
    /// (never below the one it was enabled at), and the source of every
    /// restore to a point in time still running, from the sequence number
    /// it reads at — and deletes the clock samples no restore can need.
    /// Turns sampling on while some table has recovery enabled.
    /// REQUIRES: the control lock (the catalog does not change meanwhile).
    pub(crate) fn refresh_history(&self) -> Result<(), DynamoError> {
        let now = self.inner.opts.clock.now_millis();
        let mut ranges = Vec::new();
        let mut oldest_needed: Option<i64> = None;
        for table in self.inner.tables.all() {
            let meta = table.meta();
            if let Some(p) = &meta.pitr {
                let second = earliest_millis(p, now).div_euclid(1000);
                // Every restorable second T >= `second` reads at
                // sequence_at_end_of(T) >= this floor.
                let floor = p.enabled_seq.max(self.sequence_at_end_of(second)?);
                ranges.extend(items_range(meta.id, floor));
                oldest_needed = Some(oldest_needed.map_or(second, |o| o.min(second)));
            }
            if let Some(r) = meta.restore.as_ref().filter(|r| r.in_progress) {
                if let Some(seq) = r.source_sequence {
                    ranges.extend(items_range(r.source_table_id, seq));
                }
            }
        }
        self.inner.timeline.set_active(oldest_needed.is_some());
        self.inner.db.set_history_ranges(ranges)?;
        // A restore reads the first sample after its second T >= the
        // oldest restorable second: samples up to that second are unused.
        self.trim_samples(oldest_needed.unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_is_the_later_of_enabling_and_the_period_start() {
        let p = PitrMeta {
            enabled_millis: 10 * MILLIS_PER_DAY,
            enabled_seq: 0,
            period_days: 2,
        };
        assert_eq!(
            earliest_millis(&p, 11 * MILLIS_PER_DAY),
            10 * MILLIS_PER_DAY
        );
        assert_eq!(
            earliest_millis(&p, 15 * MILLIS_PER_DAY),
            13 * MILLIS_PER_DAY
        );
    }
}
