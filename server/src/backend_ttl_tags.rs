//! The Time to Live and tagging methods of [`Backend`](crate::Backend) for
//! siltdb's [`DynamoDb`](siltdb::dynamo::DynamoDb) handle.
//!
//! Rust allows one `impl Backend for DynamoDb` block, and that block lives
//! with the rest of the engine backend; it takes these five methods by
//! invoking [`ttl_tags_methods!`] among its items:
//!
//! ```ignore
//! impl Backend for DynamoDb {
//!     // ... the item and table operations ...
//!     crate::backend_ttl_tags::ttl_tags_methods!();
//! }
//! ```
//!
//! Until it does, the trait's defaults answer these operations with an
//! `InternalServerError` naming the operation.

/// Expands to the five TTL and tag methods of `Backend`, each calling the
/// `DynamoDb` method of the same name. Invoke it inside `impl Backend for
/// DynamoDb` (or for any type with those inherent methods).
#[cfg_attr(not(test), allow(unused_macros))]
macro_rules! ttl_tags_methods {
    () => {
        fn update_time_to_live(
            &self,
            input: ::siltdb::dynamo::api::UpdateTimeToLiveInput,
        ) -> ::std::result::Result<
            ::siltdb::dynamo::api::UpdateTimeToLiveOutput,
            ::siltdb::dynamo::DynamoError,
        > {
            ::siltdb::dynamo::DynamoDb::update_time_to_live(self, input)
        }

        fn describe_time_to_live(
            &self,
            input: ::siltdb::dynamo::api::DescribeTimeToLiveInput,
        ) -> ::std::result::Result<
            ::siltdb::dynamo::api::DescribeTimeToLiveOutput,
            ::siltdb::dynamo::DynamoError,
        > {
            ::siltdb::dynamo::DynamoDb::describe_time_to_live(self, input)
        }

        fn tag_resource(
            &self,
            input: ::siltdb::dynamo::api::TagResourceInput,
        ) -> ::std::result::Result<
            ::siltdb::dynamo::api::TagResourceOutput,
            ::siltdb::dynamo::DynamoError,
        > {
            ::siltdb::dynamo::DynamoDb::tag_resource(self, input)
        }

        fn untag_resource(
            &self,
            input: ::siltdb::dynamo::api::UntagResourceInput,
        ) -> ::std::result::Result<
            ::siltdb::dynamo::api::UntagResourceOutput,
            ::siltdb::dynamo::DynamoError,
        > {
            ::siltdb::dynamo::DynamoDb::untag_resource(self, input)
        }

        fn list_tags_of_resource(
            &self,
            input: ::siltdb::dynamo::api::ListTagsOfResourceInput,
        ) -> ::std::result::Result<
            ::siltdb::dynamo::api::ListTagsOfResourceOutput,
            ::siltdb::dynamo::DynamoError,
        > {
            ::siltdb::dynamo::DynamoDb::list_tags_of_resource(self, input)
        }
    };
}
#[cfg_attr(not(test), allow(unused_imports))]
pub(crate) use ttl_tags_methods;

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use siltdb::dynamo::api::*;
    use siltdb::dynamo::{DynamoDb, DynamoError};

    use crate::backend::{dispatch, Backend};
    use crate::json::{decode_request, encode_response};
    use crate::Operation;

    /// `DynamoDb` behind a newtype, so this test can implement `Backend`
    /// without the engine backend of the wire protocol work.
    struct Engine(DynamoDb);

    macro_rules! forward {
        ($($method:ident($input:ty) -> $output:ty;)+) => {
            $(
                fn $method(&self, input: $input) -> Result<$output, DynamoError> {
                    self.0.$method(input)
                }
            )+
        };
    }

    impl Backend for Engine {
        forward! {
            create_table(CreateTableInput) -> CreateTableOutput;
            describe_table(DescribeTableInput) -> DescribeTableOutput;
            list_tables(ListTablesInput) -> ListTablesOutput;
            update_table(UpdateTableInput) -> UpdateTableOutput;
            delete_table(DeleteTableInput) -> DeleteTableOutput;
            put_item(PutItemInput) -> PutItemOutput;
            get_item(GetItemInput) -> GetItemOutput;
            update_item(UpdateItemInput) -> UpdateItemOutput;
            delete_item(DeleteItemInput) -> DeleteItemOutput;
            query(QueryInput) -> QueryOutput;
            scan(ScanInput) -> ScanOutput;
            batch_get_item(BatchGetItemInput) -> BatchGetItemOutput;
            batch_write_item(BatchWriteItemInput) -> BatchWriteItemOutput;
            transact_write_items(TransactWriteItemsInput) -> TransactWriteItemsOutput;
            transact_get_items(TransactGetItemsInput) -> TransactGetItemsOutput;
        }
        forward! {
            update_time_to_live(UpdateTimeToLiveInput) -> UpdateTimeToLiveOutput;
            describe_time_to_live(DescribeTimeToLiveInput) -> DescribeTimeToLiveOutput;
            tag_resource(TagResourceInput) -> TagResourceOutput;
            untag_resource(UntagResourceInput) -> UntagResourceOutput;
            list_tags_of_resource(ListTagsOfResourceInput) -> ListTagsOfResourceOutput;
        }
    }

    /// The macro itself, on `DynamoDb`, through a local trait with the same
    /// method signatures as `Backend`'s five.
    trait TtlTags {
        fn update_time_to_live(
            &self,
            input: UpdateTimeToLiveInput,
        ) -> Result<UpdateTimeToLiveOutput, DynamoError>;
        fn describe_time_to_live(
            &self,
            input: DescribeTimeToLiveInput,
        ) -> Result<DescribeTimeToLiveOutput, DynamoError>;
        fn tag_resource(&self, input: TagResourceInput) -> Result<TagResourceOutput, DynamoError>;
        fn untag_resource(
            &self,
            input: UntagResourceInput,
        ) -> Result<UntagResourceOutput, DynamoError>;
        fn list_tags_of_resource(
            &self,
            input: ListTagsOfResourceInput,
        ) -> Result<ListTagsOfResourceOutput, DynamoError>;
    }

    impl TtlTags for DynamoDb {
        super::ttl_tags_methods!();
    }

    fn call(backend: &dyn Backend, op: &str, body: Value) -> Result<Value, DynamoError> {
        let op = Operation::from_name(op).expect("operation");
        let request = decode_request(op, &body)?;
        Ok(encode_response(&dispatch(backend, request)?))
    }

    #[test]
    fn the_macro_calls_the_engine() {
        let db = DynamoDb::open_in_memory().expect("open");
        db.create_table(CreateTableInput {
            table_name: "tbl".into(),
            attribute_definitions: vec![AttributeDefinition {
                attribute_name: "pk".into(),
                attribute_type: siltdb::dynamo::ScalarAttributeType::S,
            }],
            key_schema: vec![KeySchemaElement {
                attribute_name: "pk".into(),
                key_type: KeyType::Hash,
            }],
            billing_mode: Some(BillingMode::PayPerRequest),
            ..Default::default()
        })
        .expect("create");
        let out = TtlTags::update_time_to_live(
            &db,
            UpdateTimeToLiveInput {
                table_name: "tbl".into(),
                time_to_live_specification: TimeToLiveSpecification {
                    enabled: true,
                    attribute_name: "exp".into(),
                },
            },
        )
        .expect("enable");
        assert!(out.time_to_live_specification.enabled);
        let arn = "arn:aws:dynamodb:ddblocal:000000000000:table/tbl".to_string();
        TtlTags::tag_resource(
            &db,
            TagResourceInput {
                resource_arn: arn.clone(),
                tags: vec![Tag {
                    key: "k".into(),
                    value: "v".into(),
                }],
            },
        )
        .expect("tag");
        TtlTags::untag_resource(
            &db,
            UntagResourceInput {
                resource_arn: arn.clone(),
                tag_keys: vec!["k".into()],
            },
        )
        .expect("untag");
        assert!(TtlTags::list_tags_of_resource(
            &db,
            ListTagsOfResourceInput {
                resource_arn: arn,
                next_token: None
            }
        )
        .expect("list")
        .tags
        .is_empty());
        assert_eq!(
            TtlTags::describe_time_to_live(
                &db,
                DescribeTimeToLiveInput {
                    table_name: "tbl".into()
                }
            )
            .expect("describe")
            .time_to_live_description
            .attribute_name
            .as_deref(),
            Some("exp")
        );
    }

    #[test]
    fn json_round_trip_through_the_engine() {
        let engine = Engine(DynamoDb::open_in_memory().expect("open"));
        let created = call(
            &engine,
            "CreateTable",
            json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                   "Tags": [{"Key": "env", "Value": "prod"}]}),
        )
        .expect("create");
        let arn = created["TableDescription"]["TableArn"]
            .as_str()
            .expect("arn")
            .to_string();
        assert_eq!(
            call(&engine, "ListTagsOfResource", json!({"ResourceArn": arn})),
            Ok(json!({"Tags": [{"Key": "env", "Value": "prod"}]}))
        );
        assert_eq!(
            call(
                &engine,
                "TagResource",
                json!({"ResourceArn": arn, "Tags": [{"Key": "team", "Value": ""}]})
            ),
            Ok(json!({}))
        );
        assert_eq!(
            call(
                &engine,
                "UntagResource",
                json!({"ResourceArn": arn, "TagKeys": ["env"]})
            ),
            Ok(json!({}))
        );
        assert_eq!(
            call(&engine, "ListTagsOfResource", json!({"ResourceArn": arn})),
            Ok(json!({"Tags": [{"Key": "team", "Value": ""}]}))
        );
        assert_eq!(
            call(&engine, "DescribeTimeToLive", json!({"TableName": "tbl"})),
            Ok(json!({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}))
        );
        assert_eq!(
            call(
                &engine,
                "UpdateTimeToLive",
                json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}})
            ),
            Ok(json!({"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}))
        );
        assert_eq!(
            call(&engine, "DescribeTimeToLive", json!({"TableName": "tbl"})),
            Ok(
                json!({"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}})
            )
        );
        let e = call(
            &engine,
            "UpdateTimeToLive",
            json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
        )
        .expect_err("again");
        assert_eq!(e.message(), "TimeToLive is already enabled");
        let e = call(
            &engine,
            "TagResource",
            json!({"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/none", "Tags": [{"Key": "a", "Value": "b"}]}),
        )
        .expect_err("missing");
        assert_eq!(e.name(), "ResourceNotFoundException");
        let e = call(&engine, "ListTagsOfResource", json!({})).expect_err("no arn");
        assert_eq!(e.message(), "Invalid TableArn");
    }

    /// A backend without the five methods answers them with an error.
    #[test]
    fn defaults_refuse() {
        let e = dispatch(
            &crate::backend::Unavailable,
            crate::Request::DescribeTimeToLive(DescribeTimeToLiveInput {
                table_name: "t".into(),
            }),
        )
        .expect_err("default");
        assert_eq!(
            e.message(),
            "DescribeTimeToLive is not implemented by this backend"
        );
    }
}
