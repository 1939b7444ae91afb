//! The memtable: a concurrent skiplist of internal keys, the newest writes of
//! the database. Writers insert while readers and iterators run.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::Arc;

use crossbeam_skiplist::map::Entry;
use crossbeam_skiplist::SkipMap;

use crate::error::Result;
use crate::iter::InternalIterator;
use crate::key::{self, ValueKind};

/// An internal key as an unsized type ordered by [`key::compare_internal`], so
/// the skiplist can be searched with a borrowed slice.
#[repr(transparent)]
#[derive(PartialEq, Eq)]
struct IKey([u8]);

impl IKey {
    fn new(b: &[u8]) -> &IKey {
        // SAFETY: IKey is repr(transparent) over [u8].
        unsafe { &*(b as *const [u8] as *const IKey) }
    }
}

impl Ord for IKey {
    fn cmp(&self, other: &Self) -> Ordering {
        key::compare_internal(&self.0, &other.0)
    }
}

impl PartialOrd for IKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Owned internal key stored in the skiplist.
#[derive(PartialEq, Eq)]
struct OwnedKey(Box<[u8]>);

impl Ord for OwnedKey {
    fn cmp(&self, other: &Self) -> Ordering {
        key::compare_internal(&self.0, &other.0)
    }
}

impl PartialOrd for OwnedKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Borrow<IKey> for OwnedKey {
    fn borrow(&self) -> &IKey {
        IKey::new(&self.0)
    }
}

/// What a memtable knows about a key at a snapshot.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The newest visible entry is a value.
    Found(Vec<u8>),
    /// The newest visible entry is a tombstone.
    Deleted,
    /// No visible entry for the key here; look in older data.
    Absent,
}

/// Per-entry overhead charged to the memtable's size besides key and value:
/// skiplist node, tower pointers and allocation headers (approximate).
const ENTRY_OVERHEAD: usize = 64;

/// A sorted in-memory table of internal keys.
pub struct MemTable {
    map: SkipMap<OwnedKey, Box<[u8]>>,
    size: AtomicUsize,
    /// Number of the WAL file whose records this memtable holds.
    log_number: u64,
}

impl MemTable {
    /// An empty memtable whose writes are logged in WAL `log_number`.
    pub fn new(log_number: u64) -> MemTable {
        MemTable {
            map: SkipMap::new(),
            size: AtomicUsize::new(0),
            log_number,
        }
    }

    /// Inserts one entry. Sequence numbers are unique, so keys never collide.
    pub fn add(&self, seq: u64, kind: ValueKind, user_key: &[u8], value: &[u8]) {
        let ikey = key::make_internal_key(user_key, seq, kind);
        self.size.fetch_add(
            ikey.len() + value.len() + ENTRY_OVERHEAD,
            AtomicOrdering::Relaxed,
        );
        self.map
            .insert(OwnedKey(ikey.into_boxed_slice()), value.into());
    }

    /// The newest entry for `user_key` with sequence `<= seq`.
    pub fn get(&self, user_key: &[u8], seq: u64) -> Lookup {
        let lookup = key::make_internal_key(user_key, seq, key::KIND_FOR_SEEK);
        let Some(e) = self.map.lower_bound(Bound::Included(IKey::new(&lookup))) else {
            return Lookup::Absent;
        };
        match key::parse_internal_key(&e.key().0) {
            Some(p) if p.user_key == user_key => match p.kind {
                ValueKind::Value => Lookup::Found(e.value().to_vec()),
                ValueKind::Deletion => Lookup::Deleted,
            },
            _ => Lookup::Absent,
        }
    }

    /// Approximate memory used, in bytes.
    pub fn approximate_size(&self) -> usize {
        self.size.load(AtomicOrdering::Relaxed)
    }

    /// True if nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The WAL file whose records this memtable holds.
    pub fn log_number(&self) -> u64 {
        self.log_number
    }

    /// An iterator that keeps this memtable alive.
    pub fn iter(self: &Arc<Self>) -> MemTableIter {
        MemTableIter {
            current: None,
            table: Arc::clone(self),
        }
    }
}

/// Iterator over a memtable in internal-key order, both directions.
pub struct MemTableIter {
    // Field order matters: `current` borrows from `table` and must drop first.
    // The 'static is a lie told only inside this type; see `map()`.
    current: Option<Entry<'static, OwnedKey, Box<[u8]>>>,
    table: Arc<MemTable>,
}

impl MemTableIter {
    /// The skiplist with a lifetime detached from `self`, so entries can be
    /// stored beside the `Arc` that owns it.
    fn map(&self) -> &'static SkipMap<OwnedKey, Box<[u8]>> {
        // SAFETY: the map lives inside `self.table`, an Arc this iterator owns
        // and never replaces. Every `Entry` derived from this reference is kept
        // in `self.current`, which is declared before `table` and so dropped
        // first; nothing else outlives the iterator.
        unsafe { &*std::ptr::addr_of!(self.table.map) }
    }
}

impl InternalIterator for MemTableIter {
    fn valid(&self) -> bool {
        self.current.is_some()
    }
    fn seek_to_first(&mut self) -> Result<()> {
        self.current = self.map().front();
        Ok(())
    }
    fn seek_to_last(&mut self) -> Result<()> {
        self.current = self.map().back();
        Ok(())
    }
    fn seek(&mut self, target: &[u8]) -> Result<()> {
        self.current = self.map().lower_bound(Bound::Included(IKey::new(target)));
        Ok(())
    }
    fn next(&mut self) -> Result<()> {
        let n = self.current.as_ref().and_then(|e| e.next());
        self.current = n;
        Ok(())
    }
    fn prev(&mut self) -> Result<()> {
        let p = self.current.as_ref().and_then(|e| e.prev());
        self.current = p;
        Ok(())
    }
    fn key(&self) -> &[u8] {
        self.current.as_ref().map_or(&[], |e| &e.key().0)
    }
    fn value(&self) -> &[u8] {
        self.current.as_ref().map_or(&[], |e| &e.value()[..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(it: &mut MemTableIter) -> Vec<(Vec<u8>, u64)> {
        let mut out = Vec::new();
        while it.valid() {
            let p = key::parse_internal_key(it.key()).expect("valid key");
            out.push((p.user_key.to_vec(), p.seq));
            it.next().expect("next");
        }
        out
    }

    #[test]
    fn get_sees_newest_visible_version() {
        let m = MemTable::new(1);
        m.add(1, ValueKind::Value, b"a", b"v1");
        m.add(2, ValueKind::Value, b"a", b"v2");
        m.add(3, ValueKind::Deletion, b"a", b"");
        m.add(4, ValueKind::Value, b"ab", b"x");
        assert_eq!(m.get(b"a", 1), Lookup::Found(b"v1".to_vec()));
        assert_eq!(m.get(b"a", 2), Lookup::Found(b"v2".to_vec()));
        assert_eq!(m.get(b"a", 3), Lookup::Deleted);
        assert_eq!(m.get(b"a", 0), Lookup::Absent);
        assert_eq!(m.get(b"b", 9), Lookup::Absent);
        assert_eq!(m.get(b"", 9), Lookup::Absent);
        assert!(m.approximate_size() > 0);
    }

    #[test]
    fn iterates_both_directions_in_internal_order() {
        let m = Arc::new(MemTable::new(1));
        m.add(1, ValueKind::Value, b"b", b"1");
        m.add(2, ValueKind::Value, b"a", b"2");
        m.add(3, ValueKind::Value, b"b", b"3");
        let mut it = m.iter();
        it.seek_to_first().expect("seek");
        assert_eq!(
            collect(&mut it),
            vec![(b"a".to_vec(), 2), (b"b".to_vec(), 3), (b"b".to_vec(), 1)]
        );
        it.seek_to_last().expect("seek");
        assert_eq!(it.value(), b"1");
        it.prev().expect("prev");
        assert_eq!(it.value(), b"3");
        it.seek(&key::make_internal_key(b"b", 2, key::KIND_FOR_SEEK))
            .expect("seek");
        assert_eq!(it.value(), b"1");
        drop(m);
        it.prev().expect("prev");
        assert_eq!(it.value(), b"3");
    }
}
