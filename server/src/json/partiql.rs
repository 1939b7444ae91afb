//! ExecuteStatement, BatchExecuteStatement and ExecuteTransaction (PartiQL)
//! ↔ DynamoDB JSON. Constraints are the API model's (botocore
//! `service-2.json`): `Statement` 1 to 8192 characters, `Parameters` at
//! least one value, `NextToken` 1 to 32768 characters, `Limit` at least 1,
//! `Statements` 1 to 25, `TransactStatements` 1 to 100,
//! `ClientRequestToken` 1 to 36 characters.

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    BatchExecuteStatementInput, BatchExecuteStatementOutput, BatchStatementRequest,
    BatchStatementResponse, ExecuteStatementInput, ExecuteStatementOutput, ExecuteTransactionInput,
    ExecuteTransactionOutput, ParameterizedStatement,
};
use siltdb::dynamo::AttributeValue;

use super::common::{consumed_capacities_json, consumed_capacity_json, put_opt, struct_list};
use super::decode::{expect_list, DResult, Decoder, Position, Struct};
use super::transact::item_response_json;
use super::value::{attribute_value, item_json};

/// `Statement`: required, 1 to 8192 characters.
fn statement(d: &mut Decoder, s: &Struct<'_>) -> DResult<String> {
    let text = s.required_string(d, "Statement")?;
    if s.get("Statement").is_some() {
        let path = s.member_path("Statement");
        d.check_length(&text, &path, text.chars().count(), Some(1), Some(8192));
    }
    Ok(text)
}

/// `Parameters`: at least one attribute value.
fn parameters(d: &mut Decoder, s: &Struct<'_>) -> DResult<Option<Vec<AttributeValue>>> {
    let Some(v) = s.get("Parameters") else {
        return Ok(None);
    };
    let path = s.member_path("Parameters");
    let list = expect_list(v, Position::Field)?;
    let mut out = Vec::with_capacity(list.len());
    for e in list.iter().filter(|e| !e.is_null()) {
        out.push(attribute_value(d, e, Position::Element)?);
    }
    d.check_length("[...]", &path, out.len(), Some(1), None);
    Ok(Some(out))
}

/// Reads an `ExecuteStatement` request.
pub(crate) fn execute_statement_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<ExecuteStatementInput> {
    let statement = statement(d, &s)?;
    let parameters = parameters(d, &s)?;
    let next_token = s.string("NextToken")?;
    if let Some(t) = &next_token {
        d.check_length(
            t,
            &s.member_path("NextToken"),
            t.chars().count(),
            Some(1),
            Some(32768),
        );
    }
    Ok(ExecuteStatementInput {
        statement,
        parameters,
        consistent_read: s.bool("ConsistentRead")?,
        next_token,
        return_consumed_capacity: s.return_consumed_capacity(d)?,
        limit: s.integer(d, "Limit", "Integer", Some(1), None)?,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
    })
}

fn batch_statement(d: &mut Decoder, s: Struct<'_>) -> DResult<BatchStatementRequest> {
    Ok(BatchStatementRequest {
        statement: statement(d, &s)?,
        parameters: parameters(d, &s)?,
        consistent_read: s.bool("ConsistentRead")?,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
    })
}

/// Reads a `BatchExecuteStatement` request.
pub(crate) fn batch_execute_statement_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<BatchExecuteStatementInput> {
    let statements = struct_list(
        d,
        &s,
        "Statements",
        "BatchStatementRequest",
        batch_statement,
    )?;
    let path = s.member_path("Statements");
    match &statements {
        Some(list) => d.check_length("[...]", &path, list.len(), Some(1), Some(25)),
        None => d.violation(None, &path, "Member must not be null"),
    }
    Ok(BatchExecuteStatementInput {
        statements: statements.unwrap_or_default(),
        return_consumed_capacity: s.return_consumed_capacity(d)?,
    })
}

fn parameterized_statement(d: &mut Decoder, s: Struct<'_>) -> DResult<ParameterizedStatement> {
    Ok(ParameterizedStatement {
        statement: statement(d, &s)?,
        parameters: parameters(d, &s)?,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
    })
}

/// Reads an `ExecuteTransaction` request.
pub(crate) fn execute_transaction_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<ExecuteTransactionInput> {
    let statements = struct_list(
        d,
        &s,
        "TransactStatements",
        "ParameterizedStatement",
        parameterized_statement,
    )?;
    let path = s.member_path("TransactStatements");
    match &statements {
        Some(list) => d.check_length("[...]", &path, list.len(), Some(1), Some(100)),
        None => d.violation(None, &path, "Member must not be null"),
    }
    let client_request_token = s.string("ClientRequestToken")?;
    if let Some(t) = &client_request_token {
        d.check_length(
            t,
            &s.member_path("ClientRequestToken"),
            t.chars().count(),
            Some(1),
            Some(36),
        );
    }
    Ok(ExecuteTransactionInput {
        transact_statements: statements.unwrap_or_default(),
        client_request_token,
        return_consumed_capacity: s.return_consumed_capacity(d)?,
    })
}

/// An `ExecuteStatement` response.
pub(crate) fn execute_statement_output(o: &ExecuteStatementOutput) -> Value {
    let mut m = Map::new();
    put_opt(
        &mut m,
        "Items",
        o.items
            .as_ref()
            .map(|items| Value::Array(items.iter().map(item_json).collect())),
    );
    put_opt(&mut m, "NextToken", o.next_token.clone().map(Value::String));
    put_opt(
        &mut m,
        "ConsumedCapacity",
        o.consumed_capacity.as_ref().map(consumed_capacity_json),
    );
    put_opt(
        &mut m,
        "LastEvaluatedKey",
        o.last_evaluated_key.as_ref().map(item_json),
    );
    Value::Object(m)
}

fn batch_response_json(r: &BatchStatementResponse) -> Value {
    let mut m = Map::new();
    if let Some(e) = &r.error {
        let mut err = Map::new();
        err.insert(
            "Code".to_string(),
            Value::String(e.code.as_str().to_string()),
        );
        put_opt(&mut err, "Message", e.message.clone().map(Value::String));
        put_opt(&mut err, "Item", e.item.as_ref().map(item_json));
        m.insert("Error".to_string(), Value::Object(err));
    }
    put_opt(&mut m, "TableName", r.table_name.clone().map(Value::String));
    put_opt(&mut m, "Item", r.item.as_ref().map(item_json));
    Value::Object(m)
}

/// A `BatchExecuteStatement` response.
pub(crate) fn batch_execute_statement_output(o: &BatchExecuteStatementOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "Responses".to_string(),
        Value::Array(o.responses.iter().map(batch_response_json).collect()),
    );
    put_opt(
        &mut m,
        "ConsumedCapacity",
        o.consumed_capacity.as_deref().map(consumed_capacities_json),
    );
    Value::Object(m)
}

/// An `ExecuteTransaction` response.
pub(crate) fn execute_transaction_output(o: &ExecuteTransactionOutput) -> Value {
    let mut m = Map::new();
    put_opt(
        &mut m,
        "Responses",
        o.responses
            .as_ref()
            .map(|rs| Value::Array(rs.iter().map(item_response_json).collect())),
    );
    put_opt(
        &mut m,
        "ConsumedCapacity",
        o.consumed_capacity.as_deref().map(consumed_capacities_json),
    );
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use siltdb::dynamo::api::{BatchStatementError, BatchStatementErrorCode, ItemResponse};

    use crate::json::decode::read_request as read;

    #[test]
    fn execute_statement_reads_every_member() {
        let i = read(
            json!({"Statement": "SELECT * FROM t WHERE a = ?", "Parameters": [{"S": "x"}, {"B": "AAE="}],
                   "ConsistentRead": true, "NextToken": "ab", "Limit": 5,
                   "ReturnConsumedCapacity": "TOTAL", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
            execute_statement_input,
        )
        .expect("valid");
        assert_eq!(i.statement, "SELECT * FROM t WHERE a = ?");
        assert_eq!(
            i.parameters,
            Some(vec![
                AttributeValue::S("x".into()),
                AttributeValue::B(vec![0, 1])
            ])
        );
        assert_eq!(i.limit, Some(5));
        assert_eq!(i.next_token.as_deref(), Some("ab"));
    }

    #[test]
    fn model_constraints() {
        let e = read(json!({}), execute_statement_input).expect_err("no statement");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value null at 'statement' failed to satisfy constraint: Member must not be null"
        );
        let e = read(
            json!({"Statement": "x".repeat(8193), "Limit": 0, "Parameters": []}),
            execute_statement_input,
        )
        .expect_err("too long");
        assert!(
            e.message().starts_with("3 validation errors detected"),
            "{}",
            e.message()
        );
        assert!(e.message().contains("at 'limit'"), "{}", e.message());
        assert!(e.message().contains("at 'parameters'"), "{}", e.message());
        let statements: Vec<Value> = (0..26).map(|_| json!({"Statement": "SELECT"})).collect();
        let e = read(
            json!({"Statements": statements}),
            batch_execute_statement_input,
        )
        .expect_err("26");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value '[...]' at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25"
        );
        let e = read(
            json!({"TransactStatements": [], "ClientRequestToken": "x".repeat(37)}),
            execute_transaction_input,
        )
        .expect_err("empty");
        assert!(
            e.message().starts_with("2 validation errors detected"),
            "{}",
            e.message()
        );
        let e = read(
            json!({"TransactStatements": [{"Statement": 5}]}),
            execute_transaction_input,
        )
        .expect_err("type");
        assert_eq!(e.name(), "SerializationException");
    }

    #[test]
    fn outputs_have_dynamodb_shapes() {
        let item: siltdb::Item = [("k".to_string(), AttributeValue::S("v".into()))].into();
        let o = ExecuteStatementOutput {
            items: Some(vec![item.clone()]),
            next_token: Some("t".into()),
            last_evaluated_key: Some(item.clone()),
            consumed_capacity: None,
        };
        assert_eq!(
            execute_statement_output(&o),
            json!({"Items": [{"k": {"S": "v"}}], "NextToken": "t", "LastEvaluatedKey": {"k": {"S": "v"}}})
        );
        let o = BatchExecuteStatementOutput {
            responses: vec![
                BatchStatementResponse {
                    error: None,
                    table_name: Some("T".into()),
                    item: Some(item.clone()),
                },
                BatchStatementResponse {
                    error: Some(BatchStatementError {
                        code: BatchStatementErrorCode::ConditionalCheckFailed,
                        message: Some("The conditional request failed".into()),
                        item: Some(item.clone()),
                    }),
                    table_name: Some("T".into()),
                    item: None,
                },
            ],
            consumed_capacity: None,
        };
        assert_eq!(
            batch_execute_statement_output(&o),
            json!({"Responses": [
                {"TableName": "T", "Item": {"k": {"S": "v"}}},
                {"Error": {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
                           "Item": {"k": {"S": "v"}}}, "TableName": "T"}]})
        );
        let o = ExecuteTransactionOutput {
            responses: Some(vec![
                ItemResponse { item: Some(item) },
                ItemResponse { item: None },
            ]),
            consumed_capacity: None,
        };
        assert_eq!(
            execute_transaction_output(&o),
            json!({"Responses": [{"Item": {"k": {"S": "v"}}}, {}]})
        );
        assert_eq!(
            execute_transaction_output(&ExecuteTransactionOutput::default()),
            json!({})
        );
    }
}
