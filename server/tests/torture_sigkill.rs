//! SIGKILL torture: `siltdb serve` on a data directory is driven by 8
//! concurrent clients (PutItem, DeleteItem, conditional UpdateItem,
//! TransactWriteItems, shared counters; on a table with a global index, a
//! local index and a NEW_AND_OLD_IMAGES stream), killed with SIGKILL at a
//! random moment, sometimes killed again while it recovers, and restarted;
//! after every restart the server is checked against what the clients were
//! told (`serve_support/verify.rs`): every acknowledged write present with
//! the last acknowledged value, a lost request applied whole or not at
//! all, each index equal to the table, each stream record present once and
//! in order with images that follow the acknowledged history.
//!
//! The default test run does a few cycles. The long run (figures in
//! server/TORTURE.md):
//!
//! ```text
//! SILTDB_TORTURE_CYCLES=1000 nice -n 10 cargo test -p siltdb-server --release \
//!     --test torture_sigkill -- --ignored --nocapture
//! ```
//!
//! `SILTDB_TORTURE_SEED` repeats a run's random choices (the threads'
//! interleaving is not repeatable).
#![cfg(unix)]

mod serve_support;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serve_support::client::Client;
use serve_support::model::{ClientModel, Counters, Tally};
use serve_support::process::{spawn, Server};
use serve_support::verify::{reread_stream, verify, Checked, StreamCursor};
use serve_support::workload::{create_table, drive_clients, Run, Shape};

const SHAPE: Shape = Shape {
    clients: 8,
    partitions: 4,
    per_partition: 4,
    counters: 3,
    fill: 400,
    big_fill: 20_000,
};

/// Cycles between full re-reads of the stream.
const REREAD_EVERY: usize = 100;

/// What a torture run did.
#[derive(Debug, Default)]
struct Figures {
    cycles: usize,
    kills_in_recovery: usize,
    tally: Tally,
    checked: Checked,
    stream_records_reread: u64,
    failures: Vec<String>,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `cycles` kill cycles on a fresh directory; stops at the first
/// defect, keeping the directory and naming it in the failure.
fn torture(cycles: usize, seed: u64) -> Figures {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut figures = Figures::default();
    let mut server = Server::start(&data);
    let mut admin = Client::new(server.addr);
    create_table(&mut admin);
    let mut models: Vec<ClientModel> = (0..SHAPE.clients)
        .map(|c| ClientModel::new(c, SHAPE.partitions, SHAPE.per_partition, seed))
        .collect();
    let counters = Arc::new(Mutex::new(Counters::new()));
    let mut cursor = StreamCursor::default();
    let started = Instant::now();
    for cycle in 0..cycles {
        let run = Run::new(server.addr, SHAPE, counters.clone());
        let pause = Duration::from_millis(rng.u64(20..1500));
        models = drive_clients(&run, std::mem::take(&mut models), || {
            std::thread::sleep(pause);
            run.killing.store(true, Ordering::SeqCst);
            server.sigkill();
        });
        let mut failures = run.failures();
        if rng.u32(0..8) == 0 {
            kill_while_recovering(&data, &mut rng);
            figures.kills_in_recovery += 1;
        }
        match Server::try_start(&data) {
            Ok(s) => {
                server = s;
                let mut counters = counters.lock().expect("counters");
                match check(
                    &server,
                    &mut models,
                    &mut counters,
                    &mut cursor,
                    cycle,
                    cycles,
                ) {
                    Ok((checked, reread)) => {
                        figures.checked.add(&checked);
                        figures.stream_records_reread =
                            reread.unwrap_or(figures.stream_records_reread);
                    }
                    Err(e) => failures.push(format!(
                        "after the kill: {e}\n--- server log\n{}",
                        server.log_tail()
                    )),
                }
            }
            Err(log) => {
                failures.push(format!("the server did not restart:\n{log}"));
                figures.failures = with_context(failures, cycle, seed, dir.keep());
                figures.cycles = cycle + 1;
                break;
            }
        }
        figures.cycles = cycle + 1;
        if !failures.is_empty() {
            figures.failures = with_context(failures, cycle, seed, dir.keep());
            break;
        }
        if (cycle + 1).is_multiple_of(50) {
            let mut tally = Tally::default();
            models.iter().for_each(|m| tally.add(&m.tally));
            eprintln!(
                "cycle {}: {} acknowledged writes, {} stream records checked, {:.0} s",
                cycle + 1,
                tally.acked_writes(),
                figures.checked.records,
                started.elapsed().as_secs_f64()
            );
        }
    }
    models.iter().for_each(|m| figures.tally.add(&m.tally));
    figures
}

/// Failures named by cycle, seed and the directory kept for a post-mortem.
fn with_context(failures: Vec<String>, cycle: usize, seed: u64, dir: PathBuf) -> Vec<String> {
    failures
        .into_iter()
        .map(|f| {
            format!(
                "cycle {cycle} (seed {seed}, directory {}): {f}",
                dir.display()
            )
        })
        .collect()
}

/// Checks a restarted server; every [`REREAD_EVERY`] cycles and after the
/// last one also re-reads the whole stream.
fn check(
    server: &Server,
    models: &mut [ClientModel],
    counters: &mut Counters,
    cursor: &mut StreamCursor,
    cycle: usize,
    cycles: usize,
) -> Result<(Checked, Option<u64>), String> {
    let mut admin = Client::new(server.addr);
    let checked = verify(&mut admin, &SHAPE, models, counters, cursor)?;
    let reread = if (cycle + 1).is_multiple_of(REREAD_EVERY) || cycle + 1 == cycles {
        Some(reread_stream(&mut admin, cursor)?)
    } else {
        None
    };
    Ok((checked, reread))
}

/// Starts a server on `dir` and kills it within 60 ms, before or while it
/// recovers, or just after it begins to serve.
fn kill_while_recovering(dir: &Path, rng: &mut fastrand::Rng) {
    let mut child = spawn(dir);
    std::thread::sleep(Duration::from_millis(rng.u64(0..60)));
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
}

fn report(f: &Figures, seed: u64, wall: Duration) {
    let t = &f.tally;
    println!("seed {seed}");
    println!(
        "cycles {} (of which {} also killed during recovery), wall time {:.1} s",
        f.cycles,
        f.kills_in_recovery,
        wall.as_secs_f64()
    );
    println!(
        "acknowledged writes {} (put {}, delete {}, conditional update {}, transaction {}, counter increment {})",
        t.acked_writes(),
        t.puts,
        t.deletes,
        t.updates,
        t.transactions,
        t.increments
    );
    println!(
        "refused as expected: {} conditional updates, {} transactions; refused as conflicting {}, as throttled {}; reads checked during load: {}",
        t.condition_failures, t.cancelled, t.conflicts, t.throttled, t.reads
    );
    let c = &f.checked;
    println!(
        "checked after restarts: {} stream records, {} table items, {} index entries; lost requests applied {} / not applied {}; stream re-read at the end: {} records",
        c.records, c.items, c.index_entries, c.lost_applied, c.lost_dropped, f.stream_records_reread
    );
    println!("failures {}", f.failures.len());
    for failure in &f.failures {
        println!("FAILURE {failure}");
    }
}

fn run_and_check(cycles: usize) {
    let seed = env_or(
        "SILTDB_TORTURE_SEED",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1),
    );
    let started = Instant::now();
    let figures = torture(cycles, seed);
    report(&figures, seed, started.elapsed());
    assert!(figures.failures.is_empty(), "{:#?}", figures.failures);
    assert_eq!(figures.cycles, cycles);
    assert!(figures.tally.acked_writes() > 0 && figures.checked.records > 0);
}

#[test]
fn sigkill_torture_short() {
    run_and_check(env_or("SILTDB_TORTURE_SHORT_CYCLES", 5));
}

#[test]
#[ignore = "long: SILTDB_TORTURE_CYCLES=1000 ... -- --ignored (server/TORTURE.md)"]
fn sigkill_torture_long() {
    run_and_check(env_or("SILTDB_TORTURE_CYCLES", 1000));
}

/// The checks can fail: a write the clients were not told of (made here
/// behind their back) is reported.
#[test]
fn the_checks_notice_a_write_the_clients_were_not_told_of() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&dir.path().join("data"));
    let mut admin = Client::new(server.addr);
    create_table(&mut admin);
    let models = (0..2)
        .map(|c| ClientModel::new(c, 2, 2, 7))
        .collect::<Vec<_>>();
    let counters = Arc::new(Mutex::new(Counters::new()));
    let run = Run::new(server.addr, SHAPE, counters.clone());
    let mut models = drive_clients(&run, models, || {
        std::thread::sleep(Duration::from_millis(300));
        run.stop.store(true, Ordering::SeqCst);
    });
    assert!(run.failures().is_empty());
    let mut counters = counters.lock().expect("counters");
    let mut cursor = StreamCursor::default();
    verify(&mut admin, &SHAPE, &mut models, &mut counters, &mut cursor)
        .expect("the server agrees with the clients");

    let stranger = serde_json::json!({"TableName": serve_support::workload::TABLE,
        "Item": {"pk": {"S": "c0-p0"}, "sk": {"S": "s0"}, "w": {"S": "stranger"}}});
    let a = admin
        .call("DynamoDB_20120810.PutItem", &stranger)
        .expect("answer");
    assert_eq!(a.status, 200, "{}", a.body);
    let e = verify(&mut admin, &SHAPE, &mut models, &mut counters, &mut cursor)
        .expect_err("an unexplained write");
    assert!(
        e.contains("(\"c0-p0\", \"s0\")") && e.contains("1 stream records for 0 acknowledged"),
        "{e}"
    );
}
