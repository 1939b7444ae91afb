//! The cost of a checkpoint of a large database on real files: time and
//! the bytes it adds, with hard links and (the same database) with links
//! refused so every file is copied. A measurement, not a check of speed:
//! ignored in the default run.
//!
//! ```text
//! SILTDB_CHECKPOINT_MB=1024 cargo test -p siltdb --release \
//!     --test checkpoint_large_table_cost -- --ignored --nocapture
//! ```

#![cfg(unix)]

mod common;

use std::sync::Arc;

use common::du::sizes;
use std::time::Instant;

use siltdb::fs::{FaultFs, OsFs};
use siltdb::{Db, Options, WriteBatch, WriteOptions};

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn checkpoint_cost_of_a_large_database() {
    let mb: u64 = std::env::var("SILTDB_CHECKPOINT_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let root = tempfile::tempdir().expect("tempdir");
    let fault = FaultFs::new(Arc::new(OsFs::new()));
    let opts = Options {
        fs: Arc::new(fault.clone()),
        sync: false,
        ..Options::default()
    };
    let db = Db::open(root.path().join("db"), opts).expect("open");
    let value = vec![0x5au8; 1000];
    let n = mb * 1000;
    let t = Instant::now();
    for chunk in 0..n / 100 {
        let mut b = WriteBatch::new();
        for i in 0..100 {
            let k = format!("key{:012}", (chunk * 100 + i).wrapping_mul(0x9e37_79b9) % n);
            b.put(k.as_bytes(), &value);
        }
        db.write_opt(b, WriteOptions { sync: false })
            .expect("write");
    }
    db.flush().expect("flush");
    println!("loaded {n} x 1000-byte values in {:.1?}", t.elapsed());

    let t = Instant::now();
    let linked = db
        .checkpoint(root.path().join("linked"))
        .expect("checkpoint");
    let link_time = t.elapsed();
    let (total, own) = sizes(&root.path().join("linked"));
    println!(
        "linked: {} files, {} bytes of tables/blob files, {:.1?}; directory {} bytes, {} bytes not shared with the source",
        linked.files, linked.bytes, link_time, total, own
    );

    fault.refuse_links(true);
    let t = Instant::now();
    let copied = db
        .checkpoint(root.path().join("copied"))
        .expect("checkpoint");
    let copy_time = t.elapsed();
    let (total, own) = sizes(&root.path().join("copied"));
    println!(
        "copied: {} files ({} copied), {:.1?}; directory {} bytes, {} bytes not shared with the source",
        copied.files, copied.copied, copy_time, total, own
    );
    println!(
        "copy / link time: {:.1}",
        copy_time.as_secs_f64() / link_time.as_secs_f64().max(1e-9)
    );
    assert_eq!(linked.copied, 0);
    assert_eq!(copied.copied, copied.files);
}
