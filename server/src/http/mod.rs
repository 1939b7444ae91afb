//! The HTTP endpoint: DynamoDB's JSON 1.0 protocol over HTTP/1.1.
//!
//! [`serve`] accepts connections until its shutdown future completes, then
//! stops accepting, lets every in-flight request finish (idle keep-alive
//! connections are closed), and closes the backend. `handler` turns one
//! request into one response the way DynamoDB does.

mod handler;
mod response;

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

pub use handler::MAX_REQUEST_BYTES;

/// Runtime worker threads `siltdb serve` starts by default. Item reads and
/// writes run to completion on a worker (see
/// [`crate::Operation::runs_inline`]), a synced write blocking it until its
/// group commit's fsync, so this is also how many synced writes can share
/// one fsync. Measured on 2 cores with 32 client connections: 32 workers
/// cost a PutItem a quarter less server CPU than handing writes to the
/// blocking pool, and 16 or fewer group too few writes per fsync.
pub const DEFAULT_WORKER_THREADS: usize = 32;

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
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            credentials: None,
            max_body_bytes: MAX_REQUEST_BYTES,
            check_request_time: true,
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
                let state = state.clone();
                let service = service_fn(move |req| {
                    let state = state.clone();
                    async move { Ok::<_, std::convert::Infallible>(handler::handle(req, &state).await) }
                });
                let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(%peer, "connection ended with an error: {e}");
                    }
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
