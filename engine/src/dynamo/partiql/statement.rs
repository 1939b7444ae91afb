//! ExecuteStatement: one statement, run through the item API.

use super::ast::{Returning, Statement};
use super::error::{self as msg, from_item_api, PartiqlError};
use super::parser::parse;
use super::plan::{Context, Options, Plan};
use super::token;
use crate::dynamo::api::{ExecuteStatementInput, ExecuteStatementOutput};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::{AttributeValue, Item};

/// Parses `statement` and checks `params` cover its `?` (more are accepted,
/// as DynamoDB does — recorded against DynamoDB Local).
pub(crate) fn prepare(
    statement: &str,
    params: &[AttributeValue],
) -> Result<Statement, DynamoError> {
    let parsed = parse(statement)?;
    if parsed.parameters > params.len() {
        return Err(PartiqlError::validation(msg::PARAMETER_COUNT).into());
    }
    Ok(parsed.statement)
}

/// What a write returned: the items of its RETURNING clause.
pub(crate) struct WriteResult {
    /// Items (empty without RETURNING, or when nothing was returned).
    pub items: Vec<Item>,
    /// Capacity of the operation.
    pub capacity: Option<crate::dynamo::api::ConsumedCapacity>,
}

impl DynamoDb {
    /// Runs one PartiQL statement (`ExecuteStatement`).
    ///
    /// A SELECT returns one page of items (see `NextToken`, `Limit`); an
    /// INSERT, UPDATE or DELETE returns no items, or those its RETURNING
    /// clause asks for. Errors are DynamoDB's: `ValidationException` with
    /// DynamoDB's PartiQL wording, `DuplicateItemException` for an INSERT of
    /// a key that exists, `ConditionalCheckFailedException` for an UPDATE or
    /// DELETE whose WHERE does not hold, `ResourceNotFoundException`.
    ///
    /// ```
    /// use siltdb::dynamo::DynamoDb;
    /// use siltdb::dynamo::api::*;
    /// use siltdb::dynamo::ScalarAttributeType;
    /// use siltdb::AttributeValue;
    ///
    /// let db = DynamoDb::open_in_memory().unwrap();
    /// db.create_table(CreateTableInput {
    ///     table_name: "Music".into(),
    ///     attribute_definitions: vec![AttributeDefinition {
    ///         attribute_name: "Artist".into(),
    ///         attribute_type: ScalarAttributeType::S,
    ///     }],
    ///     key_schema: vec![KeySchemaElement { attribute_name: "Artist".into(), key_type: KeyType::Hash }],
    ///     billing_mode: Some(BillingMode::PayPerRequest),
    ///     ..Default::default()
    /// }).unwrap();
    /// let run = |statement: &str, parameters: Option<Vec<AttributeValue>>| {
    ///     db.execute_statement(ExecuteStatementInput {
    ///         statement: statement.into(),
    ///         parameters,
    ///         ..Default::default()
    ///     })
    /// };
    /// run("INSERT INTO Music VALUE {'Artist': ?, 'Plays': 1}", Some(vec![AttributeValue::S("Arvo Pärt".into())])).unwrap();
    /// run("UPDATE Music SET Plays = Plays + 1 WHERE Artist = 'Arvo Pärt'", None).unwrap();
    /// let out = run("SELECT Plays FROM Music WHERE Artist = 'Arvo Pärt'", None).unwrap();
    /// let items = out.items.unwrap();
    /// assert_eq!(items[0]["Plays"], AttributeValue::N(2i64.into()));
    /// ```
    pub fn execute_statement(
        &self,
        input: ExecuteStatementInput,
    ) -> Result<ExecuteStatementOutput, DynamoError> {
        let params = input.parameters.as_deref().unwrap_or_default();
        let stmt = prepare(&input.statement, params)?;
        let opts = Options {
            consistent_read: input.consistent_read.unwrap_or(false),
            rvcf: input.return_values_on_condition_check_failure,
            capacity: input.return_consumed_capacity,
        };
        let fingerprint = token::fingerprint(&input.statement, params);
        let plan = self.plan(&stmt, params, Context::Single, opts)?;
        if let Plan::Select(select) = &plan {
            return self.run_select(
                select,
                fingerprint,
                input.next_token.as_deref(),
                input.limit,
                opts,
            );
        }
        // A token belongs to a SELECT: on a write it cannot match.
        if let Some(t) = &input.next_token {
            token::decode(t, fingerprint)?;
        }
        let out = self.run_write(plan)?;
        Ok(ExecuteStatementOutput {
            items: Some(out.items),
            consumed_capacity: out.capacity,
            ..ExecuteStatementOutput::default()
        })
    }

    /// Runs an INSERT, UPDATE or DELETE plan.
    pub(crate) fn run_write(&self, plan: Plan) -> Result<WriteResult, DynamoError> {
        match plan {
            Plan::Insert(put, _) => match self.put_item(put) {
                Ok(out) => Ok(WriteResult {
                    items: Vec::new(),
                    capacity: out.consumed_capacity,
                }),
                Err(DynamoError::ConditionalCheckFailedException { .. }) => Err(
                    DynamoError::DuplicateItemException(msg::DUPLICATE_ITEM.to_string()),
                ),
                Err(e) => Err(from_item_api(e)),
            },
            Plan::Update(update, returning) => {
                let out = self.update_item(update).map_err(from_item_api)?;
                Ok(WriteResult {
                    items: returned(out.attributes, returning),
                    capacity: out.consumed_capacity,
                })
            }
            Plan::Delete(delete, returning) => {
                let out = self.delete_item(delete).map_err(from_item_api)?;
                Ok(WriteResult {
                    items: returned(out.attributes, returning),
                    capacity: out.consumed_capacity,
                })
            }
            Plan::Select(_) | Plan::PointRead(_) | Plan::Check(_) => Err(
                DynamoError::InternalServerError("a read planned as a write".to_string()),
            ),
        }
    }
}

/// The items of a RETURNING clause: the attributes when there are any
/// (`MODIFIED` with nothing modified returns none), nothing without one.
fn returned(attributes: Option<Item>, returning: Option<Returning>) -> Vec<Item> {
    match (returning, attributes) {
        (Some(_), Some(item)) if !item.is_empty() => vec![item],
        _ => Vec::new(),
    }
}
