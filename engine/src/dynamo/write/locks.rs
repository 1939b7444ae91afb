//! Per-item locks: what makes a conditional write atomic and a transaction
//! serializable.
//!
//! Items are identified by a 64-bit hash of their engine key. A plain write
//! waits for its item; a transaction takes all of its items at once, in one
//! step, or reports the first item another *transaction* holds (DynamoDB's
//! `TransactionConflict`) — it waits only for plain writes, which never wait
//! on anything themselves, so no cycle of waiters can form.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use xxhash_rust::xxh3::xxh3_64;

use crate::waiters::Waiters;

/// Who holds an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    Write,
    Transaction,
}

/// The lock table.
#[derive(Debug, Default)]
pub struct ItemLocks {
    held: Mutex<HashMap<u64, Holder>>,
    released: Waiters,
}

/// Holds some items until dropped. Owns its share of the lock table, so a
/// write may hand its guards to the engine's commit to drop once the write
/// is committed (`pipeline.rs`).
#[derive(Debug)]
pub struct ItemGuard {
    locks: Arc<ItemLocks>,
    ids: Vec<u64>,
}

/// The lock id of an engine key.
pub fn lock_id(key: &[u8]) -> u64 {
    xxh3_64(key)
}

impl ItemLocks {
    fn table(&self) -> MutexGuard<'_, HashMap<u64, Holder>> {
        // The map is only mutated by insert/remove; a panic elsewhere cannot
        // leave it inconsistent, so a poisoned lock is still usable.
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one item for a plain write, waiting while anyone holds it.
    pub fn lock(self: &Arc<Self>, key: &[u8]) -> ItemGuard {
        let id = lock_id(key);
        let mut held = self.table();
        while held.contains_key(&id) {
            held = self.released.wait(held);
        }
        held.insert(id, Holder::Write);
        ItemGuard {
            locks: Arc::clone(self),
            ids: vec![id],
        }
    }

    /// Takes every key of `keys` for a multi-item plain write, one at a time
    /// in lock-id order (keys whose ids collide share one lock), so two
    /// multi-item writers never wait on each other in a cycle.
    pub fn lock_all<K: AsRef<[u8]>>(self: &Arc<Self>, keys: &[K]) -> Vec<ItemGuard> {
        let mut order: Vec<(u64, &[u8])> = keys
            .iter()
            .map(|k| (lock_id(k.as_ref()), k.as_ref()))
            .collect();
        order.sort_unstable();
        order.dedup_by_key(|(id, _)| *id);
        order.iter().map(|(_, k)| self.lock(k)).collect()
    }

    /// Takes every key for a transaction. Waits while plain writes hold any
    /// of them; fails with the position (in `keys`) of the first key another
    /// transaction holds.
    pub fn lock_transaction<K: AsRef<[u8]>>(
        self: &Arc<Self>,
        keys: &[K],
    ) -> Result<ItemGuard, usize> {
        let ids: Vec<u64> = keys.iter().map(|k| lock_id(k.as_ref())).collect();
        let mut held = self.table();
        loop {
            if let Some(pos) = ids
                .iter()
                .position(|id| held.get(id) == Some(&Holder::Transaction))
            {
                return Err(pos);
            }
            if ids.iter().any(|id| held.contains_key(id)) {
                held = self.released.wait(held);
                continue;
            }
            let mut unique = ids.clone();
            unique.sort_unstable();
            unique.dedup();
            for id in &unique {
                held.insert(*id, Holder::Transaction);
            }
            return Ok(ItemGuard {
                locks: Arc::clone(self),
                ids: unique,
            });
        }
    }
}

impl Drop for ItemGuard {
    fn drop(&mut self) {
        let mut held = self.locks.table();
        for id in &self.ids {
            held.remove(id);
        }
        drop(held);
        self.locks.released.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_conflicts_with_a_transaction_not_with_a_released_write() {
        let locks = Arc::new(ItemLocks::default());
        let a = b"a".to_vec();
        let b = b"b".to_vec();
        {
            let _w = locks.lock(&a);
        }
        let t1 = locks.lock_transaction(&[a.clone(), b.clone()]);
        assert!(t1.is_ok());
        assert_eq!(
            locks.lock_transaction(&[b"c".to_vec(), b.clone()]).err(),
            Some(1)
        );
        drop(t1);
        assert!(locks.lock_transaction(&[b]).is_ok());
    }

    #[test]
    fn writers_wait_for_each_other() {
        let locks = Arc::new(ItemLocks::default());
        let counter = Arc::new(Mutex::new(0u64));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let locks = Arc::clone(&locks);
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        let _g = locks.lock(b"k");
                        // Read-modify-write split in two steps: only the item
                        // lock keeps them together.
                        let v = *counter.lock().unwrap_or_else(|p| p.into_inner());
                        std::thread::yield_now();
                        *counter.lock().unwrap_or_else(|p| p.into_inner()) = v + 1;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(*counter.lock().unwrap_or_else(|p| p.into_inner()), 4000);
    }
}
