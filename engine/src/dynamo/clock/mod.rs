//! Time as the DynamoDB layer sees it, injectable so tests can move it,
//! and the calendar (`calendar.rs`).

pub mod calendar;

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of wall-clock time (creation times, TTL expiry).
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to (for tests).
#[derive(Debug, Default)]
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    /// A clock reading `millis` since the epoch.
    pub fn new(millis: i64) -> ManualClock {
        ManualClock {
            millis: AtomicI64::new(millis),
        }
    }

    /// Sets the time.
    pub fn set_millis(&self, millis: i64) {
        self.millis.store(millis, Ordering::SeqCst);
    }

    /// Moves the time forward by `millis`.
    pub fn advance_millis(&self, millis: i64) {
        self.millis.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.millis.load(Ordering::SeqCst)
    }
}

/// Milliseconds since the epoch of a DynamoDB timestamp given in seconds
/// (rounded down); saturating at the ends of `i64`. Callers check that
/// `seconds` is finite first.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a float-to-int `as` saturates, which is the rule wanted here"
)]
pub(crate) fn millis_of_seconds(seconds: f64) -> i64 {
    (seconds * 1000.0).floor() as i64
}
