//! All file I/O goes through the [`Fs`] trait, so tests can crash the engine,
//! drop unsynced bytes, tear a write or fail an fsync.
//!
//! Three implementations: [`OsFs`] (real files), [`MemFs`] (in memory, with a
//! separate synced state for file data and for directory entries, so a
//! simulated crash loses exactly what a power cut could) and [`FaultFs`]
//! (wraps another `Fs` and injects failures).
//!
//! Contract every implementation keeps:
//! - Files are written append-only through [`WritableFile`]; `append` hands the
//!   bytes to the OS (no user-space buffering below this trait), `sync` makes
//!   the file's data durable (fdatasync).
//! - Creating, renaming or removing a directory entry is durable only after
//!   [`Fs::sync_dir`] on the parent directory.
//! - Errors are [`crate::Error::Io`] with a context naming the operation and path.
//! - [`Fs::link`], [`Fs::rename_dir`] and [`Fs::remove_dir`] (used by checkpoints) have default
//!   implementations that fail with [`std::io::ErrorKind::Unsupported`], so a
//!   test wrapper that does not forward them still compiles; a wrapper meant to
//!   take checkpoints forwards them.
// Keys, batches and file bytes come from disk: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::path::Path;
use std::sync::Arc;

use crate::error::Result;

mod fault;
mod mem;
mod os;

pub use fault::{FaultFs, FileOp};
pub use mem::MemFs;
pub use os::OsFs;

/// A file opened for appending.
pub trait WritableFile: Send {
    /// Appends `data` at the end of the file (passes it to the OS).
    fn append(&mut self, data: &[u8]) -> Result<()>;
    /// Makes every byte appended so far durable (fdatasync).
    fn sync(&mut self) -> Result<()>;
    /// Bytes appended so far (the file's length).
    fn len(&self) -> u64;
    /// True if nothing has been appended.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Makes the file at least `len` bytes long by writing zeros past the
    /// appended bytes, without moving where [`WritableFile::append`] writes:
    /// later appends overwrite the zeros, and [`WritableFile::len`] keeps
    /// counting appended bytes. Once a sync has made the zeros durable,
    /// syncing appends that land inside them changes neither the file's
    /// size nor its allocated blocks, so fdatasync has no file metadata to
    /// commit. Only for files whose readers take a zero tail as a clean end
    /// (logs: format-spec/wal.md, "Writing"). A file opened by
    /// [`Fs::reuse`] is already as long as its earlier use left it: zeros
    /// go only past that end, and the earlier bytes stay. The default does
    /// nothing ([`MemFs`] has no metadata to save).
    fn preallocate(&mut self, _len: u64) -> Result<()> {
        Ok(())
    }
    /// Has the OS write every byte appended so far to the device and waits
    /// until it has, without committing file metadata or flushing the
    /// device's cache. This is pacing, not durability (only
    /// [`WritableFile::sync`] makes bytes durable): a large file then
    /// reaches the device in pieces as it is written, instead of all at its
    /// final sync, and each piece is only data, where an fdatasync of a
    /// growing file also commits the file system's journal (Linux
    /// `sync_file_range`, as RocksDB's `bytes_per_sync`). The default does
    /// nothing.
    fn write_back(&mut self) -> Result<()> {
        Ok(())
    }
    /// Asks the OS to start writing every byte appended so far to the
    /// device, and returns without waiting (Linux `sync_file_range` with
    /// only `SYNC_FILE_RANGE_WRITE`). Not durability: a
    /// [`WritableFile::sync`] after it still makes the bytes durable, and
    /// finds their writeback under way, so the device writes this file
    /// while the caller syncs another. The default does nothing.
    fn start_write_back(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A file opened for positional reads; shared between threads.
pub trait RandomAccessFile: Send + Sync {
    /// Fills `buf` from `offset`. Reading past the end is an error.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()>;
    /// The file's length in bytes.
    fn len(&self) -> u64;
    /// True for an empty file.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A held advisory lock on a file; released when dropped.
pub trait FileLock: Send + Sync {}

/// A file system: the only way the engine touches storage.
pub trait Fs: Send + Sync + 'static {
    /// Creates `path` (truncating any existing file) for appending.
    fn create(&self, path: &Path) -> Result<Box<dyn WritableFile>>;
    /// Opens an existing file for positional reads.
    fn open_random(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>>;
    /// Reads a whole file.
    fn read_all(&self, path: &Path) -> Result<Vec<u8>>;
    /// Atomically renames `from` to `to`, replacing `to` if it exists.
    fn rename(&self, from: &Path, to: &Path) -> Result<()>;
    /// Removes a file.
    fn remove(&self, path: &Path) -> Result<()>;
    /// Renames the existing file `from` to `to` (replacing `to` if it
    /// exists) and opens it for appending from its start: appends overwrite
    /// the bytes it holds, [`WritableFile::len`] counts appended bytes from
    /// 0, and the file keeps its size and its blocks, so a sync of appends
    /// inside it has no file metadata to commit (until appends pass its
    /// end). Only for logs whose readers tell records of an earlier use of
    /// the file from new ones (format-spec/wal.md, "Reusing a WAL file").
    /// The new name is durable after [`Fs::sync_dir`]. The default fails
    /// with [`std::io::ErrorKind::Unsupported`]: callers create a new file.
    fn reuse(&self, from: &Path, to: &Path) -> Result<Box<dyn WritableFile>> {
        Err(unsupported("reuse", from, to))
    }
    /// Names (not paths) of the entries in `dir`, in no particular order.
    fn list(&self, dir: &Path) -> Result<Vec<String>>;
    /// True if `path` exists.
    fn exists(&self, path: &Path) -> bool;
    /// Length of the file at `path`.
    fn file_size(&self, path: &Path) -> Result<u64>;
    /// Creates `dir` and its parents if missing.
    fn create_dir_all(&self, dir: &Path) -> Result<()>;
    /// Makes the creations, renames and removals of entries in `dir` durable.
    fn sync_dir(&self, dir: &Path) -> Result<()>;
    /// Makes every byte of the existing file at `path` durable (fdatasync),
    /// e.g. data a crashed process left in the page cache that recovery is
    /// about to rely on.
    fn sync_file(&self, path: &Path) -> Result<()>;
    /// Takes an exclusive lock on `path` (creating it if needed). Fails with
    /// [`crate::Error::Locked`] if another holder has it.
    fn lock(&self, path: &Path) -> Result<Box<dyn FileLock>>;
    /// Gives the existing file `from` a second name `to` (a hard link: both
    /// name the same bytes). `to` must not exist. The new entry is durable
    /// after [`Fs::sync_dir`] on its directory. Fails with
    /// [`std::io::ErrorKind::CrossesDevices`] when the two lie on different
    /// file systems and [`std::io::ErrorKind::Unsupported`] where links are
    /// not available: callers copy instead.
    fn link(&self, from: &Path, to: &Path) -> Result<()> {
        Err(unsupported("link", from, to))
    }
    /// Renames the directory `from` (with everything in it) to `to`, which
    /// must not exist. Durable after [`Fs::sync_dir`] on `to`'s parent.
    fn rename_dir(&self, from: &Path, to: &Path) -> Result<()> {
        Err(unsupported("rename directory", from, to))
    }
    /// Removes the empty directory `dir`. Durable after [`Fs::sync_dir`] on
    /// its parent.
    fn remove_dir(&self, dir: &Path) -> Result<()> {
        Err(unsupported("remove directory", dir, Path::new("")))
    }
}

/// The error of a default [`Fs`] method a file system does not provide.
fn unsupported(op: &str, from: &Path, to: &Path) -> crate::Error {
    crate::Error::io(
        format!("{op} {} to {}", from.display(), to.display()),
        std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "not provided by this file system",
        ),
    )
}
