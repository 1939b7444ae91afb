//! `Stats` accounts for every table byte by level: flushes write into L0,
//! each compaction's inputs are read from its source and output levels and
//! its outputs written into the output level, trivial moves count as moved;
//! the per-level figures add up to the totals, and the per-level write
//! amplifications plus the WAL's add up to the total write amplification.

use std::sync::Arc;

use siltdb::fs::MemFs;
use siltdb::CompactionOptions;
use siltdb::{Db, Options, Stats};

fn key(i: u32) -> Vec<u8> {
    format!("{:08x}", i.wrapping_mul(2_654_435_761)).into_bytes()
}

fn check_sums(s: &Stats) {
    let sum = |f: fn(&siltdb::LevelStats) -> u64| s.levels.iter().map(f).sum::<u64>();
    assert_eq!(sum(|l| l.flush_written), s.flush_bytes, "{s}");
    assert_eq!(
        sum(|l| l.compaction_written),
        s.compaction_bytes_written,
        "{s}"
    );
    assert_eq!(
        sum(|l| l.compaction_read_as_source) + sum(|l| l.compaction_read_as_target),
        s.compaction_bytes_read,
        "{s}"
    );
    assert_eq!(sum(|l| l.compactions), s.compactions, "{s}");
    let per_level: f64 = (0..s.levels.len())
        .map(|l| s.level_write_amplification(l))
        .sum();
    let wal = s.wal_bytes as f64 / s.user_bytes as f64;
    assert!(
        (per_level + wal - s.write_amplification()).abs() < 1e-9,
        "levels {per_level} + wal {wal} != total {}: {s}",
        s.write_amplification()
    );
}

#[test]
fn per_level_traffic_adds_up_to_the_totals() {
    let db = Db::open(
        "/db",
        Options {
            fs: Arc::new(MemFs::new()),
            sync: false,
            write_buffer_size: 64 << 10,
            compaction: CompactionOptions {
                l0_compaction_trigger: 2,
                base_level_bytes: 256 << 10,
                target_file_size: 64 << 10,
                ..CompactionOptions::default()
            },
            background_write_rate: 0,
            ..Options::default()
        },
    )
    .expect("open");
    let value = vec![b'v'; 200];
    for i in 0..20_000u32 {
        db.put(&key(i), &value).expect("put");
    }
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact");
    let s = db.stats();
    check_sums(&s);

    let l0 = &s.levels[0];
    assert!(l0.flush_written > 0 && l0.compaction_written == 0, "{s}");
    assert_eq!(l0.compaction_read_as_target, 0, "{s}");
    // All of L0 was compacted away, so every flushed byte was read from it.
    assert_eq!(l0.files, 0, "{s}");
    assert_eq!(l0.compaction_read_as_source, l0.flush_written, "{s}");
    // Everything now lives below L0, written there by compactions or moves.
    let below: u64 = s.levels[1..].iter().map(|l| l.bytes).sum();
    assert!(below > 0, "{s}");
    assert!(
        s.levels[1..]
            .iter()
            .all(|l| l.flush_written == 0 && (l.files == 0 || l.written() + l.moved_in > 0)),
        "{s}"
    );
    assert!(
        s.levels[1..]
            .iter()
            .any(|l| l.compaction_read_as_target > 0),
        "{s}"
    );
    assert!(s.level_write_amplification(0) > 0.9, "{s}");
}

#[test]
fn trivial_moves_count_as_moved_not_written() {
    let db = Db::open(
        "/db",
        Options {
            fs: Arc::new(MemFs::new()),
            sync: false,
            write_buffer_size: 1 << 20,
            compaction: CompactionOptions {
                l0_compaction_trigger: 1,
                ..CompactionOptions::default()
            },
            background_write_rate: 0,
            ..Options::default()
        },
    )
    .expect("open");
    // Disjoint key ranges, one table each: every L0 file moves down intact.
    for table in 0..3u32 {
        for i in 0..100u32 {
            db.put(format!("{table}-{i:05}").as_bytes(), b"value")
                .expect("put");
        }
        db.flush().expect("flush");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !db.stats().background_idle() {
            assert!(std::time::Instant::now() < deadline, "{}", db.stats());
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    let s = db.stats();
    check_sums(&s);
    assert_eq!(s.compactions, 0, "{s}");
    assert!(s.trivial_moves >= 3, "{s}");
    let moved: u64 = s.levels.iter().map(|l| l.moved_in).sum();
    assert!(moved >= s.flush_bytes, "{s}");
    assert_eq!(s.compaction_bytes_written, 0, "{s}");
}
