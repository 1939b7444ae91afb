//! `siltdb serve` and the recovery report: a complete final WAL record that
//! fails its checksum is dropped and logged (file, offset, bytes) by
//! default; with `--strict-recovery` serve refuses to start instead.
#![cfg(unix)]

mod cli_support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use cli_support::{arg, files, make_table, rich_item, siltdb};

/// A database whose last write is the final record of its WAL, with a
/// byte of that record flipped; the WAL's name.
fn damaged_final_record(dir: &Path) -> String {
    make_table(dir, "Music", &[rich_item(1), rich_item(2)]);
    let wal = files(dir, ".log")
        .into_iter()
        .find(|n| std::fs::metadata(dir.join(n)).expect("stat").len() > 0)
        .expect("a WAL with the writes");
    let path = dir.join(&wal);
    let mut bytes = std::fs::read(&path).expect("read WAL");
    // The WAL may be preallocated (zeros after its last record): damage the
    // last non-zero byte, which lies in the final record, keeping it
    // non-zero so the record still reads as written to its end.
    let last = bytes
        .iter()
        .rposition(|&b| b != 0)
        .expect("a WAL with records");
    bytes[last] ^= if bytes[last] == 0x01 { 0x02 } else { 0x01 };
    std::fs::write(&path, bytes).expect("write WAL");
    wal
}

#[test]
fn strict_recovery_refuses_to_start() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let wal = damaged_final_record(tmp.path());
    let run = siltdb(&[
        "serve",
        "--port",
        "0",
        "--data-dir",
        arg(tmp.path()),
        "--strict-recovery",
    ]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(&format!("corruption in {wal}")),
        "{run:?}"
    );
    assert!(run.stderr.contains("strict recovery"), "{run:?}");
}

#[test]
fn by_default_the_dropped_record_is_logged() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let wal = damaged_final_record(tmp.path());
    // Read before serving: recovery flushes the WAL's records and deletes it.
    let data = std::fs::read(tmp.path().join(&wal)).expect("read WAL");
    let size = data.len() as u64;
    let mut child = Command::new(env!("CARGO_BIN_EXE_siltdb"))
        .args(["serve", "--port", "0", "--data-dir", arg(tmp.path())])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn siltdb");
    let stderr = child.stderr.take().expect("stderr");
    let mut log = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("read stderr");
        let serving = line.contains("http://");
        log.push(line);
        if serving {
            break;
        }
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    let dropped = log
        .iter()
        .find(|l| l.contains("recovery dropped"))
        .unwrap_or_else(|| panic!("no dropped-record line in {log:#?}"));
    assert!(dropped.contains("WARN"), "{dropped}");
    assert!(dropped.contains(&format!("file={wal}")), "{dropped}");
    assert!(dropped.contains("offset="), "{dropped}");
    assert!(dropped.contains("bytes="), "{dropped}");
    assert!(dropped.contains("checksum"), "{dropped}");
    // The dropped bytes are the record: the damaged byte is its last, and
    // only zeros (if any) follow it.
    let (offset, bytes) = (field(dropped, "offset"), field(dropped, "bytes"));
    assert!(offset + bytes <= size, "{dropped}");
    let end = usize::try_from(offset + bytes).expect("offset");
    assert_ne!(data[end - 1], 0, "{dropped}");
    assert!(data[end..].iter().all(|&b| b == 0), "{dropped}");
}

/// The number logged as `name=N` in `line`.
fn field(line: &str, name: &str) -> u64 {
    line.split(&format!("{name}="))
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {name}= in {line}"))
}
