//! Query: the items of one partition, in sort-key order, within a key
//! condition compiled to a byte range.

use super::api::{AttributeValues, QueryInput, QueryOutput};
use super::capacity::{consumed, read_units};
use super::db::DynamoDb;
use super::error::DynamoError;
use super::expr::{between_bounds_message, Comparator, ExprKind, KeyCondition, KeyTest};
use super::keycodec::{encode_key_value, encode_prefix, hash_prefix, ScalarAttributeType};
use super::layout::{prefix_end, range_prefix, TABLE_INDEX_ID};
use super::legacy;
use super::page::{check_limit, resolve_select, start_key, PageSpec, Shape};
use super::request::ExprParams;
use super::schema::{KeyAttr, TableMeta, MAX_PARTITION_KEY_BYTES};
use super::value::{AttributeValue, INVALID_PARAMETER};

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

/// `[start, end)` engine keys for a key condition on `meta`.
pub(crate) fn key_range(
    meta: &TableMeta,
    kc: &KeyCondition,
    values: &AttributeValues,
) -> Result<(Vec<u8>, Option<Vec<u8>>), DynamoError> {
    let missed = |name: &str| {
        DynamoError::validation(format!("Query condition missed key schema element: {name}"))
    };
    let mut hash_part = None;
    let mut range_part = None;
    for part in &kc.0 {
        if part.attribute == meta.hash.name {
            hash_part = Some(part);
        } else if meta
            .range
            .as_ref()
            .is_some_and(|r| r.name == part.attribute)
        {
            range_part = Some(part);
        } else {
            let name = match &meta.range {
                Some(r)
                    if hash_part.is_some()
                        || kc.0.iter().any(|p| p.attribute == meta.hash.name) =>
                {
                    r.name.as_str()
                }
                _ => meta.hash.name.as_str(),
            };
            return Err(missed(name));
        }
    }
    let hash_part = hash_part.ok_or_else(|| missed(&meta.hash.name))?;
    let KeyTest::Compare(Comparator::Eq, pk_name) = &hash_part.test else {
        return Err(DynamoError::validation("Query key condition not supported"));
    };
    let pk = typed(values, pk_name, &meta.hash)?;
    let empty = matches!(pk, AttributeValue::S(s) if s.is_empty())
        || matches!(pk, AttributeValue::B(b) if b.is_empty());
    if empty {
        return Err(DynamoError::validation(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {} value. Key: {}",
            if matches!(pk, AttributeValue::S(_)) { "string" } else { "binary" },
            meta.hash.name
        )));
    }
    if pk.size() > MAX_PARTITION_KEY_BYTES {
        return Err(DynamoError::validation(format!(
            "{INVALID_PARAMETER}Size of hashkey has exceeded the maximum size limit of{MAX_PARTITION_KEY_BYTES} bytes"
        )));
    }
    let pk_enc = encoded(pk)?;
    let mut prefix = range_prefix(meta.id, TABLE_INDEX_ID);
    prefix.extend_from_slice(&hash_prefix(&pk_enc));
    prefix.extend_from_slice(&pk_enc);
    let partition_end = prefix_end(&prefix);
    let (Some(part), Some(range_attr)) = (range_part, &meta.range) else {
        return Ok((prefix, partition_end));
    };
    let at = |v: &AttributeValue| -> Result<Vec<u8>, DynamoError> {
        let mut k = prefix.clone();
        k.extend_from_slice(&encoded(v)?);
        Ok(k)
    };
    // The key right after `k` and everything it is a prefix of (sort keys
    // are the last component, so nothing extends a full key).
    let after = |mut k: Vec<u8>| {
        k.push(0);
        k
    };
    Ok(match &part.test {
        KeyTest::Compare(op, name) => {
            let v = typed(values, name, range_attr)?;
            match op {
                Comparator::Eq => {
                    let k = at(v)?;
                    (k.clone(), Some(after(k)))
                }
                Comparator::Lt => (prefix.clone(), Some(at(v)?)),
                Comparator::Le => (prefix.clone(), Some(after(at(v)?))),
                Comparator::Gt => (after(at(v)?), partition_end),
                Comparator::Ge => (at(v)?, partition_end),
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
            (lo_k, Some(after(hi_k)))
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
    /// `Query`.
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
            "Querying",
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
        if let Some(index) = &input.index_name {
            return Err(DynamoError::validation(format!(
                "The table does not have the specified index: {index}"
            )));
        }
        if let (Some(filter), Some(_)) = (&prepared.filter, &input.filter_expression) {
            if let Some(key) = super::page::key_attribute_in(&meta, filter) {
                return Err(DynamoError::validation(format!(
                    "Filter Expression can only contain non-primary key attributes: Primary key attribute: {key}"
                )));
            }
        }
        let (mut start, mut end) = key_range(&meta, kc, &prepared.values)?;
        let forward = input.scan_index_forward.unwrap_or(true);
        if let Some(esk) = &input.exclusive_start_key {
            let k = start_key(&meta, esk)?;
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
        let page = self.read_page(&PageSpec {
            start,
            end,
            forward,
            limit,
            filter: prepared.filter.as_ref(),
            values: &prepared.values,
            projection: match shape {
                Shape::Projected => prepared.projection.as_deref(),
                _ => None,
            },
            count_only: shape == Shape::Count,
            meta: &meta,
        })?;
        let units = read_units(page.bytes, input.consistent_read.unwrap_or(false));
        Ok(QueryOutput {
            items: (shape != Shape::Count).then_some(page.items),
            count: page.count,
            scanned_count: page.scanned_count,
            last_evaluated_key: page.last_evaluated_key,
            consumed_capacity: consumed(input.return_consumed_capacity, &meta.name, units),
        })
    }
}
