//! Background threads of the DynamoDB layer (the TTL sweeper, the
//! reclaimer, the stream trimmer, index backfills).
//!
//! A thread holds only a [`WeakHandle`] to the database and upgrades it to a
//! [`DynamoDb`] for each piece of work, so it does the work through the same
//! methods (and the same write pipeline) as a request does, and never keeps
//! the database open by itself: dropping (or closing) the handle the
//! application opened asks every thread to stop and waits for it (see
//! `db.rs`).
//!
//! A failure inside a piece of work is the job's to report (through
//! `tracing`); the thread itself only ever ends when asked to.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::dynamo::db::{DynamoDb, Inner};

/// A weak reference to a database, for threads that must not keep it open.
#[derive(Clone)]
pub(crate) struct WeakHandle(Weak<Inner>);

impl WeakHandle {
    /// A weak reference to `db`.
    pub fn new(db: &DynamoDb) -> WeakHandle {
        WeakHandle(db.downgrade())
    }

    /// A handle, while some application still holds the database.
    pub fn upgrade(&self) -> Option<DynamoDb> {
        self.0.upgrade().map(DynamoDb::from_inner)
    }
}

/// The thread's queue and the stop request.
struct Shared<J> {
    /// Jobs waiting, and whether the worker is stopping.
    state: Mutex<(VecDeque<J>, bool)>,
    wake: Condvar,
    /// Set by [`Worker::stop`]; a job in progress checks it between steps.
    stopping: AtomicBool,
}

impl<J> Shared<J> {
    fn lock(&self) -> MutexGuard<'_, (VecDeque<J>, bool)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One background thread running jobs of type `J` in the order they were
/// queued, and (with an interval) a tick — a run with no job — every
/// interval.
pub(crate) struct Worker<J> {
    shared: Arc<Shared<J>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl<J> std::fmt::Debug for Worker<J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").finish_non_exhaustive()
    }
}

impl<J: Send + 'static> Worker<J> {
    /// A worker with no thread yet (see [`Worker::start`]); jobs queued
    /// before it starts wait for it.
    pub fn new() -> Worker<J> {
        Worker {
            shared: Arc::new(Shared {
                state: Mutex::new((VecDeque::new(), false)),
                wake: Condvar::new(),
                stopping: AtomicBool::new(false),
            }),
            thread: Mutex::new(None),
        }
    }

    /// Starts the thread `name`: it runs `run(db, Some(job), stopping)` for
    /// every queued job and, if `every` is given, `run(db, None, stopping)`
    /// every `every` (at least 1 ms), until stopped or until `db` is gone.
    pub fn start<F>(&self, name: &str, db: WeakHandle, every: Option<Duration>, run: F)
    where
        F: Fn(&DynamoDb, Option<J>, &AtomicBool) + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        let every = every.map(|e| e.max(Duration::from_millis(1)));
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || loop {
                let job = {
                    let mut state = shared.lock();
                    loop {
                        if state.1 {
                            return;
                        }
                        if let Some(job) = state.0.pop_front() {
                            break Some(job);
                        }
                        match every {
                            Some(every) => {
                                let (s, timeout) = shared
                                    .wake
                                    .wait_timeout(state, every)
                                    .unwrap_or_else(|p| p.into_inner());
                                state = s;
                                if timeout.timed_out() && !state.1 {
                                    break None;
                                }
                            }
                            None => {
                                state = shared.wake.wait(state).unwrap_or_else(|p| p.into_inner());
                            }
                        }
                    }
                };
                let Some(handle) = db.upgrade() else {
                    return;
                };
                run(&handle, job, &shared.stopping);
            });
        match spawned {
            Ok(t) => *self.thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(t),
            Err(e) => tracing::error!(thread = name, error = %e, "cannot start background thread"),
        }
    }

    /// Queues `job`; `false` (and the job dropped) if the thread is not
    /// running (never started, or stopped).
    pub fn send(&self, job: J) -> bool {
        if self
            .thread
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
        {
            return false;
        }
        let mut state = self.shared.lock();
        if state.1 {
            return false;
        }
        state.0.push_back(job);
        drop(state);
        self.shared.wake.notify_all();
        true
    }

    /// Whether [`Worker::stop`] was called.
    pub fn stopping(&self) -> bool {
        self.shared.stopping.load(Ordering::SeqCst)
    }

    /// Stops the thread after the job in progress and waits for it (unless
    /// called on the thread itself). Jobs still queued are dropped: each is
    /// remembered in the catalog and queued again at the next open.
    pub fn stop(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.lock().1 = true;
        self.shared.wake.notify_all();
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(t) = thread {
            join_unless_current(t);
        }
    }
}

/// Waits for thread `t` to end — unless it is the calling thread, which
/// ends by itself once its job returns (defensive: only the application's
/// handle stops workers, and no worker holds it).
pub(crate) fn join_unless_current(t: JoinHandle<()>) {
    if t.thread().id() == std::thread::current().id() {
        return;
    }
    if t.join().is_err() {
        tracing::error!("a background thread panicked");
    }
}
