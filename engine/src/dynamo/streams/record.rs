//! The stored form of a stream record and of a table's trim marker.
//! Spec: format-spec/streams.md.
//!
//! Public as a low-level decoder, for fuzz targets and tools
//! ([`decode_record`], [`encode_record`]); applications read records
//! through the Streams API of [`crate::dynamo::DynamoDb`].
//!
//! Records live under `table_id ++ FE ++ sequence (u64 BE)`, so one table's
//! records sort in sequence order after all its items and index entries;
//! sequence 0 is never handed out and holds the table's trim marker.

use crate::coding::{get_fixed64, get_varint32, put_fixed64, put_varint32};
use crate::dynamo::api::{OperationType, StreamViewType};
use crate::dynamo::items::codec::{decode_item, encode_item};
use crate::dynamo::items::value::Item;
use crate::dynamo::write::change::Origin;

/// Layout version of a record value (the first byte). Never changes for
/// this layout; a new layout takes a new number.
pub(crate) const RECORD_VERSION: u8 = 1;

/// Bytes before the images: version, event, view type, origin, created
/// (8), stream (8), flags.
const HEADER_LEN: usize = 21;

/// Flag bit: an old image follows the keys.
const HAS_OLD: u8 = 0x01;
/// Flag bit: a new image follows the keys (and the old image, if any).
const HAS_NEW: u8 = 0x02;

/// A record as it is written: borrowed parts of the change.
#[derive(Debug, Clone, Copy)]
pub struct RecordRef<'a> {
    /// INSERT, MODIFY or REMOVE.
    pub event: OperationType,
    /// The stream's view type when the change was made.
    pub view_type: StreamViewType,
    /// A user's write or the TTL sweeper.
    pub origin: Origin,
    /// When the change was made, ms since the epoch.
    pub created_millis: i64,
    /// The stream it belongs to: the stream's start sequence number.
    pub stream: u64,
    /// The item's key attributes.
    pub keys: &'a Item,
    /// The item before the change, if the view type keeps it.
    pub old_image: Option<&'a Item>,
    /// The item after the change, if the view type keeps it.
    pub new_image: Option<&'a Item>,
}

/// A record as it is read back; the fields are [`RecordRef`]'s.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs, reason = "the fields are RecordRef's, documented there")]
pub struct StoredRecord {
    pub event: OperationType,
    pub view_type: StreamViewType,
    pub origin: Origin,
    pub created_millis: i64,
    pub stream: u64,
    pub keys: Item,
    pub old_image: Option<Item>,
    pub new_image: Option<Item>,
}

// On-disk codes; never change.
fn event_code(e: OperationType) -> u8 {
    match e {
        OperationType::Insert => 1,
        OperationType::Modify => 2,
        OperationType::Remove => 3,
    }
}

fn view_code(v: StreamViewType) -> u8 {
    match v {
        StreamViewType::KeysOnly => 1,
        StreamViewType::NewImage => 2,
        StreamViewType::OldImage => 3,
        StreamViewType::NewAndOldImages => 4,
    }
}

fn origin_code(o: Origin) -> u8 {
    match o {
        Origin::User => 0,
        Origin::Ttl => 1,
    }
}

/// The value of a trim marker: the first sequence number not trimmed.
pub(crate) fn encode_trim_marker(first_kept: u64) -> Vec<u8> {
    first_kept.to_le_bytes().to_vec()
}

/// Reads a trim marker value.
pub(crate) fn decode_trim_marker(bytes: &[u8]) -> Option<u64> {
    (bytes.len() == 8).then(|| get_fixed64(bytes)).flatten()
}

/// Encodes a record value.
#[expect(
    clippy::cast_possible_truncation,
    reason = "an item's encoding is at most a few hundred KB (DynamoDB's 400 KB item limit)"
)]
pub fn encode_record(r: &RecordRef<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.push(RECORD_VERSION);
    out.push(event_code(r.event));
    out.push(view_code(r.view_type));
    out.push(origin_code(r.origin));
    put_fixed64(&mut out, r.created_millis as u64);
    put_fixed64(&mut out, r.stream);
    let flags = if r.old_image.is_some() { HAS_OLD } else { 0 }
        | if r.new_image.is_some() { HAS_NEW } else { 0 };
    out.push(flags);
    for item in std::iter::once(r.keys)
        .chain(r.old_image)
        .chain(r.new_image)
    {
        let mut enc = Vec::new();
        encode_item(item, &mut enc);
        put_varint32(&mut out, enc.len() as u32);
        out.extend_from_slice(&enc);
    }
    out
}

/// The creation time in a record value's header, without decoding the rest.
pub(crate) fn record_created_millis(bytes: &[u8]) -> Option<i64> {
    (bytes.first() == Some(&RECORD_VERSION))
        .then(|| get_fixed64(bytes.get(4..)?))
        .flatten()
        .map(|v| v as i64)
}

/// The stream in a record value's header, without decoding the rest.
pub(crate) fn record_stream(bytes: &[u8]) -> Option<u64> {
    (bytes.first() == Some(&RECORD_VERSION))
        .then(|| get_fixed64(bytes.get(12..)?))
        .flatten()
}

/// Decodes a record value; anything the encoder would not write is an
/// error naming the offset.
pub fn decode_record(bytes: &[u8]) -> Result<StoredRecord, String> {
    let header: &[u8; HEADER_LEN] = bytes
        .get(..HEADER_LEN)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| "stream record shorter than its header".to_string())?;
    if header[0] != RECORD_VERSION {
        return Err(format!("unknown stream record version {}", header[0]));
    }
    let event = match header[1] {
        1 => OperationType::Insert,
        2 => OperationType::Modify,
        3 => OperationType::Remove,
        b => return Err(format!("unknown event code {b} at offset 1")),
    };
    let view_type = match header[2] {
        1 => StreamViewType::KeysOnly,
        2 => StreamViewType::NewImage,
        3 => StreamViewType::OldImage,
        4 => StreamViewType::NewAndOldImages,
        b => return Err(format!("unknown view type code {b} at offset 2")),
    };
    let origin = match header[3] {
        0 => Origin::User,
        1 => Origin::Ttl,
        b => return Err(format!("unknown origin code {b} at offset 3")),
    };
    let created_millis = get_fixed64(&header[4..]).unwrap_or_default() as i64;
    let stream = get_fixed64(&header[12..]).unwrap_or_default();
    let flags = header[20];
    if flags & !(HAS_OLD | HAS_NEW) != 0 {
        return Err(format!("unknown flag bits {flags:#04x} at offset 20"));
    }
    let mut pos = HEADER_LEN;
    let mut next_item = |what: &str| -> Result<Item, String> {
        let rest = bytes.get(pos..).unwrap_or_default();
        let (len, n) =
            get_varint32(rest).ok_or_else(|| format!("bad {what} length at offset {pos}"))?;
        let end = n
            .checked_add(len as usize)
            .ok_or_else(|| format!("bad {what} length at offset {pos}"))?;
        let body = rest
            .get(n..end)
            .ok_or_else(|| format!("{what} runs past the end at offset {pos}"))?;
        let item = decode_item(body).map_err(|e| format!("{what} at offset {}: {e}", pos + n))?;
        pos += end;
        Ok(item)
    };
    let keys = next_item("keys")?;
    let old_image = (flags & HAS_OLD != 0)
        .then(|| next_item("old image"))
        .transpose()?;
    let new_image = (flags & HAS_NEW != 0)
        .then(|| next_item("new image"))
        .transpose()?;
    if pos != bytes.len() {
        return Err(format!("bytes after the stream record at offset {pos}"));
    }
    Ok(StoredRecord {
        event,
        view_type,
        origin,
        created_millis,
        stream,
        keys,
        old_image,
        new_image,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::items::value::AttributeValue;
    use crate::dynamo::testutil::s;
    use crate::dynamo::Number;

    /// The record of format-spec/vectors/stream-record.hex: a MODIFY of
    /// `{"Artist": "Arvo", "Year": 1978}` in a NEW_AND_OLD_IMAGES stream.
    fn vector_record() -> StoredRecord {
        let keys: Item = [("Artist".to_string(), s("Arvo"))].into();
        let mut old = keys.clone();
        old.insert("Year".into(), AttributeValue::N(Number::from(1977i64)));
        let mut new = keys.clone();
        new.insert("Year".into(), AttributeValue::N(Number::from(1978i64)));
        StoredRecord {
            event: OperationType::Modify,
            view_type: StreamViewType::NewAndOldImages,
            origin: Origin::User,
            created_millis: 1_700_000_000_123,
            stream: 7,
            keys,
            old_image: Some(old),
            new_image: Some(new),
        }
    }

    fn encode_stored(r: &StoredRecord) -> Vec<u8> {
        encode_record(&RecordRef {
            event: r.event,
            view_type: r.view_type,
            origin: r.origin,
            created_millis: r.created_millis,
            stream: r.stream,
            keys: &r.keys,
            old_image: r.old_image.as_ref(),
            new_image: r.new_image.as_ref(),
        })
    }

    #[test]
    fn stream_record_vector_decodes() {
        let bytes = crate::testutil::decode_hex_vector(include_str!(
            "../../../../format-spec/vectors/stream-record.hex"
        ));
        assert_eq!(decode_record(&bytes), Ok(vector_record()));
        assert_eq!(encode_stored(&vector_record()), bytes);
        assert_eq!(record_created_millis(&bytes), Some(1_700_000_000_123));
        assert_eq!(record_stream(&bytes), Some(7));
    }

    #[test]
    #[ignore = "prints the stream record vector"]
    fn print_stream_record_vector() {
        let hex: String = encode_stored(&vector_record())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        for chunk in hex.as_bytes().chunks(64) {
            println!("{}", String::from_utf8_lossy(chunk));
        }
    }

    #[test]
    fn every_shape_round_trips_and_damage_is_an_error() {
        let mut r = vector_record();
        for (event, old, new) in [
            (OperationType::Insert, false, true),
            (OperationType::Remove, true, false),
            (OperationType::Modify, false, false),
        ] {
            r.event = event;
            r.origin = Origin::Ttl;
            r.view_type = StreamViewType::KeysOnly;
            let v = vector_record();
            r.old_image = old.then(|| v.old_image.clone()).flatten();
            r.new_image = new.then(|| v.new_image.clone()).flatten();
            let bytes = encode_stored(&r);
            assert_eq!(decode_record(&bytes).as_ref(), Ok(&r));
            for cut in 0..bytes.len() {
                assert!(decode_record(&bytes[..cut]).is_err(), "cut at {cut}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(decode_record(&longer).is_err());
            for (at, bad) in [(0, 2), (1, 0), (2, 5), (3, 2), (20, 0x04)] {
                let mut b = bytes.clone();
                b[at] = bad;
                assert!(decode_record(&b).is_err(), "byte {at} = {bad}");
            }
        }
    }

    #[test]
    fn trim_markers_round_trip() {
        assert_eq!(decode_trim_marker(&encode_trim_marker(9)), Some(9));
        assert_eq!(decode_trim_marker(&[1, 2]), None);
    }
}
