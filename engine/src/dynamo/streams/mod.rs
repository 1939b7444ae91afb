//! DynamoDB Streams: a table's streams (`settings.rs`), the sequence
//! numbers and the stream record every item change stages beside the item
//! (`sequence.rs`, `record.rs`), the 24-hour trim (`trim.rs`), the streams
//! of deleted tables (`retired.rs`), and the Streams API (ListStreams,
//! DescribeStream, GetShardIterator, GetRecords: `api.rs`). The stored forms
//! are in format-spec/streams.md.
//!
//! **Streams of a table.** The table record (catalog) lists the table's
//! streams as [`StreamMeta`]s, oldest first; only the last one can be
//! enabled. Enabling (CreateTable or UpdateTable) adds a stream labelled
//! with its creation time; disabling closes it, and it stays readable, with
//! status `DISABLED`, for 24 hours. A stream is identified within its table
//! by its **start sequence number**, a sequence number reserved for it when
//! it is enabled, so no record and no other stream has it.
//!
//! **Sequence numbers** (`sequence.rs`) are one counter for the whole
//! database. A write takes the next one for its record while it holds the
//! item's lock, so the records of one item are numbered in commit order.
//! Writes to different items commit in any order, so a record may become
//! visible after a higher-numbered one; readers therefore read only below
//! the lowest sequence number still *in flight*. A number is in flight
//! exactly while the write that took it has not ended: the reservation is
//! owned by the write's staged batch and released when the batch has been
//! committed (its record is then visible) or dropped (its record will never
//! exist) — never by thread identity or a timeout, so a position in a stream
//! never skips a record that commits late, and no reader waits for a write
//! that has ended.
//!
//! **Which stream a record belongs to.** A record carries the stream's
//! start sequence number; stream *S* holds the records carrying *S* with
//! sequence numbers from *S* up to the number at which *S* was disabled. A
//! write that read the table definition just before a stream change and
//! took its number just after is thereby counted as made after the change.
//!
//! **Trim** (`trim.rs`). Records are deleted 24 hours after they were
//! made, oldest first, with the table's trim marker advanced in the same
//! batch: in the background, at most every 10 seconds for a table being
//! written (its writes ask for it after they commit, so no user's write
//! ever trims under its item lock), and by every Streams read of the table
//! before it reads.
//!
//! **Deleted tables.** DeleteTable disables the table's enabled stream and,
//! in the same catalog batch, writes a *retained-streams* record (kind `D`,
//! format-spec/items.md): the table's record with only its streams still
//! readable. Those streams stay listed and readable, `DISABLED` with a
//! closed shard, until 24 hours after they were disabled; the table's items
//! and index entries are reclaimed at once, its `FE` range is kept. Expiry
//! is checked at open, by every Streams API call, by CreateTable and
//! DeleteTable, and after every TTL sweep — and then the `FE` range and the
//! record are reclaimed in the background (resumed after a restart). A table created
//! again under the same name gets new stream labels, so the old and new
//! streams' ARNs differ.

pub(crate) mod api;
pub mod record;
pub(crate) mod retired;
pub(crate) mod sequence;
pub(crate) mod settings;
pub(crate) mod trim;

pub use settings::{stream_label, StreamMeta, RETENTION_MILLIS};
