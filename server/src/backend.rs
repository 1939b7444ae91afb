//! What the server calls to do the work: one blocking method per operation,
//! and [`Backend::start_write`] for the item writes the server awaits.
//!
//! The real implementation is siltdb's [`DynamoDb`] handle; tests also use
//! a fake. Methods block (they may wait for an fsync), so the server calls
//! them on a worker or through `tokio::task::spawn_blocking`, and starts
//! item writes on a worker and awaits their commit (see
//! [`crate::operation::Runs`]). The trait, [`dispatch`] and the
//! implementation for [`DynamoDb`] are generated from the one list of
//! operations, [`crate::operation`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use siltdb::dynamo::api;
use siltdb::dynamo::{DynamoDb, DynamoError};

use crate::operation::{for_each_operation, Request, Response};

/// An operation started by [`Backend::start_write`]: resolves to its
/// response once its write is committed.
pub type Started = Pin<Box<dyn Future<Output = Result<Response, DynamoError>> + Send>>;

macro_rules! define_backend {
    ($($op:ident {
        method: $method:ident, input: $input:ident, output: $output:ident,
        read: $read:path, write: $write:path,
        api: $api:ident, runs: $runs:ident $(($awaits:ident))?, fallback: $fallback:ident,
        members: [$($member:literal),* $(,)?] $(,)?
    },)+) => {
        /// A DynamoDB implementation the server can serve.
        ///
        /// Every method takes its input by value and returns the operation's
        /// output or a [`DynamoError`] whose name and message go to the
        /// client unchanged. The DynamoDB Streams methods default to what an
        /// endpoint without DynamoDB Streams answers
        /// (`UnknownOperationException`); Time to Live and tagging default to
        /// [`not_implemented`].
        pub trait Backend: Send + Sync + 'static {
            $(backend_method!($fallback, $op, $method, $input, $output);)+

            /// Starts `request`, an item write the server awaits
            /// ([`crate::operation::Runs::Awaited`]): its checks and staging
            /// run now, on the calling runtime worker, and the returned
            /// future resolves once the write is committed — without a
            /// thread waiting for the commit. The default runs the
            /// operation to completion now, for a backend whose writes do
            /// not wait.
            fn start_write(&self, request: Request) -> Started {
                Box::pin(std::future::ready(run_now(self, request)))
            }

            /// Flushes and closes the store; called once when the server
            /// stops, after the last request finished.
            fn close(&self) -> Result<(), DynamoError> {
                Ok(())
            }

            /// The backend answering in `region` (the request's SigV4
            /// credential scope): ARNs and stream records name it. `None`:
            /// this backend has one region.
            fn in_region(&self, _region: &str) -> Option<Arc<dyn Backend>> {
                None
            }
        }

        /// Runs `request` on `backend`.
        pub fn dispatch(backend: &dyn Backend, request: Request) -> Result<Response, DynamoError> {
            run_now(backend, request)
        }

        /// Runs `request` on `backend` to completion, blocking.
        fn run_now<B: Backend + ?Sized>(backend: &B, request: Request) -> Result<Response, DynamoError> {
            Ok(match request {
                $(Request::$op(i) => Response::$op(backend.$method(i)?),)+
            })
        }

        /// siltdb's own DynamoDB handle: every operation is the method of the
        /// same name, and [`Backend::close`] closes the engine (syncing the
        /// WAL).
        impl Backend for DynamoDb {
            $(dynamo_method!($fallback, $method, $input, $output);)+

            fn start_write(&self, request: Request) -> Started {
                match request {
                    $(Request::$op(i) => start_arm!(self, i, $op, $method $(, $awaits)?),)+
                }
            }

            fn close(&self) -> Result<(), DynamoError> {
                DynamoDb::close(self)
            }

            fn in_region(&self, region: &str) -> Option<Arc<dyn Backend>> {
                Some(Arc::new(DynamoDb::in_region(self, region)))
            }
        }
    };
}

/// One arm of [`DynamoDb`]'s [`Backend::start_write`]: an operation with an
/// `_async` method awaits its commit; any other runs now.
macro_rules! start_arm {
    ($db:expr, $input:ident, $op:ident, $method:ident) => {
        Box::pin(std::future::ready(
            DynamoDb::$method($db, $input).map(Response::$op),
        ))
    };
    ($db:expr, $input:ident, $op:ident, $method:ident, $awaits:ident) => {{
        let committing = DynamoDb::$awaits($db, $input);
        Box::pin(async move { committing.await.map(Response::$op) })
    }};
}

/// One method of [`Backend`] for [`DynamoDb`]: the handle's method of the
/// same name, except for the export/import operations, which keep the
/// trait's default (they need the S3 directory of [`crate::transfer`]).
macro_rules! dynamo_method {
    (transfers, $method:ident, $input:ident, $output:ident) => {};
    ($fallback:ident, $method:ident, $input:ident, $output:ident) => {
        fn $method(&self, input: api::$input) -> Result<api::$output, DynamoError> {
            DynamoDb::$method(self, input)
        }
    };
}

/// One method of [`Backend`], with the default its `fallback` names.
macro_rules! backend_method {
    (required, $op:ident, $method:ident, $input:ident, $output:ident) => {
        #[doc = concat!("`", stringify!($op), "`.")]
        fn $method(&self, input: api::$input) -> Result<api::$output, DynamoError>;
    };
    (unknown_operation, $op:ident, $method:ident, $input:ident, $output:ident) => {
        #[doc = concat!("`", stringify!($op), "`; by default `UnknownOperationException`.")]
        fn $method(&self, _input: api::$input) -> Result<api::$output, DynamoError> {
            Err(DynamoError::UnknownOperationException(format!(
                "Unknown operation DynamoDBStreams_20120810.{}: this backend does not serve DynamoDB Streams",
                stringify!($op)
            )))
        }
    };
    (not_implemented, $op:ident, $method:ident, $input:ident, $output:ident) => {
        #[doc = concat!("`", stringify!($op), "`; by default [`not_implemented`].")]
        fn $method(&self, _input: api::$input) -> Result<api::$output, DynamoError> {
            Err(not_implemented(stringify!($op)))
        }
    };
    (transfers, $op:ident, $method:ident, $input:ident, $output:ident) => {
        #[doc = concat!("`", stringify!($op), "`; by default [`transfers_unavailable`].")]
        fn $method(&self, _input: api::$input) -> Result<api::$output, DynamoError> {
            Err(transfers_unavailable(stringify!($op)))
        }
    };
}

for_each_operation!(define_backend);

/// The error of an export or import operation on a server started without
/// a directory standing for S3.
pub fn transfers_unavailable(operation: &str) -> DynamoError {
    DynamoError::ValidationException(format!(
        "{operation} needs a directory standing for S3: start the server with `siltdb serve --s3-root DIR`"
    ))
}

/// The error of an operation a backend does not implement.
pub fn not_implemented(operation: &str) -> DynamoError {
    DynamoError::InternalServerError(format!("{operation} is not implemented by this backend"))
}
