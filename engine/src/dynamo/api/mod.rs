//! Request and response shapes of DynamoDB's API, field for field.
//!
//! Each struct mirrors a shape of DynamoDB's API model (botocore
//! `dynamodb/2012-08-10/service-2.json`): `PutItemInput` has the members of
//! the `PutItemInput` shape, in snake case. Optional members are `Option`s so
//! "absent" and "empty" stay distinguishable — DynamoDB validates them
//! differently. Every input derives `Default`, so callers write only the
//! fields they use:
//!
//! ```
//! use siltdb::dynamo::api::GetItemInput;
//! let input = GetItemInput { table_name: "Music".into(), ..Default::default() };
//! assert!(input.projection_expression.is_none());
//! ```
//!
//! The HTTP server maps DynamoDB JSON onto exactly these types.
//!
//! Data-plane shapes sit here, one file per family (`item`, `query`,
//! `batch`, `transact`, `partiql`, `stream`); the control plane's are in
//! `control/` and the backup family's (backups, point-in-time recovery,
//! export and import) in `backups/`.

mod backups;
mod batch;
mod capacity;
mod control;
mod enums;
mod item;
mod legacy;
mod partiql;
mod query;
mod stream;
mod transact;

use backups::{backup, pitr, transfer};
use control::{account, index, insights, policy, settings, table, tags, ttl};

pub use account::{
    DescribeEndpointsInput, DescribeEndpointsOutput, DescribeLimitsInput, DescribeLimitsOutput,
    Endpoint,
};
pub use backup::{
    BackupDescription, BackupDetails, BackupStatus, BackupSummary, BackupType, BackupTypeFilter,
    CreateBackupInput, CreateBackupOutput, DeleteBackupInput, DeleteBackupOutput,
    DescribeBackupInput, DescribeBackupOutput, GlobalSecondaryIndexInfo, ListBackupsInput,
    ListBackupsOutput, LocalSecondaryIndexInfo, RestoreOverrides, RestoreSummary,
    RestoreTableFromBackupInput, RestoreTableFromBackupOutput, SourceTableDetails,
    SourceTableFeatureDetails,
};
pub use batch::{
    BatchGetItemInput, BatchGetItemOutput, BatchWriteItemInput, BatchWriteItemOutput,
    DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};
pub use capacity::{Capacity, ConsumedCapacity, ItemCollectionMetrics};
pub use enums::{
    ReturnConsumedCapacity, ReturnItemCollectionMetrics, ReturnValue,
    ReturnValuesOnConditionCheckFailure, Select,
};
pub use index::{
    CreateGlobalSecondaryIndexAction, DeleteGlobalSecondaryIndexAction, GlobalSecondaryIndex,
    GlobalSecondaryIndexDescription, GlobalSecondaryIndexUpdate, IndexStatus, LocalSecondaryIndex,
    LocalSecondaryIndexDescription, Projection, ProjectionType, UpdateGlobalSecondaryIndexAction,
};
pub use insights::{
    ContributorInsightsAction, ContributorInsightsMode, ContributorInsightsStatus,
    ContributorInsightsSummary, DescribeContributorInsightsInput,
    DescribeContributorInsightsOutput, ListContributorInsightsInput, ListContributorInsightsOutput,
    UpdateContributorInsightsInput, UpdateContributorInsightsOutput,
};
pub use item::{
    DeleteItemInput, DeleteItemOutput, GetItemInput, GetItemOutput, PutItemInput, PutItemOutput,
    UpdateItemInput, UpdateItemOutput,
};
pub use legacy::{
    AttributeAction, AttributeValueUpdate, ComparisonOperator, ConditionalOperator,
    ExpectedAttributeValue, LegacyCondition,
};
pub use partiql::{
    BatchExecuteStatementInput, BatchExecuteStatementOutput, BatchStatementError,
    BatchStatementErrorCode, BatchStatementRequest, BatchStatementResponse, ExecuteStatementInput,
    ExecuteStatementOutput, ExecuteTransactionInput, ExecuteTransactionOutput,
    ParameterizedStatement,
};
pub use pitr::{
    ContinuousBackupsDescription, DescribeContinuousBackupsInput, DescribeContinuousBackupsOutput,
    PitrStatus, PointInTimeRecoveryDescription, PointInTimeRecoverySpecification,
    RestoreTableToPointInTimeInput, RestoreTableToPointInTimeOutput, UpdateContinuousBackupsInput,
    UpdateContinuousBackupsOutput,
};
pub use policy::{
    DeleteResourcePolicyInput, DeleteResourcePolicyOutput, GetResourcePolicyInput,
    GetResourcePolicyOutput, PutResourcePolicyInput, PutResourcePolicyOutput,
};
pub use query::{QueryInput, QueryOutput, ScanInput, ScanOutput};
pub use settings::{
    GlobalSecondaryIndexWarmThroughputDescription, OnDemandThroughput, SseDescription,
    SseSpecification, SseStatus, SseType, TableClass, TableClassSummary,
    TableWarmThroughputDescription, WarmThroughput,
};
pub use stream::{
    DescribeStreamInput, DescribeStreamOutput, GetRecordsInput, GetRecordsOutput,
    GetShardIteratorInput, GetShardIteratorOutput, Identity, ListStreamsInput, ListStreamsOutput,
    OperationType, Record, SequenceNumberRange, Shard, ShardFilter, ShardFilterType,
    ShardIteratorType, Stream, StreamDescription, StreamRecord, StreamSpecification, StreamStatus,
    StreamViewType,
};
pub use table::{
    AttributeDefinition, BillingMode, BillingModeSummary, CreateTableInput, CreateTableOutput,
    DeleteTableInput, DeleteTableOutput, DescribeTableInput, DescribeTableOutput, KeySchemaElement,
    KeyType, ListTablesInput, ListTablesOutput, ProvisionedThroughput,
    ProvisionedThroughputDescription, TableDescription, TableStatus, UpdateTableInput,
    UpdateTableOutput,
};
pub use tags::{
    ListTagsOfResourceInput, ListTagsOfResourceOutput, Tag, TagResourceInput, TagResourceOutput,
    UntagResourceInput, UntagResourceOutput,
};
pub use transact::{
    CancellationReason, ConditionCheck, Delete, Get, ItemResponse, Put, TransactGetItem,
    TransactGetItemsInput, TransactGetItemsOutput, TransactWriteItem, TransactWriteItemsInput,
    TransactWriteItemsOutput, Update,
};
pub use transfer::{
    CsvOptions, DescribeExportInput, DescribeExportOutput, DescribeImportInput,
    DescribeImportOutput, ExportDescription, ExportFormat, ExportStatus, ExportSummary,
    ExportTableToPointInTimeInput, ExportTableToPointInTimeOutput, ExportType, ExportViewType,
    ImportStatus, ImportSummary, ImportTableDescription, ImportTableInput, ImportTableOutput,
    IncrementalExportSpecification, InputCompressionType, InputFormat, InputFormatOptions,
    ListExportsInput, ListExportsOutput, ListImportsInput, ListImportsOutput, S3BucketSource,
    S3SseAlgorithm,
};
pub use ttl::{
    DescribeTimeToLiveInput, DescribeTimeToLiveOutput, TimeToLiveDescription,
    TimeToLiveSpecification, TimeToLiveStatus, UpdateTimeToLiveInput, UpdateTimeToLiveOutput,
};

use std::collections::HashMap;

use super::value::AttributeValue;

/// `ExpressionAttributeNames`: `#placeholder` → attribute name.
pub type AttributeNames = HashMap<String, String>;
/// `ExpressionAttributeValues`: `:placeholder` → value.
pub type AttributeValues = HashMap<String, AttributeValue>;
