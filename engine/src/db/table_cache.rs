//! Open SSTables, shared by reads, iterators and compactions, within a
//! memory bound.
//!
//! An open table keeps its index block and bloom filter in memory (about 1 %
//! of the table's bytes with the default 4 KiB blocks and 10 bits per key),
//! so keeping every table open would let memory grow with the data. The
//! cache charges each table [`Table::memory`] and, once the sum passes its
//! capacity, closes tables not used since the last sweep (a CLOCK
//! approximation of LRU: a lookup only sets a flag, under a shared lock). A
//! closed table is opened again, index and filter read and checked, on its
//! next use. A reader that still holds a closed table keeps it alive until
//! it lets go; [`TableCache::usage`] counts only what the cache holds.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::cache::BlockCache;
use crate::error::Result;
use crate::fs::Fs;
use crate::recovery::FileKind;
use crate::sstable::Table;

/// One open table and what it costs.
struct Entry {
    table: Arc<Table>,
    charge: usize,
    /// Used since the last sweep (the CLOCK reference bit).
    used: AtomicBool,
}

struct Open {
    tables: HashMap<u64, Entry>,
    /// Sum of the entries' charges.
    usage: usize,
}

/// Tables held open, by file number, within `capacity` bytes of index and
/// filter.
pub(crate) struct TableCache {
    dir: PathBuf,
    fs: Arc<dyn Fs>,
    blocks: Arc<BlockCache>,
    capacity: usize,
    open: RwLock<Open>,
}

/// What the table cache holds (see [`TableCache::usage`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TableCacheUsage {
    /// Tables held open.
    pub tables: usize,
    /// Bytes of their index blocks and filters.
    pub bytes: usize,
}

impl TableCache {
    /// A cache opening tables of `dir` through `fs`, their data blocks
    /// cached in `blocks`, keeping at most `capacity` bytes of index and
    /// filter open.
    pub fn new(
        dir: PathBuf,
        fs: Arc<dyn Fs>,
        blocks: Arc<BlockCache>,
        capacity: usize,
    ) -> TableCache {
        TableCache {
            dir,
            fs,
            blocks,
            capacity,
            open: RwLock::new(Open {
                tables: HashMap::new(),
                usage: 0,
            }),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Open> {
        self.open.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Open> {
        self.open.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The table with file number `number`, opening it if the cache does
    /// not hold it.
    pub fn get(&self, number: u64) -> Result<Arc<Table>> {
        if let Some(e) = self.read().tables.get(&number) {
            e.used.store(true, Ordering::Relaxed);
            return Ok(Arc::clone(&e.table));
        }
        let kind = FileKind::Table(number);
        let file = self.fs.open_random(&kind.path(&self.dir))?;
        let table = Table::open(file, kind.name(), number, Some(Arc::clone(&self.blocks)))?;
        let charge = table.memory();
        let mut open = self.write();
        if let Some(e) = open.tables.get(&number) {
            // Another thread opened it meanwhile.
            return Ok(Arc::clone(&e.table));
        }
        if charge > self.capacity {
            // Larger than the whole cache: used once, never kept.
            return Ok(table);
        }
        make_room(&mut open, self.capacity - charge);
        open.usage += charge;
        open.tables.insert(
            number,
            Entry {
                table: Arc::clone(&table),
                charge,
                used: AtomicBool::new(true),
            },
        );
        Ok(table)
    }

    /// Forgets a deleted table.
    pub fn evict(&self, number: u64) {
        let mut open = self.write();
        if let Some(e) = open.tables.remove(&number) {
            open.usage -= e.charge;
        }
    }

    /// The block cache the tables read through.
    pub fn blocks(&self) -> &BlockCache {
        &self.blocks
    }

    /// The tables the cache holds open and the bytes of index and filter
    /// they hold.
    pub fn usage(&self) -> TableCacheUsage {
        let open = self.read();
        TableCacheUsage {
            tables: open.tables.len(),
            bytes: open.usage,
        }
    }
}

/// Closes tables until `open.usage` is at most `room`: first those not used
/// since the last sweep, clearing the others' flags, and again if that was
/// not enough (then every table is a candidate).
fn make_room(open: &mut Open, room: usize) {
    for _ in 0..2 {
        if open.usage <= room {
            return;
        }
        let mut unused = Vec::new();
        for (&number, e) in &open.tables {
            if e.used.swap(false, Ordering::Relaxed) {
                continue;
            }
            unused.push(number);
        }
        for number in unused {
            if open.usage <= room {
                return;
            }
            if let Some(e) = open.tables.remove(&number) {
                open.usage -= e.charge;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;
    use crate::key::{make_internal_key, ValueKind};
    use crate::sstable::{TableBuilder, TableOptions};

    fn kind_name(n: u64) -> String {
        FileKind::Table(n).name()
    }

    /// A cache over `count` tables of `keys` keys each, numbered 1.., in an
    /// in-memory directory.
    fn tables(count: u64, keys: usize, capacity: usize) -> TableCache {
        let fs: Arc<dyn Fs> = Arc::new(MemFs::new());
        let dir = PathBuf::from("/db");
        fs.create_dir_all(&dir).expect("mkdir");
        for n in 1..=count {
            let path = FileKind::Table(n).path(&dir);
            let file = fs.create(&path).expect("create");
            let mut b = TableBuilder::new(file, kind_name(n), TableOptions::default(), None);
            for i in 0..keys {
                let key = make_internal_key(format!("key{i:08}").as_bytes(), 1, ValueKind::Value);
                b.add(&key, b"value").expect("add");
            }
            b.finish().expect("finish");
        }
        TableCache::new(dir, fs, Arc::new(BlockCache::new(1 << 20)), capacity)
    }

    #[test]
    fn counts_what_it_holds() {
        let cache = tables(3, 2_000, usize::MAX);
        assert_eq!(cache.usage(), TableCacheUsage::default());
        let mut expected = 0;
        for n in 1..=3 {
            let t = cache.get(n).expect("open");
            assert!(t.memory() > 0);
            expected += t.memory();
        }
        // A second lookup opens nothing more.
        cache.get(2).expect("cached");
        assert_eq!(
            cache.usage(),
            TableCacheUsage {
                tables: 3,
                bytes: expected
            }
        );
        let one = cache.get(1).expect("open").memory();
        cache.evict(1);
        assert_eq!(
            cache.usage(),
            TableCacheUsage {
                tables: 2,
                bytes: expected - one
            }
        );
    }

    #[test]
    fn stays_within_capacity_with_many_tables() {
        let per_table = tables(1, 2_000, usize::MAX).get(1).expect("open").memory();
        // Room for three tables; forty are read, over and over.
        let cache = tables(40, 2_000, 3 * per_table + per_table / 2);
        for round in 0..3 {
            for n in 1..=40 {
                let t = cache.get(n).expect("open");
                assert_eq!(t.file_number(), n, "round {round}");
                let u = cache.usage();
                assert!(
                    u.bytes <= 3 * per_table + per_table / 2 && u.tables <= 3,
                    "round {round}, table {n}: {u:?}"
                );
            }
        }
        assert_eq!(cache.usage().tables, 3);
    }

    #[test]
    fn keeps_tables_in_use_over_idle_ones() {
        let per_table = tables(1, 2_000, usize::MAX).get(1).expect("open").memory();
        let cache = tables(10, 2_000, 2 * per_table + per_table / 2);
        cache.get(1).expect("open");
        cache.get(2).expect("open");
        for n in 3..=10 {
            // Table 1 is read between every other table's use.
            cache.get(1).expect("hot");
            cache.get(n).expect("open");
        }
        let before = cache.usage();
        cache.get(1).expect("hot");
        assert_eq!(cache.usage(), before, "table 1 had to be opened again");
    }

    #[test]
    fn a_table_larger_than_the_cache_is_not_kept() {
        let cache = tables(1, 2_000, 16);
        let t = cache.get(1).expect("open");
        assert_eq!(t.file_number(), 1);
        assert_eq!(cache.usage(), TableCacheUsage::default());
    }
}
