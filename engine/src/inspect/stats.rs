//! `dir_stats`: the shape of the tree as the files show it.
//! Spec: format-spec/manifest.md (levels, file metadata), sstable.md
//! ("Properties block").
//!
//! Per level: table count, bytes and user-key range from the MANIFEST;
//! entries and tombstones from each table's properties block. Plus the
//! bytes of the WAL files, and the blob files the MANIFEST lists with their
//! live and garbage bytes (format-spec/value-log.md). Figures that only a running database knows
//! (write amplification, bytes written by flushes and compactions) are in
//! [`crate::Db::stats`], not here.

use std::fmt;
use std::path::Path;

use super::escape;
use crate::error::Result;
use crate::fs::Fs;
use crate::key::user_key;
use crate::manifest::NUM_LEVELS;
use crate::recovery::{self, FileKind};
use crate::sstable::Table;

/// One level of the tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelSummary {
    /// The level, 0 through 6.
    pub level: usize,
    /// Tables in the level.
    pub files: usize,
    /// Their total size in bytes (from the MANIFEST).
    pub bytes: u64,
    /// Entries (values and tombstones), from the tables' properties.
    pub entries: u64,
    /// Tombstones among them, from the tables' properties.
    pub tombstones: u64,
    /// Smallest user key of any table in the level (`None` if empty).
    pub smallest: Option<Vec<u8>>,
    /// Largest user key of any table in the level (`None` if empty).
    pub largest: Option<Vec<u8>>,
}

/// The result of [`dir_stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirStats {
    /// The live MANIFEST's file name.
    pub manifest: String,
    /// The highest sequence number the MANIFEST records.
    pub last_sequence: u64,
    /// WALs numbered below this are fully in tables.
    pub log_number: u64,
    /// Every level, L0 through L6 (empty ones included).
    pub levels: Vec<LevelSummary>,
    /// Number of `*.log` files in the directory.
    pub wal_files: usize,
    /// Their total size in bytes.
    pub wal_bytes: u64,
    /// Blob files the MANIFEST lists.
    pub blob_files: usize,
    /// Bytes of their records some entry points to.
    pub blob_live_bytes: u64,
    /// Bytes of their records no entry points to any more.
    pub blob_garbage_bytes: u64,
    /// Bytes of the readable tables' index blocks and bloom filters: what a
    /// database holding every table open keeps in memory outside the block
    /// cache ([`Table::memory`]; bounded by
    /// [`Options::table_cache_bytes`](crate::Options::table_cache_bytes)).
    pub index_filter_bytes: u64,
    /// Tables whose properties could not be read, with the error. Their
    /// entries and tombstones are counted from the MANIFEST's metadata
    /// instead; run [`super::check_dir`] to see what is wrong.
    pub unreadable: Vec<(String, String)>,
}

impl DirStats {
    /// The sums over all levels (`level` is the number of levels).
    pub fn total(&self) -> LevelSummary {
        let mut t = LevelSummary {
            level: self.levels.len(),
            ..LevelSummary::default()
        };
        for l in &self.levels {
            t.files += l.files;
            t.bytes += l.bytes;
            t.entries += l.entries;
            t.tombstones += l.tombstones;
            widen(&mut t, l.smallest.as_deref(), l.largest.as_deref());
        }
        t
    }
}

/// Extends `level`'s key range to cover `[lo, hi]`.
fn widen(level: &mut LevelSummary, lo: Option<&[u8]>, hi: Option<&[u8]>) {
    if let Some(lo) = lo {
        if level.smallest.as_deref().is_none_or(|s| lo < s) {
            level.smallest = Some(lo.to_vec());
        }
    }
    if let Some(hi) = hi {
        if level.largest.as_deref().is_none_or(|l| hi > l) {
            level.largest = Some(hi.to_vec());
        }
    }
}

/// Reads `CURRENT`, replays the MANIFEST (by the recovery rules) and reads
/// every live table's properties. Read-only and lock-free.
///
/// Fails if `CURRENT` or the MANIFEST cannot be read or is corrupt (there
/// are no levels to show without them). A table that cannot be read does
/// not fail the call: see [`DirStats::unreadable`].
pub fn dir_stats(fs: &dyn Fs, dir: &Path) -> Result<DirStats> {
    let names = fs.list(dir)?;
    let replayed = recovery::replay::read_manifest(fs, dir, recovery::read_current(fs, dir)?)?;
    let mut stats = DirStats {
        manifest: replayed.name(),
        last_sequence: replayed.state.last_sequence,
        log_number: replayed.state.log_number,
        ..DirStats::default()
    };
    for level in 0..NUM_LEVELS {
        let mut s = LevelSummary {
            level,
            ..LevelSummary::default()
        };
        for f in replayed.state.version.files(level) {
            s.files += 1;
            s.bytes = s.bytes.saturating_add(f.size);
            widen(
                &mut s,
                Some(user_key(&f.smallest)),
                Some(user_key(&f.largest)),
            );
            let name = FileKind::Table(f.number).name();
            let props = fs
                .open_random(&dir.join(&name))
                .and_then(|file| Table::open(file, name.clone(), f.number, None));
            let (entries, tombstones) = match props {
                Ok(t) => {
                    stats.index_filter_bytes =
                        stats.index_filter_bytes.saturating_add(t.memory() as u64);
                    (t.properties().num_entries, t.properties().num_deletions)
                }
                Err(e) => {
                    stats.unreadable.push((name, e.to_string()));
                    (f.num_entries, f.num_deletions)
                }
            };
            s.entries = s.entries.saturating_add(entries);
            s.tombstones = s.tombstones.saturating_add(tombstones);
        }
        stats.levels.push(s);
    }
    let blobs = &replayed.state.version.blobs.files;
    stats.blob_files = blobs.len();
    stats.blob_live_bytes = blobs.values().map(|b| b.live_bytes()).sum();
    stats.blob_garbage_bytes = blobs.values().map(|b| b.garbage_bytes).sum();
    for name in &names {
        if matches!(FileKind::parse(name), Some(FileKind::Wal(_))) {
            stats.wal_files += 1;
            stats.wal_bytes = stats
                .wal_bytes
                .saturating_add(fs.file_size(&dir.join(name))?);
        }
    }
    Ok(stats)
}

/// Bytes of a key shown in the key-range column.
const KEY_WIDTH: usize = 24;

/// A compact table: a header line, one row per non-empty level, a total
/// row, the bytes of index and filter the tables hold when open, the WAL
/// line, the blob line if the MANIFEST lists blob files, then any
/// unreadable tables:
///
/// ```text
/// MANIFEST-000012  last_sequence=5000  log_number=11
/// level  files      bytes    entries  tombstones  key range
/// L0         2      81234       2000          12  "key00000" .. "key01999"
/// L1         1      40000        900           0  "a" .. "b"
/// total      3     121234       2900          12  "a" .. "key01999"
/// index and filter held when open: 1520 bytes
/// wal        1       1234
/// blob       2  204840 live, 102420 garbage
/// ```
impl fmt::Display for DirStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}  last_sequence={}  log_number={}",
            self.manifest, self.last_sequence, self.log_number
        )?;
        writeln!(
            f,
            "level  files      bytes    entries  tombstones  key range"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, label: &str, l: &LevelSummary| {
            let range = match (&l.smallest, &l.largest) {
                (Some(lo), Some(hi)) => {
                    format!("{} .. {}", escape(lo, KEY_WIDTH), escape(hi, KEY_WIDTH))
                }
                _ => "-".to_string(),
            };
            writeln!(
                f,
                "{label:<5} {:>6} {:>10} {:>10} {:>11}  {range}",
                l.files, l.bytes, l.entries, l.tombstones
            )
        };
        for l in self.levels.iter().filter(|l| l.files > 0) {
            row(f, &format!("L{}", l.level), l)?;
        }
        row(f, "total", &self.total())?;
        writeln!(
            f,
            "index and filter held when open: {} bytes",
            self.index_filter_bytes
        )?;
        write!(
            f,
            "{:<5} {:>6} {:>10}",
            "wal", self.wal_files, self.wal_bytes
        )?;
        if self.blob_files > 0 {
            write!(
                f,
                "\n{:<5} {:>6} {:>7} live, {} garbage",
                "blob", self.blob_files, self.blob_live_bytes, self.blob_garbage_bytes
            )?;
        }
        for (name, e) in &self.unreadable {
            write!(f, "\nunreadable {name}: {e} (counts from the MANIFEST)")?;
        }
        Ok(())
    }
}
