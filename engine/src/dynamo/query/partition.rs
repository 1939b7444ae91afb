//! Query: the items of one partition of a table or a secondary index, in
//! sort-key order, within a key condition compiled to a byte range
//! (`keys/range.rs`).

use crate::dynamo::api::{QueryInput, QueryOutput};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::legacy::check_key_conditions_length;
use crate::dynamo::expr::request::{ExprParams, LegacyParams, RequestParams};
use crate::dynamo::keys::range::{key_range, missed, KeySpace};
use crate::dynamo::query::page::{
    check_filter_projected, check_index, check_limit, check_start_key_size, check_start_piece,
    index_start_key, key_attribute_in, key_names, page_capacity, read_plan, resolve_select,
    start_key, PageSpec, Shape,
};
use crate::dynamo::tables::schema::KeyAttr;

impl DynamoDb {
    /// `Query`, on a table or (with `IndexName`) one of its secondary
    /// indexes.
    pub fn query(&self, input: QueryInput) -> Result<QueryOutput, DynamoError> {
        let limit = check_limit(input.limit)?;
        let params = RequestParams {
            expr: ExprParams {
                names: input.expression_attribute_names.as_ref(),
                values: input.expression_attribute_values.as_ref(),
                key_condition: input.key_condition_expression.as_deref(),
                filter: input.filter_expression.as_deref(),
                projection: input.projection_expression.as_deref(),
                ..ExprParams::default()
            },
            legacy: LegacyParams {
                attributes_to_get: input.attributes_to_get.as_deref(),
                key_conditions: input.key_conditions.as_ref(),
                filter: input.query_filter.as_ref().map(|f| ("QueryFilter", f)),
                conditional_operator: input.conditional_operator,
                ..LegacyParams::default()
            },
        };
        params.check_not_mixed()?;
        let shape = resolve_select(
            input.select,
            params.projection_param(),
            input.index_name.as_deref(),
            true,
        )?;
        let prepared = params.prepare_checked()?;
        let Some(kc) = prepared.key_condition.as_ref() else {
            return Err(DynamoError::validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
            ));
        };
        let table = self.table(&input.table_name)?;
        let meta = table.meta();
        let consistent = input.consistent_read.unwrap_or(false);
        let index = match &input.index_name {
            Some(name) => Some(check_index(&meta, name, consistent)?),
            None => None,
        };
        let space = KeySpace::of(&meta, index);
        if let Some(kc) = &input.key_conditions {
            check_key_conditions_length(kc.len(), space.hash.len() + space.range.len())?;
        }
        // An index read checks its start key's index attributes as it
        // checks the key condition, attribute by attribute (dynalite
        // `db/query.js`), and the table key afterwards.
        let esk = input.exclusive_start_key.as_ref();
        if let (Some(idx), Some(esk)) = (index, esk) {
            check_start_key_size(&meta, idx, esk)?;
            for h in &idx.hash {
                check_start_piece(esk, h)?;
                if !kc.0.iter().any(|p| p.attribute == h.name) {
                    return Err(missed(&h.name));
                }
            }
            for r in &idx.range {
                check_start_piece(esk, r)?;
            }
        }
        let mut range = key_range(&space, kc, &prepared.values)?;
        let forward = input.scan_index_forward.unwrap_or(true);
        if let Some(esk) = esk {
            let k = match index {
                Some(idx) => index_start_key(&meta, idx, esk)?,
                None => start_key(&meta, esk)?,
            };
            if !range.contains(&k) {
                return Err(DynamoError::validation(
                    "The provided starting key is outside query boundaries based on provided conditions",
                ));
            }
            range = if forward {
                range.after(&k)
            } else {
                range.before(&k)
            };
        }
        if let Some(filter) = &prepared.filter {
            let keys: Vec<&KeyAttr> = space.hash.iter().chain(space.range).collect();
            if let Some(key) = key_attribute_in(&keys, filter) {
                let what = if input.query_filter.is_some() {
                    "QueryFilter"
                } else {
                    "Filter Expression"
                };
                return Err(DynamoError::validation(format!(
                    "{what} can only contain non-primary key attributes: Primary key attribute: {key}"
                )));
            }
            if let Some(idx) = index {
                check_filter_projected(&meta, idx, filter)?;
            }
        }
        let paths = match shape {
            Shape::Projected => prepared.projection.as_deref(),
            _ => None,
        };
        let plan = read_plan(&meta, index, shape, paths)?;
        let page = self.read_page(&PageSpec {
            range,
            forward,
            limit,
            filter: prepared.filter.as_ref(),
            values: &prepared.values,
            projection: plan.projection,
            count_only: plan.count_only,
            key_names: key_names(&meta, index),
            fetch: plan.fetch,
        })?;
        let consumed_capacity = page_capacity(
            input.return_consumed_capacity,
            &meta,
            index,
            &page,
            consistent,
        );
        Ok(QueryOutput {
            items: (!plan.count_only).then_some(page.items),
            count: page.count,
            scanned_count: page.scanned_count,
            last_evaluated_key: page.last_evaluated_key,
            consumed_capacity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::api::{
        AttributeDefinition, BillingMode, CreateTableInput, GlobalSecondaryIndex, IndexStatus,
        KeySchemaElement, KeyType, Projection, ScanInput,
    };
    use crate::dynamo::{AttributeValue, ScalarAttributeType};

    fn ks(name: &str) -> Vec<KeySchemaElement> {
        vec![KeySchemaElement {
            attribute_name: name.into(),
            key_type: KeyType::Hash,
        }]
    }

    #[test]
    fn an_index_being_backfilled_cannot_be_read() {
        let db = DynamoDb::open_in_memory().expect("open");
        db.create_table(CreateTableInput {
            table_name: "tbl".into(),
            attribute_definitions: ["pk", "g"]
                .iter()
                .map(|n| AttributeDefinition {
                    attribute_name: n.to_string(),
                    attribute_type: ScalarAttributeType::S,
                })
                .collect(),
            key_schema: ks("pk"),
            billing_mode: Some(BillingMode::PayPerRequest),
            global_secondary_indexes: Some(vec![GlobalSecondaryIndex {
                index_name: "byG".into(),
                key_schema: ks("g"),
                projection: Projection {
                    projection_type: Some(crate::dynamo::api::ProjectionType::All),
                    non_key_attributes: None,
                },
                provisioned_throughput: None,
                on_demand_throughput: None,
                warm_throughput: None,
            }]),
            ..Default::default()
        })
        .expect("create");
        let table = db.table("tbl").expect("table");
        let mut meta = (*table.meta()).clone();
        meta.indexes[0].status = IndexStatus::Creating;
        table.set_meta(meta);
        let want = "Cannot read from backfilling global secondary index: byG";
        let q = db.query(QueryInput {
            table_name: "tbl".into(),
            index_name: Some("byG".into()),
            key_condition_expression: Some("g = :g".into()),
            expression_attribute_values: Some(
                [(":g".to_string(), AttributeValue::S("x".into()))].into(),
            ),
            ..Default::default()
        });
        assert_eq!(
            q.err().map(|e| e.message().to_string()).as_deref(),
            Some(want)
        );
        let s = db.scan(ScanInput {
            table_name: "tbl".into(),
            index_name: Some("byG".into()),
            ..Default::default()
        });
        assert_eq!(
            s.err().map(|e| e.message().to_string()).as_deref(),
            Some(want)
        );
    }
}
