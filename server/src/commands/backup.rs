//! `siltdb backup` and `siltdb restore`: CreateBackup and
//! RestoreTableFromBackup on an opened database, the same code a server
//! runs. A restore fills its table in the background; `restore` waits,
//! with a spinner, until the table is `ACTIVE` before it closes the
//! database (a restore cut short by a close starts over at the next open).

use std::time::Duration;

use siltdb::dynamo::api::{
    CreateBackupInput, DescribeTableInput, RestoreTableFromBackupInput, TableStatus,
};

use super::{close, dynamo, open_db, progress};
use crate::cli::{BackupArgs, RestoreArgs};

/// Runs `siltdb backup`.
pub fn run(args: BackupArgs) -> Result<(), String> {
    let db = open_db(&args.data_dir, false, false)?;
    let result = db
        .create_backup(CreateBackupInput {
            table_name: args.table.clone(),
            backup_name: args.name.clone(),
        })
        .map_err(|e| format!("backing up {}: {}", args.table, dynamo(&e)));
    let out = close(db, result)?;
    println!("{}", out.backup_details.backup_arn);
    eprintln!(
        "backed up {} ({} bytes)",
        args.table,
        out.backup_details.backup_size_bytes.unwrap_or(0)
    );
    Ok(())
}

/// Runs `siltdb restore`.
pub fn restore(args: RestoreArgs) -> Result<(), String> {
    let db = open_db(&args.data_dir, false, false)?;
    let result = (|| {
        db.restore_table_from_backup(RestoreTableFromBackupInput {
            target_table_name: args.target_table.clone(),
            backup_arn: args.backup_arn.clone(),
            ..RestoreTableFromBackupInput::default()
        })
        .map_err(|e| format!("restoring {}: {}", args.backup_arn, dynamo(&e)))?;
        let bar = progress(None, "restoring {msg}");
        bar.set_message(args.target_table.clone());
        loop {
            let d = db
                .describe_table(DescribeTableInput {
                    table_name: args.target_table.clone(),
                })
                .map_err(|e| format!("table {}: {}", args.target_table, dynamo(&e)))?;
            if d.table.table_status == TableStatus::Active {
                bar.finish_and_clear();
                return Ok(d.table.item_count);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })();
    let items = close(db, result)?;
    eprintln!("restored {} with {items} items", args.target_table);
    Ok(())
}
