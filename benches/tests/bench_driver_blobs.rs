//! `--min_blob_size` reaches siltdb: values at or above it go to blob files,
//! the header says so, and the stats-based write amplification counts the
//! blob bytes (WAL + blob + flush + compaction + blob GC).

use std::time::Duration;

use siltdb_benches::driver::{Config, Runner};
use siltdb_benches::engine::EngineKind;

const NUM: u64 = 200;
const VALUE: usize = 8_192;

fn run(min_blob_size: Option<usize>) -> (String, siltdb_benches::report::EngineWriteAmp) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = Config {
        engine: EngineKind::Siltdb,
        benchmarks: ["fillseq", "settle"].map(String::from).to_vec(),
        num: NUM,
        value_size: VALUE,
        min_blob_size,
        threads: 1,
        db: Some(dir.path().join("db")),
        compact: false,
        settle_quiet: Duration::from_millis(100),
        settle_timeout: Duration::from_secs(60),
        ..Config::default()
    };
    let mut runner = Runner::new(cfg).expect("runner");
    let header = runner.header();
    let reports = runner.run_with(|_| Ok(())).expect("run");
    runner.close().expect("close");
    let cum = reports[1].cumulative.expect("cumulative write amp");
    (header, cum.engine.expect("siltdb stats"))
}

#[test]
fn large_values_go_to_blob_files_and_count_in_write_amp() {
    let (header, amp) = run(Some(4_096));
    assert!(header.contains("Blob from:  4096 bytes"), "{header}");
    // Every value went to a blob file once; the WAL and tables carry only
    // keys and pointers.
    assert!(amp.blob >= 0.95, "{amp}");
    assert!(amp.wal < 0.2, "{amp}");
    assert!(amp.total() >= amp.wal + amp.blob + amp.flush, "{amp}");
    assert!(amp.to_string().contains("blob"), "{amp}");
}

#[test]
fn values_stay_in_the_tree_when_separation_is_off() {
    let (header, amp) = run(Some(usize::MAX));
    assert!(header.contains("never"), "{header}");
    assert_eq!(amp.blob, 0.0, "{amp}");
    assert!(amp.wal >= 0.95, "{amp}");
    assert!(!amp.to_string().contains("blob"), "{amp}");
}
