//! The WALs and blob files of frozen memtables, kept open while they may
//! hold writes that are not yet durable.
//!
//! A memtable switch does not sync the old WAL (or the memtable's blob
//! file): with only unsynced writes in it, its bytes usually never need to
//! reach the device — the memtable is flushed and the WAL deleted before
//! the kernel writes it back. Instead, anything that makes a write durable
//! (a synced write, [`crate::Db::sync_wal`], close) first syncs every
//! frozen log with unsynced bytes, oldest first, so a synced write is never
//! durable while an earlier write is not (RocksDB does the same). Recovery
//! relies on that: after a power cut it stops at the first WAL that lost
//! its tail and ignores every later record ([`crate::recovery::wal::WalChain`]).
//!
//! A flush makes the memtable's blob file durable before its table is
//! recorded (the table points into it), and forgets the frozen WAL once the
//! MANIFEST no longer needs it.

use super::{lock, DbInner};
use crate::error::Result;
use crate::stats::Counters;
use crate::vlog::BlobWriter;
use crate::wal::LogWriter;

/// A frozen memtable's WAL and blob file (both numbered as the memtable).
pub(super) struct FrozenLog {
    number: u64,
    wal: LogWriter,
    blob: Option<BlobWriter>,
}

impl FrozenLog {
    fn needs_sync(&self) -> bool {
        self.wal.needs_sync() || self.blob.as_ref().is_some_and(BlobWriter::needs_sync)
    }
}

impl DbInner {
    /// At a memtable switch: keeps memtable `number`'s WAL and blob file
    /// open, unsynced, if either holds bytes not yet durable; closes them
    /// otherwise. REQUIRES: the `blob_writer` and `wal` locks held (the
    /// writers were just taken out of them), so no sync can miss them.
    pub(super) fn freeze_log(&self, number: u64, wal: LogWriter, blob: Option<BlobWriter>) {
        if wal.ever_synced() {
            lock(&self.wal_pool).synced(number);
        }
        let log = FrozenLog { number, wal, blob };
        if log.needs_sync() {
            lock(&self.frozen_logs).push(log);
        }
    }

    /// Makes every frozen log durable, oldest first. REQUIRES: the
    /// `blob_writer` and `wal` locks held (lock order: `blob_writer`,
    /// `wal`, `frozen_logs`).
    pub(super) fn sync_frozen_logs(&self) -> Result<()> {
        let mut frozen = lock(&self.frozen_logs);
        for log in frozen.iter_mut() {
            if let Some(b) = log.blob.as_mut().filter(|b| b.needs_sync()) {
                b.sync()?;
                Counters::add(&self.stats.blob_syncs, 1);
            }
            if log.wal.needs_sync() {
                log.wal.sync()?;
                Counters::add(&self.stats.wal_syncs, 1);
                lock(&self.wal_pool).synced(log.number);
            }
        }
        // Durable now: nothing left to sync, nothing to keep open.
        frozen.clear();
        Ok(())
    }

    /// Before a flush of memtable `number` is recorded: makes its blob file
    /// durable, as the new table points into it. Its WAL stays unsynced.
    pub(super) fn seal_frozen_blob(&self, number: u64) -> Result<()> {
        let mut frozen = lock(&self.frozen_logs);
        let blob = frozen
            .iter_mut()
            .filter(|l| l.number == number)
            .find_map(|l| l.blob.as_mut());
        if let Some(b) = blob.filter(|b| b.needs_sync()) {
            b.sync()?;
            Counters::add(&self.stats.blob_syncs, 1);
        }
        Ok(())
    }

    /// Once an edit with `log_number` is installed: closes the frozen logs
    /// numbered below it, unsynced. Their writes are in durable tables (and
    /// their blob files were sealed by the flush), so the WALs are garbage.
    pub(super) fn retire_frozen_logs(&self, log_number: u64) {
        lock(&self.frozen_logs).retain(|l| l.number >= log_number);
    }

    /// Closes every frozen log without syncing (the database is poisoned or
    /// already durable).
    pub(super) fn drop_frozen_logs(&self) {
        lock(&self.frozen_logs).clear();
    }
}
