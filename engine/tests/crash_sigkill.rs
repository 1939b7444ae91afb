//! A real process crash: a child process writes synced puts, deletes and
//! 3-key batches to a database on real files and prints "ack <i>" after each
//! acknowledged write; the parent SIGKILLs it at a random moment, reopens the
//! database and checks that every acknowledged write is there (and every
//! unacknowledged one is all-or-nothing), then restarts the child on the same
//! directory to continue. Small buffers make flushes and compactions run
//! while the child is killed. Put values of 250 bytes or more are separated
//! into small blob files and blob files with any garbage are rewritten, so
//! blob appends, blob file switches and blob garbage collection are killed
//! too; after each round `inspect::check_dir` must find the closed
//! directory clean, and by the end (after a final full compaction, since
//! whether a child's compactions got that far depends on the kill timing)
//! some blob file seen after a round must have been emptied and deleted.
//!
//! The test binary is its own child: with `SILTDB_CRASH_CHILD=<dir>` set, the
//! test function runs the writer loop instead of the parent.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use siltdb::fs::OsFs;
use siltdb::low_level::inspect::check_dir;
use siltdb::low_level::vlog::BlobOptions;
use siltdb::CompactionOptions;
use siltdb::{Db, Options, WriteBatch};

const CHILD_DIR_VAR: &str = "SILTDB_CRASH_CHILD";
const CHILD_START_VAR: &str = "SILTDB_CRASH_START";
const TEST_NAME: &str = "sigkill_loses_no_acknowledged_write";
const ROUNDS: usize = 6;

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

fn options() -> Options {
    Options {
        sync: true,
        write_buffer_size: 32 << 10,
        background_write_rate: 0,
        compaction: CompactionOptions {
            l0_compaction_trigger: 2,
            base_level_bytes: 128 << 10,
            target_file_size: 32 << 10,
            ..CompactionOptions::default()
        },
        blob: BlobOptions {
            min_blob_size: 250,
            file_size: 32 << 10,
            gc_live_fraction: 0.95,
            ..BlobOptions::default()
        },
        ..Options::default()
    }
}

/// Names of the blob files in `dir`.
fn blob_files(dir: &Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".blob"))
        .collect()
}

fn put_key(i: u64) -> Vec<u8> {
    format!("k{i:08}").into_bytes()
}

fn put_value(i: u64) -> Vec<u8> {
    let mut v = format!("value-{i}-").into_bytes();
    v.resize(v.len() + 100 + (i % 300) as usize, b'a' + (i % 26) as u8);
    v
}

fn batch_key(i: u64, j: u64) -> Vec<u8> {
    format!("b{i:08}-{j}").into_bytes()
}

fn batch_value(i: u64, j: u64) -> Vec<u8> {
    format!("batch-{i}-{j}").into_bytes()
}

/// Operation `i` of the history. Every write is idempotent, so a restarted
/// child may redo the last unacknowledged one.
enum Step {
    Put(u64),
    /// Deletes the key put by operation `i - 4` (an `i % 16 == 1` put).
    Delete(u64),
    /// Puts three related keys in one batch.
    Batch(u64),
}

fn step(i: u64) -> Step {
    if i % 4 == 3 {
        Step::Batch(i)
    } else if i % 16 == 5 {
        Step::Delete(i - 4)
    } else {
        Step::Put(i)
    }
}

fn apply_to_model(m: &mut Model, i: u64) {
    match step(i) {
        Step::Put(n) => {
            m.insert(put_key(n), put_value(n));
        }
        Step::Delete(n) => {
            m.remove(&put_key(n));
        }
        Step::Batch(n) => {
            for j in 0..3 {
                m.insert(batch_key(n, j), batch_value(n, j));
            }
        }
    }
}

fn apply_to_db(db: &Db, i: u64) -> siltdb::Result<()> {
    match step(i) {
        Step::Put(n) => db.put(&put_key(n), &put_value(n)),
        Step::Delete(n) => db.delete(&put_key(n)),
        Step::Batch(n) => {
            let mut b = WriteBatch::new();
            for j in 0..3 {
                b.put(&batch_key(n, j), &batch_value(n, j));
            }
            db.write(b)
        }
    }
}

/// The child: writes operations `start..` forever, acknowledging each.
fn run_child(dir: &Path, start: u64) -> ! {
    let db = Db::open(dir, options()).expect("child: open");
    let stdout = std::io::stdout();
    // libtest may have printed "test <name> ... " without a newline: start
    // the acks on a line of their own.
    writeln!(stdout.lock()).expect("child: print");
    for i in start.. {
        apply_to_db(&db, i).expect("child: write");
        let mut out = stdout.lock();
        writeln!(out, "ack {i}").expect("child: print ack");
        out.flush().expect("child: flush stdout");
    }
    unreachable!("the child runs until killed")
}

/// A small xorshift generator; the seed is printed so a failure can be rerun.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Runs one child from operation `start`, kills it after `kill_after` acks
/// plus a random delay, and returns the highest acknowledged operation.
fn run_and_kill(dir: &Path, start: u64, kill_after: u64, delay_micros: u64) -> Option<u64> {
    let exe = std::env::current_exe().expect("current_exe");
    let mut child = Command::new(exe)
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR_VAR, dir)
        .env(CHILD_START_VAR, start.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let mut stderr = child.stderr.take().expect("child stderr");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let (tx, rx) = mpsc::channel::<u64>();
    let out_reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(n) = line.strip_prefix("ack ") {
                let n: u64 = n.trim().parse().expect("ack number");
                if tx.send(n).is_err() {
                    break;
                }
            }
        }
    });

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last_ack = None;
    let mut acks = 0;
    while acks < kill_after {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(n) => {
                let want = last_ack.map_or(start, |prev| prev + 1);
                assert_eq!(n, want, "acks must start at {start} and be consecutive");
                last_ack = Some(n);
                acks += 1;
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let err = err_reader.join().unwrap_or_default();
                panic!("child stopped acknowledging after {acks} acks; its stderr:\n{err}");
            }
        }
    }
    std::thread::sleep(Duration::from_micros(delay_micros));
    child.kill().expect("SIGKILL the child");
    let status = child.wait().expect("wait for child");
    assert!(!status.success(), "child exited on its own: {status}");
    // Acks printed before the kill but not yet read still count.
    out_reader.join().expect("stdout reader");
    for n in rx.try_iter() {
        if let Some(prev) = last_ack {
            assert_eq!(n, prev + 1, "acks must be consecutive");
        }
        last_ack = Some(n);
    }
    let _ = err_reader.join();
    last_ack
}

fn contents(db: &Db) -> Model {
    let mut it = db.iter().expect("iter");
    it.seek_to_first().expect("seek_to_first");
    let mut m = Model::new();
    while it.valid() {
        m.insert(it.key().to_vec(), it.value().to_vec());
        it.next().expect("next");
    }
    m
}

/// Describes how `got` differs from `want`, briefly.
fn diff(got: &Model, want: &Model) -> String {
    let missing: Vec<_> = want
        .keys()
        .filter(|k| !got.contains_key(*k))
        .take(5)
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    let extra: Vec<_> = got
        .keys()
        .filter(|k| !want.contains_key(*k))
        .take(5)
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    let wrong: Vec<_> = got
        .iter()
        .filter(|(k, v)| want.get(*k).is_some_and(|w| w != *v))
        .take(5)
        .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
        .collect();
    format!("missing {missing:?}, unexpected {extra:?}, wrong value {wrong:?}")
}

#[test]
fn sigkill_loses_no_acknowledged_write() {
    if let Ok(dir) = std::env::var(CHILD_DIR_VAR) {
        let start = std::env::var(CHILD_START_VAR)
            .ok()
            .and_then(|s| s.parse().ok())
            .expect("child start operation");
        run_child(Path::new(&dir), start);
    }

    // SILTDB_CRASH_SEED replays the kill points (not the exact timing).
    let seed = std::env::var("SILTDB_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
        | 1;
    eprintln!("crash_sigkill seed {seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    // Operations 0..next are in the database (the model holds their effect).
    let mut next = 0u64;
    let mut model = Model::new();
    let mut blobs_seen = std::collections::BTreeSet::new();
    for round in 0..ROUNDS {
        let kill_after = 150 + rng.below(1200);
        let delay = rng.below(3000);
        let last_ack = run_and_kill(dir.path(), next, kill_after, delay)
            .expect("the child acknowledged writes");

        let mut acked = model.clone();
        for i in next..=last_ack {
            apply_to_model(&mut acked, i);
        }
        // The write in flight at the kill may or may not have landed, but
        // never partly.
        let mut with_next = acked.clone();
        apply_to_model(&mut with_next, last_ack + 1);

        let db = Db::open(dir.path(), options()).expect("reopen after SIGKILL");
        let got = contents(&db);
        let landed = if got == acked {
            false
        } else if got == with_next {
            true
        } else {
            panic!(
                "round {round} (seed {seed}): after SIGKILL with operations 0..={last_ack} \
                 acknowledged, the database holds neither them nor them plus operation {}: {}",
                last_ack + 1,
                diff(&got, &acked)
            );
        };
        // Expected state: the acknowledged history, plus the in-flight write
        // if it landed (it may delete a key an acknowledged put wrote).
        let expected = if landed { &with_next } else { &acked };
        for i in next..=last_ack {
            if let Step::Put(n) = step(i) {
                let want = expected.get(&put_key(n)).cloned();
                assert_eq!(
                    db.get(&put_key(n)).expect("get"),
                    want,
                    "round {round} (seed {seed}): get of acknowledged put {n}"
                );
            }
        }
        let s = db.stats();
        eprintln!(
            "round {round}: ops {next}..={last_ack} acked{}, {} keys, levels {:?}",
            if landed { " (+1 unacked landed)" } else { "" },
            got.len(),
            s.levels.iter().map(|l| l.files).collect::<Vec<_>>()
        );
        db.close().expect("close");
        drop(db);
        let report = check_dir(&OsFs::new(), dir.path()).expect("check_dir");
        assert!(
            report.is_clean(),
            "round {round} (seed {seed}): check_dir after reopen and close:\n{report}"
        );
        blobs_seen.extend(blob_files(dir.path()));
        model = got;
        next = last_ack + 1 + u64::from(landed);
    }

    let db = Db::open(dir.path(), options()).expect("final open");
    let s = db.stats();
    assert!(
        s.levels.iter().skip(1).any(|l| l.files > 0),
        "no table reached level 1 over {ROUNDS} rounds, so compaction never ran: {s}"
    );
    assert_eq!(contents(&db), model, "final contents");
    assert!(s.blob_files > 0, "no value was separated: {s}");
    // Whether the children's own compactions got to rewrite a blob file
    // before their kills depends on the kill timing (some seeds never do);
    // a full compaction now must: it drops the deleted puts' values and
    // rewrites the live values of every blob file left with garbage.
    db.compact_range(None, None).expect("final compaction");
    assert_eq!(contents(&db), model, "contents after the final compaction");
    let now = blob_files(dir.path());
    assert!(
        blobs_seen.iter().any(|b| !now.contains(b)),
        "no blob file was ever emptied and deleted: seen {blobs_seen:?}, now {now:?}"
    );
}
