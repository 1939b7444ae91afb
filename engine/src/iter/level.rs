//! Concatenation of the non-overlapping, sorted tables of one level.

use std::sync::Arc;

use super::InternalIterator;
use crate::error::Result;
use crate::key::compare_internal;
use crate::manifest::FileMeta;
use crate::sstable::{Table, TableIter};

/// Opens a table by its metadata (the database's table cache).
pub trait TableSource: Send + Sync {
    /// The open table for `file`.
    fn table(&self, file: &FileMeta) -> Result<Arc<Table>>;
}

/// Iterates a level's files in key order, opening each table when reached.
pub struct LevelIter {
    files: Vec<Arc<FileMeta>>,
    source: Arc<dyn TableSource>,
    index: usize,
    current: Option<TableIter>,
    /// The tables' iterators put the blocks they read in the block cache.
    fill_cache: bool,
}

impl LevelIter {
    /// `files` must be sorted by smallest key and not overlap.
    pub fn new(files: Vec<Arc<FileMeta>>, source: Arc<dyn TableSource>) -> LevelIter {
        LevelIter {
            files,
            source,
            index: 0,
            current: None,
            fill_cache: true,
        }
    }

    /// Makes the tables' iterators leave the block cache as it is
    /// ([`Table::iter_without_filling_cache`]), for compactions.
    pub fn without_filling_cache(mut self) -> LevelIter {
        self.fill_cache = false;
        self
    }

    fn open(&mut self, index: usize) -> Result<()> {
        self.index = index;
        self.current = None;
        if let Some(f) = self.files.get(index) {
            let t = self.source.table(f)?;
            self.current = Some(if self.fill_cache {
                t.iter()
            } else {
                t.iter_without_filling_cache()
            });
        }
        Ok(())
    }

    fn skip_forward(&mut self) -> Result<()> {
        while self.current.as_ref().is_some_and(|c| !c.valid()) {
            if self.index + 1 >= self.files.len() {
                self.current = None;
                return Ok(());
            }
            self.open(self.index + 1)?;
            if let Some(c) = self.current.as_mut() {
                c.seek_to_first()?;
            }
        }
        Ok(())
    }

    fn skip_backward(&mut self) -> Result<()> {
        while self.current.as_ref().is_some_and(|c| !c.valid()) {
            if self.index == 0 {
                self.current = None;
                return Ok(());
            }
            self.open(self.index - 1)?;
            if let Some(c) = self.current.as_mut() {
                c.seek_to_last()?;
            }
        }
        Ok(())
    }
}

impl InternalIterator for LevelIter {
    fn valid(&self) -> bool {
        self.current.as_ref().is_some_and(|c| c.valid())
    }
    fn seek_to_first(&mut self) -> Result<()> {
        self.open(0)?;
        if let Some(c) = self.current.as_mut() {
            c.seek_to_first()?;
        }
        self.skip_forward()
    }
    fn seek_to_last(&mut self) -> Result<()> {
        if self.files.is_empty() {
            self.current = None;
            return Ok(());
        }
        self.open(self.files.len() - 1)?;
        if let Some(c) = self.current.as_mut() {
            c.seek_to_last()?;
        }
        self.skip_backward()
    }
    fn seek(&mut self, target: &[u8]) -> Result<()> {
        // First file whose largest key is >= target.
        let i = self
            .files
            .partition_point(|f| compare_internal(&f.largest, target) == std::cmp::Ordering::Less);
        if i >= self.files.len() {
            self.current = None;
            return Ok(());
        }
        self.open(i)?;
        if let Some(c) = self.current.as_mut() {
            c.seek(target)?;
        }
        self.skip_forward()
    }
    fn next(&mut self) -> Result<()> {
        if let Some(c) = self.current.as_mut() {
            c.next()?;
        }
        self.skip_forward()
    }
    fn prev(&mut self) -> Result<()> {
        if let Some(c) = self.current.as_mut() {
            c.prev()?;
        }
        self.skip_backward()
    }
    fn key(&self) -> &[u8] {
        self.current.as_ref().map_or(&[], |c| c.key())
    }
    fn value(&self) -> &[u8] {
        self.current.as_ref().map_or(&[], |c| c.value())
    }
}
