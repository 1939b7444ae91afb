//! Compaction keeps every version newer than a history range's floor for
//! keys in the range — through flushes and full compactions, with inline
//! and separated (blob) values, blob GC included — and drops the shadowed
//! versions of every other key as before.

mod common;

use std::sync::Arc;

use common::blobs::{blob_options, value, MIN_BLOB};
use siltdb::fs::MemFs;
use siltdb::{Db, HistoryRange};

const GENERATIONS: u32 = 12;
const KEYS: u32 = 20;

fn key(prefix: &str, i: u32) -> Vec<u8> {
    format!("{prefix}{i:03}").into_bytes()
}

/// Half the values are separated into blob files, half stay inline.
fn len_of(i: u32) -> usize {
    if i.is_multiple_of(2) {
        MIN_BLOB * 2
    } else {
        40
    }
}

#[test]
fn versions_in_a_history_range_survive_compaction_and_others_do_not() {
    let fs = MemFs::new();
    let db = Db::open("/db", blob_options(Arc::new(fs.clone()))).expect("open");
    db.set_history_ranges(vec![HistoryRange {
        begin: b"a".to_vec(),
        end: b"b".to_vec(),
        floor: 0,
    }])
    .expect("register");
    // seqs[g] = the sequence number after generation g was written.
    let mut seqs = Vec::new();
    for g in 0..GENERATIONS {
        for i in 0..KEYS {
            for prefix in ["a", "z"] {
                let k = key(prefix, i);
                db.put(&k, &value(&k, g, len_of(i))).expect("put");
            }
        }
        seqs.push(db.latest_sequence());
        db.flush().expect("flush");
    }
    db.compact_range(None, None).expect("compact");
    db.compact_range(None, None).expect("compact again");

    // Every generation of the registered range reads back.
    for (g, &seq) in seqs.iter().enumerate() {
        let snap = db.history_snapshot(b"a", seq).expect("history snapshot");
        let mut it = snap.iter().expect("iter");
        it.seek(b"a").expect("seek");
        for i in 0..KEYS {
            let k = key("a", i);
            assert!(it.valid(), "generation {g}: key {i} missing");
            assert_eq!(it.key(), k.as_slice());
            assert_eq!(it.value(), value(&k, g as u32, len_of(i)).as_slice());
            it.next().expect("next");
        }
        assert!(!it.valid() || !it.key().starts_with(b"a"));
    }

    // The other range lost its old versions: registering it now (floor 0)
    // cannot bring them back, so an old snapshot sees the newest values.
    db.set_history_ranges(vec![
        HistoryRange {
            begin: b"a".to_vec(),
            end: b"b".to_vec(),
            floor: 0,
        },
        HistoryRange {
            begin: b"z".to_vec(),
            end: b"{".to_vec(),
            floor: 0,
        },
    ])
    .expect("register both");
    let snap = db.history_snapshot(b"z", seqs[0]).expect("snapshot z");
    let k = key("z", 1);
    let newest = value(&k, GENERATIONS - 1, len_of(1));
    // A version newer than the snapshot is invisible to it, and the old one
    // is gone: the key reads as absent.
    assert_eq!(snap.get(&k).expect("get"), None);
    assert_eq!(db.get(&k).expect("get"), Some(newest));
}
