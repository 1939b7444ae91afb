//! Spec: format-spec/sstable.md#table-layout
//!
//! Writes a table: data blocks, then filter, properties and index blocks,
//! then the footer. Output is buffered and handed to the file in large
//! chunks, written back to the device in pieces as it goes (see
//! [`WritableFile::write_back`]) and synced once at the end, to keep the SSD
//! write pattern sequential.

use super::{
    BlockBuilder, BlockHandle, FilterBuilder, Footer, Properties, TableOptions,
    BLOCK_TYPE_UNCOMPRESSED, FORMAT_VERSION,
};
use crate::coding::{masked_crc_parts, put_fixed32};
use crate::error::{Error, Result};
use crate::fs::WritableFile;
use crate::key::{
    compare_internal, pack_trailer, parse_internal_key, user_key, ValueKind, MAX_SEQUENCE,
};
use crate::ratelimit::Pacer;
use std::cmp::Ordering;

/// Largest key plus value length accepted by [`TableBuilder::add`] (1 GiB).
pub const MAX_ENTRY_LEN: usize = 1 << 30;

/// What a finished table holds, for the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    /// Size of the file in bytes.
    pub file_size: u64,
    /// Number of entries.
    pub num_entries: u64,
    /// Number of deletion entries.
    pub num_deletions: u64,
    /// Smallest internal key.
    pub smallest: Vec<u8>,
    /// Largest internal key.
    pub largest: Vec<u8>,
    /// Smallest sequence number.
    pub smallest_seq: u64,
    /// Largest sequence number.
    pub largest_seq: u64,
}

/// Builds one table file from entries added in increasing internal-key order.
pub struct TableBuilder {
    file: Box<dyn WritableFile>,
    file_name: String,
    opts: TableOptions,
    pacer: Option<Pacer>,
    /// Bytes produced but not yet appended to the file.
    buf: Vec<u8>,
    /// Bytes produced so far (appended + buffered): the next block's offset.
    offset: u64,
    /// Bytes appended since the last sync.
    unsynced: u64,
    data_block: BlockBuilder,
    index_block: BlockBuilder,
    /// The last data block written, waiting for the next key to choose its
    /// index separator.
    pending_handle: Option<BlockHandle>,
    last_key: Vec<u8>,
    filter: Option<FilterBuilder>,
    props: Properties,
    /// A write failed earlier; every later call reports it.
    failed: Option<Error>,
}

/// Trailer kind of a shortened index key. Its user key lies strictly between
/// two blocks' keys, so any kind orders it correctly; `Value` keeps table
/// bytes as they were before `ValueBlob` existed.
const SEPARATOR_KIND: ValueKind = ValueKind::Value;

/// The shortest internal key `k` with `a <= k < b` that is cheap to find
/// (LevelDB's `FindShortestSeparator` on the user keys); `a` if none shorter.
fn shortest_separator(a: &[u8], b: &[u8]) -> Vec<u8> {
    let (ua, ub) = (user_key(a), user_key(b));
    let n = ua.iter().zip(ub).take_while(|(x, y)| x == y).count();
    if let (Some(prefix), Some(&ca), Some(&cb)) = (ua.get(..n), ua.get(n), ub.get(n)) {
        if ca < 0xff && ca + 1 < cb && n + 1 < ua.len() {
            let mut s = Vec::with_capacity(n + 1 + 8);
            s.extend_from_slice(prefix);
            s.push(ca + 1);
            s.extend_from_slice(&pack_trailer(MAX_SEQUENCE, SEPARATOR_KIND).to_le_bytes());
            debug_assert_eq!(compare_internal(a, &s), Ordering::Less);
            debug_assert_eq!(compare_internal(&s, b), Ordering::Less);
            return s;
        }
    }
    a.to_vec()
}

/// A short internal key `>= a` (LevelDB's `FindShortSuccessor`), or `a`.
fn short_successor(a: &[u8]) -> Vec<u8> {
    let ua = user_key(a);
    let first_below_ff = ua.iter().position(|&c| c != 0xff);
    if let Some((i, prefix, &c)) = first_below_ff.and_then(|i| Some((i, ua.get(..i)?, ua.get(i)?)))
    {
        if i + 1 < ua.len() {
            let mut s = Vec::with_capacity(i + 1 + 8);
            s.extend_from_slice(prefix);
            s.push(c + 1);
            s.extend_from_slice(&pack_trailer(MAX_SEQUENCE, SEPARATOR_KIND).to_le_bytes());
            return s;
        }
    }
    a.to_vec()
}

/// Appends `contents` and its trailer (type byte, masked CRC) to `buf`.
fn append_block(buf: &mut Vec<u8>, contents: &[u8]) {
    buf.extend_from_slice(contents);
    buf.push(BLOCK_TYPE_UNCOMPRESSED);
    let crc = masked_crc_parts(&[contents, &[BLOCK_TYPE_UNCOMPRESSED]]);
    put_fixed32(buf, crc);
}

impl TableBuilder {
    /// Starts a table written to `file` (named `file_name` in errors).
    /// `pacer`, if given, is asked for every byte before it is appended and
    /// before every sync.
    pub fn new(
        file: Box<dyn WritableFile>,
        file_name: String,
        opts: TableOptions,
        pacer: Option<Pacer>,
    ) -> TableBuilder {
        let filter =
            (opts.bloom_bits_per_key > 0).then(|| FilterBuilder::new(opts.bloom_bits_per_key));
        TableBuilder {
            file,
            file_name,
            data_block: BlockBuilder::new(opts.restart_interval),
            index_block: BlockBuilder::new(opts.restart_interval),
            buf: Vec::with_capacity(opts.write_chunk.min(1 << 20) + opts.block_size.min(1 << 20)),
            props: Properties {
                bloom_bits_per_key: opts.bloom_bits_per_key,
                smallest_seq: u64::MAX,
                ..Properties::default()
            },
            opts,
            pacer,
            offset: 0,
            unsynced: 0,
            pending_handle: None,
            last_key: Vec::new(),
            filter,
            failed: None,
        }
    }

    /// Adds an entry. REQUIRES: `ikey` is a valid internal key sorting
    /// strictly after every key added before; otherwise `InvalidArgument`.
    pub fn add(&mut self, ikey: &[u8], value: &[u8]) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.duplicate());
        }
        let Some(parsed) = parse_internal_key(ikey) else {
            return Err(Error::InvalidArgument(format!(
                "{}: not an internal key ({} bytes)",
                self.file_name,
                ikey.len()
            )));
        };
        if self.props.num_entries > 0 && compare_internal(&self.last_key, ikey) != Ordering::Less {
            return Err(Error::InvalidArgument(format!(
                "{}: keys added out of order (entry {})",
                self.file_name, self.props.num_entries
            )));
        }
        if ikey.len().saturating_add(value.len()) > MAX_ENTRY_LEN {
            return Err(Error::InvalidArgument(format!(
                "{}: entry of {} bytes exceeds {MAX_ENTRY_LEN}",
                self.file_name,
                ikey.len().saturating_add(value.len())
            )));
        }
        if let Some(h) = self.pending_handle.take() {
            let sep = shortest_separator(&self.last_key, ikey);
            let mut v = Vec::with_capacity(20);
            h.encode_to(&mut v);
            self.index_block.add(&sep, &v);
        }
        if let Some(f) = &mut self.filter {
            if self.props.num_entries == 0 || user_key(&self.last_key) != parsed.user_key {
                f.add(parsed.user_key);
            }
        }
        let p = &mut self.props;
        if p.num_entries == 0 {
            p.smallest_key = ikey.to_vec();
        }
        p.num_entries += 1;
        if parsed.kind == ValueKind::Deletion {
            p.num_deletions += 1;
        }
        p.raw_key_bytes += ikey.len() as u64;
        p.raw_value_bytes += value.len() as u64;
        p.smallest_seq = p.smallest_seq.min(parsed.seq);
        p.largest_seq = p.largest_seq.max(parsed.seq);
        self.last_key.clear();
        self.last_key.extend_from_slice(ikey);
        self.data_block.add(ikey, value);
        if self.data_block.current_size_estimate() >= self.opts.block_size {
            self.flush_data_block()?;
        }
        Ok(())
    }

    /// Bytes the file would have if the current block were written now
    /// (excluding metadata blocks and footer).
    pub fn estimated_size(&self) -> u64 {
        self.offset + self.data_block.current_size_estimate() as u64
    }

    /// Number of entries added.
    pub fn num_entries(&self) -> u64 {
        self.props.num_entries
    }

    fn write_block(&mut self, contents_of: BlockSel) -> BlockHandle {
        let contents: &[u8] = match contents_of {
            BlockSel::Data => self.data_block.finish(),
            BlockSel::Index => self.index_block.finish(),
        };
        let handle = BlockHandle {
            offset: self.offset,
            size: contents.len() as u64,
        };
        append_block(&mut self.buf, contents);
        self.offset += contents.len() as u64 + super::BLOCK_TRAILER_LEN as u64;
        handle
    }

    fn write_raw_block(&mut self, contents: &[u8]) -> BlockHandle {
        let handle = BlockHandle {
            offset: self.offset,
            size: contents.len() as u64,
        };
        append_block(&mut self.buf, contents);
        self.offset += contents.len() as u64 + super::BLOCK_TRAILER_LEN as u64;
        handle
    }

    fn flush_data_block(&mut self) -> Result<()> {
        let handle = self.write_block(BlockSel::Data);
        self.data_block.reset();
        self.pending_handle = Some(handle);
        self.props.num_data_blocks += 1;
        if self.buf.len() >= self.opts.write_chunk {
            self.write_out()?;
        }
        Ok(())
    }

    /// Hands the whole buffer to the file, in pieces of at most the write-back
    /// interval, writing each back (see [`WritableFile::write_back`]) once
    /// `bytes_per_sync` more bytes have been appended since the last.
    fn write_out(&mut self) -> Result<()> {
        let r = self.write_out_inner();
        if let Err(e) = &r {
            self.failed = Some(e.duplicate());
        }
        r
    }

    fn write_out_inner(&mut self) -> Result<()> {
        let every = match &self.pacer {
            Some(p) => p.sync_every(self.opts.bytes_per_sync),
            None => self.opts.bytes_per_sync,
        };
        let buf = std::mem::take(&mut self.buf);
        let mut rest = buf.as_slice();
        while !rest.is_empty() {
            let room = if every > 0 {
                usize::try_from(every.saturating_sub(self.unsynced).max(1)).unwrap_or(usize::MAX)
            } else {
                rest.len()
            };
            let (piece, tail) = rest.split_at(room.min(rest.len()));
            let n = piece.len() as u64;
            if let Some(p) = &self.pacer {
                p.request(n);
            }
            self.file.append(piece)?;
            self.unsynced += n;
            if every > 0 && self.unsynced >= every {
                self.write_back()?;
            }
            rest = tail;
        }
        self.buf = buf;
        self.buf.clear();
        Ok(())
    }

    /// Writes the appended bytes back to the device, after asking the pacer
    /// (a compaction's write-back waits for in-flight foreground syncs).
    fn write_back(&mut self) -> Result<()> {
        if let Some(p) = &self.pacer {
            p.before_sync();
        }
        self.file.write_back()?;
        self.unsynced = 0;
        Ok(())
    }

    /// Makes the whole file durable, after asking the pacer.
    fn sync(&mut self) -> Result<()> {
        if let Some(p) = &self.pacer {
            p.before_sync();
        }
        self.file.sync()?;
        self.unsynced = 0;
        Ok(())
    }

    /// Writes the remaining blocks and the footer, syncs the file and returns
    /// the table's summary. A table with no entries is `InvalidArgument`.
    pub fn finish(mut self) -> Result<TableSummary> {
        if let Some(e) = &self.failed {
            return Err(e.duplicate());
        }
        if self.props.num_entries == 0 {
            return Err(Error::InvalidArgument(format!(
                "{}: cannot finish a table with no entries",
                self.file_name
            )));
        }
        if !self.data_block.is_empty() {
            self.flush_data_block()?;
        }
        if let Some(h) = self.pending_handle.take() {
            let key = short_successor(&self.last_key);
            let mut v = Vec::with_capacity(20);
            h.encode_to(&mut v);
            self.index_block.add(&key, &v);
        }
        let filter = match self.filter.take() {
            Some(f) => self.write_raw_block(&f.finish()),
            None => BlockHandle::default(),
        };
        self.props.largest_key = self.last_key.clone();
        let properties = self.write_raw_block(&self.props.encode());
        let index = self.write_block(BlockSel::Index);
        let footer = Footer {
            index,
            filter,
            properties,
            format_version: FORMAT_VERSION,
        };
        self.buf.extend_from_slice(&footer.encode());
        self.offset += super::FOOTER_LEN as u64;
        self.write_out()?;
        self.sync()?;
        Ok(TableSummary {
            file_size: self.offset,
            num_entries: self.props.num_entries,
            num_deletions: self.props.num_deletions,
            smallest: std::mem::take(&mut self.props.smallest_key),
            largest: std::mem::take(&mut self.props.largest_key),
            smallest_seq: self.props.smallest_seq,
            largest_seq: self.props.largest_seq,
        })
    }
}

#[derive(Clone, Copy)]
enum BlockSel {
    Data,
    Index,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::make_internal_key;
    use crate::ratelimit::{IoClass, RateLimiter};
    use crate::sstable::test_files::recording;
    use std::sync::Arc;

    fn ik(k: &str, seq: u64) -> Vec<u8> {
        make_internal_key(k.as_bytes(), seq, ValueKind::Value)
    }

    #[test]
    fn separators_are_between_and_short() {
        let a = ik("abcdefgh", 5);
        let b = ik("abzzzz", 9);
        let s = shortest_separator(&a, &b);
        assert_eq!(user_key(&s), b"abd");
        assert!(compare_internal(&a, &s).is_lt() && compare_internal(&s, &b).is_lt());
        // Same user key: no shortening possible.
        let a = ik("k", 5);
        let b = ik("k", 4);
        assert_eq!(shortest_separator(&a, &b), a);
        // Prefix: no shortening.
        let a = ik("ab", 1);
        let b = ik("abc", 1);
        assert_eq!(shortest_separator(&a, &b), a);
        let s = short_successor(&ik("\u{7f}\u{7f}zz", 3));
        assert!(compare_internal(&ik("\u{7f}\u{7f}zz", 3), &s).is_lt());
        assert_eq!(user_key(&s), &[0x80]);
        let all_ff = make_internal_key(&[0xff, 0xff], 1, ValueKind::Value);
        assert_eq!(short_successor(&all_ff), all_ff);
    }

    #[test]
    fn rejects_unordered_and_malformed_keys_and_empty_finish() {
        let (f, _) = recording();
        let mut b = TableBuilder::new(f, "x.sst".into(), TableOptions::default(), None);
        assert!(matches!(
            b.add(b"short", b""),
            Err(Error::InvalidArgument(_))
        ));
        b.add(&ik("b", 5), b"v").unwrap();
        assert!(matches!(
            b.add(&ik("b", 5), b"v"),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            b.add(&ik("a", 9), b"v"),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            b.add(&ik("b", 6), b"v"),
            Err(Error::InvalidArgument(_))
        ));
        b.add(&ik("b", 4), b"v").unwrap();
        assert_eq!(b.num_entries(), 2);
        let (f, _) = recording();
        let b = TableBuilder::new(f, "y.sst".into(), TableOptions::default(), None);
        assert!(matches!(b.finish(), Err(Error::InvalidArgument(_))));
    }

    #[test]
    fn writes_back_in_pieces_and_syncs_once_at_the_end() {
        let (f, rec) = recording();
        let opts = TableOptions {
            block_size: 1024,
            write_chunk: 16 * 1024,
            bytes_per_sync: 40 * 1024,
            ..TableOptions::default()
        };
        let pacer = Pacer::new(Arc::new(RateLimiter::new(0)), IoClass::Compaction);
        let mut b = TableBuilder::new(f, "t.sst".into(), opts.clone(), Some(pacer));
        let value = vec![b'x'; 100];
        let mut last_estimate = 0;
        for i in 0..5000 {
            b.add(&ik(&format!("key{i:08}"), 1), &value).unwrap();
            assert!(b.estimated_size() >= last_estimate);
            last_estimate = b.estimated_size();
        }
        let s = b.finish().unwrap();
        let r = rec.lock().unwrap();
        assert_eq!(s.file_size, r.data.len() as u64);
        assert!(r.appends.len() > 10);
        // No append is larger than the write-back interval, so no more than
        // that reaches the device in one piece.
        assert!(
            r.appends.iter().all(|&n| n as u64 <= opts.bytes_per_sync),
            "{:?}",
            r.appends
        );
        // A write-back exactly every 40 KiB; durability only at the end.
        assert_eq!(r.syncs, vec![s.file_size], "one sync, at the end");
        assert_eq!(
            r.write_backs.len() as u64,
            s.file_size / opts.bytes_per_sync
        );
        for (i, &at) in r.write_backs.iter().enumerate() {
            assert_eq!(at, (i as u64 + 1) * opts.bytes_per_sync);
        }
        assert_eq!(s.num_entries, 5000);
        assert_eq!(s.smallest, ik("key00000000", 1));
        assert_eq!(s.largest, ik("key00004999", 1));
    }
}
