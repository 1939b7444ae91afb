//! Value shorthands for the DynamoDB layer's unit tests (the integration
//! tests have theirs in `engine/tests/common/`).

use std::fmt::Display;

use crate::dynamo::items::number::Number;
use crate::dynamo::items::value::AttributeValue;

/// `S`.
pub(crate) fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

/// `N` from anything that prints as a DynamoDB number (`5`, `"-1.5E3"`).
pub(crate) fn n(v: impl Display) -> AttributeValue {
    AttributeValue::N(number(v))
}

/// A [`Number`] from anything that prints as one.
pub(crate) fn number(v: impl Display) -> Number {
    let text = v.to_string();
    Number::parse(&text).unwrap_or_else(|e| panic!("test number {text:?}: {e}"))
}
