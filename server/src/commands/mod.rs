//! The offline subcommands of `siltdb`, one file each: `check`, `stats` and
//! `dump` wrap `siltdb::inspect`; `repair` wraps `siltdb::recovery::repair`;
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

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use siltdb::dynamo::{DynamoDb, DynamoError};
use siltdb::recovery::filenames::CURRENT as CURRENT_FILE;
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
            // The engine's failures come wrapped as InternalServerError,
            // whose message says it all.
            DynamoError::InternalServerError(m) => m.clone(),
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

/// A progress bar on stderr, or a hidden one when stderr is not a terminal
/// (so logs and pipes see no control codes).
///
/// With `len`, a bar counting towards it; without, a spinner. `template`
/// is an indicatif template drawn after the bar or spinner.
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
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
