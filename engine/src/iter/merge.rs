//! K-way merge of internal iterators, in both directions.
//!
//! Children are few (memtables, L0 files, one iterator per deeper level), so
//! the smallest/largest child is found by a linear scan, as LevelDB does.

use std::cmp::Ordering;

use super::{BoxIter, InternalIterator};
use crate::error::Result;
use crate::key::compare_internal;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Forward,
    Reverse,
}

/// Merges children that each yield internal keys in order. Internal keys are
/// unique across children (every write has its own sequence number); on a tie
/// the earlier child wins.
pub struct MergingIter {
    children: Vec<BoxIter>,
    current: Option<usize>,
    direction: Direction,
}

impl MergingIter {
    /// Merges `children`; earlier children win ties.
    pub fn new(children: Vec<BoxIter>) -> MergingIter {
        MergingIter {
            children,
            current: None,
            direction: Direction::Forward,
        }
    }

    fn find_smallest(&mut self) {
        let mut best: Option<usize> = None;
        for (i, c) in self.children.iter().enumerate() {
            if !c.valid() {
                continue;
            }
            best = match best {
                Some(b) if compare_internal(c.key(), self.children[b].key()) != Ordering::Less => {
                    Some(b)
                }
                _ => Some(i),
            };
        }
        self.current = best;
    }

    fn find_largest(&mut self) {
        let mut best: Option<usize> = None;
        for (i, c) in self.children.iter().enumerate() {
            if !c.valid() {
                continue;
            }
            best = match best {
                Some(b)
                    if compare_internal(c.key(), self.children[b].key()) != Ordering::Greater =>
                {
                    Some(b)
                }
                _ => Some(i),
            };
        }
        self.current = best;
    }

    /// Positions every child with `f`, then picks the current child for
    /// `direction`.
    fn position_all(
        &mut self,
        direction: Direction,
        mut f: impl FnMut(&mut BoxIter) -> Result<()>,
    ) -> Result<()> {
        for c in &mut self.children {
            if let Err(e) = f(c) {
                self.current = None;
                return Err(e);
            }
        }
        self.direction = direction;
        match direction {
            Direction::Forward => self.find_smallest(),
            Direction::Reverse => self.find_largest(),
        }
        Ok(())
    }

    fn invalidate_on_error<T>(&mut self, r: Result<T>) -> Result<T> {
        if r.is_err() {
            self.current = None;
        }
        r
    }
}

impl InternalIterator for MergingIter {
    fn valid(&self) -> bool {
        self.current.is_some()
    }

    fn seek_to_first(&mut self) -> Result<()> {
        self.position_all(Direction::Forward, |c| c.seek_to_first())
    }

    fn seek_to_last(&mut self) -> Result<()> {
        self.position_all(Direction::Reverse, |c| c.seek_to_last())
    }

    fn seek(&mut self, target: &[u8]) -> Result<()> {
        self.position_all(Direction::Forward, |c| c.seek(target))
    }

    fn next(&mut self) -> Result<()> {
        let Some(cur) = self.current else {
            return Ok(());
        };
        if self.direction != Direction::Forward {
            // Every other child is positioned before key(); move each to the
            // first entry after it.
            let k = self.children[cur].key().to_vec();
            for i in 0..self.children.len() {
                if i == cur {
                    continue;
                }
                let c = &mut self.children[i];
                let mut r = c.seek(&k);
                if r.is_ok() && c.valid() && compare_internal(c.key(), &k) == Ordering::Equal {
                    r = c.next();
                }
                self.invalidate_on_error(r)?;
            }
            self.direction = Direction::Forward;
        }
        let r = self.children[cur].next();
        self.invalidate_on_error(r)?;
        self.find_smallest();
        Ok(())
    }

    fn prev(&mut self) -> Result<()> {
        let Some(cur) = self.current else {
            return Ok(());
        };
        if self.direction != Direction::Reverse {
            // Every other child is positioned after key(); move each to the
            // last entry before it.
            let k = self.children[cur].key().to_vec();
            for i in 0..self.children.len() {
                if i == cur {
                    continue;
                }
                let c = &mut self.children[i];
                let mut r = c.seek(&k);
                if r.is_ok() {
                    r = if c.valid() {
                        c.prev()
                    } else {
                        c.seek_to_last()
                    };
                }
                self.invalidate_on_error(r)?;
            }
            self.direction = Direction::Reverse;
        }
        let r = self.children[cur].prev();
        self.invalidate_on_error(r)?;
        self.find_largest();
        Ok(())
    }

    fn key(&self) -> &[u8] {
        self.current.map_or(&[], |c| self.children[c].key())
    }

    fn value(&self) -> &[u8] {
        self.current.map_or(&[], |c| self.children[c].value())
    }
}
