//! One request → one response, checked in DynamoDB's order.
//!
//! The order and the answers are DynamoDB's, as dynalite's connection tests
//! recorded them against the service (`test/connection.js`, `index.js`):
//!
//! 1. A body over 16 MiB: HTTP 413, empty body. The body is read with that
//!    limit and never buffered beyond it; a `Content-Length` over the limit
//!    is refused before reading.
//! 2. `OPTIONS` with an `Origin` header: a CORS preflight answer (200).
//! 3. A method other than `POST`, or a body whose `Content-Type` is neither
//!    `application/x-amz-json-1.0` nor `application/json`: HTTP 404 with the
//!    body `<UnknownOperationException/>\n`. The path is ignored, as
//!    DynamoDB ignores it.
//! 4. A body that is not JSON: `SerializationException` without a message.
//! 5. A missing or unknown `X-Amz-Target`: `UnknownOperationException`.
//! 6. Authentication ([`crate::auth`]).
//! 7. An empty body: `SerializationException`.
//! 8. The request's members ([`crate::json`]), then the operation.
//!
//! JSON responses echo the request's content type. Nothing here panics on
//! input; a panic inside the backend becomes HTTP 500 `InternalServerError`.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, ORIGIN};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value;
use siltdb::dynamo::DynamoError;

use super::response::{self, AMZ_JSON, PLAIN_JSON};
use super::ServerConfig;
use crate::auth::{self, SignedRequest};
use crate::backend::{dispatch, Backend};
use crate::json::errors::{dynamo_error, service_error, ErrorBody};
use crate::json::{decode_request, encode_response};
use crate::operation::Operation;

/// DynamoDB's request size limit, 16 MiB (dynalite's `MAX_REQUEST_BYTES`).
pub const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// The `X-Amz-Target` prefix of DynamoDB's operations.
const DYNAMODB_TARGET: &str = "DynamoDB_20120810";
/// The `X-Amz-Target` prefix of DynamoDB Streams' operations.
const STREAMS_TARGET: &str = "DynamoDBStreams_20120810";

/// What every request needs: the backend and the settings.
pub(crate) struct State {
    backend: Arc<dyn Backend>,
    config: ServerConfig,
}

impl State {
    pub(crate) fn new(backend: Arc<dyn Backend>, config: ServerConfig) -> State {
        State { backend, config }
    }
}

/// The operation an `X-Amz-Target` names, if the server implements it.
pub(crate) fn parse_target(target: &str) -> Option<Operation> {
    let (api, name) = target.split_once('.')?;
    match api {
        DYNAMODB_TARGET => Operation::from_name(name).filter(|op| !op.is_streams()),
        STREAMS_TARGET => Operation::from_name(name).filter(|op| op.is_streams()),
        _ => None,
    }
}

/// Media type of a `Content-Type` value, without parameters, lower case.
fn media_type(v: &HeaderValue) -> String {
    let s = String::from_utf8_lossy(v.as_bytes());
    s.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn error_response(content_type: &str, e: &ErrorBody) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    response::json(status, content_type, &e.body)
}

fn with_cors(mut r: Response<Full<Bytes>>, origin: bool) -> Response<Full<Bytes>> {
    if origin {
        r.headers_mut()
            .insert("access-control-allow-origin", HeaderValue::from_static("*"));
    }
    r
}

/// Answers one request.
pub(crate) async fn handle(req: Request<Incoming>, state: &State) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let origin = parts.headers.contains_key(ORIGIN);
    let limit = state.config.max_body_bytes;

    // 1. Size.
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let body = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                return too_large();
            }
            tracing::debug!("reading a request body failed: {e}");
            let e = service_error("SerializationException", None);
            return error_response(AMZ_JSON, &e);
        }
    };

    // 2. CORS preflight.
    if origin && parts.method == Method::OPTIONS {
        let mut r = response::build(StatusCode::OK, None, Vec::new());
        let h = r.headers_mut();
        h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        for (ask, allow) in [
            (
                "access-control-request-headers",
                "access-control-allow-headers",
            ),
            (
                "access-control-request-method",
                "access-control-allow-methods",
            ),
        ] {
            if let Some(v) = parts.headers.get(ask).cloned() {
                h.insert(allow, v);
            }
        }
        h.insert("access-control-max-age", HeaderValue::from_static("172800"));
        return r;
    }

    // 3. Method and content type.
    let content_type = parts.headers.get(CONTENT_TYPE).map(media_type);
    let json_type = matches!(content_type.as_deref(), Some(AMZ_JSON) | Some(PLAIN_JSON));
    if parts.method != Method::POST || (!body.is_empty() && !json_type) {
        let r = response::build(
            StatusCode::NOT_FOUND,
            None,
            b"<UnknownOperationException/>\n".to_vec(),
        );
        return with_cors(r, origin);
    }
    let reply_type = if content_type.as_deref() == Some(AMZ_JSON) {
        AMZ_JSON
    } else {
        PLAIN_JSON
    };

    // 4. JSON.
    let parsed: Option<Value> = if body.is_empty() {
        None
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => Some(v),
            Err(_) => {
                let e = service_error("SerializationException", None);
                return with_cors(error_response(reply_type, &e), origin);
            }
        }
    };

    // 5. Target.
    let target = parts
        .headers
        .get("x-amz-target")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let Some(op) = target.as_deref().and_then(parse_target) else {
        let e = service_error("UnknownOperationException", None);
        return with_cors(error_response(reply_type, &e), origin);
    };

    // 6. Authentication.
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
    };
    if let Err(e) = auth::check(
        state.config.credentials.as_ref(),
        &signed,
        state
            .config
            .check_request_time
            .then(std::time::SystemTime::now),
    ) {
        let e = service_error(e.name(), Some(e.message()));
        return with_cors(error_response(reply_type, &e), origin);
    }

    // 7 and 8. Members, then the operation.
    let result = match parsed {
        None => Err(DynamoError::SerializationException(String::new())),
        Some(v) => match decode_request(op, &v) {
            Ok(request) if op.runs_inline() => {
                // On this worker, with the blocking pool's panic handling.
                let backend = state.backend.as_ref();
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    dispatch(backend, request)
                }))
                .unwrap_or_else(|_| {
                    tracing::error!(operation = op.name(), "the operation panicked");
                    Err(internal_error())
                })
            }
            Ok(request) => {
                let backend = state.backend.clone();
                match tokio::task::spawn_blocking(move || dispatch(backend.as_ref(), request)).await
                {
                    Ok(r) => r,
                    Err(join) => {
                        tracing::error!(operation = op.name(), "the operation panicked: {join}");
                        Err(internal_error())
                    }
                }
            }
            Err(e) => Err(e),
        },
    };
    let r = match &result {
        Ok(out) => response::json(StatusCode::OK, reply_type, &encode_response(out)),
        Err(e) => error_response(reply_type, &dynamo_error(e)),
    };
    match &result {
        Err(e @ DynamoError::InternalServerError(_)) => {
            tracing::warn!(operation = op.name(), "{e}");
        }
        _ => tracing::debug!(
            operation = op.name(),
            status = r.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "request"
        ),
    }
    with_cors(r, origin)
}

fn too_large() -> Response<Full<Bytes>> {
    response::build(StatusCode::PAYLOAD_TOO_LARGE, None, Vec::new())
}

/// The error a request gets when its operation panicked.
fn internal_error() -> DynamoError {
    DynamoError::InternalServerError(
        "The server encountered an internal error trying to fulfill the request.".to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("DynamoDB_20120810.PutItem"),
            Some(Operation::PutItem)
        );
        assert_eq!(parse_target("DynamoDB_20120810.ListTable"), None);
        assert_eq!(parse_target("DynamoDB_20111205.PutItem"), None);
        assert_eq!(
            parse_target("DynamoDBStreams_20120810.GetRecords"),
            Some(Operation::GetRecords)
        );
        assert_eq!(parse_target("DynamoDB_20120810.GetRecords"), None);
        assert_eq!(parse_target("DynamoDBStreams_20120810.PutItem"), None);
        assert_eq!(parse_target("whatever"), None);
        assert_eq!(parse_target("DynamoDB_20120810.PutItem.x"), None);
    }

    #[test]
    fn media_types_ignore_parameters_and_case() {
        assert_eq!(
            media_type(&HeaderValue::from_static("Application/JSON; charset=utf-8")),
            "application/json"
        );
    }
}
