//! Stream sequence numbers: the counter, the numbers in flight (taken by a
//! write that has not ended), the record a change stages, and the trim of
//! one table's expired records (see the module docs of `streams`).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::dynamo::api::{OperationType, StreamViewType};
use crate::dynamo::clock::Clock;
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::Item;
use crate::dynamo::keys::layout::{
    range_prefix, stream_record_key, stream_seq_of_key, stream_trim_marker_key, STREAM_INDEX_ID,
};
use crate::dynamo::streams::record::{
    decode_trim_marker, encode_record, encode_trim_marker, record_created_millis, RecordRef,
};
use crate::dynamo::streams::settings::{enabled_stream, RETENTION_MILLIS};
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::write::change::Origin;
use crate::dynamo::write::pipeline::Staged;
use crate::{Db, WriteBatch};

/// How often a table being written is trimmed (at most).
const TRIM_EVERY_MILLIS: i64 = 10_000;

/// Records deleted per trim batch.
const TRIM_BATCH: usize = 10_000;

#[derive(Debug, Default)]
struct Seqs {
    /// The next sequence number to hand out (≥ 1; 0 is the trim marker).
    next: u64,
    /// Numbers taken by writes that have not ended.
    in_flight: BTreeSet<u64>,
    /// When each table written since open was last asked to be trimmed.
    last_trim: HashMap<u32, i64>,
}

/// The sequence counter and what readers need to know about it.
pub(crate) struct StreamState {
    /// Record creation times and the trim horizon.
    clock: Arc<dyn Clock>,
    seqs: Mutex<Seqs>,
    /// Serialises trims (each reads the marker the previous one wrote).
    trim_lock: Mutex<()>,
}

impl std::fmt::Debug for StreamState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamState")
            .field("seqs", &self.seqs)
            .finish_non_exhaustive()
    }
}

/// A sequence number taken for a record a write staged. Readers stop below
/// it until it is dropped — which the staged batch owning it does once the
/// batch is committed (the record is visible) or abandoned (it never will
/// be).
#[derive(Debug)]
pub(crate) struct Reservation {
    state: Arc<StreamState>,
    seq: u64,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.state.lock().in_flight.remove(&self.seq);
    }
}

fn corrupt(what: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("corrupt stream data: {what}"))
}

impl StreamState {
    /// The state for database `db` whose live tables are `tables`: the
    /// counter starts above every sequence number stored or reserved.
    pub(crate) fn open<'a>(
        db: &Db,
        clock: &Arc<dyn Clock>,
        tables: impl Iterator<Item = &'a TableMeta>,
    ) -> Result<StreamState, DynamoError> {
        let mut max = 0u64;
        let mut it = db.iter()?;
        for meta in tables {
            for s in &meta.streams {
                max = max.max(s.start_seq);
                if let Some((end, _)) = s.disabled {
                    max = max.max(end.saturating_sub(1));
                }
            }
            if let Some(v) = db.get(&stream_trim_marker_key(meta.id))? {
                let first_kept = decode_trim_marker(&v).ok_or_else(|| corrupt("trim marker"))?;
                max = max.max(first_kept.saturating_sub(1));
            }
            let prefix = range_prefix(meta.id, STREAM_INDEX_ID);
            it.seek_for_prev(&stream_record_key(meta.id, u64::MAX))?;
            if it.valid() && it.key().starts_with(&prefix) {
                max = max.max(stream_seq_of_key(it.key()).ok_or_else(|| corrupt("record key"))?);
            }
        }
        Ok(StreamState {
            clock: Arc::clone(clock),
            seqs: Mutex::new(Seqs {
                next: max.saturating_add(1).max(1),
                ..Seqs::default()
            }),
            trim_lock: Mutex::new(()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Seqs> {
        self.seqs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the next sequence number for a record of table `table_id`,
    /// with the time of the change read under the same lock (so creation
    /// times follow sequence order), and whether the table is due for a
    /// trim. The number is in flight until the reservation is dropped.
    fn take(self: &Arc<Self>, table_id: u32) -> (Reservation, i64, bool) {
        let mut s = self.lock();
        let now = self.clock.now_millis();
        let seq = s.next;
        s.next = s.next.saturating_add(1);
        let due = s
            .last_trim
            .get(&table_id)
            .is_none_or(|t| now.saturating_sub(*t) >= TRIM_EVERY_MILLIS || now < *t);
        if due {
            s.last_trim.insert(table_id, now);
        }
        s.in_flight.insert(seq);
        (
            Reservation {
                state: Arc::clone(self),
                seq,
            },
            now,
            due,
        )
    }

    /// Takes a sequence number that no record will have (a new stream's
    /// identity).
    pub(crate) fn reserve(&self) -> u64 {
        let mut s = self.lock();
        let seq = s.next;
        s.next = s.next.saturating_add(1);
        seq
    }

    /// The next sequence number to be handed out.
    pub(crate) fn peek_next(&self) -> u64 {
        self.lock().next
    }

    /// Every sequence number below this one is committed or will never be:
    /// the lowest one in flight, else the next to hand out.
    pub(crate) fn visible_end(&self) -> u64 {
        let s = self.lock();
        s.in_flight.first().copied().unwrap_or(s.next)
    }

    /// Adds to `staged` the stream record of the change of an item of
    /// `meta` from `old` to `new`, if the table has an enabled stream and
    /// the change changed something; `staged` owns the record's sequence
    /// number until it is committed or dropped. REQUIRES: the caller holds
    /// the item's lock and the table's write gate.
    pub(crate) fn stage_record(
        self: &Arc<Self>,
        staged: &mut Staged,
        meta: &TableMeta,
        old: Option<&Item>,
        new: Option<&Item>,
        origin: Origin,
    ) -> Result<(), DynamoError> {
        let Some(stream) = enabled_stream(meta) else {
            return Ok(());
        };
        let (event, item) = match (old, new) {
            (None, None) => return Ok(()),
            (Some(o), Some(n)) if o == n => return Ok(()),
            (None, Some(n)) => (OperationType::Insert, n),
            (Some(_), Some(n)) => (OperationType::Modify, n),
            (Some(o), None) => (OperationType::Remove, o),
        };
        let keys = meta.key_attributes(item);
        let (old_image, new_image) = match stream.view_type {
            StreamViewType::KeysOnly => (None, None),
            StreamViewType::NewImage => (None, new),
            StreamViewType::OldImage => (old, None),
            StreamViewType::NewAndOldImages => (old, new),
        };
        let (reservation, created_millis, trim_due) = self.take(meta.id);
        let value = encode_record(&RecordRef {
            event,
            view_type: stream.view_type,
            origin,
            created_millis,
            stream: stream.start_seq,
            keys: &keys,
            old_image,
            new_image,
        });
        staged
            .batch
            .put(&stream_record_key(meta.id, reservation.seq), &value);
        staged.reservations.push(reservation);
        if trim_due {
            staged.trim_due.push(meta.id);
        }
        Ok(())
    }

    /// Deletes the records of table `table_id` created 24 hours or more
    /// ago (up to [`TRIM_BATCH`] of them) and advances its trim marker;
    /// returns whether expired records may remain. REQUIRES: the table's
    /// write gate is held.
    pub(crate) fn trim_records(&self, db: &Db, table_id: u32) -> Result<bool, DynamoError> {
        let _trim = self.trim_lock.lock().unwrap_or_else(|p| p.into_inner());
        let horizon = self.clock.now_millis().saturating_sub(RETENTION_MILLIS);
        let prefix = range_prefix(table_id, STREAM_INDEX_ID);
        let mut batch = WriteBatch::new();
        let mut last = None;
        let mut count = 0;
        {
            let mut it = db.iter()?;
            it.seek(&stream_record_key(table_id, 1))?;
            while it.valid() && it.key().starts_with(&prefix) && count < TRIM_BATCH {
                let created =
                    record_created_millis(it.value()).ok_or_else(|| corrupt("record header"))?;
                if created > horizon {
                    break;
                }
                batch.delete(it.key());
                last = Some(stream_seq_of_key(it.key()).ok_or_else(|| corrupt("record key"))?);
                count += 1;
                it.next()?;
            }
        }
        let Some(last) = last else {
            return Ok(false);
        };
        batch.put(
            &stream_trim_marker_key(table_id),
            &encode_trim_marker(last.saturating_add(1)),
        );
        db.write(batch)?;
        Ok(count == TRIM_BATCH)
    }

    /// The first sequence number of table `table_id` not trimmed (0 if
    /// nothing was ever trimmed).
    pub(crate) fn trimmed_below(&self, db: &Db, table_id: u32) -> Result<u64, DynamoError> {
        match db.get(&stream_trim_marker_key(table_id))? {
            Some(v) => decode_trim_marker(&v).ok_or_else(|| corrupt("trim marker")),
            None => Ok(0),
        }
    }
}
