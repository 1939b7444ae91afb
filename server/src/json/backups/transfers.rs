//! ExportTableToPointInTime, DescribeExport, ListExports, ImportTable,
//! DescribeImport and ListImports ↔ DynamoDB JSON. Member constraints from
//! botocore 1.43's service-2.json: `S3Bucket` at most 255 characters,
//! `S3Prefix`/`S3KeyPrefix` at most 1024, `ExportArn`/`ImportArn` 37–1024,
//! `MaxResults`/`PageSize` 1–25, `CsvDelimiter` one of `,;:|\t ` and space.
//!
//! The descriptions' readers ([`import_description_from_json`],
//! [`export_description_from_json`]) read back what the writers write:
//! `crate::transfer` keeps its records in this form.

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    AttributeDefinition, CreateTableInput, CsvOptions, DescribeExportInput, DescribeExportOutput,
    DescribeImportInput, DescribeImportOutput, ExportDescription, ExportFormat, ExportStatus,
    ExportTableToPointInTimeInput, ExportTableToPointInTimeOutput, ExportType, ExportViewType,
    GlobalSecondaryIndex, ImportStatus, ImportTableDescription, ImportTableInput,
    ImportTableOutput, IncrementalExportSpecification, InputCompressionType, InputFormat,
    InputFormatOptions, ListExportsInput, ListExportsOutput, ListImportsInput, ListImportsOutput,
    ProvisionedThroughput, S3BucketSource, S3SseAlgorithm,
};
use siltdb::dynamo::DynamoError;

use super::common::put_opt;
use super::decode::{expect_struct, DResult, Decoder, Position, Struct};
use super::settings::{on_demand_throughput_json, warm_throughput_request_json};
use super::streams::timestamp;
use super::tables::{create_table_input, f64_json, key_schema_json, projection_json};
use super::tree::Json;

/// An optional string member of at most `max` characters (at least `min`).
fn bounded(
    d: &mut Decoder,
    s: &Struct<'_>,
    member: &str,
    min: Option<usize>,
    max: usize,
) -> DResult<Option<String>> {
    let v = s.string(member)?;
    if let Some(v) = &v {
        d.check_length(v, &s.member_path(member), v.chars().count(), min, Some(max));
    }
    Ok(v)
}

/// A required ARN member (37–1024 characters).
fn arn(d: &mut Decoder, s: &Struct<'_>, member: &str) -> DResult<String> {
    let v = s.required_string(d, member)?;
    if s.get(member).is_some() {
        d.check_length(
            &v,
            &s.member_path(member),
            v.chars().count(),
            Some(37),
            Some(1024),
        );
    }
    Ok(v)
}

/// A nested structure member, with its path.
fn nested<'a>(
    s: &Struct<'a>,
    member: &str,
    shape: &str,
) -> DResult<Option<(&'a super::tree::Object<'a>, String)>> {
    match s.get(member) {
        None => Ok(None),
        Some(v) => Ok(Some((
            expect_struct(v, Position::Field, shape)?,
            s.member_path(member),
        ))),
    }
}

/// Reads an `ExportTableToPointInTime` request.
pub(crate) fn export_table_to_point_in_time_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<ExportTableToPointInTimeInput> {
    let table_arn = s.required_string(d, "TableArn")?;
    if s.get("TableArn").is_some() {
        d.check_length(
            &table_arn,
            &s.member_path("TableArn"),
            table_arn.chars().count(),
            Some(1),
            Some(1024),
        );
    }
    let s3_bucket = s.required_string(d, "S3Bucket")?;
    if s.get("S3Bucket").is_some() {
        d.check_length(
            &s3_bucket,
            &s.member_path("S3Bucket"),
            s3_bucket.chars().count(),
            None,
            Some(255),
        );
    }
    let incremental_export_specification = match nested(
        &s,
        "IncrementalExportSpecification",
        "IncrementalExportSpecification",
    )? {
        Some((m, path)) => {
            let x = Struct::nested(m, &path);
            Some(IncrementalExportSpecification {
                export_from_time: timestamp(&x, "ExportFromTime")?,
                export_to_time: timestamp(&x, "ExportToTime")?,
                export_view_type: x.enumeration(
                    d,
                    "ExportViewType",
                    ExportViewType::parse,
                    "[NEW_IMAGE, NEW_AND_OLD_IMAGES]",
                )?,
            })
        }
        None => None,
    };
    Ok(ExportTableToPointInTimeInput {
        table_arn,
        export_time: timestamp(&s, "ExportTime")?,
        client_token: s.string("ClientToken")?,
        s3_bucket,
        s3_bucket_owner: s.string("S3BucketOwner")?,
        s3_prefix: bounded(d, &s, "S3Prefix", None, 1024)?,
        s3_sse_algorithm: s.enumeration(
            d,
            "S3SseAlgorithm",
            S3SseAlgorithm::parse,
            "[AES256, KMS]",
        )?,
        s3_sse_kms_key_id: bounded(d, &s, "S3SseKmsKeyId", Some(1), 2048)?,
        export_format: s.enumeration(
            d,
            "ExportFormat",
            ExportFormat::parse,
            "[DYNAMODB_JSON, ION]",
        )?,
        export_type: s.enumeration(
            d,
            "ExportType",
            ExportType::parse,
            "[FULL_EXPORT, INCREMENTAL_EXPORT]",
        )?,
        incremental_export_specification,
    })
}

/// Reads a `DescribeExport` request.
pub(crate) fn describe_export_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<DescribeExportInput> {
    Ok(DescribeExportInput {
        export_arn: arn(d, &s, "ExportArn")?,
    })
}

/// Reads a `ListExports` request.
pub(crate) fn list_exports_input(d: &mut Decoder, s: Struct<'_>) -> DResult<ListExportsInput> {
    Ok(ListExportsInput {
        table_arn: bounded(d, &s, "TableArn", Some(1), 1024)?,
        max_results: s.integer(d, "MaxResults", "Integer", Some(1), Some(25))?,
        next_token: s.string("NextToken")?,
    })
}

fn s3_bucket_source(d: &mut Decoder, s: Struct<'_>) -> DResult<S3BucketSource> {
    let s3_bucket = s.required_string(d, "S3Bucket")?;
    if s.get("S3Bucket").is_some() {
        d.check_length(
            &s3_bucket,
            &s.member_path("S3Bucket"),
            s3_bucket.chars().count(),
            None,
            Some(255),
        );
    }
    Ok(S3BucketSource {
        s3_bucket_owner: s.string("S3BucketOwner")?,
        s3_bucket,
        s3_key_prefix: bounded(d, &s, "S3KeyPrefix", None, 1024)?,
    })
}

fn input_format_options(d: &mut Decoder, s: Struct<'_>) -> DResult<InputFormatOptions> {
    let csv = match nested(&s, "Csv", "CsvOptions")? {
        Some((m, path)) => {
            let c = Struct::nested(m, &path);
            let delimiter = c.string("Delimiter")?;
            if let Some(x) = &delimiter {
                let path = c.member_path("Delimiter");
                d.check_length(x, &path, x.chars().count(), Some(1), Some(1));
                if !matches!(x.as_str(), "," | ";" | ":" | "|" | "\t" | " ") {
                    d.violation(
                        Some(x),
                        &path,
                        "Member must satisfy regular expression pattern: [,;:|\\t ]",
                    );
                }
            }
            Some(CsvOptions {
                delimiter,
                header_list: c.string_list(d, "HeaderList", Some(1))?,
            })
        }
        None => None,
    };
    Ok(InputFormatOptions { csv })
}

/// Reads an `ImportTable` request.
pub(crate) fn import_table_input(d: &mut Decoder, s: Struct<'_>) -> DResult<ImportTableInput> {
    let s3_bucket_source = match nested(&s, "S3BucketSource", "S3BucketSource")? {
        Some((m, path)) => s3_bucket_source(d, Struct::nested(m, &path))?,
        None => {
            d.violation(
                None,
                &s.member_path("S3BucketSource"),
                "Member must not be null",
            );
            S3BucketSource::default()
        }
    };
    let input_format = s.enumeration(
        d,
        "InputFormat",
        InputFormat::parse,
        "[DYNAMODB_JSON, ION, CSV]",
    )?;
    if s.get("InputFormat").is_none() {
        d.violation(
            None,
            &s.member_path("InputFormat"),
            "Member must not be null",
        );
    }
    let input_format_options = match nested(&s, "InputFormatOptions", "InputFormatOptions")? {
        Some((m, path)) => Some(input_format_options(d, Struct::nested(m, &path))?),
        None => None,
    };
    let table_creation_parameters =
        match nested(&s, "TableCreationParameters", "TableCreationParameters")? {
            Some((m, path)) => create_table_input(d, Struct::nested(m, &path))?,
            None => {
                d.violation(
                    None,
                    &s.member_path("TableCreationParameters"),
                    "Member must not be null",
                );
                CreateTableInput::default()
            }
        };
    Ok(ImportTableInput {
        client_token: s.string("ClientToken")?,
        s3_bucket_source,
        input_format: input_format.unwrap_or_default(),
        input_format_options,
        input_compression_type: s.enumeration(
            d,
            "InputCompressionType",
            InputCompressionType::parse,
            "[GZIP, ZSTD, NONE]",
        )?,
        table_creation_parameters,
    })
}

/// Reads a `DescribeImport` request.
pub(crate) fn describe_import_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<DescribeImportInput> {
    Ok(DescribeImportInput {
        import_arn: arn(d, &s, "ImportArn")?,
    })
}

/// Reads a `ListImports` request.
pub(crate) fn list_imports_input(d: &mut Decoder, s: Struct<'_>) -> DResult<ListImportsInput> {
    Ok(ListImportsInput {
        table_arn: bounded(d, &s, "TableArn", Some(1), 1024)?,
        page_size: s.integer(d, "PageSize", "Integer", Some(1), Some(25))?,
        next_token: bounded(d, &s, "NextToken", Some(112), 1024)?,
    })
}

fn string(v: &str) -> Value {
    Value::String(v.to_string())
}

fn throughput_json(p: &ProvisionedThroughput) -> Value {
    let mut m = Map::new();
    m.insert("ReadCapacityUnits".into(), p.read_capacity_units.into());
    m.insert("WriteCapacityUnits".into(), p.write_capacity_units.into());
    Value::Object(m)
}

fn attribute_definitions_json(defs: &[AttributeDefinition]) -> Value {
    Value::Array(
        defs.iter()
            .map(|a| {
                let mut m = Map::new();
                m.insert("AttributeName".into(), string(&a.attribute_name));
                m.insert("AttributeType".into(), string(a.attribute_type.name()));
                Value::Object(m)
            })
            .collect(),
    )
}

fn gsi_json(g: &GlobalSecondaryIndex) -> Value {
    let mut m = Map::new();
    m.insert("IndexName".into(), string(&g.index_name));
    m.insert("KeySchema".into(), key_schema_json(&g.key_schema));
    m.insert("Projection".into(), projection_json(&g.projection));
    put_opt(
        &mut m,
        "ProvisionedThroughput",
        g.provisioned_throughput.as_ref().map(throughput_json),
    );
    put_opt(
        &mut m,
        "OnDemandThroughput",
        g.on_demand_throughput
            .as_ref()
            .map(on_demand_throughput_json),
    );
    put_opt(
        &mut m,
        "WarmThroughput",
        g.warm_throughput.as_ref().map(warm_throughput_request_json),
    );
    Value::Object(m)
}

/// `TableCreationParameters`: the members of a CreateTable request it has.
fn table_creation_parameters_json(t: &CreateTableInput) -> Value {
    let mut m = Map::new();
    m.insert("TableName".into(), string(&t.table_name));
    m.insert(
        "AttributeDefinitions".into(),
        attribute_definitions_json(&t.attribute_definitions),
    );
    m.insert("KeySchema".into(), key_schema_json(&t.key_schema));
    put_opt(
        &mut m,
        "BillingMode",
        t.billing_mode.map(|b| string(b.as_str())),
    );
    put_opt(
        &mut m,
        "ProvisionedThroughput",
        t.provisioned_throughput.as_ref().map(throughput_json),
    );
    put_opt(
        &mut m,
        "OnDemandThroughput",
        t.on_demand_throughput
            .as_ref()
            .map(on_demand_throughput_json),
    );
    put_opt(
        &mut m,
        "SSESpecification",
        t.sse_specification.as_ref().map(|s| {
            let mut x = Map::new();
            put_opt(&mut x, "Enabled", s.enabled.map(Value::Bool));
            put_opt(&mut x, "SSEType", s.sse_type.map(|t| string(t.as_str())));
            put_opt(
                &mut x,
                "KMSMasterKeyId",
                s.kms_master_key_id.as_deref().map(string),
            );
            Value::Object(x)
        }),
    );
    put_opt(
        &mut m,
        "GlobalSecondaryIndexes",
        t.global_secondary_indexes
            .as_ref()
            .map(|g| Value::Array(g.iter().map(gsi_json).collect())),
    );
    Value::Object(m)
}

fn s3_bucket_source_json(s: &S3BucketSource) -> Value {
    let mut m = Map::new();
    put_opt(
        &mut m,
        "S3BucketOwner",
        s.s3_bucket_owner.as_deref().map(string),
    );
    m.insert("S3Bucket".into(), string(&s.s3_bucket));
    put_opt(
        &mut m,
        "S3KeyPrefix",
        s.s3_key_prefix.as_deref().map(string),
    );
    Value::Object(m)
}

fn input_format_options_json(o: &InputFormatOptions) -> Value {
    let mut m = Map::new();
    put_opt(
        &mut m,
        "Csv",
        o.csv.as_ref().map(|c| {
            let mut x = Map::new();
            put_opt(&mut x, "Delimiter", c.delimiter.as_deref().map(string));
            put_opt(
                &mut x,
                "HeaderList",
                c.header_list
                    .as_ref()
                    .map(|h| Value::Array(h.iter().map(|s| string(s)).collect())),
            );
            Value::Object(x)
        }),
    );
    Value::Object(m)
}

/// `ImportTableDescription`.
pub fn import_description_json(i: &ImportTableDescription) -> Value {
    let mut m = Map::new();
    m.insert("ImportArn".into(), string(&i.import_arn));
    m.insert("ImportStatus".into(), string(i.import_status.as_str()));
    put_opt(&mut m, "TableArn", i.table_arn.as_deref().map(string));
    put_opt(&mut m, "TableId", i.table_id.as_deref().map(string));
    put_opt(&mut m, "ClientToken", i.client_token.as_deref().map(string));
    m.insert(
        "S3BucketSource".into(),
        s3_bucket_source_json(&i.s3_bucket_source),
    );
    m.insert("ErrorCount".into(), i.error_count.into());
    m.insert("InputFormat".into(), string(i.input_format.as_str()));
    put_opt(
        &mut m,
        "InputFormatOptions",
        i.input_format_options
            .as_ref()
            .map(input_format_options_json),
    );
    m.insert(
        "InputCompressionType".into(),
        string(i.input_compression_type.as_str()),
    );
    m.insert(
        "TableCreationParameters".into(),
        table_creation_parameters_json(&i.table_creation_parameters),
    );
    m.insert("StartTime".into(), f64_json(i.start_time));
    put_opt(&mut m, "EndTime", i.end_time.map(f64_json));
    m.insert("ProcessedSizeBytes".into(), i.processed_size_bytes.into());
    m.insert("ProcessedItemCount".into(), i.processed_item_count.into());
    m.insert("ImportedItemCount".into(), i.imported_item_count.into());
    put_opt(&mut m, "FailureCode", i.failure_code.as_deref().map(string));
    put_opt(
        &mut m,
        "FailureMessage",
        i.failure_message.as_deref().map(string),
    );
    Value::Object(m)
}

/// `ExportDescription`.
pub fn export_description_json(e: &ExportDescription) -> Value {
    let mut m = Map::new();
    m.insert("ExportArn".into(), string(&e.export_arn));
    m.insert("ExportStatus".into(), string(e.export_status.as_str()));
    put_opt(&mut m, "StartTime", e.start_time.map(f64_json));
    put_opt(&mut m, "EndTime", e.end_time.map(f64_json));
    put_opt(
        &mut m,
        "ExportManifest",
        e.export_manifest.as_deref().map(string),
    );
    put_opt(&mut m, "TableArn", e.table_arn.as_deref().map(string));
    put_opt(&mut m, "TableId", e.table_id.as_deref().map(string));
    put_opt(&mut m, "ExportTime", e.export_time.map(f64_json));
    put_opt(&mut m, "ClientToken", e.client_token.as_deref().map(string));
    put_opt(&mut m, "S3Bucket", e.s3_bucket.as_deref().map(string));
    put_opt(
        &mut m,
        "S3BucketOwner",
        e.s3_bucket_owner.as_deref().map(string),
    );
    put_opt(&mut m, "S3Prefix", e.s3_prefix.as_deref().map(string));
    put_opt(
        &mut m,
        "S3SseAlgorithm",
        e.s3_sse_algorithm.map(|a| string(a.as_str())),
    );
    put_opt(
        &mut m,
        "S3SseKmsKeyId",
        e.s3_sse_kms_key_id.as_deref().map(string),
    );
    put_opt(&mut m, "FailureCode", e.failure_code.as_deref().map(string));
    put_opt(
        &mut m,
        "FailureMessage",
        e.failure_message.as_deref().map(string),
    );
    put_opt(
        &mut m,
        "ExportFormat",
        e.export_format.map(|f| string(f.as_str())),
    );
    put_opt(
        &mut m,
        "BilledSizeBytes",
        e.billed_size_bytes.map(Value::from),
    );
    put_opt(&mut m, "ItemCount", e.item_count.map(Value::from));
    put_opt(
        &mut m,
        "ExportType",
        e.export_type.map(|t| string(t.as_str())),
    );
    put_opt(
        &mut m,
        "IncrementalExportSpecification",
        e.incremental_export_specification.as_ref().map(|x| {
            let mut s = Map::new();
            put_opt(&mut s, "ExportFromTime", x.export_from_time.map(f64_json));
            put_opt(&mut s, "ExportToTime", x.export_to_time.map(f64_json));
            put_opt(
                &mut s,
                "ExportViewType",
                x.export_view_type.map(|v| string(v.as_str())),
            );
            Value::Object(s)
        }),
    );
    Value::Object(m)
}

/// Writes an `ExportTableToPointInTime` response.
pub(crate) fn export_table_to_point_in_time_output(o: &ExportTableToPointInTimeOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "ExportDescription".into(),
        export_description_json(&o.export_description),
    );
    Value::Object(m)
}

/// Writes a `DescribeExport` response.
pub(crate) fn describe_export_output(o: &DescribeExportOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "ExportDescription".into(),
        export_description_json(&o.export_description),
    );
    Value::Object(m)
}

/// Writes a `ListExports` response.
pub(crate) fn list_exports_output(o: &ListExportsOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "ExportSummaries".into(),
        Value::Array(
            o.export_summaries
                .iter()
                .map(|e| {
                    let mut x = Map::new();
                    x.insert("ExportArn".into(), string(&e.export_arn));
                    x.insert("ExportStatus".into(), string(e.export_status.as_str()));
                    x.insert("ExportType".into(), string(e.export_type.as_str()));
                    Value::Object(x)
                })
                .collect(),
        ),
    );
    put_opt(&mut m, "NextToken", o.next_token.as_deref().map(string));
    Value::Object(m)
}

/// Writes an `ImportTable` response.
pub(crate) fn import_table_output(o: &ImportTableOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "ImportTableDescription".into(),
        import_description_json(&o.import_table_description),
    );
    Value::Object(m)
}

/// Writes a `DescribeImport` response.
pub(crate) fn describe_import_output(o: &DescribeImportOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "ImportTableDescription".into(),
        import_description_json(&o.import_table_description),
    );
    Value::Object(m)
}

/// Writes a `ListImports` response.
pub(crate) fn list_imports_output(o: &ListImportsOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "ImportSummaryList".into(),
        Value::Array(
            o.import_summary_list
                .iter()
                .map(|i| {
                    let mut x = Map::new();
                    x.insert("ImportArn".into(), string(&i.import_arn));
                    x.insert("ImportStatus".into(), string(i.import_status.as_str()));
                    put_opt(&mut x, "TableArn", i.table_arn.as_deref().map(string));
                    x.insert(
                        "S3BucketSource".into(),
                        s3_bucket_source_json(&i.s3_bucket_source),
                    );
                    x.insert("InputFormat".into(), string(i.input_format.as_str()));
                    x.insert("StartTime".into(), f64_json(i.start_time));
                    put_opt(&mut x, "EndTime", i.end_time.map(f64_json));
                    Value::Object(x)
                })
                .collect(),
        ),
    );
    put_opt(&mut m, "NextToken", o.next_token.as_deref().map(string));
    Value::Object(m)
}

fn corrupt(what: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("corrupt transfer record: {what}"))
}

fn integer(s: &Struct<'_>, member: &str) -> Result<i64, DynamoError> {
    match s.get(member) {
        Some(Json::Number(n)) => n.as_i64().ok_or_else(|| corrupt(member)),
        None => Ok(0),
        Some(_) => Err(corrupt(member)),
    }
}

fn required_enum<E>(
    s: &Struct<'_>,
    member: &str,
    parse: fn(&str) -> Option<E>,
) -> Result<E, DynamoError> {
    s.string(member)?
        .as_deref()
        .and_then(parse)
        .ok_or_else(|| corrupt(member))
}

/// Reads back what [`import_description_json`] wrote.
pub fn import_description_from_json(v: &Value) -> Result<ImportTableDescription, DynamoError> {
    let tree = Json::from(v);
    let map = tree.as_object().ok_or_else(|| corrupt("not an object"))?;
    let s = Struct::root(map);
    let mut d = Decoder::new();
    let source = match nested(&s, "S3BucketSource", "S3BucketSource")? {
        Some((m, path)) => s3_bucket_source(&mut d, Struct::nested(m, &path))?,
        None => return Err(corrupt("S3BucketSource")),
    };
    let options = match nested(&s, "InputFormatOptions", "InputFormatOptions")? {
        Some((m, path)) => Some(input_format_options(&mut d, Struct::nested(m, &path))?),
        None => None,
    };
    let params = match nested(&s, "TableCreationParameters", "TableCreationParameters")? {
        Some((m, path)) => create_table_input(&mut d, Struct::nested(m, &path))?,
        None => return Err(corrupt("TableCreationParameters")),
    };
    let description = ImportTableDescription {
        import_arn: s.string("ImportArn")?.ok_or_else(|| corrupt("ImportArn"))?,
        import_status: required_enum(&s, "ImportStatus", ImportStatus::parse)?,
        table_arn: s.string("TableArn")?,
        table_id: s.string("TableId")?,
        client_token: s.string("ClientToken")?,
        s3_bucket_source: source,
        error_count: integer(&s, "ErrorCount")?,
        input_format: required_enum(&s, "InputFormat", InputFormat::parse)?,
        input_format_options: options,
        input_compression_type: required_enum(
            &s,
            "InputCompressionType",
            InputCompressionType::parse,
        )?,
        table_creation_parameters: params,
        start_time: timestamp(&s, "StartTime")?.ok_or_else(|| corrupt("StartTime"))?,
        end_time: timestamp(&s, "EndTime")?,
        processed_size_bytes: integer(&s, "ProcessedSizeBytes")?,
        processed_item_count: integer(&s, "ProcessedItemCount")?,
        imported_item_count: integer(&s, "ImportedItemCount")?,
        failure_code: s.string("FailureCode")?,
        failure_message: s.string("FailureMessage")?,
    };
    d.finish(description)
        .map_err(|e| corrupt(&format!("{}: {}", e.name(), e.message())))
}

/// Reads back what [`export_description_json`] wrote.
pub fn export_description_from_json(v: &Value) -> Result<ExportDescription, DynamoError> {
    let tree = Json::from(v);
    let map = tree.as_object().ok_or_else(|| corrupt("not an object"))?;
    let s = Struct::root(map);
    let enumeration = |member: &str| s.string(member);
    let incremental = match nested(
        &s,
        "IncrementalExportSpecification",
        "IncrementalExportSpecification",
    )? {
        Some((m, path)) => {
            let x = Struct::nested(m, &path);
            Some(IncrementalExportSpecification {
                export_from_time: timestamp(&x, "ExportFromTime")?,
                export_to_time: timestamp(&x, "ExportToTime")?,
                export_view_type: x
                    .string("ExportViewType")?
                    .as_deref()
                    .and_then(ExportViewType::parse),
            })
        }
        None => None,
    };
    Ok(ExportDescription {
        export_arn: s.string("ExportArn")?.ok_or_else(|| corrupt("ExportArn"))?,
        export_status: required_enum(&s, "ExportStatus", ExportStatus::parse)?,
        start_time: timestamp(&s, "StartTime")?,
        end_time: timestamp(&s, "EndTime")?,
        export_manifest: s.string("ExportManifest")?,
        table_arn: s.string("TableArn")?,
        table_id: s.string("TableId")?,
        export_time: timestamp(&s, "ExportTime")?,
        client_token: s.string("ClientToken")?,
        s3_bucket: s.string("S3Bucket")?,
        s3_bucket_owner: s.string("S3BucketOwner")?,
        s3_prefix: s.string("S3Prefix")?,
        s3_sse_algorithm: enumeration("S3SseAlgorithm")?
            .as_deref()
            .and_then(S3SseAlgorithm::parse),
        s3_sse_kms_key_id: s.string("S3SseKmsKeyId")?,
        failure_code: s.string("FailureCode")?,
        failure_message: s.string("FailureMessage")?,
        export_format: enumeration("ExportFormat")?
            .as_deref()
            .and_then(ExportFormat::parse),
        billed_size_bytes: s
            .get("BilledSizeBytes")
            .map(|_| integer(&s, "BilledSizeBytes"))
            .transpose()?,
        item_count: s
            .get("ItemCount")
            .map(|_| integer(&s, "ItemCount"))
            .transpose()?,
        export_type: enumeration("ExportType")?
            .as_deref()
            .and_then(ExportType::parse),
        incremental_export_specification: incremental,
    })
}
