//! The block cache: decoded data blocks shared by all tables, and separated
//! values read by point lookups from blob files, keyed by `(file number,
//! offset)` (tables and blob files draw their numbers from one counter, so
//! the keys never collide). One budget covers both, as RocksDB's block
//! cache covers the data blocks that hold its large values.
//!
//! Sixteen shards, each a mutex-protected LRU list with O(1) lookup, insert
//! and eviction. Each block is charged its byte size; a shard evicts from its
//! cold end until its usage is within its share of the capacity, so total
//! usage never exceeds `capacity` (a block larger than a shard's share is not
//! kept at all).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::sstable::Block;
use crate::vlog::BlobValue;

const NUM_SHARDS: usize = 16;
const NIL: u32 = u32::MAX;
/// Index of the list sentinel in every shard's node vector.
const HEAD: u32 = 0;

type Key = (u64, u64);

/// A fast hasher for `(u64, u64)` cache keys (a multiply-rotate mix).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

fn key_hash(file_number: u64, offset: u64) -> u64 {
    let mut h = KeyHasher::default();
    h.write_u64(file_number);
    h.write_u64(offset);
    h.finish()
}

/// One cached item.
#[derive(Clone)]
enum Entry {
    Block(Arc<Block>),
    Blob(Arc<BlobValue>),
}

impl Entry {
    /// Bytes the entry is charged.
    fn charge(&self) -> usize {
        match self {
            Entry::Block(b) => b.size(),
            Entry::Blob(v) => v.charge(),
        }
    }
}

struct Node {
    key: Key,
    entry: Option<Entry>,
    charge: usize,
    prev: u32,
    next: u32,
}

/// One LRU shard: a doubly-linked list threaded through `nodes` (index 0 is
/// the sentinel; `HEAD.next` is the most recently used entry).
struct Shard {
    map: HashMap<Key, u32, BuildHasherDefault<KeyHasher>>,
    nodes: Vec<Node>,
    free: Vec<u32>,
    usage: usize,
    capacity: usize,
}

impl Shard {
    fn new(capacity: usize) -> Shard {
        Shard {
            map: HashMap::default(),
            nodes: vec![Node {
                key: (0, 0),
                entry: None,
                charge: 0,
                prev: HEAD,
                next: HEAD,
            }],
            free: Vec::new(),
            usage: 0,
            capacity,
        }
    }

    fn unlink(&mut self, i: u32) {
        let (p, n) = (self.nodes[i as usize].prev, self.nodes[i as usize].next);
        self.nodes[p as usize].next = n;
        self.nodes[n as usize].prev = p;
    }

    fn push_front(&mut self, i: u32) {
        let first = self.nodes[HEAD as usize].next;
        self.nodes[i as usize].prev = HEAD;
        self.nodes[i as usize].next = first;
        self.nodes[first as usize].prev = i;
        self.nodes[HEAD as usize].next = i;
    }

    fn get(&mut self, key: Key) -> Option<Entry> {
        let i = *self.map.get(&key)?;
        self.unlink(i);
        self.push_front(i);
        self.nodes[i as usize].entry.clone()
    }

    /// Unlinks node `i` and returns its entry.
    fn remove_node(&mut self, i: u32) -> Option<Entry> {
        self.unlink(i);
        let node = &mut self.nodes[i as usize];
        let entry = node.entry.take();
        node.prev = NIL;
        node.next = NIL;
        self.usage -= node.charge;
        node.charge = 0;
        let key = node.key;
        self.map.remove(&key);
        self.free.push(i);
        entry
    }

    /// Inserts `entry`, moving the entries it replaces or evicts to
    /// `removed` (to be dropped once the shard is unlocked).
    fn insert(&mut self, key: Key, entry: Entry, removed: &mut Vec<Entry>) {
        let charge = entry.charge();
        if let Some(&i) = self.map.get(&key) {
            removed.extend(self.remove_node(i));
        }
        if charge > self.capacity {
            return;
        }
        while self.usage + charge > self.capacity {
            let lru = self.nodes[HEAD as usize].prev;
            if lru == HEAD {
                break;
            }
            removed.extend(self.remove_node(lru));
        }
        let node = Node {
            key,
            entry: Some(entry),
            charge,
            prev: NIL,
            next: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        self.push_front(i);
        self.map.insert(key, i);
        self.usage += charge;
    }
}

/// A sharded LRU cache of data blocks and separated values, bounded by
/// total bytes.
pub struct BlockCache {
    shards: Box<[Mutex<Shard>]>,
    /// Record buffers of evicted separated values nothing else held, kept
    /// for the next blob read (so its buffer needs no zeroing); at most
    /// [`BlockCache::spare_limit`] bytes.
    spare: Mutex<Vec<Vec<u8>>>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for BlockCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockCache")
            .field("capacity", &self.capacity)
            .field("usage", &self.usage())
            .field("hits", &self.hits())
            .field("misses", &self.misses())
            .finish()
    }
}

impl BlockCache {
    /// A cache holding at most `capacity_bytes` bytes of blocks.
    pub fn new(capacity_bytes: usize) -> BlockCache {
        let per_shard = capacity_bytes / NUM_SHARDS;
        BlockCache {
            shards: (0..NUM_SHARDS)
                .map(|_| Mutex::new(Shard::new(per_shard)))
                .collect(),
            spare: Mutex::new(Vec::new()),
            capacity: capacity_bytes,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn shard(&self, file_number: u64, offset: u64) -> MutexGuard<'_, Shard> {
        let h = key_hash(file_number, offset);
        let m = &self.shards[(h >> 60) as usize % NUM_SHARDS];
        // A panic while holding the lock cannot leave the list half-linked
        // in a way later calls trip over badly; recover the guard.
        match m.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The entry at `offset` of file `file_number`, marking it recently
    /// used, and counting a hit or a miss.
    fn lookup(&self, file_number: u64, offset: u64) -> Option<Entry> {
        let r = self.shard(file_number, offset).get((file_number, offset));
        let counter = if r.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        r
    }

    /// The cached block at `offset` of table `file_number`, marking it
    /// recently used.
    pub fn get(&self, file_number: u64, offset: u64) -> Option<Arc<Block>> {
        match self.lookup(file_number, offset)? {
            Entry::Block(b) => Some(b),
            Entry::Blob(_) => None,
        }
    }

    /// Caches `block` (charged its byte size), evicting least recently used
    /// entries of the same shard as needed; replaces an existing entry.
    pub fn insert(&self, file_number: u64, offset: u64, block: Arc<Block>) {
        self.insert_entry((file_number, offset), Entry::Block(block));
    }

    fn insert_entry(&self, key: Key, entry: Entry) {
        let mut removed = Vec::new();
        self.shard(key.0, key.1).insert(key, entry, &mut removed);
        for e in removed {
            if let Entry::Blob(v) = e {
                if let Ok(v) = Arc::try_unwrap(v) {
                    self.keep_spare(v.into_record());
                }
            }
        }
    }

    /// Bytes of spare buffers kept at most: 1/64 of the capacity.
    fn spare_limit(&self) -> usize {
        self.capacity / 64
    }

    fn spares(&self) -> MutexGuard<'_, Vec<Vec<u8>>> {
        self.spare.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn keep_spare(&self, buf: Vec<u8>) {
        let mut spare = self.spares();
        let held: usize = spare.iter().map(Vec::capacity).sum();
        if held + buf.capacity() <= self.spare_limit() {
            spare.push(buf);
        }
    }

    /// A buffer for reading a blob record of `len` bytes: an evicted
    /// record's buffer of at least that capacity if one is spare (its old
    /// bytes still in it, to be overwritten), else an empty one.
    pub fn take_buffer(&self, len: usize) -> Vec<u8> {
        let mut spare = self.spares();
        match spare.iter().position(|b| b.capacity() >= len) {
            Some(i) => spare.swap_remove(i),
            None => Vec::new(),
        }
    }

    /// The cached value of the blob record at `offset` of blob file
    /// `file_number`, marking it recently used.
    pub fn get_blob(&self, file_number: u64, offset: u64) -> Option<Arc<BlobValue>> {
        match self.lookup(file_number, offset)? {
            Entry::Blob(v) => Some(v),
            Entry::Block(_) => None,
        }
    }

    /// Caches the value of the blob record at `offset` of blob file
    /// `file_number` (charged its record's bytes), evicting as
    /// [`BlockCache::insert`] does.
    pub fn insert_blob(&self, file_number: u64, offset: u64, value: Arc<BlobValue>) {
        self.insert_entry((file_number, offset), Entry::Blob(value));
    }

    /// True if an entry charged `charge` bytes would be kept (it fits in a
    /// shard's share of the capacity).
    pub fn would_keep(&self, charge: usize) -> bool {
        charge <= self.capacity / NUM_SHARDS
    }

    /// Total bytes of blocks and values currently cached.
    pub fn usage(&self) -> usize {
        self.shards
            .iter()
            .map(|s| match s.lock() {
                Ok(g) => g.usage,
                Err(p) => p.into_inner().usage,
            })
            .sum()
    }

    /// The configured capacity in bytes.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of `get` calls that found their block.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Number of `get` calls that did not.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(n_entries: usize) -> Arc<Block> {
        let mut b = crate::sstable::BlockBuilder::new(16);
        for i in 0..n_entries {
            let k = crate::key::make_internal_key(
                format!("k{i:05}").as_bytes(),
                1,
                crate::key::ValueKind::Value,
            );
            b.add(&k, b"value");
        }
        Arc::new(Block::new(b.finish().to_vec()).expect("valid"))
    }

    #[test]
    fn hit_miss_and_replace() {
        let c = BlockCache::new(1 << 20);
        assert!(c.get(1, 0).is_none());
        let b = block(10);
        c.insert(1, 0, b.clone());
        assert!(Arc::ptr_eq(&c.get(1, 0).unwrap(), &b));
        assert!(c.get(1, 4096).is_none());
        assert!(c.get(2, 0).is_none());
        assert_eq!(c.usage(), b.size());
        c.insert(1, 0, block(20));
        assert_eq!(c.usage(), block(20).size());
        assert_eq!((c.hits(), c.misses()), (1, 3));
    }

    #[test]
    fn eviction_keeps_usage_under_capacity_and_prefers_lru() {
        let b = block(50);
        let cap = b.size() * 16 * 4; // about 4 blocks per shard
        let c = BlockCache::new(cap);
        for i in 0..2000u64 {
            c.insert(i, i * 4096, block(50));
            assert!(c.usage() <= cap);
            // Keep block 0 hot: it must survive.
            assert!(c.get(0, 0).is_some(), "hot block evicted at {i}");
        }
        assert!(c.usage() > cap / 2);
        let cached = (0..2000u64)
            .filter(|&i| c.get(i, i * 4096).is_some())
            .count();
        assert!((16..=16 * 4).contains(&cached), "{cached}");
        // A block bigger than a shard's share is not cached.
        let tiny = BlockCache::new(16);
        tiny.insert(1, 1, b);
        assert_eq!(tiny.usage(), 0);
        assert!(tiny.get(1, 1).is_none());
    }

    /// A cached separated value of `len` bytes (record header and key
    /// included), read from a one-record blob file.
    fn blob_value(len: usize) -> Arc<BlobValue> {
        use crate::fs::{Fs, MemFs};
        use crate::vlog::format::{
            encode_file_header, encode_record, BlobVersion, RECORD_HEADER_LEN,
        };
        let fs = MemFs::new();
        let mut data = Vec::new();
        encode_file_header(&mut data, BlobVersion::CURRENT);
        let value = vec![3u8; len - RECORD_HEADER_LEN - 1];
        let crc = encode_record(&mut data, BlobVersion::CURRENT, b"k", &value);
        let path = std::path::Path::new("000009.blob");
        fs.create(path)
            .expect("create")
            .append(&data)
            .expect("append");
        let r = crate::vlog::BlobReader::open(
            fs.open_random(path).expect("open"),
            "000009.blob".into(),
            9,
        )
        .expect("header");
        let index = crate::vlog::BlobIndex {
            file_number: 9,
            offset: 12,
            value_len: value.len() as u32,
            crc,
        };
        Arc::new(r.read_record(&index, b"k").expect("read"))
    }

    #[test]
    fn evicted_values_leave_their_buffers_for_the_next_read() {
        let c = BlockCache::new(64 * 16 * 10_000);
        assert!(c.take_buffer(10).capacity() == 0, "nothing spare yet");
        let held = blob_value(40_000);
        c.insert_blob(1, 0, Arc::clone(&held));
        // Evicts the first (still held by `held`: not recycled).
        c.insert_blob(1, 0, blob_value(40_000));
        assert_eq!(c.take_buffer(1).capacity(), 0);
        // Evicts the second, which nothing else holds.
        c.insert_blob(1, 0, blob_value(30_000));
        assert_eq!(c.take_buffer(40_001).capacity(), 0, "too small");
        assert!(c.take_buffer(40_000).capacity() >= 40_000);
        assert_eq!(c.take_buffer(1).capacity(), 0, "taken once");
        // At most 1/64 of the capacity is kept spare.
        let small = BlockCache::new(64 * 16 * 100);
        small.insert_blob(1, 0, blob_value(4_000));
        small.insert_blob(1, 0, blob_value(4_000));
        assert_eq!(small.take_buffer(1).capacity(), 0);
        assert!(held.value().iter().all(|&b| b == 3));
    }

    #[test]
    fn concurrent_use() {
        let c = Arc::new(BlockCache::new(200_000));
        let b = block(30);
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let c = c.clone();
                let b = b.clone();
                std::thread::spawn(move || {
                    for i in 0..5000u64 {
                        c.insert(t, i % 300, b.clone());
                        let _ = c.get(t, (i * 7) % 300);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert!(c.usage() <= c.capacity());
    }
}
