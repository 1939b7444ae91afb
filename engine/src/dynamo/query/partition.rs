//! Query: the items of one partition of a table or a secondary index, in
//! sort-key order, within a key condition compiled to a byte range.

use crate::dynamo::api::{AttributeValues, QueryInput, QueryOutput};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::legacy;
use crate::dynamo::expr::request::ExprParams;
use crate::dynamo::expr::{between_bounds_message, Comparator, ExprKind, KeyCondition, KeyTest};
use crate::dynamo::items::value::{AttributeValue, INVALID_PARAMETER};
use crate::dynamo::keys::codec::{
    encode_key_value, encode_prefix, hash_prefix, ScalarAttributeType,
};
use crate::dynamo::keys::layout::{prefix_end, range_prefix, TABLE_INDEX_ID};
use crate::dynamo::query::page::{
    check_filter_projected, check_index, check_limit, check_start_key_size, check_start_piece,
    index_start_key, is_empty_key, key_attribute_in, key_names, page_capacity, read_plan,
    resolve_select, start_key, PageSpec, Shape,
};
use crate::dynamo::tables::schema::{IndexMeta, KeyAttr, TableMeta, MAX_PARTITION_KEY_BYTES};

/// What a Query reads: a table's items or one index's entries, with the
/// key attributes its key condition must name.
pub(crate) struct KeySpace<'a> {
    /// The partition key.
    pub hash: &'a KeyAttr,
    /// The sort key, if any.
    pub range: Option<&'a KeyAttr>,
    /// `table_id ++ index_id`: the prefix of every key read.
    pub prefix: Vec<u8>,
    /// The index, when reading one (for its messages).
    pub index: Option<&'a IndexMeta>,
}

impl<'a> KeySpace<'a> {
    /// The table's own items.
    pub fn table(meta: &'a TableMeta) -> KeySpace<'a> {
        KeySpace {
            hash: &meta.hash,
            range: meta.range.as_ref(),
            prefix: range_prefix(meta.id, TABLE_INDEX_ID),
            index: None,
        }
    }

    /// The entries of index `idx` of `meta`.
    pub fn index(meta: &TableMeta, idx: &'a IndexMeta) -> KeySpace<'a> {
        KeySpace {
            hash: &idx.hash,
            range: idx.range.as_ref(),
            prefix: range_prefix(meta.id, idx.id),
            index: Some(idx),
        }
    }
}

fn value<'a>(values: &'a AttributeValues, name: &str) -> Result<&'a AttributeValue, DynamoError> {
    values.get(name).ok_or_else(|| {
        DynamoError::validation(format!(
            "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: {name}"
        ))
    })
}

fn typed<'a>(
    values: &'a AttributeValues,
    name: &str,
    attr: &KeyAttr,
) -> Result<&'a AttributeValue, DynamoError> {
    let v = value(values, name)?;
    if ScalarAttributeType::of(v) != Some(attr.ty) {
        // dynalite db/index.js (queryTable), as DynamoDB words it.
        return Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}Condition parameter type does not match schema type"
        )));
    }
    Ok(v)
}

fn encoded(v: &AttributeValue) -> Result<Vec<u8>, DynamoError> {
    let mut out = Vec::new();
    encode_key_value(v, &mut out)?;
    Ok(out)
}

fn missed(name: &str) -> DynamoError {
    DynamoError::validation(format!("Query condition missed key schema element: {name}"))
}

/// `[start, end)` engine keys for a key condition on `space`.
///
/// Keys of index entries continue after the index sort key (the table key
/// follows it), so bounds that must include every key starting with
/// `partition ++ enc(v)` use [`prefix_end`] of it; on a table nothing
/// follows the sort key and the same bounds select the same items.
pub(crate) fn key_range(
    space: &KeySpace<'_>,
    kc: &KeyCondition,
    values: &AttributeValues,
) -> Result<(Vec<u8>, Option<Vec<u8>>), DynamoError> {
    let mut hash_part = None;
    let mut range_part = None;
    for part in &kc.0 {
        if part.attribute == space.hash.name {
            hash_part = Some(part);
        } else if space.range.is_some_and(|r| r.name == part.attribute) {
            range_part = Some(part);
        } else {
            let name = match space.range {
                Some(r)
                    if hash_part.is_some()
                        || kc.0.iter().any(|p| p.attribute == space.hash.name) =>
                {
                    r.name.as_str()
                }
                _ => space.hash.name.as_str(),
            };
            return Err(missed(name));
        }
    }
    let hash_part = hash_part.ok_or_else(|| missed(&space.hash.name))?;
    let KeyTest::Compare(Comparator::Eq, pk_name) = &hash_part.test else {
        return Err(DynamoError::validation("Query key condition not supported"));
    };
    let pk = typed(values, pk_name, space.hash)?;
    if is_empty_key(pk) {
        let what = if matches!(pk, AttributeValue::S(_)) {
            "string"
        } else {
            "binary"
        };
        return Err(DynamoError::validation(match space.index {
            // DynamoDB Local's wording for an index key (as on writes).
            Some(idx) => format!(
                "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {what} value. IndexName: {}, IndexKey: {}",
                idx.name, space.hash.name
            ),
            None => format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {what} value. Key: {}",
                space.hash.name
            ),
        }));
    }
    if pk.size() > MAX_PARTITION_KEY_BYTES {
        return Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}Size of hashkey has exceeded the maximum size limit of{MAX_PARTITION_KEY_BYTES} bytes"
        )));
    }
    let pk_enc = encoded(pk)?;
    let mut prefix = space.prefix.clone();
    prefix.extend_from_slice(&hash_prefix(&pk_enc));
    prefix.extend_from_slice(&pk_enc);
    let partition_end = prefix_end(&prefix);
    let (Some(part), Some(range_attr)) = (range_part, space.range) else {
        return Ok((prefix, partition_end));
    };
    let at = |v: &AttributeValue| -> Result<Vec<u8>, DynamoError> {
        let mut k = prefix.clone();
        k.extend_from_slice(&encoded(v)?);
        Ok(k)
    };
    // The first key after every key that starts with `k`.
    let past = |k: Vec<u8>| prefix_end(&k);
    // A start bound past the end of the key space selects nothing.
    let from = |start: Option<Vec<u8>>| match start {
        Some(s) => (s, partition_end.clone()),
        None => (prefix.clone(), Some(prefix.clone())),
    };
    Ok(match &part.test {
        KeyTest::Compare(op, name) => {
            let v = typed(values, name, range_attr)?;
            match op {
                Comparator::Eq => {
                    let k = at(v)?;
                    (k.clone(), past(k))
                }
                Comparator::Lt => (prefix.clone(), Some(at(v)?)),
                Comparator::Le => (prefix.clone(), past(at(v)?)),
                Comparator::Gt => from(past(at(v)?)),
                Comparator::Ge => (at(v)?, partition_end.clone()),
                Comparator::Ne => {
                    return Err(DynamoError::validation(
                        "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>",
                    ))
                }
            }
        }
        KeyTest::Between(lo, hi) => {
            let lo_v = typed(values, lo, range_attr)?;
            let hi_v = typed(values, hi, range_attr)?;
            let (lo_k, hi_k) = (at(lo_v)?, at(hi_v)?);
            if lo_k > hi_k {
                return Err(between_bounds_message(
                    ExprKind::KeyCondition,
                    &describe(lo_v),
                    &describe(hi_v),
                )
                .into());
            }
            (lo_k, past(hi_k))
        }
        KeyTest::BeginsWith(name) => {
            let v = value(values, name)?;
            let bytes: &[u8] = match (v, range_attr.ty) {
                (AttributeValue::S(s), ScalarAttributeType::S) => s.as_bytes(),
                (AttributeValue::B(b), ScalarAttributeType::B) => b,
                (v, ScalarAttributeType::N) if ScalarAttributeType::of(v).is_some() => {
                    return Err(DynamoError::validation(
                        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
                    ))
                }
                _ => {
                    return Err(DynamoError::validation(format!(
                        "{INVALID_PARAMETER}Condition parameter type does not match schema type"
                    )))
                }
            };
            let mut start = prefix.clone();
            encode_prefix(bytes, &mut start);
            let end = prefix_end(&start);
            (start, end)
        }
    })
}

/// DynamoDB's rendering of a value in the BETWEEN message
/// (`AttributeValue: {N:5}`).
fn describe(v: &AttributeValue) -> String {
    let body = match v {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.to_string(),
        AttributeValue::B(b) => format!("{b:?}"),
        other => other.type_name().to_string(),
    };
    format!("AttributeValue: {{{}:{body}}}", v.type_name())
}

impl DynamoDb {
    /// `Query`, on a table or (with `IndexName`) one of its secondary
    /// indexes.
    pub fn query(&self, input: QueryInput) -> Result<QueryOutput, DynamoError> {
        let limit = check_limit(input.limit)?;
        let params = ExprParams {
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values.as_ref(),
            key_condition: input.key_condition_expression.as_deref(),
            filter: input.filter_expression.as_deref(),
            projection: input.projection_expression.as_deref(),
            ..ExprParams::default()
        };
        let mut legacy_names = Vec::new();
        for (name, here) in [
            ("AttributesToGet", input.attributes_to_get.is_some()),
            ("KeyConditions", input.key_conditions.is_some()),
            ("QueryFilter", input.query_filter.is_some()),
            ("ConditionalOperator", input.conditional_operator.is_some()),
        ] {
            if here {
                legacy_names.push(name);
            }
        }
        legacy::check_not_mixed(&legacy_names, &params.present())?;
        let projection_param = if input.projection_expression.is_some() {
            Some("ProjectionExpression")
        } else if input.attributes_to_get.is_some() {
            Some("AttributesToGet")
        } else {
            None
        };
        let shape = resolve_select(
            input.select,
            projection_param,
            input.index_name.as_deref(),
            true,
        )?;
        let mut prepared = params.prepare()?;
        if !legacy_names.is_empty() {
            let mut values = AttributeValues::new();
            if let Some(kc) = &input.key_conditions {
                prepared.key_condition =
                    Some(legacy::key_conditions_to_key_condition(kc, &mut values)?);
            }
            if let Some(f) = &input.query_filter {
                prepared.filter = legacy::filter_to_condition(
                    "QueryFilter",
                    f,
                    input.conditional_operator,
                    &mut values,
                )?;
            }
            if let Some(attrs) = &input.attributes_to_get {
                prepared.projection = Some(legacy::attributes_to_get_to_projection(attrs)?);
            }
            prepared.values = values;
        }
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
        let space = match index {
            Some(idx) => KeySpace::index(&meta, idx),
            None => KeySpace::table(&meta),
        };
        // An index read checks its start key's index attributes as it
        // checks the key condition, attribute by attribute (dynalite
        // `db/query.js`), and the table key afterwards.
        let esk = input.exclusive_start_key.as_ref();
        if let (Some(idx), Some(esk)) = (index, esk) {
            check_start_key_size(&meta, idx, esk)?;
            check_start_piece(esk, &idx.hash)?;
            if !kc.0.iter().any(|p| p.attribute == idx.hash.name) {
                return Err(missed(&idx.hash.name));
            }
            if let Some(r) = &idx.range {
                check_start_piece(esk, r)?;
            }
        }
        let (mut start, mut end) = key_range(&space, kc, &prepared.values)?;
        let forward = input.scan_index_forward.unwrap_or(true);
        if let Some(esk) = esk {
            let k = match index {
                Some(idx) => index_start_key(&meta, idx, esk)?,
                None => start_key(&meta, esk)?,
            };
            let outside = k < start || end.as_ref().is_some_and(|e| &k >= e);
            if outside {
                return Err(DynamoError::validation(
                    "The provided starting key is outside query boundaries based on provided conditions",
                ));
            }
            if forward {
                let mut after = k;
                after.push(0);
                start = after;
            } else {
                end = Some(k);
            }
        }
        if let Some(filter) = &prepared.filter {
            let keys: Vec<&KeyAttr> = std::iter::once(space.hash).chain(space.range).collect();
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
            start,
            end,
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
