//! A snapshot keeps the versions it can see through flushes and full
//! compactions; an open iterator keeps the table files it reads from while
//! compactions replace them; once both are gone, the obsolete `.sst` files
//! leave the directory at the next flush or compaction.
//!
//! Default compaction sizes and a large write buffer, so nothing flushes or
//! compacts unless the test asks (the directory listing is then exact).

use std::collections::BTreeSet;
use std::path::Path;

use siltdb::{Db, DbIterator, Options};

fn options() -> Options {
    Options {
        sync: false,
        write_buffer_size: 8 << 20,
        background_write_rate: 0,
        ..Options::default()
    }
}

fn key(i: u32) -> Vec<u8> {
    format!("key{i:05}").into_bytes()
}

fn value(i: u32, generation: u32) -> Vec<u8> {
    format!("gen{generation}-value{i}-{}", "x".repeat(64)).into_bytes()
}

const N: u32 = 2_000;

/// Names of the table files in `dir`.
fn sst_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".sst"))
        .collect()
}

/// Table files the current version references, per `stats`.
fn live_table_count(db: &Db) -> usize {
    db.stats().levels.iter().map(|l| l.files).sum()
}

/// Writes generation `g` of every key; keys with `i % 4 == 3` are deleted
/// instead when `g > 0`.
fn write_generation(db: &Db, g: u32) {
    for i in 0..N {
        if g > 0 && i % 4 == 3 {
            db.delete(&key(i)).expect("delete");
        } else {
            db.put(&key(i), &value(i, g)).expect("put");
        }
    }
}

/// What generation `g` left for key `i`.
fn expected(i: u32, g: u32) -> Option<Vec<u8>> {
    if g > 0 && i % 4 == 3 {
        None
    } else {
        Some(value(i, g))
    }
}

/// Walks `it` from the first key and checks it shows exactly generation `g`.
fn check_iter_is_generation(it: &mut DbIterator, g: u32, what: &str) {
    it.seek_to_first().expect("seek_to_first");
    let mut want = (0..N).filter_map(|i| expected(i, g).map(|v| (key(i), v)));
    let mut n = 0;
    while it.valid() {
        let (k, v) = want
            .next()
            .unwrap_or_else(|| panic!("{what}: extra key {:?}", String::from_utf8_lossy(it.key())));
        assert_eq!(it.key(), k.as_slice(), "{what}: key #{n}");
        assert_eq!(it.value(), v.as_slice(), "{what}: value of key #{n}");
        n += 1;
        it.next().expect("next");
    }
    assert!(
        want.next().is_none(),
        "{what}: iteration stopped early after {n} keys"
    );
}

#[test]
fn snapshot_reads_old_values_after_flush_and_full_compaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), options()).expect("open");
    write_generation(&db, 0);
    db.flush().expect("flush");
    let s0 = db.snapshot();

    write_generation(&db, 1);
    let s1 = db.snapshot();
    write_generation(&db, 2);
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact_range");
    // A second full compaction rewrites the already compacted files once more.
    db.compact_range(None, None).expect("compact_range");
    assert_eq!(db.stats().levels[0].files, 0, "full compaction empties L0");

    for i in 0..N {
        assert_eq!(
            s0.get(&key(i)).expect("get"),
            expected(i, 0),
            "snapshot 0, key {i}"
        );
        assert_eq!(
            s1.get(&key(i)).expect("get"),
            expected(i, 1),
            "snapshot 1, key {i}"
        );
        assert_eq!(
            db.get(&key(i)).expect("get"),
            expected(i, 2),
            "latest, key {i}"
        );
    }
    check_iter_is_generation(&mut s0.iter().expect("iter"), 0, "snapshot 0 iterator");
    check_iter_is_generation(&mut s1.iter().expect("iter"), 1, "snapshot 1 iterator");
    check_iter_is_generation(&mut db.iter().expect("iter"), 2, "latest iterator");

    // Releasing the snapshots lets the next compaction drop the old versions:
    // afterwards the tables hold about one generation, not three.
    let with_snapshots: u64 = db.stats().levels.iter().map(|l| l.bytes).sum();
    drop(s0);
    drop(s1);
    // compact_range never rewrites the deepest non-empty level (as in
    // LevelDB), so give L0 a table spanning the whole key range: compacting
    // it rewrites every L1 table.
    for i in [0, N - 2] {
        db.put(&key(i), &value(i, 2)).expect("put");
    }
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact_range");
    let without: u64 = db.stats().levels.iter().map(|l| l.bytes).sum();
    assert!(
        without * 2 < with_snapshots,
        "old versions were not dropped after the snapshots went: {with_snapshots} -> {without} bytes"
    );
    check_iter_is_generation(&mut db.iter().expect("iter"), 2, "latest after release");
}

#[test]
fn iterators_keep_their_tables_while_compactions_replace_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), options()).expect("open");
    write_generation(&db, 0);
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact_range");
    let gen0_files = sst_files(dir.path());
    assert!(!gen0_files.is_empty(), "generation 0 is in tables");

    // A plain iterator (no snapshot) and a snapshot's iterator, both already
    // positioned mid-way when the compactions start.
    let mut plain = db.iter().expect("iter");
    plain.seek(&key(N / 2)).expect("seek");
    assert_eq!(plain.key(), key(N / 2).as_slice());
    let snap = db.snapshot();
    let mut snap_iter = snap.iter().expect("snapshot iter");
    snap_iter.seek_for_prev(&key(N / 3)).expect("seek_for_prev");
    assert_eq!(snap_iter.key(), key(N / 3).as_slice());
    drop(snap);

    for g in 1..=3 {
        write_generation(&db, g);
        db.flush().expect("flush");
        db.compact_range(None, None).expect("compact_range");
    }
    let now = sst_files(dir.path());
    for f in &gen0_files {
        assert!(
            now.contains(f),
            "{f}, read by an open iterator, was deleted; directory: {now:?}"
        );
    }
    assert!(
        now.len() > live_table_count(&db),
        "pinned files are extra to the live ones"
    );

    // Both iterators continue where they were, then walk everything, on the
    // files compaction replaced long ago.
    for i in N / 2..N {
        assert!(plain.valid(), "plain iterator ended early at key {i}");
        assert_eq!(plain.key(), key(i).as_slice(), "plain iterator, key {i}");
        assert_eq!(
            plain.value(),
            value(i, 0).as_slice(),
            "plain iterator, value {i}"
        );
        plain.next().expect("next");
    }
    assert!(!plain.valid(), "plain iterator past the end");
    for i in (0..=N / 3).rev() {
        assert!(
            snap_iter.valid(),
            "snapshot iterator ended early at key {i}"
        );
        assert_eq!(
            snap_iter.key(),
            key(i).as_slice(),
            "snapshot iterator, key {i}"
        );
        assert_eq!(
            snap_iter.value(),
            value(i, 0).as_slice(),
            "snapshot iterator, value {i}"
        );
        snap_iter.prev().expect("prev");
    }
    check_iter_is_generation(&mut plain, 0, "plain iterator, second pass");
    check_iter_is_generation(&mut snap_iter, 0, "snapshot iterator, second pass");
    check_iter_is_generation(&mut db.iter().expect("iter"), 3, "new iterator");
}

#[test]
fn obsolete_tables_leave_the_directory_once_unpinned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), options()).expect("open");
    write_generation(&db, 0);
    db.flush().expect("flush");
    let first = sst_files(dir.path());
    let it = db.iter().expect("iter");
    let snap = db.snapshot();
    let snap_it = snap.iter().expect("snapshot iter");

    write_generation(&db, 1);
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact_range");
    let pinned = sst_files(dir.path());
    assert!(
        first.is_subset(&pinned),
        "pinned tables {first:?} must stay while iterators hold them: {pinned:?}"
    );
    assert!(
        pinned.len() > live_table_count(&db),
        "the directory holds pinned tables beyond the live ones: {pinned:?}"
    );

    // Dropping only one of the two pinning iterators keeps the files.
    drop(it);
    db.put(b"zz-one", b"1").expect("put");
    db.flush().expect("flush");
    let still = sst_files(dir.path());
    assert!(
        first.is_subset(&still),
        "a live snapshot iterator still needs {first:?}: {still:?}"
    );

    drop(snap_it);
    drop(snap);
    // The next version change collects them.
    db.put(b"zz-two", b"2").expect("put");
    db.flush().expect("flush");
    let after_flush = sst_files(dir.path());
    assert!(
        first.is_disjoint(&after_flush),
        "unpinned obsolete tables {first:?} still in the directory after a flush: {after_flush:?}"
    );
    assert_eq!(
        after_flush.len(),
        live_table_count(&db),
        "only live tables remain after a flush: {after_flush:?}"
    );
    db.compact_range(None, None).expect("compact_range");
    let after_compaction = sst_files(dir.path());
    assert_eq!(
        after_compaction.len(),
        live_table_count(&db),
        "only live tables remain after a compaction: {after_compaction:?}"
    );
    assert_eq!(db.stats().levels[0].files, 0, "compaction emptied L0");

    // And nothing obsolete reappears or is missed across a reopen.
    db.close().expect("close");
    drop(db);
    let db = Db::open(dir.path(), options()).expect("reopen");
    assert_eq!(
        sst_files(dir.path()).len(),
        live_table_count(&db),
        "after reopen"
    );
    assert_eq!(db.get(b"zz-two").expect("get"), Some(b"2".to_vec()));
    check_iter_is_generation_with_extras(&db);
}

/// The database holds generation 1 plus the two "zz" keys.
fn check_iter_is_generation_with_extras(db: &Db) {
    for i in 0..N {
        assert_eq!(db.get(&key(i)).expect("get"), expected(i, 1), "key {i}");
    }
    assert_eq!(db.get(b"zz-one").expect("get"), Some(b"1".to_vec()));
}
