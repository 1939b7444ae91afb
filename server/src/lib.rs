//! siltdb over DynamoDB's wire protocol.
//!
//! The `siltdb` binary serves a siltdb database over DynamoDB's JSON 1.0
//! protocol (`POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>`, and
//! `DynamoDBStreams_20120810.<Operation>` for DynamoDB Streams),
//! so aws-cli, boto3 and the AWS SDKs talk to it unchanged. This crate is
//! that server as a library, so tests and embedders can run it in-process:
//!
//! - [`json`]: DynamoDB JSON ↔ siltdb's API types, with DynamoDB's errors;
//! - [`http`]: the hyper server, framing, headers and error bodies;
//! - [`auth`]: AWS Signature Version 4 checking;
//! - [`backend`]: the trait the server calls to do the work, implemented
//!   by siltdb's handle;
//! - [`malloc`]: the process's allocator, kept from hoarding freed memory
//!   per thread and made to return free memory to the system;
//! - [`memory_log`]: the engine's memory budget and use, in the log.
#![warn(missing_docs)]

pub mod auth;
pub mod backend;
pub mod http;
pub mod json;
pub mod malloc;
pub mod memory_log;
pub mod operation;
pub mod transfer;

pub use backend::Backend;
pub use operation::{Operation, Request, Response, Runs};

// The README's Rust examples, compiled (and the DynamoDb one run) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
