//! History for point-in-time reads (format-spec/pitr.md): the key ranges
//! whose old versions compaction keeps, recorded in the MANIFEST (tag 14)
//! so they hold from the moment a database opens, and snapshots at an old
//! sequence number inside such a range.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{lock, DbInner, Snapshot};
use crate::error::{Error, Result};
use crate::manifest::{HistoryRange, VersionEdit};

impl DbInner {
    /// Replaces the set of history ranges, durably (one MANIFEST edit; none
    /// if the set is unchanged).
    pub(super) fn set_history_ranges(&self, mut ranges: Vec<HistoryRange>) -> Result<()> {
        if let Some(r) = ranges.iter().find(|r| r.begin >= r.end) {
            return Err(Error::InvalidArgument(format!(
                "history range begin {:02x?} does not sort before its end {:02x?}",
                r.begin, r.end
            )));
        }
        ranges.sort_by(|a, b| (&a.begin, &a.end, a.floor).cmp(&(&b.begin, &b.end, b.floor)));
        if lock(&self.state).versions.recorded().history == ranges {
            return Ok(());
        }
        let edit = VersionEdit {
            history_ranges: Some(ranges),
            ..VersionEdit::default()
        };
        self.log_and_apply(edit, |_| {})
    }

    /// A snapshot at `seq` for reading the history range holding `key`.
    pub(super) fn history_snapshot(self: &Arc<Self>, key: &[u8], seq: u64) -> Result<Snapshot> {
        let mut st = lock(&self.state);
        let visible = self.visible_seq.load(Ordering::Acquire);
        if seq > visible {
            return Err(Error::InvalidArgument(format!(
                "sequence number {seq} is not yet written (latest is {visible})"
            )));
        }
        let floor = st
            .versions
            .recorded()
            .history
            .iter()
            .filter(|r| r.contains(key))
            .map(|r| r.floor)
            .min();
        match floor {
            None => Err(Error::HistoryUnavailable(format!(
                "no history is kept for the range holding key {key:02x?}"
            ))),
            Some(f) if seq < f => Err(Error::HistoryUnavailable(format!(
                "sequence number {seq} is older than the history kept for key \
                 {key:02x?}, which starts at sequence number {f}"
            ))),
            // Registered under the state lock, as every snapshot: a
            // compaction that starts later sees it; one already running
            // used a floor no higher than this one.
            Some(_) => {
                *st.snapshots.entry(seq).or_insert(0) += 1;
                Ok(Snapshot {
                    db: Arc::clone(self),
                    seq,
                })
            }
        }
    }
}
