//! A history snapshot is refused, with `HistoryUnavailable`, below the
//! floor of the range holding its key and in a range the engine keeps no
//! history for; a sequence number not yet written is `InvalidArgument`.

use siltdb::{Db, Error, HistoryRange, Options};

#[test]
fn history_snapshots_outside_the_kept_history_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), Options::default()).expect("open");
    for i in 0..10u32 {
        db.put(b"k1", &i.to_be_bytes()).expect("put");
    }
    let floor = db.latest_sequence() - 3;
    db.set_history_ranges(vec![HistoryRange {
        begin: b"k".to_vec(),
        end: b"l".to_vec(),
        floor,
    }])
    .expect("register");
    match db.history_snapshot(b"k1", floor - 1) {
        Err(Error::HistoryUnavailable(m)) => assert!(m.contains("older than"), "{m}"),
        other => panic!(
            "expected HistoryUnavailable, got {:?}",
            other.map(|s| s.sequence())
        ),
    }
    match db.history_snapshot(b"m", floor) {
        Err(Error::HistoryUnavailable(m)) => assert!(m.contains("no history"), "{m}"),
        other => panic!(
            "expected HistoryUnavailable, got {:?}",
            other.map(|s| s.sequence())
        ),
    }
    assert!(matches!(
        db.history_snapshot(b"k1", db.latest_sequence() + 1),
        Err(Error::InvalidArgument(_))
    ));
    let snap = db.history_snapshot(b"k1", floor).expect("at the floor");
    assert_eq!(
        snap.get(b"k1").expect("get"),
        Some(6u32.to_be_bytes().to_vec())
    );
    // A range whose begin is not before its end is refused.
    assert!(matches!(
        db.set_history_ranges(vec![HistoryRange {
            begin: b"b".to_vec(),
            end: b"a".to_vec(),
            floor: 0,
        }]),
        Err(Error::InvalidArgument(_))
    ));
}
