//! The HTTP endpoint: DynamoDB's JSON 1.0 protocol over HTTP/1.1.
//!
//! [`serve`] accepts connections until its shutdown future completes, then
//! stops accepting, lets every in-flight request finish (idle keep-alive
//! connections are closed), and closes the backend. `handler` turns one
//! request into one response the way DynamoDB does.
//!
//! What a client may hold is bounded: request bodies and what they parse
//! into share one memory budget (`budget`); connections are limited in
//! number and closed when a request head, a body or an idle connection
//! takes too long (`connections`); cross-origin access is off unless
//! configured (`cors`). [`ServerConfig`] holds the limits, and `siltdb
//! serve --help` documents their flags.
// Bytes read here come from disk or the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod budget;
mod compression;
mod connections;
pub mod cors;
pub mod fd_limit;
mod handler;
pub mod interpret;
mod response;
mod unsupported;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::auth::Credentials;
use crate::backend::Backend;
use connections::{Ending, Registry, Timeouts, Tracked};
pub use cors::Cors;

pub use handler::MAX_REQUEST_BYTES;

/// Default of [`ServerConfig::max_request_memory`]: 512 MiB, room for the
/// largest request (16 MiB of body and its parse) several times over, and
/// for thousands of ordinary ones.
pub const DEFAULT_MAX_REQUEST_MEMORY: usize = 512 * 1024 * 1024;
/// Default of [`ServerConfig::header_timeout`].
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`ServerConfig::body_timeout`]: a 16 MiB body at 4 Mbit/s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(60);
/// Default of [`ServerConfig::idle_timeout`]: longer than the AWS SDKs
/// keep idle pooled connections, so a client seldom finds its connection
/// closed under it.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default of [`ServerConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// Runtime worker threads `siltdb serve` starts by default: one per CPU the
/// process may use (at least 2). Item reads run on a worker to completion;
/// item writes are checked and staged on one, then awaited
/// ([`crate::Runs::Awaited`]): the engine's commit thread leads the group
/// commit and wakes the task after the fsync, so no worker waits for a disk
/// and the worker count does not bound how many writes share one fsync (it
/// was 32 for that reason, then 8, then twice the CPUs).
///
/// Why one per CPU (benches/RESULTS.md, "One runtime worker per CPU", 2-vCPU
/// VM, 32 connections, side by side with the peers): against 4 workers,
/// GetItem p99 under wrk was 0.89–0.92 ms instead of 1.81–2.12 ms and
/// PutItem throughput 15–26 % higher, with GetItem level: more workers than
/// CPUs take turns on them and a request waits out another's time slice.
/// GetItem over a data directory just dropped from the page cache (565 MiB,
/// 128 MiB block cache; a cold 4 KiB `pread` took 29 µs on that VM) was
/// level too: 59.0k and 70.6k/s with 2 workers, 64.6k and 66.7k/s with 4.
/// At least 2 workers keep a read that waits for the disk from holding up
/// every connection on a one-CPU machine.
/// `--worker-threads` sets the count.
pub fn default_worker_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(2, 1024)
}

/// How long [`serve`] waits for in-flight requests after shutdown begins.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Check SigV4 signatures against these; `None` accepts any request that
    /// carries an `Authorization` header (as DynamoDB Local does).
    pub credentials: Option<Credentials>,
    /// Largest request body accepted; larger ones get HTTP 413.
    pub max_body_bytes: usize,
    /// With credentials, refuse signatures more than 15 minutes from the
    /// server's clock (DynamoDB does). Tests replaying fixed signatures turn
    /// it off.
    pub check_request_time: bool,
    /// Bytes all requests in flight may hold together: their bodies as they
    /// arrive, and the JSON trees the bodies parse into. A request that
    /// would take more is answered `ThrottlingException` (HTTP 400,
    /// retried by the SDKs).
    pub max_request_memory: usize,
    /// Which origins may read responses (CORS); off by default.
    pub cors: Cors,
    /// Time from the first byte of a request head to its end.
    pub header_timeout: Duration,
    /// Time from the end of a request head to the end of its body; after
    /// it the request gets HTTP 408 and the connection is closed.
    pub body_timeout: Duration,
    /// Time a connection may stay without progress while no request on it
    /// is being served: idle keep-alive, or a response not being read.
    pub idle_timeout: Duration,
    /// Connections held at most. At the limit, a new connection closes the
    /// one waiting longest without a request in service; if every one has
    /// a request in service, the new one gets HTTP 503.
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            credentials: None,
            max_body_bytes: MAX_REQUEST_BYTES,
            check_request_time: true,
            max_request_memory: DEFAULT_MAX_REQUEST_MEMORY,
            cors: Cors::Off,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Serves `backend` on `listener` until `shutdown` completes, then finishes
/// in-flight requests (waiting at most [`SHUTDOWN_GRACE`]) and calls
/// [`Backend::close`].
///
/// Errors accepting one connection are logged and do not stop the server.
pub async fn serve<F>(
    listener: TcpListener,
    backend: Arc<dyn Backend>,
    config: ServerConfig,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()>,
{
    let timeouts = Timeouts {
        header: config.header_timeout,
        idle: config.idle_timeout,
    };
    let registry = Registry::new(config.max_connections);
    let state = Arc::new(handler::State::new(backend.clone(), config));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // E.g. too many open files: back off instead of spinning.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(slot) = registry.admit() else {
                    tracing::warn!(
                        %peer,
                        "refusing a connection: every one of the {} allowed has a request in service",
                        registry.len()
                    );
                    tokio::spawn(connections::refuse(stream));
                    continue;
                };
                // Each answer goes out as soon as it is written: Nagle's
                // algorithm would hold back a small last segment while an
                // earlier one is unacknowledged (a large answer's tail).
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!(%peer, "TCP_NODELAY not set: {e}");
                }
                let activity = slot.activity.clone();
                let state = state.clone();
                let service = service_fn(move |req| {
                    let state = state.clone();
                    let serving = activity.serving();
                    async move {
                        let r = handler::handle(req, &state).await;
                        drop(serving);
                        Ok::<_, std::convert::Infallible>(r)
                    }
                });
                let io = TokioIo::new(Tracked::new(stream, slot.activity.clone()));
                // Half-closes are allowed: while a request is served hyper
                // does not read ahead to see whether the client closed its
                // side, a read that cost a fresh 8 KiB buffer per request
                // (about 4 % of a GetItem's CPU). A client that goes away
                // finds its answer unsent, and the connection closes then.
                let conn = graceful.watch(
                    http1::Builder::new()
                        .half_close(true)
                        .serve_connection(io, service),
                );
                tokio::spawn(async move {
                    match connections::supervise(conn, &slot.activity, timeouts).await {
                        Ending::Finished(Ok(())) => {}
                        Ending::Finished(Err(e)) => {
                            tracing::debug!(%peer, "connection ended with an error: {e}");
                        }
                        Ending::TimedOut(which) => {
                            tracing::debug!(%peer, "closing a connection: {which} timeout");
                        }
                        Ending::Evicted => {
                            tracing::debug!(%peer, "closing a waiting connection to admit a new one");
                        }
                    }
                    drop(slot);
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: finishing in-flight requests");
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still running after {}s; closing anyway",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    let closed = tokio::task::spawn_blocking(move || backend.close()).await;
    match closed {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(io::Error::other(format!("closing the database: {e}"))),
        Err(e) => Err(io::Error::other(format!("closing the database: {e}"))),
    }
}
