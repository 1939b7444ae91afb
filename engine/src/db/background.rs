//! Background work: flushing frozen memtables, compacting levels, deleting
//! files no version needs.
//!
//! Two threads: the flush thread only flushes, so a long deep compaction
//! never delays a flush (which would stall writers); the compaction thread
//! runs whatever the pure picker chooses.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::blob_compaction::BlobCompaction;
use super::blob_files::{note_blob_ref, register_flushed_blobs};
use super::{filenames, lock, DbInner, State};
use crate::compaction::{self, CompactionTask};
use crate::error::{Error, Result};
use crate::iter::level::{LevelIter, TableSource};
use crate::iter::merge::MergingIter;
use crate::iter::{BoxIter, InternalIterator};
use crate::key::{self, ValueKind};
use crate::manifest::{FileMeta, VersionEdit, NUM_LEVELS};
use crate::sstable::{TableBuilder, TableSummary};
use crate::stats::Counters;
use crate::vlog::gc::{gc_candidates, pick_gc};
use crate::vlog::BlobRefTally;

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
    /// Records a background failure: writes are refused from now on.
    fn set_bg_error(&self, st: &mut State, what: &str, e: &Error) {
        if st.bg_error.is_none() {
            st.bg_error = Some(format!("{what} failed: {e}"));
        }
        self.cv.notify_all();
        self.bg_cv.notify_all();
    }

    fn new_builder(&self, number: u64) -> Result<TableBuilder> {
        let name = filenames::table_name(number);
        let file = self.fs.create(&filenames::path(&self.dir, &name))?;
        Ok(TableBuilder::new(
            file,
            name,
            self.opts.table.clone(),
            self.limiter.clone(),
        ))
    }

    /// Writes every entry of `iter` into table `number`, counting in `blobs`
    /// the blob records its entries point to. `Ok(None)` if the iterator was
    /// empty (no file is left behind).
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
        let mut b = self.new_builder(number)?;
        let source = filenames::table_name(number);
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
                .and_then(|m| self.fs.sync_dir(&self.dir).map(|()| m));

            let mut st = lock(&self.state);
            match built {
                Ok(meta) => {
                    let mut edit = VersionEdit::default();
                    if let Some(m) = meta {
                        Counters::add(&self.stats.flush_bytes, m.size);
                        edit.new_files.push((0, m));
                        // The memtable's blob file was synced when it froze.
                        register_flushed_blobs(&mut edit, number, &blobs);
                    }
                    // The oldest log still needed is that of the next memtable.
                    let next_log = st
                        .imm
                        .get(1)
                        .map_or(st.mem.log_number(), |m| m.log_number());
                    edit.log_number = Some(next_log);
                    match st.versions.log_and_apply(edit) {
                        Ok(()) => {
                            st.imm.pop_front();
                            Counters::add(&self.stats.flushes, 1);
                            self.install_super_version(&mut st);
                        }
                        Err(e) => self.set_bg_error(&mut st, "MANIFEST write", &e),
                    }
                }
                Err(e) => self.set_bg_error(&mut st, "memtable flush", &e),
            }
            st.pending_outputs.remove(&number);
            self.delete_obsolete_files(&mut st);
            drop(st);
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
                let _ = self
                    .bg_cv
                    .wait_timeout(st, Duration::from_millis(200))
                    .unwrap_or_else(|p| p.into_inner());
                continue;
            };
            drop(st);
            if let Err(e) = self.run_compaction(&task) {
                let mut st = lock(&self.state);
                self.set_bg_error(&mut st, "compaction", &e);
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
            let edit = task.to_edit_for_move();
            let mut st = lock(&self.state);
            st.versions.log_and_apply(edit)?;
            Counters::add(&self.stats.trivial_moves, 1);
            self.install_super_version(&mut st);
            drop(st);
            self.cv.notify_all();
            return Ok(());
        }
        let (smallest_snapshot, candidates) = {
            let st = lock(&self.state);
            let v = st.versions.current_ref();
            (
                self.smallest_snapshot(&st),
                gc_candidates(v, &self.opts.blob),
            )
        };
        let mut blobs = BlobCompaction::new(self, candidates);
        let mut children: Vec<BoxIter> = Vec::new();
        let source: Arc<dyn TableSource> = Arc::clone(&self.tables) as _;
        if task.level == 0 {
            for f in &task.inputs {
                children.push(Box::new(self.tables.get(f.number)?.iter()));
            }
        } else {
            children.push(Box::new(LevelIter::new(
                task.inputs.clone(),
                Arc::clone(&source),
            )));
        }
        if !task.next_inputs.is_empty() {
            children.push(Box::new(LevelIter::new(task.next_inputs.clone(), source)));
        }
        let mut iter = MergingIter::new(children);
        let mut outputs: Vec<FileMeta> = Vec::new();
        let mut pending: Vec<u64> = Vec::new();
        let result = self.write_compaction_outputs(
            task,
            &mut iter,
            smallest_snapshot,
            &mut blobs,
            &mut outputs,
            &mut pending,
        );

        let mut st = lock(&self.state);
        let r = result.and_then(|()| {
            let mut edit = VersionEdit::default();
            for f in &task.inputs {
                edit.deleted_files.push((task.level, f.number));
            }
            for f in &task.next_inputs {
                edit.deleted_files.push((task.output_level, f.number));
            }
            let read: u64 = task
                .inputs
                .iter()
                .chain(task.next_inputs.iter())
                .map(|f| f.size)
                .sum();
            let written: u64 = outputs.iter().map(|f| f.size).sum();
            for f in outputs.drain(..) {
                edit.new_files.push((task.output_level, f));
            }
            blobs.add_to_edit(&mut edit, st.versions.current_ref());
            st.versions.log_and_apply(edit)?;
            Counters::add(&self.stats.compactions, 1);
            Counters::add(&self.stats.compaction_bytes_read, read);
            Counters::add(&self.stats.compaction_bytes_written, written);
            Ok(())
        });
        if r.is_ok() {
            self.install_super_version(&mut st);
        }
        for n in &pending {
            st.pending_outputs.remove(n);
        }
        self.delete_obsolete_files(&mut st);
        drop(st);
        self.cv.notify_all();
        r
    }

    /// Merges the inputs into output tables, dropping what no reader can see
    /// (`blobs` hears of every dropped and kept entry).
    fn write_compaction_outputs(
        &self,
        task: &CompactionTask,
        iter: &mut MergingIter,
        smallest_snapshot: u64,
        blobs: &mut BlobCompaction<'_>,
        outputs: &mut Vec<FileMeta>,
        pending: &mut Vec<u64>,
    ) -> Result<()> {
        let target = self.opts.compaction.target_file_size;
        let mut builder: Option<(u64, TableBuilder)> = None;
        let mut current_user_key: Vec<u8> = Vec::new();
        let mut has_current = false;
        let mut last_seq_for_key = u64::MAX;
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
                }
                let drop_entry = if last_seq_for_key <= smallest_snapshot {
                    // A newer entry for this key is visible to every reader.
                    true
                } else {
                    p.kind == ValueKind::Deletion && p.seq <= smallest_snapshot && task.bottommost
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
                        builder = Some((n, self.new_builder(n)?));
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

    /// Compacts each level overlapping `[begin, end]` into the next one.
    pub(super) fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
        let _guard = lock(&self.compaction_lock);
        let deepest = {
            let st = lock(&self.state);
            let v = st.versions.current_ref();
            (0..NUM_LEVELS)
                .rev()
                .find(|&l| !v.levels[l].is_empty())
                .unwrap_or(0)
        };
        for level in 0..deepest.clamp(1, NUM_LEVELS - 1) {
            let task = {
                let st = lock(&self.state);
                if let Some(e) = &st.bg_error {
                    return Err(Error::Poisoned(e.clone()));
                }
                compaction::manual_task(st.versions.current_ref(), level, begin, end)
            };
            if let Some(task) = task {
                self.run_compaction(&task)?;
            }
        }
        Ok(())
    }

    /// Deletes tables and blob files no live version (nor live memtable, for
    /// a blob file) references, WALs older than the log number, and
    /// superseded manifests. Called after every version change.
    pub(super) fn delete_obsolete_files(&self, st: &mut State) {
        let Ok(names) = self.fs.list(&self.dir) else {
            return;
        };
        let live = st.versions.live_tables();
        let mut live_blobs = st.versions.live_blob_files();
        st.blob_memtables.retain(|m| match m.upgrade() {
            Some(m) => {
                live_blobs.extend(m.blob_number());
                true
            }
            None => false,
        });
        let log_number = st.versions.log_number;
        let manifest = st.versions.manifest_number;
        for name in names {
            let remove = match filenames::parse(&name) {
                Some(filenames::FileKind::Table(n)) => {
                    let dead = !live.contains(&n) && !st.pending_outputs.contains(&n);
                    if dead {
                        self.tables.evict(n);
                    }
                    dead
                }
                Some(filenames::FileKind::Blob(n)) => {
                    let dead = !live_blobs.contains(&n) && !st.pending_outputs.contains(&n);
                    if dead {
                        self.blobs.evict(n);
                    }
                    dead
                }
                Some(filenames::FileKind::Wal(n)) => n < log_number,
                Some(filenames::FileKind::Manifest(n)) => n != manifest,
                _ => false,
            };
            if remove {
                // A failed removal leaves garbage, never a wrong answer; the
                // next pass tries again.
                let _ = self.fs.remove(&filenames::path(&self.dir, &name));
            }
        }
    }
}
