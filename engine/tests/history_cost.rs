//! The cost of keeping history (format-spec/pitr.md, "Cost"): the same
//! overwrite workload with and without a history range over every key,
//! whose floor trails the newest write by a fixed window of writes (the
//! engine-level shape of a short recovery period). Prints the space on
//! disk (tables) and the write amplification (WAL + flush + compaction
//! bytes over user bytes) of both. Ignored: run with
//! `cargo test --release -p siltdb --test history_cost -- --ignored --nocapture`
//! (`HISTORY_COST_WRITES`, `HISTORY_COST_KEYS` to change the size).

use siltdb::{Db, HistoryRange, Options};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Figures {
    table_bytes: u64,
    write_amp: f64,
}

fn run(history: bool, writes: u64, keys: u64) -> Figures {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(
        dir.path(),
        Options {
            sync: false,
            ..Options::default()
        },
    )
    .expect("open");
    // The window: the last 10% of the writes stay readable.
    let window = writes / 10;
    let value = vec![b'v'; 100];
    for i in 0..writes {
        let k = format!("key{:08}", (i * 7919) % keys);
        db.put(k.as_bytes(), &value).expect("put");
        if history && i.is_multiple_of(10_000) {
            db.set_history_ranges(vec![HistoryRange {
                begin: b"key".to_vec(),
                end: b"kez".to_vec(),
                floor: db.latest_sequence().saturating_sub(window),
            }])
            .expect("history");
        }
    }
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact");
    let s = db.stats();
    let table_bytes = s.levels.iter().map(|l| l.bytes).sum();
    let written = s.wal_bytes + s.flush_bytes + s.compaction_bytes_written;
    Figures {
        table_bytes,
        write_amp: written as f64 / s.user_bytes.max(1) as f64,
    }
}

#[test]
#[ignore = "a measurement; prints figures"]
fn history_cost_on_versus_off() {
    let writes = env("HISTORY_COST_WRITES", 1_000_000);
    let keys = env("HISTORY_COST_KEYS", 100_000);
    let off = run(false, writes, keys);
    let on = run(true, writes, keys);
    println!("{writes} overwrites of {keys} keys (100-byte values), window = last 10% of writes");
    println!(
        "history off: tables {} bytes, write amplification {:.2}",
        off.table_bytes, off.write_amp
    );
    println!(
        "history on:  tables {} bytes, write amplification {:.2}",
        on.table_bytes, on.write_amp
    );
    assert!(on.table_bytes >= off.table_bytes);
}
