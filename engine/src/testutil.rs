//! Helpers shared by unit tests.

/// Decodes a test-vector file from `format-spec/vectors/`: lines starting with
/// `#` are comments; every other line is hex digits, whitespace ignored; the
/// bytes of all lines are concatenated.
pub fn decode_hex_vector(text: &str) -> Vec<u8> {
    let mut digits = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        digits.extend(line.chars().filter(|c| !c.is_whitespace()));
    }
    assert!(
        digits.len().is_multiple_of(2),
        "odd number of hex digits in vector"
    );
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex digit in vector"))
        .collect()
}

/// Formats bytes as a vector file body: 16 bytes per line.
pub fn encode_hex_vector(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(16) {
        let line: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(&line.join(" "));
        out.push('\n');
    }
    out
}

/// Test table metadata covering user keys `[lo, hi]` with sequence numbers
/// `seq - 1 ..= seq` and two entries.
pub fn file_meta(
    number: u64,
    lo: &str,
    hi: &str,
    seq: u64,
    size: u64,
) -> crate::manifest::FileMeta {
    use crate::key::{make_internal_key, ValueKind};
    crate::manifest::FileMeta {
        number,
        size,
        smallest: make_internal_key(lo.as_bytes(), seq, ValueKind::Value),
        largest: make_internal_key(hi.as_bytes(), seq.saturating_sub(1), ValueKind::Value),
        smallest_seq: seq.saturating_sub(1),
        largest_seq: seq,
        num_entries: 2,
        num_deletions: 0,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_vector_round_trip() {
        let b: Vec<u8> = (0..=40u8).collect();
        let text = format!("# comment\n{}", super::encode_hex_vector(&b));
        assert_eq!(super::decode_hex_vector(&text), b);
    }
}
