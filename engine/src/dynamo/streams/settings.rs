//! A table's streams: enabling and disabling them (CreateTable's and
//! UpdateTable's `StreamSpecification`), their labels and ARNs, what
//! DeleteTable keeps of them. (Their form in the table's catalog record is
//! in `tables/catalog.rs`.)

use crate::dynamo::api::{
    GlobalSecondaryIndexUpdate, StreamSpecification, StreamViewType, UpdateTableInput,
};
use crate::dynamo::clock::calendar::civil;
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::INVALID_PARAMETER;
use crate::dynamo::tables::schema::TableMeta;

/// How long records (and disabled streams) stay readable: 24 hours.
pub const RETENTION_MILLIS: i64 = 24 * 60 * 60 * 1000;

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
