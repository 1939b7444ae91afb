//! The public API end to end on real files: put/get/delete, batches,
//! snapshots, iteration both ways, flush, compaction, reopen, the LOCK file.

use siltdb::{Db, Error, Options, WriteBatch};

fn small_opts() -> Options {
    let compaction = siltdb::CompactionOptions {
        base_level_bytes: 1 << 20,
        target_file_size: 256 << 10,
        ..Default::default()
    };
    Options {
        write_buffer_size: 256 << 10,
        sync: false,
        compaction,
        ..Options::default()
    }
}

fn key(i: u32) -> Vec<u8> {
    format!("key{i:08}").into_bytes()
}

#[test]
fn data_survives_flush_compaction_and_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let db = Db::open(dir.path(), small_opts()).expect("open");
        for i in 0..50_000u32 {
            db.put(&key(i), format!("value-{i}").as_bytes())
                .expect("put");
        }
        for i in (0..50_000u32).step_by(3) {
            db.delete(&key(i)).expect("delete");
        }
        db.flush().expect("flush");
        db.compact_range(None, None).expect("compact");
        let s = db.stats();
        assert!(s.flushes > 0, "{s}");
        assert!(s.levels.iter().skip(1).any(|l| l.files > 0), "{s}");
        db.close().expect("close");
    }
    let db = Db::open(dir.path(), small_opts()).expect("reopen");
    for i in (0..50_000u32).step_by(7) {
        let want = (i % 3 != 0).then(|| format!("value-{i}").into_bytes());
        assert_eq!(db.get(&key(i)).expect("get"), want, "key {i}");
    }
    let mut it = db.iter().expect("iter");
    it.seek_to_first().expect("seek");
    let mut n = 0;
    let mut last: Option<Vec<u8>> = None;
    while it.valid() {
        if let Some(l) = &last {
            assert!(l.as_slice() < it.key());
        }
        last = Some(it.key().to_vec());
        n += 1;
        it.next().expect("next");
    }
    assert_eq!(n, 50_000 - 50_000 / 3 - 1);
    it.seek_to_last().expect("seek");
    assert_eq!(it.key(), key(49_999).as_slice());
    it.prev().expect("prev");
    assert_eq!(it.key(), key(49_997).as_slice());
}

#[test]
fn batches_are_atomic_and_snapshots_isolate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), small_opts()).expect("open");
    db.put(b"a", b"1").expect("put");
    let snap = db.snapshot();
    let mut b = WriteBatch::new();
    b.put(b"a", b"2");
    b.put(b"b", b"3");
    b.delete(b"c");
    db.write(b).expect("write");
    assert_eq!(db.get(b"a").expect("get"), Some(b"2".to_vec()));
    assert_eq!(snap.get(b"a").expect("get"), Some(b"1".to_vec()));
    assert_eq!(snap.get(b"b").expect("get"), None);
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact");
    assert_eq!(snap.get(b"a").expect("get"), Some(b"1".to_vec()));
    let mut it = snap.iter().expect("iter");
    it.seek_to_first().expect("seek");
    assert_eq!((it.key(), it.value()), (&b"a"[..], &b"1"[..]));
    it.next().expect("next");
    assert!(!it.valid());
}

#[test]
fn second_open_of_a_directory_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), small_opts()).expect("open");
    match Db::open(dir.path(), small_opts()) {
        Err(Error::Locked(msg)) => assert!(msg.contains("LOCK"), "{msg}"),
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("second open succeeded"),
    }
    drop(db);
    Db::open(dir.path(), small_opts()).expect("open after close");
}
