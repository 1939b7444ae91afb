//! The server's allocator (`siltdb_server::allocator`): `purge` returns
//! free pages between live blocks to the system, its figures add up, and
//! `siltdb serve` runs on it, with its settings, and logs them.
#![cfg(all(target_os = "linux", not(target_env = "msvc")))]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use siltdb_server::allocator::{purge, Jemalloc, Usage};

#[global_allocator]
static ALLOCATOR: Jemalloc = Jemalloc;

/// The process's resident anonymous memory, in bytes.
fn rss_anon() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("RssAnon:"))
        .expect("RssAnon line");
    let kib: usize = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("RssAnon in kB");
    kib << 10
}

#[test]
fn free_pages_between_live_blocks_go_back_to_the_system() {
    const BLOCK: usize = 4 << 10;
    const BLOCKS: usize = 16 << 10; // 64 MiB in all
    const KEEP_EVERY: usize = 32;
    let mut blocks: Vec<Option<Vec<u8>>> = (0..BLOCKS).map(|_| Some(vec![1u8; BLOCK])).collect();
    let full = Usage::now();
    // Free all but every 32nd block, as a cache evicting among live
    // entries does.
    for (i, b) in blocks.iter_mut().enumerate() {
        if i % KEEP_EVERY != KEEP_EVERY - 1 {
            *b = None;
        }
    }
    std::hint::black_box(&blocks);
    let kept = BLOCKS / KEEP_EVERY * BLOCK;
    let freed = Usage::now();
    assert!(
        full.allocated >= BLOCKS * BLOCK
            && freed.allocated + (BLOCKS * BLOCK - kept) <= full.allocated + (1 << 20),
        "allocated {} KiB full, {} KiB after freeing",
        full.allocated >> 10,
        freed.allocated >> 10
    );
    assert!(
        freed.active >= freed.allocated
            && freed.resident >= freed.active
            && freed.mapped >= freed.resident,
        "{freed:?}"
    );

    let before = rss_anon();
    purge().expect("purge");
    let after = rss_anon();
    assert!(
        before >= after + (32 << 20),
        "purge returned {} KiB of about {} KiB free (RssAnon {} KiB before, {} KiB after; {} KiB live)",
        before.saturating_sub(after) >> 10,
        (BLOCKS * BLOCK - kept) >> 10,
        before >> 10,
        after >> 10,
        kept >> 10
    );
    assert!(
        Usage::now().resident + (32 << 20) <= freed.resident,
        "jemalloc's count of resident pages fell too"
    );
    assert_eq!(
        blocks
            .iter()
            .flatten()
            .map(|b| b.iter().map(|&x| usize::from(x)).sum::<usize>())
            .sum::<usize>(),
        kept,
        "the live blocks keep their contents"
    );
}

#[test]
fn siltdb_serve_allocates_with_it_and_logs_what_it_holds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Command::new(env!("CARGO_BIN_EXE_siltdb"))
        .args(["serve", "--port", "0", "--stats-every", "0.2", "--data-dir"])
        .arg(dir.path())
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start siltdb serve");
    let stderr = server.stderr.take().expect("stderr");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    let mut figures = None;
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("log line");
        if line.contains("engine memory") && line.contains("allocated_bytes=") {
            figures = Some(line);
            break;
        }
        seen.push(line);
        if Instant::now() > deadline {
            break;
        }
    }
    server.kill().expect("kill");
    server.wait().expect("wait");
    // The settings of `Conf::SERVER` took: jemalloc read the exported
    // `malloc_conf`.
    let settings = seen
        .iter()
        .find(|l| l.contains("allocator: jemalloc"))
        .unwrap_or_else(|| panic!("no allocator line in the log:\n{}", seen.join("\n")));
    assert!(
        settings.contains("background_thread=false")
            && settings.contains("dirty_decay_ms=1000")
            && settings.contains("oversize_threshold=131072"),
        "{settings}"
    );
    let line = figures.unwrap_or_else(|| panic!("no memory line in the log:\n{}", seen.join("\n")));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {line}"))
    };
    // A process whose Rust allocations went elsewhere would show jemalloc
    // holding nothing.
    let allocated = field("allocated_bytes=");
    assert!(allocated > 64 << 10, "{line}");
    assert!(field("allocator_resident_bytes=") >= allocated, "{line}");
}
