//! DynamoDB Streams over the wire: `DynamoDBStreams_20120810.*` targets
//! reach siltdb's handle, and a table's changes come back as DynamoDB JSON
//! stream records.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::call;
use serde_json::{json, Value};
use siltdb::dynamo::DynamoDb;
use siltdb_server::http::{serve, ServerConfig};
use siltdb_server::Backend;

#[test]
fn a_tables_changes_come_back_as_stream_records() {
    let backend: Arc<dyn Backend> = Arc::new(DynamoDb::open_in_memory().expect("open in memory"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || -> std::io::Result<()> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            ready_tx.send(listener.local_addr()?).ok();
            serve(listener, backend, ServerConfig::default(), async {
                stopped.await.ok();
            })
            .await
        })
    });
    let a = ready_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("server started");
    let ok = |target: &str, body: Value| -> Value {
        let r = call(a, target, &body.to_string());
        assert_eq!(
            r.status,
            200,
            "{target}: {}",
            String::from_utf8_lossy(&r.body)
        );
        r.json()
    };

    let created = ok(
        "DynamoDB_20120810.CreateTable",
        json!({"TableName": "Music",
               "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"}],
               "BillingMode": "PAY_PER_REQUEST",
               "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}),
    );
    let t = &created["TableDescription"];
    assert_eq!(
        t["StreamSpecification"],
        json!({"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    );
    let arn = t["LatestStreamArn"].as_str().expect("arn").to_string();
    let label = t["LatestStreamLabel"].as_str().expect("label").to_string();
    assert!(
        arn.ends_with(&format!("table/Music/stream/{label}")),
        "{arn}"
    );

    ok(
        "DynamoDB_20120810.PutItem",
        json!({"TableName": "Music", "Item": {"Artist": {"S": "Arvo"}, "Year": {"N": "1977"}}}),
    );
    ok(
        "DynamoDB_20120810.UpdateItem",
        json!({"TableName": "Music", "Key": {"Artist": {"S": "Arvo"}},
               "UpdateExpression": "SET #y = :y", "ExpressionAttributeNames": {"#y": "Year"},
               "ExpressionAttributeValues": {":y": {"N": "1978"}}}),
    );

    let listed = ok("DynamoDBStreams_20120810.ListStreams", json!({}));
    assert_eq!(
        listed,
        json!({"Streams": [{"StreamArn": arn, "TableName": "Music", "StreamLabel": label}]})
    );
    let described = ok(
        "DynamoDBStreams_20120810.DescribeStream",
        json!({"StreamArn": arn}),
    );
    let d = &described["StreamDescription"];
    assert_eq!(d["StreamStatus"], "ENABLED");
    assert_eq!(d["StreamViewType"], "NEW_AND_OLD_IMAGES");
    assert_eq!(
        d["KeySchema"],
        json!([{"AttributeName": "Artist", "KeyType": "HASH"}])
    );
    let shard_id = d["Shards"][0]["ShardId"]
        .as_str()
        .expect("shard")
        .to_string();
    assert!(d["Shards"][0]["SequenceNumberRange"]["EndingSequenceNumber"].is_null());

    let it = ok(
        "DynamoDBStreams_20120810.GetShardIterator",
        json!({"StreamArn": arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}),
    );
    let it = it["ShardIterator"].as_str().expect("iterator").to_string();
    let records = ok(
        "DynamoDBStreams_20120810.GetRecords",
        json!({"ShardIterator": it}),
    );
    let rs = records["Records"].as_array().expect("records");
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[0]["eventName"], "INSERT");
    assert_eq!(rs[0]["eventSource"], "aws:dynamodb");
    assert_eq!(rs[0]["eventVersion"], "1.1");
    assert_eq!(rs[0]["dynamodb"]["Keys"], json!({"Artist": {"S": "Arvo"}}));
    assert!(rs[0]["dynamodb"].get("OldImage").is_none());
    assert_eq!(rs[1]["eventName"], "MODIFY");
    assert_eq!(
        rs[1]["dynamodb"]["OldImage"],
        json!({"Artist": {"S": "Arvo"}, "Year": {"N": "1977"}})
    );
    assert_eq!(
        rs[1]["dynamodb"]["NewImage"],
        json!({"Artist": {"S": "Arvo"}, "Year": {"N": "1978"}})
    );
    assert!(rs[1]["dynamodb"]["ApproximateCreationDateTime"].is_number());
    assert_eq!(
        rs[1]["dynamodb"]["SequenceNumber"].as_str().map(str::len),
        Some(21)
    );
    assert!(records["NextShardIterator"].is_string());

    // Errors come back in DynamoDB's shapes.
    let r = call(
        a,
        "DynamoDBStreams_20120810.GetRecords",
        r#"{"ShardIterator": "sdfsdfsgagaddafgagasgasgasdfasdf"}"#,
    );
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazon.coral.validate#ValidationException",
               "message": "Invalid ShardIterator"})
    );
    let r = call(
        a,
        "DynamoDBStreams_20120810.DescribeStream",
        &json!({"StreamArn": arn.replace("Music", "Other")}).to_string(),
    );
    assert_eq!(
        r.json()["__type"],
        "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    );
    let r = call(a, "DynamoDB_20120810.GetRecords", "{}");
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#UnknownOperationException"
    );
    assert!(r.json()["message"]
        .as_str()
        .is_some_and(|m| m.contains("DynamoDB_20120810.GetRecords")));
    let r = call(
        a,
        "DynamoDB_20120810.UpdateTable",
        r#"{"TableName": "Music", "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}"#,
    );
    assert_eq!(
        r.json(),
        json!({"__type": "com.amazon.coral.validate#ValidationException",
               "message": "Table already has an enabled stream: TableName: Music"})
    );

    stop.send(()).ok();
    server.join().expect("server thread").expect("serve");
}
