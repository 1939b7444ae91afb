//! Recycled WAL files (RocksDB's `recycle_log_file_num`): an obsolete WAL
//! whose blocks are on the device is kept, under its old name, instead of
//! removed, and the next memtable switch renames it to the new WAL's name
//! and overwrites it from its start ([`crate::fs::Fs::reuse`]). A synced
//! write into it then overwrites blocks the file already has, so its
//! fdatasync commits no file size or allocation — without the zeros that
//! preallocation writes ahead of a new WAL. Records of a WAL name it
//! (format-spec/wal.md, RECYCLABLE records), so a reader stops at what the
//! file's earlier use left.
//!
//! Which files qualify: WALs this handle wrote with RECYCLABLE records and
//! synced at least once (a WAL only ever written unsynced is removed as
//! before: its pages usually never reach the device, and reusing it would
//! write them). They wait here only once the deletion pass has proved them
//! obsolete, exactly as it would before removing them; a crash or a close
//! leaves them to the next open, which removes them as obsolete WALs.

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;

use crate::error::Result;
use crate::fs::{Fs, WritableFile};
use crate::recovery::FileKind;

/// The recycling state, behind one mutex in `DbInner`.
#[derive(Debug, Default)]
pub(super) struct WalPool {
    /// WALs written with RECYCLABLE records and synced at least once, not
    /// yet obsolete.
    eligible: BTreeSet<u64>,
    /// Obsolete WALs kept for reuse, oldest first.
    free: VecDeque<u64>,
    /// The last WALs renamed for reuse (at most [`RECENTLY_REUSED`]): a
    /// deletion pass that listed one before its rename must not count the
    /// name's absence as a failed removal.
    reused: VecDeque<u64>,
}

/// How many reused WAL numbers [`WalPool`] remembers: more than one
/// deletion pass can see go by.
const RECENTLY_REUSED: usize = 16;

impl WalPool {
    /// WAL `number` was synced: once obsolete it may be kept for reuse.
    pub(super) fn synced(&mut self, number: u64) {
        self.eligible.insert(number);
    }

    /// True if the deletion pass must leave WAL `number` alone: it is kept
    /// for reuse already (or was just renamed for reuse), or it qualifies
    /// and the pool has room for it (`capacity` files), in which case it is
    /// kept from now on.
    pub(super) fn keep(&mut self, number: u64, capacity: usize) -> bool {
        if self.free.contains(&number) || self.reused.contains(&number) {
            return true;
        }
        if !self.eligible.remove(&number) || self.free.len() >= capacity {
            return false;
        }
        self.free.push_back(number);
        true
    }

    /// Gives up every kept WAL (at close): their numbers, for removal.
    pub(super) fn drain(&mut self) -> Vec<u64> {
        self.free.drain(..).collect()
    }

    /// Renames the oldest kept WAL to WAL `number` in `dir` and opens it
    /// for overwriting, if one is kept. `Ok(None)`: none is. On an error
    /// the file is given up (a later deletion pass removes whatever name it
    /// has) and the caller creates a new WAL.
    pub(super) fn reuse_as(
        &mut self,
        fs: &dyn Fs,
        dir: &Path,
        number: u64,
    ) -> Result<Option<(u64, Box<dyn WritableFile>)>> {
        // A log names its WAL by the low 32 bits of its number: a file is
        // reused only for a number those bits tell apart from its own.
        while let Some(old) = self.free.pop_front() {
            if old < number && number - old < 1 << 32 {
                let file = fs.reuse(
                    &FileKind::Wal(old).path(dir),
                    &FileKind::Wal(number).path(dir),
                )?;
                if self.reused.len() == RECENTLY_REUSED {
                    self.reused.pop_front();
                }
                self.reused.push_back(old);
                return Ok(Some((old, file)));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_synced_wals_are_kept_and_only_up_to_the_capacity() {
        let mut pool = WalPool::default();
        assert!(!pool.keep(4, 2), "never synced");
        pool.synced(5);
        pool.synced(6);
        pool.synced(7);
        assert!(pool.keep(5, 2));
        assert!(pool.keep(5, 2), "kept already");
        assert!(pool.keep(6, 2));
        assert!(!pool.keep(7, 2), "the pool is full");
        assert_eq!(pool.free, [5, 6]);
    }

    #[test]
    fn the_oldest_kept_wal_is_renamed_to_the_new_number() {
        let fs = crate::fs::MemFs::new();
        let dir = Path::new("/db");
        fs.create_dir_all(dir).expect("dir");
        for (n, byte) in [(5u64, 5u8), (6, 6)] {
            let mut f = fs.create(&FileKind::Wal(n).path(dir)).expect("create");
            f.append(&[byte; 10]).expect("append");
        }
        let mut pool = WalPool::default();
        pool.synced(5);
        pool.synced(6);
        assert!(pool.keep(5, 4) && pool.keep(6, 4));
        let (old, mut file) = pool.reuse_as(&fs, dir, 9).expect("reuse").expect("kept");
        assert_eq!(old, 5);
        assert_eq!(file.len(), 0, "appends start at the beginning");
        file.append(b"new").expect("append");
        assert!(!fs.exists(&FileKind::Wal(5).path(dir)));
        let bytes = fs.read_all(&FileKind::Wal(9).path(dir)).expect("read");
        assert_eq!(
            bytes, b"new\x05\x05\x05\x05\x05\x05\x05",
            "overwritten in place"
        );
        assert_eq!(pool.free, [6]);
        assert!(
            pool.keep(5, 4),
            "a deletion pass that listed 5 before its rename skips it"
        );
        assert!(
            pool.reuse_as(&fs, dir, 6).expect("reuse").is_none(),
            "6 is not older than 6"
        );
        assert!(pool.free.is_empty());
    }
}
