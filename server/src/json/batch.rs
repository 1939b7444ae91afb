//! BatchGetItem and BatchWriteItem ↔ DynamoDB JSON.

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    BatchGetItemInput, BatchGetItemOutput, BatchWriteItemInput, BatchWriteItemOutput,
    DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};
use siltdb::dynamo::{DynamoError, Item};

use super::common::{consumed_capacities_json, item_collection_metrics_map_json, put_opt};
use super::decode::{
    element_path, entry_path, expect_list, expect_map, expect_struct, matches_name_pattern,
    DResult, Decoder, Position, Struct, MAX_ECHO_CHARS,
};
use super::tree::{Json, Object};
use super::value::{item, item_json, items_json};

/// Java type of `RequestItems` values in BatchWriteItem, for type errors.
const WRITE_REQUESTS_TYPE: &str = "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>";

/// Checks the size of a `RequestItems` map against `max` entries.
fn check_request_items_size(d: &mut Decoder, path: &str, map: &Object, max: usize) {
    let shown = format!("{{{}}}", map.keys().collect::<Vec<_>>().join(", "));
    d.check_length(&shown, path, map.len(), Some(1), Some(max));
}

/// Checks a table name used as a `RequestItems` key (the model's `TableArn`).
fn check_table_key(d: &mut Decoder, path: &str, name: &str) {
    d.check_length(name, path, name.chars().count(), Some(1), Some(1024));
}

/// The constraint a `RequestItems` key that is a plain table name must
/// meet, as DynamoDB words it (its list names all three rules whichever
/// failed).
const TABLE_KEY_CONSTRAINT: &str = "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]";

/// Whether a `RequestItems` key breaks the `TableName` shape: a plain name
/// (not an ARN) of 3–255 characters of `[a-zA-Z0-9_.-]`.
fn breaks_table_name(name: &str) -> bool {
    !name.starts_with("arn:")
        && (!matches_name_pattern(name) || !(3..=255).contains(&name.chars().count()))
}

/// Refuses a `RequestItems` map with a key that breaks the `TableName`
/// shape, before any table is looked up, echoing the whole map as JSON.
///
/// Recorded against DynamoDB (nubo-db/dynamodb-conformance,
/// `tests/tier3/validation-ordering/batchOperations.test.ts`, us-east-1 and
/// eu-west-2, 2026-10-09): BatchGetItem reports it as a model constraint,
/// listed before `returnConsumedCapacity`; BatchWriteItem reports an
/// invalid `ReturnConsumedCapacity` alone over it, so there it is checked
/// after the model's constraints (`deferred`). BatchWriteItem's own wording
/// of it is not recorded: BatchGetItem's is used.
fn check_table_keys(d: &mut Decoder, path: &str, items: &Json, map: &Object, deferred: bool) {
    if !map.keys().any(breaks_table_name) {
        return;
    }
    let shown = items.compact_text(MAX_ECHO_CHARS);
    if deferred {
        d.defer_violation(Some(&shown), path, TABLE_KEY_CONSTRAINT);
    } else {
        d.violation(Some(&shown), path, TABLE_KEY_CONSTRAINT);
    }
}

/// Reads one `KeysAndAttributes`.
fn keys_and_attributes(d: &mut Decoder, s: Struct<'_>) -> DResult<KeysAndAttributes> {
    let keys_path = s.member_path("Keys");
    let keys = match s.get("Keys") {
        Some(v) => {
            let list = expect_list(v, Position::Field)?;
            let mut out = Vec::with_capacity(list.len());
            for e in list.iter().filter(|e| !e.is_null()) {
                out.push(item(d, e, Position::Element)?);
            }
            d.check_length("[...]", &keys_path, out.len(), Some(1), Some(100));
            out
        }
        None => {
            d.violation(None, &keys_path, "Member must not be null");
            Vec::new()
        }
    };
    Ok(KeysAndAttributes {
        keys,
        projection_expression: s.string("ProjectionExpression")?,
        expression_attribute_names: s.expression_names()?,
        consistent_read: s.bool("ConsistentRead")?,
        attributes_to_get: s.string_list(d, "AttributesToGet", Some(1))?,
    })
}

/// Reads a `BatchGetItem` request.
pub(crate) fn batch_get_item_input(d: &mut Decoder, s: Struct<'_>) -> DResult<BatchGetItemInput> {
    let path = s.member_path("RequestItems");
    let mut request_items = BTreeMap::new();
    match s.get("RequestItems") {
        Some(v) => {
            let map = expect_map(v, Position::Field, "KeysAndAttributes")?;
            check_table_keys(d, &path, v, map, false);
            for (table, e) in map.iter().filter(|(_, e)| !e.is_null()) {
                let m = expect_struct(e, Position::Element, "KeysAndAttributes")?;
                let p = entry_path(&path, table);
                check_table_key(d, &path, table);
                request_items.insert(
                    table.to_string(),
                    keys_and_attributes(d, Struct::nested(m, &p))?,
                );
            }
            check_request_items_size(d, &path, map, 100);
        }
        None => d.violation(None, &path, "Member must not be null"),
    }
    Ok(BatchGetItemInput {
        request_items,
        return_consumed_capacity: s.return_consumed_capacity(d)?,
    })
}

/// Reads one `WriteRequest`: exactly one of `PutRequest` and `DeleteRequest`.
fn write_request(d: &mut Decoder, s: Struct<'_>) -> DResult<Option<WriteRequest>> {
    let put = match s.get("PutRequest") {
        Some(v) => {
            let m = expect_struct(v, Position::Field, "PutRequest")?;
            let p = s.member_path("PutRequest");
            let inner = Struct::nested(m, &p);
            Some(WriteRequest::Put(PutRequest {
                item: inner.required_item(d, "Item")?,
            }))
        }
        None => None,
    };
    let delete = match s.get("DeleteRequest") {
        Some(v) => {
            let m = expect_struct(v, Position::Field, "DeleteRequest")?;
            let p = s.member_path("DeleteRequest");
            let inner = Struct::nested(m, &p);
            Some(WriteRequest::Delete(DeleteRequest {
                key: inner.required_item(d, "Key")?,
            }))
        }
        None => None,
    };
    match (put, delete) {
        (Some(w), None) | (None, Some(w)) => Ok(Some(w)),
        // DynamoDB answers a WriteRequest with neither or both members with
        // the AttributeValue message (several reimplementations record it;
        // not confirmed against the service here).
        _ => {
            d.defer(DynamoError::validation(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
            ));
            Ok(None)
        }
    }
}

/// Reads a `BatchWriteItem` request.
pub(crate) fn batch_write_item_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<BatchWriteItemInput> {
    let path = s.member_path("RequestItems");
    let mut request_items = BTreeMap::new();
    match s.get("RequestItems") {
        Some(v) => {
            let map = expect_map(v, Position::Field, WRITE_REQUESTS_TYPE)?;
            check_table_keys(d, &path, v, map, true);
            for (table, e) in map.iter().filter(|(_, e)| !e.is_null()) {
                let list = expect_list(e, Position::Element)?;
                let list_path = entry_path(&path, table);
                check_table_key(d, &path, table);
                let mut writes = Vec::with_capacity(list.len());
                for (i, w) in list.iter().enumerate().filter(|(_, w)| !w.is_null()) {
                    let m = expect_struct(w, Position::Element, "WriteRequest")?;
                    let p = element_path(&list_path, i);
                    if let Some(w) = write_request(d, Struct::nested(m, &p))? {
                        writes.push(w);
                    }
                }
                d.check_length("[...]", &list_path, list.len(), Some(1), Some(25));
                request_items.insert(table.to_string(), writes);
            }
            check_request_items_size(d, &path, map, 25);
        }
        None => d.violation(None, &path, "Member must not be null"),
    }
    Ok(BatchWriteItemInput {
        request_items,
        return_consumed_capacity: s.return_consumed_capacity(d)?,
        return_item_collection_metrics: s.return_item_collection_metrics(d)?,
    })
}

fn keys_and_attributes_json(k: &KeysAndAttributes) -> Value {
    let mut m = Map::new();
    m.insert(
        "Keys".to_string(),
        Value::Array(k.keys.iter().map(item_json).collect()),
    );
    put_opt(
        &mut m,
        "ProjectionExpression",
        k.projection_expression.clone().map(Value::String),
    );
    put_opt(
        &mut m,
        "ExpressionAttributeNames",
        k.expression_attribute_names.as_ref().map(|n| {
            Value::Object(
                n.iter()
                    .map(|(a, b)| (a.clone(), Value::String(b.clone())))
                    .collect(),
            )
        }),
    );
    put_opt(&mut m, "ConsistentRead", k.consistent_read.map(Value::Bool));
    put_opt(
        &mut m,
        "AttributesToGet",
        k.attributes_to_get
            .as_ref()
            .map(|a| a.iter().cloned().map(Value::String).collect()),
    );
    Value::Object(m)
}

/// A `BatchGetItem` response, written straight to bytes. `Responses` and
/// `UnprocessedKeys` are always present, as DynamoDB sends them.
pub(crate) fn batch_get_item_output(o: &BatchGetItemOutput) -> impl Serialize + '_ {
    BatchGetJson(o)
}

/// [`batch_get_item_output`]'s writer.
struct BatchGetJson<'a>(&'a BatchGetItemOutput);

impl Serialize for BatchGetJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Members in name order, as a `serde_json::Map` would write them;
        // the tables in name order too (both maps are `BTreeMap`s).
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(c) = o.consumed_capacity.as_deref() {
            m.serialize_entry("ConsumedCapacity", &consumed_capacities_json(c))?;
        }
        m.serialize_entry("Responses", &ResponsesJson(&o.responses))?;
        let unprocessed: Map<String, Value> = o
            .unprocessed_keys
            .iter()
            .map(|(t, k)| (t.clone(), keys_and_attributes_json(k)))
            .collect();
        m.serialize_entry("UnprocessedKeys", &unprocessed)?;
        m.end()
    }
}

/// `Responses`: each table's items.
struct ResponsesJson<'a>(&'a BTreeMap<String, Vec<Item>>);

impl Serialize for ResponsesJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(t, items)| (t, items_json(items))))
    }
}

fn write_request_json(w: &WriteRequest) -> Value {
    let (key, inner) = match w {
        WriteRequest::Put(p) => ("PutRequest", ("Item", item_json(&p.item))),
        WriteRequest::Delete(d) => ("DeleteRequest", ("Key", item_json(&d.key))),
    };
    let mut i = Map::new();
    i.insert(inner.0.to_string(), inner.1);
    let mut m = Map::new();
    m.insert(key.to_string(), Value::Object(i));
    Value::Object(m)
}

/// A `BatchWriteItem` response; `UnprocessedItems` is always present.
pub(crate) fn batch_write_item_output(o: &BatchWriteItemOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "UnprocessedItems".to_string(),
        Value::Object(
            o.unprocessed_items
                .iter()
                .map(|(t, ws)| {
                    (
                        t.clone(),
                        Value::Array(ws.iter().map(write_request_json).collect()),
                    )
                })
                .collect(),
        ),
    );
    put_opt(
        &mut m,
        "ItemCollectionMetrics",
        o.item_collection_metrics
            .as_ref()
            .map(item_collection_metrics_map_json),
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
    use siltdb::dynamo::AttributeValue;

    use crate::json::decode::read_request as read;
    use crate::json::value::to_value;

    #[test]
    fn batch_get_reads_and_checks() {
        let i = read(
            json!({"RequestItems": {"Tbl": {"Keys": [{"k": {"S": "1"}}, {"k": {"S": "2"}}],
                                          "ConsistentRead": true, "ProjectionExpression": "k"}},
                   "ReturnConsumedCapacity": "TOTAL"}),
            batch_get_item_input,
        )
        .expect("valid");
        assert_eq!(i.request_items["Tbl"].keys.len(), 2);
        assert_eq!(i.request_items["Tbl"].consistent_read, Some(true));
        let e = read(json!({"RequestItems": {}}), batch_get_item_input).expect_err("empty");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        let e = read(
            json!({"RequestItems": {"Tbl": {"Keys": []}}}),
            batch_get_item_input,
        )
        .expect_err("no keys");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value '[...]' at 'requestItems.Tbl.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        let e = read(json!({}), batch_get_item_input).expect_err("missing");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null"
        );
        let e = read(json!({"RequestItems": {"Tbl": []}}), batch_get_item_input).expect_err("type");
        assert_eq!(
            e.message(),
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeysAndAttributes"
        );
    }

    #[test]
    fn batch_write_reads_and_checks() {
        let i = read(
            json!({"RequestItems": {"Tbl": [{"PutRequest": {"Item": {"k": {"S": "1"}}}},
                                          {"DeleteRequest": {"Key": {"k": {"S": "2"}}}}]}}),
            batch_write_item_input,
        )
        .expect("valid");
        assert!(matches!(i.request_items["Tbl"][0], WriteRequest::Put(_)));
        assert!(matches!(i.request_items["Tbl"][1], WriteRequest::Delete(_)));
        let e = read(
            json!({"RequestItems": {"Tbl": [{}]}}),
            batch_write_item_input,
        )
        .expect_err("empty request");
        assert_eq!(e.name(), "ValidationException");
        let e =
            read(json!({"RequestItems": {"Tbl": 5}}), batch_write_item_input).expect_err("type");
        assert_eq!(e.name(), "SerializationException");
        let many: Vec<Value> = (0..26)
            .map(|i| json!({"DeleteRequest": {"Key": {"k": {"N": i.to_string()}}}}))
            .collect();
        let e = read(
            json!({"RequestItems": {"Tbl": many}}),
            batch_write_item_input,
        )
        .expect_err("too many");
        assert_eq!(
            e.message(),
            "1 validation error detected: Value '[...]' at 'requestItems.Tbl.member' failed to satisfy constraint: Member must have length less than or equal to 25"
        );
    }

    #[test]
    fn outputs_always_carry_the_unprocessed_maps() {
        assert_eq!(
            to_value(batch_get_item_output(&BatchGetItemOutput::default())),
            json!({"Responses": {}, "UnprocessedKeys": {}})
        );
        assert_eq!(
            batch_write_item_output(&BatchWriteItemOutput::default()),
            json!({"UnprocessedItems": {}})
        );
        let key: siltdb::dynamo::Item = [("k".to_string(), AttributeValue::S("1".into()))].into();
        let o = BatchWriteItemOutput {
            unprocessed_items: [(
                "Tbl".to_string(),
                vec![
                    WriteRequest::Put(PutRequest { item: key.clone() }),
                    WriteRequest::Delete(DeleteRequest { key: key.clone() }),
                ],
            )]
            .into(),
            ..Default::default()
        };
        assert_eq!(
            batch_write_item_output(&o),
            json!({"UnprocessedItems": {"Tbl": [{"PutRequest": {"Item": {"k": {"S": "1"}}}},
                                              {"DeleteRequest": {"Key": {"k": {"S": "1"}}}}]}})
        );
        let o = BatchGetItemOutput {
            responses: [("Tbl".to_string(), vec![key.clone()])].into(),
            unprocessed_keys: [(
                "Tbl".to_string(),
                KeysAndAttributes {
                    keys: vec![key],
                    consistent_read: Some(true),
                    ..Default::default()
                },
            )]
            .into(),
            consumed_capacity: None,
        };
        assert_eq!(
            to_value(batch_get_item_output(&o)),
            json!({"Responses": {"Tbl": [{"k": {"S": "1"}}]},
                   "UnprocessedKeys": {"Tbl": {"Keys": [{"k": {"S": "1"}}], "ConsistentRead": true}}})
        );
    }

    #[test]
    fn unprocessed_entries_round_trip_into_a_retry_request() {
        // What a client does with UnprocessedItems/UnprocessedKeys: send
        // them back as RequestItems. Encoding then decoding must be exact.
        let key: siltdb::dynamo::Item = [
            ("k".to_string(), AttributeValue::B(vec![0, 1, 255])),
            ("n".to_string(), AttributeValue::N(7i64.into())),
        ]
        .into();
        let mut item = key.clone();
        item.insert(
            "doc".into(),
            AttributeValue::L(vec![AttributeValue::Null, AttributeValue::Bool(false)]),
        );
        let writes = [(
            "Tbl".to_string(),
            vec![
                WriteRequest::Put(PutRequest { item }),
                WriteRequest::Delete(DeleteRequest { key: key.clone() }),
            ],
        )]
        .into();
        let out = batch_write_item_output(&BatchWriteItemOutput {
            unprocessed_items: writes,
            ..Default::default()
        });
        let retry = json!({"RequestItems": out["UnprocessedItems"].clone()});
        let input = read(retry, batch_write_item_input).expect("valid retry");
        assert_eq!(
            batch_write_item_output(&BatchWriteItemOutput {
                unprocessed_items: input.request_items,
                ..Default::default()
            }),
            out
        );

        let keys = KeysAndAttributes {
            keys: vec![key],
            projection_expression: Some("#n".into()),
            expression_attribute_names: Some([("#n".to_string(), "n".to_string())].into()),
            consistent_read: Some(false),
            attributes_to_get: None,
        };
        let out = to_value(batch_get_item_output(&BatchGetItemOutput {
            unprocessed_keys: [("Tbl".to_string(), keys.clone())].into(),
            ..Default::default()
        }));
        let retry = json!({"RequestItems": out["UnprocessedKeys"].clone()});
        let input = read(retry, batch_get_item_input).expect("valid retry");
        assert_eq!(input.request_items["Tbl"], keys);
    }
}
