//! The one interface `siltdb-bench` drives: siltdb itself and, with the
//! `peers` feature, RocksDB (rust-rocksdb) and fjall. The driver's key
//! generator, value bytes and timing loop are shared; only the calls below
//! differ per engine.
//!
//! Durability is the same for every engine: `put(.., sync: false)` hands
//! the write to the OS (it survives a process crash, not a power loss);
//! `sync: true` returns only after the engine's log is fdatasynced.

use std::fmt;
use std::path::Path;

use crate::driver::{BoxError, Config};

#[cfg(feature = "peers")]
mod fjall;
#[cfg(feature = "peers")]
mod rocksdb;
mod siltdb;

pub use self::siltdb::default_min_blob_size as siltdb_default_min_blob_size;

/// Which engine to drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EngineKind {
    /// This crate's engine.
    Siltdb,
    /// RocksDB through rust-rocksdb (needs the `peers` feature).
    Rocksdb,
    /// fjall (needs the `peers` feature).
    Fjall,
}

impl EngineKind {
    /// Every engine, in the order reports and charts list them.
    pub const ALL: [EngineKind; 3] = [EngineKind::Siltdb, EngineKind::Rocksdb, EngineKind::Fjall];

    /// The name used on the command line and in results.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Siltdb => "siltdb",
            EngineKind::Rocksdb => "rocksdb",
            EngineKind::Fjall => "fjall",
        }
    }

    /// Whether this binary was built with the engine.
    pub fn available(self) -> bool {
        self == EngineKind::Siltdb || cfg!(feature = "peers")
    }
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for EngineKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EngineKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown engine {s:?}; known: siltdb, rocksdb, fjall"))
    }
}

/// Whether background work (flushes, compactions) is still going on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Background {
    /// Nothing is queued or running.
    pub idle: bool,
    /// The engine's own figures behind `idle`, for the progress line.
    pub detail: String,
}

/// A reusable positioned iterator (db_bench's per-thread iterator).
pub trait Cursor {
    /// Positions at the first key `>= key`.
    fn seek(&mut self, key: &[u8]) -> Result<(), BoxError>;
    /// Positions at the first key.
    fn seek_to_first(&mut self) -> Result<(), BoxError>;
    /// Moves to the next key. REQUIRES: positioned on an entry.
    fn next(&mut self) -> Result<(), BoxError>;
    /// The entry under the cursor; `None` past the end.
    fn current(&self) -> Option<(&[u8], &[u8])>;
}

/// One open database of some engine.
pub trait Engine: Send + Sync {
    /// Which engine this is.
    fn kind(&self) -> EngineKind;

    /// The engine's configuration as this run uses it, one setting a line,
    /// as the engine itself reports it where it can.
    fn describe(&self) -> Result<String, BoxError>;

    /// Writes one key; with `sync`, durable on disk when it returns.
    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> Result<(), BoxError>;

    /// Reads one key; the length of its value if found.
    fn get(&self, key: &[u8]) -> Result<Option<usize>, BoxError>;

    /// A new cursor over the current contents, unpositioned.
    fn cursor(&self) -> Result<Box<dyn Cursor + '_>, BoxError>;

    /// Writes the memtable out and waits until it is in a table file.
    fn flush(&self) -> Result<(), BoxError>;

    /// Flushes and compacts the whole key range into the last level.
    fn compact_all(&self) -> Result<(), BoxError>;

    /// Whether flushes or compactions are queued or running.
    fn background(&self) -> Result<Background, BoxError>;

    /// Files and bytes per level (or the engine's nearest figure), one line.
    fn shape(&self) -> Result<String, BoxError>;

    /// The engine's own counters, for `--statistics`.
    fn statistics(&self) -> Result<String, BoxError>;

    /// siltdb's own write counters (WAL, blob, flush, compaction, blob GC bytes); `None`
    /// for the peers, whose bytes come only from the OS.
    fn siltdb_stats(&self) -> Option<::siltdb::Stats> {
        None
    }

    /// Closes the database, reporting a failed final sync.
    fn close(self: Box<Self>) -> Result<(), BoxError>;
}

/// Opens (creating if missing) a database of `kind` in `dir` with the
/// options `cfg` asks for; every engine gets the same memtable size unless
/// its section in `describe` says otherwise.
pub fn open(kind: EngineKind, dir: &Path, cfg: &Config) -> Result<Box<dyn Engine>, BoxError> {
    match kind {
        EngineKind::Siltdb => Ok(Box::new(siltdb::SiltEngine::open(dir, cfg)?)),
        #[cfg(feature = "peers")]
        EngineKind::Rocksdb => Ok(Box::new(rocksdb::RocksEngine::open(dir, cfg)?)),
        #[cfg(feature = "peers")]
        EngineKind::Fjall => Ok(Box::new(fjall::FjallEngine::open(dir, cfg)?)),
        #[cfg(not(feature = "peers"))]
        other => Err(format!(
            "engine {other} is not in this binary: build with \
             `cargo build --release -p siltdb-benches --features peers`"
        )
        .into()),
    }
}
