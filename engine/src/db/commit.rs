//! Commits a caller can await: [`Commit`], the ticket of one queued write.
//!
//! Every write in the group-commit queue (`write.rs`) carries a [`Ticket`]:
//! the slot its result lands in and who to tell. A thread that called
//! [`Db::write`](crate::Db::write) parks on its ticket and leads a group
//! when its write reaches the front, as before. A write submitted with
//! [`Db::write_async`](crate::Db::write_async) parks nothing: its ticket
//! holds a task's [`Waker`], and when it reaches the front the engine's
//! commit thread leads the group for it. Either way the leader completes
//! every member's ticket only after the group is durable (the fsync that
//! covers it, when any member asked for one) and published to readers.
//!
//! A ticket may also carry a completion hook, run by the leader before the
//! waiter hears of the result: whatever the write holds until it is
//! committed (a caller's item locks, say) is released there, on time, even
//! if the future awaiting it is dropped or its task is slow to be polled.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread::Thread;

use super::DbInner;
use crate::error::{Error, Result};

/// Run once with a write's result, before its waiter sees it.
pub type OnCommitted = Box<dyn FnOnce(&Result<()>) + Send + 'static>;

/// Where a queued write's result goes.
pub(super) struct Ticket {
    slot: Mutex<Slot>,
}

struct Slot {
    result: Option<Result<()>>,
    /// Set once the result has been taken by the waiter.
    taken: bool,
    /// The task awaiting the write.
    waker: Option<Waker>,
    /// The thread waiting for the write.
    thread: Option<Thread>,
    on_committed: Option<OnCommitted>,
}

fn lock_slot(t: &Ticket) -> MutexGuard<'_, Slot> {
    // A slot is only ever assigned whole; a panic elsewhere cannot leave it
    // half-updated.
    t.slot.lock().unwrap_or_else(|p| p.into_inner())
}

impl Ticket {
    /// A ticket for a write awaited by `thread` (or, if `None`, by a task
    /// that registers its waker when it polls).
    pub(super) fn new(thread: Option<Thread>, on_committed: Option<OnCommitted>) -> Arc<Ticket> {
        Arc::new(Ticket {
            slot: Mutex::new(Slot {
                result: None,
                taken: false,
                waker: None,
                thread,
                on_committed,
            }),
        })
    }

    /// A ticket whose write ended before it was queued.
    pub(super) fn done(result: Result<()>, on_committed: Option<OnCommitted>) -> Arc<Ticket> {
        let t = Ticket::new(None, on_committed);
        t.complete(result);
        t
    }

    /// Records the write's result: runs the completion hook, then stores the
    /// result and wakes the waiter. Called once per ticket, by the group's
    /// leader, after the group is durable and visible (or failed), without
    /// the state lock.
    pub(super) fn complete(&self, result: Result<()>) {
        let hook = lock_slot(self).on_committed.take();
        if let Some(hook) = hook {
            // A panicking hook must not take the leader (the commit thread,
            // or another writer) down with it and strand the queue.
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(&result)));
            if ran.is_err() {
                tracing::error!("a commit completion hook panicked");
            }
        }
        let (waker, thread) = {
            let mut s = lock_slot(self);
            s.result = Some(result);
            (s.waker.take(), s.thread.clone())
        };
        if let Some(w) = waker {
            w.wake();
        }
        if let Some(t) = thread {
            t.unpark();
        }
    }

    /// Takes the result if it is there.
    pub(super) fn take(&self) -> Option<Result<()>> {
        let mut s = lock_slot(self);
        let r = s.result.take();
        if r.is_some() {
            s.taken = true;
        }
        r
    }

    /// Makes `thread` the one to unpark when the result arrives.
    pub(super) fn wait_on_thread(&self, thread: Thread) {
        lock_slot(self).thread = Some(thread);
    }

    fn poll(&self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let mut s = lock_slot(self);
        if let Some(r) = s.result.take() {
            s.taken = true;
            return Poll::Ready(r);
        }
        if s.taken {
            return Poll::Ready(Err(Error::InvalidArgument(
                "a commit was polled again after it completed".into(),
            )));
        }
        match &mut s.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            w => *w = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

/// A write submitted with [`Db::write_async`](crate::Db::write_async): a
/// future that resolves once the write is committed.
///
/// It resolves `Ok` only when the write is applied, visible to reads and —
/// if it asked for durability — on disk (the fsync covering it returned).
/// It resolves to the error the write met otherwise: the first failure of
/// a WAL append or sync is the group's (every member of the group gets it,
/// none gets `Ok`), and later writes to the poisoned database get
/// [`Error::Poisoned`]; after [`Db::close`](crate::Db::close) they get
/// [`Error::Closed`].
///
/// The write is queued when `write_async` returns: dropping the future does
/// not cancel it, it only stops anyone from hearing of its result (the
/// completion hook of [`Db::write_async_then`](crate::Db::write_async_then)
/// still runs). No thread waits for the write: the engine's commit thread
/// leads its group. [`Commit::wait`] blocks the calling thread instead
/// (leading the group itself if the write is not yet under way).
#[must_use = "a commit does nothing to report its result unless awaited or waited on"]
pub struct Commit {
    ticket: Arc<Ticket>,
    /// The database and the write's queue id, to take the write over in
    /// [`Commit::wait`]; `None` for a write that ended before it was queued.
    queued: Option<(Arc<DbInner>, u64)>,
}

impl std::fmt::Debug for Commit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Commit")
            .field("id", &self.queued.as_ref().map(|(_, id)| *id))
            .finish_non_exhaustive()
    }
}

impl Commit {
    pub(super) fn queued(ticket: Arc<Ticket>, db: Arc<DbInner>, id: u64) -> Commit {
        Commit {
            ticket,
            queued: Some((db, id)),
        }
    }

    pub(super) fn done(ticket: Arc<Ticket>) -> Commit {
        Commit {
            ticket,
            queued: None,
        }
    }

    /// Blocks the calling thread until the write is committed; the result
    /// is the one the future would give. If the write has not reached the
    /// front of the queue yet, this thread leads its group when it does
    /// (as [`Db::write`](crate::Db::write) would), rather than handing it
    /// to the commit thread.
    pub fn wait(self) -> Result<()> {
        match self.queued {
            Some((db, id)) => db.wait_for(id, &self.ticket),
            None => self.ticket.take().unwrap_or_else(|| {
                Err(Error::InvalidArgument(
                    "a commit was waited on after it completed".into(),
                ))
            }),
        }
    }
}

impl Future for Commit {
    type Output = Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.ticket.poll(cx)
    }
}
