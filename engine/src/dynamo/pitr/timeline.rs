//! Clock samples: which sequence numbers were written before which second
//! (format-spec/items.md, "Clock samples"; design in format-spec/pitr.md).
//!
//! While some table has point-in-time recovery enabled, the first write
//! committed in each second of the injectable clock carries, in its own
//! batch, a sample: key the second `s`, value the engine's latest visible
//! sequence number `S` when the write was staged. Every write numbered up
//! to `S` was made before second `s`, and the write carrying the sample and
//! every later one at or after it. The state at the end of second `T` is
//! then the sequence number of the first sample after `T` (or, if none,
//! the latest). The sample is in the batch of the write it dates, so a
//! crash keeps both or neither.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Mutex;

use crate::dynamo::db::DynamoDb;
use crate::dynamo::error::DynamoError;
use crate::dynamo::keys::layout;
use crate::{Db, WriteBatch};

/// Clock samples older than needed are deleted by the refresh at most this
/// often (and history floors raised): once a minute of the clock.
const REFRESH_EVERY_MILLIS: i64 = 60_000;

/// The sampling state.
#[derive(Debug, Default)]
pub(crate) struct Timeline {
    /// The second of the newest sample written (or found at open).
    last_second: Mutex<i64>,
    /// Some table has point-in-time recovery enabled: sample.
    active: AtomicBool,
    /// When the next refresh of the history ranges is due (clock ms).
    next_refresh_millis: AtomicI64,
}

impl Timeline {
    /// Turns sampling on or off.
    pub fn set_active(&self, active: bool) {
        self.active.store(active, Ordering::SeqCst);
    }
}

/// The key of the sample for Unix second `second`.
pub(crate) fn sample_key(second: u64) -> Vec<u8> {
    layout::catalog_key(layout::CATALOG_CLOCK_SAMPLE, &second.to_be_bytes())
}

/// Reads a sample record back: `(second, sequence)`.
pub(crate) fn decode_sample(key: &[u8], value: &[u8]) -> Result<(u64, u64), DynamoError> {
    let corrupt = || DynamoError::InternalServerError("corrupt clock sample record".to_string());
    let prefix = layout::catalog_prefix(layout::CATALOG_CLOCK_SAMPLE);
    let second: [u8; 8] = key
        .strip_prefix(prefix.as_slice())
        .and_then(|s| s.try_into().ok())
        .ok_or_else(corrupt)?;
    let seq: [u8; 8] = value.try_into().map_err(|_| corrupt())?;
    Ok((u64::from_be_bytes(second), u64::from_be_bytes(seq)))
}

/// The second of the newest sample in `db`, if any.
pub(crate) fn newest_sample(db: &Db) -> Result<Option<u64>, DynamoError> {
    let prefix = layout::catalog_prefix(layout::CATALOG_CLOCK_SAMPLE);
    let Some(end) = layout::prefix_end(&prefix) else {
        return Ok(None);
    };
    let mut it = db.iter()?;
    it.seek_for_prev(&end)?;
    if it.valid() && it.key().starts_with(&prefix) {
        return decode_sample(it.key(), it.value()).map(|(s, _)| Some(s));
    }
    Ok(None)
}

impl DynamoDb {
    /// Starts sampling after the newest sample `db` holds.
    pub(crate) fn open_timeline(&self) -> Result<(), DynamoError> {
        let newest = newest_sample(&self.inner.db)?;
        let t = &self.inner.timeline;
        *t.last_second.lock().unwrap_or_else(|p| p.into_inner()) =
            newest.map_or(-1, |s| i64::try_from(s).unwrap_or(i64::MAX));
        Ok(())
    }

    /// Adds to `batch` (a write about to be queued) the sample of the
    /// current second if it is the second's first write, and asks for a
    /// refresh of the history ranges when one is due.
    pub(crate) fn stamp(&self, batch: &mut WriteBatch) {
        let t = &self.inner.timeline;
        if !t.active.load(Ordering::SeqCst) || batch.is_empty() {
            return;
        }
        let now = self.inner.opts.clock.now_millis();
        let second = now.div_euclid(1000);
        if second < 0 {
            return;
        }
        {
            let mut last = t.last_second.lock().unwrap_or_else(|p| p.into_inner());
            // A clock that went back dates its writes to the later second.
            if second > *last {
                let seq = self.inner.db.latest_sequence();
                batch.put(&sample_key(second as u64), &seq.to_be_bytes());
                *last = second;
            }
        }
        let due = t.next_refresh_millis.load(Ordering::SeqCst);
        if now >= due
            && t.next_refresh_millis
                .compare_exchange(
                    due,
                    now + REFRESH_EVERY_MILLIS,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                )
                .is_ok()
        {
            self.inner.pitr_refresher.send(());
        }
    }

    /// The sequence number of the state at the end of Unix second `second`:
    /// every write made before second `second + 1`.
    pub(crate) fn sequence_at_end_of(&self, second: i64) -> Result<u64, DynamoError> {
        let db = &self.inner.db;
        let latest = db.latest_sequence();
        let Ok(after) = u64::try_from(second.saturating_add(1).max(0)) else {
            return Ok(latest);
        };
        let prefix = layout::catalog_prefix(layout::CATALOG_CLOCK_SAMPLE);
        let mut it = db.iter()?;
        it.seek(&sample_key(after))?;
        if it.valid() && it.key().starts_with(&prefix) {
            return decode_sample(it.key(), it.value()).map(|(_, seq)| seq);
        }
        Ok(latest)
    }

    /// Deletes every sample of a second up to `through` (inclusive).
    pub(crate) fn trim_samples(&self, through: i64) -> Result<(), DynamoError> {
        let prefix = layout::catalog_prefix(layout::CATALOG_CLOCK_SAMPLE);
        let mut it = self.inner.db.iter()?;
        it.seek(&prefix)?;
        let mut batch = WriteBatch::new();
        while it.valid() && it.key().starts_with(&prefix) {
            let (second, _) = decode_sample(it.key(), it.value())?;
            if i64::try_from(second).map_or(true, |s| s > through) {
                break;
            }
            batch.delete(it.key());
            it.next()?;
        }
        drop(it);
        if !batch.is_empty() {
            self.commit_control(batch)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{decode_hex_vector, encode_hex_vector};

    const VECTOR: &str = include_str!("../../../../format-spec/vectors/clock-sample.hex");

    /// The vector holds the key, then the value, of the sample for second
    /// 1 700 000 000 at sequence number 4242.
    #[test]
    fn clock_sample_vector_decodes() {
        let bytes = decode_hex_vector(VECTOR);
        let (key, value) = bytes.split_at(bytes.len() - 8);
        assert_eq!(decode_sample(key, value).ok(), Some((1_700_000_000, 4242)));
        let mut encoded = sample_key(1_700_000_000);
        encoded.extend_from_slice(&4242u64.to_be_bytes());
        assert_eq!(encoded, bytes, "{}", encode_hex_vector(&encoded));
        assert!(decode_sample(key, &value[1..]).is_err());
        assert!(decode_sample(&key[1..], value).is_err());
    }
}
