//! AWS Signature Version 4: who may call the server.
//!
//! Without configured credentials the server behaves like DynamoDB Local:
//! any request that carries an `Authorization` header is accepted, and one
//! without is refused with DynamoDB's `MissingAuthenticationTokenException`
//! ("Request is missing Authentication Token"). With credentials
//! (`--credentials AK:SECRET`) the signature is checked as AWS specifies it
//! (the "Create a signed AWS API request" guide): canonical request, string
//! to sign, derived signing key, HMAC-SHA256. Failures are DynamoDB's
//! (names and messages recorded by dynalite, `index.js`):
//! `IncompleteSignatureException` for a malformed header,
//! `UnrecognizedClientException` ("The security token included in the
//! request is invalid.") for an unknown access key, and
//! `InvalidSignatureException` for a wrong signature, whose message shows
//! the canonical request and string to sign the server computed — as
//! DynamoDB's does — so a client author can see what differs.
//!
//! Also as DynamoDB: a signature dated more than 15 minutes from the
//! server's clock is refused, the credential scope must name `dynamodb`,
//! `aws4_request` and the request's date, and `host` must be signed.
//! Temporary credentials (`X-Amz-Security-Token`) are refused: there is only
//! the one configured key.
// Bytes read here come from disk or the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use hyper::HeaderMap;
use sha2::{Digest, Sha256};
use siltdb::dynamo::clock::calendar::{civil_from_days, days_from_civil};

type HmacSha256 = Hmac<Sha256>;

/// The only signing algorithm DynamoDB accepts.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// An access key and its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id clients sign with.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .finish()
    }
}

/// Why `AK:SECRET` is not a pair of credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("credentials must be ACCESS_KEY_ID:SECRET_ACCESS_KEY, both non-empty")]
pub struct CredentialsParseError;

impl FromStr for Credentials {
    type Err = CredentialsParseError;

    /// Parses `ACCESS_KEY_ID:SECRET_ACCESS_KEY` (the secret may contain `:`).
    fn from_str(s: &str) -> Result<Credentials, CredentialsParseError> {
        match s.split_once(':') {
            Some((ak, secret)) if !ak.is_empty() && !secret.is_empty() => Ok(Credentials {
                access_key_id: ak.to_string(),
                secret_access_key: secret.to_string(),
            }),
            _ => Err(CredentialsParseError),
        }
    }
}

/// Why a request was refused; `name` and `message` are DynamoDB's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header (or not an `AWS4-` one when checking).
    MissingAuthenticationToken,
    /// The header lacks a part or is malformed.
    IncompleteSignature(String),
    /// The access key is not the configured one.
    UnrecognizedClient,
    /// The request carries an `X-Amz-Security-Token`.
    InvalidSecurityToken,
    /// The signature does not match.
    InvalidSignature(String),
}

impl AuthError {
    /// The exception name (namespace `com.amazon.coral.service`).
    pub fn name(&self) -> &'static str {
        match self {
            AuthError::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            AuthError::IncompleteSignature(_) => "IncompleteSignatureException",
            AuthError::UnrecognizedClient | AuthError::InvalidSecurityToken => {
                "UnrecognizedClientException"
            }
            AuthError::InvalidSignature(_) => "InvalidSignatureException",
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        match self {
            AuthError::MissingAuthenticationToken => "Request is missing Authentication Token",
            AuthError::IncompleteSignature(m) | AuthError::InvalidSignature(m) => m,
            AuthError::UnrecognizedClient => {
                "The security token included in the request is invalid."
            }
            AuthError::InvalidSecurityToken => {
                "The security token included in the request is invalid"
            }
        }
    }
}

/// The parts of a request a signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// `POST`, `GET`, ...
    pub method: &'a str,
    /// The path as sent (still percent-encoded), e.g. `/`.
    pub path: &'a str,
    /// The query string as sent, without `?`.
    pub query: Option<&'a str>,
    /// All request headers.
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

/// How far a request's `X-Amz-Date` may be from the server's clock.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Checks `request` against `credentials` (`None`: accept any request with
/// an `Authorization` header). With `now`, a request signed more than
/// [`MAX_CLOCK_SKEW`] away from it is refused, as DynamoDB refuses it.
pub fn check(
    credentials: Option<&Credentials>,
    request: &SignedRequest<'_>,
    now: Option<SystemTime>,
) -> Result<(), AuthError> {
    let header = request
        .headers
        .get(hyper::header::AUTHORIZATION)
        .map(|v| header_text(v.as_bytes()))
        .filter(|h| !h.trim().is_empty())
        .ok_or(AuthError::MissingAuthenticationToken)?;
    let Some(credentials) = credentials else {
        return Ok(());
    };
    if !header.trim_start().starts_with("AWS4-") {
        return Err(AuthError::MissingAuthenticationToken);
    }
    let auth = parse_authorization(&header, request.headers, now)?;
    if request.headers.contains_key("x-amz-security-token") {
        // Temporary credentials are not supported; DynamoDB's wording for a
        // token it does not know (no final period, unlike the key message).
        return Err(AuthError::InvalidSecurityToken);
    }
    if auth.access_key_id != credentials.access_key_id {
        return Err(AuthError::UnrecognizedClient);
    }
    let canonical = canonical_request(request, &auth.signed_headers);
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{}\n{}",
        auth.date,
        auth.scope,
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = signing_key(
        &credentials.secret_access_key,
        &auth.scope_date,
        &auth.region,
        &auth.service,
    );
    let expected = hex(&hmac(&key, string_to_sign.as_bytes()));
    if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        Ok(())
    } else {
        Err(AuthError::InvalidSignature(format!(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n\
             The Canonical String for this request should have been\n'{canonical}'\n\n\
             The String-to-Sign should have been\n'{string_to_sign}'\n"
        )))
    }
}

/// The parsed `Authorization` header.
#[derive(Debug)]
struct Authorization {
    access_key_id: String,
    scope: String,
    scope_date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
    date: String,
}

/// The region of a request's SigV4 credential scope
/// (`Authorization: AWS4-HMAC-SHA256 Credential=AK/date/REGION/service/...`),
/// if it has one that looks like a region (1–32 of `[a-z0-9-]`): the region
/// the server answers the request in.
pub fn credential_region(headers: &HeaderMap) -> Option<&str> {
    let header = headers.get("authorization")?.to_str().ok()?;
    let region = credential(header)?.split('/').nth(2)?;
    let ok = (1..=32).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then_some(region)
}

/// The value of the first part of `header` that is `Credential=VALUE`,
/// parts being separated by spaces and commas and trimmed of whitespace.
/// Parts are cut at separator bytes, up to the credential only: this runs
/// for every request, signed or not, and `str::split` over a two-char
/// pattern decoded every character of the whole header.
fn credential(header: &str) -> Option<&str> {
    let mut rest = header;
    loop {
        let end = rest
            .bytes()
            .position(|b| b == b' ' || b == b',')
            .unwrap_or(rest.len());
        let (part, after) = rest.split_at(end);
        if let Some(value) = part.trim().strip_prefix("Credential=") {
            return Some(value);
        }
        // Past the separator; none left ends the search.
        rest = after.get(1..)?;
    }
}

/// A header's bytes as text: borrowed when they are UTF-8 (always, for
/// the visible ASCII clients send), with invalid sequences replaced
/// otherwise. Cheaper than `String::from_utf8_lossy` for the common case,
/// whose chunked scan cost about 1,200 instructions per `Authorization`
/// header.
fn header_text(bytes: &[u8]) -> Cow<'_, str> {
    std::str::from_utf8(bytes).map_or_else(|_| String::from_utf8_lossy(bytes), Cow::Borrowed)
}

fn parse_authorization(
    header: &str,
    headers: &HeaderMap,
    now: Option<SystemTime>,
) -> Result<Authorization, AuthError> {
    let header = header.trim();
    let (algorithm, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k.trim() {
            "Credential" => credential = Some(v.trim().to_string()),
            "SignedHeaders" => signed_headers = Some(v.trim().to_string()),
            "Signature" => signature = Some(v.trim().to_string()),
            _ => {}
        }
    }
    let date = headers
        .get("x-amz-date")
        .or_else(|| headers.get(hyper::header::DATE))
        .map(|v| header_text(v.as_bytes()).into_owned());
    // DynamoDB lists every missing part, then echoes the header.
    let mut missing = String::new();
    for (name, present) in [
        ("Credential", credential.is_some()),
        ("Signature", signature.is_some()),
        ("SignedHeaders", signed_headers.is_some()),
    ] {
        if !present {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    if date.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(date)) =
        (credential, signed_headers, signature, date)
    else {
        return Err(AuthError::IncompleteSignature(format!(
            "{missing}Authorization={header}"
        )));
    };
    let signed_at = parse_basic_date(&date).ok_or_else(|| {
        AuthError::IncompleteSignature(format!(
            "Date must be in ISO-8601 'basic format'. Got '{date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ))
    })?;
    if let Some(now) = now {
        check_clock(signed_at, now)?;
    }
    let signed_headers: Vec<String> = signed_headers
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if !signed_headers.iter().any(|h| h == "host") {
        return Err(AuthError::InvalidSignature(
            "'Host' must be a 'SignedHeader' in the AWS Authorization.".to_string(),
        ));
    }
    if algorithm != ALGORITHM {
        return Err(AuthError::IncompleteSignature(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "
        )));
    }
    let trimmed = credential.trim_end_matches('/');
    let parts: Vec<&str> = trimmed.split('/').collect();
    let [access_key_id, scope_date, region, service, terminator] = parts.as_slice() else {
        return Err(AuthError::IncompleteSignature(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{trimmed}'"
        )));
    };
    let mut wrong = String::new();
    if *service != "dynamodb" {
        wrong.push_str("Credential should be scoped to correct service: 'dynamodb'. ");
    }
    if *terminator != "aws4_request" {
        wrong.push_str(&format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
        ));
    }
    let day = date.get(..8).unwrap_or("");
    if *scope_date != day {
        wrong.push_str(&format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{day}', from '{date}'."
        ));
    }
    if !wrong.is_empty() {
        return Err(AuthError::InvalidSignature(wrong.trim_end().to_string()));
    }
    Ok(Authorization {
        access_key_id: (*access_key_id).to_string(),
        scope: format!("{scope_date}/{region}/{service}/{terminator}"),
        scope_date: (*scope_date).to_string(),
        region: (*region).to_string(),
        service: (*service).to_string(),
        signed_headers,
        signature,
        date,
    })
}

/// The canonical request: method, path, query, signed headers, payload hash.
fn canonical_request(request: &SignedRequest<'_>, signed_headers: &[String]) -> String {
    let mut out = String::new();
    out.push_str(request.method);
    out.push('\n');
    out.push_str(&canonical_path(request.path));
    out.push('\n');
    out.push_str(&canonical_query(request.query.unwrap_or("")));
    out.push('\n');
    for name in signed_headers {
        let values: Vec<String> = request
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| collapse_spaces(&header_text(v.as_bytes())))
            .collect();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(&hex(&Sha256::digest(request.body)));
    out
}

/// The path encoded once more, as AWS's signers do for every service but
/// S3: each byte outside the unreserved set and `/` becomes `%XX`.
fn canonical_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    uri_encode(path.as_bytes(), true)
}

/// Parameters decoded, re-encoded strictly, and sorted by name then value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(k), false),
                uri_encode(&percent_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn uri_encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let decoded = match (c, b.get(i + 1), b.get(i + 2)) {
            (b'%', Some(h), Some(l)) => match (hex_digit(*h), hex_digit(*l)) {
                (Some(h), Some(l)) => Some(h * 16 + l),
                _ => None,
            },
            _ => None,
        };
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn hex_digit(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Trims and collapses runs of spaces, as the canonical headers require.
fn collapse_spaces(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Refuses a signature from outside [`MAX_CLOCK_SKEW`] of `now`, with
/// DynamoDB's messages.
fn check_clock(signed_at: i64, now: SystemTime) -> Result<(), AuthError> {
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    };
    let skew = MAX_CLOCK_SKEW.as_secs() as i64;
    if signed_at < now - skew {
        return Err(AuthError::InvalidSignature(format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            format_basic_date(signed_at),
            format_basic_date(now - skew),
            format_basic_date(now)
        )));
    }
    if signed_at > now + skew {
        return Err(AuthError::InvalidSignature(format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            format_basic_date(signed_at),
            format_basic_date(now + skew),
            format_basic_date(now)
        )));
    }
    Ok(())
}

/// `20150830T123600Z` → seconds since the epoch.
fn parse_basic_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, se) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

/// Seconds since the epoch → `20150830T123600Z`.
fn format_basic_date(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    match HmacSha256::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::{HeaderName, HeaderValue};

    fn creds() -> Credentials {
        "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
            .parse()
            .expect("valid")
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    // Requests signed by botocore 1.43 (`SigV4Auth.add_auth`) with the AWS
    // documentation's example credentials.
    const QUERY_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/eu-west-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=1fd663f1b4a499d7c2d6c31bada9ae980588803802662fdc37c2d008cf4037ba";
    /// A DynamoDB request as boto3 sends it to `http://localhost:8000/`.
    const POST_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=d173525b48c712f5628e81a09967ba24e9ef2496718f91d6d02723400fcbc162";
    const DATE: &str = "20261124T195505Z";

    fn get_request<'a>(h: &'a HeaderMap, query: Option<&'a str>) -> SignedRequest<'a> {
        SignedRequest {
            method: "GET",
            path: "/",
            query,
            headers: h,
            body: b"",
        }
    }

    #[test]
    fn botocore_signatures_verify() {
        // Path and query canonicalization: botocore signed
        // POST http://localhost:8000/a%20b/c?b=2&a=1%201&a=0.
        let h = headers(&[
            ("host", "localhost:8000"),
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", "DynamoDB_20120810.ListTables"),
            ("x-amz-date", "20261124T200730Z"),
            ("authorization", QUERY_AUTH),
        ]);
        let req = SignedRequest {
            method: "POST",
            path: "/a%20b/c",
            query: Some("b=2&a=1%201&a=0"),
            headers: &h,
            body: b"{}",
        };
        assert_eq!(check(Some(&creds()), &req, None), Ok(()));
        let h = headers(&[
            ("host", "localhost:8000"),
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", "DynamoDB_20120810.DescribeTable"),
            ("x-amz-date", DATE),
            ("authorization", POST_AUTH),
        ]);
        let mut req = SignedRequest {
            method: "POST",
            path: "/",
            query: None,
            headers: &h,
            body: br#"{"TableName":"Music"}"#,
        };
        assert_eq!(check(Some(&creds()), &req, None), Ok(()));
        req.body = br#"{"TableName":"Musik"}"#;
        let err = check(Some(&creds()), &req, None).expect_err("body changed");
        assert_eq!(err.name(), "InvalidSignatureException");
        assert!(err.message().starts_with(
            "The request signature we calculated does not match the signature you provided."
        ));
        let other: Credentials = "AKIDEXAMPLE:other".parse().expect("valid");
        req.body = br#"{"TableName":"Music"}"#;
        assert_eq!(
            check(Some(&other), &req, None).map_err(|e| e.name()),
            Err("InvalidSignatureException")
        );
        let stranger: Credentials = "AKIDOTHER:x".parse().expect("valid");
        assert_eq!(
            check(Some(&stranger), &req, None),
            Err(AuthError::UnrecognizedClient)
        );
    }

    #[test]
    fn the_derived_key_matches_the_aws_guide() {
        // AWS's "Examples of how to derive a signing key" (us-east-1, iam,
        // 20120215, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY).
        assert_eq!(
            hex(&signing_key(
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "20120215",
                "us-east-1",
                "iam"
            )),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn missing_and_incomplete_headers() {
        let h = headers(&[("host", "x")]);
        assert_eq!(
            check(None, &get_request(&h, None), None),
            Err(AuthError::MissingAuthenticationToken)
        );
        let h = headers(&[("authorization", "anything")]);
        assert_eq!(check(None, &get_request(&h, None), None), Ok(()));
        assert_eq!(
            check(Some(&creds()), &get_request(&h, None), None),
            Err(AuthError::MissingAuthenticationToken)
        );
        let h = headers(&[("authorization", "AWS4-")]);
        assert_eq!(
            check(Some(&creds()), &get_request(&h, None), None),
            Err(AuthError::IncompleteSignature(
                "Authorization header requires 'Credential' parameter. \
                 Authorization header requires 'Signature' parameter. \
                 Authorization header requires 'SignedHeaders' parameter. \
                 Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
                 Authorization=AWS4-"
                    .into()
            ))
        );
        let h = headers(&[
            ("x-amz-date", DATE),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=00",
            ),
        ]);
        assert_eq!(
            check(Some(&creds()), &get_request(&h, None), None),
            Err(AuthError::IncompleteSignature(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'".into()
            ))
        );
    }

    #[test]
    fn canonical_pieces() {
        assert_eq!(canonical_path(""), "/");
        assert_eq!(canonical_path("/a b/%41"), "/a%20b/%2541");
        assert_eq!(canonical_query("b=2&a=1&a=0&c"), "a=0&a=1&b=2&c=");
        assert_eq!(collapse_spaces("  a   b  "), "a b");
        assert!("AK".parse::<Credentials>().is_err());
        assert!(":s".parse::<Credentials>().is_err());
        assert_eq!(
            "AK:s:e".parse::<Credentials>().map(|c| c.secret_access_key),
            Ok("s:e".to_string())
        );
        assert!(!format!("{:?}", creds()).contains("EXAMPLEKEY"));
    }

    fn post(h: &HeaderMap) -> SignedRequest<'_> {
        SignedRequest {
            method: "POST",
            path: "/",
            query: None,
            headers: h,
            body: br#"{"TableName":"Music"}"#,
        }
    }

    fn boto_headers(auth: &str, date: &str) -> HeaderMap {
        headers(&[
            ("host", "localhost:8000"),
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", "DynamoDB_20120810.DescribeTable"),
            ("x-amz-date", date),
            ("authorization", auth),
        ])
    }

    #[test]
    fn signatures_outside_fifteen_minutes_are_refused() {
        let h = boto_headers(POST_AUTH, DATE);
        let at =
            |s: &str| UNIX_EPOCH + Duration::from_secs(parse_basic_date(s).expect("date") as u64);
        assert_eq!(
            check(Some(&creds()), &post(&h), Some(at("20261124T200505Z"))),
            Ok(())
        );
        assert_eq!(
            check(Some(&creds()), &post(&h), Some(at("20261124T194505Z"))),
            Ok(())
        );
        assert_eq!(
            check(Some(&creds()), &post(&h), Some(at("20261124T201006Z"))),
            Err(AuthError::InvalidSignature(
                "Signature expired: 20261124T195505Z is now earlier than 20261124T195506Z (20261124T201006Z - 15 min.)".into()
            ))
        );
        assert_eq!(
            check(Some(&creds()), &post(&h), Some(at("20261124T193904Z"))),
            Err(AuthError::InvalidSignature(
                "Signature not yet current: 20261124T195505Z is still later than 20261124T195404Z (20261124T193904Z + 15 min.)".into()
            ))
        );
        let h = boto_headers(POST_AUTH, "201");
        assert_eq!(
            check(Some(&creds()), &post(&h), None),
            Err(AuthError::IncompleteSignature(
                "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601".into()
            ))
        );
    }

    #[test]
    fn scope_host_and_token_are_checked() {
        let h = boto_headers(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20130609/us-east-1/s3/term, SignedHeaders=host;x-amz-date, Signature=00",
            DATE,
        );
        assert_eq!(
            check(Some(&creds()), &post(&h), None),
            Err(AuthError::InvalidSignature(
                "Credential should be scoped to correct service: 'dynamodb'. \
                 Credential should be scoped with a valid terminator: 'aws4_request', not 'term'. \
                 Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20130609' != '20261124', from '20261124T195505Z'."
                    .into()
            ))
        );
        let h = boto_headers(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/dynamodb/aws4_request, SignedHeaders=x-amz-date, Signature=00",
            DATE,
        );
        assert_eq!(
            check(Some(&creds()), &post(&h), None),
            Err(AuthError::InvalidSignature(
                "'Host' must be a 'SignedHeader' in the AWS Authorization.".into()
            ))
        );
        let mut h = boto_headers(POST_AUTH, DATE);
        h.insert("x-amz-security-token", HeaderValue::from_static("tok"));
        let e = check(Some(&creds()), &post(&h), None).expect_err("token");
        assert_eq!(e.name(), "UnrecognizedClientException");
        assert_eq!(
            e.message(),
            "The security token included in the request is invalid"
        );
    }

    #[test]
    fn basic_dates_round_trip() {
        for s in [
            "19700101T000000Z",
            "20000229T235959Z",
            "20261124T195505Z",
            "21000301T120000Z",
        ] {
            let t = parse_basic_date(s).expect("valid");
            assert_eq!(format_basic_date(t), s);
        }
        assert_eq!(parse_basic_date("19700102T000000Z"), Some(86_400));
        for bad in [
            "2026-11-24T19:55:05Z",
            "20261324T000000Z",
            "2026112xT000000Z",
            "",
        ] {
            assert_eq!(parse_basic_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn credential_regions_of_real_and_odd_headers() {
        let region = |auth: &str| {
            credential_region(&headers(&[("authorization", auth)])).map(str::to_string)
        };
        let signed = "AWS4-HMAC-SHA256 Credential=AKID/20261207/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
        assert_eq!(region(signed).as_deref(), Some("eu-west-1"));
        // A comma alone separates parts too, and whitespace around a part
        // is trimmed.
        assert_eq!(
            region("AWS4-HMAC-SHA256 SignedHeaders=host,\tCredential=K/d/us-east-2/dynamodb/x")
                .as_deref(),
            Some("us-east-2")
        );
        // The first part that is a credential counts, not text inside another.
        assert_eq!(
            region("AWS4 XCredential=K/d/bad/s, Credential=K/d/good/s").as_deref(),
            Some("good")
        );
        for no_region in [
            "AWS4-HMAC-SHA256 Credential=AKID/20261207",
            "AWS4-HMAC-SHA256 Credential=AKID/20261207/EU/dynamodb",
            "AWS4-HMAC-SHA256 Credential=AKID/d//dynamodb",
            "Credential",
            "",
        ] {
            assert_eq!(region(no_region), None, "{no_region}");
        }
    }

    proptest::proptest! {
        /// The search finds what splitting the header into parts and taking
        /// the first `Credential=` part found (the definition it replaced).
        #[test]
        fn credential_search_agrees_with_splitting_into_parts(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[ \t,]{0,3}",
                    "[ \t]{0,2}Credential=[A-Za-z0-9/ \t-]{0,12}",
                    "[A-Za-z=/]{0,6}Credential=[a-z/]{0,6}",
                    "[A-Za-z0-9=/;-]{0,10}",
                ],
                0..8,
            )
        ) {
            let header = parts.concat();
            let by_parts = header
                .split([' ', ','])
                .find_map(|p| p.trim().strip_prefix("Credential="));
            proptest::prop_assert_eq!(credential(&header), by_parts, "{:?}", header);
        }
    }
}
