//! Compressed bodies: gzip or deflate responses when the client's
//! `Accept-Encoding` asks and the body is large enough to gain, and
//! `Content-Encoding: gzip` (or `deflate`) requests, decompressed under the
//! same 16 MiB limit as a plain body.
//!
//! `x-amz-crc32` is the CRC-32 of the bytes on the wire (the compressed
//! ones), as the AWS SDKs check it before decompressing.

use std::io::{Read, Write};

use flate2::read::{GzDecoder, ZlibDecoder};
use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::Compression;
use hyper::header::{HeaderMap, ACCEPT_ENCODING, CONTENT_ENCODING};

/// Smallest response body compressed: below one typical network packet a
/// compressed body saves nothing worth a client's decompression.
pub(crate) const MIN_COMPRESSED_BYTES: usize = 1400;

/// A content coding siltdb reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// `gzip` (RFC 1952).
    Gzip,
    /// `deflate`: zlib-wrapped deflate (RFC 1950), as HTTP defines it.
    Deflate,
}

impl Coding {
    /// The header token.
    pub(crate) fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }
}

/// The coding to answer with, from `Accept-Encoding`: gzip if accepted
/// (quality above 0), else deflate, else none. `*` accepts gzip.
pub(crate) fn accepted(headers: &HeaderMap) -> Option<Coding> {
    let mut gzip = false;
    let mut deflate = false;
    for value in headers.get_all(ACCEPT_ENCODING) {
        let Ok(v) = value.to_str() else { continue };
        for item in v.split(',') {
            let mut fields = item.split(';');
            let token = fields.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = fields.any(|p| {
                let p = p.trim().to_ascii_lowercase();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            match token.as_str() {
                "gzip" | "x-gzip" | "*" => gzip = true,
                "deflate" => deflate = true,
                _ => {}
            }
        }
    }
    if gzip {
        Some(Coding::Gzip)
    } else if deflate {
        Some(Coding::Deflate)
    } else {
        None
    }
}

/// `body` compressed with `coding`, or `None` when compressing failed or did
/// not make it smaller.
pub(crate) fn compress(body: &[u8], coding: Coding) -> Option<Vec<u8>> {
    let out = Vec::with_capacity(body.len() / 4);
    let out = match coding {
        Coding::Gzip => {
            let mut e = GzEncoder::new(out, Compression::fast());
            e.write_all(body).ok()?;
            e.finish().ok()?
        }
        Coding::Deflate => {
            let mut e = ZlibEncoder::new(out, Compression::fast());
            e.write_all(body).ok()?;
            e.finish().ok()?
        }
    };
    (out.len() < body.len()).then_some(out)
}

/// The request's `Content-Encoding`: `Ok(None)` for none or `identity`,
/// `Err(token)` for a coding siltdb does not read.
pub(crate) fn request_coding(headers: &HeaderMap) -> Result<Option<Coding>, String> {
    let Some(v) = headers.get(CONTENT_ENCODING) else {
        return Ok(None);
    };
    let token = String::from_utf8_lossy(v.as_bytes())
        .trim()
        .to_ascii_lowercase();
    match token.as_str() {
        "" | "identity" => Ok(None),
        "gzip" | "x-gzip" => Ok(Some(Coding::Gzip)),
        "deflate" => Ok(Some(Coding::Deflate)),
        _ => Err(token),
    }
}

/// Why a compressed request body was not decompressed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum InflateError {
    /// It decompresses to more than the limit.
    TooLarge,
    /// It is not valid data of its coding.
    Corrupt,
}

/// Decompresses `body`, refusing to produce more than `limit` bytes; calls
/// `charge` with each growth of the output buffer before making it (false:
/// stop, [`InflateError::TooLarge`]).
pub(crate) fn decompress(
    body: &[u8],
    coding: Coding,
    limit: usize,
    charge: &mut dyn FnMut(usize) -> bool,
) -> Result<Vec<u8>, InflateError> {
    let mut reader: Box<dyn Read + '_> = match coding {
        Coding::Gzip => Box::new(GzDecoder::new(body)),
        Coding::Deflate => Box::new(ZlibDecoder::new(body)),
    };
    let mut out = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut chunk).map_err(|_| InflateError::Corrupt)?;
        if n == 0 {
            return Ok(out);
        }
        if out.len().saturating_add(n) > limit {
            return Err(InflateError::TooLarge);
        }
        if out.len() + n > out.capacity() {
            let grow = (out.len() + n).max(out.capacity() * 2).min(limit) - out.capacity();
            if !charge(grow) {
                return Err(InflateError::TooLarge);
            }
            out.reserve_exact(grow + out.capacity() - out.len());
        }
        out.extend_from_slice(chunk.get(..n).ok_or(InflateError::Corrupt)?);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn headers(name: hyper::header::HeaderName, v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(v).expect("header"));
        h
    }

    #[test]
    fn accept_encoding_picks_gzip_then_deflate() {
        assert_eq!(accepted(&HeaderMap::new()), None);
        assert_eq!(accepted(&headers(ACCEPT_ENCODING, "identity")), None);
        assert_eq!(
            accepted(&headers(ACCEPT_ENCODING, "deflate, gzip;q=0.5")),
            Some(Coding::Gzip)
        );
        assert_eq!(
            accepted(&headers(ACCEPT_ENCODING, "gzip;q=0, deflate")),
            Some(Coding::Deflate)
        );
        assert_eq!(accepted(&headers(ACCEPT_ENCODING, "*")), Some(Coding::Gzip));
    }

    #[test]
    fn round_trips_and_the_limit_holds() {
        let body = b"{\"Items\":[]}".repeat(500);
        for coding in [Coding::Gzip, Coding::Deflate] {
            let z = compress(&body, coding).expect("smaller");
            let mut ok = |_: usize| true;
            assert_eq!(
                decompress(&z, coding, body.len(), &mut ok),
                Ok(body.clone())
            );
            assert_eq!(
                decompress(&z, coding, body.len() - 1, &mut ok),
                Err(InflateError::TooLarge)
            );
            let mut refuse = |_: usize| false;
            assert_eq!(
                decompress(&z, coding, body.len(), &mut refuse),
                Err(InflateError::TooLarge)
            );
            assert_eq!(
                decompress(b"junk", coding, 100, &mut ok),
                Err(InflateError::Corrupt)
            );
        }
        assert_eq!(
            request_coding(&headers(CONTENT_ENCODING, "br")),
            Err("br".to_string())
        );
        assert_eq!(
            request_coding(&headers(CONTENT_ENCODING, "GZIP")),
            Ok(Some(Coding::Gzip))
        );
    }
}
