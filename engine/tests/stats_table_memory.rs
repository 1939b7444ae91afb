//! The engine accounts for the memory open tables hold outside the block
//! cache (their index blocks and bloom filters), and keeps it within
//! `Options::table_cache_bytes` however many tables there are: tables
//! beyond the bound are closed and opened again on their next use, and
//! every read still finds its data.

use std::path::Path;
use std::sync::Arc;

use siltdb::fs::{Fs, MemFs};
use siltdb::low_level::inspect::dir_stats;
use siltdb::CompactionOptions;
use siltdb::{Db, Options};

/// Tables written, each holding [`KEYS`] keys of its own.
const TABLES: u32 = 12;
const KEYS: u32 = 400;

fn key(table: u32, i: u32) -> Vec<u8> {
    format!("t{table:03}-key{i:06}").into_bytes()
}

fn value(table: u32, i: u32) -> Vec<u8> {
    format!("value {table} {i} {}", "x".repeat(64)).into_bytes()
}

/// A database in memory whose [`TABLES`] tables all stay in L0 (no
/// compaction merges them), with at most `table_cache_bytes` of index and
/// filter open.
fn open(fs: &Arc<MemFs>, table_cache_bytes: usize) -> Db {
    Db::open(
        "/db",
        Options {
            fs: Arc::clone(fs) as Arc<dyn Fs>,
            sync: false,
            table_cache_bytes,
            compaction: CompactionOptions {
                l0_compaction_trigger: 1000,
                l0_slowdown_trigger: 1000,
                l0_stop_trigger: 1000,
                ..CompactionOptions::default()
            },
            ..Options::default()
        },
    )
    .expect("open")
}

fn fill(db: &Db) {
    for t in 0..TABLES {
        for i in 0..KEYS {
            db.put(&key(t, i), &value(t, i)).expect("put");
        }
        db.flush().expect("flush");
    }
}

fn read_all(db: &Db) {
    for t in 0..TABLES {
        for i in (0..KEYS).step_by(37) {
            assert_eq!(
                db.get(&key(t, i)).expect("get"),
                Some(value(t, i)),
                "table {t}, key {i}"
            );
        }
    }
}

#[test]
fn index_and_filter_bytes_of_open_tables_are_counted() {
    let fs = Arc::new(MemFs::new());
    let db = open(&fs, 64 << 20);
    let empty = db.stats();
    assert_eq!(empty.table_readers_open, 0, "{empty}");
    assert_eq!(empty.table_index_filter_bytes, 0, "{empty}");
    fill(&db);
    read_all(&db);
    let s = db.stats();
    assert_eq!(s.levels[0].files, TABLES as usize, "{s}");
    assert_eq!(s.table_readers_open, TABLES as usize, "{s}");
    // The same bytes the files' own index and filter blocks take, as the
    // offline `dir_stats` reads them.
    let offline = dir_stats(&*fs, Path::new("/db")).expect("dir_stats");
    assert!(offline.index_filter_bytes > 0, "{offline}");
    assert_eq!(
        s.table_index_filter_bytes, offline.index_filter_bytes,
        "{s}"
    );
    // Reads went through the block cache.
    assert!(s.block_cache_bytes > 0, "{s}");
    assert!(s.block_cache_bytes <= Options::default().block_cache_bytes as u64);
    // Everything was flushed (an empty memtable holds its skiplist's
    // head); a write makes the memtable hold its bytes.
    assert!(s.memtable_bytes < 1000, "{s}");
    db.put(b"one more", &[7u8; 1000]).expect("put");
    assert!(db.stats().memtable_bytes >= s.memtable_bytes + 1000);
}

#[test]
fn open_tables_stay_within_the_table_cache_bound() {
    // How much one table holds, from a run with room for all.
    let fs = Arc::new(MemFs::new());
    let per_table = {
        let db = open(&fs, 64 << 20);
        fill(&db);
        read_all(&db);
        let s = db.stats();
        s.table_index_filter_bytes / u64::from(TABLES)
    };
    assert!(per_table > 0);
    // Room for about three of the twelve.
    let bound = 3 * per_table + per_table / 2;
    let db = open(&fs, bound as usize);
    for round in 0..3 {
        read_all(&db);
        let s = db.stats();
        assert!(
            s.table_index_filter_bytes <= bound && s.table_readers_open <= 3,
            "round {round}: {s}"
        );
        assert!(s.table_readers_open >= 1, "round {round}: {s}");
    }
    // Scans read every table at once; they too see everything.
    let mut it = db.iter().expect("iter");
    it.seek_to_first().expect("seek");
    let mut n = 0;
    while it.valid() {
        n += 1;
        it.next().expect("next");
    }
    assert_eq!(n, TABLES * KEYS);
    drop(it);
    let s = db.stats();
    assert!(s.table_index_filter_bytes <= bound, "{s}");
}
