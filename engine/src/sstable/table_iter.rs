//! Spec: format-spec/sstable.md#reading-a-table
//!
//! The two-level iterator: an index-block cursor picks the data block, a
//! data-block cursor walks it; empty or exhausted blocks are skipped in both
//! directions.

use std::sync::Arc;

use super::table::decode_handle;
use super::{BlockIter, DecodeError, Table};
use crate::error::{Error, Result};
use crate::iter::InternalIterator;

/// A bidirectional iterator over all entries of one [`Table`].
pub struct TableIter {
    table: Arc<Table>,
    index: BlockIter,
    /// The current data block cursor and the block's file offset.
    data: Option<(BlockIter, u64)>,
    /// Blocks read from the file go into the block cache.
    fill_cache: bool,
}

impl TableIter {
    /// An unpositioned iterator over `table`; blocks it reads from the file
    /// go into the block cache if `fill_cache` (see `Table::read_block`).
    pub fn new(table: Arc<Table>, fill_cache: bool) -> TableIter {
        TableIter {
            index: table.index_iter(),
            table,
            data: None,
            fill_cache,
        }
    }

    fn index_err(&mut self, e: DecodeError) -> Error {
        self.data = None;
        self.table.corruption(e, self.table.index_offset())
    }

    fn data_err(&mut self, e: DecodeError, offset: u64) -> Error {
        self.data = None;
        self.table.corruption(e, offset)
    }

    /// Points `data` at the block of the current index entry (reusing the
    /// cursor if it is already that block); `data = None` if the index is
    /// exhausted. The data cursor is left unpositioned.
    fn load_block(&mut self) -> Result<bool> {
        if !self.index.valid() {
            self.data = None;
            return Ok(false);
        }
        let handle = match decode_handle(
            &self.index,
            self.table.file_name(),
            self.table.index_offset(),
        ) {
            Ok(h) => h,
            Err(e) => {
                self.data = None;
                return Err(e);
            }
        };
        if matches!(&self.data, Some((_, off)) if *off == handle.offset) {
            return Ok(true);
        }
        match self.table.read_block(handle, self.fill_cache) {
            Ok(block) => {
                self.data = Some((block.iter(), handle.offset));
                Ok(true)
            }
            Err(e) => {
                self.data = None;
                Err(e)
            }
        }
    }

    fn data_valid(&self) -> bool {
        self.data.as_ref().is_some_and(|(d, _)| d.valid())
    }

    /// Moves forward over blocks until the data cursor is valid or the
    /// index runs out.
    fn skip_forward(&mut self) -> Result<()> {
        while !self.data_valid() {
            if !self.index.valid() {
                self.data = None;
                return Ok(());
            }
            if let Err(e) = self.index.next() {
                return Err(self.index_err(e));
            }
            if !self.load_block()? {
                return Ok(());
            }
            if let Some((d, off)) = &mut self.data {
                let off = *off;
                if let Err(e) = d.seek_to_first() {
                    return Err(self.data_err(e, off));
                }
            }
        }
        Ok(())
    }

    /// Moves backward over blocks until the data cursor is valid or the
    /// index runs out.
    fn skip_backward(&mut self) -> Result<()> {
        while !self.data_valid() {
            if !self.index.valid() {
                self.data = None;
                return Ok(());
            }
            if let Err(e) = self.index.prev() {
                return Err(self.index_err(e));
            }
            if !self.load_block()? {
                return Ok(());
            }
            if let Some((d, off)) = &mut self.data {
                let off = *off;
                if let Err(e) = d.seek_to_last() {
                    return Err(self.data_err(e, off));
                }
            }
        }
        Ok(())
    }

    /// Runs `f` on the data cursor, mapping errors to Corruption.
    fn with_data(
        &mut self,
        f: impl FnOnce(&mut BlockIter) -> std::result::Result<(), DecodeError>,
    ) -> Result<()> {
        if let Some((d, off)) = &mut self.data {
            let off = *off;
            if let Err(e) = f(d) {
                return Err(self.data_err(e, off));
            }
        }
        Ok(())
    }
}

impl InternalIterator for TableIter {
    fn valid(&self) -> bool {
        self.data_valid()
    }

    fn seek_to_first(&mut self) -> Result<()> {
        if let Err(e) = self.index.seek_to_first() {
            return Err(self.index_err(e));
        }
        if self.load_block()? {
            self.with_data(BlockIter::seek_to_first)?;
        }
        self.skip_forward()
    }

    fn seek_to_last(&mut self) -> Result<()> {
        if let Err(e) = self.index.seek_to_last() {
            return Err(self.index_err(e));
        }
        if self.load_block()? {
            self.with_data(BlockIter::seek_to_last)?;
        }
        self.skip_backward()
    }

    fn seek(&mut self, target: &[u8]) -> Result<()> {
        if let Err(e) = self.index.seek(target) {
            return Err(self.index_err(e));
        }
        if self.load_block()? {
            self.with_data(|d| d.seek(target))?;
        }
        self.skip_forward()
    }

    fn next(&mut self) -> Result<()> {
        debug_assert!(self.valid());
        self.with_data(BlockIter::next)?;
        self.skip_forward()
    }

    fn prev(&mut self) -> Result<()> {
        debug_assert!(self.valid());
        self.with_data(BlockIter::prev)?;
        self.skip_backward()
    }

    fn key(&self) -> &[u8] {
        self.data.as_ref().map_or(&[], |(d, _)| d.key())
    }

    fn value(&self) -> &[u8] {
        self.data.as_ref().map_or(&[], |(d, _)| d.value())
    }
}
