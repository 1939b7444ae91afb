//! The `NextToken` of a SELECT: where its next page starts.
//!
//! A token is opaque to clients. Inside (hex of): a version byte (1), an
//! 8-byte little-endian fingerprint of the statement text and its
//! parameters, a 4-byte little-endian index of the partition being read (0
//! for a Scan), then the `LastEvaluatedKey` in the item encoding
//! (`format-spec/items.md`). Nothing of it reaches the disk.
//!
//! DynamoDB refuses a token that does not decode with "Invalid NextToken"
//! and one minted for another statement or other parameters with "NextToken
//! does not match request" (see [`super::super::error`]); the fingerprint is what
//! tells the two apart.

use xxhash_rust::xxh3::xxh3_64;

use super::super::error::{self as msg, PartiqlError};
use crate::dynamo::items::codec::{decode_item, encode_item, encode_item_to_vec};
use crate::dynamo::items::value::{AttributeValue, Item};

const VERSION: u8 = 1;
const HEADER: usize = 1 + 8 + 4;

/// A decoded token.
#[derive(Debug, Clone, PartialEq)]
pub struct PageToken {
    /// Index of the partition value being read.
    pub partition: u32,
    /// The key to continue after.
    pub last_key: Item,
}

/// The fingerprint binding a token to its request.
pub fn fingerprint(statement: &str, params: &[AttributeValue]) -> u64 {
    let mut bytes = statement.as_bytes().to_vec();
    bytes.push(0);
    let as_item: Item = params
        .iter()
        .enumerate()
        .map(|(i, v)| (i.to_string(), v.clone()))
        .collect();
    encode_item(&as_item, &mut bytes);
    xxh3_64(&bytes)
}

/// Encodes `token` for the request with `fingerprint`.
pub fn encode(fingerprint: u64, token: &PageToken) -> String {
    let mut bytes = Vec::with_capacity(HEADER + 64);
    bytes.push(VERSION);
    bytes.extend_from_slice(&fingerprint.to_le_bytes());
    bytes.extend_from_slice(&token.partition.to_le_bytes());
    bytes.extend_from_slice(&encode_item_to_vec(&token.last_key));
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 15] {
            out.push(HEX.get(usize::from(nibble)).map_or('0', |&c| char::from(c)));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Decodes a token given to the request with `fingerprint`.
pub fn decode(text: &str, fingerprint: u64) -> Result<PageToken, PartiqlError> {
    let invalid = || PartiqlError::validation(msg::INVALID_NEXT_TOKEN);
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(invalid()),
    };
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return Err(invalid());
    }
    let bytes = text
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Ok((digit(*hi)? << 4) | digit(*lo)?),
            _ => Err(invalid()),
        })
        .collect::<Result<Vec<u8>, _>>()?;
    let (Some(&VERSION), Some(fp), Some(part), Some(rest)) = (
        bytes.first(),
        bytes.get(1..9),
        bytes.get(9..HEADER),
        bytes.get(HEADER..),
    ) else {
        return Err(invalid());
    };
    let fp = u64::from_le_bytes(fp.try_into().map_err(|_| invalid())?);
    let partition = u32::from_le_bytes(part.try_into().map_err(|_| invalid())?);
    let last_key = decode_item(rest).map_err(|_| invalid())?;
    if fp != fingerprint {
        return Err(PartiqlError::validation(msg::NEXT_TOKEN_MISMATCH));
    }
    Ok(PageToken {
        partition,
        last_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_mismatch_and_garbage() {
        let key: Item = [("pk".to_string(), AttributeValue::S("a".into()))].into();
        let fp = fingerprint("SELECT * FROM t", &[AttributeValue::Bool(true)]);
        let t = PageToken {
            partition: 3,
            last_key: key,
        };
        let text = encode(fp, &t);
        assert_eq!(decode(&text, fp), Ok(t));
        let other = fingerprint("SELECT * FROM t", &[AttributeValue::Bool(false)]);
        assert_eq!(
            decode(&text, other).map_err(|e| e.message()),
            Err(msg::NEXT_TOKEN_MISMATCH.to_string())
        );
        for bad in [
            "",
            "zz",
            "0",
            "01",
            &text[..text.len() - 2],
            "ffffffffffffffffffffffffffff",
        ] {
            assert_eq!(
                decode(bad, fp).map_err(|e| e.message()),
                Err(msg::INVALID_NEXT_TOKEN.to_string()),
                "{bad}"
            );
        }
    }
}
