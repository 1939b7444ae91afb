//! A request in memory → the operation input it asks for, or the answer
//! that refuses it: steps 3 to 8 of the handler's order (see `handler`) as
//! a function of the request's head and body bytes — no I/O, and no clock
//! unless the caller passes one — so tests and the `http_request` fuzz
//! target drive exactly what the server runs.

use std::time::SystemTime;

use hyper::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use hyper::http::request::Parts;
use hyper::Method;
use siltdb::dynamo::DynamoError;

use super::response::{AMZ_JSON, PLAIN_JSON};
use super::unsupported::unknown_operation_message;
use crate::auth::{self, Credentials, SignedRequest};
use crate::json::errors::{dynamo_error, service_error, ErrorBody};
use crate::json::tree::{check_syntax, Meter};
use crate::json::{read_body, BodyError};
use crate::operation::{Operation, Request};

/// The `X-Amz-Target` prefix of DynamoDB's operations.
const DYNAMODB_TARGET: &str = "DynamoDB_20120810";
/// The `X-Amz-Target` prefix of DynamoDB Streams' operations.
const STREAMS_TARGET: &str = "DynamoDBStreams_20120810";

/// Why a request is not run.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Not a `POST`, or a body that is not JSON by its content type: HTTP
    /// 404 with `<UnknownOperationException/>`.
    NotFound,
    /// DynamoDB's error (operation, authentication, serialization,
    /// validation), to send in the request's [`reply_type`].
    Error(ErrorBody),
    /// The meter refused the memory the body parses into.
    OverBudget,
}

/// The operation an `X-Amz-Target` names, if the server implements it.
pub fn parse_target(target: &str) -> Option<Operation> {
    let (api, name) = target.split_once('.')?;
    match api {
        DYNAMODB_TARGET => Operation::from_name(name).filter(|op| !op.is_streams()),
        STREAMS_TARGET => Operation::from_name(name).filter(|op| op.is_streams()),
        _ => None,
    }
}

/// Which of DynamoDB's two JSON media types a `Content-Type` value names
/// (parameters and case ignored), if either.
fn json_media_type(v: &HeaderValue) -> Option<&'static str> {
    let bytes = v.as_bytes();
    let end = bytes.iter().position(|&b| b == b';').unwrap_or(bytes.len());
    let media = bytes.get(..end)?.trim_ascii();
    [AMZ_JSON, PLAIN_JSON]
        .into_iter()
        .find(|t| media.eq_ignore_ascii_case(t.as_bytes()))
}

/// The content type a JSON answer to a request with `headers` carries: the
/// request's, `application/x-amz-json-1.0` or else `application/json`.
pub fn reply_type(headers: &HeaderMap) -> &'static str {
    match headers.get(CONTENT_TYPE).and_then(json_media_type) {
        Some(AMZ_JSON) => AMZ_JSON,
        _ => PLAIN_JSON,
    }
}

/// Reads the request `parts` + `body`: method and content type, JSON
/// syntax, target, authentication against `credentials` (signatures dated
/// more than 15 minutes from `now` refused, when given), then the body
/// decoded for its operation with what it parses into charged to `meter`.
///
/// With credentials the target and signature come before the JSON syntax:
/// a request is authenticated on its raw bytes before any JSON is parsed.
/// Without, the order is the one recorded against DynamoDB: syntax, target,
/// then the `Authorization` header's presence.
pub fn interpret(
    parts: &Parts,
    body: &[u8],
    credentials: Option<&Credentials>,
    now: Option<SystemTime>,
    meter: &dyn Meter,
) -> Result<(Operation, Request), Refusal> {
    interpret_decoded(parts, body, body, credentials, now, meter)
}

/// [`interpret`] for a request whose body arrived compressed: `wire` is the
/// body as sent (what its signature covers), `body` the decompressed JSON.
pub fn interpret_decoded(
    parts: &Parts,
    wire: &[u8],
    body: &[u8],
    credentials: Option<&Credentials>,
    now: Option<SystemTime>,
    meter: &dyn Meter,
) -> Result<(Operation, Request), Refusal> {
    // 3. Method and content type.
    let json_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(json_media_type)
        .is_some();
    if parts.method != Method::POST || (!body.is_empty() && !json_type) {
        return Err(Refusal::NotFound);
    }

    // 4 to 6. The syntax check (4) is made only where an answer depends on
    // it: a body that parses in 8 has none to find, so it runs before an
    // error of 5, 6 (without credentials) or 8 is answered.
    let syntax = || {
        if !body.is_empty() && check_syntax(body).is_err() {
            Err(Refusal::Error(service_error(
                "SerializationException",
                None,
            )))
        } else {
            Ok(())
        }
    };
    let unauthenticated_syntax = || match credentials {
        None => syntax(),
        Some(_) => Ok(()),
    };
    let target = parts
        .headers
        .get("x-amz-target")
        .map(|v| String::from_utf8_lossy(v.as_bytes()));
    let Some(op) = target.as_deref().and_then(parse_target) else {
        unauthenticated_syntax()?;
        let message = unknown_operation_message(target.as_deref());
        return Err(Refusal::Error(service_error(
            "UnknownOperationException",
            message.as_deref(),
        )));
    };
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: wire,
    };
    if let Err(e) = auth::check(credentials, &signed, now) {
        unauthenticated_syntax()?;
        return Err(Refusal::Error(service_error(e.name(), Some(e.message()))));
    }

    // 7 and 8.
    if body.is_empty() {
        return Err(Refusal::Error(dynamo_error(
            &DynamoError::SerializationException(String::new()),
        )));
    }
    match read_body(op, body, meter) {
        Ok(request) => Ok((op, request)),
        Err(e) => {
            // The parse may have stopped before a syntax error (at an
            // unknown member, or over budget).
            syntax()?;
            match e {
                BodyError::OverBudget => Err(Refusal::OverBudget),
                BodyError::Rejected(e) => Err(Refusal::Error(dynamo_error(&e))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::tree::Unmetered;

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
            json_media_type(&HeaderValue::from_static("Application/JSON; charset=utf-8")),
            Some(PLAIN_JSON)
        );
        assert_eq!(
            json_media_type(&HeaderValue::from_static(" application/x-amz-json-1.0 ")),
            Some(AMZ_JSON)
        );
        assert_eq!(
            json_media_type(&HeaderValue::from_static("application/x-amz-json-1.1")),
            None
        );
    }

    fn parts(pairs: &[(&str, &str)]) -> Parts {
        let mut b = hyper::Request::builder().method("POST").uri("/");
        for (k, v) in pairs {
            b = b.header(*k, *v);
        }
        b.body(()).expect("request").into_parts().0
    }

    #[test]
    fn a_request_becomes_its_input_or_a_refusal() {
        let p = parts(&[
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", "DynamoDB_20120810.DescribeTable"),
            ("authorization", "AWS4-HMAC-SHA256 x"),
        ]);
        let (op, request) =
            interpret(&p, br#"{"TableName": "Tbl"}"#, None, None, &Unmetered).expect("valid");
        assert_eq!(op, Operation::DescribeTable);
        assert_eq!(request.operation(), op);
        assert_eq!(reply_type(&p.headers), AMZ_JSON);
        assert_eq!(
            interpret(&p, b"", None, None, &Unmetered),
            Err(Refusal::Error(dynamo_error(
                &DynamoError::SerializationException(String::new())
            )))
        );
        let text = parts(&[("content-type", "text/plain")]);
        assert_eq!(
            interpret(&text, b"x", None, None, &Unmetered),
            Err(Refusal::NotFound)
        );
        assert_eq!(reply_type(&text.headers), PLAIN_JSON);
    }

    /// The refusal's `__type` and message.
    fn refused(r: Result<(Operation, Request), Refusal>) -> (String, Option<String>) {
        match r {
            Err(Refusal::Error(e)) => (
                e.body["__type"].as_str().unwrap_or("").to_string(),
                e.body
                    .get("message")
                    .or_else(|| e.body.get("Message"))
                    .and_then(|m| m.as_str())
                    .map(str::to_string),
            ),
            other => panic!("not an error: {other:?}"),
        }
    }

    #[test]
    fn a_syntax_error_is_answered_before_what_else_is_wrong() {
        const SERIALIZATION: &str = "com.amazon.coral.service#SerializationException";
        let bad = b"{\"TableName\": ";
        // Without credentials: before a missing target, before a missing
        // Authorization header, and after an unknown member that stopped
        // the parse before the error.
        let no_target = parts(&[
            ("content-type", AMZ_JSON),
            ("authorization", "AWS4-HMAC-SHA256 x"),
        ]);
        let no_auth = parts(&[
            ("content-type", AMZ_JSON),
            ("x-amz-target", "DynamoDB_20120810.DescribeTable"),
        ]);
        let valid = parts(&[
            ("content-type", AMZ_JSON),
            ("x-amz-target", "DynamoDB_20120810.DescribeTable"),
            ("authorization", "AWS4-HMAC-SHA256 x"),
        ]);
        for p in [&no_target, &no_auth, &valid] {
            let r = interpret(p, bad, None, None, &Unmetered);
            assert_eq!(refused(r), (SERIALIZATION.to_string(), None));
        }
        let unknown_then_bad = b"{\"Bogus\": 1, \"TableName\": ";
        let r = interpret(&valid, unknown_then_bad, None, None, &Unmetered);
        assert_eq!(refused(r), (SERIALIZATION.to_string(), None));
        // Valid JSON: what else is wrong is answered.
        let r = interpret(&no_target, b"{}", None, None, &Unmetered);
        assert!(refused(r).0.ends_with("UnknownOperationException"));
        let r = interpret(&no_auth, b"{}", None, None, &Unmetered);
        assert!(refused(r)
            .0
            .ends_with("MissingAuthenticationTokenException"));
        let r = interpret(&valid, b"{\"Bogus\": 1}", None, None, &Unmetered);
        let (kind, message) = refused(r);
        assert_eq!(kind, SERIALIZATION);
        assert!(message.is_some_and(|m| m.contains("Bogus")));
    }
}
