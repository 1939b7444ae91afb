//! A checkpoint pins the files it copies: a compaction that makes them
//! obsolete while the checkpoint is still copying does not delete them
//! from under it, and they go once the checkpoint is done.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::disk::{scan, Disk};
use siltdb::Db;

#[test]
fn compaction_during_a_checkpoint_does_not_delete_its_files() {
    let disk = Disk::new();
    // Copies, not links: the copy of each file opens it when it starts.
    disk.fault.refuse_links(true);
    let db = disk.open().expect("open");
    let mut model = BTreeMap::new();
    for round in 0..3u32 {
        for i in 0..20u32 {
            let (k, v) = (format!("k{i:03}"), format!("v{round}-{i}"));
            db.put(k.as_bytes(), v.as_bytes()).expect("put");
            model.insert(k.into_bytes(), v.into_bytes());
        }
        db.flush().expect("flush");
    }
    let tables = disk.named(".sst");
    assert_eq!(tables.len(), 3, "three L0 tables: {tables:?}");
    // L0 is listed newest first: the checkpoint copies the highest number
    // first. Hold it there.
    let first = tables.iter().max().expect("a table").clone();
    disk.fault
        .hold_creates(&format!("cp.checkpoint-tmp/{first}"));

    std::thread::scope(|s| {
        let cp = s.spawn(|| db.checkpoint("/cp"));
        std::thread::sleep(Duration::from_millis(200));
        let compacted = db.compact_range(None, None);
        let after = disk.named(".sst");
        // Let the checkpoint go on before any assertion can fail (the
        // scope waits for it).
        disk.fault.release_creates();
        compacted.expect("compact");
        for t in &tables {
            assert!(
                after.contains(t),
                "{t} was deleted while the checkpoint held it: {after:?}"
            );
        }
        let cp = cp.join().expect("checkpoint thread").expect("checkpoint");
        assert_eq!(cp.files, 3, "{cp:?}");
    });
    let copy = Db::open("/cp", disk.options()).expect("open the checkpoint");
    assert_eq!(scan(&copy), model);
    drop(copy);
    db.close().expect("close");
    let left = disk.named(".sst");
    assert!(
        tables.iter().all(|t| !left.contains(t)),
        "released once the checkpoint finished: {left:?}"
    );
}
