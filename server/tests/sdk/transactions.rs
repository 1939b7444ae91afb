//! TransactWriteItems (Put, Update, Delete, ConditionCheck across tables)
//! all or nothing; a failed condition is the SDK's typed
//! `TransactionCanceledException` with one cancellation reason per action
//! (and the old item where asked); TransactGetItems; idempotent retries
//! with a ClientRequestToken.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Get, Put, ReturnValuesOnConditionCheckFailure,
    TransactGetItem, TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;

use crate::harness::{create_table, item, n, s, Server};

type Item = HashMap<String, AttributeValue>;

fn put(table: &str, i: Item) -> TransactWriteItem {
    TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(table)
                .set_item(Some(i))
                .build()
                .expect("Put"),
        )
        .build()
}

/// Moves `amount` from `from` to `to` if `from` has it.
fn transfer(from: &str, to: &str, amount: i64) -> Vec<TransactWriteItem> {
    let debit = Update::builder()
        .table_name("Accounts")
        .key("pk", s(from))
        .update_expression("SET balance = balance - :a")
        .condition_expression("balance >= :a")
        .expression_attribute_values(":a", n(amount))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .expect("Update");
    let credit = Update::builder()
        .table_name("Accounts")
        .key("pk", s(to))
        .update_expression("SET balance = balance + :a")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_values(":a", n(amount))
        .build()
        .expect("Update");
    vec![
        TransactWriteItem::builder().update(debit).build(),
        TransactWriteItem::builder().update(credit).build(),
    ]
}

async fn balances(client: &Client) -> Vec<Option<AttributeValue>> {
    let out = client
        .transact_get_items()
        .transact_items(get("Accounts", "alice"))
        .transact_items(get("Accounts", "bob"))
        .transact_items(get("Accounts", "nobody"))
        .send()
        .await
        .expect("TransactGetItems");
    out.responses()
        .iter()
        .map(|r| r.item().and_then(|i| i.get("balance")).cloned())
        .collect()
}

fn get(table: &str, pk: &str) -> TransactGetItem {
    TransactGetItem::builder()
        .get(
            Get::builder()
                .table_name(table)
                .key("pk", s(pk))
                .build()
                .expect("Get"),
        )
        .build()
}

#[tokio::test]
async fn transfers_commit_whole_or_cancel_with_reasons() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Accounts", false).await;
    create_table(&client, "Audit", false).await;
    client
        .transact_write_items()
        .transact_items(put(
            "Accounts",
            item([("pk", s("alice")), ("balance", n(100))]),
        ))
        .transact_items(put("Accounts", item([("pk", s("bob")), ("balance", n(0))])))
        .transact_items(put("Audit", item([("pk", s("opened"))])))
        .send()
        .await
        .expect("opening transaction");

    // 70 from alice to bob, recorded in Audit, guarded by a ConditionCheck.
    let mut t = transfer("alice", "bob", 70);
    t.push(put("Audit", item([("pk", s("t1")), ("amount", n(70))])));
    t.push(
        TransactWriteItem::builder()
            .condition_check(
                ConditionCheck::builder()
                    .table_name("Audit")
                    .key("pk", s("opened"))
                    .condition_expression("attribute_exists(pk)")
                    .build()
                    .expect("ConditionCheck"),
            )
            .build(),
    );
    client
        .transact_write_items()
        .set_transact_items(Some(t))
        .send()
        .await
        .expect("transfer 70");
    assert_eq!(balances(&client).await, [Some(n(30)), Some(n(70)), None]);

    // 70 more: alice has 30. Cancelled; reasons say which action failed.
    let mut t = transfer("alice", "bob", 70);
    t.push(put("Audit", item([("pk", s("t2")), ("amount", n(70))])));
    let err = client
        .transact_write_items()
        .set_transact_items(Some(t))
        .send()
        .await
        .expect_err("insufficient funds")
        .into_service_error();
    let TransactWriteItemsError::TransactionCanceledException(e) = &err else {
        panic!("expected TransactionCanceledException, got {err:?}");
    };
    let codes: Vec<Option<&str>> = e.cancellation_reasons().iter().map(|r| r.code()).collect();
    assert_eq!(
        codes,
        [Some("ConditionalCheckFailed"), Some("None"), Some("None")]
    );
    assert_eq!(
        e.cancellation_reasons()[0].item().cloned(),
        Some(item([("pk", s("alice")), ("balance", n(30))])),
        "ALL_OLD on the failed action"
    );
    assert!(e.cancellation_reasons()[1].item().is_none());
    assert!(e
        .message()
        .is_some_and(|m| m.contains("[ConditionalCheckFailed, None, None]")));
    assert_eq!(balances(&client).await, [Some(n(30)), Some(n(70)), None]);
    let audit = client
        .get_item()
        .table_name("Audit")
        .key("pk", s("t2"))
        .send()
        .await
        .expect("GetItem");
    assert!(
        audit.item().is_none(),
        "nothing of a cancelled transaction lands"
    );

    // A delete in a transaction, and a ValidationException for two actions
    // on one item.
    client
        .transact_write_items()
        .transact_items(
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name("Audit")
                        .key("pk", s("t1"))
                        .build()
                        .expect("Delete"),
                )
                .build(),
        )
        .send()
        .await
        .expect("delete");
    let err = client
        .transact_write_items()
        .set_transact_items(Some(vec![
            put("Audit", item([("pk", s("same"))])),
            put("Audit", item([("pk", s("same"))])),
        ]))
        .send()
        .await
        .expect_err("same item twice")
        .into_service_error();
    // ValidationException is not a modeled error of the operation: the SDK
    // surfaces it as an unhandled error carrying the code.
    assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
}

#[tokio::test]
async fn a_client_request_token_makes_a_retry_idempotent() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Accounts", false).await;
    client
        .put_item()
        .table_name("Accounts")
        .set_item(Some(item([("pk", s("alice")), ("balance", n(100))])))
        .send()
        .await
        .expect("PutItem");
    client
        .put_item()
        .table_name("Accounts")
        .set_item(Some(item([("pk", s("bob")), ("balance", n(0))])))
        .send()
        .await
        .expect("PutItem");
    for _ in 0..3 {
        client
            .transact_write_items()
            .set_transact_items(Some(transfer("alice", "bob", 10)))
            .client_request_token("transfer-0001")
            .send()
            .await
            .expect("the same transaction, retried");
    }
    assert_eq!(balances(&client).await, [Some(n(90)), Some(n(10)), None]);
}
