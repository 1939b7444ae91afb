//! Tagging shapes: TagResource, UntagResource, ListTagsOfResource, and the
//! `Tag` CreateTable also takes.

/// One tag (the `Tag` shape): a key of 1–128 characters and a value of
/// 0–256, each of letters, numbers, spaces and `_ . : / = + - @`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag {
    /// The key; unique per resource, not starting with `aws:`.
    pub key: String,
    /// The value (may be empty).
    pub value: String,
}

/// `TagResource` request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagResourceInput {
    /// The table's ARN.
    pub resource_arn: String,
    /// Tags to add or overwrite (at least one).
    pub tags: Vec<Tag>,
}

/// `TagResource` response (DynamoDB's is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagResourceOutput {}

/// `UntagResource` request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UntagResourceInput {
    /// The table's ARN.
    pub resource_arn: String,
    /// Keys to remove (at least one); absent keys are ignored.
    pub tag_keys: Vec<String>,
}

/// `UntagResource` response (DynamoDB's is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UntagResourceOutput {}

/// `ListTagsOfResource` request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListTagsOfResourceInput {
    /// The table's ARN.
    pub resource_arn: String,
    /// A token from a previous page. siltdb returns every tag (at most 50)
    /// in one page, so it never hands one out and ignores one given.
    pub next_token: Option<String>,
}

/// `ListTagsOfResource` response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListTagsOfResourceOutput {
    /// The tags, in key order.
    pub tags: Vec<Tag>,
    /// Never set (see [`ListTagsOfResourceInput::next_token`]).
    pub next_token: Option<String>,
}
