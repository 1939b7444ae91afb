//! Data-driven tests of version edits (`testdata/*.txt`): applying edits to
//! a version, the corruption an impossible edit is, and the encoding of an
//! edit. Each file starts from an empty version and keeps the version its
//! `apply` cases leave. Format (one case after another):
//!
//! ```text
//! apply | encode
//! add L<n> <number>:<smallest>-<largest>     (one line per change)
//! delete L<n> <number>
//! log <number> | next <number> | seq <number>
//! ----
//! <expected output, up to a blank line>
//! ```
//!
//! `apply` prints the version after the edit (`L<n>: number:lo-hi ...`,
//! levels holding files), or the corruption the edit is, leaving the
//! version as it was. `encode` prints the edit's bytes in hex and checks
//! that they decode to the same edit. A file's user keys are the text
//! given; its sequence numbers are `10 * number - 1 ..= 10 * number`.
//! Set `SILTDB_REWRITE=1` to rewrite expected outputs in place.

use super::{Version, VersionEdit, NUM_LEVELS};
use crate::error::Error;

fn level(word: &str) -> usize {
    word.strip_prefix('L')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad level {word:?}"))
}

fn number(word: &str) -> u64 {
    word.parse()
        .unwrap_or_else(|_| panic!("bad number {word:?}"))
}

fn parse_edit(input: &str) -> VersionEdit {
    let mut edit = VersionEdit::default();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["add", l, file] => {
                let (n, range) = file
                    .split_once(':')
                    .unwrap_or_else(|| panic!("bad file {file:?}"));
                let (lo, hi) = range
                    .split_once('-')
                    .unwrap_or_else(|| panic!("bad range {range:?}"));
                let n = number(n);
                let meta = crate::testutil::file_meta(n, lo, hi, 10 * n, 100);
                edit.new_files.push((level(l), meta));
            }
            ["delete", l, n] => edit.deleted_files.push((level(l), number(n))),
            ["log", n] => edit.log_number = Some(number(n)),
            ["next", n] => edit.next_file_number = Some(number(n)),
            ["seq", n] => edit.last_sequence = Some(number(n)),
            _ => panic!("bad edit line {line:?}"),
        }
    }
    edit
}

fn show(version: &Version) -> String {
    let mut out = Vec::new();
    for l in 0..NUM_LEVELS {
        let files = version.files(l);
        if files.is_empty() {
            continue;
        }
        let mut line = format!("L{l}:");
        for f in files {
            line.push_str(&format!(
                " {}:{}-{}",
                f.number,
                String::from_utf8_lossy(f.smallest_user_key()),
                String::from_utf8_lossy(f.largest_user_key())
            ));
        }
        out.push(line);
    }
    if out.is_empty() {
        "empty".to_string()
    } else {
        out.join("\n")
    }
}

#[test]
fn testdata() {
    let total = crate::datadriven::run_dir_per_file("src/manifest/testdata", || {
        let mut version = Version::new();
        move |cmd: &str, input: &str| {
            let edit = parse_edit(input);
            match cmd {
                "apply" => match version.apply_at(&edit, "MANIFEST-000001", 42) {
                    Ok(v) => {
                        version = v;
                        show(&version)
                    }
                    Err(Error::Corruption {
                        file,
                        offset,
                        reason,
                    }) => format!("corruption in {file} at {offset}: {reason}"),
                    Err(e) => format!("error: {e}"),
                },
                "encode" => {
                    let bytes = edit.encoded();
                    let back = VersionEdit::decode(&bytes, "MANIFEST-000001", 0)
                        .unwrap_or_else(|e| panic!("decode: {e}"));
                    assert_eq!(back, edit, "round trip");
                    bytes
                        .chunks(16)
                        .map(|c| {
                            c.iter()
                                .map(|b| format!("{b:02x}"))
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                }
                other => panic!("unknown command {other:?}"),
            }
        }
    });
    assert!(total > 0);
}
