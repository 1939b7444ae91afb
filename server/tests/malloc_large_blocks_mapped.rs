//! `siltdb serve` fixes glibc's mmap threshold at start
//! (`siltdb_server::malloc::mmap`): a large block stays a mapping of its own,
//! returned to the system when freed, even after a larger one was freed —
//! which, left to glibc, raises the threshold so that later large blocks
//! come from the heap and their memory stays in the process.
#![cfg(all(target_os = "linux", target_env = "gnu"))]

use siltdb_server::malloc::mmap::{fix_threshold, THRESHOLD};

/// Bytes of blocks malloc holds as mappings of their own.
fn mapped_bytes() -> usize {
    // SAFETY: mallinfo2 only reads malloc's counters.
    unsafe { libc::mallinfo2() }.hblkhd
}

#[test]
fn a_megabyte_block_is_mapped_after_a_larger_one_was_freed() {
    assert!(
        std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none(),
        "run without MALLOC_MMAP_THRESHOLD_: it would decide instead"
    );
    assert!(fix_threshold(), "the threshold is set");
    // Freeing a mapped 8 MiB block raises glibc's own threshold to 8 MiB.
    let big = vec![1u8; 8 << 20];
    std::hint::black_box(&big);
    drop(big);
    let before = mapped_bytes();
    let block = vec![1u8; 1 << 20];
    std::hint::black_box(&block);
    let held = mapped_bytes();
    drop(block);
    assert!(
        held >= before + (1 << 20),
        "a 1 MiB block (threshold {THRESHOLD}) came from the heap: mapped {before} B before, {held} B while held"
    );
    assert!(mapped_bytes() < held, "freeing the 1 MiB block unmapped it");
}
