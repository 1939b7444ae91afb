//! [`OsFs`]: real files through the standard library.
//!
//! Writes go straight to the OS with `write_all` (no user-space buffering),
//! `sync` is `fdatasync`, reads are positional (`pread`), and the database lock
//! is an advisory `flock` taken with [`File::try_lock`].

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Seek, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{FileLock, Fs, RandomAccessFile, WritableFile};
use crate::error::{Error, Result};

/// The real file system, through `std::fs`.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsFs;

impl OsFs {
    /// Returns the (stateless) real file system.
    pub fn new() -> OsFs {
        OsFs
    }
}

/// A file opened by [`OsFs::create`].
struct OsWritableFile {
    file: File,
    path: PathBuf,
    /// Bytes appended: where the next append writes.
    len: u64,
    /// The file's size on the OS: `len`, or more after `preallocate`.
    allocated: u64,
    /// Bytes below this offset were handed to the device by `write_back`.
    written_back: u64,
}

/// Zeros written by [`WritableFile::preallocate`], one page at a time: the
/// page cache then holds the preallocated range in single pages, so a small
/// append that re-dirties one makes the next sync write back 4 KiB, not a
/// large folio (64 KiB writes cost about five times the device bytes per
/// synced 100-byte write; benches/RESULTS.md, "WAL preallocation").
static ZEROS: [u8; 4096] = [0; 4096];

impl OsWritableFile {
    /// `sync_file_range` with `flags` over the bytes appended since the last
    /// [`WritableFile::write_back`] (nothing if there are none); `what`
    /// names the call in an error.
    #[cfg(target_os = "linux")]
    fn sync_file_range(&self, flags: libc::c_uint, what: &str) -> Result<()> {
        use std::os::fd::AsRawFd;
        let start = self.written_back.min(self.len);
        let (Ok(offset), Ok(nbytes)) = (i64::try_from(start), i64::try_from(self.len - start))
        else {
            return Ok(());
        };
        if nbytes == 0 {
            return Ok(());
        }
        // SAFETY: sync_file_range reads only its integer arguments, and the
        // descriptor belongs to `self.file`, which is open.
        let rc = unsafe { libc::sync_file_range(self.file.as_raw_fd(), offset, nbytes, flags) };
        if rc != 0 {
            return Err(Error::io(
                format!(
                    "{what} {nbytes} bytes at offset {offset} of {}",
                    self.path.display()
                ),
                std::io::Error::last_os_error(),
            ));
        }
        Ok(())
    }
}

impl WritableFile for OsWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        match self.file.write_all(data) {
            Ok(()) => {
                self.len += data.len() as u64;
                self.allocated = self.allocated.max(self.len);
                Ok(())
            }
            Err(e) => {
                // Part of `data` may have reached the file; learn where the
                // next append would write.
                if let Ok(pos) = self.file.stream_position() {
                    self.len = pos;
                    self.allocated = self.allocated.max(pos);
                }
                Err(Error::io(format!("append to {}", self.path.display()), e))
            }
        }
    }

    fn sync(&mut self) -> Result<()> {
        self.file
            .sync_data()
            .map_err(|e| Error::io(format!("sync {}", self.path.display()), e))
    }

    fn len(&self) -> u64 {
        self.len
    }

    #[cfg(target_os = "linux")]
    fn write_back(&mut self) -> Result<()> {
        let flags = libc::SYNC_FILE_RANGE_WAIT_BEFORE
            | libc::SYNC_FILE_RANGE_WRITE
            | libc::SYNC_FILE_RANGE_WAIT_AFTER;
        self.sync_file_range(flags, "write back")?;
        self.written_back = self.len;
        Ok(())
    }

    #[cfg(target_os = "linux")]
    fn start_write_back(&mut self) -> Result<()> {
        self.sync_file_range(libc::SYNC_FILE_RANGE_WRITE, "start writing back")
    }

    fn preallocate(&mut self, len: u64) -> Result<()> {
        while self.allocated < len {
            let page = ZEROS.len() as u64;
            let to_boundary = page - self.allocated % page;
            // At most one page of zeros: fits usize.
            let n = usize::try_from((len - self.allocated).min(to_boundary)).unwrap_or(ZEROS.len());
            self.file
                .write_all_at(ZEROS.get(..n).unwrap_or_default(), self.allocated)
                .map_err(|e| {
                    Error::io(
                        format!(
                            "preallocate {} bytes at offset {} of {}",
                            n,
                            self.allocated,
                            self.path.display()
                        ),
                        e,
                    )
                })?;
            self.allocated += n as u64;
        }
        Ok(())
    }
}

/// A file opened by [`OsFs::open_random`]. Its length is taken when it is opened.
struct OsRandomAccessFile {
    file: File,
    path: PathBuf,
    len: u64,
}

impl RandomAccessFile for OsRandomAccessFile {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        self.file.read_exact_at(buf, offset).map_err(|e| {
            Error::io(
                format!(
                    "read {} bytes at offset {offset} of {}",
                    buf.len(),
                    self.path.display()
                ),
                e,
            )
        })
    }

    fn len(&self) -> u64 {
        self.len
    }
}

/// A held `flock`; closing the file (on drop) releases it.
struct OsFileLock {
    file: File,
}

impl FileLock for OsFileLock {}

impl Drop for OsFileLock {
    fn drop(&mut self) {
        // Closing the descriptor releases the lock anyway; unlocking first just
        // makes the release explicit. A failure here leaves nothing to do.
        let _ = self.file.unlock();
    }
}

impl Fs for OsFs {
    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|e| Error::io(format!("create {}", path.display()), e))?;
        Ok(Box::new(OsWritableFile {
            file,
            path: path.to_path_buf(),
            len: 0,
            allocated: 0,
            written_back: 0,
        }))
    }

    fn reuse(&self, from: &Path, to: &Path) -> Result<Box<dyn WritableFile>> {
        self.rename(from, to)?;
        let context = || format!("open {} to reuse it", to.display());
        let file = OpenOptions::new()
            .write(true)
            .open(to)
            .map_err(|e| Error::io(context(), e))?;
        let allocated = file.metadata().map_err(|e| Error::io(context(), e))?.len();
        Ok(Box::new(OsWritableFile {
            file,
            path: to.to_path_buf(),
            len: 0,
            allocated,
            written_back: 0,
        }))
    }

    fn open_random(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>> {
        let file = File::open(path)
            .map_err(|e| Error::io(format!("open {} for reading", path.display()), e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io(format!("stat {}", path.display()), e))?
            .len();
        Ok(Arc::new(OsRandomAccessFile {
            file,
            path: path.to_path_buf(),
            len,
        }))
    }

    fn read_all(&self, path: &Path) -> Result<Vec<u8>> {
        fs::read(path).map_err(|e| Error::io(format!("read {}", path.display()), e))
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        fs::rename(from, to)
            .map_err(|e| Error::io(format!("rename {} to {}", from.display(), to.display()), e))
    }

    fn remove(&self, path: &Path) -> Result<()> {
        fs::remove_file(path).map_err(|e| Error::io(format!("remove {}", path.display()), e))
    }

    /// Names that are not valid UTF-8 are converted lossily; they can never be
    /// names the engine created.
    fn list(&self, dir: &Path) -> Result<Vec<String>> {
        let context = || format!("list directory {}", dir.display());
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| Error::io(context(), e))? {
            let entry = entry.map_err(|e| Error::io(context(), e))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        Ok(names)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn file_size(&self, path: &Path) -> Result<u64> {
        fs::metadata(path)
            .map(|m| m.len())
            .map_err(|e| Error::io(format!("stat {}", path.display()), e))
    }

    fn create_dir_all(&self, dir: &Path) -> Result<()> {
        fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("create directory {}", dir.display()), e))
    }

    fn sync_dir(&self, dir: &Path) -> Result<()> {
        let context = || format!("sync directory {}", dir.display());
        let file = File::open(dir).map_err(|e| Error::io(context(), e))?;
        file.sync_all().map_err(|e| Error::io(context(), e))
    }

    fn sync_file(&self, path: &Path) -> Result<()> {
        let context = || format!("sync {}", path.display());
        let file = File::open(path).map_err(|e| Error::io(context(), e))?;
        file.sync_data().map_err(|e| Error::io(context(), e))
    }

    fn link(&self, from: &Path, to: &Path) -> Result<()> {
        fs::hard_link(from, to)
            .map_err(|e| Error::io(format!("link {} to {}", from.display(), to.display()), e))
    }

    /// Refuses an existing `to` first (POSIX `rename` would replace an
    /// empty directory); the check and the rename are not atomic, which is
    /// enough for a target only this process names.
    fn rename_dir(&self, from: &Path, to: &Path) -> Result<()> {
        let context = || format!("rename directory {} to {}", from.display(), to.display());
        if to.exists() {
            return Err(Error::io(
                context(),
                std::io::Error::new(std::io::ErrorKind::AlreadyExists, "target exists"),
            ));
        }
        fs::rename(from, to).map_err(|e| Error::io(context(), e))
    }

    fn remove_dir(&self, dir: &Path) -> Result<()> {
        fs::remove_dir(dir).map_err(|e| Error::io(format!("remove directory {}", dir.display()), e))
    }

    fn lock(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::io(format!("open lock file {}", path.display()), e))?;
        let locked = file.try_lock();
        match locked {
            Ok(()) => Ok(Box::new(OsFileLock { file })),
            Err(TryLockError::WouldBlock) => Err(Error::Locked(format!(
                "{} is held by another process or handle",
                path.display()
            ))),
            Err(TryLockError::Error(e)) => Err(Error::io(format!("lock {}", path.display()), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io_kind(err: &Error) -> std::io::ErrorKind {
        match err {
            Error::Io { source, .. } => source.kind(),
            other => panic!("expected an I/O error, got {other:?}"),
        }
    }

    #[test]
    fn write_back_keeps_appending_where_it_was() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fs = OsFs::new();
        let path = dir.path().join("t.sst");
        let mut f = fs.create(&path).expect("create");
        f.write_back().expect("nothing appended yet");
        f.append(&[1u8; 5000]).expect("append");
        f.write_back().expect("write back");
        f.write_back().expect("nothing new");
        f.append(&[2u8; 3000]).expect("append");
        f.write_back().expect("write back");
        f.sync().expect("sync");
        assert_eq!(f.len(), 8000);
        let data = fs.read_all(&path).expect("read");
        assert_eq!(data.len(), 8000);
        assert!(data[..5000].iter().all(|&b| b == 1) && data[5000..].iter().all(|&b| b == 2));
    }

    #[test]
    fn write_sync_read_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let fs = OsFs::new();
        let path = dir.path().join("a.log");
        let mut f = fs.create(&path).unwrap();
        assert!(f.is_empty());
        f.append(b"hello ").unwrap();
        f.append(b"world").unwrap();
        assert_eq!(f.len(), 11);
        f.sync().unwrap();
        fs.sync_dir(dir.path()).unwrap();
        drop(f);

        assert_eq!(fs.read_all(&path).unwrap(), b"hello world");
        assert_eq!(fs.file_size(&path).unwrap(), 11);
        let r = fs.open_random(&path).unwrap();
        assert_eq!(r.len(), 11);
        let mut buf = [0u8; 5];
        r.read_exact_at(6, &mut buf).unwrap();
        assert_eq!(&buf, b"world");
        let err = r.read_exact_at(8, &mut buf).unwrap_err();
        assert_eq!(io_kind(&err), std::io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn create_truncates_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let fs = OsFs::new();
        let path = dir.path().join("f");
        fs.create(&path).unwrap().append(b"old contents").unwrap();
        let mut f = fs.create(&path).unwrap();
        f.append(b"new").unwrap();
        assert_eq!(fs.read_all(&path).unwrap(), b"new");
    }

    #[test]
    fn rename_remove_list_exists() {
        let dir = tempfile::tempdir().unwrap();
        let fs = OsFs::new();
        let sub = dir.path().join("db").join("nested");
        fs.create_dir_all(&sub).unwrap();
        let a = sub.join("a");
        let b = sub.join("b");
        fs.create(&a).unwrap().append(b"x").unwrap();
        fs.create(&b).unwrap().append(b"yy").unwrap();

        let mut names = fs.list(&sub).unwrap();
        names.sort();
        assert_eq!(names, vec!["a".to_string(), "b".to_string()]);

        fs.rename(&a, &b).unwrap();
        assert!(!fs.exists(&a));
        assert_eq!(fs.read_all(&b).unwrap(), b"x");
        fs.sync_dir(&sub).unwrap();

        fs.remove(&b).unwrap();
        assert!(!fs.exists(&b));
        assert!(fs.list(&sub).unwrap().is_empty());

        let err = fs.remove(&b).unwrap_err();
        assert_eq!(io_kind(&err), std::io::ErrorKind::NotFound);
        assert!(err.to_string().contains("remove"), "{err}");
        assert!(fs.open_random(&a).is_err());
        assert!(fs.file_size(&a).is_err());
    }

    #[test]
    fn second_lock_fails_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let fs = OsFs::new();
        let path = dir.path().join("LOCK");
        let guard = fs.lock(&path).unwrap();
        assert!(fs.exists(&path));
        match fs.lock(&path) {
            Err(Error::Locked(msg)) => assert!(msg.contains("LOCK"), "{msg}"),
            Err(other) => panic!("expected Locked, got {other:?}"),
            Ok(_) => panic!("second lock succeeded"),
        }
        drop(guard);
        let _again = fs.lock(&path).unwrap();
    }

    #[test]
    fn errors_name_operation_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let fs = OsFs::new();
        let missing = dir.path().join("missing.sst");
        let err = fs.read_all(&missing).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("read") && text.contains("missing.sst"),
            "{text}"
        );
        assert_eq!(io_kind(&err), std::io::ErrorKind::NotFound);
    }
}
