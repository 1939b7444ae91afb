//! `Stats` says whether background work is due or running: right after
//! enough flushes to trigger a (rate-limited, hence slow) compaction it is
//! not idle, and it becomes idle only once the compaction has run and left
//! L0 below its trigger. Benchmarks rely on this to wait for a settled tree.

use std::sync::Arc;
use std::time::{Duration, Instant};

use siltdb::fs::MemFs;
use siltdb::CompactionOptions;
use siltdb::{Db, Options};

const TRIGGER: usize = 2;

#[test]
fn background_idle_only_after_due_compaction_ran() {
    let db = Db::open(
        "/db",
        Options {
            fs: Arc::new(MemFs::new()),
            sync: false,
            write_buffer_size: 1 << 20,
            compaction: CompactionOptions {
                l0_compaction_trigger: TRIGGER,
                ..CompactionOptions::default()
            },
            // About 1 MB of L0 to rewrite at 1 MiB/s: the compaction takes
            // about a second, so the look right after the flushes sees it.
            background_write_rate: 1 << 20,
            ..Options::default()
        },
    )
    .expect("open");

    let idle_at_start = db.stats();
    assert!(idle_at_start.background_idle(), "{idle_at_start}");

    let value = vec![b'v'; 1000];
    for table in 0..TRIGGER as u32 {
        for i in 0..500u32 {
            let key = format!("{:08}", i * 7 + table);
            db.put(key.as_bytes(), &value).expect("put");
        }
        db.flush().expect("flush");
    }

    let busy = db.stats();
    assert_eq!(busy.immutable_memtables, 0, "flush() waits for the flush");
    assert!(
        busy.compaction_pending || busy.compaction_running,
        "{TRIGGER} L0 files reach the trigger, so a compaction is due or running: {busy}"
    );
    assert!(!busy.background_idle());

    let deadline = Instant::now() + Duration::from_secs(120);
    let settled = loop {
        let s = db.stats();
        if s.background_idle() {
            break s;
        }
        assert!(Instant::now() < deadline, "never settled: {s}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        settled.compactions + settled.trivial_moves >= 1,
        "{settled}"
    );
    assert!(settled.levels[0].files < TRIGGER, "{settled}");
    assert_eq!(settled.pending_compaction_bytes, 0, "{settled}");
}
