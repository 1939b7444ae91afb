//! `siltdb export` then `siltdb import` into a fresh database gives back
//! the same items — numbers, binary, sets, nested maps and lists — and
//! exporting the copy gives the same bytes.

mod cli_support;

use cli_support::{arg, make_table, rich_item, scan_all, siltdb, siltdb_with_stdin, CREATE_JSON};

#[test]
fn export_import_through_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("dst"));
    let items: Vec<_> = (0..1500).map(rich_item).collect();
    make_table(&src, "Music", &items);
    let original = scan_all(&src, "Music");
    assert_eq!(original.len(), 1500);

    let export = tmp.path().join("music.jsonl");
    let run = siltdb(&[
        "export",
        "--data-dir",
        arg(&src),
        "--table",
        "Music",
        "--out",
        arg(&export),
    ]);
    assert!(run.success(), "{run:?}");
    assert!(run.stderr.contains("exported 1,500 items"), "{run:?}");
    // The rate as people read it: "in 0.3 s (5,000 items/s)", a whole
    // number with separators.
    let rate = run
        .stderr
        .split(" s (")
        .nth(1)
        .and_then(|r| r.strip_suffix(" items/s)\n"))
        .unwrap_or_else(|| panic!("no rate: {run:?}"));
    assert!(
        rate.chars().all(|c| c.is_ascii_digit() || c == ','),
        "{run:?}"
    );
    let exported = std::fs::read_to_string(&export).expect("read export");
    assert_eq!(exported.lines().count(), 1500);
    assert!(exported.ends_with('\n'));
    assert!(exported.len() > 2 << 20, "several 1 MB Scan pages");

    let create = tmp.path().join("create.json");
    std::fs::write(&create, CREATE_JSON).expect("write create.json");
    let run = siltdb(&[
        "import",
        "--data-dir",
        arg(&dst),
        "--table",
        "Copy",
        "--in",
        arg(&export),
        "--create-from",
        arg(&create),
    ]);
    assert!(run.success(), "{run:?}");
    assert!(
        run.stderr.contains("imported 1,500 items into Copy"),
        "{run:?}"
    );

    assert_eq!(scan_all(&dst, "Copy"), original);

    let again = tmp.path().join("copy.jsonl");
    let run = siltdb(&[
        "export",
        "--data-dir",
        arg(&dst),
        "--table",
        "Copy",
        "--out",
        arg(&again),
    ]);
    assert!(run.success(), "{run:?}");
    assert_eq!(std::fs::read_to_string(&again).expect("read"), exported);
}

#[test]
fn export_to_stdout_import_from_stdin_into_an_existing_table() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("dst"));
    let items: Vec<_> = (0..60).map(rich_item).collect();
    make_table(&src, "Music", &items);
    make_table(&dst, "Music", &[]);

    let run = siltdb(&["export", "--data-dir", arg(&src), "--table", "Music"]);
    assert!(run.success(), "{run:?}");
    let run2 = siltdb_with_stdin(
        &[
            "import",
            "--data-dir",
            arg(&dst),
            "--table",
            "Music",
            "--in",
            "-",
        ],
        run.stdout.as_bytes(),
    );
    assert!(run2.success(), "{run2:?}");
    assert_eq!(scan_all(&dst, "Music"), scan_all(&src, "Music"));
}

#[test]
fn an_empty_table_exports_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_table(tmp.path(), "Empty", &[]);
    let run = siltdb(&["export", "--data-dir", arg(tmp.path()), "--table", "Empty"]);
    assert!(run.success(), "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("exported 0 items"), "{run:?}");
}
