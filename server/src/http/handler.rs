//! One request → one response, checked in DynamoDB's order.
//!
//! The order and the answers are DynamoDB's, as dynalite's connection tests
//! recorded them against the service (`test/connection.js`, `index.js`),
//! with the memory and authentication guards siltdb adds:
//!
//! 1. A `GET` (no body is read): HTTP 200 `healthy: siltdb `, a health
//!    check; DynamoDB's endpoints answer a GET the same way, naming
//!    themselves. Otherwise a body over 16 MiB: HTTP 413, empty body. A
//!    `Content-Length` over the limit is refused before reading; otherwise
//!    the body is read into memory charged to the server's request memory
//!    budget ([`super::budget`]) — over it, [`overloaded`] — within the body
//!    read timeout (else HTTP 408). A body with `Content-Encoding: gzip` or
//!    `deflate` is then decompressed, at most 16 MiB (more: HTTP 413; not
//!    valid: `SerializationException`); its signature covers the bytes as
//!    sent. A JSON answer of 1400 bytes or more is compressed when
//!    `Accept-Encoding` asks (`compression`).
//! 2. `OPTIONS` with an allowed `Origin`: a CORS preflight answer (200,
//!    [`super::cors`]), given before 1 since a preflight has no body; with
//!    CORS off it falls through to 3.
//! 3. A method other than `POST`, or a body whose `Content-Type` is neither
//!    `application/x-amz-json-1.0` nor `application/json`: HTTP 404 with the
//!    body `<UnknownOperationException/>\n`. The path is ignored, as
//!    DynamoDB ignores it.
//! 4. A body that is not JSON (or nests deeper than 128 levels):
//!    `SerializationException` without a message. Checked, without
//!    building anything, only where a later step refuses the request: a
//!    body that parses in 8 has no syntax error to find.
//! 5. A missing or unknown `X-Amz-Target`: `UnknownOperationException`
//!    (for an unknown one, a message naming it: `unsupported`).
//! 6. Authentication ([`crate::auth`]) on the raw body bytes. With
//!    `--credentials`, 5 and 6 come before 4: a request is authenticated
//!    before any of its JSON is looked at.
//! 7. An empty body: `SerializationException`.
//! 8. The body parsed and decoded ([`crate::json::read_body`]): an unknown
//!    top-level member or a type error is a `SerializationException`, a
//!    violated constraint a `ValidationException`; the parse is charged to
//!    the budget too. Then the operation.
//!
//! Steps 3 to 8 are [`super::interpret::interpret`], a function of the
//! request in memory.
//!
//! JSON responses echo the request's content type. Nothing here panics on
//! input; a panic inside the backend becomes HTTP 500 `InternalServerError`,
//! and no 500 carries the library's message (it may name server files): it
//! is logged with the request id, and the client gets DynamoDB's generic
//! text.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::CONTENT_LENGTH;
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};
use siltdb::dynamo::api::{DescribeEndpointsOutput, Endpoint};
use siltdb::dynamo::DynamoError;

use super::budget::{MemoryBudget, Reservation};
use super::compression::{self, InflateError};
use super::interpret::{interpret_decoded, reply_type, Refusal};
use super::response::{self, AMZ_JSON};
use super::ServerConfig;
use crate::backend::{dispatch, Backend, Started};
use crate::json::errors::{dynamo_error, service_error, throttling_error, ErrorBody};
use crate::json::response_bytes;
use crate::operation::{Operation, Request as OperationRequest, Runs};

/// DynamoDB's request size limit, 16 MiB (dynalite's `MAX_REQUEST_BYTES`).
pub const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// What every request needs: the backend, the settings, the shared budget.
pub(crate) struct State {
    backend: Arc<dyn Backend>,
    config: ServerConfig,
    budget: Arc<MemoryBudget>,
    /// The backend's handle for each region requests were signed for so
    /// far ([`Backend::in_region`]), made once instead of per request; at
    /// most [`MAX_CACHED_REGIONS`], since a region is whatever a client
    /// puts in its credential scope.
    regions: RwLock<HashMap<Box<str>, Regional>>,
}

/// A region's handle: `None` when the backend has one region.
type Regional = Option<Arc<dyn Backend>>;

/// Regional handles [`State`] keeps; past them a handle is made per
/// request.
const MAX_CACHED_REGIONS: usize = 64;

impl State {
    pub(crate) fn new(backend: Arc<dyn Backend>, config: ServerConfig) -> State {
        let budget = MemoryBudget::new(config.max_request_memory);
        State {
            backend,
            config,
            budget,
            regions: RwLock::new(HashMap::new()),
        }
    }

    /// The backend answering in `region`, if it is not [`State::backend`].
    fn in_region(&self, region: &str) -> Regional {
        let cached = self
            .regions
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(region)
            .cloned();
        if let Some(handle) = cached {
            return handle;
        }
        let handle = self.backend.in_region(region);
        let mut regions = self.regions.write().unwrap_or_else(PoisonError::into_inner);
        if regions.len() < MAX_CACHED_REGIONS {
            regions.insert(region.into(), handle.clone());
        }
        handle
    }
}

fn error_response(content_type: &'static str, e: &ErrorBody) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    response::json(status, content_type, &e.body)
}

/// Answers one request.
pub(crate) async fn handle(req: Request<Incoming>, state: &State) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    if parts.method == Method::OPTIONS {
        if let Some(r) = state.config.cors.preflight(&parts.headers) {
            // Before the body is read: a preflight has none, and one sent
            // anyway is drained by hyper, not held.
            return r;
        }
    }
    let mut r = answer(&parts, body, state).await;
    state.config.cors.decorate(&parts.headers, &mut r);
    r
}

/// Steps 1 and 3 to 8 of the module documentation.
async fn answer(parts: &Parts, body: Incoming, state: &State) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let config = &state.config;
    let reply_type = reply_type(&parts.headers);
    if parts.method == Method::GET {
        return health();
    }

    // 1. Size, memory, time.
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > config.max_body_bytes as u64) {
        return too_large();
    }
    // Held until the response is built: the body, then its tree and what
    // is decoded from it.
    let reservation = Reservation::new(&state.budget);
    let body = match read_bytes(body, declared, config, &reservation).await {
        Ok(b) => b,
        Err(BodyReadError::TooLarge) => return too_large(),
        Err(BodyReadError::OverBudget) => return overloaded(reply_type, &reservation),
        Err(BodyReadError::TimedOut) => {
            tracing::debug!(
                "a request body took longer than {:?}; closing",
                config.body_timeout
            );
            return response::build(StatusCode::REQUEST_TIMEOUT, None, Vec::new());
        }
        Err(BodyReadError::Failed(e)) => {
            tracing::debug!("reading a request body failed: {e}");
            let e = service_error("SerializationException", None);
            return error_response(AMZ_JSON, &e);
        }
    };

    // A compressed body is decompressed under the same size limit.
    let decoded = match compression::request_coding(&parts.headers) {
        Ok(Some(coding)) => {
            let mut charge = |n: usize| reservation.charge(n);
            match compression::decompress(&body, coding, config.max_body_bytes, &mut charge) {
                Ok(d) => Some(d),
                Err(InflateError::TooLarge) => return too_large(),
                Err(InflateError::Corrupt) => {
                    let e = service_error("SerializationException", None);
                    return error_response(reply_type, &e);
                }
            }
        }
        Ok(None) => None,
        Err(token) => {
            tracing::debug!("request Content-Encoding {token:?} is not decoded");
            None
        }
    };

    // 3 to 8.
    let now = config.check_request_time.then(std::time::SystemTime::now);
    let interpreted = interpret_decoded(
        parts,
        &body,
        decoded.as_deref().unwrap_or(&body),
        config.credentials.as_ref(),
        now,
        &reservation,
    );
    drop(decoded);
    drop(body);
    let (op, request) = match interpreted {
        Ok(i) => i,
        Err(Refusal::NotFound) => {
            return response::build(
                StatusCode::NOT_FOUND,
                None,
                b"<UnknownOperationException/>\n".to_vec(),
            )
        }
        Err(Refusal::Error(e)) => return error_response(reply_type, &e),
        Err(Refusal::OverBudget) => return overloaded(reply_type, &reservation),
    };
    let result = match request {
        // The address is the server's own, as the client reached it: the
        // one thing the backend cannot know.
        OperationRequest::DescribeEndpoints(_) => Ok(crate::Response::DescribeEndpoints(
            describe_endpoints(parts),
        )),
        request => {
            let regional =
                crate::auth::credential_region(&parts.headers).and_then(|r| state.in_region(r));
            run(op, request, regional.as_ref().unwrap_or(&state.backend)).await
        }
    };
    let coding = compression::accepted(&parts.headers);
    let r = match &result {
        Ok(out) => response::json_coded(StatusCode::OK, reply_type, response_bytes(out), coding),
        Err(e) => error_response(reply_type, &dynamo_error(e)),
    };
    match &result {
        Err(e) if e.is_internal() => {
            // The one place the detail goes: the log, with the id the
            // client got in `x-amzn-RequestId`.
            let id = r
                .headers()
                .get(response::REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::error!(operation = op.name(), request_id = id, "{e}");
        }
        _ => tracing::debug!(
            operation = op.name(),
            status = r.status().as_u16(),
            micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request"
        ),
    }
    r
}

/// Runs the operation where [`Operation::runs`] says, turning a panic into
/// `InternalServerError`.
async fn run(
    op: Operation,
    request: OperationRequest,
    backend: &Arc<dyn Backend>,
) -> Result<crate::Response, DynamoError> {
    match op.runs() {
        Runs::Inline => {
            // On this worker, with the blocking pool's panic handling.
            let backend = backend.as_ref();
            std::panic::catch_unwind(AssertUnwindSafe(|| dispatch(backend, request)))
                .unwrap_or_else(|_| Err(panicked()))
        }
        Runs::Awaited => {
            let backend = backend.as_ref();
            match std::panic::catch_unwind(AssertUnwindSafe(|| backend.start_write(request))) {
                Ok(started) => CatchPanic(started).await,
                Err(_) => Err(panicked()),
            }
        }
        Runs::Blocking => {
            let backend = Arc::clone(backend);
            match tokio::task::spawn_blocking(move || dispatch(backend.as_ref(), request)).await {
                Ok(r) => r,
                Err(join) => {
                    tracing::error!(operation = op.name(), "the operation panicked: {join}");
                    Err(panicked())
                }
            }
        }
    }
}

/// A started write whose polls turn a panic into `InternalServerError`.
struct CatchPanic(Started);

impl Future for CatchPanic {
    type Output = Result<crate::Response, DynamoError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let started = &mut self.0;
        std::panic::catch_unwind(AssertUnwindSafe(|| started.as_mut().poll(cx)))
            .unwrap_or_else(|_| Poll::Ready(Err(panicked())))
    }
}

/// How long a client may cache DescribeEndpoints' answer: DynamoDB's 1440
/// minutes (API reference, DescribeEndpoints example response).
const ENDPOINT_CACHE_MINUTES: i64 = 1440;

/// DescribeEndpoints: this server, at the `Host` the request was sent to.
fn describe_endpoints(parts: &Parts) -> DescribeEndpointsOutput {
    let address = parts
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".to_string());
    DescribeEndpointsOutput {
        endpoints: vec![Endpoint {
            address,
            cache_period_in_minutes: ENDPOINT_CACHE_MINUTES,
        }],
    }
}

/// Why a body was not read.
enum BodyReadError {
    /// Over `max_body_bytes` (HTTP 413).
    TooLarge,
    /// The memory budget could not hold it.
    OverBudget,
    /// Not all there within the body read timeout.
    TimedOut,
    /// The connection failed or the framing was wrong.
    Failed(hyper::Error),
}

/// Reads the whole body into one buffer, charging `reservation` for every
/// byte of its capacity before the bytes arrive.
async fn read_bytes(
    mut body: Incoming,
    declared: Option<u64>,
    config: &ServerConfig,
    reservation: &Reservation,
) -> Result<Vec<u8>, BodyReadError> {
    let limit = config.max_body_bytes;
    let deadline = tokio::time::Instant::now() + config.body_timeout;
    // Checked against `limit` by the caller.
    let expected = declared.map_or(0, |n| usize::try_from(n).unwrap_or(limit));
    if !reservation.charge(expected) {
        return Err(BodyReadError::OverBudget);
    }
    let mut buf: Vec<u8> = Vec::with_capacity(expected);
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(BodyReadError::TimedOut),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(BodyReadError::Failed(e)),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        let len = buf.len().saturating_add(data.len());
        if len > limit {
            return Err(BodyReadError::TooLarge);
        }
        if len > buf.capacity() {
            // Chunked (or a wrong Content-Length): grow by doubling,
            // charging first.
            let new_cap = len.max(buf.capacity().saturating_mul(2)).min(limit);
            if !reservation.charge(new_cap - buf.capacity()) {
                return Err(BodyReadError::OverBudget);
            }
            buf.reserve_exact(new_cap - buf.len());
        }
        buf.extend_from_slice(&data);
    }
    Ok(buf)
}

/// The answer to a `GET`: 200 and a short text, as DynamoDB's endpoints
/// answer one (dynalite records `healthy: dynamodb.<region>.amazonaws.com `
/// for any GET), for load balancers' and containers' health checks.
fn health() -> Response<Full<Bytes>> {
    response::build(StatusCode::OK, None, HEALTH_BODY.to_vec())
}

/// The body of [`health`].
pub(crate) const HEALTH_BODY: &[u8] = b"healthy: siltdb ";

fn too_large() -> Response<Full<Bytes>> {
    response::build(StatusCode::PAYLOAD_TOO_LARGE, None, Vec::new())
}

/// The answer when the request memory budget refused a charge.
///
/// Usually other requests hold it: DynamoDB's `ThrottlingException` (HTTP
/// 400), which every AWS SDK retries with backoff ([`throttling_error`]
/// says why this and not a 503). If this request alone needs more than the
/// whole budget, no retry can succeed: a `ValidationException` says so.
fn overloaded(content_type: &'static str, reservation: &Reservation) -> Response<Full<Bytes>> {
    if reservation.exceeds_whole_budget() {
        tracing::info!("a request needs more memory than the whole request memory budget");
        let e = dynamo_error(&DynamoError::validation(
            "The request needs more memory than this server lets all requests hold together \
             (siltdb serve --max-request-memory)",
        ));
        return error_response(content_type, &e);
    }
    tracing::warn!("request memory budget spent; answering ThrottlingException");
    let e = throttling_error(
        "Rate of requests exceeds the allowed throughput: the requests in flight hold all the \
         memory this server gives requests (siltdb serve --max-request-memory); retry later",
    );
    error_response(content_type, &e)
}

/// The error a request gets when its operation panicked.
fn panicked() -> DynamoError {
    DynamoError::InternalServerError("the operation panicked".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use siltdb::dynamo::api::{
        AttributeDefinition, BillingMode, CreateTableInput, KeySchemaElement, KeyType,
    };
    use siltdb::dynamo::{DynamoDb, ScalarAttributeType};

    /// The ARN a table created through `backend` gets.
    fn arn_of_new_table(backend: &dyn Backend, name: &str) -> String {
        backend
            .create_table(CreateTableInput {
                table_name: name.into(),
                attribute_definitions: vec![AttributeDefinition {
                    attribute_name: "k".into(),
                    attribute_type: ScalarAttributeType::S,
                }],
                key_schema: vec![KeySchemaElement {
                    attribute_name: "k".into(),
                    key_type: KeyType::Hash,
                }],
                billing_mode: Some(BillingMode::PayPerRequest),
                ..Default::default()
            })
            .expect("created")
            .table_description
            .table_arn
    }

    #[test]
    fn regional_handles_are_made_once_and_name_their_region() {
        let db = DynamoDb::open_in_memory().expect("open");
        let state = State::new(Arc::new(db), ServerConfig::default());
        let a = state.in_region("eu-west-1").expect("a regional handle");
        let b = state.in_region("eu-west-1").expect("a regional handle");
        assert!(Arc::ptr_eq(&a, &b), "the second request reuses the handle");
        assert!(arn_of_new_table(a.as_ref(), "Tbl1").starts_with("arn:aws:dynamodb:eu-west-1:"));
        // Past the bound, handles are still right, just not kept.
        for i in 0..MAX_CACHED_REGIONS {
            state.in_region(&format!("r{i}"));
        }
        let c = state.in_region("us-west-2").expect("a regional handle");
        let d = state.in_region("us-west-2").expect("a regional handle");
        assert!(!Arc::ptr_eq(&c, &d));
        assert!(arn_of_new_table(d.as_ref(), "Tbl2").starts_with("arn:aws:dynamodb:us-west-2:"));
        assert_eq!(
            state.regions.read().expect("not poisoned").len(),
            MAX_CACHED_REGIONS
        );
    }
}
