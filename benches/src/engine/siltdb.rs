//! siltdb behind the [`Engine`] interface.

use std::path::Path;

use siltdb::low_level::sstable::TableOptions;
use siltdb::low_level::vlog::BlobOptions;
use siltdb::CompactionOptions;
use siltdb::{Db, DbIterator, Options, Stats, WriteBatch, WriteOptions};

use super::{Background, Cursor, Engine, EngineKind};
use crate::driver::{BoxError, Config};

/// An open siltdb database.
pub struct SiltEngine {
    db: Db,
    opts: Options,
}

impl SiltEngine {
    /// Opens `dir` with the engine defaults, overridden where `cfg` says.
    pub fn open(dir: &Path, cfg: &Config) -> Result<SiltEngine, BoxError> {
        let opts = options(cfg);
        let db = Db::open(dir, opts.clone())?;
        Ok(SiltEngine { db, opts })
    }
}

/// The options a run uses: engine defaults, with the memtable size, L1
/// target, level sizing, L0 trigger, output file size, bloom bits and blob
/// threshold of the command line.
fn options(cfg: &Config) -> Options {
    let defaults = Options::default();
    Options {
        sync: cfg.sync,
        write_buffer_size: cfg.write_buffer_size.unwrap_or(defaults.write_buffer_size),
        table: TableOptions {
            bloom_bits_per_key: cfg.bloom_bits,
            ..TableOptions::default()
        },
        compaction: CompactionOptions {
            base_level_bytes: cfg
                .max_bytes_for_level_base
                .unwrap_or(defaults.compaction.base_level_bytes),
            dynamic_level_bytes: cfg
                .dynamic_level_bytes
                .unwrap_or(defaults.compaction.dynamic_level_bytes),
            l0_compaction_trigger: cfg
                .l0_compaction_trigger
                .unwrap_or(defaults.compaction.l0_compaction_trigger),
            target_file_size: cfg
                .target_file_size
                .unwrap_or(defaults.compaction.target_file_size),
            // Scaled with the file size, as the engine's default is.
            max_compaction_bytes: cfg
                .target_file_size
                .map_or(defaults.compaction.max_compaction_bytes, |t| 25 * t),
            ..CompactionOptions::default()
        },
        blob: BlobOptions {
            min_blob_size: cfg.min_blob_size.unwrap_or(defaults.blob.min_blob_size),
            ..defaults.blob.clone()
        },
        wal_preallocate_bytes: cfg
            .wal_preallocate_bytes
            .unwrap_or(defaults.wal_preallocate_bytes),
        wal_recycle_files: cfg.wal_recycle_files.unwrap_or(defaults.wal_recycle_files),
        ..defaults
    }
}

/// The default value size from which siltdb writes values to blob files.
pub fn default_min_blob_size() -> usize {
    BlobOptions::default().min_blob_size
}

/// The default memtable size, which the peers are given too.
#[cfg(feature = "peers")]
pub fn default_write_buffer_size() -> usize {
    Options::default().write_buffer_size
}

impl Engine for SiltEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Siltdb
    }

    fn describe(&self) -> Result<String, BoxError> {
        let o = &self.opts;
        Ok(format!(
            "siltdb (this workspace's engine)\n\
             write_buffer_size={} max_immutable_memtables={} block_cache_bytes={} \
             background_write_rate={} B/s wal_preallocate_bytes={} wal_recycle_files={}\n\
             table: {:?}\n\
             compaction: {:?}\n\
             blob: {:?}\n\
             compression: none (siltdb tables are not compressed)",
            o.write_buffer_size,
            o.max_immutable_memtables,
            o.block_cache_bytes,
            o.background_write_rate,
            o.wal_preallocate_bytes,
            o.wal_recycle_files,
            o.table,
            o.compaction,
            o.blob,
        ))
    }

    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> Result<(), BoxError> {
        let mut b = WriteBatch::with_capacity(key.len() + value.len() + 11);
        b.put(key, value);
        self.db.write_opt(b, WriteOptions { sync })?;
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<usize>, BoxError> {
        Ok(self.db.get_pinned(key)?.map(|v| v.len()))
    }

    fn cursor(&self) -> Result<Box<dyn Cursor + '_>, BoxError> {
        Ok(Box::new(SiltCursor(self.db.iter()?)))
    }

    fn flush(&self) -> Result<(), BoxError> {
        Ok(self.db.flush()?)
    }

    fn compact_all(&self) -> Result<(), BoxError> {
        Ok(self.db.compact_range(None, None)?)
    }

    fn background(&self) -> Result<Background, BoxError> {
        let s = self.db.stats();
        Ok(Background {
            idle: s.background_idle(),
            detail: format!(
                "{} immutable memtables, compaction {}{}, {:.1} MB pending",
                s.immutable_memtables,
                if s.compaction_pending {
                    "due"
                } else {
                    "not due"
                },
                if s.compaction_running {
                    " (running)"
                } else {
                    ""
                },
                s.pending_compaction_bytes as f64 / 1e6
            ),
        })
    }

    fn shape(&self) -> Result<String, BoxError> {
        let levels: Vec<String> = self
            .db
            .stats()
            .levels
            .iter()
            .enumerate()
            .filter(|(_, l)| l.files > 0)
            .map(|(i, l)| format!("L{i} {} files {:.1} MB", l.files, l.bytes as f64 / 1e6))
            .collect();
        Ok(levels.join(", "))
    }

    fn statistics(&self) -> Result<String, BoxError> {
        Ok(self.db.stats().to_string())
    }

    fn siltdb_stats(&self) -> Option<Stats> {
        Some(self.db.stats())
    }

    fn close(self: Box<Self>) -> Result<(), BoxError> {
        Ok(self.db.close()?)
    }
}

struct SiltCursor(DbIterator);

impl Cursor for SiltCursor {
    fn seek(&mut self, key: &[u8]) -> Result<(), BoxError> {
        Ok(self.0.seek(key)?)
    }

    fn seek_to_first(&mut self) -> Result<(), BoxError> {
        Ok(self.0.seek_to_first()?)
    }

    fn next(&mut self) -> Result<(), BoxError> {
        Ok(self.0.next()?)
    }

    fn current(&self) -> Option<(&[u8], &[u8])> {
        self.0.valid().then(|| (self.0.key(), self.0.value()))
    }
}
