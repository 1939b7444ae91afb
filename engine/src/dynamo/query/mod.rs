//! Reads of many items: Query (one partition, in sort-key order), Scan
//! (everything, or one segment of it), and the page both are read in.
// Expressions, statements and items come from the network: no panics on them.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

pub(crate) mod page;
pub(crate) mod partition;
pub(crate) mod scan;
