//! Resource-based policy shapes: PutResourcePolicy, GetResourcePolicy,
//! DeleteResourcePolicy.

/// `PutResourcePolicy` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutResourcePolicyInput {
    /// The table's ARN.
    pub resource_arn: String,
    /// The policy document (JSON).
    pub policy: String,
    /// Replace only the policy with this revision (`NO_POLICY`: only when
    /// the table has none).
    pub expected_revision_id: Option<String>,
    /// `ConfirmRemoveSelfResourceAccess` (accepted; siltdb enforces no
    /// policy).
    pub confirm_remove_self_resource_access: Option<bool>,
}

/// `PutResourcePolicy` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutResourcePolicyOutput {
    /// The new policy's revision.
    pub revision_id: String,
}

/// `GetResourcePolicy` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetResourcePolicyInput {
    /// The table's ARN.
    pub resource_arn: String,
}

/// `GetResourcePolicy` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetResourcePolicyOutput {
    /// The policy document, as it was put.
    pub policy: String,
    /// Its revision.
    pub revision_id: String,
}

/// `DeleteResourcePolicy` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteResourcePolicyInput {
    /// The table's ARN.
    pub resource_arn: String,
    /// Delete only the policy with this revision.
    pub expected_revision_id: Option<String>,
}

/// `DeleteResourcePolicy` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteResourcePolicyOutput {
    /// The revision of the policy that was deleted.
    pub revision_id: String,
}
