//! UpdateContinuousBackups, DescribeContinuousBackups and
//! RestoreTableToPointInTime ↔ DynamoDB JSON. Member constraints from
//! botocore 1.44's service-2.json: `TableName` (a `TableArn`) 1–1024,
//! `RecoveryPeriodInDays` 1–35, `PointInTimeRecoveryEnabled` required,
//! `SourceTableName`/`TargetTableName` 3–255 of `[a-zA-Z0-9_.-]`,
//! `SourceTableArn` 1–1024.

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    ContinuousBackupsDescription, DescribeContinuousBackupsInput, DescribeContinuousBackupsOutput,
    PointInTimeRecoverySpecification, RestoreTableToPointInTimeInput,
    RestoreTableToPointInTimeOutput, UpdateContinuousBackupsInput, UpdateContinuousBackupsOutput,
};

use super::backup::restore_overrides;
use super::common::put_opt;
use super::decode::{expect_struct, DResult, Decoder, Position, Struct};
use super::streams::timestamp;
use super::tables::{f64_json, table_description_json};

/// Reads the required `PointInTimeRecoverySpecification` member.
fn specification(d: &mut Decoder, s: &Struct<'_>) -> DResult<PointInTimeRecoverySpecification> {
    let member = "PointInTimeRecoverySpecification";
    let path = s.member_path(member);
    let Some(v) = s.get(member) else {
        d.violation(None, &path, "Member must not be null");
        return Ok(PointInTimeRecoverySpecification::default());
    };
    let m = expect_struct(v, Position::Field, member)?;
    let spec = Struct::nested(m, &path);
    let enabled = spec.bool("PointInTimeRecoveryEnabled")?;
    if enabled.is_none() {
        d.violation(
            None,
            &spec.member_path("PointInTimeRecoveryEnabled"),
            "Member must not be null",
        );
    }
    Ok(PointInTimeRecoverySpecification {
        point_in_time_recovery_enabled: enabled.unwrap_or_default(),
        recovery_period_in_days: spec.integer(
            d,
            "RecoveryPeriodInDays",
            "Integer",
            Some(1),
            Some(35),
        )?,
    })
}

/// Reads an `UpdateContinuousBackups` request.
pub(crate) fn update_continuous_backups_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<UpdateContinuousBackupsInput> {
    Ok(UpdateContinuousBackupsInput {
        table_name: s.table_name(d)?,
        point_in_time_recovery_specification: specification(d, &s)?,
    })
}

/// Reads a `DescribeContinuousBackups` request.
pub(crate) fn describe_continuous_backups_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<DescribeContinuousBackupsInput> {
    Ok(DescribeContinuousBackupsInput {
        table_name: s.table_name(d)?,
    })
}

/// An optional `[a-zA-Z0-9_.-]`, 3–255 name member.
fn optional_name(d: &mut Decoder, s: &Struct<'_>, member: &str) -> DResult<Option<String>> {
    let v = s.string(member)?;
    if let Some(v) = &v {
        let path = s.member_path(member);
        d.check_name_pattern(v, &path);
        d.check_length(v, &path, v.chars().count(), Some(3), Some(255));
    }
    Ok(v)
}

/// Reads a `RestoreTableToPointInTime` request.
pub(crate) fn restore_table_to_point_in_time_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<RestoreTableToPointInTimeInput> {
    let source_table_arn = s.string("SourceTableArn")?;
    if let Some(a) = &source_table_arn {
        d.check_length(
            a,
            &s.member_path("SourceTableArn"),
            a.chars().count(),
            Some(1),
            Some(1024),
        );
    }
    let source_table_name = optional_name(d, &s, "SourceTableName")?;
    let target = s.required_string(d, "TargetTableName")?;
    if s.get("TargetTableName").is_some() {
        let path = s.member_path("TargetTableName");
        d.check_name_pattern(&target, &path);
        d.check_length(&target, &path, target.chars().count(), Some(3), Some(255));
    }
    Ok(RestoreTableToPointInTimeInput {
        source_table_arn,
        source_table_name,
        target_table_name: target,
        use_latest_restorable_time: s.bool("UseLatestRestorableTime")?,
        restore_date_time: timestamp(&s, "RestoreDateTime")?,
        overrides: restore_overrides(d, &s)?,
    })
}

fn description_json(c: &ContinuousBackupsDescription) -> Value {
    let p = &c.point_in_time_recovery_description;
    let mut pitr = Map::new();
    pitr.insert(
        "PointInTimeRecoveryStatus".into(),
        p.point_in_time_recovery_status.as_str().into(),
    );
    put_opt(
        &mut pitr,
        "RecoveryPeriodInDays",
        p.recovery_period_in_days.map(Value::from),
    );
    put_opt(
        &mut pitr,
        "EarliestRestorableDateTime",
        p.earliest_restorable_date_time.map(f64_json),
    );
    put_opt(
        &mut pitr,
        "LatestRestorableDateTime",
        p.latest_restorable_date_time.map(f64_json),
    );
    let mut m = Map::new();
    m.insert(
        "ContinuousBackupsStatus".into(),
        c.continuous_backups_status.as_str().into(),
    );
    m.insert("PointInTimeRecoveryDescription".into(), Value::Object(pitr));
    let mut out = Map::new();
    out.insert("ContinuousBackupsDescription".into(), Value::Object(m));
    Value::Object(out)
}

/// An `UpdateContinuousBackups` response.
pub(crate) fn update_continuous_backups_output(o: &UpdateContinuousBackupsOutput) -> Value {
    description_json(&o.continuous_backups_description)
}

/// A `DescribeContinuousBackups` response.
pub(crate) fn describe_continuous_backups_output(o: &DescribeContinuousBackupsOutput) -> Value {
    description_json(&o.continuous_backups_description)
}

/// A `RestoreTableToPointInTime` response.
pub(crate) fn restore_table_to_point_in_time_output(o: &RestoreTableToPointInTimeOutput) -> Value {
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
    fn the_recovery_period_and_the_enabled_flag_are_checked_as_the_model_says() {
        let e = read(
            json!({"TableName": "T", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 36}}),
            update_continuous_backups_input,
        )
        .expect_err("period");
        assert!(
            e.message().contains("at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 35"),
            "{}",
            e.message()
        );
        let e = read(
            json!({"TableName": "T", "PointInTimeRecoverySpecification": {}}),
            update_continuous_backups_input,
        )
        .expect_err("enabled");
        assert!(
            e.message()
                .contains("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled"),
            "{}",
            e.message()
        );
        let i = read(
            json!({"SourceTableName": "Src", "TargetTableName": "Dst", "RestoreDateTime": 1.7e9}),
            restore_table_to_point_in_time_input,
        )
        .expect("restore");
        assert_eq!(i.restore_date_time, Some(1.7e9));
        assert_eq!(i.source_table_name.as_deref(), Some("Src"));
    }

    /// The overrides are RestoreTableFromBackup's, read by the same code.
    #[test]
    fn overrides_read_as_restore_from_backup_reads_them() {
        let body = |extra: serde_json::Value| {
            let mut m = json!({"SourceTableName": "Src", "TargetTableName": "Dst"});
            if let (Some(m), Some(extra)) = (m.as_object_mut(), extra.as_object()) {
                m.extend(extra.clone());
            }
            m
        };
        let overrides = json!({
            "BillingModeOverride": "PROVISIONED",
            "ProvisionedThroughputOverride": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
            "GlobalSecondaryIndexOverride": [],
            "SSESpecificationOverride": {"Enabled": false},
        });
        let i = read(
            body(overrides.clone()),
            restore_table_to_point_in_time_input,
        )
        .expect("restore");
        let mut from_backup = overrides;
        from_backup["TargetTableName"] = json!("Dst");
        from_backup["BackupArn"] =
            json!("arn:aws:dynamodb:r:1:table/T/backup/01733000000000-0a1b2c3d");
        let b = read(
            from_backup,
            crate::json::backup::restore_table_from_backup_input,
        )
        .expect("restore from backup");
        assert_eq!(i.overrides, b.overrides);
        assert_eq!(
            i.overrides.global_secondary_index_override,
            Some(Vec::new())
        );
        let e = read(
            body(json!({"BillingModeOverride": "FREE"})),
            restore_table_to_point_in_time_input,
        )
        .expect_err("enum");
        assert!(
            e.message().contains("billingModeOverride"),
            "{}",
            e.message()
        );
    }
}
