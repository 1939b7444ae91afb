//! DynamoDB Streams through `aws-sdk-dynamodbstreams`: a table created with a
//! `StreamSpecification` through the DynamoDB client, written to, and read
//! back with every call a consumer makes (ListStreams, DescribeStream,
//! GetShardIterator, GetRecords) — record order, images and sequence
//! numbers, the TRIM_HORIZON, AT/AFTER_SEQUENCE_NUMBER and LATEST iterators,
//! a shard closed by disabling the stream, and the errors the Streams SDK
//! types.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    BillingMode, KeyType, ScalarAttributeType, StreamSpecification, StreamViewType,
};
use aws_sdk_dynamodbstreams::error::ProvideErrorMetadata;
use aws_sdk_dynamodbstreams::types::{
    AttributeValue as StreamValue, OperationType, Record, ShardIteratorType, StreamStatus,
    StreamViewType as RecordViewType,
};

use crate::harness::{attr, item, key, n, s, Server};

type Streams = aws_sdk_dynamodbstreams::Client;

/// Creates `name` keyed by `pk` (S) with a NEW_AND_OLD_IMAGES stream, and
/// returns the stream's ARN.
async fn create_streamed_table(client: &aws_sdk_dynamodb::Client, name: &str) -> String {
    let created = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .expect("StreamSpecification"),
        )
        .send()
        .await
        .expect("CreateTable with a stream");
    let desc = created.table_description().expect("TableDescription");
    let spec = desc.stream_specification().expect("StreamSpecification");
    assert!(spec.stream_enabled());
    assert_eq!(
        spec.stream_view_type(),
        Some(&StreamViewType::NewAndOldImages)
    );
    assert!(desc.latest_stream_label().is_some());
    desc.latest_stream_arn()
        .expect("LatestStreamArn")
        .to_string()
}

/// The id of the stream's only shard.
async fn only_shard(streams: &Streams, arn: &str) -> String {
    let described = streams
        .describe_stream()
        .stream_arn(arn)
        .send()
        .await
        .expect("DescribeStream");
    let shards = described
        .stream_description()
        .expect("StreamDescription")
        .shards();
    assert_eq!(shards.len(), 1, "{shards:?}");
    shards[0].shard_id().expect("ShardId").to_string()
}

/// An iterator of `ty` (with `seq` for the sequence-number types).
async fn iterator(
    streams: &Streams,
    arn: &str,
    ty: ShardIteratorType,
    seq: Option<&str>,
) -> String {
    let shard = only_shard(streams, arn).await;
    streams
        .get_shard_iterator()
        .stream_arn(arn)
        .shard_id(shard)
        .shard_iterator_type(ty)
        .set_sequence_number(seq.map(str::to_string))
        .send()
        .await
        .expect("GetShardIterator")
        .shard_iterator()
        .expect("ShardIterator")
        .to_string()
}

/// GetRecords two at a time from `it` until a call returns no records.
async fn read_until_empty(streams: &Streams, mut it: String) -> Vec<Record> {
    let mut records = Vec::new();
    loop {
        let out = streams
            .get_records()
            .shard_iterator(&it)
            .limit(2)
            .send()
            .await
            .expect("GetRecords");
        if out.records().is_empty() {
            return records;
        }
        records.extend_from_slice(out.records());
        it = out
            .next_shard_iterator()
            .expect("an open shard hands out a next iterator")
            .to_string();
    }
}

fn name(r: &Record) -> &OperationType {
    r.event_name().expect("eventName")
}

fn seq(r: &Record) -> &str {
    r.dynamodb()
        .and_then(|d| d.sequence_number())
        .expect("SequenceNumber")
}

fn image<const N: usize>(pairs: [(&str, StreamValue); N]) -> HashMap<String, StreamValue> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn sv(v: &str) -> StreamValue {
    StreamValue::S(v.to_string())
}

fn nv(v: i64) -> StreamValue {
    StreamValue::N(v.to_string())
}

#[tokio::test]
async fn a_consumer_reads_inserts_modifies_and_removes_in_order() {
    let server = Server::start();
    let client = server.client();
    let streams = server.streams_client();
    let arn = create_streamed_table(&client, "Feed").await;
    // A table without a stream is not listed.
    crate::harness::create_table(&client, "Quiet", false).await;

    client
        .put_item()
        .table_name("Feed")
        .set_item(Some(item([("pk", s("a")), ("n", n(1))])))
        .send()
        .await
        .expect("PutItem a");
    client
        .update_item()
        .table_name("Feed")
        .key("pk", s("a"))
        .update_expression("SET n = n + :one")
        .expression_attribute_values(":one", n(1))
        .send()
        .await
        .expect("UpdateItem a");
    client
        .put_item()
        .table_name("Feed")
        .set_item(Some(item([("pk", s("b")), ("n", n(7))])))
        .send()
        .await
        .expect("PutItem b");
    client
        .delete_item()
        .table_name("Feed")
        .key("pk", s("a"))
        .send()
        .await
        .expect("DeleteItem a");

    let listed = streams.list_streams().send().await.expect("ListStreams");
    let listed: Vec<_> = listed
        .streams()
        .iter()
        .map(|s| (s.stream_arn(), s.table_name()))
        .collect();
    assert_eq!(listed, [(Some(arn.as_str()), Some("Feed"))]);
    let by_table = streams
        .list_streams()
        .table_name("Feed")
        .send()
        .await
        .expect("ListStreams for a table");
    assert_eq!(by_table.streams().len(), 1);

    let described = streams
        .describe_stream()
        .stream_arn(&arn)
        .send()
        .await
        .expect("DescribeStream");
    let desc = described.stream_description().expect("StreamDescription");
    assert_eq!(desc.stream_status(), Some(&StreamStatus::Enabled));
    assert_eq!(
        desc.stream_view_type(),
        Some(&RecordViewType::NewAndOldImages)
    );
    assert_eq!(desc.table_name(), Some("Feed"));
    assert_eq!(desc.key_schema().len(), 1);
    assert_eq!(desc.key_schema()[0].attribute_name(), "pk");
    assert!(desc.creation_request_date_time().is_some());
    let range = desc.shards()[0]
        .sequence_number_range()
        .expect("SequenceNumberRange");
    assert!(range.starting_sequence_number().is_some());
    assert_eq!(range.ending_sequence_number(), None, "the shard is open");

    let it = iterator(&streams, &arn, ShardIteratorType::TrimHorizon, None).await;
    let records = read_until_empty(&streams, it).await;
    let names: Vec<_> = records.iter().map(name).collect();
    assert_eq!(
        names,
        [
            &OperationType::Insert,
            &OperationType::Modify,
            &OperationType::Insert,
            &OperationType::Remove
        ]
    );
    let images: Vec<_> = records
        .iter()
        .map(|r| {
            let d = r.dynamodb().expect("dynamodb");
            (
                d.keys().cloned(),
                d.old_image().cloned(),
                d.new_image().cloned(),
            )
        })
        .collect();
    let a = || Some(image([("pk", sv("a"))]));
    assert_eq!(
        images,
        [
            (a(), None, Some(image([("pk", sv("a")), ("n", nv(1))]))),
            (
                a(),
                Some(image([("pk", sv("a")), ("n", nv(1))])),
                Some(image([("pk", sv("a")), ("n", nv(2))]))
            ),
            (
                Some(image([("pk", sv("b"))])),
                None,
                Some(image([("pk", sv("b")), ("n", nv(7))]))
            ),
            (a(), Some(image([("pk", sv("a")), ("n", nv(2))])), None),
        ]
    );
    for r in &records {
        assert_eq!(r.event_source(), Some("aws:dynamodb"));
        assert!(r.event_id().is_some_and(|id| !id.is_empty()));
        let d = r.dynamodb().expect("dynamodb");
        assert_eq!(d.stream_view_type(), Some(&RecordViewType::NewAndOldImages));
        assert!(d.approximate_creation_date_time().is_some());
        assert!(d.size_bytes().is_some_and(|b| b > 0));
    }
    let seqs: Vec<u128> = records
        .iter()
        .map(|r| seq(r).parse().expect("a decimal sequence number"))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing: {seqs:?}"
    );
}

#[tokio::test]
async fn iterators_start_at_after_or_past_a_sequence_number() {
    let server = Server::start();
    let client = server.client();
    let streams = server.streams_client();
    let arn = create_streamed_table(&client, "Ticks").await;
    for i in 0..3 {
        client
            .put_item()
            .table_name("Ticks")
            .set_item(Some(item([("pk", s(&format!("k{i}")))])))
            .send()
            .await
            .expect("PutItem");
    }
    let it = iterator(&streams, &arn, ShardIteratorType::TrimHorizon, None).await;
    let all = read_until_empty(&streams, it).await;
    assert_eq!(all.len(), 3);
    let keys = |records: &[Record]| -> Vec<StreamValue> {
        records
            .iter()
            .map(|r| {
                r.dynamodb()
                    .and_then(|d| d.keys())
                    .and_then(|k| k.get("pk"))
                    .cloned()
                    .expect("pk")
            })
            .collect()
    };
    assert_eq!(keys(&all), [sv("k0"), sv("k1"), sv("k2")]);

    let first = seq(&all[0]);
    let it = iterator(
        &streams,
        &arn,
        ShardIteratorType::AtSequenceNumber,
        Some(first),
    )
    .await;
    assert_eq!(
        keys(&read_until_empty(&streams, it).await),
        [sv("k0"), sv("k1"), sv("k2")]
    );
    let it = iterator(
        &streams,
        &arn,
        ShardIteratorType::AfterSequenceNumber,
        Some(first),
    )
    .await;
    assert_eq!(
        keys(&read_until_empty(&streams, it).await),
        [sv("k1"), sv("k2")]
    );

    // LATEST sees nothing already written, then only what comes after.
    let latest = iterator(&streams, &arn, ShardIteratorType::Latest, None).await;
    let out = streams
        .get_records()
        .shard_iterator(&latest)
        .send()
        .await
        .expect("GetRecords at LATEST");
    assert!(out.records().is_empty());
    let next = out
        .next_shard_iterator()
        .expect("NextShardIterator")
        .to_string();
    client
        .put_item()
        .table_name("Ticks")
        .set_item(Some(item([("pk", s("k3"))])))
        .send()
        .await
        .expect("PutItem k3");
    let after = read_until_empty(&streams, next).await;
    assert_eq!(keys(&after), [sv("k3")]);
    assert_eq!(name(&after[0]), &OperationType::Insert);
    // The LATEST iterator itself was issued before k3, so it reads k3 too.
    assert_eq!(keys(&read_until_empty(&streams, latest).await), [sv("k3")]);
}

#[tokio::test]
async fn disabling_the_stream_closes_its_shard() {
    let server = Server::start();
    let client = server.client();
    let streams = server.streams_client();
    let arn = create_streamed_table(&client, "Closing").await;
    for i in 0..3 {
        client
            .put_item()
            .table_name("Closing")
            .set_item(Some(item([("pk", s(&format!("k{i}")))])))
            .send()
            .await
            .expect("PutItem");
    }
    let mut it = Some(iterator(&streams, &arn, ShardIteratorType::TrimHorizon, None).await);

    let updated = client
        .update_table()
        .table_name("Closing")
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(false)
                .build()
                .expect("StreamSpecification"),
        )
        .send()
        .await
        .expect("UpdateTable disables the stream");
    let desc = updated.table_description().expect("TableDescription");
    // DescribeTable shows a StreamSpecification only while a stream is
    // enabled.
    assert!(
        !desc
            .stream_specification()
            .is_some_and(|s| s.stream_enabled()),
        "{desc:?}"
    );

    let described = streams
        .describe_stream()
        .stream_arn(&arn)
        .send()
        .await
        .expect("DescribeStream");
    let desc = described.stream_description().expect("StreamDescription");
    assert_eq!(desc.stream_status(), Some(&StreamStatus::Disabled));
    let range = desc.shards()[0]
        .sequence_number_range()
        .expect("SequenceNumberRange");
    assert!(range.ending_sequence_number().is_some(), "{range:?}");

    // The closed shard is read to its end, and then there is no next
    // iterator: a consumer knows it is done.
    let mut read = 0;
    let mut calls = 0;
    while let Some(current) = it {
        calls += 1;
        assert!(calls < 10, "the closed shard never ended");
        let out = streams
            .get_records()
            .shard_iterator(current)
            .limit(2)
            .send()
            .await
            .expect("GetRecords");
        read += out.records().len();
        it = out.next_shard_iterator().map(str::to_string);
    }
    assert_eq!(read, 3);
}

#[tokio::test]
async fn stream_errors_as_the_sdk_sees_them() {
    let server = Server::start();
    let client = server.client();
    let streams = server.streams_client();
    let arn = create_streamed_table(&client, "Errs").await;

    let missing = arn.replace(":table/Errs/", ":table/Nope/");
    let err = streams
        .describe_stream()
        .stream_arn(&missing)
        .send()
        .await
        .expect_err("missing stream")
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");

    let shard = only_shard(&streams, &arn).await;
    let err = streams
        .get_shard_iterator()
        .stream_arn(&arn)
        .shard_id(&shard)
        .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
        .send()
        .await
        .expect_err("no sequence number")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some("SequenceNumber is required when ShardIteratorType is AFTER_SEQUENCE_NUMBER")
    );

    let err = streams
        .get_records()
        .shard_iterator("not-an-iterator")
        .send()
        .await
        .expect_err("bad iterator")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
}
