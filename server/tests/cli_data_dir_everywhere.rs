//! Every subcommand takes the data directory the same way: `--data-dir`,
//! defaulting to `./siltdb-data` — so in a directory holding
//! `siltdb-data`, each works with no directory named at all.

mod cli_support;

use cli_support::{arg, files, make_flushed, siltdb, siltdb_in};

#[test]
fn every_subcommand_documents_data_dir_and_its_default() {
    for sub in [
        "serve", "check", "stats", "dump", "export", "import", "repair",
    ] {
        let run = siltdb(&[sub, "--help"]);
        assert!(run.success(), "{sub}: {run:?}");
        assert!(
            run.stdout.contains("--data-dir <DATA_DIR>"),
            "{sub}: {run:?}"
        );
        assert!(
            run.stdout.contains("[default: ./siltdb-data]"),
            "{sub}: {run:?}"
        );
    }
}

#[test]
fn the_default_is_siltdb_data_in_the_working_directory() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let data = cwd.path().join("siltdb-data");
    make_flushed(&data, "Music", 20);
    let sst = files(&data, ".sst").pop().expect("a table");

    let run = siltdb_in(cwd.path(), &["check"]);
    assert!(run.success(), "{run:?}");
    let run = siltdb_in(cwd.path(), &["stats"]);
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.contains("\nMusic "), "{run:?}");
    // A name, not a path: found in the data directory.
    let run = siltdb_in(cwd.path(), &["dump", &sst]);
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.starts_with(&format!("{sst}: sst, ")), "{run:?}");
    let run = siltdb_in(cwd.path(), &["export", "--table", "Music"]);
    assert!(run.success(), "{run:?}");
    assert_eq!(run.stdout.lines().count(), 20, "{run:?}");
    let run = siltdb_in(cwd.path(), &["repair"]);
    assert!(run.success(), "{run:?}");

    // The same with --data-dir from elsewhere.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    for args in [
        vec!["check", "--data-dir", arg(&data)],
        vec!["stats", "--data-dir", arg(&data)],
        vec!["dump", "--data-dir", arg(&data), &sst],
        vec!["export", "--data-dir", arg(&data), "--table", "Music"],
    ] {
        let run = siltdb_in(elsewhere.path(), &args);
        assert!(run.success(), "{args:?}: {run:?}");
    }
}
