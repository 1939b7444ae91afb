//! PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
//!
//! PartiQL here is a front end onto the item API, not a second engine
//! (Developer Guide, `ql-reference`: DynamoDB's PartiQL "calls the NoSQL API
//! you already know"). A statement is
//!
//! 1. lexed and parsed into a tree (`lexer`, `parser`, `ast`),
//! 2. planned onto one DynamoDB operation (`plan`): its conditions,
//!    updates and projections become expression text with `#n`/`:v`
//!    placeholders (`translate`) for the one expression engine
//!    (`dynamo::expr`), its literals and `?` parameters become attribute
//!    values (`literal`), its WHERE decides the key or the Query/Scan
//!    (`keys`),
//! 3. run through `PutItem`, `UpdateItem`, `DeleteItem`, `GetItem`, `Query`,
//!    `Scan`, `TransactWriteItems` or `TransactGetItems`, whose validation,
//!    write pipeline, capacity and errors it therefore shares; results and
//!    errors are then put in PartiQL's shapes (`statement`, `select`,
//!    `batch`, `transaction`; `token` for `NextToken`).
//!
//! Messages: `error` lists each with where its wording comes from.

mod batch;
mod capacity;
pub mod error;
mod keys;
mod plan;
mod select;
mod statement;
mod transaction;
mod translate;

#[cfg(test)]
mod tests;

mod parse;

pub use parse::{ast, keywords, lexer, parser};
use parse::{literal, token};

pub use batch::MAX_BATCH_STATEMENTS;
pub use error::PartiqlError;
pub use parser::{parse, Parsed};
