//! Concurrent synced writers share fsyncs: the group-commit leader syncs the
//! WAL once for every write queued behind it. On real files, 8 threads ×
//! 1,000 synced puts are all acknowledged and readable with far fewer than
//! 8,000 WAL syncs, and the file system saw exactly the syncs the engine
//! counted.

use std::sync::Arc;
use std::time::Instant;

use siltdb::fs::{FaultFs, OsFs};
use siltdb::{Db, Options};

const THREADS: u32 = 8;
const PER_THREAD: u32 = 1_000;

fn key(t: u32, i: u32) -> Vec<u8> {
    format!("t{t}-{i:05}").into_bytes()
}

#[test]
fn concurrent_synced_writes_share_wal_syncs() {
    let dir = tempfile::tempdir().expect("tempdir");
    // FaultFs with no fault armed: a pass-through that counts syncs.
    let fault = FaultFs::new(Arc::new(OsFs::new()));
    let db = Arc::new(
        Db::open(
            dir.path(),
            Options {
                fs: Arc::new(fault.clone()),
                sync: true,
                ..Options::default()
            },
        )
        .expect("open"),
    );
    let before = db.stats();
    let fs_syncs_before = fault.syncs();

    let started = Instant::now();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let db = Arc::clone(&db);
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    db.put(&key(t, i), &i.to_le_bytes()).expect("synced put");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("writer thread");
    }
    let elapsed = started.elapsed();

    let s = db.stats();
    let total = u64::from(THREADS * PER_THREAD);
    let writes = s.writes - before.writes;
    let groups = s.write_groups - before.write_groups;
    let wal_syncs = s.wal_syncs - before.wal_syncs;
    let fs_syncs = fault.syncs() - fs_syncs_before;
    println!(
        "{total} synced puts in {elapsed:?}: {groups} groups, {wal_syncs} WAL syncs, \
         {fs_syncs} file system syncs, {:.1} writes per group",
        writes as f64 / groups as f64
    );

    assert_eq!(writes, total, "every put counted as a write");
    assert!(
        wal_syncs < total / 2,
        "group commit should share fsyncs: {wal_syncs} WAL syncs for {total} synced writes"
    );
    assert!(
        groups < writes,
        "writes per group must exceed 1: {writes} writes in {groups} groups"
    );
    assert_eq!(
        wal_syncs, groups,
        "each group of synced writes syncs the WAL exactly once"
    );
    assert_eq!(s.flushes, before.flushes, "no memtable switch in this test");
    assert_eq!(
        fs_syncs, wal_syncs,
        "the file system saw exactly the WAL syncs the engine counted"
    );

    for t in 0..THREADS {
        for i in 0..PER_THREAD {
            assert_eq!(
                db.get(&key(t, i)).expect("get"),
                Some(i.to_le_bytes().to_vec()),
                "thread {t} write {i}"
            );
        }
    }
    db.close().expect("close");
}
