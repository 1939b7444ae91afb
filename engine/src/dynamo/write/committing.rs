//! An item write whose commit may still be in flight: what the pipeline
//! hands back once a write is staged and queued, and [`Committing`], the
//! future a caller awaits (or blocks on) for the operation's output.
//!
//! The pipeline (`pipeline.rs`) queues a write with
//! [`Db::write_async_then`](crate::Db::write_async_then): everything the
//! write holds until it is committed — its tables' gates, its item and
//! collection locks, its stream sequence numbers, a transaction's token
//! claim — goes to the engine's completion hook, which releases it the
//! moment the write is durable and visible (or failed). Nothing the write
//! holds waits for the awaiting task to be polled, so a server can await
//! commits on a few runtime threads without a lock waiter blocking the
//! thread a lock holder needs, and a dropped future neither releases locks
//! early nor leaks them.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};

use crate::dynamo::clock::Clock;
use crate::dynamo::db::{DynamoDb, Inner};
use crate::dynamo::error::DynamoError;
use crate::dynamo::streams::sequence::Reservation;
use crate::dynamo::tables::table::{Gate, Table};
use crate::dynamo::write::idempotency::TokenClaim;
use crate::dynamo::write::locks::ItemGuard;
use crate::Commit;

thread_local! {
    /// True while [`wait_here`] starts a blocking item operation on this
    /// thread.
    static LEAD_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Runs a blocking item operation: `start` checks and stages the write
/// and queues its commit, then this thread waits for it. Since it waits at
/// once, the commit `start` queues is led by this thread (as a plain
/// [`Db::write`](crate::Db::write) is) rather than handed to the engine's
/// commit thread, which would cost a wake-up and a thread switch per
/// write.
pub(crate) fn wait_here<T>(start: impl FnOnce() -> Committing<T>) -> Result<T, DynamoError> {
    /// Restores the flag, also if `start` unwinds.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            LEAD_HERE.set(self.0);
        }
    }
    let committing = {
        let _restore = Restore(LEAD_HERE.replace(true));
        start()
    };
    committing.wait()
}

/// True if a commit queued now is to be led by the calling thread
/// ([`wait_here`]).
pub(crate) fn lead_here() -> bool {
    LEAD_HERE.get()
}

/// What a write holds from its locks until its commit ends, released in
/// this order by [`Held::release`]: stream sequence numbers (the records
/// are visible, or never will be), then — on success — the tables are
/// touched and the token claim completed, then collection locks, item
/// locks and table gates. Dropped without `release` (a write that failed
/// before its commit), the fields drop in the same order and the claim is
/// given up.
#[derive(Default)]
pub(crate) struct Held {
    pub reservations: Vec<Reservation>,
    /// Tables whose items the write changed.
    pub touched: Vec<Arc<Table>>,
    /// A TransactWriteItems `ClientRequestToken`, completed on success.
    pub claim: Option<(TokenClaim, Arc<dyn Clock>)>,
    pub collection_guards: Vec<ItemGuard>,
    pub guards: Vec<ItemGuard>,
    pub gates: Vec<Gate>,
}

impl Held {
    /// Releases everything once the write ended with `committed` (`true`:
    /// it is durable and visible).
    pub fn release(self, committed: bool) {
        let Held {
            reservations,
            touched,
            claim,
            collection_guards,
            guards,
            gates,
        } = self;
        drop(reservations);
        if committed {
            for t in &touched {
                t.touch();
            }
            if let Some((claim, clock)) = claim {
                claim.complete(clock.now_millis());
            }
        }
        drop(collection_guards);
        drop(guards);
        drop(gates);
    }
}

/// The commit of a staged write, queued: the engine's [`Commit`] (none when
/// nothing was staged) and the tables whose streams are due for a trim
/// once it succeeds.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    pub commit: Option<Commit>,
    pub trim_due: Vec<u32>,
}

impl Pending {
    /// Blocks until the write is committed, then has its streams trimmed.
    pub fn wait(self, db: &DynamoDb) -> Result<(), DynamoError> {
        if let Some(c) = self.commit {
            c.wait()?;
        }
        db.trim_streams(&self.trim_due);
        Ok(())
    }
}

/// Has the streams of `trim_due` trimmed, if the database is still open
/// (a pending write does not keep it open).
fn trim(db: &Weak<Inner>, trim_due: &[u32]) {
    if trim_due.is_empty() {
        return;
    }
    if let Some(inner) = db.upgrade() {
        DynamoDb::from_inner(inner).trim_streams(trim_due);
    }
}

/// An item write (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
/// TransactWriteItems) whose checks are done and whose output is known,
/// waiting for its commit: a future resolving to the operation's output
/// once the write is durable (unless the engine was opened with sync off)
/// and visible, or to the error the write met.
///
/// The `*_async` methods of [`DynamoDb`] return it; the blocking methods
/// are those followed by [`Committing::wait`]. The write's locks are
/// released when it commits, whether or not this future is polled or kept;
/// dropping it does not cancel the write.
#[must_use = "the write is queued; await or wait on it to learn whether it committed"]
pub struct Committing<T> {
    state: Option<State<T>>,
}

enum State<T> {
    Failed(DynamoError),
    Queued {
        output: T,
        commit: Option<Commit>,
        trim_due: Vec<u32>,
        db: Weak<Inner>,
    },
}

impl<T> std::fmt::Debug for Committing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            None => "finished",
            Some(State::Failed(_)) => "failed",
            Some(State::Queued { .. }) => "queued",
        };
        f.debug_struct("Committing")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl<T> Committing<T> {
    /// The write `started` on `db`: its output and pending commit, or the
    /// error that ended it before anything was queued.
    pub(crate) fn new(db: &DynamoDb, started: Result<(T, Pending), DynamoError>) -> Committing<T> {
        let state = match started {
            Ok((output, pending)) => State::Queued {
                output,
                commit: pending.commit,
                trim_due: pending.trim_due,
                db: db.downgrade(),
            },
            Err(e) => State::Failed(e),
        };
        Committing { state: Some(state) }
    }

    /// Blocks the calling thread until the write is committed.
    pub fn wait(mut self) -> Result<T, DynamoError> {
        match self.state.take() {
            Some(State::Failed(e)) => Err(e),
            Some(State::Queued {
                output,
                commit,
                trim_due,
                db,
            }) => {
                if let Some(c) = commit {
                    c.wait()?;
                }
                trim(&db, &trim_due);
                Ok(output)
            }
            None => Err(polled_after_completion()),
        }
    }
}

fn polled_after_completion() -> DynamoError {
    DynamoError::InternalServerError("an item write was polled after it completed".into())
}

impl<T: Unpin> Future for Committing<T> {
    type Output = Result<T, DynamoError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(State::Queued {
            commit: commit @ Some(_),
            ..
        }) = &mut self.state
        {
            let Some(c) = commit.as_mut() else {
                return Poll::Pending;
            };
            match Pin::new(c).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) => *commit = None,
                Poll::Ready(Err(e)) => {
                    self.state = None;
                    return Poll::Ready(Err(e.into()));
                }
            }
        }
        match self.state.take() {
            Some(State::Failed(e)) => Poll::Ready(Err(e)),
            Some(State::Queued {
                output,
                trim_due,
                db,
                ..
            }) => {
                // Rare (a table's stream at most every 10 seconds) and
                // bounded: waits for the trim thread, which needs no
                // runtime thread to finish.
                trim(&db, &trim_due);
                Poll::Ready(Ok(output))
            }
            None => Poll::Ready(Err(polled_after_completion())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done() -> Committing<u32> {
        Committing {
            state: Some(State::Failed(DynamoError::InternalServerError("x".into()))),
        }
    }

    #[test]
    fn commits_are_led_here_only_while_a_blocking_operation_starts() {
        assert!(!lead_here());
        let seen = std::cell::Cell::new(false);
        let r = wait_here(|| {
            seen.set(lead_here());
            done()
        });
        assert!(r.is_err());
        assert!(seen.get(), "the operation's commit is led by its thread");
        assert!(!lead_here(), "and only while it starts");
    }

    #[test]
    fn the_flag_is_restored_when_the_operation_unwinds() {
        let unwound =
            std::panic::catch_unwind(|| wait_here::<u32>(|| panic!("start failed")).is_ok());
        assert!(unwound.is_err());
        assert!(!lead_here(), "an async write on this thread must not block");
    }
}
