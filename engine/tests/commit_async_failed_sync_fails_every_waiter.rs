//! A failed WAL sync fails every asynchronous write it covered: each of
//! their futures resolves to the sync's error (none to `Ok`), the database
//! is poisoned so later async writes resolve to `Error::Poisoned`, and the
//! write acknowledged before the failure survives a power cut.

mod common;

use std::sync::Arc;

use std::time::Duration;

use common::executor::block_on;
use siltdb::fs::{FaultFs, MemFs};
use siltdb::{Commit, Db, Error, Options, WriteBatch};

const DIR: &str = "/db";
const COVERED: u32 = 100;

fn batch(key: &str) -> WriteBatch {
    let mut b = WriteBatch::new();
    b.put(key.as_bytes(), b"v");
    b
}

#[test]
fn a_failed_sync_fails_every_covered_future() {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(
        DIR,
        Options {
            fs: Arc::new(fault.clone()),
            sync: true,
            ..Options::default()
        },
    )
    .expect("open");
    let groups_before = db.stats().write_groups;

    // The first write's group syncs (held); the others queue behind it and
    // form the next group, whose sync fails.
    fault.hold_syncs(".log");
    let first = db.write_async(batch("first"));
    assert!(
        fault.wait_for_held_sync(Duration::from_secs(10)),
        "a WAL sync reached the hold"
    );
    let covered: Vec<Commit> = (0..COVERED)
        .map(|i| db.write_async(batch(&format!("covered{i:03}"))))
        .collect();
    fault.fail_sync_after(1);
    fault.release_syncs();

    block_on(first).expect("the write synced before the failure");
    let mut io_errors = 0;
    for (i, c) in covered.into_iter().enumerate() {
        match block_on(c) {
            Ok(()) => panic!("covered write {i} resolved Ok though its sync failed"),
            Err(Error::Io { .. }) => io_errors += 1,
            Err(e) => panic!("covered write {i}: expected the sync's I/O error, got {e:?}"),
        }
    }
    assert_eq!(
        io_errors, COVERED,
        "every covered write got the sync's error"
    );
    assert_eq!(
        db.stats().write_groups - groups_before,
        1,
        "only the first write's group succeeded"
    );

    match block_on(db.write_async(batch("later"))) {
        Err(Error::Poisoned(cause)) => assert!(
            matches!(*cause, Error::Io { .. }),
            "the poison keeps the sync's kind: {cause:?}"
        ),
        other => panic!("a write after the failed sync: expected Poisoned, got {other:?}"),
    }

    mem.crash();
    drop(db);
    fault.clear();
    let db = Db::open(
        DIR,
        Options {
            fs: Arc::new(mem.clone()),
            ..Options::default()
        },
    )
    .expect("reopen");
    assert_eq!(
        db.get(b"first").expect("get"),
        Some(b"v".to_vec()),
        "the write acknowledged before the failure survives"
    );
}
