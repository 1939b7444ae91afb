//! [`PinnedValue`]: a value returned by [`super::Db::get_pinned`] without
//! copying it out of where the read found it (RocksDB's `PinnableSlice`).

use std::ops::Deref;
use std::sync::Arc;

use crate::vlog::BlobValue;

/// A value read by [`super::Db::get_pinned`]. It derefs to the value's bytes;
/// a separated value stays in the record buffer it was read into, shared
/// with the block cache, so a large value is never copied to be returned.
#[derive(Debug, Clone)]
pub struct PinnedValue(Repr);

#[derive(Debug, Clone)]
enum Repr {
    Owned(Vec<u8>),
    Blob(Arc<BlobValue>),
}

impl PinnedValue {
    /// A value the read already holds in its own buffer.
    pub(crate) fn owned(value: Vec<u8>) -> PinnedValue {
        PinnedValue(Repr::Owned(value))
    }

    /// A separated value, in the record buffer it was read into.
    pub(crate) fn blob(record: Arc<BlobValue>) -> PinnedValue {
        PinnedValue(Repr::Blob(record))
    }

    /// The value in a buffer of its own: moved out if nothing else holds
    /// it, copied if the block cache does.
    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            Repr::Owned(v) => v,
            Repr::Blob(record) => match Arc::try_unwrap(record) {
                Ok(record) => record.into_value(),
                Err(shared) => shared.value().to_vec(),
            },
        }
    }
}

impl Deref for PinnedValue {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Repr::Owned(v) => v,
            Repr::Blob(record) => record.value(),
        }
    }
}

impl AsRef<[u8]> for PinnedValue {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl PartialEq<[u8]> for PinnedValue {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}
