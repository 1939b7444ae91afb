//! `Db::write_then` is the blocking form of `Db::write_async_then`: the
//! calling thread leads its own group (no hand-off to the commit thread),
//! the completion hook has run when it returns — also for an empty batch,
//! which is never queued — and the `Commit` it returns has resolved.

mod common;

use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use common::executor::block_on;
use siltdb::fs::MemFs;
use siltdb::{Db, Options, WriteBatch};

type Heard = Arc<Mutex<Vec<(ThreadId, bool)>>>;

fn hook(heard: &Heard) -> siltdb::OnCommitted {
    let heard = Arc::clone(heard);
    Box::new(move |r: &siltdb::Result<()>| {
        heard
            .lock()
            .expect("lock")
            .push((std::thread::current().id(), r.is_ok()));
    })
}

#[test]
fn the_hook_runs_on_the_calling_thread_before_write_then_returns() {
    let db = Db::open(
        "/db",
        Options {
            fs: Arc::new(MemFs::new()),
            sync: true,
            ..Options::default()
        },
    )
    .expect("open");
    let heard: Heard = Arc::default();
    let me = std::thread::current().id();

    for i in 0..20u32 {
        let mut batch = WriteBatch::new();
        batch.put(format!("k{i:02}").as_bytes(), b"v");
        let commit = db.write_then(batch, hook(&heard));
        // Already resolved: the hook ran, on this thread (the only writer
        // leads its own group), and the write is visible.
        assert_eq!(heard.lock().expect("lock").len(), i as usize + 1);
        assert_eq!(heard.lock().expect("lock").last(), Some(&(me, true)));
        block_on(commit).expect("commit");
        assert_eq!(
            db.get(format!("k{i:02}").as_bytes()).expect("get"),
            Some(b"v".to_vec())
        );
    }

    // An empty batch is never queued; its hook still runs, with Ok.
    db.write_then(WriteBatch::new(), hook(&heard))
        .wait()
        .expect("empty");
    assert_eq!(heard.lock().expect("lock").len(), 21);
    assert_eq!(heard.lock().expect("lock").last(), Some(&(me, true)));
}
