//! The write path: group commit.
//!
//! Writers queue; the writer at the front leads a group. It merges the
//! batches queued behind it into one, appends that to the WAL in one call,
//! syncs once if any member asked for durability, applies it to the
//! memtable, publishes it to readers, then completes every member's ticket.
//! Concurrent synced writers therefore share fsyncs. A write's leader is the
//! thread that called [`Db::write`](crate::Db::write) (it parks until it
//! leads or its result is in), or, for [`Db::write_async`](crate::Db::write_async),
//! the commit thread, so no thread waits per asynchronous writer
//! (`commit.rs`).
//!
//! Values of at least `Options::blob.min_blob_size` bytes are written once, to
//! the memtable's blob file, before the group's WAL record, which carries
//! their blob indexes instead (format-spec/value-log.md, "Writing"): a synced
//! group returns only once both the blob file and the WAL are synced (the
//! blob file's writeback is started before the WAL's fdatasync, its own
//! fdatasync follows), so an acknowledged WAL record never points at bytes
//! a power cut can take.

use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use super::commit::{Commit, OnCommitted, Ticket};
use super::{lock, DbInner, Leader, QueuedWrite, State};
use crate::batch::WriteBatch;
use crate::compaction::WritePressure;
use crate::error::{Error, Result};
use crate::fs::WritableFile;
use crate::manifest::VersionEdit;
use crate::memtable::MemTable;
use crate::recovery::FileKind;
use crate::stats::Counters;
use crate::wal::LogWriter;

/// A small leading batch only pulls in up to this much more, so one small
/// write is not made to wait behind a huge group.
const SMALL_GROUP_EXTRA: usize = 128 << 10;

impl DbInner {
    /// Wakes whoever leads the write now at the front of the queue: its
    /// thread, or the commit thread.
    fn wake_front(&self, st: &State) {
        if let Some(w) = st.writers.front() {
            match &w.leader {
                Leader::Thread(t) => t.unpark(),
                Leader::CommitThread => self.commit_cv.notify_one(),
            }
        }
    }

    /// The result of a write that ends before it is queued: `Some` for an
    /// empty batch (nothing to do) or one the engine refuses.
    fn refused(batch: &WriteBatch, force_switch: bool) -> Option<Result<()>> {
        if batch.is_empty() && !force_switch {
            return Some(Ok(()));
        }
        if batch.holds_blob_index() {
            return Some(Err(Error::InvalidArgument(
                "a write batch may not hold blob indexes (ValueBlob ops come only from the WAL)"
                    .into(),
            )));
        }
        None
    }

    /// Queues a write led by `leader`; returns its id.
    fn enqueue(
        &self,
        st: &mut State,
        batch: WriteBatch,
        sync: bool,
        force_switch: bool,
        leader: Leader,
        ticket: Arc<Ticket>,
    ) -> u64 {
        let id = st.next_writer_id;
        st.next_writer_id += 1;
        st.writers.push_back(QueuedWrite {
            id,
            batch: Some(batch),
            sync,
            force_switch,
            leader,
            led: false,
            ticket,
        });
        id
    }

    /// Applies `batch`, blocking the calling thread until it is committed;
    /// the thread leads its group if its write reaches the front.
    pub(super) fn write(&self, batch: WriteBatch, sync: bool, force_switch: bool) -> Result<()> {
        self.write_then(batch, sync, force_switch, None)
    }

    /// [`DbInner::write`] with a completion hook, run (by the group's
    /// leader) before this returns, also for a batch refused before it is
    /// queued.
    pub(super) fn write_then(
        &self,
        batch: WriteBatch,
        sync: bool,
        force_switch: bool,
        on_committed: Option<OnCommitted>,
    ) -> Result<()> {
        if let Some(r) = Self::refused(&batch, force_switch) {
            return Ticket::done(r, on_committed)
                .take()
                .unwrap_or_else(|| Err(Error::InvalidArgument("write result lost".into())));
        }
        let me = std::thread::current();
        let ticket = Ticket::new(Some(me.clone()), on_committed);
        let mut st = lock(&self.state);
        let id = self.enqueue(
            &mut st,
            batch,
            sync,
            force_switch,
            Leader::Thread(me),
            Arc::clone(&ticket),
        );
        self.wait_as_leader(st, id, &ticket)
    }

    /// Queues `batch` for the commit thread to lead; the returned
    /// [`Commit`] resolves once it is committed, after `on_committed` ran.
    pub(super) fn write_async(
        self: &Arc<Self>,
        batch: WriteBatch,
        sync: bool,
        on_committed: Option<OnCommitted>,
    ) -> Commit {
        if let Some(r) = Self::refused(&batch, false) {
            return Commit::done(Ticket::done(r, on_committed));
        }
        let mut st = lock(&self.state);
        if st.shutting_down {
            drop(st);
            return Commit::done(Ticket::done(Err(Error::Closed), on_committed));
        }
        let ticket = Ticket::new(None, on_committed);
        let id = self.enqueue(
            &mut st,
            batch,
            sync,
            false,
            Leader::CommitThread,
            Arc::clone(&ticket),
        );
        if st.writers.len() == 1 {
            self.commit_cv.notify_one();
        }
        drop(st);
        Commit::queued(ticket, Arc::clone(self), id)
    }

    /// Blocks until queued write `id` is committed ([`Commit::wait`]),
    /// taking it over from the commit thread if no group has started on it.
    pub(super) fn wait_for(&self, id: u64, ticket: &Ticket) -> Result<()> {
        let me = std::thread::current();
        ticket.wait_on_thread(me.clone());
        let mut st = lock(&self.state);
        if let Some(w) = st.writers.iter_mut().find(|w| w.id == id) {
            if !w.led && w.batch.is_some() {
                w.leader = Leader::Thread(me);
            }
        }
        self.wait_as_leader(st, id, ticket)
    }

    /// Parks until write `id` has its result, leading a group if it reaches
    /// the front of the queue with this thread as its leader.
    fn wait_as_leader<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        id: u64,
        ticket: &Ticket,
    ) -> Result<()> {
        loop {
            if let Some(r) = ticket.take() {
                return r;
            }
            let leads = st
                .writers
                .front()
                .is_some_and(|w| w.id == id && !w.led && matches!(w.leader, Leader::Thread(_)));
            if leads {
                break;
            }
            // Woken only by the leader that finished this write or made it
            // the front, not by every group's end: with many writers a
            // shared condvar woke each one once per group. An unpark that
            // comes before the park is kept, so none is lost; a spurious
            // return loops.
            drop(st);
            std::thread::park();
            st = lock(&self.state);
        }
        self.lead_group(st);
        ticket
            .take()
            .unwrap_or_else(|| Err(Error::InvalidArgument("write queue lost a result".into())))
    }

    /// The commit thread: leads every group whose front write was submitted
    /// with [`Db::write_async`](crate::Db::write_async), until the database
    /// closes and no such write is left.
    pub(super) fn commit_loop(&self) {
        let mut st = lock(&self.state);
        loop {
            let ours = st
                .writers
                .front()
                .is_some_and(|w| !w.led && matches!(w.leader, Leader::CommitThread));
            if ours {
                self.lead_group(st);
                st = lock(&self.state);
                continue;
            }
            if st.shutting_down
                && !st
                    .writers
                    .iter()
                    .any(|w| matches!(w.leader, Leader::CommitThread))
            {
                return;
            }
            st = self.commit_cv.wait(st);
        }
    }

    /// Leads one group: the write at the front of the queue and those queued
    /// behind it that fit. Makes room, appends the group to the WAL, syncs
    /// once if any member asked to, applies it to the memtable, publishes
    /// it, then completes every member's ticket. REQUIRES: the front write
    /// is not led and the caller is its leader.
    fn lead_group<'a>(&'a self, mut st: MutexGuard<'a, State>) {
        let (sync, force_switch) = match st.writers.front_mut() {
            Some(w) => {
                w.led = true;
                (w.sync, w.force_switch)
            }
            None => return,
        };
        let (mut st, room) = self.make_room_for_write(st, force_switch);
        if let Err(e) = room {
            self.finish_front(st, Err(e));
            return;
        }
        if force_switch {
            let r = if st.mem.is_empty() {
                Ok(())
            } else {
                let (guard, r) = self.switch_memtable(st);
                st = guard;
                r
            };
            self.finish_front(st, r);
            return;
        }

        let Some(mut merged) = st.writers.front_mut().and_then(|w| w.batch.take()) else {
            let e = Error::InvalidArgument("write queue lost a batch".into());
            self.finish_front(st, Err(e));
            return;
        };
        let mut group_sync = sync;
        let mut members = 1;
        let max = if merged.approximate_size() <= SMALL_GROUP_EXTRA {
            merged.approximate_size() + SMALL_GROUP_EXTRA
        } else {
            self.opts.max_write_group_bytes
        };
        for w in st.writers.iter_mut().skip(1) {
            if w.force_switch || (w.sync && !group_sync) {
                break;
            }
            let Some(b) = w.batch.as_ref() else { break };
            if merged.approximate_size() + b.approximate_size() > max {
                break;
            }
            merged.append(b);
            w.batch = None;
            group_sync |= w.sync;
            members += 1;
        }
        let seq = st.versions.last_sequence + 1;
        merged.set_sequence(seq);
        let count = u64::from(merged.count());
        st.versions.last_sequence += count;
        let separate = self.opts.blob.separates(merged.largest_value());
        if separate && st.mem.blob_number().is_none() {
            // The blob file takes its WAL's number (recorded in the MANIFEST
            // with the WAL, so recovery keeps it while it keeps the WAL);
            // noted under the state lock so obsolete-file deletion keeps it
            // while any reader holds the memtable.
            st.mem.use_blob_file();
            let weak = Arc::downgrade(&st.mem);
            st.blob_memtables.push(weak);
        }
        let mem = Arc::clone(&st.mem);
        drop(st);

        let result = self.apply_group(&merged, group_sync, &mem, separate);

        let mut st = lock(&self.state);
        match &result {
            Ok(()) => {
                self.visible_seq.store(seq + count - 1, Ordering::Release);
                Counters::add(&self.stats.writes, members as u64);
                Counters::add(&self.stats.write_groups, 1);
                Counters::add(&self.stats.user_bytes, merged.user_bytes());
            }
            Err(e) => self.set_bg_error(&mut st, "WAL write", e),
        }
        let mut done = Vec::with_capacity(members);
        for _ in 0..members {
            if let Some(w) = st.writers.pop_front() {
                done.push(w.ticket);
            }
        }
        // Wake the next leader, if any, then the group's members (the
        // write is durable and visible).
        self.wake_front(&st);
        drop(st);
        // The leader's own write keeps the original error; the others get
        // copies.
        let mut tickets = done.into_iter();
        let first = tickets.next();
        for t in tickets {
            t.complete(result.as_ref().map(|_| ()).map_err(|e| e.duplicate()));
        }
        if let Some(t) = first {
            t.complete(result);
        }
    }

    /// Ends the front write (not part of a group) with `result`.
    fn finish_front<'a>(&'a self, mut st: MutexGuard<'a, State>, result: Result<()>) {
        let w = st.writers.pop_front();
        self.wake_front(&st);
        drop(st);
        if let Some(w) = w {
            w.ticket.complete(result);
        }
    }

    /// Blob append (when `separate`), WAL append (+ blob and WAL sync), then
    /// memtable insert. REQUIRES: group leader.
    fn apply_group(
        &self,
        batch: &WriteBatch,
        sync: bool,
        mem: &MemTable,
        separate: bool,
    ) -> Result<()> {
        let separated;
        let logged = {
            let mut blob = lock(&self.blob_writer);
            let logged = if separate {
                separated = self.separate_values(&mut blob, batch, mem)?;
                &separated
            } else {
                batch
            };
            let mut wal = lock(&self.wal);
            let w = wal.as_mut().ok_or(Error::Closed)?;
            let n = w.add_record(logged.data())?;
            Counters::add(&self.stats.wal_bytes, n);
            if sync {
                self.sync_wal_and_blob(&mut blob, w)?;
            }
            logged
        };
        let seq = logged.sequence();
        for (i, op) in logged.iter().enumerate() {
            mem.add(seq + i as u64, op.kind, op.key, op.value);
        }
        Ok(())
    }

    /// Waits until the memtable has room, applying back-pressure: one short
    /// delay per write past the slowdown trigger, a wait past the stop trigger
    /// or when too many memtables await flush. Freezes a full memtable.
    fn make_room_for_write<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        force: bool,
    ) -> (MutexGuard<'a, State>, Result<()>) {
        let mut allow_delay = !force;
        loop {
            if let Some(e) = &st.bg_error {
                let e = Error::Poisoned(Box::new(e.duplicate()));
                return (st, Err(e));
            }
            if st.shutting_down {
                return (st, Err(Error::Closed));
            }
            let pressure = st.pressure;
            if allow_delay && pressure == WritePressure::Slowdown {
                drop(st);
                let t = Instant::now();
                std::thread::sleep(Duration::from_millis(1));
                Counters::add(&self.stats.slowdowns, 1);
                Counters::add(
                    &self.stats.stall_micros,
                    u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX),
                );
                allow_delay = false;
                st = lock(&self.state);
                continue;
            }
            // An empty memtable always has room: a WAL is followed by a new
            // one only once it holds a write (recovery relies on it:
            // `WalChain`).
            let has_room = if force {
                st.imm.len() < self.opts.max_immutable_memtables
            } else {
                st.mem.is_empty()
                    || (st.mem.approximate_size() < self.opts.write_buffer_size
                        && st.mem.blob_bytes() < self.opts.blob.file_size)
            };
            if has_room {
                return (st, Ok(()));
            }
            if st.imm.len() >= self.opts.max_immutable_memtables || pressure == WritePressure::Stop
            {
                let t = Instant::now();
                self.bg_cv.notify_all();
                st = self
                    .cv
                    .wait_timeout(st, Duration::from_millis(100))
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
                Counters::add(
                    &self.stats.stall_micros,
                    u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX),
                );
                continue;
            }
            let (guard, r) = self.switch_memtable(st);
            st = guard;
            if let Err(e) = r {
                return (st, Err(e));
            }
        }
    }

    /// Freezes the memtable and starts a new WAL: create it, sync the
    /// directory, set the old WAL and the memtable's blob file aside
    /// unsynced (the next separated write starts the new memtable's own
    /// blob file; the next sync makes them durable first: [`frozen_logs`]),
    /// record the new WAL in the MANIFEST (so open knows it must exist),
    /// then switch.
    ///
    /// [`frozen_logs`]: super::frozen_logs Runs without the state lock from the
    /// number's allocation to the switch; a failure poisons the database
    /// (a WAL the MANIFEST may name must not be written around).
    /// REQUIRES: group leader (no WAL append in flight, no other switch).
    pub(super) fn switch_memtable<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
    ) -> (MutexGuard<'a, State>, Result<()>) {
        let number = st.versions.new_file_number();
        let old = st.mem.log_number();
        st.pending_outputs.insert(number);
        drop(st);
        let started = self.start_wal(number, old);
        let mut st = lock(&self.state);
        st.pending_outputs.remove(&number);
        let writer = match started {
            Ok(w) => w,
            Err(e) => {
                self.set_bg_error(&mut st, "memtable switch", &e);
                return (st, Err(e));
            }
        };
        *lock(&self.wal) = Some(writer);
        let fresh = Arc::new(MemTable::sized_for(number, self.opts.write_buffer_size));
        let old = std::mem::replace(&mut st.mem, fresh);
        st.mem_base_seq = st.versions.last_sequence;
        st.imm.push_back(old);
        self.install_super_version(&mut st);
        self.bg_cv.notify_all();
        (st, Ok(()))
    }

    /// Creates WAL `number`, sets the current WAL (and blob file) of
    /// memtable `old` aside unsynced, and records the new WAL in the
    /// MANIFEST. REQUIRES: group leader.
    fn start_wal(&self, number: u64, old: u64) -> Result<LogWriter> {
        let kind = FileKind::Wal(number);
        let file = match self.reuse_wal(number) {
            Some(file) => file,
            None => self.fs.create(&kind.path(&self.dir))?,
        };
        self.fs.sync_dir(&self.dir)?;
        {
            let mut blob = lock(&self.blob_writer);
            let mut wal = lock(&self.wal);
            match wal.take() {
                Some(w) => self.freeze_log(old, w, blob.take()),
                None => self.sync_blob_writer(&mut blob)?,
            }
            *blob = None;
        }
        let edit = VersionEdit {
            new_wals: vec![number],
            ..VersionEdit::default()
        };
        self.log_and_apply(edit, |_| {})?;
        Ok(LogWriter::new(file, kind.name())
            .naming_log(number)
            .with_preallocation(self.opts.wal_preallocate_bytes))
    }

    /// An obsolete WAL renamed to WAL `number` for overwriting, if one is
    /// kept ([`super::wal_pool`]). A failure is logged; the caller then
    /// creates a new file.
    fn reuse_wal(&self, number: u64) -> Option<Box<dyn WritableFile>> {
        let mut pool = lock(&self.wal_pool);
        match pool.reuse_as(self.fs.as_ref(), &self.dir, number) {
            Ok(Some((old, file))) => {
                Counters::add(&self.stats.wals_recycled, 1);
                tracing::debug!("WAL {number} reuses the file of obsolete WAL {old}");
                Some(file)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("reusing an obsolete WAL file for WAL {number}: {e}");
                None
            }
        }
    }

    /// Makes every write so far durable: the frozen logs, then the current
    /// WAL and blob file.
    pub(super) fn sync_wal(&self) -> Result<()> {
        let r = {
            let mut blob = lock(&self.blob_writer);
            let mut wal = lock(&self.wal);
            match wal.as_mut() {
                Some(w) => self.sync_wal_and_blob(&mut blob, w),
                None => self
                    .sync_frozen_logs()
                    .and_then(|()| self.sync_blob_writer(&mut blob)),
            }
        };
        match r {
            Ok(()) => Ok(()),
            Err(e) => {
                self.set_bg_error(&mut lock(&self.state), "WAL sync", &e);
                Err(e)
            }
        }
    }

    /// Freezes the memtable (if it holds anything) and waits for every frozen
    /// memtable to be flushed, then removes what is garbage by then. The
    /// flush thread's own removal pass runs after the install that lets
    /// this return, so without this pass a caller could still see files
    /// the flush made obsolete.
    pub(super) fn flush(&self) -> Result<()> {
        self.flush_then(|_| ())?;
        self.delete_obsolete_files(false);
        Ok(())
    }

    /// [`DbInner::flush`], then `then` under the state lock at a moment no
    /// memtable awaits flush (so the current version holds every write up
    /// to `mem_base_seq`).
    pub(super) fn flush_then<R>(&self, then: impl FnOnce(&mut State) -> R) -> Result<R> {
        self.write(WriteBatch::new(), false, true)?;
        let mut st = lock(&self.state);
        loop {
            // Done first: a failure after this flush finished (a compaction
            // it triggered, say) is not this flush's.
            if st.imm.is_empty() {
                return Ok(then(&mut st));
            }
            if let Some(e) = &st.bg_error {
                return Err(Error::Poisoned(Box::new(e.duplicate())));
            }
            if st.shutting_down {
                return Err(Error::Closed);
            }
            st = self
                .cv
                .wait_timeout(st, Duration::from_millis(100))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}
