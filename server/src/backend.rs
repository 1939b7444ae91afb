//! What the server calls to do the work: one blocking method per operation.
//!
//! The real implementation is siltdb's `DynamoDb` handle; tests use a fake.
//! Methods block (they may wait for an fsync), so the server calls them
//! through `tokio::task::spawn_blocking`.

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
use siltdb::dynamo::DynamoError;

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
    // DynamoDB Streams does; siltdb's `DynamoDb` answers them all
    // (`crate::backend_streams`).

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
    })
}

/// A backend that answers every operation with `InternalServerError`.
///
/// TEMPORARY: `siltdb serve` uses it until siltdb's `DynamoDb` handle is on
/// main; then `Backend` is implemented for `DynamoDb` and this goes away.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unavailable;

macro_rules! unavailable {
    ($($method:ident($input:ty) -> $output:ty;)+) => {
        impl Backend for Unavailable {
            $(
                fn $method(&self, _input: $input) -> Result<$output, DynamoError> {
                    Err(DynamoError::InternalServerError(
                        "this siltdb build has no DynamoDB engine handle yet; the server can parse requests but not execute them".to_string(),
                    ))
                }
            )+
        }
    };
}

unavailable! {
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
