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

#[test]
fn each_table_shows_its_items_and_bytes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_flushed(tmp.path(), "Music", 300);
    make_flushed(tmp.path(), "Books", 7);
    let run = siltdb(&["stats", "--data-dir", arg(tmp.path())]);
    assert!(run.success(), "{run:?}");
    let row = |name: &str| -> Vec<String> {
        run.stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} row: {run:?}"))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert!(
        run.stdout.contains("\ntable ")
            && run.stdout.contains(" items ")
            && run.stdout.contains(" bytes"),
        "{run:?}"
    );
    assert_eq!(row("Music")[1], "300", "{run:?}");
    assert_eq!(row("Books")[1], "7", "{run:?}");
    let music_bytes: u64 = row("Music")[2].parse().expect("bytes");
    let books_bytes: u64 = row("Books")[2].parse().expect("bytes");
    assert!(music_bytes > books_bytes && books_bytes > 0, "{run:?}");
}

#[test]
fn a_database_held_open_still_shows_its_levels() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_flushed(tmp.path(), "Music", 10);
    let db = cli_support::open(tmp.path());
    let run = siltdb(&["stats", "--data-dir", arg(tmp.path())]);
    db.close().expect("close");
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.contains("\ntotal "), "{run:?}");
    assert!(run.stdout.contains("tables: not shown ("), "{run:?}");
}
