//! [`FaultFs`]: wraps another [`Fs`] and injects failures on demand.
//!
//! All controls live in shared atomics, so a test can arm a fault while a
//! database holding a clone of the `FaultFs` is running:
//!
//! - [`FaultFs::fail_sync_after`]: the next `n` syncs (file and directory)
//!   succeed, every later one fails until [`FaultFs::clear`].
//! - [`FaultFs::fail_write_after`]: the same for `append` and `create`.
//! - [`FaultFs::tear_next_write`]: the next `append` writes only the first half
//!   of its bytes, then fails.
//! - [`FaultFs::hold_creates`]: creating a file whose name ends with a
//!   suffix blocks until [`FaultFs::release_creates`] (to hold a background
//!   flush at a known point); [`FaultFs::hold_syncs`] does the same for
//!   file syncs (to see what a write's waiters see before its fsync).
//! - [`FaultFs::set_space_limit`]: appends that would take the bytes written
//!   through this `FaultFs` past the limit write nothing and fail with
//!   [`std::io::ErrorKind::StorageFull`].
//! - [`FaultFs::refuse_links`]: [`Fs::link`] fails with
//!   [`std::io::ErrorKind::CrossesDevices`], as between two file systems.
//! - [`FaultFs::fail_op`] and [`FaultFs::fail_ops_from`]: every file
//!   operation that changes the disk ([`FileOp`]: create, append, sync,
//!   directory sync, rename, reuse, remove, link) is numbered, 1 first; the chosen one
//!   fails (once), or every one from the chosen number on fails (a disk that
//!   stopped: followed by [`super::MemFs::crash`], a power cut right after
//!   the operation before it). Exhaustive crash and failure tests walk the
//!   number through every operation of a workload.
//!
//! Everything else passes straight through to the wrapped file system.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::{FileLock, Fs, RandomAccessFile, WritableFile};
use crate::error::{Error, Result};

/// Budget value meaning "no fault armed".
const DISARMED: u64 = u64::MAX;
/// Space limit value meaning "unlimited".
const NO_LIMIT: u64 = u64::MAX;

/// A file operation that changes the disk, as [`FaultFs`] numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileOp {
    /// [`Fs::create`].
    Create,
    /// [`WritableFile::append`].
    Append,
    /// [`WritableFile::sync`].
    Sync,
    /// [`Fs::sync_dir`].
    SyncDir,
    /// [`Fs::rename`].
    Rename,
    /// [`Fs::reuse`].
    Reuse,
    /// [`Fs::remove`].
    Remove,
    /// [`Fs::link`].
    Link,
    /// [`Fs::rename_dir`].
    RenameDir,
}

/// Number value meaning "no operation chosen".
const NONE: u64 = u64::MAX;

/// Shared fault controls and counters.
struct FaultState {
    /// File operations attempted so far (the last one's number).
    ops: AtomicU64,
    /// The number of the operation that fails once, or [`NONE`].
    fail_at: AtomicU64,
    /// Every operation from this number on fails, or [`NONE`].
    fail_from: AtomicU64,
    /// The first operation failed by `fail_at`/`fail_from`, and its path.
    injected: Mutex<Option<(FileOp, PathBuf)>>,
    /// Syncs that may still succeed before they start failing.
    sync_budget: AtomicU64,
    /// Appends/creates that may still succeed before they start failing.
    write_budget: AtomicU64,
    tear_next: AtomicBool,
    /// Links fail as if crossing file systems.
    refuse_links: AtomicBool,
    space_limit: AtomicU64,
    /// Bytes handed to the wrapped file system by appends, including the
    /// halves written by torn appends.
    space_used: AtomicU64,
    syncs: AtomicU64,
    appends: AtomicU64,
    bytes_appended: AtomicU64,
    /// Creates of names ending with this wait on `released`.
    held: Mutex<Option<String>>,
    released: Condvar,
    /// Syncs of files whose names end with `suffix` wait on `sync_changed`.
    held_syncs: Mutex<HeldSyncs>,
    sync_changed: Condvar,
    /// Every directory listing sleeps this many microseconds first.
    list_delay_us: AtomicU64,
}

/// The sync hold of [`FaultFs::hold_syncs`].
#[derive(Default)]
struct HeldSyncs {
    suffix: Option<String>,
    /// Syncs waiting at the hold now.
    waiting: usize,
}

impl FaultState {
    fn hold_syncs(&self) -> MutexGuard<'_, HeldSyncs> {
        self.held_syncs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Blocks while syncs of `path` are held ([`FaultFs::hold_syncs`]).
    fn wait_while_sync_held(&self, path: &Path) {
        let name = path.to_string_lossy();
        let mut h = self.hold_syncs();
        if !h.suffix.as_deref().is_some_and(|s| name.ends_with(s)) {
            return;
        }
        h.waiting += 1;
        self.sync_changed.notify_all();
        while h.suffix.as_deref().is_some_and(|s| name.ends_with(s)) {
            h = self.sync_changed.wait(h).unwrap_or_else(|p| p.into_inner());
        }
        h.waiting -= 1;
    }

    /// Numbers one file operation and fails it if it is the chosen one.
    fn op(&self, op: FileOp, path: &Path) -> Result<()> {
        let n = self.ops.fetch_add(1, Ordering::SeqCst) + 1;
        if n != self.fail_at.load(Ordering::SeqCst) && n < self.fail_from.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut injected = self.injected.lock().unwrap_or_else(|p| p.into_inner());
        injected.get_or_insert_with(|| (op, path.to_path_buf()));
        Err(Error::io(
            format!("{op:?} {}", path.display()),
            std::io::Error::other(format!("injected failure of file operation {n}")),
        ))
    }

    /// Consumes one unit of `budget`; false if the operation must fail.
    fn take(budget: &AtomicU64) -> bool {
        let step = |v: u64| {
            if v == DISARMED || v == 0 {
                None
            } else {
                Some(v - 1)
            }
        };
        match budget.fetch_update(Ordering::SeqCst, Ordering::SeqCst, step) {
            Ok(_) => true,
            Err(v) => v == DISARMED,
        }
    }

    /// Checks the sync budget; on success counts the sync after `op` succeeds.
    fn sync(
        &self,
        context: impl FnOnce() -> String,
        op: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        if !FaultState::take(&self.sync_budget) {
            return Err(Error::io(
                context(),
                std::io::Error::other("injected fsync failure"),
            ));
        }
        op()?;
        self.syncs.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn write_allowed(&self, context: impl FnOnce() -> String) -> Result<()> {
        if FaultState::take(&self.write_budget) {
            Ok(())
        } else {
            Err(Error::io(
                context(),
                std::io::Error::other("injected write failure"),
            ))
        }
    }

    /// Reserves `n` bytes of space; false if that would pass the limit.
    fn reserve_space(&self, n: u64) -> bool {
        let limit = self.space_limit.load(Ordering::SeqCst);
        self.space_used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                let total = used.checked_add(n)?;
                (limit == NO_LIMIT || total <= limit).then_some(total)
            })
            .is_ok()
    }

    fn release_space(&self, n: u64) {
        self.space_used.fetch_sub(n, Ordering::SeqCst);
    }
}

/// A file system wrapper that injects I/O failures; clones share controls.
#[derive(Clone)]
pub struct FaultFs {
    inner: Arc<dyn Fs>,
    state: Arc<FaultState>,
}

impl std::fmt::Debug for FaultFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultFs")
            .field("syncs", &self.syncs())
            .field("appends", &self.appends())
            .field("bytes_appended", &self.bytes_appended())
            .finish_non_exhaustive()
    }
}

impl FaultFs {
    /// Wraps `inner` with no fault armed.
    pub fn new(inner: Arc<dyn Fs>) -> FaultFs {
        FaultFs {
            inner,
            state: Arc::new(FaultState {
                ops: AtomicU64::new(0),
                fail_at: AtomicU64::new(NONE),
                fail_from: AtomicU64::new(NONE),
                injected: Mutex::new(None),
                sync_budget: AtomicU64::new(DISARMED),
                write_budget: AtomicU64::new(DISARMED),
                tear_next: AtomicBool::new(false),
                refuse_links: AtomicBool::new(false),
                space_limit: AtomicU64::new(NO_LIMIT),
                space_used: AtomicU64::new(0),
                syncs: AtomicU64::new(0),
                appends: AtomicU64::new(0),
                bytes_appended: AtomicU64::new(0),
                held: Mutex::new(None),
                released: Condvar::new(),
                held_syncs: Mutex::new(HeldSyncs::default()),
                sync_changed: Condvar::new(),
                list_delay_us: AtomicU64::new(0),
            }),
        }
    }

    /// The wrapped file system.
    pub fn inner(&self) -> &Arc<dyn Fs> {
        &self.inner
    }

    /// Lets the next `n` syncs (file and directory) succeed; every sync after
    /// them fails with an injected EIO-like error until [`FaultFs::clear`].
    /// (`n == u64::MAX` disarms the fault.)
    pub fn fail_sync_after(&self, n: u64) {
        self.state.sync_budget.store(n, Ordering::SeqCst);
    }

    /// Lets the next `n` appends and creates succeed; every one after them
    /// fails with an injected error until [`FaultFs::clear`].
    /// (`n == u64::MAX` disarms the fault.)
    pub fn fail_write_after(&self, n: u64) {
        self.state.write_budget.store(n, Ordering::SeqCst);
    }

    /// Makes the next append write only the first half (rounded down) of its
    /// bytes to the wrapped file and then fail.
    pub fn tear_next_write(&self) {
        self.state.tear_next.store(true, Ordering::SeqCst);
    }

    /// Caps the total bytes appended through this `FaultFs` since it was
    /// created (`None` removes the cap). An append that would pass the cap
    /// writes nothing and fails with [`ErrorKind::StorageFull`].
    pub fn set_space_limit(&self, limit: Option<u64>) {
        self.state
            .space_limit
            .store(limit.unwrap_or(NO_LIMIT), Ordering::SeqCst);
    }

    /// With `true`, every later [`Fs::link`] fails with
    /// [`ErrorKind::CrossesDevices`] (as between two file systems) after it
    /// is counted; `false` (or [`FaultFs::clear`]) lets links through.
    pub fn refuse_links(&self, refuse: bool) {
        self.state.refuse_links.store(refuse, Ordering::SeqCst);
    }

    /// Makes every later create of a file whose name ends with `suffix`
    /// block (before it is counted or performed) until
    /// [`FaultFs::release_creates`] or [`FaultFs::clear`].
    pub fn hold_creates(&self, suffix: &str) {
        *self.state.held.lock().unwrap_or_else(|p| p.into_inner()) = Some(suffix.to_string());
    }

    /// Lets held and later creates proceed.
    pub fn release_creates(&self) {
        *self.state.held.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.state.released.notify_all();
    }

    /// Makes every later sync of a file whose name ends with `suffix` block
    /// (before it is counted or performed) until [`FaultFs::release_syncs`]
    /// or [`FaultFs::clear`].
    pub fn hold_syncs(&self, suffix: &str) {
        self.state.hold_syncs().suffix = Some(suffix.to_string());
    }

    /// Lets held and later syncs proceed.
    pub fn release_syncs(&self) {
        self.state.hold_syncs().suffix = None;
        self.state.sync_changed.notify_all();
    }

    /// Makes every later directory listing sleep `delay` before it lists
    /// (a slow directory, or a thread descheduled at that point);
    /// [`Duration::ZERO`](std::time::Duration::ZERO) or
    /// [`FaultFs::clear`] removes the delay.
    pub fn delay_lists(&self, delay: std::time::Duration) {
        let us = u64::try_from(delay.as_micros()).unwrap_or(u64::MAX);
        self.state.list_delay_us.store(us, Ordering::SeqCst);
    }

    /// Waits until a sync is blocked by [`FaultFs::hold_syncs`], for at most
    /// `timeout`; returns whether one is.
    pub fn wait_for_held_sync(&self, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        let mut h = self.state.hold_syncs();
        while h.waiting == 0 {
            let now = std::time::Instant::now();
            if now >= deadline {
                return false;
            }
            h = self
                .state
                .sync_changed
                .wait_timeout(h, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }

    /// File operations ([`FileOp`]) attempted so far: the number of the
    /// last one.
    pub fn file_ops(&self) -> u64 {
        self.state.ops.load(Ordering::SeqCst)
    }

    /// Makes file operation number `n` (counting from 1 since this
    /// `FaultFs` was created) fail, once, writing nothing.
    pub fn fail_op(&self, n: u64) {
        self.state.fail_at.store(n, Ordering::SeqCst);
    }

    /// Makes every file operation numbered `n` or more fail, writing
    /// nothing: the disk stops after operation `n - 1`.
    pub fn fail_ops_from(&self, n: u64) {
        self.state.fail_from.store(n, Ordering::SeqCst);
    }

    /// The first operation [`FaultFs::fail_op`] or [`FaultFs::fail_ops_from`]
    /// failed, and its path.
    pub fn injected(&self) -> Option<(FileOp, PathBuf)> {
        self.state
            .injected
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Disarms every fault (sync, write, tear, space limit, chosen
    /// operations, held creates and syncs, refused links). Counters are kept.
    pub fn clear(&self) {
        self.release_creates();
        self.release_syncs();
        self.fail_op(NONE);
        self.fail_ops_from(NONE);
        self.fail_sync_after(DISARMED);
        self.fail_write_after(DISARMED);
        self.state.tear_next.store(false, Ordering::SeqCst);
        self.refuse_links(false);
        self.set_space_limit(None);
        self.delay_lists(std::time::Duration::ZERO);
    }

    /// Successful syncs so far (file and directory).
    pub fn syncs(&self) -> u64 {
        self.state.syncs.load(Ordering::SeqCst)
    }

    /// Successful appends so far.
    pub fn appends(&self) -> u64 {
        self.state.appends.load(Ordering::SeqCst)
    }

    /// Bytes written by successful appends so far.
    pub fn bytes_appended(&self) -> u64 {
        self.state.bytes_appended.load(Ordering::SeqCst)
    }
}

/// A file created through [`FaultFs`].
struct FaultWritableFile {
    inner: Box<dyn WritableFile>,
    state: Arc<FaultState>,
    path: PathBuf,
}

impl WritableFile for FaultWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        let context = || format!("append to {}", self.path.display());
        let st = &self.state;
        st.op(FileOp::Append, &self.path)?;
        st.write_allowed(context)?;
        let len = data.len() as u64;
        if !st.reserve_space(len) {
            return Err(Error::io(
                context(),
                std::io::Error::new(ErrorKind::StorageFull, "no space left on device"),
            ));
        }
        if st.tear_next.swap(false, Ordering::SeqCst) {
            let half = data.get(..data.len() / 2).unwrap_or_default();
            st.release_space(len - half.len() as u64);
            if let Err(e) = self.inner.append(half) {
                st.release_space(half.len() as u64);
                return Err(e);
            }
            return Err(Error::io(
                context(),
                std::io::Error::other(format!(
                    "injected torn write: {} of {} bytes written",
                    half.len(),
                    data.len()
                )),
            ));
        }
        if let Err(e) = self.inner.append(data) {
            st.release_space(len);
            return Err(e);
        }
        st.appends.fetch_add(1, Ordering::SeqCst);
        st.bytes_appended.fetch_add(len, Ordering::SeqCst);
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        self.state.wait_while_sync_held(&self.path);
        self.state.op(FileOp::Sync, &self.path)?;
        let path = &self.path;
        let inner = &mut self.inner;
        self.state
            .sync(|| format!("sync {}", path.display()), || inner.sync())
    }

    fn len(&self) -> u64 {
        self.inner.len()
    }

    fn preallocate(&mut self, len: u64) -> Result<()> {
        self.inner.preallocate(len)
    }

    fn write_back(&mut self) -> Result<()> {
        self.inner.write_back()
    }
}

impl Fs for FaultFs {
    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        {
            let mut held = self.state.held.lock().unwrap_or_else(|p| p.into_inner());
            while held
                .as_deref()
                .is_some_and(|s| path.to_string_lossy().ends_with(s))
            {
                held = self
                    .state
                    .released
                    .wait(held)
                    .unwrap_or_else(|p| p.into_inner());
            }
        }
        self.state.op(FileOp::Create, path)?;
        self.state
            .write_allowed(|| format!("create {}", path.display()))?;
        let inner = self.inner.create(path)?;
        Ok(Box::new(FaultWritableFile {
            inner,
            state: self.state.clone(),
            path: path.to_path_buf(),
        }))
    }

    fn open_random(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>> {
        self.inner.open_random(path)
    }

    fn read_all(&self, path: &Path) -> Result<Vec<u8>> {
        self.inner.read_all(path)
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        self.state.op(FileOp::Rename, to)?;
        self.inner.rename(from, to)
    }

    fn reuse(&self, from: &Path, to: &Path) -> Result<Box<dyn WritableFile>> {
        self.state.op(FileOp::Reuse, to)?;
        self.state
            .write_allowed(|| format!("reuse {} as {}", from.display(), to.display()))?;
        let inner = self.inner.reuse(from, to)?;
        Ok(Box::new(FaultWritableFile {
            inner,
            state: self.state.clone(),
            path: to.to_path_buf(),
        }))
    }

    fn remove(&self, path: &Path) -> Result<()> {
        self.state.op(FileOp::Remove, path)?;
        self.inner.remove(path)
    }

    fn list(&self, dir: &Path) -> Result<Vec<String>> {
        let delay = self.state.list_delay_us.load(Ordering::SeqCst);
        if delay > 0 {
            std::thread::sleep(std::time::Duration::from_micros(delay));
        }
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
        self.state.op(FileOp::SyncDir, dir)?;
        self.state.sync(
            || format!("sync directory {}", dir.display()),
            || self.inner.sync_dir(dir),
        )
    }

    fn sync_file(&self, path: &Path) -> Result<()> {
        self.state.sync(
            || format!("sync {}", path.display()),
            || self.inner.sync_file(path),
        )
    }

    fn lock(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        self.inner.lock(path)
    }

    fn link(&self, from: &Path, to: &Path) -> Result<()> {
        self.state.op(FileOp::Link, to)?;
        if self.state.refuse_links.load(Ordering::SeqCst) {
            return Err(Error::io(
                format!("link {} to {}", from.display(), to.display()),
                std::io::Error::new(ErrorKind::CrossesDevices, "injected: crosses devices"),
            ));
        }
        self.inner.link(from, to)
    }

    fn rename_dir(&self, from: &Path, to: &Path) -> Result<()> {
        self.state.op(FileOp::RenameDir, to)?;
        self.inner.rename_dir(from, to)
    }

    fn remove_dir(&self, dir: &Path) -> Result<()> {
        self.state.op(FileOp::Remove, dir)?;
        self.inner.remove_dir(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    fn io_kind(err: &Error) -> ErrorKind {
        match err {
            Error::Io { source, .. } => source.kind(),
            other => panic!("expected an I/O error, got {other:?}"),
        }
    }

    fn setup() -> (MemFs, FaultFs, PathBuf) {
        let mem = MemFs::new();
        let fault = FaultFs::new(Arc::new(mem.clone()));
        let dir = PathBuf::from("/db");
        fault.create_dir_all(&dir).unwrap();
        (mem, fault, dir)
    }

    #[test]
    fn passes_through_without_faults() {
        let (mem, fs, dir) = setup();
        let path = dir.join("a");
        let mut f = fs.create(&path).unwrap();
        f.append(b"abc").unwrap();
        f.append(b"de").unwrap();
        f.sync().unwrap();
        fs.sync_dir(&dir).unwrap();
        assert_eq!(f.len(), 5);
        assert_eq!(mem.read_all(&path).unwrap(), b"abcde");
        assert_eq!(fs.read_all(&path).unwrap(), b"abcde");
        assert_eq!(fs.list(&dir).unwrap(), vec!["a".to_string()]);
        assert_eq!((fs.syncs(), fs.appends(), fs.bytes_appended()), (2, 2, 5));
        fs.rename(&path, &dir.join("b")).unwrap();
        assert!(fs.exists(&dir.join("b")));
        let _lock = fs.lock(&dir.join("LOCK")).unwrap();
        assert!(matches!(fs.lock(&dir.join("LOCK")), Err(Error::Locked(_))));
    }

    #[test]
    fn sync_fails_after_n_and_keeps_failing_until_clear() {
        let (_mem, fs, dir) = setup();
        let mut f = fs.create(&dir.join("a")).unwrap();
        fs.fail_sync_after(2);
        f.sync().unwrap();
        fs.sync_dir(&dir).unwrap();
        for _ in 0..3 {
            let err = f.sync().unwrap_err();
            assert_eq!(io_kind(&err), ErrorKind::Other);
            assert!(err.to_string().contains("injected fsync failure"), "{err}");
            assert!(fs.sync_dir(&dir).is_err());
        }
        assert_eq!(fs.syncs(), 2);
        fs.clear();
        f.sync().unwrap();
        fs.sync_dir(&dir).unwrap();
        assert_eq!(fs.syncs(), 4);
    }

    #[test]
    fn fail_sync_after_zero_fails_immediately() {
        let (_mem, fs, dir) = setup();
        fs.fail_sync_after(0);
        assert!(fs.sync_dir(&dir).is_err());
        assert_eq!(fs.syncs(), 0);
    }

    #[test]
    fn failed_sync_does_not_make_data_durable() {
        let (mem, fs, dir) = setup();
        let path = dir.join("wal");
        let mut f = fs.create(&path).unwrap();
        f.append(b"one").unwrap();
        f.sync().unwrap();
        fs.sync_dir(&dir).unwrap();
        fs.fail_sync_after(0);
        f.append(b"two").unwrap();
        assert!(f.sync().is_err());
        mem.crash();
        assert_eq!(mem.read_all(&path).unwrap(), b"one");
    }

    #[test]
    fn write_fails_after_n_for_appends_and_creates() {
        let (mem, fs, dir) = setup();
        let path = dir.join("a");
        let mut f = fs.create(&path).unwrap();
        fs.fail_write_after(2);
        f.append(b"1").unwrap();
        f.append(b"2").unwrap();
        let err = f.append(b"3").unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::Other);
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
        assert!(f.append(b"4").is_err());
        assert!(fs.create(&dir.join("b")).is_err());
        assert!(!mem.exists(&dir.join("b")));
        assert_eq!(mem.read_all(&path).unwrap(), b"12");
        assert_eq!((fs.appends(), fs.bytes_appended()), (2, 2));

        fs.clear();
        f.append(b"5").unwrap();
        assert_eq!(mem.read_all(&path).unwrap(), b"125");

        // A create consumes the budget too.
        fs.fail_write_after(1);
        let mut g = fs.create(&dir.join("c")).unwrap();
        assert!(g.append(b"x").is_err());
    }

    #[test]
    fn torn_write_leaves_exactly_half() {
        let (mem, fs, dir) = setup();
        let path = dir.join("a");
        let mut f = fs.create(&path).unwrap();
        f.append(b"head").unwrap();
        fs.tear_next_write();
        let err = f.append(b"0123456789").unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
        assert_eq!(mem.read_all(&path).unwrap(), b"head01234");
        assert_eq!((fs.appends(), fs.bytes_appended()), (1, 4));
        // Only one write is torn.
        f.append(b"ok").unwrap();
        assert_eq!(mem.read_all(&path).unwrap(), b"head01234ok");
        // Odd length: half rounds down.
        fs.tear_next_write();
        assert!(f.append(b"abc").is_err());
        assert_eq!(mem.read_all(&path).unwrap(), b"head01234oka");
    }

    #[test]
    fn space_limit_gives_storage_full_and_writes_nothing() {
        let (mem, fs, dir) = setup();
        let path = dir.join("a");
        let mut f = fs.create(&path).unwrap();
        f.append(b"12345").unwrap();
        fs.set_space_limit(Some(8));
        f.append(b"678").unwrap(); // exactly at the limit
        let err = f.append(b"9").unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::StorageFull);
        assert!(err.to_string().contains("no space left on device"), "{err}");
        assert_eq!(mem.read_all(&path).unwrap(), b"12345678");
        // Space counts across files.
        let mut g = fs.create(&dir.join("b")).unwrap();
        assert_eq!(
            io_kind(&g.append(b"x").unwrap_err()),
            ErrorKind::StorageFull
        );
        assert_eq!(mem.file_size(&dir.join("b")).unwrap(), 0);
        fs.set_space_limit(Some(10));
        g.append(b"xy").unwrap();
        assert_eq!((fs.appends(), fs.bytes_appended()), (3, 10));
        fs.clear();
        g.append(&[0u8; 100]).unwrap();
    }

    #[test]
    fn chosen_operations_fail_and_are_counted() {
        let (mem, fs, dir) = setup();
        let (a, b) = (dir.join("a"), dir.join("b"));
        let mut f = fs.create(&a).unwrap(); // 1
        f.append(b"x").unwrap(); // 2
        assert_eq!(fs.file_ops(), 2);
        fs.fail_op(4);
        f.sync().unwrap(); // 3
        let err = fs.sync_dir(&dir).unwrap_err(); // 4
        assert!(
            err.to_string()
                .contains("injected failure of file operation 4"),
            "{err}"
        );
        assert_eq!(fs.injected(), Some((FileOp::SyncDir, dir.clone())));
        fs.sync_dir(&dir).unwrap(); // 5: only once
        fs.fail_ops_from(7);
        fs.rename(&a, &b).unwrap(); // 6
        assert!(fs.remove(&b).is_err()); // 7
        assert!(f.append(b"y").is_err()); // 8
        assert!(fs.create(&a).is_err()); // 9
        assert_eq!(fs.file_ops(), 9);
        assert_eq!(
            mem.read_all(&b).unwrap(),
            b"x",
            "failed operations change nothing"
        );
        assert_eq!(
            fs.injected(),
            Some((FileOp::SyncDir, dir.clone())),
            "the first one"
        );
        fs.clear();
        fs.remove(&b).unwrap();
    }
}
