//! `check_dir`: reads every file of a database directory the way open and
//! the read path would, and reports, per file, whether it is intact.
//! Spec: format-spec/manifest.md ("Recovery"), wal.md ("Reading"),
//! sstable.md ("Reading a table").
//!
//! What is read, and with which rules:
//! - `CURRENT`: must be `MANIFEST-NNNNNN\n`.
//! - The MANIFEST it names: replayed edit by edit, with the recovery tail
//!   rule (a torn final record is dropped only if the WAL of the resulting
//!   `log_number` still exists).
//! - Every table the MANIFEST lists: opened (footer, index, filter,
//!   properties) and verified (every data block's checksum, entry encoding
//!   and key order, the entry count), then compared with its MANIFEST entry.
//! - Every WAL numbered at or above the MANIFEST's `log_number`, oldest
//!   first: records read strictly, except the newest log, whose torn final
//!   record is dropped as recovery drops it; every record must be a valid
//!   write batch.
//! - Blob files and the entries pointing into them: see [`super::blobs`]
//!   (records and checksums, dangling pointers, garbage accounting).
//!
//! Everything else is an *orphan*: tables the MANIFEST does not list, blob
//! files neither it nor a live WAL points into, WALs below its
//! `log_number`, other MANIFESTs, leftover `*.tmp` files and files that are
//! not siltdb's. Orphans are garbage the next open deletes (or
//! ignores); they are listed but not read, and do not make a report unclean.
//! If the MANIFEST cannot be replayed, nothing can be called an orphan:
//! every table and every MANIFEST is checked on its own, and every WAL is
//! treated as live.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use super::blobs::BlobCheck;
use super::{parse_name, read_current, replay_manifest, table_name, FileKind, Replayed};
use crate::batch::WriteBatch;
use crate::error::{Error, Result};
use crate::fs::Fs;
use crate::key::MAX_SEQUENCE;
use crate::manifest::{BlobFileState, FileMeta, CURRENT_FILE};
use crate::sstable::Table;
use crate::vlog::blob_file_name;
use crate::wal::{LogReader, TailPolicy, HEADER_LEN};

/// The bad bytes found in a file: the fields of [`Error::Corruption`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corruption {
    /// The file holding the bad bytes (name relative to the directory).
    pub file: String,
    /// Byte offset in `file` where the problem was found.
    pub offset: u64,
    /// What was wrong.
    pub reason: String,
}

/// The verdict on one directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// Read completely and found intact (or nothing to read, as for `LOCK`).
    Ok,
    /// The file's bytes are not what the format allows.
    Corrupt(Corruption),
    /// Reading failed for a reason other than its bytes (an I/O error).
    Unreadable(String),
    /// Not part of the database; not read. The text says why it is garbage.
    Orphan(String),
}

/// One directory entry and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The entry's name.
    pub name: String,
    /// What the name says it is.
    pub kind: FileKind,
    /// Size in bytes (0 if it could not be read).
    pub size: u64,
    /// The verdict.
    pub status: FileStatus,
    /// Facts found on the way that are not damage, e.g. a dropped torn tail.
    pub notes: Vec<String>,
}

/// A file the database needs that the directory does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFile {
    /// The file's name.
    pub name: String,
    /// Who names it, e.g. "level 1 of MANIFEST-000007".
    pub reason: String,
}

/// One table the MANIFEST lists (its file is `NNNNNN.sst`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTable {
    /// Level, 0 through 6.
    pub level: usize,
    /// The table's file number.
    pub number: u64,
}

/// What the replayed MANIFEST says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestSummary {
    /// The MANIFEST's file name.
    pub name: String,
    /// Version edits replayed.
    pub edits: usize,
    /// WALs numbered below this are fully in tables.
    pub log_number: u64,
    /// The next unused file number.
    pub next_file_number: u64,
    /// The highest sequence number recorded.
    pub last_sequence: u64,
    /// Every live table, by level then level order.
    pub tables: Vec<LiveTable>,
    /// Every live blob file with its garbage, by number.
    pub blob_files: Vec<BlobFileState>,
}

/// The result of [`check_dir`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Every directory entry, sorted by name.
    pub files: Vec<FileReport>,
    /// Files the database needs that are absent: `CURRENT`, the MANIFEST it
    /// names, tables the MANIFEST lists.
    pub missing: Vec<MissingFile>,
    /// The replayed MANIFEST, if `CURRENT` and the MANIFEST could be read.
    pub manifest: Option<ManifestSummary>,
}

impl CheckReport {
    /// True if nothing is damaged, unreadable or missing. Orphans do not
    /// count: they are garbage the database does not read.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self
                .files
                .iter()
                .all(|f| matches!(f.status, FileStatus::Ok | FileStatus::Orphan(_)))
    }

    /// Every corruption found, in file-name order.
    pub fn corruptions(&self) -> impl Iterator<Item = &Corruption> {
        self.files.iter().filter_map(|f| match &f.status {
            FileStatus::Corrupt(c) => Some(c),
            _ => None,
        })
    }

    /// Names of the orphan files.
    pub fn orphans(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Orphan(_)))
            .map(|f| f.name.as_str())
    }

    /// The report on the file `name`, if the directory holds it.
    pub fn file(&self, name: &str) -> Option<&FileReport> {
        self.files.iter().find(|f| f.name == name)
    }
}

impl fmt::Display for FileStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileStatus::Ok => f.write_str("ok"),
            FileStatus::Corrupt(c) => {
                write!(
                    f,
                    "CORRUPT in {} at offset {}: {}",
                    c.file, c.offset, c.reason
                )
            }
            FileStatus::Unreadable(e) => write!(f, "UNREADABLE: {e}"),
            FileStatus::Orphan(why) => write!(f, "orphan ({why})"),
        }
    }
}

/// The MANIFEST's summary, one line per file (`name kind size status`,
/// notes indented below), missing files, then a verdict line:
///
/// ```text
/// manifest MANIFEST-000002: 4 edits, log_number 6, next_file_number 8, last_sequence 450, 2 tables
/// 000005.sst       sst            7688  CORRUPT at offset 0: data block checksum mismatch: stored 0x96402d80, computed 0x017874f9
/// 000006.log       wal             391  ok
///   11 records, 11 operations, sequences 451..461
/// 999990.sst       sst              18  orphan (not in the MANIFEST)
/// CURRENT          current          16  ok
///   names MANIFEST-000002
/// LOCK             other             0  ok
/// MANIFEST-000002  manifest        202  ok
///   4 edits replayed
/// missing 000007.sst: level 0 of MANIFEST-000002
/// result: NOT CLEAN: 1 damaged, 1 missing, 1 orphans
/// ```
impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.files.iter().map(|r| r.name.len()).max().unwrap_or(0);
        if let Some(m) = &self.manifest {
            write!(
                f,
                "manifest {}: {} edits, log_number {}, next_file_number {}, last_sequence {}, {} tables",
                m.name,
                m.edits,
                m.log_number,
                m.next_file_number,
                m.last_sequence,
                m.tables.len()
            )?;
            if m.blob_files.is_empty() {
                writeln!(f)?;
            } else {
                let live: u64 = m.blob_files.iter().map(BlobFileState::live_bytes).sum();
                let garbage: u64 = m.blob_files.iter().map(|b| b.garbage_bytes).sum();
                writeln!(
                    f,
                    ", {} blob files ({live} bytes live, {garbage} bytes garbage)",
                    m.blob_files.len()
                )?;
            }
        }
        for r in &self.files {
            let status = match &r.status {
                // The file is the row's own: say only where and why.
                FileStatus::Corrupt(c) if c.file == r.name => {
                    format!("CORRUPT at offset {}: {}", c.offset, c.reason)
                }
                other => other.to_string(),
            };
            writeln!(
                f,
                "{:<width$}  {:<8} {:>10}  {status}",
                r.name, r.kind, r.size
            )?;
            for n in &r.notes {
                writeln!(f, "  {n}")?;
            }
        }
        for m in &self.missing {
            writeln!(f, "missing {}: {}", m.name, m.reason)?;
        }
        let damaged = self
            .files
            .iter()
            .filter(|r| matches!(r.status, FileStatus::Corrupt(_) | FileStatus::Unreadable(_)))
            .count();
        write!(
            f,
            "result: {}: {damaged} damaged, {} missing, {} orphans",
            if self.is_clean() {
                "clean"
            } else {
                "NOT CLEAN"
            },
            self.missing.len(),
            self.orphans().count()
        )
    }
}

/// A verdict and notes, before they are attached to a file.
type Verdict = (FileStatus, Vec<String>);

/// Turns an error from reading a file into its verdict.
fn failed(e: Error) -> FileStatus {
    match e {
        Error::Corruption {
            file,
            offset,
            reason,
        } => FileStatus::Corrupt(Corruption {
            file,
            offset,
            reason,
        }),
        other => FileStatus::Unreadable(other.to_string()),
    }
}

/// Checks the database directory `dir`: see the module documentation for
/// what is read and the rules applied. Read-only and lock-free; never
/// panics on any bytes.
///
/// Only a failure to list `dir` is an error; everything found in the files
/// is in the report.
pub fn check_dir(fs: &dyn Fs, dir: &Path) -> Result<CheckReport> {
    let names: BTreeSet<String> = fs.list(dir)?.into_iter().collect();
    let mut files: BTreeMap<String, FileReport> = BTreeMap::new();
    for name in &names {
        let (size, status) = match fs.file_size(&dir.join(name)) {
            Ok(size) => (size, FileStatus::Ok),
            Err(e) => (0, failed(e)),
        };
        files.insert(
            name.clone(),
            FileReport {
                name: name.clone(),
                kind: parse_name(name).0,
                size,
                status,
                notes: Vec::new(),
            },
        );
    }
    let mut report = CheckReport::default();
    let mut set = |name: &str, (status, notes): Verdict| {
        if let Some(r) = files.get_mut(name) {
            if r.status == FileStatus::Ok {
                r.status = status;
            }
            r.notes.extend(notes);
        }
    };

    // CURRENT and the MANIFEST it names.
    let mut current_manifest = None;
    if names.contains(CURRENT_FILE) {
        match read_current(fs, dir) {
            Ok(m) => {
                set(CURRENT_FILE, (FileStatus::Ok, vec![format!("names {m}")]));
                current_manifest = Some(m);
            }
            Err(e) => set(CURRENT_FILE, (failed(e), Vec::new())),
        }
    } else {
        report.missing.push(MissingFile {
            name: CURRENT_FILE.to_string(),
            reason: "names the live MANIFEST; without it this is not a database".to_string(),
        });
    }
    let mut replayed: Option<Replayed> = None;
    if let Some(m) = &current_manifest {
        if !names.contains(m) {
            report.missing.push(MissingFile {
                name: m.clone(),
                reason: "named by CURRENT".to_string(),
            });
        } else {
            let verdict = match replay_manifest(fs, dir, m) {
                Ok(r) => {
                    let mut notes = vec![format!("{} edits replayed", r.edits)];
                    if let Some(at) = r.torn_tail {
                        notes.push(torn_note(at, r.size));
                    }
                    replayed = Some(r);
                    (FileStatus::Ok, notes)
                }
                Err(e) => (failed(e), Vec::new()),
            };
            set(m, verdict);
        }
    }

    // Tables.
    let live: BTreeMap<u64, (usize, FileMeta)> = replayed
        .iter()
        .flat_map(|r| {
            r.state
                .version
                .levels
                .iter()
                .enumerate()
                .flat_map(|(level, files)| {
                    files
                        .iter()
                        .map(move |f| (f.number, (level, FileMeta::clone(f))))
                })
        })
        .collect();
    let manifest_name = replayed
        .as_ref()
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let mut tables_complete = true;
    for (number, (level, _)) in &live {
        let name = table_name(*number);
        if !names.contains(&name) {
            tables_complete = false;
            report.missing.push(MissingFile {
                name,
                reason: format!("level {level} of {manifest_name}"),
            });
        }
    }
    let live_blobs: BTreeMap<u64, BlobFileState> = replayed
        .iter()
        .flat_map(|r| r.state.version.blobs.files.iter())
        .map(|(n, s)| (*n, BlobFileState::clone(s)))
        .collect();
    for number in live_blobs.keys() {
        let name = blob_file_name(*number);
        if !names.contains(&name) {
            report.missing.push(MissingFile {
                name,
                reason: format!("blob file of {manifest_name}"),
            });
        }
    }
    let mut blobs = BlobCheck::new(fs, dir, live_blobs);
    let mut blob_names = Vec::new();
    let log_number = replayed.as_ref().map_or(0, |r| r.state.log_number);
    let mut live_wals = Vec::new();
    for name in &names {
        let (kind, number) = parse_name(name);
        let number = number.unwrap_or(0);
        match kind {
            FileKind::Sst => {
                let verdict = match (&replayed, live.get(&number)) {
                    (Some(_), None) => (
                        FileStatus::Orphan("not in the MANIFEST".to_string()),
                        Vec::new(),
                    ),
                    (r, meta) => {
                        let refs = r
                            .as_ref()
                            .map_or(&[][..], |r| r.state.version.blobs.refs_of(number));
                        check_table(fs, dir, name, number, meta, &mut blobs, refs)
                    }
                };
                if live.contains_key(&number) && verdict.0 != FileStatus::Ok {
                    tables_complete = false;
                }
                set(name, verdict);
            }
            FileKind::Wal if number < log_number => set(
                name,
                (
                    FileStatus::Orphan(format!(
                        "below the MANIFEST's log number {log_number}: already in tables"
                    )),
                    Vec::new(),
                ),
            ),
            FileKind::Wal => live_wals.push((number, name.clone())),
            FileKind::Blob => blob_names.push((number, name.clone())),
            FileKind::Manifest if current_manifest.as_deref() == Some(name.as_str()) => {}
            FileKind::Manifest if replayed.is_some() => set(
                name,
                (
                    FileStatus::Orphan("not named by CURRENT".to_string()),
                    Vec::new(),
                ),
            ),
            FileKind::Manifest => {
                let verdict = match replay_manifest(fs, dir, name) {
                    Ok(r) => (
                        FileStatus::Ok,
                        vec![format!(
                            "{} edits replayed (checked on its own: CURRENT does not lead here)",
                            r.edits
                        )],
                    ),
                    Err(e) => (failed(e), Vec::new()),
                };
                set(name, verdict);
            }
            FileKind::Current => {}
            FileKind::Other if name == "LOCK" => {}
            FileKind::Other if name.ends_with(".tmp") => set(
                name,
                (
                    FileStatus::Orphan("leftover temporary file".to_string()),
                    Vec::new(),
                ),
            ),
            FileKind::Other => set(
                name,
                (
                    FileStatus::Orphan("not a siltdb file".to_string()),
                    Vec::new(),
                ),
            ),
        }
    }

    // WALs, oldest first; only the newest may end in a torn record.
    live_wals.sort_unstable();
    let newest = live_wals.last().map(|(n, _)| *n);
    for (number, name) in &live_wals {
        let policy = if Some(*number) == newest {
            TailPolicy::DropTornTail
        } else {
            TailPolicy::Strict
        };
        let verdict = match fs.read_all(&dir.join(name)) {
            Ok(data) => {
                let (status, mut notes) = check_log(&data, name, policy);
                let newest = Some(*number) == newest;
                match status {
                    FileStatus::Ok => match blobs.check_wal(&data, name, policy, newest) {
                        Ok(None) => (status, notes),
                        Ok(Some(at)) => {
                            notes.push(format!(
                                "records from offset {at} on point at separated values that never                                  reached disk: dropped, as recovery drops them"
                            ));
                            (status, notes)
                        }
                        Err(e) => (failed(e), notes),
                    },
                    other => (other, notes),
                }
            }
            Err(e) => (failed(e), Vec::new()),
        };
        set(name, verdict);
    }

    // Blob files, now that the tables and WALs said which ones are live.
    for (number, name) in &blob_names {
        let listed = blobs.live().contains_key(number);
        let verdict = if replayed.is_some() && !listed && !blobs.wal_blobs.contains(number) {
            (
                FileStatus::Orphan("not in the MANIFEST and no live WAL points into it".into()),
                Vec::new(),
            )
        } else {
            let checked = fs.read_all(&dir.join(name)).and_then(|data| {
                let notes = blobs.check_file(&data, name, *number)?;
                if listed && tables_complete {
                    blobs.check_accounting(name, *number)?;
                }
                Ok(notes)
            });
            match checked {
                Ok(notes) => (FileStatus::Ok, notes),
                Err(e) => (failed(e), Vec::new()),
            }
        };
        set(name, verdict);
    }

    report.manifest = replayed.map(|r| ManifestSummary {
        name: r.name,
        edits: r.edits,
        log_number: r.state.log_number,
        next_file_number: r.state.next_file_number,
        last_sequence: r.state.last_sequence,
        tables: r
            .state
            .version
            .levels
            .iter()
            .enumerate()
            .flat_map(|(level, files)| {
                files.iter().map(move |f| LiveTable {
                    level,
                    number: f.number,
                })
            })
            .collect(),
        blob_files: blobs.live().values().cloned().collect(),
    });
    report.files = files.into_values().collect();
    Ok(report)
}

/// The note for a dropped torn tail.
fn torn_note(at: u64, size: u64) -> String {
    format!(
        "torn final record at offset {at} dropped ({} bytes), as recovery drops it: \
         the tail of an append a crash interrupted",
        size.saturating_sub(at)
    )
}

/// Opens and verifies one table; with its MANIFEST entry, also checks that
/// the file matches it and that every separated value it points to reads
/// back (`refs`: its blob references in the MANIFEST).
fn check_table(
    fs: &dyn Fs,
    dir: &Path,
    name: &str,
    number: u64,
    meta: Option<&(usize, FileMeta)>,
    blobs: &mut BlobCheck<'_>,
    refs: &[u64],
) -> Verdict {
    let table = match fs
        .open_random(&dir.join(name))
        .and_then(|file| Table::open(file, name.to_string(), number, None))
    {
        Ok(t) => t,
        Err(e) => return (failed(e), Vec::new()),
    };
    if let Err(e) = table.verify() {
        return (failed(e), Vec::new());
    }
    let p = table.properties();
    let mut notes = vec![format!(
        "{} entries ({} tombstones) in {} data blocks, sequences {}..{}",
        p.num_entries, p.num_deletions, p.num_data_blocks, p.smallest_seq, p.largest_seq
    )];
    let Some((level, meta)) = meta else {
        notes.push("not checked against a MANIFEST entry".to_string());
        return (FileStatus::Ok, notes);
    };
    notes.insert(0, format!("level {level}"));
    let mismatch = |what: &str, file: String, manifest: String| {
        failed(Error::corruption(
            name,
            0,
            format!("{what} is {file}, but the MANIFEST says {manifest}"),
        ))
    };
    let status = if table.file_size() != meta.size {
        mismatch(
            "file size",
            table.file_size().to_string(),
            meta.size.to_string(),
        )
    } else if p.num_entries != meta.num_entries || p.num_deletions != meta.num_deletions {
        mismatch(
            "entries/tombstones",
            format!("{}/{}", p.num_entries, p.num_deletions),
            format!("{}/{}", meta.num_entries, meta.num_deletions),
        )
    } else if p.smallest_key != meta.smallest || p.largest_key != meta.largest {
        mismatch(
            "key range",
            key_range(&p.smallest_key, &p.largest_key),
            key_range(&meta.smallest, &meta.largest),
        )
    } else if let Err(e) = blobs.scan_table(&table, name, refs) {
        failed(e)
    } else {
        FileStatus::Ok
    };
    if !refs.is_empty() {
        let refs: Vec<String> = refs.iter().map(|n| blob_file_name(*n)).collect();
        notes.push(format!("points into {}", refs.join(", ")));
    }
    (status, notes)
}

fn key_range(lo: &[u8], hi: &[u8]) -> String {
    format!(
        "{} .. {}",
        super::internal_key(lo, super::DEFAULT_WIDTH),
        super::internal_key(hi, super::DEFAULT_WIDTH)
    )
}

/// Reads one WAL with `policy`, decoding every record as a write batch.
fn check_log(data: &[u8], name: &str, policy: TailPolicy) -> Verdict {
    let mut reader = LogReader::new(data, name, policy);
    let (mut records, mut ops) = (0u64, 0u64);
    let mut seqs: Option<(u64, u64)> = None;
    loop {
        let offset = reader.offset();
        let record = match reader.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => return (failed(e), Vec::new()),
        };
        let at = offset.saturating_add(HEADER_LEN as u64);
        let batch = match WriteBatch::from_data(record.to_vec(), name, at) {
            Ok(b) => b,
            Err(e) => return (failed(e), Vec::new()),
        };
        records += 1;
        if batch.count() > 0 {
            let first = batch.sequence();
            // from_data checked that the last sequence fits.
            let last = first
                .saturating_add(u64::from(batch.count()) - 1)
                .min(MAX_SEQUENCE);
            ops += u64::from(batch.count());
            seqs = Some(match seqs {
                None => (first, last),
                Some((lo, hi)) => (lo.min(first), hi.max(last)),
            });
        }
    }
    let mut notes = vec![match seqs {
        Some((lo, hi)) => format!("{records} records, {ops} operations, sequences {lo}..{hi}"),
        None => format!("{records} records, {ops} operations"),
    }];
    if let Some(at) = reader.torn_tail() {
        notes.push(torn_note(at, data.len() as u64));
    }
    (FileStatus::Ok, notes)
}
