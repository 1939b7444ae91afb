//! A compaction reads its input tables' blocks without putting them in the
//! block cache (RocksDB's `fill_cache = false` for compaction reads): it
//! reads each block once, and filling the cache with them would push out
//! the blocks that reads use — and churn the cache's memory.

use std::sync::Arc;

use siltdb::fs::{Fs, MemFs};
use siltdb::{Db, Options};

#[test]
fn compaction_reads_do_not_fill_the_block_cache() {
    let db = Db::open(
        "/db",
        Options {
            fs: Arc::new(MemFs::new()) as Arc<dyn Fs>,
            sync: false,
            ..Options::default()
        },
    )
    .expect("open");
    let value = vec![b'v'; 200];
    for table in 0..4u32 {
        for i in 0..2_000u32 {
            db.put(format!("key{:06}", i * 4 + table).as_bytes(), &value)
                .expect("put");
        }
        db.flush().expect("flush");
    }
    let before = db.stats();
    assert_eq!(before.levels[0].files, 4, "{before}");
    assert_eq!(before.block_cache_bytes, 0, "nothing read yet: {before}");

    db.compact_range(None, None).expect("compact");
    let after = db.stats();
    assert_eq!(after.levels[0].files, 0, "{after}");
    assert!(after.compaction_bytes_read > 0, "{after}");
    assert_eq!(
        after.block_cache_bytes, 0,
        "the compaction's reads filled the cache: {after}"
    );

    // Reads still go through the cache.
    assert_eq!(db.get(b"key000005").expect("get"), Some(value));
    assert!(db.stats().block_cache_bytes > 0);
}
