//! Open SSTables, shared by reads, iterators and compactions.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use crate::cache::BlockCache;
use crate::error::Result;
use crate::fs::Fs;
use crate::recovery::FileKind;
use crate::sstable::Table;

/// Keeps every table the database has opened, by file number.
pub(crate) struct TableCache {
    dir: PathBuf,
    fs: Arc<dyn Fs>,
    blocks: Arc<BlockCache>,
    open: RwLock<HashMap<u64, Arc<Table>>>,
}

impl TableCache {
    pub fn new(dir: PathBuf, fs: Arc<dyn Fs>, blocks: Arc<BlockCache>) -> TableCache {
        TableCache {
            dir,
            fs,
            blocks,
            open: RwLock::new(HashMap::new()),
        }
    }

    /// The table with file number `number`, opening it on first use.
    pub fn get(&self, number: u64) -> Result<Arc<Table>> {
        if let Some(t) = self
            .open
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&number)
        {
            return Ok(Arc::clone(t));
        }
        let kind = FileKind::Table(number);
        let file = self.fs.open_random(&kind.path(&self.dir))?;
        let table = Table::open(file, kind.name(), number, Some(Arc::clone(&self.blocks)))?;
        let mut open = self.open.write().unwrap_or_else(|p| p.into_inner());
        Ok(Arc::clone(open.entry(number).or_insert(table)))
    }

    /// Forgets a deleted table.
    pub fn evict(&self, number: u64) {
        self.open
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&number);
    }
}
