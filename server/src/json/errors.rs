//! Error bodies as DynamoDB sends them.
//!
//! `{"__type": "<namespace>#<Name>", "message": "..."}` with HTTP 400, or
//! 500 for `InternalServerError`. The namespace depends on which layer of
//! DynamoDB raised the error, and clients show the part after `#`:
//!
//! - `com.amazon.coral.service#` — protocol errors: `SerializationException`
//!   (its text under `Message`, capital M, and no text at all when the body
//!   is not JSON), `UnknownOperationException` (no text),
//!   `MissingAuthenticationTokenException`, `IncompleteSignatureException`,
//!   `InvalidSignatureException`, `UnrecognizedClientException`;
//! - `com.amazon.coral.validate#ValidationException`;
//! - `com.amazonaws.dynamodb.v20120810#` — everything else.
//!
//! - `com.amazon.coral.availability#ThrottlingException` — overload
//!   ([`throttling_error`]), the type DynamoDB's control plane throttles
//!   with (dynalite's test helper retries on exactly it).
//!
//! All as recorded against the service by dynalite's tests
//! (`test/connection.js`, `test/helpers.js`).
//!
//! Two rules keep error bodies safe to send: an `InternalServerError`
//! carries DynamoDB's generic text, never the library's message (which may
//! name files on the server; the HTTP layer logs it), and no message is
//! longer than [`MAX_MESSAGE_CHARS`] (one that echoes a huge input is cut).
//! `ConditionalCheckFailedException` carries `Item` when the request asked
//! for it; `TransactionCanceledException` carries `CancellationReasons`.

use serde_json::{Map, Value};
use siltdb::dynamo::DynamoError;

use super::transact::cancellation_reasons_json;
use super::value::item_json;

/// Namespace of protocol-level errors.
pub const SERVICE_NAMESPACE: &str = "com.amazon.coral.service";
/// Namespace of `ValidationException`.
pub const VALIDATE_NAMESPACE: &str = "com.amazon.coral.validate";
/// Namespace of DynamoDB's own exceptions.
pub const DYNAMODB_NAMESPACE: &str = "com.amazonaws.dynamodb.v20120810";

/// Namespace of availability errors (throttling).
pub const AVAILABILITY_NAMESPACE: &str = "com.amazon.coral.availability";

/// What a client sees of any `InternalServerError`: DynamoDB's text.
pub const INTERNAL_ERROR_MESSAGE: &str =
    "The server encountered an internal error trying to fulfill the request.";

/// Longest message sent, in characters; a longer one is cut there and ends
/// in `...`. siltdb's bound, not a recorded DynamoDB rule: it keeps a
/// response small whatever a request echoes (10 violations, each echoing
/// at most 1,024 characters of a value, fit).
pub const MAX_MESSAGE_CHARS: usize = 16 * 1024;

/// `message`, cut to [`MAX_MESSAGE_CHARS`].
pub fn bounded_message(message: &str) -> std::borrow::Cow<'_, str> {
    crate::json::decode::truncate_chars(message, MAX_MESSAGE_CHARS)
}

/// An error ready to send: HTTP status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorBody {
    /// 400, or 500 for `InternalServerError`.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

/// `{"__type": "<namespace>#<name>", "<message_key>": message}` (no
/// message member without a message), the message bounded.
fn error_map(
    namespace: &str,
    name: &str,
    message_key: &str,
    message: Option<&str>,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "__type".to_string(),
        Value::String(format!("{namespace}#{name}")),
    );
    if let Some(msg) = message {
        m.insert(
            message_key.to_string(),
            Value::String(bounded_message(msg).into_owned()),
        );
    }
    m
}

/// A protocol-level error (`com.amazon.coral.service#name`), with its text
/// under `message` when there is one.
pub fn service_error(name: &str, message: Option<&str>) -> ErrorBody {
    ErrorBody {
        status: 400,
        body: Value::Object(error_map(SERVICE_NAMESPACE, name, "message", message)),
    }
}

/// DynamoDB's overload answer: `ThrottlingException`, HTTP 400, a type
/// every AWS SDK retries with backoff (botocore's `_retry.json`
/// `throttling_exception` policy and its standard mode's throttling codes;
/// the JavaScript and Rust SDKs' throttling lists name it too), and whose
/// retries adaptive-mode clients also slow down for. HTTP 503 would be
/// retried as well, but as a transient fault, without that slowing down.
pub fn throttling_error(message: &str) -> ErrorBody {
    ErrorBody {
        status: 400,
        body: Value::Object(error_map(
            AVAILABILITY_NAMESPACE,
            "ThrottlingException",
            "message",
            Some(message),
        )),
    }
}

/// The body and status for a library error.
pub fn dynamo_error(e: &DynamoError) -> ErrorBody {
    let (namespace, message_key) = match e {
        DynamoError::SerializationException(_) => (SERVICE_NAMESPACE, "Message"),
        DynamoError::UnknownOperationException(_) => (SERVICE_NAMESPACE, "message"),
        DynamoError::ValidationException(_) => (VALIDATE_NAMESPACE, "message"),
        _ => (DYNAMODB_NAMESPACE, "message"),
    };
    // A body that is not JSON gets a SerializationException without text,
    // and an unknown operation an UnknownOperationException without text.
    let bare = matches!(
        e,
        DynamoError::SerializationException(_) | DynamoError::UnknownOperationException(_)
    );
    let message = if e.is_internal() {
        INTERNAL_ERROR_MESSAGE
    } else {
        e.message()
    };
    let message = (!(bare && message.is_empty())).then_some(message);
    let mut m = error_map(namespace, e.name(), message_key, message);
    match e {
        DynamoError::ConditionalCheckFailedException {
            item: Some(item), ..
        } => {
            m.insert("Item".to_string(), item_json(item));
        }
        DynamoError::TransactionCanceledException { reasons, .. } => {
            m.insert(
                "CancellationReasons".to_string(),
                cancellation_reasons_json(reasons),
            );
        }
        _ => {}
    }
    let status = if e.is_internal() { 500 } else { 400 };
    ErrorBody {
        status,
        body: Value::Object(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use siltdb::dynamo::api::CancellationReason;
    use siltdb::dynamo::AttributeValue;

    #[test]
    fn namespaces_and_message_keys() {
        assert_eq!(
            dynamo_error(&DynamoError::validation("bad")),
            ErrorBody {
                status: 400,
                body: json!({"__type": "com.amazon.coral.validate#ValidationException", "message": "bad"})
            }
        );
        assert_eq!(
            dynamo_error(&DynamoError::SerializationException(
                "NUMBER_VALUE cannot be converted to String".into()
            ))
            .body,
            json!({"__type": "com.amazon.coral.service#SerializationException",
                   "Message": "NUMBER_VALUE cannot be converted to String"})
        );
        assert_eq!(
            dynamo_error(&DynamoError::SerializationException(String::new())).body,
            json!({"__type": "com.amazon.coral.service#SerializationException"})
        );
        assert_eq!(
            dynamo_error(&DynamoError::table_not_found("T")).body,
            json!({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                   "message": "Requested resource not found: Table: T not found"})
        );
        let e = dynamo_error(&DynamoError::InternalServerError(
            "writing /srv/data/000012.log: disk".into(),
        ));
        assert_eq!(e.status, 500);
        assert_eq!(
            e.body,
            json!({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                   "message": "The server encountered an internal error trying to fulfill the request."})
        );
        // An engine failure (here a full disk) is the same 500 on the wire;
        // its detail stays in the server's log.
        let full = DynamoError::from(siltdb::Error::io(
            "append to 000012.log",
            std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left on device"),
        ));
        assert_eq!(dynamo_error(&full), e);
        assert_eq!(
            throttling_error("busy").body,
            json!({"__type": "com.amazon.coral.availability#ThrottlingException", "message": "busy"})
        );
        let long = "x".repeat(MAX_MESSAGE_CHARS + 10);
        let e = dynamo_error(&DynamoError::validation(long));
        assert_eq!(
            e.body["message"].as_str().map(|m| m.chars().count()),
            Some(MAX_MESSAGE_CHARS + 3)
        );
        assert_eq!(
            service_error("UnknownOperationException", None).body,
            json!({"__type": "com.amazon.coral.service#UnknownOperationException"})
        );
    }

    #[test]
    fn condition_failure_and_cancellation_carry_their_extras() {
        let item: siltdb::dynamo::Item = [("k".to_string(), AttributeValue::S("v".into()))].into();
        assert_eq!(
            dynamo_error(&DynamoError::conditional_check_failed(Some(item.clone()))).body,
            json!({"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                   "message": "The conditional request failed", "Item": {"k": {"S": "v"}}})
        );
        assert_eq!(
            dynamo_error(&DynamoError::conditional_check_failed(None)).body,
            json!({"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                   "message": "The conditional request failed"})
        );
        let e = DynamoError::TransactionCanceledException {
            message: "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]".into(),
            reasons: vec![
                CancellationReason {
                    code: Some("None".into()),
                    ..Default::default()
                },
                CancellationReason {
                    code: Some("ConditionalCheckFailed".into()),
                    message: Some("The conditional request failed".into()),
                    item: Some(item),
                },
            ],
        };
        assert_eq!(
            dynamo_error(&e).body,
            json!({"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                   "message": "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",
                   "CancellationReasons": [{"Code": "None"},
                       {"Item": {"k": {"S": "v"}}, "Code": "ConditionalCheckFailed",
                        "Message": "The conditional request failed"}]})
        );
    }
}
