//! The history ranges are in the MANIFEST: after a crash (unsynced bytes
//! dropped) or a clean reopen, they hold before anyone registers them
//! again, so a compaction at open cannot drop history; a MANIFEST rolled
//! over keeps them in its base edit.

use std::sync::Arc;

use siltdb::fs::MemFs;
use siltdb::{Db, HistoryRange, Options};

fn options(fs: &MemFs) -> Options {
    Options {
        fs: Arc::new(fs.clone()),
        sync: true,
        ..Options::default()
    }
}

#[test]
fn history_ranges_and_their_versions_survive_a_crash() {
    let fs = MemFs::new();
    let range = HistoryRange {
        begin: b"t".to_vec(),
        end: b"u".to_vec(),
        floor: 0,
    };
    let old_seq;
    {
        let db = Db::open("/db", options(&fs)).expect("open");
        db.set_history_ranges(vec![range.clone()])
            .expect("register");
        db.put(b"t1", b"old").expect("put");
        old_seq = db.latest_sequence();
        db.put(b"t1", b"new").expect("put");
        db.flush().expect("flush");
        fs.crash();
    }
    let db = Db::open("/db", options(&fs)).expect("reopen");
    assert_eq!(db.history_ranges(), vec![range.clone()]);
    db.compact_range(None, None).expect("compact");
    let snap = db.history_snapshot(b"t1", old_seq).expect("snapshot");
    assert_eq!(snap.get(b"t1").expect("get"), Some(b"old".to_vec()));
    drop(snap);
    db.set_history_ranges(Vec::new()).expect("clear");
    db.close().expect("close");
    let db = Db::open("/db", options(&fs)).expect("reopen again");
    assert!(db.history_ranges().is_empty());
}
