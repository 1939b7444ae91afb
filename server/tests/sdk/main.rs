//! The official AWS SDK for Rust (`aws-sdk-dynamodb`, and
//! `aws-sdk-dynamodbstreams` for DynamoDB Streams) as a real client of
//! siltdb's server: every request is built, signed and sent by the SDK, and
//! every answer parsed by it, so a shape the SDK does not accept fails here.
//! One behaviour per module; one binary, so the SDK is linked once.

mod harness;
#[path = "../transfer_support/mod.rs"]
mod transfer_support;

mod backups;
mod batches;
mod conditional_writes;
mod exports;
mod indexes;
mod items;
mod paging;
mod partiql;
mod pitr;
mod streams;
mod tables;
mod transactions;
mod ttl_tags;
