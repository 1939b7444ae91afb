//! The block cache: decoded data blocks shared by all tables, keyed by
//! `(file number, block offset)`.
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

struct Node {
    key: Key,
    block: Option<Arc<Block>>,
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
                block: None,
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

    fn get(&mut self, key: Key) -> Option<Arc<Block>> {
        let i = *self.map.get(&key)?;
        self.unlink(i);
        self.push_front(i);
        self.nodes[i as usize].block.clone()
    }

    fn remove_node(&mut self, i: u32) {
        self.unlink(i);
        let node = &mut self.nodes[i as usize];
        node.block = None;
        node.prev = NIL;
        node.next = NIL;
        self.usage -= node.charge;
        node.charge = 0;
        let key = node.key;
        self.map.remove(&key);
        self.free.push(i);
    }

    fn insert(&mut self, key: Key, block: Arc<Block>) {
        let charge = block.size();
        if let Some(&i) = self.map.get(&key) {
            self.remove_node(i);
        }
        if charge > self.capacity {
            return;
        }
        while self.usage + charge > self.capacity {
            let lru = self.nodes[HEAD as usize].prev;
            if lru == HEAD {
                break;
            }
            self.remove_node(lru);
        }
        let node = Node {
            key,
            block: Some(block),
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

/// A sharded LRU cache of data blocks, bounded by total block bytes.
pub struct BlockCache {
    shards: Box<[Mutex<Shard>]>,
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

    /// The cached block at `offset` of table `file_number`, marking it
    /// recently used.
    pub fn get(&self, file_number: u64, offset: u64) -> Option<Arc<Block>> {
        let r = self.shard(file_number, offset).get((file_number, offset));
        let counter = if r.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        r
    }

    /// Caches `block` (charged its byte size), evicting least recently used
    /// blocks of the same shard as needed; replaces an existing entry.
    pub fn insert(&self, file_number: u64, offset: u64, block: Arc<Block>) {
        self.shard(file_number, offset)
            .insert((file_number, offset), block);
    }

    /// Total bytes of blocks currently cached.
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
