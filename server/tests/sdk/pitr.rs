//! Point-in-time recovery through the SDK: UpdateContinuousBackups,
//! DescribeContinuousBackups and RestoreTableToPointInTime, on a server with
//! a data directory.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{PointInTimeRecoverySpecification, PointInTimeRecoveryStatus};

use crate::harness::{create_table, put_items, scan_count, wait_active, Server};

fn pitr(enabled: bool) -> PointInTimeRecoverySpecification {
    PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(enabled)
        .build()
        .expect("PointInTimeRecoverySpecification")
}

#[tokio::test]
async fn restore_to_the_latest_restorable_time() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let server = Server::start_on_disk(&tmp.path().join("data"), &tmp.path().join("s3"));
    let client = server.client();
    create_table(&client, "Orders", false).await;

    let described = client
        .describe_continuous_backups()
        .table_name("Orders")
        .send()
        .await
        .expect("DescribeContinuousBackups");
    let p = described
        .continuous_backups_description()
        .and_then(|d| d.point_in_time_recovery_description());
    assert_eq!(
        p.and_then(|p| p.point_in_time_recovery_status()),
        Some(&PointInTimeRecoveryStatus::Disabled)
    );

    let restore = || {
        client
            .restore_table_to_point_in_time()
            .source_table_name("Orders")
            .target_table_name("OrdersRestored")
            .use_latest_restorable_time(true)
    };
    let refused = restore().send().await.expect_err("PITR is off");
    assert_eq!(
        refused.code(),
        Some("PointInTimeRecoveryUnavailableException"),
        "{refused:?}"
    );

    let updated = client
        .update_continuous_backups()
        .table_name("Orders")
        .point_in_time_recovery_specification(pitr(true))
        .send()
        .await
        .expect("UpdateContinuousBackups");
    let p = updated
        .continuous_backups_description()
        .and_then(|d| d.point_in_time_recovery_description())
        .expect("PointInTimeRecoveryDescription");
    assert_eq!(
        p.point_in_time_recovery_status(),
        Some(&PointInTimeRecoveryStatus::Enabled)
    );
    assert!(p.earliest_restorable_date_time().is_some());
    assert_eq!(p.recovery_period_in_days(), Some(35));

    put_items(&client, "Orders", 0..30).await;
    let restored = restore().send().await.expect("RestoreTableToPointInTime");
    let t = restored.table_description().expect("TableDescription");
    assert!(t.restore_summary().is_some());
    wait_active(&client, "OrdersRestored").await;
    assert_eq!(scan_count(&client, "OrdersRestored").await, 30);
}
