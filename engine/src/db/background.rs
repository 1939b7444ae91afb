//! Background work: flushing frozen memtables, compacting levels, version
//! edits, deleting files no version needs.
//!
//! Two threads: the flush thread only flushes, so a long deep compaction
//! never delays a flush (which would stall writers); the compaction thread
//! runs whatever the pure picker chooses.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::blob_compaction::BlobCompaction;
use super::blob_files::{note_blob_ref, register_flushed_blobs};
use super::{lock, DbInner, State};
use crate::compaction::{self, CompactionTask};
use crate::error::{Error, Result};
use crate::iter::level::{LevelIter, TableSource};
use crate::iter::merge::MergingIter;
use crate::iter::{BoxIter, InternalIterator};
use crate::key::{self, ValueKind};
use crate::manifest::history::{self, HistoryRange};
use crate::manifest::{FileMeta, VersionEdit, NUM_LEVELS};
use crate::ratelimit::{IoClass, Pacer};
use crate::recovery::layout::{role, Live, Role, WalLiveness};
use crate::recovery::{FileKind, RemovedFile};
use crate::sstable::{TableBuilder, TableSummary};
use crate::stats::Counters;
use crate::vlog::gc::{gc_candidates, pick_gc};
use crate::vlog::BlobRefTally;

/// What a compaction may drop below: the oldest live snapshot, and the
/// floors of the history ranges (format-spec/pitr.md).
struct Horizons<'a> {
    smallest_snapshot: u64,
    history: &'a [HistoryRange],
}

fn meta_from(number: u64, s: TableSummary) -> FileMeta {
    FileMeta {
        number,
        size: s.file_size,
        smallest: s.smallest,
        largest: s.largest,
        smallest_seq: s.smallest_seq,
        largest_seq: s.largest_seq,
        num_entries: s.num_entries,
        num_deletions: s.num_deletions,
    }
}

impl DbInner {
    /// Records a failure that leaves the on-disk state uncertain: from now
    /// on writes are refused with [`Error::Poisoned`] holding the first
    /// such failure, and no file is deleted. Logged and counted.
    pub(super) fn set_bg_error(&self, st: &mut State, what: &str, e: &Error) {
        if matches!(e.root(), Error::Closed) {
            // The database closed under the work: nothing on disk failed.
            return;
        }
        let repeat = st
            .bg_error
            .as_ref()
            .is_some_and(|first| first.root().to_string() == e.root().to_string());
        if !repeat {
            Counters::add(&self.stats.background_errors, 1);
            tracing::error!(
                during = what,
                "{e}; the database refuses writes until it is reopened"
            );
        }
        if st.bg_error.is_none() {
            st.bg_error = Some(e.duplicate());
        }
        self.cv.notify_all();
        self.bg_cv.notify_all();
    }

    /// Applies `edit` and makes it durable in the MANIFEST (LevelDB's
    /// LogAndApply): counters are filled in and the next state computed
    /// under the state lock; the record (or a new MANIFEST and the switch of
    /// `CURRENT`) is written and synced with the state lock released and
    /// the MANIFEST lock held, so edits stay ordered; then, under the state
    /// lock again, the new version is installed, `then` runs, and readers
    /// see the result. A failure poisons the database: the MANIFEST's tail
    /// is unknown until a reopen reads it.
    pub(super) fn log_and_apply(
        &self,
        edit: VersionEdit,
        then: impl FnOnce(&mut State),
    ) -> Result<()> {
        let mut log = lock(&self.manifest);
        let prepared = {
            let mut st = lock(&self.state);
            if let Some(e) = &st.bg_error {
                return Err(Error::Poisoned(Box::new(e.duplicate())));
            }
            let p = st.versions.prepare(edit, log.needs_roll())?;
            if let Some(n) = p.new_manifest {
                st.pending_outputs.insert(n);
            }
            p
        };
        let written = log.write(&prepared);
        let mut st = lock(&self.state);
        if let Some(n) = prepared.new_manifest {
            st.pending_outputs.remove(&n);
        }
        match written {
            Ok(()) => {
                st.versions.install(prepared);
                then(&mut st);
                self.install_super_version(&mut st);
                Ok(())
            }
            Err(e) => {
                self.set_bg_error(&mut st, "MANIFEST write", &e);
                Err(e)
            }
        }
    }

    /// A builder for table `number`, paced as `class` (flushes never wait
    /// for foreground syncs; compactions do).
    fn new_builder(&self, number: u64, class: IoClass) -> Result<TableBuilder> {
        let kind = FileKind::Table(number);
        let name = kind.name();
        let file = self.fs.create(&kind.path(&self.dir))?;
        Ok(TableBuilder::new(
            file,
            name,
            self.opts.table.clone(),
            self.limiter.clone().map(|l| Pacer::new(l, class)),
        ))
    }

    /// Writes every entry of `iter` (a memtable) into table `number`,
    /// counting in `blobs` the blob records its entries point to.
    /// `Ok(None)` if the iterator was empty (no file is left behind).
    pub(super) fn build_table(
        &self,
        number: u64,
        iter: &mut dyn InternalIterator,
        blobs: &mut BlobRefTally,
    ) -> Result<Option<FileMeta>> {
        iter.seek_to_first()?;
        if !iter.valid() {
            return Ok(None);
        }
        let mut b = self.new_builder(number, IoClass::Flush)?;
        let source = FileKind::Table(number).name();
        while iter.valid() {
            note_blob_ref(iter.key(), iter.value(), &source, blobs)?;
            b.add(iter.key(), iter.value())?;
            iter.next()?;
        }
        let s = b.finish()?;
        Ok(Some(meta_from(number, s)))
    }

    pub(super) fn flush_loop(self: &Arc<Self>) {
        loop {
            let mut st = lock(&self.state);
            loop {
                if st.shutting_down {
                    return;
                }
                if st.bg_error.is_none() && !st.imm.is_empty() {
                    break;
                }
                st = self.bg_cv.wait(st).unwrap_or_else(|p| p.into_inner());
            }
            let Some(mem) = st.imm.front().cloned() else {
                continue;
            };
            let number = st.versions.new_file_number();
            st.pending_outputs.insert(number);
            drop(st);

            let mut blobs = BlobRefTally::new();
            let built = self
                .build_table(number, &mut mem.iter(), &mut blobs)
                .and_then(|m| self.fs.sync_dir(&self.dir).map(|()| m))
                .and_then(|m| self.seal_frozen_blob(mem.log_number()).map(|()| m));

            match built {
                Ok(meta) => {
                    let mut edit = VersionEdit::default();
                    if let Some(m) = &meta {
                        edit.new_files.push((0, m.clone()));
                        // The memtable's blob file was sealed above.
                        register_flushed_blobs(&mut edit, number, &blobs);
                    }
                    // The oldest log still needed is that of the next
                    // memtable. Only this thread removes from `imm` and only
                    // a switch (at the back) adds, so this stays true until
                    // the edit is installed.
                    let log_number = {
                        let st = lock(&self.state);
                        st.imm
                            .get(1)
                            .map_or(st.mem.log_number(), |m| m.log_number())
                    };
                    edit.log_number = Some(log_number);
                    let installed = self.log_and_apply(edit, |st| {
                        st.imm.pop_front();
                        Counters::add(&self.stats.flushes, 1);
                        if let Some(m) = &meta {
                            Counters::add(&self.stats.flush_bytes, m.size);
                            Counters::add(&self.stats.level(0).flush_written, m.size);
                        }
                    });
                    match installed {
                        // The frozen WAL is garbage now; close it unsynced.
                        Ok(()) => self.retire_frozen_logs(log_number),
                        // Already recorded (and logged) by log_and_apply.
                        Err(e) => tracing::debug!(
                            "flush of memtable to {number:06}.sst not installed: {e}"
                        ),
                    }
                }
                Err(e) => self.set_bg_error(&mut lock(&self.state), "memtable flush", &e),
            }
            lock(&self.state).pending_outputs.remove(&number);
            self.delete_obsolete_files(false);
            self.cv.notify_all();
            self.bg_cv.notify_all();
        }
    }

    pub(super) fn compaction_loop(self: &Arc<Self>) {
        loop {
            let guard = lock(&self.compaction_lock);
            let st = lock(&self.state);
            if st.shutting_down {
                return;
            }
            let task = if st.bg_error.is_none() {
                let v = st.versions.current_ref();
                compaction::pick(v, &self.opts.compaction).or_else(|| pick_gc(v, &self.opts.blob))
            } else {
                None
            };
            let Some(task) = task else {
                drop(guard);
                // Woken by new work or the timeout alike; the loop re-picks.
                let (_st, _timed_out) = self
                    .bg_cv
                    .wait_timeout(st, Duration::from_millis(200))
                    .unwrap_or_else(|p| p.into_inner());
                continue;
            };
            drop(st);
            if let Err(e) = self.run_compaction(&task) {
                self.set_bg_error(&mut lock(&self.state), "compaction", &e);
            }
            drop(guard);
        }
    }

    fn smallest_snapshot(&self, st: &State) -> u64 {
        st.snapshots
            .keys()
            .next()
            .copied()
            .unwrap_or_else(|| self.visible_seq.load(Ordering::Acquire))
    }

    /// Runs one compaction and installs its result.
    /// REQUIRES: `compaction_lock` held.
    pub(super) fn run_compaction(&self, task: &CompactionTask) -> Result<()> {
        if task.trivial_move {
            self.log_and_apply(task.to_edit_for_move(), |_| {
                Counters::add(&self.stats.trivial_moves, 1);
                let moved: u64 = task.inputs.iter().map(|f| f.size).sum();
                Counters::add(&self.stats.level(task.output_level).moved_in, moved);
            })?;
            self.cv.notify_all();
            return Ok(());
        }
        let (smallest_snapshot, history, candidates) = {
            let st = lock(&self.state);
            let v = st.versions.current_ref();
            (
                self.smallest_snapshot(&st),
                st.versions.recorded().history.clone(),
                gc_candidates(v, &self.opts.blob),
            )
        };
        let mut blobs = BlobCompaction::new(self, candidates);
        let mut children: Vec<BoxIter> = Vec::new();
        let source: Arc<dyn TableSource> = Arc::clone(&self.tables) as _;
        // Compaction reads each input block once: it leaves the block
        // cache to the blocks reads use.
        if task.level == 0 {
            for f in &task.inputs {
                children.push(Box::new(
                    self.tables.get(f.number)?.iter_without_filling_cache(),
                ));
            }
        } else {
            children.push(Box::new(
                LevelIter::new(task.inputs.clone(), Arc::clone(&source)).without_filling_cache(),
            ));
        }
        if !task.next_inputs.is_empty() {
            children.push(Box::new(
                LevelIter::new(task.next_inputs.clone(), source).without_filling_cache(),
            ));
        }
        let mut iter = MergingIter::new(children);
        let mut outputs: Vec<FileMeta> = Vec::new();
        let mut pending: Vec<u64> = Vec::new();
        let result = self.write_compaction_outputs(
            task,
            &mut iter,
            Horizons {
                smallest_snapshot,
                history: &history,
            },
            &mut blobs,
            &mut outputs,
            &mut pending,
        );

        let r = result.and_then(|()| {
            let mut edit = VersionEdit::default();
            for f in &task.inputs {
                edit.deleted_files.push((task.level, f.number));
            }
            for f in &task.next_inputs {
                edit.deleted_files.push((task.output_level, f.number));
            }
            let read_source: u64 = task.inputs.iter().map(|f| f.size).sum();
            let read_target: u64 = task.next_inputs.iter().map(|f| f.size).sum();
            let written: u64 = outputs.iter().map(|f| f.size).sum();
            for f in outputs.drain(..) {
                edit.new_files.push((task.output_level, f));
            }
            {
                let st = lock(&self.state);
                blobs.add_to_edit(&mut edit, st.versions.current_ref());
            }
            self.log_and_apply(edit, |_| {
                Counters::add(&self.stats.compactions, 1);
                Counters::add(&self.stats.compaction_bytes_read, read_source + read_target);
                Counters::add(&self.stats.compaction_bytes_written, written);
                let (source, output) = (
                    self.stats.level(task.level),
                    self.stats.level(task.output_level),
                );
                Counters::add(&source.read_as_source, read_source);
                Counters::add(&output.read_as_target, read_target);
                Counters::add(&output.compaction_written, written);
                Counters::add(&output.compactions, 1);
            })
        });
        {
            let mut st = lock(&self.state);
            for n in &pending {
                st.pending_outputs.remove(n);
            }
        }
        self.delete_obsolete_files(false);
        self.cv.notify_all();
        r
    }

    /// Merges the inputs into output tables, dropping what no reader can see
    /// (`blobs` hears of every dropped and kept entry).
    fn write_compaction_outputs(
        &self,
        task: &CompactionTask,
        iter: &mut MergingIter,
        horizons: Horizons<'_>,
        blobs: &mut BlobCompaction<'_>,
        outputs: &mut Vec<FileMeta>,
        pending: &mut Vec<u64>,
    ) -> Result<()> {
        let target = self.opts.compaction.target_file_size;
        let mut builder: Option<(u64, TableBuilder)> = None;
        let mut current_user_key: Vec<u8> = Vec::new();
        let mut has_current = false;
        let mut last_seq_for_key = u64::MAX;
        let mut horizon = horizons.smallest_snapshot;
        (|| -> Result<()> {
            iter.seek_to_first()?;
            while iter.valid() {
                let ikey = iter.key();
                let Some(p) = key::parse_internal_key(ikey) else {
                    return Err(Error::corruption(
                        "compaction input",
                        0,
                        "malformed internal key",
                    ));
                };
                let new_key = !has_current || p.user_key != current_user_key.as_slice();
                if new_key {
                    // Cut output files only between user keys, so one user
                    // key never spans two files of a level.
                    if let Some((_, b)) = &builder {
                        if b.estimated_size() >= target {
                            if let Some((n, b)) = builder.take() {
                                outputs.push(meta_from(n, b.finish()?));
                                blobs.table_done(n);
                            }
                        }
                    }
                    current_user_key.clear();
                    current_user_key.extend_from_slice(p.user_key);
                    has_current = true;
                    last_seq_for_key = u64::MAX;
                    horizon = history::horizon_for(
                        horizons.history,
                        p.user_key,
                        horizons.smallest_snapshot,
                    );
                }
                // `horizon`: the oldest sequence number a reader of this key
                // may read at (the oldest snapshot, or lower in a history
                // range).
                let drop_entry = if last_seq_for_key <= horizon {
                    // A newer entry for this key is visible to every reader.
                    true
                } else {
                    p.kind == ValueKind::Deletion && p.seq <= horizon && task.bottommost
                };
                last_seq_for_key = p.seq;
                if drop_entry {
                    blobs.dropped(&p, iter.value())?;
                } else {
                    if builder.is_none() {
                        let n = {
                            let mut st = lock(&self.state);
                            let n = st.versions.new_file_number();
                            st.pending_outputs.insert(n);
                            n
                        };
                        pending.push(n);
                        builder = Some((n, self.new_builder(n, IoClass::Compaction)?));
                    }
                    let value = blobs.kept(&p, iter.value(), pending)?;
                    if let Some((_, b)) = builder.as_mut() {
                        b.add(iter.key(), &value)?;
                    }
                }
                iter.next()?;
            }
            if let Some((n, b)) = builder.take() {
                outputs.push(meta_from(n, b.finish()?));
                blobs.table_done(n);
            }
            blobs.finish()?;
            self.fs.sync_dir(&self.dir)
        })()
    }

    /// Compacts each level overlapping `[begin, end]` into the next level
    /// below it that holds data, from L0 down to the deepest level.
    pub(super) fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
        let _guard = lock(&self.compaction_lock);
        let mut level = 0;
        loop {
            let task = {
                let st = lock(&self.state);
                if let Some(e) = &st.bg_error {
                    return Err(Error::Poisoned(Box::new(e.duplicate())));
                }
                let v = st.versions.current_ref();
                let deepest = (0..NUM_LEVELS)
                    .rev()
                    .find(|&l| v.num_files(l) > 0)
                    .unwrap_or(0);
                if level >= deepest.max(1) {
                    return Ok(());
                }
                let output = compaction::manual_output_level(v, level, &self.opts.compaction);
                let task = compaction::manual_task(v, level, output, begin, end);
                level = output;
                task
            };
            if let Some(task) = task {
                // As in the background: a failed compaction (a full disk, a
                // failed fsync, a damaged input) poisons the database.
                if let Err(e) = self.run_compaction(&task) {
                    self.set_bg_error(&mut lock(&self.state), "compaction", &e);
                    return Err(e);
                }
            }
        }
    }

    /// At close: removes the obsolete WALs kept for reuse (the next open
    /// would remove them as obsolete).
    pub(super) fn release_wal_pool(&self) {
        let mut pool = lock(&self.wal_pool);
        for n in pool.drain() {
            if let Err(e) = self.fs.remove(&FileKind::Wal(n).path(&self.dir)) {
                Counters::add(&self.stats.failed_deletions, 1);
                tracing::warn!("removing obsolete WAL {n}, kept for reuse: {e}");
            }
        }
    }

    /// Removes every file [`role`] proves garbage — tables no live version
    /// (current or held by a reader) names, blob files no live version lists
    /// that are not the blob file of a live WAL or of a memtable a reader
    /// may still hold, WALs that are not live,
    /// superseded MANIFESTs; with `at_open`, also a leftover `CURRENT.tmp`
    /// (at run time one may be in the middle of a switch) — and returns what
    /// it removed. Nothing while the database is poisoned: after a failed
    /// MANIFEST write no file is provably garbage until a reopen reads the
    /// MANIFEST. An obsolete WAL that was synced may be kept for reuse
    /// instead ([`super::wal_pool`]; never at open). A failed removal is
    /// logged and counted, and leaves garbage for a later pass or the next
    /// open. Runs without the state lock except to decide.
    pub(super) fn delete_obsolete_files(&self, at_open: bool) -> Vec<RemovedFile> {
        let _pass = lock(&self.deletion);
        let names = match self.fs.list(&self.dir) {
            Ok(names) => names,
            Err(e) => {
                Counters::add(&self.stats.failed_deletions, 1);
                tracing::warn!("listing the database directory for obsolete files: {e}");
                return Vec::new();
            }
        };
        let doomed: Vec<(FileKind, String)> = {
            let mut guard = lock(&self.state);
            let st = &mut *guard;
            if st.bg_error.is_some() {
                return Vec::new();
            }
            let tables = st.versions.live_tables();
            let mut blobs = st.versions.live_blob_files();
            st.blob_memtables.retain(|m| match m.upgrade() {
                Some(m) => {
                    blobs.extend(m.blob_number());
                    true
                }
                None => false,
            });
            let recorded = st.versions.recorded();
            let no_wals = Default::default();
            let live = Live {
                tables: &tables,
                blobs: &blobs,
                wals: WalLiveness::Tracked(recorded.live_wals.as_ref().unwrap_or(&no_wals)),
                log_number: recorded.log_number,
                manifest: st.versions.manifest_number,
                pending: &st.pending_outputs,
                next_file_number: st.versions.next_file_number,
            };
            names
                .iter()
                .filter_map(|name| FileKind::parse(name))
                .filter(|&k| at_open || k != FileKind::CurrentTmp)
                .filter_map(|k| match role(k, &live) {
                    Role::Obsolete(why) | Role::Debris(why) => Some((k, why)),
                    _ => None,
                })
                .collect()
        };
        let mut removed = Vec::new();
        for (kind, reason) in doomed {
            // Held through the removal of a WAL, so no WAL is renamed for
            // reuse between the decision and the removal.
            let _pool = match kind {
                FileKind::Table(n) => {
                    self.tables.evict(n);
                    None
                }
                FileKind::Blob(n) => {
                    self.blobs.evict(n);
                    None
                }
                FileKind::Wal(n) => {
                    let mut pool = lock(&self.wal_pool);
                    if !at_open && pool.keep(n, self.opts.wal_recycle_files) {
                        continue;
                    }
                    Some(pool)
                }
                _ => None,
            };
            match self.fs.remove(&kind.path(&self.dir)) {
                Ok(()) => removed.push(RemovedFile {
                    name: kind.name(),
                    reason,
                }),
                Err(e) => {
                    Counters::add(&self.stats.failed_deletions, 1);
                    tracing::warn!("removing obsolete file {kind}: {e}");
                }
            }
        }
        removed
    }
}
