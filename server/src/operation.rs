//! The operations the server answers — listed once, in
//! `for_each_operation!` — and their inputs and outputs as one enum each.
//!
//! Every other place that needs one line per operation (the [`Backend`]
//! trait and [`dispatch`], the JSON readers and writers in [`crate::json`])
//! is generated from that list, so adding an operation is one entry.
//!
//! [`Backend`]: crate::Backend
//! [`dispatch`]: crate::backend::dispatch

use siltdb::dynamo::api;

/// Calls `$callback!` with the list of every operation the server answers.
///
/// One entry per operation, in this form:
///
/// ```text
/// Name {
///     method: backend_method, input: NameInput, output: NameOutput,
///     read: json_module::name_input, write: json_module::name_output,
///     api: dynamodb | streams,            // X-Amz-Target prefix
///     runs: inline | blocking | awaited(dynamo_db_async_method), // see Runs
///     fallback: required | unknown_operation | not_implemented | transfers,
///     members: ["Member", ...],           // the input's top-level members
/// },
/// ```
///
/// `input`/`output` name types of `siltdb::dynamo::api`; `read`/`write` are
/// paths inside `crate::json`; `fallback` is what [`crate::Backend`]'s
/// default method answers (`required`: no default; `transfers`: the
/// export/import operations, which [`crate::transfer::Served`] answers
/// from a directory standing for S3 and a plain [`siltdb::dynamo::DynamoDb`]
/// refuses, see [`crate::backend::transfers_unavailable`]). `members` are the
/// input shape's members in DynamoDB's API model (botocore 1.44
/// `dynamodb/2012-08-10` and `dynamodbstreams/2012-08-10` service-2.json),
/// including members siltdb does not act on: a member outside this list is
/// refused before its value is read (see [`crate::json::read_body`]).
macro_rules! for_each_operation {
    ($callback:ident) => {
        $callback! {
        CreateTable {
            method: create_table, input: CreateTableInput, output: CreateTableOutput,
            read: tables::create_table_input, write: tables::create_table_output,
            api: dynamodb, runs: blocking, fallback: required,
            members: ["AttributeDefinitions", "TableName", "KeySchema", "LocalSecondaryIndexes", "GlobalSecondaryIndexes", "BillingMode", "ProvisionedThroughput", "StreamSpecification", "SSESpecification", "Tags", "TableClass", "DeletionProtectionEnabled", "WarmThroughput", "ResourcePolicy", "OnDemandThroughput", "GlobalTableSourceArn", "GlobalTableSettingsReplicationMode", "VectorIndexes"],
        },
        DescribeTable {
            method: describe_table, input: DescribeTableInput, output: DescribeTableOutput,
            read: tables::describe_table_input, write: tables::describe_table_output,
            api: dynamodb, runs: blocking, fallback: required,
            members: ["TableName"],
        },
        ListTables {
            method: list_tables, input: ListTablesInput, output: ListTablesOutput,
            read: tables::list_tables_input, write: tables::list_tables_output,
            api: dynamodb, runs: inline, fallback: required,
            members: ["ExclusiveStartTableName", "Limit"],
        },
        UpdateTable {
            method: update_table, input: UpdateTableInput, output: UpdateTableOutput,
            read: tables::update_table_input, write: tables::update_table_output,
            api: dynamodb, runs: blocking, fallback: required,
            members: ["AttributeDefinitions", "TableName", "BillingMode", "ProvisionedThroughput", "GlobalSecondaryIndexUpdates", "StreamSpecification", "SSESpecification", "ReplicaUpdates", "TableClass", "DeletionProtectionEnabled", "MultiRegionConsistency", "GlobalTableWitnessUpdates", "OnDemandThroughput", "WarmThroughput", "GlobalTableSettingsReplicationMode", "DisassociationProtectionEnabled", "VectorIndexUpdates"],
        },
        DeleteTable {
            method: delete_table, input: DeleteTableInput, output: DeleteTableOutput,
            read: tables::delete_table_input, write: tables::delete_table_output,
            api: dynamodb, runs: blocking, fallback: required,
            members: ["TableName"],
        },
        PutItem {
            method: put_item, input: PutItemInput, output: PutItemOutput,
            read: item::put_item_input, write: item::put_item_output,
            api: dynamodb, runs: awaited(put_item_async), fallback: required,
            members: ["TableName", "Item", "Expected", "ReturnValues", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "ConditionalOperator", "ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues", "ReturnValuesOnConditionCheckFailure"],
        },
        GetItem {
            method: get_item, input: GetItemInput, output: GetItemOutput,
            read: item::get_item_input, write: item::get_item_output,
            api: dynamodb, runs: inline, fallback: required,
            members: ["TableName", "Key", "AttributesToGet", "ConsistentRead", "ReturnConsumedCapacity", "ProjectionExpression", "ExpressionAttributeNames"],
        },
        UpdateItem {
            method: update_item, input: UpdateItemInput, output: UpdateItemOutput,
            read: item::update_item_input, write: item::update_item_output,
            api: dynamodb, runs: awaited(update_item_async), fallback: required,
            members: ["TableName", "Key", "AttributeUpdates", "Expected", "ConditionalOperator", "ReturnValues", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "UpdateExpression", "ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues", "ReturnValuesOnConditionCheckFailure"],
        },
        DeleteItem {
            method: delete_item, input: DeleteItemInput, output: DeleteItemOutput,
            read: item::delete_item_input, write: item::delete_item_output,
            api: dynamodb, runs: awaited(delete_item_async), fallback: required,
            members: ["TableName", "Key", "Expected", "ConditionalOperator", "ReturnValues", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues", "ReturnValuesOnConditionCheckFailure"],
        },
        Query {
            method: query, input: QueryInput, output: QueryOutput,
            read: query::query_input, write: query::query_output,
            api: dynamodb, runs: inline, fallback: required,
            members: ["TableName", "IndexName", "Select", "AttributesToGet", "Limit", "ConsistentRead", "KeyConditions", "QueryFilter", "ConditionalOperator", "ScanIndexForward", "ExclusiveStartKey", "ReturnConsumedCapacity", "ProjectionExpression", "FilterExpression", "KeyConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues"],
        },
        Scan {
            method: scan, input: ScanInput, output: ScanOutput,
            read: query::scan_input, write: query::query_output,
            api: dynamodb, runs: inline, fallback: required,
            members: ["TableName", "IndexName", "AttributesToGet", "Limit", "Select", "ScanFilter", "ConditionalOperator", "ExclusiveStartKey", "ReturnConsumedCapacity", "TotalSegments", "Segment", "ProjectionExpression", "FilterExpression", "ExpressionAttributeNames", "ExpressionAttributeValues", "ConsistentRead"],
        },
        BatchGetItem {
            method: batch_get_item, input: BatchGetItemInput, output: BatchGetItemOutput,
            read: batch::batch_get_item_input, write: batch::batch_get_item_output,
            api: dynamodb, runs: inline, fallback: required,
            members: ["RequestItems", "ReturnConsumedCapacity"],
        },
        BatchWriteItem {
            method: batch_write_item, input: BatchWriteItemInput, output: BatchWriteItemOutput,
            read: batch::batch_write_item_input, write: batch::batch_write_item_output,
            api: dynamodb, runs: awaited(batch_write_item_async), fallback: required,
            members: ["RequestItems", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics"],
        },
        TransactWriteItems {
            method: transact_write_items, input: TransactWriteItemsInput, output: TransactWriteItemsOutput,
            read: transact::transact_write_items_input, write: transact::transact_write_items_output,
            api: dynamodb, runs: awaited(transact_write_items_async), fallback: required,
            members: ["TransactItems", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "ClientRequestToken"],
        },
        TransactGetItems {
            method: transact_get_items, input: TransactGetItemsInput, output: TransactGetItemsOutput,
            read: transact::transact_get_items_input, write: transact::transact_get_items_output,
            api: dynamodb, runs: inline, fallback: required,
            members: ["TransactItems", "ReturnConsumedCapacity"],
        },
        ListStreams {
            method: list_streams, input: ListStreamsInput, output: ListStreamsOutput,
            read: streams::list_streams_input, write: streams::list_streams_output,
            api: streams, runs: inline, fallback: unknown_operation,
            members: ["TableName", "Limit", "ExclusiveStartStreamArn"],
        },
        DescribeStream {
            method: describe_stream, input: DescribeStreamInput, output: DescribeStreamOutput,
            read: streams::describe_stream_input, write: streams::describe_stream_output,
            api: streams, runs: inline, fallback: unknown_operation,
            members: ["StreamArn", "Limit", "ExclusiveStartShardId", "ShardFilter"],
        },
        GetShardIterator {
            method: get_shard_iterator, input: GetShardIteratorInput, output: GetShardIteratorOutput,
            read: streams::get_shard_iterator_input, write: streams::get_shard_iterator_output,
            api: streams, runs: inline, fallback: unknown_operation,
            members: ["StreamArn", "ShardId", "ShardIteratorType", "SequenceNumber", "Timestamp"],
        },
        GetRecords {
            method: get_records, input: GetRecordsInput, output: GetRecordsOutput,
            read: streams::get_records_input, write: streams::get_records_output,
            api: streams, runs: inline, fallback: unknown_operation,
            members: ["ShardIterator", "Limit"],
        },
        UpdateTimeToLive {
            method: update_time_to_live, input: UpdateTimeToLiveInput, output: UpdateTimeToLiveOutput,
            read: ttl::update_time_to_live_input, write: ttl::update_time_to_live_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["TableName", "TimeToLiveSpecification"],
        },
        DescribeTimeToLive {
            method: describe_time_to_live, input: DescribeTimeToLiveInput, output: DescribeTimeToLiveOutput,
            read: ttl::describe_time_to_live_input, write: ttl::describe_time_to_live_output,
            api: dynamodb, runs: inline, fallback: not_implemented,
            members: ["TableName"],
        },
        TagResource {
            method: tag_resource, input: TagResourceInput, output: TagResourceOutput,
            read: tags::tag_resource_input, write: tags::tag_resource_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["ResourceArn", "Tags"],
        },
        UntagResource {
            method: untag_resource, input: UntagResourceInput, output: UntagResourceOutput,
            read: tags::untag_resource_input, write: tags::untag_resource_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["ResourceArn", "TagKeys"],
        },
        ListTagsOfResource {
            method: list_tags_of_resource, input: ListTagsOfResourceInput, output: ListTagsOfResourceOutput,
            read: tags::list_tags_of_resource_input, write: tags::list_tags_of_resource_output,
            api: dynamodb, runs: inline, fallback: not_implemented,
            members: ["ResourceArn", "NextToken"],
        },
        CreateBackup {
            method: create_backup, input: CreateBackupInput, output: CreateBackupOutput,
            read: backup::create_backup_input, write: backup::create_backup_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["TableName", "BackupName"],
        },
        DescribeBackup {
            method: describe_backup, input: DescribeBackupInput, output: DescribeBackupOutput,
            read: backup::describe_backup_input, write: backup::describe_backup_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["BackupArn"],
        },
        ListBackups {
            method: list_backups, input: ListBackupsInput, output: ListBackupsOutput,
            read: backup::list_backups_input, write: backup::list_backups_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["TableName", "Limit", "TimeRangeLowerBound", "TimeRangeUpperBound", "ExclusiveStartBackupArn", "BackupType"],
        },
        DeleteBackup {
            method: delete_backup, input: DeleteBackupInput, output: DeleteBackupOutput,
            read: backup::delete_backup_input, write: backup::delete_backup_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["BackupArn"],
        },
        RestoreTableFromBackup {
            method: restore_table_from_backup, input: RestoreTableFromBackupInput, output: RestoreTableFromBackupOutput,
            read: backup::restore_table_from_backup_input, write: backup::restore_table_from_backup_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["TargetTableName", "BackupArn", "BillingModeOverride", "GlobalSecondaryIndexOverride", "LocalSecondaryIndexOverride", "ProvisionedThroughputOverride", "OnDemandThroughputOverride", "SSESpecificationOverride", "VectorIndexOverride"],
        },
        UpdateContinuousBackups {
            method: update_continuous_backups, input: UpdateContinuousBackupsInput, output: UpdateContinuousBackupsOutput,
            read: pitr::update_continuous_backups_input, write: pitr::update_continuous_backups_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["TableName", "PointInTimeRecoverySpecification"],
        },
        DescribeContinuousBackups {
            method: describe_continuous_backups, input: DescribeContinuousBackupsInput, output: DescribeContinuousBackupsOutput,
            read: pitr::describe_continuous_backups_input, write: pitr::describe_continuous_backups_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["TableName"],
        },
        RestoreTableToPointInTime {
            method: restore_table_to_point_in_time, input: RestoreTableToPointInTimeInput, output: RestoreTableToPointInTimeOutput,
            read: pitr::restore_table_to_point_in_time_input, write: pitr::restore_table_to_point_in_time_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["SourceTableArn", "SourceTableName", "TargetTableName", "UseLatestRestorableTime", "RestoreDateTime", "BillingModeOverride", "GlobalSecondaryIndexOverride", "LocalSecondaryIndexOverride", "ProvisionedThroughputOverride", "OnDemandThroughputOverride", "SSESpecificationOverride"],
        },
        ExecuteStatement {
            method: execute_statement, input: ExecuteStatementInput, output: ExecuteStatementOutput,
            read: partiql::execute_statement_input, write: partiql::execute_statement_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["Statement", "Parameters", "ConsistentRead", "NextToken", "ReturnConsumedCapacity", "Limit", "ReturnValuesOnConditionCheckFailure"],
        },
        BatchExecuteStatement {
            method: batch_execute_statement, input: BatchExecuteStatementInput, output: BatchExecuteStatementOutput,
            read: partiql::batch_execute_statement_input, write: partiql::batch_execute_statement_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["Statements", "ReturnConsumedCapacity"],
        },
        ExecuteTransaction {
            method: execute_transaction, input: ExecuteTransactionInput, output: ExecuteTransactionOutput,
            read: partiql::execute_transaction_input, write: partiql::execute_transaction_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["TransactStatements", "ClientRequestToken", "ReturnConsumedCapacity"],
        },
        DescribeLimits {
            method: describe_limits, input: DescribeLimitsInput, output: DescribeLimitsOutput,
            read: account::describe_limits_input, write: account::describe_limits_output,
            api: dynamodb, runs: inline, fallback: not_implemented,
            members: [],
        },
        DescribeEndpoints {
            method: describe_endpoints, input: DescribeEndpointsInput, output: DescribeEndpointsOutput,
            read: account::describe_endpoints_input, write: account::describe_endpoints_output,
            api: dynamodb, runs: inline, fallback: not_implemented,
            members: [],
        },
        PutResourcePolicy {
            method: put_resource_policy, input: PutResourcePolicyInput, output: PutResourcePolicyOutput,
            read: policy::put_resource_policy_input, write: policy::put_resource_policy_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["ResourceArn", "Policy", "ExpectedRevisionId", "ConfirmRemoveSelfResourceAccess"],
        },
        GetResourcePolicy {
            method: get_resource_policy, input: GetResourcePolicyInput, output: GetResourcePolicyOutput,
            read: policy::get_resource_policy_input, write: policy::get_resource_policy_output,
            api: dynamodb, runs: inline, fallback: not_implemented,
            members: ["ResourceArn"],
        },
        DeleteResourcePolicy {
            method: delete_resource_policy, input: DeleteResourcePolicyInput, output: DeleteResourcePolicyOutput,
            read: policy::delete_resource_policy_input, write: policy::delete_resource_policy_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["ResourceArn", "ExpectedRevisionId"],
        },
        DescribeContributorInsights {
            method: describe_contributor_insights, input: DescribeContributorInsightsInput, output: DescribeContributorInsightsOutput,
            read: insights::describe_contributor_insights_input, write: insights::describe_contributor_insights_output,
            api: dynamodb, runs: inline, fallback: not_implemented,
            members: ["TableName", "IndexName"],
        },
        UpdateContributorInsights {
            method: update_contributor_insights, input: UpdateContributorInsightsInput, output: UpdateContributorInsightsOutput,
            read: insights::update_contributor_insights_input, write: insights::update_contributor_insights_output,
            api: dynamodb, runs: blocking, fallback: not_implemented,
            members: ["TableName", "IndexName", "ContributorInsightsAction", "ContributorInsightsMode"],
        },
        ListContributorInsights {
            method: list_contributor_insights, input: ListContributorInsightsInput, output: ListContributorInsightsOutput,
            read: insights::list_contributor_insights_input, write: insights::list_contributor_insights_output,
            api: dynamodb, runs: inline, fallback: not_implemented,
            members: ["TableName", "NextToken", "MaxResults"],
        },
        ExportTableToPointInTime {
            method: export_table_to_point_in_time, input: ExportTableToPointInTimeInput, output: ExportTableToPointInTimeOutput,
            read: transfers::export_table_to_point_in_time_input, write: transfers::export_table_to_point_in_time_output,
            api: dynamodb, runs: blocking, fallback: transfers,
            members: ["TableArn", "ExportTime", "ClientToken", "S3Bucket", "S3BucketOwner", "S3Prefix", "S3SseAlgorithm", "S3SseKmsKeyId", "ExportFormat", "ExportType", "IncrementalExportSpecification"],
        },
        DescribeExport {
            method: describe_export, input: DescribeExportInput, output: DescribeExportOutput,
            read: transfers::describe_export_input, write: transfers::describe_export_output,
            api: dynamodb, runs: blocking, fallback: transfers,
            members: ["ExportArn"],
        },
        ListExports {
            method: list_exports, input: ListExportsInput, output: ListExportsOutput,
            read: transfers::list_exports_input, write: transfers::list_exports_output,
            api: dynamodb, runs: blocking, fallback: transfers,
            members: ["TableArn", "MaxResults", "NextToken"],
        },
        ImportTable {
            method: import_table, input: ImportTableInput, output: ImportTableOutput,
            read: transfers::import_table_input, write: transfers::import_table_output,
            api: dynamodb, runs: blocking, fallback: transfers,
            members: ["ClientToken", "S3BucketSource", "InputFormat", "InputFormatOptions", "InputCompressionType", "TableCreationParameters"],
        },
        DescribeImport {
            method: describe_import, input: DescribeImportInput, output: DescribeImportOutput,
            read: transfers::describe_import_input, write: transfers::describe_import_output,
            api: dynamodb, runs: blocking, fallback: transfers,
            members: ["ImportArn"],
        },
        ListImports {
            method: list_imports, input: ListImportsInput, output: ListImportsOutput,
            read: transfers::list_imports_input, write: transfers::list_imports_output,
            api: dynamodb, runs: blocking, fallback: transfers,
            members: ["TableArn", "PageSize", "NextToken"],
        },
        }
    };
}
pub(crate) use for_each_operation;

macro_rules! define_operations {
    ($($op:ident {
        method: $method:ident, input: $input:ident, output: $output:ident,
        read: $read:path, write: $write:path,
        api: $api:ident, runs: $runs:ident $(($awaits:ident))?, fallback: $fallback:ident,
        members: [$($member:literal),* $(,)?] $(,)?
    },)+) => {
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

            /// Whether the operation belongs to the DynamoDB Streams API
            /// (`X-Amz-Target: DynamoDBStreams_20120810.<Name>`) rather than
            /// DynamoDB's.
            pub fn is_streams(self) -> bool {
                match self {
                    $(Operation::$op => api_is_streams!($api),)+
                }
            }

            /// Where the server runs the operation (see [`Runs`]).
            pub fn runs(self) -> Runs {
                match self {
                    $(Operation::$op => runs!($runs),)+
                }
            }

            /// The top-level members of the operation's input in DynamoDB's
            /// API model (botocore's service-2.json), in the model's order.
            pub fn members(self) -> &'static [&'static str] {
                match self {
                    $(Operation::$op => &[$($member),*],)+
                }
            }
        }

        /// A decoded request.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Request {
            $(
                #[doc = concat!("`", stringify!($op), "`.")]
                $op(api::$input),
            )+
        }

        /// A successful response.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Response {
            $(
                #[doc = concat!("`", stringify!($op), "`.")]
                $op(api::$output),
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

macro_rules! api_is_streams {
    (dynamodb) => {
        false
    };
    (streams) => {
        true
    };
}

macro_rules! runs {
    (inline) => {
        Runs::Inline
    };
    (blocking) => {
        Runs::Blocking
    };
    (awaited) => {
        Runs::Awaited
    };
}

/// Where the server runs an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// To completion on the runtime worker that read the request: item
    /// reads. They are bounded (a Query or Scan page is at most 1 MB, a
    /// BatchGetItem at most 100 items) and never wait for a commit; a
    /// hand-off to the blocking pool would cost two thread wake-ups per
    /// request, measured at a quarter of a PutItem's server CPU time
    /// (benches/RESULTS.md).
    Inline,
    /// Checked and staged on the worker, then awaited: item writes
    /// (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
    /// TransactWriteItems). The worker serves other requests while the
    /// write's group commit runs on the engine's commit thread
    /// ([`crate::Backend::start_write`]), so a few workers serve any number
    /// of writers sharing one fsync.
    Awaited,
    /// On tokio's blocking pool: the control plane, whose work is unbounded
    /// or waits for writes in flight (DescribeTable may recount a changed
    /// table's items, DeleteTable and UpdateTable wait for writers to
    /// drain), and PartiQL, whose statements may write through the blocking
    /// item API (a write there holds its thread until its commit).
    Blocking,
}

for_each_operation!(define_operations);

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
            assert_eq!(op.runs(), Runs::Blocking, "{}", op.name());
        }
        assert_eq!(Operation::PutItem.runs(), Runs::Awaited);
        assert_eq!(Operation::TransactWriteItems.runs(), Runs::Awaited);
        assert_eq!(Operation::Query.runs(), Runs::Inline);
        assert_eq!(Operation::GetItem.runs(), Runs::Inline);
    }

    #[test]
    fn streams_operations_and_members() {
        let streams: Vec<_> = Operation::ALL
            .iter()
            .filter(|op| op.is_streams())
            .map(|op| op.name())
            .collect();
        assert_eq!(
            streams,
            [
                "ListStreams",
                "DescribeStream",
                "GetShardIterator",
                "GetRecords"
            ]
        );
        assert_eq!(Operation::GetItem.members().len(), 7);
        assert!(Operation::CreateTable.members().contains(&"TableClass"));
        assert_eq!(Operation::GetRecords.members(), &["ShardIterator", "Limit"]);
    }
}
