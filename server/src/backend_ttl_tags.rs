//! The Time to Live and tagging operations end to end through the wire
//! protocol's decoding, [`dispatch`](crate::backend::dispatch) and encoding.

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

    fn call(backend: &dyn Backend, op: &str, body: Value) -> Result<Value, DynamoError> {
        let op = Operation::from_name(op).expect("operation");
        let request = decode_request(op, &body)?;
        Ok(encode_response(&dispatch(backend, request)?))
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
}
