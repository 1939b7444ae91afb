#![allow(missing_docs, unused_variables)]
use super::api::*;
use super::error::DynamoError;
use super::expr::*;
use std::collections::BTreeMap;
pub fn expected_to_condition(
    expected: &BTreeMap<String, ExpectedAttributeValue>,
    op: Option<ConditionalOperator>,
    values: &mut AttributeValues,
) -> Result<Option<Condition>, DynamoError> {
    Ok(None)
}
pub fn filter_to_condition(
    param: &str,
    filter: &BTreeMap<String, LegacyCondition>,
    op: Option<ConditionalOperator>,
    values: &mut AttributeValues,
) -> Result<Option<Condition>, DynamoError> {
    Ok(None)
}
pub fn key_conditions_to_key_condition(
    conds: &BTreeMap<String, LegacyCondition>,
    values: &mut AttributeValues,
) -> Result<KeyCondition, DynamoError> {
    Ok(KeyCondition(vec![]))
}
pub fn attribute_updates_to_update(
    updates: &BTreeMap<String, AttributeValueUpdate>,
    values: &mut AttributeValues,
) -> Result<UpdateExpr, DynamoError> {
    Ok(UpdateExpr::default())
}
pub fn attributes_to_get_to_projection(attrs: &[String]) -> Result<Vec<Path>, DynamoError> {
    Ok(vec![])
}
pub fn check_not_mixed(legacy: &[&str], expression: &[&str]) -> Result<(), DynamoError> {
    Ok(())
}
