//! What the server calls to do the work: one blocking method per operation.
//!
//! The real implementation is siltdb's [`DynamoDb`] handle; tests also use
//! a fake.
//! Methods block (they may wait for an fsync), so the server calls them
//! through `tokio::task::spawn_blocking`.

use siltdb::dynamo::api::{
    BatchExecuteStatementInput, BatchExecuteStatementOutput, ExecuteStatementInput,
    ExecuteStatementOutput, ExecuteTransactionInput, ExecuteTransactionOutput,
};
use siltdb::dynamo::api::{
    BatchGetItemInput, BatchGetItemOutput, BatchWriteItemInput, BatchWriteItemOutput,
    CreateTableInput, CreateTableOutput, DeleteItemInput, DeleteItemOutput, DeleteTableInput,
    DeleteTableOutput, DescribeTableInput, DescribeTableOutput, GetItemInput, GetItemOutput,
    ListTablesInput, ListTablesOutput, PutItemInput, PutItemOutput, QueryInput, QueryOutput,
    ScanInput, ScanOutput, TransactGetItemsInput, TransactGetItemsOutput, TransactWriteItemsInput,
    TransactWriteItemsOutput, UpdateItemInput, UpdateItemOutput, UpdateTableInput,
    UpdateTableOutput,
};
use siltdb::dynamo::api::{
    DescribeStreamInput, DescribeStreamOutput, GetRecordsInput, GetRecordsOutput,
    GetShardIteratorInput, GetShardIteratorOutput, ListStreamsInput, ListStreamsOutput,
};
use siltdb::dynamo::api::{
    DescribeTimeToLiveInput, DescribeTimeToLiveOutput, ListTagsOfResourceInput,
    ListTagsOfResourceOutput, TagResourceInput, TagResourceOutput, UntagResourceInput,
    UntagResourceOutput, UpdateTimeToLiveInput, UpdateTimeToLiveOutput,
};
use siltdb::dynamo::{DynamoDb, DynamoError};

use crate::operation::{Request, Response};

/// A DynamoDB implementation the server can serve.
///
/// Every method takes its input by value and returns the operation's output
/// or a [`DynamoError`] whose name and message go to the client unchanged.
#[allow(missing_docs)] // one method per operation, named after it
pub trait Backend: Send + Sync + 'static {
    fn create_table(&self, input: CreateTableInput) -> Result<CreateTableOutput, DynamoError>;
    fn describe_table(&self, input: DescribeTableInput)
        -> Result<DescribeTableOutput, DynamoError>;
    fn list_tables(&self, input: ListTablesInput) -> Result<ListTablesOutput, DynamoError>;
    fn update_table(&self, input: UpdateTableInput) -> Result<UpdateTableOutput, DynamoError>;
    fn delete_table(&self, input: DeleteTableInput) -> Result<DeleteTableOutput, DynamoError>;
    fn put_item(&self, input: PutItemInput) -> Result<PutItemOutput, DynamoError>;
    fn get_item(&self, input: GetItemInput) -> Result<GetItemOutput, DynamoError>;
    fn update_item(&self, input: UpdateItemInput) -> Result<UpdateItemOutput, DynamoError>;
    fn delete_item(&self, input: DeleteItemInput) -> Result<DeleteItemOutput, DynamoError>;
    fn query(&self, input: QueryInput) -> Result<QueryOutput, DynamoError>;
    fn scan(&self, input: ScanInput) -> Result<ScanOutput, DynamoError>;
    fn batch_get_item(&self, input: BatchGetItemInput) -> Result<BatchGetItemOutput, DynamoError>;
    fn batch_write_item(
        &self,
        input: BatchWriteItemInput,
    ) -> Result<BatchWriteItemOutput, DynamoError>;
    fn transact_write_items(
        &self,
        input: TransactWriteItemsInput,
    ) -> Result<TransactWriteItemsOutput, DynamoError>;
    fn transact_get_items(
        &self,
        input: TransactGetItemsInput,
    ) -> Result<TransactGetItemsOutput, DynamoError>;

    // The DynamoDB Streams API. The defaults answer as an endpoint without
    // DynamoDB Streams does (UnknownOperationException).

    fn list_streams(&self, _input: ListStreamsInput) -> Result<ListStreamsOutput, DynamoError> {
        Err(no_streams())
    }
    fn describe_stream(
        &self,
        _input: DescribeStreamInput,
    ) -> Result<DescribeStreamOutput, DynamoError> {
        Err(no_streams())
    }
    fn get_shard_iterator(
        &self,
        _input: GetShardIteratorInput,
    ) -> Result<GetShardIteratorOutput, DynamoError> {
        Err(no_streams())
    }
    fn get_records(&self, _input: GetRecordsInput) -> Result<GetRecordsOutput, DynamoError> {
        Err(no_streams())
    }

    // Time to Live and tags. The defaults refuse; a backend implements them
    fn update_time_to_live(
        &self,
        input: UpdateTimeToLiveInput,
    ) -> Result<UpdateTimeToLiveOutput, DynamoError> {
        let _ = input;
        Err(not_implemented("UpdateTimeToLive"))
    }
    fn describe_time_to_live(
        &self,
        input: DescribeTimeToLiveInput,
    ) -> Result<DescribeTimeToLiveOutput, DynamoError> {
        let _ = input;
        Err(not_implemented("DescribeTimeToLive"))
    }
    fn tag_resource(&self, input: TagResourceInput) -> Result<TagResourceOutput, DynamoError> {
        let _ = input;
        Err(not_implemented("TagResource"))
    }
    fn untag_resource(
        &self,
        input: UntagResourceInput,
    ) -> Result<UntagResourceOutput, DynamoError> {
        let _ = input;
        Err(not_implemented("UntagResource"))
    }
    fn list_tags_of_resource(
        &self,
        input: ListTagsOfResourceInput,
    ) -> Result<ListTagsOfResourceOutput, DynamoError> {
        let _ = input;
        Err(not_implemented("ListTagsOfResource"))
    }

    // PartiQL. The defaults refuse; a backend implements them.
    fn execute_statement(
        &self,
        input: ExecuteStatementInput,
    ) -> Result<ExecuteStatementOutput, DynamoError> {
        let _ = input;
        Err(not_implemented("ExecuteStatement"))
    }
    fn batch_execute_statement(
        &self,
        input: BatchExecuteStatementInput,
    ) -> Result<BatchExecuteStatementOutput, DynamoError> {
        let _ = input;
        Err(not_implemented("BatchExecuteStatement"))
    }
    fn execute_transaction(
        &self,
        input: ExecuteTransactionInput,
    ) -> Result<ExecuteTransactionOutput, DynamoError> {
        let _ = input;
        Err(not_implemented("ExecuteTransaction"))
    }

    /// Flushes and closes the store; called once when the server stops,
    /// after the last request finished.
    fn close(&self) -> Result<(), DynamoError> {
        Ok(())
    }
}

/// What a backend without DynamoDB Streams answers to its operations.
fn no_streams() -> DynamoError {
    DynamoError::UnknownOperationException(String::new())
}

/// The error of an operation a backend does not implement.
pub fn not_implemented(operation: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("{operation} is not implemented by this backend"))
}

/// Runs `request` on `backend`.
pub fn dispatch(backend: &dyn Backend, request: Request) -> Result<Response, DynamoError> {
    Ok(match request {
        Request::CreateTable(i) => Response::CreateTable(backend.create_table(i)?),
        Request::DescribeTable(i) => Response::DescribeTable(backend.describe_table(i)?),
        Request::ListTables(i) => Response::ListTables(backend.list_tables(i)?),
        Request::UpdateTable(i) => Response::UpdateTable(backend.update_table(i)?),
        Request::DeleteTable(i) => Response::DeleteTable(backend.delete_table(i)?),
        Request::PutItem(i) => Response::PutItem(backend.put_item(i)?),
        Request::GetItem(i) => Response::GetItem(backend.get_item(i)?),
        Request::UpdateItem(i) => Response::UpdateItem(backend.update_item(i)?),
        Request::DeleteItem(i) => Response::DeleteItem(backend.delete_item(i)?),
        Request::Query(i) => Response::Query(backend.query(i)?),
        Request::Scan(i) => Response::Scan(backend.scan(i)?),
        Request::BatchGetItem(i) => Response::BatchGetItem(backend.batch_get_item(i)?),
        Request::BatchWriteItem(i) => Response::BatchWriteItem(backend.batch_write_item(i)?),
        Request::TransactWriteItems(i) => {
            Response::TransactWriteItems(backend.transact_write_items(i)?)
        }
        Request::TransactGetItems(i) => Response::TransactGetItems(backend.transact_get_items(i)?),
        Request::ListStreams(i) => Response::ListStreams(backend.list_streams(i)?),
        Request::DescribeStream(i) => Response::DescribeStream(backend.describe_stream(i)?),
        Request::GetShardIterator(i) => Response::GetShardIterator(backend.get_shard_iterator(i)?),
        Request::GetRecords(i) => Response::GetRecords(backend.get_records(i)?),
        Request::UpdateTimeToLive(i) => Response::UpdateTimeToLive(backend.update_time_to_live(i)?),
        Request::DescribeTimeToLive(i) => {
            Response::DescribeTimeToLive(backend.describe_time_to_live(i)?)
        }
        Request::TagResource(i) => Response::TagResource(backend.tag_resource(i)?),
        Request::UntagResource(i) => Response::UntagResource(backend.untag_resource(i)?),
        Request::ListTagsOfResource(i) => {
            Response::ListTagsOfResource(backend.list_tags_of_resource(i)?)
        }
        Request::ExecuteStatement(i) => Response::ExecuteStatement(backend.execute_statement(i)?),
        Request::BatchExecuteStatement(i) => {
            Response::BatchExecuteStatement(backend.batch_execute_statement(i)?)
        }
        Request::ExecuteTransaction(i) => {
            Response::ExecuteTransaction(backend.execute_transaction(i)?)
        }
    })
}

/// siltdb's own DynamoDB handle: every operation is the method of the same
/// name, and [`Backend::close`] closes the engine (syncing the WAL).
macro_rules! delegate {
    ($($method:ident($input:ty) -> $output:ty;)+) => {
        impl Backend for DynamoDb {
            $(
                fn $method(&self, input: $input) -> Result<$output, DynamoError> {
                    DynamoDb::$method(self, input)
                }
            )+

            fn close(&self) -> Result<(), DynamoError> {
                DynamoDb::close(self)
            }
        }
    };
}

delegate! {
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
    update_time_to_live(UpdateTimeToLiveInput) -> UpdateTimeToLiveOutput;
    describe_time_to_live(DescribeTimeToLiveInput) -> DescribeTimeToLiveOutput;
    tag_resource(TagResourceInput) -> TagResourceOutput;
    untag_resource(UntagResourceInput) -> UntagResourceOutput;
    list_tags_of_resource(ListTagsOfResourceInput) -> ListTagsOfResourceOutput;
    list_streams(ListStreamsInput) -> ListStreamsOutput;
    describe_stream(DescribeStreamInput) -> DescribeStreamOutput;
    get_shard_iterator(GetShardIteratorInput) -> GetShardIteratorOutput;
    get_records(GetRecordsInput) -> GetRecordsOutput;
    execute_statement(ExecuteStatementInput) -> ExecuteStatementOutput;
    batch_execute_statement(BatchExecuteStatementInput) -> BatchExecuteStatementOutput;
    execute_transaction(ExecuteTransactionInput) -> ExecuteTransactionOutput;
}
