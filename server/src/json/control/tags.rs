//! TagResource, UntagResource and ListTagsOfResource ↔ DynamoDB JSON, and
//! the `Tag` list CreateTable shares.
//!
//! DynamoDB checks tags with its own messages rather than the generic
//! constraint validator: a tag without `Key` is "The Tag Key provided is
//! invalid, Key: null", without `Value` "The Tag Value provided is invalid,
//! Value: null" (the ACK lab's recordings, 2026), and a request without
//! `ResourceArn` is "Invalid TableArn" before anything else is checked
//! (dynalite's recorded tests). Lengths, characters and counts are checked
//! by the engine (`siltdb::dynamo`, TagResource), with DynamoDB's messages.

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    ListTagsOfResourceInput, ListTagsOfResourceOutput, Tag, TagResourceInput, TagResourceOutput,
    UntagResourceInput, UntagResourceOutput,
};
use siltdb::dynamo::DynamoError;

use super::common::{put_opt, struct_list};
use super::decode::{DResult, Decoder, Struct};

fn tag(d: &mut Decoder, s: Struct<'_>) -> DResult<Tag> {
    let key = s.string("Key")?;
    let value = s.string("Value")?;
    if key.is_none() {
        d.defer(DynamoError::validation(
            "The Tag Key provided is invalid, Key: null",
        ));
    }
    if value.is_none() {
        d.defer(DynamoError::validation(
            "The Tag Value provided is invalid, Value: null",
        ));
    }
    Ok(Tag {
        key: key.unwrap_or_default(),
        value: value.unwrap_or_default(),
    })
}

/// The `Tags` member (TagResource, CreateTable), if present.
pub(crate) fn tags(d: &mut Decoder, s: &Struct<'_>) -> DResult<Option<Vec<Tag>>> {
    struct_list(d, s, "Tags", "Tag", tag)
}

/// The `ResourceArn` member: a missing one fails the request at once.
fn resource_arn(arn: Option<String>) -> DResult<String> {
    arn.ok_or_else(|| DynamoError::validation("Invalid TableArn"))
}

/// Reads a `TagResource` request.
pub(crate) fn tag_resource_input(d: &mut Decoder, s: Struct<'_>) -> DResult<TagResourceInput> {
    let arn = s.string("ResourceArn")?;
    let tags = tags(d, &s)?;
    let resource_arn = resource_arn(arn)?;
    if tags.is_none() {
        d.violation(None, &s.member_path("Tags"), "Member must not be null");
    }
    Ok(TagResourceInput {
        resource_arn,
        tags: tags.unwrap_or_default(),
    })
}

/// Reads an `UntagResource` request.
pub(crate) fn untag_resource_input(d: &mut Decoder, s: Struct<'_>) -> DResult<UntagResourceInput> {
    let arn = s.string("ResourceArn")?;
    let tag_keys = s.string_list(d, "TagKeys", None)?;
    let resource_arn = resource_arn(arn)?;
    if tag_keys.is_none() {
        d.violation(None, &s.member_path("TagKeys"), "Member must not be null");
    }
    Ok(UntagResourceInput {
        resource_arn,
        tag_keys: tag_keys.unwrap_or_default(),
    })
}

/// Reads a `ListTagsOfResource` request.
pub(crate) fn list_tags_of_resource_input(
    _d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<ListTagsOfResourceInput> {
    let arn = s.string("ResourceArn")?;
    let next_token = s.string("NextToken")?;
    Ok(ListTagsOfResourceInput {
        resource_arn: resource_arn(arn)?,
        next_token,
    })
}

/// A `TagResource` response: an empty object.
pub(crate) fn tag_resource_output(_o: &TagResourceOutput) -> Value {
    Value::Object(Map::new())
}

/// An `UntagResource` response: an empty object.
pub(crate) fn untag_resource_output(_o: &UntagResourceOutput) -> Value {
    Value::Object(Map::new())
}

/// A `Tag` list.
pub(crate) fn tags_json(tags: &[Tag]) -> Value {
    Value::Array(
        tags.iter()
            .map(|t| {
                let mut m = Map::new();
                m.insert("Key".into(), Value::String(t.key.clone()));
                m.insert("Value".into(), Value::String(t.value.clone()));
                Value::Object(m)
            })
            .collect(),
    )
}

/// A `ListTagsOfResource` response (`Tags` always present).
pub(crate) fn list_tags_of_resource_output(o: &ListTagsOfResourceOutput) -> Value {
    let mut m = Map::new();
    m.insert("Tags".into(), tags_json(&o.tags));
    put_opt(&mut m, "NextToken", o.next_token.clone().map(Value::String));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::json::decode::read_request as read;

    fn msg<T: std::fmt::Debug>(r: Result<T, DynamoError>) -> String {
        r.expect_err("invalid").message().to_string()
    }

    #[test]
    fn tag_resource_reads_tags() {
        let i = read(
            json!({"ResourceArn": "arn:x", "Tags": [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": ""}]}),
            tag_resource_input,
        )
        .expect("valid");
        assert_eq!(i.resource_arn, "arn:x");
        assert_eq!(
            i.tags,
            vec![
                Tag {
                    key: "a".into(),
                    value: "b".into()
                },
                Tag {
                    key: "c".into(),
                    value: String::new()
                }
            ]
        );
        assert_eq!(
            read(
                json!({"ResourceArn": "arn:x", "Tags": []}),
                tag_resource_input
            )
            .expect("empty list reaches the engine")
            .tags,
            vec![]
        );
    }

    #[test]
    fn tag_resource_errors_match_dynamodb() {
        assert_eq!(msg(read(json!({}), tag_resource_input)), "Invalid TableArn");
        assert_eq!(
            msg(read(json!({"ResourceArn": "a:b:c:d:e:f/g"}), tag_resource_input)),
            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            msg(read(
                json!({"ResourceArn": "arn:x", "Tags": [{}]}),
                tag_resource_input
            )),
            "The Tag Key provided is invalid, Key: null"
        );
        assert_eq!(
            msg(read(
                json!({"ResourceArn": "arn:x", "Tags": [{"Key": "k"}]}),
                tag_resource_input
            )),
            "The Tag Value provided is invalid, Value: null"
        );
        assert_eq!(
            msg(read(json!({"ResourceArn": 5}), tag_resource_input)),
            "NUMBER_VALUE cannot be converted to String"
        );
        assert_eq!(
            msg(read(
                json!({"ResourceArn": "arn:x", "Tags": {}}),
                tag_resource_input
            )),
            "Start of structure or map found where not expected"
        );
        assert_eq!(
            msg(read(
                json!({"ResourceArn": "arn:x", "Tags": [{"Key": true, "Value": "v"}]}),
                tag_resource_input
            )),
            "TRUE_VALUE cannot be converted to String"
        );
    }

    #[test]
    fn untag_and_list_requests() {
        let u = read(
            json!({"ResourceArn": "arn:x", "TagKeys": ["a", "b"]}),
            untag_resource_input,
        )
        .expect("valid");
        assert_eq!(u.tag_keys, vec!["a", "b"]);
        assert_eq!(
            msg(read(json!({"TagKeys": []}), untag_resource_input)),
            "Invalid TableArn"
        );
        assert_eq!(
            msg(read(json!({"ResourceArn": "arn:x"}), untag_resource_input)),
            "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"
        );
        let l = read(
            json!({"ResourceArn": "arn:x", "NextToken": "t"}),
            list_tags_of_resource_input,
        )
        .expect("valid");
        assert_eq!(l.next_token.as_deref(), Some("t"));
        assert_eq!(
            msg(read(json!({}), list_tags_of_resource_input)),
            "Invalid TableArn"
        );
    }

    #[test]
    fn outputs() {
        assert_eq!(tag_resource_output(&TagResourceOutput {}), json!({}));
        assert_eq!(untag_resource_output(&UntagResourceOutput {}), json!({}));
        assert_eq!(
            list_tags_of_resource_output(&ListTagsOfResourceOutput::default()),
            json!({"Tags": []})
        );
        assert_eq!(
            list_tags_of_resource_output(&ListTagsOfResourceOutput {
                tags: vec![Tag {
                    key: "k".into(),
                    value: "v".into()
                }],
                next_token: None,
            }),
            json!({"Tags": [{"Key": "k", "Value": "v"}]})
        );
    }
}
