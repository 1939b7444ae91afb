//! BatchGetItem and BatchWriteItem: round trips, DynamoDB's limits and
//! messages, duplicates, unknown tables, key checks, projection, the 16 MB
//! response limit and consumed capacity.

mod common;

use std::collections::BTreeMap;

use common::{item, n, s};
use siltdb::dynamo::api::*;
use siltdb::dynamo::DynamoDb;
use siltdb::dynamo::ScalarAttributeType;
use siltdb::{AttributeValue, DynamoError, Item};

fn create(db: &DynamoDb, name: &str, hash: &str, range: Option<&str>) {
    let mut defs = vec![AttributeDefinition {
        attribute_name: hash.into(),
        attribute_type: ScalarAttributeType::S,
    }];
    let mut schema = vec![KeySchemaElement {
        attribute_name: hash.into(),
        key_type: KeyType::Hash,
    }];
    if let Some(r) = range {
        defs.push(AttributeDefinition {
            attribute_name: r.into(),
            attribute_type: ScalarAttributeType::N,
        });
        schema.push(KeySchemaElement {
            attribute_name: r.into(),
            key_type: KeyType::Range,
        });
    }
    db.create_table(CreateTableInput {
        table_name: name.into(),
        attribute_definitions: defs,
        key_schema: schema,
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    })
    .expect("create table");
}

/// A database with `Users` (hash key `id`) and `Events` (hash `pk`, range `n`).
fn setup() -> DynamoDb {
    let db = DynamoDb::open_in_memory().expect("open");
    create(&db, "Users", "id", None);
    create(&db, "Events", "pk", Some("n"));
    db
}

fn put(t: &str, i: Item) -> (String, WriteRequest) {
    (t.to_string(), WriteRequest::Put(PutRequest { item: i }))
}

fn write(
    db: &DynamoDb,
    reqs: Vec<(String, WriteRequest)>,
) -> Result<BatchWriteItemOutput, DynamoError> {
    let mut request_items: BTreeMap<String, Vec<WriteRequest>> = BTreeMap::new();
    for (t, r) in reqs {
        request_items.entry(t).or_default().push(r);
    }
    db.batch_write_item(BatchWriteItemInput {
        request_items,
        ..Default::default()
    })
}

fn keys(keys: Vec<Item>) -> KeysAndAttributes {
    KeysAndAttributes {
        keys,
        ..Default::default()
    }
}

fn get(
    db: &DynamoDb,
    items: Vec<(&str, KeysAndAttributes)>,
) -> Result<BatchGetItemOutput, DynamoError> {
    db.batch_get_item(BatchGetItemInput {
        request_items: items.into_iter().map(|(t, k)| (t.to_string(), k)).collect(),
        ..Default::default()
    })
}

fn get_one(db: &DynamoDb, table: &str, key: Item) -> Option<Item> {
    db.get_item(GetItemInput {
        table_name: table.into(),
        key,
        ..Default::default()
    })
    .expect("get_item")
    .item
}

fn validation(r: Result<impl std::fmt::Debug, DynamoError>) -> String {
    match r {
        Err(DynamoError::ValidationException(m)) => m,
        other => panic!("expected a ValidationException, got {other:?}"),
    }
}

fn user(i: usize) -> Item {
    item(&[
        ("id", s(&format!("u{i}"))),
        ("name", s(&format!("name {i}"))),
    ])
}

fn event(i: usize) -> Item {
    item(&[("pk", s("e")), ("n", n(i as i64)), ("body", s("x"))])
}

#[test]
fn writes_then_reads_across_two_tables() {
    let db = setup();
    let mut reqs: Vec<_> = (0..20).map(|i| put("Users", user(i))).collect();
    reqs.extend((0..5).map(|i| put("Events", event(i))));
    let out = write(&db, reqs).expect("batch write");
    assert!(out.unprocessed_items.is_empty());
    assert_eq!(out.consumed_capacity, None);

    let mut user_keys: Vec<Item> = (0..20)
        .map(|i| item(&[("id", s(&format!("u{i}")))]))
        .collect();
    user_keys.push(item(&[("id", s("missing"))]));
    let event_keys: Vec<Item> = (0..5)
        .map(|i| item(&[("pk", s("e")), ("n", n(i))]))
        .collect();
    let out = get(
        &db,
        vec![("Users", keys(user_keys)), ("Events", keys(event_keys))],
    )
    .expect("batch get");
    assert!(out.unprocessed_keys.is_empty());
    let mut users = out.responses["Users"].clone();
    users.sort_by_key(|u| format!("{:?}", u["id"]));
    let mut expected: Vec<Item> = (0..20).map(user).collect();
    expected.sort_by_key(|u| format!("{:?}", u["id"]));
    assert_eq!(users, expected);
    assert_eq!(out.responses["Events"].len(), 5);
    for i in 0..5 {
        assert!(out.responses["Events"].contains(&event(i)));
    }

    // Deletes and puts mix in one batch.
    let mut reqs: Vec<_> = (0..10)
        .map(|i| {
            (
                "Users".to_string(),
                WriteRequest::Delete(DeleteRequest {
                    key: item(&[("id", s(&format!("u{i}")))]),
                }),
            )
        })
        .collect();
    reqs.push(put(
        "Users",
        item(&[("id", s("u10")), ("name", s("renamed"))]),
    ));
    write(&db, reqs).expect("batch write 2");
    assert_eq!(get_one(&db, "Users", item(&[("id", s("u3"))])), None);
    assert_eq!(
        get_one(&db, "Users", item(&[("id", s("u10"))])),
        Some(item(&[("id", s("u10")), ("name", s("renamed"))]))
    );
    assert_eq!(
        get_one(&db, "Users", item(&[("id", s("u11"))])),
        Some(user(11))
    );
}

#[test]
fn empty_request_items_are_refused() {
    let db = setup();
    assert_eq!(
        validation(get(&db, vec![])),
        "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        validation(write(&db, vec![])),
        "The requestItems parameter is required for BatchWriteItem"
    );
    assert_eq!(
        validation(get(&db, vec![("Users", keys(vec![]))])),
        "1 validation error detected: Value at 'RequestItems.Users.member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let empty_list = db.batch_write_item(BatchWriteItemInput {
        request_items: [("Users".to_string(), vec![])].into(),
        ..Default::default()
    });
    assert_eq!(
        validation(empty_list),
        "1 validation error detected: Value '{Users=[]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
    );
}

#[test]
fn at_most_100_keys_and_25_writes() {
    let db = setup();
    let user_keys = |range: std::ops::Range<usize>| -> Vec<Item> {
        range
            .map(|i| item(&[("id", s(&format!("u{i}")))]))
            .collect()
    };
    assert!(get(&db, vec![("Users", keys(user_keys(0..100)))]).is_ok());
    assert_eq!(
        validation(get(&db, vec![("Users", keys(user_keys(0..101)))])),
        "1 validation error detected: Value at 'RequestItems.Users.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100"
    );
    let events: Vec<Item> = (0..41)
        .map(|i| item(&[("pk", s("e")), ("n", n(i))]))
        .collect();
    assert_eq!(
        validation(get(
            &db,
            vec![("Users", keys(user_keys(0..60))), ("Events", keys(events))]
        )),
        "Too many items requested for the BatchGetItem call"
    );

    assert!(write(&db, (0..25).map(|i| put("Users", user(i))).collect()).is_ok());
    assert_eq!(
        validation(write(&db, (0..26).map(|i| put("Users", user(i))).collect())),
        "1 validation error detected: Value at 'RequestItems.Users.member' failed to satisfy constraint: Member must have length less than or equal to 25"
    );
    let mut reqs: Vec<_> = (100..113).map(|i| put("Users", user(i))).collect();
    reqs.extend((0..13).map(|i| put("Events", event(i))));
    assert_eq!(
        validation(write(&db, reqs)),
        "Too many items requested for the BatchWriteItem call"
    );
    assert_eq!(get_one(&db, "Users", item(&[("id", s("u100"))])), None);
}

#[test]
fn duplicate_keys_are_refused_and_nothing_is_written() {
    let db = setup();
    let k = item(&[("id", s("dup"))]);
    assert_eq!(
        validation(get(&db, vec![("Users", keys(vec![k.clone(), k.clone()]))])),
        "Provided list of item keys contains duplicates"
    );
    let reqs = vec![
        put("Users", item(&[("id", s("other"))])),
        put("Users", item(&[("id", s("dup")), ("v", n(1))])),
        (
            "Users".to_string(),
            WriteRequest::Delete(DeleteRequest { key: k.clone() }),
        ),
    ];
    assert_eq!(
        validation(write(&db, reqs)),
        "Provided list of item keys contains duplicates"
    );
    assert_eq!(get_one(&db, "Users", item(&[("id", s("other"))])), None);
    // The same key in two tables is two items.
    let reqs = vec![
        put("Users", item(&[("id", s("e"))])),
        put("Events", item(&[("pk", s("e")), ("n", n(0))])),
    ];
    assert!(write(&db, reqs).is_ok());
}

#[test]
fn an_unknown_table_fails_the_whole_request() {
    let db = setup();
    let r = get(
        &db,
        vec![
            ("Users", keys(vec![item(&[("id", s("a"))])])),
            ("Nope", keys(vec![item(&[("id", s("a"))])])),
        ],
    );
    assert!(
        matches!(r, Err(DynamoError::ResourceNotFoundException(_))),
        "{r:?}"
    );
    let r = write(
        &db,
        vec![
            put("Users", item(&[("id", s("a"))])),
            put("Nope", item(&[("id", s("a"))])),
        ],
    );
    assert!(
        matches!(r, Err(DynamoError::ResourceNotFoundException(_))),
        "{r:?}"
    );
    assert_eq!(get_one(&db, "Users", item(&[("id", s("a"))])), None);
}

#[test]
fn keys_and_items_are_checked_like_single_item_requests() {
    let db = setup();
    let mismatch = "The provided key element does not match the schema";
    assert_eq!(
        validation(write(&db, vec![put("Users", item(&[("id", n(5))]))])),
        mismatch
    );
    assert_eq!(
        validation(write(&db, vec![put("Users", item(&[("other", s("x"))]))])),
        mismatch
    );
    assert_eq!(
        validation(write(&db, vec![put("Users", item(&[("id", s(""))]))])),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id"
    );
    let delete = |key: Item| {
        (
            "Users".to_string(),
            WriteRequest::Delete(DeleteRequest { key }),
        )
    };
    assert_eq!(
        validation(write(
            &db,
            vec![delete(item(&[("id", s("a")), ("x", n(1))]))]
        )),
        mismatch
    );
    assert_eq!(
        validation(get(
            &db,
            vec![("Events", keys(vec![item(&[("pk", s("e"))])]))]
        )),
        mismatch
    );
    let big = item(&[("id", s("big")), ("data", s(&"x".repeat(400 * 1024)))]);
    assert_eq!(
        validation(write(&db, vec![put("Users", big)])),
        "Item size has exceeded the maximum allowed size"
    );
    // Exactly 400 KB is fine (name "id" + "ok" + name "data" + value).
    let max = item(&[("id", s("ok")), ("data", s(&"x".repeat(400 * 1024 - 8)))]);
    assert!(write(&db, vec![put("Users", max)]).is_ok());
}

#[test]
fn projection_is_per_table() {
    let db = setup();
    write(
        &db,
        vec![
            put(
                "Users",
                item(&[("id", s("a")), ("name", s("A")), ("age", n(3))]),
            ),
            put(
                "Events",
                item(&[("pk", s("e")), ("n", n(1)), ("body", s("b")), ("x", n(2))]),
            ),
        ],
    )
    .expect("write");
    let out = get(
        &db,
        vec![
            (
                "Users",
                KeysAndAttributes {
                    keys: vec![item(&[("id", s("a"))])],
                    projection_expression: Some("#n".into()),
                    expression_attribute_names: Some(
                        [("#n".to_string(), "name".to_string())].into(),
                    ),
                    ..Default::default()
                },
            ),
            ("Events", keys(vec![item(&[("pk", s("e")), ("n", n(1))])])),
        ],
    )
    .expect("get");
    assert_eq!(out.responses["Users"], vec![item(&[("name", s("A"))])]);
    assert_eq!(
        out.responses["Events"],
        vec![item(&[
            ("pk", s("e")),
            ("n", n(1)),
            ("body", s("b")),
            ("x", n(2))
        ])]
    );
}

#[test]
fn a_bad_projection_fails_the_whole_batch() {
    let db = setup();
    let r = get(
        &db,
        vec![
            (
                "Users",
                KeysAndAttributes {
                    keys: vec![item(&[("id", s("a"))])],
                    projection_expression: Some("a, a".into()),
                    ..Default::default()
                },
            ),
            ("Events", keys(vec![item(&[("pk", s("e")), ("n", n(1))])])),
        ],
    );
    assert_eq!(
        validation(r),
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
    );
}

#[test]
fn responses_stop_at_16_mb_and_the_rest_is_unprocessed() {
    let db = setup();
    let big = |i: usize| {
        item(&[
            ("id", s(&format!("b{i:02}"))),
            ("data", s(&"x".repeat(399_000))),
        ])
    };
    for chunk in (0..50).collect::<Vec<_>>().chunks(25) {
        write(&db, chunk.iter().map(|&i| put("Users", big(i))).collect()).expect("write");
    }
    let all: Vec<Item> = (0..50)
        .map(|i| item(&[("id", s(&format!("b{i:02}")))]))
        .collect();
    let out = db
        .batch_get_item(BatchGetItemInput {
            request_items: [(
                "Users".to_string(),
                KeysAndAttributes {
                    keys: all,
                    consistent_read: Some(true),
                    ..Default::default()
                },
            )]
            .into(),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
        })
        .expect("get");
    let got = &out.responses["Users"];
    let bytes: usize = got.iter().map(siltdb::dynamo::item_size).sum();
    assert!(bytes <= 16 * 1024 * 1024, "{bytes}");
    let rest = &out.unprocessed_keys["Users"];
    assert_eq!(got.len() + rest.keys.len(), 50);
    assert!(!rest.keys.is_empty());
    assert_eq!(rest.consistent_read, Some(true));
    // 399,009-byte items: 98 read units each, consistent.
    let units = out
        .consumed_capacity
        .as_ref()
        .and_then(|c| c[0].capacity_units);
    assert_eq!(units, Some(98.0 * got.len() as f64));
    let again = get(&db, vec![("Users", rest.clone())]).expect("retry");
    assert!(again.unprocessed_keys.is_empty());
    assert_eq!(again.responses["Users"].len(), rest.keys.len());
    let mut ids: Vec<AttributeValue> = got
        .iter()
        .chain(&again.responses["Users"])
        .map(|i| i["id"].clone())
        .collect();
    ids.sort_by_key(|v| format!("{v:?}"));
    ids.dedup();
    assert_eq!(ids.len(), 50);
}

#[test]
fn consumed_capacity_is_one_entry_per_table() {
    let db = setup();
    write(
        &db,
        vec![
            put("Users", item(&[("id", s("small")), ("v", n(1))])),
            put(
                "Users",
                item(&[("id", s("five_kb")), ("v", s(&"x".repeat(5000)))]),
            ),
            put("Events", item(&[("pk", s("e")), ("n", n(1))])),
        ],
    )
    .expect("write");
    let request = |consistent: bool| BatchGetItemInput {
        request_items: [
            (
                "Users".to_string(),
                KeysAndAttributes {
                    keys: vec![
                        item(&[("id", s("small"))]),
                        item(&[("id", s("five_kb"))]),
                        item(&[("id", s("missing"))]),
                    ],
                    consistent_read: Some(consistent),
                    ..Default::default()
                },
            ),
            (
                "Events".to_string(),
                keys(vec![item(&[("pk", s("e")), ("n", n(1))])]),
            ),
        ]
        .into(),
        return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
    };
    let units = |out: BatchGetItemOutput| -> Vec<(Option<String>, Option<f64>)> {
        out.consumed_capacity
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.table_name, c.capacity_units))
            .collect()
    };
    // Each item is rounded on its own: 1 + 2 + 1 (a miss still costs) = 4.
    assert_eq!(
        units(db.batch_get_item(request(true)).expect("get")),
        vec![
            (Some("Events".into()), Some(0.5)),
            (Some("Users".into()), Some(4.0))
        ]
    );
    assert_eq!(
        units(db.batch_get_item(request(false)).expect("get")),
        vec![
            (Some("Events".into()), Some(0.5)),
            (Some("Users".into()), Some(2.0))
        ]
    );

    // Writes: a put is charged for the larger of old and new, a delete for
    // the old item.
    let mut request_items = BTreeMap::new();
    request_items.insert(
        "Users".to_string(),
        vec![
            WriteRequest::Put(PutRequest {
                item: item(&[("id", s("small")), ("v", s(&"y".repeat(1500)))]),
            }),
            WriteRequest::Delete(DeleteRequest {
                key: item(&[("id", s("five_kb"))]),
            }),
        ],
    );
    request_items.insert(
        "Events".to_string(),
        vec![WriteRequest::Put(PutRequest {
            item: item(&[("pk", s("e")), ("n", n(2))]),
        })],
    );
    let out = db
        .batch_write_item(BatchWriteItemInput {
            request_items,
            return_consumed_capacity: Some(ReturnConsumedCapacity::Indexes),
            ..Default::default()
        })
        .expect("write");
    let cc = out.consumed_capacity.expect("capacity");
    assert_eq!(cc.len(), 2);
    assert_eq!(cc[0].table_name.as_deref(), Some("Events"));
    assert_eq!(cc[0].capacity_units, Some(1.0));
    assert_eq!(cc[1].table_name.as_deref(), Some("Users"));
    assert_eq!(cc[1].capacity_units, Some(2.0 + 5.0));
    assert_eq!(
        cc[1].table.as_ref().and_then(|t| t.capacity_units),
        Some(7.0)
    );
}

#[test]
fn attributes_to_get_works_and_cannot_be_mixed_with_expressions() {
    let db = setup();
    write(
        &db,
        vec![put(
            "Users",
            item(&[("id", s("a")), ("name", s("A")), ("age", n(3))]),
        )],
    )
    .expect("write");
    let legacy = |id: &str| KeysAndAttributes {
        keys: vec![item(&[("id", s(id))])],
        attributes_to_get: Some(vec!["age".into()]),
        ..Default::default()
    };
    let out = get(&db, vec![("Users", legacy("a"))]).expect("get");
    assert_eq!(out.responses["Users"], vec![item(&[("age", n(3))])]);

    let mixed = "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}";
    let both = KeysAndAttributes {
        projection_expression: Some("id".into()),
        ..legacy("a")
    };
    assert_eq!(validation(get(&db, vec![("Users", both)])), mixed);
    // Each table consistent on its own, mixed across the request.
    let expression = KeysAndAttributes {
        keys: vec![item(&[("pk", s("e")), ("n", n(1))])],
        projection_expression: Some("pk".into()),
        ..Default::default()
    };
    assert_eq!(
        validation(get(
            &db,
            vec![("Users", legacy("a")), ("Events", expression)]
        )),
        mixed
    );
}
