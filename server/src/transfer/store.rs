//! Files: the directory standing for S3 (`--s3-root`: a bucket is a
//! sub-directory, an object key a relative path) and the records of
//! exports and imports under the data directory (format-spec/transfers.md).
//!
//! Every file is written whole to a temporary name, fsynced, renamed into
//! place and its directory fsynced: a reader sees an object or a record
//! complete or not at all.

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

/// Writes `bytes` to `path` whole (temporary file, fsync, rename, fsync
/// of the directory), creating missing parent directories.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("a file path without a directory"))?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(TMP_SUFFIX);
    let tmp = PathBuf::from(tmp);
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    File::open(dir)?.sync_all()
}
