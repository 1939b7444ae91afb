//! Export to and import from S3 shapes: ExportTableToPointInTime,
//! DescribeExport, ListExports, ImportTable, DescribeImport, ListImports
//! (botocore 1.44 `dynamodb/2012-08-10` service-2.json). The work behind
//! them is a [`crate::dynamo::Transfers`] service the embedder installs.

use super::enums::wire_enum;
use super::table::CreateTableInput;

wire_enum! {
    /// `ExportStatus`.
    ExportStatus {
        /// Being written.
        #[default]
        InProgress => "IN_PROGRESS",
        /// Every file written.
        Completed => "COMPLETED",
        /// Stopped; `FailureCode`/`FailureMessage` say why.
        Failed => "FAILED",
    }
}

wire_enum! {
    /// `ExportFormat`.
    ExportFormat {
        /// `{"Item":{...}}` lines.
        #[default]
        DynamodbJson => "DYNAMODB_JSON",
        /// `$ion_1_0 {Item:{...}}` lines.
        Ion => "ION",
    }
}

wire_enum! {
    /// `ExportType`.
    ExportType {
        /// The whole table at one time.
        #[default]
        FullExport => "FULL_EXPORT",
        /// The changes between two times.
        IncrementalExport => "INCREMENTAL_EXPORT",
    }
}

wire_enum! {
    /// `ExportViewType` of an incremental export.
    ExportViewType {
        /// New images only.
        NewImage => "NEW_IMAGE",
        /// New and old images.
        #[default]
        NewAndOldImages => "NEW_AND_OLD_IMAGES",
    }
}

wire_enum! {
    /// `S3SseAlgorithm`.
    S3SseAlgorithm {
        /// S3-managed keys.
        #[default]
        Aes256 => "AES256",
        /// KMS keys.
        Kms => "KMS",
    }
}

wire_enum! {
    /// `ImportStatus`.
    ImportStatus {
        /// Items being read and written.
        #[default]
        InProgress => "IN_PROGRESS",
        /// Every object read.
        Completed => "COMPLETED",
        /// Being cancelled.
        Cancelling => "CANCELLING",
        /// Cancelled.
        Cancelled => "CANCELLED",
        /// Stopped or finished with errors; `FailureCode` says why.
        Failed => "FAILED",
    }
}

wire_enum! {
    /// `InputFormat` of ImportTable.
    InputFormat {
        /// `{"Item":{...}}` lines.
        #[default]
        DynamodbJson => "DYNAMODB_JSON",
        /// Text Ion, `$ion_1_0 {Item:{...}}` values.
        Ion => "ION",
        /// Comma- (or `Delimiter`-) separated values.
        Csv => "CSV",
    }
}

wire_enum! {
    /// `InputCompressionType` of ImportTable.
    InputCompressionType {
        /// gzip.
        Gzip => "GZIP",
        /// Zstandard.
        Zstd => "ZSTD",
        /// Not compressed (the default).
        #[default]
        None => "NONE",
    }
}

/// `IncrementalExportSpecification`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IncrementalExportSpecification {
    /// `ExportFromTime`, seconds since the epoch.
    pub export_from_time: Option<f64>,
    /// `ExportToTime`, seconds since the epoch.
    pub export_to_time: Option<f64>,
    /// `ExportViewType`.
    pub export_view_type: Option<ExportViewType>,
}

/// `ExportTableToPointInTime` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportTableToPointInTimeInput {
    /// The table's ARN.
    pub table_arn: String,
    /// `ExportTime`, seconds since the epoch (default: now).
    pub export_time: Option<f64>,
    /// `ClientToken`: a retry with the same token and parameters returns
    /// the same export.
    pub client_token: Option<String>,
    /// The bucket.
    pub s3_bucket: String,
    /// `S3BucketOwner`, an account id.
    pub s3_bucket_owner: Option<String>,
    /// `S3Prefix`: the export goes under `<prefix>/AWSDynamoDB/<id>/`.
    pub s3_prefix: Option<String>,
    /// `S3SseAlgorithm`.
    pub s3_sse_algorithm: Option<S3SseAlgorithm>,
    /// `S3SseKmsKeyId`.
    pub s3_sse_kms_key_id: Option<String>,
    /// `ExportFormat` (default `DYNAMODB_JSON`).
    pub export_format: Option<ExportFormat>,
    /// `ExportType` (default `FULL_EXPORT`).
    pub export_type: Option<ExportType>,
    /// `IncrementalExportSpecification`.
    pub incremental_export_specification: Option<IncrementalExportSpecification>,
}

/// `ExportDescription`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportDescription {
    /// `<table ARN>/export/<id>`.
    pub export_arn: String,
    /// `ExportStatus`.
    pub export_status: ExportStatus,
    /// When the export started, seconds since the epoch.
    pub start_time: Option<f64>,
    /// When it ended.
    pub end_time: Option<f64>,
    /// The key of `manifest-summary.json` (once completed).
    pub export_manifest: Option<String>,
    /// The table's ARN.
    pub table_arn: Option<String>,
    /// The table's id.
    pub table_id: Option<String>,
    /// The time the export shows the table at.
    pub export_time: Option<f64>,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// The bucket.
    pub s3_bucket: Option<String>,
    /// `S3BucketOwner`.
    pub s3_bucket_owner: Option<String>,
    /// `S3Prefix`.
    pub s3_prefix: Option<String>,
    /// `S3SseAlgorithm`.
    pub s3_sse_algorithm: Option<S3SseAlgorithm>,
    /// `S3SseKmsKeyId`.
    pub s3_sse_kms_key_id: Option<String>,
    /// `FailureCode`.
    pub failure_code: Option<String>,
    /// `FailureMessage`.
    pub failure_message: Option<String>,
    /// `ExportFormat`.
    pub export_format: Option<ExportFormat>,
    /// `BilledSizeBytes`: the table's size exported.
    pub billed_size_bytes: Option<i64>,
    /// `ItemCount`: items exported.
    pub item_count: Option<i64>,
    /// `ExportType`.
    pub export_type: Option<ExportType>,
    /// `IncrementalExportSpecification`.
    pub incremental_export_specification: Option<IncrementalExportSpecification>,
}

/// `ExportTableToPointInTime` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportTableToPointInTimeOutput {
    /// The export, `IN_PROGRESS`.
    pub export_description: ExportDescription,
}

/// `DescribeExport` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeExportInput {
    /// The export's ARN.
    pub export_arn: String,
}

/// `DescribeExport` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeExportOutput {
    /// The export.
    pub export_description: ExportDescription,
}

/// `ListExports` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListExportsInput {
    /// Only this table's exports.
    pub table_arn: Option<String>,
    /// 1–25 per page (default 25).
    pub max_results: Option<i64>,
    /// `NextToken` of the previous page.
    pub next_token: Option<String>,
}

/// `ExportSummary`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportSummary {
    /// The export's ARN.
    pub export_arn: String,
    /// `ExportStatus`.
    pub export_status: ExportStatus,
    /// `ExportType`.
    pub export_type: ExportType,
}

/// `ListExports` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListExportsOutput {
    /// The page, oldest first.
    pub export_summaries: Vec<ExportSummary>,
    /// Set when more follow.
    pub next_token: Option<String>,
}

/// `S3BucketSource` of ImportTable.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct S3BucketSource {
    /// `S3BucketOwner`.
    pub s3_bucket_owner: Option<String>,
    /// The bucket.
    pub s3_bucket: String,
    /// `S3KeyPrefix`: every object whose key starts with it is read.
    pub s3_key_prefix: Option<String>,
}

/// `CsvOptions`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvOptions {
    /// One of `, \t : ; | ` and space (default `,`).
    pub delimiter: Option<String>,
    /// Column names; when given, every line of every object is data.
    pub header_list: Option<Vec<String>>,
}

/// `InputFormatOptions`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InputFormatOptions {
    /// `Csv`.
    pub csv: Option<CsvOptions>,
}

/// `ImportTable` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportTableInput {
    /// `ClientToken`: a retry with the same token and parameters returns
    /// the same import; other parameters are `ImportConflictException`.
    pub client_token: Option<String>,
    /// Where the objects are.
    pub s3_bucket_source: S3BucketSource,
    /// `InputFormat`.
    pub input_format: InputFormat,
    /// `InputFormatOptions`.
    pub input_format_options: Option<InputFormatOptions>,
    /// `InputCompressionType` (default `NONE`).
    pub input_compression_type: Option<InputCompressionType>,
    /// `TableCreationParameters`: the new table (a CreateTable request's
    /// subset: name, attribute definitions, key schema, billing,
    /// throughput, SSE, global secondary indexes).
    pub table_creation_parameters: CreateTableInput,
}

/// `ImportTableDescription`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportTableDescription {
    /// `<table ARN>/import/<id>`.
    pub import_arn: String,
    /// `ImportStatus`.
    pub import_status: ImportStatus,
    /// The new table's ARN.
    pub table_arn: Option<String>,
    /// The new table's id.
    pub table_id: Option<String>,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// Where the objects are.
    pub s3_bucket_source: S3BucketSource,
    /// Items that could not be read or failed validation.
    pub error_count: i64,
    /// `InputFormat`.
    pub input_format: InputFormat,
    /// `InputFormatOptions`.
    pub input_format_options: Option<InputFormatOptions>,
    /// `InputCompressionType`.
    pub input_compression_type: InputCompressionType,
    /// `TableCreationParameters` as given.
    pub table_creation_parameters: CreateTableInput,
    /// When the import started, seconds since the epoch.
    pub start_time: f64,
    /// When it ended.
    pub end_time: Option<f64>,
    /// Uncompressed bytes read.
    pub processed_size_bytes: i64,
    /// Items read (imported or not).
    pub processed_item_count: i64,
    /// Items written.
    pub imported_item_count: i64,
    /// `FailureCode`.
    pub failure_code: Option<String>,
    /// `FailureMessage`.
    pub failure_message: Option<String>,
}

/// `ImportTable` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportTableOutput {
    /// The import.
    pub import_table_description: ImportTableDescription,
}

/// `DescribeImport` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeImportInput {
    /// The import's ARN.
    pub import_arn: String,
}

/// `DescribeImport` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeImportOutput {
    /// The import.
    pub import_table_description: ImportTableDescription,
}

/// `ListImports` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListImportsInput {
    /// Only imports into this table.
    pub table_arn: Option<String>,
    /// 1–25 per page (default 25).
    pub page_size: Option<i64>,
    /// `NextToken` of the previous page.
    pub next_token: Option<String>,
}

/// `ImportSummary`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportSummary {
    /// The import's ARN.
    pub import_arn: String,
    /// `ImportStatus`.
    pub import_status: ImportStatus,
    /// The new table's ARN.
    pub table_arn: Option<String>,
    /// Where the objects are.
    pub s3_bucket_source: S3BucketSource,
    /// `InputFormat`.
    pub input_format: InputFormat,
    /// When the import started.
    pub start_time: f64,
    /// When it ended.
    pub end_time: Option<f64>,
}

/// `ListImports` response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListImportsOutput {
    /// The page, oldest first.
    pub import_summary_list: Vec<ImportSummary>,
    /// Set when more follow.
    pub next_token: Option<String>,
}
