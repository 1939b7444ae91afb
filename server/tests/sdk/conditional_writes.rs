//! Conditional writes: a failed condition is the SDK's typed
//! `ConditionalCheckFailedException`, carrying the old item when asked with
//! `ReturnValuesOnConditionCheckFailure::AllOld`, and writes nothing.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

use crate::harness::{create_table, item, n, s, Server};

#[tokio::test]
async fn put_if_absent_then_optimistic_update_then_guarded_delete() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Accounts", false).await;
    let put = |balance: i64| {
        client
            .put_item()
            .table_name("Accounts")
            .set_item(Some(item([("pk", s("acct#1")), ("balance", n(balance))])))
            .condition_expression("attribute_not_exists(pk)")
    };
    put(100).send().await.expect("first put creates");

    let err = put(5)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await
        .expect_err("second put must fail")
        .into_service_error();
    let PutItemError::ConditionalCheckFailedException(e) = &err else {
        panic!("expected ConditionalCheckFailedException, got {err:?}");
    };
    assert_eq!(e.message(), Some("The conditional request failed"));
    assert_eq!(
        e.item().cloned(),
        Some(item([("pk", s("acct#1")), ("balance", n(100))]))
    );

    // Without ReturnValuesOnConditionCheckFailure there is no Item.
    let err = put(5).send().await.expect_err("fails").into_service_error();
    let PutItemError::ConditionalCheckFailedException(e) = &err else {
        panic!("expected ConditionalCheckFailedException, got {err:?}");
    };
    assert!(e.item().is_none());

    // Optimistic concurrency: withdraw only if the balance covers it.
    let withdraw = |amount: i64| {
        client
            .update_item()
            .table_name("Accounts")
            .key("pk", s("acct#1"))
            .update_expression("SET balance = balance - :a")
            .condition_expression("balance >= :a")
            .expression_attribute_values(":a", n(amount))
            .send()
    };
    withdraw(60).await.expect("60 of 100");
    let err = withdraw(60)
        .await
        .expect_err("60 of 40")
        .into_service_error();
    assert!(
        matches!(err, UpdateItemError::ConditionalCheckFailedException(_)),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("ConditionalCheckFailedException"));

    let err = client
        .delete_item()
        .table_name("Accounts")
        .key("pk", s("acct#1"))
        .condition_expression("balance = :zero")
        .expression_attribute_values(":zero", n(0))
        .send()
        .await
        .expect_err("balance is 40")
        .into_service_error();
    assert!(
        matches!(err, DeleteItemError::ConditionalCheckFailedException(_)),
        "{err:?}"
    );

    let got = client
        .get_item()
        .table_name("Accounts")
        .key("pk", s("acct#1"))
        .send()
        .await
        .expect("GetItem");
    assert_eq!(
        got.item().and_then(|i| i.get("balance")),
        Some(&n(40)),
        "failed writes changed nothing"
    );
}
