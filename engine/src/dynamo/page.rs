//! One page of a Query or Scan: walk a key range, evaluate items, stop at
//! `Limit` or 1 MB.
//!
//! DynamoDB's paging rules (Developer Guide, "Paginating table query
//! results" and "Limit"): `Limit` counts items *evaluated* (before the
//! filter); a page also ends once the items read reach 1 MB, measured
//! before the filter; `LastEvaluatedKey` is the key of the last item
//! evaluated, present whenever the page ended early — including when the
//! limit happened to fall on the last item.

use super::api::AttributeValues;
use super::db::{decode_stored, DynamoDb};
use super::error::DynamoError;
use super::expr::{eval_condition, project, Condition, Path};
use super::schema::TableMeta;
use super::value::{item_size, Item};

/// Bytes read after which a page ends (1 MB).
pub const PAGE_BYTES: usize = 1024 * 1024;

/// What one page reads and how it shapes results.
pub(crate) struct PageSpec<'a> {
    /// First engine key of the range (inclusive).
    pub start: Vec<u8>,
    /// End of the range (exclusive); `None` = to the end of the key space.
    pub end: Option<Vec<u8>>,
    /// Ascending (true) or descending key order.
    pub forward: bool,
    /// Items to evaluate at most.
    pub limit: Option<usize>,
    /// The filter.
    pub filter: Option<&'a Condition>,
    /// Values for the filter.
    pub values: &'a AttributeValues,
    /// Attributes to return (all when `None`).
    pub projection: Option<&'a [Path]>,
    /// Only count (`Select: COUNT`).
    pub count_only: bool,
    /// The table (for `LastEvaluatedKey`).
    pub meta: &'a TableMeta,
}

/// A page's results.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub items: Vec<Item>,
    pub count: i64,
    pub scanned_count: i64,
    pub last_evaluated_key: Option<Item>,
    /// Bytes of the items evaluated (for capacity).
    pub bytes: usize,
}

impl DynamoDb {
    /// Reads one page.
    pub(crate) fn read_page(&self, spec: &PageSpec<'_>) -> Result<Page, DynamoError> {
        let mut page = Page::default();
        let snapshot = self.db.snapshot();
        let mut it = snapshot.iter()?;
        if spec.forward {
            it.seek(&spec.start)?;
        } else {
            match &spec.end {
                Some(end) => {
                    it.seek(end)?;
                    if it.valid() {
                        it.prev()?;
                    } else {
                        it.seek_to_last()?;
                    }
                }
                None => it.seek_to_last()?,
            }
        }
        while it.valid() {
            let key = it.key();
            let in_range = if spec.forward {
                spec.end.as_deref().is_none_or(|e| key < e)
            } else {
                key >= spec.start.as_slice()
            };
            if !in_range {
                break;
            }
            let item = decode_stored(it.value())?;
            page.scanned_count += 1;
            page.bytes += item_size(&item);
            let keep = match spec.filter {
                Some(f) => eval_condition(f, Some(&item), spec.values)?,
                None => true,
            };
            let full = spec.limit.is_some_and(|l| page.scanned_count as usize >= l)
                || page.bytes >= PAGE_BYTES;
            let last_key = full.then(|| spec.meta.key_attributes(&item));
            if keep {
                page.count += 1;
                if !spec.count_only {
                    page.items.push(match spec.projection {
                        Some(paths) => project(&item, paths),
                        None => item,
                    });
                }
            }
            if let Some(k) = last_key {
                page.last_evaluated_key = Some(k);
                break;
            }
            if spec.forward {
                it.next()?;
            } else {
                it.prev()?;
            }
        }
        Ok(page)
    }
}

/// How a Query or Scan shapes its results, from `Select` and the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Whole items.
    All,
    /// Projected attributes.
    Projected,
    /// Only counts.
    Count,
}

/// Checks `Select` against the other parameters (messages: dynalite
/// `validations/query.js` / `scan.js`, which follow DynamoDB).
pub(crate) fn resolve_select(
    select: Option<super::api::Select>,
    projection_param: Option<&'static str>,
    index_name: Option<&str>,
    operation: &str,
) -> Result<Shape, DynamoError> {
    use super::api::Select;
    match (select, projection_param) {
        (None, None) => Ok(Shape::All),
        (None, Some(_)) | (Some(Select::SpecificAttributes), Some(_)) => Ok(Shape::Projected),
        (Some(Select::SpecificAttributes), None) => Err(DynamoError::validation(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
        )),
        (Some(Select::AllProjectedAttributes), _) if index_name.is_none() => {
            Err(DynamoError::validation(format!(
                "ALL_PROJECTED_ATTRIBUTES can be used only when {operation} using an IndexName"
            )))
        }
        (Some(s), Some(param)) => Err(DynamoError::validation(format!(
            "Cannot specify the {param} when choosing to get {}",
            s.as_str()
        ))),
        (Some(Select::Count), None) => Ok(Shape::Count),
        (Some(_), None) => Ok(Shape::All),
    }
}

/// Checks `Limit` (model constraint: ≥ 1).
pub(crate) fn check_limit(limit: Option<i64>) -> Result<Option<usize>, DynamoError> {
    match limit {
        None => Ok(None),
        Some(l) if l >= 1 => Ok(Some(usize::try_from(l).unwrap_or(usize::MAX))),
        Some(l) => Err(DynamoError::validation(format!(
            "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ))),
    }
}

/// The engine key of an `ExclusiveStartKey` (exactly the table's key).
pub(crate) fn start_key(meta: &TableMeta, esk: &Item) -> Result<Vec<u8>, DynamoError> {
    meta.key_of(esk).map_err(|e| {
        DynamoError::validation(format!(
            "The provided starting key is invalid: {}",
            e.message()
        ))
    })
}

/// The first key attribute a filter refers to at its top level, if any
/// (Query filters may not use key attributes).
pub(crate) fn key_attribute_in(meta: &TableMeta, filter: &Condition) -> Option<String> {
    use super::expr::Operand;
    fn operand_paths<'a>(o: &'a Operand, out: &mut Vec<&'a Path>) {
        match o {
            Operand::Path(p) => out.push(p),
            Operand::Value(_) => {}
            Operand::Size(a) => operand_paths(a, out),
            Operand::IfNotExists(p, a) => {
                out.push(p);
                operand_paths(a, out);
            }
            Operand::ListAppend(a, b) | Operand::Plus(a, b) | Operand::Minus(a, b) => {
                operand_paths(a, out);
                operand_paths(b, out);
            }
        }
    }
    fn walk<'a>(c: &'a Condition, out: &mut Vec<&'a Path>) {
        match c {
            Condition::Compare { left, right, .. } => {
                operand_paths(left, out);
                operand_paths(right, out);
            }
            Condition::Between { operand, low, high } => {
                for o in [operand, low, high] {
                    operand_paths(o, out);
                }
            }
            Condition::In { operand, list } => {
                operand_paths(operand, out);
                for o in list {
                    operand_paths(o, out);
                }
            }
            Condition::And(a, b) | Condition::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Condition::Not(a) => walk(a, out),
            Condition::AttributeExists(p) | Condition::AttributeNotExists(p) => out.push(p),
            Condition::AttributeType(p, o) => {
                out.push(p);
                operand_paths(o, out);
            }
            Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
                operand_paths(a, out);
                operand_paths(b, out);
            }
        }
    }
    let mut paths = Vec::new();
    walk(filter, &mut paths);
    paths
        .into_iter()
        .find(|p| meta.is_key(p.top()))
        .map(|p| p.top().to_string())
}
