//! A skiplist of (internal key, value) entries stored in an [`Arena`]: one
//! writer at a time, any number of concurrent readers, no locks on the read
//! side (LevelDB's `SkipList` / RocksDB's `InlineSkipList`).
//!
//! Each node is one arena block:
//!
//! ```text
//! | key_len u32 | value_len u32 | height u32 | pad u32 | chain ptr | next[height]: AtomicPtr | key | value |
//! ```
//!
//! so a search that visits a node reads its links and its key from the same
//! few cache lines, with no pointer to follow to reach the key.
//!
//! Beside the links, a point-lookup index: a fixed table of buckets, each
//! the head of a chain of the nodes whose user keys hash there, newest
//! first (`chain` links them). A point read ([`SkipList::find`]) walks one
//! short chain instead of searching the levels, which visits a node per
//! comparison and so costs a cache miss per step once the list outgrows
//! the CPU caches. The newest node of a user key in its chain is its
//! newest version as long as entries arrive in sequence order, which every
//! writer keeps (the group-commit leader and WAL replay); an entry that
//! arrives out of order turns the index off and point reads search the
//! levels.
//!
//! Memory ordering: a writer fills a node completely, including its `next`
//! links and its `chain` link, before publishing it with a release store
//! into its predecessors' links (bottom level first) and then into its
//! bucket; readers load links and buckets with acquire, so any node they
//! reach is fully initialised. Nodes are never removed or changed after
//! publication, and live until the skiplist is dropped.

use std::cmp::Ordering;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Mutex, OnceLock};

use super::arena::Arena;
use crate::key::{self, compare_internal};

/// Tallest tower. With a branching factor of 4, 16 levels index 4^16
/// (about 4 billion) entries efficiently.
const MAX_HEIGHT: usize = 16;

/// Bytes of a node before its tower.
const HEADER: usize = 24;

/// The header of a node; its tower, key and value follow it in memory.
#[repr(C)]
struct Node {
    key_len: u32,
    value_len: u32,
    height: u32,
    _pad: u32,
    /// The next older node in this node's index bucket (null at the end).
    /// Set before publication, never changed.
    chain: *const Node,
}

impl Node {
    /// The link at `level`.
    ///
    /// # Safety
    /// `self` is a node allocated by [`SkipList::new_node`] and `level <
    /// self.height`.
    unsafe fn link(&self, level: usize) -> &AtomicPtr<Node> {
        debug_assert!(level < self.height as usize);
        // SAFETY: the tower starts HEADER bytes after the 8-aligned node
        // and holds `height` initialised AtomicPtrs (see new_node).
        unsafe {
            &*(ptr::from_ref(self)
                .cast::<u8>()
                .add(HEADER)
                .cast::<AtomicPtr<Node>>()
                .add(level))
        }
    }

    /// The next node at `level` (null at the end).
    ///
    /// # Safety
    /// As for [`Node::link`].
    unsafe fn next(&self, level: usize) -> *mut Node {
        // SAFETY: forwarded contract.
        unsafe { self.link(level).load(AtomicOrdering::Acquire) }
    }

    /// The entry's bytes: internal key then value.
    ///
    /// # Safety
    /// `self` is a published node allocated by [`SkipList::new_node`].
    unsafe fn data(&self) -> *const u8 {
        // SAFETY: the key follows the tower inside the node's block.
        unsafe {
            ptr::from_ref(self)
                .cast::<u8>()
                .add(HEADER + self.height as usize * size_of::<AtomicPtr<Node>>())
        }
    }

    /// The internal key.
    ///
    /// # Safety
    /// As for [`Node::data`]; the returned slice lives as long as the
    /// skiplist.
    unsafe fn key(&self) -> &[u8] {
        // SAFETY: `key_len` bytes were copied there before publication.
        unsafe { std::slice::from_raw_parts(self.data(), self.key_len as usize) }
    }

    /// The value.
    ///
    /// # Safety
    /// As for [`Node::key`].
    unsafe fn value(&self) -> &[u8] {
        // SAFETY: `value_len` bytes follow the key (see new_node).
        unsafe {
            std::slice::from_raw_parts(
                self.data().add(self.key_len as usize),
                self.value_len as usize,
            )
        }
    }
}

/// What only the (single) writer touches.
struct Writer {
    arena: Arena,
    /// xorshift64 state for tower heights.
    rng: u64,
    /// Sequence number of the last entry inserted.
    last_sequence: Option<u64>,
}

/// A concurrent skiplist ordered by [`compare_internal`]. Keys must be
/// unique (internal keys are: sequence numbers never repeat).
pub(super) struct SkipList {
    /// A node of height `MAX_HEIGHT` with no key, before every entry.
    head: *mut Node,
    /// Height of the tallest tower so far (readers may see a stale, lower
    /// value, which only makes their search start lower).
    height: AtomicUsize,
    /// Arena bytes handed out, readable without the writer lock.
    memory: AtomicUsize,
    /// The point-lookup index: heads of the bucket chains, by user-key
    /// hash; a power of two long. Made by the first insert, so an empty
    /// list holds no index.
    buckets: OnceLock<Box<[AtomicPtr<Node>]>>,
    /// Length of `buckets`.
    bucket_count: usize,
    /// Whether every entry arrived in sequence order, so that the index
    /// finds newest versions. Cleared (before the entry that breaks the
    /// order is inserted) and never set again.
    indexed: AtomicBool,
    writer: Mutex<Writer>,
}

// SAFETY: nodes are reached only through `head` and published links; they
// are immutable once published (links change only by the writer, under the
// mutex, with atomic stores) and live as long as the skiplist (the arena
// owning them is inside `writer`). So shared references may be used from
// any thread, and the whole may move between threads.
unsafe impl Send for SkipList {}
// SAFETY: see `Send`.
unsafe impl Sync for SkipList {}

/// A position in a [`SkipList`]: a published node, or null (not valid).
/// Only meaningful while the skiplist it came from is alive.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Cursor(*const Node);

// SAFETY: a cursor is an address of immutable data owned by a `Sync`
// skiplist; it is dereferenced only through that skiplist's methods.
unsafe impl Send for Cursor {}

impl Cursor {
    /// The position before the first entry / after the last one.
    pub const NONE: Cursor = Cursor(ptr::null());

    /// True if the cursor points at an entry.
    pub fn is_some(self) -> bool {
        !self.0.is_null()
    }
}

impl SkipList {
    /// An empty skiplist whose arena takes memory in chunks of about
    /// `chunk_bytes`, with a point-lookup index of at least `buckets`
    /// buckets (rounded up to a power of two).
    pub fn new(chunk_bytes: usize, buckets: usize) -> SkipList {
        let mut w = Writer {
            arena: Arena::new(chunk_bytes),
            rng: 0x9e37_79b9_7f4a_7c15,
            last_sequence: None,
        };
        let head = Self::new_node(&mut w.arena, MAX_HEIGHT, &[], &[], ptr::null());
        let memory = AtomicUsize::new(w.arena.used());
        SkipList {
            head,
            height: AtomicUsize::new(1),
            memory,
            buckets: OnceLock::new(),
            bucket_count: buckets.max(1).next_power_of_two(),
            indexed: AtomicBool::new(true),
            writer: Mutex::new(w),
        }
    }

    /// Allocates and fills a node with null links.
    fn new_node(
        arena: &mut Arena,
        height: usize,
        key: &[u8],
        value: &[u8],
        chain: *const Node,
    ) -> *mut Node {
        let tower = height * size_of::<AtomicPtr<Node>>();
        let p = arena.allocate(HEADER + tower + key.len() + value.len());
        // SAFETY: `p` is an 8-aligned, zeroed block of the size computed
        // above; a zeroed AtomicPtr is a null link. The lengths fit in u32:
        // the write path caps entries far below 4 GiB (MAX_ENTRY_LEN).
        unsafe {
            p.cast::<Node>().write(Node {
                key_len: key.len() as u32,
                value_len: value.len() as u32,
                height: height as u32,
                _pad: 0,
                chain,
            });
            let data = p.add(HEADER + tower);
            ptr::copy_nonoverlapping(key.as_ptr(), data, key.len());
            ptr::copy_nonoverlapping(value.as_ptr(), data.add(key.len()), value.len());
        }
        p.cast::<Node>()
    }

    fn random_height(rng: &mut u64) -> usize {
        let mut h = 1;
        loop {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            // Grow with probability 1/4 per level.
            if h >= MAX_HEIGHT || *rng & 3 != 0 {
                return h;
            }
            h += 1;
        }
    }

    /// The first node whose key is `>= key` (null if none); fills `prev`
    /// with each level's last node before it, when given.
    fn find_greater_or_equal(
        &self,
        key: &[u8],
        mut prev: Option<&mut [*mut Node; MAX_HEIGHT]>,
    ) -> *mut Node {
        let mut x = self.head;
        let mut level = self.height.load(AtomicOrdering::Relaxed) - 1;
        loop {
            // SAFETY: `x` is the head or a published node; `level` is below
            // every height seen (towers only grow and the head is MAX_HEIGHT
            // tall; a node reached at level L has height > L).
            let next = unsafe { (*x).next(level) };
            // SAFETY: a non-null link points at a published node.
            let before = !next.is_null()
                && unsafe { compare_internal((*next).key(), key) } == Ordering::Less;
            if before {
                x = next;
                continue;
            }
            if let Some(p) = prev.as_deref_mut() {
                p[level] = x;
            }
            if level == 0 {
                return next;
            }
            level -= 1;
        }
    }

    /// The last node whose key is `< key`, or the head if none.
    fn find_less_than(&self, key: &[u8]) -> *mut Node {
        let mut x = self.head;
        let mut level = self.height.load(AtomicOrdering::Relaxed) - 1;
        loop {
            // SAFETY: as in find_greater_or_equal.
            let next = unsafe { (*x).next(level) };
            // SAFETY: a non-null link points at a published node.
            if !next.is_null() && unsafe { compare_internal((*next).key(), key) } == Ordering::Less
            {
                x = next;
            } else if level == 0 {
                return x;
            } else {
                level -= 1;
            }
        }
    }

    /// The index bucket of a user key's hash in `buckets`.
    fn bucket(buckets: &[AtomicPtr<Node>], hash: u64) -> &AtomicPtr<Node> {
        // The length is a power of two, so the mask keeps the index in
        // bounds; `buckets` is never empty.
        let i = (hash as usize) & (buckets.len() - 1);
        &buckets[i]
    }

    /// Inserts an entry whose user key hashes to `hash` (the same hash
    /// [`SkipList::find`] is given). Writers are serialised by a mutex;
    /// readers are never blocked. REQUIRES: no entry with an equal key
    /// exists.
    pub fn insert(&self, key: &[u8], value: &[u8], hash: u64) {
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let sequence = key::trailer(key) >> 8;
        if w.last_sequence.is_some_and(|last| sequence <= last) {
            // Out of order: the chains could put an older version of a
            // key first. Point reads search the levels from now on. A
            // reader allowed to see this entry took its snapshot after the
            // entry's sequence was published, which happens after this
            // store; so it sees the index off.
            self.indexed.store(false, AtomicOrdering::Release);
        }
        w.last_sequence = Some(sequence);
        let buckets = self.buckets.get_or_init(|| {
            (0..self.bucket_count)
                .map(|_| AtomicPtr::new(ptr::null_mut()))
                .collect()
        });
        let bucket = Self::bucket(buckets, hash);
        // Read before the search (only this writer changes buckets), so the
        // bucket's cache miss overlaps the search's.
        let chain = bucket.load(AtomicOrdering::Relaxed);
        let mut prev = [self.head; MAX_HEIGHT];
        self.find_greater_or_equal(key, Some(&mut prev));
        let height = Self::random_height(&mut w.rng);
        if height > self.height.load(AtomicOrdering::Relaxed) {
            // `prev` already holds the head for the new levels. A reader
            // seeing the new height before the node is linked finds null
            // links there and simply drops a level.
            self.height.store(height, AtomicOrdering::Relaxed);
        }
        let node = Self::new_node(&mut w.arena, height, key, value, chain);
        for (level, &p) in prev.iter().enumerate().take(height) {
            // SAFETY: `node` has `height` links; each `p` is the head or a
            // published node at least `level + 1` tall. The node's own link
            // is set before it is published by the release store into `p`.
            unsafe {
                (*node)
                    .link(level)
                    .store((*p).next(level), AtomicOrdering::Relaxed);
                (*p).link(level).store(node, AtomicOrdering::Release);
            }
        }
        // Linked at every level before it heads its chain: a reader that
        // finds it through the index can step on from it.
        bucket.store(node, AtomicOrdering::Release);
        self.memory.store(w.arena.used(), AtomicOrdering::Relaxed);
    }

    /// Bytes of memory the entries, links and index take (the arena holds
    /// up to one chunk more).
    pub fn memory(&self) -> usize {
        self.memory.load(AtomicOrdering::Relaxed)
            + self
                .buckets
                .get()
                .map_or(0, |b| b.len() * size_of::<AtomicPtr<Node>>())
    }

    /// The first entry of `user_key` whose internal key is `>= lookup`
    /// (`lookup` is `user_key` with a trailer: the newest version visible
    /// at its sequence), or [`Cursor::NONE`] if there is none. `hash` is
    /// the hash the key was inserted with.
    pub fn find(&self, user_key: &[u8], hash: u64, lookup: &[u8]) -> Cursor {
        let mut x = if self.indexed.load(AtomicOrdering::Acquire) {
            // No index yet: nothing was inserted.
            let Some(buckets) = self.buckets.get() else {
                return Cursor::NONE;
            };
            // The newest node of the user key heads its run of versions.
            let mut x = Self::bucket(buckets, hash)
                .load(AtomicOrdering::Acquire)
                .cast_const();
            // SAFETY: bucket heads and chain links point at published
            // nodes (see `insert`).
            while !x.is_null() && key::user_key(unsafe { (*x).key() }) != user_key {
                // SAFETY: as above.
                x = unsafe { (*x).chain };
            }
            x
        } else {
            self.find_greater_or_equal(lookup, None)
        };
        // Step over versions newer than the lookup's sequence.
        // SAFETY: `x` is null or a published node; level 0 links to
        // published nodes.
        while !x.is_null() && unsafe { compare_internal((*x).key(), lookup) } == Ordering::Less {
            // SAFETY: as above.
            x = unsafe { (*x).next(0) };
        }
        // SAFETY: as above.
        if x.is_null() || key::user_key(unsafe { (*x).key() }) != user_key {
            return Cursor::NONE;
        }
        Cursor(x)
    }

    /// True if no entry was inserted.
    pub fn is_empty(&self) -> bool {
        !self.first().is_some()
    }

    /// The first entry.
    pub fn first(&self) -> Cursor {
        // SAFETY: the head has MAX_HEIGHT links.
        Cursor(unsafe { (*self.head).next(0) })
    }

    /// The last entry.
    pub fn last(&self) -> Cursor {
        let mut x = self.head;
        let mut level = self.height.load(AtomicOrdering::Relaxed) - 1;
        loop {
            // SAFETY: as in find_greater_or_equal.
            let next = unsafe { (*x).next(level) };
            if !next.is_null() {
                x = next;
            } else if level == 0 {
                return if x == self.head {
                    Cursor::NONE
                } else {
                    Cursor(x)
                };
            } else {
                level -= 1;
            }
        }
    }

    /// The first entry whose key is `>= key`.
    pub fn seek(&self, key: &[u8]) -> Cursor {
        Cursor(self.find_greater_or_equal(key, None))
    }

    /// The entry after `c`. REQUIRES: `c` is valid and from this skiplist.
    pub fn next(&self, c: Cursor) -> Cursor {
        if !c.is_some() {
            return Cursor::NONE;
        }
        // SAFETY: a valid cursor points at a published node of this list.
        Cursor(unsafe { (*c.0).next(0) })
    }

    /// The entry before `c`. REQUIRES: `c` is valid and from this skiplist.
    pub fn prev(&self, c: Cursor) -> Cursor {
        if !c.is_some() {
            return Cursor::NONE;
        }
        let p = self.find_less_than(self.key(c));
        if p == self.head {
            Cursor::NONE
        } else {
            Cursor(p)
        }
    }

    /// The internal key at `c` (empty if not valid). The slice lives as
    /// long as the skiplist.
    pub fn key(&self, c: Cursor) -> &[u8] {
        if !c.is_some() {
            return &[];
        }
        // SAFETY: a valid cursor points at a published node of this list,
        // which lives as long as `self`.
        unsafe { (*c.0).key() }
    }

    /// The value at `c` (empty if not valid).
    pub fn value(&self, c: Cursor) -> &[u8] {
        if !c.is_some() {
            return &[];
        }
        // SAFETY: as in `key`.
        unsafe { (*c.0).value() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{make_internal_key, ValueKind};
    use std::sync::Arc;

    fn ikey(k: u32, seq: u64) -> Vec<u8> {
        make_internal_key(format!("{k:010}").as_bytes(), seq, ValueKind::Value)
    }

    #[test]
    fn ordered_iteration_seek_and_prev() {
        let s = SkipList::new(1 << 20, 64);
        assert!(s.is_empty());
        assert!(!s.last().is_some());
        // Insert in a scrambled order; each key twice (two sequences).
        let n = 2000u32;
        for i in 0..n {
            let k = (i * 7919) % n;
            s.insert(&ikey(k, 1), format!("v{k}@1").as_bytes(), u64::from(k));
            s.insert(&ikey(k, 2), format!("v{k}@2").as_bytes(), u64::from(k));
        }
        let mut c = s.first();
        let mut count = 0;
        let mut last: Option<Vec<u8>> = None;
        while c.is_some() {
            if let Some(l) = &last {
                assert_eq!(compare_internal(l, s.key(c)), Ordering::Less);
            }
            last = Some(s.key(c).to_vec());
            count += 1;
            c = s.next(c);
        }
        assert_eq!(count, 2 * n);
        // Newest version first for each key.
        let c = s.seek(&ikey(7, u64::MAX >> 8));
        assert_eq!(s.key(c), ikey(7, 2).as_slice());
        assert_eq!(s.value(c), b"v7@2");
        assert_eq!(s.value(s.next(c)), b"v7@1");
        assert_eq!(s.key(s.prev(c)), ikey(6, 1).as_slice());
        assert!(!s.prev(s.first()).is_some());
        assert_eq!(s.key(s.last()), ikey(n - 1, 1).as_slice());
        assert!(!s.seek(&ikey(n, 9)).is_some());
        assert!(s.memory() > (2 * n as usize) * (24 + 6));
    }

    /// What [`SkipList::find`] must answer, from a search of the levels.
    fn found_by_seek(s: &SkipList, user_key: &[u8], lookup: &[u8]) -> Option<Vec<u8>> {
        let c = s.seek(lookup);
        (c.is_some() && key::user_key(s.key(c)) == user_key).then(|| s.value(c).to_vec())
    }

    fn found(s: &SkipList, user_key: &[u8], hash: u64, lookup: &[u8]) -> Option<Vec<u8>> {
        let c = s.find(user_key, hash, lookup);
        c.is_some().then(|| s.value(c).to_vec())
    }

    /// Three versions of each of 300 keys, inserted in sequence order (the
    /// keys scrambled), looked up at every sequence: the index answers
    /// what a search of the levels answers, with one bucket (every key in
    /// one chain) and with many.
    #[test]
    fn find_gives_the_newest_visible_version() {
        for buckets in [1, 4096] {
            let s = SkipList::new(1 << 16, buckets);
            let n = 300u32;
            let mut seq = 0;
            for round in 0..3 {
                for i in 0..n {
                    let k = (i * 7919 + round) % n;
                    seq += 1;
                    s.insert(&ikey(k, seq), format!("{k}@{seq}").as_bytes(), u64::from(k));
                }
            }
            assert!(s.indexed.load(AtomicOrdering::Relaxed));
            let mut versions_seen = 0;
            for k in 0..=n {
                let user_key = format!("{k:010}");
                for at in 0..=seq + 1 {
                    let lookup = ikey(k, at);
                    let want = found_by_seek(&s, user_key.as_bytes(), &lookup);
                    versions_seen += usize::from(want.is_some());
                    assert_eq!(
                        found(&s, user_key.as_bytes(), u64::from(k), &lookup),
                        want,
                        "key {k} at {at}, {buckets} buckets"
                    );
                }
            }
            // Every key but the absent one is visible from its first version on.
            assert!(versions_seen > (n as usize) * (seq as usize) / 2);
        }
    }

    /// An entry inserted out of sequence order turns the index off; point
    /// reads stay right (here the late entry is an older version of its
    /// key that would head the key's chain, before the newest version).
    #[test]
    fn an_entry_out_of_order_turns_the_index_off() {
        let s = SkipList::new(1 << 16, 1);
        s.insert(&ikey(1, 9), b"1@9", 1);
        s.insert(&ikey(2, 10), b"2@10", 2);
        s.insert(&ikey(1, 5), b"1@5", 1);
        assert!(!s.indexed.load(AtomicOrdering::Relaxed));
        s.insert(&ikey(1, 11), b"1@11", 1);
        let one = b"0000000001";
        assert_eq!(found(&s, one, 1, &ikey(1, 20)), Some(b"1@11".to_vec()));
        assert_eq!(found(&s, one, 1, &ikey(1, 10)), Some(b"1@9".to_vec()));
        assert_eq!(found(&s, one, 1, &ikey(1, 8)), Some(b"1@5".to_vec()));
        assert_eq!(found(&s, one, 1, &ikey(1, 4)), None);
        assert_eq!(found(&s, b"0000000003", 3, &ikey(3, 20)), None);
    }

    #[test]
    fn readers_run_while_a_writer_inserts() {
        let s = Arc::new(SkipList::new(4096, 1024));
        let n = 20_000u32;
        // How many entries the writer has inserted: a reader may look up
        // those (the engine's published sequence plays this part).
        let published = Arc::new(AtomicUsize::new(0));
        let key_of = |i: u32| i.wrapping_mul(2_654_435_761);
        let writer = {
            let s = Arc::clone(&s);
            let published = Arc::clone(&published);
            std::thread::spawn(move || {
                for i in 0..n {
                    let k = key_of(i);
                    s.insert(&ikey(k, u64::from(i) + 1), &k.to_le_bytes(), u64::from(k));
                    published.store(i as usize + 1, AtomicOrdering::Release);
                }
            })
        };
        // Every pass sees a sorted list whose values match their keys, and
        // finds every published key through the index.
        while !writer.is_finished() {
            let upto = published.load(AtomicOrdering::Acquire) as u32;
            for i in (0..upto).step_by(97) {
                let k = key_of(i);
                let user_key = format!("{k:010}");
                let c = s.find(user_key.as_bytes(), u64::from(k), &ikey(k, u64::MAX >> 8));
                assert_eq!(s.value(c), k.to_le_bytes(), "published entry {i}");
            }
            let mut c = s.first();
            let mut prev: Option<&[u8]> = None;
            while c.is_some() {
                let k = s.key(c);
                if let Some(p) = prev {
                    assert_eq!(compare_internal(p, k), Ordering::Less);
                }
                let want: u32 = std::str::from_utf8(&k[..10])
                    .expect("digits")
                    .parse()
                    .expect("number");
                assert_eq!(s.value(c), want.to_le_bytes());
                prev = Some(k);
                c = s.next(c);
            }
        }
        writer.join().expect("writer");
        let mut count = 0;
        let mut c = s.first();
        while c.is_some() {
            count += 1;
            c = s.next(c);
        }
        assert_eq!(count, n);
    }
}
