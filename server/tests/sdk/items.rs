//! Items: every attribute type round-trips through the SDK; PutItem,
//! GetItem (with a projection), UpdateItem (SET/ADD/REMOVE, ReturnValues),
//! DeleteItem (ALL_OLD).

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use crate::harness::{create_table, item, n, s, Server};

#[tokio::test]
async fn every_attribute_type_round_trips() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Types", false).await;
    let stored = item([
        ("pk", s("all-types")),
        ("s", s("naïve ☃")),
        ("n", n("-12345678901234567890.123456789")),
        ("b", AttributeValue::B(Blob::new(vec![0u8, 1, 254, 255]))),
        ("bool", AttributeValue::Bool(true)),
        ("null", AttributeValue::Null(true)),
        ("ss", AttributeValue::Ss(vec!["a".into(), "b".into()])),
        ("ns", AttributeValue::Ns(vec!["1".into(), "2.5".into()])),
        (
            "bs",
            AttributeValue::Bs(vec![Blob::new(b"x".to_vec()), Blob::new(b"y".to_vec())]),
        ),
        (
            "l",
            AttributeValue::L(vec![n(1), s("two"), AttributeValue::L(vec![])]),
        ),
        (
            "m",
            AttributeValue::M(item([("inner", item_attr()), ("empty", s(""))])),
        ),
    ]);
    client
        .put_item()
        .table_name("Types")
        .set_item(Some(stored.clone()))
        .send()
        .await
        .expect("PutItem");
    let got = client
        .get_item()
        .table_name("Types")
        .key("pk", s("all-types"))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem");
    let mut got = got.item().cloned().expect("the item");
    // Sets are unordered in DynamoDB; compare them sorted.
    for v in got.values_mut() {
        match v {
            AttributeValue::Ss(x) | AttributeValue::Ns(x) => x.sort(),
            AttributeValue::Bs(x) => x.sort_by(|a, b| a.as_ref().cmp(b.as_ref())),
            _ => {}
        }
    }
    assert_eq!(got, stored);
}

fn item_attr() -> AttributeValue {
    AttributeValue::M(item([("deep", n(42))]))
}

#[tokio::test]
async fn get_update_delete() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Users", false).await;

    let missing = client
        .get_item()
        .table_name("Users")
        .key("pk", s("nobody"))
        .send()
        .await
        .expect("GetItem");
    assert!(missing.item().is_none());

    client
        .put_item()
        .table_name("Users")
        .set_item(Some(item([
            ("pk", s("ada")),
            ("name", s("Ada Lovelace")),
            ("visits", n(1)),
            ("tags", AttributeValue::Ss(vec!["math".into()])),
        ])))
        .send()
        .await
        .expect("PutItem");

    let projected = client
        .get_item()
        .table_name("Users")
        .key("pk", s("ada"))
        .projection_expression("#n, visits")
        .expression_attribute_names("#n", "name")
        .send()
        .await
        .expect("GetItem with projection");
    assert_eq!(
        projected.item().cloned(),
        Some(item([("name", s("Ada Lovelace")), ("visits", n(1))]))
    );

    let updated = client
        .update_item()
        .table_name("Users")
        .key("pk", s("ada"))
        .update_expression("SET visits = visits + :one, born = :y ADD tags :t REMOVE #n")
        .expression_attribute_names("#n", "name")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":y", n(1815))
        .expression_attribute_values(":t", AttributeValue::Ss(vec!["poetry".into()]))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .expect("UpdateItem");
    let new = updated.attributes().expect("ALL_NEW attributes");
    assert_eq!(new.get("visits"), Some(&n(2)));
    assert_eq!(new.get("born"), Some(&n(1815)));
    assert!(!new.contains_key("name"));
    let mut tags = new
        .get("tags")
        .and_then(|t| t.as_ss().ok())
        .cloned()
        .expect("tags");
    tags.sort();
    assert_eq!(tags, ["math", "poetry"]);

    let updated = client
        .update_item()
        .table_name("Users")
        .key("pk", s("ada"))
        .update_expression("SET visits = visits + :one")
        .expression_attribute_values(":one", n(1))
        .return_values(ReturnValue::UpdatedOld)
        .send()
        .await
        .expect("UpdateItem UPDATED_OLD");
    assert_eq!(
        updated.attributes().cloned(),
        Some(item([("visits", n(2))]))
    );

    let deleted = client
        .delete_item()
        .table_name("Users")
        .key("pk", s("ada"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .expect("DeleteItem");
    assert_eq!(
        deleted.attributes().and_then(|a| a.get("visits")),
        Some(&n(3))
    );
    let gone = client
        .get_item()
        .table_name("Users")
        .key("pk", s("ada"))
        .send()
        .await
        .expect("GetItem after delete");
    assert!(gone.item().is_none());
}
