//! On-demand backups through the SDK: CreateBackup, DescribeBackup,
//! ListBackups, RestoreTableFromBackup and DeleteBackup on a server with a
//! data directory, with DynamoDB's errors as the SDK parses them.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{BackupStatus, BackupTypeFilter};

use crate::harness::{create_table, put_items, scan_count, wait_active, Server};

#[tokio::test]
async fn a_backup_restores_the_table_as_of_its_creation() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let server = Server::start_on_disk(&tmp.path().join("data"), &tmp.path().join("s3"));
    let client = server.client();
    create_table(&client, "Music", false).await;
    put_items(&client, "Music", 0..25).await;

    let created = client
        .create_backup()
        .table_name("Music")
        .backup_name("before-edit")
        .send()
        .await
        .expect("CreateBackup");
    let details = created.backup_details().expect("BackupDetails");
    let arn = details.backup_arn().to_string();
    assert_eq!(details.backup_name(), "before-edit");
    assert_eq!(details.backup_status(), &BackupStatus::Available);
    assert!(details.backup_size_bytes().is_some_and(|b| b > 0));

    // Written after the backup: not in the restored table.
    put_items(&client, "Music", 25..40).await;

    let described = client
        .describe_backup()
        .backup_arn(&arn)
        .send()
        .await
        .expect("DescribeBackup");
    let d = described.backup_description().expect("BackupDescription");
    let source = d.source_table_details().expect("SourceTableDetails");
    assert_eq!(source.table_name(), "Music");
    assert_eq!(source.item_count(), Some(25));

    let listed = client
        .list_backups()
        .table_name("Music")
        .backup_type(BackupTypeFilter::User)
        .send()
        .await
        .expect("ListBackups");
    let arns: Vec<_> = listed
        .backup_summaries()
        .iter()
        .filter_map(|s| s.backup_arn())
        .collect();
    assert_eq!(arns, vec![arn.as_str()]);

    let restored = client
        .restore_table_from_backup()
        .target_table_name("MusicRestored")
        .backup_arn(&arn)
        .send()
        .await
        .expect("RestoreTableFromBackup");
    let t = restored.table_description().expect("TableDescription");
    let summary = t.restore_summary().expect("RestoreSummary");
    assert_eq!(summary.source_backup_arn(), Some(arn.as_str()));
    wait_active(&client, "MusicRestored").await;
    assert_eq!(scan_count(&client, "MusicRestored").await, 25);
    assert_eq!(scan_count(&client, "Music").await, 40);

    let deleted = client
        .delete_backup()
        .backup_arn(&arn)
        .send()
        .await
        .expect("DeleteBackup");
    let status = deleted
        .backup_description()
        .and_then(|d| d.backup_details())
        .map(|d| d.backup_status().clone());
    assert_eq!(status, Some(BackupStatus::Deleted));

    let gone = client
        .describe_backup()
        .backup_arn(&arn)
        .send()
        .await
        .expect_err("a deleted backup");
    assert_eq!(gone.code(), Some("BackupNotFoundException"), "{gone:?}");
    // The restored table does not depend on the backup.
    assert_eq!(scan_count(&client, "MusicRestored").await, 25);
}

#[tokio::test]
async fn a_backup_of_a_missing_table_is_table_not_found() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let server = Server::start_on_disk(&tmp.path().join("data"), &tmp.path().join("s3"));
    let err = server
        .client()
        .create_backup()
        .table_name("Nowhere")
        .backup_name("nightly")
        .send()
        .await
        .expect_err("no such table");
    assert_eq!(err.code(), Some("TableNotFoundException"), "{err:?}");
}
