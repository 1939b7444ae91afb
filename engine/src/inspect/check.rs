//! `check_dir`: reads every file of a database directory the way open and
//! the read path would, and reports, per file, whether it is intact.
//! Spec: format-spec/manifest.md ("Recovery", "Garbage"), wal.md
//! ("Reading"), sstable.md ("Reading a table").
//!
//! The decisions are [`crate::recovery`]'s, the same open makes:
//! - `CURRENT`: must be `MANIFEST-NNNNNN\n`; if it is missing, `siltdb
//!   repair` can restore it.
//! - The MANIFEST it names: replayed edit by edit; a torn final record is
//!   dropped only if the state without it names no missing file
//!   ([`layout::check_dropped_manifest_tail`]), and a complete final record
//!   that fails its checksum, which open drops, is reported.
//! - Every table the MANIFEST's version names, and every live WAL it
//!   records: missing ones are listed.
//! - Every live table: opened (footer, index, filter, properties) and
//!   verified (every data block's checksum, entry encoding and key order,
//!   the entry count), then compared with its MANIFEST entry.
//! - The WALs open would replay ([`recovery::wals_to_replay`]), oldest
//!   first, read as open reads them ([`recovery::wal::WalChain`]): any may
//!   end in a torn record, and replay stops at the first place writes are
//!   missing, the records after it (in later WALs too) noted as not
//!   replayed; every record must be a valid write batch. A dropped final
//!   record that fails its checksum makes the report unclean: open drops it
//!   (or refuses, with strict recovery), and it may have been an
//!   acknowledged write.
//!
//! - Blob files and the entries pointing into them: see [`super::blobs`]
//!   (records and checksums, dangling pointers, garbage accounting).
//!
//! Every other entry is an *orphan*, with the reason [`layout::role`]
//! gives: obsolete files and crash debris (garbage the next open removes),
//! a leftover `CURRENT.tmp`, files that are not siltdb's. Orphans are not
//! read and do not make a report unclean. If the MANIFEST cannot be
//! replayed, nothing can be called an orphan: every table and every
//! MANIFEST is checked on its own, and every WAL is treated as live.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use super::blobs::BlobCheck;
use crate::error::{Error, Result};
use crate::fs::Fs;
use crate::key::MAX_SEQUENCE;
use crate::manifest::{BlobFileState, FileMeta};
use crate::recovery::wal::WalChain;
use crate::recovery::{self, layout, DroppedTail, FileKind, Listing, MissingFile, Replayed, Role};
use crate::sstable::Table;
use crate::wal::TornKind;

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
    /// Intact, but open drops its final record, which is complete and
    /// fails its checksum: most likely the tail of a write a crash
    /// interrupted, but an acknowledged write damaged on disk looks the
    /// same. Makes the report unclean.
    Dropped(DroppedTail),
    /// Not part of the database; not read. The text says why it is garbage.
    Orphan(String),
}

/// One directory entry and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The entry's name.
    pub name: String,
    /// What the name says it is; `None` for a name that is not siltdb's.
    pub kind: Option<FileKind>,
    /// Size in bytes (0 if it could not be read).
    pub size: u64,
    /// The verdict.
    pub status: FileStatus,
    /// Facts found on the way that are not damage, e.g. a dropped torn tail.
    pub notes: Vec<String>,
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
    /// names, tables and live WALs the MANIFEST lists.
    pub missing: Vec<MissingFile>,
    /// The replayed MANIFEST, if `CURRENT` and the MANIFEST could be read.
    pub manifest: Option<ManifestSummary>,
}

impl CheckReport {
    /// True if nothing is damaged, unreadable or missing and open would drop
    /// no complete record. Orphans do not count: they are garbage the
    /// database does not read.
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

    /// Final records open would drop although they are complete (their
    /// checksum fails).
    pub fn dropped(&self) -> impl Iterator<Item = &DroppedTail> {
        self.files.iter().filter_map(|f| match &f.status {
            FileStatus::Dropped(d) => Some(d),
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
            FileStatus::Dropped(d) => write!(
                f,
                "FINAL RECORD DROPPED: {d}; open recovers to the record before it \
                 (strict recovery refuses), but it may have been an acknowledged write"
            ),
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
                r.name,
                r.kind.map_or("other", |k| k.label()),
                r.size
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
        )?;
        match self.dropped().count() {
            0 => Ok(()),
            n => write!(f, ", {n} complete final records open drops"),
        }
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
    let listing = Listing::read(fs, dir)?;
    let mut files: BTreeMap<String, FileReport> = listing
        .entries()
        .map(|e| {
            let (size, status) = match &e.size {
                Ok(size) => (*size, FileStatus::Ok),
                Err(why) => (0, FileStatus::Unreadable(why.clone())),
            };
            let report = FileReport {
                name: e.name.clone(),
                kind: e.kind,
                size,
                status,
                notes: Vec::new(),
            };
            (e.name.clone(), report)
        })
        .collect();
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
    let current = FileKind::Current.name();
    let mut current_manifest = None;
    if listing.has(FileKind::Current) {
        match recovery::read_current(fs, dir) {
            Ok(n) => {
                set(
                    &current,
                    (
                        FileStatus::Ok,
                        vec![format!("names {}", FileKind::Manifest(n))],
                    ),
                );
                current_manifest = Some(n);
            }
            Err(e) => set(&current, (failed(e), Vec::new())),
        }
    } else {
        report.missing.push(MissingFile {
            name: current,
            reason: "names the live MANIFEST; without it this is not a database \
                     (`siltdb repair` points it at the newest MANIFEST that recovers)"
                .to_string(),
        });
    }
    let mut replayed: Option<Replayed> = None;
    // Every live table is present and intact, so the entries pointing into
    // each blob file can be added up against the MANIFEST's accounting.
    let mut tables_complete = true;
    if let Some(n) = current_manifest {
        let m = FileKind::Manifest(n);
        if !listing.has(m) {
            report.missing.push(MissingFile {
                name: m.name(),
                reason: "named by CURRENT".to_string(),
            });
        } else {
            let verdict = match recovery::replay::read_manifest(fs, dir, n) {
                Ok(r) => {
                    let missing = layout::missing_files(&listing, &r);
                    match layout::check_dropped_manifest_tail(&listing, &r, &missing) {
                        Ok(()) => {
                            let mut notes = vec![format!("{} edits replayed", r.edits)];
                            let status = dropped_status(r.dropped.as_ref(), &mut notes);
                            tables_complete = !missing.iter().any(|m| {
                                matches!(FileKind::parse(&m.name), Some(FileKind::Table(_)))
                            });
                            report.missing.extend(missing);
                            replayed = Some(r);
                            (status, notes)
                        }
                        Err(e) => (failed(e), Vec::new()),
                    }
                }
                Err(e) => (failed(e), Vec::new()),
            };
            set(&m.name(), verdict);
        }
    }

    // Every entry, by the role recovery gives it.
    let roles: Vec<(String, Option<FileKind>, Role)> = match &replayed {
        Some(r) => layout::roles(&listing, r)
            .into_iter()
            .map(|(e, role)| (e.name, e.kind, role))
            .collect(),
        // Without a MANIFEST state nothing is garbage: tables and WALs are
        // checked on their own, other MANIFESTs replayed on their own.
        None => listing
            .entries()
            .map(|e| {
                let role = match e.kind {
                    None => Role::Foreign,
                    Some(FileKind::Table(_)) => Role::LiveTable,
                    Some(FileKind::Blob(_)) => Role::LiveBlob,
                    Some(FileKind::Wal(_)) => Role::LiveWal,
                    Some(FileKind::Manifest(_)) => Role::LiveManifest,
                    Some(FileKind::Current) => Role::Current,
                    Some(FileKind::Lock) => Role::Lock,
                    Some(FileKind::CurrentTmp) => Role::Obsolete(
                        "a CURRENT.tmp left by an interrupted switch: never read".into(),
                    ),
                };
                (e.name.clone(), e.kind, role)
            })
            .collect(),
    };
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
    let live_blobs: BTreeMap<u64, BlobFileState> = replayed
        .iter()
        .flat_map(|r| r.state.version.blobs.files.iter())
        .map(|(n, s)| (*n, BlobFileState::clone(s)))
        .collect();
    let mut blobs = BlobCheck::new(fs, dir, live_blobs);
    let mut wals = Vec::new();
    let mut blob_files = Vec::new();
    for (name, kind, role) in roles {
        match (role, kind) {
            (Role::LiveTable, Some(FileKind::Table(n))) => {
                let refs = replayed
                    .as_ref()
                    .map_or(&[][..], |r| r.state.version.blobs.refs_of(n));
                let verdict = check_table(fs, dir, &name, n, live.get(&n), &mut blobs, refs);
                if live.contains_key(&n) && verdict.0 != FileStatus::Ok {
                    tables_complete = false;
                }
                set(&name, verdict);
            }
            (Role::LiveWal, Some(FileKind::Wal(n))) => wals.push(n),
            (Role::LiveBlob, Some(FileKind::Blob(n))) => blob_files.push(n),
            (Role::LiveManifest, Some(FileKind::Manifest(n))) if Some(n) != current_manifest => {
                let verdict = match recovery::replay::read_manifest(fs, dir, n) {
                    Ok(r) => (
                        FileStatus::Ok,
                        vec![format!(
                            "{} edits replayed (checked on its own: CURRENT does not lead here)",
                            r.edits
                        )],
                    ),
                    Err(e) => (failed(e), Vec::new()),
                };
                set(&name, verdict);
            }
            (Role::Obsolete(why), _) => set(&name, (FileStatus::Orphan(why), Vec::new())),
            (Role::Debris(why), _) => set(
                &name,
                (
                    FileStatus::Orphan(format!("crash debris: {why}")),
                    Vec::new(),
                ),
            ),
            (Role::Foreign, _) => set(
                &name,
                (
                    FileStatus::Orphan("not a siltdb file".to_string()),
                    Vec::new(),
                ),
            ),
            _ => {}
        }
    }

    // WALs, oldest first, through one chain, as open replays them.
    wals.sort_unstable();
    let mut chain = WalChain::new();
    for n in &wals {
        let name = FileKind::Wal(*n).name();
        let verdict = match fs.read_all(&dir.join(&name)) {
            Ok(data) => check_log(&data, *n, &mut chain, &mut blobs),
            Err(e) => (failed(e), Vec::new()),
        };
        set(&name, verdict);
    }

    // Blob files, now that the tables and WALs said what points into them.
    for n in &blob_files {
        let name = FileKind::Blob(*n).name();
        let listed = blobs.live().contains_key(n);
        let checked = fs.read_all(&dir.join(&name)).and_then(|data| {
            let notes = blobs.check_file(&data, &name, *n)?;
            if listed && tables_complete {
                blobs.check_accounting(&name, *n)?;
            }
            Ok(notes)
        });
        let verdict = match checked {
            Ok(notes) => (FileStatus::Ok, notes),
            Err(e) => (failed(e), Vec::new()),
        };
        set(&name, verdict);
    }

    report.manifest = replayed.map(|r| ManifestSummary {
        name: r.name(),
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

/// The status of a log whose final record was dropped: `Ok` with a note
/// for a record the file ends inside, [`FileStatus::Dropped`] for a
/// complete one that fails its checksum.
fn dropped_status(dropped: Option<&DroppedTail>, notes: &mut Vec<String>) -> FileStatus {
    match dropped {
        None => FileStatus::Ok,
        Some(d) if d.kind == TornKind::ChecksumMismatch => FileStatus::Dropped(d.clone()),
        Some(d) => {
            notes.push(format!(
                "torn final record at offset {} dropped ({} bytes), as recovery drops it: \
                 the tail of an append a crash interrupted",
                d.offset, d.bytes
            ));
            FileStatus::Ok
        }
    }
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
        let refs: Vec<String> = refs.iter().map(|n| FileKind::Blob(*n).name()).collect();
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

/// Reads WAL `number`, next in `chain`, as recovery does: the separated
/// values its records point to (unless the chain is already cut), then its
/// records, counting those replayed.
fn check_log(data: &[u8], number: u64, chain: &mut WalChain, blobs: &mut BlobCheck<'_>) -> Verdict {
    let blob_end = if chain.is_cut() {
        None
    } else {
        match blobs.check_wal(data, number) {
            Ok(end) => end,
            Err(e) => return (failed(e), Vec::new()),
        }
    };
    let (mut records, mut ops) = (0u64, 0u64);
    let mut seqs: Option<(u64, u64)> = None;
    let read = chain.replay(data, number, blob_end, |batch, _| {
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
        Ok(())
    });
    let read = match read {
        Ok(r) => r,
        Err(e) => return (failed(e), Vec::new()),
    };
    let mut notes = vec![match seqs {
        Some((lo, hi)) => format!("{records} records, {ops} operations, sequences {lo}..{hi}"),
        None => format!("{records} records, {ops} operations"),
    }];
    if let Some(ignored) = &read.ignored {
        notes.push(format!(
            "{ignored}; recovery ignores them (point-in-time recovery: none was synced)"
        ));
    }
    let status = match (&read.dropped, blob_end) {
        (Some(d), Some(at)) if d.offset == at => {
            notes.push(format!(
                "records from offset {at} on point at separated values that never reached \
                 disk: dropped, as recovery drops them"
            ));
            FileStatus::Ok
        }
        (dropped, _) => dropped_status(dropped.as_ref(), &mut notes),
    };
    (status, notes)
}
