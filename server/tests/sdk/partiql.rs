//! PartiQL through the SDK: ExecuteStatement (INSERT, SELECT with paging,
//! UPDATE ... RETURNING, DELETE, the typed `DuplicateItemException` and
//! `ConditionalCheckFailedException`), BatchExecuteStatement with a
//! per-statement error, ExecuteTransaction with its cancellation reasons.

use aws_sdk_dynamodb::operation::execute_statement::ExecuteStatementError;
use aws_sdk_dynamodb::operation::execute_transaction::ExecuteTransactionError;
use aws_sdk_dynamodb::types::{
    BatchStatementErrorCodeEnum, BatchStatementRequest, ParameterizedStatement,
};
use aws_sdk_dynamodb::Client;

use crate::harness::{create_table, n, s, Server};

async fn run(
    client: &Client,
    statement: &str,
) -> aws_sdk_dynamodb::operation::execute_statement::ExecuteStatementOutput {
    client
        .execute_statement()
        .statement(statement)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e:?}"))
}

#[tokio::test]
async fn execute_statement_reads_and_writes() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Music", true).await;
    for sk in 1..=5 {
        client
            .execute_statement()
            .statement("INSERT INTO Music VALUE {'pk': ?, 'sk': ?, 'plays': 0}")
            .parameters(s("band"))
            .parameters(n(sk))
            .send()
            .await
            .expect("INSERT");
    }
    let err = client
        .execute_statement()
        .statement("INSERT INTO Music VALUE {'pk': 'band', 'sk': 1}")
        .send()
        .await
        .expect_err("duplicate")
        .into_service_error();
    assert!(
        matches!(err, ExecuteStatementError::DuplicateItemException(_)),
        "{err:?}"
    );

    // Pages of two, newest first, followed through NextToken.
    let mut token = None;
    let mut seen = Vec::new();
    loop {
        let page = client
            .execute_statement()
            .statement("SELECT sk FROM Music WHERE pk = 'band' ORDER BY sk DESC")
            .limit(2)
            .set_next_token(token)
            .send()
            .await
            .expect("SELECT page");
        for item in page.items() {
            seen.push(item["sk"].as_n().expect("N").clone());
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
        assert!(page.last_evaluated_key().is_some());
    }
    assert_eq!(seen, ["5", "4", "3", "2", "1"]);

    let out = run(
        &client,
        "UPDATE Music SET plays = plays + 3 WHERE pk = 'band' AND sk = 2 RETURNING MODIFIED NEW *",
    )
    .await;
    assert_eq!(out.items()[0]["plays"], n(3));
    let err = client
        .execute_statement()
        .statement("UPDATE Music SET plays = 0 WHERE pk = 'band' AND sk = 2 AND plays > 10")
        .return_values_on_condition_check_failure(
            aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
        )
        .send()
        .await
        .expect_err("condition")
        .into_service_error();
    let ExecuteStatementError::ConditionalCheckFailedException(e) = &err else {
        panic!("expected ConditionalCheckFailedException, got {err:?}");
    };
    assert_eq!(e.item().map(|i| i["plays"].clone()), Some(n(3)));
    let out = run(
        &client,
        "DELETE FROM Music WHERE pk = 'band' AND sk = 1 RETURNING ALL OLD *",
    )
    .await;
    assert_eq!(out.items().len(), 1);
    let out = run(&client, "SELECT * FROM Music WHERE pk = 'band' AND sk = 1").await;
    assert!(out.items().is_empty());
}

#[tokio::test]
async fn batch_and_transaction() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Accounts", false).await;
    let stmt = |text: &str| {
        BatchStatementRequest::builder()
            .statement(text)
            .build()
            .expect("statement")
    };
    let out = client
        .batch_execute_statement()
        .statements(stmt(
            "INSERT INTO Accounts VALUE {'pk': 'alice', 'balance': 100}",
        ))
        .statements(stmt(
            "INSERT INTO Accounts VALUE {'pk': 'bob', 'balance': 0}",
        ))
        .statements(stmt("INSERT INTO Nowhere VALUE {'pk': 'x'}"))
        .send()
        .await
        .expect("BatchExecuteStatement");
    let codes: Vec<Option<&BatchStatementErrorCodeEnum>> = out
        .responses()
        .iter()
        .map(|r| r.error().and_then(|e| e.code()))
        .collect();
    assert_eq!(
        codes,
        [
            None,
            None,
            Some(&BatchStatementErrorCodeEnum::ResourceNotFound)
        ]
    );

    let transfer = |amount: i64| {
        vec![
            ParameterizedStatement::builder()
                .statement(
                    "UPDATE Accounts SET balance = balance - ? WHERE pk = 'alice' AND balance >= ?",
                )
                .parameters(n(amount))
                .parameters(n(amount))
                .build()
                .expect("statement"),
            ParameterizedStatement::builder()
                .statement("UPDATE Accounts SET balance = balance + ? WHERE pk = 'bob'")
                .parameters(n(amount))
                .build()
                .expect("statement"),
        ]
    };
    client
        .execute_transaction()
        .set_transact_statements(Some(transfer(70)))
        .send()
        .await
        .expect("transfer 70");
    let err = client
        .execute_transaction()
        .set_transact_statements(Some(transfer(70)))
        .send()
        .await
        .expect_err("insufficient funds")
        .into_service_error();
    let ExecuteTransactionError::TransactionCanceledException(e) = &err else {
        panic!("expected TransactionCanceledException, got {err:?}");
    };
    let codes: Vec<Option<&str>> = e.cancellation_reasons().iter().map(|r| r.code()).collect();
    assert_eq!(codes, [Some("ConditionalCheckFailed"), Some("None")]);

    let read = |pk: &str| {
        ParameterizedStatement::builder()
            .statement(format!("SELECT balance FROM Accounts WHERE pk = '{pk}'"))
            .build()
            .expect("statement")
    };
    let out = client
        .execute_transaction()
        .transact_statements(read("alice"))
        .transact_statements(read("bob"))
        .transact_statements(read("carol"))
        .send()
        .await
        .expect("read transaction");
    let balances: Vec<_> = out
        .responses()
        .iter()
        .map(|r| r.item().and_then(|i| i.get("balance")).cloned())
        .collect();
    assert_eq!(balances, [Some(n(30)), Some(n(70)), None]);
}
