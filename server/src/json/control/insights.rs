//! DescribeContributorInsights, UpdateContributorInsights and
//! ListContributorInsights ↔ DynamoDB JSON. `TableName` is the API model's
//! `TableArn` shape (a name or an ARN, 1–1024 characters).

use serde_json::{Map, Value};
use siltdb::dynamo::api::{
    ContributorInsightsAction, ContributorInsightsMode, ContributorInsightsSummary,
    DescribeContributorInsightsInput, DescribeContributorInsightsOutput,
    ListContributorInsightsInput, ListContributorInsightsOutput, UpdateContributorInsightsInput,
    UpdateContributorInsightsOutput,
};

use super::common::put_opt;
use super::decode::{DResult, Decoder, Struct};

/// `ContributorInsightsAction` as DynamoDB prints its set.
const ACTION_SET: &str = "[ENABLE, DISABLE]";
/// `ContributorInsightsMode` as DynamoDB prints its set.
const MODE_SET: &str = "[ACCESSED_AND_THROTTLED_KEYS, THROTTLED_KEYS]";

fn mode(d: &mut Decoder, s: &Struct<'_>) -> DResult<Option<ContributorInsightsMode>> {
    s.enumeration(
        d,
        "ContributorInsightsMode",
        ContributorInsightsMode::parse,
        MODE_SET,
    )
}

/// Reads a `DescribeContributorInsights` request.
pub(crate) fn describe_contributor_insights_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<DescribeContributorInsightsInput> {
    Ok(DescribeContributorInsightsInput {
        table_name: s.table_name(d)?,
        index_name: s.index_name(d)?,
    })
}

/// Reads an `UpdateContributorInsights` request.
pub(crate) fn update_contributor_insights_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<UpdateContributorInsightsInput> {
    let table_name = s.table_name(d)?;
    let index_name = s.index_name(d)?;
    let action = s.enumeration(
        d,
        "ContributorInsightsAction",
        ContributorInsightsAction::parse,
        ACTION_SET,
    )?;
    if s.get("ContributorInsightsAction").is_none() {
        d.violation(
            None,
            &s.member_path("ContributorInsightsAction"),
            "Member must not be null",
        );
    }
    Ok(UpdateContributorInsightsInput {
        table_name,
        index_name,
        contributor_insights_action: action.unwrap_or_default(),
        contributor_insights_mode: mode(d, &s)?,
    })
}

/// Reads a `ListContributorInsights` request.
pub(crate) fn list_contributor_insights_input(
    d: &mut Decoder,
    s: Struct<'_>,
) -> DResult<ListContributorInsightsInput> {
    let table_name = s.string("TableName")?;
    if let Some(name) = &table_name {
        let path = s.member_path("TableName");
        d.check_length(name, &path, name.chars().count(), Some(1), Some(1024));
    }
    Ok(ListContributorInsightsInput {
        table_name,
        next_token: s.string("NextToken")?,
        max_results: s.integer(d, "MaxResults", "Integer", None, Some(100))?,
    })
}

fn names(m: &mut Map<String, Value>, table: &str, index: Option<&str>) {
    m.insert("TableName".into(), Value::String(table.to_string()));
    put_opt(m, "IndexName", index.map(|i| Value::String(i.to_string())));
}

fn mode_json(mode: Option<ContributorInsightsMode>) -> Option<Value> {
    mode.map(|m| Value::String(m.as_str().to_string()))
}

/// A `DescribeContributorInsights` response.
pub(crate) fn describe_contributor_insights_output(o: &DescribeContributorInsightsOutput) -> Value {
    let mut m = Map::new();
    names(&mut m, &o.table_name, o.index_name.as_deref());
    if !o.contributor_insights_rule_list.is_empty() {
        m.insert(
            "ContributorInsightsRuleList".into(),
            Value::Array(
                o.contributor_insights_rule_list
                    .iter()
                    .map(|r| Value::String(r.clone()))
                    .collect(),
            ),
        );
    }
    m.insert(
        "ContributorInsightsStatus".into(),
        Value::String(o.contributor_insights_status.as_str().to_string()),
    );
    put_opt(
        &mut m,
        "LastUpdateDateTime",
        o.last_update_date_time
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
    );
    put_opt(
        &mut m,
        "ContributorInsightsMode",
        mode_json(o.contributor_insights_mode),
    );
    Value::Object(m)
}

/// An `UpdateContributorInsights` response.
pub(crate) fn update_contributor_insights_output(o: &UpdateContributorInsightsOutput) -> Value {
    let mut m = Map::new();
    names(&mut m, &o.table_name, o.index_name.as_deref());
    m.insert(
        "ContributorInsightsStatus".into(),
        Value::String(o.contributor_insights_status.as_str().to_string()),
    );
    put_opt(
        &mut m,
        "ContributorInsightsMode",
        mode_json(o.contributor_insights_mode),
    );
    Value::Object(m)
}

fn summary_json(s: &ContributorInsightsSummary) -> Value {
    let mut m = Map::new();
    names(&mut m, &s.table_name, s.index_name.as_deref());
    m.insert(
        "ContributorInsightsStatus".into(),
        Value::String(s.contributor_insights_status.as_str().to_string()),
    );
    put_opt(
        &mut m,
        "ContributorInsightsMode",
        mode_json(s.contributor_insights_mode),
    );
    Value::Object(m)
}

/// A `ListContributorInsights` response.
pub(crate) fn list_contributor_insights_output(o: &ListContributorInsightsOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "ContributorInsightsSummaries".into(),
        Value::Array(
            o.contributor_insights_summaries
                .iter()
                .map(summary_json)
                .collect(),
        ),
    );
    put_opt(&mut m, "NextToken", o.next_token.clone().map(Value::String));
    Value::Object(m)
}
