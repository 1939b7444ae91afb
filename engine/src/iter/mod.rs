//! Iterators over internal keys, and the merging machinery built on them.
//!
//! Every source of entries (memtable, SSTable, a level of SSTables) exposes
//! [`InternalIterator`]; [`merge`] combines them in internal-key order and
//! [`db_iter`] applies snapshot visibility and hides tombstones for users.

use crate::error::Result;

/// A bidirectional cursor over entries sorted by internal key
/// ([`crate::key::compare_internal`]).
///
/// Positioning calls return an error if reading failed (e.g. a corrupt block);
/// after an error the iterator is not valid.
pub trait InternalIterator: Send {
    /// True when positioned at an entry.
    fn valid(&self) -> bool;
    /// Positions at the first entry.
    fn seek_to_first(&mut self) -> Result<()>;
    /// Positions at the last entry.
    fn seek_to_last(&mut self) -> Result<()>;
    /// Positions at the first entry whose internal key is `>= target`.
    fn seek(&mut self, target: &[u8]) -> Result<()>;
    /// Moves to the next entry. REQUIRES: `valid()`.
    fn next(&mut self) -> Result<()>;
    /// Moves to the previous entry. REQUIRES: `valid()`.
    fn prev(&mut self) -> Result<()>;
    /// The current internal key. REQUIRES: `valid()`.
    fn key(&self) -> &[u8];
    /// The current value. REQUIRES: `valid()`.
    fn value(&self) -> &[u8];
}

/// Boxed internal iterator.
pub type BoxIter = Box<dyn InternalIterator>;

pub mod db_iter;
pub mod level;
pub mod merge;
