//! Control plane: create, describe, list (paginated), update, delete, and
//! the typed errors for a missing or duplicate table.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    BillingMode, KeyType, ProvisionedThroughput, ScalarAttributeType, TableStatus,
};

use crate::harness::{attr, create_table, key, Server};

#[tokio::test]
async fn create_describe_list_update_delete() {
    let server = Server::start();
    let client = server.client();

    let created = client
        .create_table()
        .table_name("Music")
        .attribute_definitions(attr("Artist", ScalarAttributeType::S))
        .attribute_definitions(attr("Song", ScalarAttributeType::S))
        .key_schema(key("Artist", KeyType::Hash))
        .key_schema(key("Song", KeyType::Range))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("CreateTable");
    let desc = created.table_description().expect("TableDescription");
    assert_eq!(desc.table_name(), Some("Music"));
    assert!(desc
        .table_arn()
        .is_some_and(|a| a.ends_with(":table/Music")));
    assert_eq!(desc.key_schema().len(), 2);

    let described = client
        .describe_table()
        .table_name("Music")
        .send()
        .await
        .expect("DescribeTable");
    let table = described.table().expect("Table");
    assert_eq!(table.table_status(), Some(&TableStatus::Active));
    assert_eq!(table.item_count(), Some(0));
    assert_eq!(
        table.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );

    // 12 more tables, listed 5 a page through the SDK's paginator.
    for i in 0..12 {
        create_table(&client, &format!("t{i:02}"), false).await;
    }
    let pages: Vec<_> = client
        .list_tables()
        .limit(5)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("ListTables pages");
    assert_eq!(pages.len(), 3);
    let names: Vec<String> = pages
        .iter()
        .flat_map(|p| p.table_names().iter().cloned())
        .collect();
    let mut expected: Vec<String> = (0..12).map(|i| format!("t{i:02}")).collect();
    expected.insert(0, "Music".to_string());
    assert_eq!(names, expected);

    let updated = client
        .update_table()
        .table_name("Music")
        .billing_mode(BillingMode::Provisioned)
        .provisioned_throughput(
            ProvisionedThroughput::builder()
                .read_capacity_units(5)
                .write_capacity_units(7)
                .build()
                .expect("throughput"),
        )
        .send()
        .await
        .expect("UpdateTable");
    let pt = updated
        .table_description()
        .and_then(|d| d.provisioned_throughput())
        .expect("ProvisionedThroughput");
    assert_eq!(pt.read_capacity_units(), Some(5));
    assert_eq!(pt.write_capacity_units(), Some(7));

    client
        .delete_table()
        .table_name("Music")
        .send()
        .await
        .expect("DeleteTable");
    let err = client
        .describe_table()
        .table_name("Music")
        .send()
        .await
        .expect_err("the table is gone")
        .into_service_error();
    assert!(
        matches!(err, DescribeTableError::ResourceNotFoundException(_)),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn creating_an_existing_table_is_resource_in_use() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Twice", false).await;
    let err = client
        .create_table()
        .table_name("Twice")
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect_err("the table exists")
        .into_service_error();
    assert!(
        matches!(err, CreateTableError::ResourceInUseException(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_validation_error_reaches_the_sdk_with_its_message() {
    let server = Server::start();
    let client = server.client();
    let err = client
        .create_table()
        .table_name("x") // too short: 3 to 255 characters
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect_err("invalid name")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert!(
        err.message().is_some_and(|m| m.contains("tableName")),
        "{err:?}"
    );
}
