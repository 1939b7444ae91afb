//! Appends records to a log file.
//! Spec: format-spec/wal.md

use crate::error::{Error, Result};
use crate::fs::WritableFile;

use super::{encode_record_of, log_tag};

/// Encode buffers larger than this are released after use instead of kept.
const KEEP_BUFFER_CAPACITY: usize = 1 << 20;

/// Writes records to a log file (a WAL or a MANIFEST).
///
/// Each [`add_record`](LogWriter::add_record) makes exactly one `append` call
/// with the whole record, so a crash can only tear the final record.
///
/// After an `append` or `sync` fails the writer refuses further writes with
/// [`Error::Poisoned`]: a half-written record followed by more records would
/// read back as corruption, and a retried fsync cannot be trusted.
pub struct LogWriter {
    file: Box<dyn WritableFile>,
    file_name: String,
    buf: Vec<u8>,
    /// File length at the last successful sync (0 before any).
    synced: u64,
    /// Zeros kept written ahead of the records when syncing (0: none).
    preallocate_step: u64,
    /// The file's size once preallocated (0 before).
    preallocated: u64,
    /// The tag RECYCLABLE records name, for a WAL; `None` writes FULL
    /// records.
    log: Option<u32>,
    /// The append or sync that failed, if one did.
    failed: Option<Error>,
}

impl LogWriter {
    /// Writes records to `file`, appending after whatever it already holds.
    /// `file_name` (relative to the database directory) is used in errors.
    pub fn new(file: Box<dyn WritableFile>, file_name: String) -> LogWriter {
        LogWriter {
            file,
            file_name,
            buf: Vec::new(),
            synced: 0,
            preallocate_step: 0,
            preallocated: 0,
            log: None,
            failed: None,
        }
    }

    /// Writes RECYCLABLE records naming WAL `number` instead of FULL ones,
    /// so the file can later be reused for another WAL: a reader of that
    /// one stops at these records (format-spec/wal.md, "Record types").
    pub fn naming_log(mut self, number: u64) -> LogWriter {
        self.log = Some(log_tag(number));
        self
    }

    /// True once a [`LogWriter::sync`] succeeded: the file's blocks up to
    /// then are on the device.
    pub fn ever_synced(&self) -> bool {
        self.synced > 0
    }

    /// From the first [`LogWriter::sync`] on, keeps between `step / 2` and
    /// `step` bytes of zeros written past the last record, extended just
    /// before a sync (which makes them durable with the records), so most
    /// syncs overwrite blocks the file already has and commit no file
    /// metadata (format-spec/wal.md, "Writing"). A log that is never synced
    /// gets no zeros. 0 turns it off.
    pub fn with_preallocation(mut self, step: u64) -> LogWriter {
        self.preallocate_step = step;
        self
    }

    /// Appends one record holding `payload`; returns the bytes written
    /// (header plus payload).
    ///
    /// Fails with [`Error::InvalidArgument`] if `payload` is longer than
    /// [`super::MAX_RECORD_LEN`] (nothing is written; the writer stays usable).
    pub fn add_record(&mut self, payload: &[u8]) -> Result<u64> {
        self.check_usable()?;
        self.buf.clear();
        encode_record_of(&mut self.buf, payload, self.log)?;
        let n = self.buf.len() as u64;
        let res = self.file.append(&self.buf);
        if self.buf.capacity() > KEEP_BUFFER_CAPACITY {
            self.buf = Vec::new();
        }
        match res {
            Ok(()) => Ok(n),
            Err(e) => {
                self.failed = Some(e.duplicate());
                Err(e)
            }
        }
    }

    /// Makes every record added so far durable.
    pub fn sync(&mut self) -> Result<()> {
        self.check_usable()?;
        let len = self.file.len();
        let step = self.preallocate_step;
        if step > 0 && len.saturating_add(step / 2) > self.preallocated {
            let target = len.saturating_add(step);
            match self.file.preallocate(target) {
                Ok(()) => self.preallocated = target,
                Err(e) => {
                    // The records are intact (zeros only ever go past
                    // them); the sync below still makes them durable.
                    tracing::warn!(
                        "{}: preallocation failed, syncs will also commit file metadata: {e}",
                        self.file_name
                    );
                    self.preallocate_step = 0;
                }
            }
        }
        self.file.sync().inspect_err(|e| {
            self.failed = Some(e.duplicate());
        })?;
        self.synced = len;
        Ok(())
    }

    /// True if the file holds bytes no successful [`LogWriter::sync`] made
    /// durable (anything it held when the writer was created counts as not
    /// durable).
    pub fn needs_sync(&self) -> bool {
        self.len() > self.synced
    }

    /// The file's length in bytes (records written so far, plus whatever the
    /// file held when the writer was created).
    pub fn len(&self) -> u64 {
        self.file.len()
    }

    /// True if the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file name given to [`LogWriter::new`].
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    fn check_usable(&self) -> Result<()> {
        match &self.failed {
            Some(why) => Err(Error::Poisoned(Box::new(why.duplicate()))),
            None => Ok(()),
        }
    }
}

impl std::fmt::Debug for LogWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogWriter")
            .field("file_name", &self.file_name)
            .field("len", &self.len())
            .field("failed", &self.failed)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::wal::{LogReader, TailPolicy, HEADER_LEN, MAX_RECORD_LEN};

    /// An in-memory file whose bytes the test can still see; fails on demand.
    #[derive(Clone, Default)]
    struct SharedFile {
        data: Arc<Mutex<Vec<u8>>>,
        fail_append: Arc<Mutex<bool>>,
        fail_sync: Arc<Mutex<bool>>,
        appends: Arc<Mutex<usize>>,
        preallocs: Arc<Mutex<Vec<u64>>>,
    }

    impl WritableFile for SharedFile {
        fn preallocate(&mut self, len: u64) -> Result<()> {
            self.preallocs.lock().expect("lock").push(len);
            if *self.fail_sync.lock().expect("lock") {
                return Err(Error::io(
                    "preallocate test file",
                    std::io::Error::other("injected"),
                ));
            }
            Ok(())
        }
        fn append(&mut self, data: &[u8]) -> Result<()> {
            *self.appends.lock().expect("lock") += 1;
            if *self.fail_append.lock().expect("lock") {
                return Err(Error::io(
                    "append to test file",
                    std::io::Error::other("injected"),
                ));
            }
            self.data.lock().expect("lock").extend_from_slice(data);
            Ok(())
        }
        fn sync(&mut self) -> Result<()> {
            if *self.fail_sync.lock().expect("lock") {
                return Err(Error::io(
                    "sync test file",
                    std::io::Error::other("injected"),
                ));
            }
            Ok(())
        }
        fn len(&self) -> u64 {
            self.data.lock().expect("lock").len() as u64
        }
    }

    #[test]
    fn zeros_are_kept_ahead_of_synced_records_only() {
        let file = SharedFile::default();
        let mut w =
            LogWriter::new(Box::new(file.clone()), "000001.log".into()).with_preallocation(1000);
        w.add_record(&[1; 91]).expect("add"); // 100 bytes with its header
        assert!(
            file.preallocs.lock().expect("lock").is_empty(),
            "not synced yet"
        );
        w.sync().expect("sync");
        w.add_record(&[1; 391]).expect("add"); // 500
        w.sync().expect("sync"); // 500 + 500 is not past 1100 yet
        w.add_record(&[1; 191]).expect("add"); // 700: under half a step left
        w.sync().expect("sync");
        assert_eq!(*file.preallocs.lock().expect("lock"), vec![1100, 1700]);
        assert_eq!(w.len(), 700, "len counts records, not zeros");
        // A failed preallocation stops them; the sync itself went on (the
        // failure is injected into both, so only the sync's error shows).
        *file.fail_sync.lock().expect("lock") = true;
        w.add_record(&[1; 991]).expect("add");
        assert!(w.sync().is_err());
        let mut off = LogWriter::new(Box::new(file.clone()), "000002.log".into());
        *file.fail_sync.lock().expect("lock") = false;
        off.sync().expect("sync");
        assert_eq!(file.preallocs.lock().expect("lock").len(), 3, "0: never");
    }

    #[test]
    fn a_failed_preallocation_still_syncs() {
        #[derive(Default)]
        struct NoRoom(Vec<u8>, usize);
        impl WritableFile for NoRoom {
            fn append(&mut self, data: &[u8]) -> Result<()> {
                self.0.extend_from_slice(data);
                Ok(())
            }
            fn sync(&mut self) -> Result<()> {
                self.1 += 1;
                Ok(())
            }
            fn len(&self) -> u64 {
                self.0.len() as u64
            }
            fn preallocate(&mut self, _len: u64) -> Result<()> {
                Err(Error::io("preallocate", std::io::Error::other("full")))
            }
        }
        let mut w = LogWriter::new(Box::<NoRoom>::default(), "000001.log".into())
            .with_preallocation(1 << 20);
        w.add_record(b"x").expect("add");
        w.sync().expect("the records are synced even so");
        assert!(!w.needs_sync());
        w.add_record(b"y").expect("add");
        w.sync().expect("sync");
    }

    fn read_all(data: &[u8]) -> Vec<Vec<u8>> {
        let mut r = LogReader::new(data, "000001.log", TailPolicy::Strict);
        let mut out = Vec::new();
        while let Some(p) = r.next_record().expect("clean log") {
            out.push(p.to_vec());
        }
        assert_eq!(r.offset(), data.len() as u64);
        out
    }

    #[test]
    fn round_trip_including_empty_and_1mib_payloads() {
        let file = SharedFile::default();
        let mut w = LogWriter::new(Box::new(file.clone()), "000001.log".to_string());
        assert_eq!(w.file_name(), "000001.log");
        assert!(w.is_empty());
        let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
        let payloads: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"hello".to_vec(),
            big,
            b"".to_vec(),
            b"after".to_vec(),
        ];
        let mut total = 0;
        for p in &payloads {
            let n = w.add_record(p).expect("add");
            assert_eq!(n, (HEADER_LEN + p.len()) as u64);
            total += n;
            assert_eq!(w.len(), total);
        }
        w.sync().expect("sync");
        assert_eq!(*file.appends.lock().expect("lock"), payloads.len());
        let data = file.data.lock().expect("lock").clone();
        assert_eq!(read_all(&data), payloads);
        assert!(format!("{w:?}").contains("000001.log"));
    }

    #[test]
    fn appends_after_existing_bytes() {
        let file = SharedFile::default();
        let mut w = LogWriter::new(Box::new(file.clone()), "m".to_string());
        w.add_record(b"one").expect("add");
        drop(w);
        let mut w = LogWriter::new(Box::new(file.clone()), "m".to_string());
        assert_eq!(w.len(), (HEADER_LEN + 3) as u64);
        w.add_record(b"two").expect("add");
        let data = file.data.lock().expect("lock").clone();
        assert_eq!(read_all(&data), vec![b"one".to_vec(), b"two".to_vec()]);
    }

    #[test]
    fn oversized_payload_is_invalid_argument_and_writes_nothing() {
        let file = SharedFile::default();
        let mut w = LogWriter::new(Box::new(file.clone()), "000001.log".to_string());
        // vec! of zeros is calloc'd: the pages are never touched.
        let huge = vec![0u8; MAX_RECORD_LEN + 1];
        assert!(matches!(
            w.add_record(&huge),
            Err(Error::InvalidArgument(_))
        ));
        drop(huge);
        assert_eq!(w.len(), 0);
        assert_eq!(*file.appends.lock().expect("lock"), 0);
        w.add_record(b"still usable").expect("add");
    }

    #[test]
    fn failed_append_or_sync_poisons_the_writer() {
        let file = SharedFile::default();
        let mut w = LogWriter::new(Box::new(file.clone()), "000001.log".to_string());
        *file.fail_append.lock().expect("lock") = true;
        assert!(matches!(w.add_record(b"x"), Err(Error::Io { .. })));
        *file.fail_append.lock().expect("lock") = false;
        assert!(matches!(w.add_record(b"x"), Err(Error::Poisoned(_))));
        assert!(matches!(w.sync(), Err(Error::Poisoned(_))));

        let file = SharedFile::default();
        let mut w = LogWriter::new(Box::new(file.clone()), "000002.log".to_string());
        w.add_record(b"x").expect("add");
        *file.fail_sync.lock().expect("lock") = true;
        assert!(matches!(w.sync(), Err(Error::Io { .. })));
        *file.fail_sync.lock().expect("lock") = false;
        assert!(matches!(w.sync(), Err(Error::Poisoned(_))));
        assert!(matches!(w.add_record(b"y"), Err(Error::Poisoned(_))));
    }
}
