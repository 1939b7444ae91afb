//! The engine's error type.
//!
//! Every failure names what happened in words a person can act on. Corruption
//! always carries the file and byte offset where the bad bytes were found.

use std::fmt;

/// Result alias used throughout the engine.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong in the storage engine.
#[derive(Debug)]
pub enum Error {
    /// An operating-system I/O call failed. `context` says what the engine was doing.
    Io {
        /// What the engine was doing, e.g. "append to 000012.log".
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Bytes read from disk are not what the format allows.
    Corruption {
        /// The file (name relative to the database directory) holding the bad bytes.
        file: String,
        /// Byte offset in `file` where the problem was found.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// The caller passed something the engine cannot accept.
    InvalidArgument(String),
    /// An earlier write, sync or background job failed; the database refuses
    /// writes until it is reopened. The box holds that first failure with
    /// its kind intact (a full disk stays [`Error::Io`] with
    /// [`std::io::ErrorKind::StorageFull`]; see [`Error::root`]).
    ///
    /// After a failed fsync the kernel may have dropped the dirty pages, and a
    /// retried fsync can report success without them, so the engine never
    /// retries; after a failed MANIFEST write the MANIFEST's tail is unknown.
    /// Reopening recovers from what is on disk.
    Poisoned(Box<Error>),
    /// Another process (or another handle in this one) holds the database lock.
    Locked(String),
    /// The database has been closed.
    Closed,
    /// A read as of a sequence number older than the history the engine
    /// keeps for that key range (or a range it keeps no history for).
    HistoryUnavailable(String),
}

impl Error {
    /// Builds an [`Error::Corruption`].
    pub fn corruption(file: impl Into<String>, offset: u64, reason: impl Into<String>) -> Error {
        Error::Corruption {
            file: file.into(),
            offset,
            reason: reason.into(),
        }
    }

    /// Builds an [`Error::Io`] with a description of the failed action.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// True for [`Error::Corruption`].
    pub fn is_corruption(&self) -> bool {
        matches!(self, Error::Corruption { .. })
    }

    /// The failure behind this error: for [`Error::Poisoned`], the earlier
    /// failure that poisoned the database (followed to the first one);
    /// otherwise the error itself.
    pub fn root(&self) -> &Error {
        match self {
            Error::Poisoned(cause) => cause.root(),
            other => other,
        }
    }

    /// True if the failure behind this error ([`Error::root`]) is a full
    /// disk: an I/O error of kind [`std::io::ErrorKind::StorageFull`].
    pub fn is_storage_full(&self) -> bool {
        matches!(self.root(), Error::Io { source, .. }
            if source.kind() == std::io::ErrorKind::StorageFull)
    }

    /// A copy of this error suitable for handing to several waiters.
    ///
    /// `std::io::Error` is not `Clone`; the copy keeps its kind and message.
    pub fn duplicate(&self) -> Error {
        match self {
            Error::Io { context, source } => Error::Io {
                context: context.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            Error::Corruption {
                file,
                offset,
                reason,
            } => Error::Corruption {
                file: file.clone(),
                offset: *offset,
                reason: reason.clone(),
            },
            Error::InvalidArgument(s) => Error::InvalidArgument(s.clone()),
            Error::Poisoned(cause) => Error::Poisoned(Box::new(cause.duplicate())),
            Error::Locked(s) => Error::Locked(s.clone()),
            Error::Closed => Error::Closed,
            Error::HistoryUnavailable(s) => Error::HistoryUnavailable(s.clone()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { context, source } => write!(f, "I/O error during {context}: {source}"),
            Error::Corruption {
                file,
                offset,
                reason,
            } => write!(f, "corruption in {file} at offset {offset}: {reason}"),
            Error::InvalidArgument(s) => write!(f, "invalid argument: {s}"),
            Error::Poisoned(cause) => write!(
                f,
                "database refuses writes after an earlier failure ({}); reopen it to recover",
                cause.root()
            ),
            Error::Locked(s) => write!(f, "database is locked: {s}"),
            Error::Closed => write!(f, "database is closed"),
            Error::HistoryUnavailable(s) => write!(f, "history unavailable: {s}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Poisoned(cause) => Some(cause.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind;

    /// A full disk stays a full disk through poisoning, and the message says
    /// what failed instead of blaming a sync.
    #[test]
    fn poisoned_keeps_the_kind_of_its_cause() {
        let full = Error::io(
            "append to 000012.sst",
            std::io::Error::new(ErrorKind::StorageFull, "no space left on device"),
        );
        let p = Error::Poisoned(Box::new(Error::Poisoned(Box::new(full.duplicate()))));
        assert!(p.is_storage_full());
        assert!(full.is_storage_full());
        assert!(
            matches!(p.root(), Error::Io { source, .. } if source.kind() == ErrorKind::StorageFull)
        );
        let msg = p.to_string();
        assert!(msg.contains("append to 000012.sst"), "{msg}");
        assert!(msg.contains("no space left on device"), "{msg}");
        assert!(msg.contains("reopen"), "{msg}");
        assert!(!msg.contains("failed sync"), "{msg}");
        assert!(std::error::Error::source(&p).is_some());
        let c = Error::Poisoned(Box::new(Error::corruption("000007.sst", 40, "bad block")));
        assert!(!c.is_storage_full());
        assert!(c.root().is_corruption());
        assert!(matches!(c.duplicate(), Error::Poisoned(b) if b.is_corruption()));
    }
}
