//! A condition variable that knows whether anyone waits on it.
//!
//! std's `Condvar` makes a system call on every notify, waiters or not,
//! and most notifies in the engine find nobody waiting: an item lock
//! released without contention, the commit thread told of a write while it
//! is already leading a group, the last foreground sync ending with no
//! compaction waiting for it. Together they were more than half the futex
//! calls of a PutItem over HTTP (benches/RESULTS.md, "Futex calls per
//! PutItem").
//!
//! A waiter counts itself while it holds the mutex, before it waits; a
//! notifier changes the state under the same mutex and then looks at the
//! count. A waiter not yet counted then has not yet looked at the state,
//! so it will see the change and not wait: no wake-up is lost.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, MutexGuard};
use std::time::Duration;

/// A [`Condvar`] whose notifies are free when nobody waits.
#[derive(Debug, Default)]
pub(crate) struct Waiters {
    cv: Condvar,
    /// Threads in `wait` or `wait_timeout`; changed only with the mutex
    /// the waits use held.
    waiting: AtomicUsize,
}

impl Waiters {
    /// Waits for a notify, like [`Condvar::wait`] (a poisoned mutex is
    /// taken as it is).
    pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let guard = self.cv.wait(guard).unwrap_or_else(|p| p.into_inner());
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        guard
    }

    /// Waits for a notify or `timeout`, like [`Condvar::wait_timeout`].
    pub(crate) fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> MutexGuard<'a, T> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let guard = self
            .cv
            .wait_timeout(guard, timeout)
            .unwrap_or_else(|p| p.into_inner())
            .0;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        guard
    }

    /// Wakes one waiter, if there is one. Call it after changing the state
    /// under the waits' mutex (while holding it or after).
    pub(crate) fn notify_one(&self) {
        if self.waiting.load(Ordering::SeqCst) > 0 {
            self.cv.notify_one();
        }
    }

    /// Wakes every waiter, if there are any; as [`Waiters::notify_one`].
    pub(crate) fn notify_all(&self) {
        if self.waiting.load(Ordering::SeqCst) > 0 {
            self.cv.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_waiter_is_woken_and_counted_only_while_it_waits() {
        let state = Arc::new((Mutex::new(false), Waiters::default()));
        let waiter = {
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                let (m, w) = &*state;
                let mut ready = m.lock().unwrap_or_else(|p| p.into_inner());
                while !*ready {
                    ready = w.wait(ready);
                }
            })
        };
        let (m, w) = &*state;
        while w.waiting.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        *m.lock().unwrap_or_else(|p| p.into_inner()) = true;
        w.notify_all();
        waiter.join().expect("waiter");
        assert_eq!(w.waiting.load(Ordering::SeqCst), 0);
        let g = w.wait_timeout(
            m.lock().unwrap_or_else(|p| p.into_inner()),
            Duration::from_millis(1),
        );
        assert!(*g);
        drop(g);
        assert_eq!(w.waiting.load(Ordering::SeqCst), 0);
    }
}
