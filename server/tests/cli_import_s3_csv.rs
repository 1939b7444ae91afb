//! `siltdb import --s3-root DIR --bucket B --prefix P --input-format CSV
//! --compression GZIP --create-from T.json` runs ImportTable's code: a new
//! table from the objects under the prefix; a bad row fails the import
//! (exit status 1) after the good rows are in.

mod cli_support;

use std::io::Write;

use cli_support::{arg, scan_all, siltdb, CREATE_JSON};

#[test]
fn cli_imports_gzipped_csv_objects() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = tmp.path().join("data");
    let s3 = tmp.path().join("s3");
    std::fs::create_dir_all(s3.join("bkt/in")).expect("bucket");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"pk,sk,city\na,1,Paris\nb,2,Lyon\n")
        .expect("gzip");
    std::fs::write(s3.join("bkt/in/part1.csv.gz"), gz.finish().expect("gzip")).expect("write");
    let create = tmp.path().join("create.json");
    std::fs::write(&create, CREATE_JSON).expect("create.json");
    let run = siltdb(&[
        "import",
        "--data-dir",
        arg(&data),
        "--table",
        "Cities",
        "--s3-root",
        arg(&s3),
        "--bucket",
        "bkt",
        "--prefix",
        "in/",
        "--input-format",
        "CSV",
        "--compression",
        "GZIP",
        "--create-from",
        arg(&create),
    ]);
    assert!(run.success(), "{run:?}");
    assert!(
        run.stderr
            .contains("imported 2 of 2 items into Cities (0 errors)"),
        "{run:?}"
    );
    let items = scan_all(&data, "Cities");
    assert_eq!(items.len(), 2);

    std::fs::write(s3.join("bkt/in/bad.csv"), "pk,sk\nc,not-a-number\nd,4\n").expect("write");
    let run = siltdb(&[
        "import",
        "--data-dir",
        arg(&data),
        "--table",
        "Cities2",
        "--s3-root",
        arg(&s3),
        "--bucket",
        "bkt",
        "--prefix",
        "in/bad",
        "--input-format",
        "CSV",
        "--create-from",
        arg(&create),
    ]);
    assert!(!run.success(), "{run:?}");
    assert!(run.stderr.contains("ItemValidationError"), "{run:?}");
    assert_eq!(scan_all(&data, "Cities2").len(), 1);
}
