//! `siltdb export` writes DynamoDB's export-to-S3 format (DYNAMODB_JSON):
//! one `{"Item":{...}}` per line, attributes in DynamoDB's marshalled JSON.

mod cli_support;

use cli_support::{arg, make_table, n, s, siltdb};
use siltdb::dynamo::{AttributeValue, Item};

#[test]
fn one_item_object_per_line_in_dynamodb_json() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // The Developer Guide's sample item, with our table's key.
    let item: Item = [
        ("pk".to_string(), s("103")),
        ("sk".to_string(), n("1")),
        (
            "Authors".to_string(),
            AttributeValue::string_set(vec!["Author1".into(), "Author2".into()]).expect("set"),
        ),
        ("Dimensions".to_string(), s("8.5 x 11.0 x 1.5")),
        ("InPublication".to_string(), AttributeValue::Bool(false)),
        ("PageCount".to_string(), n("600")),
        ("Price".to_string(), n("2000.00")),
        (
            "Cover".to_string(),
            AttributeValue::B(vec![0xff, 0x00, 0x10]),
        ),
        (
            "Tags".to_string(),
            AttributeValue::M(
                [(
                    "l".to_string(),
                    AttributeValue::L(vec![AttributeValue::Null]),
                )]
                .into(),
            ),
        ),
    ]
    .into();
    make_table(tmp.path(), "Books", &[item]);
    let run = siltdb(&["export", "--data-dir", arg(tmp.path()), "--table", "Books"]);
    assert!(run.success(), "{run:?}");
    assert_eq!(
        run.stdout,
        concat!(
            r#"{"Item":{"Authors":{"SS":["Author1","Author2"]},"Cover":{"B":"/wAQ"},"#,
            r#""Dimensions":{"S":"8.5 x 11.0 x 1.5"},"InPublication":{"BOOL":false},"#,
            r#""PageCount":{"N":"600"},"Price":{"N":"2000"},"#,
            r#""Tags":{"M":{"l":{"L":[{"NULL":true}]}}},"pk":{"S":"103"},"sk":{"N":"1"}}}"#,
            "\n"
        )
    );
}

#[test]
fn a_missing_table_or_database_is_an_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_table(tmp.path(), "Books", &[]);
    let run = siltdb(&["export", "--data-dir", arg(tmp.path()), "--table", "Nope"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("ResourceNotFoundException"), "{run:?}");

    let out = tmp.path().join("out.jsonl");
    let run = siltdb(&[
        "export",
        "--data-dir",
        arg(tmp.path()),
        "--table",
        "Nope",
        "--out",
        arg(&out),
    ]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(!out.exists(), "a failed export leaves no file behind");

    let missing = tmp.path().join("missing");
    let run = siltdb(&["export", "--data-dir", arg(&missing), "--table", "Books"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("no siltdb database here"), "{run:?}");
    assert!(!missing.exists(), "export creates nothing");
}
