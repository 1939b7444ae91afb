//! A skiplist of (internal key, value) entries stored in an [`Arena`]: one
//! writer at a time, any number of concurrent readers, no locks on the read
//! side (LevelDB's `SkipList` / RocksDB's `InlineSkipList`).
//!
//! Each node is one arena block:
//!
//! ```text
//! | key_len u32 | value_len u32 | height u32 | pad u32 | next[height]: AtomicPtr | key | value |
//! ```
//!
//! so a search that visits a node reads its links and its key from the same
//! few cache lines, with no pointer to follow to reach the key.
//!
//! Memory ordering: a writer fills a node completely, including its `next`
//! links, before publishing it with a release store into its predecessors'
//! links (bottom level first); readers load links with acquire, so any node
//! they reach is fully initialised. Nodes are never removed or changed
//! after publication, and live until the skiplist is dropped.

use std::cmp::Ordering;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::Mutex;

use super::arena::Arena;
use crate::key::compare_internal;

/// Tallest tower. With a branching factor of 4, 16 levels index 4^16
/// (about 4 billion) entries efficiently.
const MAX_HEIGHT: usize = 16;

/// Bytes of a node before its tower.
const HEADER: usize = 16;

/// The header of a node; its tower, key and value follow it in memory.
#[repr(C)]
struct Node {
    key_len: u32,
    value_len: u32,
    height: u32,
    _pad: u32,
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
    /// `chunk_bytes`.
    pub fn new(chunk_bytes: usize) -> SkipList {
        let mut w = Writer {
            arena: Arena::new(chunk_bytes),
            rng: 0x9e37_79b9_7f4a_7c15,
        };
        let head = Self::new_node(&mut w.arena, MAX_HEIGHT, &[], &[]);
        let memory = AtomicUsize::new(w.arena.used());
        SkipList {
            head,
            height: AtomicUsize::new(1),
            memory,
            writer: Mutex::new(w),
        }
    }

    /// Allocates and fills a node with null links.
    fn new_node(arena: &mut Arena, height: usize, key: &[u8], value: &[u8]) -> *mut Node {
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

    /// Inserts an entry. Writers are serialised by a mutex; readers are
    /// never blocked. REQUIRES: no entry with an equal key exists.
    pub fn insert(&self, key: &[u8], value: &[u8]) {
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let mut prev = [self.head; MAX_HEIGHT];
        self.find_greater_or_equal(key, Some(&mut prev));
        let height = Self::random_height(&mut w.rng);
        if height > self.height.load(AtomicOrdering::Relaxed) {
            // `prev` already holds the head for the new levels. A reader
            // seeing the new height before the node is linked finds null
            // links there and simply drops a level.
            self.height.store(height, AtomicOrdering::Relaxed);
        }
        let node = Self::new_node(&mut w.arena, height, key, value);
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
        self.memory.store(w.arena.used(), AtomicOrdering::Relaxed);
    }

    /// Bytes of arena memory the entries and links take (the arena holds
    /// up to one chunk more).
    pub fn memory(&self) -> usize {
        self.memory.load(AtomicOrdering::Relaxed)
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
        let s = SkipList::new(1 << 20);
        assert!(s.is_empty());
        assert!(!s.last().is_some());
        // Insert in a scrambled order; each key twice (two sequences).
        let n = 2000u32;
        for i in 0..n {
            let k = (i * 7919) % n;
            s.insert(&ikey(k, 1), format!("v{k}@1").as_bytes());
            s.insert(&ikey(k, 2), format!("v{k}@2").as_bytes());
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

    #[test]
    fn readers_run_while_a_writer_inserts() {
        let s = Arc::new(SkipList::new(4096));
        let n = 20_000u32;
        let writer = {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                for i in 0..n {
                    let k = i.wrapping_mul(2_654_435_761);
                    s.insert(&ikey(k, 1), &k.to_le_bytes());
                }
            })
        };
        // Every pass sees a sorted list whose values match their keys.
        while !writer.is_finished() {
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
