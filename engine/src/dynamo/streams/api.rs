//! The DynamoDB Streams API: ListStreams, DescribeStream, GetShardIterator
//! and GetRecords (the write side is `stream.rs`).
//!
//! Each stream has one shard, which lives as long as the stream: open while
//! the stream is enabled, closed (with an `EndingSequenceNumber`) once it is
//! disabled. A shard iterator is an opaque string — the stream ARN, then a
//! version and a hex payload holding the position, the time it was issued
//! and a checksum — valid for 15 minutes, as DynamoDB's are.
//!
//! Reads take the table's write gate (so DeleteTable cannot reclaim the
//! records underneath) and first trim the table's expired records, so a
//! position is trimmed exactly when it lies below the trim marker.
//!
//! A deleted table's streams are found by the same ARNs until they expire
//! (`stream.rs`, "Deleted tables"); every call here first drops the deleted
//! tables whose streams have all expired.

use std::sync::Arc;

use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::dynamo::api::{
    DescribeStreamInput, DescribeStreamOutput, GetRecordsInput, GetRecordsOutput,
    GetShardIteratorInput, GetShardIteratorOutput, Identity, ListStreamsInput, ListStreamsOutput,
    Record, SequenceNumberRange, Shard, ShardIteratorType, Stream, StreamDescription, StreamRecord,
    StreamStatus,
};
use crate::dynamo::clock::calendar::civil;
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::item_size;
use crate::dynamo::keys::layout::{
    range_prefix, stream_record_key, stream_seq_of_key, STREAM_INDEX_ID,
};
use crate::dynamo::streams::record::{decode_record, record_created_millis, record_stream};
use crate::dynamo::streams::StreamMeta;
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::tables::table::{table_name_of, Table};
use crate::dynamo::write::change::Origin;

/// How long a shard iterator stays valid: 15 minutes.
pub const ITERATOR_LIFETIME_MILLIS: i64 = 15 * 60 * 1000;
/// Most records one GetRecords returns.
pub const MAX_GET_RECORDS: i64 = 1000;
/// GetRecords stops before its records exceed 1 MB (but returns at least one).
const MAX_GET_RECORDS_BYTES: usize = 1024 * 1024;
/// Most streams one ListStreams returns, and shards one DescribeStream.
const MAX_LIST: i64 = 100;
/// Version of the shard iterator layout (the field after the ARN).
const ITERATOR_VERSION: &str = "1";

/// Where an iterator reads next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// At the oldest record not trimmed when it is used.
    TrimHorizon,
    /// At the first record with a sequence number ≥ this one.
    At(u64),
}

/// A decoded shard iterator.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Iterator {
    stream_arn: String,
    position: Position,
    issued_millis: i64,
}

fn encode_iterator(it: &Iterator) -> String {
    let mut payload = Vec::with_capacity(21);
    let (kind, seq) = match it.position {
        Position::TrimHorizon => (0u8, 0u64),
        Position::At(s) => (1, s),
    };
    payload.push(kind);
    payload.extend_from_slice(&seq.to_le_bytes());
    payload.extend_from_slice(&it.issued_millis.to_le_bytes());
    let check = iterator_check(&it.stream_arn, &payload);
    payload.extend_from_slice(&check.to_le_bytes());
    let hex: String = payload.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}|{ITERATOR_VERSION}|{hex}", it.stream_arn)
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "the low 32 bits of the hash, on purpose"
)]
fn iterator_check(arn: &str, payload: &[u8]) -> u32 {
    let mut data = Vec::with_capacity(arn.len() + 1 + payload.len());
    data.extend_from_slice(arn.as_bytes());
    data.push(b'|');
    data.extend_from_slice(payload);
    xxh3_64(&data) as u32
}

/// Reads a shard iterator; anything this module did not write is
/// "Invalid ShardIterator" (a `ValidationException`).
fn decode_iterator(s: &str) -> Result<Iterator, DynamoError> {
    let invalid = || DynamoError::validation("Invalid ShardIterator");
    let (rest, hex) = s.rsplit_once('|').ok_or_else(invalid)?;
    let (arn, version) = rest.rsplit_once('|').ok_or_else(invalid)?;
    if version != ITERATOR_VERSION || hex.len() != 42 || !hex.is_ascii() {
        return Err(invalid());
    }
    let bytes = hex
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|d| u8::from_str_radix(d, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(invalid)?;
    let word = |at: usize| -> Option<[u8; 8]> { bytes.get(at..at + 8)?.try_into().ok() };
    let (Some(seq), Some(issued), Some(check)) = (
        word(1),
        word(9),
        bytes.get(17..21).and_then(|c| <[u8; 4]>::try_from(c).ok()),
    ) else {
        return Err(invalid());
    };
    let (Some(signed), Some(&kind)) = (bytes.get(..17), bytes.first()) else {
        return Err(invalid());
    };
    if u32::from_le_bytes(check) != iterator_check(arn, signed) {
        return Err(invalid());
    }
    let position = match kind {
        0 => Position::TrimHorizon,
        1 => Position::At(u64::from_le_bytes(seq)),
        _ => return Err(invalid()),
    };
    Ok(Iterator {
        stream_arn: arn.to_string(),
        position,
        issued_millis: i64::from_le_bytes(issued),
    })
}

/// `(table name, label)` of `<table arn>/stream/<label>`, if it has that
/// shape.
fn parse_stream_arn(arn: &str) -> Option<(&str, &str)> {
    if !arn.starts_with("arn:") {
        return None;
    }
    let pos = arn.find(":table/")?;
    let rest = &arn[pos + ":table/".len()..];
    let (name, label) = rest.split_once("/stream/")?;
    (!name.is_empty() && !label.is_empty() && !name.contains('/') && !label.contains('/'))
        .then_some((name, label))
}

fn invalid_stream_arn() -> DynamoError {
    // aws-sdk-js's integration tests, recorded against the service.
    DynamoError::validation("Invalid StreamArn")
}

/// A sequence number as DynamoDB prints it: decimal, at least 21 digits.
pub fn format_sequence_number(seq: u64) -> String {
    format!("{seq:021}")
}

/// The shard of `stream` of table `meta`:
/// `shardId-<creation ms, 20 digits>-<8 hex digits>`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "the low 32 bits of the hash, on purpose"
)]
fn shard_id(meta: &TableMeta, stream: &StreamMeta) -> String {
    let mut seed = meta.uuid.clone().into_bytes();
    seed.extend_from_slice(stream.label.as_bytes());
    format!(
        "shardId-{:020}-{:08x}",
        stream.created_millis.max(0),
        xxh3_64(&seed) as u32
    )
}

/// A unique id of record `seq` of table `meta` (32 hex digits).
fn event_id(meta: &TableMeta, seq: u64) -> String {
    let mut seed = meta.uuid.clone().into_bytes();
    seed.extend_from_slice(&seq.to_le_bytes());
    format!("{:032x}", xxh3_128(&seed))
}

/// `millis` as Java's `Date.toString` prints it in UTC
/// (`Thu Jan 22 01:22:02 UTC 2015`), the form of DynamoDB's iterator
/// messages.
fn java_date(millis: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s, _) = civil(millis);
    let day = usize::try_from(millis.div_euclid(86_400_000).rem_euclid(7)).unwrap_or(0);
    let weekday = DAYS.get(day).unwrap_or(&"Thu");
    let month = MONTHS
        .get(usize::try_from(mo).unwrap_or(1).saturating_sub(1))
        .unwrap_or(&"Dec");
    format!("{weekday} {month} {d:02} {h:02}:{mi:02}:{s:02} UTC {y}")
}

/// "1 validation error detected: Value 'n' at 'limit' ..." for a limit
/// outside `1..=max` (the model's form of the message).
fn check_limit(limit: Option<i64>, max: i64) -> Result<i64, DynamoError> {
    let limit = limit.unwrap_or(max);
    if (1..=max).contains(&limit) {
        return Ok(limit);
    }
    let bound = if limit < 1 {
        "greater than or equal to 1".to_string()
    } else {
        format!("less than or equal to {max}")
    };
    Err(DynamoError::validation(format!(
        "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {bound}"
    )))
}

fn trimmed() -> DynamoError {
    // The botocore model's description of the exception.
    DynamoError::TrimmedDataAccessException(
        "The data you are trying to access has been trimmed.".to_string(),
    )
}

/// A stream found by its ARN.
struct Found {
    table: Arc<Table>,
    meta: Arc<TableMeta>,
    stream: StreamMeta,
    arn: String,
}

impl DynamoDb {
    /// The live (not expired) stream `arn`.
    fn find_stream(&self, arn: &str) -> Result<Found, DynamoError> {
        let (name, label) = parse_stream_arn(arn).ok_or_else(invalid_stream_arn)?;
        // Wording as DynamoDB sends it (recorded in the aws-sdk-js suite).
        let not_found = || {
            DynamoError::ResourceNotFoundException(format!(
                "Requested resource not found: Stream: {arn} not found"
            ))
        };
        self.expire_retired_streams();
        // Deleted tables of that name first: the table being deleted
        // lists the same stream until it is gone.
        let mut tables = self.inner.retired_streams.tables(Some(name));
        tables.extend(self.tables_read().get(name).cloned());
        let now = self.inner.opts.clock.now_millis();
        for table in tables {
            let meta = table.meta();
            let table_arn = meta.arn(self.region(), &self.inner.opts.account_id);
            let stream = meta
                .streams
                .iter()
                .find(|s| s.label == label && s.arn(&table_arn) == arn && !s.expired(now))
                .cloned();
            if let Some(stream) = stream {
                return Ok(Found {
                    table,
                    meta,
                    stream,
                    arn: arn.to_string(),
                });
            }
        }
        Err(not_found())
    }

    /// `ListStreams`: the streams (enabled, or disabled less than 24 hours
    /// ago) of one table name or of all, by table name, then age. Deleted
    /// tables' streams are listed until they expire, under the table's
    /// name too.
    pub fn list_streams(&self, input: ListStreamsInput) -> Result<ListStreamsOutput, DynamoError> {
        let limit = usize::try_from(check_limit(input.limit, MAX_LIST)?).unwrap_or(usize::MAX);
        let start = match &input.exclusive_start_stream_arn {
            Some(arn) => Some(parse_stream_arn(arn).ok_or_else(invalid_stream_arn)?),
            None => None,
        };
        self.expire_retired_streams();
        let tables: Vec<Arc<Table>> = match &input.table_name {
            Some(name) => {
                let name = table_name_of(name);
                let mut tables = self.inner.retired_streams.tables(Some(name));
                tables.extend(self.tables_read().get(name).cloned());
                if tables.is_empty() {
                    vec![self.control_table(name)?]
                } else {
                    tables
                }
            }
            None => {
                let mut tables = self.inner.retired_streams.tables(None);
                tables.extend(self.tables_read().values().cloned());
                tables
            }
        };
        let now = self.inner.opts.clock.now_millis();
        let mut all = Vec::new();
        for table in tables {
            let meta = table.meta();
            let table_arn = meta.arn(self.region(), &self.inner.opts.account_id);
            for s in meta.streams.iter().filter(|s| !s.expired(now)) {
                if start.is_some_and(|(n, l)| (meta.name.as_str(), s.label.as_str()) <= (n, l)) {
                    continue;
                }
                all.push(Stream {
                    stream_arn: s.arn(&table_arn),
                    table_name: meta.name.clone(),
                    stream_label: s.label.clone(),
                });
            }
        }
        // Labels are creation times, distinct within a table name.
        all.sort_by(|a, b| (&a.table_name, &a.stream_label).cmp(&(&b.table_name, &b.stream_label)));
        let more = all.len() > limit;
        all.truncate(limit);
        Ok(ListStreamsOutput {
            last_evaluated_stream_arn: if more {
                all.last().map(|s| s.stream_arn.clone())
            } else {
                None
            },
            streams: all,
        })
    }

    /// `DescribeStream`: the stream and its one shard.
    pub fn describe_stream(
        &self,
        input: DescribeStreamInput,
    ) -> Result<DescribeStreamOutput, DynamoError> {
        check_limit(input.limit, MAX_LIST)?;
        let f = self.find_stream(&input.stream_arn)?;
        let first_kept = {
            let _gate = f.table.write_gate()?;
            self.inner.streams.trim_records(&self.inner.db, f.meta.id)?;
            self.inner
                .streams
                .trimmed_below(&self.inner.db, f.meta.id)?
        };
        let id = shard_id(&f.meta, &f.stream);
        let ending = f.stream.disabled.map(|(end, _)| end.saturating_sub(1));
        let mut starting = first_kept.max(f.stream.start_seq);
        if let Some(e) = ending {
            starting = starting.min(e);
        }
        let children_only = input.shard_filter.is_some();
        let after_start = input
            .exclusive_start_shard_id
            .as_deref()
            .is_some_and(|s| s >= id.as_str());
        let shards = if children_only || after_start {
            Vec::new()
        } else {
            vec![Shard {
                shard_id: id,
                sequence_number_range: SequenceNumberRange {
                    starting_sequence_number: Some(format_sequence_number(starting)),
                    ending_sequence_number: ending.map(format_sequence_number),
                },
                parent_shard_id: None,
            }]
        };
        Ok(DescribeStreamOutput {
            stream_description: StreamDescription {
                stream_arn: f.arn.clone(),
                stream_label: f.stream.label.clone(),
                stream_status: if f.stream.is_enabled() {
                    StreamStatus::Enabled
                } else {
                    StreamStatus::Disabled
                },
                stream_view_type: f.stream.view_type,
                creation_request_date_time: f.stream.created_millis as f64 / 1000.0,
                table_name: f.meta.name.clone(),
                key_schema: f.meta.key_schema(),
                shards,
                last_evaluated_shard_id: None,
            },
        })
    }

    /// `GetShardIterator`.
    pub fn get_shard_iterator(
        &self,
        input: GetShardIteratorInput,
    ) -> Result<GetShardIteratorOutput, DynamoError> {
        let ty = input.shard_iterator_type;
        let wants_seq = matches!(
            ty,
            ShardIteratorType::AtSequenceNumber | ShardIteratorType::AfterSequenceNumber
        );
        let wants_time = ty == ShardIteratorType::AtTimestamp;
        match (&input.sequence_number, wants_seq) {
            (None, true) => {
                return Err(DynamoError::validation(format!(
                    "SequenceNumber is required when ShardIteratorType is {}",
                    ty.as_str()
                )));
            }
            (Some(_), false) => {
                return Err(DynamoError::validation(format!(
                    "SequenceNumber must not be given when ShardIteratorType is {}",
                    ty.as_str()
                )));
            }
            _ => {}
        }
        match (input.timestamp, wants_time) {
            (None, true) => {
                return Err(DynamoError::validation(
                    "Timestamp is required when ShardIteratorType is AT_TIMESTAMP",
                ));
            }
            (Some(_), false) => {
                return Err(DynamoError::validation(format!(
                    "Timestamp must not be given when ShardIteratorType is {}",
                    ty.as_str()
                )));
            }
            _ => {}
        }
        let seq = match &input.sequence_number {
            Some(s) => Some(parse_sequence_number(s)?),
            None => None,
        };
        let f = self.find_stream(&input.stream_arn)?;
        let id = shard_id(&f.meta, &f.stream);
        if input.shard_id != id {
            return Err(DynamoError::ResourceNotFoundException(format!(
                "Requested resource not found: Shard: {} in Stream: {} not found",
                input.shard_id, f.arn
            )));
        }
        let _gate = f.table.write_gate()?;
        self.inner.streams.trim_records(&self.inner.db, f.meta.id)?;
        let first_kept = self
            .inner
            .streams
            .trimmed_below(&self.inner.db, f.meta.id)?;
        let now = self.inner.opts.clock.now_millis();
        let end = self.inner.streams.visible_end().min(f.stream.end_seq());
        let position = match ty {
            ShardIteratorType::TrimHorizon => Position::TrimHorizon,
            ShardIteratorType::Latest => Position::At(end),
            ShardIteratorType::AtSequenceNumber | ShardIteratorType::AfterSequenceNumber => {
                let seq = seq.unwrap_or_default();
                if seq < f.stream.start_seq
                    || seq >= f.stream.end_seq()
                    || seq >= self.inner.streams.peek_next()
                {
                    return Err(DynamoError::validation(format!(
                        "Invalid SequenceNumber {} for shard {id}",
                        input.sequence_number.as_deref().unwrap_or_default()
                    )));
                }
                if seq < first_kept {
                    return Err(trimmed());
                }
                Position::At(if ty == ShardIteratorType::AtSequenceNumber {
                    seq
                } else {
                    seq + 1
                })
            }
            ShardIteratorType::AtTimestamp => {
                let secs = input.timestamp.unwrap_or_default();
                let millis = crate::dynamo::clock::millis_of_seconds(secs);
                if !secs.is_finite() || millis > now {
                    return Err(DynamoError::validation(
                        "The timestamp must not be in the future",
                    ));
                }
                let from = first_kept.max(f.stream.start_seq);
                Position::At(
                    self.first_record_at_or_after(&f, from, end, millis)?
                        .unwrap_or(end.max(from)),
                )
            }
        };
        Ok(GetShardIteratorOutput {
            shard_iterator: Some(encode_iterator(&Iterator {
                stream_arn: f.arn,
                position,
                issued_millis: now,
            })),
        })
    }

    /// The first record of `f`'s stream in `[from, end)` created at or after
    /// `millis`.
    fn first_record_at_or_after(
        &self,
        f: &Found,
        from: u64,
        end: u64,
        millis: i64,
    ) -> Result<Option<u64>, DynamoError> {
        let prefix = range_prefix(f.meta.id, STREAM_INDEX_ID);
        let mut it = self.inner.db.iter()?;
        it.seek(&stream_record_key(f.meta.id, from))?;
        while it.valid() && it.key().starts_with(&prefix) {
            let seq = stream_seq_of_key(it.key()).unwrap_or(u64::MAX);
            if seq >= end {
                break;
            }
            if record_stream(it.value()) == Some(f.stream.start_seq)
                && record_created_millis(it.value()).is_some_and(|c| c >= millis)
            {
                return Ok(Some(seq));
            }
            it.next()?;
        }
        Ok(None)
    }

    /// `GetRecords`: up to `Limit` records (and about 1 MB) from the
    /// iterator's position, oldest first.
    pub fn get_records(&self, input: GetRecordsInput) -> Result<GetRecordsOutput, DynamoError> {
        let limit =
            usize::try_from(check_limit(input.limit, MAX_GET_RECORDS)?).unwrap_or(usize::MAX);
        let it = decode_iterator(&input.shard_iterator)?;
        let now = self.inner.opts.clock.now_millis();
        if now.saturating_sub(it.issued_millis) > ITERATOR_LIFETIME_MILLIS {
            return Err(DynamoError::ExpiredIteratorException(format!(
                "Iterator expired. The iterator was created at time {} while right now it is {} which is further in the future than the tolerated delay of {ITERATOR_LIFETIME_MILLIS} milliseconds.",
                java_date(it.issued_millis),
                java_date(now)
            )));
        }
        let f = self.find_stream(&it.stream_arn)?;
        let _gate = f.table.write_gate()?;
        self.inner.streams.trim_records(&self.inner.db, f.meta.id)?;
        let first_kept = self
            .inner
            .streams
            .trimmed_below(&self.inner.db, f.meta.id)?;
        let start = match it.position {
            Position::TrimHorizon => first_kept.max(f.stream.start_seq),
            Position::At(p) if p < first_kept => return Err(trimmed()),
            Position::At(p) => p,
        };
        let end = self.inner.streams.visible_end().min(f.stream.end_seq());
        let prefix = range_prefix(f.meta.id, STREAM_INDEX_ID);
        let mut records = Vec::new();
        let mut bytes = 0usize;
        let mut next = start.max(end);
        let mut db_it = self.inner.db.iter()?;
        db_it.seek(&stream_record_key(f.meta.id, start))?;
        while db_it.valid() && db_it.key().starts_with(&prefix) {
            let seq = stream_seq_of_key(db_it.key()).unwrap_or(u64::MAX);
            if seq >= end {
                break;
            }
            if record_stream(db_it.value()) == Some(f.stream.start_seq) {
                if records.len() >= limit {
                    next = seq;
                    break;
                }
                let record = self.record(&f.meta, seq, db_it.value())?;
                let size = usize::try_from(record.dynamodb.size_bytes).unwrap_or(0);
                if !records.is_empty() && bytes + size > MAX_GET_RECORDS_BYTES {
                    next = seq;
                    break;
                }
                bytes += size;
                records.push(record);
            }
            db_it.next()?;
        }
        let closed = !f.stream.is_enabled() && next >= f.stream.end_seq();
        Ok(GetRecordsOutput {
            records,
            next_shard_iterator: (!closed).then(|| {
                encode_iterator(&Iterator {
                    stream_arn: f.arn.clone(),
                    position: Position::At(next),
                    issued_millis: now,
                })
            }),
        })
    }

    /// The API form of stored record `seq` of table `meta`.
    fn record(&self, meta: &TableMeta, seq: u64, value: &[u8]) -> Result<Record, DynamoError> {
        let r = decode_record(value).map_err(|e| {
            DynamoError::InternalServerError(format!("corrupt stream record {seq}: {e}"))
        })?;
        let size_bytes = item_size(&r.keys)
            + r.old_image.as_ref().map_or(0, item_size)
            + r.new_image.as_ref().map_or(0, item_size);
        Ok(Record {
            event_id: event_id(meta, seq),
            event_name: r.event,
            event_version: "1.1".to_string(),
            event_source: "aws:dynamodb".to_string(),
            aws_region: self.region().to_string(),
            dynamodb: StreamRecord {
                approximate_creation_date_time: r.created_millis.div_euclid(1000) as f64,
                keys: r.keys,
                new_image: r.new_image,
                old_image: r.old_image,
                sequence_number: format_sequence_number(seq),
                size_bytes: size_bytes as i64,
                stream_view_type: r.view_type,
            },
            user_identity: (r.origin == Origin::Ttl).then(|| Identity {
                principal_id: "dynamodb.amazonaws.com".to_string(),
                identity_type: "Service".to_string(),
            }),
        })
    }
}

/// A `SequenceNumber` from a request: decimal digits naming a `u64`.
fn parse_sequence_number(s: &str) -> Result<u64, DynamoError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DynamoError::validation(format!(
            "Invalid SequenceNumber {s}"
        )));
    }
    let digits = s.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(0);
    }
    digits
        .parse()
        .map_err(|_| DynamoError::validation(format!("Invalid SequenceNumber {s}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::api::{
        AttributeDefinition, BillingMode, CreateTableInput, DescribeTableInput, KeySchemaElement,
        KeyType, PutItemInput, StreamSpecification, StreamViewType,
    };
    use crate::dynamo::keys::codec::ScalarAttributeType;
    use crate::dynamo::value::{AttributeValue, Item};
    use crate::dynamo::write::committing::Held;
    use crate::dynamo::write::pipeline::Staged;
    use crate::dynamo::ManualClock;

    fn db_with_stream() -> (DynamoDb, String) {
        with_stream(DynamoDb::open_in_memory().expect("open"))
    }

    /// A database on a clock that moves only when told to.
    fn db_with_stream_and_clock() -> (DynamoDb, String, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(1_700_000_000_000));
        let engine = crate::Db::open(
            "/db",
            crate::Options {
                fs: Arc::new(crate::fs::MemFs::new()),
                ..crate::Options::default()
            },
        )
        .expect("engine");
        let db = DynamoDb::with_db(
            engine,
            crate::dynamo::DynamoOptions {
                clock: Arc::clone(&clock) as _,
                ..Default::default()
            },
        )
        .expect("open");
        let (db, arn) = with_stream(db);
        (db, arn, clock)
    }

    fn with_stream(db: DynamoDb) -> (DynamoDb, String) {
        db.create_table(CreateTableInput {
            table_name: "Tab".into(),
            attribute_definitions: vec![AttributeDefinition {
                attribute_name: "id".into(),
                attribute_type: ScalarAttributeType::S,
            }],
            key_schema: vec![KeySchemaElement {
                attribute_name: "id".into(),
                key_type: KeyType::Hash,
            }],
            billing_mode: Some(BillingMode::PayPerRequest),
            stream_specification: Some(StreamSpecification {
                stream_enabled: true,
                stream_view_type: Some(StreamViewType::NewAndOldImages),
            }),
            ..Default::default()
        })
        .expect("create");
        let arn = db
            .describe_table(DescribeTableInput {
                table_name: "Tab".into(),
            })
            .expect("describe")
            .table
            .latest_stream_arn
            .expect("stream");
        (db, arn)
    }

    fn key(id: &str) -> Item {
        [("id".to_string(), AttributeValue::S(id.to_string()))].into()
    }

    fn put(db: &DynamoDb, id: &str) {
        db.put_item(PutItemInput {
            table_name: "Tab".into(),
            item: key(id),
            ..Default::default()
        })
        .expect("put");
    }

    fn read_all(db: &DynamoDb, arn: &str) -> Vec<Record> {
        let f = db.find_stream(arn).expect("stream");
        let it = db
            .get_shard_iterator(GetShardIteratorInput {
                stream_arn: arn.to_string(),
                shard_id: shard_id(&f.meta, &f.stream),
                shard_iterator_type: ShardIteratorType::TrimHorizon,
                ..Default::default()
            })
            .expect("iterator")
            .shard_iterator
            .expect("iterator");
        db.get_records(GetRecordsInput {
            shard_iterator: it,
            limit: None,
        })
        .expect("records")
        .records
    }

    /// Stages the change of `id` from what is stored to `new` into a batch
    /// of its own, as the write paths do.
    fn stage(db: &DynamoDb, id: &str, new: Option<&Item>, origin: Origin) -> Staged {
        let meta = db.table("Tab").expect("table").meta();
        let k = meta.key_of(&key(id)).expect("key");
        let old = db.read_item(&k).expect("read");
        let mut staged = Staged::default();
        db.stage_change(&mut staged, &meta, &k, old.as_ref(), new, origin)
            .expect("stage");
        staged
    }

    #[test]
    fn time_to_live_deletions_name_the_service() {
        let (db, arn) = db_with_stream();
        put(&db, "a");
        let batch = stage(&db, "a", None, Origin::Ttl);
        db.commit(batch, Held::default()).wait(&db).expect("commit");
        let records = read_all(&db, &arn);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].user_identity, None);
        assert_eq!(
            records[1].event_name,
            crate::dynamo::api::OperationType::Remove
        );
        assert_eq!(
            records[1].user_identity,
            Some(Identity {
                principal_id: "dynamodb.amazonaws.com".into(),
                identity_type: "Service".into(),
            })
        );
        assert_eq!(records[1].dynamodb.old_image, Some(key("a")));
    }

    #[test]
    fn readers_wait_for_numbers_in_flight_and_a_dropped_batch_releases_them() {
        let (db, arn) = db_with_stream();
        put(&db, "a");
        let staged = stage(&db, "b", Some(&key("b")), Origin::User);
        let held = db.inner.streams.visible_end();
        assert_eq!(
            held + 1,
            db.inner.streams.peek_next(),
            "the staged number holds readers"
        );
        // Another thread's write commits above it and stays invisible.
        std::thread::scope(|s| {
            s.spawn(|| put(&db, "c"));
        });
        assert_eq!(db.inner.streams.visible_end(), held);
        assert_eq!(read_all(&db, &arn).len(), 1);
        // The batch is dropped, which releases its number.
        drop(staged);
        put(&db, "d");
        assert_eq!(db.inner.streams.visible_end(), db.inner.streams.peek_next());
        let ids: Vec<_> = read_all(&db, &arn)
            .into_iter()
            .map(|r| r.dynamodb.keys)
            .collect();
        assert_eq!(ids, vec![key("a"), key("c"), key("d")]);
    }

    #[test]
    fn a_dropped_batch_releases_its_number_at_once() {
        let (db, arn) = db_with_stream();
        put(&db, "a");
        let staged = stage(&db, "b", Some(&key("b")), Origin::User);
        std::thread::scope(|s| {
            s.spawn(|| put(&db, "c"));
        });
        assert_eq!(read_all(&db, &arn).len(), 1, "b's number holds readers");
        // The write is abandoned (an error between staging and commit): its
        // number is released by the drop itself, not by a later write of
        // this thread or a timeout.
        drop(staged);
        assert_eq!(db.inner.streams.visible_end(), db.inner.streams.peek_next());
        let ids: Vec<_> = read_all(&db, &arn)
            .into_iter()
            .map(|r| r.dynamodb.keys)
            .collect();
        assert_eq!(ids, vec![key("a"), key("c")]);
    }

    #[test]
    fn a_commit_delayed_past_thirty_seconds_is_not_skipped() {
        let (db, arn, clock) = db_with_stream_and_clock();
        put(&db, "a");
        let f = db.find_stream(&arn).expect("stream");
        let first = db
            .get_shard_iterator(GetShardIteratorInput {
                stream_arn: arn.clone(),
                shard_id: shard_id(&f.meta, &f.stream),
                shard_iterator_type: ShardIteratorType::TrimHorizon,
                ..Default::default()
            })
            .expect("iterator")
            .shard_iterator
            .expect("iterator");
        // b's write takes its number and then stalls (back-pressure, a slow
        // disk) for longer than the old 30-second staleness timeout, while
        // c's write commits after it.
        let staged = stage(&db, "b", Some(&key("b")), Origin::User);
        clock.advance_millis(31_000);
        std::thread::scope(|s| {
            s.spawn(|| put(&db, "c"));
        });
        clock.advance_millis(31_000);
        let page = db
            .get_records(GetRecordsInput {
                shard_iterator: first,
                limit: None,
            })
            .expect("records");
        let ids: Vec<_> = page
            .records
            .iter()
            .map(|r| r.dynamodb.keys.clone())
            .collect();
        assert_eq!(ids, vec![key("a")], "c waits behind b's stalled write");
        db.commit(staged, Held::default())
            .wait(&db)
            .expect("commit");
        let next = page.next_shard_iterator.expect("open shard");
        let ids: Vec<_> = db
            .get_records(GetRecordsInput {
                shard_iterator: next,
                limit: None,
            })
            .expect("records")
            .records
            .into_iter()
            .map(|r| r.dynamodb.keys)
            .collect();
        assert_eq!(ids, vec![key("b"), key("c")], "b is not skipped");
    }

    #[test]
    fn iterators_round_trip_and_reject_tampering() {
        let it = Iterator {
            stream_arn:
                "arn:aws:dynamodb:ddblocal:000000000000:table/T/stream/2026-01-01T00:00:00.000"
                    .to_string(),
            position: Position::At(42),
            issued_millis: 1_700_000_000_000,
        };
        let s = encode_iterator(&it);
        assert_eq!(decode_iterator(&s), Ok(it.clone()));
        let th = Iterator {
            position: Position::TrimHorizon,
            ..it.clone()
        };
        assert_eq!(decode_iterator(&encode_iterator(&th)), Ok(th));
        for bad in [
            String::new(),
            "x".to_string(),
            s.replace("|1|", "|2|"),
            s.replace("table/T/", "table/U/"),
            format!("{s}0"),
            s[..s.len() - 2].to_string() + "zz",
        ] {
            assert_eq!(
                decode_iterator(&bad),
                Err(DynamoError::validation("Invalid ShardIterator")),
                "{bad}"
            );
        }
        // Every single-character change is caught.
        for i in s.len() - 42..s.len() {
            let mut b = s.clone().into_bytes();
            b[i] = if b[i] == b'0' { b'1' } else { b'0' };
            let b = String::from_utf8(b).unwrap_or_default();
            assert!(decode_iterator(&b).is_err(), "changed at {i}");
        }
    }

    #[test]
    fn stream_arns_parse() {
        assert_eq!(
            parse_stream_arn("arn:aws:dynamodb:r:1:table/Music/stream/2026-01-01T00:00:00.000"),
            Some(("Music", "2026-01-01T00:00:00.000"))
        );
        for bad in [
            "",
            "fake-stream",
            "arn:aws:dynamodb:r:1:table/Music",
            "arn:aws:dynamodb:r:1:table//stream/x",
            "arn:aws:dynamodb:r:1:table/Music/stream/",
        ] {
            assert_eq!(parse_stream_arn(bad), None, "{bad}");
        }
    }

    #[test]
    fn small_formats() {
        assert_eq!(format_sequence_number(7), "000000000000000000007");
        assert_eq!(format_sequence_number(u64::MAX).len(), 21);
        assert_eq!(java_date(1_421_889_722_000), "Thu Jan 22 01:22:02 UTC 2015");
        assert_eq!(java_date(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(parse_sequence_number("000000000000000000007"), Ok(7));
        assert!(parse_sequence_number("99999999999999999999999").is_err());
        assert!(parse_sequence_number("12a").is_err());
        assert_eq!(check_limit(None, 100), Ok(100));
        assert!(check_limit(Some(0), 100).is_err());
        assert!(check_limit(Some(1001), 1000)
            .is_err_and(|e| e.message().ends_with("less than or equal to 1000")));
    }
}
