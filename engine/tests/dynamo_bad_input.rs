//! Hostile requests never panic: random expressions, placeholder maps,
//! items and keys thrown at every operation get either a result or a
//! DynamoDB error.

mod common;

use common::*;
use proptest::prelude::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::{AttributeValue, Item, Number};

/// Expression fragments, so random strings are often nearly valid.
const WORDS: &[&str] = &[
    "a",
    "b",
    "pk",
    "sk",
    "#n",
    "#m",
    ":v",
    ":w",
    ":l",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "(",
    ")",
    ",",
    ".",
    "[0]",
    "[9]",
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    "size(",
    "attribute_exists(",
    "attribute_not_exists(",
    "begins_with(",
    "contains(",
    "attribute_type(",
    "if_not_exists(",
    "list_append(",
    "+",
    "-",
    "a.b",
    "a[1]",
    "#n.c",
    "x",
];

fn expr() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..12).prop_map(|w| w.join(" "))
}

fn value() -> impl Strategy<Value = AttributeValue> {
    let leaf = prop_oneof![
        "[a-c]{0,3}".prop_map(AttributeValue::S),
        (-5i64..5).prop_map(|n| AttributeValue::N(Number::from(n))),
        prop::collection::vec(any::<u8>(), 0..3).prop_map(AttributeValue::B),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null),
        prop::collection::btree_set("[a-c]{1,2}", 0..3).prop_map(AttributeValue::Ss),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(AttributeValue::L),
            prop::collection::btree_map("[a-c]", inner, 0..3).prop_map(AttributeValue::M),
        ]
    })
}

fn item() -> impl Strategy<Value = Item> {
    prop::collection::btree_map(
        prop::sample::select(vec!["pk", "sk", "a", "b", "x"]).prop_map(String::from),
        value(),
        0..5,
    )
}

fn maybe<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop::option::of(s)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_requests_get_answers_not_panics(
        it in item(),
        key in item(),
        update in maybe(expr()),
        condition in maybe(expr()),
        filter in maybe(expr()),
        projection in maybe(expr()),
        names in maybe(prop::collection::hash_map(prop::sample::select(vec!["#n", "#m", "n", "#"]).prop_map(String::from), "[a-c.]{0,2}", 0..3)),
        vals in maybe(prop::collection::hash_map(prop::sample::select(vec![":v", ":w", ":l", "v"]).prop_map(String::from), value(), 0..3)),
        limit in maybe(-1i64..3),
    ) {
        let db = DynamoDb::open_in_memory().expect("open");
        create(&db, "tbl", Some(("sk", ScalarAttributeType::N)));
        put(&db, "tbl", common::item(&[("pk", s("p")), ("sk", n("1")), ("a", n("1"))]));
        let _ = db.put_item(PutItemInput {
            table_name: "tbl".into(), item: it.clone(), condition_expression: condition.clone(),
            expression_attribute_names: names.clone(), expression_attribute_values: vals.clone(),
            ..Default::default()
        });
        let _ = db.update_item(UpdateItemInput {
            table_name: "tbl".into(), key: key.clone(), update_expression: update.clone(),
            condition_expression: condition.clone(), expression_attribute_names: names.clone(),
            expression_attribute_values: vals.clone(), return_values: Some(ReturnValue::UpdatedNew),
            ..Default::default()
        });
        let _ = db.get_item(GetItemInput {
            table_name: "tbl".into(), key: key.clone(), projection_expression: projection.clone(),
            expression_attribute_names: names.clone(), ..Default::default()
        });
        let _ = db.delete_item(DeleteItemInput {
            table_name: "tbl".into(), key: key.clone(), condition_expression: condition.clone(),
            expression_attribute_names: names.clone(), expression_attribute_values: vals.clone(),
            ..Default::default()
        });
        let _ = db.query(QueryInput {
            table_name: "tbl".into(), key_condition_expression: condition.clone(),
            filter_expression: filter.clone(), projection_expression: projection.clone(),
            expression_attribute_names: names.clone(), expression_attribute_values: vals.clone(),
            limit, exclusive_start_key: Some(key.clone()).filter(|k| !k.is_empty()),
            ..Default::default()
        });
        let _ = db.scan(ScanInput {
            table_name: "tbl".into(), filter_expression: filter, projection_expression: projection,
            expression_attribute_names: names, expression_attribute_values: vals, limit,
            ..Default::default()
        });
        let _ = db.transact_write_items(TransactWriteItemsInput {
            transact_items: vec![
                TransactWriteItem::Put(Put { table_name: "tbl".into(), item: it, ..Default::default() }),
                TransactWriteItem::Update(Update {
                    table_name: "tbl".into(), key, update_expression: update.unwrap_or_default(),
                    ..Default::default()
                }),
            ],
            ..Default::default()
        });
        // Whatever happened, the database still answers.
        let after = db.scan(ScanInput {
            table_name: "tbl".into(),
            ..Default::default()
        });
        prop_assert!(after.is_ok(), "scan after hostile requests: {:?}", after.err());
    }
}
