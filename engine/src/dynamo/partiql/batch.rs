//! BatchExecuteStatement: up to 25 statements, each run on its own.
//!
//! Rules (API reference, BatchExecuteStatement; Developer Guide,
//! `ql-reference.multiplestatements.batching`; the rest recorded against
//! eu-west-2 by Dynoxide's tests):
//! - all reads or all writes, else the request fails ("Read and write
//!   requests together in the same batch is not supported."); a statement
//!   that does not parse takes no part in that check;
//! - two statements naming one item fail the request ("Provided list of item
//!   keys contains duplicates");
//! - otherwise HTTP 200: each statement's failure is its own `Error` (`Code`
//!   `ValidationError`, `ResourceNotFound`, `ConditionalCheckFailed`,
//!   `DuplicateItem`, ...), and the others still run;
//! - a SELECT must name one item by its whole key ("Select statements within
//!   BatchExecuteStatement must specify the primary key in the where
//!   clause.");
//! - `TableName` is echoed on a statement that ran, and on its failure
//!   unless that is a `ValidationError`.

use std::collections::HashSet;

use super::capacity;
use super::error::{self as msg, PartiqlError};
use super::plan::{Context, Options, Plan};
use super::statement::prepare;
use crate::dynamo::api::{
    BatchExecuteStatementInput, BatchExecuteStatementOutput, BatchStatementError,
    BatchStatementErrorCode, BatchStatementResponse, GetItemInput, ReturnConsumedCapacity,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::member_constraints;
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::codec::encode_item_to_vec;
use crate::dynamo::write::batch::DUPLICATE_KEYS;

/// Most statements one BatchExecuteStatement may carry (API model,
/// `PartiQLBatchRequest`, max 25).
pub const MAX_BATCH_STATEMENTS: usize = 25;

/// A statement's error as a batch reports it.
pub(crate) fn batch_error(e: DynamoError) -> BatchStatementError {
    let (code, item) = match e {
        DynamoError::ValidationException(_) => (BatchStatementErrorCode::ValidationError, None),
        DynamoError::ResourceNotFoundException(_) => {
            (BatchStatementErrorCode::ResourceNotFound, None)
        }
        DynamoError::ConditionalCheckFailedException { ref item, .. } => (
            BatchStatementErrorCode::ConditionalCheckFailed,
            item.as_deref().cloned(),
        ),
        DynamoError::DuplicateItemException(_) => (BatchStatementErrorCode::DuplicateItem, None),
        DynamoError::TransactionConflictException(_) => {
            (BatchStatementErrorCode::TransactionConflict, None)
        }
        DynamoError::ItemCollectionSizeLimitExceededException(_) => (
            BatchStatementErrorCode::ItemCollectionSizeLimitExceeded,
            None,
        ),
        DynamoError::LimitExceededException(_) => {
            (BatchStatementErrorCode::RequestLimitExceeded, None)
        }
        _ => (BatchStatementErrorCode::InternalServerError, None),
    };
    BatchStatementError {
        code,
        message: Some(e.message().to_string()),
        item,
    }
}

impl DynamoDb {
    /// Runs up to 25 PartiQL statements, all reads or all writes, each on its
    /// own (`BatchExecuteStatement`). See the module documentation for what
    /// fails the request and what fails one statement.
    pub fn batch_execute_statement(
        &self,
        input: BatchExecuteStatementInput,
    ) -> Result<BatchExecuteStatementOutput, DynamoError> {
        let n = input.statements.len();
        if n == 0 {
            member_constraints(vec!["Value '[]' at 'statements' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string()])?;
        }
        if n > MAX_BATCH_STATEMENTS {
            member_constraints(vec![format!("Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to {MAX_BATCH_STATEMENTS}")])?;
        }
        let parsed: Vec<_> = input
            .statements
            .iter()
            .map(|s| prepare(&s.statement, s.parameters.as_deref().unwrap_or_default()))
            .collect();
        let reads = parsed.iter().flatten().filter(|s| s.is_read()).count();
        let parsed_ok = parsed.iter().flatten().count();
        if reads > 0 && reads < parsed_ok {
            return Err(PartiqlError::validation(msg::BATCH_MIXED).into());
        }
        let tables: Vec<Option<String>> = parsed
            .iter()
            .map(|s| s.as_ref().ok().map(|s| s.table().to_string()))
            .collect();
        let plans: Vec<Result<Plan, DynamoError>> = parsed
            .into_iter()
            .zip(&input.statements)
            .map(|(stmt, req)| {
                let opts = Options {
                    consistent_read: req.consistent_read.unwrap_or(false),
                    rvcf: req.return_values_on_condition_check_failure,
                    capacity: input.return_consumed_capacity,
                };
                let params = req.parameters.as_deref().unwrap_or_default();
                self.plan(&stmt?, params, Context::Batch, opts)
            })
            .collect();
        let mut seen = HashSet::new();
        for plan in plans.iter().flatten() {
            if let Some(key) = plan.item_key() {
                if !seen.insert((plan.table().to_string(), encode_item_to_vec(key))) {
                    return Err(DynamoError::validation(DUPLICATE_KEYS));
                }
            }
        }

        let mut responses = Vec::with_capacity(n);
        let mut consumed = Vec::new();
        for ((plan, req), table) in plans.into_iter().zip(&input.statements).zip(tables) {
            let plan = match plan {
                Ok(plan) => plan,
                Err(e) => {
                    responses.push(failed(e, table));
                    continue;
                }
            };
            let table = plan.table().to_string();
            let result = match plan {
                Plan::PointRead(read) => self
                    .get_item(GetItemInput {
                        table_name: read.table,
                        key: read.key,
                        consistent_read: req.consistent_read,
                        return_consumed_capacity: input.return_consumed_capacity,
                        ..GetItemInput::default()
                    })
                    .map(|out| {
                        consumed.extend(out.consumed_capacity);
                        out.item.map(|item| read.projection.apply(item))
                    }),
                write => self.run_write(write).map(|out| {
                    consumed.extend(out.capacity);
                    out.items.into_iter().next()
                }),
            };
            responses.push(match result {
                Ok(item) => BatchStatementResponse {
                    error: None,
                    table_name: Some(table),
                    item,
                },
                Err(e) => failed(e, Some(table)),
            });
        }
        let mode = input.return_consumed_capacity.unwrap_or_default();
        Ok(BatchExecuteStatementOutput {
            responses,
            consumed_capacity: (mode != ReturnConsumedCapacity::None)
                .then(|| capacity::per_table(consumed)),
        })
    }
}

/// A failed statement's response; `TableName` unless it is a validation
/// error.
fn failed(e: DynamoError, table: Option<String>) -> BatchStatementResponse {
    let error = batch_error(e);
    let table_name = match error.code {
        BatchStatementErrorCode::ValidationError => None,
        _ => table,
    };
    BatchStatementResponse {
        error: Some(error),
        table_name,
        item: None,
    }
}
