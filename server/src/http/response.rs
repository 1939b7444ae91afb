//! Building responses: the headers DynamoDB sends on every one.
//!
//! `x-amzn-RequestId` (a fresh UUID-shaped id; the SDKs only log it),
//! `x-amz-crc32` (CRC-32 of the body bytes, in decimal — the SDKs check it
//! and retry on a mismatch), `Content-Type` echoing the request's JSON type,
//! and `Content-Length`.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderName, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde_json::Value;

use super::compression::{compress, Coding, MIN_COMPRESSED_BYTES};

/// The JSON content type DynamoDB's SDKs send.
pub(crate) const AMZ_JSON: &str = "application/x-amz-json-1.0";
/// The other content type DynamoDB accepts.
pub(crate) const PLAIN_JSON: &str = "application/json";

/// The header naming a response's request id.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
/// The header carrying the body's CRC-32.
const CRC32: HeaderName = HeaderName::from_static("x-amz-crc32");

/// A response body plus the headers every response carries.
pub(crate) fn build(
    status: StatusCode,
    content_type: Option<&'static str>,
    body: Vec<u8>,
) -> Response<Full<Bytes>> {
    let crc = crc32fast::hash(&body);
    let len = body.len();
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_bytes(&request_id()) {
        h.insert(REQUEST_ID, v);
    }
    h.insert(CRC32, HeaderValue::from(crc));
    if let Some(ct) = content_type {
        // A constant of this module: not copied or checked per response.
        h.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    r
}

/// A JSON response.
pub(crate) fn json(
    status: StatusCode,
    content_type: &'static str,
    body: &Value,
) -> Response<Full<Bytes>> {
    // Serializing a `Value` cannot fail (its map keys are strings).
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    build(status, Some(content_type), bytes)
}

/// A JSON response already written to bytes, compressed with `coding` when given and the body is at
/// least [`MIN_COMPRESSED_BYTES`] and shrinks (`x-amz-crc32` then covers
/// the compressed bytes).
pub(crate) fn json_coded(
    status: StatusCode,
    content_type: &'static str,
    bytes: Vec<u8>,
    coding: Option<Coding>,
) -> Response<Full<Bytes>> {
    let compressed = coding
        .filter(|_| bytes.len() >= MIN_COMPRESSED_BYTES)
        .and_then(|c| compress(&bytes, c).map(|z| (c, z)));
    match compressed {
        None => build(status, Some(content_type), bytes),
        Some((c, z)) => {
            let mut r = build(status, Some(content_type), z);
            r.headers_mut()
                .insert(CONTENT_ENCODING, HeaderValue::from_static(c.token()));
            r
        }
    }
}

/// A UUID-shaped (version 4 layout) request id, in lower-case hex.
///
/// Uniqueness, not secrecy, is what matters: a per-process random seed
/// (from the standard library's hash randomization) and a counter.
pub(crate) fn request_id() -> [u8; 36] {
    static SEED: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = SEED.get_or_init(std::collections::hash_map::RandomState::new);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let half = |salt: u64| {
        let mut h = seed.build_hasher();
        h.write_u64(n);
        h.write_u64(salt);
        h.finish()
    };
    let hi = half(1);
    let lo = half(2);
    let hi = (hi & !0xF000) | 0x4000; // version 4
    let lo = (lo & !(0xC << 60)) | (0x8 << 60); // RFC 4122 variant
                                                // 8-4-4-4-12 hex digits: `hi`'s 16, then `lo`'s 16.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = [b'-'; 36];
    let digits = [hi, lo]
        .into_iter()
        .flat_map(|half| half.to_be_bytes())
        .flat_map(|byte| [byte >> 4, byte & 0xF]);
    let places = (0..36).filter(|i| ![8, 13, 18, 23].contains(i));
    for (place, digit) in places.zip(digits) {
        if let (Some(slot), Some(&c)) = (id.get_mut(place), HEX.get(usize::from(digit))) {
            *slot = c;
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuid_shaped_and_distinct() {
        let a = String::from_utf8(request_id().to_vec()).expect("ascii");
        let b = String::from_utf8(request_id().to_vec()).expect("ascii");
        assert_ne!(a, b);
        for id in [a, b] {
            let parts: Vec<&str> = id.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(parts[2].starts_with('4'), "{id}");
            assert!(parts[3].starts_with(['8', '9', 'a', 'b']), "{id}");
            assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn crc32_header_is_the_body_checksum() {
        // dynalite records DynamoDB's x-amz-crc32 for this body: 1368724161.
        let body = br#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#;
        let r = build(StatusCode::BAD_REQUEST, Some(AMZ_JSON), body.to_vec());
        assert_eq!(
            r.headers().get("x-amz-crc32").and_then(|v| v.to_str().ok()),
            Some("1368724161")
        );
        assert_eq!(
            r.headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()),
            Some(body.len().to_string().as_str())
        );
    }
}
