//! Spec: format-spec/sstable.md#filter-block
//!
//! One bloom filter per table over the user keys, probed with double hashing
//! of `xxh3_64(user_key)`.

use xxhash_rust::xxh3::xxh3_64;

use super::DecodeError;

/// Smallest bit array a filter uses, however few keys it holds.
const MIN_BITS: usize = 64;

/// Number of probes for `bits_per_key`: `round(bits_per_key * ln 2)`
/// clamped to `1..=30`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "bits_per_key * ln 2 is between 0 and u32::MAX * 0.7, so it fits a u32 (and is clamped next)"
)]
pub fn num_probes(bits_per_key: u32) -> u32 {
    let k = (f64::from(bits_per_key) * std::f64::consts::LN_2).round() as u32;
    k.clamp(1, 30)
}

/// The hash a filter is built from and probed with.
#[inline]
pub fn filter_hash(user_key: &[u8]) -> u64 {
    xxh3_64(user_key)
}

/// Collects user-key hashes and produces the filter block contents.
#[derive(Debug, Clone)]
pub struct FilterBuilder {
    bits_per_key: u32,
    hashes: Vec<u64>,
}

impl FilterBuilder {
    /// A builder for a filter with `bits_per_key` bits per added key
    /// (REQUIRES: `bits_per_key > 0`).
    pub fn new(bits_per_key: u32) -> FilterBuilder {
        FilterBuilder {
            bits_per_key: bits_per_key.max(1),
            hashes: Vec::new(),
        }
    }

    /// Adds a user key. Adding the same key twice only costs bits.
    pub fn add(&mut self, user_key: &[u8]) {
        self.hashes.push(filter_hash(user_key));
    }

    /// Number of keys added.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True if no key has been added.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The filter block contents: the bit array followed by one byte `k`.
    pub fn finish(&self) -> Vec<u8> {
        let k = num_probes(self.bits_per_key);
        // Sized in usize (the keys are in memory, so their count times
        // bits_per_key bounds nothing larger than memory can index).
        let bits = self
            .hashes
            .len()
            .saturating_mul(self.bits_per_key as usize)
            .max(MIN_BITS);
        let bytes = bits.div_ceil(8);
        let m = bytes as u64 * 8;
        let mut out = vec![0u8; bytes];
        for &h in &self.hashes {
            let mut h = h;
            let delta = h.rotate_left(32);
            for _ in 0..k {
                let bit = h % m;
                // bit < m = 8 * bytes, so the byte is always there.
                if let Some(byte) = usize::try_from(bit / 8).ok().and_then(|i| out.get_mut(i)) {
                    *byte |= 1 << (bit % 8);
                }
                h = h.wrapping_add(delta);
            }
        }
        // num_probes clamps k to 1..=30.
        out.push(u8::try_from(k).unwrap_or(u8::MAX));
        out
    }
}

/// A loaded bloom filter.
#[derive(Debug, Clone)]
pub struct Filter {
    bits: Vec<u8>,
    m: u64,
    k: u32,
}

impl Filter {
    /// Parses filter block contents (without trailer).
    pub fn new(mut data: Vec<u8>) -> Result<Filter, DecodeError> {
        let Some(&k) = data.last() else {
            return Err(DecodeError::new(0, "empty filter block"));
        };
        let at = data.len() - 1;
        if !(1..=30).contains(&k) {
            return Err(DecodeError::new(
                at,
                format!("filter probe count {k} outside 1..=30"),
            ));
        }
        if at == 0 {
            return Err(DecodeError::new(0, "filter has no bits"));
        }
        data.truncate(at);
        Ok(Filter {
            m: at as u64 * 8,
            bits: data,
            k: u32::from(k),
        })
    }

    /// Number of probes per key.
    pub fn num_probes(&self) -> u32 {
        self.k
    }

    /// Bytes of memory the filter holds (its bit array as allocated).
    pub fn memory(&self) -> usize {
        self.bits.capacity()
    }

    /// Size of the bit array in bits.
    pub fn num_bits(&self) -> u64 {
        self.m
    }

    /// False only if `user_key` was certainly not added.
    #[inline]
    pub fn may_contain(&self, user_key: &[u8]) -> bool {
        self.may_contain_hash(filter_hash(user_key))
    }

    /// [`Filter::may_contain`] for a precomputed [`filter_hash`].
    #[inline]
    pub fn may_contain_hash(&self, mut h: u64) -> bool {
        let delta = h.rotate_left(32);
        for _ in 0..self.k {
            let bit = h % self.m;
            match self.bits.get((bit / 8) as usize) {
                Some(byte) if byte & (1 << (bit % 8)) != 0 => {}
                _ => return false,
            }
            h = h.wrapping_add(delta);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_rounded_and_clamped() {
        assert_eq!(num_probes(10), 7);
        assert_eq!(num_probes(1), 1);
        assert_eq!(num_probes(0), 1);
        assert_eq!(num_probes(100), 30);
    }

    #[test]
    fn no_false_negatives_and_fp_rate_near_theory() {
        let n = 100_000u32;
        let mut b = FilterBuilder::new(10);
        for i in 0..n {
            b.add(format!("present-{i}").as_bytes());
        }
        let f = Filter::new(b.finish()).expect("valid filter");
        for i in 0..n {
            assert!(f.may_contain(format!("present-{i}").as_bytes()));
        }
        let fp = (0..n)
            .filter(|i| f.may_contain(format!("absent-{i}").as_bytes()))
            .count() as f64
            / f64::from(n);
        let k = f64::from(f.num_probes());
        let theory = (1.0 - (-k * f64::from(n) / f.num_bits() as f64).exp()).powf(k);
        assert!(fp < 2.0 * theory, "fp {fp} vs theory {theory}");
        assert!(
            fp > theory / 2.0,
            "fp {fp} suspiciously below theory {theory}"
        );
    }

    #[test]
    fn tiny_filter_and_bad_blocks() {
        let mut b = FilterBuilder::new(10);
        b.add(b"a");
        let data = b.finish();
        assert_eq!(data.len(), 9);
        assert_eq!(data[8], 7);
        let f = Filter::new(data.clone()).unwrap();
        assert!(f.may_contain(b"a"));
        assert!(Filter::new(vec![]).is_err());
        assert!(Filter::new(vec![7]).is_err());
        let mut bad = data;
        bad[8] = 31;
        assert!(Filter::new(bad.clone()).is_err());
        bad[8] = 0;
        assert!(Filter::new(bad).is_err());
    }
}
