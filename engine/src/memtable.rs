//! The memtable: a concurrent skiplist of internal keys, the newest writes of
//! the database. Writers insert while readers and iterators run.

use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Arc, OnceLock};

use crossbeam_skiplist::map::Entry;
use crossbeam_skiplist::SkipMap;

use crate::error::Result;
use crate::iter::InternalIterator;
use crate::key::{self, ValueKind};

/// Bytes of the user key kept inline in each skiplist node.
const HEAD_LEN: usize = 16;

/// One memtable entry: the internal key and the value in one allocation,
/// plus the first bytes of the user key inline, so most comparisons during a
/// skiplist search touch only the node itself (no pointer chase).
struct MemEntry {
    /// First `HEAD_LEN` bytes of the user key, zero-padded.
    head: [u8; HEAD_LEN],
    /// Internal key followed by the value.
    data: Box<[u8]>,
    key_len: u32,
}

impl MemEntry {
    /// A search key (no value).
    fn probe(ikey: Vec<u8>) -> MemEntry {
        MemEntry {
            head: head_of(key::user_key(&ikey)),
            key_len: ikey.len() as u32,
            data: ikey.into_boxed_slice(),
        }
    }

    fn ikey(&self) -> &[u8] {
        &self.data[..self.key_len as usize]
    }

    fn value(&self) -> &[u8] {
        &self.data[self.key_len as usize..]
    }
}

fn head_of(uk: &[u8]) -> [u8; HEAD_LEN] {
    let n = uk.len().min(HEAD_LEN);
    let mut h = [0u8; HEAD_LEN];
    h[..n].copy_from_slice(&uk[..n]);
    h
}

impl PartialEq for MemEntry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MemEntry {}

impl Ord for MemEntry {
    /// Internal-key order. Differing heads already decide it: at the first
    /// differing position either both keys have real bytes, or the shorter
    /// key has padding (0) there and is a prefix of the longer, so smaller.
    fn cmp(&self, other: &Self) -> Ordering {
        match self.head.cmp(&other.head) {
            Ordering::Equal => key::compare_internal(self.ikey(), other.ikey()),
            o => o,
        }
    }
}

impl PartialOrd for MemEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What a memtable knows about a key at a snapshot.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The newest visible entry is a value.
    Found(Vec<u8>),
    /// The newest visible entry is a separated value; this is its encoded
    /// blob index.
    Blob(Vec<u8>),
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
    map: SkipMap<MemEntry, ()>,
    size: AtomicUsize,
    /// Number of the WAL file whose records this memtable holds.
    log_number: u64,
    /// The blob file holding this memtable's separated values, once its
    /// first separated write allocated one (format-spec/value-log.md: one
    /// blob file per memtable and WAL).
    blob_number: OnceLock<u64>,
    /// Bytes appended to that blob file.
    blob_bytes: AtomicU64,
}

impl MemTable {
    /// An empty memtable whose writes are logged in WAL `log_number`.
    pub fn new(log_number: u64) -> MemTable {
        MemTable {
            map: SkipMap::new(),
            size: AtomicUsize::new(0),
            log_number,
            blob_number: OnceLock::new(),
            blob_bytes: AtomicU64::new(0),
        }
    }

    /// Inserts one entry. Sequence numbers are unique, so keys never collide.
    pub fn add(&self, seq: u64, kind: ValueKind, user_key: &[u8], value: &[u8]) {
        let key_len = user_key.len() + key::TRAILER_LEN;
        self.size.fetch_add(
            key_len + value.len() + ENTRY_OVERHEAD,
            AtomicOrdering::Relaxed,
        );
        let mut data = Vec::with_capacity(key_len + value.len());
        key::append_internal_key(&mut data, user_key, seq, kind);
        data.extend_from_slice(value);
        self.map.insert(
            MemEntry {
                head: head_of(user_key),
                data: data.into_boxed_slice(),
                key_len: key_len as u32,
            },
            (),
        );
    }

    /// The newest entry for `user_key` with sequence `<= seq`.
    pub fn get(&self, user_key: &[u8], seq: u64) -> Lookup {
        let lookup = MemEntry::probe(key::make_internal_key(user_key, seq, key::KIND_FOR_SEEK));
        let Some(e) = self.map.lower_bound(Bound::Included(&lookup)) else {
            return Lookup::Absent;
        };
        match key::parse_internal_key(e.key().ikey()) {
            Some(p) if p.user_key == user_key => match p.kind {
                ValueKind::Value => Lookup::Found(e.key().value().to_vec()),
                ValueKind::ValueBlob => Lookup::Blob(e.key().value().to_vec()),
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

    /// The blob file of this memtable's separated values, if it has one.
    pub fn blob_number(&self) -> Option<u64> {
        self.blob_number.get().copied()
    }

    /// Gives this memtable its blob file; returns the number it has (the
    /// first one set wins).
    pub fn set_blob_number(&self, number: u64) -> u64 {
        *self.blob_number.get_or_init(|| number)
    }

    /// Bytes appended to this memtable's blob file.
    pub fn blob_bytes(&self) -> u64 {
        self.blob_bytes.load(AtomicOrdering::Relaxed)
    }

    /// Counts `n` more bytes appended to this memtable's blob file.
    pub fn add_blob_bytes(&self, n: u64) {
        self.blob_bytes.fetch_add(n, AtomicOrdering::Relaxed);
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
    current: Option<Entry<'static, MemEntry, ()>>,
    table: Arc<MemTable>,
}

impl MemTableIter {
    /// The skiplist with a lifetime detached from `self`, so entries can be
    /// stored beside the `Arc` that owns it.
    fn map(&self) -> &'static SkipMap<MemEntry, ()> {
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
        let probe = MemEntry::probe(target.to_vec());
        self.current = self.map().lower_bound(Bound::Included(&probe));
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
        self.current.as_ref().map_or(&[], |e| e.key().ikey())
    }
    fn value(&self) -> &[u8] {
        self.current.as_ref().map_or(&[], |e| e.key().value())
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
