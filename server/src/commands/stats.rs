//! `siltdb stats DIR`: [`siltdb::low_level::inspect::dir_stats`] on a directory, its
//! table on stdout.

use std::io::Write;

use siltdb::fs::OsFs;
use siltdb::low_level::inspect::dir_stats;

use crate::cli::StatsArgs;

/// Runs `siltdb stats`.
pub fn run(args: StatsArgs) -> Result<(), String> {
    let stats = dir_stats(&OsFs::new(), &args.dir)
        .map_err(|e| format!("reading {}: {e}", args.dir.display()))?;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{stats}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing to stdout: {e}")),
    }
}
