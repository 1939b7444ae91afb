//! Opening a database: lock, read the MANIFEST, replay the WAL tail, start
//! fresh logs, delete leftovers, start background threads.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Condvar, Mutex, RwLock};

use super::{filenames, lock, Db, DbInner, State, SuperVersion};
use crate::batch::WriteBatch;
use crate::cache::BlockCache;
use crate::compaction::WritePressure;
use crate::error::{Error, Result};
use crate::manifest::{TableBlobRefs, VersionEdit};
use crate::memtable::MemTable;
use crate::options::Options;
use crate::ratelimit::RateLimiter;
use crate::stats::Counters;
use crate::vlog::replay::wal_blob_replay_end;
use crate::vlog::BlobRefTally;
use crate::wal::{LogReader, LogWriter, TailPolicy};

use super::blob_files::BlobCache;
use super::table_cache::TableCache;
use super::versions::VersionSet;

pub(super) fn open(dir: &Path, opts: Options) -> Result<Db> {
    let fs = Arc::clone(&opts.fs);
    fs.create_dir_all(dir)?;
    let file_lock = fs.lock(&filenames::path(dir, "LOCK"))?;
    let exists = fs.exists(&filenames::path(dir, "CURRENT"));
    let mut versions = if exists {
        if opts.error_if_exists {
            return Err(Error::InvalidArgument(format!(
                "a database already exists in {}",
                dir.display()
            )));
        }
        VersionSet::recover(dir, Arc::clone(&fs))?
    } else {
        if !opts.create_if_missing {
            return Err(Error::InvalidArgument(format!(
                "no database in {} and create_if_missing is false",
                dir.display()
            )));
        }
        VersionSet::empty(dir, Arc::clone(&fs))
    };

    let names = fs.list(dir)?;
    // WAL numbers are allocated without a MANIFEST edit, and a crashed flush
    // may leave an unrecorded table: never hand out a number already on disk.
    for name in &names {
        if let Some(
            filenames::FileKind::Wal(n)
            | filenames::FileKind::Table(n)
            | filenames::FileKind::Blob(n)
            | filenames::FileKind::Manifest(n),
        ) = filenames::parse(name)
        {
            versions.next_file_number = versions.next_file_number.max(n + 1);
        }
    }
    let present: HashSet<String> = names.iter().cloned().collect();
    for n in versions.current_ref().all_file_numbers() {
        let name = filenames::table_name(n);
        if !present.contains(&name) {
            return Err(Error::corruption(
                name,
                0,
                "table file named by the MANIFEST is missing",
            ));
        }
    }
    for n in versions.current_ref().blob_file_numbers() {
        let name = filenames::blob_name(n);
        if !present.contains(&name) {
            return Err(Error::corruption(
                name,
                0,
                "blob file named by the MANIFEST is missing",
            ));
        }
    }

    let limiter = (opts.background_write_rate > 0)
        .then(|| Arc::new(RateLimiter::new(opts.background_write_rate)));
    let blocks = Arc::new(BlockCache::new(opts.block_cache_bytes));
    let tables = Arc::new(TableCache::new(dir.to_path_buf(), Arc::clone(&fs), blocks));
    let blobs = Arc::new(BlobCache::new(dir.to_path_buf(), Arc::clone(&fs)));
    let empty_version = versions.current();
    let placeholder = Arc::new(MemTable::new(0));
    let inner = Arc::new(DbInner {
        dir: dir.to_path_buf(),
        fs: Arc::clone(&fs),
        state: Mutex::new(State {
            mem: Arc::clone(&placeholder),
            imm: VecDeque::new(),
            versions,
            writers: VecDeque::new(),
            results: HashMap::new(),
            next_writer_id: 0,
            bg_error: None,
            shutting_down: false,
            snapshots: BTreeMap::new(),
            pending_outputs: HashSet::new(),
            pressure: WritePressure::None,
            blob_memtables: Vec::new(),
        }),
        cv: Condvar::new(),
        bg_cv: Condvar::new(),
        wal: Mutex::new(None),
        blob_writer: Mutex::new(None),
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

    recover_logs(&inner, &names)?;

    let mut threads = Vec::new();
    for (name, which) in [("siltdb-flush", 0), ("siltdb-compact", 1)] {
        let db = Arc::clone(&inner);
        let t = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                if which == 0 {
                    db.flush_loop();
                } else {
                    db.compaction_loop();
                }
            })
            .map_err(|e| Error::io("spawn background thread", e))?;
        threads.push(t);
    }
    Ok(Db {
        inner,
        threads: Mutex::new(threads),
    })
}

/// Replays every WAL at or after the MANIFEST's log number into tables, then
/// starts a new WAL and a new MANIFEST. Older logs must be intact; the newest
/// may end in a torn record, which is dropped, and may lose a suffix of
/// records whose separated values never reached disk ([`blob_replay_end`]).
/// The blob files the recovered tables point into are synced and join the
/// version in the same edit.
fn recover_logs(inner: &Arc<DbInner>, names: &[String]) -> Result<()> {
    let mut st = lock(&inner.state);
    let mut logs: Vec<u64> = names
        .iter()
        .filter_map(|n| match filenames::parse(n) {
            Some(filenames::FileKind::Wal(x)) if x >= st.versions.log_number => Some(x),
            _ => None,
        })
        .collect();
    logs.sort_unstable();
    let mut edit = VersionEdit::default();
    let mut blobs = BlobRefTally::new();
    let mut max_seq = st.versions.last_sequence;
    let mut mem = Arc::new(MemTable::new(0));
    for (i, &number) in logs.iter().enumerate() {
        st.versions.next_file_number = st.versions.next_file_number.max(number + 1);
        let name = filenames::wal_name(number);
        let data = inner.fs.read_all(&filenames::path(&inner.dir, &name))?;
        let newest = i + 1 == logs.len();
        let policy = if newest {
            TailPolicy::DropTornTail
        } else {
            TailPolicy::Strict
        };
        let end = blob_replay_end(inner, &data, &name, policy, newest)?;
        let mut reader = LogReader::new(&data, &name, policy);
        loop {
            let offset = reader.offset();
            if end.is_some_and(|end| offset >= end) {
                break;
            }
            let Some(record) = reader.next_record()? else {
                break;
            };
            let batch = WriteBatch::from_data(record.to_vec(), &name, offset)?;
            let seq = batch.sequence();
            for (j, op) in batch.iter().enumerate() {
                mem.add(seq + j as u64, op.kind, op.key, op.value);
            }
            if batch.count() > 0 {
                max_seq = max_seq.max(seq + u64::from(batch.count()) - 1);
            }
            if mem.approximate_size() >= inner.opts.write_buffer_size {
                flush_recovered(inner, &mut st, &mem, &mut edit, &mut blobs)?;
                mem = Arc::new(MemTable::new(0));
            }
        }
    }
    if !mem.is_empty() {
        flush_recovered(inner, &mut st, &mem, &mut edit, &mut blobs)?;
    }
    // The crashed process may have left these bytes only in the page cache;
    // the WALs that point into them are about to be deleted.
    for n in blobs.file_numbers() {
        let path = filenames::path(&inner.dir, &filenames::blob_name(n));
        inner.fs.sync_file(&path)?;
    }
    edit.new_blob_files.extend(blobs.to_new_blob_files());
    st.versions.last_sequence = max_seq;
    inner
        .visible_seq
        .store(max_seq, std::sync::atomic::Ordering::Release);

    let number = st.versions.new_file_number();
    let name = filenames::wal_name(number);
    let file = inner.fs.create(&filenames::path(&inner.dir, &name))?;
    *lock(&inner.wal) = Some(LogWriter::new(file, name));
    st.mem = Arc::new(MemTable::new(number));
    edit.log_number = Some(number);
    // Never append to a MANIFEST that may end in a torn record: start anew.
    // The switch syncs the directory, making the new WAL's entry durable too.
    st.versions.start_new_manifest_on_next_edit();
    st.versions.log_and_apply(edit)?;
    inner.install_super_version(&mut st);
    inner.delete_obsolete_files(&mut st);
    Ok(())
}

/// Writes a recovered memtable to an L0 table; its blob references go into
/// `edit`, the blob records it points to are added to `blobs`.
fn flush_recovered(
    inner: &DbInner,
    st: &mut State,
    mem: &Arc<MemTable>,
    edit: &mut VersionEdit,
    blobs: &mut BlobRefTally,
) -> Result<()> {
    let number = st.versions.new_file_number();
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

/// Checks the blob record of every separated value the log `name` (whole
/// contents `data`) points to before it is replayed, by the rule of
/// [`wal_blob_replay_end`]; returns the offset of the first WAL record not
/// to replay, if any. A missing blob file is corruption.
fn blob_replay_end(
    inner: &DbInner,
    data: &[u8],
    name: &str,
    policy: TailPolicy,
    newest: bool,
) -> Result<Option<u64>> {
    wal_blob_replay_end(data, name, policy, newest, |idx, key, offset| {
        let blob = filenames::blob_name(idx.file_number);
        if !inner.fs.exists(&filenames::path(&inner.dir, &blob)) {
            return Err(Error::corruption(
                blob,
                0,
                format!("blob file is missing; {name} at offset {offset} points into it"),
            ));
        }
        match inner
            .blobs
            .get(idx.file_number)
            .and_then(|r| r.read_value(idx, key))
        {
            Ok(_) => Ok(Ok(())),
            Err(e) if e.is_corruption() => Ok(Err(e)),
            Err(e) => Err(e),
        }
    })
}
