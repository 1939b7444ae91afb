//! `siltdb serve` calls `siltdb_server::malloc::trim::trim` periodically:
//! free pages in the middle of glibc's heaps — left where a cache evicted
//! small blocks scattered among live ones, which glibc never returns by
//! itself — go back to the system.
#![cfg(all(target_os = "linux", target_env = "gnu"))]

use siltdb_server::malloc::trim::trim;

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
    // Free all but every 32nd block, as a cache evicting among live
    // entries does: the last block stays, so the heap's top is in use
    // and glibc's own trimming at free cannot return the rest.
    for (i, b) in blocks.iter_mut().enumerate() {
        if i % KEEP_EVERY != KEEP_EVERY - 1 {
            *b = None;
        }
    }
    std::hint::black_box(&blocks);
    let before = rss_anon();
    trim();
    let after = rss_anon();
    let kept = BLOCKS / KEEP_EVERY * BLOCK;
    assert!(
        before >= after + (32 << 20),
        "trim returned {} KiB of about {} KiB free (RssAnon {} KiB before, {} KiB after; {} KiB live)",
        before.saturating_sub(after) >> 10,
        (BLOCKS * BLOCK - kept) >> 10,
        before >> 10,
        after >> 10,
        kept >> 10
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
