//! Property: a RestoreTableToPointInTime at a random past second equals a
//! model of the table at the end of that second (a BTreeMap history under
//! the injectable clock), through flushes and compactions of the source,
//! with overwrites and deletes and values large enough to be separated
//! into blob files.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{create, item, n, open_mem, s};
use proptest::prelude::*;
use siltdb::dynamo::api::*;
use siltdb::dynamo::{DynamoDb, DynamoOptions, ManualClock};
use siltdb::fs::MemFs;
use siltdb::AttributeValue;

const T0: i64 = 1_733_000_000_500;

#[derive(Debug, Clone)]
enum Op {
    Put { key: u8, value: u32, big: bool },
    Delete { key: u8 },
    Flush,
    Compact,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..12, any::<u32>(), any::<bool>()).prop_map(|(key, value, big)| Op::Put { key, value, big }),
        2 => (0u8..12).prop_map(|key| Op::Delete { key }),
        1 => Just(Op::Flush),
        1 => Just(Op::Compact),
    ]
}

/// The table's contents: key -> (value, big).
type Model = BTreeMap<u8, (u32, bool)>;

fn payload(value: u32, big: bool) -> String {
    let len = if big { 5000 } else { 10 };
    format!("{value}:{}", "x".repeat(len))
}

fn scan(db: &DynamoDb, table: &str) -> Model {
    let mut out = Model::new();
    let mut start = None;
    loop {
        let page = db
            .scan(ScanInput {
                table_name: table.into(),
                exclusive_start_key: start.take(),
                ..Default::default()
            })
            .expect("scan");
        for it in page.items.unwrap_or_default() {
            let (
                Some(AttributeValue::S(k)),
                Some(AttributeValue::N(v)),
                Some(AttributeValue::S(p)),
            ) = (it.get("pk"), it.get("v"), it.get("p"))
            else {
                panic!("unexpected item {it:?}");
            };
            let value: u32 = v.to_string().parse().expect("number");
            out.insert(k.parse().expect("key"), (value, p.len() > 1000));
            assert_eq!(*p, payload(value, p.len() > 1000));
        }
        match page.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return out,
        }
    }
}

fn wait_active(db: &DynamoDb, table: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let t = db
            .describe_table(DescribeTableInput {
                table_name: table.into(),
            })
            .expect("describe")
            .table;
        if t.table_status == TableStatus::Active {
            return;
        }
        assert!(Instant::now() < deadline, "{table} never became ACTIVE");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn run(ops: Vec<(u16, Op)>, picks: Vec<u32>) {
    let mem = MemFs::new();
    let clock = Arc::new(ManualClock::new(T0));
    let db = open_mem(
        &mem,
        DynamoOptions {
            clock: clock.clone(),
            ttl_sweep_interval: None,
            ..DynamoOptions::default()
        },
    );
    create(&db, "Src", None);
    db.put_item(PutItemInput {
        table_name: "Src".into(),
        item: item(&[("pk", s("before")), ("v", n(0)), ("p", s("0:"))]),
        ..Default::default()
    })
    .expect("put before enabling");
    db.delete_item(DeleteItemInput {
        table_name: "Src".into(),
        key: item(&[("pk", s("before"))]),
        ..Default::default()
    })
    .expect("delete before enabling");
    db.update_continuous_backups(UpdateContinuousBackupsInput {
        table_name: "Src".into(),
        point_in_time_recovery_specification: PointInTimeRecoverySpecification {
            point_in_time_recovery_enabled: true,
            recovery_period_in_days: Some(1),
        },
    })
    .expect("enable");
    // (time of the write, state after it)
    let mut history: Vec<(i64, Model)> = vec![(T0, Model::new())];
    let mut model = Model::new();
    for (advance, op) in ops {
        clock.advance_millis(i64::from(advance));
        match op {
            Op::Put { key, value, big } => {
                db.put_item(PutItemInput {
                    table_name: "Src".into(),
                    item: item(&[
                        ("pk", s(&key.to_string())),
                        ("v", n(value)),
                        ("p", s(&payload(value, big))),
                    ]),
                    ..Default::default()
                })
                .expect("put");
                model.insert(key, (value, big));
            }
            Op::Delete { key } => {
                db.delete_item(DeleteItemInput {
                    table_name: "Src".into(),
                    key: item(&[("pk", s(&key.to_string()))]),
                    ..Default::default()
                })
                .expect("delete");
                model.remove(&key);
            }
            Op::Flush => db.engine().flush().expect("flush"),
            Op::Compact => db.engine().compact_range(None, None).expect("compact"),
        }
        history.push((clock.now_millis_for_test(), model.clone()));
    }
    clock.advance_millis(1000);
    let now = clock.now_millis_for_test();
    let first = T0.div_euclid(1000) + 1; // the first whole second after enabling
    let last = now.div_euclid(1000);
    for (i, pick) in picks.into_iter().enumerate() {
        let second = first + i64::from(pick) % (last - first + 1);
        let want = history
            .iter()
            .take_while(|(t, _)| *t < (second + 1) * 1000)
            .last()
            .map(|(_, m)| m.clone())
            .unwrap_or_default();
        let target = format!("Restored{i}");
        db.restore_table_to_point_in_time(RestoreTableToPointInTimeInput {
            source_table_name: Some("Src".into()),
            target_table_name: target.clone(),
            restore_date_time: Some(second as f64),
            ..Default::default()
        })
        .expect("restore");
        wait_active(&db, &target);
        assert_eq!(scan(&db, &target), want, "restored to second {second}");
    }
}

/// `ManualClock` has no public reader but the `Clock` trait.
trait ReadClock {
    fn now_millis_for_test(&self) -> i64;
}

impl ReadClock for ManualClock {
    fn now_millis_for_test(&self) -> i64 {
        siltdb::dynamo::clock::Clock::now_millis(self)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn a_restore_to_a_past_second_equals_the_model_at_that_second(
        ops in prop::collection::vec((0u16..1500, op()), 1..60),
        picks in prop::collection::vec(any::<u32>(), 1..4),
    ) {
        run(ops, picks);
    }
}
