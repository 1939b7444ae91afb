//! placeholder
use super::*;
#[allow(missing_docs)]
pub struct MemFs;
