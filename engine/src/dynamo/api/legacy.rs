//! Shapes of the legacy (pre-expression) parameters old clients still send:
//! `Expected`, `AttributeUpdates`, `KeyConditions`, `QueryFilter`,
//! `ScanFilter`, `ConditionalOperator`.

use super::enums::wire_enum;
use crate::dynamo::items::value::AttributeValue;

wire_enum! {
    /// `ComparisonOperator` of a legacy condition.
    ComparisonOperator {
        /// Equal.
        #[default]
        Eq => "EQ",
        /// Not equal.
        Ne => "NE",
        /// One of a list.
        In => "IN",
        /// Less than or equal.
        Le => "LE",
        /// Less than.
        Lt => "LT",
        /// Greater than or equal.
        Ge => "GE",
        /// Greater than.
        Gt => "GT",
        /// Between two values, inclusive.
        Between => "BETWEEN",
        /// The attribute exists.
        NotNull => "NOT_NULL",
        /// The attribute does not exist.
        Null => "NULL",
        /// Substring, sub-bytes or set member.
        Contains => "CONTAINS",
        /// Not `CONTAINS`.
        NotContains => "NOT_CONTAINS",
        /// Prefix.
        BeginsWith => "BEGINS_WITH",
    }
}

wire_enum! {
    /// `ConditionalOperator`: how several legacy conditions combine.
    ConditionalOperator {
        /// All must hold (the default).
        #[default]
        And => "AND",
        /// Any must hold.
        Or => "OR",
    }
}

wire_enum! {
    /// `AttributeAction` of a legacy `AttributeUpdates` entry.
    AttributeAction {
        /// Replace the value (the default).
        #[default]
        Put => "PUT",
        /// Remove the attribute, or elements of a set.
        Delete => "DELETE",
        /// Add to a number or a set.
        Add => "ADD",
    }
}

/// One entry of legacy `Expected` (the `ExpectedAttributeValue` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExpectedAttributeValue {
    /// `Value`: with `Exists` (or alone), the attribute must equal it.
    pub value: Option<AttributeValue>,
    /// `Exists`.
    pub exists: Option<bool>,
    /// `ComparisonOperator`.
    pub comparison_operator: Option<ComparisonOperator>,
    /// `AttributeValueList`.
    pub attribute_value_list: Option<Vec<AttributeValue>>,
}

/// One entry of `KeyConditions`, `QueryFilter` or `ScanFilter` (the API's
/// `Condition` shape; renamed here so it cannot be confused with a parsed
/// condition expression).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LegacyCondition {
    /// `ComparisonOperator` (required).
    pub comparison_operator: ComparisonOperator,
    /// `AttributeValueList`.
    pub attribute_value_list: Option<Vec<AttributeValue>>,
}

/// One entry of legacy `AttributeUpdates` (the `AttributeValueUpdate` shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttributeValueUpdate {
    /// `Value`.
    pub value: Option<AttributeValue>,
    /// `Action` (default `PUT`).
    pub action: Option<AttributeAction>,
}
