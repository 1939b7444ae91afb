//! `http_request`: a raw HTTP/1.1 request (head and body) through the
//! server's request decoder, `siltdb_server::http::interpret::interpret`:
//! method and content type, JSON syntax, target, SigV4 check, the body
//! parsed into a metered tree and decoded into an operation input.

use std::cell::Cell;

use hyper::header::{HeaderName, HeaderValue};
use siltdb_server::auth::{credential_region, Credentials};
use siltdb_server::http::interpret::{interpret, Refusal};
use siltdb_server::json::tree::{parse, Meter, Unmetered};

/// The credentials the signed seeds were made with (AWS's documentation
/// example, as in the server's SigV4 tests).
pub const CREDENTIALS: &str = "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// Charges up to a limit, counting.
struct Cap {
    used: Cell<usize>,
    limit: usize,
}

impl Meter for Cap {
    fn charge(&self, bytes: usize) -> bool {
        let used = self.used.get().saturating_add(bytes);
        if used > self.limit {
            return false;
        }
        self.used.set(used);
        true
    }
}

/// Splits `data` into a request head and body the way a client sends
/// them: request line, `Name: value` lines, a blank line, the body. What
/// does not parse falls back to `POST /` and is skipped header by header.
fn request(data: &[u8]) -> (hyper::http::request::Parts, &[u8]) {
    let split = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4));
    let (head, body) = match split {
        Some((end, start)) => (&data[..end], &data[start..]),
        None => (data, &data[data.len()..]),
    };
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let mut words = lines.next().unwrap_or("").split(' ');
    let method = words.next().unwrap_or("POST");
    let uri = words.next().unwrap_or("/");
    let mut builder = hyper::Request::builder().method(method).uri(uri);
    if builder.headers_ref().is_none() {
        builder = hyper::Request::builder().method("POST").uri("/");
    }
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value.trim()),
        ) else {
            continue;
        };
        builder = builder.header(name, value);
    }
    let parts = match builder.body(()) {
        Ok(r) => r.into_parts().0,
        Err(_) => hyper::Request::builder()
            .method("POST")
            .uri("/")
            .body(())
            .map(|r| r.into_parts().0)
            .unwrap_or_else(|_| unreachable!("a fixed request builds")),
    };
    (parts, body)
}

/// `http_request`: the bytes as a request: its credential region read (a
/// region is 1 to 32 bytes), then decoded without credentials, with
/// credentials (no clock), and under a small memory limit.
///
/// A decoded request is for the operation the decoder names; the limit
/// changes nothing but whether memory runs out (a request decoded under it
/// equals the one decoded without); parsing never charges more than 24
/// bytes per body byte (a 24-byte value per element of `[0,0,...]`, up to
/// twice while its array grows).
pub fn run_http_request(data: &[u8]) {
    let (parts, body) = request(data);
    // The region every request is answered in, read before any check.
    if let Some(region) = credential_region(&parts.headers) {
        assert!((1..=32).contains(&region.len()), "region {region:?}");
    }
    let open = interpret(&parts, body, None, None, &Unmetered);
    if let Ok((op, req)) = &open {
        assert!(req.operation() == *op);
    }
    let credentials: Credentials = CREDENTIALS
        .parse()
        .unwrap_or_else(|_| unreachable!("valid credentials"));
    if let Ok((op, req)) = interpret(&parts, body, Some(&credentials), None, &Unmetered) {
        assert!(req.operation() == op);
    }
    let cap = Cap {
        used: Cell::new(0),
        limit: 64 * 1024,
    };
    match interpret(&parts, body, None, None, &cap) {
        // Memory is asked for only once the method and content type passed.
        Err(Refusal::OverBudget) => assert!(open != Err(Refusal::NotFound)),
        capped => assert!(capped == open, "the meter changed the outcome"),
    }
    let counted = Cap {
        used: Cell::new(0),
        limit: usize::MAX,
    };
    if parse(body, None, &counted).is_ok() {
        assert!(
            counted.used.get() <= 24 * body.len() + 64,
            "{} bytes charged for a {}-byte body",
            counted.used.get(),
            body.len()
        );
    }
}
