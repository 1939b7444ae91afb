//! The value bytes every engine is given: windows of one buffer of
//! pseudo-random bytes, so values are the same bytes for every engine and
//! seed, and cost nothing to produce inside the timing loop.

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::Compression;

use crate::rng::SplitMix64;

/// Bytes of values the compressibility figure is measured over.
const SAMPLE_BYTES: usize = 1 << 20;

/// Values of one size, sliced from a shared random buffer.
#[derive(Clone)]
pub struct Values {
    buf: Vec<u8>,
    size: usize,
}

impl Values {
    /// Values of `size` bytes from a buffer of at least 1 MiB (and twice
    /// the value size) filled from `seed`.
    pub fn new(seed: u64, size: usize) -> Values {
        let mut buf = vec![0u8; (1 << 20).max(size * 2)];
        SplitMix64::new(seed).fill(&mut buf);
        Values { buf, size }
    }

    /// Value size in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The next value: `size` bytes at an offset drawn from `rng`.
    #[inline]
    pub fn pick<'a>(&'a self, rng: &mut SplitMix64) -> &'a [u8] {
        let off = rng.below((self.buf.len() - self.size) as u64) as usize;
        &self.buf[off..off + self.size]
    }

    /// How well a stream of these values compresses: input bytes over
    /// DEFLATE (level 6) output bytes, over about 1 MiB of values drawn as
    /// a benchmark draws them. 1.0 means incompressible.
    pub fn compression_ratio(&self) -> f64 {
        let mut rng = SplitMix64::new(0xc0ffee);
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
        let mut input = 0usize;
        while input < SAMPLE_BYTES.max(self.size) && self.size > 0 {
            // Writing into a Vec cannot fail.
            if enc.write_all(self.pick(&mut rng)).is_err() {
                return f64::NAN;
            }
            input += self.size;
        }
        match enc.finish() {
            Ok(out) if !out.is_empty() => input as f64 / out.len() as f64,
            _ => f64::NAN,
        }
    }

    /// One line for the run header: what the values are and how they
    /// compress.
    pub fn describe(&self) -> String {
        let ratio = self.compression_ratio();
        format!(
            "{} bytes each, pseudo-random (SplitMix64) windows of a {:.1} MiB buffer, \
             identical for every engine; DEFLATE ratio {:.3} over 1 MiB of values \
             ({})",
            self.size,
            self.buf.len() as f64 / 1048576.0,
            ratio,
            if ratio < 1.05 {
                "incompressible"
            } else {
                "compressible"
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_values_and_right_size() {
        let a = Values::new(9, 100);
        let b = Values::new(9, 100);
        let (mut ra, mut rb) = (SplitMix64::new(1), SplitMix64::new(1));
        for _ in 0..100 {
            let (va, vb) = (a.pick(&mut ra), b.pick(&mut rb));
            assert_eq!(va.len(), 100);
            assert_eq!(va, vb);
        }
    }

    #[test]
    fn random_values_are_incompressible() {
        let r = Values::new(3, 100).compression_ratio();
        assert!((0.95..1.05).contains(&r), "{r}");
    }

    #[test]
    fn large_values_fit_the_buffer() {
        let v = Values::new(3, 400_000);
        assert_eq!(v.pick(&mut SplitMix64::new(5)).len(), 400_000);
    }
}
