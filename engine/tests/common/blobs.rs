//! Helpers for the value-separation tests: options that separate small
//! values into small blob files, values of chosen sizes, and the files a
//! `MemFs` directory holds.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use siltdb::fs::{Fs, MemFs};
use siltdb::low_level::vlog::BlobOptions;
use siltdb::CompactionOptions;
use siltdb::{Db, Options};

/// The key/value contents a test expects.
pub type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// Values of at least this many bytes are separated in these tests.
pub const MIN_BLOB: usize = 1000;

/// Options on `fs`: values of [`MIN_BLOB`] bytes or more separated, blob
/// files and memtables of 64 KiB, small tables and levels so flushes and
/// compactions happen within a test, GC below half live.
pub fn blob_options(fs: Arc<dyn Fs>) -> Options {
    Options {
        fs,
        sync: false,
        write_buffer_size: 64 << 10,
        background_write_rate: 0,
        compaction: CompactionOptions {
            l0_compaction_trigger: 2,
            base_level_bytes: 64 << 10,
            target_file_size: 16 << 10,
            ..CompactionOptions::default()
        },
        blob: BlobOptions {
            min_blob_size: MIN_BLOB,
            file_size: 64 << 10,
            gc_live_fraction: 0.5,
            ..BlobOptions::default()
        },
        ..Options::default()
    }
}

/// A value of `len` bytes that names `key` and `generation`, so a value read
/// for the wrong key or version is caught.
pub fn value(key: &[u8], generation: u32, len: usize) -> Vec<u8> {
    let mut v = format!("{}#{generation}:", String::from_utf8_lossy(key)).into_bytes();
    let fill = b'a' + (generation % 26) as u8;
    v.resize(v.len().max(len), fill);
    v
}

/// Names of the files in `dir` ending with `suffix`, sorted.
pub fn files_with_suffix(fs: &MemFs, dir: &str, suffix: &str) -> Vec<String> {
    let mut v: Vec<String> = fs
        .list(Path::new(dir))
        .expect("list")
        .into_iter()
        .filter(|n| n.ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// Checks `db` against `model`: every point read (`get`, then `get_pinned`,
/// which a block cache may now answer), then full scans forward and
/// backward.
pub fn assert_contents(db: &Db, model: &Model, what: &str) {
    for (k, v) in model {
        let got = db.get(k).expect("get");
        assert_eq!(got.as_deref(), Some(v.as_slice()), "{what}: get {k:?}");
        let pinned = db.get_pinned(k).expect("get_pinned");
        assert_eq!(
            pinned.as_deref(),
            Some(v.as_slice()),
            "{what}: get_pinned {k:?}"
        );
    }
    let mut it = db.iter().expect("iter");
    it.seek_to_first().expect("seek_to_first");
    let mut forward = Model::new();
    while it.valid() {
        forward.insert(it.key().to_vec(), it.value().to_vec());
        it.next().expect("next");
    }
    assert!(
        forward == *model,
        "{what}: forward scan differs from the model"
    );
    it.seek_to_last().expect("seek_to_last");
    let mut n = 0;
    while it.valid() {
        assert_eq!(
            model.get(it.key()).map(Vec::as_slice),
            Some(it.value()),
            "{what}: backward scan"
        );
        n += 1;
        it.prev().expect("prev");
    }
    assert_eq!(n, model.len(), "{what}: backward scan length");
}
