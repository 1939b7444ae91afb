//! Spec: format-spec/value-log.md#recovery
//!
//! The rule deciding how much of a WAL may be replayed, given the blob
//! records its separated values point to. Shared by `Db::open` and
//! `siltdb check`.

use crate::error::{Error, Result};
use crate::key::ValueKind;
use crate::recovery::wal::replay_wal;
use crate::recovery::FileKind;
use crate::wal::HEADER_LEN;

use super::{decode_entry_index, BlobIndex};

/// What reading one blob record found.
pub type RecordCheck = std::result::Result<(), Error>;

/// Checks the blob record of every separated value in WAL `number` (whole
/// contents `data`, read as recovery reads it: [`replay_wal`]) and returns
/// the offset of the first WAL record that must not be replayed, if any
/// (recovery then stops there: [`crate::recovery::wal::WalChain`]).
///
/// `check(index, user_key, wal_offset)` reads one record: `Err` is a failure
/// that is always fatal (an I/O error, a missing blob file); `Ok(Err(e))`
/// is an unreadable record (cut short, bad checksum, wrong key).
///
/// A malformed blob index, or one pointing into a blob file other than the
/// WAL's own (same number: format-spec/value-log.md, "Files"), is
/// corruption. An unreadable record is what a power cut does to values
/// appended after the last blob sync (of this WAL's blob file, which is not
/// synced when the next memtable starts: any WAL may lose its tail); no
/// write is acknowledged as durable before a blob sync after it completes,
/// so the WAL record holding it and everything after it were never
/// acknowledged as durable, and replay stops there — provided every
/// separated value after it is unreadable too. An intact one later means
/// bytes already synced were damaged: that is the first unreadable
/// record's corruption.
pub fn wal_blob_replay_end(
    data: &[u8],
    number: u64,
    mut check: impl FnMut(&BlobIndex, &[u8], u64) -> Result<RecordCheck>,
) -> Result<Option<u64>> {
    let name = FileKind::Wal(number).name();
    let mut first_lost: Option<(u64, Error)> = None;
    replay_wal(data, number, |batch, at| {
        if !batch.holds_blob_index() {
            return Ok(());
        }
        let offset = at.saturating_sub(HEADER_LEN as u64);
        for op in batch.iter().filter(|op| op.kind == ValueKind::ValueBlob) {
            let idx = decode_entry_index(op.value, &name, at)?;
            if idx.file_number != number {
                let (own, other) = (FileKind::Blob(number), FileKind::Blob(idx.file_number));
                return Err(Error::corruption(
                    &name,
                    offset,
                    format!("a separated value points into {other}, not into {own}, the WAL's own blob file"),
                ));
            }
            match (check(&idx, op.key, offset)?, &first_lost) {
                (Ok(()), None) => {}
                (Ok(()), Some((_, lost))) => return Err(lost.duplicate()),
                (Err(e), None) => first_lost = Some((offset, e)),
                (Err(_), Some(_)) => {}
            }
        }
        Ok(())
    })?;
    Ok(first_lost.map(|(offset, _)| offset))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::batch::WriteBatch;
    use crate::vlog::index::MAX_BLOB_INDEX_LEN;
    use crate::wal::encode_record;

    /// A log of `n` batches, batch `i` holding one separated value at blob
    /// offset `12 + i`.
    fn log(n: u64) -> Vec<u8> {
        let mut data = Vec::new();
        for i in 0..n {
            let mut b = WriteBatch::new();
            b.set_sequence(i + 1);
            let mut idx = Vec::with_capacity(MAX_BLOB_INDEX_LEN);
            BlobIndex {
                file_number: 4,
                offset: 12 + i,
                value_len: 1,
                crc: 0,
            }
            .encode(&mut idx);
            b.put_blob_index(b"k", &idx);
            b.put(b"small", b"v");
            encode_record(&mut data, b.data()).expect("record");
        }
        data
    }

    fn run(data: &[u8], lost: &HashSet<u64>) -> Result<Option<u64>> {
        wal_blob_replay_end(data, 4, |idx, _, _| {
            Ok(if lost.contains(&idx.offset) {
                Err(Error::corruption("000004.blob", idx.offset, "gone"))
            } else {
                Ok(())
            })
        })
    }

    #[test]
    fn a_lost_suffix_of_a_log_ends_replay() {
        let data = log(4);
        assert_eq!(run(&data, &HashSet::new()).expect("ok"), None);
        let end = run(&data, &HashSet::from([14, 15])).expect("ok");
        // All four records have the same length; replay stops at the third.
        assert_eq!(end, Some(data.len() as u64 / 4 * 2));
    }

    #[test]
    fn a_hole_is_corruption() {
        let data = log(4);
        let e = run(&data, &HashSet::from([13])).unwrap_err();
        assert!(matches!(e, Error::Corruption { offset: 13, .. }), "{e}");
    }

    #[test]
    fn a_value_in_another_wals_blob_file_is_corruption() {
        let data = log(1);
        let r = wal_blob_replay_end(&data, 5, |_, _, _| Ok(Ok(())));
        let e = r.unwrap_err().to_string();
        assert!(e.contains("000004.blob, not into 000005.blob"), "{e}");
    }

    #[test]
    fn fatal_check_errors_pass_through() {
        let data = log(2);
        let r = wal_blob_replay_end(&data, 4, |_, _, _| {
            Err(Error::corruption("000004.blob", 0, "missing"))
        });
        assert!(r.unwrap_err().to_string().contains("missing"));
    }
}
