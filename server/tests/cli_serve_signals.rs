//! `siltdb serve` as a process: it announces its address, answers, and on
//! SIGTERM stops cleanly (exit status 0).
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::call;

#[test]
fn serve_answers_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_siltdb"))
        .args(["serve", "--port", "0", "--in-memory"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn siltdb");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("siltdb exited before listening")
            .expect("read stderr");
        if let Some(rest) = line.split("http://").nth(1) {
            let addr = rest.split_whitespace().next().expect("address");
            break addr.parse().expect("socket address");
        }
    };
    let r = call(addr, "DynamoDB_20120810.ListTables", r#"{"Limit": 101}"#);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.validate#ValidationException"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    // Read the rest of the log on a thread, so a hang fails the test below
    // instead of blocking here.
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<String>>());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            panic!("siltdb did not stop within 20 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let rest = log.join().expect("log reader");
    assert!(exit.success(), "exit status {exit}; log: {rest:?}");
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}
