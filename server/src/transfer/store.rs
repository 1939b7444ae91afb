//! Files: the directory standing for S3 (`--s3-root`: a bucket is a
//! sub-directory, an object key a relative path) and the records of
//! exports and imports under the data directory (format-spec/transfers.md).
//!
//! Every file is written whole to a temporary name, fsynced, renamed (or,
//! for an object that must never replace another, hard-linked) into place
//! and its directory fsynced: a reader sees an object or a record complete
//! or not at all.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `true` for a bucket name S3 (and DynamoDB's API model) accepts:
/// `^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$` — never a path.
pub fn is_bucket_name(b: &str) -> bool {
    let bytes = b.as_bytes();
    bytes.len() >= 2
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// The path of object `key` in `bucket`, or `None` for a key that would
/// leave the bucket (`..`, an absolute path) or name a directory.
pub fn object_path(root: &Path, bucket: &str, key: &str) -> Option<PathBuf> {
    if key.is_empty() || key.starts_with('/') || key.ends_with('/') {
        return None;
    }
    let mut path = root.join(bucket);
    for part in key.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
            return None;
        }
        path.push(part);
    }
    Some(path)
}

/// Every object key of `bucket` starting with `prefix` (S3's string
/// prefix: `data/x` matches `data/x.csv` and `data/x/y`), sorted.
pub fn list_objects(root: &Path, bucket: &str, prefix: &str) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![(root.join(bucket), String::new())];
    while let Some((dir, key_prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            // Temporary files of writes in progress are not objects.
            if name.ends_with(TMP_SUFFIX) {
                continue;
            }
            let key = format!("{key_prefix}{name}");
            let kind = entry.file_type()?;
            if kind.is_dir() {
                let sub = format!("{key}/");
                if sub.starts_with(prefix) || prefix.starts_with(&sub) {
                    stack.push((entry.path(), sub));
                }
            } else if kind.is_file() && key.starts_with(prefix) {
                out.push(key);
            }
        }
    }
    out.sort();
    Ok(out)
}

const TMP_SUFFIX: &str = ".siltdb-tmp";

/// The directory of `path` (created if missing) and the temporary name a
/// write to `path` goes through.
fn prepare(path: &Path) -> std::io::Result<(&Path, PathBuf)> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("a file path without a directory"))?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(TMP_SUFFIX);
    Ok((dir, PathBuf::from(tmp)))
}

/// Writes `bytes` to `path` whole (temporary file, fsync, rename, fsync
/// of the directory), creating missing parent directories.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (dir, tmp) = prepare(path)?;
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    File::open(dir)?.sync_all()
}

/// Writes `bytes` to `path` whole, as [`write_atomically`] does, but never
/// replaces a file: an error of kind `AlreadyExists` if `path` exists or
/// another write to it is in progress, and that file is left as it is.
///
/// The temporary file is created exclusively, fsynced, then hard-linked
/// to `path` — `link(2)` fails rather than replace, where `rename(2)`
/// would replace — and removed; then the directory is fsynced. A crash
/// leaves `path` complete or absent, and at worst a `.siltdb-tmp` file,
/// which is never read as an object.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (dir, tmp) = prepare(path)?;
    if path.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} exists", path.display()),
        ));
    }
    // Exclusive: a temporary file that exists belongs to another write.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)?;
    let linked = f
        .write_all(bytes)
        .and_then(|()| f.sync_all())
        .and_then(|()| std::fs::hard_link(&tmp, path));
    drop(f);
    // This write created the temporary file: it is proved unneeded now,
    // linked or not.
    let removed = std::fs::remove_file(&tmp);
    linked?;
    removed?;
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_new_never_replaces_a_file() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let path = tmp.path().join("bucket/data/x.json.gz");
        write_new(&path, b"first").expect("a new file");
        let e = write_new(&path, b"second").expect_err("exists");
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).expect("read"), b"first");
        // A write in progress to a name also keeps others off it, and is
        // left alone.
        let other = tmp.path().join("bucket/data/y.json.gz");
        let mut in_progress = other.as_os_str().to_owned();
        in_progress.push(TMP_SUFFIX);
        std::fs::write(&in_progress, b"partial").expect("temporary file");
        let e = write_new(&other, b"mine").expect_err("in progress");
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert!(!other.exists());
        assert_eq!(std::fs::read(&in_progress).expect("read"), b"partial");
        // Nothing but the objects (and that write's temporary file).
        let mut names: Vec<_> = std::fs::read_dir(tmp.path().join("bucket/data"))
            .expect("list")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf8"))
            .collect();
        names.sort();
        assert_eq!(names, ["x.json.gz", "y.json.gz.siltdb-tmp"]);
    }
}
