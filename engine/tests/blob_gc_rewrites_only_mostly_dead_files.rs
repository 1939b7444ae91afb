//! Blob garbage collection rewrites a blob file only once less than
//! `gc_live_fraction` of it is live: its live values move to a new blob file
//! and the emptied file is deleted, without any explicit compaction (the
//! background picker rewrites a table pointing into it); a file above the
//! threshold keeps its garbage and is never copied; once settled, further
//! compactions copy no value again.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::blobs::{assert_contents, blob_options, files_with_suffix, value, Model};
use siltdb::fs::MemFs;
use siltdb::{Db, Options};

const DIR: &str = "/db";
const BIG: usize = 4000;

fn options(fs: &MemFs) -> Options {
    let mut o = blob_options(Arc::new(fs.clone()));
    // One blob file per flush below: each holds the 12 values of one batch.
    o.blob.file_size = 1 << 30;
    o.write_buffer_size = 1 << 20;
    o
}

/// Puts keys `keys` with generation `generation` and flushes: one blob file.
fn put_all(db: &Db, model: &mut Model, keys: std::ops::Range<u32>, generation: u32) {
    for i in keys {
        let k = format!("key{i:03}").into_bytes();
        let v = value(&k, generation, BIG);
        db.put(&k, &v).expect("put");
        model.insert(k, v);
    }
    db.flush().expect("flush");
}

/// Waits until background work has deleted blob file `name`.
fn wait_until_deleted(fs: &MemFs, db: &Db, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while files_with_suffix(fs, DIR, ".blob")
        .iter()
        .any(|n| n == name)
    {
        assert!(
            Instant::now() < deadline,
            "{name} is still there: {}",
            db.stats()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn only_files_under_the_threshold_are_rewritten() {
    let fs = MemFs::new();
    let db = Db::open(DIR, options(&fs)).expect("open");
    let mut model = Model::new();
    // Blob file A: keys 0..12. Blob file B: keys 12..24.
    put_all(&db, &mut model, 0..12, 0);
    put_all(&db, &mut model, 12..24, 0);
    let [a, b] = <[String; 2]>::try_from(files_with_suffix(&fs, DIR, ".blob")).expect("two");
    // Overwrite 9 of A's 12 values (25% live) and 3 of B's (75% live).
    for i in (0..9).chain(12..15) {
        let k = format!("key{i:03}").into_bytes();
        let v = value(&k, 1, BIG);
        db.put(&k, &v).expect("put");
        model.insert(k, v);
    }
    db.flush().expect("flush");
    // The compaction that meets both generations drops the old entries and
    // counts the garbage; then, with nothing else due, the background picker
    // rewrites the table pointing into A, moving its 3 live values.
    db.compact_range(None, None).expect("compact");
    wait_until_deleted(&fs, &db, &a);
    let now = files_with_suffix(&fs, DIR, ".blob");
    assert_eq!(
        now.len(),
        3,
        "B, the new values, and A's moved values: {now:?}"
    );
    assert!(now.contains(&b), "B (75% live) was deleted: {now:?}");
    let s = db.stats();
    let moved = 3 * (12 + 6 + BIG as u64);
    assert_eq!(
        s.blob_gc_bytes_written,
        12 + moved,
        "only A's live values move: {s}"
    );
    assert_eq!(
        s.blob_garbage_bytes,
        3 * (12 + 6 + BIG as u64),
        "B keeps its garbage: {s}"
    );
    assert_contents(&db, &model, "after GC");

    // Settled: more compactions copy nothing.
    db.compact_range(None, None).expect("compact");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(db.stats().blob_gc_bytes_written, 12 + moved);
    db.close().expect("close");
    drop(db);
    let db = Db::open(DIR, options(&fs)).expect("reopen");
    assert_contents(&db, &model, "after reopen");
}
