//! Connections: how many the server holds, and how long each may sit
//! without progress.
//!
//! Every accepted connection is registered with its [`Activity`]: when it
//! last moved a byte, whether a request on it is being served, and when the
//! first byte of a request head it has not finished arrived. A watchdog per
//! connection ([`supervise`]) closes it when
//!
//! - a request head is not complete within the header timeout of its first
//!   byte (one connection that sent only a request line used to stay open
//!   for good), or
//! - nothing moved for the idle timeout while no request was being served:
//!   an idle keep-alive connection, or a response the client does not read.
//!
//! The body of a request is the handler's to time (`body_timeout`). At the
//! connection limit, a new connection is admitted by closing the registered
//! connection that has been waiting longest without a request in service —
//! a half-sent head or an idle keep-alive connection, which no work would
//! be lost with — so idle and half-sent connections cannot keep new clients
//! out. Only when every connection has a request in service is the new one
//! refused, with [`refuse`]'s HTTP 503.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use atomic_waker::AtomicWaker;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// The timeouts a watchdog enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    /// From a head's first byte to its last.
    pub(crate) header: Duration,
    /// Without progress, while no request is in service.
    pub(crate) idle: Duration,
}

/// `head_started` when no head is under way.
const NO_HEAD: u64 = u64::MAX;

/// What a connection has been doing, in milliseconds since the registry's
/// epoch.
#[derive(Debug)]
pub(crate) struct Activity {
    epoch: Instant,
    /// Requests on this connection being served (0 or 1 with HTTP/1.1).
    in_service: AtomicU64,
    last_io: AtomicU64,
    head_started: AtomicU64,
    /// Set to close the connection to admit a new one; `waker` wakes its
    /// watchdog.
    evicted: AtomicBool,
    /// The watchdog's task, woken on eviction. Nothing else needs waking:
    /// reads and writes happen inside the watchdog's own poll of the
    /// connection, and it looks at the deadline after each.
    waker: AtomicWaker,
}

impl Activity {
    fn new(epoch: Instant) -> Activity {
        let a = Activity {
            epoch,
            in_service: AtomicU64::new(0),
            last_io: AtomicU64::new(0),
            head_started: AtomicU64::new(NO_HEAD),
            evicted: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        };
        a.last_io.store(a.now(), Ordering::Release);
        a
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    fn at(&self, ms: u64) -> Instant {
        self.epoch + Duration::from_millis(ms)
    }

    fn on_read(&self) {
        let now = self.now();
        self.last_io.store(now, Ordering::Release);
        // The first byte of the next head starts its clock. Only the
        // connection's own task reads, so load-then-store does not race;
        // the watchdog sees the new deadline when this poll returns.
        if self.in_service.load(Ordering::Acquire) == 0
            && self.head_started.load(Ordering::Acquire) == NO_HEAD
        {
            self.head_started.store(now, Ordering::Release);
        }
    }

    /// Closes the connection (to admit another): its watchdog ends it.
    fn evict(&self) {
        self.evicted.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// When the head under way, if one is, must be complete.
    fn head_due(&self, t: &Timeouts) -> Option<Instant> {
        match self.head_started.load(Ordering::Acquire) {
            NO_HEAD => None,
            started => Some(self.at(started) + t.header),
        }
    }

    fn on_write(&self) {
        self.last_io.store(self.now(), Ordering::Release);
    }

    /// Marks a request in service until the guard is dropped.
    pub(crate) fn serving(self: &Arc<Self>) -> ServiceGuard {
        self.in_service.fetch_add(1, Ordering::AcqRel);
        self.head_started.store(NO_HEAD, Ordering::Release);
        self.last_io.store(self.now(), Ordering::Release);
        ServiceGuard {
            activity: self.clone(),
        }
    }

    /// When the connection is waited for since (for eviction), if it has
    /// no request in service.
    fn waiting_since(&self) -> Option<u64> {
        if self.in_service.load(Ordering::Acquire) > 0 {
            return None;
        }
        match self.head_started.load(Ordering::Acquire) {
            NO_HEAD => Some(self.last_io.load(Ordering::Acquire)),
            started => Some(started),
        }
    }

    /// When the connection runs out of time, and which timeout that is
    /// (`None`: a request is in service; look again later).
    fn deadline(&self, t: &Timeouts) -> (Instant, Option<&'static str>) {
        if self.in_service.load(Ordering::Acquire) > 0 {
            return (Instant::now() + t.idle.min(t.header), None);
        }
        match self.head_started.load(Ordering::Acquire) {
            NO_HEAD => (
                self.at(self.last_io.load(Ordering::Acquire)) + t.idle,
                Some("idle"),
            ),
            started => (self.at(started) + t.header, Some("header read")),
        }
    }
}

/// Ends a request's time in service when dropped.
#[derive(Debug)]
pub(crate) struct ServiceGuard {
    activity: Arc<Activity>,
}

impl Drop for ServiceGuard {
    fn drop(&mut self) {
        let a = &self.activity;
        a.last_io.store(a.now(), Ordering::Release);
        a.in_service.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The connections the server holds, at most `max`.
#[derive(Debug)]
pub(crate) struct Registry {
    max: usize,
    epoch: Instant,
    next_id: AtomicU64,
    connections: Mutex<HashMap<u64, Arc<Activity>>>,
}

/// A registered connection; unregisters itself when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    registry: Arc<Registry>,
    id: u64,
    /// The connection's activity, shared with its IO and service.
    pub(crate) activity: Arc<Activity>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

impl Registry {
    /// A registry admitting at most `max` connections (at least 1).
    pub(crate) fn new(max: usize) -> Arc<Registry> {
        Arc::new(Registry {
            max: max.max(1),
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            connections: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        // The map stays consistent whatever panicked while holding it.
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a new connection, closing the longest-waiting connection
    /// without a request in service if the registry is full; `None` if
    /// every registered connection has a request in service.
    pub(crate) fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut connections = self.lock();
        if connections.len() >= self.max {
            let victim = connections
                .iter()
                .filter_map(|(id, a)| a.waiting_since().map(|since| (since, *id)))
                .min()
                .map(|(_, id)| id);
            let evicted = victim.and_then(|id| connections.remove(&id))?;
            evicted.evict();
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity::new(self.epoch));
        connections.insert(id, activity.clone());
        Some(Slot {
            registry: self.clone(),
            id,
            activity,
        })
    }

    /// How many connections are registered.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

/// How a supervised connection ended.
#[derive(Debug)]
pub(crate) enum Ending<E> {
    /// The connection finished (the client closed it, or an error).
    Finished(Result<(), E>),
    /// A timeout closed it (`"header read"` or `"idle"`).
    TimedOut(&'static str),
    /// Closed to admit a new connection.
    Evicted,
}

/// Drives `conn` until it finishes, or its activity runs out of time, or
/// it is evicted; dropping `conn` closes the socket.
///
/// One future per connection that polls the connection and then, without
/// taking a lock, looks whether the connection's deadline moved earlier
/// (a head started during that poll) or it was evicted. Its timer is
/// re-armed only when it fires or a deadline moves earlier, not per
/// request (two `Notify` waiters and a timer polled on every wake-up cost
/// about a tenth of the server's CPU per GetItem).
pub(crate) fn supervise<F, E>(conn: F, activity: &Activity, t: Timeouts) -> Supervised<'_, F>
where
    F: Future<Output = Result<(), E>>,
{
    let (deadline, _) = activity.deadline(&t);
    Supervised {
        conn: Box::pin(conn),
        activity,
        timeouts: t,
        armed: deadline,
        sleep: Box::pin(tokio::time::sleep_until(deadline)),
    }
}

/// The future [`supervise`] returns.
pub(crate) struct Supervised<'a, F> {
    conn: Pin<Box<F>>,
    activity: &'a Activity,
    timeouts: Timeouts,
    /// When `sleep` ends.
    armed: Instant,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl<F, E> Future for Supervised<'_, F>
where
    F: Future<Output = Result<(), E>>,
{
    type Output = Ending<E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Ending<E>> {
        let this = &mut *self;
        if let Poll::Ready(r) = this.conn.as_mut().poll(cx) {
            return Poll::Ready(Ending::Finished(r));
        }
        // Registered before the flag is read: an eviction after the read
        // wakes this task.
        this.activity.waker.register(cx.waker());
        if this.activity.evicted.load(Ordering::Acquire) {
            return Poll::Ready(Ending::Evicted);
        }
        // Only a head started during that poll can move the deadline
        // earlier; everything else moves it later, which the timer finds
        // out when it fires.
        if let Some(due) = this.activity.head_due(&this.timeouts) {
            if due < this.armed {
                this.armed = due;
                this.sleep.as_mut().reset(due);
            }
        }
        while this.sleep.as_mut().poll(cx).is_ready() {
            // Progress may have moved the deadline since; look again.
            let (deadline, which) = this.activity.deadline(&this.timeouts);
            if let Some(which) = which.filter(|_| deadline <= Instant::now()) {
                return Poll::Ready(Ending::TimedOut(which));
            }
            this.armed = deadline;
            this.sleep.as_mut().reset(deadline);
        }
        Poll::Pending
    }
}

/// A socket whose reads and writes are recorded in its [`Activity`].
#[derive(Debug)]
pub(crate) struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl Tracked {
    pub(crate) fn new(inner: TcpStream, activity: Arc<Activity>) -> Tracked {
        Tracked { inner, activity }
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.on_read();
        }
        r
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.on_write();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.on_write();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The answer to a connection over the limit when none can be closed:
/// HTTP 503, which every AWS SDK retries as a transient fault. Written
/// without reading the request (there may not be one yet).
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/x-amz-json-1.0\r\n\
content-length: 158\r\n\
connection: close\r\n\
\r\n\
{\"__type\":\"com.amazon.coral.service#ServiceUnavailableException\",\"message\":\"The server has a request in service on every connection it may hold; retry later\"}";

/// Answers `stream` with [`REFUSAL`] and closes it: write (for at most a
/// second), shut down the write side, and read what the client sent for at
/// most another second, so the close does not reset the connection before
/// the client reads the answer.
pub(crate) async fn refuse(mut stream: TcpStream) {
    let wrote = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(REFUSAL).await?;
        stream.shutdown().await
    })
    .await;
    if !matches!(wrote, Ok(Ok(()))) {
        return;
    }
    let mut sink = [0u8; 4096];
    let mut drained = 0usize;
    let drain = tokio::time::timeout(Duration::from_secs(1), async {
        while drained < 64 * 1024 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    });
    if drain.await.is_err() {
        tracing::debug!("a refused client kept sending; closing");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_declares_its_body_length() {
        let text = std::str::from_utf8(REFUSAL).expect("ascii");
        let (head, body) = text.split_once("\r\n\r\n").expect("head");
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(
            v["__type"],
            "com.amazon.coral.service#ServiceUnavailableException"
        );
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn eviction_takes_the_longest_waiting_idle_connection() {
        let r = Registry::new(2);
        let a = r.admit().expect("room");
        tokio::time::advance(Duration::from_millis(10)).await;
        let b = r.admit().expect("room");
        let _serving = b.activity.serving();
        tokio::time::advance(Duration::from_millis(10)).await;
        // Full: `a` waits, `b` serves, so `a` goes.
        let c = r.admit().expect("a evicted");
        assert_eq!(r.len(), 2);
        assert!(a.activity.evicted.load(Ordering::Acquire));
        assert!(!b.activity.evicted.load(Ordering::Acquire));
        let _also = c.activity.serving();
        // Both registered connections serve: refused.
        assert!(r.admit().is_none());
        drop(c);
        assert_eq!(r.len(), 1);
        assert!(r.admit().is_some());
    }

    /// The timeouts the watchdog tests use.
    const TIMEOUTS: Timeouts = Timeouts {
        header: Duration::from_secs(5),
        idle: Duration::from_secs(60),
    };

    /// A connection future that reads the first bytes of a head when
    /// first polled at or after `at`, and never finishes.
    async fn head_at(activity: Arc<Activity>, at: Instant) -> Result<(), ()> {
        tokio::time::sleep_until(at).await;
        activity.on_read();
        std::future::pending().await
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_head_started_during_a_poll_moves_the_deadline_earlier() {
        let t = TIMEOUTS;
        let a = Arc::new(Activity::new(Instant::now()));
        let start = Instant::now();
        // Armed for the idle deadline (60 s); a head at 2 s is due at 7 s.
        let conn = head_at(a.clone(), start + Duration::from_secs(2));
        let ending = supervise(conn, &a, t).await;
        assert!(
            matches!(ending, Ending::TimedOut("header read")),
            "{ending:?}"
        );
        assert_eq!(Instant::now(), start + Duration::from_secs(7));
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn an_idle_connection_times_out_and_an_evicted_one_ends() {
        let t = TIMEOUTS;
        let r = Registry::new(1);
        let a = r.admit().expect("room");
        let start = Instant::now();
        let ending = supervise(std::future::pending::<Result<(), ()>>(), &a.activity, t).await;
        assert!(matches!(ending, Ending::TimedOut("idle")), "{ending:?}");
        assert_eq!(Instant::now(), start + t.idle);
        // Evicted while its watchdog waits (on a connection that just
        // wrote): woken, it ends at once.
        a.activity.on_write();
        let activity = a.activity.clone();
        let watchdog = tokio::spawn(async move {
            supervise(std::future::pending::<Result<(), ()>>(), &activity, t).await
        });
        tokio::task::yield_now().await;
        let _b = r.admit().expect("a evicted");
        let ending = watchdog.await.expect("no panic");
        assert!(matches!(ending, Ending::Evicted), "{ending:?}");
        assert_eq!(Instant::now(), start + t.idle);
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn deadlines_follow_the_state() {
        let t = TIMEOUTS;
        let a = Arc::new(Activity::new(Instant::now()));
        let start = Instant::now();
        assert_eq!(a.deadline(&t), (start + t.idle, Some("idle")));
        tokio::time::advance(Duration::from_secs(2)).await;
        a.on_read();
        assert_eq!(
            a.deadline(&t),
            (start + Duration::from_secs(7), Some("header read"))
        );
        let guard = a.serving();
        assert_eq!(a.deadline(&t).1, None);
        tokio::time::advance(Duration::from_secs(1)).await;
        drop(guard);
        assert_eq!(
            a.deadline(&t),
            (start + Duration::from_secs(63), Some("idle"))
        );
    }
}
