//! CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
//! RestoreTableFromBackup ↔ DynamoDB JSON. Member constraints from botocore
//! 1.44's service-2.json: `BackupName` and `TargetTableName` 3–255 of
//! `[a-zA-Z0-9_.-]`, `BackupArn` 37–1024, `TableName` (a `TableArn`)
//! 1–1024, `Limit` 1–100.

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    BackupDescription, BackupDetails, BackupSummary, BackupTypeFilter, BillingMode,
    CreateBackupInput, CreateBackupOutput, DeleteBackupInput, DeleteBackupOutput,
    DescribeBackupInput, DescribeBackupOutput, KeySchemaElement, ListBackupsInput,
    ListBackupsOutput, Projection, ProvisionedThroughput, RestoreOverrides,
    RestoreTableFromBackupInput, RestoreTableFromBackupOutput,
};

use super::common::{put_opt, struct_list};
use super::decode::{DResult, Decoder, Struct};
use super::settings;
use super::streams::timestamp;
use super::tables::{
    f64_json, global_secondary_index, key_schema_json, local_secondary_index, projection_json,
    table_description_json, throughput_member,
};

/// A `[a-zA-Z0-9_.-]`, 3–255 name member; required.
fn name(d: &mut Decoder, s: &Struct<'_>, member: &str) -> DResult<String> {
    let v = s.required_string(d, member)?;
    if s.get(member).is_some() {
        let path = s.member_path(member);
        d.check_name_pattern(&v, &path);
        d.check_length(&v, &path, v.chars().count(), Some(3), Some(255));
    }
    Ok(v)
}

/// A required `BackupArn` (37–1024 characters).
fn backup_arn(d: &mut Decoder, s: &Struct<'_>) -> DResult<String> {
    let v = s.required_string(d, "BackupArn")?;
    if s.get("BackupArn").is_some() {
        d.check_length(
            &v,
            &s.member_path("BackupArn"),
            v.chars().count(),
            Some(37),
            Some(1024),
        );
    }
    Ok(v)
}

/// Reads a `CreateBackup` request.
pub(crate) fn create_backup_input(d: &mut Decoder, s: Struct<'_>) -> DResult<CreateBackupInput> {
    Ok(CreateBackupInput {
        table_name: s.table_name(d)?,
        backup_name: name(d, &s, "BackupName")?,
    })
}

/// Reads a `DescribeBackup` request.
pub(crate) fn describe_backup_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<DescribeBackupInput> {
    Ok(DescribeBackupInput {
        backup_arn: backup_arn(d, &s)?,
    })
}

/// Reads a `DeleteBackup` request.
pub(crate) fn delete_backup_input(d: &mut Decoder, s: Struct<'_>) -> DResult<DeleteBackupInput> {
    Ok(DeleteBackupInput {
        backup_arn: backup_arn(d, &s)?,
    })
}

/// Reads a `ListBackups` request.
pub(crate) fn list_backups_input(d: &mut Decoder, s: Struct<'_>) -> DResult<ListBackupsInput> {
    let table_name = s.string("TableName")?;
    if let Some(t) = &table_name {
        d.check_length(
            t,
            &s.member_path("TableName"),
            t.chars().count(),
            Some(1),
            Some(1024),
        );
    }
    let exclusive_start_backup_arn = s.string("ExclusiveStartBackupArn")?;
    if let Some(a) = &exclusive_start_backup_arn {
        d.check_length(
            a,
            &s.member_path("ExclusiveStartBackupArn"),
            a.chars().count(),
            Some(37),
            Some(1024),
        );
    }
    Ok(ListBackupsInput {
        table_name,
        limit: s.integer(d, "Limit", "Integer", Some(1), Some(100))?,
        time_range_lower_bound: timestamp(&s, "TimeRangeLowerBound")?,
        time_range_upper_bound: timestamp(&s, "TimeRangeUpperBound")?,
        exclusive_start_backup_arn,
        backup_type: s.enumeration(
            d,
            "BackupType",
            BackupTypeFilter::parse,
            "[USER, SYSTEM, AWS_BACKUP, ALL]",
        )?,
    })
}

/// Reads the overrides of a restore, the members RestoreTableFromBackup and
/// RestoreTableToPointInTime share: `BillingModeOverride`,
/// `GlobalSecondaryIndexOverride`, `LocalSecondaryIndexOverride`,
/// `ProvisionedThroughputOverride`, `SSESpecificationOverride`.
pub(crate) fn restore_overrides(d: &mut Decoder, s: &Struct<'_>) -> DResult<RestoreOverrides> {
    Ok(RestoreOverrides {
        provisioned_throughput_override: throughput_member(d, s, "ProvisionedThroughputOverride")?,
        billing_mode_override: s.enumeration(
            d,
            "BillingModeOverride",
            BillingMode::parse,
            "[PROVISIONED, PAY_PER_REQUEST]",
        )?,
        global_secondary_index_override: struct_list(
            d,
            s,
            "GlobalSecondaryIndexOverride",
            "GlobalSecondaryIndex",
            global_secondary_index,
        )?,
        local_secondary_index_override: struct_list(
            d,
            s,
            "LocalSecondaryIndexOverride",
            "LocalSecondaryIndex",
            local_secondary_index,
        )?,
        sse_specification_override: settings::sse_specification(d, s, "SSESpecificationOverride")?,
    })
}

/// Reads a `RestoreTableFromBackup` request.
pub(crate) fn restore_table_from_backup_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<RestoreTableFromBackupInput> {
    Ok(RestoreTableFromBackupInput {
        target_table_name: name(d, &s, "TargetTableName")?,
        backup_arn: backup_arn(d, &s)?,
        overrides: restore_overrides(d, &s)?,
    })
}

fn throughput_json(p: &ProvisionedThroughput) -> Value {
    let mut m = Map::new();
    m.insert("ReadCapacityUnits".into(), p.read_capacity_units.into());
    m.insert("WriteCapacityUnits".into(), p.write_capacity_units.into());
    Value::Object(m)
}

fn details_json(b: &BackupDetails) -> Value {
    let mut m = Map::new();
    m.insert("BackupArn".into(), Value::String(b.backup_arn.clone()));
    m.insert("BackupName".into(), Value::String(b.backup_name.clone()));
    put_opt(
        &mut m,
        "BackupSizeBytes",
        b.backup_size_bytes.map(Value::from),
    );
    m.insert(
        "BackupStatus".into(),
        Value::String(b.backup_status.as_str().into()),
    );
    m.insert(
        "BackupType".into(),
        Value::String(b.backup_type.as_str().into()),
    );
    m.insert(
        "BackupCreationDateTime".into(),
        f64_json(b.backup_creation_date_time),
    );
    put_opt(
        &mut m,
        "BackupExpiryDateTime",
        b.backup_expiry_date_time.map(f64_json),
    );
    Value::Object(m)
}

/// The members a `LocalSecondaryIndexInfo` and a `GlobalSecondaryIndexInfo`
/// share.
fn index_info(
    name: &str,
    key_schema: &[KeySchemaElement],
    projection: &Projection,
) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("IndexName".into(), Value::String(name.to_string()));
    o.insert("KeySchema".into(), key_schema_json(key_schema));
    o.insert("Projection".into(), projection_json(projection));
    o
}

fn description_json(d: &BackupDescription) -> Value {
    let mut m = Map::new();
    m.insert("BackupDetails".into(), details_json(&d.backup_details));
    let t = &d.source_table_details;
    let mut st = Map::new();
    st.insert("TableName".into(), Value::String(t.table_name.clone()));
    st.insert("TableId".into(), Value::String(t.table_id.clone()));
    put_opt(&mut st, "TableArn", t.table_arn.clone().map(Value::String));
    put_opt(
        &mut st,
        "TableSizeBytes",
        t.table_size_bytes.map(Value::from),
    );
    st.insert("KeySchema".into(), key_schema_json(&t.key_schema));
    st.insert(
        "TableCreationDateTime".into(),
        f64_json(t.table_creation_date_time),
    );
    st.insert(
        "ProvisionedThroughput".into(),
        throughput_json(&t.provisioned_throughput),
    );
    put_opt(&mut st, "ItemCount", t.item_count.map(Value::from));
    put_opt(
        &mut st,
        "BillingMode",
        t.billing_mode.map(|b| Value::String(b.as_str().into())),
    );
    m.insert("SourceTableDetails".into(), Value::Object(st));
    let f = &d.source_table_feature_details;
    let mut ft = Map::new();
    put_opt(
        &mut ft,
        "LocalSecondaryIndexes",
        f.local_secondary_indexes.as_ref().map(|v| {
            Value::Array(
                v.iter()
                    .map(|i| Value::Object(index_info(&i.index_name, &i.key_schema, &i.projection)))
                    .collect(),
            )
        }),
    );
    put_opt(
        &mut ft,
        "GlobalSecondaryIndexes",
        f.global_secondary_indexes.as_ref().map(|v| {
            Value::Array(
                v.iter()
                    .map(|i| {
                        let mut o = index_info(&i.index_name, &i.key_schema, &i.projection);
                        put_opt(
                            &mut o,
                            "ProvisionedThroughput",
                            i.provisioned_throughput.as_ref().map(throughput_json),
                        );
                        Value::Object(o)
                    })
                    .collect(),
            )
        }),
    );
    put_opt(
        &mut ft,
        "StreamDescription",
        f.stream_description.as_ref().map(|s| {
            let mut o = Map::new();
            o.insert("StreamEnabled".into(), Value::Bool(s.stream_enabled));
            put_opt(
                &mut o,
                "StreamViewType",
                s.stream_view_type.map(|v| Value::String(v.as_str().into())),
            );
            Value::Object(o)
        }),
    );
    put_opt(
        &mut ft,
        "TimeToLiveDescription",
        f.time_to_live_description.as_ref().map(|t| {
            let mut o = Map::new();
            o.insert(
                "TimeToLiveStatus".into(),
                Value::String(t.time_to_live_status.as_str().into()),
            );
            put_opt(
                &mut o,
                "AttributeName",
                t.attribute_name.clone().map(Value::String),
            );
            Value::Object(o)
        }),
    );
    m.insert("SourceTableFeatureDetails".into(), Value::Object(ft));
    Value::Object(m)
}

fn summary_json(b: &BackupSummary) -> Value {
    let mut m = Map::new();
    m.insert("TableName".into(), Value::String(b.table_name.clone()));
    m.insert("TableId".into(), Value::String(b.table_id.clone()));
    m.insert("TableArn".into(), Value::String(b.table_arn.clone()));
    m.insert("BackupArn".into(), Value::String(b.backup_arn.clone()));
    m.insert("BackupName".into(), Value::String(b.backup_name.clone()));
    m.insert(
        "BackupCreationDateTime".into(),
        f64_json(b.backup_creation_date_time),
    );
    put_opt(
        &mut m,
        "BackupExpiryDateTime",
        b.backup_expiry_date_time.map(f64_json),
    );
    m.insert(
        "BackupStatus".into(),
        Value::String(b.backup_status.as_str().into()),
    );
    m.insert(
        "BackupType".into(),
        Value::String(b.backup_type.as_str().into()),
    );
    put_opt(
        &mut m,
        "BackupSizeBytes",
        b.backup_size_bytes.map(Value::from),
    );
    Value::Object(m)
}

/// A `CreateBackup` response.
pub(crate) fn create_backup_output(o: &CreateBackupOutput) -> Value {
    let mut m = Map::new();
    m.insert("BackupDetails".into(), details_json(&o.backup_details));
    Value::Object(m)
}

/// `{"BackupDescription": ...}`, the body of two responses.
fn description_output(d: &BackupDescription) -> Value {
    let mut m = Map::new();
    m.insert("BackupDescription".into(), description_json(d));
    Value::Object(m)
}

/// A `DescribeBackup` response.
pub(crate) fn describe_backup_output(o: &DescribeBackupOutput) -> Value {
    description_output(&o.backup_description)
}

/// A `DeleteBackup` response.
pub(crate) fn delete_backup_output(o: &DeleteBackupOutput) -> Value {
    description_output(&o.backup_description)
}

/// A `ListBackups` response.
pub(crate) fn list_backups_output(o: &ListBackupsOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "BackupSummaries".into(),
        Value::Array(o.backup_summaries.iter().map(summary_json).collect()),
    );
    put_opt(
        &mut m,
        "LastEvaluatedBackupArn",
        o.last_evaluated_backup_arn.clone().map(Value::String),
    );
    Value::Object(m)
}

/// A `RestoreTableFromBackup` response.
pub(crate) fn restore_table_from_backup_output(o: &RestoreTableFromBackupOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "TableDescription".into(),
        table_description_json(&o.table_description),
    );
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::json::decode::read_request as read;

    #[test]
    fn names_and_arns_are_checked_as_the_model_says() {
        let e = read(
            json!({"TableName": "T", "BackupName": "a b"}),
            create_backup_input,
        )
        .expect_err("bad name");
        assert!(
            e.message().contains("at 'backupName' failed to satisfy constraint: Member must satisfy regular expression pattern"),
            "{}",
            e.message()
        );
        let e = read(json!({"BackupArn": "short"}), describe_backup_input).expect_err("short arn");
        assert!(e.message().contains("at 'backupArn'"), "{}", e.message());
        let e = read(json!({"Limit": 0}), list_backups_input).expect_err("limit");
        assert!(e.message().contains("at 'limit'"), "{}", e.message());
        let e = read(
            json!({"TargetTableName": "Tab2", "BackupArn": "arn:aws:dynamodb:r:1:table/T/backup/01733000000000-0a1b2c3d", "BillingModeOverride": "FREE"}),
            restore_table_from_backup_input,
        )
        .expect_err("enum");
        assert!(
            e.message().contains("billingModeOverride"),
            "{}",
            e.message()
        );
        let i = read(
            json!({"TargetTableName": "Tab2", "BackupArn": "arn:aws:dynamodb:r:1:table/T/backup/01733000000000-0a1b2c3d",
                   "ProvisionedThroughputOverride": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}),
            restore_table_from_backup_input,
        )
        .expect("restore");
        assert_eq!(
            i.overrides.provisioned_throughput_override,
            Some(ProvisionedThroughput {
                read_capacity_units: 3,
                write_capacity_units: 4
            })
        );
    }
}
