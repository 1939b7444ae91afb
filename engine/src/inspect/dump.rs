//! `dump_file`: prints what one file holds, in the terms of its spec.
//! Spec: format-spec/wal.md, sstable.md, manifest.md, keys.md.
//!
//! The kind of file is decided by its name (`NNNNNN.log`, `NNNNNN.sst`,
//! `NNNNNN.blob`, `MANIFEST-NNNNNN`, `CURRENT`); a file named otherwise is
//! recognised by its content (a table ends with the magic `siltdbST`; a blob
//! file starts with `siltdbVL`; `CURRENT` is `MANIFEST-NNNNNN\n`; a log's
//! first record decodes as a write batch or a version edit).
//!
//! # Output format
//!
//! Line-oriented text, one item per line, for people and for `grep`. Every
//! line starts with a word naming what it describes; indentation shows
//! nesting; fields are `name=value`. Keys and values are printed quoted:
//! printable ASCII as itself (`"` and `\` escaped with `\`), every other byte
//! as `\xNN`, at most [`DumpOptions::width`] bytes, then `...(+N bytes)` for
//! the rest. An internal key in one token is `"user key"@sequence:kind`,
//! kind `put` (Value), `blob` (ValueBlob: a separated value) or `del`
//! (Deletion). A block handle is `(offset,size)`. A blob index is
//! `blob=(file=F,offset=O,value_len=L,crc=0xCCCCCCCC)`. The first line is always `<name>: <kind>, <size> bytes`
//! (`(by content)` after the kind if the name did not say).
//!
//! A WAL (`000004.log`):
//!
//! ```text
//! 000004.log: wal, 61 bytes
//! record offset=0 length=20 type=1 crc=ok
//!   batch sequence=1 count=2
//!     op seq=1 kind=put key="a" value_len=1 value="1"
//!     op seq=2 kind=del key="b"
//! record offset=29 length=23 type=1 crc=ok
//!   batch sequence=3 count=1
//!     op seq=3 kind=put key="key" value_len=5 value="value"
//! end offset=61 clean
//! ```
//!
//! A WAL written since WAL files are reused holds RECYCLABLE records, shown
//! as `type=2 log=N` (the low 32 bits of the WAL's number). The last line is
//! `end offset=N clean`, `end offset=N clean earlier-use=M` when the log
//! ends at a record of the file's earlier use (M bytes of it follow), or,
//! when the final record is torn
//! (as a crash during an append leaves it; the tail is dropped as the
//! recovery of the newest log drops it),
//! `end offset=N torn-tail dropped=M reason="..."`.
//!
//! A MANIFEST: the same record lines, each followed by its version edit,
//! field by field in tag order:
//!
//! ```text
//! record offset=0 length=64 type=1 crc=ok
//!   edit
//!     log_number=5
//!     next_file_number=9
//!     last_sequence=100
//!     deleted_file level=0 number=3
//!     new_file level=1 number=7 size=4096 smallest="apple"@42:put largest="pear"@17:del seq=17..99 entries=120 deletions=3
//!     new_wal number=10
//!     deleted_wal number=8
//! ```
//!
//! A table:
//!
//! ```text
//! 000001.sst: sst, 236 bytes
//! footer offset=172 index=(131,36) filter=(66,9) properties=(80,46) format_version=1 magic=siltdbST
//! properties entries=3 deletions=1 raw_key_bytes=27 raw_value_bytes=4 seq=1..3 data_blocks=2 bloom_bits_per_key=10 smallest="a"@3:put largest="c"@1:put creation_time=none
//! filter size=9 bits=64 probes=7
//! index entries=2
//!   index key="b"@2:del block=(0,34)
//!   index key="c"@1:put block=(39,22)
//! block 0 offset=0 size=34
//!   entry key="a" seq=3 kind=put value_len=2 value="v1"
//!   entry key="b" seq=2 kind=del value_len=0
//! block 1 offset=39 size=22
//!   entry key="c" seq=1 kind=put value_len=2 value="v3"
//! end entries=3
//! ```
//!
//! A separated value's op or entry shows its blob index instead of a value:
//!
//! ```text
//!     op seq=7 kind=blob key="big" blob=(file=9,offset=12,value_len=102400,crc=0xa9f45c27)
//! ```
//!
//! A MANIFEST edit shows the value-log fields (tags 8–11) as
//! `new_blob_file number=12 records=3 record_bytes=307260 size=307272`,
//! `blob_garbage number=8 records=1 record_bytes=102420`,
//! `deleted_blob_file number=6` and `table_blob_refs table=13 blobs=8,12`.
//!
//! A blob file (`000009.blob`; `crc=` is the record checksum of the
//! header's version: masked CRC-32 in 1, the low 32 bits of XXH3-64 in 2):
//!
//! ```text
//! 000009.blob: blob, 47 bytes
//! header magic=siltdbVL format_version=2
//! record offset=12 key="k1" value_len=5 value="hello" crc=0xf7899ef4
//! record offset=31 key="key2" value_len=0 value="" crc=0xf30ea306
//! end offset=47 records=2
//! ```
//!
//! `CURRENT`: `current manifest=MANIFEST-000005`. `LOCK` has no defined
//! contents: its one line is `LOCK: lock file, 0 bytes`.
//!
//! # Damaged files
//!
//! Everything before the damage is printed; then a line
//! `error: <the engine's error>` (for a bad log record, preceded by its raw
//! header with `crc=bad` or `crc=past-eof`), and `dump_file` returns that
//! error, so a command can print the dump and still fail.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::{display_name, escape, internal_key, kind_name, DEFAULT_WIDTH};
use crate::batch::WriteBatch;
use crate::coding::get_fixed32;
use crate::error::{Error, Result};
use crate::fs::{Fs, RandomAccessFile};
use crate::key::{parse_internal_key, ValueKind};
use crate::manifest::VersionEdit;
use crate::recovery::{parse_current, FileKind};
use crate::sstable::table::decode_handle;
use crate::sstable::{BlockHandle, Filter, Footer, Table, FOOTER_LEN, TABLE_MAGIC};
use crate::vlog::{BlobIndex, BlobScanner, BLOB_MAGIC};
use crate::wal::{
    log_tag, record_crc, recyclable_record_crc, LogReader, TailPolicy, HEADER_LEN,
    RECORD_TYPE_RECYCLABLE, RECYCLABLE_HEADER_LEN,
};

/// How [`dump_file_with`] prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpOptions {
    /// Bytes of a key or value shown before it is cut short (default 48).
    pub width: usize,
}

impl Default for DumpOptions {
    fn default() -> Self {
        DumpOptions {
            width: DEFAULT_WIDTH,
        }
    }
}

/// Prints the contents of the file at `path` to `out` in the format of the
/// module documentation, with default [`DumpOptions`]. Read-only.
///
/// Returns the engine's error for damaged bytes (after printing everything
/// before them), [`Error::InvalidArgument`] for a file that is not
/// siltdb's, and [`Error::Io`] if reading the file or writing `out` fails.
pub fn dump_file(fs: &dyn Fs, path: &Path, out: &mut dyn Write) -> Result<()> {
    dump_file_with(fs, path, out, &DumpOptions::default())
}

/// [`dump_file`] with explicit options.
pub fn dump_file_with(
    fs: &dyn Fs,
    path: &Path,
    out: &mut dyn Write,
    opts: &DumpOptions,
) -> Result<()> {
    let name = display_name(path);
    let size = fs.file_size(path)?;
    if name == "LOCK" {
        // Held by the open database; its contents are not defined.
        return line(out, format_args!("{name}: lock file, {size} bytes"));
    }
    let named = match FileKind::parse(&name) {
        Some(FileKind::Wal(_)) => Some(Format::Wal),
        Some(FileKind::Table(_)) => Some(Format::Sst),
        Some(FileKind::Blob(_)) => Some(Format::Blob),
        Some(FileKind::Manifest(_)) => Some(Format::Manifest),
        Some(FileKind::Current) => Some(Format::Current),
        Some(FileKind::CurrentTmp | FileKind::Lock) | None => None,
    };
    let (kind, by_content) = match named {
        Some(k) => (k, ""),
        None => (sniff(fs, path, &name)?, " (by content)"),
    };
    let mut d = Dumper {
        out,
        name: name.clone(),
        width: opts.width,
    };
    d.line(format_args!("{name}: {kind}{by_content}, {size} bytes"))?;
    let result = match kind {
        Format::Wal => fs.read_all(path).and_then(|data| {
            let number = match FileKind::parse(&name) {
                Some(FileKind::Wal(n)) => n,
                _ => u64::from(first_log_tag(&data).unwrap_or(0)),
            };
            d.log(&data, Payload::Batch(number))
        }),
        Format::Manifest => fs
            .read_all(path)
            .and_then(|data| d.log(&data, Payload::Edit)),
        Format::Current => fs.read_all(path).and_then(|data| d.current(&data)),
        Format::Sst => fs.open_random(path).and_then(|file| d.table(file)),
        Format::Blob => fs.read_all(path).and_then(|data| d.blob_file(&data)),
    };
    if let Err(e) = &result {
        d.line(format_args!("error: {e}"))?;
    }
    result
}

/// Which format a file is dumped as.
#[derive(Clone, Copy)]
enum Format {
    Wal,
    Sst,
    Blob,
    Manifest,
    Current,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Wal => "wal",
            Format::Sst => "sst",
            Format::Blob => "blob",
            Format::Manifest => "manifest",
            Format::Current => "current",
        })
    }
}

/// Recognises a file that is not named like one of ours by its content.
fn sniff(fs: &dyn Fs, path: &Path, name: &str) -> Result<Format> {
    let data = fs.read_all(path)?;
    if data.len() >= FOOTER_LEN && data.ends_with(&TABLE_MAGIC.to_le_bytes()) {
        return Ok(Format::Sst);
    }
    if data.starts_with(&BLOB_MAGIC.to_le_bytes()) {
        return Ok(Format::Blob);
    }
    if parse_current(&data).is_ok() {
        return Ok(Format::Current);
    }
    if let Some(tag) = first_log_tag(&data) {
        let mut wal = LogReader::new(&data, name, TailPolicy::Strict).of_wal(u64::from(tag));
        if let Ok(Some(first)) = wal.next_record() {
            if WriteBatch::from_data(first.to_vec(), name, 0).is_ok() {
                return Ok(Format::Wal);
            }
        }
    }
    if let Ok(Some(first)) = LogReader::new(&data, name, TailPolicy::Strict).next_record() {
        if WriteBatch::from_data(first.to_vec(), name, 0).is_ok() {
            return Ok(Format::Wal);
        }
        if VersionEdit::decode(first, name, 0).is_ok() {
            return Ok(Format::Manifest);
        }
    }
    Err(Error::InvalidArgument(format!(
        "{name}: cannot tell what it is: not named like a siltdb file, and its content \
         is not a table, a blob file, a log, a MANIFEST or CURRENT"
    )))
}

/// The log tag of the file's first record if it is a RECYCLABLE one (how
/// a WAL named otherwise is read as the WAL it was written as).
fn first_log_tag(data: &[u8]) -> Option<u32> {
    if data.get(8) != Some(&RECORD_TYPE_RECYCLABLE) {
        return None;
    }
    Some(u32::from_le_bytes(
        data.get(HEADER_LEN..RECYCLABLE_HEADER_LEN)?
            .try_into()
            .ok()?,
    ))
}

/// What a log's record payloads hold.
#[derive(Clone, Copy)]
enum Payload {
    /// A WAL (its number): write batches.
    Batch(u64),
    /// A MANIFEST: version edits.
    Edit,
}

struct Dumper<'a> {
    out: &'a mut dyn Write,
    name: String,
    width: usize,
}

/// Writes one output line.
fn line(out: &mut dyn Write, args: std::fmt::Arguments<'_>) -> Result<()> {
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(|e| Error::io("write dump output", e))
}

impl Dumper<'_> {
    fn line(&mut self, args: std::fmt::Arguments<'_>) -> Result<()> {
        line(self.out, args)
    }

    fn esc(&self, bytes: &[u8]) -> String {
        escape(bytes, self.width)
    }

    fn ikey(&self, ikey: &[u8]) -> String {
        internal_key(ikey, self.width)
    }

    fn current(&mut self, data: &[u8]) -> Result<()> {
        match parse_current(data) {
            Ok(m) => self.line(format_args!("current manifest={}", FileKind::Manifest(m))),
            Err(e) => {
                let raw = self.esc(data);
                self.line(format_args!("current raw={raw}"))?;
                Err(e)
            }
        }
    }

    /// A WAL or MANIFEST: the record framing, then each payload.
    fn log(&mut self, data: &[u8], payload: Payload) -> Result<()> {
        let name = self.name.clone();
        let of = |policy| {
            let reader = LogReader::new(data, &name, policy);
            match payload {
                Payload::Batch(number) => reader.of_wal(number),
                Payload::Edit => reader,
            }
        };
        let mut reader = of(TailPolicy::DropTornTail);
        loop {
            let offset = reader.offset();
            let record = match reader.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    if let Some(h) = raw_header(data, offset) {
                        self.line(format_args!("{h}"))?;
                    }
                    return Err(e);
                }
            };
            let at = reader.payload_offset();
            let kind = match (at - offset, payload) {
                (h, Payload::Batch(number)) if h == RECYCLABLE_HEADER_LEN as u64 => {
                    format!("type=2 log={}", log_tag(number))
                }
                _ => "type=1".to_string(),
            };
            self.line(format_args!(
                "record offset={offset} length={} {kind} crc=ok",
                record.len()
            ))?;
            match payload {
                Payload::Batch(_) => self.batch(record, at)?,
                Payload::Edit => self.edit(record, at)?,
            }
        }
        let end = reader.offset();
        match reader.torn_tail() {
            None if reader.ended_at_earlier_use() => {
                let earlier = (data.len() as u64).saturating_sub(end);
                self.line(format_args!("end offset={end} clean earlier-use={earlier}"))
            }
            None => self.line(format_args!("end offset={end} clean")),
            Some(at) => {
                // Read again strictly to learn why the tail was torn.
                let mut strict = of(TailPolicy::Strict);
                let reason = loop {
                    match strict.next_record() {
                        Ok(Some(_)) => {}
                        Ok(None) => break String::new(),
                        Err(Error::Corruption { reason, .. }) => break reason,
                        Err(e) => break e.to_string(),
                    }
                };
                let dropped = (data.len() as u64).saturating_sub(at);
                let reason = self.esc(reason.as_bytes());
                self.line(format_args!(
                    "end offset={at} torn-tail dropped={dropped} reason={reason}"
                ))
            }
        }
    }

    fn batch(&mut self, payload: &[u8], at: u64) -> Result<()> {
        let name = self.name.clone();
        let batch = WriteBatch::from_data(payload.to_vec(), &name, at)?;
        self.line(format_args!(
            "  batch sequence={} count={}",
            batch.sequence(),
            batch.count()
        ))?;
        for (i, op) in batch.iter().enumerate() {
            let seq = batch.sequence().saturating_add(i as u64);
            let key = self.esc(op.key);
            match op.kind {
                ValueKind::Value => {
                    let value = self.esc(op.value);
                    self.line(format_args!(
                        "    op seq={seq} kind=put key={key} value_len={} value={value}",
                        op.value.len()
                    ))?;
                }
                ValueKind::ValueBlob => {
                    let blob = blob_index(op.value);
                    self.line(format_args!("    op seq={seq} kind=blob key={key} {blob}"))?;
                }
                ValueKind::Deletion => {
                    self.line(format_args!("    op seq={seq} kind=del key={key}"))?;
                }
            }
        }
        Ok(())
    }

    fn edit(&mut self, payload: &[u8], at: u64) -> Result<()> {
        let name = self.name.clone();
        let edit = VersionEdit::decode(payload, &name, at)?;
        self.line(format_args!("  edit"))?;
        if let Some(v) = edit.log_number {
            self.line(format_args!("    log_number={v}"))?;
        }
        if let Some(v) = edit.next_file_number {
            self.line(format_args!("    next_file_number={v}"))?;
        }
        if let Some(v) = edit.last_sequence {
            self.line(format_args!("    last_sequence={v}"))?;
        }
        for (level, number) in &edit.deleted_files {
            self.line(format_args!(
                "    deleted_file level={level} number={number}"
            ))?;
        }
        for (level, f) in &edit.new_files {
            let (smallest, largest) = (self.ikey(&f.smallest), self.ikey(&f.largest));
            self.line(format_args!(
                "    new_file level={level} number={} size={} smallest={smallest} largest={largest} \
                 seq={}..{} entries={} deletions={}",
                f.number, f.size, f.smallest_seq, f.largest_seq, f.num_entries, f.num_deletions
            ))?;
        }
        for number in &edit.new_wals {
            self.line(format_args!("    new_wal number={number}"))?;
        }
        for number in &edit.deleted_wals {
            self.line(format_args!("    deleted_wal number={number}"))?;
        }
        for b in &edit.new_blob_files {
            self.line(format_args!(
                "    new_blob_file number={} records={} record_bytes={} size={}",
                b.number, b.records, b.record_bytes, b.size
            ))?;
        }
        for g in &edit.blob_garbage {
            self.line(format_args!(
                "    blob_garbage number={} records={} record_bytes={}",
                g.number, g.records, g.record_bytes
            ))?;
        }
        for n in &edit.deleted_blob_files {
            self.line(format_args!("    deleted_blob_file number={n}"))?;
        }
        for r in &edit.table_blob_refs {
            let blobs: Vec<String> = r.blobs.iter().map(u64::to_string).collect();
            self.line(format_args!(
                "    table_blob_refs table={} blobs={}",
                r.table,
                blobs.join(",")
            ))?;
        }
        Ok(())
    }

    /// A blob file: the header, then every record, checked.
    fn blob_file(&mut self, data: &[u8]) -> Result<()> {
        let name = self.name.clone();
        let mut scanner = BlobScanner::new(data, &name, data.len() as u64)?;
        self.line(format_args!(
            "header magic=siltdbVL format_version={}",
            scanner.version().number()
        ))?;
        let mut records = 0u64;
        while let Some(r) = scanner.next_record()? {
            let (key, value) = (self.esc(r.key), self.esc(r.value));
            self.line(format_args!(
                "record offset={} key={key} value_len={} value={value} crc={:#010x}",
                r.offset,
                r.value.len(),
                r.crc
            ))?;
            records += 1;
        }
        self.line(format_args!(
            "end offset={} records={records}",
            scanner.offset()
        ))
    }

    fn table(&mut self, file: Arc<dyn RandomAccessFile>) -> Result<()> {
        let name = self.name.clone();
        let size = file.len();
        // The footer first, on its own, so it is shown even when a block
        // behind it is bad.
        let mut footer = None;
        if let Some(footer_off) = size.checked_sub(FOOTER_LEN as u64) {
            let mut buf = [0u8; FOOTER_LEN];
            file.read_exact_at(footer_off, &mut buf)?;
            let f = Footer::decode(&buf).map_err(|e| e.at(&name, footer_off))?;
            self.line(format_args!(
                "footer offset={footer_off} index={} filter={} properties={} format_version={} magic=siltdbST",
                handle(f.index),
                handle(f.filter),
                handle(f.properties),
                f.format_version
            ))?;
            footer = Some(f);
        }
        let table = Table::open(Arc::clone(&file), name.clone(), 0, None)?;
        let p = table.properties();
        let (smallest, largest) = (self.ikey(&p.smallest_key), self.ikey(&p.largest_key));
        let created = p
            .creation_time
            .map_or_else(|| "none".to_string(), |t| t.to_string());
        self.line(format_args!(
            "properties entries={} deletions={} raw_key_bytes={} raw_value_bytes={} seq={}..{} \
             data_blocks={} bloom_bits_per_key={} smallest={smallest} largest={largest} creation_time={created}",
            p.num_entries,
            p.num_deletions,
            p.raw_key_bytes,
            p.raw_value_bytes,
            p.smallest_seq,
            p.largest_seq,
            p.num_data_blocks,
            p.bloom_bits_per_key,
        ))?;
        match footer.map(|f| f.filter) {
            Some(h) if !h.is_null() => {
                // Table::open checked this handle against the file and the
                // block's checksum, so the size is sane to allocate.
                let len = usize::try_from(h.size).map_err(|_| {
                    Error::corruption(&name, h.offset, "filter block size does not fit in memory")
                })?;
                let mut raw = vec![0u8; len];
                file.read_exact_at(h.offset, &mut raw)?;
                let f = Filter::new(raw).map_err(|e| e.at(&name, h.offset))?;
                self.line(format_args!(
                    "filter size={} bits={} probes={}",
                    h.size,
                    f.num_bits(),
                    f.num_probes()
                ))?;
            }
            _ => self.line(format_args!("filter none"))?,
        }

        let index_offset = table.index_offset();
        let ierr = |e| table.corruption(e, index_offset);
        let mut index = table.index_iter();
        index.seek_to_first().map_err(ierr)?;
        let mut handles = Vec::new();
        while index.valid() {
            let h = decode_handle(&index, &name, index_offset)?;
            handles.push((index.key().to_vec(), h));
            index.next().map_err(ierr)?;
        }
        self.line(format_args!("index entries={}", handles.len()))?;
        for (key, h) in &handles {
            let key = self.ikey(key);
            self.line(format_args!("  index key={key} block={}", handle(*h)))?;
        }

        let mut entries = 0u64;
        for (i, (_, h)) in handles.iter().enumerate() {
            self.line(format_args!(
                "block {i} offset={} size={}",
                h.offset, h.size
            ))?;
            let block = table.read_block(*h, false)?;
            let derr = |e| table.corruption(e, h.offset);
            let mut it = block.iter();
            it.seek_to_first().map_err(derr)?;
            while it.valid() {
                let value_len = it.value().len();
                match parse_internal_key(it.key()) {
                    Some(k) => {
                        let key = self.esc(k.user_key);
                        let mut line = format!(
                            "  entry key={key} seq={} kind={} value_len={value_len}",
                            k.seq,
                            kind_name(k.kind)
                        );
                        match k.kind {
                            ValueKind::Value => {
                                line.push_str(" value=");
                                line.push_str(&self.esc(it.value()));
                            }
                            ValueKind::ValueBlob => {
                                line.push(' ');
                                line.push_str(&blob_index(it.value()));
                            }
                            ValueKind::Deletion => {}
                        }
                        self.line(format_args!("{line}"))?;
                    }
                    None => {
                        let key = self.esc(it.key());
                        self.line(format_args!(
                            "  entry raw_key={key} (not an internal key) value_len={value_len}"
                        ))?;
                    }
                }
                entries += 1;
                it.next().map_err(derr)?;
            }
        }
        self.line(format_args!("end entries={entries}"))
    }
}

/// `blob=(file=F,offset=O,value_len=L,crc=0x...)`, or the raw bytes with
/// `!bad-blob-index` if they do not decode.
fn blob_index(value: &[u8]) -> String {
    match BlobIndex::decode(value) {
        Ok(i) => format!(
            "blob=(file={},offset={},value_len={},crc={:#010x})",
            i.file_number, i.offset, i.value_len, i.crc
        ),
        Err(_) => format!("blob={}!bad-blob-index", escape(value, DEFAULT_WIDTH)),
    }
}

/// `(offset,size)`.
fn handle(h: BlockHandle) -> String {
    format!("({},{})", h.offset, h.size)
}

/// The header of the log record at `pos` as a `record` line, with whether
/// its checksum holds (`ok`, `bad`, or `past-eof` if its length runs past
/// the end of the file); `None` if fewer than 9 bytes remain.
fn raw_header(data: &[u8], pos: u64) -> Option<String> {
    let rest = data.get(usize::try_from(pos).ok()?..)?;
    let crc = get_fixed32(rest)?;
    let len = get_fixed32(rest.get(4..)?)?;
    let record_type = *rest.get(8)?;
    let log_le: Option<[u8; 4]> = match record_type {
        RECORD_TYPE_RECYCLABLE => Some(
            rest.get(HEADER_LEN..RECYCLABLE_HEADER_LEN)?
                .try_into()
                .ok()?,
        ),
        _ => None,
    };
    let header_len = if log_le.is_some() {
        RECYCLABLE_HEADER_LEN
    } else {
        HEADER_LEN
    };
    let payload = usize::try_from(len)
        .ok()
        .and_then(|l| l.checked_add(header_len))
        .and_then(|end| rest.get(header_len..end));
    let crc_state = match (payload, log_le) {
        (Some(p), Some(log)) if recyclable_record_crc(len.to_le_bytes(), log, p) == crc => "ok",
        (Some(p), None) if record_crc(len.to_le_bytes(), record_type, p) == crc => "ok",
        (Some(_), _) => "bad",
        (None, _) => "past-eof",
    };
    let kind = match log_le {
        Some(log) => format!("type={record_type} log={}", u32::from_le_bytes(log)),
        None => format!("type={record_type}"),
    };
    Some(format!(
        "record offset={pos} length={len} {kind} crc={crc_state}"
    ))
}
