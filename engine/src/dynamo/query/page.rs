//! One page of a Query or Scan: walk a key range, evaluate items, stop at
//! `Limit` or 1 MB — over a table's items or a secondary index's entries.
//!
//! DynamoDB's paging rules (Developer Guide, "Paginating table query
//! results" and "Limit"): `Limit` counts items *evaluated* (before the
//! filter); a page also ends once the items read reach 1 MB, measured
//! before the filter; `LastEvaluatedKey` is the key of the last item
//! evaluated, present whenever the page ended early — including when the
//! limit happened to fall on the last item.
//!
//! Index reads (Developer Guide, "Local secondary indexes", "Provisioned
//! throughput considerations"): the filter sees the index entry (the
//! projected attributes); a local index may *fetch* the table item for
//! attributes it does not project, each fetched item counting its own
//! size rounded up to 4 KB, both toward the 1 MB page and toward read
//! units.

use std::collections::{BTreeMap, BTreeSet};

use crate::dynamo::api::{
    AttributeValues, Capacity, ConsumedCapacity, ProjectionType, ReturnConsumedCapacity, Select,
};
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::{eval_condition, project, Condition, Operand, Path};
use crate::dynamo::indexes::entries::entry_key;
use crate::dynamo::items::capacity::{consumed, read_units, READ_UNIT_BYTES};
use crate::dynamo::items::value::{item_size, Item, INVALID_PARAMETER};
use crate::dynamo::keys::range::KeyRange;
use crate::dynamo::tables::schema::{IndexKind, IndexMeta, KeyAttr, TableMeta};
use crate::dynamo::ScalarAttributeType;

/// Bytes read after which a page ends (1 MB).
pub const PAGE_BYTES: usize = 1024 * 1024;

/// Reading the table item behind each returned index entry (a local
/// index asked for attributes it does not project).
#[derive(Clone, Copy)]
pub(crate) struct Fetch<'a> {
    /// The table.
    pub meta: &'a TableMeta,
    /// Attributes of the table item to return (all when `None`).
    pub projection: Option<&'a [Path]>,
}

/// What one page reads and how it shapes results.
pub(crate) struct PageSpec<'a> {
    /// The keys to read.
    pub range: KeyRange,
    /// Ascending (true) or descending key order.
    pub forward: bool,
    /// Items to evaluate at most.
    pub limit: Option<usize>,
    /// The filter (evaluated on what was read: the item, or the index entry).
    pub filter: Option<&'a Condition>,
    /// Values for the filter.
    pub values: &'a AttributeValues,
    /// Attributes to return (all when `None`); ignored with `fetch`.
    pub projection: Option<&'a [Path]>,
    /// Only count (`Select: COUNT`).
    pub count_only: bool,
    /// The attributes of `LastEvaluatedKey`: the table's keys, plus the
    /// index's when reading an index.
    pub key_names: Vec<String>,
    /// Return the table items behind index entries instead of the entries.
    pub fetch: Option<Fetch<'a>>,
}

/// A page's results.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub items: Vec<Item>,
    pub count: i64,
    pub scanned_count: i64,
    pub last_evaluated_key: Option<Item>,
    /// Bytes of the items (or index entries) evaluated.
    pub bytes: usize,
    /// Bytes of the table items fetched, each rounded up to 4 KB.
    pub fetched_bytes: usize,
}

impl DynamoDb {
    /// Reads one page.
    pub(crate) fn read_page(&self, spec: &PageSpec<'_>) -> Result<Page, DynamoError> {
        let mut page = Page::default();
        let snapshot = self.inner.db.snapshot();
        let mut it = snapshot.iter()?;
        if spec.forward {
            it.seek(&spec.range.start)?;
        } else {
            match &spec.range.end {
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
                spec.range.end.as_deref().is_none_or(|e| key < e)
            } else {
                key >= spec.range.start.as_slice()
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
            let mut fetched = None;
            if keep {
                page.count += 1;
                if let (Some(fetch), false) = (&spec.fetch, spec.count_only) {
                    let key = fetch.meta.item_key(&item).map_err(|_| {
                        DynamoError::InternalServerError(
                            "index entry without its table key".to_string(),
                        )
                    })?;
                    // The same snapshot: the entry and its item were written
                    // in one batch, so the item is there.
                    let Some(bytes) = snapshot.get_pinned(&key)? else {
                        return Err(DynamoError::InternalServerError(
                            "index entry without its table item".to_string(),
                        ));
                    };
                    let whole = decode_stored(&bytes)?;
                    page.fetched_bytes +=
                        item_size(&whole).div_ceil(READ_UNIT_BYTES).max(1) * READ_UNIT_BYTES;
                    fetched = Some(match fetch.projection {
                        Some(paths) => project(&whole, paths),
                        None => whole,
                    });
                }
            }
            let scanned = usize::try_from(page.scanned_count).unwrap_or(usize::MAX);
            let full = spec.limit.is_some_and(|l| scanned >= l)
                || page.bytes + page.fetched_bytes >= PAGE_BYTES;
            if full {
                page.last_evaluated_key = Some(key_attributes(&spec.key_names, &item));
            }
            if keep && !spec.count_only {
                page.items.push(match (fetched, spec.projection) {
                    (Some(whole), _) => whole,
                    (None, Some(paths)) => project(&item, paths),
                    (None, None) => item,
                });
            }
            if full {
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

/// The attributes `names` of `item` (a `LastEvaluatedKey`).
fn key_attributes(names: &[String], item: &Item) -> Item {
    names
        .iter()
        .filter_map(|k| item.get(k).map(|v| (k.clone(), v.clone())))
        .collect()
}

/// The attributes of `LastEvaluatedKey` (and `ExclusiveStartKey`) when
/// reading `meta` or its index `index`: the table's keys, then the index's
/// that are not table keys.
pub(crate) fn key_names(meta: &TableMeta, index: Option<&IndexMeta>) -> Vec<String> {
    let mut names: Vec<String> = meta.key_names().map(str::to_string).collect();
    if let Some(idx) = index {
        for k in idx.key_names() {
            if !names.iter().any(|n| n == k) {
                names.push(k.to_string());
            }
        }
    }
    names
}

/// Whether index `idx` of `meta` holds attribute `name`.
pub(crate) fn projects(meta: &TableMeta, idx: &IndexMeta, name: &str) -> bool {
    match idx.projection_type {
        ProjectionType::All => true,
        ProjectionType::KeysOnly | ProjectionType::Include => {
            meta.is_key(name)
                || idx.key_names().any(|k| k == name)
                || (idx.projection_type == ProjectionType::Include
                    && idx.non_key_attributes.iter().any(|a| a == name))
        }
    }
}

/// How a Query or Scan shapes its results, from `Select` and the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Whole items (`ALL_ATTRIBUTES`; the default on a table).
    All,
    /// What the index holds (`ALL_PROJECTED_ATTRIBUTES`; the default on an
    /// index).
    AllProjected,
    /// Projected attributes (`SPECIFIC_ATTRIBUTES`).
    Projected,
    /// Only counts.
    Count,
}

/// Checks `Select` against the other parameters.
///
/// Messages: dynalite `validations/query.js` / `scan.js`, with the shape
/// real DynamoDB gives them (characterised by moto's AWS-verified tests,
/// `test_dynamodb_select.py`): Query prefixes them with "1 validation error
/// detected: ", Scan does not; COUNT is described as "only the Count"; both
/// operations say "Querying" in the ALL_PROJECTED_ATTRIBUTES message; and
/// a projection given with a Select that forbids one is reported before
/// ALL_PROJECTED_ATTRIBUTES without an index.
pub(crate) fn resolve_select(
    select: Option<Select>,
    projection_param: Option<&'static str>,
    index_name: Option<&str>,
    query: bool,
) -> Result<Shape, DynamoError> {
    let fail = |msg: String| {
        DynamoError::validation(if query {
            format!("1 validation error detected: {msg}")
        } else {
            msg
        })
    };
    match (select, projection_param) {
        (None, None) if index_name.is_some() => Ok(Shape::AllProjected),
        (None, None) => Ok(Shape::All),
        (None, Some(_)) | (Some(Select::SpecificAttributes), Some(_)) => Ok(Shape::Projected),
        (Some(Select::SpecificAttributes), None) => Err(fail(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES".to_string(),
        )),
        (Some(s), Some(param)) => {
            let what = match s {
                Select::Count => "only the Count",
                other => other.as_str(),
            };
            Err(fail(format!(
                "Cannot specify the {param} when choosing to get {what}"
            )))
        }
        (Some(Select::AllProjectedAttributes), None) if index_name.is_none() => Err(fail(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName".to_string(),
        )),
        (Some(Select::AllProjectedAttributes), None) => Ok(Shape::AllProjected),
        (Some(Select::Count), None) => Ok(Shape::Count),
        (Some(Select::AllAttributes), None) => Ok(Shape::All),
    }
}

/// What a page returns per item: a projection of what it read, or the
/// table item behind an index entry.
#[derive(Clone, Copy, Default)]
pub(crate) struct ReadPlan<'a> {
    /// Paths to keep of what was read (all when `None`).
    pub projection: Option<&'a [Path]>,
    /// Fetch the table item (local indexes only).
    pub fetch: Option<Fetch<'a>>,
    /// Only count.
    pub count_only: bool,
}

/// Decides how results are shaped, refusing what a global index cannot
/// answer.
///
/// Messages: `ALL_ATTRIBUTES` on a global index that does not project
/// everything — dynalite `db/query.js` and moto's AWS-verified tests; a
/// projection naming attributes a global index does not hold — "One or
/// more parameter values were invalid: Global secondary index X does not
/// project [a, b]" (DynamoDB's reply quoted in localstack issue #478, and
/// DynamoDB Local's `validateAttributesToGetAndProjExpr`). A local index
/// fetches the table item instead (Developer Guide, "Local secondary
/// indexes", "Attribute projections").
pub(crate) fn read_plan<'a>(
    meta: &'a TableMeta,
    index: Option<&IndexMeta>,
    shape: Shape,
    paths: Option<&'a [Path]>,
) -> Result<ReadPlan<'a>, DynamoError> {
    let plain = |projection| {
        Ok(ReadPlan {
            projection,
            ..ReadPlan::default()
        })
    };
    let fetch = |projection| {
        Ok(ReadPlan {
            fetch: Some(Fetch { meta, projection }),
            ..ReadPlan::default()
        })
    };
    match (shape, index) {
        (Shape::Count, _) => Ok(ReadPlan {
            count_only: true,
            ..ReadPlan::default()
        }),
        (Shape::All | Shape::AllProjected, None) | (Shape::AllProjected, Some(_)) => plain(None),
        (Shape::Projected, None) => plain(paths),
        (Shape::All, Some(idx)) => {
            if idx.projection_type == ProjectionType::All {
                plain(None)
            } else if idx.kind == IndexKind::Local {
                fetch(None)
            } else {
                Err(DynamoError::validation(format!(
                    "{INVALID_PARAMETER}Select type ALL_ATTRIBUTES is not supported for global secondary index {} because its projection type is not ALL",
                    idx.name
                )))
            }
        }
        (Shape::Projected, Some(idx)) => {
            let missing: BTreeSet<&str> = paths
                .unwrap_or_default()
                .iter()
                .map(Path::top)
                .filter(|name| !projects(meta, idx, name))
                .collect();
            if missing.is_empty() {
                plain(paths)
            } else if idx.kind == IndexKind::Local {
                fetch(paths)
            } else {
                Err(DynamoError::validation(format!(
                    "{INVALID_PARAMETER}Global secondary index {} does not project [{}]",
                    idx.name,
                    missing.into_iter().collect::<Vec<_>>().join(", ")
                )))
            }
        }
    }
}

/// `ConsumedCapacity` of a page: read units of what was read, on the table
/// or (with `index`) on the index, plus table units for fetched items.
/// With `INDEXES`, the table's and the index's shares are reported apart
/// (the index under `LocalSecondaryIndexes` or `GlobalSecondaryIndexes`).
pub(crate) fn page_capacity(
    mode: Option<ReturnConsumedCapacity>,
    meta: &TableMeta,
    index: Option<&IndexMeta>,
    page: &Page,
    consistent: bool,
) -> Option<ConsumedCapacity> {
    let read = read_units(page.bytes, consistent);
    let Some(idx) = index else {
        return consumed(mode, &meta.name, read);
    };
    let mode = mode.unwrap_or_default();
    if mode == ReturnConsumedCapacity::None {
        return None;
    }
    let mut table = (page.fetched_bytes / READ_UNIT_BYTES) as f64;
    if !consistent {
        table /= 2.0;
    }
    let indexes = || {
        Some(BTreeMap::from([(
            idx.name.clone(),
            Capacity {
                capacity_units: Some(read),
                ..Capacity::default()
            },
        )]))
    };
    let detail = mode == ReturnConsumedCapacity::Indexes;
    Some(ConsumedCapacity {
        table_name: Some(meta.name.clone()),
        capacity_units: Some(read + table),
        table: detail.then(|| Capacity {
            capacity_units: Some(table),
            ..Capacity::default()
        }),
        local_secondary_indexes: if detail && idx.kind == IndexKind::Local {
            indexes()
        } else {
            None
        },
        global_secondary_indexes: if detail && idx.kind == IndexKind::Global {
            indexes()
        } else {
            None
        },
        ..ConsumedCapacity::default()
    })
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

/// "The provided starting key is invalid".
pub(crate) fn invalid_start_key() -> DynamoError {
    DynamoError::validation("The provided starting key is invalid")
}

/// Checks that an index read's `ExclusiveStartKey` has exactly as many
/// attributes as its `LastEvaluatedKey` would (messages: dynalite
/// `db/query.js`, `db/scan.js`).
pub(crate) fn check_start_key_size(
    meta: &TableMeta,
    idx: &IndexMeta,
    esk: &Item,
) -> Result<(), DynamoError> {
    if esk.len() != key_names(meta, Some(idx)).len() {
        return Err(invalid_start_key());
    }
    Ok(())
}

/// Checks one index key attribute of an `ExclusiveStartKey`: present ("The
/// provided starting key is invalid") and of the key's type ("The provided
/// key element does not match the schema") — dynalite `db/index.js`
/// `validateKeyPiece`.
pub(crate) fn check_start_piece(esk: &Item, attr: &KeyAttr) -> Result<(), DynamoError> {
    let Some(v) = esk.get(&attr.name) else {
        return Err(invalid_start_key());
    };
    if ScalarAttributeType::of(v) != Some(attr.ty) {
        return Err(DynamoError::validation(
            "The provided key element does not match the schema",
        ));
    }
    Ok(())
}

/// The engine key of an index read's `ExclusiveStartKey` whose index key
/// attributes [`check_start_piece`] accepted: the table key is checked as
/// a table read's would be ("The provided starting key is invalid: ..."),
/// then the position is the index entry that item would have.
pub(crate) fn index_start_key(
    meta: &TableMeta,
    idx: &IndexMeta,
    esk: &Item,
) -> Result<Vec<u8>, DynamoError> {
    let table_key: Item = meta
        .key_names()
        .filter_map(|k| esk.get(k).map(|v| (k.to_string(), v.clone())))
        .collect();
    start_key(meta, &table_key)?;
    entry_key(meta, idx, esk)?.ok_or_else(invalid_start_key)
}

/// The top-level attribute names a condition refers to.
pub(crate) fn condition_attributes(filter: &Condition) -> BTreeSet<String> {
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
    paths.into_iter().map(|p| p.top().to_string()).collect()
}

/// The first of `keys` a filter refers to at its top level, if any (Query
/// filters may not use the keys of what they read).
pub(crate) fn key_attribute_in(keys: &[&KeyAttr], filter: &Condition) -> Option<String> {
    let used = condition_attributes(filter);
    keys.iter()
        .find(|k| used.contains(&k.name))
        .map(|k| k.name.clone())
}

/// Checks a Query filter on index `idx` names only attributes the index
/// holds. Message: DynamoDB Local's `validateQueryFilterAndFilterExprOnIndex`
/// (names sorted), the wording DynamoDB returns for both index kinds.
pub(crate) fn check_filter_projected(
    meta: &TableMeta,
    idx: &IndexMeta,
    filter: &Condition,
) -> Result<(), DynamoError> {
    let missing: Vec<String> = condition_attributes(filter)
        .into_iter()
        .filter(|a| !projects(meta, idx, a))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(DynamoError::validation(format!(
        "{INVALID_PARAMETER}Secondary index {} does not project one or more filter attributes: [{}]",
        idx.name,
        missing.join(", ")
    )))
}

/// Checks the index a read names: it exists ("The table does not have the
/// specified index: X"), a consistent read is not asked of a global index
/// ("Consistent reads are not supported on global secondary indexes") —
/// both dynalite `db/query.js` — and it is not still being backfilled
/// ("Cannot read from backfilling global secondary index: X", DynamoDB's
/// reply while an index is `CREATING`).
pub(crate) fn check_index<'a>(
    meta: &'a TableMeta,
    name: &str,
    consistent: bool,
) -> Result<&'a IndexMeta, DynamoError> {
    let idx = meta.index(name).ok_or_else(|| {
        DynamoError::validation(format!(
            "The table does not have the specified index: {name}"
        ))
    })?;
    if idx.kind == IndexKind::Global && consistent {
        return Err(DynamoError::validation(
            "Consistent reads are not supported on global secondary indexes",
        ));
    }
    if idx.status == crate::dynamo::api::IndexStatus::Creating {
        return Err(DynamoError::validation(format!(
            "Cannot read from backfilling global secondary index: {name}"
        )));
    }
    Ok(idx)
}
