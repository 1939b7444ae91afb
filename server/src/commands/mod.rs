//! The offline subcommands of `siltdb`, one file each: `check`, `stats` and
//! `dump` wrap `siltdb::low_level::inspect`; `repair` wraps `siltdb::low_level::recovery::repair`;
//! `export` and `import` move a table to and from DynamoDB JSON lines (and
//! `export --s3-root` writes DynamoDB's S3 export layout); `backup` and
//! `restore` run CreateBackup and RestoreTableFromBackup.
//!
//! Each `run` returns `Err(message)` for the caller to print as
//! `siltdb: <message>` with exit status 1.

pub mod backup;
pub mod check;
pub mod dump;
pub mod export;
pub mod import;
pub mod repair;
pub mod stats;

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use siltdb::dynamo::{DynamoDb, DynamoError};
use siltdb::low_level::recovery::filenames::CURRENT as CURRENT_FILE;
use siltdb::Options;

/// Opens the database in `dir` for an offline command (exclusively: it
/// fails if a server has it open).
///
/// With `create` false the database must already exist, so a mistyped
/// directory is an error, not a new empty database; with `create` true the
/// directory and database are created if missing. `sync` is the engine's
/// [`Options::sync`]; close the handle with [`close`], which syncs the WAL
/// either way.
pub(crate) fn open_db(dir: &Path, create: bool, sync: bool) -> Result<DynamoDb, String> {
    if create {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    } else if !dir.join(CURRENT_FILE).exists() {
        return Err(format!(
            "{}: no siltdb database here (no {CURRENT_FILE} file)",
            dir.display()
        ));
    }
    let options = Options {
        create_if_missing: create,
        sync,
        ..Options::default()
    };
    DynamoDb::open(dir, options).map_err(|e| {
        let message = match &e {
            // Internal failures (the engine's among them) have a message
            // that says it all.
            e if e.is_internal() => e.message().to_string(),
            e => dynamo(e),
        };
        format!("opening the database in {}: {message}", dir.display())
    })
}

/// Closes `db` after `result`, reporting the first failure of the two.
pub(crate) fn close<T>(db: DynamoDb, result: Result<T, String>) -> Result<T, String> {
    let closed = db.close().map_err(|e| format!("closing the database: {e}"));
    let value = result?;
    closed?;
    Ok(value)
}

/// A DynamoDB error as one line: `Name: message`.
pub(crate) fn dynamo(e: &DynamoError) -> String {
    if e.message().is_empty() {
        e.name().to_string()
    } else {
        format!("{}: {}", e.name(), e.message())
    }
}

/// How long `count` things (`unit`, plural) took, as people read it:
/// "in 0.3 s (5,000 items/s)".
pub(crate) fn taking(count: u64, unit: &str, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { count as f64 / secs } else { 0.0 };
    format!(
        "in {secs:.1} s ({} {unit}/s)",
        HumanCount(rate.round() as u64)
    )
}

/// A progress bar on stderr, or a hidden one when stderr is not a terminal
/// (so logs and pipes see no control codes).
///
/// With `len`, a bar counting towards it; without, a spinner. `template`
/// is an indicatif template drawn after the bar or spinner; besides
/// indicatif's keys it may use `{items_per_sec}`, the rate as a whole
/// number of items with thousands separators ("5,000 items/s", where
/// indicatif's `{per_sec}` prints "5,000.0000/s").
pub(crate) fn progress(len: Option<u64>, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    let prefix = if len.is_some() {
        "{elapsed_precise} [{wide_bar}] "
    } else {
        "{spinner} {elapsed_precise} "
    };
    if let Ok(style) = ProgressStyle::with_template(&format!("{prefix}{template}")) {
        let style = style.with_key(
            "items_per_sec",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                // A failed write to the bar's own buffer only loses the rate.
                let _ = write!(w, "{} items/s", HumanCount(state.per_sec().round() as u64));
            },
        );
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_whole_numbers_with_separators() {
        assert_eq!(
            taking(1500, "items", Duration::from_millis(300)),
            "in 0.3 s (5,000 items/s)"
        );
        assert_eq!(taking(0, "items", Duration::ZERO), "in 0.0 s (0 items/s)");
    }
}
