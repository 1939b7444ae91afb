//! Query and Scan ↔ DynamoDB JSON.

use serde::ser::{Serialize, SerializeMap, Serializer};
use siltdb::dynamo::api::{QueryInput, QueryOutput, ScanInput, Select};

use super::common::{consumed_capacity_json, SELECT_SET};
use super::decode::{DResult, Decoder, Struct};
use super::value::{items_json, ItemJson};

/// Reads a `Query` request.
///
/// Constraint violations are listed in the order DynamoDB listed them for
/// dynalite's test suite (`test/query.js`, "incorrect attributes", pasted
/// from the service's answer): `select`, `indexName`,
/// `returnConsumedCapacity`, `queryFilter`, `tableName`,
/// `conditionalOperator`, `attributesToGet`, `limit`, `keyConditions`; the
/// members not in that answer follow.
pub(crate) fn query_input(d: &mut Decoder, s: Struct<'_>) -> DResult<QueryInput> {
    let select = s.enumeration(d, "Select", Select::parse, SELECT_SET)?;
    let index_name = s.index_name(d)?;
    let return_consumed_capacity = s.return_consumed_capacity(d)?;
    let query_filter = s.conditions(d, "QueryFilter")?;
    let table_name = s.table_name(d)?;
    let conditional_operator = s.conditional_operator(d)?;
    let attributes_to_get = s.string_list(d, "AttributesToGet", Some(1))?;
    let limit = s.integer(d, "Limit", "Integer", Some(1), None)?;
    let key_conditions = s.conditions(d, "KeyConditions")?;
    let ex = s.expressions(d)?;
    Ok(QueryInput {
        table_name,
        index_name,
        key_condition_expression: s.string("KeyConditionExpression")?,
        filter_expression: s.string("FilterExpression")?,
        projection_expression: s.string("ProjectionExpression")?,
        expression_attribute_names: ex.names,
        expression_attribute_values: ex.values,
        select,
        limit,
        consistent_read: s.bool("ConsistentRead")?,
        scan_index_forward: s.bool("ScanIndexForward")?,
        exclusive_start_key: s.optional_item(d, "ExclusiveStartKey")?,
        return_consumed_capacity,
        key_conditions,
        query_filter,
        conditional_operator,
        attributes_to_get,
    })
}

/// Reads a `Scan` request.
///
/// Constraint violations are listed in the order DynamoDB listed them for
/// dynalite's test suite (`test/scan.js`, "incorrect attributes"):
/// `select`, `indexName`, `totalSegments`, `returnConsumedCapacity`,
/// `tableName`, `conditionalOperator`, `scanFilter`, `segment`, `limit`;
/// then `attributesToGet` (beyond the ten that answer lists, where
/// dynalite's `validations/scan.js` checks it) and the rest.
pub(crate) fn scan_input(d: &mut Decoder, s: Struct<'_>) -> DResult<ScanInput> {
    let select = s.enumeration(d, "Select", Select::parse, SELECT_SET)?;
    let index_name = s.index_name(d)?;
    let total_segments = s.integer(d, "TotalSegments", "Integer", Some(1), Some(1_000_000))?;
    let return_consumed_capacity = s.return_consumed_capacity(d)?;
    let table_name = s.table_name(d)?;
    let conditional_operator = s.conditional_operator(d)?;
    let scan_filter = s.conditions(d, "ScanFilter")?;
    let segment = s.integer(d, "Segment", "Integer", Some(0), Some(999_999))?;
    let limit = s.integer(d, "Limit", "Integer", Some(1), None)?;
    let attributes_to_get = s.string_list(d, "AttributesToGet", Some(1))?;
    let ex = s.expressions(d)?;
    Ok(ScanInput {
        table_name,
        index_name,
        filter_expression: s.string("FilterExpression")?,
        projection_expression: s.string("ProjectionExpression")?,
        expression_attribute_names: ex.names,
        expression_attribute_values: ex.values,
        select,
        limit,
        consistent_read: s.bool("ConsistentRead")?,
        exclusive_start_key: s.optional_item(d, "ExclusiveStartKey")?,
        segment,
        total_segments,
        return_consumed_capacity,
        scan_filter,
        conditional_operator,
        attributes_to_get,
    })
}

/// A `Query` or `Scan` response, written straight to bytes.
pub(crate) fn query_output(o: &QueryOutput) -> impl Serialize + '_ {
    QueryJson(o)
}

/// [`query_output`]'s writer.
struct QueryJson<'a>(&'a QueryOutput);

impl Serialize for QueryJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Members in name order, as a `serde_json::Map` would write them.
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(c) = &o.consumed_capacity {
            m.serialize_entry("ConsumedCapacity", &consumed_capacity_json(c))?;
        }
        m.serialize_entry("Count", &o.count)?;
        if let Some(items) = &o.items {
            m.serialize_entry("Items", &items_json(items))?;
        }
        if let Some(k) = &o.last_evaluated_key {
            m.serialize_entry("LastEvaluatedKey", &ItemJson(k))?;
        }
        m.serialize_entry("ScannedCount", &o.scanned_count)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use siltdb::dynamo::api::ComparisonOperator;
    use siltdb::dynamo::AttributeValue;

    use crate::json::decode::read_request as read;
    use crate::json::value::to_value;

    #[test]
    fn query_reads_every_member() {
        let q = read(
            json!({"TableName": "T", "IndexName": "byDate",
                   "KeyConditionExpression": "pk = :p", "FilterExpression": "a > :a",
                   "ProjectionExpression": "a, b", "ExpressionAttributeNames": {"#a": "a"},
                   "ExpressionAttributeValues": {":p": {"S": "x"}, ":a": {"N": "1"}},
                   "Select": "SPECIFIC_ATTRIBUTES", "Limit": 10, "ConsistentRead": false,
                   "ScanIndexForward": false, "ExclusiveStartKey": {"pk": {"S": "x"}},
                   "ReturnConsumedCapacity": "INDEXES",
                   "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}},
                   "QueryFilter": {"a": {"ComparisonOperator": "NOT_NULL"}},
                   "ConditionalOperator": "AND", "AttributesToGet": ["a"]}),
            query_input,
        )
        .expect("valid");
        assert_eq!(q.index_name.as_deref(), Some("byDate"));
        assert_eq!(q.limit, Some(10));
        assert_eq!(q.scan_index_forward, Some(false));
        assert_eq!(q.select, Some(Select::SpecificAttributes));
        assert_eq!(
            q.query_filter.as_ref().map(|f| f["a"].comparison_operator),
            Some(ComparisonOperator::NotNull)
        );
    }

    #[test]
    fn query_and_scan_constraints() {
        let e = read(
            json!({"TableName": "T", "Limit": 0, "IndexName": "a!", "Select": "SOME"}),
            query_input,
        )
        .expect_err("invalid");
        assert_eq!(
            e.message(),
            "4 validation errors detected: \
             Value 'SOME' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]; \
             Value 'a!' at 'indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; \
             Value 'a!' at 'indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; \
             Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        let e = read(
            json!({"TableName": "T", "Segment": -1, "TotalSegments": 1000001}),
            scan_input,
        )
        .expect_err("invalid");
        assert_eq!(
            e.message(),
            "2 validation errors detected: \
             Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000; \
             Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"
        );
        let e = read(json!({"TableName": "T", "Limit": "5"}), scan_input).expect_err("type");
        assert_eq!(e.message(), "STRING_VALUE cannot be converted to Integer");
        let s = read(
            json!({"TableName": "T", "Segment": 1, "TotalSegments": 4,
                   "ScanFilter": {"a": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "x"}]}}}),
            scan_input,
        )
        .expect("valid");
        assert_eq!((s.segment, s.total_segments), (Some(1), Some(4)));
    }

    #[test]
    fn output_has_counts_and_only_set_members() {
        assert_eq!(
            to_value(query_output(&QueryOutput::default())),
            json!({"Count": 0, "ScannedCount": 0})
        );
        let o = QueryOutput {
            items: Some(vec![
                [("k".to_string(), AttributeValue::S("v".into()))].into()
            ]),
            count: 1,
            scanned_count: 2,
            last_evaluated_key: Some([("k".to_string(), AttributeValue::S("v".into()))].into()),
            consumed_capacity: None,
        };
        assert_eq!(
            to_value(query_output(&o)),
            json!({"Items": [{"k": {"S": "v"}}], "Count": 1, "ScannedCount": 2,
                   "LastEvaluatedKey": {"k": {"S": "v"}}})
        );
    }

    #[test]
    fn index_query_pages_round_trip_through_json() {
        use siltdb::dynamo::api::*;
        use siltdb::dynamo::DynamoDb;
        use siltdb::dynamo::ScalarAttributeType;
        let db = DynamoDb::open_in_memory().expect("open");
        let def = |n: &str, t| AttributeDefinition {
            attribute_name: n.into(),
            attribute_type: t,
        };
        let key = |n: &str, t| KeySchemaElement {
            attribute_name: n.into(),
            key_type: t,
        };
        // TEMPORARY path until CreateTable accepts indexes on main.
        db.create_table(CreateTableInput {
            table_name: "TTT".into(),
            attribute_definitions: vec![
                def("pk", ScalarAttributeType::S),
                def("g", ScalarAttributeType::S),
                def("n", ScalarAttributeType::N),
            ],
            key_schema: vec![key("pk", KeyType::Hash)],
            billing_mode: Some(BillingMode::PayPerRequest),
            global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                index_name: "byG".into(),
                key_schema: vec![key("g", KeyType::Hash), key("n", KeyType::Range)],
                projection: Projection {
                    projection_type: Some(ProjectionType::KeysOnly),
                    non_key_attributes: None,
                },
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            }]),
            ..Default::default()
        })
        .expect("create");
        for i in 0..3i64 {
            let item: siltdb::Item = [
                ("pk".to_string(), AttributeValue::S(format!("k{i}"))),
                ("g".to_string(), AttributeValue::S("x".into())),
                ("n".to_string(), AttributeValue::N(i.into())),
            ]
            .into();
            db.put_item(PutItemInput {
                table_name: "TTT".into(),
                item,
                ..Default::default()
            })
            .expect("put");
        }
        let mut body = json!({"TableName": "TTT", "IndexName": "byG", "Limit": 2,
                              "KeyConditionExpression": "g = :g",
                              "ExpressionAttributeValues": {":g": {"S": "x"}}});
        let first = to_value(query_output(
            &db.query(read(body.clone(), query_input).expect("decode"))
                .expect("query"),
        ));
        assert_eq!(
            first["LastEvaluatedKey"],
            json!({"pk": {"S": "k1"}, "g": {"S": "x"}, "n": {"N": "1"}})
        );
        body["ExclusiveStartKey"] = first["LastEvaluatedKey"].clone();
        let second = to_value(query_output(
            &db.query(read(body, query_input).expect("decode"))
                .expect("query"),
        ));
        assert_eq!(
            second,
            json!({"Items": [{"pk": {"S": "k2"}, "g": {"S": "x"}, "n": {"N": "2"}}],
                   "Count": 1, "ScannedCount": 1})
        );
    }
}
