//! A file system whose WAL syncs can be held: a test arms the hold, sees a
//! sync arrive and wait, checks what must not have happened yet, then lets
//! it (and every later sync) through. Also a minimal executor for the
//! engine's [`siltdb::Commit`] futures (the engine has no async runtime).

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use siltdb::fs::{FileLock, Fs, RandomAccessFile, WritableFile};
use siltdb::Result;

#[derive(Default)]
struct Hold {
    /// Syncs of `.log` files wait while this is set.
    held: bool,
    /// Syncs waiting at the hold now.
    waiting: usize,
}

/// Wraps a file system; see the module docs.
#[derive(Clone)]
pub struct HeldSyncs {
    inner: Arc<dyn Fs>,
    hold: Arc<(Mutex<Hold>, Condvar)>,
}

impl HeldSyncs {
    /// Wraps `inner`, nothing held.
    pub fn new(inner: Arc<dyn Fs>) -> HeldSyncs {
        HeldSyncs {
            inner,
            hold: Arc::new((Mutex::new(Hold::default()), Condvar::new())),
        }
    }

    /// Makes later WAL syncs wait until [`HeldSyncs::release`].
    pub fn hold(&self) {
        self.hold.0.lock().expect("hold").held = true;
    }

    /// Lets waiting and later syncs proceed.
    pub fn release(&self) {
        self.hold.0.lock().expect("hold").held = false;
        self.hold.1.notify_all();
    }

    /// Waits until a WAL sync is waiting at the hold.
    pub fn wait_for_held_sync(&self) {
        let (m, cv) = &*self.hold;
        let mut h = m.lock().expect("hold");
        while h.waiting == 0 {
            h = cv.wait_timeout(h, Duration::from_secs(10)).expect("hold").0;
        }
    }
}

struct HeldFile {
    inner: Box<dyn WritableFile>,
    is_wal: bool,
    hold: Arc<(Mutex<Hold>, Condvar)>,
}

impl WritableFile for HeldFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.inner.append(data)
    }

    fn sync(&mut self) -> Result<()> {
        if self.is_wal {
            let (m, cv) = &*self.hold;
            let mut h = m.lock().expect("hold");
            if h.held {
                h.waiting += 1;
                cv.notify_all();
                while h.held {
                    h = cv.wait(h).expect("hold");
                }
                h.waiting -= 1;
            }
        }
        self.inner.sync()
    }

    fn len(&self) -> u64 {
        self.inner.len()
    }
}

impl Fs for HeldSyncs {
    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        Ok(Box::new(HeldFile {
            inner: self.inner.create(path)?,
            is_wal: path.extension().is_some_and(|e| e == "log"),
            hold: Arc::clone(&self.hold),
        }))
    }
    fn open_random(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>> {
        self.inner.open_random(path)
    }
    fn read_all(&self, path: &Path) -> Result<Vec<u8>> {
        self.inner.read_all(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        self.inner.rename(from, to)
    }
    fn remove(&self, path: &Path) -> Result<()> {
        self.inner.remove(path)
    }
    fn list(&self, dir: &Path) -> Result<Vec<String>> {
        self.inner.list(dir)
    }
    fn exists(&self, path: &Path) -> bool {
        self.inner.exists(path)
    }
    fn file_size(&self, path: &Path) -> Result<u64> {
        self.inner.file_size(path)
    }
    fn create_dir_all(&self, dir: &Path) -> Result<()> {
        self.inner.create_dir_all(dir)
    }
    fn sync_dir(&self, dir: &Path) -> Result<()> {
        self.inner.sync_dir(dir)
    }
    fn sync_file(&self, path: &Path) -> Result<()> {
        self.inner.sync_file(path)
    }
    fn lock(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        self.inner.lock(path)
    }
}

/// A waker that records that it was woken.
#[derive(Default)]
pub struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Polls `f` once with a waker that only records a wake.
pub fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    let waker = Waker::from(Arc::new(Flag::default()));
    Pin::new(f).poll(&mut Context::from_waker(&waker))
}

struct Unparker(std::thread::Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `f` to completion on this thread, parking while it is pending (so
/// a resolved future proves its waker was called).
pub fn block_on<F: Future + Unpin>(mut f: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unparker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = Pin::new(&mut f).poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}
