//! `stream_record`: a stored stream record value (format-spec/streams.md).

use siltdb::low_level::dynamo::stream_record::{
    decode_record, encode_record, RecordRef, StoredRecord,
};

/// The record `r` as the encoder takes it.
pub fn record_ref(r: &StoredRecord) -> RecordRef<'_> {
    RecordRef {
        event: r.event,
        view_type: r.view_type,
        origin: r.origin,
        created_millis: r.created_millis,
        stream: r.stream,
        keys: &r.keys,
        old_image: r.old_image.as_ref(),
        new_image: r.new_image.as_ref(),
    }
}

/// `stream_record`: the bytes as a record value.
///
/// A record that decodes re-encodes to exactly the input: the encoder is
/// the one writer of these values, so anything else it would not write is
/// an error, never a silently different record.
pub fn run_stream_record(data: &[u8]) {
    let Ok(r) = decode_record(data) else {
        return;
    };
    let again = encode_record(&record_ref(&r));
    assert!(
        again == data,
        "a decoded stream record re-encodes to other bytes: {r:?}"
    );
}
