//! TransactWriteItems and TransactGetItems.
//!
//! A write transaction runs in four steps:
//!
//! 1. **Validate everything** before looking at data. Member constraints
//!    (token length, number of actions), then each action's expressions and
//!    item in request order, then tables, keys, duplicate targets and the
//!    4 MB limit. These fail the whole request with a `ValidationException`
//!    (or `ResourceNotFoundException`), as DynamoDB does
//!    (paritysuite/dynamodb-conformance, `tier3/validation-ordering/
//!    transactions.test.ts`). Two kinds of key problem are the exception:
//!    DynamoDB reports a key that does not match the schema (missing,
//!    extra or mistyped attributes) as a `ValidationError` cancellation
//!    reason of that action, while an empty or oversized key value is a
//!    plain `ValidationException` (`tier3/error-messages/
//!    transactWriteItems.test.ts`); we do the same.
//! 2. **Lock** every item at once ([`crate::dynamo::write::locks::ItemLocks::lock_transaction`]).
//!    An item another transaction holds cancels the request with
//!    `TransactionConflict` at that action.
//! 3. **Read and check**: read every item, evaluate every condition and
//!    compute every update. Any failure cancels the request with one reason
//!    per action, `None` for those that would have succeeded.
//! 4. **Commit** all writes in one engine `WriteBatch`, then release.
//!
//! Because conflicting transactions never wait for each other and plain
//! writes wait for transactions, the result is serializable: each committed
//! transaction sees and leaves a state no other write interleaves with.
//!
//! A read transaction reads all its items from one engine snapshot, so it
//! sees every write transaction entirely or not at all.
//!
//! Capacity: transactional operations cost twice the plain units (Developer
//! Guide, "Capacity management for transactions"): 2 write units per 1 KB
//! of each item written or checked, 2 read units per 4 KB of each item read.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use crate::dynamo::api::{
    CancellationReason, ConsumedCapacity, Get, ItemResponse, ReturnConsumedCapacity,
    ReturnItemCollectionMetrics, ReturnValuesOnConditionCheckFailure, TransactGetItemsInput,
    TransactGetItemsOutput, TransactWriteItem, TransactWriteItemsInput, TransactWriteItemsOutput,
};
use crate::dynamo::db::{decode_stored, DynamoDb};
use crate::dynamo::error::member_constraints;
use crate::dynamo::error::DynamoError;
use crate::dynamo::expr::request::{ExprParams, Prepared};
use crate::dynamo::expr::{project, Path};
use crate::dynamo::indexes::capacity::index_write_units;
use crate::dynamo::indexes::collections::{wants_metrics, COLLECTION_SIZE_EXCEEDED};
use crate::dynamo::indexes::entries::check_index_keys;
use crate::dynamo::items::capacity::{consumed_transactional, read_units, write_units, IndexUnits};
use crate::dynamo::items::value::{item_size, Item};
use crate::dynamo::keys::codec::ScalarAttributeType;
use crate::dynamo::tables::schema::TableMeta;
use crate::dynamo::tables::table::Table;
use crate::dynamo::write::committing::{wait_here, Committing, Pending};
use crate::dynamo::write::idempotency::{fingerprint, Claim, TokenClaim};
use crate::dynamo::write::pipeline::{Decision, ItemWrite, Locking, Target};
use crate::dynamo::write::single::{
    check_condition, check_put_item, check_update_keys, updated_item,
};

/// Most actions in one transaction (API reference, TransactWriteItems and
/// TransactGetItems: "up to 100 action requests").
pub const MAX_TRANSACT_ITEMS: usize = 100;
/// Largest aggregate size of the items of one transaction (API reference:
/// "The aggregate size of the items in the transaction cannot exceed 4 MB").
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;
/// Longest `ClientRequestToken` (API model: length 1 to 36).
pub const MAX_CLIENT_REQUEST_TOKEN: usize = 36;

/// The message when a transaction's items exceed [`MAX_TRANSACTION_BYTES`].
/// DynamoDB's own wording was not found in any source we could read; this
/// follows the style of its other transaction messages.
pub const TRANSACTION_TOO_LARGE: &str = "Transaction request cannot be larger than 4 MB";

/// Two actions on one item (API reference, TransactWriteItems; wording as
/// DynamoDB answers, conformance suite `transactWriteItems.test.ts`).
const MULTIPLE_OPERATIONS: &str =
    "Transaction request cannot include multiple operations on one item";

/// Reason message of `TransactionConflict` (DynamoDB's wording, from memory
/// of service responses; not found in a readable source).
const CONFLICT_MESSAGE: &str = "Transaction is ongoing for the item";

/// What a write action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ConditionCheck,
    Put,
    Update,
    Delete,
}

/// One write action with its expressions parsed and its item validated.
struct Parsed<'a> {
    kind: Kind,
    table_name: &'a str,
    /// The Put's item, or the action's `Key`.
    item: &'a Item,
    prepared: Prepared,
    on_failure: Option<ReturnValuesOnConditionCheckFailure>,
}

/// One action resolved against its table.
struct Resolved<'a> {
    parsed: Parsed<'a>,
    table: Arc<Table>,
    meta: Arc<TableMeta>,
    key: Vec<u8>,
}

/// A write transaction as the write pipeline runs it: every action is
/// decided, failures are collected as cancellation reasons (one per action,
/// `None` for those that would have succeeded) and cancel the whole
/// transaction once all are decided.
struct Transaction<'p, 'a> {
    plan: &'p [Resolved<'a>],
    reasons: Vec<CancellationReason>,
    failed: bool,
    /// Read and write units per table.
    shares: BTreeMap<String, (f64, f64)>,
    /// Write units on each table's indexes (counted only when the request
    /// asked for capacity).
    index_shares: BTreeMap<String, IndexUnits>,
    /// Whether the request asked for `ConsumedCapacity`.
    capacity_wanted: bool,
    metrics: Option<ReturnItemCollectionMetrics>,
    /// The `ClientRequestToken` claim, completed once the write commits.
    claim: Option<TokenClaim>,
}

impl Transaction<'_, '_> {
    fn fail(&mut self, i: usize, reason: CancellationReason) {
        if let Some(r) = self.reasons.get_mut(i) {
            *r = reason;
        }
        self.failed = true;
    }
}

impl<'p, 'a: 'p> ItemWrite<'p> for Transaction<'p, 'a> {
    fn locking(&self) -> Locking {
        Locking::Transaction
    }

    fn conflict(&mut self, position: usize) -> DynamoError {
        let mut reasons = vec![no_reason(); self.plan.len()];
        if let Some(r) = reasons.get_mut(position) {
            *r = reason("TransactionConflict", CONFLICT_MESSAGE);
        }
        cancelled(reasons)
    }

    fn decide(
        &mut self,
        i: usize,
        meta: &Arc<TableMeta>,
        old: Option<&Item>,
    ) -> Result<Decision<'p>, DynamoError> {
        let plan = self.plan;
        let Some(r) = plan.get(i) else {
            return Ok(Decision::Keep);
        };
        let p = &r.parsed;
        match check_condition(p.prepared.condition.as_ref(), old, &p.prepared.values) {
            Ok(true) => {}
            Ok(false) => {
                self.fail(
                    i,
                    CancellationReason {
                        item: match p.on_failure {
                            Some(ReturnValuesOnConditionCheckFailure::AllOld) => old.cloned(),
                            _ => None,
                        },
                        ..reason("ConditionalCheckFailed", "The conditional request failed")
                    },
                );
                return Ok(Decision::Keep);
            }
            Err(e) => {
                self.fail(i, reason("ValidationError", e.message()));
                return Ok(Decision::Keep);
            }
        }
        let decision = match p.kind {
            Kind::ConditionCheck => Decision::Keep,
            Kind::Delete if old.is_none() => Decision::Keep,
            Kind::Delete => Decision::Delete,
            Kind::Put => Decision::Put(Cow::Borrowed(p.item)),
            Kind::Update => {
                match updated_item(old, p.item, p.prepared.update.as_ref(), &p.prepared.values) {
                    Ok((new, _)) => Decision::Put(Cow::Owned(new)),
                    Err(e) => {
                        self.fail(i, reason("ValidationError", e.message()));
                        return Ok(Decision::Keep);
                    }
                }
            }
        };
        let new_size = match &decision {
            Decision::Put(new) => {
                if let Err(e) = check_index_keys(meta, new) {
                    self.fail(i, reason("ValidationError", e.message()));
                    return Ok(Decision::Keep);
                }
                item_size(new)
            }
            _ => 0,
        };
        let old_size = old.map(item_size).unwrap_or(0);
        add_units(
            &mut self.shares,
            &r.meta.name,
            0.0,
            transactional_write(old_size.max(new_size)),
        );
        if self.capacity_wanted {
            // Index entries are charged as ordinary writes: the Developer
            // Guide doubles a transaction's reads and writes of its items,
            // and says nothing of its index writes.
            let new = match &decision {
                Decision::Keep => old,
                Decision::Put(new) => Some(new.as_ref()),
                Decision::Delete => None,
            };
            let units = index_write_units(meta, old, new)?;
            self.index_shares
                .entry(r.meta.name.clone())
                .or_default()
                .add(units);
        }
        Ok(decision)
    }

    fn decided(&mut self) -> Result<(), DynamoError> {
        if self.failed {
            return Err(cancelled(std::mem::take(&mut self.reasons)));
        }
        Ok(())
    }

    fn collection_too_large(&mut self, positions: &[usize]) -> DynamoError {
        for &i in positions {
            self.fail(
                i,
                reason("ItemCollectionSizeLimitExceeded", COLLECTION_SIZE_EXCEEDED),
            );
        }
        cancelled(std::mem::take(&mut self.reasons))
    }

    fn wants_collection_metrics(&self) -> bool {
        wants_metrics(self.metrics)
    }

    fn take_claim(&mut self) -> Option<TokenClaim> {
        self.claim.take()
    }
}

/// A reason for an action that did not fail.
fn no_reason() -> CancellationReason {
    CancellationReason {
        code: Some("None".to_string()),
        message: None,
        item: None,
    }
}

fn reason(code: &str, message: &str) -> CancellationReason {
    CancellationReason {
        code: Some(code.to_string()),
        message: Some(message.to_string()),
        item: None,
    }
}

/// `TransactionCanceledException` with one reason per action. Message:
/// "Transaction cancelled, please refer cancellation reasons for specific
/// reasons [None, ConditionalCheckFailed]" (conformance suite,
/// `transactWriteItems.test.ts`).
pub(crate) fn cancelled(reasons: Vec<CancellationReason>) -> DynamoError {
    let codes: Vec<&str> = reasons
        .iter()
        .map(|r| r.code.as_deref().unwrap_or("None"))
        .collect();
    DynamoError::TransactionCanceledException {
        message: format!(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
            codes.join(", ")
        ),
        reasons,
    }
}

/// Whether `item` has every key attribute of `meta` with the right type
/// (and, for a `Key` rather than a whole item, nothing else). A key that
/// fails this is a per-action `ValidationError`; one that passes it and
/// still fails the key checks (empty or oversized value) fails the request.
fn key_shape_ok(meta: &TableMeta, item: &Item, whole_item: bool) -> bool {
    let mut count = 0;
    for attr in std::iter::once(&meta.hash).chain(meta.range.as_ref()) {
        count += 1;
        match item.get(&attr.name) {
            Some(v) if ScalarAttributeType::of(v) == Some(attr.ty) => {}
            _ => return false,
        }
    }
    whole_item || item.len() == count
}

/// Checks the request's member constraints: the token, then the number of
/// actions.
fn check_members(token: Option<&str>, actions: usize) -> Result<(), DynamoError> {
    if let Some(token) = token {
        let len = token.chars().count();
        if len == 0 {
            member_constraints(vec!["Value at 'ClientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string()])?;
        }
        if len > MAX_CLIENT_REQUEST_TOKEN {
            // The validation framework's wording, reported alone (conformance
            // suite, `validation-ordering/transactions.test.ts`).
            member_constraints(vec![format!("Value at 'ClientRequestToken' failed to satisfy constraint: Member must have length less than or equal to {MAX_CLIENT_REQUEST_TOKEN}")])?;
        }
    }
    if actions == 0 {
        member_constraints(vec!["Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string()])?;
    }
    if actions > MAX_TRANSACT_ITEMS {
        // The validation framework's wording; the older one echoes the
        // whole request in Java's toString form.
        member_constraints(vec![format!("Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to {MAX_TRANSACT_ITEMS}")])?;
    }
    Ok(())
}

/// Parses one write action's expressions and validates its item.
fn parse_write(action: &TransactWriteItem) -> Result<Parsed<'_>, DynamoError> {
    let (kind, table_name, item, on_failure, params) = match action {
        TransactWriteItem::ConditionCheck(a) => (
            Kind::ConditionCheck,
            &a.table_name,
            &a.key,
            a.return_values_on_condition_check_failure,
            ExprParams {
                names: a.expression_attribute_names.as_ref(),
                values: a.expression_attribute_values.as_ref(),
                condition: Some(&a.condition_expression),
                ..ExprParams::default()
            },
        ),
        TransactWriteItem::Put(a) => (
            Kind::Put,
            &a.table_name,
            &a.item,
            a.return_values_on_condition_check_failure,
            ExprParams {
                names: a.expression_attribute_names.as_ref(),
                values: a.expression_attribute_values.as_ref(),
                condition: a.condition_expression.as_deref(),
                ..ExprParams::default()
            },
        ),
        TransactWriteItem::Update(a) => (
            Kind::Update,
            &a.table_name,
            &a.key,
            a.return_values_on_condition_check_failure,
            ExprParams {
                names: a.expression_attribute_names.as_ref(),
                values: a.expression_attribute_values.as_ref(),
                update: Some(&a.update_expression),
                condition: a.condition_expression.as_deref(),
                ..ExprParams::default()
            },
        ),
        TransactWriteItem::Delete(a) => (
            Kind::Delete,
            &a.table_name,
            &a.key,
            a.return_values_on_condition_check_failure,
            ExprParams {
                names: a.expression_attribute_names.as_ref(),
                values: a.expression_attribute_values.as_ref(),
                condition: a.condition_expression.as_deref(),
                ..ExprParams::default()
            },
        ),
    };
    let prepared = params.prepare()?;
    if kind == Kind::Put {
        check_put_item(item)?;
    }
    Ok(Parsed {
        kind,
        table_name,
        item,
        prepared,
        on_failure,
    })
}

/// Adds `units` to the read or write share of `table` in `shares`.
fn add_units(shares: &mut BTreeMap<String, (f64, f64)>, table: &str, read: f64, write: f64) {
    let e = shares.entry(table.to_string()).or_insert((0.0, 0.0));
    e.0 += read;
    e.1 += write;
}

/// The `ConsumedCapacity` list of a transaction, one entry per table, with
/// the units its writes consumed on the table's indexes.
fn capacity_report(
    mode: Option<ReturnConsumedCapacity>,
    shares: BTreeMap<String, (f64, f64)>,
    mut indexes: BTreeMap<String, IndexUnits>,
) -> Option<Vec<ConsumedCapacity>> {
    let mode = mode.unwrap_or_default();
    if mode == ReturnConsumedCapacity::None {
        return None;
    }
    Some(
        shares
            .into_iter()
            .map(|(name, (read, write))| {
                let idx = indexes.remove(&name).unwrap_or_default();
                consumed_transactional(mode, &name, read, write, &idx)
            })
            .collect(),
    )
}

/// Transactional read units for an item of `bytes`.
fn transactional_read(bytes: usize) -> f64 {
    2.0 * read_units(bytes, true)
}

/// Transactional write units for an item of `bytes`.
fn transactional_write(bytes: usize) -> f64 {
    2.0 * write_units(bytes)
}

impl DynamoDb {
    /// `TransactWriteItems`: up to 100 `ConditionCheck`, `Put`, `Update` and
    /// `Delete` actions on distinct items, applied all together or not at
    /// all.
    ///
    /// Fails with `TransactionCanceledException` — one
    /// [`CancellationReason`] per action, in order — when a condition is
    /// false (`ConditionalCheckFailed`, with the item under `ALL_OLD`), an
    /// update cannot be applied (`ValidationError`), a key does not match its
    /// table's schema (`ValidationError`) or another transaction holds one of
    /// the items (`TransactionConflict`). With a `ClientRequestToken`, a
    /// repeat of a committed request within 10 minutes succeeds without
    /// being applied again; the same token with a different request fails
    /// with `IdempotentParameterMismatchException`.
    pub fn transact_write_items(
        &self,
        input: TransactWriteItemsInput,
    ) -> Result<TransactWriteItemsOutput, DynamoError> {
        wait_here(|| self.transact_write_items_async(input))
    }

    /// `TransactWriteItems`, resolving once the write is committed (see
    /// [`DynamoDb::put_item_async`]).
    pub fn transact_write_items_async(
        &self,
        input: TransactWriteItemsInput,
    ) -> Committing<TransactWriteItemsOutput> {
        Committing::new(self, self.start_transact_write_items(input))
    }

    fn start_transact_write_items(
        &self,
        input: TransactWriteItemsInput,
    ) -> Result<(TransactWriteItemsOutput, Pending), DynamoError> {
        check_members(
            input.client_request_token.as_deref(),
            input.transact_items.len(),
        )?;
        let parsed = input
            .transact_items
            .iter()
            .map(parse_write)
            .collect::<Result<Vec<_>, _>>()?;
        let plan = self.resolve_writes(parsed)?;

        let claim = match &input.client_request_token {
            Some(token) => {
                match self.inner.tokens.claim(token, fingerprint(&input), || {
                    self.inner.opts.clock.now_millis()
                })? {
                    Claim::Repeat => {
                        let out = self.repeated(&plan, input.return_consumed_capacity)?;
                        return Ok((out, Pending::default()));
                    }
                    Claim::Run(claim) => Some(claim),
                }
            }
            None => None,
        };
        self.run_writes(
            &plan,
            input.return_consumed_capacity,
            input.return_item_collection_metrics,
            claim,
        )
    }

    /// Resolves tables and keys, and checks duplicates, the update-key rule
    /// and the size limit.
    fn resolve_writes<'a>(
        &self,
        parsed: Vec<Parsed<'a>>,
    ) -> Result<Vec<Resolved<'a>>, DynamoError> {
        let n = parsed.len();
        let mut reasons = vec![no_reason(); n];
        let mut shape_failed = false;
        let mut resolved = Vec::with_capacity(n);
        let mut request_bytes = 0usize;
        for (i, p) in parsed.into_iter().enumerate() {
            let table = self.table(p.table_name)?;
            let meta = table.meta();
            let whole_item = p.kind == Kind::Put;
            let key = if whole_item {
                meta.item_key(p.item)
            } else {
                meta.key_of(p.item)
            };
            let key = match key {
                Ok(key) => key,
                Err(e) if !key_shape_ok(&meta, p.item, whole_item) => {
                    if let Some(r) = reasons.get_mut(i) {
                        *r = reason("ValidationError", e.message());
                    }
                    shape_failed = true;
                    Vec::new()
                }
                Err(e) => return Err(e),
            };
            if let Some(update) = &p.prepared.update {
                check_update_keys(&meta, update)?;
            }
            request_bytes += item_size(p.item);
            resolved.push(Resolved {
                parsed: p,
                table,
                meta,
                key,
            });
        }
        let mut seen = HashSet::with_capacity(n);
        for r in &resolved {
            if !r.key.is_empty() && !seen.insert(r.key.as_slice()) {
                return Err(DynamoError::validation(MULTIPLE_OPERATIONS));
            }
        }
        if request_bytes > MAX_TRANSACTION_BYTES {
            return Err(DynamoError::validation(TRANSACTION_TOO_LARGE));
        }
        if shape_failed {
            return Err(cancelled(reasons));
        }
        Ok(resolved)
    }

    /// Locks, reads, checks and queues the commit of a resolved write
    /// transaction through the write pipeline; `claim` is completed when it
    /// commits.
    fn run_writes(
        &self,
        plan: &[Resolved<'_>],
        mode: Option<ReturnConsumedCapacity>,
        collection_metrics: Option<ReturnItemCollectionMetrics>,
        claim: Option<TokenClaim>,
    ) -> Result<(TransactWriteItemsOutput, Pending), DynamoError> {
        let targets: Vec<Target> = plan
            .iter()
            .map(|r| Target {
                table: Arc::clone(&r.table),
                key: r.key.clone(),
            })
            .collect();
        let mut write = Transaction {
            plan,
            reasons: vec![no_reason(); plan.len()],
            failed: false,
            shares: BTreeMap::new(),
            index_shares: BTreeMap::new(),
            capacity_wanted: mode.unwrap_or_default() != ReturnConsumedCapacity::None,
            metrics: collection_metrics,
            claim,
        };
        let (written, pending) = self.start_write_items(&targets, &mut write)?;
        let want_metrics = write.wants_collection_metrics();
        let mut metrics: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for r in written.collections {
            metrics.entry(r.table_name).or_default().push(r.metrics);
        }
        let out = TransactWriteItemsOutput {
            consumed_capacity: capacity_report(mode, write.shares, write.index_shares),
            item_collection_metrics: (want_metrics && !metrics.is_empty()).then_some(metrics),
        };
        Ok((out, pending))
    }

    /// The answer to a repeated request: nothing is written; the capacity
    /// reported is that of reading the items (API reference,
    /// TransactWriteItems `ClientRequestToken`).
    fn repeated(
        &self,
        plan: &[Resolved<'_>],
        mode: Option<ReturnConsumedCapacity>,
    ) -> Result<TransactWriteItemsOutput, DynamoError> {
        let mut shares = BTreeMap::new();
        if mode.unwrap_or_default() != ReturnConsumedCapacity::None {
            let snapshot = self.inner.db.snapshot();
            for r in plan {
                let size = match snapshot.get_pinned(&r.key)? {
                    Some(bytes) => item_size(&decode_stored(&bytes)?),
                    None => 0,
                };
                add_units(&mut shares, &r.meta.name, transactional_read(size), 0.0);
            }
        }
        Ok(TransactWriteItemsOutput {
            consumed_capacity: capacity_report(mode, shares, BTreeMap::new()),
            item_collection_metrics: None,
        })
    }

    /// `TransactGetItems`: reads up to 100 items, all from one consistent
    /// point in time.
    ///
    /// Returns one [`ItemResponse`] per `Get`, in order (empty when the item
    /// does not exist), projected by the `Get`'s `ProjectionExpression`. A
    /// key that does not match its table's schema cancels the request with
    /// a `ValidationError` reason at that `Get`.
    pub fn transact_get_items(
        &self,
        input: TransactGetItemsInput,
    ) -> Result<TransactGetItemsOutput, DynamoError> {
        check_members(None, input.transact_items.len())?;
        let projections = input
            .transact_items
            .iter()
            .map(|a| {
                let params = ExprParams {
                    names: a.get.expression_attribute_names.as_ref(),
                    projection: a.get.projection_expression.as_deref(),
                    ..ExprParams::default()
                };
                params.prepare().map(|p| p.projection)
            })
            .collect::<Result<Vec<Option<Vec<Path>>>, _>>()?;

        let n = input.transact_items.len();
        let mut reasons = vec![no_reason(); n];
        let mut shape_failed = false;
        let mut targets: Vec<(String, Vec<u8>)> = Vec::with_capacity(n);
        for (i, a) in input.transact_items.iter().enumerate() {
            let Get {
                table_name, key, ..
            } = &a.get;
            let meta = self.table(table_name)?.meta();
            let k = match meta.key_of(key) {
                Ok(k) => k,
                Err(e) if !key_shape_ok(&meta, key, false) => {
                    if let Some(r) = reasons.get_mut(i) {
                        *r = reason("ValidationError", e.message());
                    }
                    shape_failed = true;
                    Vec::new()
                }
                Err(e) => return Err(e),
            };
            targets.push((meta.name.clone(), k));
        }
        let mut seen = HashSet::with_capacity(n);
        for (_, k) in &targets {
            if !k.is_empty() && !seen.insert(k.as_slice()) {
                return Err(DynamoError::validation(MULTIPLE_OPERATIONS));
            }
        }
        if shape_failed {
            return Err(cancelled(reasons));
        }

        let snapshot = self.inner.db.snapshot();
        let mut shares = BTreeMap::new();
        let mut total = 0usize;
        let mut responses = Vec::with_capacity(n);
        for ((table, k), projection) in targets.iter().zip(&projections) {
            let item = match snapshot.get_pinned(k)? {
                Some(bytes) => Some(decode_stored(&bytes)?),
                None => None,
            };
            let size = item.as_ref().map(item_size).unwrap_or(0);
            total += size;
            if total > MAX_TRANSACTION_BYTES {
                return Err(DynamoError::validation(TRANSACTION_TOO_LARGE));
            }
            add_units(&mut shares, table, transactional_read(size), 0.0);
            let item = match (projection, item) {
                (Some(paths), Some(item)) => Some(project(&item, paths)),
                (_, item) => item,
            };
            responses.push(ItemResponse { item });
        }
        Ok(TransactGetItemsOutput {
            responses,
            consumed_capacity: capacity_report(
                input.return_consumed_capacity,
                shares,
                BTreeMap::new(),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancellation_message_lists_every_code_in_order() {
        let e = cancelled(vec![
            no_reason(),
            reason("TransactionConflict", CONFLICT_MESSAGE),
        ]);
        assert_eq!(
            e.message(),
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]"
        );
        assert_eq!(e.name(), "TransactionCanceledException");
    }

    #[test]
    fn member_constraints_come_token_first() {
        let token = "x".repeat(37);
        let e = check_members(Some(&token), 0)
            .err()
            .map(|e| e.message().to_string());
        assert_eq!(
            e.as_deref(),
            Some("1 validation error detected: Value at 'ClientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36")
        );
        assert!(check_members(Some(&"x".repeat(36)), 100).is_ok());
        assert!(check_members(None, 101).is_err());
        assert!(check_members(Some(""), 1).is_err());
    }
}
