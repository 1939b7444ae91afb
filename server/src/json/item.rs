//! PutItem, GetItem, UpdateItem and DeleteItem ↔ DynamoDB JSON.

use serde::ser::{Serialize, SerializeMap, Serializer};
use siltdb::dynamo::api::{
    ConsumedCapacity, DeleteItemInput, DeleteItemOutput, GetItemInput, GetItemOutput,
    ItemCollectionMetrics, PutItemInput, PutItemOutput, UpdateItemInput, UpdateItemOutput,
};
use siltdb::dynamo::Item;

use super::common::{consumed_capacity_json, item_collection_metrics_json};
use super::decode::{DResult, Decoder, Struct};
use super::value::ItemJson;

/// Reads a `PutItem` request.
///
/// Constraint violations are listed in the order DynamoDB listed them for
/// dynalite's test suite (`test/putItem.js`, "incorrect attributes" and "no
/// TableName", pasted from the service's answers): `returnConsumedCapacity`,
/// `tableName`, `item`, `returnValues`, `returnItemCollectionMetrics` —
/// the order UpdateItem's 2026 capture agrees with where they overlap.
/// `conditionalOperator` is not in those answers; it goes where dynalite's
/// `validations/putItem.js` checks it, after `item`.
pub(crate) fn put_item_input(d: &mut Decoder, s: Struct<'_>) -> DResult<PutItemInput> {
    let return_consumed_capacity = s.return_consumed_capacity(d)?;
    let table_name = s.table_name(d)?;
    let item = s.required_item(d, "Item")?;
    let conditional_operator = s.conditional_operator(d)?;
    let return_values = s.return_values(d)?;
    let return_item_collection_metrics = s.return_item_collection_metrics(d)?;
    let ex = s.expressions(d)?;
    Ok(PutItemInput {
        table_name,
        item,
        condition_expression: s.string("ConditionExpression")?,
        expression_attribute_names: ex.names,
        expression_attribute_values: ex.values,
        return_values,
        return_consumed_capacity,
        return_item_collection_metrics,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
        expected: s.expected(d)?,
        conditional_operator,
    })
}

/// Reads a `GetItem` request.
pub(crate) fn get_item_input(d: &mut Decoder, s: Struct<'_>) -> DResult<GetItemInput> {
    let table_name = s.table_name(d)?;
    let key = s.required_item(d, "Key")?;
    Ok(GetItemInput {
        table_name,
        key,
        projection_expression: s.string("ProjectionExpression")?,
        expression_attribute_names: s.expression_names()?,
        consistent_read: s.bool("ConsistentRead")?,
        return_consumed_capacity: s.return_consumed_capacity(d)?,
        attributes_to_get: s.string_list(d, "AttributesToGet", Some(1))?,
    })
}

/// Reads an `UpdateItem` request.
///
/// Constraint violations are listed in the order DynamoDB lists them
/// (recorded against the service by the nubo-db/dynamodb-conformance suite,
/// `tests/tier1/updateItem/validation.test.ts`, 2026):
/// `returnConsumedCapacity`, `tableName`, `returnValues`,
/// `conditionalOperator`, then `key`. Where the other members fall is not
/// recorded; they follow.
pub(crate) fn update_item_input(d: &mut Decoder, s: Struct<'_>) -> DResult<UpdateItemInput> {
    let return_consumed_capacity = s.return_consumed_capacity(d)?;
    let table_name = s.table_name(d)?;
    let return_values = s.return_values(d)?;
    let conditional_operator = s.conditional_operator(d)?;
    let key = s.required_item(d, "Key")?;
    let ex = s.expressions(d)?;
    Ok(UpdateItemInput {
        table_name,
        key,
        update_expression: s.string("UpdateExpression")?,
        condition_expression: s.string("ConditionExpression")?,
        expression_attribute_names: ex.names,
        expression_attribute_values: ex.values,
        return_values,
        return_consumed_capacity,
        return_item_collection_metrics: s.return_item_collection_metrics(d)?,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
        attribute_updates: s.attribute_updates(d)?,
        expected: s.expected(d)?,
        conditional_operator,
    })
}

/// Reads a `DeleteItem` request.
///
/// Constraint violations are listed in the order DynamoDB listed them for
/// dynalite's test suite (`test/deleteItem.js`, "incorrect attributes" and
/// "no TableName"): `returnConsumedCapacity`, `tableName`, `returnValues`,
/// `returnItemCollectionMetrics`, `key` — as UpdateItem's. Then
/// `conditionalOperator`, where dynalite's `validations/deleteItem.js`
/// checks it (not in those answers).
pub(crate) fn delete_item_input(d: &mut Decoder, s: Struct<'_>) -> DResult<DeleteItemInput> {
    let return_consumed_capacity = s.return_consumed_capacity(d)?;
    let table_name = s.table_name(d)?;
    let return_values = s.return_values(d)?;
    let return_item_collection_metrics = s.return_item_collection_metrics(d)?;
    let key = s.required_item(d, "Key")?;
    let conditional_operator = s.conditional_operator(d)?;
    let ex = s.expressions(d)?;
    Ok(DeleteItemInput {
        table_name,
        key,
        condition_expression: s.string("ConditionExpression")?,
        expression_attribute_names: ex.names,
        expression_attribute_values: ex.values,
        return_values,
        return_consumed_capacity,
        return_item_collection_metrics,
        return_values_on_condition_check_failure: s.return_values_on_condition_check_failure(d)?,
        expected: s.expected(d)?,
        conditional_operator,
    })
}

/// The members every write output shares, written straight to bytes.
fn write_output<'a>(
    attributes: &'a Option<Item>,
    capacity: &'a Option<ConsumedCapacity>,
    metrics: &'a Option<ItemCollectionMetrics>,
) -> WriteOutputJson<'a> {
    WriteOutputJson {
        attributes: attributes.as_ref(),
        capacity: capacity.as_ref(),
        metrics: metrics.as_ref(),
    }
}

/// [`write_output`]'s writer.
struct WriteOutputJson<'a> {
    attributes: Option<&'a Item>,
    capacity: Option<&'a ConsumedCapacity>,
    metrics: Option<&'a ItemCollectionMetrics>,
}

impl Serialize for WriteOutputJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Members in name order, as a `serde_json::Map` would write them.
        let mut m = s.serialize_map(None)?;
        if let Some(a) = self.attributes {
            m.serialize_entry("Attributes", &ItemJson(a))?;
        }
        if let Some(c) = self.capacity {
            m.serialize_entry("ConsumedCapacity", &consumed_capacity_json(c))?;
        }
        if let Some(x) = self.metrics {
            m.serialize_entry("ItemCollectionMetrics", &item_collection_metrics_json(x))?;
        }
        m.end()
    }
}

/// A `PutItem` response.
pub(crate) fn put_item_output(o: &PutItemOutput) -> impl Serialize + '_ {
    write_output(
        &o.attributes,
        &o.consumed_capacity,
        &o.item_collection_metrics,
    )
}

/// An `UpdateItem` response.
pub(crate) fn update_item_output(o: &UpdateItemOutput) -> impl Serialize + '_ {
    write_output(
        &o.attributes,
        &o.consumed_capacity,
        &o.item_collection_metrics,
    )
}

/// A `DeleteItem` response.
pub(crate) fn delete_item_output(o: &DeleteItemOutput) -> impl Serialize + '_ {
    write_output(
        &o.attributes,
        &o.consumed_capacity,
        &o.item_collection_metrics,
    )
}

/// A `GetItem` response: `{}` when the item does not exist.
pub(crate) fn get_item_output(o: &GetItemOutput) -> impl Serialize + '_ {
    GetItemJson(o)
}

/// [`get_item_output`]'s writer.
struct GetItemJson<'a>(&'a GetItemOutput);

impl Serialize for GetItemJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(c) = &self.0.consumed_capacity {
            m.serialize_entry("ConsumedCapacity", &consumed_capacity_json(c))?;
        }
        if let Some(item) = &self.0.item {
            m.serialize_entry("Item", &ItemJson(item))?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use siltdb::dynamo::api::{ReturnConsumedCapacity, ReturnValue};
    use siltdb::dynamo::AttributeValue;

    use crate::json::value::to_value;

    use crate::json::decode::read_request as read;

    #[test]
    fn put_item_reads_every_member() {
        let input = read(
            json!({
                "TableName": "Music",
                "Item": {"Artist": {"S": "A"}, "Year": {"N": "1999"}},
                "ConditionExpression": "attribute_not_exists(Artist)",
                "ExpressionAttributeNames": {"#y": "Year"},
                "ExpressionAttributeValues": {":y": {"N": "2000"}},
                "ReturnValues": "ALL_OLD",
                "ReturnConsumedCapacity": "TOTAL",
                "ReturnItemCollectionMetrics": "SIZE",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                "ConditionalOperator": "OR",
                "Unknown": 5
            }),
            put_item_input,
        )
        .expect("valid");
        assert_eq!(input.table_name, "Music");
        assert_eq!(input.item.len(), 2);
        assert_eq!(input.return_values, Some(ReturnValue::AllOld));
        assert_eq!(
            input.return_consumed_capacity,
            Some(ReturnConsumedCapacity::Total)
        );
        assert!(input.expression_attribute_values.is_some());
        assert!(input.conditional_operator.is_some());
    }

    #[test]
    fn put_item_constraint_violations_are_listed_together() {
        let e = read(
            json!({"TableName": "", "ReturnValues": "SOME", "ReturnConsumedCapacity": "ALL"}),
            put_item_input,
        )
        .expect_err("invalid");
        assert_eq!(e.name(), "ValidationException");
        assert_eq!(
            e.message(),
            "4 validation errors detected: \
             Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; \
             Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value null at 'item' failed to satisfy constraint: Member must not be null; \
             Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
        );
    }

    #[test]
    fn get_update_delete_read() {
        let g = read(
            json!({"TableName": "T", "Key": {"k": {"S": "1"}}, "ConsistentRead": true,
                   "ProjectionExpression": "a", "AttributesToGet": ["a"]}),
            get_item_input,
        )
        .expect("valid");
        assert_eq!(g.consistent_read, Some(true));
        assert_eq!(g.attributes_to_get, Some(vec!["a".to_string()]));
        let e = read(
            json!({"TableName": "T", "Key": {}, "AttributesToGet": []}),
            get_item_input,
        )
        .expect_err("empty AttributesToGet");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        let u = read(
            json!({"TableName": "T", "Key": {"k": {"S": "1"}}, "UpdateExpression": "SET a = :v",
                   "ExpressionAttributeValues": {":v": {"BOOL": true}}, "ReturnValues": "UPDATED_NEW",
                   "AttributeUpdates": {"b": {"Action": "PUT", "Value": {"S": "x"}}}}),
            update_item_input,
        )
        .expect("valid");
        assert_eq!(u.update_expression.as_deref(), Some("SET a = :v"));
        assert!(u.attribute_updates.is_some());
        let del = read(
            json!({"TableName": "T", "Key": {"k": {"N": "1"}}, "ReturnValues": "ALL_OLD"}),
            delete_item_input,
        )
        .expect("valid");
        assert!(matches!(del.key.get("k"), Some(AttributeValue::N(_))));
        let e = read(json!({"TableName": 5, "Key": {}}), delete_item_input).expect_err("type");
        assert_eq!(e.name(), "SerializationException");
    }

    #[test]
    fn outputs_omit_absent_members() {
        assert_eq!(
            to_value(get_item_output(&GetItemOutput::default())),
            json!({})
        );
        assert_eq!(
            to_value(put_item_output(&PutItemOutput::default())),
            json!({})
        );
        let o = GetItemOutput {
            item: Some([("k".to_string(), AttributeValue::S("v".into()))].into()),
            consumed_capacity: Some(ConsumedCapacity {
                table_name: Some("T".into()),
                capacity_units: Some(0.5),
                ..Default::default()
            }),
        };
        assert_eq!(
            to_value(get_item_output(&o)),
            json!({"Item": {"k": {"S": "v"}}, "ConsumedCapacity": {"TableName": "T", "CapacityUnits": 0.5}})
        );
        let o = UpdateItemOutput {
            attributes: Some([("a".to_string(), AttributeValue::Bool(true))].into()),
            ..Default::default()
        };
        assert_eq!(
            to_value(update_item_output(&o)),
            json!({"Attributes": {"a": {"BOOL": true}}})
        );
        let o = DeleteItemOutput::default();
        assert_eq!(to_value(delete_item_output(&o)), json!({}));
    }
}
