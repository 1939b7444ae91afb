//! A bloom filter over the user keys of one memtable part, filled while
//! the part is written and probed by readers at the same time.
//!
//! Register-blocked: a key's bits all fall in one 64-bit word, so a probe
//! costs one cache miss and an insert one atomic OR. The false-positive rate
//! is a little higher than a classic filter's with the same bits, which only
//! costs a skiplist search now and then.

use std::sync::atomic::{AtomicU64, Ordering};

/// Bits set per key, each chosen by 6 bits of the hash.
const PROBES: u32 = 4;

/// Bytes of part memory per filter word (64 bits): about 9 bits per key
/// for a 16-byte key and 100-byte value.
const BYTES_PER_WORD: usize = 1024;

/// The filter of one memtable part.
pub(super) struct PartFilter {
    words: Box<[AtomicU64]>,
}

/// The hash a filter works from: the same for every part, so a read hashes
/// its key once.
pub(super) fn hash(user_key: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(user_key)
}

impl PartFilter {
    /// A filter sized for a part of `part_bytes` bytes.
    pub fn new(part_bytes: usize) -> PartFilter {
        let n = (part_bytes / BYTES_PER_WORD).max(1);
        PartFilter {
            words: (0..n).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Bytes of memory the filter holds.
    #[cfg(test)]
    pub fn memory(&self) -> usize {
        self.words.len() * size_of::<AtomicU64>()
    }

    fn word_and_mask(&self, h: u64) -> (&AtomicU64, u64) {
        // Multiply-shift maps the high half onto 0..len without a division.
        let i = ((h >> 32) * self.words.len() as u64) >> 32;
        let mut mask = 0u64;
        for p in 0..PROBES {
            mask |= 1 << ((h >> (6 * p)) & 63);
        }
        // In bounds: (x * len) >> 32 < len for every x < 2^32.
        (&self.words[i as usize], mask)
    }

    /// Records a key by its [`hash`]. The release OR pairs with the acquire
    /// load in [`PartFilter::may_contain`]: a reader that can see the entry
    /// (it was inserted before the reader's snapshot was taken) sees its bits.
    pub fn add(&self, h: u64) {
        let (w, mask) = self.word_and_mask(h);
        w.fetch_or(mask, Ordering::Release);
    }

    /// False if no key with this hash was added.
    pub fn may_contain(&self, h: u64) -> bool {
        let (w, mask) = self.word_and_mask(h);
        w.load(Ordering::Acquire) & mask == mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        let f = PartFilter::new(8 << 20);
        assert_eq!(f.memory(), (8 << 20) / BYTES_PER_WORD * 8);
        let keys = 60_000u32;
        for i in 0..keys {
            f.add(hash(format!("key{i}").as_bytes()));
        }
        for i in 0..keys {
            assert!(f.may_contain(hash(format!("key{i}").as_bytes())));
        }
        let fp = (0..100_000u32)
            .filter(|i| f.may_contain(hash(format!("other{i}").as_bytes())))
            .count();
        // About 8.7 bits per key here.
        assert!(fp < 8_000, "{fp} false positives in 100,000");
        let tiny = PartFilter::new(10);
        tiny.add(hash(b"a"));
        assert!(tiny.may_contain(hash(b"a")));
    }
}
