//! Cross-origin access (CORS): off unless the operator names origins.
//!
//! A browser lets a web page read a cross-origin response only if the
//! server says so; answering every origin, as DynamoDB's public endpoint
//! does (its credentials protect it), would let any page the user visits
//! read and write a local database that checks no signature. So siltdb
//! answers cross-origin requests only for the origins `--cors-origin`
//! names (or every origin with `--cors-origin '*'`).
//!
//! For an allowed origin the headers are DynamoDB's, as its endpoint sent
//! them to a browser preflight (`OPTIONS /` from `https://foo.example`,
//! recorded 2021-02-16 in the AllanZhengYP/cors-test survey of AWS
//! endpoints): status 200, empty body, `Access-Control-Allow-Origin`,
//! `Access-Control-Allow-Headers` echoing the requested headers,
//! `Access-Control-Allow-Methods` echoing the requested method (`POST`),
//! `Access-Control-Expose-Headers:
//! x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date` and
//! `Access-Control-Max-Age: 172800`. Responses to the real requests carry
//! `Access-Control-Allow-Origin` and the same `Access-Control-Expose-Headers`
//! (the header only takes effect on them). With a list of origins, the
//! request's own origin is echoed and `Vary: Origin` added, so caches keep
//! one answer per origin. A request from another origin, or with CORS off,
//! gets no CORS header; a preflight then gets the 404 every non-`POST`
//! request gets.

use hyper::header::{HeaderMap, HeaderValue, ORIGIN, VARY};
use hyper::{Response, StatusCode};

/// DynamoDB's `Access-Control-Expose-Headers`.
pub const EXPOSE_HEADERS: &str = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";

/// DynamoDB's `Access-Control-Max-Age` (two days).
pub const MAX_AGE_SECONDS: u32 = 172_800;

/// Which origins may read responses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cors {
    /// No cross-origin access (the default).
    #[default]
    Off,
    /// Every origin (`--cors-origin '*'`).
    AnyOrigin,
    /// These origins exactly (`--cors-origin https://app.example`, as the
    /// browser sends `Origin`: scheme, host and port if not the default).
    Origins(Vec<String>),
}

impl Cors {
    /// The policy `--cors-origin` values describe: none is off, `*` among
    /// them is every origin.
    pub fn from_origins(origins: &[String]) -> Cors {
        if origins.is_empty() {
            Cors::Off
        } else if origins.iter().any(|o| o == "*") {
            Cors::AnyOrigin
        } else {
            Cors::Origins(origins.to_vec())
        }
    }

    /// `Access-Control-Allow-Origin` for a request from `origin`, if that
    /// origin is allowed.
    pub fn allow_origin(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        let origin = origin?;
        match self {
            Cors::Off => None,
            Cors::AnyOrigin => Some(HeaderValue::from_static("*")),
            Cors::Origins(list) => origin
                .to_str()
                .ok()
                .filter(|o| list.iter().any(|allowed| allowed == o))
                .map(|_| origin.clone()),
        }
    }

    /// The answer to a preflight from an allowed origin (`None` if the
    /// request is not one).
    pub(crate) fn preflight<B: Default>(&self, headers: &HeaderMap) -> Option<Response<B>> {
        let allow = self.allow_origin(headers.get(ORIGIN))?;
        let mut r = Response::new(B::default());
        *r.status_mut() = StatusCode::OK;
        let h = r.headers_mut();
        h.insert("access-control-allow-origin", allow);
        for (asked, allowed) in [
            (
                "access-control-request-headers",
                "access-control-allow-headers",
            ),
            (
                "access-control-request-method",
                "access-control-allow-methods",
            ),
        ] {
            if let Some(v) = headers.get(asked) {
                h.insert(allowed, v.clone());
            }
        }
        h.insert(
            "access-control-expose-headers",
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
        h.insert("access-control-max-age", HeaderValue::from(MAX_AGE_SECONDS));
        self.add_vary(h);
        Some(r)
    }

    /// Adds the headers a response to an allowed origin carries.
    pub(crate) fn decorate<B>(&self, request: &HeaderMap, r: &mut Response<B>) {
        if let Some(allow) = self.allow_origin(request.get(ORIGIN)) {
            let h = r.headers_mut();
            h.insert("access-control-allow-origin", allow);
            h.insert(
                "access-control-expose-headers",
                HeaderValue::from_static(EXPOSE_HEADERS),
            );
            self.add_vary(h);
        }
    }

    fn add_vary(&self, h: &mut HeaderMap) {
        if matches!(self, Cors::Origins(_)) {
            h.append(VARY, HeaderValue::from_static("Origin"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn off_by_default_and_opt_in() {
        let from = headers(&[("origin", "https://evil.example")]);
        assert_eq!(Cors::from_origins(&[]), Cors::Off);
        assert!(Cors::Off.preflight::<String>(&from).is_none());
        let any = Cors::from_origins(&["https://a.example".into(), "*".into()]);
        assert_eq!(any, Cors::AnyOrigin);
        assert_eq!(
            any.allow_origin(from.get(ORIGIN)),
            Some(HeaderValue::from_static("*"))
        );
        let list = Cors::from_origins(&["https://a.example".into()]);
        assert_eq!(list.allow_origin(from.get(ORIGIN)), None);
        let ok = headers(&[("origin", "https://a.example")]);
        assert_eq!(
            list.allow_origin(ok.get(ORIGIN)),
            Some(HeaderValue::from_static("https://a.example"))
        );
        assert_eq!(list.allow_origin(None), None);
    }

    #[test]
    fn preflight_headers_are_dynamodbs() {
        let req = headers(&[
            ("origin", "https://a.example"),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type,x-amz-target",
            ),
        ]);
        let r = Cors::Origins(vec!["https://a.example".into()])
            .preflight::<String>(&req)
            .expect("allowed");
        let get = |k: &str| r.headers().get(k).and_then(|v| v.to_str().ok());
        assert_eq!(r.status(), 200);
        assert_eq!(
            get("access-control-allow-origin"),
            Some("https://a.example")
        );
        assert_eq!(get("access-control-allow-methods"), Some("POST"));
        assert_eq!(
            get("access-control-allow-headers"),
            Some("content-type,x-amz-target")
        );
        assert_eq!(get("access-control-expose-headers"), Some(EXPOSE_HEADERS));
        assert_eq!(get("access-control-max-age"), Some("172800"));
        assert_eq!(get("vary"), Some("Origin"));
    }
}
