//! TransactWriteItems and TransactGetItems ↔ DynamoDB JSON, and the
//! `CancellationReasons` of a cancelled transaction.

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    CancellationReason, ConditionCheck, Delete, Get, ItemResponse, Put, TransactGetItem,
    TransactGetItemsInput, TransactGetItemsOutput, TransactWriteItem, TransactWriteItemsInput,
    TransactWriteItemsOutput, Update,
};
use siltdb::dynamo::DynamoError;

use super::common::{
    consumed_capacities_json, item_collection_metrics_map_json, put_opt, struct_list,
};
use super::decode::{expect_struct, DResult, Decoder, Position, Struct};
use super::tree::Object;
use super::value::item_json;

/// Reads the structure member `member` of `s` as the model shape of the
/// same name.
fn sub_struct<'a>(s: &Struct<'a>, member: &str) -> DResult<Option<(&'a Object<'a>, String)>> {
    match s.get(member) {
        Some(v) => Ok(Some((
            expect_struct(v, Position::Field, member)?,
            s.member_path(member),
        ))),
        None => Ok(None),
    }
}

fn condition_check(d: &mut Decoder, s: Struct<'_>) -> DResult<ConditionCheck> {
    let key = s.required_item(d, "Key")?;
    let table_name = s.table_name(d)?;
    let condition_expression = s.required_string(d, "ConditionExpression")?;
    let ex = s.expressions(d)?;
    Ok(ConditionCheck {
        table_name,
        key,
        condition_expression,
        expression_attribute_names: ex.names,
        expression_attribute_values: ex.values,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
    })
}

fn put(d: &mut Decoder, s: Struct<'_>) -> DResult<Put> {
    let item = s.required_item(d, "Item")?;
    let table_name = s.table_name(d)?;
    let ex = s.expressions(d)?;
    Ok(Put {
        table_name,
        item,
        condition_expression: s.string("ConditionExpression")?,
        expression_attribute_names: ex.names,
        expression_attribute_values: ex.values,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
    })
}

fn update(d: &mut Decoder, s: Struct<'_>) -> DResult<Update> {
    let key = s.required_item(d, "Key")?;
    let update_expression = s.required_string(d, "UpdateExpression")?;
    let table_name = s.table_name(d)?;
    let ex = s.expressions(d)?;
    Ok(Update {
        table_name,
        key,
        update_expression,
        condition_expression: s.string("ConditionExpression")?,
        expression_attribute_names: ex.names,
        expression_attribute_values: ex.values,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
    })
}

fn delete(d: &mut Decoder, s: Struct<'_>) -> DResult<Delete> {
    let key = s.required_item(d, "Key")?;
    let table_name = s.table_name(d)?;
    let ex = s.expressions(d)?;
    Ok(Delete {
        table_name,
        key,
        condition_expression: s.string("ConditionExpression")?,
        expression_attribute_names: ex.names,
        expression_attribute_values: ex.values,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
    })
}

/// One `TransactWriteItem`: exactly one action. `None` (with a deferred
/// error) when it has none or several.
fn transact_write_item(d: &mut Decoder, s: Struct<'_>) -> DResult<Option<TransactWriteItem>> {
    let mut actions = Vec::with_capacity(1);
    if let Some((m, p)) = sub_struct(&s, "ConditionCheck")? {
        actions.push(TransactWriteItem::ConditionCheck(condition_check(
            d,
            Struct::nested(m, &p),
        )?));
    }
    if let Some((m, p)) = sub_struct(&s, "Put")? {
        actions.push(TransactWriteItem::Put(put(d, Struct::nested(m, &p))?));
    }
    if let Some((m, p)) = sub_struct(&s, "Delete")? {
        actions.push(TransactWriteItem::Delete(delete(d, Struct::nested(m, &p))?));
    }
    if let Some((m, p)) = sub_struct(&s, "Update")? {
        actions.push(TransactWriteItem::Update(update(d, Struct::nested(m, &p))?));
    }
    if actions.len() == 1 {
        return Ok(actions.pop());
    }
    // Wording of DynamoDB's answer to a TransactWriteItem with no or
    // several actions, as dynalite's transactWriteItems validation has it.
    d.defer(DynamoError::validation(
        "TransactItems can only contain one of Check, Put, Update or Delete",
    ));
    Ok(None)
}

/// Checks the `TransactItems` list length (1 to 100).
fn check_transact_items(d: &mut Decoder, s: &Struct<'_>, len: Option<usize>) {
    let path = s.member_path("TransactItems");
    match len {
        Some(n) => d.check_length("[...]", &path, n, Some(1), Some(100)),
        None => d.violation(None, &path, "Member must not be null"),
    }
}

/// Reads a `TransactWriteItems` request.
pub(crate) fn transact_write_items_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<TransactWriteItemsInput> {
    let items = struct_list(
        d,
        &s,
        "TransactItems",
        "TransactWriteItem",
        transact_write_item,
    )?;
    check_transact_items(d, &s, items.as_ref().map(Vec::len));
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
    Ok(TransactWriteItemsInput {
        transact_items: items.unwrap_or_default().into_iter().flatten().collect(),
        client_request_token,
        return_consumed_capacity: s.return_consumed_capacity(d)?,
        return_item_collection_metrics: s.return_item_collection_metrics(d)?,
    })
}

fn get(d: &mut Decoder, s: Struct<'_>) -> DResult<Get> {
    let key = s.required_item(d, "Key")?;
    let table_name = s.table_name(d)?;
    Ok(Get {
        table_name,
        key,
        projection_expression: s.string("ProjectionExpression")?,
        expression_attribute_names: s.expression_names()?,
    })
}

fn transact_get_item(d: &mut Decoder, s: Struct<'_>) -> DResult<TransactGetItem> {
    match sub_struct(&s, "Get")? {
        Some((m, p)) => Ok(TransactGetItem {
            get: get(d, Struct::nested(m, &p))?,
        }),
        None => {
            d.violation(None, &s.member_path("Get"), "Member must not be null");
            Ok(TransactGetItem::default())
        }
    }
}

/// Reads a `TransactGetItems` request.
pub(crate) fn transact_get_items_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<TransactGetItemsInput> {
    let items = struct_list(d, &s, "TransactItems", "TransactGetItem", transact_get_item)?;
    check_transact_items(d, &s, items.as_ref().map(Vec::len));
    Ok(TransactGetItemsInput {
        transact_items: items.unwrap_or_default(),
        return_consumed_capacity: s.return_consumed_capacity(d)?,
    })
}

/// A `TransactWriteItems` response.
pub(crate) fn transact_write_items_output(o: &TransactWriteItemsOutput) -> Value {
    let mut m = Map::new();
    put_opt(
        &mut m,
        "ConsumedCapacity",
        o.consumed_capacity.as_deref().map(consumed_capacities_json),
    );
    put_opt(
        &mut m,
        "ItemCollectionMetrics",
        o.item_collection_metrics
            .as_ref()
            .map(item_collection_metrics_map_json),
    );
    Value::Object(m)
}

/// One `ItemResponse`: `{"Item": ...}`, or `{}` without an item.
pub(crate) fn item_response_json(r: &ItemResponse) -> Value {
    let mut m = Map::new();
    put_opt(&mut m, "Item", r.item.as_ref().map(item_json));
    Value::Object(m)
}

/// A `TransactGetItems` response.
pub(crate) fn transact_get_items_output(o: &TransactGetItemsOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "Responses".to_string(),
        Value::Array(o.responses.iter().map(item_response_json).collect()),
    );
    put_opt(
        &mut m,
        "ConsumedCapacity",
        o.consumed_capacity.as_deref().map(consumed_capacities_json),
    );
    Value::Object(m)
}

/// `CancellationReasons` of a `TransactionCanceledException`, one per action.
pub(crate) fn cancellation_reasons_json(reasons: &[CancellationReason]) -> Value {
    Value::Array(
        reasons
            .iter()
            .map(|r| {
                let mut m = Map::new();
                put_opt(&mut m, "Item", r.item.as_ref().map(item_json));
                put_opt(&mut m, "Code", r.code.clone().map(Value::String));
                put_opt(&mut m, "Message", r.message.clone().map(Value::String));
                Value::Object(m)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use siltdb::dynamo::AttributeValue;

    use crate::json::decode::read_request as read;

    #[test]
    fn transact_write_reads_all_four_actions() {
        let i = read(
            json!({"TransactItems": [
                {"ConditionCheck": {"TableName": "T", "Key": {"k": {"S": "1"}},
                                    "ConditionExpression": "attribute_exists(k)"}},
                {"Put": {"TableName": "T", "Item": {"k": {"S": "2"}},
                         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
                {"Update": {"TableName": "T", "Key": {"k": {"S": "3"}}, "UpdateExpression": "SET a = :a",
                            "ExpressionAttributeValues": {":a": {"N": "1"}}}},
                {"Delete": {"TableName": "T", "Key": {"k": {"S": "4"}}}}],
                "ClientRequestToken": "tok", "ReturnConsumedCapacity": "TOTAL"}),
            transact_write_items_input,
        )
        .expect("valid");
        assert_eq!(i.transact_items.len(), 4);
        assert!(matches!(
            i.transact_items[0],
            TransactWriteItem::ConditionCheck(_)
        ));
        assert!(matches!(i.transact_items[1], TransactWriteItem::Put(_)));
        assert!(matches!(i.transact_items[2], TransactWriteItem::Update(_)));
        assert!(matches!(i.transact_items[3], TransactWriteItem::Delete(_)));
        assert_eq!(i.client_request_token.as_deref(), Some("tok"));
    }

    #[test]
    fn transact_write_constraints() {
        let e = read(json!({"TransactItems": []}), transact_write_items_input).expect_err("empty");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        let e = read(
            json!({"TransactItems": [{"ConditionCheck": {"Key": {}}}]}),
            transact_write_items_input,
        )
        .expect_err("missing members");
        assert_eq!(
            e.message(),
            "2 validation errors detected: \
             Value null at 'transactItems.1.member.conditionCheck.tableName' failed to satisfy constraint: Member must not be null; \
             Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null"
        );
        let e = read(json!({"TransactItems": [{}]}), transact_write_items_input)
            .expect_err("no action");
        assert_eq!(
            e.message(),
            "TransactItems can only contain one of Check, Put, Update or Delete"
        );
        let e = read(
            json!({"TransactItems": [{"Put": {"TableName": "T", "Item": {}}}],
                   "ClientRequestToken": "x".repeat(37)}),
            transact_write_items_input,
        )
        .expect_err("token");
        assert!(
            e.message().contains("at 'clientRequestToken'"),
            "{}",
            e.message()
        );
        let e = read(
            json!({"TransactItems": [{"Put": 5}]}),
            transact_write_items_input,
        )
        .expect_err("type");
        assert_eq!(e.message(), "Unexpected field type");
    }

    #[test]
    fn transact_get_reads_and_writes() {
        let i = read(
            json!({"TransactItems": [{"Get": {"TableName": "T", "Key": {"k": {"S": "1"}},
                                               "ProjectionExpression": "a"}}]}),
            transact_get_items_input,
        )
        .expect("valid");
        assert_eq!(i.transact_items[0].get.table_name, "T");
        let e = read(json!({"TransactItems": [{}]}), transact_get_items_input).expect_err("no get");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: Member must not be null"
        );
        let o = TransactGetItemsOutput {
            responses: vec![
                ItemResponse {
                    item: Some([("k".to_string(), AttributeValue::S("1".into()))].into()),
                },
                ItemResponse { item: None },
            ],
            consumed_capacity: None,
        };
        assert_eq!(
            transact_get_items_output(&o),
            json!({"Responses": [{"Item": {"k": {"S": "1"}}}, {}]})
        );
        assert_eq!(
            transact_write_items_output(&TransactWriteItemsOutput::default()),
            json!({})
        );
    }

    #[test]
    fn cancellation_reasons_carry_code_message_and_item() {
        let reasons = vec![
            CancellationReason {
                code: Some("None".into()),
                message: None,
                item: None,
            },
            CancellationReason {
                code: Some("ConditionalCheckFailed".into()),
                message: Some("The conditional request failed".into()),
                item: Some([("k".to_string(), AttributeValue::N(1i64.into()))].into()),
            },
        ];
        assert_eq!(
            cancellation_reasons_json(&reasons),
            json!([{"Code": "None"},
                   {"Item": {"k": {"N": "1"}}, "Code": "ConditionalCheckFailed",
                    "Message": "The conditional request failed"}])
        );
    }
}
