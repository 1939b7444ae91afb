//! What survives a reopen: a clean close keeps every write; a power cut
//! (MemFs crash) keeps every synced write, may lose only the unsynced tail,
//! and a later synced write makes the earlier ones durable; sequence numbers
//! continue after a reopen; and many close/crash cycles with data spread
//! over the WAL, L0 and deeper levels lose nothing durable.

use std::collections::BTreeMap;
use std::sync::Arc;

use siltdb::fs::{FaultFs, MemFs};
use siltdb::CompactionOptions;
use siltdb::{Db, Options, WriteBatch, WriteOptions};

const DIR: &str = "/db";
const SYNC: WriteOptions = WriteOptions { sync: true };
const NO_SYNC: WriteOptions = WriteOptions { sync: false };

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// An in-memory disk that can lose power.
struct Disk {
    mem: MemFs,
    fault: FaultFs,
}

impl Disk {
    fn new() -> Disk {
        let mem = MemFs::new();
        let fault = FaultFs::new(Arc::new(mem.clone()));
        Disk { mem, fault }
    }

    fn options(&self, write_buffer_size: usize) -> Options {
        Options {
            fs: Arc::new(self.fault.clone()),
            sync: false,
            write_buffer_size,
            background_write_rate: 0,
            compaction: CompactionOptions {
                l0_compaction_trigger: 2,
                base_level_bytes: 64 << 10,
                target_file_size: 16 << 10,
                ..CompactionOptions::default()
            },
            ..Options::default()
        }
    }

    fn open(&self, write_buffer_size: usize) -> Db {
        Db::open(DIR, self.options(write_buffer_size)).expect("open")
    }

    /// Cuts the power under `db`: the dying database can change nothing on
    /// disk, then everything not synced is lost. Returns the reopened db.
    fn crash(&self, db: Db, write_buffer_size: usize) -> Db {
        self.fault.fail_write_after(0);
        self.fault.fail_sync_after(0);
        drop(db);
        self.mem.crash();
        self.fault.clear();
        self.open(write_buffer_size)
    }

    fn reopen(&self, db: Db, write_buffer_size: usize) -> Db {
        db.close().expect("close");
        drop(db);
        self.open(write_buffer_size)
    }
}

const BIG_BUFFER: usize = 4 << 20;
const SMALL_BUFFER: usize = 8 << 10;

fn put(db: &Db, k: &str, v: &str, opts: WriteOptions) {
    let mut b = WriteBatch::new();
    b.put(k.as_bytes(), v.as_bytes());
    db.write_opt(b, opts).expect("write");
}

fn get(db: &Db, k: &str) -> Option<String> {
    db.get(k.as_bytes())
        .expect("get")
        .map(|v| String::from_utf8(v).expect("utf-8 value"))
}

fn contents(db: &Db) -> Model {
    let mut it = db.iter().expect("iter");
    it.seek_to_first().expect("seek_to_first");
    let mut m = Model::new();
    while it.valid() {
        m.insert(it.key().to_vec(), it.value().to_vec());
        it.next().expect("next");
    }
    m
}

#[test]
fn clean_close_keeps_synced_and_unsynced_writes() {
    let disk = Disk::new();
    let db = disk.open(BIG_BUFFER);
    put(&db, "synced", "1", SYNC);
    put(&db, "unsynced", "2", NO_SYNC);
    db.delete(b"synced").expect("delete");
    put(&db, "synced", "3", NO_SYNC);
    let db = disk.reopen(db, BIG_BUFFER);
    assert_eq!(get(&db, "synced").as_deref(), Some("3"));
    assert_eq!(get(&db, "unsynced").as_deref(), Some("2"));

    // A clean close made everything durable: even a power cut right after
    // it loses nothing.
    put(&db, "after-reopen", "4", NO_SYNC);
    db.close().expect("close");
    let db = disk.crash(db, BIG_BUFFER);
    assert_eq!(get(&db, "synced").as_deref(), Some("3"));
    assert_eq!(get(&db, "unsynced").as_deref(), Some("2"));
    assert_eq!(get(&db, "after-reopen").as_deref(), Some("4"));
}

#[test]
fn crash_keeps_every_synced_write() {
    let disk = Disk::new();
    let mut db = disk.open(BIG_BUFFER);
    let mut synced = Model::new();
    for round in 0..5 {
        for i in 0..200 {
            let k = format!("key{:03}", (i * 7 + round * 13) % 150);
            let v = format!("round{round}-{i}");
            let sync = i % 3 == 0;
            put(&db, &k, &v, if sync { SYNC } else { NO_SYNC });
            if sync {
                // Synced writes make every earlier write durable too; track
                // only the synced ones and check they are at least as new.
                synced.insert(k.into_bytes(), v.into_bytes());
            }
        }
        // The last write (i = 199) was unsynced; round 0..: crash.
        db = disk.crash(db, BIG_BUFFER);
        let got = contents(&db);
        for (k, v) in &synced {
            let have = got.get(k).unwrap_or_else(|| {
                panic!(
                    "round {round}: synced key {} lost in the crash",
                    String::from_utf8_lossy(k)
                )
            });
            // The key may hold a later unsynced value that happened to
            // survive, never an older one.
            assert!(
                have == v || have.starts_with(format!("round{round}").as_bytes()),
                "round {round}: key {} holds {:?}, older than its synced value {:?}",
                String::from_utf8_lossy(k),
                String::from_utf8_lossy(have),
                String::from_utf8_lossy(v)
            );
        }
        synced = got;
    }
}

#[test]
fn unsynced_tail_may_vanish_but_a_later_sync_makes_it_durable() {
    let disk = Disk::new();
    let db = disk.open(BIG_BUFFER);
    put(&db, "base", "0", SYNC);
    put(&db, "a", "1", NO_SYNC);
    put(&db, "b", "2", NO_SYNC);
    let mut batch = WriteBatch::new();
    batch.put(b"c", b"3");
    batch.put(b"d", b"4");
    db.write_opt(batch, NO_SYNC).expect("write");

    let db = disk.crash(db, BIG_BUFFER);
    assert_eq!(get(&db, "base").as_deref(), Some("0"), "synced write lost");
    // Whatever survived is a prefix of the unsynced writes, batch whole.
    let survivors: Vec<bool> = ["a", "b", "c", "d"]
        .iter()
        .map(|k| get(&db, k).is_some())
        .collect();
    let allowed = [
        [false, false, false, false],
        [true, false, false, false],
        [true, true, false, false],
        [true, true, true, true],
    ];
    assert!(
        allowed.contains(&[survivors[0], survivors[1], survivors[2], survivors[3]]),
        "survivors of a, b, [c d] are not a prefix: {survivors:?}"
    );

    // Unsynced writes followed by a synced one: all durable.
    put(&db, "e", "5", NO_SYNC);
    db.delete(b"base").expect("delete");
    put(&db, "f", "6", SYNC);
    let db = disk.crash(db, BIG_BUFFER);
    assert_eq!(
        get(&db, "e").as_deref(),
        Some("5"),
        "write before a synced one"
    );
    assert_eq!(get(&db, "base"), None, "delete before a synced write");
    assert_eq!(get(&db, "f").as_deref(), Some("6"), "synced write");

    // sync_wal does the same for everything before it.
    put(&db, "g", "7", NO_SYNC);
    put(&db, "h", "8", NO_SYNC);
    db.sync_wal().expect("sync_wal");
    let db = disk.crash(db, BIG_BUFFER);
    assert_eq!(get(&db, "g").as_deref(), Some("7"), "write before sync_wal");
    assert_eq!(get(&db, "h").as_deref(), Some("8"), "write before sync_wal");

    // So does flush (the data is in a table).
    put(&db, "i", "9", NO_SYNC);
    db.flush().expect("flush");
    let db = disk.crash(db, BIG_BUFFER);
    assert_eq!(get(&db, "i").as_deref(), Some("9"), "write before flush");
}

#[test]
fn sequence_numbers_continue_after_reopen() {
    let disk = Disk::new();
    let mut db = disk.open(SMALL_BUFFER);
    let mut last = db.latest_sequence();
    for cycle in 0..12 {
        // Overwrite the same key each cycle: a new write must shadow every
        // older one, wherever the older ones are (WAL, L0, deeper).
        let v = format!("cycle{cycle}");
        for i in 0..40 {
            put(
                &db,
                &format!("filler{cycle}-{i}"),
                &"x".repeat(300),
                NO_SYNC,
            );
        }
        put(&db, "hot", &v, SYNC);
        let seq = db.latest_sequence();
        assert!(
            seq > last,
            "cycle {cycle}: sequence {seq} did not advance past {last}"
        );
        assert_eq!(
            get(&db, "hot"),
            Some(v.clone()),
            "cycle {cycle}: before reopen"
        );
        let before = db.snapshot();
        assert_eq!(before.sequence(), seq);
        drop(before);
        match cycle % 3 {
            0 => db.flush().expect("flush"),
            1 => db.compact_range(None, None).expect("compact_range"),
            _ => {}
        }

        db = if cycle % 2 == 0 {
            disk.reopen(db, SMALL_BUFFER)
        } else {
            disk.crash(db, SMALL_BUFFER)
        };
        let after = db.latest_sequence();
        assert!(
            after >= seq,
            "cycle {cycle}: latest_sequence went back from {seq} to {after} across a reopen"
        );
        assert_eq!(
            get(&db, "hot"),
            Some(v.clone()),
            "cycle {cycle}: after reopen"
        );

        // A write after the reopen gets a newer sequence and wins.
        let snap_old = db.snapshot();
        let newer = format!("cycle{cycle}-after");
        put(&db, "hot", &newer, NO_SYNC);
        assert!(
            db.latest_sequence() > after,
            "cycle {cycle}: first write after reopen"
        );
        let snap_new = db.snapshot();
        assert_eq!(
            get(&db, "hot"),
            Some(newer.clone()),
            "cycle {cycle}: newest write"
        );
        assert_eq!(
            snap_new.get(b"hot").expect("get"),
            Some(newer.into_bytes()),
            "cycle {cycle}: snapshot after reopen sees the new write"
        );
        assert_eq!(
            snap_old.get(b"hot").expect("get"),
            Some(v.into_bytes()),
            "cycle {cycle}: snapshot from before the write"
        );
        last = db.latest_sequence();
    }
    assert!(
        db.stats().levels.iter().skip(1).any(|l| l.files > 0),
        "data reached level 1: {}",
        db.stats()
    );
}

#[test]
fn many_reopen_cycles_with_data_in_wal_l0_and_deeper_levels() {
    let disk = Disk::new();
    let mut db = disk.open(SMALL_BUFFER);
    let mut model = Model::new();
    let mut saw_l0 = false;
    let mut saw_deep = false;
    let mut saw_wal_only = false;
    for cycle in 0..40u32 {
        for i in 0..60u32 {
            let n = (cycle * 37 + i * 11) % 500;
            let k = format!("key{n:04}").into_bytes();
            if (cycle + i) % 9 == 0 {
                db.delete(&k).expect("delete");
                model.remove(&k);
            } else {
                let v = format!("c{cycle}-i{i}-{}", "v".repeat((n % 200) as usize)).into_bytes();
                db.put(&k, &v).expect("put");
                model.insert(k, v);
            }
        }
        match cycle % 5 {
            0 => db.flush().expect("flush"),
            1 => db.compact_range(None, None).expect("compact_range"),
            // Otherwise leave the tail in the WAL (and the memtable).
            _ => saw_wal_only = true,
        }
        let s = db.stats();
        saw_l0 |= s.levels[0].files > 0;
        saw_deep |= s.levels.iter().skip(1).any(|l| l.files > 0);

        db = if cycle % 2 == 0 {
            disk.reopen(db, SMALL_BUFFER)
        } else {
            // Everything was acknowledged and then synced: nothing may go.
            db.sync_wal().expect("sync_wal");
            disk.crash(db, SMALL_BUFFER)
        };
        let got = contents(&db);
        assert_eq!(
            got.len(),
            model.len(),
            "cycle {cycle}: key count after reopen"
        );
        for (k, v) in &model {
            assert_eq!(
                got.get(k),
                Some(v),
                "cycle {cycle}: key {} after reopen",
                String::from_utf8_lossy(k)
            );
        }
        for (k, v) in model.iter().step_by(17) {
            assert_eq!(
                db.get(k).expect("get").as_ref(),
                Some(v),
                "cycle {cycle}: get"
            );
        }
    }
    assert!(
        saw_l0 && saw_deep && saw_wal_only,
        "coverage: L0 {saw_l0}, deeper {saw_deep}, WAL {saw_wal_only}"
    );
}
