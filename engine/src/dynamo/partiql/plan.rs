//! A parsed statement → the DynamoDB operation that carries it out.
//!
//! - INSERT → `PutItem` with `attribute_not_exists(<partition key>)`; its
//!   failure is `DuplicateItemException` (`ql-reference.insert`).
//! - UPDATE → `UpdateItem` on the key the WHERE pins, with the rest of the
//!   WHERE and `attribute_exists(<partition key>)` as its condition: an
//!   UPDATE of a missing item fails (`ql-reference.update`: "If the WHERE
//!   clause ... does not evaluate to true for any item ...
//!   ConditionalCheckFailedException").
//! - DELETE → `DeleteItem` with `attribute_not_exists(<partition key>) OR
//!   (<rest>)`: a missing item is no error, an existing one failing the
//!   rest is (`ql-reference.delete`).
//! - SELECT → Query(s) or Scan ([`super::keys`]), the WHERE evaluated on
//!   each item read by the expression evaluator; in a batch or transaction,
//!   a point read of one key.
//! - EXISTS → a transaction `ConditionCheck`.
//!
//! RETURNING maps to `ReturnValues` (`ALL OLD` → `ALL_OLD`, `MODIFIED OLD`
//! → `UPDATED_OLD`, `ALL NEW` → `ALL_NEW`, `MODIFIED NEW` → `UPDATED_NEW`).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::ast::{Expr, Returning, Select, SelectList, Statement};
use super::error::{self as msg, from_item_api, PartiqlError};
use super::keys::{
    check_key_types, extract_key, partition_values, sort_condition, Extract, SortCondition,
};
use super::literal::Binder;
use super::translate::{expr_path, ExprBuilder};
use crate::dynamo::api::{
    ConditionCheck, DeleteItemInput, PutItemInput, ReturnConsumedCapacity, ReturnValue,
    ReturnValuesOnConditionCheckFailure, UpdateItemInput,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::{
    check_condition_values, Condition, ExprContext, ExprKind, Path, PathElem, Values,
};
use crate::dynamo::items::value::{AttributeValue, Item};
use crate::dynamo::query::page::{check_filter_projected, check_index, read_plan, Shape};
use crate::dynamo::tables::control::check_table_name;
use crate::dynamo::tables::schema::{IndexKind, KeyAttr, TableMeta};

/// Where a statement runs; decides what a SELECT may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// ExecuteStatement.
    Single,
    /// BatchExecuteStatement.
    Batch,
    /// ExecuteTransaction.
    Transaction,
}

/// Request options a plan carries into the operation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `ConsistentRead`.
    pub consistent_read: bool,
    /// `ReturnValuesOnConditionCheckFailure`.
    pub rvcf: Option<ReturnValuesOnConditionCheckFailure>,
    /// `ReturnConsumedCapacity`.
    pub capacity: Option<ReturnConsumedCapacity>,
}

/// What a SELECT returns of each item.
#[derive(Debug, Clone, PartialEq)]
pub enum Projection {
    /// `*`.
    All,
    /// Paths, each returned under its name: the last map key of the path
    /// with the list indexes after it (`a.b[1]` → `b[1]`), as DynamoDB
    /// returns them (recorded against DynamoDB Local: `SELECT m.k[1], l[0],
    /// m.z` gives `k[1]`, `l[0]` and `z`; Dynoxide, eu-west-2:
    /// `SELECT mymap.nested` gives `nested`).
    Paths(Vec<(String, Path)>),
}

impl Projection {
    /// The projection of `item`. An item holding none of the paths gives
    /// `{}` (recorded, DynamoDB Local).
    pub fn apply(&self, item: Item) -> Item {
        match self {
            Projection::All => item,
            Projection::Paths(paths) => paths
                .iter()
                .filter_map(|(name, path)| {
                    crate::dynamo::expr::resolve_path(&item, path)
                        .map(|v| (name.clone(), v.clone()))
                })
                .collect(),
        }
    }
}

/// How a SELECT reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// A Scan of the table or index.
    Scan,
    /// One Query per partition value, in order.
    Query {
        /// The partition key's name.
        hash: String,
        /// Partition values, in reading order.
        partitions: Vec<AttributeValue>,
        /// The sort key's name and the condition narrowing it.
        range: Option<(String, SortCondition)>,
        /// Ascending sort key order.
        forward: bool,
    },
}

/// A SELECT of ExecuteStatement.
#[derive(Debug, Clone)]
pub struct SelectPlan {
    /// The table.
    pub table: String,
    /// The index, if any.
    pub index: Option<String>,
    /// The table's definition (for `LastEvaluatedKey`).
    pub meta: Arc<TableMeta>,
    /// Query or Scan.
    pub read: Read,
    /// The WHERE clause as an expression-engine condition, and its values.
    pub filter: Option<(Condition, Values)>,
    /// What to return.
    pub projection: Projection,
    /// Read whole table items behind a local index's entries.
    pub fetch: bool,
}

/// A SELECT of one item (batches and transactions).
#[derive(Debug, Clone)]
pub struct PointRead {
    /// The table.
    pub table: String,
    /// Its key.
    pub key: Item,
    /// What to return.
    pub projection: Projection,
}

/// What a statement does.
#[derive(Debug, Clone)]
pub enum Plan {
    /// A SELECT (ExecuteStatement).
    Select(SelectPlan),
    /// A SELECT of one item.
    PointRead(PointRead),
    /// An INSERT, and the key of its item.
    Insert(PutItemInput, Item),
    /// An UPDATE and its RETURNING.
    Update(UpdateItemInput, Option<Returning>),
    /// A DELETE and its RETURNING.
    Delete(DeleteItemInput, Option<Returning>),
    /// An EXISTS.
    Check(ConditionCheck),
}

impl Plan {
    /// The table the plan acts on.
    pub fn table(&self) -> &str {
        match self {
            Plan::Select(s) => &s.table,
            Plan::PointRead(r) => &r.table,
            Plan::Insert(i, _) => &i.table_name,
            Plan::Update(u, _) => &u.table_name,
            Plan::Delete(d, _) => &d.table_name,
            Plan::Check(c) => &c.table_name,
        }
    }

    /// The key of the one item the plan touches (none for a SELECT).
    pub fn item_key(&self) -> Option<&Item> {
        match self {
            Plan::Select(_) => None,
            Plan::PointRead(r) => Some(&r.key),
            Plan::Insert(_, key) => Some(key),
            Plan::Update(u, _) => Some(&u.key),
            Plan::Delete(d, _) => Some(&d.key),
            Plan::Check(c) => Some(&c.key),
        }
    }
}

/// The key attributes of a table.
fn table_keys(meta: &TableMeta) -> Vec<&KeyAttr> {
    std::iter::once(&meta.hash)
        .chain(meta.range.as_ref())
        .collect()
}

/// `parts` joined by AND, each in parentheses (`None` for no parts). The
/// whole is one operand of AND or OR as it stands: DynamoDB refuses
/// redundant parentheses, so it is never wrapped again.
fn conjunction(b: &mut ExprBuilder<'_>, parts: &[&Expr]) -> Result<Option<String>, PartiqlError> {
    let texts = parts
        .iter()
        .map(|p| b.condition(p).map(|t| format!("({t})")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(match texts.len() {
        0 => None,
        1 => texts.into_iter().next(),
        _ => Some(format!("({})", texts.join(" AND "))),
    })
}

impl DynamoDb {
    /// Plans `stmt` with `params` for `ctx`.
    pub(crate) fn plan(
        &self,
        stmt: &Statement,
        params: &[AttributeValue],
        ctx: Context,
        opts: Options,
    ) -> Result<Plan, DynamoError> {
        let table_name = stmt.table();
        check_table_name(table_name)
            .map_err(|_| PartiqlError::validation(msg::INVALID_TABLE_NAME))?;
        let binder = Binder::new(params);
        match stmt {
            Statement::Select(s) => match ctx {
                Context::Single => self.plan_select(s, binder, opts).map(Plan::Select),
                Context::Batch | Context::Transaction => {
                    self.plan_point_read(s, binder, ctx).map(Plan::PointRead)
                }
            },
            Statement::Exists(s) => {
                if ctx != Context::Transaction {
                    return Err(PartiqlError::validation(msg::EXISTS_OUTSIDE_TRANSACTION).into());
                }
                if s.from.index.is_some() {
                    return Err(PartiqlError::validation(msg::EXISTS_ON_INDEX).into());
                }
                let (meta, key, rest) = self.keyed(
                    table_name,
                    s.where_clause.as_ref(),
                    binder,
                    Extract::Check,
                    msg::EXISTS_KEY,
                )?;
                let mut b = ExprBuilder::new(binder);
                let condition = exists_and(&mut b, &meta, &rest)?;
                let (names, values) = b.into_maps();
                Ok(Plan::Check(ConditionCheck {
                    table_name: table_name.to_string(),
                    key,
                    condition_expression: condition,
                    expression_attribute_names: names,
                    expression_attribute_values: values,
                    return_values_on_condition_check_failure: opts.rvcf,
                }))
            }
            Statement::Insert(ins) => {
                let Expr::Tuple(pairs) = &ins.value else {
                    return Err(PartiqlError::validation(msg::INSERT_NOT_STRUCT).into());
                };
                let meta = self.table(table_name)?.meta();
                let item = binder.tuple(pairs, "root")?;
                let mut key = Item::new();
                for attr in table_keys(&meta) {
                    match item.get(&attr.name) {
                        None => return Err(msg::key_absent(&attr.name).into()),
                        Some(v) => {
                            super::keys::check_key_type(attr, v)?;
                            key.insert(attr.name.clone(), v.clone());
                        }
                    }
                }
                let mut b = ExprBuilder::new(binder);
                let condition = format!("attribute_not_exists({})", b.name(&meta.hash.name));
                let (names, _) = b.into_maps();
                Ok(Plan::Insert(
                    PutItemInput {
                        table_name: table_name.to_string(),
                        item,
                        condition_expression: Some(condition),
                        expression_attribute_names: names,
                        return_consumed_capacity: opts.capacity,
                        return_values_on_condition_check_failure: opts.rvcf,
                        ..PutItemInput::default()
                    },
                    key,
                ))
            }
            Statement::Update(u) => {
                if u.from.index.is_some() {
                    return Err(PartiqlError::validation(msg::NOT_ON_INDEX).into());
                }
                let (meta, key, rest) = self.keyed(
                    table_name,
                    u.where_clause.as_ref(),
                    binder,
                    Extract::Write,
                    msg::INCOMPLETE_KEY,
                )?;
                let mut b = ExprBuilder::new(binder);
                let update = b.update(&u.actions)?;
                let condition = exists_and(&mut b, &meta, &rest)?;
                let (names, values) = b.into_maps();
                let return_values = u.returning.map(|r| match r {
                    Returning::AllOld => ReturnValue::AllOld,
                    Returning::ModifiedOld => ReturnValue::UpdatedOld,
                    Returning::AllNew => ReturnValue::AllNew,
                    Returning::ModifiedNew => ReturnValue::UpdatedNew,
                });
                Ok(Plan::Update(
                    UpdateItemInput {
                        table_name: table_name.to_string(),
                        key,
                        update_expression: Some(update),
                        condition_expression: Some(condition),
                        expression_attribute_names: names,
                        expression_attribute_values: values,
                        return_values,
                        return_consumed_capacity: opts.capacity,
                        return_values_on_condition_check_failure: opts.rvcf,
                        ..UpdateItemInput::default()
                    },
                    u.returning,
                ))
            }
            Statement::Delete(d) => {
                if d.from.index.is_some() {
                    return Err(PartiqlError::validation(msg::NOT_ON_INDEX).into());
                }
                if let Some(r) = d.returning.filter(|r| *r != Returning::AllOld) {
                    return Err(msg::delete_returning(r.words()).into());
                }
                let (meta, key, rest) = self.keyed(
                    table_name,
                    d.where_clause.as_ref(),
                    binder,
                    Extract::Write,
                    msg::INCOMPLETE_KEY,
                )?;
                let mut b = ExprBuilder::new(binder);
                let condition = conjunction(&mut b, &rest)?.map(|rest| {
                    format!(
                        "attribute_not_exists({}) OR {rest}",
                        b.name(&meta.hash.name)
                    )
                });
                let (names, values) = b.into_maps();
                Ok(Plan::Delete(
                    DeleteItemInput {
                        table_name: table_name.to_string(),
                        key,
                        condition_expression: condition,
                        expression_attribute_names: names,
                        expression_attribute_values: values,
                        return_values: d.returning.map(|_| ReturnValue::AllOld),
                        return_consumed_capacity: opts.capacity,
                        return_values_on_condition_check_failure: opts.rvcf,
                        ..DeleteItemInput::default()
                    },
                    d.returning,
                ))
            }
        }
    }

    /// The table `name`, the key its WHERE pins and the rest of the WHERE.
    fn keyed<'e>(
        &self,
        name: &str,
        where_clause: Option<&'e Expr>,
        binder: Binder<'_>,
        mode: Extract,
        missing: &str,
    ) -> Result<(Arc<TableMeta>, Item, Vec<&'e Expr>), DynamoError> {
        let meta = self.table(name)?.meta();
        let keys = table_keys(&meta);
        let (key, rest) = extract_key(where_clause, &keys, binder, mode, missing)?;
        check_key_types(&keys, &key)?;
        Ok((meta, key, rest))
    }

    /// A SELECT of a batch or transaction: exactly the whole key, nothing
    /// else, on the table.
    fn plan_point_read(
        &self,
        s: &Select,
        binder: Binder<'_>,
        ctx: Context,
    ) -> Result<PointRead, DynamoError> {
        let refusal = if ctx == Context::Batch {
            msg::BATCH_SELECT_KEY
        } else {
            msg::TRANSACTION_SELECT_KEY
        };
        if s.from.index.is_some() {
            let m = if ctx == Context::Batch {
                msg::BATCH_SELECT_KEY
            } else {
                msg::TRANSACTION_INDEX_READ
            };
            return Err(PartiqlError::validation(m).into());
        }
        let meta = self.table(&s.from.table)?.meta();
        let keys = table_keys(&meta);
        let key = match extract_key(
            s.where_clause.as_ref(),
            &keys,
            binder,
            Extract::Write,
            refusal,
        ) {
            Ok((key, rest)) if rest.is_empty() => key,
            _ => return Err(PartiqlError::validation(refusal).into()),
        };
        check_key_types(&keys, &key)?;
        Ok(PointRead {
            table: s.from.table.clone(),
            key,
            projection: projection(&s.projection)?,
        })
    }

    fn plan_select(
        &self,
        s: &Select,
        binder: Binder<'_>,
        opts: Options,
    ) -> Result<SelectPlan, DynamoError> {
        let projection = projection(&s.projection)?;
        let meta = self.table(&s.from.table)?.meta();
        let index = match &s.from.index {
            Some(name) => {
                let idx = check_index(&meta, name, false)?;
                if idx.kind == IndexKind::Global && opts.consistent_read {
                    return Err(PartiqlError::validation(msg::CONSISTENT_READ_ON_GSI).into());
                }
                Some(idx)
            }
            None => None,
        };
        // An index with a multi-attribute key is read by a scan with the
        // WHERE clause as its filter: every row it returns is right, only
        // not narrowed to one partition (`single_key` is `None`).
        let single_key = match index {
            Some(idx) => idx.single_key(),
            None => Some((&meta.hash, meta.range.as_ref())),
        };
        if !s.order_by.is_empty() && s.where_clause.is_none() {
            return Err(PartiqlError::validation(msg::ORDER_BY_WITHOUT_WHERE).into());
        }
        let (filter, partitions) = match &s.where_clause {
            Some(w) => {
                let mut b = ExprBuilder::new(binder);
                if !w.is_condition() {
                    return Err(PartiqlError::validation(msg::WHERE_NOT_BOOLEAN).into());
                }
                let text = b.condition(w)?;
                let (names, values) = b.into_maps();
                let (names, values) = (names.unwrap_or_default(), values.unwrap_or_default());
                let mut ctx = ExprContext::with_values(&names, values.keys().cloned());
                let cond = ctx.filter(&text).map_err(|e| from_item_api(e.into()))?;
                check_condition_values(ExprKind::Filter, &cond, &values)
                    .map_err(|e| from_item_api(e.into()))?;
                let partitions = match single_key {
                    Some((hash, _)) => partition_values(w, hash, binder)?,
                    None => None,
                };
                (Some((cond, values)), partitions)
            }
            None => (None, None),
        };
        let read = match (partitions, &s.where_clause, single_key) {
            (Some(partitions), Some(w), Some((hash, range_key))) => {
                if partitions.len() > MAX_PARTITIONS {
                    return Err(PartiqlError::validation(msg::TOO_MANY_READS).into());
                }
                let range = match range_key {
                    Some(r) => sort_condition(w, r, binder)?.map(|c| (r.name.clone(), c)),
                    None => None,
                };
                let (partitions, forward) = order(s, hash, range_key, partitions)?;
                Read::Query {
                    hash: hash.name.clone(),
                    partitions,
                    range,
                    forward,
                }
            }
            _ => {
                if !s.order_by.is_empty() {
                    return Err(PartiqlError::validation(msg::ORDER_BY_WITHOUT_HASH).into());
                }
                Read::Scan
            }
        };
        let mut fetch = false;
        if let Some(idx) = index {
            if let Projection::Paths(paths) = &projection {
                let paths: Vec<Path> = paths.iter().map(|(_, p)| p.clone()).collect();
                fetch = read_plan(&meta, Some(idx), Shape::Projected, Some(&paths))?
                    .fetch
                    .is_some();
            }
            if let (Read::Query { .. }, Some((cond, _))) = (&read, &filter) {
                check_filter_projected(&meta, idx, cond)?;
            }
        }
        Ok(SelectPlan {
            table: s.from.table.clone(),
            index: s.from.index.clone(),
            meta,
            read,
            filter,
            projection,
            fetch,
        })
    }
}

/// `attribute_exists(<partition key>)`, and the rest of a WHERE: the item
/// must exist and pass it.
fn exists_and(
    b: &mut ExprBuilder<'_>,
    meta: &TableMeta,
    rest: &[&Expr],
) -> Result<String, PartiqlError> {
    let exists = format!("attribute_exists({})", b.name(&meta.hash.name));
    Ok(match conjunction(b, rest)? {
        Some(rest) => format!("{exists} AND {rest}"),
        None => exists,
    })
}

/// Most partitions one SELECT reads (Developer Guide, `ql-operators`, IN:
/// "at max 50 hash attribute values").
pub const MAX_PARTITIONS: usize = 50;

/// Checks ORDER BY and applies it: partitions sorted by the partition key
/// when it is named, the sort key's direction as the Query direction.
fn order(
    s: &Select,
    hash: &KeyAttr,
    range: Option<&KeyAttr>,
    mut partitions: Vec<AttributeValue>,
) -> Result<(Vec<AttributeValue>, bool), DynamoError> {
    let mut forward = true;
    let mut hash_direction = None;
    for term in &s.order_by {
        let name = match &term.key {
            Expr::Path(p) if p.steps.is_empty() => &p.root,
            other => return Err(msg::order_by_not_name(&other.kind_name()).into()),
        };
        if *name == hash.name {
            hash_direction = Some(term.descending);
        } else if range.is_some_and(|r| r.name == *name) {
            forward = !term.descending;
        } else {
            return Err(msg::order_by_not_key(name).into());
        }
    }
    if partitions.len() > 1 && !s.order_by.is_empty() && hash_direction.is_none() {
        return Err(PartiqlError::validation(msg::ORDER_BY_NEEDS_HASH).into());
    }
    if let Some(descending) = hash_direction {
        let mut keyed: Vec<(Vec<u8>, AttributeValue)> = partitions
            .into_iter()
            .map(|v| {
                let mut enc = Vec::new();
                crate::dynamo::keys::codec::encode_key_value(&v, &mut enc).map(|()| (enc, v))
            })
            .collect::<Result<_, _>>()?;
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        if descending {
            keyed.reverse();
        }
        partitions = keyed.into_iter().map(|(_, v)| v).collect();
    }
    Ok((partitions, forward))
}

/// The projection of a SELECT list, with DynamoDB's checks: each path valid,
/// no two with one output name, no overlapping paths (the
/// ProjectionExpression rule, checked by the expression engine).
fn projection(list: &SelectList) -> Result<Projection, DynamoError> {
    let SelectList::Paths(paths) = list else {
        return Ok(Projection::All);
    };
    let mut out = Vec::with_capacity(paths.len());
    let mut names = BTreeSet::new();
    let mut b = ExprBuilder::new(Binder::new(&[]));
    let mut texts = Vec::with_capacity(paths.len());
    for p in paths {
        let path = expr_path(p)?;
        let mut name = String::new();
        for e in &path.0 {
            match e {
                PathElem::Name(n) => name = n.clone(),
                PathElem::Index(i) => name.push_str(&format!("[{i}]")),
            }
        }
        if !names.insert(name.clone()) {
            return Err(msg::duplicate_select_name(&name).into());
        }
        texts.push(b.expr_path_text(&path));
        out.push((name, path));
    }
    let (names_map, _) = b.into_maps();
    ExprContext::new(&names_map.unwrap_or_default())
        .projection(&texts.join(", "))
        .map_err(|e| from_item_api(e.into()))?;
    Ok(Projection::Paths(out))
}
