//! `siltdb check` and `siltdb dump` on a database whose large items live in
//! blob files (format-spec/value-log.md): check verifies them and the
//! entries pointing into them, dump prints a blob file's records and a
//! table's blob indexes, and a damaged blob file fails check naming it.

mod cli_support;

use cli_support::{arg, files, flip_byte, make_table, n, open, s, siltdb};
use siltdb::dynamo::Item;

/// Items of about 10 KB: above the default separation threshold.
fn big_item(i: usize) -> Item {
    let mut item = Item::new();
    item.insert("pk".into(), s(&format!("user#{i}")));
    item.insert("sk".into(), n(&i.to_string()));
    item.insert("doc".into(), s(&format!("{i}:").repeat(2500)));
    item
}

fn make_big(dir: &std::path::Path) {
    make_table(dir, "Docs", &(0..20).map(big_item).collect::<Vec<_>>());
    let db = open(dir);
    db.engine().flush().expect("flush");
    db.close().expect("close");
}

#[test]
fn check_and_dump_read_blob_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_big(tmp.path());
    let blobs = files(tmp.path(), ".blob");
    assert!(!blobs.is_empty(), "the items were separated");

    let run = siltdb(&["check", arg(tmp.path())]);
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.contains(" blob files ("), "{run:?}");
    for b in &blobs {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(b.as_str()) && l.contains(" blob ") && l.ends_with("  ok")),
            "{b}: {run:?}"
        );
    }

    let run = siltdb(&["dump", "--width", "8", arg(&tmp.path().join(&blobs[0]))]);
    assert!(run.success(), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with(&format!("{}: blob, ", blobs[0])),
        "{run:?}"
    );
    assert_eq!(lines[1], "header magic=siltdbVL format_version=2");
    assert!(lines[2].starts_with("record offset=12 key="), "{run:?}");
    assert!(
        lines.last().expect("lines").starts_with("end offset="),
        "{run:?}"
    );

    let sst = files(tmp.path(), ".sst").pop().expect("a table");
    let run = siltdb(&["dump", arg(&tmp.path().join(&sst))]);
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.contains(" kind=blob "), "{run:?}");
    assert!(run.stdout.contains(" blob=(file="), "{run:?}");
}

#[test]
fn a_damaged_blob_file_fails_check() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_big(tmp.path());
    let blob = files(tmp.path(), ".blob").pop().expect("a blob file");
    flip_byte(&tmp.path().join(&blob), 5000);
    let run = siltdb(&["check", arg(tmp.path())]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with(blob.as_str()) && l.contains("CORRUPT")),
        "{run:?}"
    );
}
