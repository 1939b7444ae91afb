//! Running one page of a SELECT through Query and Scan.
//!
//! A page follows DynamoDB's paging rules (API reference, ExecuteStatement;
//! recorded against DynamoDB Local: "A page ends at about 1 MB of items
//! read, whatever the projection", "`Limit` counts the items read, and not
//! the items that match", a page may come back empty with a `NextToken`):
//! `Limit` counts items read before the WHERE filter, a page ends once the
//! items read reach 1 MB ([`PAGE_BYTES`], the same rule as Query and Scan),
//! and `NextToken` (with `LastEvaluatedKey`, which DynamoDB returns beside
//! it, as aws-sdk-js issue 4475 shows) says where the next page starts. A
//! SELECT over several partitions reads them one Query after another within
//! the same page budget.
//!
//! The WHERE clause is evaluated on every item read by the expression
//! evaluator (`eval_condition`), not passed as a `FilterExpression`: a Query
//! filter may not name key attributes, a PartiQL WHERE may.

use super::capacity;
use super::error::{self as msg, from_item_api, PartiqlError};
use super::keys::SortCondition;
use super::literal::Binder;
use super::plan::{Options, Read, SelectPlan};
use super::token::{self, PageToken};
use super::translate::ExprBuilder;
use crate::dynamo::api::{ConsumedCapacity, ExecuteStatementOutput, QueryInput, ScanInput, Select};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::eval_condition;
use crate::dynamo::items::value::{item_size, Item};
use crate::dynamo::query::page::{check_limit, key_names, PAGE_BYTES};

/// A page being filled.
struct PageState<'a> {
    plan: &'a SelectPlan,
    limit: Option<usize>,
    items: Vec<Item>,
    evaluated: usize,
    bytes: usize,
}

impl PageState<'_> {
    /// Counts an item read and keeps its projection if the WHERE holds;
    /// true once the page is full (`Limit` items read, or 1 MB).
    fn take(&mut self, item: Item) -> Result<bool, DynamoError> {
        self.evaluated += 1;
        self.bytes += item_size(&item);
        let keep = match &self.plan.filter {
            Some((cond, values)) => {
                eval_condition(cond, Some(&item), values).map_err(|e| from_item_api(e.into()))?
            }
            None => true,
        };
        if keep {
            self.items.push(self.plan.projection.apply(item));
        }
        Ok(self.limit.is_some_and(|l| self.evaluated >= l) || self.bytes >= PAGE_BYTES)
    }
}

/// What one Scan read.
struct Chunk {
    items: Vec<Item>,
    last_key: Option<Item>,
    capacity: Option<ConsumedCapacity>,
}

impl DynamoDb {
    /// Reads one page of `plan`, starting where `next_token` says.
    pub(crate) fn run_select(
        &self,
        plan: &SelectPlan,
        fingerprint: u64,
        next_token: Option<&str>,
        limit: Option<i64>,
        opts: Options,
    ) -> Result<ExecuteStatementOutput, DynamoError> {
        let limit = check_limit(limit)?;
        let start = next_token
            .map(|t| token::decode(t, fingerprint))
            .transpose()?;
        let index = plan.index.as_deref().and_then(|n| plan.meta.index(n));
        let lek_names = key_names(&plan.meta, index);
        let select = plan.fetch.then_some(Select::AllAttributes);

        let mut page = PageState {
            plan,
            limit,
            items: Vec::new(),
            evaluated: 0,
            bytes: 0,
        };
        let mut capacity = None;
        let mut next: Option<PageToken> = None;

        match &plan.read {
            Read::Scan => {
                if start.as_ref().is_some_and(|t| t.partition != 0) {
                    return Err(PartiqlError::validation(msg::INVALID_NEXT_TOKEN).into());
                }
                let out = self
                    .scan(ScanInput {
                        table_name: plan.table.clone(),
                        index_name: plan.index.clone(),
                        select,
                        limit: limit.map(|l| l as i64),
                        consistent_read: Some(opts.consistent_read),
                        exclusive_start_key: start.map(|t| t.last_key),
                        return_consumed_capacity: opts.capacity,
                        ..ScanInput::default()
                    })
                    .map_err(from_item_api)?;
                let chunk = Chunk {
                    items: out.items.unwrap_or_default(),
                    last_key: out.last_evaluated_key,
                    capacity: out.consumed_capacity,
                };
                capacity::add(&mut capacity, chunk.capacity);
                for item in chunk.items {
                    page.take(item)?;
                }
                next = chunk.last_key.map(|last_key| PageToken {
                    partition: 0,
                    last_key,
                });
            }
            Read::Query {
                hash,
                partitions,
                range,
                forward,
            } => {
                let first = start.as_ref().map_or(0, |t| t.partition as usize);
                if first >= partitions.len() {
                    return Err(PartiqlError::validation(msg::INVALID_NEXT_TOKEN).into());
                }
                let mut start_key = start.map(|t| t.last_key);
                'partitions: for (i, value) in partitions.iter().enumerate().skip(first) {
                    // An IN list is far shorter than 2^32; a longer one's
                    // token would be refused as invalid, never misread.
                    let partition = u32::try_from(i).unwrap_or(u32::MAX);
                    let mut b = ExprBuilder::new(Binder::new(&[]));
                    let mut key_condition =
                        format!("{} = {}", b.name(hash), b.value(value.clone()));
                    if let Some((name, cond)) = range {
                        let r = b.name(name);
                        key_condition.push_str(" AND ");
                        key_condition.push_str(&match cond {
                            SortCondition::Compare(op, v) => {
                                format!("{r} {} {}", op.symbol(), b.value(v.clone()))
                            }
                            SortCondition::Between(lo, hi) => format!(
                                "{r} BETWEEN {} AND {}",
                                b.value(lo.clone()),
                                b.value(hi.clone())
                            ),
                            SortCondition::BeginsWith(v) => {
                                format!("begins_with({r}, {})", b.value(v.clone()))
                            }
                        });
                    }
                    let (names, values) = b.into_maps();
                    let remaining = limit.map(|l| l.saturating_sub(page.evaluated) as i64);
                    let out = self
                        .query(QueryInput {
                            table_name: plan.table.clone(),
                            index_name: plan.index.clone(),
                            key_condition_expression: Some(key_condition),
                            expression_attribute_names: names,
                            expression_attribute_values: values,
                            select,
                            limit: remaining,
                            consistent_read: Some(opts.consistent_read),
                            scan_index_forward: Some(*forward),
                            exclusive_start_key: start_key.take(),
                            return_consumed_capacity: opts.capacity,
                            ..QueryInput::default()
                        })
                        .map_err(from_item_api)?;
                    capacity::add(&mut capacity, out.consumed_capacity);
                    let read = out.items.unwrap_or_default();
                    for item in read {
                        let key: Item = lek_names
                            .iter()
                            .filter_map(|k| item.get(k).map(|v| (k.clone(), v.clone())))
                            .collect();
                        if page.take(item)? {
                            next = Some(PageToken {
                                partition,
                                last_key: key,
                            });
                            break 'partitions;
                        }
                    }
                    if let Some(last_key) = out.last_evaluated_key {
                        next = Some(PageToken {
                            partition,
                            last_key,
                        });
                        break;
                    }
                }
            }
        }
        Ok(ExecuteStatementOutput {
            items: Some(page.items),
            last_evaluated_key: next.as_ref().map(|t| t.last_key.clone()),
            next_token: next.map(|t| token::encode(fingerprint, &t)),
            consumed_capacity: capacity,
        })
    }
}
