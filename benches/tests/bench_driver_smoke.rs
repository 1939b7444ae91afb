//! The side-by-side driver end to end on siltdb (the engine every build
//! has): every workload runs on a tiny database, reads find what the fill
//! wrote, `settle` waits for background work and reports the cumulative
//! write amplification from siltdb's stats (and the OS where it counts),
//! results are written as JSON lines, and the chart draws them.

use std::time::Duration;

use siltdb_benches::driver::{Config, Runner, BENCHMARKS};
use siltdb_benches::engine::EngineKind;
use siltdb_benches::{chart, results};

const NUM: u64 = 3_000;

#[test]
fn every_workload_runs_on_siltdb_and_results_chart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = Config {
        engine: EngineKind::Siltdb,
        benchmarks: [
            "fillseq",
            "settle",
            "readrandom",
            "readseq",
            "seekrandom",
            "fillrandom",
            "overwrite",
            "readwhilewriting",
            "fillsync_during_compaction",
            "settle",
        ]
        .map(String::from)
        .to_vec(),
        num: NUM,
        reads: Some(1_000),
        threads: 2,
        db: Some(dir.path().join("db")),
        compact: false,
        // Small memtables so flushes and compactions really run.
        write_buffer_size: Some(64 << 10),
        settle_quiet: Duration::from_millis(200),
        settle_timeout: Duration::from_secs(120),
        ..Config::default()
    };
    let mut runner = Runner::new(cfg.clone()).expect("runner");
    assert!(runner
        .describe_engine()
        .expect("describe")
        .contains("siltdb"));
    let results_path = dir.path().join("results.jsonl");
    let reports = runner
        .run_with(|r| results::append(&results_path, &[results::record("smoke", "1", &cfg, r)]))
        .expect("run");
    runner.close().expect("close");
    assert!(runner.dir().ends_with("db/siltdb"));

    let names: Vec<&str> = reports.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, cfg.benchmarks);
    for name in &names {
        assert!(BENCHMARKS.contains(name), "{name}");
    }

    // fillseq wrote every key of 0..NUM, so every random read finds one.
    let fillseq = &reports[0];
    assert_eq!(fillseq.ops, NUM);
    assert_eq!(fillseq.user_bytes_written, NUM * (16 + 100));
    let readrandom = &reports[2];
    assert_eq!(readrandom.found, Some((1_000, 1_000)));
    assert_eq!(reports[3].ops, 1_000, "readseq walks --reads entries");
    assert_eq!(reports[4].found, Some((1_000, 1_000)));

    // settle after fillseq: the tree is idle and the cumulative figure
    // counts at least the WAL and the flush of every user byte.
    let settle = &reports[1];
    let cum = settle.cumulative.expect("cumulative write amp");
    assert_eq!(cum.user_bytes, NUM * 116);
    let stats = cum.engine.expect("siltdb stats");
    assert!(stats.wal >= 1.0, "{stats}");
    assert!(stats.flush >= 0.9, "{stats}");
    // Filesystems without write accounting (tmpfs) report 0 device bytes.
    if let (Some(os), Some(d)) = (cum.os(), cum.device_bytes) {
        if d > 0 {
            assert!(os > 0.5, "the OS saw the WAL and tables written: {os}");
        }
    }
    assert!(settle.peak_rss.is_some_and(|p| p > 0));

    // The last settle covers everything written since the last fill
    // (fillsync_during_compaction: NUM unsynced writes plus the synced ones).
    let fsdc = &reports[8];
    assert!(fsdc.ops > 0, "some synced writes ran");
    assert_eq!(
        fsdc.user_bytes_written,
        (NUM + fsdc.ops) * 116,
        "unsynced and synced writes both count"
    );
    let last = reports[9].cumulative.expect("cumulative");
    assert_eq!(last.user_bytes, fsdc.user_bytes_written);
    assert!(
        last.engine.expect("stats").compaction > 0.0,
        "compactions ran"
    );

    let recs = results::read(&results_path).expect("read results");
    assert_eq!(recs.len(), names.len());
    assert!(recs
        .iter()
        .all(|r| r["engine"] == "siltdb" && r["label"] == "smoke"));
    assert_eq!(recs[2]["found"], 1_000);

    let svg = dir.path().join("chart.svg");
    chart::draw(&recs, &svg, "smoke").expect("chart");
    let text = std::fs::read_to_string(&svg).expect("svg");
    assert!(text.contains("<svg") && text.contains("siltdb") && text.contains("readrandom"));
}

#[test]
fn a_db_directory_not_made_by_the_driver_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("precious.txt"), b"keep me").expect("write");
    let cfg = Config {
        db: Some(dir.path().to_path_buf()),
        ..Config::default()
    };
    let err = Runner::new(cfg).err().expect("refused");
    assert!(err.to_string().contains("refusing"), "{err}");
    assert!(dir.path().join("precious.txt").exists());
}

#[cfg(not(feature = "peers"))]
#[test]
fn peers_need_the_feature() {
    for kind in [EngineKind::Rocksdb, EngineKind::Fjall] {
        let cfg = Config {
            engine: kind,
            ..Config::default()
        };
        let err = Runner::new(cfg).err().expect("not built in");
        assert!(err.to_string().contains("--features peers"), "{err}");
    }
}

/// With `--features peers` (never in CI): the same workloads on RocksDB and
/// fjall find what they wrote and settle.
#[cfg(feature = "peers")]
#[test]
fn peers_run_the_same_workloads() {
    for kind in [EngineKind::Rocksdb, EngineKind::Fjall] {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = Config {
            engine: kind,
            benchmarks: ["fillseq", "settle", "readrandom", "readseq", "seekrandom"]
                .map(String::from)
                .to_vec(),
            num: NUM,
            reads: Some(1_000),
            db: Some(dir.path().join("db")),
            compact: false,
            settle_quiet: Duration::from_millis(200),
            settle_timeout: Duration::from_secs(120),
            ..Config::default()
        };
        let mut runner = Runner::new(cfg).expect("runner");
        let described = runner.describe_engine().expect("describe");
        let reports = runner.run().expect("run");
        runner.close().expect("close");
        assert_eq!(reports[2].found, Some((1_000, 1_000)), "{kind}");
        assert_eq!(reports[3].ops, 1_000, "{kind}");
        assert_eq!(reports[4].found, Some((1_000, 1_000)), "{kind}");
        let cum = reports[1].cumulative.expect("cumulative");
        assert_eq!(cum.user_bytes, NUM * 116, "{kind}");
        assert!(cum.engine.is_none(), "only siltdb has its own stats");
        if kind == EngineKind::Rocksdb {
            assert!(described.contains("compression="), "{described}");
            assert!(
                described.contains("block-cache-capacity=134217728"),
                "{described}"
            );
        }
    }
}
