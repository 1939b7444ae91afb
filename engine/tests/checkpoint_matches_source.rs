//! `Db::checkpoint` while another thread keeps writing (puts, deletes,
//! separated values) and compactions run: the checkpoint opens as a
//! database of its own holding exactly the writes up to its sequence
//! number, on real files (hard links) and on a disk that refuses links
//! (copies). The source keeps working, and a later write to either does
//! not show in the other.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use common::disk::{scan, Disk};
use common::workload::options;
use siltdb::{Db, Options};

/// (sequence number, key, value or `None` for a delete), in write order.
type History = Vec<(u64, Vec<u8>, Option<Vec<u8>>)>;

/// The database after every write of `history` up to `seq`.
fn model_at(history: &History, seq: u64) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut m = BTreeMap::new();
    for (_, k, v) in history.iter().filter(|(s, ..)| *s <= seq) {
        match v {
            Some(v) => m.insert(k.clone(), v.clone()),
            None => m.remove(k),
        };
    }
    m
}

/// Writes from one thread (so each write's sequence number is the
/// database's latest after it returns) until `stop`.
fn writer(db: Arc<Db>, history: Arc<Mutex<History>>, stop: Arc<AtomicBool>) {
    let mut i = 0u64;
    while !stop.load(Ordering::SeqCst) || i < 300 {
        let key = format!("k{:04}", (i * 7) % 500).into_bytes();
        let value = if i % 9 == 4 {
            db.delete(&key).expect("delete");
            None
        } else {
            // Every third value is large enough to go to a blob file.
            let v = format!("v{i}-").repeat(if i.is_multiple_of(3) { 60 } else { 3 });
            db.put(&key, v.as_bytes()).expect("put");
            Some(v.into_bytes())
        };
        history
            .lock()
            .expect("history")
            .push((db.latest_sequence(), key, value));
        if i.is_multiple_of(97) {
            db.compact_range(None, None).expect("compact");
        }
        i += 1;
    }
}

/// Takes three checkpoints while the writer runs and checks each.
fn checkpoints_while_writing(source: &Path, opts: Options, expect_copies: bool) {
    let db = Arc::new(Db::open(source, opts.clone()).expect("open"));
    let history = Arc::new(Mutex::new(History::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let t = {
        let (db, history, stop) = (Arc::clone(&db), Arc::clone(&history), Arc::clone(&stop));
        std::thread::spawn(move || writer(db, history, stop))
    };
    let mut taken = Vec::new();
    for n in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let target = source.with_file_name(format!("cp{n}"));
        let cp = db.checkpoint(&target).expect("checkpoint");
        assert!(cp.files > 0 || cp.sequence == 0, "{cp:?}");
        if expect_copies {
            assert_eq!(cp.copied, cp.files, "every file copied: {cp:?}");
        } else {
            assert_eq!(cp.copied, 0, "every file linked: {cp:?}");
        }
        taken.push((target, cp));
    }
    stop.store(true, Ordering::SeqCst);
    t.join().expect("writer");
    let history = history.lock().expect("history").clone();
    assert!(
        taken.iter().any(|(_, cp)| cp.sequence > 0),
        "a checkpoint saw writes"
    );
    for (target, cp) in &taken {
        let copy = Db::open(target, opts.clone()).expect("open checkpoint");
        assert_eq!(
            scan(&copy),
            model_at(&history, cp.sequence),
            "{} holds the source as of sequence {}",
            target.display(),
            cp.sequence
        );
        assert!(copy.latest_sequence() >= cp.sequence);
        copy.put(b"only-in-copy", b"1").expect("write to the copy");
    }
    assert_eq!(db.get(b"only-in-copy").expect("get"), None);
    db.put(b"only-in-source", b"1").expect("put");
    let (target, cp) = &taken[0];
    // A second checkpoint to an existing directory is refused.
    assert!(db.checkpoint(target).is_err(), "{cp:?}");
    let copy = Db::open(target, opts).expect("reopen checkpoint");
    assert_eq!(copy.get(b"only-in-source").expect("get"), None);
    assert_eq!(copy.get(b"only-in-copy").expect("get"), Some(b"1".to_vec()));
}

#[test]
fn checkpoint_on_real_files_links_and_matches_the_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let disk = Disk::new();
    let opts = Options {
        fs: Arc::new(siltdb::fs::OsFs::new()),
        ..options(&disk)
    };
    checkpoints_while_writing(&dir.path().join("db"), opts, false);
}

#[test]
fn checkpoint_copies_when_links_are_refused() {
    let disk = Disk::new();
    disk.fault.refuse_links(true);
    checkpoints_while_writing(Path::new("/data/db"), options(&disk), true);
}
