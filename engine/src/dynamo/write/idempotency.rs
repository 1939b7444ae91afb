//! `ClientRequestToken`s of TransactWriteItems: the cache that makes a
//! retried transaction idempotent.
//!
//! API reference, TransactWriteItems `ClientRequestToken`: "A client request
//! token is valid for 10 minutes after the first request that uses it is
//! completed. After 10 minutes, any request with the same client token is
//! treated as a new request. [...] If you submit a request with the same
//! client token but a change in other parameters within the 10-minute
//! idempotency window, DynamoDB returns an IdempotentParameterMismatch
//! exception."
//!
//! What we keep per token is a 128-bit fingerprint of the request (every
//! parameter, in a canonical encoding), not the request, so an entry costs
//! the same whatever the transaction's size. Only transactions that
//! committed are remembered: a cancelled or failed one may be retried with
//! the same token and runs again. A second request with a token whose first
//! request is still running waits for it, then answers as a repeat.
//!
//! The cache lives in memory: it does not survive a restart (a retry that
//! crosses a restart runs again). It is bounded: expired entries are evicted
//! as new ones arrive, and at most [`MAX_TOKENS`] are kept — past that the
//! oldest is forgotten early.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use xxhash_rust::xxh3::xxh3_128;

use crate::dynamo::api::{
    AttributeNames, AttributeValues, ReturnConsumedCapacity, ReturnItemCollectionMetrics,
    ReturnValuesOnConditionCheckFailure, TransactWriteItem, TransactWriteItemsInput,
};
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::codec::{encode_item, encode_value};
use crate::dynamo::items::value::Item;

/// How long a token is remembered after its transaction completed.
pub const TOKEN_LIFETIME_MILLIS: i64 = 10 * 60 * 1000;

/// Most tokens remembered at once. At this many, the oldest is dropped
/// before it expires (a repeat of it would then run again).
pub const MAX_TOKENS: usize = 1_000_000;

/// A request's fingerprint: equal requests, equal fingerprints.
pub type Fingerprint = u128;

/// The message of `IdempotentParameterMismatchException` (API reference,
/// "Common errors"/TransactWriteItems errors: the exception's description).
pub const MISMATCH_MESSAGE: &str = "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.";

#[derive(Debug, Clone, Copy)]
enum State {
    /// A request with this token is running.
    Running(Fingerprint),
    /// A request with this token committed at `at` (ms since the epoch).
    Done { fingerprint: Fingerprint, at: i64 },
}

#[derive(Debug, Default)]
struct Inner {
    tokens: HashMap<String, State>,
    /// `(completion time, token)` of every `Done` entry, oldest first.
    order: VecDeque<(i64, String)>,
}

impl Inner {
    /// Drops expired entries and, beyond [`MAX_TOKENS`], the oldest ones.
    fn evict(&mut self, now: i64) {
        while let Some((at, token)) = self.order.front() {
            let expired = now.saturating_sub(*at) >= TOKEN_LIFETIME_MILLIS;
            if !expired && self.tokens.len() <= MAX_TOKENS {
                break;
            }
            let at = *at;
            if let Some(State::Done { at: done_at, .. }) = self.tokens.get(token) {
                if *done_at == at {
                    self.tokens.remove(token);
                }
            }
            self.order.pop_front();
        }
    }
}

/// The token cache of one [`crate::dynamo::DynamoDb`].
#[derive(Debug, Default)]
pub struct TokenCache {
    inner: Mutex<Inner>,
    changed: Condvar,
}

/// What to do with a request carrying a token.
#[derive(Debug)]
pub enum Claim {
    /// Run it; call [`TokenClaim::complete`] once it committed.
    Run(TokenClaim),
    /// The same request committed less than 10 minutes ago: do not run it
    /// again, answer success.
    Repeat,
}

/// The right to run the request of one token. Dropped without
/// [`TokenClaim::complete`] (the transaction failed), the token is free again.
#[derive(Debug)]
pub struct TokenClaim {
    cache: Arc<TokenCache>,
    token: String,
    fingerprint: Fingerprint,
    completed: bool,
}

impl TokenCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Only whole-map inserts and removes happen under this lock; a panic
        // elsewhere cannot leave it half-updated.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims `token` for a request with `fingerprint` at time `now()`.
    ///
    /// Waits while another request with the same token and fingerprint is
    /// running. Fails with `IdempotentParameterMismatchException` when the
    /// token belongs to a different request (running, or completed within
    /// [`TOKEN_LIFETIME_MILLIS`]).
    pub fn claim(
        self: &Arc<Self>,
        token: &str,
        fingerprint: Fingerprint,
        now: impl Fn() -> i64,
    ) -> Result<Claim, DynamoError> {
        let mut inner = self.lock();
        loop {
            inner.evict(now());
            match inner.tokens.entry(token.to_string()) {
                Entry::Vacant(v) => {
                    v.insert(State::Running(fingerprint));
                    return Ok(Claim::Run(TokenClaim {
                        cache: Arc::clone(self),
                        token: token.to_string(),
                        fingerprint,
                        completed: false,
                    }));
                }
                Entry::Occupied(o) => match *o.get() {
                    State::Running(f) | State::Done { fingerprint: f, .. } if f != fingerprint => {
                        return Err(DynamoError::IdempotentParameterMismatchException(
                            MISMATCH_MESSAGE.to_string(),
                        ));
                    }
                    State::Done { .. } => return Ok(Claim::Repeat),
                    State::Running(_) => {
                        inner = self.changed.wait(inner).unwrap_or_else(|p| p.into_inner());
                    }
                },
            }
        }
    }

    /// Number of tokens remembered (running or completed).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().tokens.len()
    }

    /// Whether no token is remembered.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl TokenClaim {
    /// Records that the request committed at `now` (ms since the epoch).
    pub fn complete(mut self, now: i64) {
        self.completed = true;
        let mut inner = self.cache.lock();
        inner.tokens.insert(
            self.token.clone(),
            State::Done {
                fingerprint: self.fingerprint,
                at: now,
            },
        );
        inner.order.push_back((now, self.token.clone()));
        inner.evict(now);
        drop(inner);
        self.cache.changed.notify_all();
    }
}

impl Drop for TokenClaim {
    fn drop(&mut self) {
        if self.completed {
            return;
        }
        let mut inner = self.cache.lock();
        if matches!(inner.tokens.get(&self.token), Some(State::Running(_))) {
            inner.tokens.remove(&self.token);
        }
        drop(inner);
        self.cache.changed.notify_all();
    }
}

/// Canonical bytes of a request, for [`fingerprint`]: every field in a fixed
/// order, lengths before contents, maps sorted by key.
#[derive(Default)]
struct Canon(Vec<u8>);

impl Canon {
    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(&(b.len() as u64).to_le_bytes());
        self.0.extend_from_slice(b);
    }

    fn tag(&mut self, t: u8) {
        self.0.push(t);
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.tag(1);
                self.bytes(s.as_bytes());
            }
            None => self.tag(0),
        }
    }

    fn item(&mut self, item: &Item) {
        let mut buf = Vec::new();
        encode_item(item, &mut buf);
        self.bytes(&buf);
    }

    fn names(&mut self, names: Option<&AttributeNames>) {
        let Some(names) = names else {
            return self.tag(0);
        };
        self.tag(1);
        let mut pairs: Vec<_> = names.iter().collect();
        pairs.sort();
        self.0
            .extend_from_slice(&(pairs.len() as u64).to_le_bytes());
        for (k, v) in pairs {
            self.bytes(k.as_bytes());
            self.bytes(v.as_bytes());
        }
    }

    fn values(&mut self, values: Option<&AttributeValues>) {
        let Some(values) = values else {
            return self.tag(0);
        };
        self.tag(1);
        let mut pairs: Vec<_> = values.iter().collect();
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        self.0
            .extend_from_slice(&(pairs.len() as u64).to_le_bytes());
        for (k, v) in pairs {
            self.bytes(k.as_bytes());
            let mut buf = Vec::new();
            encode_value(v, &mut buf);
            self.bytes(&buf);
        }
    }

    fn on_failure(&mut self, v: Option<ReturnValuesOnConditionCheckFailure>) {
        self.opt_str(v.map(ReturnValuesOnConditionCheckFailure::as_str));
    }
}

/// The fingerprint of a TransactWriteItems request: every parameter except
/// the token itself.
pub fn fingerprint(input: &TransactWriteItemsInput) -> Fingerprint {
    let mut c = Canon::default();
    c.opt_str(
        input
            .return_consumed_capacity
            .map(ReturnConsumedCapacity::as_str),
    );
    c.opt_str(
        input
            .return_item_collection_metrics
            .map(ReturnItemCollectionMetrics::as_str),
    );
    c.0.extend_from_slice(&(input.transact_items.len() as u64).to_le_bytes());
    for action in &input.transact_items {
        match action {
            TransactWriteItem::ConditionCheck(a) => {
                c.tag(b'C');
                c.bytes(a.table_name.as_bytes());
                c.item(&a.key);
                c.opt_str(Some(&a.condition_expression));
                c.names(a.expression_attribute_names.as_ref());
                c.values(a.expression_attribute_values.as_ref());
                c.on_failure(a.return_values_on_condition_check_failure);
            }
            TransactWriteItem::Put(a) => {
                c.tag(b'P');
                c.bytes(a.table_name.as_bytes());
                c.item(&a.item);
                c.opt_str(a.condition_expression.as_deref());
                c.names(a.expression_attribute_names.as_ref());
                c.values(a.expression_attribute_values.as_ref());
                c.on_failure(a.return_values_on_condition_check_failure);
            }
            TransactWriteItem::Update(a) => {
                c.tag(b'U');
                c.bytes(a.table_name.as_bytes());
                c.item(&a.key);
                c.opt_str(Some(&a.update_expression));
                c.opt_str(a.condition_expression.as_deref());
                c.names(a.expression_attribute_names.as_ref());
                c.values(a.expression_attribute_values.as_ref());
                c.on_failure(a.return_values_on_condition_check_failure);
            }
            TransactWriteItem::Delete(a) => {
                c.tag(b'D');
                c.bytes(a.table_name.as_bytes());
                c.item(&a.key);
                c.opt_str(a.condition_expression.as_deref());
                c.names(a.expression_attribute_names.as_ref());
                c.values(a.expression_attribute_values.as_ref());
                c.on_failure(a.return_values_on_condition_check_failure);
            }
        }
    }
    xxh3_128(&c.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::api::{Put, TransactWriteItem};
    use crate::dynamo::AttributeValue;

    fn claim_runs(c: &Arc<TokenCache>, token: &str, f: Fingerprint, now: i64) -> bool {
        match c.claim(token, f, || now) {
            Ok(Claim::Run(claim)) => {
                claim.complete(now);
                true
            }
            Ok(Claim::Repeat) => false,
            Err(e) => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn repeat_within_lifetime_mismatch_and_expiry() {
        let c = Arc::new(TokenCache::default());
        assert!(claim_runs(&c, "t", 1, 0));
        assert!(!claim_runs(&c, "t", 1, TOKEN_LIFETIME_MILLIS - 1));
        assert_eq!(
            c.claim("t", 2, || 5).err().map(|e| e.name()),
            Some("IdempotentParameterMismatchException")
        );
        assert!(claim_runs(&c, "t", 2, TOKEN_LIFETIME_MILLIS));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn a_failed_run_frees_the_token_and_expired_entries_are_evicted() {
        let c = Arc::new(TokenCache::default());
        match c.claim("t", 1, || 0) {
            Ok(Claim::Run(claim)) => drop(claim),
            other => panic!("unexpected {other:?}"),
        }
        assert!(c.is_empty());
        for i in 0..100 {
            assert!(claim_runs(&c, &format!("k{i}"), 1, i));
        }
        assert_eq!(c.len(), 100);
        assert!(claim_runs(&c, "late", 1, 10 * TOKEN_LIFETIME_MILLIS));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn fingerprint_ignores_map_order_and_the_token() {
        let mut names_a = AttributeNames::new();
        let mut names_b = AttributeNames::new();
        for i in 0..20 {
            names_a.insert(format!("#n{i}"), format!("a{i}"));
        }
        for i in (0..20).rev() {
            names_b.insert(format!("#n{i}"), format!("a{i}"));
        }
        let input = |names: AttributeNames, token: &str| TransactWriteItemsInput {
            transact_items: vec![TransactWriteItem::Put(Put {
                table_name: "t".into(),
                item: [("pk".to_string(), AttributeValue::S("x".into()))].into(),
                condition_expression: Some("attribute_not_exists(#n0)".into()),
                expression_attribute_names: Some(names),
                ..Put::default()
            })],
            client_request_token: Some(token.into()),
            ..TransactWriteItemsInput::default()
        };
        let a = input(names_a, "one");
        let b = input(names_b.clone(), "two");
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let mut c = input(names_b, "one");
        c.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }
}
