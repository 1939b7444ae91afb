//! RocksDB (through rust-rocksdb) behind the [`Engine`] interface,
//! configured as a RocksDB user would: 10 bits/key bloom filters, a 128 MiB
//! LRU block cache, `bytes_per_sync` 1 MiB, dynamic level sizing, the
//! compression the crate ships as default, and siltdb's memtable size.
//! [`Engine::describe`] prints the options back from the `OPTIONS` file
//! RocksDB writes, so what is printed is what RocksDB used.

use std::path::{Path, PathBuf};

use ::rocksdb::{BlockBasedOptions, Cache, DBRawIterator, Options, WriteOptions, DB};

use super::{Background, Cursor, Engine, EngineKind};
use crate::driver::{BoxError, Config};

/// Block cache size, as siltdb's default.
const BLOCK_CACHE_BYTES: usize = 128 << 20;
/// `bytes_per_sync` (and siltdb's table sync interval).
const BYTES_PER_SYNC: u64 = 1 << 20;
/// Levels whose file counts `shape` reports (RocksDB's default num_levels).
const NUM_LEVELS: usize = 7;

/// An open RocksDB database.
pub struct RocksEngine {
    db: DB,
    dir: PathBuf,
    bloom_bits: u32,
    sync_opts: WriteOptions,
    nosync_opts: WriteOptions,
}

impl RocksEngine {
    /// Opens `dir` with the options above; `cfg` sets the memtable size
    /// (default siltdb's), L1 target (default RocksDB's) and bloom bits.
    pub fn open(dir: &Path, cfg: &Config) -> Result<RocksEngine, BoxError> {
        let mut table = BlockBasedOptions::default();
        if cfg.bloom_bits > 0 {
            table.set_bloom_filter(f64::from(cfg.bloom_bits), false);
        }
        table.set_block_cache(&Cache::new_lru_cache(BLOCK_CACHE_BYTES));

        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.set_block_based_table_factory(&table);
        opts.set_bytes_per_sync(BYTES_PER_SYNC);
        opts.set_level_compaction_dynamic_level_bytes(true);
        opts.set_write_buffer_size(
            cfg.write_buffer_size
                .unwrap_or_else(super::siltdb::default_write_buffer_size),
        );
        if let Some(b) = cfg.max_bytes_for_level_base {
            opts.set_max_bytes_for_level_base(b);
        }
        let db = DB::open(&opts, dir)?;
        let mut sync_opts = WriteOptions::default();
        sync_opts.set_sync(true);
        let mut nosync_opts = WriteOptions::default();
        nosync_opts.set_sync(false);
        Ok(RocksEngine {
            db,
            dir: dir.to_path_buf(),
            bloom_bits: cfg.bloom_bits,
            sync_opts,
            nosync_opts,
        })
    }

    fn int_property(&self, name: &str) -> Result<u64, BoxError> {
        self.db
            .property_int_value(name)?
            .ok_or_else(|| format!("RocksDB has no property {name}").into())
    }
}

/// The settings `describe` prints from the OPTIONS file, in this order.
const DESCRIBED: &[&str] = &[
    "rocksdb_version",
    "write_buffer_size",
    "max_write_buffer_number",
    "max_background_jobs",
    "bytes_per_sync",
    "wal_bytes_per_sync",
    "level_compaction_dynamic_level_bytes",
    "max_bytes_for_level_base",
    "max_bytes_for_level_multiplier",
    "target_file_size_base",
    "level0_file_num_compaction_trigger",
    "compaction_style",
    "compression",
    "bottommost_compression",
    "compression_per_level",
    "filter_policy",
    "whole_key_filtering",
    "cache_index_and_filter_blocks",
    "block_size",
    "no_block_cache",
];

/// The newest `OPTIONS-<n>` file RocksDB wrote in `dir`.
fn newest_options_file(dir: &Path) -> Result<PathBuf, BoxError> {
    let mut best: Option<(u64, PathBuf)> = None;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        let Some(n) = name
            .to_str()
            .and_then(|s| s.strip_prefix("OPTIONS-"))
            .and_then(|s| s.parse::<u64>().ok())
        else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| n > *b) {
            best = Some((n, e.path()));
        }
    }
    best.map(|(_, p)| p)
        .ok_or_else(|| format!("no OPTIONS file in {}", dir.display()).into())
}

/// `key=value` lines of an OPTIONS file whose key is in `keys`, in the
/// order of `keys`, first occurrence each.
fn pick_options(text: &str, keys: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for k in keys {
        let found = text.lines().find_map(|l| {
            let (key, value) = l.trim().split_once('=')?;
            (key.trim() == *k).then(|| value.trim().to_string())
        });
        if let Some(v) = found {
            out.push(format!("{k}={v}"));
        }
    }
    out
}

impl Engine for RocksEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Rocksdb
    }

    fn describe(&self) -> Result<String, BoxError> {
        let path = newest_options_file(&self.dir)?;
        let text = std::fs::read_to_string(&path)?;
        let picked = pick_options(&text, DESCRIBED);
        Ok(format!(
            "RocksDB via rust-rocksdb (crate default features); from {}:\n{}\n\
             from the DB: rocksdb.block-cache-capacity={} (an LRU cache, Cache::new_lru_cache)\n\
             as set (the OPTIONS file does not record them): bloom bits_per_key={} \
             (BlockBasedOptions::set_bloom_filter(bits, false), full filters)",
            path.file_name().unwrap_or_default().to_string_lossy(),
            picked.join("\n"),
            self.int_property("rocksdb.block-cache-capacity")?,
            self.bloom_bits,
        ))
    }

    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> Result<(), BoxError> {
        let wo = if sync {
            &self.sync_opts
        } else {
            &self.nosync_opts
        };
        Ok(self.db.put_opt(key, value, wo)?)
    }

    fn get(&self, key: &[u8]) -> Result<Option<usize>, BoxError> {
        Ok(self.db.get_pinned(key)?.map(|v| v.len()))
    }

    fn cursor(&self) -> Result<Box<dyn Cursor + '_>, BoxError> {
        Ok(Box::new(RocksCursor(self.db.raw_iterator())))
    }

    fn flush(&self) -> Result<(), BoxError> {
        Ok(self.db.flush()?)
    }

    fn compact_all(&self) -> Result<(), BoxError> {
        self.db.flush()?;
        self.db.compact_range(None::<&[u8]>, None::<&[u8]>);
        Ok(())
    }

    fn background(&self) -> Result<Background, BoxError> {
        let pending = self.int_property("rocksdb.compaction-pending")?;
        let compactions = self.int_property("rocksdb.num-running-compactions")?;
        let flushes = self.int_property("rocksdb.num-running-flushes")?;
        let flush_pending = self.int_property("rocksdb.mem-table-flush-pending")?;
        let imm = self.int_property("rocksdb.num-immutable-mem-table")?;
        let bytes = self.int_property("rocksdb.estimate-pending-compaction-bytes")?;
        Ok(Background {
            idle: pending == 0
                && compactions == 0
                && flushes == 0
                && flush_pending == 0
                && imm == 0,
            detail: format!(
                "compaction-pending {pending}, running compactions {compactions}, \
                 running flushes {flushes}, flush pending {flush_pending}, \
                 immutable memtables {imm}, {:.1} MB pending compaction",
                bytes as f64 / 1e6
            ),
        })
    }

    fn shape(&self) -> Result<String, BoxError> {
        // "rocksdb.levelstats": a header, a rule, then "level files size(MB)".
        let text = self
            .db
            .property_value("rocksdb.levelstats")?
            .unwrap_or_default();
        let mut levels = Vec::new();
        for line in text.lines().skip(2) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if let [level, files, mb] = cols.as_slice() {
                if *files != "0" {
                    levels.push(format!("L{level} {files} files {mb} MiB"));
                }
            }
        }
        if levels.is_empty() {
            for l in 0..NUM_LEVELS {
                let n = self.int_property(&format!("rocksdb.num-files-at-level{l}"))?;
                if n > 0 {
                    levels.push(format!("L{l} {n} files"));
                }
            }
        }
        Ok(levels.join(", "))
    }

    fn statistics(&self) -> Result<String, BoxError> {
        Ok(self.db.property_value("rocksdb.stats")?.unwrap_or_default())
    }

    fn close(self: Box<Self>) -> Result<(), BoxError> {
        // Drop closes; RocksDB's own close reports no error through the crate.
        drop(self);
        Ok(())
    }
}

struct RocksCursor<'a>(DBRawIterator<'a>);

impl Cursor for RocksCursor<'_> {
    fn seek(&mut self, key: &[u8]) -> Result<(), BoxError> {
        self.0.seek(key);
        Ok(self.0.status()?)
    }

    fn seek_to_first(&mut self) -> Result<(), BoxError> {
        self.0.seek_to_first();
        Ok(self.0.status()?)
    }

    fn next(&mut self) -> Result<(), BoxError> {
        self.0.next();
        Ok(self.0.status()?)
    }

    fn current(&self) -> Option<(&[u8], &[u8])> {
        if !self.0.valid() {
            return None;
        }
        Some((self.0.key()?, self.0.value()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_named_options_in_order() {
        let text = "[Version]\n  rocksdb_version=11.8.1\n[CFOptions \"default\"]\n  \
                    compression=kSnappyCompression\n  bottommost_compression=kDisableCompressionOption\n\
                    [TableOptions/BlockBasedTable \"default\"]\n  filter_policy=bloomfilter\n";
        let got = pick_options(
            text,
            &["compression", "rocksdb_version", "filter_policy", "absent"],
        );
        assert_eq!(
            got,
            [
                "compression=kSnappyCompression",
                "rocksdb_version=11.8.1",
                "filter_policy=bloomfilter"
            ]
        );
    }
}
