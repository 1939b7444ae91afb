//! Replaying a WAL: the one loop that turns a log's records into write
//! batches, used by open (into memtables) and `check` (to verify them).
//! Spec: format-spec/wal.md, "Reading" and "Write-batch payload".

use super::filenames::FileKind;
use super::replay::DroppedTail;
use crate::batch::WriteBatch;
use crate::error::Result;
use crate::wal::{LogReader, TailPolicy, HEADER_LEN};

/// Reads WAL `number`, held in `data`, and hands each record to `apply` as a
/// write batch with the file offset of its payload.
///
/// Only the newest WAL recovery reads (`newest`) may end in a torn record;
/// it is dropped and returned. In any other WAL a bad ending is corruption:
/// the engine syncs a WAL before the first write to the next one.
/// A record that is not a valid write batch is corruption, as is any error
/// `apply` returns.
pub fn replay_wal(
    data: &[u8],
    number: u64,
    newest: bool,
    mut apply: impl FnMut(WriteBatch, u64) -> Result<()>,
) -> Result<Option<DroppedTail>> {
    let name = FileKind::Wal(number).name();
    let policy = if newest {
        TailPolicy::DropTornTail
    } else {
        TailPolicy::Strict
    };
    let mut reader = LogReader::new(data, &name, policy);
    loop {
        let at = reader.offset().saturating_add(HEADER_LEN as u64);
        let Some(record) = reader.next_record()? else {
            break;
        };
        apply(WriteBatch::from_data(record.to_vec(), &name, at)?, at)?;
    }
    Ok(DroppedTail::of(&reader, &name, data.len() as u64))
}
