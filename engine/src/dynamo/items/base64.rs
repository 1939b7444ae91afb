//! Standard base64 with padding (RFC 4648, section 4): how DynamoDB writes a
//! binary value inside an error message.
//!
//! One hand-written encoder rather than the `base64` crate: the engine only
//! ever encodes (binary values echoed in messages; the server decodes wire
//! input with the crate), and twenty lines do not justify a dependency of
//! the library.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `data` in standard base64 with `=` padding.
pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let sextet = (v >> (18 - 6 * i)) & 63;
                out.push(
                    ALPHABET
                        .get(sextet as usize)
                        .map_or('=', |&c| char::from(c)),
                );
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes of standard base64 text (test fixtures only; panics on text
/// that is not base64).
#[cfg(test)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "a sextet's position fits u32, and `as u8` keeps the low byte on purpose"
)]
pub(crate) fn decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .unwrap_or_else(|| panic!("bad base64 {s:?}")) as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_round_trip() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(raw.as_bytes()), enc);
            assert_eq!(decode(enc), raw.as_bytes());
        }
    }
}
