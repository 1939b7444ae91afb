//! The operations the server answers, and their inputs and outputs as one
//! enum each, so decoding, dispatch and encoding can be written once.

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

macro_rules! operations {
    ($($op:ident($input:ty => $output:ty),)+) => {
        /// A DynamoDB operation the server implements, named as in
        /// `X-Amz-Target: DynamoDB_20120810.<Name>` (or
        /// `DynamoDBStreams_20120810.<Name>`, see [`Operation::is_streams`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($op), "`.")]
                $op,
            )+
        }

        impl Operation {
            /// Every operation.
            pub const ALL: &'static [Operation] = &[$(Operation::$op),+];

            /// The operation's name, e.g. `"PutItem"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Operation::$op => stringify!($op),)+
                }
            }

            /// The operation called `name` (exact case), if implemented.
            pub fn from_name(name: &str) -> Option<Operation> {
                match name {
                    $(stringify!($op) => Some(Operation::$op),)+
                    _ => None,
                }
            }
        }

        /// A decoded request.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Request {
            $(
                #[doc = concat!("`", stringify!($op), "`.")]
                $op($input),
            )+
        }

        /// A successful response.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Response {
            $(
                #[doc = concat!("`", stringify!($op), "`.")]
                $op($output),
            )+
        }

        impl Request {
            /// The request's operation.
            pub fn operation(&self) -> Operation {
                match self {
                    $(Request::$op(_) => Operation::$op,)+
                }
            }
        }
    };
}

operations! {
    CreateTable(CreateTableInput => CreateTableOutput),
    DescribeTable(DescribeTableInput => DescribeTableOutput),
    ListTables(ListTablesInput => ListTablesOutput),
    UpdateTable(UpdateTableInput => UpdateTableOutput),
    DeleteTable(DeleteTableInput => DeleteTableOutput),
    PutItem(PutItemInput => PutItemOutput),
    GetItem(GetItemInput => GetItemOutput),
    UpdateItem(UpdateItemInput => UpdateItemOutput),
    DeleteItem(DeleteItemInput => DeleteItemOutput),
    Query(QueryInput => QueryOutput),
    Scan(ScanInput => ScanOutput),
    BatchGetItem(BatchGetItemInput => BatchGetItemOutput),
    BatchWriteItem(BatchWriteItemInput => BatchWriteItemOutput),
    TransactWriteItems(TransactWriteItemsInput => TransactWriteItemsOutput),
    TransactGetItems(TransactGetItemsInput => TransactGetItemsOutput),
    ListStreams(ListStreamsInput => ListStreamsOutput),
    DescribeStream(DescribeStreamInput => DescribeStreamOutput),
    GetShardIterator(GetShardIteratorInput => GetShardIteratorOutput),
    GetRecords(GetRecordsInput => GetRecordsOutput),
    UpdateTimeToLive(UpdateTimeToLiveInput => UpdateTimeToLiveOutput),
    DescribeTimeToLive(DescribeTimeToLiveInput => DescribeTimeToLiveOutput),
    TagResource(TagResourceInput => TagResourceOutput),
    UntagResource(UntagResourceInput => UntagResourceOutput),
    ListTagsOfResource(ListTagsOfResourceInput => ListTagsOfResourceOutput),
    ExecuteStatement(ExecuteStatementInput => ExecuteStatementOutput),
    BatchExecuteStatement(BatchExecuteStatementInput => BatchExecuteStatementOutput),
    ExecuteTransaction(ExecuteTransactionInput => ExecuteTransactionOutput),
}

impl Operation {
    /// Whether the operation belongs to the DynamoDB Streams API
    /// (`X-Amz-Target: DynamoDBStreams_20120810.<Name>`) rather than
    /// DynamoDB's.
    pub fn is_streams(self) -> bool {
        matches!(
            self,
            Operation::ListStreams
                | Operation::DescribeStream
                | Operation::GetShardIterator
                | Operation::GetRecords
        )
    }
}

impl Operation {
    /// Whether the server runs the operation on the runtime worker that
    /// read the request, rather than handing it to tokio's blocking pool.
    ///
    /// True for item reads and writes, PartiQL's included: reads are bounded
    /// (a Query, Scan or SELECT page is at most 1 MB, a BatchGetItem at most
    /// 100 items) and never
    /// wait on a lock; writes wait only for their group commit's fsync,
    /// which some running thread is always completing. A hand-off to the
    /// pool costs two thread wake-ups per request, measured at a quarter of
    /// a PutItem's server CPU time (benches/RESULTS.md); the server's worker
    /// count ([`crate::http::DEFAULT_WORKER_THREADS`]) bounds how many synced
    /// writes can share one fsync.
    ///
    /// False for the control plane, whose work is unbounded or waits for
    /// writes in flight: DescribeTable may recount a changed table's items,
    /// DeleteTable and UpdateTable wait for writers to drain.
    pub fn runs_inline(self) -> bool {
        matches!(
            self,
            Operation::GetItem
                | Operation::PutItem
                | Operation::UpdateItem
                | Operation::DeleteItem
                | Operation::Query
                | Operation::Scan
                | Operation::BatchGetItem
                | Operation::BatchWriteItem
                | Operation::TransactGetItems
                | Operation::TransactWriteItems
                | Operation::ExecuteStatement
                | Operation::BatchExecuteStatement
                | Operation::ExecuteTransaction
                | Operation::ListTables
                | Operation::DescribeTimeToLive
                | Operation::ListTagsOfResource
                | Operation::ListStreams
                | Operation::DescribeStream
                | Operation::GetShardIterator
                | Operation::GetRecords
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(*op));
        }
        assert_eq!(Operation::from_name("putItem"), None);
        assert_eq!(Operation::from_name("ListTable"), None);
    }

    #[test]
    fn the_control_plane_goes_to_the_blocking_pool() {
        for op in [
            Operation::CreateTable,
            Operation::DescribeTable,
            Operation::UpdateTable,
            Operation::DeleteTable,
            Operation::UpdateTimeToLive,
            Operation::TagResource,
            Operation::UntagResource,
        ] {
            assert!(!op.runs_inline(), "{}", op.name());
        }
        assert!(Operation::PutItem.runs_inline());
        assert!(Operation::Query.runs_inline());
    }
}
