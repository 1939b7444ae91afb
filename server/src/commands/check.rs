//! `siltdb check [--data-dir DIR]`: [`siltdb::low_level::inspect::check_dir`] on a directory, the
//! report on stdout, exit status 1 if anything is damaged, unreadable or
//! missing, or if open would drop a complete final record.

use std::io::Write;

use siltdb::fs::OsFs;
use siltdb::low_level::inspect::{check_dir, FileStatus};

use crate::cli::CheckArgs;

/// Runs `siltdb check`.
pub fn run(args: CheckArgs) -> Result<(), String> {
    let dir = args.dir();
    let report =
        check_dir(&OsFs::new(), dir).map_err(|e| format!("checking {}: {e}", dir.display()))?;
    let mut out = std::io::stdout().lock();
    // A closed stdout (`| head`) must not hide the verdict: the exit status
    // still says it.
    if let Err(e) = writeln!(out, "{report}").and_then(|()| out.flush()) {
        tracing::debug!("writing the check report: {e}");
    }
    if report.is_clean() {
        return Ok(());
    }
    let mut message = format!(
        "{} is damaged: {} corrupt or unreadable files, {} missing",
        dir.display(),
        report
            .files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Corrupt(_) | FileStatus::Unreadable(_)))
            .count(),
        report.missing.len()
    );
    let dropped = report.dropped().count();
    if dropped > 0 {
        message.push_str(&format!(
            ", {dropped} complete final records that open drops (or refuses with \
             --strict-recovery)"
        ));
    }
    if report.missing.iter().any(|m| m.name == "CURRENT") {
        message.push_str(&format!(
            "; `siltdb repair --data-dir {}` restores CURRENT",
            dir.display()
        ));
    }
    Err(message)
}
