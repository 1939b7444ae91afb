//! The user-facing view of an internal iterator: one entry per user key, the
//! newest version visible at a snapshot, tombstones hidden.
//!
//! A separated value (`ValueBlob`) is a value like any other here; its value
//! is the blob index, which [`DbIter::value_kind`] lets the owner resolve.
//!
//! The direction-switching logic follows LevelDB's `db/db_iter.cc`: moving
//! forward, the inner iterator sits on the current entry; moving backward, it
//! sits just before all entries of the current user key, whose newest visible
//! value is saved.

use std::cmp::Ordering;

use super::InternalIterator;
use crate::error::Result;
use crate::key::{self, ValueKind};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Forward,
    Reverse,
}

/// Iterates user keys and values at a fixed sequence number.
pub struct DbIter<I: InternalIterator> {
    inner: I,
    seq: u64,
    direction: Direction,
    valid: bool,
    /// Forward: the user key being skipped. Reverse: the current user key.
    saved_key: Vec<u8>,
    /// Reverse: the current value.
    saved_value: Vec<u8>,
    /// Reverse: the kind of the current value.
    saved_kind: ValueKind,
}

impl<I: InternalIterator> DbIter<I> {
    /// Views `inner` as of sequence number `seq`.
    pub fn new(inner: I, seq: u64) -> DbIter<I> {
        DbIter {
            inner,
            seq,
            direction: Direction::Forward,
            valid: false,
            saved_key: Vec::new(),
            saved_value: Vec::new(),
            saved_kind: ValueKind::Value,
        }
    }

    /// True when positioned at an entry.
    pub fn valid(&self) -> bool {
        self.valid
    }

    /// The current user key. REQUIRES: `valid()`.
    pub fn key(&self) -> &[u8] {
        match self.direction {
            Direction::Forward => key::user_key(self.inner.key()),
            Direction::Reverse => &self.saved_key,
        }
    }

    /// The current value. REQUIRES: `valid()`.
    pub fn value(&self) -> &[u8] {
        match self.direction {
            Direction::Forward => self.inner.value(),
            Direction::Reverse => &self.saved_value,
        }
    }

    /// The kind of the current value: [`ValueKind::Value`], or
    /// [`ValueKind::ValueBlob`] when [`DbIter::value`] is a blob index.
    /// REQUIRES: `valid()`.
    pub fn value_kind(&self) -> ValueKind {
        match self.direction {
            Direction::Forward => {
                key::parse_internal_key(self.inner.key()).map_or(ValueKind::Value, |p| p.kind)
            }
            Direction::Reverse => self.saved_kind,
        }
    }

    fn fail<T>(&mut self, e: crate::Error) -> Result<T> {
        self.valid = false;
        Err(e)
    }

    /// Moves to the first visible entry at or after the inner position. With
    /// `skipping`, entries whose user key is `<= saved_key` are hidden.
    fn find_next_user_entry(&mut self, mut skipping: bool) -> Result<()> {
        while self.inner.valid() {
            let Some(p) = key::parse_internal_key(self.inner.key()) else {
                return self.fail(crate::Error::InvalidArgument(
                    "malformed internal key from iterator".into(),
                ));
            };
            if p.seq <= self.seq {
                match p.kind {
                    ValueKind::Deletion => {
                        self.saved_key.clear();
                        self.saved_key.extend_from_slice(p.user_key);
                        skipping = true;
                    }
                    ValueKind::Value | ValueKind::ValueBlob => {
                        if !(skipping && p.user_key <= &self.saved_key[..]) {
                            self.valid = true;
                            self.saved_key.clear();
                            return Ok(());
                        }
                    }
                }
            }
            if let Err(e) = self.inner.next() {
                return self.fail(e);
            }
        }
        self.saved_key.clear();
        self.valid = false;
        Ok(())
    }

    /// Moves backward to the previous visible user key, saving its newest
    /// visible value; leaves the inner iterator before that key's entries.
    fn find_prev_user_entry(&mut self) -> Result<()> {
        let mut kind = ValueKind::Deletion;
        while self.inner.valid() {
            let Some(p) = key::parse_internal_key(self.inner.key()) else {
                return self.fail(crate::Error::InvalidArgument(
                    "malformed internal key from iterator".into(),
                ));
            };
            if p.seq <= self.seq {
                if kind != ValueKind::Deletion && p.user_key < &self.saved_key[..] {
                    // Reached an older user key: the saved entry is the answer.
                    break;
                }
                kind = p.kind;
                self.saved_key.clear();
                self.saved_value.clear();
                if kind.is_value() {
                    self.saved_kind = kind;
                    self.saved_key.extend_from_slice(p.user_key);
                    self.saved_value.extend_from_slice(self.inner.value());
                }
            }
            if let Err(e) = self.inner.prev() {
                return self.fail(e);
            }
        }
        if kind == ValueKind::Deletion {
            self.valid = false;
            self.saved_key.clear();
            self.saved_value.clear();
            self.direction = Direction::Forward;
        } else {
            self.valid = true;
        }
        Ok(())
    }

    /// Positions at the first visible key.
    pub fn seek_to_first(&mut self) -> Result<()> {
        self.direction = Direction::Forward;
        self.saved_value.clear();
        if let Err(e) = self.inner.seek_to_first() {
            return self.fail(e);
        }
        self.find_next_user_entry(false)
    }

    /// Positions at the last visible key.
    pub fn seek_to_last(&mut self) -> Result<()> {
        self.direction = Direction::Reverse;
        self.saved_value.clear();
        if let Err(e) = self.inner.seek_to_last() {
            return self.fail(e);
        }
        self.find_prev_user_entry()
    }

    /// Positions at the first visible key `>= target`.
    pub fn seek(&mut self, target: &[u8]) -> Result<()> {
        self.direction = Direction::Forward;
        self.saved_value.clear();
        self.saved_key.clear();
        key::append_internal_key(&mut self.saved_key, target, self.seq, key::KIND_FOR_SEEK);
        let target_ikey = std::mem::take(&mut self.saved_key);
        let r = self.inner.seek(&target_ikey);
        self.saved_key = target_ikey;
        if let Err(e) = r {
            return self.fail(e);
        }
        self.find_next_user_entry(false)
    }

    /// Positions at the last visible key `<= target`.
    pub fn seek_for_prev(&mut self, target: &[u8]) -> Result<()> {
        self.seek(target)?;
        if !self.valid {
            return self.seek_to_last();
        }
        if self.key().cmp(target) == Ordering::Greater {
            self.prev()?;
        }
        Ok(())
    }

    /// Moves to the next visible key. REQUIRES: `valid()`.
    #[expect(
        clippy::should_implement_trait,
        reason = "a fallible cursor, not an Iterator: positioning can fail"
    )]
    pub fn next(&mut self) -> Result<()> {
        if !self.valid {
            return Ok(());
        }
        if self.direction == Direction::Reverse {
            self.direction = Direction::Forward;
            // The inner iterator is before every entry of saved_key.
            let r = if self.inner.valid() {
                self.inner.next()
            } else {
                self.inner.seek_to_first()
            };
            if let Err(e) = r {
                return self.fail(e);
            }
            if !self.inner.valid() {
                self.valid = false;
                self.saved_key.clear();
                return Ok(());
            }
            // saved_key already holds the current key: skip its entries.
        } else {
            self.saved_key.clear();
            self.saved_key
                .extend_from_slice(key::user_key(self.inner.key()));
            if let Err(e) = self.inner.next() {
                return self.fail(e);
            }
            if !self.inner.valid() {
                self.valid = false;
                self.saved_key.clear();
                return Ok(());
            }
        }
        self.find_next_user_entry(true)
    }

    /// Moves to the previous visible key. REQUIRES: `valid()`.
    pub fn prev(&mut self) -> Result<()> {
        if !self.valid {
            return Ok(());
        }
        if self.direction == Direction::Forward {
            // The inner iterator is at the current entry; go back past every
            // entry of the current user key.
            self.saved_key.clear();
            self.saved_key
                .extend_from_slice(key::user_key(self.inner.key()));
            loop {
                if let Err(e) = self.inner.prev() {
                    return self.fail(e);
                }
                if !self.inner.valid() {
                    self.valid = false;
                    self.saved_key.clear();
                    self.saved_value.clear();
                    return Ok(());
                }
                if key::user_key(self.inner.key()) < &self.saved_key[..] {
                    break;
                }
            }
            self.direction = Direction::Reverse;
        }
        self.find_prev_user_entry()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::iter::merge::MergingIter;
    use crate::iter::BoxIter;
    use crate::memtable::MemTable;

    /// (table index, key, Some(value) | None for delete) in sequence order.
    fn ops() -> impl Strategy<Value = Vec<(usize, u8, Option<u8>)>> {
        proptest::collection::vec(
            (0usize..3, 0u8..12, proptest::option::of(any::<u8>())),
            0..60,
        )
    }

    fn model_at(ops: &[(usize, u8, Option<u8>)], seq: u64) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let mut m = BTreeMap::new();
        for (i, (_, k, v)) in ops.iter().enumerate() {
            if (i as u64 + 1) > seq {
                break;
            }
            match v {
                Some(v) => m.insert(vec![*k], vec![*v]),
                None => m.remove(&vec![*k]),
            };
        }
        m
    }

    fn build(ops: &[(usize, u8, Option<u8>)]) -> MergingIter {
        let tables: Vec<Arc<MemTable>> = (0..3).map(|i| Arc::new(MemTable::new(i))).collect();
        for (i, (t, k, v)) in ops.iter().enumerate() {
            let seq = i as u64 + 1;
            match v {
                Some(v) => tables[*t].add(seq, ValueKind::Value, &[*k], &[*v]),
                None => tables[*t].add(seq, ValueKind::Deletion, &[*k], b""),
            }
        }
        MergingIter::new(
            tables
                .iter()
                .map(|t| Box::new(t.iter()) as BoxIter)
                .collect(),
        )
    }

    #[test]
    fn separated_values_are_values_and_report_their_kind() {
        let m = Arc::new(MemTable::new(1));
        m.add(1, ValueKind::ValueBlob, b"a", b"index-a-old");
        m.add(2, ValueKind::Value, b"a", b"inline");
        m.add(3, ValueKind::ValueBlob, b"b", b"index-b");
        m.add(4, ValueKind::Deletion, b"c", b"");
        m.add(5, ValueKind::ValueBlob, b"d", b"index-d");
        let mut it = DbIter::new(MergingIter::new(vec![Box::new(m.iter()) as BoxIter]), 5);
        let mut forward = Vec::new();
        it.seek_to_first().unwrap();
        while it.valid() {
            forward.push((it.key().to_vec(), it.value().to_vec(), it.value_kind()));
            it.next().unwrap();
        }
        let want = vec![
            (b"a".to_vec(), b"inline".to_vec(), ValueKind::Value),
            (b"b".to_vec(), b"index-b".to_vec(), ValueKind::ValueBlob),
            (b"d".to_vec(), b"index-d".to_vec(), ValueKind::ValueBlob),
        ];
        assert_eq!(forward, want);
        let mut backward = Vec::new();
        it.seek_to_last().unwrap();
        while it.valid() {
            backward.push((it.key().to_vec(), it.value().to_vec(), it.value_kind()));
            it.prev().unwrap();
        }
        backward.reverse();
        assert_eq!(backward, want);
        // At sequence 1 the old separated value of "a" is the one visible.
        let mut old = DbIter::new(MergingIter::new(vec![Box::new(m.iter()) as BoxIter]), 1);
        old.seek_to_last().unwrap();
        assert_eq!(
            (old.key(), old.value(), old.value_kind()),
            (&b"a"[..], &b"index-a-old"[..], ValueKind::ValueBlob)
        );
    }

    proptest! {
        #[test]
        fn matches_model_in_both_directions(ops in ops(), snap in 0u64..70, walk in proptest::collection::vec(0u8..4, 0..40), target in 0u8..13) {
            let model = model_at(&ops, snap);
            let expected: Vec<(Vec<u8>, Vec<u8>)> = model.clone().into_iter().collect();
            let mut it = DbIter::new(build(&ops), snap);

            it.seek_to_first().unwrap();
            let mut got = Vec::new();
            while it.valid() { got.push((it.key().to_vec(), it.value().to_vec())); it.next().unwrap(); }
            prop_assert_eq!(&got, &expected);

            it.seek_to_last().unwrap();
            let mut back = Vec::new();
            while it.valid() { back.push((it.key().to_vec(), it.value().to_vec())); it.prev().unwrap(); }
            back.reverse();
            prop_assert_eq!(&back, &expected);

            // Random walk from a seek, checked against the model's positions.
            it.seek(&[target]).unwrap();
            let mut pos = expected.iter().position(|(k, _)| k[..] >= [target][..]);
            for step in walk {
                match (pos, it.valid()) {
                    (Some(p), true) => prop_assert_eq!((it.key(), it.value()), (&expected[p].0[..], &expected[p].1[..])),
                    (None, false) => break,
                    (p, v) => prop_assert!(false, "model at {:?}, iterator valid {}", p, v),
                }
                let p = pos.unwrap_or(0);
                if step % 2 == 0 {
                    it.next().unwrap();
                    pos = if p + 1 < expected.len() { Some(p + 1) } else { None };
                } else {
                    it.prev().unwrap();
                    pos = p.checked_sub(1);
                }
            }

            it.seek_for_prev(&[target]).unwrap();
            let want = expected.iter().rev().find(|(k, _)| k[..] <= [target][..]);
            match want {
                Some((k, v)) => { prop_assert!(it.valid()); prop_assert_eq!((it.key(), it.value()), (&k[..], &v[..])); }
                None => prop_assert!(!it.valid()),
            }
        }
    }
}
