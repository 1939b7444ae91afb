//! `siltdb check DIR`: every file verified; a clean directory exits 0, a
//! damaged one prints what is wrong and exits 1.

mod cli_support;

use cli_support::{arg, files, flip_byte, make_flushed, siltdb};

#[test]
fn a_clean_directory_passes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_flushed(tmp.path(), "Music", 200);
    let run = siltdb(&["check", arg(tmp.path())]);
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.starts_with("manifest MANIFEST-"), "{run:?}");
    for sst in files(tmp.path(), ".sst") {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&sst) && l.ends_with("  ok")),
            "{sst}: {run:?}"
        );
    }
    assert!(
        run.stdout
            .trim_end()
            .ends_with("result: clean: 0 damaged, 0 missing, 0 orphans"),
        "{run:?}"
    );
}

#[test]
fn a_flipped_byte_in_a_table_is_reported_with_file_and_offset() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_flushed(tmp.path(), "Music", 200);
    let ssts = files(tmp.path(), ".sst");
    let victim = ssts.last().expect("a table file").clone();
    flip_byte(&tmp.path().join(&victim), 100);
    let run = siltdb(&["check", arg(tmp.path())]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with(&victim))
        .expect("a row for the damaged table");
    assert!(row.contains("CORRUPT at offset"), "{run:?}");
    assert!(
        run.stdout.contains("result: NOT CLEAN: 1 damaged"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("is damaged: 1 corrupt or unreadable files, 0 missing"),
        "{run:?}"
    );
}

#[test]
fn a_missing_table_file_is_reported() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_flushed(tmp.path(), "Music", 50);
    let ssts = files(tmp.path(), ".sst");
    let victim = ssts.first().expect("a table file").clone();
    std::fs::remove_file(tmp.path().join(&victim)).expect("remove");
    let run = siltdb(&["check", arg(tmp.path())]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout.contains(&format!("missing {victim}: level")),
        "{run:?}"
    );
}

#[test]
fn a_directory_that_cannot_be_read_is_an_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = siltdb(&["check", arg(&tmp.path().join("nope"))]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.starts_with("siltdb: checking "), "{run:?}");
    assert_eq!(run.stdout, "");
}
