//! Spec: format-spec/sstable.md#block-format
//!
//! Builds one prefix-compressed block (data or index) in memory.

use crate::coding::{put_fixed32, put_varint64};

/// Accumulates sorted entries into the block format.
///
/// Keys must be added in strictly increasing internal-key order; the caller
/// ([`super::TableBuilder`]) enforces it.
#[derive(Debug, Clone)]
pub struct BlockBuilder {
    buf: Vec<u8>,
    restarts: Vec<u32>,
    counter: usize,
    restart_interval: usize,
    last_key: Vec<u8>,
    num_entries: usize,
    finished: bool,
}

impl BlockBuilder {
    /// A builder placing a restart point every `restart_interval` entries
    /// (values below 1 are treated as 1).
    pub fn new(restart_interval: usize) -> BlockBuilder {
        BlockBuilder {
            buf: Vec::new(),
            restarts: vec![0],
            counter: 0,
            restart_interval: restart_interval.max(1),
            last_key: Vec::new(),
            num_entries: 0,
            finished: false,
        }
    }

    /// Clears the builder for the next block, keeping its allocations.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.restarts.clear();
        self.restarts.push(0);
        self.counter = 0;
        self.last_key.clear();
        self.num_entries = 0;
        self.finished = false;
    }

    /// True if no entry has been added since the last reset.
    pub fn is_empty(&self) -> bool {
        self.num_entries == 0
    }

    /// Number of entries added since the last reset.
    pub fn num_entries(&self) -> usize {
        self.num_entries
    }

    /// The last key added (empty if none).
    pub fn last_key(&self) -> &[u8] {
        &self.last_key
    }

    /// Size the block would have if finished now (without the trailer).
    pub fn current_size_estimate(&self) -> usize {
        self.buf.len() + self.restarts.len() * 4 + 4
    }

    /// Appends an entry. REQUIRES: `key` sorts after every key added so far,
    /// `finish` has not been called, and key and value are shorter than 4 GiB.
    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        debug_assert!(!self.finished);
        let mut shared = 0;
        if self.counter < self.restart_interval {
            shared = self
                .last_key
                .iter()
                .zip(key)
                .take_while(|(a, b)| a == b)
                .count();
        } else {
            self.restarts.push(block_offset(self.buf.len()));
            self.counter = 0;
        }
        let non_shared = key.len() - shared;
        // Written as the varint64 each length is: the same bytes as a
        // varint32 up to u32::MAX, and a longer one is rejected by the reader
        // instead of truncated.
        put_varint64(&mut self.buf, shared as u64);
        put_varint64(&mut self.buf, non_shared as u64);
        put_varint64(&mut self.buf, value.len() as u64);
        let unshared = key.get(shared..).unwrap_or_default();
        self.buf.extend_from_slice(unshared);
        self.buf.extend_from_slice(value);
        self.last_key.truncate(shared);
        self.last_key.extend_from_slice(unshared);
        self.counter += 1;
        self.num_entries += 1;
    }

    /// Appends the restart array and returns the finished block contents.
    /// The slice stays valid until [`BlockBuilder::reset`].
    pub fn finish(&mut self) -> &[u8] {
        if !self.finished {
            for &r in &self.restarts {
                put_fixed32(&mut self.buf, r);
            }
            put_fixed32(&mut self.buf, block_offset(self.restarts.len()));
            self.finished = true;
        }
        &self.buf
    }
}

/// `n` as the u32 the block format stores restart offsets and counts in.
///
/// REQUIRES: the block is under 4 GiB. A larger one is not wrapped: its
/// offsets are written as `u32::MAX`, past the end of any block the reader
/// accepts, so reading it fails as corruption instead of misreading.
fn block_offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
