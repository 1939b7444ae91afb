//! An in-memory disk for the engine's recovery tests: a [`MemFs`] (which can
//! lose power) under a [`FaultFs`] (which can fail operations), with helpers
//! to look at and damage the files of the database in [`DIR`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use siltdb::fs::{FaultFs, Fs, MemFs};
use siltdb::{Db, Options};

/// The database directory on the in-memory disk.
pub const DIR: &str = "/db";

/// Key `i`: sorts in `i` order.
pub fn key(i: u32) -> Vec<u8> {
    format!("key{i:06}").into_bytes()
}

/// The value written to key `i`.
pub fn value(i: u32) -> Vec<u8> {
    format!("value-{i}-").repeat(4).into_bytes()
}

/// A disk that can lose power and fail operations.
#[derive(Clone)]
pub struct Disk {
    /// The files.
    pub mem: MemFs,
    /// The fault injector every database on this disk goes through.
    pub fault: FaultFs,
}

impl Default for Disk {
    fn default() -> Self {
        Disk::new()
    }
}

impl Disk {
    /// An empty disk.
    pub fn new() -> Disk {
        let mem = MemFs::new();
        let fault = FaultFs::new(Arc::new(mem.clone()));
        Disk { mem, fault }
    }

    /// Options on this disk: synced writes, no rate limit.
    pub fn options(&self) -> Options {
        Options {
            fs: Arc::new(self.fault.clone()),
            background_write_rate: 0,
            ..Options::default()
        }
    }

    /// Opens the database with [`Disk::options`].
    pub fn open(&self) -> siltdb::Result<Db> {
        Db::open(DIR, self.options())
    }

    /// `DIR/name`.
    pub fn path(&self, name: &str) -> PathBuf {
        Path::new(DIR).join(name)
    }

    /// Names of the files in the database directory.
    pub fn names(&self) -> BTreeSet<String> {
        self.mem
            .list(Path::new(DIR))
            .expect("list")
            .into_iter()
            .collect()
    }

    /// Names ending in `suffix` (or starting with it, for `MANIFEST-`).
    pub fn named(&self, pattern: &str) -> Vec<String> {
        self.names()
            .into_iter()
            .filter(|n| n.ends_with(pattern) || n.starts_with(pattern))
            .collect()
    }

    /// Every file's contents, by name.
    pub fn contents(&self) -> BTreeMap<String, Vec<u8>> {
        self.names()
            .into_iter()
            .map(|n| {
                let data = self.mem.read_all(&self.path(&n)).expect("read");
                (n, data)
            })
            .collect()
    }

    /// Writes `data` as the file `name` (durably).
    pub fn write(&self, name: &str, data: &[u8]) {
        let mut f = self.mem.create(&self.path(name)).expect("create");
        f.append(data).expect("append");
        f.sync().expect("sync");
        self.mem.sync_dir(Path::new(DIR)).expect("sync dir");
    }

    /// Removes the file `name` (durably).
    pub fn remove(&self, name: &str) {
        self.mem.remove(&self.path(name)).expect("remove");
        self.mem.sync_dir(Path::new(DIR)).expect("sync dir");
    }
}

impl Disk {
    /// A disk holding a closed database: keys `0..flushed` written and
    /// flushed into a table, then keys `flushed..flushed + tail` left in
    /// its WAL.
    pub fn with_database(flushed: u32, tail: u32) -> Disk {
        let disk = Disk::new();
        let db = disk.open().expect("open");
        for i in 0..flushed {
            db.put(&key(i), &value(i)).expect("put");
        }
        db.flush().expect("flush");
        for i in flushed..flushed + tail {
            db.put(&key(i), &value(i)).expect("put");
        }
        db.close().expect("close");
        disk
    }
}

/// (offset, total length) of every record of a log file (WAL or
/// MANIFEST), read by the framing of format-spec/wal.md.
pub fn log_records(data: &[u8]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos + 9 <= data.len() {
        let len = u32::from_le_bytes(data[pos + 4..pos + 8].try_into().expect("4 bytes")) as usize;
        out.push((pos as u64, (9 + len) as u64));
        pos += 9 + len;
    }
    assert_eq!(pos, data.len(), "log ends at a record boundary");
    out
}

/// Every key and value of `db`, in order.
pub fn scan(db: &Db) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut it = db.iter().expect("iter");
    it.seek_to_first().expect("seek");
    let mut out = BTreeMap::new();
    while it.valid() {
        out.insert(it.key().to_vec(), it.value().to_vec());
        it.next().expect("next");
    }
    out
}

/// Asserts `r` is `Error::Corruption` in `file`; returns its offset and reason.
pub fn corruption<T>(r: siltdb::Result<T>, file: &str) -> (u64, String) {
    match r {
        Err(siltdb::Error::Corruption {
            file: f,
            offset,
            reason,
        }) => {
            assert_eq!(f, file, "corruption names the file ({reason})");
            (offset, reason)
        }
        Err(other) => panic!("expected Corruption in {file}, got {other:?}"),
        Ok(_) => panic!("expected Corruption in {file}, but it succeeded"),
    }
}
