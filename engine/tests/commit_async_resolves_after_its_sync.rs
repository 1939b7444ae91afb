//! A write submitted with `Db::write_async` resolves only after the fsync
//! that covers it: while that sync is held, no future is ready and no write
//! is visible; once it returns, every future resolves `Ok` (whether awaited
//! or waited on with `Commit::wait`), and every write survives a power cut
//! taken right then. Synced writers blocking in `Db::put` share the same
//! queue and groups.

mod common;

use std::sync::Arc;
use std::task::Poll;

use std::time::Duration;

use common::executor::{block_on, poll_once};
use siltdb::fs::{FaultFs, MemFs};
use siltdb::{Commit, Db, Options};

const DIR: &str = "/db";
const ASYNC_THREADS: u32 = 4;
const SYNC_THREADS: u32 = 2;
const PER_THREAD: u32 = 50;

fn key(t: u32, i: u32) -> Vec<u8> {
    format!("t{t}-{i:04}").into_bytes()
}

#[test]
fn every_async_write_resolves_after_its_sync_and_is_durable() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Arc::new(
        Db::open(
            DIR,
            Options {
                fs: Arc::new(fault.clone()),
                sync: true,
                ..Options::default()
            },
        )
        .expect("open"),
    );
    let before = db.stats();

    fault.hold_syncs(".log");
    // Submitters on several threads at once; none of them blocks.
    let submitters: Vec<_> = (0..ASYNC_THREADS)
        .map(|t| {
            let db = Arc::clone(&db);
            std::thread::spawn(move || {
                (0..PER_THREAD)
                    .map(|i| db.write_async(batch(&key(t, i))))
                    .collect::<Vec<Commit>>()
            })
        })
        .collect();
    let mut commits: Vec<Commit> = submitters
        .into_iter()
        .flat_map(|h| h.join().expect("submitter"))
        .collect();
    // Blocking synced writers queue behind them.
    let blocking: Vec<_> = (0..SYNC_THREADS)
        .map(|t| {
            let db = Arc::clone(&db);
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    db.put(&key(ASYNC_THREADS + t, i), b"v")
                        .expect("synced put");
                }
            })
        })
        .collect();

    assert!(
        fault.wait_for_held_sync(Duration::from_secs(10)),
        "a WAL sync reached the hold"
    );
    for (n, c) in commits.iter_mut().enumerate() {
        assert!(
            matches!(poll_once(c), Poll::Pending),
            "async write {n} resolved while the sync covering it was held"
        );
    }
    for t in 0..ASYNC_THREADS + SYNC_THREADS {
        for i in 0..PER_THREAD {
            assert_eq!(
                db.get(&key(t, i)).expect("get"),
                None,
                "write {t}/{i} visible before its sync"
            );
        }
    }

    fault.release_syncs();
    // Half awaited as futures, half waited on by threads.
    let waited: Vec<Commit> = commits.split_off(commits.len() / 2);
    let waiters: Vec<_> = waited
        .into_iter()
        .map(|c| std::thread::spawn(move || c.wait()))
        .collect();
    for c in commits {
        block_on(c).expect("awaited write");
    }
    for w in waiters {
        w.join().expect("waiter").expect("waited write");
    }
    for b in blocking {
        b.join().expect("synced writer");
    }

    let s = db.stats();
    let total = u64::from((ASYNC_THREADS + SYNC_THREADS) * PER_THREAD);
    assert_eq!(s.writes - before.writes, total, "every write counted once");
    assert!(
        s.write_groups - before.write_groups < total,
        "queued writes share groups: {} groups for {total} writes",
        s.write_groups - before.write_groups
    );

    // Power cut now: every resolved write is on disk.
    mem.crash();
    drop(db);
    let db = Db::open(
        DIR,
        Options {
            fs: Arc::new(mem.clone()),
            ..Options::default()
        },
    )
    .expect("reopen after the power cut");
    for t in 0..ASYNC_THREADS + SYNC_THREADS {
        for i in 0..PER_THREAD {
            assert_eq!(
                db.get(&key(t, i)).expect("get"),
                Some(b"v".to_vec()),
                "write {t}/{i} lost by the power cut after it resolved"
            );
        }
    }
}

fn batch(key: &[u8]) -> siltdb::WriteBatch {
    let mut b = siltdb::WriteBatch::new();
    b.put(key, b"v");
    b
}
