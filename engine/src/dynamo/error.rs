//! DynamoDB's error type: the exception name a client sees, and its message.
//!
//! Names are the `shape` names of the exceptions in DynamoDB's API model
//! (botocore `dynamodb/2012-08-10/service-2.json`), so the server can put them
//! into `__type` unchanged. Messages are DynamoDB's own wording wherever we
//! could find it; each place that builds one cites where it came from.

use std::fmt;
use std::sync::Arc;

use crate::dynamo::api::CancellationReason;
use crate::dynamo::items::value::Item;

/// A DynamoDB exception: its name (the variant) and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DynamoError {
    /// The request is malformed or breaks a limit (bad number, empty set,
    /// item too large, ...). HTTP 400.
    ValidationException(String),
    /// The table or index does not exist (or is not ACTIVE). HTTP 400.
    ResourceNotFoundException(String),
    /// The table or index exists or is being created/deleted. HTTP 400.
    ResourceInUseException(String),
    /// A condition expression evaluated to false. HTTP 400.
    ConditionalCheckFailedException {
        /// The message (`"The conditional request failed"`).
        message: String,
        /// The item as it was, when the request set
        /// `ReturnValuesOnConditionCheckFailure: ALL_OLD` and it exists.
        item: Option<Box<Item>>,
    },
    /// A transaction was cancelled; the message lists the reasons. HTTP 400.
    TransactionCanceledException {
        /// `"Transaction cancelled, please refer cancellation reasons for
        /// specific reasons [ConditionalCheckFailed, None]"`.
        message: String,
        /// One reason per action of the request, in order.
        reasons: Vec<CancellationReason>,
    },
    /// A `ClientRequestToken` was reused within 10 minutes with a different
    /// request. HTTP 400.
    IdempotentParameterMismatchException(String),
    /// Another transaction holds one of the items. HTTP 400.
    TransactionConflictException(String),
    /// An item collection (items sharing a partition key, with local
    /// secondary indexes) exceeded 10 GB. HTTP 400.
    ItemCollectionSizeLimitExceededException(String),
    /// A per-table limit of the control plane was hit ("Subscriber limit
    /// exceeded: Only 1 online index can be created or deleted simultaneously
    /// per table", the 21st global secondary index). HTTP 400.
    LimitExceededException(String),
    /// The request body is not valid DynamoDB JSON (protocol level,
    /// `com.amazon.coral.service#SerializationException`). HTTP 400.
    SerializationException(String),
    /// Something failed inside siltdb's DynamoDB layer (a record of its own
    /// that does not decode, a broken invariant). HTTP 500.
    InternalServerError(String),
    /// The storage engine failed under the operation: corruption, a full
    /// disk, a database closed or refusing writes after an earlier failure.
    /// The engine's [`crate::Error`] is kept, so a caller can tell these
    /// apart ([`DynamoError::storage_error`]); on the wire it is an
    /// `InternalServerError` (HTTP 500) like any other internal failure.
    StorageError(StorageFailure),
    /// A DynamoDB Streams shard iterator is older than 15 minutes. HTTP 400.
    ExpiredIteratorException(String),
    /// A DynamoDB Streams read asked for records already trimmed (older
    /// than 24 hours). HTTP 400.
    TrimmedDataAccessException(String),
    /// A PartiQL INSERT named a key that exists. HTTP 400.
    DuplicateItemException(String),
    /// No backup has the ARN given (DescribeBackup, DeleteBackup,
    /// RestoreTableFromBackup). HTTP 400.
    BackupNotFoundException(String),
    /// A backup operation is already running on the backup. HTTP 400.
    BackupInUseException(String),
    /// The table to back up does not exist (CreateBackup). HTTP 400.
    TableNotFoundException(String),
    /// The restore's target table exists. HTTP 400.
    TableAlreadyExistsException(String),
    /// The table to back up is not `ACTIVE`. HTTP 400.
    TableInUseException(String),
    /// The endpoint does not implement the operation (protocol level,
    /// `com.amazon.coral.service#UnknownOperationException`). HTTP 400.
    UnknownOperationException(String),
    /// A resource-based policy does not exist, or has another revision
    /// than `ExpectedRevisionId`. HTTP 400.
    PolicyNotFoundException(String),
    /// RestoreTableToPointInTime on a table without point-in-time
    /// recovery enabled. HTTP 400.
    PointInTimeRecoveryUnavailableException(String),
    /// A `RestoreDateTime` outside `EarliestRestorableDateTime` ..
    /// `LatestRestorableDateTime`. HTTP 400.
    InvalidRestoreTimeException(String),
    /// An `ExportTime` (or an incremental export's `ExportFromTime` /
    /// `ExportToTime`) outside the point-in-time recovery window. HTTP 400.
    InvalidExportTimeException(String),
    /// No import has the ARN given (DescribeImport). HTTP 400.
    ImportNotFoundException(String),
    /// An ImportTable's `ClientToken` names an import made with other
    /// parameters. HTTP 400.
    ImportConflictException(String),
    /// No export has the ARN given (DescribeExport). HTTP 400.
    ExportNotFoundException(String),
    /// An ExportTableToPointInTime's `ClientToken` names an export made
    /// with other parameters. HTTP 400.
    ExportConflictException(String),
}

impl DynamoError {
    /// Builds a [`DynamoError::ValidationException`].
    pub fn validation(message: impl Into<String>) -> DynamoError {
        DynamoError::ValidationException(message.into())
    }

    /// DynamoDB's `ConditionalCheckFailedException`, carrying `item` when the
    /// request asked for it with `ReturnValuesOnConditionCheckFailure`.
    pub fn conditional_check_failed(item: Option<Item>) -> DynamoError {
        DynamoError::ConditionalCheckFailedException {
            message: "The conditional request failed".to_string(),
            item: item.map(Box::new),
        }
    }

    /// [`DynamoError::ResourceNotFoundException`] for a data-plane request
    /// (items, queries, batches, transactions) naming a missing table:
    /// DynamoDB says only "Requested resource not found" there (as recorded
    /// against the service by the paritysuite/dynamodb-conformance suite).
    pub fn resource_not_found() -> DynamoError {
        DynamoError::ResourceNotFoundException("Requested resource not found".to_string())
    }

    /// [`DynamoError::ResourceNotFoundException`] for a control-plane request
    /// (DescribeTable, UpdateTable, DeleteTable) naming a missing table:
    /// "Requested resource not found: Table: Music not found".
    pub fn table_not_found(table_name: &str) -> DynamoError {
        DynamoError::ResourceNotFoundException(format!(
            "Requested resource not found: Table: {table_name} not found"
        ))
    }

    /// The exception name as DynamoDB spells it, e.g. `"ValidationException"`.
    pub fn name(&self) -> &'static str {
        match self {
            DynamoError::ValidationException(_) => "ValidationException",
            DynamoError::ResourceNotFoundException(_) => "ResourceNotFoundException",
            DynamoError::ResourceInUseException(_) => "ResourceInUseException",
            DynamoError::ConditionalCheckFailedException { .. } => {
                "ConditionalCheckFailedException"
            }
            DynamoError::TransactionCanceledException { .. } => "TransactionCanceledException",
            DynamoError::IdempotentParameterMismatchException(_) => {
                "IdempotentParameterMismatchException"
            }
            DynamoError::TransactionConflictException(_) => "TransactionConflictException",
            DynamoError::ItemCollectionSizeLimitExceededException(_) => {
                "ItemCollectionSizeLimitExceededException"
            }
            DynamoError::LimitExceededException(_) => "LimitExceededException",
            DynamoError::SerializationException(_) => "SerializationException",
            DynamoError::InternalServerError(_) | DynamoError::StorageError(_) => {
                "InternalServerError"
            }
            DynamoError::ExpiredIteratorException(_) => "ExpiredIteratorException",
            DynamoError::TrimmedDataAccessException(_) => "TrimmedDataAccessException",
            DynamoError::DuplicateItemException(_) => "DuplicateItemException",
            DynamoError::UnknownOperationException(_) => "UnknownOperationException",
            DynamoError::PolicyNotFoundException(_) => "PolicyNotFoundException",
            DynamoError::BackupNotFoundException(_) => "BackupNotFoundException",
            DynamoError::BackupInUseException(_) => "BackupInUseException",
            DynamoError::TableNotFoundException(_) => "TableNotFoundException",
            DynamoError::TableAlreadyExistsException(_) => "TableAlreadyExistsException",
            DynamoError::TableInUseException(_) => "TableInUseException",
            DynamoError::PointInTimeRecoveryUnavailableException(_) => {
                "PointInTimeRecoveryUnavailableException"
            }
            DynamoError::InvalidRestoreTimeException(_) => "InvalidRestoreTimeException",
            DynamoError::InvalidExportTimeException(_) => "InvalidExportTimeException",
            DynamoError::ImportNotFoundException(_) => "ImportNotFoundException",
            DynamoError::ImportConflictException(_) => "ImportConflictException",
            DynamoError::ExportNotFoundException(_) => "ExportNotFoundException",
            DynamoError::ExportConflictException(_) => "ExportConflictException",
        }
    }

    /// The message, exactly as a client should see it.
    pub fn message(&self) -> &str {
        match self {
            DynamoError::ValidationException(m)
            | DynamoError::ResourceNotFoundException(m)
            | DynamoError::ResourceInUseException(m)
            | DynamoError::ConditionalCheckFailedException { message: m, .. }
            | DynamoError::TransactionCanceledException { message: m, .. }
            | DynamoError::IdempotentParameterMismatchException(m)
            | DynamoError::TransactionConflictException(m)
            | DynamoError::ItemCollectionSizeLimitExceededException(m)
            | DynamoError::LimitExceededException(m)
            | DynamoError::SerializationException(m)
            | DynamoError::InternalServerError(m)
            | DynamoError::ExpiredIteratorException(m)
            | DynamoError::TrimmedDataAccessException(m)
            | DynamoError::DuplicateItemException(m)
            | DynamoError::UnknownOperationException(m)
            | DynamoError::PolicyNotFoundException(m)
            | DynamoError::BackupNotFoundException(m)
            | DynamoError::BackupInUseException(m)
            | DynamoError::TableNotFoundException(m)
            | DynamoError::TableAlreadyExistsException(m)
            | DynamoError::TableInUseException(m)
            | DynamoError::PointInTimeRecoveryUnavailableException(m)
            | DynamoError::InvalidRestoreTimeException(m)
            | DynamoError::InvalidExportTimeException(m)
            | DynamoError::ImportNotFoundException(m)
            | DynamoError::ImportConflictException(m)
            | DynamoError::ExportNotFoundException(m)
            | DynamoError::ExportConflictException(m) => m,
            DynamoError::StorageError(f) => &f.message,
        }
    }

    /// The storage engine's error behind this one, if the engine failed
    /// ([`DynamoError::StorageError`]). Match on its kind, or ask
    /// [`crate::Error::is_storage_full`] / [`crate::Error::is_corruption`]
    /// through [`crate::Error::root`] (a database poisoned by an earlier
    /// failure keeps that failure as its root).
    pub fn storage_error(&self) -> Option<&crate::Error> {
        match self {
            DynamoError::StorageError(f) => Some(&f.error),
            _ => None,
        }
    }

    /// True for a failure inside siltdb rather than in the request: an
    /// `InternalServerError` on the wire (HTTP 500).
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            DynamoError::InternalServerError(_) | DynamoError::StorageError(_)
        )
    }
}

/// A storage engine failure carried by [`DynamoError::StorageError`]: the
/// engine's error itself (shared, so the DynamoDB error stays `Clone`) and
/// the message a person reads.
#[derive(Debug, Clone)]
pub struct StorageFailure {
    error: Arc<crate::Error>,
    message: String,
}

impl StorageFailure {
    /// The engine's error.
    pub fn error(&self) -> &crate::Error {
        &self.error
    }
}

/// Two failures are equal when they say the same thing: `crate::Error`
/// holds `std::io::Error`, which has no equality of its own.
impl PartialEq for StorageFailure {
    fn eq(&self, other: &StorageFailure) -> bool {
        self.message == other.message
    }
}

impl Eq for StorageFailure {}

impl fmt::Display for DynamoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl std::error::Error for DynamoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DynamoError::StorageError(f) => Some(f.error.as_ref()),
            _ => None,
        }
    }
}

impl From<crate::dynamo::items::number::NumberError> for DynamoError {
    fn from(e: crate::dynamo::items::number::NumberError) -> DynamoError {
        DynamoError::ValidationException(e.to_string())
    }
}

impl From<crate::dynamo::expr::ExprError> for DynamoError {
    fn from(e: crate::dynamo::expr::ExprError) -> DynamoError {
        DynamoError::ValidationException(e.message)
    }
}

impl From<crate::Error> for DynamoError {
    fn from(e: crate::Error) -> DynamoError {
        DynamoError::StorageError(StorageFailure {
            message: format!("storage error: {e}"),
            error: Arc::new(e),
        })
    }
}

/// Member-constraint failures in DynamoDB's "N validation error(s)
/// detected: a; b" form, or `Ok` when there are none.
pub(crate) fn member_constraints(errors: Vec<String>) -> Result<(), DynamoError> {
    match errors.as_slice() {
        [] => Ok(()),
        [only] => Err(DynamoError::validation(format!(
            "1 validation error detected: {only}"
        ))),
        all => Err(DynamoError::validation(format!(
            "{} validation errors detected: {}",
            all.len(),
            all.join("; ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_name_colon_message() {
        let e = DynamoError::validation("Item size has exceeded the maximum allowed size");
        assert_eq!(
            e.to_string(),
            "ValidationException: Item size has exceeded the maximum allowed size"
        );
        assert_eq!(
            DynamoError::conditional_check_failed(None).name(),
            "ConditionalCheckFailedException"
        );
    }

    /// An engine error converted to a DynamoDB error keeps its kind and
    /// its words, and is an `InternalServerError` by name.
    #[test]
    fn storage_errors_keep_their_kind() {
        let full = crate::Error::io(
            "append to 000012.log",
            std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left on device"),
        );
        let e = DynamoError::from(crate::Error::Poisoned(Box::new(full)));
        assert_eq!(e.name(), "InternalServerError");
        assert!(e.is_internal());
        assert!(e.storage_error().is_some_and(crate::Error::is_storage_full));
        assert!(e.message().contains("no space left on device"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(e.clone(), e);

        let c = DynamoError::from(crate::Error::corruption("000007.sst", 40, "bad block"));
        assert!(c.storage_error().is_some_and(crate::Error::is_corruption));
        assert!(c.message().contains("000007.sst"), "{c}");
        assert_ne!(c, e);

        let closed = DynamoError::from(crate::Error::Closed);
        assert!(matches!(closed.storage_error(), Some(crate::Error::Closed)));
        assert!(DynamoError::validation("x").storage_error().is_none());
        assert!(!DynamoError::validation("x").is_internal());
    }
}
