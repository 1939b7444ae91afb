//! Sorted string tables: immutable files holding internal keys in order.
//! Spec: format-spec/sstable.md
//!
//! A table is written once by [`TableBuilder`] (flush and compaction) and read
//! by [`Table`]: point lookups through a bloom filter and a two-level index,
//! and bidirectional iteration with [`TableIter`]. Every byte read from a file
//! is checked; bad bytes become [`crate::Error::Corruption`] naming the file
//! and offset, never a panic.
// Bytes read here come from disk or the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

pub mod block;
pub mod block_builder;
pub mod builder;
pub mod filter;
pub mod footer;
pub mod properties;
pub mod table;
pub mod table_iter;

pub use block::{Block, BlockIter};
pub use block_builder::BlockBuilder;
pub use builder::{TableBuilder, TableSummary};
pub use filter::{Filter, FilterBuilder};
pub use footer::{BlockHandle, Footer, FOOTER_LEN, FORMAT_VERSION, TABLE_MAGIC};
pub use properties::Properties;
pub use table::Table;
pub use table_iter::TableIter;

use crate::error::Error;

/// Length of the trailer after every block: type byte + masked CRC-32.
pub const BLOCK_TRAILER_LEN: usize = 5;

/// Block type byte for uncompressed contents; the only type defined. Never change.
pub const BLOCK_TYPE_UNCOMPRESSED: u8 = 0;

/// Options controlling how a table is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableOptions {
    /// Target uncompressed size of a data block in bytes (a block is cut as
    /// soon as it reaches this size). Default 4096.
    pub block_size: usize,
    /// Entries between restart points in data and index blocks. Default 16.
    pub restart_interval: usize,
    /// Bloom filter bits per distinct user key; 0 writes no filter. Default 10.
    pub bloom_bits_per_key: u32,
    /// Bytes buffered before handing them to the file in one append.
    /// Default 1 MiB.
    pub write_chunk: usize,
    /// Write the file back to the device (`WritableFile::write_back`) each
    /// time this many bytes have been appended since the last write-back; 0
    /// writes back only with the final sync. Default 256 KiB.
    pub bytes_per_sync: u64,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            block_size: 4096,
            restart_interval: 16,
            bloom_bits_per_key: 10,
            write_chunk: 1 << 20,
            bytes_per_sync: 256 << 10,
        }
    }
}

/// A decoding failure inside one block or structure, before it is tied to a
/// file: `offset` is relative to the start of the decoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Offset of the bad bytes relative to the start of the decoded region.
    pub offset: usize,
    /// What was wrong.
    pub reason: String,
}

impl DecodeError {
    /// Builds a decode error at `offset`.
    pub fn new(offset: usize, reason: impl Into<String>) -> DecodeError {
        DecodeError {
            offset,
            reason: reason.into(),
        }
    }

    /// Turns this into a [`Error::Corruption`] in `file`, where the decoded
    /// region starts at file offset `base`.
    pub fn at(self, file: &str, base: u64) -> Error {
        Error::corruption(file, base.saturating_add(self.offset as u64), self.reason)
    }
}

#[cfg(test)]
pub(crate) mod test_files {
    //! In-test file implementations (independent of the `fs` module).

    use std::sync::{Arc, Mutex};

    use crate::error::{Error, Result};
    use crate::fs::{RandomAccessFile, WritableFile};

    /// A read-only file over a byte vector.
    pub struct VecFile(pub Vec<u8>);

    impl RandomAccessFile for VecFile {
        fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
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

    fn eof() -> Error {
        Error::io(
            "read VecFile",
            std::io::Error::from(std::io::ErrorKind::UnexpectedEof),
        )
    }

    /// What a [`RecordingFile`] saw.
    #[derive(Default, Debug)]
    pub struct Record {
        /// Every byte appended.
        pub data: Vec<u8>,
        /// Sizes of the appends, in order.
        pub appends: Vec<usize>,
        /// File length at each sync.
        pub syncs: Vec<u64>,
        /// File length at each write-back.
        pub write_backs: Vec<u64>,
    }

    /// A writable file recording appends, syncs and write-backs into shared
    /// state.
    pub struct RecordingFile(pub Arc<Mutex<Record>>);

    impl WritableFile for RecordingFile {
        fn append(&mut self, data: &[u8]) -> Result<()> {
            let mut r = self.0.lock().expect("not poisoned");
            r.data.extend_from_slice(data);
            r.appends.push(data.len());
            Ok(())
        }
        fn sync(&mut self) -> Result<()> {
            let mut r = self.0.lock().expect("not poisoned");
            let n = r.data.len() as u64;
            r.syncs.push(n);
            Ok(())
        }
        fn write_back(&mut self) -> Result<()> {
            let mut r = self.0.lock().expect("not poisoned");
            let n = r.data.len() as u64;
            r.write_backs.push(n);
            Ok(())
        }
        fn len(&self) -> u64 {
            self.0.lock().expect("not poisoned").data.len() as u64
        }
    }

    /// A fresh recording file and a handle to its record.
    pub fn recording() -> (Box<dyn WritableFile>, Arc<Mutex<Record>>) {
        let rec = Arc::new(Mutex::new(Record::default()));
        (Box::new(RecordingFile(rec.clone())), rec)
    }
}
