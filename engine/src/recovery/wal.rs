//! Replaying WALs: the one loop that turns a log's records into write
//! batches, used by open (into memtables) and `check` (to verify them), and
//! the rule that decides, across the WALs of one recovery, where replay
//! stops ([`WalChain`]).
//! Spec: format-spec/wal.md, "Reading", "Recovery" and "Write-batch
//! payload".

use std::fmt;

use super::filenames::FileKind;
use super::replay::DroppedTail;
use crate::batch::WriteBatch;
use crate::error::{Error, Result};
use crate::wal::{LogReader, TailPolicy, TornKind};

/// Reads WAL `number`, held in `data`, and hands each record to `apply` as a
/// write batch with the file offsets of its record and of its payload.
///
/// Any WAL may end in a torn record (the engine does not sync a WAL when
/// the next one starts; see [`WalChain`]): it is dropped and returned.
/// A record that is not a valid write batch is corruption, as is any error
/// `apply` returns.
pub fn replay_wal(
    data: &[u8],
    number: u64,
    mut apply: impl FnMut(WriteBatch, u64, u64) -> Result<()>,
) -> Result<Option<DroppedTail>> {
    let name = FileKind::Wal(number).name();
    let mut reader = LogReader::new(data, &name, TailPolicy::DropTornTail).of_wal(number);
    loop {
        let start = reader.offset();
        let Some(record) = reader.next_record()? else {
            break;
        };
        let at = reader.payload_offset();
        apply(
            WriteBatch::from_data(record.to_vec(), &name, at)?,
            start,
            at,
        )?;
    }
    Ok(DroppedTail::of(&reader, &name, data.len() as u64))
}

/// Records of a WAL that recovery read but did not replay, because an
/// earlier point of the chain lost writes (format-spec/wal.md, "Recovery").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredRecords {
    /// The WAL.
    pub file: String,
    /// Where the first ignored record begins.
    pub offset: u64,
    /// Bytes from `offset` to where the log ends, a torn final record
    /// included; not the zeros or the earlier use's bytes a preallocated or
    /// reused file holds after that.
    pub bytes: u64,
    /// Complete records ignored.
    pub records: u64,
    /// Why replay stopped before them.
    pub cause: String,
}

impl IgnoredRecords {
    /// The records as [`Error::Corruption`], for strict recovery, which
    /// refuses to discard a complete record.
    pub fn to_corruption(&self) -> Error {
        Error::corruption(
            self.file.clone(),
            self.offset,
            format!(
                "{self}: refused by strict recovery (open without strict recovery to \
                 recover to the point before them)"
            ),
        )
    }
}

impl fmt::Display for IgnoredRecords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} complete records ({} bytes) from offset {} of {} not replayed: {}",
            self.records, self.bytes, self.offset, self.file, self.cause
        )
    }
}

/// What [`WalChain::replay`] did with one WAL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainedWal {
    /// Records handed to `apply`.
    pub replayed: u64,
    /// The WAL's own lost tail: a torn final record, or the records from
    /// the first one whose separated values never reached disk.
    pub dropped: Option<DroppedTail>,
    /// Complete records not replayed because the chain was cut before them.
    pub ignored: Option<IgnoredRecords>,
}

/// Point-in-time recovery across the WALs of one recovery, oldest first.
///
/// The engine does not sync a WAL when the next one starts; a synced write
/// first syncs every older WAL (and blob file) that is not yet synced. So
/// after a power cut an older WAL may have lost its unsynced tail while
/// the kernel wrote back records of a newer one — none of them synced, as
/// no synced write can follow an unsynced one. Replay therefore stops at
/// the first point where writes are missing and ignores every record after
/// it, in this WAL and every later one, giving the database exactly as of
/// some moment. Writes are missing:
///
/// - where a WAL ends in a torn record, or at the first record whose
///   separated values never reached disk (`blob_end`);
/// - where a WAL's first record does not continue the sequence numbers of
///   the last record replayed before it (the WAL before lost a suffix of
///   whole records: a clean truncation leaves no torn record);
/// - where a WAL holds records after an earlier WAL held none (an engine
///   starts a new WAL only when its memtable holds a write, so the earlier
///   one lost all of its records).
#[derive(Debug, Default)]
pub struct WalChain {
    /// The sequence number the next replayed record must start at: one past
    /// the last record replayed.
    next_sequence: Option<u64>,
    /// An earlier WAL that held no record.
    empty: Option<String>,
    /// Why the chain was cut; every later record is ignored.
    cut: Option<String>,
}

impl WalChain {
    /// A chain before its first WAL.
    pub fn new() -> WalChain {
        WalChain::default()
    }

    /// True once replay has stopped: every later record is ignored.
    pub fn is_cut(&self) -> bool {
        self.cut.is_some()
    }

    /// Reads WAL `number` (contents `data`, next in the chain), handing
    /// `apply` each record to replay with the offset of its payload, as
    /// [`replay_wal`] does, and cutting the chain where writes are missing.
    /// `blob_end` is the offset of the first record whose separated values
    /// are lost, if any (see [`crate::vlog::replay::wal_blob_replay_end`]).
    pub fn replay(
        &mut self,
        data: &[u8],
        number: u64,
        blob_end: Option<u64>,
        mut apply: impl FnMut(WriteBatch, u64) -> Result<()>,
    ) -> Result<ChainedWal> {
        let name = FileKind::Wal(number).name();
        let len = data.len() as u64;
        let mut out = ChainedWal::default();
        let mut reader = LogReader::new(data, &name, TailPolicy::DropTornTail).of_wal(number);
        let mut first_in_file = true;
        loop {
            let start = reader.offset();
            let Some(record) = reader.next_record()? else {
                break;
            };
            let at = reader.payload_offset();
            if let Some(cause) = &self.cut {
                let ignored = out.ignored.get_or_insert_with(|| IgnoredRecords {
                    file: name.clone(),
                    offset: start,
                    bytes: 0,
                    records: 0,
                    cause: cause.clone(),
                });
                ignored.records += 1;
                continue;
            }
            if blob_end.is_some_and(|end| start >= end) {
                // Everything from here to where the log ends is dropped.
                while let Ok(Some(_)) = reader.next_record() {}
                out.dropped = Some(DroppedTail {
                    file: name.clone(),
                    offset: start,
                    bytes: log_end(&reader).saturating_sub(start),
                    kind: TornKind::Truncated,
                });
                self.cut = Some(format!(
                    "{name} lost separated values from offset {start} on"
                ));
                break;
            }
            let batch = WriteBatch::from_data(record.to_vec(), &name, at)?;
            if first_in_file && batch.count() > 0 {
                first_in_file = false;
                let gap = match (&self.empty, self.next_sequence) {
                    (Some(empty), _) => Some(format!(
                        "{empty}, an earlier WAL, lost every record (a crash took its unsynced tail)"
                    )),
                    (None, Some(next)) if batch.sequence() != next => Some(format!(
                        "the WAL before ends at sequence {}, but {name} starts at sequence {} \
                         (a crash took the unsynced tail of the WAL before)",
                        next.saturating_sub(1),
                        batch.sequence()
                    )),
                    _ => None,
                };
                if let Some(cause) = gap {
                    out.ignored = Some(IgnoredRecords {
                        file: name.clone(),
                        offset: start,
                        bytes: 0,
                        records: 1,
                        cause: cause.clone(),
                    });
                    self.cut = Some(cause);
                    continue;
                }
            }
            if batch.count() > 0 {
                self.next_sequence = Some(batch.sequence() + u64::from(batch.count()));
            }
            apply(batch, at)?;
            out.replayed += 1;
        }
        if let Some(ignored) = out.ignored.as_mut() {
            ignored.bytes = log_end(&reader).saturating_sub(ignored.offset);
        }
        if out.dropped.is_none() {
            if let Some(tail) = DroppedTail::of(&reader, &name, len) {
                if self.cut.is_none() {
                    self.cut = Some(format!("{tail}"));
                }
                // A torn record after ignored ones is part of what was
                // ignored, not a loss of its own.
                if out.ignored.is_none() {
                    out.dropped = Some(tail);
                }
            }
        }
        if out.replayed == 0 && out.ignored.is_none() && self.empty.is_none() {
            self.empty = Some(name);
        }
        Ok(out)
    }
}

/// The offset where the log ends, once `reader` has read it to its end:
/// after its last record, or after the torn record it dropped there.
fn log_end(reader: &LogReader<'_>) -> u64 {
    reader.offset() + reader.torn_bytes().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wal::encode_record;

    /// A WAL of one-put batches with the given first sequence numbers.
    fn wal(seqs: &[u64]) -> Vec<u8> {
        let mut data = Vec::new();
        for &s in seqs {
            let mut b = WriteBatch::new();
            b.put(format!("k{s}").as_bytes(), b"v");
            b.set_sequence(s);
            encode_record(&mut data, b.data()).expect("record");
        }
        data
    }

    /// Replays `wals` (numbered from 1) through one chain; returns the
    /// sequences replayed and each WAL's outcome.
    fn chain(wals: &[Vec<u8>]) -> (Vec<u64>, Vec<ChainedWal>) {
        let mut c = WalChain::new();
        let mut seqs = Vec::new();
        let outs = wals
            .iter()
            .enumerate()
            .map(|(i, data)| {
                c.replay(data, i as u64 + 1, None, |b, _| {
                    seqs.push(b.sequence());
                    Ok(())
                })
                .expect("replay")
            })
            .collect();
        (seqs, outs)
    }

    #[test]
    fn contiguous_wals_replay_whole() {
        let (seqs, outs) = chain(&[wal(&[1, 2]), wal(&[3]), wal(&[4, 5])]);
        assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
        assert!(outs
            .iter()
            .all(|o| o.dropped.is_none() && o.ignored.is_none()));
    }

    #[test]
    fn a_torn_older_wal_cuts_every_later_record() {
        let mut first = wal(&[1, 2, 3]);
        first.truncate(first.len() - 2);
        let (seqs, outs) = chain(&[first, wal(&[4, 5]), wal(&[6])]);
        assert_eq!(seqs, vec![1, 2]);
        assert_eq!(
            outs[0].dropped.as_ref().map(|d| d.kind),
            Some(TornKind::Truncated)
        );
        let ignored = outs[1].ignored.as_ref().expect("ignored");
        assert_eq!((ignored.offset, ignored.records), (0, 2));
        assert!(ignored.cause.contains("000001.log"), "{}", ignored.cause);
        assert_eq!(outs[2].ignored.as_ref().map(|i| i.records), Some(1));
    }

    #[test]
    fn a_cleanly_truncated_older_wal_is_a_sequence_gap() {
        // WAL 1 lost its last record whole: no torn record, but WAL 2 does
        // not continue where WAL 1 now ends.
        let (seqs, outs) = chain(&[wal(&[1, 2]), wal(&[4, 5])]);
        assert_eq!(seqs, vec![1, 2]);
        let ignored = outs[1].ignored.as_ref().expect("ignored");
        assert_eq!(ignored.records, 2);
        assert!(
            ignored.cause.contains("ends at sequence 2"),
            "{}",
            ignored.cause
        );
        assert!(ignored.to_corruption().is_corruption());
    }

    #[test]
    fn an_older_wal_that_lost_everything_cuts_the_chain() {
        let (seqs, outs) = chain(&[Vec::new(), wal(&[7, 8])]);
        assert!(seqs.is_empty());
        assert!(outs[1]
            .ignored
            .as_ref()
            .expect("ignored")
            .cause
            .contains("000001.log"));
        // An empty newest WAL is just a WAL nothing was written to.
        let (seqs, outs) = chain(&[wal(&[1]), Vec::new()]);
        assert_eq!(seqs, vec![1]);
        assert_eq!(outs[1], ChainedWal::default());
    }

    /// A WAL of one-put batches as RECYCLABLE records of WAL `number`,
    /// followed by the bytes a reused file's earlier use (WAL 1000) left.
    fn reused_wal(number: u64, seqs: &[u64]) -> (Vec<u8>, u64) {
        let mut data = Vec::new();
        let mut earlier = Vec::new();
        for s in seqs.iter().chain(&[90, 91, 92, 93]) {
            let mut b = WriteBatch::new();
            b.put(format!("k{s}").as_bytes(), b"value of the earlier use");
            b.set_sequence(*s);
            crate::wal::encode_record_of(&mut earlier, b.data(), Some(crate::wal::log_tag(1000)))
                .expect("record");
        }
        for &s in seqs {
            let mut b = WriteBatch::new();
            b.put(format!("k{s}").as_bytes(), b"v");
            b.set_sequence(s);
            crate::wal::encode_record_of(&mut data, b.data(), Some(crate::wal::log_tag(number)))
                .expect("record");
        }
        let records = data.len() as u64;
        data.extend_from_slice(&earlier[data.len()..]);
        (data, records)
    }

    #[test]
    fn ignored_bytes_end_where_the_log_ends() {
        let mut first = wal(&[1, 2, 3]);
        first.truncate(first.len() - 2);
        let (second, records) = reused_wal(2, &[4, 5]);
        assert!(second.len() as u64 > records + 40, "the earlier use shows");
        // A torn record after them is counted with them.
        let mut third = wal(&[6, 7]);
        let third_len = third.len() as u64;
        third.truncate(third.len() - 3);
        let (seqs, outs) = chain(&[first, second, third]);
        assert_eq!(seqs, vec![1, 2]);
        let ignored = outs[1].ignored.as_ref().expect("ignored");
        assert_eq!((ignored.offset, ignored.records), (0, 2));
        assert_eq!(ignored.bytes, records, "not the earlier use's bytes");
        let ignored = outs[2].ignored.as_ref().expect("ignored");
        assert_eq!((ignored.records, ignored.bytes), (1, third_len - 3));
    }

    #[test]
    fn a_blob_lost_tail_is_counted_to_where_the_log_ends() {
        let (data, records) = reused_wal(1, &[1, 2, 3]);
        let one = records / 3;
        let out = WalChain::new()
            .replay(&data, 1, Some(one), |_, _| Ok(()))
            .expect("replay");
        let dropped = out.dropped.expect("dropped");
        assert_eq!((dropped.offset, dropped.bytes), (one, records - one));
    }

    #[test]
    fn a_blob_lost_tail_cuts_like_a_torn_one() {
        let first = wal(&[1, 2, 3]);
        let one = wal(&[1]).len() as u64;
        let mut c = WalChain::new();
        let mut n = 0;
        let out = c
            .replay(&first, 1, Some(one), |_, _| {
                n += 1;
                Ok(())
            })
            .expect("replay");
        assert_eq!(n, 1);
        assert_eq!(out.dropped.as_ref().map(|d| d.offset), Some(one));
        let out = c
            .replay(&wal(&[4]), 2, None, |_, _| panic!("cut"))
            .expect("replay");
        assert_eq!(out.ignored.map(|i| i.records), Some(1));
    }
}
