//! `Db::flush` returns only after the files it made garbage are removed:
//! tables a dropped iterator kept past a compaction leave the directory
//! before the flush that follows returns, even when the flush thread's own
//! removal pass is slow (here every directory listing takes 400 ms, longer
//! than a flush waiter's wake-up interval).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::disk::{key, value, Disk};

#[test]
fn a_flush_removes_tables_a_dropped_iterator_held() {
    let disk = Disk::new();
    let db = disk.open().expect("open");
    for i in 0..500 {
        db.put(&key(i), &value(i)).expect("put");
    }
    db.flush().expect("flush");
    let first: BTreeSet<String> = disk.named(".sst").into_iter().collect();
    assert!(!first.is_empty(), "the flush wrote a table");
    let it = db.iter().expect("iter");
    for i in 0..500 {
        db.put(&key(i), b"rewritten").expect("put");
    }
    db.compact_range(None, None).expect("compact_range");
    let pinned: BTreeSet<String> = disk.named(".sst").into_iter().collect();
    assert!(
        first.is_subset(&pinned),
        "an open iterator keeps {first:?}: {pinned:?}"
    );

    drop(it);
    disk.fault.delay_lists(Duration::from_millis(400));
    db.put(b"zz", b"after").expect("put");
    db.flush().expect("flush");
    let after: BTreeSet<String> = disk.named(".sst").into_iter().collect();
    disk.fault.clear();
    assert!(
        first.is_disjoint(&after),
        "tables {first:?} no reader holds are gone when flush returns: {after:?}"
    );
    let live: usize = db.stats().levels.iter().map(|l| l.files).sum();
    assert_eq!(after.len(), live, "only live tables remain: {after:?}");
}
