//! `siltdb backup` then `siltdb restore` (offline, CreateBackup's and
//! RestoreTableFromBackup's code): the restored table has the items the
//! table had when the backup was made.

mod cli_support;

use cli_support::{arg, make_table, rich_item, scan_all, siltdb};

#[test]
fn backup_then_restore_from_the_command_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = tmp.path().join("data");
    let items: Vec<_> = (0..80).map(rich_item).collect();
    make_table(&data, "Music", &items);
    let source = scan_all(&data, "Music");
    let run = siltdb(&[
        "backup",
        "--data-dir",
        arg(&data),
        "--table",
        "Music",
        "--name",
        "nightly",
    ]);
    assert!(run.success(), "{run:?}");
    let arn = run.stdout.trim().to_string();
    assert!(arn.contains(":table/Music/backup/"), "{run:?}");
    let run = siltdb(&[
        "restore",
        "--data-dir",
        arg(&data),
        "--backup-arn",
        &arn,
        "--target-table",
        "Restored",
    ]);
    assert!(run.success(), "{run:?}");
    assert!(
        run.stderr.contains("restored Restored with 80 items"),
        "{run:?}"
    );
    assert_eq!(scan_all(&data, "Restored"), source);
    let run = siltdb(&[
        "restore",
        "--data-dir",
        arg(&data),
        "--backup-arn",
        &arn,
        "--target-table",
        "Restored",
    ]);
    assert!(
        !run.success(),
        "an existing target table is refused: {run:?}"
    );
}
