//! ExecuteTransaction: up to 100 statements, all or nothing, through
//! TransactWriteItems or TransactGetItems.
//!
//! Rules (API reference, ExecuteTransaction; Developer Guide,
//! `ql-reference.multiplestatements.transactions`, `ql-functions.exists`;
//! recorded against DynamoDB Local by dbimp and against eu-west-2 by
//! Dynoxide):
//! - reads only or writes only ("ExecuteTransaction API does not support
//!   both read and write operations in the same request."); EXISTS counts
//!   as a write — it is a `ConditionCheck`;
//! - no RETURNING, no reads of an index; a statement rejected before
//!   anything runs is reported as "Validation failed in
//!   `TransactStatements[i]`: `<message>`";
//! - a SELECT names one item by its whole key and nothing else;
//! - a failed statement cancels the transaction
//!   (`TransactionCanceledException`, one reason per statement); an INSERT
//!   of a key that exists is reason `DuplicateItem` ("the cancellation
//!   reason code includes the errors from the individual singleton
//!   operations");
//! - `ClientRequestToken` makes a repeat within 10 minutes succeed without
//!   running again, through TransactWriteItems' own idempotency.

use super::error::{self as msg, from_item_api, PartiqlError};
use super::plan::{Context, Options, Plan};
use super::statement::prepare;
use crate::dynamo::api::{
    CancellationReason, Delete, ExecuteTransactionInput, ExecuteTransactionOutput, Get,
    ItemResponse, Put, TransactGetItem, TransactGetItemsInput, TransactWriteItem,
    TransactWriteItemsInput, Update,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::member_constraints;
use crate::dynamo::error::DynamoError;
use crate::dynamo::write::transact::{cancelled, MAX_CLIENT_REQUEST_TOKEN, MAX_TRANSACT_ITEMS};

impl DynamoDb {
    /// Runs up to 100 PartiQL statements as one transaction
    /// (`ExecuteTransaction`): all SELECTs (returning one item each), or all
    /// writes and EXISTS checks, applied together or not at all.
    pub fn execute_transaction(
        &self,
        input: ExecuteTransactionInput,
    ) -> Result<ExecuteTransactionOutput, DynamoError> {
        check_members(&input)?;
        let mut parsed = Vec::with_capacity(input.transact_statements.len());
        for (i, s) in input.transact_statements.iter().enumerate() {
            let stmt = prepare(&s.statement, s.parameters.as_deref().unwrap_or_default())?;
            if stmt.returning().is_some() {
                return Err(msg::in_transaction_statement(i, msg::RETURNING_IN_TRANSACTION).into());
            }
            if let super::ast::Statement::Select(sel) = &stmt {
                if sel.from.index.is_some() {
                    return Err(
                        msg::in_transaction_statement(i, msg::TRANSACTION_INDEX_READ).into(),
                    );
                }
            }
            parsed.push(stmt);
        }
        let reads = parsed.iter().filter(|s| s.is_read()).count();
        if reads > 0 && reads < parsed.len() {
            return Err(PartiqlError::validation(msg::TRANSACTION_MIXED).into());
        }
        let mut plans = Vec::with_capacity(parsed.len());
        for (i, (stmt, req)) in parsed.iter().zip(&input.transact_statements).enumerate() {
            let opts = Options {
                consistent_read: true,
                rvcf: req.return_values_on_condition_check_failure,
                capacity: None,
            };
            let params = req.parameters.as_deref().unwrap_or_default();
            let plan = self
                .plan(stmt, params, Context::Transaction, opts)
                .map_err(|e| match e {
                    DynamoError::ValidationException(m) => {
                        msg::in_transaction_statement(i, &m).into()
                    }
                    other => other,
                })?;
            plans.push(plan);
        }
        if reads > 0 {
            self.read_transaction(plans, &input)
        } else {
            self.write_transaction(plans, &input)
        }
    }

    fn read_transaction(
        &self,
        plans: Vec<Plan>,
        input: &ExecuteTransactionInput,
    ) -> Result<ExecuteTransactionOutput, DynamoError> {
        let mut projections = Vec::with_capacity(plans.len());
        let mut gets = Vec::with_capacity(plans.len());
        for plan in plans {
            let Plan::PointRead(read) = plan else {
                return Err(DynamoError::InternalServerError(
                    "a write planned in a read transaction".to_string(),
                ));
            };
            projections.push(read.projection);
            gets.push(TransactGetItem {
                get: Get {
                    table_name: read.table,
                    key: read.key,
                    ..Get::default()
                },
            });
        }
        let out = self
            .transact_get_items(TransactGetItemsInput {
                transact_items: gets,
                return_consumed_capacity: input.return_consumed_capacity,
            })
            .map_err(from_item_api)?;
        let responses = out
            .responses
            .into_iter()
            .zip(projections)
            .map(|(r, p)| ItemResponse {
                item: r.item.map(|item| p.apply(item)),
            })
            .collect();
        Ok(ExecuteTransactionOutput {
            responses: Some(responses),
            consumed_capacity: out.consumed_capacity,
        })
    }

    fn write_transaction(
        &self,
        plans: Vec<Plan>,
        input: &ExecuteTransactionInput,
    ) -> Result<ExecuteTransactionOutput, DynamoError> {
        let inserts: Vec<bool> = plans
            .iter()
            .map(|p| matches!(p, Plan::Insert(..)))
            .collect();
        let mut items = Vec::with_capacity(plans.len());
        for plan in plans {
            items.push(match plan {
                Plan::Insert(put, _) => TransactWriteItem::Put(Put {
                    table_name: put.table_name,
                    item: put.item,
                    condition_expression: put.condition_expression,
                    expression_attribute_names: put.expression_attribute_names,
                    expression_attribute_values: put.expression_attribute_values,
                    return_values_on_condition_check_failure: put
                        .return_values_on_condition_check_failure,
                }),
                Plan::Update(u, _) => TransactWriteItem::Update(Update {
                    table_name: u.table_name,
                    key: u.key,
                    update_expression: u.update_expression.unwrap_or_default(),
                    condition_expression: u.condition_expression,
                    expression_attribute_names: u.expression_attribute_names,
                    expression_attribute_values: u.expression_attribute_values,
                    return_values_on_condition_check_failure: u
                        .return_values_on_condition_check_failure,
                }),
                Plan::Delete(d, _) => TransactWriteItem::Delete(Delete {
                    table_name: d.table_name,
                    key: d.key,
                    condition_expression: d.condition_expression,
                    expression_attribute_names: d.expression_attribute_names,
                    expression_attribute_values: d.expression_attribute_values,
                    return_values_on_condition_check_failure: d
                        .return_values_on_condition_check_failure,
                }),
                Plan::Check(c) => TransactWriteItem::ConditionCheck(c),
                Plan::Select(_) | Plan::PointRead(_) => {
                    return Err(DynamoError::InternalServerError(
                        "a read planned in a write transaction".to_string(),
                    ))
                }
            });
        }
        let out = self.transact_write_items(TransactWriteItemsInput {
            transact_items: items,
            client_request_token: input.client_request_token.clone(),
            return_consumed_capacity: input.return_consumed_capacity,
            return_item_collection_metrics: None,
        });
        match out {
            Ok(out) => Ok(ExecuteTransactionOutput {
                responses: None,
                consumed_capacity: out.consumed_capacity,
            }),
            Err(DynamoError::TransactionCanceledException { reasons, .. }) => {
                let reasons = reasons
                    .into_iter()
                    .zip(inserts)
                    .map(|(r, insert)| duplicate_reason(r, insert))
                    .collect();
                Err(cancelled(reasons))
            }
            Err(e) => Err(from_item_api(e)),
        }
    }
}

/// An INSERT's failed condition is a duplicate key.
fn duplicate_reason(r: CancellationReason, insert: bool) -> CancellationReason {
    if insert && r.code.as_deref() == Some("ConditionalCheckFailed") {
        CancellationReason {
            code: Some("DuplicateItem".to_string()),
            message: Some(msg::DUPLICATE_ITEM.to_string()),
            item: None,
        }
    } else {
        r
    }
}

/// The model's constraints: 1 to 100 statements, a token of 1 to 36
/// characters.
fn check_members(input: &ExecuteTransactionInput) -> Result<(), DynamoError> {
    if let Some(token) = &input.client_request_token {
        let len = token.chars().count();
        if len == 0 || len > MAX_CLIENT_REQUEST_TOKEN {
            let bound = if len == 0 {
                "greater than or equal to 1".to_string()
            } else {
                format!("less than or equal to {MAX_CLIENT_REQUEST_TOKEN}")
            };
            member_constraints(vec![format!(
                "Value at 'clientRequestToken' failed to satisfy constraint: Member must have length {bound}"
            )])?;
        }
    }
    let n = input.transact_statements.len();
    if n == 0 {
        member_constraints(vec!["Value '[]' at 'transactStatements' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string()])?;
    }
    if n > MAX_TRANSACT_ITEMS {
        member_constraints(vec![format!("Value at 'transactStatements' failed to satisfy constraint: Member must have length less than or equal to {MAX_TRANSACT_ITEMS}")])?;
    }
    Ok(())
}
