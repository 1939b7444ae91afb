//! A table's items as of one moment: what an export reads — now, or (with
//! point-in-time recovery) a past second of the recovery window — and the
//! changes between two such moments (an incremental export).
//!
//! The definition and an engine [`crate::Snapshot`] are taken under the
//! control lock, so the items read belong to the definition described;
//! writes after that moment are invisible to the reader, however long it
//! takes. A past second is read from the engine's history through
//! [`DynamoDb::history_at_end_of`], the read RestoreTableToPointInTime
//! uses; the snapshot held keeps that history from compaction while the
//! export reads it (format-spec/pitr.md).

use std::cmp::Ordering;

use crate::dynamo::api::TableDescription;
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::Item;
use crate::dynamo::keys::layout::{range_prefix, TABLE_INDEX_ID};
use crate::dynamo::pitr::earliest_millis;
use crate::dynamo::tables::schema::TableMeta;
use crate::{DbIterator, Snapshot};

/// The items of one table as of one engine snapshot, in key order
/// (DynamoDB's partitions: by the hash of the partition key).
pub struct TableSnapshot {
    it: DbIterator,
    prefix: Vec<u8>,
    started: bool,
    /// Held so that compaction keeps what the iterator reads.
    _hold: Snapshot,
    /// The table's definition at that moment (`ItemCount` and
    /// `TableSizeBytes` as DescribeTable last counted them).
    pub description: TableDescription,
    /// The engine sequence number the items are read at.
    pub sequence: u64,
}

impl TableSnapshot {
    fn new(
        db: &DynamoDb,
        meta: &TableMeta,
        snapshot: Snapshot,
    ) -> Result<TableSnapshot, DynamoError> {
        Ok(TableSnapshot {
            it: snapshot.iter()?,
            prefix: range_prefix(meta.id, TABLE_INDEX_ID),
            started: false,
            description: meta.description(db.region(), &db.inner.opts.account_id),
            sequence: snapshot.sequence(),
            _hold: snapshot,
        })
    }

    /// The next item and its stored key (the order of the iteration).
    fn next_entry(&mut self) -> Option<Result<(Vec<u8>, Item), DynamoError>> {
        if self.started {
            if let Err(e) = self.it.next() {
                return Some(Err(e.into()));
            }
        } else {
            self.started = true;
            if let Err(e) = self.it.seek(&self.prefix) {
                return Some(Err(e.into()));
            }
        }
        if !self.it.valid() || !self.it.key().starts_with(&self.prefix) {
            return None;
        }
        Some(decode_stored(self.it.value()).map(|item| (self.it.key().to_vec(), item)))
    }
}

impl Iterator for TableSnapshot {
    type Item = Result<Item, DynamoError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_entry().map(|r| r.map(|(_, item)| item))
    }
}

/// One item that differs between two moments: its key attributes, and its
/// images before (`None`: it did not exist) and after (`None`: deleted).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemChange {
    /// The item's key attributes.
    pub keys: Item,
    /// The item at the first moment.
    pub old_image: Option<Item>,
    /// The item at the second moment.
    pub new_image: Option<Item>,
}

/// The items of one table that differ between two snapshots of it, in key
/// order: one [`ItemChange`] per item whose final state differs (an item
/// written and then deleted again in between is no change).
pub struct TableChanges {
    old: TableSnapshot,
    new: TableSnapshot,
    old_next: Option<(Vec<u8>, Item)>,
    new_next: Option<(Vec<u8>, Item)>,
    started: bool,
    meta: TableMeta,
}

impl TableChanges {
    /// The definition of the table (at the second moment).
    pub fn description(&self) -> &TableDescription {
        &self.new.description
    }

    fn pull(s: &mut TableSnapshot) -> Result<Option<(Vec<u8>, Item)>, DynamoError> {
        s.next_entry().transpose()
    }

    fn step(&mut self) -> Result<Option<ItemChange>, DynamoError> {
        if !self.started {
            self.started = true;
            self.old_next = Self::pull(&mut self.old)?;
            self.new_next = Self::pull(&mut self.new)?;
        }
        loop {
            let order = match (&self.old_next, &self.new_next) {
                (None, None) => return Ok(None),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((a, _)), Some((b, _))) => a.cmp(b),
            };
            let (old_image, new_image) = match order {
                Ordering::Less => {
                    let old = self.old_next.take().map(|(_, i)| i);
                    self.old_next = Self::pull(&mut self.old)?;
                    (old, None)
                }
                Ordering::Greater => {
                    let new = self.new_next.take().map(|(_, i)| i);
                    self.new_next = Self::pull(&mut self.new)?;
                    (None, new)
                }
                Ordering::Equal => {
                    let old = self.old_next.take().map(|(_, i)| i);
                    let new = self.new_next.take().map(|(_, i)| i);
                    self.old_next = Self::pull(&mut self.old)?;
                    self.new_next = Self::pull(&mut self.new)?;
                    if old == new {
                        continue;
                    }
                    (old, new)
                }
            };
            let keys = match new_image.as_ref().or(old_image.as_ref()) {
                Some(item) => self.meta.key_attributes(item),
                None => continue,
            };
            return Ok(Some(ItemChange {
                keys,
                old_image,
                new_image,
            }));
        }
    }
}

impl Iterator for TableChanges {
    type Item = Result<ItemChange, DynamoError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step().transpose()
    }
}

/// `InvalidExportTimeException`. The sentence is the API reference's
/// description of the exception (the service's own message is not
/// documented); the detail after it is siltdb's.
fn invalid_export_time(detail: &str) -> DynamoError {
    DynamoError::InvalidExportTimeException(format!(
        "The specified ExportTime is outside of the point in time recovery window: {detail}"
    ))
}

fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

impl DynamoDb {
    /// The items of `table_name` (a name or an ARN) as of now, readable
    /// while writes go on, whether or not point-in-time recovery is on
    /// (`siltdb export` on a data directory). An `ACTIVE` table only: one
    /// being created, restored or deleted is `ResourceNotFoundException`,
    /// as its items are to reads.
    pub fn snapshot_table(&self, table_name: &str) -> Result<TableSnapshot, DynamoError> {
        let _control = self.control_lock();
        let table = self.table(table_name)?;
        let meta = table.meta();
        TableSnapshot::new(self, &meta, self.inner.db.snapshot())
    }

    /// The table `table_name` with point-in-time recovery enabled, its
    /// definition and its recovery window `(earliest, now)` in ms.
    fn pitr_export_table(&self, table_name: &str) -> Result<(TableMeta, i64, i64), DynamoError> {
        let table = self.table(table_name)?;
        let meta = (*table.meta()).clone();
        let Some(pitr) = meta.pitr else {
            // The sentence is the API reference's description of the
            // exception; the service's own message is not documented.
            return Err(DynamoError::PointInTimeRecoveryUnavailableException(
                "Point in time recovery has not yet been enabled for this source table."
                    .to_string(),
            ));
        };
        let now = self.inner.opts.clock.now_millis();
        Ok((meta, earliest_millis(&pitr, now), now))
    }

    /// ExportTableToPointInTime's read: the items of `table_name` as of
    /// the end of the second of `at_millis` (now when `None`). The table
    /// must have point-in-time recovery enabled
    /// (`PointInTimeRecoveryUnavailableException`), and the time be in its
    /// window, `EarliestRestorableDateTime` to now
    /// (`InvalidExportTimeException`).
    pub fn export_snapshot(
        &self,
        table_name: &str,
        at_millis: Option<i64>,
    ) -> Result<TableSnapshot, DynamoError> {
        let _control = self.control_lock();
        let (meta, earliest, now) = self.pitr_export_table(table_name)?;
        let Some(at) = at_millis else {
            return TableSnapshot::new(self, &meta, self.inner.db.snapshot());
        };
        if at < earliest || at > now {
            return Err(invalid_export_time(&format!(
                "{} is not between {} and {}",
                seconds(at),
                seconds(earliest),
                seconds(now)
            )));
        }
        let (_, snapshot) =
            self.history_at_end_of(meta.id, at.div_euclid(1000), |e| invalid_export_time(&e))?;
        TableSnapshot::new(self, &meta, snapshot)
    }

    /// An incremental export's read: the items of `table_name` that
    /// changed from `from_millis` (inclusive) to `to_millis` (exclusive),
    /// to the second — the state at the end of the second before
    /// `from_millis`'s compared with that at the end of the second before
    /// `to_millis`'s. Both times must be in the point-in-time recovery
    /// window (`InvalidExportTimeException`), the state before
    /// `from_millis` included. REQUIRES: `from_millis < to_millis`.
    pub fn export_changes(
        &self,
        table_name: &str,
        from_millis: i64,
        to_millis: i64,
    ) -> Result<TableChanges, DynamoError> {
        let _control = self.control_lock();
        let (meta, earliest, now) = self.pitr_export_table(table_name)?;
        for t in [from_millis, to_millis] {
            if t < earliest || t > now {
                return Err(invalid_export_time(&format!(
                    "{} is not between {} and {}",
                    seconds(t),
                    seconds(earliest),
                    seconds(now)
                )));
            }
        }
        let before = |t: i64| t.div_euclid(1000) - 1;
        let (_, old) =
            self.history_at_end_of(meta.id, before(from_millis), |e| invalid_export_time(&e))?;
        let (_, new) =
            self.history_at_end_of(meta.id, before(to_millis), |e| invalid_export_time(&e))?;
        Ok(TableChanges {
            old: TableSnapshot::new(self, &meta, old)?,
            new: TableSnapshot::new(self, &meta, new)?,
            old_next: None,
            new_next: None,
            started: false,
            meta,
        })
    }
}
