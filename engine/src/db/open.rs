//! Opening a database: lock, let `recovery` decide what the directory holds,
//! replay the WALs it names into tables, record a new WAL in a new
//! MANIFEST, remove the garbage, start the background threads.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};

use super::{lock, Db, DbInner, State, SuperVersion};
use crate::cache::BlockCache;
use crate::compaction::WritePressure;
use crate::error::{Error, Result};
use crate::manifest::{TableBlobRefs, VersionEdit};
use crate::memtable::MemTable;
use crate::options::Options;
use crate::ratelimit::RateLimiter;
use crate::recovery::wal::WalChain;
use crate::recovery::{self, layout, FileKind, Found, Listing, RecoveryReport};
use crate::stats::Counters;
use crate::vlog::replay::wal_blob_replay_end;
use crate::vlog::BlobRefTally;
use crate::waiters::Waiters;
use crate::wal::LogWriter;

use super::blob_files::BlobCache;
use super::table_cache::TableCache;
use super::versions::{ManifestLog, VersionSet};

pub(super) fn open(dir: &Path, opts: Options) -> Result<Db> {
    let fs = Arc::clone(&opts.fs);
    fs.create_dir_all(dir)?;
    let file_lock = fs.lock(&FileKind::Lock.path(dir))?;
    let listing = Listing::read(fs.as_ref(), dir)?;
    let mut report = RecoveryReport::default();
    // Why each file is garbage, as the MANIFEST read at open says (the
    // reasons the report gives for what open removes).
    let mut garbage: HashMap<String, String> = HashMap::new();
    let (mut versions, wals) = match recovery::examine(fs.as_ref(), dir, &listing)? {
        Found::Database(plan) => {
            if opts.error_if_exists {
                return Err(Error::InvalidArgument(format!(
                    "a database already exists in {}",
                    dir.display()
                )));
            }
            if let Some(tail) = &plan.manifest.dropped {
                recovery::accept_dropped_tail(tail, opts.strict_recovery)?;
                report.dropped.push(tail.clone());
            }
            for (entry, role) in layout::roles(&listing, &plan.manifest) {
                if let layout::Role::Obsolete(why) | layout::Role::Debris(why) = role {
                    garbage.insert(entry.name, why);
                }
            }
            report.manifest = Some(plan.manifest.name());
            (VersionSet::recovered(&plan.manifest), plan.wals)
        }
        Found::NoDatabase => {
            if !opts.create_if_missing {
                return Err(Error::InvalidArgument(format!(
                    "no database in {} and create_if_missing is false",
                    dir.display()
                )));
            }
            report.created = true;
            (VersionSet::empty(), Vec::new())
        }
    };
    // Never hand out a number a file in the directory already has: crash
    // debris lies at or above next_file_number, and format-1 WALs were
    // numbered without an edit.
    if let Some(highest) = listing.highest_number() {
        versions.next_file_number = versions.next_file_number.max(highest + 1);
    }

    let limiter = (opts.background_write_rate > 0)
        .then(|| Arc::new(RateLimiter::new(opts.background_write_rate)));
    let blocks = Arc::new(BlockCache::new(opts.block_cache_bytes));
    let tables = Arc::new(TableCache::new(
        dir.to_path_buf(),
        Arc::clone(&fs),
        Arc::clone(&blocks),
        opts.table_cache_bytes,
    ));
    let blobs = Arc::new(BlobCache::new(dir.to_path_buf(), Arc::clone(&fs), blocks));
    let empty_version = versions.current();
    let placeholder = Arc::new(MemTable::sized_for(0, opts.write_buffer_size));
    let inner = Arc::new(DbInner {
        dir: dir.to_path_buf(),
        fs: Arc::clone(&fs),
        state: Mutex::new(State {
            mem: Arc::clone(&placeholder),
            imm: VecDeque::new(),
            versions,
            writers: VecDeque::new(),
            next_writer_id: 0,
            bg_error: None,
            shutting_down: false,
            snapshots: BTreeMap::new(),
            pending_outputs: HashSet::new(),
            pressure: WritePressure::None,
            blob_memtables: Vec::new(),
            mem_base_seq: 0,
        }),
        cv: Condvar::new(),
        bg_cv: Condvar::new(),
        commit_cv: Waiters::default(),
        wal: Mutex::new(None),
        blob_writer: Mutex::new(None),
        frozen_logs: Mutex::new(Vec::new()),
        manifest: Mutex::new(ManifestLog::new(
            dir.to_path_buf(),
            Arc::clone(&fs),
            opts.max_manifest_size,
        )),
        deletion: Mutex::new(()),
        wal_pool: Mutex::new(Default::default()),
        visible_seq: AtomicU64::new(0),
        current: RwLock::new(Arc::new(SuperVersion {
            mem: placeholder,
            imm: Vec::new(),
            version: empty_version,
        })),
        tables,
        blobs,
        stats: Counters::default(),
        limiter,
        compaction_lock: Mutex::new(()),
        file_lock: Mutex::new(Some(file_lock)),
        opts,
    });

    recover_logs(&inner, &wals, &mut report)?;
    report.removed = inner.delete_obsolete_files(true);
    for r in &mut report.removed {
        if let Some(why) = garbage.remove(&r.name) {
            r.reason = why;
        }
    }

    let mut threads = Vec::new();
    for (name, which) in [
        ("siltdb-flush", 0),
        ("siltdb-compact", 1),
        ("siltdb-commit", 2),
    ] {
        let db = Arc::clone(&inner);
        let t = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || match which {
                0 => db.flush_loop(),
                1 => db.compaction_loop(),
                _ => db.commit_loop(),
            })
            .map_err(|e| Error::io("spawn background thread", e))?;
        threads.push(t);
    }
    Ok(Db {
        inner,
        threads: Mutex::new(threads),
        report,
    })
}

/// Replays `wals` (oldest first, through one [`WalChain`]: replay stops
/// where a WAL lost its unsynced tail — a torn record, records whose
/// separated values never reached disk ([`blob_replay_end`]), a sequence
/// gap — and ignores every record after it) into L0 tables, then creates a
/// new WAL and records
/// it, with the tables and the blob files they point into (synced first),
/// in a new MANIFEST: from then on the replayed WALs are garbage.
/// Runs before the background threads start.
fn recover_logs(inner: &Arc<DbInner>, wals: &[u64], report: &mut RecoveryReport) -> Result<()> {
    let mut edit = VersionEdit::default();
    let mut blobs = BlobRefTally::new();
    let mut max_seq = lock(&inner.state).versions.last_sequence;
    let mut mem = Arc::new(MemTable::sized_for(0, inner.opts.write_buffer_size));
    let mut chain = WalChain::new();
    for &number in wals {
        let kind = FileKind::Wal(number);
        let data = inner.fs.read_all(&kind.path(&inner.dir))?;
        // Past the cut nothing is replayed, so nothing needs its values.
        let end = if chain.is_cut() {
            None
        } else {
            blob_replay_end(inner, &data, number)?
        };
        let read = chain.replay(&data, number, end, |batch, _| {
            let seq = batch.sequence();
            for (j, op) in batch.iter().enumerate() {
                mem.add(seq + j as u64, op.kind, op.key, op.value);
            }
            if batch.count() > 0 {
                max_seq = max_seq.max(seq + u64::from(batch.count()) - 1);
            }
            if mem.approximate_size() >= inner.opts.write_buffer_size {
                flush_recovered(inner, &mem, &mut edit, &mut blobs)?;
                mem = Arc::new(MemTable::sized_for(0, inner.opts.write_buffer_size));
            }
            Ok(())
        })?;
        // A tail whose separated values a crash took is reported as
        // truncated: never acknowledged as durable
        // (format-spec/value-log.md, "Recovery").
        if let Some(tail) = read.dropped {
            recovery::accept_dropped_tail(&tail, inner.opts.strict_recovery)?;
            report.dropped.push(tail);
        }
        if let Some(ignored) = read.ignored {
            recovery::accept_ignored_records(&ignored, inner.opts.strict_recovery)?;
            report.ignored.push(ignored);
        }
        report.wals_replayed.push(kind.name());
    }
    if !mem.is_empty() {
        flush_recovered(inner, &mem, &mut edit, &mut blobs)?;
    }
    // The crashed process may have left these bytes only in the page cache;
    // the WALs that point into them are about to be retired.
    for n in blobs.file_numbers() {
        inner.fs.sync_file(&FileKind::Blob(n).path(&inner.dir))?;
    }
    edit.new_blob_files.extend(blobs.to_new_blob_files());
    let number = {
        let mut st = lock(&inner.state);
        st.versions.last_sequence = max_seq;
        inner.visible_seq.store(max_seq, Ordering::Release);
        st.versions.new_file_number()
    };
    let kind = FileKind::Wal(number);
    let file = inner.fs.create(&kind.path(&inner.dir))?;
    edit.log_number = Some(number);
    edit.new_wals.push(number);
    // The first edit starts a new MANIFEST (none is open), so a recovered
    // database never appends to one that may end in a torn record; its
    // switch of CURRENT syncs the directory, making the new WAL's entry
    // durable too.
    inner.log_and_apply(edit, |st| {
        st.mem = Arc::new(MemTable::sized_for(number, inner.opts.write_buffer_size));
        st.mem_base_seq = max_seq;
    })?;
    *lock(&inner.wal) = Some(
        LogWriter::new(file, kind.name())
            .naming_log(number)
            .with_preallocation(inner.opts.wal_preallocate_bytes),
    );
    Ok(())
}

/// Writes a recovered memtable to an L0 table; its blob references go into
/// `edit`, the blob records it points to are added to `blobs`.
fn flush_recovered(
    inner: &DbInner,
    mem: &Arc<MemTable>,
    edit: &mut VersionEdit,
    blobs: &mut BlobRefTally,
) -> Result<()> {
    let number = lock(&inner.state).versions.new_file_number();
    let mut tally = BlobRefTally::new();
    if let Some(meta) = inner.build_table(number, &mut mem.iter(), &mut tally)? {
        Counters::add(&inner.stats.flush_bytes, meta.size);
        Counters::add(&inner.stats.flushes, 1);
        edit.new_files.push((0, meta));
        if !tally.is_empty() {
            edit.table_blob_refs.push(TableBlobRefs {
                table: number,
                blobs: tally.file_numbers(),
            });
            blobs.merge(&tally);
        }
    }
    Ok(())
}

/// Checks the blob record of every separated value WAL `number` (whole
/// contents `data`) points to before it is replayed, by the rule of
/// [`wal_blob_replay_end`]; returns the offset of the first WAL record not
/// to replay, if any. A missing blob file is corruption, and so is a
/// damaged record (one a crash cannot leave:
/// [`crate::vlog::replay::BlobTail::classify`]).
fn blob_replay_end(inner: &DbInner, data: &[u8], number: u64) -> Result<Option<u64>> {
    let name = FileKind::Wal(number).name();
    wal_blob_replay_end(
        data,
        number,
        |idx, key, offset| {
            let blob = FileKind::Blob(idx.file_number);
            if !inner.fs.exists(&blob.path(&inner.dir)) {
                return Err(Error::corruption(
                    blob.name(),
                    0,
                    format!("blob file is missing; {name} at offset {offset} points into it"),
                ));
            }
            match inner
                .blobs
                .get(idx.file_number)
                .and_then(|r| r.read_record(idx, key))
            {
                Ok(_) => Ok(Ok(())),
                Err(e) if e.is_corruption() => Ok(Err(e)),
                Err(e) => Err(e),
            }
        },
        || {
            inner
                .fs
                .open_random(&FileKind::Blob(number).path(&inner.dir))
        },
    )
}
