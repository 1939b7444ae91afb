//! Keys as db_bench makes them: the key index in decimal, zero-padded on the
//! left to the key size (`--key_size 16`: `0000000000000042`).

/// Writes the key for `index` into `buf`. `buf.len()` is the key size; if
/// it is shorter than the decimal digits of `index`, only the low-order
/// digits are kept (never happens for key sizes >= 20).
#[inline]
pub fn format_key(index: u64, buf: &mut [u8]) {
    let mut v = index;
    for b in buf.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// The key for `index` as a fresh vector of `key_size` bytes.
pub fn make_key(index: u64, key_size: usize) -> Vec<u8> {
    let mut k = vec![0u8; key_size];
    format_key(index, &mut k);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_padded_decimal() {
        assert_eq!(make_key(42, 16), b"0000000000000042");
        assert_eq!(make_key(0, 4), b"0000");
        assert_eq!(make_key(123_456, 4), b"3456");
    }

    #[test]
    fn order_matches_index_order() {
        let a = make_key(999, 16);
        let b = make_key(1000, 16);
        assert!(a < b);
    }
}
