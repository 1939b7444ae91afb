//! PutItem, GetItem, UpdateItem, DeleteItem: conditions, ReturnValues,
//! consumed capacity, key validation, persistence.

mod common;

use common::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::dynamo::{DynamoDb, DynamoError};
use siltdb::AttributeValue;

fn db() -> DynamoDb {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "tbl", Some(("sk", ScalarAttributeType::N)));
    db
}

fn key(pk: &str, sk: &str) -> siltdb::Item {
    item(&[("pk", s(pk)), ("sk", n(sk))])
}

#[test]
fn put_get_delete_round_trip_with_return_values() {
    let db = db();
    let first = item(&[("pk", s("a")), ("sk", n("1")), ("v", s("one"))]);
    let out = db
        .put_item(PutItemInput {
            table_name: "tbl".into(),
            item: first.clone(),
            return_values: Some(ReturnValue::AllOld),
            ..Default::default()
        })
        .expect("put");
    assert_eq!(out.attributes, None, "nothing replaced");
    let second = item(&[("pk", s("a")), ("sk", n("1")), ("v", s("two"))]);
    let out = db
        .put_item(PutItemInput {
            table_name: "tbl".into(),
            item: second.clone(),
            return_values: Some(ReturnValue::AllOld),
            ..Default::default()
        })
        .expect("put");
    assert_eq!(out.attributes, Some(first));
    assert_eq!(get(&db, "tbl", key("a", "1")), Some(second.clone()));
    // 1 and 1.0 are the same key.
    assert_eq!(get(&db, "tbl", key("a", "1.0")), Some(second.clone()));
    let out = db
        .delete_item(DeleteItemInput {
            table_name: "tbl".into(),
            key: key("a", "1"),
            return_values: Some(ReturnValue::AllOld),
            ..Default::default()
        })
        .expect("delete");
    assert_eq!(out.attributes, Some(second));
    assert_eq!(get(&db, "tbl", key("a", "1")), None);
    assert_eq!(
        validation(db.put_item(PutItemInput {
            table_name: "tbl".into(),
            item: key("a", "1"),
            return_values: Some(ReturnValue::AllNew),
            ..Default::default()
        })),
        "ReturnValues can only be ALL_OLD or NONE"
    );
}

#[test]
fn conditional_put_and_delete() {
    let db = db();
    let it = item(&[("pk", s("a")), ("sk", n("1")), ("v", n("5"))]);
    let insert = |it: siltdb::Item| {
        db.put_item(PutItemInput {
            table_name: "tbl".into(),
            item: it,
            condition_expression: Some("attribute_not_exists(pk)".into()),
            return_values_on_condition_check_failure: Some(
                ReturnValuesOnConditionCheckFailure::AllOld,
            ),
            ..Default::default()
        })
    };
    insert(it.clone()).expect("first insert");
    match insert(it.clone()) {
        Err(DynamoError::ConditionalCheckFailedException { message, item }) => {
            assert_eq!(message, "The conditional request failed");
            assert_eq!(item.map(|b| *b), Some(it.clone()));
        }
        other => panic!("expected ConditionalCheckFailed, got {other:?}"),
    }
    let del = |limit: &str| {
        db.delete_item(DeleteItemInput {
            table_name: "tbl".into(),
            key: key("a", "1"),
            condition_expression: Some("v > :lim".into()),
            expression_attribute_values: values(&[(":lim", n(limit))]),
            ..Default::default()
        })
    };
    assert!(matches!(
        del("5"),
        Err(DynamoError::ConditionalCheckFailedException { item: None, .. })
    ));
    assert!(get(&db, "tbl", key("a", "1")).is_some());
    del("4").expect("condition holds");
    assert_eq!(get(&db, "tbl", key("a", "1")), None);
}

#[test]
fn update_item_expressions_and_return_values() {
    let db = db();
    let upd = |expr: &str, vals: Option<AttributeValues>, rv: ReturnValue| {
        db.update_item(UpdateItemInput {
            table_name: "tbl".into(),
            key: key("a", "1"),
            update_expression: Some(expr.into()),
            expression_attribute_values: vals,
            return_values: Some(rv),
            ..Default::default()
        })
    };
    // Upsert: the item did not exist.
    let out = upd(
        "SET n = :z, tags = :t",
        values(&[
            (":z", n("0")),
            (
                ":t",
                AttributeValue::string_set(vec!["x".into()]).expect("set"),
            ),
        ]),
        ReturnValue::AllNew,
    )
    .expect("update");
    assert_eq!(
        out.attributes,
        Some(item(&[
            ("pk", s("a")),
            ("sk", n("1")),
            ("n", n("0")),
            (
                "tags",
                AttributeValue::string_set(vec!["x".into()]).expect("set")
            )
        ]))
    );
    let out = upd(
        "SET n = n + :one",
        values(&[(":one", n("1"))]),
        ReturnValue::UpdatedOld,
    )
    .expect("update");
    assert_eq!(out.attributes, Some(item(&[("n", n("0"))])));
    let out = upd(
        "ADD n :d",
        values(&[(":d", n("2.5"))]),
        ReturnValue::UpdatedNew,
    )
    .expect("update");
    assert_eq!(out.attributes, Some(item(&[("n", n("3.5"))])));
    let out = upd("REMOVE tags", None, ReturnValue::AllOld).expect("update");
    assert!(out.attributes.is_some_and(|a| a.contains_key("tags")));
    assert_eq!(
        get(&db, "tbl", key("a", "1")),
        Some(item(&[("pk", s("a")), ("sk", n("1")), ("n", n("3.5"))]))
    );
    assert_eq!(
        validation(upd("SET pk = :v", values(&[(":v", s("b"))]), ReturnValue::None)),
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    );
    // A condition on the update.
    let guarded = db.update_item(UpdateItemInput {
        table_name: "tbl".into(),
        key: key("a", "1"),
        update_expression: Some("SET n = :v".into()),
        condition_expression: Some("n = :old".into()),
        expression_attribute_values: values(&[(":v", n("10")), (":old", n("99"))]),
        ..Default::default()
    });
    assert!(matches!(
        guarded,
        Err(DynamoError::ConditionalCheckFailedException { .. })
    ));
    assert_eq!(
        get(&db, "tbl", key("a", "1")).and_then(|i| i.get("n").cloned()),
        Some(n("3.5"))
    );
}

#[test]
fn get_item_projection_and_capacity() {
    let db = db();
    put(
        &db,
        "tbl",
        item(&[
            ("pk", s("a")),
            ("sk", n("1")),
            (
                "m",
                AttributeValue::M(item(&[("x", n("1")), ("y", n("2"))])),
            ),
            ("big", s(&"z".repeat(5000))),
        ]),
    );
    let out = db
        .get_item(GetItemInput {
            table_name: "tbl".into(),
            key: key("a", "1"),
            projection_expression: Some("#m.y, pk".into()),
            expression_attribute_names: names(&[("#m", "m")]),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
            ..Default::default()
        })
        .expect("get");
    assert_eq!(
        out.item,
        Some(item(&[
            ("pk", s("a")),
            ("m", AttributeValue::M(item(&[("y", n("2"))])))
        ]))
    );
    // ~5 KB item, eventually consistent: 2 units / 2.
    let cc = out.consumed_capacity.expect("capacity");
    assert_eq!(cc.table_name.as_deref(), Some("tbl"));
    assert_eq!(cc.capacity_units, Some(1.0));
    let put_cc = db
        .put_item(PutItemInput {
            table_name: "tbl".into(),
            item: item(&[
                ("pk", s("b")),
                ("sk", n("1")),
                ("big", s(&"z".repeat(1500))),
            ]),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Indexes),
            ..Default::default()
        })
        .expect("put")
        .consumed_capacity
        .expect("capacity");
    assert_eq!(put_cc.capacity_units, Some(2.0));
    assert_eq!(put_cc.table.and_then(|t| t.capacity_units), Some(2.0));
}

#[test]
fn bad_keys_and_items_are_validation_errors() {
    let db = db();
    assert_eq!(
        validation(db.put_item(PutItemInput {
            table_name: "tbl".into(),
            item: item(&[("pk", s("a"))]),
            ..Default::default()
        })),
        "One or more parameter values were invalid: Missing the key sk in the item"
    );
    assert_eq!(
        validation(db.put_item(PutItemInput {
            table_name: "tbl".into(),
            item: item(&[("pk", s("a")), ("sk", s("x"))]),
            ..Default::default()
        })),
        "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S"
    );
    assert!(validation(db.put_item(PutItemInput {
        table_name: "tbl".into(),
        item: item(&[("pk", s("")), ("sk", n("1"))]),
        ..Default::default()
    }))
    .contains("cannot contain an empty string value"));
    assert_eq!(
        validation(db.get_item(GetItemInput {
            table_name: "tbl".into(),
            key: item(&[("pk", s("a"))]),
            ..Default::default()
        })),
        "The provided key element does not match the schema"
    );
    let huge = item(&[
        ("pk", s("a")),
        ("sk", n("1")),
        ("v", s(&"x".repeat(400 * 1024))),
    ]);
    assert!(validation(db.put_item(PutItemInput {
        table_name: "tbl".into(),
        item: huge,
        ..Default::default()
    }))
    .contains("Item size has exceeded the maximum allowed size"));
    assert!(matches!(
        db.get_item(GetItemInput {
            table_name: "nope".into(),
            key: key("a", "1"),
            ..Default::default()
        }),
        Err(DynamoError::ResourceNotFoundException(_))
    ));
    assert_eq!(
        validation(db.put_item(PutItemInput {
            table_name: "tbl".into(),
            item: key("a", "1"),
            condition_expression: Some("attribute_exists(#x)".into()),
            expression_attribute_names: names(&[("#x", "x"), ("#unused", "u")]),
            ..Default::default()
        })),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
    );
    assert_eq!(
        validation(db.put_item(PutItemInput {
            table_name: "tbl".into(),
            item: key("a", "1"),
            expression_attribute_values: values(&[(":v", n("1"))]),
            ..Default::default()
        })),
        "ExpressionAttributeValues can only be specified when using expressions"
    );
}
