//! The DynamoDB Streams methods of [`Backend`](crate::Backend) for siltdb's
//! [`DynamoDb`](siltdb::dynamo::DynamoDb) handle.
//!
//! A trait is implemented for a type in one `impl` block, and `Backend` for
//! `DynamoDb` has its own home; its four DynamoDB Streams methods are the
//! same one-line delegations wherever that block lives, so they are written
//! once here, as a macro to expand inside it:
//!
//! ```ignore
//! impl Backend for DynamoDb {
//!     fn create_table(&self, input: CreateTableInput) -> Result<CreateTableOutput, DynamoError> {
//!         DynamoDb::create_table(self, input)
//!     }
//!     // ... the other DynamoDB operations ...
//!     siltdb_server::streams_backend_methods!();
//! }
//! ```
//!
//! The methods reach the handle through `Borrow<DynamoDb>`, so the same
//! line serves `DynamoDb` itself and any wrapper that lends one.

/// Expands to the four DynamoDB Streams methods of
/// [`Backend`](crate::Backend) (`list_streams`, `describe_stream`,
/// `get_shard_iterator`, `get_records`), answered by the
/// [`DynamoDb`](siltdb::dynamo::DynamoDb) that `Self` borrows as.
#[macro_export]
macro_rules! streams_backend_methods {
    () => {
        fn list_streams(
            &self,
            input: ::siltdb::dynamo::api::ListStreamsInput,
        ) -> ::std::result::Result<
            ::siltdb::dynamo::api::ListStreamsOutput,
            ::siltdb::dynamo::DynamoError,
        > {
            <Self as ::std::borrow::Borrow<::siltdb::dynamo::DynamoDb>>::borrow(self)
                .list_streams(input)
        }
        fn describe_stream(
            &self,
            input: ::siltdb::dynamo::api::DescribeStreamInput,
        ) -> ::std::result::Result<
            ::siltdb::dynamo::api::DescribeStreamOutput,
            ::siltdb::dynamo::DynamoError,
        > {
            <Self as ::std::borrow::Borrow<::siltdb::dynamo::DynamoDb>>::borrow(self)
                .describe_stream(input)
        }
        fn get_shard_iterator(
            &self,
            input: ::siltdb::dynamo::api::GetShardIteratorInput,
        ) -> ::std::result::Result<
            ::siltdb::dynamo::api::GetShardIteratorOutput,
            ::siltdb::dynamo::DynamoError,
        > {
            <Self as ::std::borrow::Borrow<::siltdb::dynamo::DynamoDb>>::borrow(self)
                .get_shard_iterator(input)
        }
        fn get_records(
            &self,
            input: ::siltdb::dynamo::api::GetRecordsInput,
        ) -> ::std::result::Result<
            ::siltdb::dynamo::api::GetRecordsOutput,
            ::siltdb::dynamo::DynamoError,
        > {
            <Self as ::std::borrow::Borrow<::siltdb::dynamo::DynamoDb>>::borrow(self)
                .get_records(input)
        }
    };
}
