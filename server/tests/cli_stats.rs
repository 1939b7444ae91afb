//! `siltdb stats DIR`: tables, bytes and entries per level, the bytes of
//! index and filter the tables hold when open, and the WAL.

mod cli_support;

use cli_support::{arg, files, make_flushed, siltdb};

#[test]
fn levels_files_and_sizes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_flushed(tmp.path(), "Music", 300);
    let ssts = files(tmp.path(), ".sst");
    let bytes: u64 = ssts
        .iter()
        .map(|n| std::fs::metadata(tmp.path().join(n)).expect("stat").len())
        .sum();
    let run = siltdb(&["stats", arg(tmp.path())]);
    assert!(run.success(), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("MANIFEST-"), "{run:?}");
    assert!(lines[0].contains("last_sequence="), "{run:?}");
    assert_eq!(
        lines[1],
        "level  files      bytes    entries  tombstones  key range"
    );
    let total: Vec<&str> = lines
        .iter()
        .find(|l| l.starts_with("total"))
        .expect("total row")
        .split_whitespace()
        .collect();
    assert_eq!(total[1], ssts.len().to_string(), "{run:?}");
    assert_eq!(total[2], bytes.to_string(), "{run:?}");
    assert!(lines.iter().any(|l| l.starts_with("L0 ")), "{run:?}");
    assert!(lines.iter().any(|l| l.starts_with("wal ")), "{run:?}");
    // What the tables' indexes and filters take in memory when open.
    let held: u64 = lines
        .iter()
        .find_map(|l| l.strip_prefix("index and filter held when open: "))
        .and_then(|l| l.strip_suffix(" bytes"))
        .and_then(|n| n.parse().ok())
        .expect("index and filter line");
    assert!(held > 0 && held < bytes, "{run:?}");
}

#[test]
fn a_directory_without_a_database_is_an_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = siltdb(&["stats", arg(tmp.path())]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("CURRENT"), "{run:?}");
}
