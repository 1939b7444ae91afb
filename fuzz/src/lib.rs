//! Shared drivers for the siltdb fuzz targets.
//!
//! Each `fuzz_targets/*.rs` binary is a one-line wrapper around a `run_*`
//! function here, so the same code can be driven from the seed generator or
//! a plain test when reproducing a crash.
//!
//! The storage decoders checksum their input, which a byte-mutating fuzzer
//! almost never gets right. So each of their drivers runs twice: once on the
//! raw bytes (to exercise the checksum and framing checks themselves) and
//! once on a copy whose checksums have been recomputed ("fixed up"), so
//! mutations inside records and blocks reach the decoders behind the
//! checksums.
//!
//! The DynamoDB layer's drivers ([`item`], [`expr`], [`catalog`],
//! [`stream`], [`partiql`]) and the server's ([`http`]) have no checksums to
//! fix up: they feed the bytes straight in. [`recovery`] takes a whole
//! directory through `check` and the real open path.
//!
//! Besides "never panic", the drivers check a few properties that must hold
//! for any input, and bound every loop by the input size so a
//! non-terminating iterator shows up as a panic rather than a timeout.

pub mod blob;
pub mod catalog;
pub mod expr;
pub mod http;
pub mod item;
pub mod partiql;
pub mod recovery;
pub mod stream;

pub use blob::run_blob;
pub use catalog::run_catalog;
pub use expr::run_expr;
pub use http::run_http_request;
pub use item::run_item;
pub use partiql::run_partiql;
pub use recovery::run_recovery;
pub use stream::run_stream_record;

use std::cmp::Ordering;
use std::sync::Arc;

use siltdb::fs::RandomAccessFile;
use siltdb::low_level::coding::{masked_crc, put_fixed32};
use siltdb::low_level::iter::InternalIterator;
use siltdb::low_level::key::{compare_internal, make_internal_key, ValueKind, MAX_SEQUENCE};
use siltdb::low_level::manifest::{Version, VersionEdit};
use siltdb::low_level::recovery::{replay_manifest, ManifestState};
use siltdb::low_level::sstable::{
    Block, BlockHandle, Footer, Table, BLOCK_TRAILER_LEN, FOOTER_LEN,
};
use siltdb::low_level::wal::{
    record_crc, recyclable_record_crc, LogReader, TailPolicy, HEADER_LEN, RECORD_TYPE_RECYCLABLE,
    RECYCLABLE_HEADER_LEN,
};
use siltdb::WriteBatch;
use siltdb::{Error, Result};

/// A read-only file over a byte vector.
pub struct VecFile(pub Vec<u8>);

impl RandomAccessFile for VecFile {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        let eof = || {
            Error::io(
                "read VecFile",
                std::io::Error::from(std::io::ErrorKind::UnexpectedEof),
            )
        };
        let start = usize::try_from(offset).map_err(|_| eof())?;
        let end = start.checked_add(buf.len()).ok_or_else(eof)?;
        let src = self.0.get(start..end).ok_or_else(eof)?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
}

// ---------------------------------------------------------------- WAL ----

/// Recomputes the CRC of every record whose header and payload fit, walking
/// the log as a reader would.
pub fn fix_log_crcs(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    let mut pos = 0usize;
    while pos + HEADER_LEN <= out.len() {
        let len_le: [u8; 4] = out[pos + 4..pos + 8].try_into().unwrap();
        let len = u32::from_le_bytes(len_le) as usize;
        // A RECYCLABLE record (type 2) has the log number after the type.
        let recyclable = out[pos + 8] == RECORD_TYPE_RECYCLABLE;
        let header = if recyclable {
            RECYCLABLE_HEADER_LEN
        } else {
            HEADER_LEN
        };
        let end = pos + header + len;
        if end > out.len() {
            break;
        }
        let crc = if recyclable {
            let log_le: [u8; 4] = out[pos + HEADER_LEN..pos + header].try_into().unwrap();
            recyclable_record_crc(len_le, log_le, &out[pos + header..end])
        } else {
            record_crc(len_le, out[pos + 8], &out[pos + HEADER_LEN..end])
        };
        out[pos..pos + 4].copy_from_slice(&crc.to_le_bytes());
        pos = end;
    }
    out
}

/// Reads every record of `data` under `policy`, as WAL 7 if `wal` (else as
/// a MANIFEST): each payload with its offset, and whether the log ended
/// cleanly (`Ok`) or with corruption (`Err`).
fn read_log(data: &[u8], policy: TailPolicy, wal: bool) -> (Vec<(u64, &[u8])>, bool) {
    let mut r = LogReader::new(data, "000007.log", policy);
    if wal {
        r = r.of_wal(7);
    }
    let mut out = Vec::new();
    // Every record takes at least HEADER_LEN bytes.
    let bound = data.len() / HEADER_LEN + 1;
    loop {
        let at = r.offset();
        match r.next_record() {
            Ok(Some(p)) => {
                assert!(r.offset() > at, "reader did not advance");
                assert!(r.offset() as usize <= data.len());
                let header = r.payload_offset() - at;
                assert!(header == HEADER_LEN as u64 || header == RECYCLABLE_HEADER_LEN as u64);
                out.push((r.payload_offset(), p));
                assert!(out.len() <= bound, "more records than the log can hold");
            }
            Ok(None) => return (out, true),
            Err(e) => {
                assert!(e.is_corruption(), "unexpected error kind: {e:?}");
                // Errors are sticky.
                assert!(r.next_record().is_err(), "error was not sticky");
                return (out, false);
            }
        }
    }
}

fn check_batch(payload: &[u8], offset: u64) {
    let Ok(b) = WriteBatch::from_data(payload.to_vec(), "000007.log", offset) else {
        return;
    };
    let mut n = 0u64;
    let mut bytes = 0u64;
    for op in b.iter() {
        assert!(matches!(
            op.kind,
            ValueKind::Value | ValueKind::ValueBlob | ValueKind::Deletion
        ));
        if op.kind == ValueKind::Deletion {
            assert!(op.value.is_empty());
        }
        bytes += (op.key.len() + op.value.len()) as u64;
        n += 1;
        assert!(
            n <= payload.len() as u64,
            "batch iterator did not terminate"
        );
    }
    assert_eq!(n, u64::from(b.count()), "iterated ops != header count");
    assert_eq!(bytes, b.user_bytes());
    if n > 0 {
        assert!(b.sequence() + n - 1 <= MAX_SEQUENCE);
    }
    // A decoded batch re-encodes to the same bytes.
    assert_eq!(b.data(), payload);
}

fn wal_once(data: &[u8]) {
    let (strict, strict_ok) = read_log(data, TailPolicy::Strict, true);
    let (drop, drop_ok) = read_log(data, TailPolicy::DropTornTail, true);
    // The policy only decides what a torn tail means: Strict reads a prefix
    // of what DropTornTail reads, the same records if it ends cleanly.
    assert!(strict.len() <= drop.len());
    assert_eq!(&drop[..strict.len()], &strict[..]);
    if strict_ok {
        assert!(drop_ok);
        assert_eq!(strict.len(), drop.len());
    }
    for (at, p) in &drop {
        check_batch(p, *at);
    }
}

/// `wal_reader`: the bytes as a log under both tail policies, each record
/// also as a write batch.
pub fn run_wal(data: &[u8]) {
    wal_once(data);
    wal_once(&fix_log_crcs(data));
}

// ----------------------------------------------------------- manifest ----

fn check_edit(edit: &VersionEdit) {
    // Decoding is the inverse of encoding.
    let enc = edit.encoded();
    let again = VersionEdit::decode(&enc, "re-encoded", 0).expect("re-encoded edit decodes");
    assert_eq!(&again, edit, "edit does not survive encode/decode");
}

/// The base edit of a new MANIFEST holding `state` rebuilds it; the one
/// state no base edit can say (tracking WALs, none live) is refused, not
/// written as something else.
fn check_base_edit(state: &ManifestState) {
    let base = match state.to_edit() {
        Ok(base) => base,
        Err(_) => {
            assert_eq!(state.live_wals, Some(Default::default()));
            return;
        }
    };
    let mut again = ManifestState::default();
    again
        .apply(&base, "MANIFEST-000002", 0)
        .expect("a state's own base edit applies");
    assert_eq!(*again.version, *state.version);
    assert_eq!(again.live_wals, state.live_wals);
    assert_eq!(
        (
            again.log_number,
            again.next_file_number,
            again.last_sequence
        ),
        (
            state.log_number,
            state.next_file_number,
            state.last_sequence
        )
    );
}

fn manifest_once(data: &[u8]) {
    // The replay open, check and repair run on a MANIFEST.
    match replay_manifest(data, 1) {
        Ok(r) => {
            assert!(r.edits >= 1);
            assert!(
                r.state.next_file_number > 1,
                "next_file_number passes the MANIFEST"
            );
            check_base_edit(&r.state);
            if let Some(d) = &r.dropped {
                // The dropped record runs to the end of the file, or to
                // zeros after it (wal.md, "Reading" step 4: a record
                // written to its end before zeros is dropped at its own
                // size, not the zeros').
                let end = usize::try_from(d.offset + d.bytes).expect("fits");
                assert!(end <= data.len(), "dropped past the end");
                assert!(
                    data[end..].iter().all(|&b| b == 0),
                    "bytes after the dropped record that are not zeros"
                );
            }
        }
        Err(e) => assert!(e.is_corruption(), "replay failed with {e:?}"),
    }
    for policy in [TailPolicy::Strict, TailPolicy::DropTornTail] {
        let (records, _) = read_log(data, policy, false);
        let mut state = ManifestState::default();
        for (off, p) in records {
            let Ok(edit) = VersionEdit::decode(p, "MANIFEST-000001", off) else {
                continue;
            };
            check_edit(&edit);
            // Also apply to a fresh version, independent of earlier records.
            let _ = Version::new().apply(&edit);
            if state.apply(&edit, "MANIFEST-000001", off).is_ok() {
                let v: &Version = &state.version;
                // The snapshot edit of a version rebuilds it.
                let rebuilt = Version::new()
                    .apply(&v.to_edit())
                    .expect("a version's own edit applies to an empty version");
                assert_eq!(&rebuilt, v, "to_edit does not rebuild the version");
                let _ = v.all_file_numbers();
                let _ = v.files_for_get(p);
            }
        }
    }
}

/// `manifest_reader`: the bytes as a MANIFEST (records decoded as edits and
/// replayed), and the raw bytes as one edit.
pub fn run_manifest(data: &[u8]) {
    if let Ok(edit) = VersionEdit::decode(data, "MANIFEST-000001", 0) {
        check_edit(&edit);
        if let Ok(v) = Version::new().apply(&edit) {
            let _ = v.apply(&edit);
        }
    }
    manifest_once(data);
    manifest_once(&fix_log_crcs(data));
}

// -------------------------------------------------------------- block ----

/// Iterates `block` both ways and seeks to `targets`, bounding every loop
/// by the block size. Returns the forward keys if iteration succeeded.
fn exercise_block(block: Block, targets: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    let block = Arc::new(block);
    let bound = block.size() + 1;
    let mut it = block.iter();
    let mut fwd = Vec::new();
    let mut fwd_ok = it.seek_to_first().is_ok();
    while fwd_ok && it.valid() {
        fwd.push(it.key().to_vec());
        assert!(
            fwd.len() <= bound,
            "block forward iteration did not terminate"
        );
        fwd_ok = it.next().is_ok();
    }
    assert!(!it.valid());
    let mut it = block.iter();
    let mut back = 0usize;
    let mut ok = it.seek_to_last().is_ok();
    while ok && it.valid() {
        back += 1;
        assert!(back <= bound, "block backward iteration did not terminate");
        ok = it.prev().is_ok();
    }
    for t in targets {
        let mut it = block.iter();
        if it.seek(t).is_ok() && it.valid() {
            let mut steps = 0;
            while steps < 3 && it.valid() && it.next().is_ok() {
                steps += 1;
            }
        }
    }
    fwd_ok.then_some(fwd)
}

/// A few seek targets derived from the input: internal keys built from
/// slices of it, and raw slices.
fn targets_from(data: &[u8]) -> Vec<Vec<u8>> {
    let mut t = vec![Vec::new(), vec![0xff; 9]];
    for (i, chunk) in data.chunks(data.len() / 4 + 1).take(4).enumerate() {
        let k = &chunk[..chunk.len().min(12)];
        t.push(make_internal_key(k, i as u64 * 7, ValueKind::Value));
        t.push(k.to_vec());
    }
    t
}

/// `block_decoder`: the bytes as the contents of one block.
pub fn run_block(data: &[u8]) {
    if let Ok(block) = Block::new(data.to_vec()) {
        exercise_block(block, &targets_from(data));
    }
}

// ------------------------------------------------------------ sstable ----

fn fix_block_crc(out: &mut [u8], h: BlockHandle, limit: usize) {
    let (Ok(off), Ok(size)) = (usize::try_from(h.offset), usize::try_from(h.size)) else {
        return;
    };
    let Some(end) = off
        .checked_add(size)
        .and_then(|e| e.checked_add(BLOCK_TRAILER_LEN))
    else {
        return;
    };
    if end > limit {
        return;
    }
    let crc = masked_crc(&out[off..=off + size]);
    out[off + size + 1..end].copy_from_slice(&crc.to_le_bytes());
}

/// Recomputes the footer checksum and the trailer checksums of the index,
/// filter, properties and every data block the index names.
pub fn fix_table_crcs(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    let Some(foot) = out.len().checked_sub(FOOTER_LEN) else {
        return out;
    };
    let mut crc = Vec::new();
    put_fixed32(&mut crc, masked_crc(&out[foot..foot + 52]));
    out[foot + 52..foot + 56].copy_from_slice(&crc);
    let Ok(footer) = Footer::decode(&out[foot..]) else {
        return out;
    };
    // Data blocks first: the index block's own trailer wins if they overlap.
    if let Some(idx) = block_at(&out, footer.index, foot) {
        let idx = Arc::new(idx);
        let mut it = idx.iter();
        let mut n = 0;
        let mut ok = it.seek_to_first().is_ok();
        while ok && it.valid() && n <= out.len() {
            if let Some((h, _)) = BlockHandle::decode(it.value()) {
                fix_block_crc(&mut out, h, foot);
            }
            n += 1;
            ok = it.next().is_ok();
        }
    }
    for h in [footer.properties, footer.filter, footer.index] {
        fix_block_crc(&mut out, h, foot);
    }
    out
}

fn block_at(data: &[u8], h: BlockHandle, limit: usize) -> Option<Block> {
    let off = usize::try_from(h.offset).ok()?;
    let size = usize::try_from(h.size).ok()?;
    let end = off.checked_add(size)?;
    if end.checked_add(BLOCK_TRAILER_LEN)? > limit {
        return None;
    }
    Block::new(data[off..end].to_vec()).ok()
}

fn collect(
    it: &mut dyn InternalIterator,
    forward: bool,
    bound: usize,
) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::new();
    if forward {
        it.seek_to_first()?;
    } else {
        it.seek_to_last()?;
    }
    while it.valid() {
        out.push((it.key().to_vec(), it.value().to_vec()));
        assert!(out.len() <= bound, "table iteration did not terminate");
        if forward {
            it.next()?;
        } else {
            it.prev()?;
        }
    }
    Ok(out)
}

fn sstable_once(data: &[u8]) {
    let file: Arc<dyn RandomAccessFile> = Arc::new(VecFile(data.to_vec()));
    let Ok(table) = Table::open(file, "000005.sst".to_string(), 5, None) else {
        return;
    };
    // Entries per block <= block size / 3 and index entries <= index size / 3.
    let n = data.len() / 3 + 1;
    let bound = n.saturating_mul(n);
    let verified = table.verify().is_ok();
    let mut it = table.iter();
    let fwd = collect(&mut it, true, bound);
    let back = collect(&mut it, false, bound);

    if verified {
        // A table that passes verify() iterates without errors, in order,
        // with the entry count its properties state, the same both ways.
        let fwd = fwd.expect("verified table fails forward iteration");
        let mut back = back.expect("verified table fails backward iteration");
        assert_eq!(fwd.len() as u64, table.properties().num_entries);
        for w in fwd.windows(2) {
            assert_eq!(compare_internal(&w[0].0, &w[1].0), Ordering::Less);
        }
        back.reverse();
        assert!(back == fwd, "backward iteration differs from forward");
        // Seeking to / getting a present key finds exactly that entry.
        let picks = [0, fwd.len() / 2, fwd.len().saturating_sub(1)];
        for &i in &picks {
            let (k, v) = &fwd[i];
            it.seek(k).expect("seek in verified table");
            assert!(it.valid() && it.key() == &k[..] && it.value() == &v[..]);
            match table.get(k).expect("get in verified table") {
                Some((gk, gv)) => assert!(&gk == k && &gv == v, "get returned another entry"),
                None => assert!(!table.may_contain(siltdb::low_level::key::user_key(k))),
            }
        }
    }
    for t in targets_from(data) {
        if it.seek(&t).is_ok() && it.valid() {
            let _ = it.next();
        }
        let _ = table.get(&t);
    }
}

/// `sstable_reader`: the bytes as a whole table file.
pub fn run_sstable(data: &[u8]) {
    sstable_once(data);
    sstable_once(&fix_table_crcs(data));
}
