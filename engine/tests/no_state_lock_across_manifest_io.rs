//! The mutex every writer needs is not held across MANIFEST appends and
//! fsyncs, `CURRENT` switches or file deletion (LevelDB's LogAndApply
//! pattern): while the flush thread is stuck in one of them, a write and a
//! snapshot still complete.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use common::disk::{key, value, DIR};
use siltdb::fs::{FileLock, Fs, MemFs, RandomAccessFile, WritableFile};
use siltdb::{Db, Options, WriteBatch, WriteOptions};

/// Which file operation the gate stops.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stop {
    /// The sync of a MANIFEST.
    ManifestSync,
    /// The rename of `CURRENT.tmp` over `CURRENT`.
    CurrentRename,
    /// The removal of a file.
    Remove,
}

/// Stops the first `stop` operation after a table was created since it was
/// armed, until released.
#[derive(Default)]
struct Gate {
    armed: AtomicBool,
    table_created: AtomicBool,
    /// (stopped once, released)
    state: Mutex<(bool, bool)>,
    cv: Condvar,
}

impl Gate {
    fn pass(&self) {
        if !self.armed.load(Ordering::SeqCst) || !self.table_created.load(Ordering::SeqCst) {
            return;
        }
        let mut st = self.state.lock().expect("gate");
        if st.0 {
            return;
        }
        st.0 = true;
        self.cv.notify_all();
        while !st.1 {
            st = self.cv.wait(st).expect("gate");
        }
    }

    fn wait_stopped(&self, timeout: Duration) -> bool {
        let st = self.state.lock().expect("gate");
        let (st, _) = self
            .cv
            .wait_timeout_while(st, timeout, |s| !s.0)
            .expect("gate");
        st.0
    }

    fn release(&self) {
        self.state.lock().expect("gate").1 = true;
        self.cv.notify_all();
    }
}

struct GateFs {
    inner: MemFs,
    gate: Arc<Gate>,
    stop: Stop,
}

struct GateFile {
    inner: Box<dyn WritableFile>,
    gate: Option<Arc<Gate>>,
}

impl WritableFile for GateFile {
    fn append(&mut self, data: &[u8]) -> siltdb::Result<()> {
        self.inner.append(data)
    }
    fn sync(&mut self) -> siltdb::Result<()> {
        if let Some(g) = &self.gate {
            g.pass();
        }
        self.inner.sync()
    }
    fn len(&self) -> u64 {
        self.inner.len()
    }
}

fn name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Fs for GateFs {
    fn create(&self, path: &Path) -> siltdb::Result<Box<dyn WritableFile>> {
        let n = name(path);
        if n.ends_with(".sst") && self.gate.armed.load(Ordering::SeqCst) {
            self.gate.table_created.store(true, Ordering::SeqCst);
        }
        let gate = (self.stop == Stop::ManifestSync && n.starts_with("MANIFEST-"))
            .then(|| Arc::clone(&self.gate));
        Ok(Box::new(GateFile {
            inner: self.inner.create(path)?,
            gate,
        }))
    }
    fn open_random(&self, path: &Path) -> siltdb::Result<Arc<dyn RandomAccessFile>> {
        self.inner.open_random(path)
    }
    fn read_all(&self, path: &Path) -> siltdb::Result<Vec<u8>> {
        self.inner.read_all(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> siltdb::Result<()> {
        if self.stop == Stop::CurrentRename && name(to) == "CURRENT" {
            self.gate.pass();
        }
        self.inner.rename(from, to)
    }
    fn remove(&self, path: &Path) -> siltdb::Result<()> {
        if self.stop == Stop::Remove {
            self.gate.pass();
        }
        self.inner.remove(path)
    }
    fn list(&self, dir: &Path) -> siltdb::Result<Vec<String>> {
        self.inner.list(dir)
    }
    fn exists(&self, path: &Path) -> bool {
        self.inner.exists(path)
    }
    fn file_size(&self, path: &Path) -> siltdb::Result<u64> {
        self.inner.file_size(path)
    }
    fn create_dir_all(&self, dir: &Path) -> siltdb::Result<()> {
        self.inner.create_dir_all(dir)
    }
    fn sync_dir(&self, dir: &Path) -> siltdb::Result<()> {
        self.inner.sync_dir(dir)
    }
    fn sync_file(&self, path: &Path) -> siltdb::Result<()> {
        self.inner.sync_file(path)
    }
    fn lock(&self, path: &Path) -> siltdb::Result<Box<dyn FileLock>> {
        self.inner.lock(path)
    }
}

/// Stops the flush thread in `stop`, then writes and takes a snapshot from
/// another thread; returns whether they finished while it was stopped.
fn writes_while_stopped_in(stop: Stop) -> bool {
    let gate = Arc::new(Gate::default());
    let fs = GateFs {
        inner: MemFs::new(),
        gate: Arc::clone(&gate),
        stop,
    };
    let opts = Options {
        fs: Arc::new(fs),
        sync: false,
        background_write_rate: 0,
        // Every edit starts a new MANIFEST, so every edit switches CURRENT.
        max_manifest_size: if stop == Stop::CurrentRename {
            1
        } else {
            64 << 20
        },
        ..Options::default()
    };
    let db = Arc::new(Db::open(DIR, opts).expect("open"));
    for i in 0..100 {
        db.put(&key(i), &value(i)).expect("put");
    }
    gate.armed.store(true, Ordering::SeqCst);
    let flusher = {
        let db = Arc::clone(&db);
        thread::spawn(move || db.flush())
    };
    assert!(
        gate.wait_stopped(Duration::from_secs(20)),
        "{stop:?}: the flush never reached the stopped operation"
    );
    let (tx, rx) = mpsc::channel();
    let writer = {
        let db = Arc::clone(&db);
        thread::spawn(move || {
            let mut b = WriteBatch::new();
            b.put(b"during", b"the stop");
            let put = db.write_opt(b, WriteOptions { sync: false });
            let snap = db.snapshot();
            drop(snap);
            let _sent = tx.send(put.is_ok());
        })
    };
    let done = rx.recv_timeout(Duration::from_secs(5));
    gate.release();
    flusher.join().expect("flush thread").expect("flush");
    writer.join().expect("writer");
    assert_eq!(db.get(b"during").expect("get"), Some(b"the stop".to_vec()));
    done == Ok(true)
}

#[test]
fn a_write_completes_during_a_manifest_sync() {
    assert!(writes_while_stopped_in(Stop::ManifestSync));
}

#[test]
fn a_write_completes_during_a_current_switch() {
    assert!(writes_while_stopped_in(Stop::CurrentRename));
}

#[test]
fn a_write_completes_during_file_deletion() {
    assert!(writes_while_stopped_in(Stop::Remove));
}
