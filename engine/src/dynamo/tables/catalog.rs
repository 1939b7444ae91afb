//! The catalog: table definitions stored in the engine's reserved key range
//! (`format-spec/items.md`, "Catalog records").
//!
//! Each table is one record under `catalog_key(CATALOG_TABLE, name)`, whose
//! value is an item (item encoding) with the attributes listed in
//! [`encode_meta`]. The next table id is one record under
//! `catalog_key(CATALOG_NEXT_ID, "")`: ids only grow, so a deleted table's
//! id — and any of its items not yet reclaimed — can never be reached again.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::dynamo::api::{
    AttributeDefinition, BillingMode, IndexStatus, ProjectionType, StreamViewType,
};
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::codec::{decode_item, encode_item_to_vec};
use crate::dynamo::items::value::{AttributeValue, Item};
use crate::dynamo::keys::codec::ScalarAttributeType;
use crate::dynamo::keys::layout;
use crate::dynamo::streams::settings::StreamMeta;
use crate::dynamo::tables::schema::{
    IndexKind, IndexMeta, KeyAttr, PitrMeta, RestoreMeta, TableMeta, MAX_INDEX_KEY_ATTRIBUTES,
};
use crate::dynamo::tables::settings;
use crate::dynamo::Number;
use crate::{Db, WriteBatch};

/// Version of the catalog record layout, stored in every record.
const META_VERSION: i64 = 1;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: impl Into<Number>) -> AttributeValue {
    AttributeValue::N(v.into())
}

/// A table's definition as a catalog record.
pub fn encode_meta(m: &TableMeta) -> Vec<u8> {
    let mut item = Item::new();
    item.insert("Version".into(), n(META_VERSION));
    item.insert("TableName".into(), s(&m.name));
    item.insert("TableId".into(), n(i64::from(m.id)));
    item.insert("TableUuid".into(), s(&m.uuid));
    item.insert("CreationMillis".into(), n(m.created_millis));
    item.insert("HashKey".into(), s(&m.hash.name));
    item.insert("HashType".into(), s(m.hash.ty.name()));
    if let Some(r) = &m.range {
        item.insert("RangeKey".into(), s(&r.name));
        item.insert("RangeType".into(), s(r.ty.name()));
    }
    let defs = m
        .attribute_definitions
        .iter()
        .map(|d| {
            AttributeValue::M(BTreeMap::from([
                ("AttributeName".to_string(), s(&d.attribute_name)),
                ("AttributeType".to_string(), s(d.attribute_type.name())),
            ]))
        })
        .collect();
    item.insert("AttributeDefinitions".into(), AttributeValue::L(defs));
    item.insert("BillingMode".into(), s(m.billing_mode.as_str()));
    item.insert(
        "BillingModeExplicit".into(),
        AttributeValue::Bool(m.billing_mode_explicit),
    );
    item.insert("ReadCapacityUnits".into(), n(m.read_capacity_units));
    item.insert("WriteCapacityUnits".into(), n(m.write_capacity_units));
    if let Some(t) = m.last_increase_millis {
        item.insert("LastIncreaseMillis".into(), n(t));
    }
    if let Some(t) = m.last_decrease_millis {
        item.insert("LastDecreaseMillis".into(), n(t));
    }
    item.insert("DecreasesToday".into(), n(m.decreases_today));
    if let Some(t) = m.last_pay_per_request_millis {
        item.insert("LastPayPerRequestMillis".into(), n(t));
    }
    item.insert(
        "DeletionProtection".into(),
        AttributeValue::Bool(m.deletion_protection),
    );
    if !m.indexes.is_empty() {
        let list = m
            .indexes
            .iter()
            .map(|i| AttributeValue::M(encode_index(i)))
            .collect();
        item.insert("Indexes".into(), AttributeValue::L(list));
    }
    if m.next_index_id != 1 {
        item.insert("NextIndexId".into(), n(i64::from(m.next_index_id)));
    }
    if !m.streams.is_empty() {
        item.insert("Streams".into(), encode_streams(&m.streams));
    }
    if let Some(a) = &m.ttl_attribute {
        item.insert("TtlAttribute".into(), s(a));
    }
    if !m.tags.is_empty() {
        let tags = m.tags.iter().map(|(k, v)| (k.clone(), s(v))).collect();
        item.insert("Tags".into(), AttributeValue::M(tags));
    }
    settings::encode_settings(&m.settings, &mut item);
    if let Some(r) = &m.restore {
        item.insert("Restore".into(), encode_restore(r));
    }
    if let Some(p) = &m.pitr {
        item.insert("Pitr".into(), encode_pitr(p));
    }
    encode_item_to_vec(&item)
}

/// The table record's `Restore` attribute (format-spec/items.md, "Catalog
/// records").
fn encode_restore(r: &RestoreMeta) -> AttributeValue {
    let mut m = Item::new();
    if let Some(arn) = &r.source_backup_arn {
        m.insert("SourceBackupArn".into(), s(arn));
    }
    if let Some(arn) = &r.source_table_arn {
        m.insert("SourceTableArn".into(), s(arn));
    }
    m.insert("RestoreMillis".into(), n(r.restore_millis));
    m.insert("BackupId".into(), s(&r.backup_id));
    m.insert("SourceTableId".into(), n(i64::from(r.source_table_id)));
    m.insert("InProgress".into(), AttributeValue::Bool(r.in_progress));
    if let Some(seq) = r.source_sequence {
        m.insert("SourceSequence".into(), n(seq));
    }
    AttributeValue::M(m)
}

/// The table record's `Pitr` attribute (format-spec/items.md, "Catalog
/// records").
fn encode_pitr(p: &PitrMeta) -> AttributeValue {
    let mut m = Item::new();
    m.insert("EnabledMillis".into(), n(p.enabled_millis));
    m.insert("EnabledSequence".into(), n(p.enabled_seq));
    m.insert("RecoveryPeriodInDays".into(), n(p.period_days));
    AttributeValue::M(m)
}

fn decode_pitr(v: Option<&AttributeValue>) -> Result<Option<PitrMeta>, DynamoError> {
    let m = match v {
        None => return Ok(None),
        Some(AttributeValue::M(m)) => m,
        Some(_) => return Err(corrupt("Pitr")),
    };
    let period_days = get_n::<i64>(m, "RecoveryPeriodInDays")?;
    if !(1..=35).contains(&period_days) {
        return Err(corrupt("Pitr.RecoveryPeriodInDays"));
    }
    Ok(Some(PitrMeta {
        enabled_millis: get_n::<i64>(m, "EnabledMillis")?,
        enabled_seq: get_n::<u64>(m, "EnabledSequence")?,
        period_days,
    }))
}

fn decode_restore(v: Option<&AttributeValue>) -> Result<Option<RestoreMeta>, DynamoError> {
    let m = match v {
        None => return Ok(None),
        Some(AttributeValue::M(m)) => m,
        Some(_) => return Err(corrupt("Restore")),
    };
    let opt_s = |name: &str| -> Result<Option<String>, DynamoError> {
        match m.get(name) {
            None => Ok(None),
            Some(_) => get_s(m, name).map(|v| Some(v.to_string())),
        }
    };
    Ok(Some(RestoreMeta {
        source_backup_arn: opt_s("SourceBackupArn")?,
        source_table_arn: opt_s("SourceTableArn")?,
        restore_millis: get_n::<i64>(m, "RestoreMillis")?,
        backup_id: get_s(m, "BackupId")?.to_string(),
        source_table_id: u32::try_from(get_n::<i64>(m, "SourceTableId")?)
            .map_err(|_| corrupt("Restore.SourceTableId"))?,
        in_progress: get_bool(m, "InProgress")?,
        source_sequence: match m.get("SourceSequence") {
            None => None,
            Some(_) => Some(get_n::<u64>(m, "SourceSequence")?),
        },
    }))
}

/// The table record's `Streams` attribute (format-spec/items.md, "Catalog
/// records").
fn encode_streams(streams: &[StreamMeta]) -> AttributeValue {
    AttributeValue::L(
        streams
            .iter()
            .map(|st| {
                let mut m = Item::new();
                m.insert("StreamLabel".into(), s(&st.label));
                m.insert("CreationMillis".into(), n(st.created_millis));
                m.insert("ViewType".into(), s(st.view_type.as_str()));
                m.insert("StartSequence".into(), n(st.start_seq));
                if let Some((end, at)) = st.disabled {
                    m.insert("EndSequence".into(), n(end));
                    m.insert("DisabledMillis".into(), n(at));
                }
                AttributeValue::M(m)
            })
            .collect(),
    )
}

/// Reads the table record's `Streams` attribute (absent = no streams).
fn decode_streams(v: Option<&AttributeValue>) -> Result<Vec<StreamMeta>, DynamoError> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let streams_field = |what: &str| corrupt(&format!("Streams.{what}"));
    let AttributeValue::L(list) = v else {
        return Err(streams_field("type"));
    };
    list.iter()
        .map(|e| {
            let AttributeValue::M(m) = e else {
                return Err(streams_field("element"));
            };
            let field = |name: &str| -> Result<&str, DynamoError> {
                get_s(m, name).map_err(|_| streams_field(name))
            };
            let u = |name: &str| -> Result<u64, DynamoError> {
                get_n::<u64>(m, name).map_err(|_| streams_field(name))
            };
            let i = |name: &str| -> Result<i64, DynamoError> {
                get_n::<i64>(m, name).map_err(|_| streams_field(name))
            };
            let view_type = StreamViewType::parse(field("ViewType")?)
                .ok_or_else(|| streams_field("ViewType"))?;
            let disabled = match (
                m.contains_key("EndSequence"),
                m.contains_key("DisabledMillis"),
            ) {
                (true, true) => Some((u("EndSequence")?, i("DisabledMillis")?)),
                (false, false) => None,
                _ => return Err(streams_field("EndSequence")),
            };
            Ok(StreamMeta {
                label: field("StreamLabel")?.to_string(),
                created_millis: i("CreationMillis")?,
                view_type,
                start_seq: u("StartSequence")?,
                disabled,
            })
        })
        .collect()
}

fn encode_index(i: &IndexMeta) -> Item {
    let mut m = Item::new();
    m.insert("IndexName".into(), s(&i.name));
    m.insert("IndexId".into(), n(i64::from(i.id)));
    m.insert(
        "Kind".into(),
        s(match i.kind {
            IndexKind::Local => "LOCAL",
            IndexKind::Global => "GLOBAL",
        }),
    );
    encode_index_key(i, &mut m);
    m.insert("ProjectionType".into(), s(i.projection_type.as_str()));
    if !i.non_key_attributes.is_empty() {
        m.insert(
            "NonKeyAttributes".into(),
            AttributeValue::L(i.non_key_attributes.iter().map(|a| s(a)).collect()),
        );
    }
    m.insert("IndexStatus".into(), s(i.status.as_str()));
    m.insert("ReadCapacityUnits".into(), n(i.read_capacity_units));
    m.insert("WriteCapacityUnits".into(), n(i.write_capacity_units));
    settings::encode_throughput(&i.throughput, &mut m);
    m
}

/// An index's key schema in its record. One attribute per role:
/// `HashKey`/`HashType` and, with a sort key, `RangeKey`/`RangeType` (the
/// only form before multi-attribute keys, and still written for them, so
/// such records keep their bytes). A multi-attribute key: `HashKeys` and,
/// with a sort key, `RangeKeys`, each a list of `{AttributeName,
/// AttributeType}` in key schema order, and no `HashKey` — so a siltdb that
/// predates them refuses the record ("corrupt catalog record: HashKey")
/// rather than reading half a key.
fn encode_index_key(i: &IndexMeta, m: &mut Item) {
    if let Some((hash, range)) = i.single_key() {
        m.insert("HashKey".into(), s(&hash.name));
        m.insert("HashType".into(), s(hash.ty.name()));
        if let Some(r) = range {
            m.insert("RangeKey".into(), s(&r.name));
            m.insert("RangeType".into(), s(r.ty.name()));
        }
        return;
    }
    let list = |attrs: &[KeyAttr]| {
        AttributeValue::L(
            attrs
                .iter()
                .map(|k| {
                    AttributeValue::M(BTreeMap::from([
                        ("AttributeName".to_string(), s(&k.name)),
                        ("AttributeType".to_string(), s(k.ty.name())),
                    ]))
                })
                .collect(),
        )
    };
    m.insert("HashKeys".into(), list(&i.hash));
    if !i.range.is_empty() {
        m.insert("RangeKeys".into(), list(&i.range));
    }
}

/// Reads what [`encode_index_key`] wrote: `(hash, range)` attributes.
fn decode_index_key(m: &Item) -> Result<(Vec<KeyAttr>, Vec<KeyAttr>), DynamoError> {
    let single = |name: &str, ty: &str| -> Result<KeyAttr, DynamoError> {
        Ok(KeyAttr {
            name: get_s(m, name)?.to_string(),
            ty: key_type(get_s(m, ty)?)?,
        })
    };
    let Some(hash_keys) = m.get("HashKeys") else {
        let hash = vec![single("HashKey", "HashType")?];
        let range = match m.get("RangeKey") {
            Some(_) => vec![single("RangeKey", "RangeType")?],
            None => Vec::new(),
        };
        return Ok((hash, range));
    };
    if m.contains_key("HashKey") || m.contains_key("RangeKey") {
        return Err(corrupt("HashKeys"));
    }
    let list = |v: &AttributeValue, what: &str| -> Result<Vec<KeyAttr>, DynamoError> {
        let AttributeValue::L(l) = v else {
            return Err(corrupt(what));
        };
        l.iter()
            .map(|e| match e {
                AttributeValue::M(k) => Ok(KeyAttr {
                    name: get_s(k, "AttributeName")?.to_string(),
                    ty: key_type(get_s(k, "AttributeType")?)?,
                }),
                _ => Err(corrupt(what)),
            })
            .collect()
    };
    let hash = list(hash_keys, "HashKeys")?;
    let range = match m.get("RangeKeys") {
        Some(v) => list(v, "RangeKeys")?,
        None => Vec::new(),
    };
    if hash.is_empty()
        || hash.len() > MAX_INDEX_KEY_ATTRIBUTES
        || range.len() > MAX_INDEX_KEY_ATTRIBUTES
    {
        return Err(corrupt("HashKeys"));
    }
    Ok((hash, range))
}

fn decode_index(m: &Item) -> Result<IndexMeta, DynamoError> {
    let (hash, range) = decode_index_key(m)?;
    let non_key_attributes = match m.get("NonKeyAttributes") {
        None => Vec::new(),
        Some(AttributeValue::L(l)) => l
            .iter()
            .map(|v| match v {
                AttributeValue::S(a) => Ok(a.clone()),
                _ => Err(corrupt("NonKeyAttributes")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(corrupt("NonKeyAttributes")),
    };
    Ok(IndexMeta {
        name: get_s(m, "IndexName")?.to_string(),
        id: u8::try_from(get_n::<i64>(m, "IndexId")?).map_err(|_| corrupt("IndexId"))?,
        kind: match get_s(m, "Kind")? {
            "LOCAL" => IndexKind::Local,
            "GLOBAL" => IndexKind::Global,
            _ => return Err(corrupt("Kind")),
        },
        hash,
        range,
        projection_type: ProjectionType::parse(get_s(m, "ProjectionType")?)
            .ok_or_else(|| corrupt("ProjectionType"))?,
        non_key_attributes,
        status: IndexStatus::parse(get_s(m, "IndexStatus")?)
            .ok_or_else(|| corrupt("IndexStatus"))?,
        read_capacity_units: get_n::<i64>(m, "ReadCapacityUnits")?,
        write_capacity_units: get_n::<i64>(m, "WriteCapacityUnits")?,
        throughput: settings::decode_throughput(m)?,
    })
}

fn corrupt(what: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("corrupt catalog record: {what}"))
}

fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, DynamoError> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        _ => Err(corrupt(name)),
    }
}

fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, DynamoError> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.to_string().parse().map_err(|_| corrupt(name)),
        _ => Err(corrupt(name)),
    }
}

fn opt_n(item: &Item, name: &str) -> Result<Option<i64>, DynamoError> {
    if item.contains_key(name) {
        get_n::<i64>(item, name).map(Some)
    } else {
        Ok(None)
    }
}

fn get_bool(item: &Item, name: &str) -> Result<bool, DynamoError> {
    match item.get(name) {
        Some(AttributeValue::Bool(b)) => Ok(*b),
        _ => Err(corrupt(name)),
    }
}

fn key_type(v: &str) -> Result<ScalarAttributeType, DynamoError> {
    match v {
        "S" => Ok(ScalarAttributeType::S),
        "N" => Ok(ScalarAttributeType::N),
        "B" => Ok(ScalarAttributeType::B),
        _ => Err(corrupt("key type")),
    }
}

/// Reads a catalog record back. Anything unexpected is an
/// `InternalServerError` naming the field — the record passed its checksum,
/// so this means a bug or a newer format.
pub fn decode_meta(bytes: &[u8]) -> Result<TableMeta, DynamoError> {
    let item = decode_item(bytes).map_err(|e| corrupt(&e.to_string()))?;
    if get_n::<i64>(&item, "Version")? != META_VERSION {
        return Err(corrupt("unknown version"));
    }
    let range = match item.get("RangeKey") {
        Some(_) => Some(KeyAttr {
            name: get_s(&item, "RangeKey")?.to_string(),
            ty: key_type(get_s(&item, "RangeType")?)?,
        }),
        None => None,
    };
    let mut attribute_definitions = Vec::new();
    match item.get("AttributeDefinitions") {
        Some(AttributeValue::L(defs)) => {
            for d in defs {
                let AttributeValue::M(d) = d else {
                    return Err(corrupt("AttributeDefinitions"));
                };
                attribute_definitions.push(AttributeDefinition {
                    attribute_name: get_s(d, "AttributeName")?.to_string(),
                    attribute_type: key_type(get_s(d, "AttributeType")?)?,
                });
            }
        }
        _ => return Err(corrupt("AttributeDefinitions")),
    }
    let id = u32::try_from(get_n::<i64>(&item, "TableId")?).map_err(|_| corrupt("TableId"))?;
    Ok(TableMeta {
        name: get_s(&item, "TableName")?.to_string(),
        id,
        uuid: get_s(&item, "TableUuid")?.to_string(),
        created_millis: get_n::<i64>(&item, "CreationMillis")?,
        hash: KeyAttr {
            name: get_s(&item, "HashKey")?.to_string(),
            ty: key_type(get_s(&item, "HashType")?)?,
        },
        range,
        attribute_definitions,
        billing_mode: BillingMode::parse(get_s(&item, "BillingMode")?)
            .ok_or_else(|| corrupt("BillingMode"))?,
        billing_mode_explicit: get_bool(&item, "BillingModeExplicit")?,
        read_capacity_units: get_n::<i64>(&item, "ReadCapacityUnits")?,
        write_capacity_units: get_n::<i64>(&item, "WriteCapacityUnits")?,
        last_increase_millis: opt_n(&item, "LastIncreaseMillis")?,
        last_decrease_millis: opt_n(&item, "LastDecreaseMillis")?,
        decreases_today: get_n::<i64>(&item, "DecreasesToday")?,
        last_pay_per_request_millis: opt_n(&item, "LastPayPerRequestMillis")?,
        deletion_protection: get_bool(&item, "DeletionProtection")?,
        indexes: match item.get("Indexes") {
            None => Vec::new(),
            Some(AttributeValue::L(l)) => l
                .iter()
                .map(|v| match v {
                    AttributeValue::M(m) => decode_index(m),
                    _ => Err(corrupt("Indexes")),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(corrupt("Indexes")),
        },
        next_index_id: match opt_n(&item, "NextIndexId")? {
            None => 1,
            Some(v) => u8::try_from(v).map_err(|_| corrupt("NextIndexId"))?,
        },
        streams: decode_streams(item.get("Streams"))?,
        ttl_attribute: match item.get("TtlAttribute") {
            None => None,
            Some(_) => Some(get_s(&item, "TtlAttribute")?.to_string()),
        },
        tags: match item.get("Tags") {
            None => BTreeMap::new(),
            Some(AttributeValue::M(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    AttributeValue::S(v) => Ok((k.clone(), v.clone())),
                    _ => Err(corrupt("Tags")),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(corrupt("Tags")),
        },
        settings: settings::decode_settings(&item)?,
        restore: decode_restore(item.get("Restore"))?,
        pitr: decode_pitr(item.get("Pitr"))?,
    })
}

/// The catalog key of table `name`.
pub fn table_key(name: &str) -> Vec<u8> {
    layout::catalog_key(layout::CATALOG_TABLE, name.as_bytes())
}

/// The catalog key of a retired (deleted, not yet reclaimed) table id.
pub fn retired_key(id: u32) -> Vec<u8> {
    layout::catalog_key(layout::CATALOG_RETIRED, &id.to_be_bytes())
}

/// The catalog key of a retired (deleted, not yet reclaimed) secondary
/// index `index_id` of table `table_id`.
pub fn retired_index_key(table_id: u32, index_id: u8) -> Vec<u8> {
    let mut suffix = table_id.to_be_bytes().to_vec();
    suffix.push(index_id);
    layout::catalog_key(layout::CATALOG_RETIRED_INDEX, &suffix)
}

/// Reads a retired-index key back into `(table_id, index_id)`.
pub fn decode_retired_index_key(key: &[u8]) -> Result<(u32, u8), DynamoError> {
    let prefix = layout::catalog_prefix(layout::CATALOG_RETIRED_INDEX);
    let suffix = key
        .strip_prefix(prefix.as_slice())
        .ok_or_else(|| corrupt("retired index key"))?;
    let (id, index) = match suffix {
        [a, b, c, d, i] => ([*a, *b, *c, *d], *i),
        _ => return Err(corrupt("retired index key")),
    };
    Ok((u32::from_be_bytes(id), index))
}

/// The catalog key of the retained streams of deleted table `id`.
pub fn retired_streams_key(id: u32) -> Vec<u8> {
    layout::catalog_key(layout::CATALOG_RETIRED_STREAMS, &id.to_be_bytes())
}

/// Reads a retained-streams key back into its table id.
pub fn decode_retired_streams_key(key: &[u8]) -> Result<u32, DynamoError> {
    let prefix = layout::catalog_prefix(layout::CATALOG_RETIRED_STREAMS);
    let suffix = key
        .strip_prefix(prefix.as_slice())
        .ok_or_else(|| corrupt("retired streams key"))?;
    let id: [u8; 4] = suffix
        .try_into()
        .map_err(|_| corrupt("retired streams key"))?;
    Ok(u32::from_be_bytes(id))
}

/// Reads a retained-streams record (`key`, `value`) back: the deleted
/// table's record, whose streams are all disabled. A record that is not
/// one (another table id than its key's, no streams, an enabled stream) is
/// corruption.
pub fn decode_retired_streams(key: &[u8], value: &[u8]) -> Result<TableMeta, DynamoError> {
    let id = decode_retired_streams_key(key)?;
    let meta = decode_meta(value)?;
    if meta.id != id {
        return Err(corrupt("retired streams: TableId"));
    }
    if meta.streams.is_empty() || meta.streams.iter().any(|s| s.is_enabled()) {
        return Err(corrupt("retired streams: Streams"));
    }
    Ok(meta)
}

/// The key of the next-table-id record.
pub fn next_id_key() -> Vec<u8> {
    layout::catalog_key(layout::CATALOG_NEXT_ID, &[])
}

/// Encodes the next-table-id record.
pub fn encode_next_id(id: u32) -> Vec<u8> {
    let mut item = Item::new();
    item.insert("NextTableId".into(), n(i64::from(id)));
    encode_item_to_vec(&item)
}

fn decode_next_id(bytes: &[u8]) -> Result<u32, DynamoError> {
    let item = decode_item(bytes).map_err(|e| corrupt(&e.to_string()))?;
    u32::try_from(get_n::<i64>(&item, "NextTableId")?).map_err(|_| corrupt("NextTableId"))
}

/// What [`load`] finds in the catalog.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Live tables by name.
    pub tables: BTreeMap<String, TableMeta>,
    /// The next table id to hand out (≥ 1).
    pub next_id: u32,
    /// Deleted tables whose items are still to be reclaimed.
    pub retired: Vec<u32>,
    /// Deleted secondary indexes `(table_id, index_id)` whose entries are
    /// still to be reclaimed.
    pub retired_indexes: Vec<(u32, u8)>,
    /// Deleted tables whose streams are kept for 24 hours after they were
    /// disabled (each the table's record, with only those streams).
    pub retired_streams: Vec<TableMeta>,
}

/// Reads the whole catalog.
pub fn load(db: &Db) -> Result<Loaded, DynamoError> {
    let mut loaded = Loaded {
        next_id: 1,
        ..Loaded::default()
    };
    if let Some(v) = db.get(&next_id_key())? {
        loaded.next_id = decode_next_id(&v)?;
    }
    let mut it = db.iter()?;
    let prefix = layout::catalog_prefix(layout::CATALOG_TABLE);
    it.seek(&prefix)?;
    while it.valid() && it.key().starts_with(&prefix) {
        let meta = decode_meta(it.value())?;
        loaded.tables.insert(meta.name.clone(), meta);
        it.next()?;
    }
    let prefix = layout::catalog_prefix(layout::CATALOG_RETIRED);
    it.seek(&prefix)?;
    while it.valid() && it.key().starts_with(&prefix) {
        let id_bytes: [u8; 4] = it
            .key()
            .get(prefix.len()..)
            .and_then(|id| id.try_into().ok())
            .ok_or_else(|| corrupt("retired table key"))?;
        loaded.retired.push(u32::from_be_bytes(id_bytes));
        it.next()?;
    }
    let prefix = layout::catalog_prefix(layout::CATALOG_RETIRED_INDEX);
    it.seek(&prefix)?;
    while it.valid() && it.key().starts_with(&prefix) {
        loaded
            .retired_indexes
            .push(decode_retired_index_key(it.key())?);
        it.next()?;
    }
    let prefix = layout::catalog_prefix(layout::CATALOG_RETIRED_STREAMS);
    it.seek(&prefix)?;
    while it.valid() && it.key().starts_with(&prefix) {
        loaded
            .retired_streams
            .push(decode_retired_streams(it.key(), it.value())?);
        it.next()?;
    }
    Ok(loaded)
}

/// Adds to `batch` the records that create `meta` and advance the id counter.
pub fn create(batch: &mut WriteBatch, meta: &TableMeta) {
    batch.put(&table_key(&meta.name), &encode_meta(meta));
    batch.put(&next_id_key(), &encode_next_id(meta.id + 1));
}

/// Adds to `batch` the records that delete `meta` and retire its id, and,
/// if `kept` (the table's record with only the streams still readable, all
/// disabled) is given, the record that keeps those streams and their
/// records until they expire.
pub fn delete(batch: &mut WriteBatch, meta: &TableMeta, kept: Option<&TableMeta>) {
    batch.delete(&table_key(&meta.name));
    batch.put(&retired_key(meta.id), &[]);
    if let Some(kept) = kept {
        batch.put(&retired_streams_key(kept.id), &encode_meta(kept));
    }
}

/// Adds to `batch` the record that replaces the table record of `meta`'s
/// table with `meta` (a changed definition, same name and id).
pub fn update(batch: &mut WriteBatch, meta: &TableMeta) {
    batch.put(&table_key(&meta.name), &encode_meta(meta));
}

/// Adds to `batch` the records that remove index `index_id` from `meta`
/// (already without it) and retire the index's key range.
pub fn retire_index(batch: &mut WriteBatch, meta: &TableMeta, index_id: u8) {
    update(batch, meta);
    batch.put(&retired_index_key(meta.id, index_id), &[]);
}

/// Shared ownership of a table definition.
pub type MetaRef = Arc<TableMeta>;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn vector_meta() -> TableMeta {
        TableMeta {
            name: "Music".into(),
            id: 42,
            uuid: "0000-1111".into(),
            created_millis: 1_700_000_000_123,
            hash: KeyAttr {
                name: "Artist".into(),
                ty: ScalarAttributeType::S,
            },
            range: Some(KeyAttr {
                name: "Year".into(),
                ty: ScalarAttributeType::N,
            }),
            attribute_definitions: vec![AttributeDefinition {
                attribute_name: "Artist".into(),
                attribute_type: ScalarAttributeType::S,
            }],
            billing_mode: BillingMode::Provisioned,
            billing_mode_explicit: false,
            read_capacity_units: 5,
            write_capacity_units: 6,
            last_increase_millis: Some(1),
            last_decrease_millis: None,
            decreases_today: 0,
            last_pay_per_request_millis: None,
            deletion_protection: true,
            indexes: Vec::new(),
            next_index_id: 1,
            streams: Vec::new(),
            ttl_attribute: None,
            tags: BTreeMap::new(),
            settings: settings::TableSettings::default(),
            restore: None,
            pitr: None,
        }
    }

    /// The table of `catalog-table-ttl-tags.hex`: `vector_meta` with TTL
    /// enabled and two tags.
    fn ttl_tags_meta() -> TableMeta {
        let mut meta = vector_meta();
        meta.ttl_attribute = Some("expires".into());
        meta.tags = BTreeMap::from([
            ("env".to_string(), "prod".to_string()),
            ("team".to_string(), String::new()),
        ]);
        meta
    }

    #[test]
    fn streams_round_trip_through_the_catalog_form() {
        let streams = vec![
            StreamMeta {
                label: crate::dynamo::streams::settings::stream_label(5),
                created_millis: 5,
                view_type: StreamViewType::KeysOnly,
                start_seq: 3,
                disabled: Some((9, 77)),
            },
            StreamMeta {
                label: crate::dynamo::streams::settings::stream_label(6),
                created_millis: 6,
                view_type: StreamViewType::NewAndOldImages,
                start_seq: u64::MAX - 1,
                disabled: None,
            },
        ];
        let v = encode_streams(&streams);
        assert_eq!(decode_streams(Some(&v)), Ok(streams));
        assert_eq!(decode_streams(None), Ok(Vec::new()));
        assert!(decode_streams(Some(&AttributeValue::S("x".into()))).is_err());
    }

    #[test]
    fn indexes_round_trip_through_the_record() {
        let mut meta = vector_meta();
        meta.indexes = vec![
            IndexMeta {
                name: "byAlbum".into(),
                id: 1,
                kind: IndexKind::Local,
                hash: vec![meta.hash.clone()],
                range: vec![KeyAttr {
                    name: "Album".into(),
                    ty: ScalarAttributeType::S,
                }],
                projection_type: ProjectionType::Include,
                non_key_attributes: vec!["Genre".into(), "Price".into()],
                status: IndexStatus::Active,
                read_capacity_units: 0,
                write_capacity_units: 0,
                throughput: Default::default(),
            },
            IndexMeta {
                name: "byGenre".into(),
                id: 2,
                kind: IndexKind::Global,
                hash: vec![KeyAttr {
                    name: "Genre".into(),
                    ty: ScalarAttributeType::S,
                }],
                range: Vec::new(),
                projection_type: ProjectionType::KeysOnly,
                non_key_attributes: Vec::new(),
                status: IndexStatus::Creating,
                read_capacity_units: 1,
                write_capacity_units: 2,
                throughput: Default::default(),
            },
        ];
        meta.next_index_id = 3;
        assert_eq!(decode_meta(&encode_meta(&meta)), Ok(meta));
    }

    fn key(name: &str, ty: ScalarAttributeType) -> KeyAttr {
        KeyAttr {
            name: name.into(),
            ty,
        }
    }

    /// The table of `catalog-table-multi-key-index.hex`: `vector_meta` with
    /// a single-attribute global index (its record fields as before
    /// multi-attribute keys) and one keyed by two HASH and two RANGE
    /// attributes.
    fn multi_key_meta() -> TableMeta {
        use ScalarAttributeType::{B, N, S};
        let mut meta = vector_meta();
        let index = |name: &str, id, hash, range| IndexMeta {
            name: String::from(name),
            id,
            kind: IndexKind::Global,
            hash,
            range,
            projection_type: ProjectionType::All,
            non_key_attributes: Vec::new(),
            status: IndexStatus::Active,
            read_capacity_units: 1,
            write_capacity_units: 1,
            throughput: Default::default(),
        };
        meta.indexes = vec![
            index("byGenre", 1, vec![key("Genre", S)], vec![key("Year", N)]),
            index(
                "byLabelRegion",
                2,
                vec![key("Label", S), key("Region", N)],
                vec![key("Year", N), key("Cover", B)],
            ),
        ];
        meta.next_index_id = 3;
        meta
    }

    /// format-spec/vectors/catalog-table-multi-key-index.hex is
    /// `encode_meta(multi_key_meta())`.
    #[test]
    fn catalog_multi_key_index_vector_decodes() {
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/catalog-table-multi-key-index.hex"
        ));
        assert_eq!(decode_meta(&bytes), Ok(multi_key_meta()));
        assert_eq!(encode_meta(&multi_key_meta()), bytes);
    }

    #[test]
    fn index_key_forms() {
        let meta = multi_key_meta();
        let item = decode_item(&encode_meta(&meta)).expect("item");
        let Some(AttributeValue::L(indexes)) = item.get("Indexes") else {
            panic!("no Indexes");
        };
        let [AttributeValue::M(single), AttributeValue::M(multi)] = indexes.as_slice() else {
            panic!("two indexes");
        };
        // One attribute per role: the fields every earlier record has.
        assert_eq!(single.get("HashKey"), Some(&s("Genre")));
        assert_eq!(single.get("RangeType"), Some(&s("N")));
        assert!(!single.contains_key("HashKeys"));
        // A multi-attribute key: the lists, and no HashKey, so an older
        // reader refuses it.
        assert!(!multi.contains_key("HashKey") && !multi.contains_key("RangeKey"));
        assert!(matches!(multi.get("HashKeys"), Some(AttributeValue::L(l)) if l.len() == 2));
        // Both forms at once, an empty or too long list, or a bad element
        // is corruption.
        let with = |name: &str, v: AttributeValue| {
            let mut bad = multi.clone();
            bad.insert(name.to_string(), v);
            let mut item = item.clone();
            item.insert(
                "Indexes".into(),
                AttributeValue::L(vec![AttributeValue::M(bad)]),
            );
            decode_meta(&encode_item_to_vec(&item))
        };
        assert!(with("HashKey", s("Label")).is_err());
        assert!(with("HashKeys", AttributeValue::L(Vec::new())).is_err());
        assert!(with("HashKeys", s("Label")).is_err());
        assert!(with("RangeKeys", AttributeValue::L(vec![s("Year")])).is_err());
        let five = AttributeValue::L(vec![
            AttributeValue::M(BTreeMap::from([
                ("AttributeName".to_string(), s("a")),
                ("AttributeType".to_string(), s("S")),
            ]));
            5
        ]);
        assert!(with("RangeKeys", five).is_err());
    }

    #[test]
    fn streams_round_trip_through_the_record() {
        let mut meta = vector_meta();
        meta.streams = vec![
            StreamMeta {
                label: crate::dynamo::streams::settings::stream_label(1_700_000_000_123),
                created_millis: 1_700_000_000_123,
                view_type: crate::dynamo::api::StreamViewType::KeysOnly,
                start_seq: 5,
                disabled: Some((9, 1_700_000_001_000)),
            },
            StreamMeta {
                label: crate::dynamo::streams::settings::stream_label(1_700_000_002_000),
                created_millis: 1_700_000_002_000,
                view_type: crate::dynamo::api::StreamViewType::NewImage,
                start_seq: 10,
                disabled: None,
            },
        ];
        assert_eq!(decode_meta(&encode_meta(&meta)), Ok(meta));
    }

    #[test]
    fn meta_round_trips_through_its_record() {
        let meta = vector_meta();
        let bytes = encode_meta(&meta);
        assert_eq!(decode_meta(&bytes), Ok(meta));
        assert!(decode_meta(&bytes[..bytes.len() - 1]).is_err());
        assert_eq!(decode_next_id(&encode_next_id(9)), Ok(9));
    }

    /// format-spec/vectors/catalog-table.hex is `encode_meta(vector_meta())`.
    #[test]
    fn catalog_vector_decodes() {
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/catalog-table.hex"
        ));
        assert_eq!(decode_meta(&bytes), Ok(vector_meta()));
        assert_eq!(encode_meta(&vector_meta()), bytes);
    }

    /// format-spec/vectors/catalog-retired-index.hex is
    /// `retired_index_key(42, 3)`.
    #[test]
    fn retired_index_vector_decodes() {
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/catalog-retired-index.hex"
        ));
        assert_eq!(decode_retired_index_key(&bytes), Ok((42, 3)));
        assert_eq!(retired_index_key(42, 3), bytes);
        assert!(decode_retired_index_key(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_retired_index_key(&retired_key(42)).is_err());
    }

    /// format-spec/vectors/catalog-table-ttl-tags.hex is
    /// `encode_meta(ttl_tags_meta())`: the optional `TtlAttribute` and
    /// `Tags` attributes.
    #[test]
    fn catalog_ttl_tags_vector_decodes() {
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/catalog-table-ttl-tags.hex"
        ));
        assert_eq!(decode_meta(&bytes), Ok(ttl_tags_meta()));
        assert_eq!(encode_meta(&ttl_tags_meta()), bytes);
    }

    /// The table of `catalog-table-settings.hex`: `vector_meta` with every
    /// settings attribute.
    fn settings_meta() -> TableMeta {
        use crate::dynamo::api::{ContributorInsightsMode, OnDemandThroughput, TableClass};
        use crate::dynamo::tables::settings::{
            InsightsState, StoredPolicy, TableSettings, ThroughputSettings,
        };
        let mut meta = vector_meta();
        meta.settings = TableSettings {
            table_class: Some(TableClass::StandardInfrequentAccess),
            table_class_updated_millis: Some(1_700_000_000_500),
            throughput: ThroughputSettings {
                on_demand: Some(OnDemandThroughput {
                    max_read_request_units: Some(-1),
                    max_write_request_units: Some(50),
                }),
                warm: Some((15_000, 4_000)),
            },
            sse_kms_key: Some(Some("k1".into())),
            policy: Some(StoredPolicy {
                document: "{}".into(),
                revision_id: "1700000000600".into(),
            }),
            insights: vec![
                InsightsState {
                    index_name: None,
                    enabled: true,
                    mode: ContributorInsightsMode::AccessedAndThrottledKeys,
                    updated_millis: 1_700_000_000_700,
                },
                InsightsState {
                    index_name: Some("byGenre".into()),
                    enabled: false,
                    mode: ContributorInsightsMode::ThrottledKeys,
                    updated_millis: 1_700_000_000_800,
                },
            ],
        };
        meta
    }

    /// format-spec/vectors/catalog-table-settings.hex is
    /// `encode_meta(settings_meta())`: the optional settings attributes.
    #[test]
    fn catalog_settings_vector_decodes() {
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/catalog-table-settings.hex"
        ));
        assert_eq!(decode_meta(&bytes), Ok(settings_meta()));
        assert_eq!(encode_meta(&settings_meta()), bytes);
        // A record without them (the older vector) has default settings.
        let old = decode_meta(&encode_meta(&vector_meta())).expect("decodes");
        assert_eq!(old.settings, Default::default());
    }

    /// The table of `catalog-table-index-throughput.hex`: `vector_meta`
    /// with a global index that set `OnDemandThroughput` (a read maximum
    /// of 100, no write maximum) and `WarmThroughput` (15000 / 5000), and
    /// one that set neither.
    fn index_throughput_meta() -> TableMeta {
        use crate::dynamo::api::OnDemandThroughput;
        use crate::dynamo::tables::settings::ThroughputSettings;
        use ScalarAttributeType::S;
        let mut meta = vector_meta();
        let index = |name: &str, id, attr, throughput| IndexMeta {
            name: String::from(name),
            id,
            kind: IndexKind::Global,
            hash: vec![key(attr, S)],
            range: Vec::new(),
            projection_type: ProjectionType::All,
            non_key_attributes: Vec::new(),
            status: IndexStatus::Active,
            read_capacity_units: 1,
            write_capacity_units: 1,
            throughput,
        };
        meta.indexes = vec![
            index(
                "byGenre",
                1,
                "Genre",
                ThroughputSettings {
                    on_demand: Some(OnDemandThroughput {
                        max_read_request_units: Some(100),
                        max_write_request_units: None,
                    }),
                    warm: Some((15_000, 5_000)),
                },
            ),
            index("byLabel", 2, "Label", ThroughputSettings::default()),
        ];
        meta.next_index_id = 3;
        meta
    }

    /// format-spec/vectors/catalog-table-index-throughput.hex is
    /// `encode_meta(index_throughput_meta())`: the optional throughput
    /// attributes of an `Indexes` element.
    #[test]
    fn catalog_index_throughput_vector_decodes() {
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/catalog-table-index-throughput.hex"
        ));
        assert_eq!(decode_meta(&bytes), Ok(index_throughput_meta()));
        assert_eq!(encode_meta(&index_throughput_meta()), bytes);
        // An index that set neither has exactly the fields it had before.
        let item = decode_item(&bytes).expect("item");
        let Some(AttributeValue::L(indexes)) = item.get("Indexes") else {
            panic!("no Indexes");
        };
        let [AttributeValue::M(set), AttributeValue::M(unset)] = indexes.as_slice() else {
            panic!("two indexes");
        };
        assert_eq!(set.get("OnDemandMaxRead"), Some(&n(100_i64)));
        assert!(!set.contains_key("OnDemandMaxWrite"));
        for name in ["OnDemand", "OnDemandMaxRead", "WarmRead", "WarmWrite"] {
            assert!(!unset.contains_key(name), "{name}");
        }
    }

    /// The table of `catalog-table-pitr.hex`: `vector_meta` with
    /// point-in-time recovery enabled and restored to a point in time.
    fn pitr_meta() -> TableMeta {
        let mut meta = vector_meta();
        meta.pitr = Some(PitrMeta {
            enabled_millis: 1_700_000_000_900,
            enabled_seq: 4242,
            period_days: 7,
        });
        meta.restore = Some(RestoreMeta {
            source_backup_arn: None,
            source_table_arn: Some("arn:aws:dynamodb:ddblocal:000000000000:table/Src".into()),
            restore_millis: 1_700_000_000_000,
            backup_id: String::new(),
            source_table_id: 7,
            in_progress: true,
            source_sequence: Some(4000),
        });
        meta
    }

    /// format-spec/vectors/catalog-table-pitr.hex is
    /// `encode_meta(pitr_meta())`: the `Pitr` attribute and a `Restore`
    /// with `SourceSequence`.
    #[test]
    fn catalog_pitr_vector_decodes() {
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/catalog-table-pitr.hex"
        ));
        let encoded = encode_meta(&pitr_meta());
        assert_eq!(
            encoded,
            bytes,
            "{}",
            crate::testutil::encode_hex_vector(&encoded)
        );
        assert_eq!(decode_meta(&bytes), Ok(pitr_meta()));
        // A period outside 1-35 is corruption.
        let mut item = decode_item(&bytes).expect("item");
        if let Some(AttributeValue::M(p)) = item.get_mut("Pitr") {
            p.insert("RecoveryPeriodInDays".into(), n(36i64));
        }
        assert!(decode_meta(&encode_item_to_vec(&item)).is_err());
    }

    #[test]
    fn ttl_and_tags_of_the_wrong_type_are_corruption() {
        let mut item = decode_item(&encode_meta(&ttl_tags_meta())).expect("item");
        item.insert("TtlAttribute".into(), n(1i64));
        assert!(decode_meta(&encode_item_to_vec(&item)).is_err());
        let mut item = decode_item(&encode_meta(&ttl_tags_meta())).expect("item");
        item.insert(
            "Tags".into(),
            AttributeValue::M(BTreeMap::from([("k".to_string(), n(1i64))])),
        );
        assert!(decode_meta(&encode_item_to_vec(&item)).is_err());
        item.insert("Tags".into(), s("k"));
        assert!(decode_meta(&encode_item_to_vec(&item)).is_err());
    }

    /// The record of `catalog-retired-streams.hex`: `vector_meta`, deleted
    /// (so without deletion protection), keeping one disabled stream.
    fn retired_streams_meta() -> TableMeta {
        let mut meta = vector_meta();
        meta.deletion_protection = false;
        meta.streams = vec![StreamMeta {
            label: crate::dynamo::streams::settings::stream_label(1_700_000_002_000),
            created_millis: 1_700_000_002_000,
            view_type: crate::dynamo::api::StreamViewType::NewAndOldImages,
            start_seq: 10,
            disabled: Some((25, 1_700_000_003_000)),
        }];
        meta
    }

    /// format-spec/vectors/catalog-retired-streams-key.hex is
    /// `retired_streams_key(42)` and catalog-retired-streams.hex is
    /// `encode_meta(retired_streams_meta())`, its value.
    #[test]
    fn retired_streams_vector_decodes() {
        let key = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/catalog-retired-streams-key.hex"
        ));
        let value = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/catalog-retired-streams.hex"
        ));
        assert_eq!(retired_streams_key(42), key);
        assert_eq!(decode_retired_streams_key(&key), Ok(42));
        assert_eq!(
            decode_retired_streams(&key, &value),
            Ok(retired_streams_meta())
        );
        assert_eq!(encode_meta(&retired_streams_meta()), value);
    }

    #[test]
    fn corrupt_retired_streams_records_are_errors() {
        let key = retired_streams_key(42);
        let value = encode_meta(&retired_streams_meta());
        // Every truncation of the key or the value, and a longer key.
        for n in 0..key.len() {
            assert!(decode_retired_streams(&key[..n], &value).is_err(), "{n}");
        }
        assert!(decode_retired_streams(&[key.as_slice(), &[0]].concat(), &value).is_err());
        for n in 0..value.len() {
            assert!(decode_retired_streams(&key, &value[..n]).is_err(), "{n}");
        }
        // Every single-byte change is an error or still decodes: never a panic.
        for i in 0..value.len() {
            let mut bad = value.clone();
            bad[i] ^= 0x5a;
            let _ = decode_retired_streams(&key, &bad);
        }
        // Another kind's key, another table's id.
        assert!(decode_retired_streams(&retired_key(42), &value).is_err());
        assert!(decode_retired_streams(&retired_streams_key(43), &value).is_err());
        // No streams, or an enabled one.
        let mut meta = retired_streams_meta();
        meta.streams.clear();
        assert!(decode_retired_streams(&key, &encode_meta(&meta)).is_err());
        let mut meta = retired_streams_meta();
        meta.streams[0].disabled = None;
        assert!(decode_retired_streams(&key, &encode_meta(&meta)).is_err());
    }

    fn print_hex(bytes: &[u8]) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        for chunk in hex.as_bytes().chunks(64) {
            println!("{}", String::from_utf8_lossy(chunk));
        }
    }

    #[test]
    #[ignore = "prints the catalog vectors"]
    fn print_catalog_vector() {
        print_hex(&encode_meta(&vector_meta()));
        println!();
        print_hex(&encode_meta(&ttl_tags_meta()));
        println!();
        print!(
            "{}",
            crate::testutil::encode_hex_vector(&encode_meta(&retired_streams_meta()))
        );
        println!();
        print!(
            "{}",
            crate::testutil::encode_hex_vector(&encode_meta(&multi_key_meta()))
        );
        println!();
        print!(
            "{}",
            crate::testutil::encode_hex_vector(&encode_meta(&settings_meta()))
        );
    }
}
