//! The table settings members of CreateTable and UpdateTable
//! (`TableClass`, `SSESpecification`, `OnDemandThroughput`,
//! `WarmThroughput`) ↔ DynamoDB JSON, and how a `TableDescription` shows
//! them (`TableClassSummary`, `SSEDescription`, `OnDemandThroughput`,
//! `WarmThroughput`).

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    GlobalSecondaryIndexWarmThroughputDescription, OnDemandThroughput, SseDescription,
    SseSpecification, SseType, TableClass, TableClassSummary, TableWarmThroughputDescription,
    WarmThroughput,
};

use super::common::put_opt;
use super::decode::{expect_struct, DResult, Decoder, Position, Struct};

/// `TableClass` as DynamoDB prints its set.
const TABLE_CLASS_SET: &str = "[STANDARD, STANDARD_INFREQUENT_ACCESS]";
/// `SSEType` as DynamoDB prints its set.
const SSE_TYPE_SET: &str = "[AES256, KMS]";

/// The optional `TableClass` member.
pub(crate) fn table_class(d: &mut Decoder, s: &Struct<'_>) -> DResult<Option<TableClass>> {
    s.enumeration(d, "TableClass", TableClass::parse, TABLE_CLASS_SET)
}

/// Calls `read` on the structure member `member`, if present.
fn nested<T>(
    d: &mut Decoder,
    s: &Struct<'_>,
    member: &str,
    read: impl FnOnce(&mut Decoder, Struct<'_>) -> DResult<T>,
) -> DResult<Option<T>> {
    let Some(v) = s.get(member) else {
        return Ok(None);
    };
    let m = expect_struct(v, Position::Field, member)?;
    let path = s.member_path(member);
    read(d, Struct::nested(m, &path)).map(Some)
}

/// The optional `SSESpecification` member, or another member of that shape
/// (RestoreTableFromBackup's `SSESpecificationOverride`).
pub(crate) fn sse_specification(
    d: &mut Decoder,
    s: &Struct<'_>,
    member: &str,
) -> DResult<Option<SseSpecification>> {
    nested(d, s, member, |d, n| {
        Ok(SseSpecification {
            enabled: n.bool("Enabled")?,
            sse_type: n.enumeration(d, "SSEType", SseType::parse, SSE_TYPE_SET)?,
            kms_master_key_id: n.string("KMSMasterKeyId")?,
        })
    })
}

/// The optional `OnDemandThroughput` member (`LongObject`s).
pub(crate) fn on_demand_throughput(
    d: &mut Decoder,
    s: &Struct<'_>,
) -> DResult<Option<OnDemandThroughput>> {
    nested(d, s, "OnDemandThroughput", |d, n| {
        Ok(OnDemandThroughput {
            max_read_request_units: n.integer(d, "MaxReadRequestUnits", "Long", None, None)?,
            max_write_request_units: n.integer(d, "MaxWriteRequestUnits", "Long", None, None)?,
        })
    })
}

/// The optional `WarmThroughput` member (`LongObject`s).
pub(crate) fn warm_throughput(d: &mut Decoder, s: &Struct<'_>) -> DResult<Option<WarmThroughput>> {
    nested(d, s, "WarmThroughput", |d, n| {
        Ok(WarmThroughput {
            read_units_per_second: n.integer(d, "ReadUnitsPerSecond", "Long", None, None)?,
            write_units_per_second: n.integer(d, "WriteUnitsPerSecond", "Long", None, None)?,
        })
    })
}

/// A `TableClassSummary`.
pub(crate) fn table_class_summary_json(t: &TableClassSummary) -> Value {
    let mut m = Map::new();
    m.insert(
        "TableClass".into(),
        Value::String(t.table_class.as_str().to_string()),
    );
    put_opt(
        &mut m,
        "LastUpdateDateTime",
        t.last_update_date_time
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
    );
    Value::Object(m)
}

/// An `SSEDescription`.
pub(crate) fn sse_description_json(t: &SseDescription) -> Value {
    let mut m = Map::new();
    m.insert(
        "Status".into(),
        Value::String(t.status.as_str().to_string()),
    );
    m.insert(
        "SSEType".into(),
        Value::String(t.sse_type.as_str().to_string()),
    );
    m.insert(
        "KMSMasterKeyArn".into(),
        Value::String(t.kms_master_key_arn.clone()),
    );
    Value::Object(m)
}

/// An `OnDemandThroughput`.
pub(crate) fn on_demand_throughput_json(t: &OnDemandThroughput) -> Value {
    let mut m = Map::new();
    put_opt(
        &mut m,
        "MaxReadRequestUnits",
        t.max_read_request_units.map(Value::from),
    );
    put_opt(
        &mut m,
        "MaxWriteRequestUnits",
        t.max_write_request_units.map(Value::from),
    );
    Value::Object(m)
}

/// A `WarmThroughput` as a request gives it (each member optional).
pub(crate) fn warm_throughput_request_json(t: &WarmThroughput) -> Value {
    let mut m = Map::new();
    put_opt(
        &mut m,
        "ReadUnitsPerSecond",
        t.read_units_per_second.map(Value::from),
    );
    put_opt(
        &mut m,
        "WriteUnitsPerSecond",
        t.write_units_per_second.map(Value::from),
    );
    Value::Object(m)
}

/// A `TableWarmThroughputDescription`.
pub(crate) fn warm_throughput_json(t: &TableWarmThroughputDescription) -> Value {
    warm_json(
        t.read_units_per_second,
        t.write_units_per_second,
        t.status.as_str(),
    )
}

/// A `GlobalSecondaryIndexWarmThroughputDescription`.
pub(crate) fn index_warm_throughput_json(
    t: &GlobalSecondaryIndexWarmThroughputDescription,
) -> Value {
    warm_json(
        t.read_units_per_second,
        t.write_units_per_second,
        t.status.as_str(),
    )
}

/// Either warm throughput description: both shapes have these members.
fn warm_json(read: i64, write: i64, status: &str) -> Value {
    let mut m = Map::new();
    m.insert("ReadUnitsPerSecond".into(), Value::from(read));
    m.insert("WriteUnitsPerSecond".into(), Value::from(write));
    m.insert("Status".into(), Value::String(status.to_string()));
    Value::Object(m)
}
