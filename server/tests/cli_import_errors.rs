//! `siltdb import` refuses what DynamoDB's import would, naming the line,
//! after importing every item on the lines before it; it creates no table
//! unless told to.

mod cli_support;

use cli_support::{arg, make_table, scan_all, siltdb_with_stdin, CREATE_JSON};

fn line(pk: &str, sk: u32) -> String {
    format!(r#"{{"Item":{{"pk":{{"S":"{pk}"}},"sk":{{"N":"{sk}"}}}}}}"#)
}

#[test]
fn the_table_must_exist() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_table(tmp.path(), "Music", &[]);
    let run = siltdb_with_stdin(
        &["import", "--data-dir", arg(tmp.path()), "--table", "Other"],
        line("a", 1).as_bytes(),
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("table Other does not exist"), "{run:?}");

    let missing = tmp.path().join("missing");
    let run = siltdb_with_stdin(
        &["import", "--data-dir", arg(&missing), "--table", "Music"],
        line("a", 1).as_bytes(),
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("no siltdb database here"), "{run:?}");
    assert!(!missing.exists());
}

#[test]
fn create_from_refuses_an_existing_table_and_a_bad_description() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_table(tmp.path(), "Music", &[]);
    let create = tmp.path().join("create.json");
    std::fs::write(&create, CREATE_JSON).expect("write");
    let run = siltdb_with_stdin(
        &[
            "import",
            "--data-dir",
            arg(tmp.path()),
            "--table",
            "Music",
            "--create-from",
            arg(&create),
        ],
        b"",
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("ResourceInUseException"), "{run:?}");

    std::fs::write(&create, r#"{"KeySchema": []}"#).expect("write");
    let run = siltdb_with_stdin(
        &[
            "import",
            "--data-dir",
            arg(tmp.path()),
            "--table",
            "New",
            "--create-from",
            arg(&create),
        ],
        b"",
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("ValidationException"), "{run:?}");
}

#[test]
fn a_bad_line_stops_the_import_after_the_lines_before_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_table(tmp.path(), "Music", &[]);
    let mut input = String::new();
    for i in 0..30 {
        input.push_str(&line("a", i));
        input.push('\n');
    }
    input.push('\n'); // blank lines are skipped
    input.push_str(r#"{"Item":{"pk":{"S":"a"}}}"#); // line 32: no sort key
    input.push('\n');
    input.push_str(&line("a", 99));
    let run = siltdb_with_stdin(
        &["import", "--data-dir", arg(tmp.path()), "--table", "Music"],
        input.as_bytes(),
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("line 32: ValidationException: One or more parameter values were invalid: Missing the key sk in the item (30 items on the lines before it were imported)"),
        "{run:?}"
    );
    assert_eq!(scan_all(tmp.path(), "Music").len(), 30);
}

#[test]
fn lines_that_are_not_items_are_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_table(tmp.path(), "Music", &[]);
    for (input, message) in [
        ("{\"Item\":", "line 1: not JSON"),
        (
            r#"{"pk":{"S":"a"},"sk":{"N":"1"}}"#,
            r#"line 1: no "Item" member"#,
        ),
        (
            r#"{"Keys":{},"Item":{}}"#,
            r#"line 1: unexpected member "Keys""#,
        ),
        (
            r#"{"Item":{"pk":{"S":"a"},"sk":{"N":"1e200"}}}"#,
            "line 1: ValidationException: Number overflow",
        ),
        (
            r#"{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"s":{"SS":["x","x"]}}}"#,
            "line 1: ValidationException",
        ),
        (
            r#"{"Item":{"pk":{"N":"1"},"sk":{"N":"1"}}}"#,
            "line 1: ValidationException",
        ),
        ("\u{fffd}\n", "line 1: not JSON"),
    ] {
        let run = siltdb_with_stdin(
            &["import", "--data-dir", arg(tmp.path()), "--table", "Music"],
            input.as_bytes(),
        );
        assert_eq!(run.code, Some(1), "{input}: {run:?}");
        assert!(run.stderr.contains(message), "{input}: {run:?}");
    }
    let run = siltdb_with_stdin(
        &["import", "--data-dir", arg(tmp.path()), "--table", "Music"],
        &[b'{', 0xff, b'}', b'\n'],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("line 1: not JSON"), "{run:?}");
    assert!(scan_all(tmp.path(), "Music").is_empty());
}

#[test]
fn a_key_repeated_in_one_batch_keeps_the_last_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_table(tmp.path(), "Music", &[]);
    let input = concat!(
        r#"{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"first"}}}"#,
        "\n",
        r#"{"Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}"#,
        "\n",
        r#"{"Item":{"pk":{"S":"a"},"sk":{"N":"1.0"},"v":{"S":"second"}}}"#,
        "\n",
    );
    let run = siltdb_with_stdin(
        &["import", "--data-dir", arg(tmp.path()), "--table", "Music"],
        input.as_bytes(),
    );
    assert!(run.success(), "{run:?}");
    let items = scan_all(tmp.path(), "Music");
    assert_eq!(items.len(), 2);
    let a = items
        .iter()
        .find(|i| i.get("pk") == Some(&cli_support::s("a")))
        .expect("item a");
    assert_eq!(a.get("v"), Some(&cli_support::s("second")));
}
