//! `siltdb serve` as a child process: started on a data directory, found by
//! the address it announces, killed with SIGKILL.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// Lines of a server's log kept for a failure report.
const LOG_TAIL: usize = 40;

/// A running `siltdb serve` and the address it announced.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

/// Starts `siltdb serve --port 0 --data-dir DIR` without waiting for it.
/// With `SILTDB_SERVE_WRAPPER` set (e.g. `heaptrack`), the server runs
/// under that command, for a post-mortem of its memory or time.
pub fn spawn(dir: &Path) -> Child {
    let binary = env!("CARGO_BIN_EXE_siltdb");
    let mut command = match std::env::var("SILTDB_SERVE_WRAPPER") {
        Ok(wrapper) => {
            let mut c = Command::new(wrapper);
            c.arg(binary);
            c
        }
        Err(_) => Command::new(binary),
    };
    command
        // The engine's memory in the log every 20 s (the soak reads it).
        .args(["serve", "--port", "0", "--stats-every", "20", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn siltdb")
}

impl Server {
    /// Starts a server on `dir` and waits until it listens (it has then
    /// recovered the directory). Panics if it exits first.
    pub fn start(dir: &Path) -> Server {
        Server::try_start(dir).unwrap_or_else(|log| panic!("siltdb did not start:\n{log}"))
    }

    /// Like [`Server::start`], but the server's log instead of a panic when
    /// it exits before listening.
    pub fn try_start(dir: &Path) -> Result<Server, String> {
        let mut child = spawn(dir);
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                child.wait().ok();
                return Err(log.lock().expect("log").join("\n"));
            };
            keep(&log, line.clone());
            if let Some(rest) = line.split("http://").nth(1) {
                let addr = rest.split_whitespace().next().expect("address");
                break addr.parse().expect("socket address");
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        let tail = log.clone();
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| keep(&tail, l)));
        Ok(Server { child, addr, log })
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines the server logged.
    pub fn log_tail(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    /// The fields (`name=value`) of the last line the server logged with
    /// `message` in it, if the log tail holds one.
    pub fn last_logged(&self, message: &str) -> Option<Vec<(String, String)>> {
        let log = self.log.lock().expect("log");
        let line = log.iter().rev().find(|l| l.contains(message))?;
        Some(
            line.split_whitespace()
                .filter_map(|w| w.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// Kills the server with SIGKILL and reaps it.
    pub fn sigkill(self) {
        drop(self);
    }
}

impl Drop for Server {
    /// SIGKILL: a test that fails leaves no server behind.
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn keep(log: &Mutex<Vec<String>>, line: String) {
    let mut log = log.lock().expect("log");
    if log.len() == LOG_TAIL {
        log.remove(0);
    }
    log.push(line);
}
