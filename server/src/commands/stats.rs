//! `siltdb stats [--data-dir DIR]`: [`siltdb::low_level::inspect::dir_stats`] on a
//! directory (levels, files, bytes, the WAL), then each DynamoDB table's
//! item count and size and those of its indexes, as DescribeTable reports
//! them (exact: siltdb counts them at every DescribeTable).
//!
//! The levels are read from the files as they are; the tables need the
//! database opened (recovered, as `export` opens it), which a running
//! server's lock refuses: then the table section says why it is missing and
//! the command still succeeds.

use std::io::Write;
use std::path::Path;

use siltdb::dynamo::api::{DescribeTableInput, ListTablesInput};
use siltdb::dynamo::DynamoDb;
use siltdb::fs::OsFs;
use siltdb::low_level::inspect::dir_stats;

use super::{close, dynamo, open_db};
use crate::cli::StatsArgs;

/// Runs `siltdb stats`.
pub fn run(args: StatsArgs) -> Result<(), String> {
    let dir = args.dir();
    let stats =
        dir_stats(&OsFs::new(), dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let tables = match table_section(dir) {
        Ok(text) => text,
        Err(why) => format!("tables: not shown ({why})\n"),
    };
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{stats}\n{tables}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing to stdout: {e}")),
    }
}

/// The per-table lines: a header, then per table its items and bytes and
/// one indented line per secondary index.
fn table_section(dir: &Path) -> Result<String, String> {
    let db = open_db(dir, false, false)?;
    let text = describe_all(&db);
    close(db, text)
}

fn describe_all(db: &DynamoDb) -> Result<String, String> {
    let mut text = format!("{:<40} {:>12} {:>14}\n", "table", "items", "bytes");
    let mut start = None;
    loop {
        let page = db
            .list_tables(ListTablesInput {
                exclusive_start_table_name: start.take(),
                limit: None,
            })
            .map_err(|e| format!("listing tables: {}", dynamo(&e)))?;
        for name in page.table_names {
            let t = db
                .describe_table(DescribeTableInput {
                    table_name: name.clone(),
                })
                .map_err(|e| format!("table {name}: {}", dynamo(&e)))?
                .table;
            text.push_str(&format!(
                "{:<40} {:>12} {:>14}\n",
                name, t.item_count, t.table_size_bytes
            ));
            let locals = t.local_secondary_indexes.unwrap_or_default();
            let globals = t.global_secondary_indexes.unwrap_or_default();
            let indexes = locals
                .iter()
                .map(|i| ("local", &i.index_name, i.item_count, i.index_size_bytes))
                .chain(
                    globals
                        .iter()
                        .map(|i| ("global", &i.index_name, i.item_count, i.index_size_bytes)),
                );
            for (kind, index, items, bytes) in indexes {
                let label = format!("  {kind} index {index}");
                text.push_str(&format!("{label:<40} {items:>12} {bytes:>14}\n"));
            }
        }
        match page.last_evaluated_table_name {
            Some(last) => start = Some(last),
            None => return Ok(text),
        }
    }
}
