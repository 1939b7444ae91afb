//! DynamoDB Streams, the write side: a table's streams, the sequence
//! numbers, the stream record every item change stages beside the item, and
//! the 24-hour trim. The read side (ListStreams, DescribeStream,
//! GetShardIterator, GetRecords) is `streams_api.rs`; the stored forms are
//! in format-spec/streams.md.
//!
//! **Streams of a table.** The table record (catalog) lists the table's
//! streams as [`StreamMeta`]s, oldest first; only the last one can be
//! enabled. Enabling (CreateTable or UpdateTable) adds a stream labelled
//! with its creation time; disabling closes it, and it stays readable, with
//! status `DISABLED`, for 24 hours. A stream is identified within its table
//! by its **start sequence number**, a sequence number reserved for it when
//! it is enabled, so no record and no other stream has it.
//!
//! **Sequence numbers** are one counter for the whole database. A write
//! takes the next one for its record while it holds the item's lock, so the
//! records of one item are numbered in commit order. Writes to different
//! items commit in any order, so a record may become visible after a
//! higher-numbered one; readers therefore read only below the lowest
//! sequence number still *in flight* (taken, not yet committed or dropped),
//! and a position in a stream never skips a record that commits late.
//!
//! **Which stream a record belongs to.** A record carries the stream's
//! start sequence number; stream *S* holds the records carrying *S* with
//! sequence numbers from *S* up to the number at which *S* was disabled. A
//! write that read the table definition just before a stream change and
//! took its number just after is thereby counted as made after the change.
//!
//! **Trim.** Records are deleted 24 hours after they were made, oldest
//! first, with the table's trim marker advanced in the same batch: by a
//! write to the table at most every 10 seconds (while it holds the table's
//! write gate), and by every Streams read of the table before it reads.
//!
//! **Deleted tables.** DeleteTable disables the table's enabled stream and,
//! in the same catalog batch, writes a *retained-streams* record (kind `D`,
//! format-spec/items.md): the table's record with only its streams still
//! readable. Those streams stay listed and readable, `DISABLED` with a
//! closed shard, until 24 hours after they were disabled; the table's items
//! and index entries are reclaimed at once, its `FE` range is kept. Expiry
//! is checked at open, by every Streams API call, by CreateTable and
//! DeleteTable, and after every TTL sweep — and then the `FE` range and the record are
//! reclaimed in the background (resumed after a restart). A table created
//! again under the same name gets new stream labels, so the old and new
//! streams' ARNs differ.

pub(crate) mod api;
pub(crate) mod record;
pub(crate) mod retired;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crate::dynamo::api::{
    GlobalSecondaryIndexUpdate, OperationType, StreamSpecification, StreamViewType,
    UpdateTableInput,
};
use crate::dynamo::clock::Clock;
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::{AttributeValue, Item, INVALID_PARAMETER};
use crate::dynamo::keys::layout::{
    range_prefix, stream_record_key, stream_seq_of_key, stream_trim_marker_key, STREAM_INDEX_ID,
};
use crate::dynamo::streams::record::{
    decode_trim_marker, encode_record, encode_trim_marker, record_created_millis, RecordRef,
};
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::write::change::Origin;
use crate::dynamo::Number;
use crate::{Db, WriteBatch};

/// How long records (and disabled streams) stay readable: 24 hours.
pub const RETENTION_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// How often a table being written is checked for records to trim.
const TRIM_EVERY_MILLIS: i64 = 10_000;

/// Records deleted per trim batch; a table with more to trim is trimmed
/// again at its next write.
const TRIM_BATCH: usize = 10_000;

/// An in-flight sequence number older than this is taken for one whose
/// batch was dropped uncommitted (an error between staging and commit), so
/// that readers do not wait for it forever.
const IN_FLIGHT_STALE: Duration = Duration::from_secs(30);

/// One stream of a table, as the table record stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamMeta {
    /// `StreamLabel`: the creation time, ISO 8601 with milliseconds (UTC).
    pub label: String,
    /// Creation time, ms since the epoch (the label's instant).
    pub created_millis: i64,
    /// What its records carry.
    pub view_type: StreamViewType,
    /// The sequence number reserved for it when it was enabled: its
    /// identity, and the lower bound of its records' sequence numbers.
    pub start_seq: u64,
    /// Once disabled: the first sequence number *not* in it, and when it
    /// was disabled (ms since the epoch).
    pub disabled: Option<(u64, i64)>,
}

impl StreamMeta {
    /// Whether it still receives records.
    pub fn is_enabled(&self) -> bool {
        self.disabled.is_none()
    }

    /// Its ARN: `<table arn>/stream/<label>`.
    pub fn arn(&self, table_arn: &str) -> String {
        format!("{table_arn}/stream/{}", self.label)
    }

    /// Whether it was disabled 24 hours or more before `now_millis` (and so
    /// is gone).
    pub fn expired(&self, now_millis: i64) -> bool {
        self.disabled
            .is_some_and(|(_, at)| now_millis.saturating_sub(at) >= RETENTION_MILLIS)
    }

    /// The first sequence number past its records (`u64::MAX` while open).
    pub fn end_seq(&self) -> u64 {
        self.disabled.map_or(u64::MAX, |(end, _)| end)
    }
}

/// The table's enabled stream, if any.
pub(crate) fn enabled_stream(meta: &TableMeta) -> Option<&StreamMeta> {
    meta.streams.last().filter(|s| s.is_enabled())
}

/// `StreamSpecification` as DescribeTable shows it: present only while a
/// stream is enabled.
pub(crate) fn stream_specification(streams: &[StreamMeta]) -> Option<StreamSpecification> {
    streams
        .last()
        .filter(|s| s.is_enabled())
        .map(|s| StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(s.view_type),
        })
}

/// `millis` since the epoch as `YYYY-MM-DDTHH:MM:SS.mmm` (UTC), the form of
/// DynamoDB's stream labels.
pub fn stream_label(millis: i64) -> String {
    let (y, mo, d, h, mi, s, ms) = civil(millis);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}")
}

/// Calendar fields of `millis` since the epoch (UTC): year, month, day,
/// hour, minute, second, millisecond.
pub(crate) fn civil(millis: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    let secs = in_day / 1000;
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
        (in_day % 1000) as u32,
    )
}

/// One sequence number taken and not yet committed or dropped.
#[derive(Debug)]
struct InFlight {
    thread: ThreadId,
    since: Instant,
}

#[derive(Debug, Default)]
struct Seqs {
    /// The next sequence number to hand out (≥ 1; 0 is the trim marker).
    next: u64,
    in_flight: BTreeMap<u64, InFlight>,
    /// When each table written since open was last checked for trimming.
    last_trim: HashMap<u32, i64>,
}

/// The sequence counter, what readers need to know about it, and the
/// trim. Shared by the handle and the TTL sweeper.
pub(crate) struct StreamState {
    /// Record creation times and the trim horizon.
    clock: Arc<dyn Clock>,
    seqs: Mutex<Seqs>,
    /// `in_flight.len()`, so writes to tables without streams skip the lock.
    pending: AtomicUsize,
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
            pending: AtomicUsize::new(0),
            trim_lock: Mutex::new(()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Seqs> {
        self.seqs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the next sequence number for a record of table `table_id`,
    /// with the time of the change read under the same lock (so creation
    /// times follow sequence order), and whether the table is due for a
    /// trim. The number is in flight until this thread commits or drops its
    /// batch.
    fn take(&self, table_id: u32) -> (u64, i64, bool) {
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
        s.in_flight.insert(
            seq,
            InFlight {
                thread: std::thread::current().id(),
                since: Instant::now(),
            },
        );
        self.pending.fetch_add(1, Ordering::SeqCst);
        (seq, now, due)
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
        let mut s = self.lock();
        let stale: Vec<u64> = s
            .in_flight
            .iter()
            .filter(|(_, f)| f.since.elapsed() >= IN_FLIGHT_STALE)
            .map(|(seq, _)| *seq)
            .collect();
        for seq in stale {
            s.in_flight.remove(&seq);
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
        s.in_flight.keys().next().copied().unwrap_or(s.next)
    }

    /// Ends this thread's in-flight numbers.
    fn release_mine(&self) {
        if self.pending.load(Ordering::SeqCst) == 0 {
            return;
        }
        let me = std::thread::current().id();
        let mut s = self.lock();
        let before = s.in_flight.len();
        s.in_flight.retain(|_, f| f.thread != me);
        let released = before - s.in_flight.len();
        self.pending.fetch_sub(released, Ordering::SeqCst);
    }

    /// Asks for table `table_id` to be trimmed at its next write.
    fn trim_again(&self, table_id: u32) {
        self.lock().last_trim.remove(&table_id);
    }
}

fn corrupt(what: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("corrupt stream data: {what}"))
}

impl StreamState {
    /// Adds to `batch` the stream record of the change of an item of `meta`
    /// from `old` to `new`, if the table has an enabled stream and the
    /// change changed something. REQUIRES: the caller holds the item's lock
    /// and the table's write gate, and calls [`StreamState::settle`] once
    /// it has committed `batch`.
    pub(crate) fn stage_record(
        &self,
        db: &Db,
        batch: &mut WriteBatch,
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
        let (seq, created_millis, trim_due) = self.take(meta.id);
        if trim_due {
            // Housekeeping, here because the caller holds the table's write
            // gate (so the trim cannot race DeleteTable's reclaiming): a
            // failure leaves the records for the next attempt, and readers
            // never see expired records anyway.
            let _ = self.trim_records(db, meta.id);
        }
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
        batch.put(&stream_record_key(meta.id, seq), &value);
        Ok(())
    }

    /// Called as a batch is started: any record this thread staged before
    /// went into a batch that was dropped uncommitted.
    pub(crate) fn forget_uncommitted(&self) {
        self.release_mine();
    }

    /// Called after every commit, successful or not: this thread's records
    /// are now durable or lost, so readers may pass their numbers.
    pub(crate) fn settle(&self) {
        self.release_mine();
    }

    /// Deletes the records of table `table_id` created 24 hours or more
    /// ago (up to [`TRIM_BATCH`] of them) and advances its trim marker.
    /// REQUIRES: the table's write gate is held.
    pub(crate) fn trim_records(&self, db: &Db, table_id: u32) -> Result<(), DynamoError> {
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
        if let Some(last) = last {
            batch.put(
                &stream_trim_marker_key(table_id),
                &encode_trim_marker(last.saturating_add(1)),
            );
            db.write(batch)?;
            if count == TRIM_BATCH {
                self.trim_again(table_id);
            }
        }
        Ok(())
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

/// What DeleteTable keeps of table `meta`'s streams at `now_millis`: the
/// table's record with its enabled stream disabled (ending before `end`,
/// the first sequence number no write of the table took) and only the
/// streams not yet expired — or `None` if no stream remains readable.
pub(crate) fn retire_streams(meta: &TableMeta, end: u64, now_millis: i64) -> Option<TableMeta> {
    let mut kept = meta.clone();
    for s in kept.streams.iter_mut().filter(|s| s.is_enabled()) {
        s.disabled = Some((end, now_millis));
    }
    kept.streams.retain(|s| !s.expired(now_millis));
    (!kept.streams.is_empty()).then_some(kept)
}

impl DynamoDb {
    /// The streams of a new table `name` created with `spec` at
    /// `now_millis` (checked by [`check_create_stream`]).
    pub(crate) fn initial_streams(
        &self,
        name: &str,
        spec: Option<&StreamSpecification>,
        now_millis: i64,
    ) -> Vec<StreamMeta> {
        match spec {
            Some(StreamSpecification {
                stream_enabled: true,
                stream_view_type: Some(view_type),
            }) => {
                let taken = self.inner.retired_streams.named(name);
                vec![self.new_stream(&taken, *view_type, now_millis)]
            }
            _ => Vec::new(),
        }
    }

    fn new_stream(
        &self,
        existing: &[StreamMeta],
        view_type: StreamViewType,
        now_millis: i64,
    ) -> StreamMeta {
        // Labels name streams within a table name (`existing` holds those
        // of the table and of deleted tables of that name still readable):
        // two in one millisecond get successive milliseconds.
        let mut created_millis = now_millis;
        while existing.iter().any(|s| s.created_millis == created_millis) {
            created_millis += 1;
        }
        StreamMeta {
            label: stream_label(created_millis),
            created_millis,
            view_type,
            start_seq: self.inner.streams.reserve(),
            disabled: None,
        }
    }

    /// Applies UpdateTable's `StreamSpecification` (checked by
    /// [`check_update_stream`]) to `meta`, at `now_millis`. Disabled
    /// streams past their 24 hours are dropped from the record here.
    ///
    /// Messages as DynamoDB sends them (recorded against the service by the
    /// aws-controllers-k8s DynamoDB quirk catalogue, DDB-TABLE-050):
    /// "Table already has an enabled stream: TableName: T", "Table has no
    /// stream to disable: TableName: T".
    pub(crate) fn update_streams(
        &self,
        meta: &mut TableMeta,
        spec: Option<&StreamSpecification>,
        now_millis: i64,
    ) -> Result<(), DynamoError> {
        let Some(spec) = spec else {
            return Ok(());
        };
        let enabled = enabled_stream(meta).is_some();
        match (spec.stream_enabled, spec.stream_view_type) {
            (true, _) if enabled => {
                return Err(DynamoError::validation(format!(
                    "Table already has an enabled stream: TableName: {}",
                    meta.name
                )));
            }
            (true, Some(view_type)) => {
                let mut taken = self.inner.retired_streams.named(&meta.name);
                taken.extend(meta.streams.iter().cloned());
                let stream = self.new_stream(&taken, view_type, now_millis);
                meta.streams.push(stream);
            }
            (false, _) if !enabled => {
                return Err(DynamoError::validation(format!(
                    "Table has no stream to disable: TableName: {}",
                    meta.name
                )));
            }
            (false, _) => {
                let end = self.inner.streams.peek_next();
                if let Some(s) = meta.streams.last_mut() {
                    s.disabled = Some((end, now_millis));
                }
            }
            (true, None) => return Err(DynamoError::validation(ENABLE_NEEDS_VIEW_TYPE)),
        }
        let last = meta.streams.len().saturating_sub(1);
        let mut i = 0;
        meta.streams.retain(|s| {
            let keep = i == last || !s.expired(now_millis);
            i += 1;
            keep
        });
        Ok(())
    }
}

/// UpdateTable enabling a stream without a view type.
const ENABLE_NEEDS_VIEW_TYPE: &str =
    "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required";

/// Checks CreateTable's `StreamSpecification` (messages as DynamoDB sends
/// them, DDB-TABLE-035 of the aws-controllers-k8s quirk catalogue).
pub(crate) fn check_create_stream(spec: Option<&StreamSpecification>) -> Result<(), DynamoError> {
    match spec {
        Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: None,
        }) => Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}Table is being created with a stream enabled, UpdateViewType is required"
        ))),
        Some(StreamSpecification {
            stream_enabled: false,
            stream_view_type: Some(_),
        }) => Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}Table is being created with a stream disabled, UpdateViewType should not be specified"
        ))),
        _ => Ok(()),
    }
}

/// Checks UpdateTable's `StreamSpecification` before the table is looked
/// up (DDB-TABLE-050 and DDB-TABLE-382 of the same catalogue).
pub(crate) fn check_update_stream(input: &UpdateTableInput) -> Result<(), DynamoError> {
    let Some(spec) = &input.stream_specification else {
        return Ok(());
    };
    match (spec.stream_enabled, spec.stream_view_type) {
        (true, None) => return Err(DynamoError::validation(ENABLE_NEEDS_VIEW_TYPE)),
        (false, Some(_)) => {
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}If stream is being disabled, then UpdateViewType must not be specified"
            )));
        }
        _ => {}
    }
    if input.provisioned_throughput.is_some() {
        return Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}You cannot modify stream status while updating table IOPS"
        )));
    }
    let creates_or_deletes = input
        .global_secondary_index_updates
        .iter()
        .flatten()
        .any(|u| {
            matches!(
                u,
                GlobalSecondaryIndexUpdate::Create(_) | GlobalSecondaryIndexUpdate::Delete(_)
            )
        });
    if creates_or_deletes {
        return Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}You cannot create or delete index while changing stream status"
        )));
    }
    Ok(())
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: impl Into<Number>) -> AttributeValue {
    AttributeValue::N(v.into())
}

fn get_n(m: &Item, name: &str) -> Result<i128, DynamoError> {
    match m.get(name) {
        Some(AttributeValue::N(v)) => v.to_string().parse().map_err(|_| corrupt_catalog(name)),
        _ => Err(corrupt_catalog(name)),
    }
}

fn corrupt_catalog(what: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("corrupt catalog record: Streams.{what}"))
}

/// The table record's `Streams` attribute (format-spec/items.md, "Catalog
/// records").
pub(crate) fn streams_to_catalog(streams: &[StreamMeta]) -> AttributeValue {
    AttributeValue::L(
        streams
            .iter()
            .map(|st| {
                let mut m = Item::new();
                m.insert("StreamLabel".into(), s(&st.label));
                m.insert("CreationMillis".into(), n(st.created_millis));
                m.insert("ViewType".into(), s(st.view_type.as_str()));
                m.insert("StartSequence".into(), n(st.start_seq));
                if let Some((end, at)) = st.disabled {
                    m.insert("EndSequence".into(), n(end));
                    m.insert("DisabledMillis".into(), n(at));
                }
                AttributeValue::M(m)
            })
            .collect(),
    )
}

/// Reads the table record's `Streams` attribute (absent = no streams).
pub(crate) fn streams_from_catalog(
    v: Option<&AttributeValue>,
) -> Result<Vec<StreamMeta>, DynamoError> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let AttributeValue::L(list) = v else {
        return Err(corrupt_catalog("type"));
    };
    list.iter()
        .map(|e| {
            let AttributeValue::M(m) = e else {
                return Err(corrupt_catalog("element"));
            };
            let label = match m.get("StreamLabel") {
                Some(AttributeValue::S(l)) => l.clone(),
                _ => return Err(corrupt_catalog("StreamLabel")),
            };
            let view_type = match m.get("ViewType") {
                Some(AttributeValue::S(t)) => {
                    StreamViewType::parse(t).ok_or_else(|| corrupt_catalog("ViewType"))?
                }
                _ => return Err(corrupt_catalog("ViewType")),
            };
            let u = |name: &str| -> Result<u64, DynamoError> {
                u64::try_from(get_n(m, name)?).map_err(|_| corrupt_catalog(name))
            };
            let i = |name: &str| -> Result<i64, DynamoError> {
                i64::try_from(get_n(m, name)?).map_err(|_| corrupt_catalog(name))
            };
            let disabled = match (
                m.contains_key("EndSequence"),
                m.contains_key("DisabledMillis"),
            ) {
                (true, true) => Some((u("EndSequence")?, i("DisabledMillis")?)),
                (false, false) => None,
                _ => return Err(corrupt_catalog("EndSequence")),
            };
            Ok(StreamMeta {
                label,
                created_millis: i("CreationMillis")?,
                view_type,
                start_seq: u("StartSequence")?,
                disabled,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_iso_8601_with_milliseconds() {
        assert_eq!(stream_label(0), "1970-01-01T00:00:00.000");
        assert_eq!(stream_label(1_700_000_000_123), "2023-11-14T22:13:20.123");
        assert_eq!(stream_label(951_782_400_000), "2000-02-29T00:00:00.000");
        assert_eq!(stream_label(-1), "1969-12-31T23:59:59.999");
    }

    #[test]
    fn streams_round_trip_through_the_catalog_form() {
        let streams = vec![
            StreamMeta {
                label: stream_label(5),
                created_millis: 5,
                view_type: StreamViewType::KeysOnly,
                start_seq: 3,
                disabled: Some((9, 77)),
            },
            StreamMeta {
                label: stream_label(6),
                created_millis: 6,
                view_type: StreamViewType::NewAndOldImages,
                start_seq: u64::MAX - 1,
                disabled: None,
            },
        ];
        let v = streams_to_catalog(&streams);
        assert_eq!(streams_from_catalog(Some(&v)), Ok(streams));
        assert_eq!(streams_from_catalog(None), Ok(Vec::new()));
        assert!(streams_from_catalog(Some(&s("x"))).is_err());
    }

    #[test]
    fn specs_are_checked_as_dynamodb_checks_them() {
        let spec = |e, t| StreamSpecification {
            stream_enabled: e,
            stream_view_type: t,
        };
        assert!(check_create_stream(Some(&spec(true, None)))
            .is_err_and(|e| e.message().ends_with("UpdateViewType is required")));
        assert!(check_create_stream(Some(&spec(false, Some(StreamViewType::KeysOnly)))).is_err());
        assert!(check_create_stream(Some(&spec(false, None))).is_ok());
        let mut input = UpdateTableInput {
            stream_specification: Some(spec(true, Some(StreamViewType::NewImage))),
            ..UpdateTableInput::default()
        };
        assert!(check_update_stream(&input).is_ok());
        input.provisioned_throughput = Some(Default::default());
        assert!(check_update_stream(&input)
            .is_err_and(|e| e.message().ends_with("while updating table IOPS")));
    }
}
