//! DynamoDB Streams shapes: `StreamSpecification` (CreateTable, UpdateTable,
//! DescribeTable) and the four operations of the DynamoDB Streams API
//! (botocore `dynamodbstreams/2012-08-10/service-2.json`): ListStreams,
//! DescribeStream, GetShardIterator and GetRecords.

use super::enums::wire_enum;
use super::table::KeySchemaElement;
use crate::dynamo::items::value::Item;

wire_enum! {
    /// `StreamViewType`: what a stream record carries besides the key.
    StreamViewType {
        /// The item as it is after the change.
        NewImage => "NEW_IMAGE",
        /// The item as it was before the change.
        OldImage => "OLD_IMAGE",
        /// Both images.
        #[default]
        NewAndOldImages => "NEW_AND_OLD_IMAGES",
        /// Only the key attributes.
        KeysOnly => "KEYS_ONLY",
    }
}

wire_enum! {
    /// `StreamStatus`. Streams here change state at once, so only `ENABLED`
    /// and `DISABLED` are ever reported.
    StreamStatus {
        /// Being enabled.
        Enabling => "ENABLING",
        /// Receiving records.
        #[default]
        Enabled => "ENABLED",
        /// Being disabled.
        Disabling => "DISABLING",
        /// Closed: readable for 24 hours, receives nothing.
        Disabled => "DISABLED",
    }
}

wire_enum! {
    /// `ShardIteratorType`: where a shard iterator starts.
    ShardIteratorType {
        /// Exactly at `SequenceNumber`.
        AtSequenceNumber => "AT_SEQUENCE_NUMBER",
        /// Just after `SequenceNumber`.
        AfterSequenceNumber => "AFTER_SEQUENCE_NUMBER",
        /// At the oldest record not trimmed.
        TrimHorizon => "TRIM_HORIZON",
        /// Just after the newest record: only later changes are read.
        #[default]
        Latest => "LATEST",
        /// At the first record created at or after `Timestamp`.
        AtTimestamp => "AT_TIMESTAMP",
    }
}

wire_enum! {
    /// `OperationType`: the `eventName` of a stream record.
    OperationType {
        /// A new item was added.
        #[default]
        Insert => "INSERT",
        /// An existing item changed.
        Modify => "MODIFY",
        /// An item was deleted.
        Remove => "REMOVE",
    }
}

wire_enum! {
    /// `ShardFilterType`.
    ShardFilterType {
        /// The children of the shard named by the filter.
        #[default]
        ChildShards => "CHILD_SHARDS",
    }
}

/// Whether a table has a stream, and what it carries (the
/// `StreamSpecification` shape).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamSpecification {
    /// `StreamEnabled` (required on the wire).
    pub stream_enabled: bool,
    /// `StreamViewType`: required when enabling, forbidden when disabling.
    pub stream_view_type: Option<StreamViewType>,
}

/// `ListStreams` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListStreamsInput {
    /// Only the streams of this table.
    pub table_name: Option<String>,
    /// 1 to 100 streams per page (default 100).
    pub limit: Option<i64>,
    /// Start after this stream (a `LastEvaluatedStreamArn`).
    pub exclusive_start_stream_arn: Option<String>,
}

/// One stream in a `ListStreams` answer (the `Stream` shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stream {
    /// `<table arn>/stream/<label>`.
    pub stream_arn: String,
    /// The table's name.
    pub table_name: String,
    /// The stream's creation time, ISO 8601 with milliseconds.
    pub stream_label: String,
}

/// `ListStreams` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListStreamsOutput {
    /// Streams in table-name, then creation order.
    pub streams: Vec<Stream>,
    /// Present when more streams may follow.
    pub last_evaluated_stream_arn: Option<String>,
}

/// `ShardFilter` of a `DescribeStream` request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardFilter {
    /// `CHILD_SHARDS`.
    pub filter_type: Option<ShardFilterType>,
    /// The parent shard.
    pub shard_id: Option<String>,
}

/// `DescribeStream` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeStreamInput {
    /// The stream.
    pub stream_arn: String,
    /// 1 to 100 shards per page (default 100).
    pub limit: Option<i64>,
    /// Start after this shard.
    pub exclusive_start_shard_id: Option<String>,
    /// Only the children of a shard.
    pub shard_filter: Option<ShardFilter>,
}

/// Sequence numbers a shard holds (the `SequenceNumberRange` shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SequenceNumberRange {
    /// The first sequence number of the shard's records not yet trimmed.
    pub starting_sequence_number: Option<String>,
    /// The last sequence number; present only once the shard is closed.
    pub ending_sequence_number: Option<String>,
}

/// One shard of a stream (the `Shard` shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shard {
    /// `shardId-<20 digits>-<8 hex digits>`.
    pub shard_id: String,
    /// The sequence numbers it holds.
    pub sequence_number_range: SequenceNumberRange,
    /// The shard it split from (never, here).
    pub parent_shard_id: Option<String>,
}

/// A stream as `DescribeStream` reports it (the `StreamDescription` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamDescription {
    /// The stream.
    pub stream_arn: String,
    /// Its label.
    pub stream_label: String,
    /// `ENABLED` or `DISABLED`.
    pub stream_status: StreamStatus,
    /// What its records carry.
    pub stream_view_type: StreamViewType,
    /// When it was enabled, seconds since the epoch.
    pub creation_request_date_time: f64,
    /// The table's name.
    pub table_name: String,
    /// The table's key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// Its shards (one per stream here).
    pub shards: Vec<Shard>,
    /// Present when more shards may follow.
    pub last_evaluated_shard_id: Option<String>,
}

/// `DescribeStream` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeStreamOutput {
    /// The stream.
    pub stream_description: StreamDescription,
}

/// `GetShardIterator` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetShardIteratorInput {
    /// The stream.
    pub stream_arn: String,
    /// The shard.
    pub shard_id: String,
    /// Where to start.
    pub shard_iterator_type: ShardIteratorType,
    /// With `AT_SEQUENCE_NUMBER` and `AFTER_SEQUENCE_NUMBER` only.
    pub sequence_number: Option<String>,
    /// With `AT_TIMESTAMP` only: seconds since the epoch.
    pub timestamp: Option<f64>,
}

/// `GetShardIterator` response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetShardIteratorOutput {
    /// An opaque position, valid for 15 minutes.
    pub shard_iterator: Option<String>,
}

/// `GetRecords` request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetRecordsInput {
    /// From `GetShardIterator` or a previous `NextShardIterator`.
    pub shard_iterator: String,
    /// 1 to 1000 records (default 1000).
    pub limit: Option<i64>,
}

/// Who made a change (the `Identity` shape); present only on records of
/// Time to Live deletions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// `dynamodb.amazonaws.com`.
    pub principal_id: String,
    /// `Service`.
    pub identity_type: String,
}

/// The DynamoDB part of a stream record (the `StreamRecord` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamRecord {
    /// When the change was made, seconds since the epoch, rounded down.
    pub approximate_creation_date_time: f64,
    /// The item's key attributes.
    pub keys: Item,
    /// The item after the change (`NEW_IMAGE`, `NEW_AND_OLD_IMAGES`; absent
    /// for a removal).
    pub new_image: Option<Item>,
    /// The item before the change (`OLD_IMAGE`, `NEW_AND_OLD_IMAGES`;
    /// absent for an insertion).
    pub old_image: Option<Item>,
    /// The record's sequence number: decimal digits, at least 21.
    pub sequence_number: String,
    /// The record's size in bytes (keys and images by DynamoDB's size rules).
    pub size_bytes: i64,
    /// The stream's view type.
    pub stream_view_type: StreamViewType,
}

/// One stream record (the `Record` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// A unique id of the event.
    pub event_id: String,
    /// `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: OperationType,
    /// `1.1`.
    pub event_version: String,
    /// `aws:dynamodb`.
    pub event_source: String,
    /// The region.
    pub aws_region: String,
    /// The change.
    pub dynamodb: StreamRecord,
    /// The Time to Live service, for its deletions.
    pub user_identity: Option<Identity>,
}

/// `GetRecords` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetRecordsOutput {
    /// The records, oldest first.
    pub records: Vec<Record>,
    /// Where to read next; absent once a closed shard is exhausted.
    pub next_shard_iterator: Option<String>,
}
