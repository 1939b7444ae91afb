//! Counts of the DynamoDB layer's background failures: work no request
//! waits for (index backfills, restores, TTL sweeps, reclaiming deleted
//! ranges, stream trims, removing a deleted backup's files). Each failure
//! is also logged through `tracing` where it happens; the counts let a
//! caller notice without a subscriber. The storage engine's own background
//! failures are in [`crate::Stats::background_errors`].

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// The live counters, shared by the background threads.
#[derive(Debug, Default)]
pub(crate) struct FailureCounters {
    pub index_backfills: AtomicU64,
    pub restores: AtomicU64,
    pub ttl_sweeps: AtomicU64,
    pub reclaims: AtomicU64,
    pub stream_trims: AtomicU64,
    pub backup_removals: AtomicU64,
}

impl FailureCounters {
    /// Counts one failure in `counter`.
    pub fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts now.
    pub fn snapshot(&self) -> BackgroundFailures {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        BackgroundFailures {
            index_backfills: get(&self.index_backfills),
            restores: get(&self.restores),
            ttl_sweeps: get(&self.ttl_sweeps),
            reclaims: get(&self.reclaims),
            stream_trims: get(&self.stream_trims),
            backup_removals: get(&self.backup_removals),
        }
    }
}

/// How many times each kind of background work of the DynamoDB layer has
/// failed since the database was opened ([`crate::dynamo::DynamoDb::background_failures`]).
/// Every one of them is retried (at the next open, sweep interval or
/// write, as each field says) and logged through `tracing`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackgroundFailures {
    /// Global secondary index backfills that stopped; the index stays
    /// `CREATING` (DescribeTable's `backfill_error` says why) and the
    /// backfill starts again at the next open.
    pub index_backfills: u64,
    /// Restores from a backup that stopped; they start again at the next
    /// open.
    pub restores: u64,
    /// TTL sweeps that failed; retried at the next interval.
    pub ttl_sweeps: u64,
    /// Deleted tables' or indexes' key ranges not emptied; retried at the
    /// next open.
    pub reclaims: u64,
    /// Trims of expired stream records that failed; retried at a later
    /// write.
    pub stream_trims: u64,
    /// Deleted backups whose files could not be removed; removed at the
    /// next open.
    pub backup_removals: u64,
}

impl BackgroundFailures {
    /// All failures together.
    pub fn total(&self) -> u64 {
        self.index_backfills
            + self.restores
            + self.ttl_sweeps
            + self.reclaims
            + self.stream_trims
            + self.backup_removals
    }
}

impl fmt::Display for BackgroundFailures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "background failures: index backfills {}, restores {}, TTL sweeps {}, \
             reclaims {}, stream trims {}, backup removals {}",
            self.index_backfills,
            self.restores,
            self.ttl_sweeps,
            self.reclaims,
            self.stream_trims,
            self.backup_removals
        )
    }
}
