//! A minimal executor for the engine's [`siltdb::Commit`] futures (the
//! engine has no async runtime): poll once, or block until ready.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

struct Unparker(std::thread::Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `f` once with a waker that does nothing but unpark this thread.
pub fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    let waker = Waker::from(Arc::new(Unparker(std::thread::current())));
    Pin::new(f).poll(&mut Context::from_waker(&waker))
}

/// Runs `f` to completion on this thread, parking while it is pending (so
/// a resolved future proves its waker was called).
pub fn block_on<F: Future + Unpin>(mut f: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unparker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = Pin::new(&mut f).poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}
