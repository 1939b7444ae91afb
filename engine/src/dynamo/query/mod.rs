//! Reads of many items: Query (one partition, in sort-key order), Scan
//! (everything, or one segment of it), and the page both are read in.

pub(crate) mod page;
pub(crate) mod partition;
pub(crate) mod scan;
