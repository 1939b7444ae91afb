//! Validation of attribute values and items against DynamoDB's rules.
//!
//! Pure functions over values: the table layer calls them on every write,
//! tests drive them directly. Numbers are valid by construction
//! ([`crate::dynamo::Number`] cannot hold an out-of-range value) and sets
//! cannot hold duplicates (`BTreeSet`); what is left to check here is empty
//! sets, nesting depth and item size.

use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::{item_size, AttributeValue, Item, INVALID_PARAMETER};

/// Deepest allowed nesting of lists and maps (Developer Guide, `Limits`,
/// "Nested Attribute Depth": "DynamoDB supports nested attributes up to 32
/// levels deep").
pub const MAX_NESTING_DEPTH: usize = 32;

/// Largest item, in bytes by [`item_size`]: 400 KB = 409,600 bytes
/// (Developer Guide, `Limits`, "Item Size": "The maximum item size in
/// DynamoDB is 400 KB, which includes both attribute name binary length
/// (UTF-8 length) and attribute value lengths").
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// Longest attribute name, in bytes of UTF-8, at any depth: 65,535
/// (Developer Guide, "Naming rules": "at least one character long and less
/// than 64 KB"; the service answers a 65,536-byte name, top-level or a map
/// key, with the message below, as measured in ExtendDB issue #365).
pub const MAX_ATTRIBUTE_NAME_BYTES: usize = 65_535;

/// A name over [`MAX_ATTRIBUTE_NAME_BYTES`]: DynamoDB's message.
fn check_name(name: &str) -> Result<(), DynamoError> {
    if name.len() > MAX_ATTRIBUTE_NAME_BYTES {
        return Err(DynamoError::validation(
            "1 validation error detected: Attribute name is too large, must be less than 65536 bytes",
        ));
    }
    Ok(())
}

/// Checks one attribute value (recursively).
///
/// - Empty sets: DynamoDB's messages as in
///   [`AttributeValue::string_set`] and friends.
/// - Nesting: a list or map at the top of an attribute is level 1, a list
///   or map inside it level 2, and so on; level 33 fails with "Nesting
///   Levels have exceeded supported limits" — the message the API reference
///   lists for UpdateItem's ValidationException. Whether DynamoDB counts the
///   top-level document as level 1 or 0 is not documented; we take 1.
/// - Map keys: at most [`MAX_ATTRIBUTE_NAME_BYTES`].
pub fn validate_value(value: &AttributeValue) -> Result<(), DynamoError> {
    validate_at(value, 0)
}

fn validate_at(value: &AttributeValue, depth: usize) -> Result<(), DynamoError> {
    match value {
        AttributeValue::Ss(s) if s.is_empty() => Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}An string set  may not be empty"
        ))),
        AttributeValue::Ns(s) if s.is_empty() => Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}An number set  may not be empty"
        ))),
        AttributeValue::Bs(s) if s.is_empty() => Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}Binary sets should not be empty"
        ))),
        AttributeValue::M(_) | AttributeValue::L(_) if depth + 1 > MAX_NESTING_DEPTH => Err(
            DynamoError::validation("Nesting Levels have exceeded supported limits"),
        ),
        AttributeValue::M(m) => m.iter().try_for_each(|(k, v)| {
            check_name(k)?;
            validate_at(v, depth + 1)
        }),
        AttributeValue::L(l) => l.iter().try_for_each(|v| validate_at(v, depth + 1)),
        _ => Ok(()),
    }
}

/// Checks every name and value of an item, then its size against
/// [`MAX_ITEM_SIZE`] ("Item size has exceeded the maximum allowed size",
/// dynalite's tests).
pub fn validate_item(item: &Item) -> Result<(), DynamoError> {
    item.iter().try_for_each(|(k, v)| {
        check_name(k)?;
        validate_value(v)
    })?;
    if item_size(item) > MAX_ITEM_SIZE {
        return Err(DynamoError::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn nested(levels: usize) -> AttributeValue {
        let mut v = AttributeValue::S("leaf".into());
        for i in 0..levels {
            v = if i % 2 == 0 {
                AttributeValue::L(vec![v])
            } else {
                AttributeValue::M([("k".to_string(), v)].into())
            };
        }
        v
    }

    #[test]
    fn nesting_limit_is_32() {
        assert_eq!(validate_value(&nested(32)), Ok(()));
        assert_eq!(
            validate_value(&nested(33)).map_err(|e| e.to_string()),
            Err("ValidationException: Nesting Levels have exceeded supported limits".into())
        );
    }

    #[test]
    fn empty_sets_rejected_even_nested() {
        let empty = AttributeValue::Ns(BTreeSet::new());
        assert!(validate_value(&empty).is_err());
        let inside = AttributeValue::L(vec![AttributeValue::M(
            [("s".to_string(), AttributeValue::Ss(BTreeSet::new()))].into(),
        )]);
        assert_eq!(
            validate_value(&inside).map_err(|e| e.message().to_string()),
            Err(
                "One or more parameter values were invalid: An string set  may not be empty".into()
            )
        );
        assert!(validate_value(&AttributeValue::L(vec![])).is_ok());
        assert!(validate_value(&AttributeValue::M(BTreeMap::new())).is_ok());
        assert!(validate_value(&AttributeValue::S(String::new())).is_ok());
    }

    #[test]
    fn attribute_names_are_under_64_kb() {
        let long = "n".repeat(MAX_ATTRIBUTE_NAME_BYTES + 1);
        let ok = "n".repeat(MAX_ATTRIBUTE_NAME_BYTES);
        let message = Err(
            "1 validation error detected: Attribute name is too large, must be less than 65536 bytes"
                .to_string(),
        );
        let item: Item = [(long.clone(), AttributeValue::Null)].into();
        assert_eq!(
            validate_item(&item).map_err(|e| e.message().to_string()),
            message
        );
        let nested = AttributeValue::M([(long, AttributeValue::Null)].into());
        assert_eq!(
            validate_value(&nested).map_err(|e| e.message().to_string()),
            message
        );
        let item: Item = [(ok, AttributeValue::Null)].into();
        assert_eq!(validate_item(&item), Ok(()));
    }

    #[test]
    fn item_size_limit_is_400_kb() {
        // name "a" (1 byte) + string: exactly 400 KB passes, one more fails.
        let mut item: Item = [(
            "a".to_string(),
            AttributeValue::S("x".repeat(MAX_ITEM_SIZE - 1)),
        )]
        .into();
        assert_eq!(validate_item(&item), Ok(()));
        item.insert("b".into(), AttributeValue::Null);
        assert_eq!(
            validate_item(&item).map_err(|e| e.to_string()),
            Err("ValidationException: Item size has exceeded the maximum allowed size".into())
        );
    }
}
