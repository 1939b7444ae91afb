//! Shapes shared by many operations: the small enums (with the value sets as
//! DynamoDB prints them), expression parameters, legacy conditions, and the
//! `ConsumedCapacity` / `ItemCollectionMetrics` outputs.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    AttributeAction, AttributeNames, AttributeValueUpdate, AttributeValues, Capacity,
    ComparisonOperator, ConditionalOperator, ConsumedCapacity, ExpectedAttributeValue,
    ItemCollectionMetrics, LegacyCondition, ReturnConsumedCapacity, ReturnItemCollectionMetrics,
    ReturnValue, ReturnValuesOnConditionCheckFailure,
};

use super::decode::{
    element_path, entry_path, expect_list, expect_map, expect_struct, DResult, Decoder, Position,
    Struct,
};
use super::value::{attribute_names, attribute_value, attribute_values, item_json};

// Value sets as DynamoDB prints them in "Member must satisfy enum value set"
// — not the API model's order. Orders recorded from the service by
// dynalite's validations (`validations/*.js`); `ReturnValuesOnConditionCheckFailure`
// and `AttributeAction` were not recorded and use the model's order.

/// `ReturnValues`.
pub(crate) const RETURN_VALUE_SET: &str = "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]";
/// `ReturnConsumedCapacity`.
pub(crate) const RETURN_CONSUMED_CAPACITY_SET: &str = "[INDEXES, TOTAL, NONE]";
/// `ReturnItemCollectionMetrics`.
pub(crate) const RETURN_ITEM_COLLECTION_METRICS_SET: &str = "[SIZE, NONE]";
/// `ReturnValuesOnConditionCheckFailure`.
pub(crate) const RETURN_VALUES_ON_CONDITION_CHECK_FAILURE_SET: &str = "[ALL_OLD, NONE]";
/// `ConditionalOperator`.
pub(crate) const CONDITIONAL_OPERATOR_SET: &str = "[OR, AND]";
/// `ComparisonOperator`.
pub(crate) const COMPARISON_OPERATOR_SET: &str =
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]";
/// `AttributeAction`.
pub(crate) const ATTRIBUTE_ACTION_SET: &str = "[ADD, PUT, DELETE]";
/// `Select`.
pub(crate) const SELECT_SET: &str =
    "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]";

/// The expression members most operations share.
#[derive(Debug, Default)]
pub(crate) struct Expressions {
    pub(crate) names: Option<AttributeNames>,
    pub(crate) values: Option<AttributeValues>,
}

impl<'a> Struct<'a> {
    /// `ExpressionAttributeNames`.
    pub(crate) fn expression_names(&self) -> DResult<Option<AttributeNames>> {
        self.get("ExpressionAttributeNames")
            .map(attribute_names)
            .transpose()
    }

    /// `ExpressionAttributeNames` and `ExpressionAttributeValues`.
    pub(crate) fn expressions(&self, d: &mut Decoder) -> DResult<Expressions> {
        Ok(Expressions {
            names: self.expression_names()?,
            values: self
                .get("ExpressionAttributeValues")
                .map(|v| attribute_values(d, v))
                .transpose()?,
        })
    }

    /// `ReturnValues`.
    pub(crate) fn return_values(&self, d: &mut Decoder) -> DResult<Option<ReturnValue>> {
        self.enumeration(d, "ReturnValues", ReturnValue::parse, RETURN_VALUE_SET)
    }

    /// `ReturnConsumedCapacity`.
    pub(crate) fn return_consumed_capacity(
        &self,
        d: &mut Decoder,
    ) -> DResult<Option<ReturnConsumedCapacity>> {
        self.enumeration(
            d,
            "ReturnConsumedCapacity",
            ReturnConsumedCapacity::parse,
            RETURN_CONSUMED_CAPACITY_SET,
        )
    }

    /// `ReturnItemCollectionMetrics`.
    pub(crate) fn return_item_collection_metrics(
        &self,
        d: &mut Decoder,
    ) -> DResult<Option<ReturnItemCollectionMetrics>> {
        self.enumeration(
            d,
            "ReturnItemCollectionMetrics",
            ReturnItemCollectionMetrics::parse,
            RETURN_ITEM_COLLECTION_METRICS_SET,
        )
    }

    /// `ReturnValuesOnConditionCheckFailure`.
    pub(crate) fn return_values_on_condition_check_failure(
        &self,
        d: &mut Decoder,
    ) -> DResult<Option<ReturnValuesOnConditionCheckFailure>> {
        self.enumeration(
            d,
            "ReturnValuesOnConditionCheckFailure",
            ReturnValuesOnConditionCheckFailure::parse,
            RETURN_VALUES_ON_CONDITION_CHECK_FAILURE_SET,
        )
    }

    /// `ConditionalOperator`.
    pub(crate) fn conditional_operator(
        &self,
        d: &mut Decoder,
    ) -> DResult<Option<ConditionalOperator>> {
        self.enumeration(
            d,
            "ConditionalOperator",
            ConditionalOperator::parse,
            CONDITIONAL_OPERATOR_SET,
        )
    }

    /// A required key-or-item map member (`Key`, `Item`); missing is a
    /// violation.
    pub(crate) fn required_item(
        &self,
        d: &mut Decoder,
        member: &str,
    ) -> DResult<siltdb::dynamo::Item> {
        match self.get(member) {
            Some(v) => super::value::item(d, v, Position::Field),
            None => {
                d.violation(None, &self.member_path(member), "Member must not be null");
                Ok(siltdb::dynamo::Item::new())
            }
        }
    }

    /// An optional key-or-item map member (`ExclusiveStartKey`).
    pub(crate) fn optional_item(
        &self,
        d: &mut Decoder,
        member: &str,
    ) -> DResult<Option<siltdb::dynamo::Item>> {
        self.get(member)
            .map(|v| super::value::item(d, v, Position::Field))
            .transpose()
    }

    /// Legacy `Expected`.
    pub(crate) fn expected(
        &self,
        d: &mut Decoder,
    ) -> DResult<Option<BTreeMap<String, ExpectedAttributeValue>>> {
        let Some(v) = self.get("Expected") else {
            return Ok(None);
        };
        let path = self.member_path("Expected");
        let map = expect_map(v, Position::Field, "ExpectedAttributeValue")?;
        let mut out = BTreeMap::new();
        for (k, e) in map.iter().filter(|(_, e)| !e.is_null()) {
            let m = expect_struct(e, Position::Element, "ExpectedAttributeValue")?;
            let p = entry_path(&path, k);
            let s = Struct::nested(m, &p);
            out.insert(
                k.to_string(),
                ExpectedAttributeValue {
                    value: s
                        .get("Value")
                        .map(|v| attribute_value(d, v, Position::Field))
                        .transpose()?,
                    exists: s.bool("Exists")?,
                    comparison_operator: s.enumeration(
                        d,
                        "ComparisonOperator",
                        ComparisonOperator::parse,
                        COMPARISON_OPERATOR_SET,
                    )?,
                    attribute_value_list: value_list(d, &s)?,
                },
            );
        }
        Ok(Some(out))
    }

    /// Legacy `KeyConditions`, `QueryFilter` or `ScanFilter`.
    pub(crate) fn conditions(
        &self,
        d: &mut Decoder,
        member: &str,
    ) -> DResult<Option<BTreeMap<String, LegacyCondition>>> {
        let Some(v) = self.get(member) else {
            return Ok(None);
        };
        let path = self.member_path(member);
        let map = expect_map(v, Position::Field, "Condition")?;
        let mut out = BTreeMap::new();
        for (k, e) in map.iter().filter(|(_, e)| !e.is_null()) {
            let m = expect_struct(e, Position::Element, "Condition")?;
            let p = entry_path(&path, k);
            let s = Struct::nested(m, &p);
            let op = s.enumeration(
                d,
                "ComparisonOperator",
                ComparisonOperator::parse,
                COMPARISON_OPERATOR_SET,
            )?;
            if s.get("ComparisonOperator").is_none() {
                d.violation(
                    None,
                    &s.member_path("ComparisonOperator"),
                    "Member must not be null",
                );
            }
            out.insert(
                k.to_string(),
                LegacyCondition {
                    comparison_operator: op.unwrap_or_default(),
                    attribute_value_list: value_list(d, &s)?,
                },
            );
        }
        Ok(Some(out))
    }

    /// Legacy `AttributeUpdates`.
    pub(crate) fn attribute_updates(
        &self,
        d: &mut Decoder,
    ) -> DResult<Option<BTreeMap<String, AttributeValueUpdate>>> {
        let Some(v) = self.get("AttributeUpdates") else {
            return Ok(None);
        };
        let path = self.member_path("AttributeUpdates");
        let map = expect_map(v, Position::Field, "AttributeValueUpdate")?;
        let mut out = BTreeMap::new();
        for (k, e) in map.iter().filter(|(_, e)| !e.is_null()) {
            let m = expect_struct(e, Position::Element, "AttributeValueUpdate")?;
            let p = entry_path(&path, k);
            let s = Struct::nested(m, &p);
            out.insert(
                k.to_string(),
                AttributeValueUpdate {
                    value: s
                        .get("Value")
                        .map(|v| attribute_value(d, v, Position::Field))
                        .transpose()?,
                    action: s.enumeration(
                        d,
                        "Action",
                        AttributeAction::parse,
                        ATTRIBUTE_ACTION_SET,
                    )?,
                },
            );
        }
        Ok(Some(out))
    }
}

/// `AttributeValueList` of a legacy condition.
fn value_list(
    d: &mut Decoder,
    s: &Struct<'_>,
) -> DResult<Option<Vec<siltdb::dynamo::AttributeValue>>> {
    let Some(v) = s.get("AttributeValueList") else {
        return Ok(None);
    };
    let list = expect_list(v, Position::Field)?;
    let mut out = Vec::with_capacity(list.len());
    for e in list.iter().filter(|e| !e.is_null()) {
        out.push(attribute_value(d, e, Position::Element)?);
    }
    Ok(Some(out))
}

/// Reads a list member of structures, giving each element's path to `read`.
pub(crate) fn struct_list<T>(
    d: &mut Decoder,
    s: &Struct<'_>,
    member: &str,
    shape: &str,
    mut read: impl FnMut(&mut Decoder, Struct<'_>) -> DResult<T>,
) -> DResult<Option<Vec<T>>> {
    let Some(v) = s.get(member) else {
        return Ok(None);
    };
    let path = s.member_path(member);
    let list = expect_list(v, Position::Field)?;
    let mut out = Vec::with_capacity(list.len());
    for (i, e) in list.iter().enumerate().filter(|(_, e)| !e.is_null()) {
        let m = expect_struct(e, Position::Element, shape)?;
        let p = element_path(&path, i);
        out.push(read(d, Struct::nested(m, &p))?);
    }
    Ok(Some(out))
}

/// Inserts `value` under `key` when present.
pub(crate) fn put_opt(out: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        out.insert(key.to_string(), v);
    }
}

fn f64_json(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn capacity_json(c: &Capacity) -> Value {
    let mut m = Map::new();
    put_opt(
        &mut m,
        "ReadCapacityUnits",
        c.read_capacity_units.map(f64_json),
    );
    put_opt(
        &mut m,
        "WriteCapacityUnits",
        c.write_capacity_units.map(f64_json),
    );
    put_opt(&mut m, "CapacityUnits", c.capacity_units.map(f64_json));
    Value::Object(m)
}

fn index_capacities_json(m: &BTreeMap<String, Capacity>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, c)| (k.clone(), capacity_json(c)))
            .collect(),
    )
}

/// A `ConsumedCapacity` with only its set members.
pub(crate) fn consumed_capacity_json(c: &ConsumedCapacity) -> Value {
    let mut m = Map::new();
    put_opt(&mut m, "TableName", c.table_name.clone().map(Value::String));
    put_opt(&mut m, "CapacityUnits", c.capacity_units.map(f64_json));
    put_opt(
        &mut m,
        "ReadCapacityUnits",
        c.read_capacity_units.map(f64_json),
    );
    put_opt(
        &mut m,
        "WriteCapacityUnits",
        c.write_capacity_units.map(f64_json),
    );
    put_opt(&mut m, "Table", c.table.as_ref().map(capacity_json));
    put_opt(
        &mut m,
        "LocalSecondaryIndexes",
        c.local_secondary_indexes
            .as_ref()
            .map(index_capacities_json),
    );
    put_opt(
        &mut m,
        "GlobalSecondaryIndexes",
        c.global_secondary_indexes
            .as_ref()
            .map(index_capacities_json),
    );
    Value::Object(m)
}

/// A list of `ConsumedCapacity` (batch and transaction outputs).
pub(crate) fn consumed_capacities_json(cs: &[ConsumedCapacity]) -> Value {
    Value::Array(cs.iter().map(consumed_capacity_json).collect())
}

/// An `ItemCollectionMetrics`.
pub(crate) fn item_collection_metrics_json(m: &ItemCollectionMetrics) -> Value {
    let mut out = Map::new();
    out.insert(
        "ItemCollectionKey".to_string(),
        item_json(&m.item_collection_key),
    );
    out.insert(
        "SizeEstimateRangeGB".to_string(),
        Value::Array(
            m.size_estimate_range_gb
                .iter()
                .map(|x| f64_json(*x))
                .collect(),
        ),
    );
    Value::Object(out)
}

/// Table name → metrics lists (batch write and transaction outputs).
pub(crate) fn item_collection_metrics_map_json(
    m: &BTreeMap<String, Vec<ItemCollectionMetrics>>,
) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Value::Array(v.iter().map(item_collection_metrics_json).collect()),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json_tree;
    use serde_json::json;

    #[test]
    fn consumed_capacity_writes_only_set_members() {
        let c = ConsumedCapacity {
            table_name: Some("T".into()),
            capacity_units: Some(1.0),
            ..Default::default()
        };
        assert_eq!(
            consumed_capacity_json(&c),
            json!({"TableName": "T", "CapacityUnits": 1.0})
        );
        let c = ConsumedCapacity {
            table_name: Some("T".into()),
            capacity_units: Some(3.0),
            table: Some(Capacity {
                capacity_units: Some(1.0),
                ..Default::default()
            }),
            global_secondary_indexes: Some(
                [(
                    "g".to_string(),
                    Capacity {
                        read_capacity_units: Some(2.0),
                        ..Default::default()
                    },
                )]
                .into(),
            ),
            ..Default::default()
        };
        assert_eq!(
            consumed_capacity_json(&c),
            json!({"TableName": "T", "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
                   "GlobalSecondaryIndexes": {"g": {"ReadCapacityUnits": 2.0}}})
        );
    }

    #[test]
    fn legacy_members_are_read() {
        let body = json_tree!({
            "Expected": {"a": {"Value": {"S": "x"}, "Exists": true},
                         "b": {"ComparisonOperator": "BETWEEN",
                               "AttributeValueList": [{"N": "1"}, {"N": "2"}]}},
            "KeyConditions": {"k": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "v"}]}},
            "AttributeUpdates": {"c": {"Action": "DELETE"}}
        });
        let s = Struct::root(body.as_object().expect("object"));
        let mut d = Decoder::new();
        let expected = s.expected(&mut d).expect("types").expect("present");
        assert_eq!(expected["a"].exists, Some(true));
        assert_eq!(
            expected["b"].comparison_operator,
            Some(ComparisonOperator::Between)
        );
        assert_eq!(
            expected["b"].attribute_value_list.as_ref().map(Vec::len),
            Some(2)
        );
        let kc = s
            .conditions(&mut d, "KeyConditions")
            .expect("types")
            .expect("present");
        assert_eq!(kc["k"].comparison_operator, ComparisonOperator::Eq);
        let au = s
            .attribute_updates(&mut d)
            .expect("types")
            .expect("present");
        assert_eq!(au["c"].action, Some(AttributeAction::Delete));
        d.finish(()).expect("valid");
    }

    #[test]
    fn legacy_enum_violations_name_the_entry() {
        let body = json_tree!({"ScanFilter": {"a": {"ComparisonOperator": "XX"}, "b": {}}});
        let s = Struct::root(body.as_object().expect("object"));
        let mut d = Decoder::new();
        s.conditions(&mut d, "ScanFilter").expect("types");
        assert_eq!(
            d.finish(()).expect_err("invalid").message(),
            "2 validation errors detected: Value 'XX' at 'scanFilter.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]; Value null at 'scanFilter.b.member.comparisonOperator' failed to satisfy constraint: Member must not be null"
        );
    }
}
