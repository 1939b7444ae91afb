//! `siltdb repair --data-dir DIR`: [`siltdb::low_level::recovery::repair`] on a
//! directory: restores a lost or damaged `CURRENT`, deleting nothing, and
//! prints what it did.

use std::io::Write;

use siltdb::fs::OsFs;
use siltdb::low_level::recovery::repair;

use crate::cli::RepairArgs;

/// Runs `siltdb repair`.
pub fn run(args: RepairArgs) -> Result<(), String> {
    let dir = &args.data_dir;
    let report =
        repair(&OsFs::new(), dir).map_err(|e| format!("repairing {}: {e}", dir.display()))?;
    let mut out = std::io::stdout().lock();
    // The exit status says it even if stdout is closed.
    if let Err(e) = writeln!(out, "{report}").and_then(|()| out.flush()) {
        tracing::debug!("writing the repair report: {e}");
    }
    Ok(())
}
