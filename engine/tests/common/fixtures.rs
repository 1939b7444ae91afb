//! The frozen database directories of `format-spec/fixtures/` (one per
//! released format version; see its README), opened from scratch copies.

use std::path::{Path, PathBuf};

/// `format-spec/fixtures/`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../format-spec/fixtures")
}

/// Copies a frozen fixture into a scratch directory: opening a database
/// rewrites its directory, and the fixture itself must never change.
pub fn scratch_copy(src: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(src).expect("fixture directory") {
        let entry = entry.expect("fixture entry");
        std::fs::copy(entry.path(), tmp.path().join(entry.file_name())).expect("copy fixture");
    }
    tmp
}
