//! `siltdb dump FILE`: a WAL, a table, a MANIFEST and CURRENT in the spec's
//! terms; a damaged file is printed up to the damage and exits 1.

mod cli_support;

use cli_support::{arg, files, flip_byte, make_flushed, make_table, rich_item, siltdb};

#[test]
fn every_kind_of_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_flushed(tmp.path(), "Music", 100);
    let sst = files(tmp.path(), ".sst").pop().expect("a table");
    let run = siltdb(&["dump", arg(&tmp.path().join(&sst))]);
    assert!(run.success(), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with(&format!("{sst}: sst, ")), "{run:?}");
    assert!(lines[1].starts_with("footer offset="), "{run:?}");
    assert!(lines[1].ends_with("magic=siltdbST"), "{run:?}");
    assert!(run.stdout.contains("\n  entry key="), "{run:?}");
    assert!(
        lines.last().expect("lines").starts_with("end entries="),
        "{run:?}"
    );

    let manifest = files(tmp.path(), "MANIFEST-").pop().expect("a manifest");
    let run = siltdb(&["dump", arg(&tmp.path().join(&manifest))]);
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.contains("  edit\n"), "{run:?}");
    assert!(run.stdout.contains("new_file level="), "{run:?}");
    assert!(run.stdout.trim_end().ends_with("clean"), "{run:?}");

    let run = siltdb(&["dump", arg(&tmp.path().join("CURRENT"))]);
    assert!(run.success(), "{run:?}");
    assert_eq!(
        run.stdout,
        format!("CURRENT: current, 16 bytes\ncurrent manifest={manifest}\n")
    );
}

#[test]
fn a_wal_with_records_and_the_width_option() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // Not flushed: the items are still in the WAL.
    make_table(tmp.path(), "Music", &[rich_item(1)]);
    let log = files(tmp.path(), ".log").pop().expect("a WAL");
    let run = siltdb(&["dump", "--width", "4", arg(&tmp.path().join(&log))]);
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.contains("record offset=0 "), "{run:?}");
    assert!(run.stdout.contains("crc=ok"), "{run:?}");
    assert!(run.stdout.contains("op seq="), "{run:?}");
    assert!(
        run.stdout.contains("...(+"),
        "width 4 cuts values short: {run:?}"
    );
}

#[test]
fn a_damaged_table_is_printed_up_to_the_damage() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_flushed(tmp.path(), "Music", 200);
    let sst = files(tmp.path(), ".sst").pop().expect("a table");
    flip_byte(&tmp.path().join(&sst), 100);
    let run = siltdb(&["dump", arg(&tmp.path().join(&sst))]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.starts_with(&format!("{sst}: sst, ")), "{run:?}");
    assert!(run.stdout.contains("\nerror: "), "{run:?}");
    assert!(run.stderr.contains(&sst), "{run:?}");
    assert!(run.stderr.to_lowercase().contains("corrupt"), "{run:?}");
}

#[test]
fn a_file_that_is_not_siltdbs_or_is_missing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let other = tmp.path().join("notes.txt");
    std::fs::write(&other, "hello, this is not a database file\n").expect("write");
    let run = siltdb(&["dump", arg(&other)]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let run = siltdb(&["dump", arg(&tmp.path().join("000001.sst"))]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("000001.sst"), "{run:?}");
}
