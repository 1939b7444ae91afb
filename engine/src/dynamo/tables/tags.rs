//! Tags: TagResource, UntagResource, ListTagsOfResource, and the `Tags` of
//! CreateTable.
//!
//! A table's tags live in its catalog record (`format-spec/items.md`,
//! "Catalog records", attribute `Tags`), so they change atomically with it,
//! survive a restart and vanish with the table. Changes are serialised by
//! the control-plane lock.
//!
//! Rules and messages are DynamoDB's as recorded against the service
//! (dynalite's `validations/tagResource.js`, `untagResource.js`,
//! `listTagsOfResource.js` and their tests; the ACK controller lab's DynamoDB
//! findings DDB-TABLE-105…109, 368, 372 and its ValidationException
//! catalogue, 2026; ScyllaDB Alternator's `test_tag.py`):
//!
//! - at most 50 tags per table, checked on the set after the change;
//! - a key is 1–128 Unicode characters, a value 0–256, both made of
//!   letters, numbers, white space (not control characters) and
//!   `_ . : / = + - @` ("The Tag Key provided is invalid, Key: k",
//!   "The Tag Value provided is invalid, Value: v");
//! - keys starting with `aws:` (any case) are reserved, also for
//!   UntagResource ("Tag Key cannot be prefixed with aws:, Key: aws:k");
//! - a key given twice in one request: "Duplicate Tag Keys provided as
//!   input: Duplicate Tag Key found k";
//! - keys and values are not trimmed or case-folded;
//! - TagResource and UntagResource need at least one tag or key
//!   ("Atleast one Tag needs to be provided as Input." — sic); CreateTable
//!   accepts an empty list;
//! - the keys and values together are at most 10240 bytes ("Tag set size N
//!   bytes is above max size limit of 10240 bytes"; siltdb counts the UTF-8
//!   bytes of every key and value after the change — how DynamoDB counts is
//!   not recorded);
//! - a request is applied whole or not at all.
//!
//! siltdb has no IAM, so where DynamoDB answers a malformed ARN with
//! `AccessDeniedException` (an ARN that does not look like one at all) this
//! module answers `ValidationException` with the message DynamoDB uses for
//! the nearest case.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::dynamo::api::{
    ListTagsOfResourceInput, ListTagsOfResourceOutput, Tag, TagResourceInput, TagResourceOutput,
    UntagResourceInput, UntagResourceOutput,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::INVALID_PARAMETER;
use crate::dynamo::tables::catalog;
use crate::dynamo::tables::control::check_table_name;
use crate::dynamo::tables::table::Table;
use crate::WriteBatch;

/// Most tags a table carries.
pub const MAX_TAGS: usize = 50;
/// Longest tag key, in Unicode characters.
pub const MAX_KEY_CHARS: usize = 128;
/// Longest tag value, in Unicode characters.
pub const MAX_VALUE_CHARS: usize = 256;
/// Largest total of a table's tag keys and values, in UTF-8 bytes.
pub const MAX_TAG_SET_BYTES: usize = 10240;

/// The prefix reserved for AWS's own tags.
const RESERVED_PREFIX: &str = "aws:";

fn too_many_tags() -> DynamoError {
    DynamoError::validation("Number of Tags exceed the current limit for the provided ResourceArn")
}

/// A character DynamoDB allows in a tag key or value: the AWS tag pattern
/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
fn allowed_char(c: char) -> bool {
    c.is_alphabetic()
        || c.is_numeric()
        || (c.is_whitespace() && !c.is_control())
        || "_.:/=+-@".contains(c)
}

fn valid_text(s: &str, min: usize, max: usize) -> bool {
    let chars = s.chars().count();
    (min..=max).contains(&chars) && s.chars().all(allowed_char)
}

/// Checks a tag key (TagResource, UntagResource, CreateTable).
fn check_key(key: &str) -> Result<(), DynamoError> {
    if !valid_text(key, 1, MAX_KEY_CHARS) {
        return Err(DynamoError::validation(format!(
            "The Tag Key provided is invalid, Key: {key}"
        )));
    }
    let reserved = key
        .get(..RESERVED_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(RESERVED_PREFIX));
    if reserved {
        return Err(DynamoError::validation(format!(
            "Tag Key cannot be prefixed with aws:, Key: {key}"
        )));
    }
    Ok(())
}

/// Checks the tags of one request: each key and value, then duplicates.
fn check_tags(tags: &[Tag]) -> Result<(), DynamoError> {
    let mut seen = BTreeSet::new();
    for tag in tags {
        check_key(&tag.key)?;
        if !valid_text(&tag.value, 0, MAX_VALUE_CHARS) {
            return Err(DynamoError::validation(format!(
                "The Tag Value provided is invalid, Value: {}",
                tag.value
            )));
        }
        if !seen.insert(tag.key.as_str()) {
            return Err(DynamoError::validation(format!(
                "Duplicate Tag Keys provided as input: Duplicate Tag Key found {}",
                tag.key
            )));
        }
    }
    if seen.len() > MAX_TAGS {
        return Err(too_many_tags());
    }
    Ok(())
}

/// Checks a table's whole tag set after a change.
fn check_tag_set(tags: &BTreeMap<String, String>) -> Result<(), DynamoError> {
    if tags.len() > MAX_TAGS {
        return Err(too_many_tags());
    }
    let bytes: usize = tags.iter().map(|(k, v)| k.len() + v.len()).sum();
    if bytes > MAX_TAG_SET_BYTES {
        return Err(DynamoError::validation(format!(
            "Tag set size {bytes} bytes is above max size limit of {MAX_TAG_SET_BYTES} bytes"
        )));
    }
    Ok(())
}

/// The tags a new table starts with: CreateTable's `Tags` (absent or empty:
/// none), checked as TagResource checks them.
pub(crate) fn initial_tags(tags: Option<&[Tag]>) -> Result<BTreeMap<String, String>, DynamoError> {
    let tags = tags.unwrap_or_default();
    check_tags(tags)?;
    let set = tags
        .iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect();
    check_tag_set(&set)?;
    Ok(set)
}

/// The table name a `ResourceArn` names, if it is a table ARN of this
/// database (region `region`, account `account`).
///
/// Messages: "Invalid TableArn" (no ARN; dynalite, recorded), "Invalid
/// TableArn: Invalid ResourceArn provided as input {arn}" (another region or
/// account, a bad table name; dynalite and the ACK catalogue), "One or more
/// parameter values were invalid: ARNs must start with 'arn:': {arn}",
/// "... Provided Arn is not a DynamoDB resource arn: {arn}" (other services,
/// backups) and "... Invalid resource arn provided, only table or stream is
/// accepted. Provided resource arn: {arn}" (index ARNs; ACK catalogue). A
/// stream ARN is refused as not found: siltdb has no streams to tag yet.
pub fn table_name_of_arn<'a>(
    arn: &'a str,
    region: &str,
    account: &str,
) -> Result<&'a str, DynamoError> {
    if arn.is_empty() {
        return Err(DynamoError::validation("Invalid TableArn"));
    }
    if !arn.starts_with("arn:") {
        return Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}ARNs must start with 'arn:': {arn}"
        )));
    }
    let invalid = || {
        DynamoError::validation(format!(
            "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
        ))
    };
    let not_dynamodb = || {
        DynamoError::validation(format!(
            "{INVALID_PARAMETER}Provided Arn is not a DynamoDB resource arn: {arn}"
        ))
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, arn_region, arn_account, resource] = parts.as_slice() else {
        return Err(invalid());
    };
    if *service != "dynamodb" {
        return Err(not_dynamodb());
    }
    let Some(rest) = resource.strip_prefix("table/") else {
        return Err(not_dynamodb());
    };
    let mut segments = rest.splitn(2, '/');
    let name = segments.next().unwrap_or_default();
    match segments.next() {
        None => {}
        Some(sub) if sub.starts_with("index/") => {
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}"
            )));
        }
        Some(sub) if sub.starts_with("stream/") => return Err(resource_not_found(arn)),
        Some(_) => return Err(not_dynamodb()),
    }
    if *partition != "aws"
        || *arn_region != region
        || *arn_account != account
        || check_table_name(name).is_err()
    {
        return Err(invalid());
    }
    Ok(name)
}

/// "Requested resource not found: ResourceArn: {arn} not found" (the ACK
/// lab's 2026 recording; dynalite recorded an older spelling, "ResourcArn").
fn resource_not_found(arn: &str) -> DynamoError {
    DynamoError::ResourceNotFoundException(format!(
        "Requested resource not found: ResourceArn: {arn} not found"
    ))
}

impl DynamoDb {
    /// The live table a checked `ResourceArn` names.
    fn tagged_table(&self, arn: &str, name: &str) -> Result<Arc<Table>, DynamoError> {
        self.tables_read()
            .get(name)
            .cloned()
            .ok_or_else(|| resource_not_found(arn))
    }

    /// Replaces table `table`'s tags with `tags` in its catalog record.
    /// REQUIRES: the control lock is held.
    fn store_tags(&self, table: &Table, tags: BTreeMap<String, String>) -> Result<(), DynamoError> {
        let mut meta = (*table.meta()).clone();
        if meta.tags == tags {
            return Ok(());
        }
        meta.tags = tags;
        let mut batch = WriteBatch::new();
        catalog::update(&mut batch, &meta);
        self.commit_control(batch)?;
        table.set_meta(meta);
        Ok(())
    }

    /// `TagResource`: adds tags to a table, overwriting the values of keys
    /// it already has.
    pub fn tag_resource(&self, input: TagResourceInput) -> Result<TagResourceOutput, DynamoError> {
        let name = table_name_of_arn(
            &input.resource_arn,
            self.region(),
            &self.inner.opts.account_id,
        )?;
        if input.tags.is_empty() {
            return Err(DynamoError::validation(
                "Atleast one Tag needs to be provided as Input.",
            ));
        }
        check_tags(&input.tags)?;
        let _control = self.control_lock();
        let table = self.tagged_table(&input.resource_arn, name)?;
        let mut tags = table.meta().tags.clone();
        for tag in input.tags {
            tags.insert(tag.key, tag.value);
        }
        check_tag_set(&tags)?;
        self.store_tags(&table, tags)?;
        Ok(TagResourceOutput {})
    }

    /// `UntagResource`: removes tags from a table (absent keys are ignored).
    pub fn untag_resource(
        &self,
        input: UntagResourceInput,
    ) -> Result<UntagResourceOutput, DynamoError> {
        let name = table_name_of_arn(
            &input.resource_arn,
            self.region(),
            &self.inner.opts.account_id,
        )?;
        if input.tag_keys.is_empty() {
            return Err(DynamoError::validation(
                "Atleast one Tag Key needs to be provided as Input.",
            ));
        }
        for key in &input.tag_keys {
            check_key(key)?;
        }
        if input.tag_keys.len() > MAX_TAGS {
            return Err(too_many_tags());
        }
        let _control = self.control_lock();
        let table = self.tagged_table(&input.resource_arn, name)?;
        let mut tags = table.meta().tags.clone();
        for key in &input.tag_keys {
            tags.remove(key);
        }
        self.store_tags(&table, tags)?;
        Ok(UntagResourceOutput {})
    }

    /// `ListTagsOfResource`: every tag of a table, in key order, in one page.
    pub fn list_tags_of_resource(
        &self,
        input: ListTagsOfResourceInput,
    ) -> Result<ListTagsOfResourceOutput, DynamoError> {
        let name = table_name_of_arn(
            &input.resource_arn,
            self.region(),
            &self.inner.opts.account_id,
        )?;
        let table = self.tagged_table(&input.resource_arn, name)?;
        let tags = table
            .meta()
            .tags
            .iter()
            .map(|(key, value)| Tag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect();
        Ok(ListTagsOfResourceOutput {
            tags,
            next_token: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: &str = "ddblocal";
    const A: &str = "000000000000";

    fn tag(k: &str, v: &str) -> Tag {
        Tag {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn table_arns_parse_and_others_are_refused_with_dynamodbs_messages() {
        assert_eq!(
            table_name_of_arn("arn:aws:dynamodb:ddblocal:000000000000:table/Music", R, A),
            Ok("Music")
        );
        let msg = |arn: &str| {
            table_name_of_arn(arn, R, A)
                .expect_err("refused")
                .message()
                .to_string()
        };
        assert_eq!(msg(""), "Invalid TableArn");
        assert_eq!(
            msg("abcd"),
            "One or more parameter values were invalid: ARNs must start with 'arn:': abcd"
        );
        for arn in [
            "arn:aws:dynamodb:us-east-1:000000000000:table/Music",
            "arn:aws:dynamodb:ddblocal:111111111111:table/Music",
            "arn:aws-cn:dynamodb:ddblocal:000000000000:table/Music",
            "arn:aws:dynamodb:ddblocal:000000000000:table/ab",
            "arn:aws:dynamodb:ddblocal:000000000000:table/a;b",
            "arn:aws:dynamodb:ddblocal:000000000000:table/",
            "arn:not/a/good/format",
        ] {
            assert_eq!(
                msg(arn),
                format!("Invalid TableArn: Invalid ResourceArn provided as input {arn}")
            );
        }
        for arn in [
            "arn:aws:s3:::bucket",
            "arn:aws:dynamodb:ddblocal:000000000000:global-table/Music",
            "arn:aws:dynamodb:ddblocal:000000000000:table/Music/backup/01234",
        ] {
            assert_eq!(
                msg(arn),
                format!(
                    "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: {arn}"
                )
            );
        }
        let index = "arn:aws:dynamodb:ddblocal:000000000000:table/Music/index/byYear";
        assert_eq!(
            msg(index),
            format!("One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {index}")
        );
        let stream =
            "arn:aws:dynamodb:ddblocal:000000000000:table/Music/stream/2024-01-01T00:00:00.000";
        assert_eq!(
            table_name_of_arn(stream, R, A)
                .expect_err("no streams")
                .name(),
            "ResourceNotFoundException"
        );
    }

    #[test]
    fn keys_and_values_follow_the_aws_tag_pattern() {
        for ok in [
            "a",
            " ",
            "sp ace",
            "a+b-c=d.e_f:g/h@i",
            "ключ",
            "café",
            "表",
            "\u{a0}x\u{3000}",
            "myaws:foo",
            "７",
        ] {
            assert!(check_tags(&[tag(ok, ok)]).is_ok(), "{ok:?}");
        }
        for bad in [
            "🔑", "100%", "a,b", "it's", "\"q\"", "(x)", "a&b", "a*b", "a;b", "a?b", "a|b", "a\\b",
            "<a>", "~a", "bad#char", "tab\t", "nl\n",
        ] {
            assert_eq!(
                check_tags(&[tag(bad, "v")]).expect_err("key").message(),
                format!("The Tag Key provided is invalid, Key: {bad}")
            );
            assert_eq!(
                check_tags(&[tag("k", bad)]).expect_err("value").message(),
                format!("The Tag Value provided is invalid, Value: {bad}")
            );
        }
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        assert!(check_tags(&[tag(&"x".repeat(128), &"y".repeat(256))]).is_ok());
        assert!(check_tags(&[tag(&"א".repeat(128), &"א".repeat(256))]).is_ok());
        assert!(check_tags(&[tag(&"x".repeat(129), "")]).is_err());
        assert!(check_tags(&[tag("k", &"y".repeat(257))]).is_err());
        assert_eq!(
            check_tags(&[tag("", "v")]).expect_err("empty").message(),
            "The Tag Key provided is invalid, Key: "
        );
        assert!(check_tags(&[tag("k", "")]).is_ok());
    }

    #[test]
    fn reserved_prefix_duplicates_and_count() {
        for key in ["aws:foo", "AWS:foo", "Aws:"] {
            assert_eq!(
                check_tags(&[tag(key, "v")])
                    .expect_err("reserved")
                    .message(),
                format!("Tag Key cannot be prefixed with aws:, Key: {key}")
            );
        }
        assert_eq!(
            check_tags(&[tag("dup", "1"), tag("x", "2"), tag("dup", "3")])
                .expect_err("duplicate")
                .message(),
            "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"
        );
        let fifty: Vec<Tag> = (0..50).map(|i| tag(&format!("k{i}"), "v")).collect();
        assert!(check_tags(&fifty).is_ok());
        let mut fifty_one = fifty.clone();
        fifty_one.push(tag("k50", "v"));
        assert_eq!(
            check_tags(&fifty_one).expect_err("51").message(),
            "Number of Tags exceed the current limit for the provided ResourceArn"
        );
        assert_eq!(initial_tags(None), Ok(BTreeMap::new()));
        assert_eq!(initial_tags(Some(&[])), Ok(BTreeMap::new()));
    }

    #[test]
    fn the_tag_set_is_at_most_10240_bytes() {
        // 40 tags of 128 + 128 bytes = 10240: at the limit.
        let at_limit: Vec<Tag> = (0..40)
            .map(|i| tag(&format!("{i:0>128}"), &"v".repeat(128)))
            .collect();
        assert!(initial_tags(Some(&at_limit)).is_ok());
        let mut over = at_limit;
        over.push(tag("k", ""));
        assert_eq!(
            initial_tags(Some(&over)).expect_err("over").message(),
            "Tag set size 10241 bytes is above max size limit of 10240 bytes"
        );
    }
}
