//! What a directory on a real file system holds: for measurements of
//! checkpoints and backups, whose files are hard links.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// (total bytes, bytes in files with a single link) of the files below
/// `dir`, recursively.
pub fn sizes(dir: &Path) -> (u64, u64) {
    let (mut total, mut own) = (0, 0);
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let e = e.expect("entry");
        let m = e.metadata().expect("metadata");
        if m.is_dir() {
            let (t, o) = sizes(&e.path());
            total += t;
            own += o;
        } else {
            total += m.len();
            if m.nlink() == 1 {
                own += m.len();
            }
        }
    }
    (total, own)
}
