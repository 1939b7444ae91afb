//! PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy ↔
//! DynamoDB JSON. Constraints are the API model's (`ResourceArnString`
//! 1–1283 characters, `PolicyRevisionId` 1–255); the document itself is
//! checked by the engine.

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    DeleteResourcePolicyInput, DeleteResourcePolicyOutput, GetResourcePolicyInput,
    GetResourcePolicyOutput, PutResourcePolicyInput, PutResourcePolicyOutput,
};

use super::decode::{DResult, Decoder, Struct};

/// The required `ResourceArn`.
fn resource_arn(d: &mut Decoder, s: &Struct<'_>) -> DResult<String> {
    let arn = s.required_string(d, "ResourceArn")?;
    if s.get("ResourceArn").is_some() {
        let path = s.member_path("ResourceArn");
        d.check_length(&arn, &path, arn.chars().count(), Some(1), Some(1283));
    }
    Ok(arn)
}

/// The optional `ExpectedRevisionId`.
fn expected_revision_id(d: &mut Decoder, s: &Struct<'_>) -> DResult<Option<String>> {
    let id = s.string("ExpectedRevisionId")?;
    if let Some(id) = &id {
        let path = s.member_path("ExpectedRevisionId");
        d.check_length(id, &path, id.chars().count(), Some(1), Some(255));
    }
    Ok(id)
}

fn revision_json(revision_id: &str) -> Value {
    let mut m = Map::new();
    m.insert("RevisionId".into(), Value::String(revision_id.to_string()));
    Value::Object(m)
}

/// Reads a `PutResourcePolicy` request.
pub(crate) fn put_resource_policy_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<PutResourcePolicyInput> {
    Ok(PutResourcePolicyInput {
        resource_arn: resource_arn(d, &s)?,
        policy: s.required_string(d, "Policy")?,
        expected_revision_id: expected_revision_id(d, &s)?,
        confirm_remove_self_resource_access: s.bool("ConfirmRemoveSelfResourceAccess")?,
    })
}

/// Reads a `GetResourcePolicy` request.
pub(crate) fn get_resource_policy_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<GetResourcePolicyInput> {
    Ok(GetResourcePolicyInput {
        resource_arn: resource_arn(d, &s)?,
    })
}

/// Reads a `DeleteResourcePolicy` request.
pub(crate) fn delete_resource_policy_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<DeleteResourcePolicyInput> {
    Ok(DeleteResourcePolicyInput {
        resource_arn: resource_arn(d, &s)?,
        expected_revision_id: expected_revision_id(d, &s)?,
    })
}

/// A `PutResourcePolicy` response.
pub(crate) fn put_resource_policy_output(o: &PutResourcePolicyOutput) -> Value {
    revision_json(&o.revision_id)
}

/// A `GetResourcePolicy` response.
pub(crate) fn get_resource_policy_output(o: &GetResourcePolicyOutput) -> Value {
    let mut m = Map::new();
    m.insert("Policy".into(), Value::String(o.policy.clone()));
    m.insert("RevisionId".into(), Value::String(o.revision_id.clone()));
    Value::Object(m)
}

/// A `DeleteResourcePolicy` response.
pub(crate) fn delete_resource_policy_output(o: &DeleteResourcePolicyOutput) -> Value {
    revision_json(&o.revision_id)
}
