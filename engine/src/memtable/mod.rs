//! The memtable: the newest writes of the database, sorted by internal key.
//!
//! A memtable is a sequence of *parts*, each a skiplist in an arena
//! ([`skiplist`], [`arena`]) with a bloom filter over its user keys
//! ([`filter`]). Writes go to the newest part; once it holds `part_bytes` a
//! new part starts. So a large memtable (fewer, larger L0 files, hence less
//! compaction) inserts at the speed of a small skiplist that stays in the
//! CPU caches, instead of paying a cache miss per level of one deep
//! skiplist. A point read checks each part's filter, newest first, and
//! looks the key up only in parts that may hold it, through the part's
//! point-lookup index (a hash of chains beside the skiplist's levels, see
//! [`skiplist`]); iteration merges the parts.
//!
//! One writer (the group-commit leader) inserts while readers and iterators
//! run without locks.

mod arena;
mod filter;
mod skiplist;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use crate::error::Result;
use crate::iter::merge::MergingIter;
use crate::iter::{BoxIter, InternalIterator};
use crate::key::{self, ValueKind};
use filter::PartFilter;
use skiplist::{Cursor, SkipList};

/// Most parts a memtable has; past this the last part keeps growing.
const MAX_PARTS: usize = 64;

/// Bytes of part memory per point-lookup index bucket (an 8-byte pointer,
/// so the index takes 1/32 of a part): about one bucket per entry of a
/// 16-byte key and 100-byte value with its node.
const BYTES_PER_BUCKET: usize = 256;

/// Part size for a memtable of `write_buffer_size` bytes: an eighth of it,
/// so a full memtable has about eight parts (a read checks at most that
/// many filters), but no larger than 8 MiB, a skiplist size whose inserts
/// are still fast, and no smaller than 4 KiB.
pub fn part_bytes_for(write_buffer_size: usize) -> usize {
    (write_buffer_size / 8).clamp(4 << 10, 8 << 20)
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

/// One skiplist of a memtable and the filter of its user keys.
struct Part {
    list: SkipList,
    filter: PartFilter,
}

/// A sorted in-memory table of internal keys.
pub struct MemTable {
    /// `parts[..count]` are initialised, oldest first. Entries of one user
    /// key may be spread over several parts; newer parts hold newer ones.
    parts: Box<[OnceLock<Part>]>,
    count: AtomicUsize,
    part_bytes: usize,
    /// Memory of the sealed parts (all but the newest).
    sealed_memory: AtomicUsize,
    /// Number of the WAL file whose records this memtable holds.
    log_number: u64,
    /// A write separated a value into this memtable's blob file (named with
    /// its WAL's number: format-spec/value-log.md, "Files").
    has_blob: AtomicBool,
    /// Bytes appended to that blob file.
    blob_bytes: AtomicU64,
}

impl MemTable {
    /// An empty memtable whose writes are logged in WAL `log_number`, with
    /// parts of 8 MiB.
    #[cfg(test)]
    pub fn new(log_number: u64) -> MemTable {
        MemTable::with_part_bytes(log_number, 8 << 20)
    }

    /// An empty memtable whose writes are logged in WAL `log_number`, with
    /// parts sized for a memtable of `write_buffer_size` bytes
    /// ([`part_bytes_for`]).
    pub fn sized_for(log_number: u64, write_buffer_size: usize) -> MemTable {
        MemTable::with_part_bytes(log_number, part_bytes_for(write_buffer_size))
    }

    /// An empty memtable whose parts hold about `part_bytes` bytes each
    /// (see [`part_bytes_for`]).
    pub fn with_part_bytes(log_number: u64, part_bytes: usize) -> MemTable {
        let part_bytes = part_bytes.max(1);
        let parts: Box<[OnceLock<Part>]> = (0..MAX_PARTS).map(|_| OnceLock::new()).collect();
        let m = MemTable {
            parts,
            count: AtomicUsize::new(1),
            part_bytes,
            sealed_memory: AtomicUsize::new(0),
            log_number,
            has_blob: AtomicBool::new(false),
            blob_bytes: AtomicU64::new(0),
        };
        m.parts[0].get_or_init(|| m.new_part());
        m
    }

    fn new_part(&self) -> Part {
        Part {
            list: SkipList::new(self.part_bytes / 8, self.part_bytes / BYTES_PER_BUCKET),
            filter: PartFilter::new(self.part_bytes),
        }
    }

    /// The initialised parts, oldest first.
    fn parts(&self) -> impl DoubleEndedIterator<Item = &Part> {
        let n = self.count.load(Ordering::Acquire);
        self.parts[..n].iter().filter_map(OnceLock::get)
    }

    /// Inserts one entry. Sequence numbers are unique, so keys never collide.
    /// REQUIRES: one writer at a time (the group-commit leader, or recovery).
    pub fn add(&self, seq: u64, kind: ValueKind, user_key: &[u8], value: &[u8]) {
        let mut n = self.count.load(Ordering::Acquire);
        let Some(mut part) = self.parts.get(n - 1).and_then(OnceLock::get) else {
            unreachable!("parts[..count] are initialised");
        };
        if part.list.memory() >= self.part_bytes && n < MAX_PARTS {
            // Seal the newest part: later entries go to a new one. Its
            // contents stay readable; it simply takes no more inserts.
            self.sealed_memory
                .fetch_add(part.list.memory(), Ordering::Relaxed);
            part = self.parts[n].get_or_init(|| self.new_part());
            n += 1;
            self.count.store(n, Ordering::Release);
        }
        let mut ikey = Vec::with_capacity(user_key.len() + key::TRAILER_LEN);
        key::append_internal_key(&mut ikey, user_key, seq, kind);
        let h = filter::hash(user_key);
        part.filter.add(h);
        part.list.insert(&ikey, value, h);
    }

    /// The newest entry for `user_key` with sequence `<= seq`.
    pub fn get(&self, user_key: &[u8], seq: u64) -> Lookup {
        let lookup = key::make_internal_key(user_key, seq, key::KIND_FOR_SEEK);
        let h = filter::hash(user_key);
        // Newest part first: the first part with a visible entry for the
        // key holds the newest one.
        for part in self.parts().rev() {
            if !part.filter.may_contain(h) {
                continue;
            }
            let c = part.list.find(user_key, h, &lookup);
            if let Some(p) = key::parse_internal_key(part.list.key(c)) {
                return match p.kind {
                    ValueKind::Value => Lookup::Found(part.list.value(c).to_vec()),
                    ValueKind::ValueBlob => Lookup::Blob(part.list.value(c).to_vec()),
                    ValueKind::Deletion => Lookup::Deleted,
                };
            }
        }
        Lookup::Absent
    }

    /// Memory used, in bytes: the arena bytes of every part, which hold
    /// every key, value and skiplist link, and each part's point-lookup
    /// index (1/32 of `part_bytes`, made by the part's first insert). Not
    /// counted: each part's filter (1/128 of `part_bytes`, allocated up
    /// front) and the unused tail of each part's last arena chunk.
    pub fn approximate_size(&self) -> usize {
        let n = self.count.load(Ordering::Acquire);
        let newest = self
            .parts
            .get(n - 1)
            .and_then(OnceLock::get)
            .map_or(0, |p| p.list.memory());
        self.sealed_memory.load(Ordering::Relaxed) + newest
    }

    /// Number of parts.
    #[cfg(test)]
    pub fn num_parts(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// True if nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.parts().all(|p| p.list.is_empty())
    }

    /// The WAL file whose records this memtable holds.
    pub fn log_number(&self) -> u64 {
        self.log_number
    }

    /// The blob file of this memtable's separated values (numbered as its
    /// WAL), once a write has separated a value into it.
    pub fn blob_number(&self) -> Option<u64> {
        self.has_blob
            .load(Ordering::Acquire)
            .then_some(self.log_number)
    }

    /// Records that this memtable's blob file exists (a write is about to
    /// separate a value into it); returns its number.
    pub fn use_blob_file(&self) -> u64 {
        self.has_blob.store(true, Ordering::Release);
        self.log_number
    }

    /// Bytes appended to this memtable's blob file.
    pub fn blob_bytes(&self) -> u64 {
        self.blob_bytes.load(Ordering::Relaxed)
    }

    /// Counts `n` more bytes appended to this memtable's blob file.
    pub fn add_blob_bytes(&self, n: u64) {
        self.blob_bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// An iterator that keeps this memtable alive. It sees the parts that
    /// exist now; entries written later may or may not appear (readers
    /// filter by sequence number anyway).
    pub fn iter(self: &Arc<Self>) -> MemTableIter {
        let n = self.count.load(Ordering::Acquire);
        if n == 1 {
            return MemTableIter::Part(PartIter {
                table: Arc::clone(self),
                part: 0,
                current: Cursor::NONE,
            });
        }
        let children: Vec<BoxIter> = (0..n)
            .map(|part| {
                Box::new(PartIter {
                    table: Arc::clone(self),
                    part,
                    current: Cursor::NONE,
                }) as BoxIter
            })
            .collect();
        MemTableIter::Merged(MergingIter::new(children))
    }
}

/// Iterator over one part.
pub struct PartIter {
    table: Arc<MemTable>,
    part: usize,
    /// A node of the part's skiplist, valid while `table` is held.
    current: Cursor,
}

impl PartIter {
    fn list(&self) -> &SkipList {
        match self.table.parts.get(self.part).and_then(OnceLock::get) {
            Some(p) => &p.list,
            None => unreachable!("iterators are made only over initialised parts"),
        }
    }
}

impl InternalIterator for PartIter {
    fn valid(&self) -> bool {
        self.current.is_some()
    }
    fn seek_to_first(&mut self) -> Result<()> {
        self.current = self.list().first();
        Ok(())
    }
    fn seek_to_last(&mut self) -> Result<()> {
        self.current = self.list().last();
        Ok(())
    }
    fn seek(&mut self, target: &[u8]) -> Result<()> {
        self.current = self.list().seek(target);
        Ok(())
    }
    fn next(&mut self) -> Result<()> {
        self.current = self.list().next(self.current);
        Ok(())
    }
    fn prev(&mut self) -> Result<()> {
        self.current = self.list().prev(self.current);
        Ok(())
    }
    fn key(&self) -> &[u8] {
        self.list().key(self.current)
    }
    fn value(&self) -> &[u8] {
        self.list().value(self.current)
    }
}

/// Iterator over a memtable in internal-key order, both directions: the
/// one part's, or a merge of the parts'.
pub enum MemTableIter {
    /// A memtable with one part.
    Part(PartIter),
    /// A memtable with several parts.
    Merged(MergingIter),
}

impl MemTableIter {
    fn inner(&self) -> &dyn InternalIterator {
        match self {
            MemTableIter::Part(p) => p,
            MemTableIter::Merged(m) => m,
        }
    }

    fn inner_mut(&mut self) -> &mut dyn InternalIterator {
        match self {
            MemTableIter::Part(p) => p,
            MemTableIter::Merged(m) => m,
        }
    }
}

impl InternalIterator for MemTableIter {
    fn valid(&self) -> bool {
        self.inner().valid()
    }
    fn seek_to_first(&mut self) -> Result<()> {
        self.inner_mut().seek_to_first()
    }
    fn seek_to_last(&mut self) -> Result<()> {
        self.inner_mut().seek_to_last()
    }
    fn seek(&mut self, target: &[u8]) -> Result<()> {
        self.inner_mut().seek(target)
    }
    fn next(&mut self) -> Result<()> {
        self.inner_mut().next()
    }
    fn prev(&mut self) -> Result<()> {
        self.inner_mut().prev()
    }
    fn key(&self) -> &[u8] {
        self.inner().key()
    }
    fn value(&self) -> &[u8] {
        self.inner().value()
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

#[cfg(test)]
mod part_tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A memtable split into many parts answers every read (at every
        /// snapshot) and iterates both ways exactly like one sorted map.
        #[test]
        fn parts_read_like_one_table(
            ops in proptest::collection::vec((0u8..40, proptest::option::of(any::<u16>())), 1..400),
            part_bytes in 64usize..2048,
        ) {
            let m = Arc::new(MemTable::with_part_bytes(1, part_bytes));
            // model[(key, seq)] = value or None for a tombstone.
            let mut model: BTreeMap<(Vec<u8>, u64), Option<Vec<u8>>> = BTreeMap::new();
            for (i, (k, v)) in ops.iter().enumerate() {
                let seq = i as u64 + 1;
                let key = format!("key{k:02}").into_bytes();
                match v {
                    Some(v) => {
                        let value = v.to_le_bytes().repeat(usize::from(*v % 8));
                        m.add(seq, ValueKind::Value, &key, &value);
                        model.insert((key, seq), Some(value));
                    }
                    None => {
                        m.add(seq, ValueKind::Deletion, &key, b"");
                        model.insert((key, seq), None);
                    }
                }
            }
            if ops.len() > 50 && part_bytes < 200 {
                prop_assert!(m.num_parts() > 1);
            }
            let last = ops.len() as u64;
            for k in 0u8..42 {
                let key = format!("key{k:02}").into_bytes();
                for snap in [0, last / 3, last / 2, last] {
                    let want = model
                        .range((key.clone(), 0)..=(key.clone(), snap))
                        .next_back()
                        .map(|(_, v)| match v {
                            Some(v) => Lookup::Found(v.clone()),
                            None => Lookup::Deleted,
                        })
                        .unwrap_or(Lookup::Absent);
                    prop_assert_eq!(m.get(&key, snap), want, "key {} at {}", k, snap);
                }
            }
            // Internal-key order: user key ascending, sequence descending.
            let mut want: Vec<(Vec<u8>, u64)> = model.keys().cloned().collect();
            want.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            let mut it = m.iter();
            let mut got = Vec::new();
            it.seek_to_first().expect("seek");
            while it.valid() {
                let p = key::parse_internal_key(it.key()).expect("key");
                got.push((p.user_key.to_vec(), p.seq));
                it.next().expect("next");
            }
            prop_assert_eq!(&got, &want);
            let mut back = Vec::new();
            it.seek_to_last().expect("seek");
            while it.valid() {
                let p = key::parse_internal_key(it.key()).expect("key");
                back.push((p.user_key.to_vec(), p.seq));
                it.prev().expect("prev");
            }
            back.reverse();
            prop_assert_eq!(&back, &want);
            prop_assert!(m.approximate_size() >= ops.len() * 24);
        }
    }
}
