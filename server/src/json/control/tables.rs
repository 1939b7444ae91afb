//! CreateTable, DescribeTable, ListTables, UpdateTable and DeleteTable ↔
//! DynamoDB JSON, and the `TableDescription` they return.
//!
//! Members of these requests that siltdb does not implement (replicas,
//! global tables) are refused with a `ValidationException` naming the
//! member rather than silently ignored: a table created without the
//! replica its application asked for would fail later and obscurely.
//! The table settings (`SSESpecification`, `TableClass`,
//! `OnDemandThroughput`, `WarmThroughput`; see `settings`) and
//! `ResourcePolicy` are read, stored with the table and shown back by
//! DescribeTable. `Tags` are read as TagResource reads them and stored with
//! the table.

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    AttributeDefinition, BillingMode, CreateGlobalSecondaryIndexAction, CreateTableInput,
    CreateTableOutput, DeleteGlobalSecondaryIndexAction, DeleteTableInput, DeleteTableOutput,
    DescribeTableInput, DescribeTableOutput, GlobalSecondaryIndex, GlobalSecondaryIndexDescription,
    GlobalSecondaryIndexUpdate, KeySchemaElement, KeyType, ListTablesInput, ListTablesOutput,
    LocalSecondaryIndex, LocalSecondaryIndexDescription, Projection, ProjectionType,
    ProvisionedThroughput, ProvisionedThroughputDescription, TableDescription,
    UpdateGlobalSecondaryIndexAction, UpdateTableInput, UpdateTableOutput,
};
use siltdb::dynamo::{DynamoError, ScalarAttributeType};

use super::common::{put_opt, struct_list};
use super::decode::{expect_struct, DResult, Decoder, Position, Struct};
use super::settings;
use super::streams::{stream_specification, stream_specification_json};
use super::tags::tags;
use super::tree::Object;

/// `AttributeType` as DynamoDB prints its set (dynalite, `createTable.js`).
const ATTRIBUTE_TYPE_SET: &str = "[B, N, S]";
/// `KeyType`.
const KEY_TYPE_SET: &str = "[HASH, RANGE]";
/// `BillingMode`.
const BILLING_MODE_SET: &str = "[PROVISIONED, PAY_PER_REQUEST]";
/// `ProjectionType`, as DynamoDB prints its set.
const PROJECTION_TYPE_SET: &str = "[ALL, INCLUDE, KEYS_ONLY]";
/// "One or more parameter values were invalid: ".
const INVALID: &str = "One or more parameter values were invalid: ";

fn parse_attribute_type(s: &str) -> Option<ScalarAttributeType> {
    match s {
        "S" => Some(ScalarAttributeType::S),
        "N" => Some(ScalarAttributeType::N),
        "B" => Some(ScalarAttributeType::B),
        _ => None,
    }
}

/// Refuses a member siltdb does not implement yet, if present.
fn refuse_unsupported(d: &mut Decoder, s: &Struct<'_>, members: &[&str]) {
    for m in members {
        if s.get(m).is_some() {
            d.defer(DynamoError::validation(format!(
                "{m} is not supported by siltdb yet"
            )));
        }
    }
}

fn attribute_name(d: &mut Decoder, s: &Struct<'_>) -> DResult<String> {
    let name = s.required_string(d, "AttributeName")?;
    if s.get("AttributeName").is_some() {
        d.check_length(
            &name,
            &s.member_path("AttributeName"),
            name.chars().count(),
            Some(1),
            Some(255),
        );
    }
    Ok(name)
}

fn attribute_definition(d: &mut Decoder, s: Struct<'_>) -> DResult<AttributeDefinition> {
    let attribute_name = attribute_name(d, &s)?;
    let ty = s.enumeration(d, "AttributeType", parse_attribute_type, ATTRIBUTE_TYPE_SET)?;
    if s.get("AttributeType").is_none() {
        d.violation(
            None,
            &s.member_path("AttributeType"),
            "Member must not be null",
        );
    }
    Ok(AttributeDefinition {
        attribute_name,
        attribute_type: ty.unwrap_or(ScalarAttributeType::S),
    })
}

fn key_schema_element(d: &mut Decoder, s: Struct<'_>) -> DResult<KeySchemaElement> {
    let attribute_name = attribute_name(d, &s)?;
    let key_type = s.enumeration(d, "KeyType", KeyType::parse, KEY_TYPE_SET)?;
    if s.get("KeyType").is_none() {
        d.violation(None, &s.member_path("KeyType"), "Member must not be null");
    }
    Ok(KeySchemaElement {
        attribute_name,
        key_type: key_type.unwrap_or_default(),
    })
}

fn attribute_definitions(
    d: &mut Decoder,
    s: &Struct<'_>,
) -> DResult<Option<Vec<AttributeDefinition>>> {
    struct_list(
        d,
        s,
        "AttributeDefinitions",
        "AttributeDefinition",
        attribute_definition,
    )
}

fn provisioned_throughput(
    d: &mut Decoder,
    s: &Struct<'_>,
) -> DResult<Option<ProvisionedThroughput>> {
    throughput_member(d, s, "ProvisionedThroughput")
}

/// An optional member `member` of shape `ProvisionedThroughput`.
pub(crate) fn throughput_member(
    d: &mut Decoder,
    s: &Struct<'_>,
    member: &str,
) -> DResult<Option<ProvisionedThroughput>> {
    let Some(v) = s.get(member) else {
        return Ok(None);
    };
    let m = expect_struct(v, Position::Field, "ProvisionedThroughput")?;
    let p = s.member_path(member);
    let pt = Struct::nested(m, &p);
    let mut units = |member: &str| -> DResult<i64> {
        match pt.integer(d, member, "Long", Some(1), None)? {
            Some(u) => Ok(u),
            None => {
                d.violation(None, &pt.member_path(member), "Member must not be null");
                Ok(0)
            }
        }
    };
    let write_capacity_units = units("WriteCapacityUnits")?;
    let read_capacity_units = units("ReadCapacityUnits")?;
    Ok(Some(ProvisionedThroughput {
        read_capacity_units,
        write_capacity_units,
    }))
}

/// A required `IndexName`: 3 to 255 characters of `[a-zA-Z0-9_.-]`.
fn required_index_name(d: &mut Decoder, s: &Struct<'_>) -> DResult<String> {
    let name = s.required_string(d, "IndexName")?;
    if s.get("IndexName").is_some() {
        let path = s.member_path("IndexName");
        d.check_name_pattern(&name, &path);
        d.check_length(&name, &path, name.chars().count(), Some(3), Some(255));
    }
    Ok(name)
}

/// An index's required `KeySchema`: 1 or 2 elements for a local index; at
/// least 1 for a global one, whose multi-attribute keys (up to 4 HASH and
/// 4 RANGE attributes) the engine checks with DynamoDB's own messages.
fn index_key_schema(
    d: &mut Decoder,
    s: &Struct<'_>,
    global: bool,
) -> DResult<Vec<KeySchemaElement>> {
    let ks = struct_list(d, s, "KeySchema", "KeySchemaElement", key_schema_element)?;
    let path = s.member_path("KeySchema");
    let max = (!global).then_some(2);
    match &ks {
        Some(k) => d.check_length("[...]", &path, k.len(), Some(1), max),
        None => d.violation(None, &path, "Member must not be null"),
    }
    Ok(ks.unwrap_or_default())
}

/// An index's required `Projection`.
fn projection(d: &mut Decoder, s: &Struct<'_>) -> DResult<Projection> {
    let path = s.member_path("Projection");
    let Some(v) = s.get("Projection") else {
        d.violation(None, &path, "Member must not be null");
        return Ok(Projection::default());
    };
    let m = expect_struct(v, Position::Field, "Projection")?;
    let p = Struct::nested(m, &path);
    let projection_type = p.enumeration(
        d,
        "ProjectionType",
        ProjectionType::parse,
        PROJECTION_TYPE_SET,
    )?;
    let non_key_attributes = p.string_list(d, "NonKeyAttributes", Some(1))?;
    if let Some(n) = &non_key_attributes {
        d.check_length(
            &format!("[{}]", n.join(", ")),
            &p.member_path("NonKeyAttributes"),
            n.len(),
            None,
            Some(20),
        );
    }
    Ok(Projection {
        projection_type,
        non_key_attributes,
    })
}

pub(crate) fn local_secondary_index(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<LocalSecondaryIndex> {
    Ok(LocalSecondaryIndex {
        key_schema: index_key_schema(d, &s, false)?,
        projection: projection(d, &s)?,
        index_name: required_index_name(d, &s)?,
    })
}

pub(crate) fn global_secondary_index(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<GlobalSecondaryIndex> {
    Ok(GlobalSecondaryIndex {
        key_schema: index_key_schema(d, &s, true)?,
        projection: projection(d, &s)?,
        index_name: required_index_name(d, &s)?,
        provisioned_throughput: provisioned_throughput(d, &s)?,
        on_demand_throughput: settings::on_demand_throughput(d, &s)?,
        warm_throughput: settings::warm_throughput(d, &s)?,
    })
}

/// One `GlobalSecondaryIndexUpdate`: exactly one of `Create`, `Update` and
/// `Delete` (messages as DynamoDB words them, recorded by the ack-api-quirks
/// lab).
fn global_secondary_index_update(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<Option<GlobalSecondaryIndexUpdate>> {
    let present = ["Create", "Update", "Delete"]
        .iter()
        .filter(|m| s.get(m).is_some())
        .count();
    if present == 0 {
        d.defer(DynamoError::validation(format!(
            "{INVALID}One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"
        )));
        return Ok(None);
    }
    if present > 1 {
        d.defer(DynamoError::validation(format!(
            "{INVALID}Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"
        )));
        return Ok(None);
    }
    let nested = |member: &str, shape: &str| -> DResult<Option<(&Object, String)>> {
        match s.get(member) {
            Some(v) => Ok(Some((
                expect_struct(v, Position::Field, shape)?,
                s.member_path(member),
            ))),
            None => Ok(None),
        }
    };
    if let Some((m, path)) = nested("Create", "CreateGlobalSecondaryIndexAction")? {
        let c = Struct::nested(m, &path);
        return Ok(Some(GlobalSecondaryIndexUpdate::Create(
            CreateGlobalSecondaryIndexAction {
                key_schema: index_key_schema(d, &c, true)?,
                projection: projection(d, &c)?,
                index_name: required_index_name(d, &c)?,
                provisioned_throughput: provisioned_throughput(d, &c)?,
                on_demand_throughput: settings::on_demand_throughput(d, &c)?,
                warm_throughput: settings::warm_throughput(d, &c)?,
            },
        )));
    }
    if let Some((m, path)) = nested("Update", "UpdateGlobalSecondaryIndexAction")? {
        let u = Struct::nested(m, &path);
        return Ok(Some(GlobalSecondaryIndexUpdate::Update(
            UpdateGlobalSecondaryIndexAction {
                index_name: required_index_name(d, &u)?,
                provisioned_throughput: provisioned_throughput(d, &u)?,
                on_demand_throughput: settings::on_demand_throughput(d, &u)?,
                warm_throughput: settings::warm_throughput(d, &u)?,
            },
        )));
    }
    match nested("Delete", "DeleteGlobalSecondaryIndexAction")? {
        Some((m, path)) => {
            let x = Struct::nested(m, &path);
            Ok(Some(GlobalSecondaryIndexUpdate::Delete(
                DeleteGlobalSecondaryIndexAction {
                    index_name: required_index_name(d, &x)?,
                },
            )))
        }
        None => Ok(None),
    }
}

/// Reads a `CreateTable` request.
pub(crate) fn create_table_input(d: &mut Decoder, s: Struct<'_>) -> DResult<CreateTableInput> {
    let attribute_definitions = attribute_definitions(d, &s)?;
    if attribute_definitions.is_none() {
        d.violation(
            None,
            &s.member_path("AttributeDefinitions"),
            "Member must not be null",
        );
    }
    let table_name = s.required_string(d, "TableName")?;
    if s.get("TableName").is_some() {
        let path = s.member_path("TableName");
        if table_name.starts_with("arn:") {
            // The API model's `TableArn` shape: the engine reads the table
            // name out of the ARN and checks it.
            d.check_length(
                &table_name,
                &path,
                table_name.chars().count(),
                Some(1),
                Some(1024),
            );
        } else {
            d.check_name_pattern(&table_name, &path);
            d.check_length(
                &table_name,
                &path,
                table_name.chars().count(),
                Some(3),
                Some(255),
            );
        }
    }
    let key_schema = struct_list(d, &s, "KeySchema", "KeySchemaElement", key_schema_element)?;
    let key_schema_path = s.member_path("KeySchema");
    match &key_schema {
        Some(k) => d.check_length("[...]", &key_schema_path, k.len(), Some(1), Some(2)),
        None => d.violation(None, &key_schema_path, "Member must not be null"),
    }
    let local_secondary_indexes = struct_list(
        d,
        &s,
        "LocalSecondaryIndexes",
        "LocalSecondaryIndex",
        local_secondary_index,
    )?;
    let global_secondary_indexes = struct_list(
        d,
        &s,
        "GlobalSecondaryIndexes",
        "GlobalSecondaryIndex",
        global_secondary_index,
    )?;
    let billing_mode = s.enumeration(d, "BillingMode", BillingMode::parse, BILLING_MODE_SET)?;
    let provisioned_throughput = provisioned_throughput(d, &s)?;
    let tags = tags(d, &s)?;
    refuse_unsupported(d, &s, &["GlobalTableSourceArn"]);
    Ok(CreateTableInput {
        local_secondary_indexes,
        global_secondary_indexes,
        table_name,
        attribute_definitions: attribute_definitions.unwrap_or_default(),
        key_schema: key_schema.unwrap_or_default(),
        billing_mode,
        provisioned_throughput,
        deletion_protection_enabled: s.bool("DeletionProtectionEnabled")?,
        stream_specification: stream_specification(d, &s)?,
        tags,
        table_class: settings::table_class(d, &s)?,
        sse_specification: settings::sse_specification(d, &s, "SSESpecification")?,
        on_demand_throughput: settings::on_demand_throughput(d, &s)?,
        warm_throughput: settings::warm_throughput(d, &s)?,
        resource_policy: s.string("ResourcePolicy")?,
    })
}

/// Reads a `DescribeTable` request.
pub(crate) fn describe_table_input(d: &mut Decoder, s: Struct<'_>) -> DResult<DescribeTableInput> {
    Ok(DescribeTableInput {
        table_name: s.table_name(d)?,
    })
}

/// Reads a `DeleteTable` request.
pub(crate) fn delete_table_input(d: &mut Decoder, s: Struct<'_>) -> DResult<DeleteTableInput> {
    Ok(DeleteTableInput {
        table_name: s.table_name(d)?,
    })
}

/// Reads a `ListTables` request.
pub(crate) fn list_tables_input(d: &mut Decoder, s: Struct<'_>) -> DResult<ListTablesInput> {
    let exclusive_start_table_name = s.string("ExclusiveStartTableName")?;
    if let Some(name) = &exclusive_start_table_name {
        let path = s.member_path("ExclusiveStartTableName");
        d.check_name_pattern(name, &path);
        d.check_length(name, &path, name.chars().count(), Some(3), Some(255));
    }
    Ok(ListTablesInput {
        exclusive_start_table_name,
        limit: s.integer(d, "Limit", "Integer", Some(1), Some(100))?,
    })
}

/// Reads an `UpdateTable` request.
pub(crate) fn update_table_input(d: &mut Decoder, s: Struct<'_>) -> DResult<UpdateTableInput> {
    let attribute_definitions = attribute_definitions(d, &s)?;
    let table_name = s.table_name(d)?;
    let billing_mode = s.enumeration(d, "BillingMode", BillingMode::parse, BILLING_MODE_SET)?;
    let provisioned_throughput = provisioned_throughput(d, &s)?;
    let global_secondary_index_updates = struct_list(
        d,
        &s,
        "GlobalSecondaryIndexUpdates",
        "GlobalSecondaryIndexUpdate",
        global_secondary_index_update,
    )?
    .map(|v| v.into_iter().flatten().collect());
    refuse_unsupported(
        d,
        &s,
        &[
            "ReplicaUpdates",
            "GlobalTableWitnessUpdates",
            "MultiRegionConsistency",
        ],
    );
    Ok(UpdateTableInput {
        global_secondary_index_updates,
        table_name,
        attribute_definitions,
        billing_mode,
        provisioned_throughput,
        deletion_protection_enabled: s.bool("DeletionProtectionEnabled")?,
        stream_specification: stream_specification(d, &s)?,
        table_class: settings::table_class(d, &s)?,
        sse_specification: settings::sse_specification(d, &s, "SSESpecification")?,
        on_demand_throughput: settings::on_demand_throughput(d, &s)?,
        warm_throughput: settings::warm_throughput(d, &s)?,
    })
}

pub(crate) fn f64_json(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// A `KeySchema` list.
pub(crate) fn key_schema_json(ks: &[KeySchemaElement]) -> Value {
    Value::Array(
        ks.iter()
            .map(|k| {
                let mut e = Map::new();
                e.insert(
                    "AttributeName".into(),
                    Value::String(k.attribute_name.clone()),
                );
                e.insert(
                    "KeyType".into(),
                    Value::String(k.key_type.as_str().to_string()),
                );
                Value::Object(e)
            })
            .collect(),
    )
}

pub(crate) fn projection_json(p: &Projection) -> Value {
    let mut m = Map::new();
    put_opt(
        &mut m,
        "ProjectionType",
        p.projection_type
            .map(|t| Value::String(t.as_str().to_string())),
    );
    put_opt(
        &mut m,
        "NonKeyAttributes",
        p.non_key_attributes
            .as_ref()
            .map(|v| Value::Array(v.iter().cloned().map(Value::String).collect())),
    );
    Value::Object(m)
}

fn throughput_json(pt: &ProvisionedThroughputDescription) -> Value {
    let mut p = Map::new();
    put_opt(
        &mut p,
        "LastIncreaseDateTime",
        pt.last_increase_date_time.map(f64_json),
    );
    put_opt(
        &mut p,
        "LastDecreaseDateTime",
        pt.last_decrease_date_time.map(f64_json),
    );
    p.insert(
        "NumberOfDecreasesToday".into(),
        Value::from(pt.number_of_decreases_today),
    );
    p.insert(
        "ReadCapacityUnits".into(),
        Value::from(pt.read_capacity_units),
    );
    p.insert(
        "WriteCapacityUnits".into(),
        Value::from(pt.write_capacity_units),
    );
    Value::Object(p)
}

fn local_index_json(i: &LocalSecondaryIndexDescription) -> Value {
    let mut m = Map::new();
    m.insert("IndexName".into(), Value::String(i.index_name.clone()));
    m.insert("KeySchema".into(), key_schema_json(&i.key_schema));
    m.insert("Projection".into(), projection_json(&i.projection));
    m.insert("IndexSizeBytes".into(), Value::from(i.index_size_bytes));
    m.insert("ItemCount".into(), Value::from(i.item_count));
    m.insert("IndexArn".into(), Value::String(i.index_arn.clone()));
    Value::Object(m)
}

fn global_index_json(i: &GlobalSecondaryIndexDescription) -> Value {
    let mut m = Map::new();
    m.insert("IndexName".into(), Value::String(i.index_name.clone()));
    m.insert("KeySchema".into(), key_schema_json(&i.key_schema));
    m.insert("Projection".into(), projection_json(&i.projection));
    m.insert(
        "IndexStatus".into(),
        Value::String(i.index_status.as_str().to_string()),
    );
    put_opt(&mut m, "Backfilling", i.backfilling.map(Value::Bool));
    m.insert(
        "ProvisionedThroughput".into(),
        throughput_json(&i.provisioned_throughput),
    );
    m.insert("IndexSizeBytes".into(), Value::from(i.index_size_bytes));
    m.insert("ItemCount".into(), Value::from(i.item_count));
    m.insert("IndexArn".into(), Value::String(i.index_arn.clone()));
    put_opt(
        &mut m,
        "OnDemandThroughput",
        i.on_demand_throughput
            .as_ref()
            .map(settings::on_demand_throughput_json),
    );
    put_opt(
        &mut m,
        "WarmThroughput",
        i.warm_throughput
            .as_ref()
            .map(settings::index_warm_throughput_json),
    );
    Value::Object(m)
}

/// A `TableDescription`.
pub(crate) fn table_description_json(t: &TableDescription) -> Value {
    let mut m = Map::new();
    m.insert(
        "AttributeDefinitions".to_string(),
        Value::Array(
            t.attribute_definitions
                .iter()
                .map(|a| {
                    let mut e = Map::new();
                    e.insert(
                        "AttributeName".into(),
                        Value::String(a.attribute_name.clone()),
                    );
                    e.insert(
                        "AttributeType".into(),
                        Value::String(a.attribute_type.name().to_string()),
                    );
                    Value::Object(e)
                })
                .collect(),
        ),
    );
    m.insert("TableName".into(), Value::String(t.table_name.clone()));
    m.insert("KeySchema".into(), key_schema_json(&t.key_schema));
    m.insert(
        "TableStatus".into(),
        Value::String(t.table_status.as_str().to_string()),
    );
    m.insert("CreationDateTime".into(), f64_json(t.creation_date_time));
    m.insert(
        "ProvisionedThroughput".into(),
        throughput_json(&t.provisioned_throughput),
    );
    m.insert("TableSizeBytes".into(), Value::from(t.table_size_bytes));
    m.insert("ItemCount".into(), Value::from(t.item_count));
    m.insert("TableArn".into(), Value::String(t.table_arn.clone()));
    m.insert("TableId".into(), Value::String(t.table_id.clone()));
    put_opt(
        &mut m,
        "BillingModeSummary",
        t.billing_mode_summary.as_ref().map(|b| {
            let mut e = Map::new();
            e.insert(
                "BillingMode".into(),
                Value::String(b.billing_mode.as_str().to_string()),
            );
            put_opt(
                &mut e,
                "LastUpdateToPayPerRequestDateTime",
                b.last_update_to_pay_per_request_date_time.map(f64_json),
            );
            Value::Object(e)
        }),
    );
    m.insert(
        "DeletionProtectionEnabled".into(),
        Value::Bool(t.deletion_protection_enabled),
    );
    put_opt(
        &mut m,
        "StreamSpecification",
        t.stream_specification
            .as_ref()
            .map(stream_specification_json),
    );
    put_opt(
        &mut m,
        "LatestStreamLabel",
        t.latest_stream_label.clone().map(Value::String),
    );
    put_opt(
        &mut m,
        "LatestStreamArn",
        t.latest_stream_arn.clone().map(Value::String),
    );
    put_opt(
        &mut m,
        "LocalSecondaryIndexes",
        t.local_secondary_indexes
            .as_ref()
            .map(|v| Value::Array(v.iter().map(local_index_json).collect())),
    );
    put_opt(
        &mut m,
        "GlobalSecondaryIndexes",
        t.global_secondary_indexes
            .as_ref()
            .map(|v| Value::Array(v.iter().map(global_index_json).collect())),
    );
    put_opt(
        &mut m,
        "SSEDescription",
        t.sse_description
            .as_ref()
            .map(settings::sse_description_json),
    );
    put_opt(
        &mut m,
        "TableClassSummary",
        t.table_class_summary
            .as_ref()
            .map(settings::table_class_summary_json),
    );
    put_opt(
        &mut m,
        "OnDemandThroughput",
        t.on_demand_throughput
            .as_ref()
            .map(settings::on_demand_throughput_json),
    );
    put_opt(
        &mut m,
        "WarmThroughput",
        t.warm_throughput
            .as_ref()
            .map(settings::warm_throughput_json),
    );
    put_opt(
        &mut m,
        "RestoreSummary",
        t.restore_summary.as_ref().map(|r| {
            let mut o = Map::new();
            put_opt(
                &mut o,
                "SourceBackupArn",
                r.source_backup_arn.clone().map(Value::String),
            );
            put_opt(
                &mut o,
                "SourceTableArn",
                r.source_table_arn.clone().map(Value::String),
            );
            o.insert("RestoreDateTime".into(), f64_json(r.restore_date_time));
            o.insert(
                "RestoreInProgress".into(),
                Value::Bool(r.restore_in_progress),
            );
            Value::Object(o)
        }),
    );
    Value::Object(m)
}

fn wrap(key: &str, t: &TableDescription) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), table_description_json(t));
    Value::Object(m)
}

/// A `CreateTable` response.
pub(crate) fn create_table_output(o: &CreateTableOutput) -> Value {
    wrap("TableDescription", &o.table_description)
}

/// A `DescribeTable` response.
pub(crate) fn describe_table_output(o: &DescribeTableOutput) -> Value {
    wrap("Table", &o.table)
}

/// An `UpdateTable` response.
pub(crate) fn update_table_output(o: &UpdateTableOutput) -> Value {
    wrap("TableDescription", &o.table_description)
}

/// A `DeleteTable` response.
pub(crate) fn delete_table_output(o: &DeleteTableOutput) -> Value {
    wrap("TableDescription", &o.table_description)
}

/// A `ListTables` response.
pub(crate) fn list_tables_output(o: &ListTablesOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "TableNames".into(),
        Value::Array(o.table_names.iter().cloned().map(Value::String).collect()),
    );
    put_opt(
        &mut m,
        "LastEvaluatedTableName",
        o.last_evaluated_table_name.clone().map(Value::String),
    );
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use siltdb::dynamo::api::{BillingModeSummary, ProvisionedThroughputDescription, TableStatus};

    use crate::json::decode::read_request as read;

    #[test]
    fn create_table_reads_every_member() {
        let i = read(
            json!({"TableName": "Music",
                   "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"},
                                            {"AttributeName": "Year", "AttributeType": "N"}],
                   "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"},
                                 {"AttributeName": "Year", "KeyType": "RANGE"}],
                   "BillingMode": "PROVISIONED",
                   "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
                   "DeletionProtectionEnabled": true, "Tags": [{"Key": "a", "Value": "b"}]}),
            create_table_input,
        )
        .expect("valid");
        assert_eq!(i.table_name, "Music");
        assert_eq!(
            i.attribute_definitions[1].attribute_type,
            ScalarAttributeType::N
        );
        assert_eq!(i.key_schema[1].key_type, KeyType::Range);
        assert_eq!(
            i.provisioned_throughput,
            Some(ProvisionedThroughput {
                read_capacity_units: 5,
                write_capacity_units: 6
            })
        );
        assert_eq!(i.deletion_protection_enabled, Some(true));
        assert_eq!(
            i.tags,
            Some(vec![siltdb::dynamo::api::Tag {
                key: "a".into(),
                value: "b".into()
            }])
        );
        let e = read(
            json!({"TableName": "Music",
                   "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                   "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                   "Tags": [{"Value": "b"}]}),
            create_table_input,
        )
        .expect_err("tag without key");
        assert_eq!(e.message(), "The Tag Key provided is invalid, Key: null");
    }

    #[test]
    fn create_table_constraints() {
        let e = read(
            json!({"TableName": "a!",
                   "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "X"}],
                   "KeySchema": [{"AttributeName": "k", "KeyType": "SORT"}],
                   "BillingMode": "FREE",
                   "ProvisionedThroughput": {"ReadCapacityUnits": 0}}),
            create_table_input,
        )
        .expect_err("invalid");
        assert_eq!(
            e.message(),
            "7 validation errors detected: \
             Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]; \
             Value 'a!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; \
             Value 'a!' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; \
             Value 'SORT' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]; \
             Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]; \
             Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; \
             Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        let e = read(json!({}), create_table_input).expect_err("empty");
        assert_eq!(
            e.message(),
            "3 validation errors detected: \
             Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null; \
             Value null at 'tableName' failed to satisfy constraint: Member must not be null; \
             Value null at 'keySchema' failed to satisfy constraint: Member must not be null"
        );
        let e = read(
            json!({"TableName": "Music", "AttributeDefinitions": [], "KeySchema": [],
                   "GlobalSecondaryIndexes": []}),
            create_table_input,
        )
        .expect_err("empty key schema");
        assert!(e
            .message()
            .starts_with("1 validation error detected: Value '[...]' at 'keySchema'"));
        let i = read(
            json!({"TableName": "Music",
                   "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                   "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                   "GlobalSecondaryIndexes": []}),
            create_table_input,
        )
        .expect("an empty list is the engine's to refuse");
        assert_eq!(i.global_secondary_indexes, Some(Vec::new()));
        let e = read(
            json!({"TableName": "Music", "KeySchema": {}}),
            create_table_input,
        )
        .expect_err("type");
        assert_eq!(
            e.message(),
            "Start of structure or map found where not expected"
        );
    }

    #[test]
    fn other_control_plane_requests() {
        let i = read(
            json!({"ExclusiveStartTableName": "abc", "Limit": 5}),
            list_tables_input,
        )
        .expect("valid");
        assert_eq!(i.limit, Some(5));
        let e = read(
            json!({"ExclusiveStartTableName": "a;", "Limit": 101}),
            list_tables_input,
        )
        .expect_err("invalid");
        assert_eq!(
            e.message(),
            "3 validation errors detected: \
             Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; \
             Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; \
             Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"
        );
        assert_eq!(
            read(json!({"TableName": "T"}), describe_table_input)
                .expect("valid")
                .table_name,
            "T"
        );
        assert_eq!(
            read(json!({"TableName": "T"}), delete_table_input)
                .expect("valid")
                .table_name,
            "T"
        );
        let u = read(
            json!({"TableName": "T", "BillingMode": "PAY_PER_REQUEST", "DeletionProtectionEnabled": false}),
            update_table_input,
        )
        .expect("valid");
        assert_eq!(u.billing_mode, Some(BillingMode::PayPerRequest));
        let e = read(
            json!({"TableName": "T", "ReplicaUpdates": []}),
            update_table_input,
        )
        .expect_err("unsupported");
        assert_eq!(e.message(), "ReplicaUpdates is not supported by siltdb yet");
        let u = read(
            json!({"TableName": "T", "StreamSpecification": {"StreamEnabled": false}}),
            update_table_input,
        )
        .expect("valid");
        assert_eq!(
            u.stream_specification.map(|s| s.stream_enabled),
            Some(false)
        );
    }

    #[test]
    fn create_table_reads_indexes() {
        let i = read(
            json!({"TableName": "Music",
                   "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
                   "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
                   "LocalSecondaryIndexes": [{"IndexName": "byB",
                       "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"},
                                     {"AttributeName": "b", "KeyType": "RANGE"}],
                       "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "y"]}}],
                   "GlobalSecondaryIndexes": [{"IndexName": "byC",
                       "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
                       "Projection": {"ProjectionType": "KEYS_ONLY"},
                       "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 2}}]}),
            create_table_input,
        )
        .expect("valid");
        let l = &i.local_secondary_indexes.expect("locals")[0];
        assert_eq!(l.index_name, "byB");
        assert_eq!(l.key_schema[1].key_type, KeyType::Range);
        assert_eq!(
            l.projection,
            Projection {
                projection_type: Some(ProjectionType::Include),
                non_key_attributes: Some(vec!["x".into(), "y".into()]),
            }
        );
        let g = &i.global_secondary_indexes.expect("globals")[0];
        assert_eq!(g.index_name, "byC");
        assert_eq!(
            g.provisioned_throughput,
            Some(ProvisionedThroughput {
                read_capacity_units: 1,
                write_capacity_units: 2
            })
        );
        let e = read(
            json!({"TableName": "Music",
                   "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
                   "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
                   "GlobalSecondaryIndexes": [{"IndexName": "x!",
                       "KeySchema": [],
                       "Projection": {"ProjectionType": "SOME", "NonKeyAttributes": []}},
                       {"KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}]}),
            create_table_input,
        )
        .expect_err("invalid");
        assert_eq!(
            e.message(),
            "7 validation errors detected: \
             Value '[...]' at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value 'SOME' at 'globalSecondaryIndexes.1.member.projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]; \
             Value '[]' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value 'x!' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; \
             Value 'x!' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; \
             Value null at 'globalSecondaryIndexes.2.member.projection' failed to satisfy constraint: Member must not be null; \
             Value null at 'globalSecondaryIndexes.2.member.indexName' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn update_table_reads_index_updates() {
        let u = read(
            json!({"TableName": "T",
                   "AttributeDefinitions": [{"AttributeName": "c", "AttributeType": "N"}],
                   "GlobalSecondaryIndexUpdates": [
                       {"Create": {"IndexName": "byC",
                                   "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
                                   "Projection": {"ProjectionType": "ALL"}}},
                       {"Update": {"IndexName": "old",
                                   "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}},
                       {"Delete": {"IndexName": "gone"}}]}),
            update_table_input,
        )
        .expect("valid");
        let updates = u.global_secondary_index_updates.expect("updates");
        assert!(
            matches!(&updates[0], GlobalSecondaryIndexUpdate::Create(c) if c.index_name == "byC")
        );
        assert!(matches!(&updates[1], GlobalSecondaryIndexUpdate::Update(x)
            if x.provisioned_throughput.is_some_and(|t| t.read_capacity_units == 3)));
        assert!(
            matches!(&updates[2], GlobalSecondaryIndexUpdate::Delete(x) if x.index_name == "gone")
        );
        let e = read(
            json!({"TableName": "T", "GlobalSecondaryIndexUpdates": [{}]}),
            update_table_input,
        )
        .expect_err("empty entry");
        assert_eq!(
            e.message(),
            "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"
        );
        let e = read(
            json!({"TableName": "T", "GlobalSecondaryIndexUpdates": [
                {"Delete": {"IndexName": "abc"}, "Update": {"IndexName": "abc"}}]}),
            update_table_input,
        )
        .expect_err("two actions");
        assert_eq!(
            e.message(),
            "One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"
        );
    }

    #[test]
    fn index_descriptions_output() {
        let t = TableDescription {
            local_secondary_indexes: Some(vec![LocalSecondaryIndexDescription {
                index_name: "l".into(),
                key_schema: vec![KeySchemaElement {
                    attribute_name: "k".into(),
                    key_type: KeyType::Hash,
                }],
                projection: Projection {
                    projection_type: Some(ProjectionType::KeysOnly),
                    non_key_attributes: None,
                },
                index_size_bytes: 7,
                item_count: 1,
                index_arn: "arn/index/l".into(),
            }]),
            global_secondary_indexes: Some(vec![GlobalSecondaryIndexDescription {
                index_name: "g".into(),
                key_schema: vec![],
                projection: Projection {
                    projection_type: Some(ProjectionType::Include),
                    non_key_attributes: Some(vec!["x".into()]),
                },
                index_status: siltdb::dynamo::api::IndexStatus::Creating,
                backfilling: Some(true),
                provisioned_throughput: ProvisionedThroughputDescription::default(),
                index_size_bytes: 0,
                item_count: 0,
                index_arn: "arn/index/g".into(),
                backfill_error: None,
                on_demand_throughput: None,
                warm_throughput: None,
            }]),
            ..TableDescription::default()
        };
        let v = table_description_json(&t);
        assert_eq!(
            v["LocalSecondaryIndexes"],
            json!([{"IndexName": "l", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"}, "IndexSizeBytes": 7,
                    "ItemCount": 1, "IndexArn": "arn/index/l"}])
        );
        assert_eq!(
            v["GlobalSecondaryIndexes"],
            json!([{"IndexName": "g", "KeySchema": [],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
                    "IndexStatus": "CREATING", "Backfilling": true,
                    "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
                    "IndexSizeBytes": 0, "ItemCount": 0, "IndexArn": "arn/index/g"}])
        );
    }

    #[test]
    fn table_description_output() {
        let t = TableDescription {
            table_name: "Music".into(),
            table_arn: "arn:aws:dynamodb:local:000000000000:table/Music".into(),
            table_id: "00000000-0000-4000-8000-000000000000".into(),
            table_status: TableStatus::Active,
            creation_date_time: 1_700_000_000.5,
            attribute_definitions: vec![AttributeDefinition {
                attribute_name: "k".into(),
                attribute_type: ScalarAttributeType::B,
            }],
            key_schema: vec![KeySchemaElement {
                attribute_name: "k".into(),
                key_type: KeyType::Hash,
            }],
            provisioned_throughput: ProvisionedThroughputDescription::default(),
            billing_mode_summary: Some(BillingModeSummary {
                billing_mode: BillingMode::PayPerRequest,
                last_update_to_pay_per_request_date_time: Some(1_700_000_000.5),
            }),
            item_count: 2,
            table_size_bytes: 30,
            deletion_protection_enabled: false,
            local_secondary_indexes: None,
            global_secondary_indexes: None,
            stream_specification: None,
            latest_stream_label: None,
            latest_stream_arn: None,
            restore_summary: None,
            ..TableDescription::default()
        };
        assert_eq!(
            describe_table_output(&DescribeTableOutput { table: t.clone() }),
            json!({"Table": {
                "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "B"}],
                "TableName": "Music",
                "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                "TableStatus": "ACTIVE",
                "CreationDateTime": 1_700_000_000.5,
                "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
                "TableSizeBytes": 30,
                "ItemCount": 2,
                "TableArn": "arn:aws:dynamodb:local:000000000000:table/Music",
                "TableId": "00000000-0000-4000-8000-000000000000",
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": 1_700_000_000.5},
                "DeletionProtectionEnabled": false}})
        );
        let c = create_table_output(&CreateTableOutput {
            table_description: t.clone(),
        });
        assert!(c.get("TableDescription").is_some());
        assert_eq!(
            list_tables_output(&ListTablesOutput {
                table_names: vec!["a".into(), "b".into()],
                last_evaluated_table_name: Some("b".into()),
            }),
            json!({"TableNames": ["a", "b"], "LastEvaluatedTableName": "b"})
        );
        assert_eq!(
            list_tables_output(&ListTablesOutput::default()),
            json!({"TableNames": []})
        );
    }
}
