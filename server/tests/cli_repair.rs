//! `siltdb repair --data-dir DIR`: a database whose CURRENT was deleted is
//! refused by `serve` and reported by `check` (which names the fix); repair
//! points CURRENT at the MANIFEST that recovers, deleting nothing, and every
//! item is back.

mod cli_support;

use cli_support::{arg, files, make_flushed, scan_all, siltdb};

#[test]
fn repair_restores_a_deleted_current() {
    let tmp = tempfile::tempdir().expect("temp dir");
    make_flushed(tmp.path(), "Music", 200);
    let manifest = files(tmp.path(), "MANIFEST-").pop().expect("a MANIFEST");
    std::fs::remove_file(tmp.path().join("CURRENT")).expect("remove CURRENT");
    let before = files(tmp.path(), "");

    let check = siltdb(&["check", arg(tmp.path())]);
    assert_eq!(check.code, Some(1), "{check:?}");
    assert!(check.stdout.contains("missing CURRENT"), "{check:?}");
    assert!(
        check
            .stderr
            .contains(&format!("siltdb repair --data-dir {}", arg(tmp.path()))),
        "{check:?}"
    );

    // Serving it would start an empty database over the tables: refused.
    let serve = siltdb(&["serve", "--port", "0", "--data-dir", arg(tmp.path())]);
    assert_eq!(serve.code, Some(1), "{serve:?}");
    assert!(serve.stderr.contains("CURRENT is missing"), "{serve:?}");
    assert!(serve.stderr.contains("siltdb repair"), "{serve:?}");
    assert_eq!(files(tmp.path(), ""), before, "nothing deleted or added");

    let repair = siltdb(&["repair", "--data-dir", arg(tmp.path())]);
    assert!(repair.success(), "{repair:?}");
    assert!(
        repair
            .stdout
            .contains(&format!("CURRENT now names {manifest}")),
        "{repair:?}"
    );
    let mut after = files(tmp.path(), "");
    after.retain(|n| n != "CURRENT");
    assert_eq!(
        after, before,
        "repair deletes nothing and adds only CURRENT"
    );

    let check = siltdb(&["check", arg(tmp.path())]);
    assert!(check.success(), "{check:?}");
    assert_eq!(scan_all(tmp.path(), "Music").len(), 200);

    // A second repair has nothing to do.
    let again = siltdb(&["repair", "--data-dir", arg(tmp.path())]);
    assert!(again.success(), "{again:?}");
    assert!(again.stdout.contains("nothing was changed"), "{again:?}");
}

#[test]
fn repair_fails_without_a_manifest() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = siltdb(&["repair", "--data-dir", arg(tmp.path())]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("holds no MANIFEST"), "{run:?}");
}
