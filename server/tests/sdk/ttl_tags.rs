//! Time to Live and tags through the SDK: UpdateTimeToLive,
//! DescribeTimeToLive, TagResource, UntagResource, ListTagsOfResource and
//! CreateTable's Tags, with DynamoDB's errors as the SDK parses them.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    BillingMode, KeyType, ScalarAttributeType, Tag, TimeToLiveSpecification, TimeToLiveStatus,
};

use crate::harness::{attr, create_table, key, Server};

fn spec(enabled: bool, attribute: &str) -> TimeToLiveSpecification {
    TimeToLiveSpecification::builder()
        .enabled(enabled)
        .attribute_name(attribute)
        .build()
        .expect("TimeToLiveSpecification")
}

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().expect("Tag")
}

#[tokio::test]
async fn time_to_live() {
    let server = Server::start();
    let client = server.client();
    create_table(&client, "Sessions", false).await;

    let described = client
        .describe_time_to_live()
        .table_name("Sessions")
        .send()
        .await
        .expect("DescribeTimeToLive");
    let d = described.time_to_live_description().expect("description");
    assert_eq!(d.time_to_live_status(), Some(&TimeToLiveStatus::Disabled));
    assert_eq!(d.attribute_name(), None);

    let updated = client
        .update_time_to_live()
        .table_name("Sessions")
        .time_to_live_specification(spec(true, "expires"))
        .send()
        .await
        .expect("UpdateTimeToLive");
    let s = updated.time_to_live_specification().expect("specification");
    assert!(s.enabled());
    assert_eq!(s.attribute_name(), "expires");

    let described = client
        .describe_time_to_live()
        .table_name("Sessions")
        .send()
        .await
        .expect("DescribeTimeToLive");
    let d = described.time_to_live_description().expect("description");
    assert_eq!(d.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    assert_eq!(d.attribute_name(), Some("expires"));

    let err = client
        .update_time_to_live()
        .table_name("Sessions")
        .time_to_live_specification(spec(true, "expires"))
        .send()
        .await
        .expect_err("already enabled")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(err.message(), Some("TimeToLive is already enabled"));

    let err = client
        .describe_time_to_live()
        .table_name("Missing")
        .send()
        .await
        .expect_err("missing table")
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
}

#[tokio::test]
async fn tags() {
    let server = Server::start();
    let client = server.client();
    let created = client
        .create_table()
        .table_name("Tagged")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .tags(tag("env", "prod"))
        .send()
        .await
        .expect("CreateTable");
    let arn = created
        .table_description()
        .and_then(|d| d.table_arn())
        .expect("TableArn")
        .to_string();

    let listed = client
        .list_tags_of_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("ListTagsOfResource");
    assert_eq!(listed.tags(), [tag("env", "prod")]);
    assert_eq!(listed.next_token(), None);

    client
        .tag_resource()
        .resource_arn(&arn)
        .tags(tag("team", ""))
        .tags(tag("env", "dev"))
        .send()
        .await
        .expect("TagResource");
    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .tag_keys("absent")
        .send()
        .await
        .expect("UntagResource");
    let listed = client
        .list_tags_of_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("ListTagsOfResource");
    assert_eq!(listed.tags(), [tag("env", "dev")]);

    let err = client
        .tag_resource()
        .resource_arn(&arn)
        .tags(tag("aws:reserved", "x"))
        .send()
        .await
        .expect_err("reserved prefix")
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some("Tag Key cannot be prefixed with aws:, Key: aws:reserved")
    );

    let missing = arn.replace(":table/Tagged", ":table/Missing");
    let err = client
        .list_tags_of_resource()
        .resource_arn(&missing)
        .send()
        .await
        .expect_err("missing table")
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
}
