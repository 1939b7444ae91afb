//! Spec: format-spec/sstable.md#block-format
//!
//! Reading a block: [`Block`] validates the restart array once when the
//! block is loaded; [`BlockIter`] decodes entries lazily with every read
//! bounds-checked, and reports bad bytes as a [`DecodeError`] whose offset is
//! relative to the start of the block.

use std::cmp::Ordering;
use std::sync::Arc;

use super::DecodeError;
use crate::coding::{get_fixed32, get_varint32};
use crate::key::compare_internal;

/// A loaded block (contents without the 5-byte trailer), shared between
/// iterators and the block cache.
#[derive(Debug)]
pub struct Block {
    data: Vec<u8>,
    /// Offset where the restart array starts (= end of the entries).
    restarts_off: usize,
    /// Decoded restart offsets: strictly increasing, first is 0, all below
    /// `restarts_off`.
    restarts: Box<[u32]>,
}

impl Block {
    /// Validates the restart array of `data` (block contents without the
    /// trailer) and wraps it.
    pub fn new(data: Vec<u8>) -> Result<Block, DecodeError> {
        let len = data.len();
        let count_off = len.checked_sub(4).ok_or_else(|| {
            DecodeError::new(0, format!("block of {len} bytes has no restart count"))
        })?;
        let num = data
            .get(count_off..)
            .and_then(get_fixed32)
            .ok_or_else(|| DecodeError::new(count_off, "unreadable restart count"))?
            as usize;
        let restarts_off = num
            .checked_mul(4)
            .and_then(|n| count_off.checked_sub(n))
            .ok_or_else(|| {
                DecodeError::new(
                    count_off,
                    format!("restart count {num} does not fit in a block of {len} bytes"),
                )
            })?;
        if num == 0 || restarts_off == 0 {
            return Err(DecodeError::new(count_off, "block has no entries"));
        }
        let mut restarts = Vec::with_capacity(num);
        for i in 0..num {
            let at = restarts_off + 4 * i;
            let r = data
                .get(at..)
                .and_then(get_fixed32)
                .ok_or_else(|| DecodeError::new(at, "unreadable restart offset"))?;
            let ok = if i == 0 {
                r == 0
            } else {
                restarts.last().is_some_and(|&p| r > p) && (r as usize) < restarts_off
            };
            if !ok {
                return Err(DecodeError::new(
                    at,
                    format!("restart offset {r} (#{i}) out of order or out of bounds"),
                ));
            }
            restarts.push(r);
        }
        Ok(Block {
            data,
            restarts_off,
            restarts: restarts.into_boxed_slice(),
        })
    }

    /// Size of the block contents in bytes (the cache charge).
    pub fn size(&self) -> usize {
        self.data.len()
    }

    /// Bytes of memory the block holds: its buffer (as allocated) and its
    /// decoded restart array.
    pub fn memory(&self) -> usize {
        self.data.capacity() + std::mem::size_of_val(&*self.restarts)
    }

    /// Number of restart points.
    pub fn num_restarts(&self) -> usize {
        self.restarts.len()
    }

    /// The raw block contents (without trailer).
    pub fn contents(&self) -> &[u8] {
        &self.data
    }

    /// Checks that every restart point is the start of an entry (walking the
    /// entries from offset 0) and that the entry there stores its key whole
    /// (`shared == 0`), as seeks and backward steps rely on. `Block::new`
    /// only checks the restart array's shape; `Table::verify` calls this.
    pub fn check_restarts(&self) -> Result<(), DecodeError> {
        let limit = self.restarts_off;
        let mut off = 0usize;
        let mut next_restart = 0usize;
        while off < limit {
            let e = decode_entry(&self.data, off, limit)
                .ok_or_else(|| DecodeError::new(off, "undecodable block entry"))?;
            if self
                .restarts
                .get(next_restart)
                .is_some_and(|&r| r as usize == off)
            {
                if e.shared != 0 {
                    return Err(DecodeError::new(
                        off,
                        format!("entry at restart point #{next_restart} shares key bytes"),
                    ));
                }
                next_restart += 1;
            }
            if self
                .restarts
                .get(next_restart)
                .is_some_and(|&r| (r as usize) <= off)
            {
                break;
            }
            off = e.value.1;
        }
        if next_restart != self.restarts.len() {
            let at = self
                .restarts
                .get(next_restart)
                .map_or(limit, |&r| r as usize);
            return Err(DecodeError::new(
                at,
                format!("restart point #{next_restart} is not at an entry boundary"),
            ));
        }
        Ok(())
    }

    /// An unpositioned iterator over this block.
    pub fn iter(self: &Arc<Self>) -> BlockIter {
        BlockIter {
            current: self.restarts_off,
            next: self.restarts_off,
            restart_index: self.restarts.len(),
            key: Vec::new(),
            value: (0, 0),
            block: Arc::clone(self),
        }
    }
}

/// One decoded entry header: shared length, key delta range, value range.
struct Entry {
    shared: usize,
    delta: (usize, usize),
    value: (usize, usize),
}

/// Decodes the entry at `off`, all of which must lie before `limit`.
#[inline]
fn decode_entry(data: &[u8], off: usize, limit: usize) -> Option<Entry> {
    let p = data.get(off..limit)?;
    let (shared, non_shared, value_len, header) = match p {
        [a, b, c, ..] if (a | b | c) < 0x80 => (*a as usize, *b as usize, *c as usize, 3),
        _ => {
            let (s, n1) = get_varint32(p)?;
            let (ns, n2) = get_varint32(p.get(n1..)?)?;
            let (vl, n3) = get_varint32(p.get(n1 + n2..)?)?;
            (s as usize, ns as usize, vl as usize, n1 + n2 + n3)
        }
    };
    let kstart = off + header;
    let kend = kstart.checked_add(non_shared)?;
    let vend = kend.checked_add(value_len)?;
    if vend > limit {
        return None;
    }
    Some(Entry {
        shared,
        delta: (kstart, kend),
        value: (kend, vend),
    })
}

/// A bidirectional cursor over one block.
///
/// Positioning methods return `Err` on undecodable bytes, after which the
/// iterator is not valid.
#[derive(Debug, Clone)]
pub struct BlockIter {
    block: Arc<Block>,
    /// Offset of the current entry; `restarts_off` when not valid.
    current: usize,
    /// Offset just past the current entry.
    next: usize,
    /// Index of the last restart point at or before `current`.
    restart_index: usize,
    key: Vec<u8>,
    value: (usize, usize),
}

impl BlockIter {
    /// True when positioned at an entry.
    #[inline]
    pub fn valid(&self) -> bool {
        self.current < self.block.restarts_off
    }

    /// The current key. REQUIRES: `valid()`.
    #[inline]
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// The current value. REQUIRES: `valid()`.
    #[inline]
    pub fn value(&self) -> &[u8] {
        self.block
            .data
            .get(self.value.0..self.value.1)
            .unwrap_or_default()
    }

    /// The block this iterator walks.
    pub fn block(&self) -> &Arc<Block> {
        &self.block
    }

    fn invalidate(&mut self) {
        self.current = self.block.restarts_off;
        self.next = self.block.restarts_off;
        self.restart_index = self.block.restarts.len();
        self.key.clear();
        self.value = (0, 0);
    }

    fn fail(&mut self, at: usize, reason: &str) -> DecodeError {
        self.invalidate();
        DecodeError::new(at, reason)
    }

    fn restart_point(&self, i: usize) -> usize {
        self.block.restarts.get(i).map_or(0, |&r| r as usize)
    }

    fn seek_to_restart(&mut self, i: usize) {
        self.key.clear();
        self.restart_index = i;
        self.next = self.restart_point(i);
    }

    /// Decodes the entry at `self.next`; `Ok(false)` at the end of the block.
    #[inline]
    fn parse_next(&mut self) -> Result<bool, DecodeError> {
        self.current = self.next;
        let limit = self.block.restarts_off;
        if self.current >= limit {
            self.invalidate();
            return Ok(false);
        }
        let Some(e) = decode_entry(&self.block.data, self.current, limit) else {
            let at = self.current;
            return Err(self.fail(at, "undecodable block entry"));
        };
        if e.shared > self.key.len() {
            let at = self.current;
            return Err(self.fail(
                at,
                "block entry shares more bytes than the previous key has",
            ));
        }
        let Some(delta) = self.block.data.get(e.delta.0..e.delta.1) else {
            let at = self.current;
            return Err(self.fail(at, "block entry key out of bounds"));
        };
        self.key.truncate(e.shared);
        self.key.extend_from_slice(delta);
        self.value = e.value;
        self.next = e.value.1;
        while self.restart_index + 1 < self.block.restarts.len()
            && self.restart_point(self.restart_index + 1) <= self.current
        {
            self.restart_index += 1;
        }
        Ok(true)
    }

    /// Positions at the first entry.
    pub fn seek_to_first(&mut self) -> Result<(), DecodeError> {
        self.seek_to_restart(0);
        self.parse_next().map(|_| ())
    }

    /// Positions at the last entry.
    pub fn seek_to_last(&mut self) -> Result<(), DecodeError> {
        self.seek_to_restart(self.block.restarts.len().saturating_sub(1));
        while self.parse_next()? && self.next < self.block.restarts_off {}
        Ok(())
    }

    /// Positions at the first entry whose key is `>= target` (internal-key
    /// order), or makes the iterator invalid if there is none.
    pub fn seek(&mut self, target: &[u8]) -> Result<(), DecodeError> {
        let limit = self.block.restarts_off;
        // Binary search for the last restart point whose key is < target.
        let mut left = 0usize;
        let mut right = self.block.restarts.len().saturating_sub(1);
        while left < right {
            let mid = (left + right).div_ceil(2);
            let off = self.restart_point(mid);
            let key = match decode_entry(&self.block.data, off, limit) {
                Some(e) if e.shared == 0 => self.block.data.get(e.delta.0..e.delta.1),
                _ => None,
            };
            let Some(key) = key else {
                return Err(self.fail(off, "bad entry at restart point"));
            };
            if compare_internal(key, target) == Ordering::Less {
                left = mid;
            } else {
                right = mid - 1;
            }
        }
        self.seek_to_restart(left);
        while self.parse_next()? {
            if compare_internal(&self.key, target) != Ordering::Less {
                break;
            }
        }
        Ok(())
    }

    /// Moves to the next entry. REQUIRES: `valid()`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<(), DecodeError> {
        debug_assert!(self.valid());
        self.parse_next().map(|_| ())
    }

    /// Moves to the previous entry (invalid before the first). REQUIRES: `valid()`.
    pub fn prev(&mut self) -> Result<(), DecodeError> {
        debug_assert!(self.valid());
        let original = self.current;
        while self.restart_point(self.restart_index) >= original {
            if self.restart_index == 0 {
                self.invalidate();
                return Ok(());
            }
            self.restart_index -= 1;
        }
        self.seek_to_restart(self.restart_index);
        while self.parse_next()? && self.next < original {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{make_internal_key, ValueKind};
    use crate::sstable::BlockBuilder;

    fn entries(n: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        (0..n)
            .map(|i| {
                // Several versions of some keys to exercise the trailer order.
                let uk = format!("key{:06}", i / 3);
                let seq = 1000 - (i % 3) as u64;
                (
                    make_internal_key(uk.as_bytes(), seq, ValueKind::Value),
                    format!("value-{i}").repeat(i % 4).into_bytes(),
                )
            })
            .collect()
    }

    fn build(es: &[(Vec<u8>, Vec<u8>)], interval: usize) -> Arc<Block> {
        let mut b = BlockBuilder::new(interval);
        for (k, v) in es {
            b.add(k, v);
        }
        let est = b.current_size_estimate();
        let data = b.finish().to_vec();
        assert_eq!(data.len(), est);
        Arc::new(Block::new(data).expect("valid block"))
    }

    #[test]
    fn iterate_forward_and_backward() {
        for interval in [1, 2, 16] {
            for n in [1, 2, 15, 16, 17, 33, 500] {
                let es = entries(n);
                let block = build(&es, interval);
                let mut it = block.iter();
                assert!(!it.valid());
                it.seek_to_first().unwrap();
                for (k, v) in &es {
                    assert!(it.valid());
                    assert_eq!((it.key(), it.value()), (&k[..], &v[..]));
                    it.next().unwrap();
                }
                assert!(!it.valid());
                it.seek_to_last().unwrap();
                for (k, v) in es.iter().rev() {
                    assert!(it.valid());
                    assert_eq!((it.key(), it.value()), (&k[..], &v[..]));
                    it.prev().unwrap();
                }
                assert!(!it.valid());
            }
        }
    }

    #[test]
    fn seek_exact_between_and_past_end() {
        let es = entries(300);
        let block = build(&es, 16);
        let mut it = block.iter();
        for (i, (k, _)) in es.iter().enumerate() {
            it.seek(k).unwrap();
            assert_eq!(it.key(), &k[..], "exact seek {i}");
            // A key just after k (same user key, lower seq) lands on es[i+1].
            let p = crate::key::parse_internal_key(k).unwrap();
            let after = make_internal_key(p.user_key, p.seq - 1, ValueKind::Value);
            it.seek(&after).unwrap();
            match es.get(i + 1) {
                Some((next, _)) if crate::key::compare_internal(next, &after).is_ge() => {
                    assert_eq!(it.key(), &next[..])
                }
                Some(_) => unreachable!("entries are 3 versions apart"),
                None => assert!(!it.valid()),
            }
            // prev/next around a seek position.
            it.seek(k).unwrap();
            if i > 0 {
                it.prev().unwrap();
                assert_eq!(it.key(), &es[i - 1].0[..]);
                it.next().unwrap();
                assert_eq!(it.key(), &k[..]);
            }
        }
        it.seek(&make_internal_key(b"zzz", 1, ValueKind::Value))
            .unwrap();
        assert!(!it.valid());
        it.seek(&make_internal_key(b"", 1, ValueKind::Value))
            .unwrap();
        assert_eq!(it.key(), &es[0].0[..]);
    }

    #[test]
    fn rejects_bad_restart_arrays_and_entries() {
        assert!(Block::new(vec![]).is_err());
        assert!(Block::new(vec![0, 0, 0, 0]).is_err());
        assert!(Block::new(vec![1, 0, 0, 0, 0, 0, 0xff, 0xff]).is_err());
        // Entry claims more bytes than exist: block loads, iteration errors.
        let mut data = vec![0u8, 5, 1, b'a'];
        data.extend_from_slice(&0u32.to_le_bytes());
        data.extend_from_slice(&1u32.to_le_bytes());
        let b = Arc::new(Block::new(data).expect("restart array fine"));
        let mut it = b.iter();
        let e = it.seek_to_first().unwrap_err();
        assert_eq!(e.offset, 0);
        assert!(!it.valid());
        assert!(it.seek(b"a").is_err());
    }

    #[test]
    fn every_byte_flip_never_panics() {
        let es = entries(40);
        let block = build(&es, 4);
        let data = block.contents().to_vec();
        for i in 0..data.len() {
            for bit in [0x01u8, 0x80] {
                let mut d = data.clone();
                d[i] ^= bit;
                if let Ok(b) = Block::new(d) {
                    let b = Arc::new(b);
                    let mut it = b.iter();
                    let mut steps = 0;
                    if it.seek_to_first().is_ok() {
                        while it.valid() && steps < 1000 && it.next().is_ok() {
                            steps += 1;
                        }
                    }
                    let _ = it.seek_to_last().and_then(|_| {
                        while it.valid() && steps < 2000 {
                            it.prev()?;
                            steps += 1;
                        }
                        Ok(())
                    });
                    let _ = it.seek(&es[20].0);
                }
            }
        }
    }
}
