//! The table settings that change nothing about how a single node stores
//! items but that DynamoDB users set and read back: table class, maximum
//! on-demand throughput, warm throughput, encryption at rest, the
//! resource-based policy and Contributor Insights. Their catalog attributes
//! are optional (format-spec/items.md, "Catalog records", "Table
//! settings"): a record without them is a table that never set them.

use crate::dynamo::api::{
    ContributorInsightsMode, OnDemandThroughput, SseDescription, SseSpecification, SseStatus,
    SseType, TableClass, TableClassSummary, TableStatus, TableWarmThroughputDescription,
    WarmThroughput,
};
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::value::{AttributeValue, Item};
use crate::dynamo::Number;

/// Read units per second a new table supports at once (Developer Guide,
/// "Understanding DynamoDB warm throughput in different scenarios": "A new
/// on-demand table starts with a warm throughput of 12,000 read units per
/// second and 4,000 write units per second").
pub const BASE_WARM_READ: i64 = 12_000;
/// Write units per second a new table supports at once (same source).
pub const BASE_WARM_WRITE: i64 = 4_000;

/// Contributor Insights on the table or one of its global indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsState {
    /// The index, or `None` for the table itself.
    pub index_name: Option<String>,
    /// Enabled (true) or disabled.
    pub enabled: bool,
    /// The mode it was last enabled with.
    pub mode: ContributorInsightsMode,
    /// When it was last enabled or disabled, ms since the epoch.
    pub updated_millis: i64,
}

/// A resource-based policy attached to the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    /// The document, exactly as put.
    pub document: String,
    /// Its `RevisionId`.
    pub revision_id: String,
}

/// The maximum on-demand throughput and the warm throughput of a table or
/// of one global secondary index (both optional in its catalog record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThroughputSettings {
    /// `OnDemandThroughput`, once given.
    pub on_demand: Option<OnDemandThroughput>,
    /// The warm throughput asked for (read, write units per second); never
    /// lowered.
    pub warm: Option<(i64, i64)>,
}

/// The settings of one table (all optional in its catalog record).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableSettings {
    /// `TableClass`, once given.
    pub table_class: Option<TableClass>,
    /// When an UpdateTable last changed the class, ms since the epoch.
    pub table_class_updated_millis: Option<i64>,
    /// `OnDemandThroughput` and `WarmThroughput`.
    pub throughput: ThroughputSettings,
    /// Encryption with a KMS key: `Some(key)` (`None` inside: the AWS
    /// managed key). `None`: a key owned by DynamoDB (no `SSEDescription`).
    pub sse_kms_key: Option<Option<String>>,
    /// The resource-based policy.
    pub policy: Option<StoredPolicy>,
    /// Contributor Insights per table/index that ever changed it.
    pub insights: Vec<InsightsState>,
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(Number::from(v))
}

fn corrupt(what: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("corrupt catalog record: {what}"))
}

fn opt_s<'a>(item: &'a Item, name: &str) -> Result<Option<&'a str>, DynamoError> {
    match item.get(name) {
        None => Ok(None),
        Some(AttributeValue::S(v)) => Ok(Some(v)),
        Some(_) => Err(corrupt(name)),
    }
}

fn opt_n(item: &Item, name: &str) -> Result<Option<i64>, DynamoError> {
    match item.get(name) {
        None => Ok(None),
        Some(AttributeValue::N(v)) => v.to_string().parse().map(Some).map_err(|_| corrupt(name)),
        Some(_) => Err(corrupt(name)),
    }
}

/// Adds the `OnDemand`, `OnDemandMaxRead`, `OnDemandMaxWrite`, `WarmRead`
/// and `WarmWrite` attributes (only those set) to a table record or to an
/// element of its `Indexes`.
pub fn encode_throughput(t: &ThroughputSettings, item: &mut Item) {
    if let Some(o) = t.on_demand {
        if let Some(r) = o.max_read_request_units {
            item.insert("OnDemandMaxRead".into(), n(r));
        }
        if let Some(w) = o.max_write_request_units {
            item.insert("OnDemandMaxWrite".into(), n(w));
        }
        item.insert("OnDemand".into(), AttributeValue::Bool(true));
    }
    if let Some((r, w)) = t.warm {
        item.insert("WarmRead".into(), n(r));
        item.insert("WarmWrite".into(), n(w));
    }
}

/// Reads what [`encode_throughput`] wrote (absent attributes unset).
pub fn decode_throughput(item: &Item) -> Result<ThroughputSettings, DynamoError> {
    let on_demand = match item.get("OnDemand") {
        None => None,
        Some(AttributeValue::Bool(true)) => Some(OnDemandThroughput {
            max_read_request_units: opt_n(item, "OnDemandMaxRead")?,
            max_write_request_units: opt_n(item, "OnDemandMaxWrite")?,
        }),
        Some(_) => return Err(corrupt("OnDemand")),
    };
    let warm = match (opt_n(item, "WarmRead")?, opt_n(item, "WarmWrite")?) {
        (Some(r), Some(w)) => Some((r, w)),
        (None, None) => None,
        _ => return Err(corrupt("WarmRead")),
    };
    Ok(ThroughputSettings { on_demand, warm })
}

/// Adds the settings' attributes to a table record (only those set).
pub fn encode_settings(t: &TableSettings, item: &mut Item) {
    if let Some(c) = t.table_class {
        item.insert("TableClass".into(), s(c.as_str()));
    }
    if let Some(ms) = t.table_class_updated_millis {
        item.insert("TableClassMillis".into(), n(ms));
    }
    encode_throughput(&t.throughput, item);
    if let Some(key) = &t.sse_kms_key {
        item.insert("SseKmsKey".into(), s(key.as_deref().unwrap_or("")));
    }
    if let Some(p) = &t.policy {
        item.insert("ResourcePolicy".into(), s(&p.document));
        item.insert("PolicyRevision".into(), s(&p.revision_id));
    }
    if !t.insights.is_empty() {
        let list = t
            .insights
            .iter()
            .map(|i| {
                let mut m = Item::new();
                if let Some(name) = &i.index_name {
                    m.insert("IndexName".into(), s(name));
                }
                m.insert("Enabled".into(), AttributeValue::Bool(i.enabled));
                m.insert("Mode".into(), s(i.mode.as_str()));
                m.insert("UpdatedMillis".into(), n(i.updated_millis));
                AttributeValue::M(m)
            })
            .collect();
        item.insert("ContributorInsights".into(), AttributeValue::L(list));
    }
}

/// Reads the settings' attributes of a table record (absent ones unset).
pub fn decode_settings(item: &Item) -> Result<TableSettings, DynamoError> {
    let table_class = match opt_s(item, "TableClass")? {
        None => None,
        Some(c) => Some(TableClass::parse(c).ok_or_else(|| corrupt("TableClass"))?),
    };
    let throughput = decode_throughput(item)?;
    let sse_kms_key = opt_s(item, "SseKmsKey")?.map(|k| (!k.is_empty()).then(|| k.to_string()));
    let policy = match (
        opt_s(item, "ResourcePolicy")?,
        opt_s(item, "PolicyRevision")?,
    ) {
        (Some(d), Some(r)) => Some(StoredPolicy {
            document: d.to_string(),
            revision_id: r.to_string(),
        }),
        (None, None) => None,
        _ => return Err(corrupt("ResourcePolicy")),
    };
    let insights = match item.get("ContributorInsights") {
        None => Vec::new(),
        Some(AttributeValue::L(list)) => list
            .iter()
            .map(|v| {
                let AttributeValue::M(m) = v else {
                    return Err(corrupt("ContributorInsights"));
                };
                let enabled = match m.get("Enabled") {
                    Some(AttributeValue::Bool(b)) => *b,
                    _ => return Err(corrupt("ContributorInsights.Enabled")),
                };
                let mode = opt_s(m, "Mode")?
                    .and_then(ContributorInsightsMode::parse)
                    .ok_or_else(|| corrupt("ContributorInsights.Mode"))?;
                Ok(InsightsState {
                    index_name: opt_s(m, "IndexName")?.map(str::to_string),
                    enabled,
                    mode,
                    updated_millis: opt_n(m, "UpdatedMillis")?
                        .ok_or_else(|| corrupt("ContributorInsights.UpdatedMillis"))?,
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(corrupt("ContributorInsights")),
    };
    Ok(TableSettings {
        table_class,
        table_class_updated_millis: opt_n(item, "TableClassMillis")?,
        throughput,
        sse_kms_key,
        policy,
        insights,
    })
}

/// The KMS key an `SSESpecification` asks for: `Some(key)` to encrypt with
/// a KMS key (`None` inside: the AWS managed key), `None` for a key owned
/// by DynamoDB ("Enabled" false or absent; API reference,
/// SSESpecification.Enabled).
pub fn sse_choice(spec: &SseSpecification) -> Option<Option<String>> {
    spec.enabled
        .unwrap_or(false)
        .then(|| spec.kms_master_key_id.clone())
}

impl ThroughputSettings {
    /// The warm throughput (read, write units per second) of a table or
    /// index with provisioned capacity `read`, `write`: the base values,
    /// raised by what was asked for and by the provisioned capacity. A
    /// global index starts at the same base as a new table (the Developer
    /// Guide gives the base for tables only; DynamoDB's DescribeTable
    /// shows the same values on a new index).
    pub fn warm_units(&self, read: i64, write: i64) -> (i64, i64) {
        let (wr, ww) = self.warm.unwrap_or((0, 0));
        (
            BASE_WARM_READ.max(wr).max(read),
            BASE_WARM_WRITE.max(ww).max(write),
        )
    }

    /// Records a `WarmThroughput` request: values only ever rise ("Once
    /// increased, warm throughput values can't be decreased").
    pub fn raise_warm(&mut self, w: &WarmThroughput) {
        let (r, wr) = self.warm.unwrap_or((0, 0));
        self.warm = Some((
            r.max(w.read_units_per_second.unwrap_or(0)),
            wr.max(w.write_units_per_second.unwrap_or(0)),
        ));
    }

    /// Merges an `OnDemandThroughput` request into the stored one.
    pub fn set_on_demand(&mut self, o: &OnDemandThroughput) {
        let cur = self.on_demand.unwrap_or_default();
        self.on_demand = Some(OnDemandThroughput {
            max_read_request_units: o.max_read_request_units.or(cur.max_read_request_units),
            max_write_request_units: o.max_write_request_units.or(cur.max_write_request_units),
        });
    }

    /// Applies a request's `OnDemandThroughput` and `WarmThroughput`
    /// members (either may be absent).
    pub fn apply(&mut self, on_demand: Option<&OnDemandThroughput>, warm: Option<&WarmThroughput>) {
        if let Some(o) = on_demand {
            self.set_on_demand(o);
        }
        if let Some(w) = warm {
            self.raise_warm(w);
        }
    }
}

impl TableSettings {
    /// `TableClassSummary` (present once a class was given).
    pub fn table_class_summary(&self) -> Option<TableClassSummary> {
        self.table_class.map(|c| TableClassSummary {
            table_class: c,
            last_update_date_time: self.table_class_updated_millis.map(|ms| ms as f64 / 1000.0),
        })
    }

    /// `SSEDescription` (present while a KMS key encrypts the table).
    pub fn sse_description(&self, region: &str, account: &str) -> Option<SseDescription> {
        let key = self.sse_kms_key.as_ref()?;
        let arn = match key.as_deref() {
            Some(k) if k.starts_with("arn:") => k.to_string(),
            Some(k) if k.starts_with("alias/") => format!("arn:aws:kms:{region}:{account}:{k}"),
            Some(k) => format!("arn:aws:kms:{region}:{account}:key/{k}"),
            None => format!("arn:aws:kms:{region}:{account}:alias/aws/dynamodb"),
        };
        Some(SseDescription {
            status: SseStatus::Enabled,
            sse_type: SseType::Kms,
            kms_master_key_arn: arn,
        })
    }

    /// `WarmThroughput`: see [`ThroughputSettings::warm_units`].
    pub fn warm_description(&self, read: i64, write: i64) -> TableWarmThroughputDescription {
        let (r, w) = self.throughput.warm_units(read, write);
        TableWarmThroughputDescription {
            read_units_per_second: r,
            write_units_per_second: w,
            status: TableStatus::Active,
        }
    }

    /// The Contributor Insights state of the table (`None`) or an index.
    pub fn insights_of(&self, index: Option<&str>) -> Option<&InsightsState> {
        self.insights
            .iter()
            .find(|i| i.index_name.as_deref() == index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_absence_is_default() {
        let t = TableSettings {
            table_class: Some(TableClass::StandardInfrequentAccess),
            table_class_updated_millis: Some(5),
            throughput: ThroughputSettings {
                on_demand: Some(OnDemandThroughput {
                    max_read_request_units: Some(-1),
                    max_write_request_units: None,
                }),
                warm: Some((13_000, 4_000)),
            },
            sse_kms_key: Some(None),
            policy: Some(StoredPolicy {
                document: "{}".into(),
                revision_id: "1".into(),
            }),
            insights: vec![InsightsState {
                index_name: Some("g".into()),
                enabled: true,
                mode: ContributorInsightsMode::ThrottledKeys,
                updated_millis: 9,
            }],
        };
        let mut item = Item::new();
        encode_settings(&t, &mut item);
        assert_eq!(decode_settings(&item), Ok(t));
        assert_eq!(decode_settings(&Item::new()), Ok(TableSettings::default()));
        item.insert("WarmWrite".into(), s("x"));
        assert!(decode_settings(&item).is_err());
    }

    #[test]
    fn warm_throughput_never_falls_below_base_or_capacity() {
        let mut t = TableSettings::default();
        assert_eq!(t.warm_description(0, 0).read_units_per_second, 12_000);
        assert_eq!(t.warm_description(20_000, 0).read_units_per_second, 20_000);
        t.throughput.raise_warm(&WarmThroughput {
            read_units_per_second: Some(15_000),
            write_units_per_second: None,
        });
        t.throughput.raise_warm(&WarmThroughput {
            read_units_per_second: Some(13_000),
            write_units_per_second: Some(5_000),
        });
        let d = t.warm_description(0, 0);
        assert_eq!(
            (d.read_units_per_second, d.write_units_per_second),
            (15_000, 5_000)
        );
    }
}
