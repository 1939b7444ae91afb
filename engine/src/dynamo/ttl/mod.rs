//! Time to Live: UpdateTimeToLive, DescribeTimeToLive, and the sweeper that
//! deletes expired items.
//!
//! A table's TTL setting is one optional attribute of its catalog record
//! (`TtlAttribute`, `format-spec/items.md`, "Catalog records"). A change
//! takes effect at once: siltdb reports `ENABLED` or `DISABLED`, never the
//! transitional `ENABLING`/`DISABLING`, and does not impose DynamoDB's
//! cool-down between changes ("Time to live has been modified multiple
//! times within a fixed interval") — a single-node store has nothing to
//! propagate.
//!
//! **Expiry** (Developer Guide, "How It Works: DynamoDB Time to Live"): an
//! item is expired when its TTL attribute is a top-level Number, read as
//! seconds since the Unix epoch, that is older than the current time but
//! less than five years older. Items without the attribute, with another
//! type, or with a value five years old or more are never deleted. Expired
//! items stay visible to every read until the sweeper deletes them, exactly
//! as in DynamoDB; applications filter them if they must.
//!
//! **The sweeper** (`sweeper.rs`) is a background thread that every
//! [`crate::dynamo::DynamoOptions::ttl_sweep_interval`] scans each
//! TTL-enabled table and deletes its expired items through the normal write
//! path. [`DynamoDb::sweep_expired_now`] runs one sweep in the caller's
//! thread.

pub(crate) mod sweeper;

use crate::dynamo::api::{
    DescribeTimeToLiveInput, DescribeTimeToLiveOutput, TimeToLiveDescription,
    TimeToLiveSpecification, TimeToLiveStatus, UpdateTimeToLiveInput, UpdateTimeToLiveOutput,
};
use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::items::number::Number;
use crate::dynamo::items::value::{AttributeValue, Item};
use crate::dynamo::tables::catalog;
use crate::WriteBatch;

/// Longest TTL attribute name (API model, `TimeToLiveAttributeName`).
pub const MAX_TTL_ATTRIBUTE_NAME: usize = 255;

/// How far in the past an expiry time may be and still count: five years
/// of 365 days. Older values are taken for mistakes and ignored (Developer
/// Guide, "How It Works: DynamoDB Time to Live").
pub const MAX_EXPIRY_AGE_SECS: i64 = 5 * 365 * 24 * 60 * 60;

/// Checks the attribute name against the model's length limits (1–255), in
/// the "N validation error(s) detected" form.
fn check_attribute_name(name: &str) -> Result<(), DynamoError> {
    let len = name.chars().count();
    let bound = if len < 1 {
        "greater than or equal to 1"
    } else if len > MAX_TTL_ATTRIBUTE_NAME {
        "less than or equal to 255"
    } else {
        return Ok(());
    };
    Err(DynamoError::validation(format!(
        "1 validation error detected: Value '{name}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length {bound}"
    )))
}

/// The current time as a Number of seconds (millisecond precision).
fn now_seconds(now_millis: i64) -> Number {
    Number::from_parts(now_millis < 0, u128::from(now_millis.unsigned_abs()), -3)
        .unwrap_or(Number::ZERO)
}

/// The window of expiry times that count as expired at `now_millis`:
/// strictly after the returned lower bound, strictly before the upper.
pub(crate) fn expiry_window(now_millis: i64) -> (Number, Number) {
    let now = now_seconds(now_millis);
    let oldest = now
        .checked_sub(&Number::from(MAX_EXPIRY_AGE_SECS))
        .unwrap_or(Number::ZERO);
    (oldest, now)
}

/// Whether `item` has expired: its `attribute` is a Number strictly inside
/// `window` (see [`expiry_window`]).
pub(crate) fn is_expired(item: &Item, attribute: &str, window: &(Number, Number)) -> bool {
    match item.get(attribute) {
        Some(AttributeValue::N(t)) => *t > window.0 && *t < window.1,
        _ => false,
    }
}

impl DynamoDb {
    /// `UpdateTimeToLive`: enables TTL on an attribute, or disables it.
    ///
    /// Rules and messages as DynamoDB (dynalite's recorded tests; the ACK
    /// lab's ValidationException catalogue, 2026): enabling while enabled
    /// on the same attribute is "TimeToLive is already enabled", on another
    /// attribute "TimeToLive is active on a different AttributeName: current
    /// AttributeName is `<name>`" (disable first); disabling while disabled is
    /// "TimeToLive is already disabled". The response echoes the request's
    /// specification.
    pub fn update_time_to_live(
        &self,
        input: UpdateTimeToLiveInput,
    ) -> Result<UpdateTimeToLiveOutput, DynamoError> {
        let spec = input.time_to_live_specification;
        check_attribute_name(&spec.attribute_name)?;
        let _control = self.control_lock();
        let table = self.control_table(&input.table_name)?;
        let mut meta = (*table.meta()).clone();
        match (&meta.ttl_attribute, spec.enabled) {
            (Some(current), _) if *current != spec.attribute_name => {
                return Err(DynamoError::validation(format!(
                    "TimeToLive is active on a different AttributeName: current AttributeName is {current}"
                )));
            }
            (Some(_), true) => {
                return Err(DynamoError::validation("TimeToLive is already enabled"));
            }
            (None, false) => {
                return Err(DynamoError::validation("TimeToLive is already disabled"));
            }
            (Some(_), false) => meta.ttl_attribute = None,
            (None, true) => meta.ttl_attribute = Some(spec.attribute_name.clone()),
        }
        let mut batch = WriteBatch::new();
        catalog::update(&mut batch, &meta);
        self.commit_control(batch)?;
        table.set_meta(meta);
        Ok(UpdateTimeToLiveOutput {
            time_to_live_specification: TimeToLiveSpecification {
                enabled: spec.enabled,
                attribute_name: spec.attribute_name,
            },
        })
    }

    /// `DescribeTimeToLive`.
    pub fn describe_time_to_live(
        &self,
        input: DescribeTimeToLiveInput,
    ) -> Result<DescribeTimeToLiveOutput, DynamoError> {
        let table = self.control_table(&input.table_name)?;
        let meta = table.meta();
        Ok(DescribeTimeToLiveOutput {
            time_to_live_description: TimeToLiveDescription {
                time_to_live_status: match meta.ttl_attribute {
                    Some(_) => TimeToLiveStatus::Enabled,
                    None => TimeToLiveStatus::Disabled,
                },
                attribute_name: meta.ttl_attribute.clone(),
            },
        })
    }

    /// Deletes every expired item of every TTL-enabled table now, in the
    /// caller's thread, and returns how many it deleted. The background
    /// sweeper does the same every
    /// [`ttl_sweep_interval`](crate::dynamo::DynamoOptions::ttl_sweep_interval);
    /// this is for tests and for applications that turned it off.
    pub fn sweep_expired_now(&self) -> Result<u64, DynamoError> {
        self.sweep_expired()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::dynamo::testutil::n;

    fn item(v: AttributeValue) -> Item {
        [("exp".to_string(), v)].into()
    }

    #[test]
    fn expiry_follows_the_developer_guide() {
        // 2023-11-14T22:13:20.500Z
        let window = expiry_window(1_700_000_000_500);
        let expired = |v: AttributeValue| is_expired(&item(v), "exp", &window);
        assert!(expired(n("1700000000")));
        assert!(expired(n("1700000000.499")));
        assert!(!expired(n("1700000000.5")), "not before now");
        assert!(!expired(n("1700000001")));
        assert!(expired(n("1600000000")));
        let five_years = 1_700_000_000 - MAX_EXPIRY_AGE_SECS;
        assert!(!expired(n(format!("{five_years}.5"))), "exactly five years");
        assert!(expired(n(format!("{five_years}.501"))));
        assert!(!expired(n("0")));
        assert!(!expired(n("-5")));
        assert!(expired(n("1.7E+9")));
        assert!(!expired(AttributeValue::S("1600000000".into())));
        assert!(!expired(AttributeValue::Ns(
            [Number::from(1_600_000_000_i64)].into()
        )));
        assert!(!is_expired(&item(n("1600000000")), "other", &window));
        let nested = item(AttributeValue::M(BTreeMap::from([(
            "exp".to_string(),
            n("1600000000"),
        )])));
        assert!(!is_expired(&nested, "x", &window));
    }

    #[test]
    fn attribute_names_are_1_to_255_characters() {
        assert!(check_attribute_name("a").is_ok());
        assert!(check_attribute_name(&"é".repeat(255)).is_ok());
        assert_eq!(
            check_attribute_name("").expect_err("empty").message(),
            "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        assert!(check_attribute_name(&"a".repeat(256))
            .expect_err("long")
            .message()
            .ends_with("Member must have length less than or equal to 255"));
    }
}
