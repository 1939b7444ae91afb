//! fjall behind the [`Engine`] interface, with fjall's defaults
//! (`Database::builder(dir).open()`, one keyspace with
//! `KeyspaceCreateOptions::default()`).
//!
//! fjall journals every write to the OS (`PersistMode::Buffer`); a synced
//! put also calls `persist(PersistMode::SyncData)` before returning. Its
//! flush, compaction and table counters are `#[doc(hidden)]` ("experimental")
//! in fjall 3; they are the only view of its background work there is.

use std::path::Path;

use ::fjall::{Database, Iter, Keyspace, KeyspaceCreateOptions, PersistMode, Slice};

use super::{Background, Cursor, Engine, EngineKind};
use crate::driver::{BoxError, Config};

/// The keyspace the benchmark writes.
const KEYSPACE: &str = "bench";

/// An open fjall database.
pub struct FjallEngine {
    db: Database,
    ks: Keyspace,
}

impl FjallEngine {
    /// Opens `dir` with fjall's defaults; `cfg` is not consulted (its
    /// memtable size and bloom bits are fjall's own).
    pub fn open(dir: &Path, _cfg: &Config) -> Result<FjallEngine, BoxError> {
        let db = Database::builder(dir).open()?;
        let ks = db.keyspace(KEYSPACE, KeyspaceCreateOptions::default)?;
        Ok(FjallEngine { db, ks })
    }
}

impl Engine for FjallEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Fjall
    }

    fn describe(&self) -> Result<String, BoxError> {
        let o = KeyspaceCreateOptions::default();
        Ok(format!(
            "fjall defaults (Database::builder(dir).open(), KeyspaceCreateOptions::default())\n\
             cache_capacity={} B\n\
             data_block_compression_policy={:?}\n\
             filter_policy={:?}\n\
             data_block_size_policy={:?}\n\
             kv_separation={:?}",
            self.db.cache_capacity(),
            o.data_block_compression_policy,
            o.filter_policy,
            o.data_block_size_policy,
            o.kv_separation_opts,
        ))
    }

    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> Result<(), BoxError> {
        self.ks.insert(key, value)?;
        if sync {
            self.db.persist(PersistMode::SyncData)?;
        }
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<usize>, BoxError> {
        Ok(self.ks.get(key)?.map(|v| v.len()))
    }

    fn cursor(&self) -> Result<Box<dyn Cursor + '_>, BoxError> {
        Ok(Box::new(FjallCursor {
            ks: &self.ks,
            iter: None,
            current: None,
        }))
    }

    fn flush(&self) -> Result<(), BoxError> {
        Ok(self.ks.rotate_memtable_and_wait()?)
    }

    fn compact_all(&self) -> Result<(), BoxError> {
        self.flush()?;
        Ok(self.ks.major_compact()?)
    }

    fn background(&self) -> Result<Background, BoxError> {
        let flushes = self.db.outstanding_flushes();
        let sealed = self.ks.sealed_memtable_count();
        let active = self.db.active_compactions();
        Ok(Background {
            idle: flushes == 0 && sealed == 0 && active == 0,
            detail: format!(
                "outstanding flushes {flushes}, sealed memtables {sealed}, \
                 active compactions {active}, {} compactions done, L0 {} tables",
                self.db.compactions_completed(),
                self.ks.l0_table_count()
            ),
        })
    }

    fn shape(&self) -> Result<String, BoxError> {
        Ok(format!(
            "{} tables ({} in L0), {} blob files, {:.1} MB on disk",
            self.ks.table_count(),
            self.ks.l0_table_count(),
            self.ks.blob_file_count(),
            self.ks.disk_space() as f64 / 1e6
        ))
    }

    fn statistics(&self) -> Result<String, BoxError> {
        Ok(format!(
            "compactions completed {}, time compacting {:.3} s, journals {} ({} B), \
             cache {} of {} B\n",
            self.db.compactions_completed(),
            self.db.time_compacting().as_secs_f64(),
            self.db.journal_count(),
            self.db.journal_disk_space()?,
            self.db.cache_size(),
            self.db.cache_capacity(),
        ))
    }

    fn close(self: Box<Self>) -> Result<(), BoxError> {
        self.db.persist(PersistMode::SyncAll)?;
        Ok(())
    }
}

/// fjall iterators are ranges, so a seek starts a new one.
struct FjallCursor<'a> {
    ks: &'a Keyspace,
    iter: Option<Iter>,
    current: Option<(Slice, Slice)>,
}

impl FjallCursor<'_> {
    fn advance(&mut self) -> Result<(), BoxError> {
        self.current = match self.iter.as_mut().and_then(Iterator::next) {
            Some(guard) => Some(guard.into_inner()?),
            None => None,
        };
        Ok(())
    }
}

impl Cursor for FjallCursor<'_> {
    fn seek(&mut self, key: &[u8]) -> Result<(), BoxError> {
        self.iter = Some(self.ks.range::<&[u8], _>(key..));
        self.advance()
    }

    fn seek_to_first(&mut self) -> Result<(), BoxError> {
        self.iter = Some(self.ks.iter());
        self.advance()
    }

    fn next(&mut self) -> Result<(), BoxError> {
        self.advance()
    }

    fn current(&self) -> Option<(&[u8], &[u8])> {
        self.current.as_ref().map(|(k, v)| (&k[..], &v[..]))
    }
}
