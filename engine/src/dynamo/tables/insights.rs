//! Contributor Insights: DescribeContributorInsights,
//! UpdateContributorInsights, ListContributorInsights.
//!
//! siltdb publishes no CloudWatch metrics; what it keeps is the state a
//! client sets and reads back, per table and per global secondary index, in
//! the table's catalog record (`format-spec/items.md`, "Catalog records",
//! `ContributorInsights`). UpdateContributorInsights answers `ENABLING` or
//! `DISABLING`, as DynamoDB does; the change is complete at once, so every
//! later Describe or List shows `ENABLED` or `DISABLED`.
//!
//! The rule names are DynamoDB's (Developer Guide, "Contributor Insights
//! for DynamoDB: How it works"): `DynamoDBContributorInsights-<PKC|SKC|PKT|SKT>-<table>`
//! for a table, with `-<index>` appended for an index.

use crate::dynamo::api::{
    ContributorInsightsAction, ContributorInsightsMode, ContributorInsightsStatus,
    ContributorInsightsSummary, DescribeContributorInsightsInput,
    DescribeContributorInsightsOutput, ListContributorInsightsInput, ListContributorInsightsOutput,
    UpdateContributorInsightsInput, UpdateContributorInsightsOutput,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::tables::catalog;
use crate::dynamo::tables::schema::{IndexKind, TableMeta};
use crate::dynamo::tables::settings::InsightsState;
use crate::WriteBatch;

/// Most summaries one ListContributorInsights page holds (the API model's
/// `ListContributorInsightsLimit` maximum; also the default).
pub const MAX_LIST_RESULTS: usize = 100;

/// "Requested resource not found: Index: {index} not found for Table: {table}"
/// — an index the table lacks. DynamoDB's wording here is not recorded;
/// this follows its recorded message for a missing stream of a table
/// ("Requested resource not found: Stream: {label} not found for Table:
/// {table}", ACK lab DDB-TABLE-212).
fn index_not_found(table: &str, index: &str) -> DynamoError {
    DynamoError::ResourceNotFoundException(format!(
        "Requested resource not found: Index: {index} not found for Table: {table}"
    ))
}

/// Checks that `index` (if any) is a global secondary index of `meta`.
fn check_index(meta: &TableMeta, index: Option<&str>) -> Result<(), DynamoError> {
    match index {
        None => Ok(()),
        Some(i) if meta.index(i).is_some_and(|x| x.kind == IndexKind::Global) => Ok(()),
        Some(i) => Err(index_not_found(&meta.name, i)),
    }
}

/// The CloudWatch rule names of an enabled table or index.
fn rules(table: &str, index: Option<&str>, mode: ContributorInsightsMode) -> Vec<String> {
    let kinds: &[&str] = match mode {
        ContributorInsightsMode::AccessedAndThrottledKeys => &["PKC", "PKT", "SKC", "SKT"],
        ContributorInsightsMode::ThrottledKeys => &["PKT", "SKT"],
    };
    kinds
        .iter()
        .map(|k| match index {
            None => format!("DynamoDBContributorInsights-{k}-{table}"),
            Some(i) => format!("DynamoDBContributorInsights-{k}-{table}-{i}"),
        })
        .collect()
}

/// `(status, mode)` of the table or an index as Describe and List show it.
fn shown(
    state: Option<&InsightsState>,
) -> (ContributorInsightsStatus, Option<ContributorInsightsMode>) {
    match state {
        Some(s) if s.enabled => (ContributorInsightsStatus::Enabled, Some(s.mode)),
        _ => (ContributorInsightsStatus::Disabled, None),
    }
}

impl DynamoDb {
    /// `DescribeContributorInsights`.
    pub fn describe_contributor_insights(
        &self,
        input: DescribeContributorInsightsInput,
    ) -> Result<DescribeContributorInsightsOutput, DynamoError> {
        let table = self.control_table(&input.table_name)?;
        let meta = table.meta();
        let index = input.index_name.as_deref();
        check_index(&meta, index)?;
        let state = meta.settings.insights_of(index);
        let (status, mode) = shown(state);
        Ok(DescribeContributorInsightsOutput {
            table_name: meta.name.clone(),
            index_name: input.index_name.clone(),
            contributor_insights_rule_list: mode
                .map(|m| rules(&meta.name, index, m))
                .unwrap_or_default(),
            contributor_insights_status: status,
            last_update_date_time: state.map(|s| s.updated_millis as f64 / 1000.0),
            contributor_insights_mode: mode,
        })
    }

    /// `UpdateContributorInsights`: enables or disables it for the table or
    /// one global index; answers `ENABLING` / `DISABLING`.
    pub fn update_contributor_insights(
        &self,
        input: UpdateContributorInsightsInput,
    ) -> Result<UpdateContributorInsightsOutput, DynamoError> {
        let _control = self.control_lock();
        let table = self.control_table(&input.table_name)?;
        let mut meta = (*table.meta()).clone();
        let index = input.index_name.as_deref();
        check_index(&meta, index)?;
        let enable = input.contributor_insights_action == ContributorInsightsAction::Enable;
        let mode = match (enable, input.contributor_insights_mode) {
            (true, m) => m.unwrap_or_default(),
            (false, Some(m)) => m,
            (false, None) => meta
                .settings
                .insights_of(index)
                .map(|s| s.mode)
                .unwrap_or_default(),
        };
        let state = InsightsState {
            index_name: input.index_name.clone(),
            enabled: enable,
            mode,
            updated_millis: self.inner.opts.clock.now_millis(),
        };
        let insights = &mut meta.settings.insights;
        match insights
            .iter_mut()
            .find(|s| s.index_name == state.index_name)
        {
            Some(s) => *s = state,
            None => insights.push(state),
        }
        let mut batch = WriteBatch::new();
        catalog::update(&mut batch, &meta);
        self.commit_control(batch)?;
        let name = meta.name.clone();
        table.set_meta(meta);
        Ok(UpdateContributorInsightsOutput {
            table_name: name,
            index_name: input.index_name,
            contributor_insights_status: if enable {
                ContributorInsightsStatus::Enabling
            } else {
                ContributorInsightsStatus::Disabling
            },
            contributor_insights_mode: enable.then_some(mode),
        })
    }

    /// `ListContributorInsights`: one summary per table and global index
    /// (of one table, or of all in name order), paged by `NextToken`.
    pub fn list_contributor_insights(
        &self,
        input: ListContributorInsightsInput,
    ) -> Result<ListContributorInsightsOutput, DynamoError> {
        let tables = match &input.table_name {
            Some(name) => vec![self.control_table(name)?],
            None => self.inner.tables.all(),
        };
        let mut all = Vec::new();
        for t in tables {
            let meta = t.meta();
            let mut push = |index: Option<&str>| {
                let (status, mode) = shown(meta.settings.insights_of(index));
                all.push(ContributorInsightsSummary {
                    table_name: meta.name.clone(),
                    index_name: index.map(str::to_string),
                    contributor_insights_status: status,
                    contributor_insights_mode: mode,
                });
            };
            push(None);
            for i in meta.indexes.iter().filter(|i| i.kind == IndexKind::Global) {
                push(Some(&i.name));
            }
        }
        let start = match &input.next_token {
            None => 0,
            Some(t) => t
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= all.len())
                .ok_or_else(|| DynamoError::validation(format!("Invalid NextToken: {t}")))?,
        };
        let limit = match input.max_results {
            None | Some(0) => MAX_LIST_RESULTS,
            Some(n) => usize::try_from(n).unwrap_or(MAX_LIST_RESULTS),
        };
        let end = start.saturating_add(limit).min(all.len());
        let next_token = (end < all.len()).then(|| end.to_string());
        let page = all.get(start..end).map(<[_]>::to_vec).unwrap_or_default();
        Ok(ListContributorInsightsOutput {
            contributor_insights_summaries: page,
            next_token,
        })
    }
}
