//! UpdateTimeToLive and DescribeTimeToLive ↔ DynamoDB JSON.
//!
//! Constraint messages as dynalite's `updateTimeToLive` tests recorded them
//! from the service ("Value null at 'timeToLiveSpecification.enabled' ..."),
//! with the model's lengths for `AttributeName` (1–255) in the generic form
//! the service uses today (the ACK lab's catalogue, 2026).

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    DescribeTimeToLiveInput, DescribeTimeToLiveOutput, TimeToLiveSpecification,
    UpdateTimeToLiveInput, UpdateTimeToLiveOutput,
};

use super::common::put_opt;
use super::decode::{expect_struct, DResult, Decoder, Position, Struct};

/// Reads the `TimeToLiveSpecification` member (required).
fn specification(d: &mut Decoder, s: &Struct<'_>) -> DResult<TimeToLiveSpecification> {
    let path = s.member_path("TimeToLiveSpecification");
    let Some(v) = s.get("TimeToLiveSpecification") else {
        d.violation(None, &path, "Member must not be null");
        return Ok(TimeToLiveSpecification::default());
    };
    let m = expect_struct(v, Position::Field, "TimeToLiveSpecification")?;
    let spec = Struct::nested(m, &path);
    let enabled = spec.bool("Enabled")?;
    let attribute_name = spec.string("AttributeName")?;
    if enabled.is_none() {
        d.violation(
            None,
            &spec.member_path("Enabled"),
            "Member must not be null",
        );
    }
    match &attribute_name {
        None => d.violation(
            None,
            &spec.member_path("AttributeName"),
            "Member must not be null",
        ),
        Some(name) => d.check_length(
            name,
            &spec.member_path("AttributeName"),
            name.chars().count(),
            Some(1),
            Some(255),
        ),
    }
    Ok(TimeToLiveSpecification {
        enabled: enabled.unwrap_or_default(),
        attribute_name: attribute_name.unwrap_or_default(),
    })
}

/// Reads an `UpdateTimeToLive` request.
pub(crate) fn update_time_to_live_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<UpdateTimeToLiveInput> {
    let table_name = s.table_name(d)?;
    let time_to_live_specification = specification(d, &s)?;
    Ok(UpdateTimeToLiveInput {
        table_name,
        time_to_live_specification,
    })
}

/// Reads a `DescribeTimeToLive` request.
pub(crate) fn describe_time_to_live_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<DescribeTimeToLiveInput> {
    Ok(DescribeTimeToLiveInput {
        table_name: s.table_name(d)?,
    })
}

/// An `UpdateTimeToLive` response: the specification.
pub(crate) fn update_time_to_live_output(o: &UpdateTimeToLiveOutput) -> Value {
    let spec = &o.time_to_live_specification;
    let mut m = Map::new();
    m.insert("Enabled".into(), Value::Bool(spec.enabled));
    m.insert(
        "AttributeName".into(),
        Value::String(spec.attribute_name.clone()),
    );
    let mut out = Map::new();
    out.insert("TimeToLiveSpecification".into(), Value::Object(m));
    Value::Object(out)
}

/// A `DescribeTimeToLive` response.
pub(crate) fn describe_time_to_live_output(o: &DescribeTimeToLiveOutput) -> Value {
    let desc = &o.time_to_live_description;
    let mut m = Map::new();
    m.insert(
        "TimeToLiveStatus".into(),
        Value::String(desc.time_to_live_status.as_str().to_string()),
    );
    put_opt(
        &mut m,
        "AttributeName",
        desc.attribute_name.clone().map(Value::String),
    );
    let mut out = Map::new();
    out.insert("TimeToLiveDescription".into(), Value::Object(m));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use siltdb::dynamo::api::{TimeToLiveDescription, TimeToLiveStatus};

    use crate::json::decode::read_request as read;

    #[test]
    fn update_reads_the_specification() {
        let i = read(
            json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
            update_time_to_live_input,
        )
        .expect("valid");
        assert_eq!(i.table_name, "tbl");
        assert_eq!(
            i.time_to_live_specification,
            TimeToLiveSpecification {
                enabled: true,
                attribute_name: "exp".into()
            }
        );
    }

    #[test]
    fn update_constraints_match_dynamodb() {
        let msg = |body: Value| {
            read(body, update_time_to_live_input)
                .expect_err("invalid")
                .message()
                .to_string()
        };
        assert_eq!(
            msg(json!({})),
            "2 validation errors detected: \
             Value null at 'tableName' failed to satisfy constraint: Member must not be null; \
             Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            msg(json!({"TableName": "abc", "TimeToLiveSpecification": {}})),
            "2 validation errors detected: \
             Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null; \
             Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            msg(json!({"TableName": "abc", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": ""}})),
            "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        assert_eq!(
            msg(
                json!({"TableName": "abc", "TimeToLiveSpecification": {"Enabled": "yes", "AttributeName": "a"}})
            ),
            "Unexpected token received from parser"
        );
        assert_eq!(
            msg(json!({"TableName": "abc", "TimeToLiveSpecification": []})),
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.TimeToLiveSpecification"
        );
        assert_eq!(
            read(json!({"TableName": "T"}), describe_time_to_live_input)
                .expect("valid")
                .table_name,
            "T"
        );
    }

    #[test]
    fn outputs() {
        assert_eq!(
            update_time_to_live_output(&UpdateTimeToLiveOutput {
                time_to_live_specification: TimeToLiveSpecification {
                    enabled: true,
                    attribute_name: "a".into()
                }
            }),
            json!({"TimeToLiveSpecification": {"AttributeName": "a", "Enabled": true}})
        );
        assert_eq!(
            describe_time_to_live_output(&DescribeTimeToLiveOutput {
                time_to_live_description: TimeToLiveDescription {
                    time_to_live_status: TimeToLiveStatus::Enabled,
                    attribute_name: Some("a".into())
                }
            }),
            json!({"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "a"}})
        );
        assert_eq!(
            describe_time_to_live_output(&DescribeTimeToLiveOutput::default()),
            json!({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}})
        );
    }
}
