//! [`MemFs`]: an in-memory file system that can simulate a power cut.
//!
//! File data and directory entries are modelled separately, each with its own
//! durable state:
//!
//! - A file is an inode holding its bytes and `synced_len`, the prefix made
//!   durable by [`WritableFile::sync`]. A file reopened by [`Fs::reuse`] is
//!   overwritten from its start; it also keeps the bytes that were durable
//!   when it was reused, which a crash leaves after the synced prefix.
//! - Directory entries live in two maps from path to inode: the *live* map
//!   (what `list`, `exists` and `open_random` see) and the *durable* map (what
//!   survives a crash). `create`, `rename` and `remove` change only the live
//!   map; [`Fs::sync_dir`] copies the live entries of that directory into the
//!   durable map.
//!
//! [`MemFs::crash`] replaces the live map with the durable one, truncates every
//! inode to its synced length (followed, in a reused file, by its earlier
//! bytes past that), releases every lock and kills every handle
//! opened before it.
//!
//! Simplification: directories themselves (made by [`Fs::create_dir_all`]) are
//! durable at once and are never removed; only file entries need `sync_dir`.
//! A directory renamed by [`Fs::rename_dir`] moves (with every entry below
//! it) in the durable state only at the next `sync_dir` of the new name's
//! parent; a crash before that puts it back under its old name. Removing an
//! empty directory ([`Fs::remove_dir`]) is durable at once, like creating
//! one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{FileLock, Fs, RandomAccessFile, WritableFile};
use crate::error::{Error, Result};

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
fn lock_mutex<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Normalizes a path so `a/b`, `a//b`, `a/./b` and `a/b/` name the same entry.
fn norm(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// The directory holding `path` (normalized); empty for a bare relative name.
fn parent_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn not_found(context: String) -> Error {
    Error::io(
        context,
        std::io::Error::new(ErrorKind::NotFound, "no such file or directory"),
    )
}

fn dead_handle(context: String) -> Error {
    Error::io(
        context,
        std::io::Error::other("file handle from before a simulated crash"),
    )
}

/// One file's contents.
#[derive(Debug, Default)]
struct Inode {
    data: Vec<u8>,
    /// Length of the prefix of `data` that survives a crash as it is.
    synced_len: usize,
    /// Where the next append writes: `data.len()`, except in a file opened
    /// by [`Fs::reuse`], whose appends overwrite `data` from its start.
    write_at: usize,
    /// A reused file's bytes as they were durable when it was reused: a
    /// crash keeps them past `synced_len` (empty for any other file).
    earlier: Vec<u8>,
}

impl Inode {
    /// Writes `bytes` where the next append goes.
    fn append(&mut self, bytes: &[u8]) {
        let at = self.write_at.min(self.data.len());
        let overwrite = bytes.len().min(self.data.len() - at);
        let (over, beyond) = bytes.split_at(overwrite);
        if let Some(dst) = self.data.get_mut(at..at + overwrite) {
            dst.copy_from_slice(over);
        }
        self.data.extend_from_slice(beyond);
        self.write_at = at + bytes.len();
    }

    /// Makes every appended byte survive a crash.
    fn make_durable(&mut self) {
        self.synced_len = self.write_at;
    }

    /// What a crash leaves: the synced prefix, then what the file held
    /// durably before it was reused.
    fn crash(&mut self) {
        let keep = self.synced_len.min(self.data.len());
        self.data.truncate(keep);
        self.data
            .extend_from_slice(self.earlier.get(keep..).unwrap_or_default());
        self.earlier = Vec::new();
        self.synced_len = self.data.len();
        self.write_at = self.data.len();
    }
}

type InodeRef = Arc<Mutex<Inode>>;

#[derive(Default)]
struct State {
    /// Bumped by every crash; handles carry the epoch they were opened in.
    epoch: u64,
    /// Directory entries as the running program sees them.
    live: BTreeMap<PathBuf, InodeRef>,
    /// Directory entries that survive a crash.
    durable: BTreeMap<PathBuf, InodeRef>,
    /// Directories as the running program sees them.
    dirs: BTreeSet<PathBuf>,
    /// Directories that survive a crash.
    durable_dirs: BTreeSet<PathBuf>,
    /// Directory renames (from, to) not yet made durable by a `sync_dir`
    /// of the new name's parent, oldest first.
    pending_dir_renames: Vec<(PathBuf, PathBuf)>,
    /// Held locks: path -> id of the guard holding it.
    locks: HashMap<PathBuf, u64>,
    next_lock_id: u64,
}

/// `path` with its prefix `from` replaced by `to`, if it lies under `from`.
fn moved(path: &Path, from: &Path, to: &Path) -> Option<PathBuf> {
    path.strip_prefix(from).ok().map(|rest| to.join(rest))
}

/// Moves every key of `map` at or below `from` to the same place below `to`.
fn move_entries<V>(map: &mut BTreeMap<PathBuf, V>, from: &Path, to: &Path) {
    let keys: Vec<PathBuf> = map
        .keys()
        .filter(|k| k.starts_with(from))
        .cloned()
        .collect();
    for k in keys {
        if let (Some(v), Some(new)) = (map.remove(&k), moved(&k, from, to)) {
            map.insert(new, v);
        }
    }
}

/// Moves every directory at or below `from` to the same place below `to`.
fn move_dirs(dirs: &mut BTreeSet<PathBuf>, from: &Path, to: &Path) {
    let under: Vec<PathBuf> = dirs
        .iter()
        .filter(|d| d.starts_with(from))
        .cloned()
        .collect();
    for d in under {
        dirs.remove(&d);
        dirs.extend(moved(&d, from, to));
    }
}

impl State {
    fn dir_exists(&self, dir: &Path) -> bool {
        dir.as_os_str().is_empty() || dir.parent().is_none() || self.dirs.contains(dir)
    }

    /// Fails with NotFound unless the directory that would hold `path` exists.
    fn check_parent(&self, path: &Path, context: impl FnOnce() -> String) -> Result<()> {
        if self.dir_exists(&parent_of(path)) {
            Ok(())
        } else {
            Err(not_found(context()))
        }
    }

    fn live_inode(&self, path: &Path, context: impl FnOnce() -> String) -> Result<InodeRef> {
        self.live
            .get(path)
            .cloned()
            .ok_or_else(|| not_found(context()))
    }
}

/// An in-memory file system with crash simulation; clones share the same files.
#[derive(Clone, Default)]
pub struct MemFs {
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for MemFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemFs")
            .field("files", &self.file_names())
            .finish()
    }
}

impl MemFs {
    /// An empty file system (only the root and relative-path base exist).
    pub fn new() -> MemFs {
        MemFs::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock_mutex(&self.state)
    }

    /// Simulates a power cut: directory entries revert to their last
    /// `sync_dir`, each file loses the bytes appended after its last `sync`,
    /// all locks are released, and every handle opened before now fails.
    pub fn crash(&self) {
        let mut st = self.state();
        st.epoch += 1;
        st.live = st.durable.clone();
        st.dirs = st.durable_dirs.clone();
        st.pending_dir_renames.clear();
        for inode in st.durable.values() {
            lock_mutex(inode).crash();
        }
        st.locks.clear();
    }

    /// Simulates the kernel writing back the file at `path` on its own: every
    /// byte appended so far survives a later [`MemFs::crash`], as if synced,
    /// though nobody called `sync` (its directory entry still needs a
    /// `sync_dir`). Lets a test cut power after writeback reached some files
    /// and not others.
    pub fn write_back(&self, path: &Path) -> Result<()> {
        let path = norm(path);
        let inode = self
            .state()
            .live_inode(&path, || format!("write back {}", path.display()))?;
        lock_mutex(&inode).make_durable();
        Ok(())
    }

    /// Paths of all live files (not directories), sorted.
    pub fn file_names(&self) -> Vec<PathBuf> {
        self.state().live.keys().cloned().collect()
    }

    /// Paths of all files that would survive a crash right now, sorted.
    pub fn durable_file_names(&self) -> Vec<PathBuf> {
        self.state().durable.keys().cloned().collect()
    }

    /// How many bytes of the live file at `path` would survive a crash.
    pub fn synced_len(&self, path: &Path) -> Result<u64> {
        let path = norm(path);
        let inode = self
            .state()
            .live_inode(&path, || format!("stat {}", path.display()))?;
        let inode = lock_mutex(&inode);
        Ok(inode.synced_len.min(inode.data.len()) as u64)
    }

    /// Sum of the lengths of all live files.
    pub fn total_bytes(&self) -> u64 {
        self.state()
            .live
            .values()
            .map(|inode| lock_mutex(inode).data.len() as u64)
            .sum()
    }

    /// Models on-disk damage: XORs the byte at `offset` of the live file at
    /// `path` with `xor_mask`. The damage is durable (it survives a crash if
    /// the byte does).
    pub fn corrupt_byte(&self, path: &Path, offset: u64, xor_mask: u8) -> Result<()> {
        let path = norm(path);
        let context = || format!("corrupt byte {offset} of {}", path.display());
        let inode = self.state().live_inode(&path, context)?;
        let mut inode = lock_mutex(&inode);
        let len = inode.data.len();
        match usize::try_from(offset).ok().filter(|&o| o < len) {
            Some(o) => {
                if let Some(b) = inode.data.get_mut(o) {
                    *b ^= xor_mask;
                }
                Ok(())
            }
            None => Err(Error::io(
                context(),
                std::io::Error::new(
                    ErrorKind::UnexpectedEof,
                    format!("offset {offset} is past the end of a {len}-byte file"),
                ),
            )),
        }
    }

    /// Models on-disk damage: cuts the live file at `path` to `len` bytes
    /// (durably; a longer `len` leaves the file unchanged).
    pub fn truncate(&self, path: &Path, len: u64) -> Result<()> {
        let path = norm(path);
        let inode = self
            .state()
            .live_inode(&path, || format!("truncate {}", path.display()))?;
        let mut inode = lock_mutex(&inode);
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        inode.data.truncate(len);
        inode.earlier.truncate(len);
        inode.synced_len = inode.synced_len.min(len);
        inode.write_at = inode.write_at.min(len);
        Ok(())
    }
}

/// A file opened by [`MemFs::create`].
struct MemWritableFile {
    fs: MemFs,
    epoch: u64,
    inode: InodeRef,
    path: PathBuf,
}

impl MemWritableFile {
    /// Runs `op` on the inode if this handle is still alive, holding the state
    /// lock so a concurrent crash cannot interleave.
    fn with_inode<T>(
        &self,
        context: impl FnOnce() -> String,
        op: impl FnOnce(&mut Inode) -> T,
    ) -> Result<T> {
        let st = self.fs.state();
        if st.epoch != self.epoch {
            return Err(dead_handle(context()));
        }
        let mut inode = lock_mutex(&self.inode);
        Ok(op(&mut inode))
    }
}

impl WritableFile for MemWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        let path = &self.path;
        self.with_inode(
            || format!("append to {}", path.display()),
            |inode| inode.append(data),
        )
    }

    fn sync(&mut self) -> Result<()> {
        let path = &self.path;
        self.with_inode(
            || format!("sync {}", path.display()),
            |inode| inode.make_durable(),
        )
    }

    fn len(&self) -> u64 {
        lock_mutex(&self.inode).write_at as u64
    }
}

/// A file opened by [`MemFs::open_random`]; it reads the file's current bytes.
struct MemRandomAccessFile {
    fs: MemFs,
    epoch: u64,
    inode: InodeRef,
    path: PathBuf,
}

impl RandomAccessFile for MemRandomAccessFile {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        let context = || {
            format!(
                "read {} bytes at offset {offset} of {}",
                buf.len(),
                self.path.display()
            )
        };
        let st = self.fs.state();
        if st.epoch != self.epoch {
            return Err(dead_handle(context()));
        }
        let inode = lock_mutex(&self.inode);
        let bytes = usize::try_from(offset)
            .ok()
            .and_then(|start| inode.data.get(start..start.checked_add(buf.len())?));
        match bytes {
            Some(src) => {
                buf.copy_from_slice(src);
                Ok(())
            }
            None => Err(Error::io(
                context(),
                std::io::Error::new(ErrorKind::UnexpectedEof, "failed to fill whole buffer"),
            )),
        }
    }

    fn len(&self) -> u64 {
        lock_mutex(&self.inode).data.len() as u64
    }
}

/// A lock taken by [`MemFs::lock`]; dropping it releases the path.
struct MemFileLock {
    fs: MemFs,
    path: PathBuf,
    id: u64,
}

impl FileLock for MemFileLock {}

impl Drop for MemFileLock {
    fn drop(&mut self) {
        let mut st = self.fs.state();
        // After a crash the lock may already belong to someone else.
        if st.locks.get(&self.path) == Some(&self.id) {
            st.locks.remove(&self.path);
        }
    }
}

impl Fs for MemFs {
    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let path = norm(path);
        let mut st = self.state();
        let context = || format!("create {}", path.display());
        st.check_parent(&path, context)?;
        if st.dirs.contains(&path) {
            return Err(Error::io(
                context(),
                std::io::Error::new(ErrorKind::IsADirectory, "is a directory"),
            ));
        }
        let inode = InodeRef::default();
        st.live.insert(path.clone(), inode.clone());
        Ok(Box::new(MemWritableFile {
            fs: self.clone(),
            epoch: st.epoch,
            inode,
            path,
        }))
    }

    fn open_random(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>> {
        let path = norm(path);
        let st = self.state();
        let inode = st.live_inode(&path, || format!("open {} for reading", path.display()))?;
        Ok(Arc::new(MemRandomAccessFile {
            fs: self.clone(),
            epoch: st.epoch,
            inode,
            path,
        }))
    }

    fn read_all(&self, path: &Path) -> Result<Vec<u8>> {
        let path = norm(path);
        let inode = self
            .state()
            .live_inode(&path, || format!("read {}", path.display()))?;
        let data = lock_mutex(&inode).data.clone();
        Ok(data)
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        let (from, to) = (norm(from), norm(to));
        let context = || format!("rename {} to {}", from.display(), to.display());
        let mut st = self.state();
        let inode = st.live_inode(&from, context)?;
        st.check_parent(&to, context)?;
        if st.dirs.contains(&to) {
            return Err(Error::io(
                context(),
                std::io::Error::new(ErrorKind::IsADirectory, "target is a directory"),
            ));
        }
        st.live.remove(&from);
        st.live.insert(to, inode);
        Ok(())
    }

    fn reuse(&self, from: &Path, to: &Path) -> Result<Box<dyn WritableFile>> {
        self.rename(from, to)?;
        let to = norm(to);
        let st = self.state();
        let inode = st.live_inode(&to, || format!("reuse {}", to.display()))?;
        {
            let mut i = lock_mutex(&inode);
            let durable = i.synced_len.min(i.data.len());
            i.earlier = i.data.get(..durable).unwrap_or_default().to_vec();
            i.synced_len = 0;
            i.write_at = 0;
        }
        Ok(Box::new(MemWritableFile {
            fs: self.clone(),
            epoch: st.epoch,
            inode,
            path: to,
        }))
    }

    fn remove(&self, path: &Path) -> Result<()> {
        let path = norm(path);
        match self.state().live.remove(&path) {
            Some(_) => Ok(()),
            None => Err(not_found(format!("remove {}", path.display()))),
        }
    }

    fn list(&self, dir: &Path) -> Result<Vec<String>> {
        let dir = norm(dir);
        let st = self.state();
        if !st.dir_exists(&dir) {
            return Err(not_found(format!("list directory {}", dir.display())));
        }
        let files = st.live.keys();
        let subdirs = st.dirs.iter();
        Ok(files
            .chain(subdirs)
            .filter(|p| p.parent() == Some(dir.as_path()))
            .filter_map(|p| p.file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .collect())
    }

    fn exists(&self, path: &Path) -> bool {
        let path = norm(path);
        let st = self.state();
        st.live.contains_key(&path) || st.dir_exists(&path)
    }

    fn file_size(&self, path: &Path) -> Result<u64> {
        let path = norm(path);
        let inode = self
            .state()
            .live_inode(&path, || format!("stat {}", path.display()))?;
        let len = lock_mutex(&inode).data.len() as u64;
        Ok(len)
    }

    fn create_dir_all(&self, dir: &Path) -> Result<()> {
        let dir = norm(dir);
        let mut st = self.state();
        for ancestor in dir.ancestors() {
            if st.live.contains_key(ancestor) {
                return Err(Error::io(
                    format!("create directory {}", dir.display()),
                    std::io::Error::new(
                        ErrorKind::AlreadyExists,
                        format!("{} is a file", ancestor.display()),
                    ),
                ));
            }
        }
        for ancestor in dir.ancestors() {
            if !st.dir_exists(ancestor) {
                st.dirs.insert(ancestor.to_path_buf());
                st.durable_dirs.insert(ancestor.to_path_buf());
            }
        }
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> Result<()> {
        let dir = norm(dir);
        let mut st = self.state();
        if !st.dir_exists(&dir) {
            return Err(not_found(format!("sync directory {}", dir.display())));
        }
        let renames = std::mem::take(&mut st.pending_dir_renames);
        for (from, to) in renames {
            if parent_of(&to) == dir {
                let st = &mut *st;
                move_entries(&mut st.durable, &from, &to);
                move_dirs(&mut st.durable_dirs, &from, &to);
            } else {
                st.pending_dir_renames.push((from, to));
            }
        }
        let in_dir = |p: &PathBuf| parent_of(p) == dir;
        st.durable.retain(|p, _| !in_dir(p));
        let entries: Vec<(PathBuf, InodeRef)> = st
            .live
            .iter()
            .filter(|(p, _)| in_dir(p))
            .map(|(p, inode)| (p.clone(), inode.clone()))
            .collect();
        st.durable.extend(entries);
        Ok(())
    }

    fn sync_file(&self, path: &Path) -> Result<()> {
        let path = norm(path);
        let inode = self
            .state()
            .live_inode(&path, || format!("sync {}", path.display()))?;
        lock_mutex(&inode).make_durable();
        Ok(())
    }

    fn link(&self, from: &Path, to: &Path) -> Result<()> {
        let (from, to) = (norm(from), norm(to));
        let context = || format!("link {} to {}", from.display(), to.display());
        let mut st = self.state();
        let inode = st.live_inode(&from, context)?;
        st.check_parent(&to, context)?;
        if st.live.contains_key(&to) || st.dirs.contains(&to) {
            return Err(Error::io(
                context(),
                std::io::Error::new(ErrorKind::AlreadyExists, "target exists"),
            ));
        }
        st.live.insert(to, inode);
        Ok(())
    }

    fn remove_dir(&self, dir: &Path) -> Result<()> {
        let dir = norm(dir);
        let context = || format!("remove directory {}", dir.display());
        let mut st = self.state();
        if !st.dirs.contains(&dir) {
            return Err(not_found(context()));
        }
        let occupied = st
            .live
            .keys()
            .chain(st.dirs.iter())
            .any(|p| p.parent() == Some(dir.as_path()));
        if occupied {
            return Err(Error::io(
                context(),
                std::io::Error::new(ErrorKind::DirectoryNotEmpty, "directory not empty"),
            ));
        }
        st.dirs.remove(&dir);
        st.durable_dirs.remove(&dir);
        st.durable.retain(|p, _| !p.starts_with(&dir));
        Ok(())
    }

    fn rename_dir(&self, from: &Path, to: &Path) -> Result<()> {
        let (from, to) = (norm(from), norm(to));
        let context = || format!("rename directory {} to {}", from.display(), to.display());
        let mut st = self.state();
        if !st.dirs.contains(&from) {
            return Err(not_found(context()));
        }
        st.check_parent(&to, context)?;
        if st.live.contains_key(&to) || st.dir_exists(&to) {
            return Err(Error::io(
                context(),
                std::io::Error::new(ErrorKind::AlreadyExists, "target exists"),
            ));
        }
        if to.starts_with(&from) {
            return Err(Error::io(
                context(),
                std::io::Error::new(ErrorKind::InvalidInput, "target is inside the source"),
            ));
        }
        let st = &mut *st;
        move_entries(&mut st.live, &from, &to);
        move_dirs(&mut st.dirs, &from, &to);
        st.pending_dir_renames.push((from, to));
        Ok(())
    }

    fn lock(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        let path = norm(path);
        let mut st = self.state();
        if st.locks.contains_key(&path) {
            return Err(Error::Locked(format!(
                "{} is held by another handle",
                path.display()
            )));
        }
        if !st.live.contains_key(&path) {
            st.check_parent(&path, || format!("open lock file {}", path.display()))?;
            st.live.insert(path.clone(), InodeRef::default());
        }
        let id = st.next_lock_id;
        st.next_lock_id += 1;
        st.locks.insert(path.clone(), id);
        Ok(Box::new(MemFileLock {
            fs: self.clone(),
            path,
            id,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io_kind(err: &Error) -> ErrorKind {
        match err {
            Error::Io { source, .. } => source.kind(),
            other => panic!("expected an I/O error, got {other:?}"),
        }
    }

    /// A MemFs with directory `db` created.
    fn setup() -> (MemFs, PathBuf) {
        let fs = MemFs::new();
        let dir = PathBuf::from("/db");
        fs.create_dir_all(&dir).unwrap();
        (fs, dir)
    }

    #[test]
    fn round_trip_and_positional_reads() {
        let (fs, dir) = setup();
        let path = dir.join("a");
        let mut f = fs.create(&path).unwrap();
        f.append(b"hello ").unwrap();
        f.append(b"world").unwrap();
        assert_eq!(f.len(), 11);
        assert_eq!(fs.read_all(&path).unwrap(), b"hello world");
        assert_eq!(fs.file_size(&path).unwrap(), 11);
        let r = fs.open_random(&path).unwrap();
        let mut buf = [0u8; 5];
        r.read_exact_at(6, &mut buf).unwrap();
        assert_eq!(&buf, b"world");
        let err = r.read_exact_at(7, &mut buf).unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::UnexpectedEof);
        let err = r.read_exact_at(u64::MAX, &mut buf).unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::UnexpectedEof);
        assert_eq!(fs.list(&dir).unwrap(), vec!["a".to_string()]);
        assert_eq!(fs.total_bytes(), 11);
    }

    #[test]
    fn synced_data_survives_crash_and_unsynced_tail_is_dropped() {
        let (fs, dir) = setup();
        let path = dir.join("wal");
        let mut f = fs.create(&path).unwrap();
        f.append(b"durable").unwrap();
        f.sync().unwrap();
        fs.sync_dir(&dir).unwrap();
        f.append(b" lost").unwrap();
        assert_eq!(fs.read_all(&path).unwrap(), b"durable lost");
        assert_eq!(fs.synced_len(&path).unwrap(), 7);

        fs.crash();
        assert_eq!(fs.read_all(&path).unwrap(), b"durable");
    }

    #[test]
    fn file_whose_dir_was_never_synced_vanishes() {
        let (fs, dir) = setup();
        let path = dir.join("new.sst");
        let mut f = fs.create(&path).unwrap();
        f.append(b"data").unwrap();
        f.sync().unwrap(); // data synced, but the entry is not
        assert!(fs.exists(&path));
        fs.crash();
        assert!(!fs.exists(&path));
        assert!(fs.list(&dir).unwrap().is_empty());
        assert!(fs.exists(&dir), "directories are always durable");
    }

    #[test]
    fn rename_without_sync_dir_is_undone_by_crash() {
        let (fs, dir) = setup();
        let tmp = dir.join("CURRENT.tmp");
        let cur = dir.join("CURRENT");
        let mut f = fs.create(&tmp).unwrap();
        f.append(b"v1").unwrap();
        f.sync().unwrap();
        fs.sync_dir(&dir).unwrap();

        fs.rename(&tmp, &cur).unwrap();
        assert!(fs.exists(&cur) && !fs.exists(&tmp));
        fs.crash();
        assert!(!fs.exists(&cur));
        assert_eq!(fs.read_all(&tmp).unwrap(), b"v1");

        // With sync_dir the rename sticks.
        fs.rename(&tmp, &cur).unwrap();
        fs.sync_dir(&dir).unwrap();
        fs.crash();
        assert!(!fs.exists(&tmp));
        assert_eq!(fs.read_all(&cur).unwrap(), b"v1");
    }

    #[test]
    fn remove_without_sync_dir_is_undone_by_crash() {
        let (fs, dir) = setup();
        let path = dir.join("old.sst");
        let mut f = fs.create(&path).unwrap();
        f.append(b"x").unwrap();
        f.sync().unwrap();
        fs.sync_dir(&dir).unwrap();
        fs.remove(&path).unwrap();
        assert!(!fs.exists(&path));
        fs.crash();
        assert_eq!(fs.read_all(&path).unwrap(), b"x");
        fs.remove(&path).unwrap();
        fs.sync_dir(&dir).unwrap();
        fs.crash();
        assert!(!fs.exists(&path));
    }

    #[test]
    fn sync_file_makes_an_unsynced_tail_durable() {
        let (fs, dir) = setup();
        let p = dir.join("a");
        let mut f = fs.create(&p).unwrap();
        fs.sync_dir(&dir).unwrap();
        f.append(b"kept").unwrap();
        drop(f);
        fs.sync_file(&p).unwrap();
        fs.crash();
        assert_eq!(fs.read_all(&p).unwrap(), b"kept");
        assert!(fs.sync_file(&dir.join("missing")).is_err());
    }

    #[test]
    fn sync_dir_covers_only_that_directory() {
        let (fs, dir) = setup();
        let other = PathBuf::from("/other");
        fs.create_dir_all(&other).unwrap();
        for p in [dir.join("a"), other.join("b")] {
            let mut f = fs.create(&p).unwrap();
            f.sync().unwrap();
        }
        fs.sync_dir(&dir).unwrap();
        fs.crash();
        assert_eq!(fs.file_names(), vec![dir.join("a")]);
    }

    #[test]
    fn recreate_makes_new_inode_and_old_handles_keep_old_one() {
        let (fs, dir) = setup();
        let path = dir.join("f");
        let mut old = fs.create(&path).unwrap();
        old.append(b"old").unwrap();
        old.sync().unwrap();
        fs.sync_dir(&dir).unwrap();
        let reader = fs.open_random(&path).unwrap();

        let mut new = fs.create(&path).unwrap();
        new.append(b"brand new").unwrap();
        new.sync().unwrap();
        old.append(b"!").unwrap();
        assert_eq!(fs.read_all(&path).unwrap(), b"brand new");
        assert_eq!(reader.len(), 4);

        // The directory still durably points at the old inode.
        fs.crash();
        assert_eq!(fs.read_all(&path).unwrap(), b"old");
    }

    #[test]
    fn handles_from_before_crash_fail_without_changing_state() {
        let (fs, dir) = setup();
        let path = dir.join("f");
        let mut w = fs.create(&path).unwrap();
        w.append(b"abc").unwrap();
        w.sync().unwrap();
        fs.sync_dir(&dir).unwrap();
        let r = fs.open_random(&path).unwrap();

        fs.crash();
        let err = w.append(b"zzz").unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::Other);
        assert!(err.to_string().contains("simulated crash"), "{err}");
        assert!(w.sync().is_err());
        let mut buf = [0u8; 1];
        assert!(r.read_exact_at(0, &mut buf).is_err());
        assert_eq!(fs.read_all(&path).unwrap(), b"abc");

        // New handles work.
        let r2 = fs.open_random(&path).unwrap();
        r2.read_exact_at(2, &mut buf).unwrap();
        assert_eq!(&buf, b"c");
    }

    #[test]
    fn lock_conflict_release_and_crash() {
        let (fs, dir) = setup();
        let path = dir.join("LOCK");
        let guard = fs.lock(&path).unwrap();
        assert!(fs.exists(&path));
        assert!(matches!(fs.lock(&path), Err(Error::Locked(_))));
        // Another directory's lock is independent.
        let _other = fs.lock(Path::new("/LOCK")).unwrap();
        drop(guard);
        let stale = fs.lock(&path).unwrap();

        fs.crash();
        let fresh = fs.lock(&path).unwrap();
        // Dropping the pre-crash guard must not release the new holder's lock.
        drop(stale);
        assert!(matches!(fs.lock(&path), Err(Error::Locked(_))));
        drop(fresh);
        let _ = fs.lock(&path).unwrap();
    }

    #[test]
    fn damage_helpers_edit_data_durably() {
        let (fs, dir) = setup();
        let path = dir.join("t.sst");
        let mut f = fs.create(&path).unwrap();
        f.append(&[0u8; 10]).unwrap();
        f.sync().unwrap();
        fs.sync_dir(&dir).unwrap();
        fs.corrupt_byte(&path, 3, 0xff).unwrap();
        assert!(fs.corrupt_byte(&path, 10, 1).is_err());
        fs.truncate(&path, 6).unwrap();
        fs.crash();
        assert_eq!(fs.read_all(&path).unwrap(), vec![0, 0, 0, 0xff, 0, 0]);
        assert_eq!(fs.synced_len(&path).unwrap(), 6);
    }

    #[test]
    fn missing_paths_and_directories() {
        let fs = MemFs::new();
        let err = fs.create(Path::new("/nodir/f")).err().unwrap();
        assert_eq!(io_kind(&err), ErrorKind::NotFound);
        assert!(fs.list(Path::new("/nodir")).is_err());
        fs.create_dir_all(Path::new("/a/b/c/")).unwrap();
        assert!(fs.exists(Path::new("/a/b")));
        assert_eq!(fs.list(Path::new("/a")).unwrap(), vec!["b".to_string()]);
        let err = fs.remove(Path::new("/a/b/c/x")).unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::NotFound);
        assert!(err.to_string().contains("remove /a/b/c/x"), "{err}");
        assert!(fs.read_all(Path::new("/a/x")).is_err());
        assert!(fs.file_size(Path::new("/a/x")).is_err());
        assert!(fs.open_random(Path::new("/a/x")).is_err());
        // Relative paths work too, and `.` components are ignored.
        fs.create(Path::new("./rel")).unwrap().append(b"r").unwrap();
        assert_eq!(fs.read_all(Path::new("rel")).unwrap(), b"r");
    }

    #[test]
    fn links_share_bytes_and_need_a_directory_sync() {
        let fs = MemFs::new();
        fs.create_dir_all(Path::new("/a")).unwrap();
        fs.create_dir_all(Path::new("/b")).unwrap();
        let mut f = fs.create(Path::new("/a/x")).unwrap();
        f.append(b"abc").unwrap();
        f.sync().unwrap();
        fs.sync_dir(Path::new("/a")).unwrap();
        fs.link(Path::new("/a/x"), Path::new("/b/y")).unwrap();
        assert_eq!(fs.read_all(Path::new("/b/y")).unwrap(), b"abc");
        let err = fs.link(Path::new("/a/x"), Path::new("/b/y")).unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::AlreadyExists);
        assert!(fs.link(Path::new("/a/nope"), Path::new("/b/z")).is_err());
        // Removing one name keeps the other.
        fs.remove(Path::new("/a/x")).unwrap();
        assert_eq!(fs.read_all(Path::new("/b/y")).unwrap(), b"abc");
        fs.crash();
        assert!(!fs.exists(Path::new("/b/y")), "the link was never synced");
        assert!(fs.exists(Path::new("/a/x")), "the removal was never synced");
        fs.link(Path::new("/a/x"), Path::new("/b/y")).unwrap();
        fs.sync_dir(Path::new("/b")).unwrap();
        fs.crash();
        assert_eq!(fs.read_all(Path::new("/b/y")).unwrap(), b"abc");
    }

    #[test]
    fn directory_renames_are_durable_after_syncing_the_parent() {
        let fs = MemFs::new();
        fs.create_dir_all(Path::new("/p/tmp/sub")).unwrap();
        let mut f = fs.create(Path::new("/p/tmp/sub/f")).unwrap();
        f.append(b"1").unwrap();
        f.sync().unwrap();
        fs.sync_dir(Path::new("/p/tmp/sub")).unwrap();
        fs.rename_dir(Path::new("/p/tmp"), Path::new("/p/done"))
            .unwrap();
        assert_eq!(fs.read_all(Path::new("/p/done/sub/f")).unwrap(), b"1");
        assert!(!fs.exists(Path::new("/p/tmp")));
        assert_eq!(fs.list(Path::new("/p")).unwrap(), vec!["done".to_string()]);
        fs.crash();
        assert!(
            fs.exists(Path::new("/p/tmp/sub/f")),
            "rename not yet durable"
        );
        assert!(!fs.exists(Path::new("/p/done")));
        fs.rename_dir(Path::new("/p/tmp"), Path::new("/p/done"))
            .unwrap();
        fs.sync_dir(Path::new("/p")).unwrap();
        fs.crash();
        assert_eq!(fs.read_all(Path::new("/p/done/sub/f")).unwrap(), b"1");
        assert!(!fs.exists(Path::new("/p/tmp")));
        // The target must not exist, and the source must be a directory.
        fs.create_dir_all(Path::new("/p/other")).unwrap();
        let err = fs
            .rename_dir(Path::new("/p/other"), Path::new("/p/done"))
            .unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::AlreadyExists);
        let err = fs
            .rename_dir(Path::new("/p/done/sub/f"), Path::new("/p/g"))
            .unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::NotFound);
        // Only an empty directory can be removed.
        let err = fs.remove_dir(Path::new("/p/done/sub")).unwrap_err();
        assert_eq!(io_kind(&err), ErrorKind::DirectoryNotEmpty);
        fs.remove(Path::new("/p/done/sub/f")).unwrap();
        fs.sync_dir(Path::new("/p/done/sub")).unwrap();
        fs.remove_dir(Path::new("/p/done/sub")).unwrap();
        fs.crash();
        assert!(!fs.exists(Path::new("/p/done/sub")));
    }
}
