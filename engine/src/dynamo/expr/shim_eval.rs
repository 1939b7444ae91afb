#![allow(missing_docs, unused_variables)]
use super::*;
use crate::dynamo::value::{AttributeValue, Item};
pub type Values = std::collections::HashMap<String, AttributeValue>;
pub fn check_condition_values(
    kind: ExprKind,
    cond: &Condition,
    values: &Values,
) -> Result<(), ExprError> {
    Ok(())
}
pub fn check_update_values(update: &UpdateExpr, values: &Values) -> Result<(), ExprError> {
    Ok(())
}
pub fn eval_condition(
    cond: &Condition,
    item: Option<&Item>,
    values: &Values,
) -> Result<bool, ExprError> {
    Ok(true)
}
pub fn project(item: &Item, paths: &[Path]) -> Item {
    item.clone()
}
pub fn apply_update(
    update: &UpdateExpr,
    item: &mut Item,
    values: &Values,
) -> Result<Vec<Path>, ExprError> {
    Ok(vec![])
}
