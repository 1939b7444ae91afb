//! A table's definition and the key rules every item request is checked
//! against.

use std::collections::BTreeMap;

use crate::dynamo::api::{
    AttributeDefinition, BillingMode, BillingModeSummary, GlobalSecondaryIndexDescription,
    GlobalSecondaryIndexWarmThroughputDescription, IndexStatus, KeySchemaElement, KeyType,
    LocalSecondaryIndexDescription, OnDemandThroughput, Projection, ProjectionType,
    ProvisionedThroughputDescription, RestoreSummary, TableDescription, TableStatus,
};
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::{AttributeValue, Item, INVALID_PARAMETER};
use crate::dynamo::keys::codec::{encode_primary_key, is_empty_key, ScalarAttributeType};
use crate::dynamo::keys::layout;
use crate::dynamo::streams::settings::{stream_specification, StreamMeta};
use crate::dynamo::tables::settings::{TableSettings, ThroughputSettings};

/// Largest partition key value, in bytes (Developer Guide, `Limits`,
/// "Partition key length": 2048 bytes).
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// Largest sort key value, in bytes (Developer Guide, `Limits`, "Sort key
/// length": 1024 bytes).
pub const MAX_SORT_KEY_BYTES: usize = 1024;
/// Most HASH attributes, and most RANGE attributes, in a global secondary
/// index's key schema (API Reference, `CreateGlobalSecondaryIndexAction`:
/// "Global secondary index supports up to 4 partition and up to 4 sort
/// keys"). Tables and local indexes have one of each.
pub const MAX_INDEX_KEY_ATTRIBUTES: usize = 4;

/// One key attribute: its name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAttr {
    /// Attribute name.
    pub name: String,
    /// `S`, `N` or `B`.
    pub ty: ScalarAttributeType,
}

/// Local or global secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// Same partition key as the table; created with the table.
    Local,
    /// Any key schema; added and removed at any time.
    Global,
}

/// One secondary index of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexMeta {
    /// The index name.
    pub name: String,
    /// The `index_id` of its keys (1..=253; 0 is the table). Never reused
    /// within a table.
    pub id: u8,
    /// Local or global.
    pub kind: IndexKind,
    /// The index partition key: its HASH attributes in key schema order —
    /// one, or up to [`MAX_INDEX_KEY_ATTRIBUTES`] for a global index
    /// (multi-attribute keys). Never empty.
    pub hash: Vec<KeyAttr>,
    /// The index sort key: its RANGE attributes in key schema order — none,
    /// one, or up to [`MAX_INDEX_KEY_ATTRIBUTES`] for a global index.
    pub range: Vec<KeyAttr>,
    /// Which attributes the index copies.
    pub projection_type: ProjectionType,
    /// With `INCLUDE`: the extra attributes.
    pub non_key_attributes: Vec<String>,
    /// `CREATING` while being backfilled, then `ACTIVE`.
    pub status: IndexStatus,
    /// Provisioned read units (global indexes of provisioned tables).
    pub read_capacity_units: i64,
    /// Provisioned write units.
    pub write_capacity_units: i64,
    /// `OnDemandThroughput` and `WarmThroughput` (global indexes).
    pub throughput: ThroughputSettings,
}

impl IndexMeta {
    /// The `OnDemandThroughput` and `WarmThroughput` members of a global
    /// index's description (`WarmThroughput` is always present, as
    /// DynamoDB shows it; see `ThroughputSettings::warm_units`).
    pub fn throughput_description(
        &self,
    ) -> (
        Option<OnDemandThroughput>,
        Option<GlobalSecondaryIndexWarmThroughputDescription>,
    ) {
        let (read, write) = self
            .throughput
            .warm_units(self.read_capacity_units, self.write_capacity_units);
        (
            self.throughput.on_demand,
            Some(GlobalSecondaryIndexWarmThroughputDescription {
                read_units_per_second: read,
                write_units_per_second: write,
                status: IndexStatus::Active,
            }),
        )
    }

    /// The key schema in DynamoDB's shape: every HASH attribute, then every
    /// RANGE attribute, each in the order they were defined.
    pub fn key_schema(&self) -> Vec<KeySchemaElement> {
        let element = |key_type| {
            move |k: &KeyAttr| KeySchemaElement {
                attribute_name: k.name.clone(),
                key_type,
            }
        };
        self.hash
            .iter()
            .map(element(KeyType::Hash))
            .chain(self.range.iter().map(element(KeyType::Range)))
            .collect()
    }

    /// The key attributes, HASH first, then RANGE, in key schema order.
    pub fn key_attrs(&self) -> impl Iterator<Item = &KeyAttr> {
        self.hash.iter().chain(&self.range)
    }

    /// The partition key and sort key of an index with one attribute in
    /// each role (every local index, and a global index without
    /// multi-attribute keys); `None` for a multi-attribute key.
    pub fn single_key(&self) -> Option<(&KeyAttr, Option<&KeyAttr>)> {
        match (self.hash.as_slice(), self.range.as_slice()) {
            ([h], []) => Some((h, None)),
            ([h], [r]) => Some((h, Some(r))),
            _ => None,
        }
    }

    /// The projection in DynamoDB's shape.
    pub fn projection(&self) -> Projection {
        Projection {
            projection_type: Some(self.projection_type),
            non_key_attributes: (self.projection_type == ProjectionType::Include)
                .then(|| self.non_key_attributes.clone()),
        }
    }

    /// The names of the index key attributes.
    pub fn key_names(&self) -> impl Iterator<Item = &str> {
        self.key_attrs().map(|k| k.name.as_str())
    }
}

/// Everything the catalog stores about one table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableMeta {
    /// The table's name.
    pub name: String,
    /// Internal id: the prefix of all its keys; never reused.
    pub id: u32,
    /// The `TableId` DescribeTable shows (UUID-shaped).
    pub uuid: String,
    /// Creation time, milliseconds since the epoch.
    pub created_millis: i64,
    /// The partition key.
    pub hash: KeyAttr,
    /// The sort key, if any.
    pub range: Option<KeyAttr>,
    /// `AttributeDefinitions` as given.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// Billing mode.
    pub billing_mode: BillingMode,
    /// Whether `BillingMode` was ever given explicitly (DescribeTable shows
    /// `BillingModeSummary` only then).
    pub billing_mode_explicit: bool,
    /// Provisioned read units (0 on demand).
    pub read_capacity_units: i64,
    /// Provisioned write units (0 on demand).
    pub write_capacity_units: i64,
    /// Last throughput increase, ms since the epoch.
    pub last_increase_millis: Option<i64>,
    /// Last throughput decrease, ms since the epoch.
    pub last_decrease_millis: Option<i64>,
    /// Throughput decreases today.
    pub decreases_today: i64,
    /// When the table last switched to on-demand, ms since the epoch.
    pub last_pay_per_request_millis: Option<i64>,
    /// `DeletionProtectionEnabled`.
    pub deletion_protection: bool,
    /// Secondary indexes (local first, then global, each in creation order).
    pub indexes: Vec<IndexMeta>,
    /// The id the next index gets.
    pub next_index_id: u8,
    /// Its streams, oldest first: disabled ones still readable, and last
    /// the enabled one, if any.
    pub streams: Vec<StreamMeta>,
    /// The expiry attribute while Time to Live is enabled (`None`: disabled).
    pub ttl_attribute: Option<String>,
    /// The table's tags, by key.
    pub tags: BTreeMap<String, String>,
    /// Table class, throughput limits, encryption, policy, Contributor
    /// Insights.
    pub settings: TableSettings,
    /// Set on a table restored from a backup.
    pub restore: Option<RestoreMeta>,
    /// Point-in-time recovery, while enabled.
    pub pitr: Option<PitrMeta>,
}

/// Point-in-time recovery of a table (format-spec/pitr.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PitrMeta {
    /// When it was (last) enabled, ms since the epoch: the earliest time
    /// the table can be restored to.
    pub enabled_millis: i64,
    /// The engine's latest sequence number when it was enabled: history
    /// older than this is not kept.
    pub enabled_seq: u64,
    /// `RecoveryPeriodInDays`, 1–35.
    pub period_days: i64,
}

/// Where a restored table came from, and whether its items are all in.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreMeta {
    /// The backup restored from.
    pub source_backup_arn: Option<String>,
    /// The table the backup was made of.
    pub source_table_arn: Option<String>,
    /// The point in time restored to, milliseconds since the epoch.
    pub restore_millis: i64,
    /// The backup's id (its directory), while the restore runs.
    pub backup_id: String,
    /// The source table's id in the backup (or, restoring to a point in
    /// time, in this database).
    pub source_table_id: u32,
    /// Restoring to a point in time: the sequence number of this database
    /// the source table is read at (`backup_id` is then empty).
    pub source_sequence: Option<u64>,
    /// True until every item is restored: the table is `CREATING` and
    /// refuses item requests.
    pub in_progress: bool,
}

fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

impl TableMeta {
    /// The names of the key attributes.
    pub fn key_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.hash.name.as_str()).chain(self.range.iter().map(|r| r.name.as_str()))
    }

    /// Whether `name` is a key attribute.
    pub fn is_key(&self, name: &str) -> bool {
        self.key_names().any(|k| k == name)
    }

    /// The key schema in DynamoDB's shape.
    pub fn key_schema(&self) -> Vec<KeySchemaElement> {
        let mut ks = vec![KeySchemaElement {
            attribute_name: self.hash.name.clone(),
            key_type: KeyType::Hash,
        }];
        if let Some(r) = &self.range {
            ks.push(KeySchemaElement {
                attribute_name: r.name.clone(),
                key_type: KeyType::Range,
            });
        }
        ks
    }

    /// The table's ARN, in DynamoDB Local's region and account.
    pub fn arn(&self, region: &str, account: &str) -> String {
        format!("arn:aws:dynamodb:{region}:{account}:table/{}", self.name)
    }

    /// DescribeTable's view (item count and size filled in by the caller).
    pub fn description(&self, region: &str, account: &str) -> TableDescription {
        let restoring = self.restore.as_ref().is_some_and(|r| r.in_progress);
        TableDescription {
            table_name: self.name.clone(),
            table_arn: self.arn(region, account),
            table_id: self.uuid.clone(),
            table_status: if restoring {
                TableStatus::Creating
            } else {
                TableStatus::Active
            },
            creation_date_time: seconds(self.created_millis),
            attribute_definitions: self.attribute_definitions.clone(),
            key_schema: self.key_schema(),
            provisioned_throughput: ProvisionedThroughputDescription {
                last_increase_date_time: self.last_increase_millis.map(seconds),
                last_decrease_date_time: self.last_decrease_millis.map(seconds),
                number_of_decreases_today: self.decreases_today,
                read_capacity_units: self.read_capacity_units,
                write_capacity_units: self.write_capacity_units,
            },
            billing_mode_summary: self.billing_mode_explicit.then(|| BillingModeSummary {
                billing_mode: self.billing_mode,
                last_update_to_pay_per_request_date_time: self
                    .last_pay_per_request_millis
                    .map(seconds),
            }),
            item_count: 0,
            table_size_bytes: 0,
            deletion_protection_enabled: self.deletion_protection,
            local_secondary_indexes: self.local_index_descriptions(region, account),
            global_secondary_indexes: self.global_index_descriptions(region, account),
            stream_specification: stream_specification(&self.streams),
            latest_stream_label: self.streams.last().map(|s| s.label.clone()),
            latest_stream_arn: self
                .streams
                .last()
                .map(|s| s.arn(&self.arn(region, account))),
            table_class_summary: self.settings.table_class_summary(),
            sse_description: self.settings.sse_description(region, account),
            on_demand_throughput: self.settings.throughput.on_demand,
            warm_throughput: Some(
                self.settings
                    .warm_description(self.read_capacity_units, self.write_capacity_units),
            ),
            restore_summary: self.restore.as_ref().map(|r| RestoreSummary {
                source_backup_arn: r.source_backup_arn.clone(),
                source_table_arn: r.source_table_arn.clone(),
                restore_date_time: seconds(r.restore_millis),
                restore_in_progress: r.in_progress,
            }),
        }
    }

    fn local_index_descriptions(
        &self,
        region: &str,
        account: &str,
    ) -> Option<Vec<LocalSecondaryIndexDescription>> {
        let v: Vec<_> = self
            .indexes
            .iter()
            .filter(|i| i.kind == IndexKind::Local)
            .map(|i| LocalSecondaryIndexDescription {
                index_name: i.name.clone(),
                key_schema: i.key_schema(),
                projection: i.projection(),
                index_size_bytes: 0,
                item_count: 0,
                index_arn: format!("{}/index/{}", self.arn(region, account), i.name),
            })
            .collect();
        (!v.is_empty()).then_some(v)
    }

    fn global_index_descriptions(
        &self,
        region: &str,
        account: &str,
    ) -> Option<Vec<GlobalSecondaryIndexDescription>> {
        let v: Vec<_> = self
            .indexes
            .iter()
            .filter(|i| i.kind == IndexKind::Global)
            .map(|i| {
                let (on_demand_throughput, warm_throughput) = i.throughput_description();
                GlobalSecondaryIndexDescription {
                    index_name: i.name.clone(),
                    key_schema: i.key_schema(),
                    projection: i.projection(),
                    index_status: i.status,
                    backfilling: (i.status == IndexStatus::Creating).then_some(true),
                    provisioned_throughput: ProvisionedThroughputDescription {
                        read_capacity_units: i.read_capacity_units,
                        write_capacity_units: i.write_capacity_units,
                        ..ProvisionedThroughputDescription::default()
                    },
                    index_size_bytes: 0,
                    item_count: 0,
                    index_arn: format!("{}/index/{}", self.arn(region, account), i.name),
                    backfill_error: None,
                    on_demand_throughput,
                    warm_throughput,
                }
            })
            .collect();
        (!v.is_empty()).then_some(v)
    }

    /// The index named `name`.
    pub fn index(&self, name: &str) -> Option<&IndexMeta> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// The engine key of the item `item` (a whole item, as PutItem takes),
    /// checking that the key attributes are present, of the right type,
    /// non-empty and within the size limits.
    ///
    /// Messages: DynamoDB's, as dynalite `validations/index.js` /
    /// `db/index.js` reproduce them (`validateKey`, `checkKeySize`):
    /// "One or more parameter values were invalid: Missing the key pk in the
    /// item", "... Type mismatch for key pk expected: S actual: N", "One or
    /// more parameter values are not valid. The AttributeValue for a key
    /// attribute cannot contain an empty string value. Key: pk".
    pub fn item_key(&self, item: &Item) -> Result<Vec<u8>, DynamoError> {
        let pk = self.key_value(item, &self.hash, true)?;
        let sk = match &self.range {
            Some(r) => Some(self.key_value(item, r, true)?),
            None => None,
        };
        self.encode(pk, sk)
    }

    /// The engine key named by a request's `Key`: exactly the key
    /// attributes, of the right types ("The provided key element does not
    /// match the schema" otherwise).
    pub fn key_of(&self, key: &Item) -> Result<Vec<u8>, DynamoError> {
        let expected = 1 + usize::from(self.range.is_some());
        let mismatch =
            || DynamoError::validation("The provided key element does not match the schema");
        if key.len() != expected {
            return Err(mismatch());
        }
        let pk = self.key_value(key, &self.hash, false)?;
        let sk = match &self.range {
            Some(r) => Some(self.key_value(key, r, false)?),
            None => None,
        };
        self.encode(pk, sk)
    }

    fn key_value<'a>(
        &self,
        item: &'a Item,
        attr: &KeyAttr,
        whole_item: bool,
    ) -> Result<&'a AttributeValue, DynamoError> {
        let mismatch =
            || DynamoError::validation("The provided key element does not match the schema");
        let Some(v) = item.get(&attr.name) else {
            return Err(if whole_item {
                DynamoError::validation(format!(
                    "{INVALID_PARAMETER}Missing the key {} in the item",
                    attr.name
                ))
            } else {
                mismatch()
            });
        };
        if ScalarAttributeType::of(v) != Some(attr.ty) {
            return Err(if whole_item {
                DynamoError::validation(format!(
                    "{INVALID_PARAMETER}Type mismatch for key {} expected: {} actual: {}",
                    attr.name,
                    attr.ty.name(),
                    v.type_name()
                ))
            } else {
                mismatch()
            });
        }
        if is_empty_key(v) {
            let what = if matches!(v, AttributeValue::S(_)) {
                "string"
            } else {
                "binary"
            };
            return Err(DynamoError::validation(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {what} value. Key: {}",
                attr.name
            )));
        }
        Ok(v)
    }

    fn encode(
        &self,
        pk: &AttributeValue,
        sk: Option<&AttributeValue>,
    ) -> Result<Vec<u8>, DynamoError> {
        if pk.size() > MAX_PARTITION_KEY_BYTES {
            // dynalite `db/index.js` checkKeySize, fitted to DynamoDB (sic: no space).
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}Size of hashkey has exceeded the maximum size limit of{MAX_PARTITION_KEY_BYTES} bytes"
            )));
        }
        if sk.is_some_and(|s| s.size() > MAX_SORT_KEY_BYTES) {
            return Err(DynamoError::validation(format!(
                "{INVALID_PARAMETER}Aggregated size of all range keys has exceeded the size limit of {MAX_SORT_KEY_BYTES} bytes"
            )));
        }
        let encoded = encode_primary_key(pk, sk)?;
        Ok(layout::item_key(self.id, layout::TABLE_INDEX_ID, &encoded))
    }

    /// The key attributes of `item` (for `LastEvaluatedKey` and friends).
    pub fn key_attributes(&self, item: &Item) -> Item {
        self.key_names()
            .filter_map(|k| item.get(k).map(|v| (k.to_string(), v.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::Number;

    fn meta() -> TableMeta {
        TableMeta {
            name: "t".into(),
            id: 7,
            uuid: String::new(),
            created_millis: 0,
            hash: KeyAttr {
                name: "pk".into(),
                ty: ScalarAttributeType::S,
            },
            range: Some(KeyAttr {
                name: "sk".into(),
                ty: ScalarAttributeType::N,
            }),
            attribute_definitions: Vec::new(),
            billing_mode: BillingMode::PayPerRequest,
            billing_mode_explicit: true,
            read_capacity_units: 0,
            write_capacity_units: 0,
            last_increase_millis: None,
            last_decrease_millis: None,
            decreases_today: 0,
            last_pay_per_request_millis: None,
            deletion_protection: false,
            indexes: Vec::new(),
            next_index_id: 1,
            streams: Vec::new(),
            ttl_attribute: None,
            tags: BTreeMap::new(),
            settings: TableSettings::default(),
            restore: None,
            pitr: None,
        }
    }

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn key_checks_name_type_emptiness_and_size() {
        let m = meta();
        let one = AttributeValue::N(Number::from(1i64));
        let ok = item(&[("pk", AttributeValue::S("a".into())), ("sk", one.clone())]);
        assert!(m.item_key(&ok).is_ok());
        assert!(m.key_of(&ok).is_ok());
        let missing = item(&[("pk", AttributeValue::S("a".into()))]);
        assert_eq!(
            m.item_key(&missing).err().map(|e| e.message().to_string()),
            Some(
                "One or more parameter values were invalid: Missing the key sk in the item".into()
            )
        );
        assert_eq!(
            m.key_of(&missing).err().map(|e| e.message().to_string()),
            Some("The provided key element does not match the schema".into())
        );
        let wrong = item(&[("pk", one.clone()), ("sk", one.clone())]);
        assert_eq!(
            m.item_key(&wrong).err().map(|e| e.message().to_string()),
            Some("One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N".into())
        );
        let empty = item(&[
            ("pk", AttributeValue::S(String::new())),
            ("sk", one.clone()),
        ]);
        assert!(m.item_key(&empty).is_err());
        let big = item(&[
            ("pk", AttributeValue::S("x".repeat(2049))),
            ("sk", one.clone()),
        ]);
        assert!(m.item_key(&big).is_err());
        let max = item(&[
            ("pk", AttributeValue::S("x".repeat(2048))),
            ("sk", one.clone()),
        ]);
        assert!(m.item_key(&max).is_ok());
        let mut extra = ok.clone();
        extra.insert("x".into(), one);
        assert!(m.item_key(&extra).is_ok());
        assert!(m.key_of(&extra).is_err());
    }
}
