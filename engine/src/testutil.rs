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

/// Runs the data-driven test files (`*.txt`) of `dir` (relative to the
/// crate), Pebble-style: each case is a command line, input lines, `----`,
/// and the expected output up to a blank line; lines starting with `#`
/// where a command is expected are comments. `runner` is called once per
/// file (in name order) and gives the function that runs each case of it,
/// in order, as `(command, input) -> output`. Fails on any difference;
/// with `SILTDB_REWRITE=1` set, rewrites the expected outputs instead.
/// Returns the number of cases.
pub fn run_testdata<F>(dir: &str, mut runner: impl FnMut() -> F) -> usize
where
    F: FnMut(&str, &str) -> String,
{
    use std::fmt::Write as _;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let rewrite = std::env::var_os("SILTDB_REWRITE").is_some();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    entries.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("read testdata");
        let mut run_case = runner();
        let lines: Vec<&str> = text.lines().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            if line.trim().is_empty() || line.starts_with('#') {
                out.push_str(line);
                out.push('\n');
                i += 1;
                continue;
            }
            let cmd = line.trim();
            let case_line = i + 1;
            i += 1;
            let mut input = Vec::new();
            while i < lines.len() && lines[i] != "----" {
                input.push(lines[i]);
                i += 1;
            }
            i += 1;
            let mut expected = Vec::new();
            while i < lines.len() && !lines[i].trim().is_empty() {
                expected.push(lines[i]);
                i += 1;
            }
            let input = input.join("\n");
            let got = run_case(cmd, &input);
            total += 1;
            if got != expected.join("\n") {
                failures.push(format!(
                    "{}: line {case_line}: {cmd}\n{input}\n--- expected\n{}\n--- got\n{got}\n",
                    path.display(),
                    expected.join("\n")
                ));
            }
            let _ = write!(out, "{cmd}\n{input}\n----\n{got}\n");
        }
        if rewrite {
            std::fs::write(&path, out).expect("rewrite testdata");
        }
    }
    assert!(total > 0, "no cases in {}", dir.display());
    if !rewrite {
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
    total
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
