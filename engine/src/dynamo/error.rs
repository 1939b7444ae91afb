//! DynamoDB's error type: the exception name a client sees, and its message.
//!
//! Names are the `shape` names of the exceptions in DynamoDB's API model
//! (botocore `dynamodb/2012-08-10/service-2.json`), so the server can put them
//! into `__type` unchanged. Messages are DynamoDB's own wording wherever we
//! could find it; each place that builds one cites where it came from.

use std::fmt;

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
    ConditionalCheckFailedException(String),
    /// A transaction was cancelled; the message lists the reasons. HTTP 400.
    TransactionCanceledException(String),
    /// Another transaction holds one of the items. HTTP 400.
    TransactionConflictException(String),
    /// An item collection (items sharing a partition key, with local
    /// secondary indexes) exceeded 10 GB. HTTP 400.
    ItemCollectionSizeLimitExceededException(String),
    /// The request body is not valid DynamoDB JSON (protocol level,
    /// `com.amazon.coral.service#SerializationException`). HTTP 400.
    SerializationException(String),
    /// Something failed inside siltdb (including storage corruption). HTTP 500.
    InternalServerError(String),
}

impl DynamoError {
    /// Builds a [`DynamoError::ValidationException`].
    pub fn validation(message: impl Into<String>) -> DynamoError {
        DynamoError::ValidationException(message.into())
    }

    /// The exception name as DynamoDB spells it, e.g. `"ValidationException"`.
    pub fn name(&self) -> &'static str {
        match self {
            DynamoError::ValidationException(_) => "ValidationException",
            DynamoError::ResourceNotFoundException(_) => "ResourceNotFoundException",
            DynamoError::ResourceInUseException(_) => "ResourceInUseException",
            DynamoError::ConditionalCheckFailedException(_) => "ConditionalCheckFailedException",
            DynamoError::TransactionCanceledException(_) => "TransactionCanceledException",
            DynamoError::TransactionConflictException(_) => "TransactionConflictException",
            DynamoError::ItemCollectionSizeLimitExceededException(_) => {
                "ItemCollectionSizeLimitExceededException"
            }
            DynamoError::SerializationException(_) => "SerializationException",
            DynamoError::InternalServerError(_) => "InternalServerError",
        }
    }

    /// The message, exactly as a client should see it.
    pub fn message(&self) -> &str {
        match self {
            DynamoError::ValidationException(m)
            | DynamoError::ResourceNotFoundException(m)
            | DynamoError::ResourceInUseException(m)
            | DynamoError::ConditionalCheckFailedException(m)
            | DynamoError::TransactionCanceledException(m)
            | DynamoError::TransactionConflictException(m)
            | DynamoError::ItemCollectionSizeLimitExceededException(m)
            | DynamoError::SerializationException(m)
            | DynamoError::InternalServerError(m) => m,
        }
    }
}

impl fmt::Display for DynamoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl std::error::Error for DynamoError {}

impl From<crate::dynamo::number::NumberError> for DynamoError {
    fn from(e: crate::dynamo::number::NumberError) -> DynamoError {
        DynamoError::ValidationException(e.to_string())
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
            DynamoError::ConditionalCheckFailedException("The conditional request failed".into())
                .name(),
            "ConditionalCheckFailedException"
        );
    }
}
