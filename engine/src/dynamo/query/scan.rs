//! Scan: every item of a table (or entry of a secondary index) in
//! hash-prefix order; a parallel scan's segment is a slice of the 32-bit
//! hash-prefix space.

use crate::dynamo::api::{ScanInput, ScanOutput};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::{member_constraints, DynamoError};
use crate::dynamo::expr::request::{ExprParams, LegacyParams, RequestParams};
use crate::dynamo::keys::range::{KeySpace, MAX_TOTAL_SEGMENTS};
use crate::dynamo::query::page::{
    check_index, check_limit, check_start_key_size, check_start_piece, index_start_key, key_names,
    page_capacity, read_plan, resolve_select, start_key, PageSpec, Shape,
};

fn check_segments(
    segment: Option<i64>,
    total: Option<i64>,
) -> Result<Option<(u64, u64)>, DynamoError> {
    let mut errors = Vec::new();
    if let Some(t) = total {
        if t < 1 {
            errors.push(format!("Value '{t}' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1"));
        } else if t > MAX_TOTAL_SEGMENTS {
            errors.push(format!("Value '{t}' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to {MAX_TOTAL_SEGMENTS}"));
        }
    }
    if let Some(s) = segment {
        if s < 0 {
            errors.push(format!("Value '{s}' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"));
        } else if s > MAX_TOTAL_SEGMENTS - 1 {
            errors.push(format!("Value '{s}' at 'segment' failed to satisfy constraint: Member must have value less than or equal to {}", MAX_TOTAL_SEGMENTS - 1));
        }
    }
    member_constraints(errors)?;
    // Messages: dynalite validations/scan.js (as DynamoDB words them).
    match (segment, total) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(DynamoError::validation(
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        )),
        (None, Some(_)) => Err(DynamoError::validation(
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        )),
        (Some(s), Some(t)) if s >= t => Err(DynamoError::validation(format!(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
        ))),
        (Some(s), Some(t)) => Ok(Some((s as u64, t as u64))),
    }
}

impl DynamoDb {
    /// `Scan`, of a table or (with `IndexName`) one of its secondary
    /// indexes; index entries come in the index's hash-prefix order.
    pub fn scan(&self, input: ScanInput) -> Result<ScanOutput, DynamoError> {
        let limit = check_limit(input.limit)?;
        let segments = check_segments(input.segment, input.total_segments)?;
        let params = RequestParams {
            expr: ExprParams {
                names: input.expression_attribute_names.as_ref(),
                values: input.expression_attribute_values.as_ref(),
                filter: input.filter_expression.as_deref(),
                projection: input.projection_expression.as_deref(),
                ..ExprParams::default()
            },
            legacy: LegacyParams {
                attributes_to_get: input.attributes_to_get.as_deref(),
                filter: input.scan_filter.as_ref().map(|f| ("ScanFilter", f)),
                conditional_operator: input.conditional_operator,
                ..LegacyParams::default()
            },
        };
        params.check_not_mixed()?;
        let shape = resolve_select(
            input.select,
            params.projection_param(),
            input.index_name.as_deref(),
            false,
        )?;
        let prepared = params.prepare_checked()?;
        let table = self.table(&input.table_name)?;
        let meta = table.meta();
        let consistent = input.consistent_read.unwrap_or(false);
        let index = match &input.index_name {
            Some(name) => Some(check_index(&meta, name, consistent)?),
            None => None,
        };
        // Order of checks: dynalite `db/scan.js` — the start key's shape
        // and index attributes, then what the index can return, then the
        // start key's table key.
        let esk = input.exclusive_start_key.as_ref();
        if let (Some(idx), Some(esk)) = (index, esk) {
            check_start_key_size(&meta, idx, esk)?;
            for attr in idx.key_attrs() {
                check_start_piece(esk, attr)?;
            }
        }
        let paths = match shape {
            Shape::Projected => prepared.projection.as_deref(),
            _ => None,
        };
        let plan = read_plan(&meta, index, shape, paths)?;
        let space = KeySpace::of(&meta, index);
        let mut range = match segments {
            None => space.whole(),
            Some((s, t)) => space.segment(s, t),
        };
        if let Some(esk) = esk {
            let k = match index {
                Some(idx) => index_start_key(&meta, idx, esk)?,
                None => start_key(&meta, esk)?,
            };
            if let Some((s, t)) = segments {
                if !space.in_segment(&k, s, t) {
                    // Wording inferred from DynamoDB's Scan documentation.
                    return Err(DynamoError::validation(
                        "The provided Exclusive start key does not map to the provided Segment and TotalSegments values.",
                    ));
                }
            }
            range = range.after(&k);
        }
        let page = self.read_page(&PageSpec {
            range,
            forward: true,
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
        Ok(ScanOutput {
            items: (!plan.count_only).then_some(page.items),
            count: page.count,
            scanned_count: page.scanned_count,
            last_evaluated_key: page.last_evaluated_key,
            consumed_capacity,
        })
    }
}
